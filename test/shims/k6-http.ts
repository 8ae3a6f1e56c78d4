// Pure-logic unit tests import modules that also make requests; any request here is a test bug.
const refuse = () => {
  throw new Error('k6/http is not available in unit tests: exercise requests in test/e2e with the real k6');
};
export default { get: refuse, post: refuse, batch: refuse, request: refuse };
