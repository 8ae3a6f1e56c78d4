// k6 execution segments as text (`--execution-segment 1/3:2/3 --execution-segment-sequence 0,1/3,2/3,1`;
// k6.md, "Distributed"): the points as numbers, and which instance of a sequence a segment is. Pure
// TypeScript: the k6 side (the per-instance data seed) and the Node tooling (the merge) share it.

/** A point of an execution segment (`0`, `1`, `1/3`, `0.25`, `25%`) as a number; NaN when it is not one. */
export function segmentPoint(text: string): number {
  const t = text.trim();
  if (t.endsWith('%')) return Number(t.slice(0, -1)) / 100;
  const [a, b] = t.split('/');
  return b === undefined ? Number(a) : Number(a) / Number(b);
}

/**
 * The 0-based position of `segment` (`from:to`) among the segments of `sequence` (`0,1/3,2/3,1`): the
 * index of the point it starts at. Undefined when there is no segment or no sequence, or the segment
 * does not start at a point of the sequence.
 */
export function segmentIndex(segment: string | undefined, sequence: string | undefined): number | undefined {
  if (!segment || !sequence) return undefined;
  const from = segmentPoint(segment.split(':')[0]);
  const points = sequence.split(',').map(segmentPoint);
  const i = points.findIndex((p) => Math.abs(p - from) < 1e-9);
  return i >= 0 && i < points.length - 1 ? i : undefined;
}
