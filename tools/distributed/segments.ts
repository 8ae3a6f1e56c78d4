// k6's execution segments for N equal instances (k6.md, "Distributed"): instance i runs
// `--execution-segment i/N:(i+1)/N` of the sequence `0,1/N,...,1`, so VUs, iterations and arrival rates
// are divided between the instances exactly (the k6-operator passes the same to a TestRun's runners).
import { segmentPoint } from '../../src/shared/segments.ts';

/** The `--execution-segment` of each of n instances and their common `--execution-segment-sequence`. Throws for n not a whole number from 1 to 64. */
export function executionSegments(n: number): { segments: string[]; sequence: string } {
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`the number of instances must be a whole number from 1 to 64, not ${n}`);
  const point = (i: number) => (i === 0 ? '0' : i === n ? '1' : `${i}/${n}`);
  const segments = Array.from({ length: n }, (_, i) => `${point(i)}:${point(i + 1)}`);
  const sequence = Array.from({ length: n + 1 }, (_, i) => point(i)).join(',');
  return { segments, sequence };
}

/**
 * Why the instances' execution segments (`from:to`, as k6 and `exec.test.options.executionSegment` give
 * them; '' for a whole test) do not cover the test exactly once: empty when they do. Each entry is
 * `[instance, segment]`.
 */
export function segmentCoverageProblems(segments: Array<[string, string]>): string[] {
  if (segments.length === 1 && segments[0][1] === '') return [];
  const whole = segments.filter(([, s]) => s === '').map(([i]) => i);
  if (whole.length > 0) return [`${whole.join(', ')} ran the whole test (no --execution-segment) beside other instances: merge one distributed run only`];
  const spans = segments
    .map(([instance, s]) => {
      const [from, to] = s.split(':').map(segmentPoint);
      return { instance, s, from, to };
    })
    .sort((a, b) => a.from - b.from);
  const bad = spans.filter((x) => !(x.from >= 0 && x.to <= 1 && x.from < x.to));
  if (bad.length > 0) return bad.map((x) => `${x.instance}'s execution segment ${x.s} is not a part of 0:1`);
  const problems: string[] = [];
  const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;
  let at = 0;
  let last = '';
  for (const x of spans) {
    if (x.from < at && !near(x.from, at))
      problems.push(`${x.instance} (segment ${x.s}) overlaps ${last}: an instance was merged twice, or instances of two runs`);
    else if (!near(x.from, at)) problems.push(`no instance ran the segment from ${at} to ${x.from}: an instance is missing`);
    at = Math.max(at, x.to);
    last = `${x.instance} (segment ${x.s})`;
  }
  if (!near(at, 1)) problems.push(`no instance ran the segment from ${at} to 1: an instance is missing`);
  return problems;
}
