export default {
  vu: { idInTest: 1, iterationInScenario: 0 },
  test: {
    abort: (message: string) => {
      throw new Error(`aborted: ${message}`);
    },
  },
};
