// k6's execution segments for N equal instances (k6.md, "Distributed"): instance i runs
// `--execution-segment i/N:(i+1)/N` of the sequence `0,1/N,...,1`, so VUs, iterations and arrival rates
// are divided between the instances exactly (the k6-operator passes the same to a TestRun's runners).

/** The `--execution-segment` of each of n instances and their common `--execution-segment-sequence`. Throws for n not a whole number from 1 to 64. */
export function executionSegments(n: number): { segments: string[]; sequence: string } {
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`the number of instances must be a whole number from 1 to 64, not ${n}`);
  const point = (i: number) => (i === 0 ? '0' : i === n ? '1' : `${i}/${n}`);
  const segments = Array.from({ length: n }, (_, i) => `${point(i)}:${point(i + 1)}`);
  const sequence = Array.from({ length: n + 1 }, (_, i) => point(i)).join(',');
  return { segments, sequence };
}
