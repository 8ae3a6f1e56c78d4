/** What a call threw, as text (readConfig and readSettings throw their one-line message as a string); fails when nothing was thrown. */
export function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return String(error);
  }
  throw new Error('expected a throw');
}
