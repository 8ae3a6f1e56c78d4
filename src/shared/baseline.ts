// The one validator of a baseline, used by the k6 side (at init, exit 107) and by the Node tooling
// (compare, promote) alike, so both refuse the same files with the same words.
import type { GateMetrics } from './family';
import type { ResultFile } from './result';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Why `value` (a parsed JSON file) cannot be a baseline for these gate metrics: one line per problem,
 * naming the metric and the statistic; empty when it can. Every statistic must be a number, and the
 * gated ones (the latency's p(95), the throughput's rate) must be there: a baseline without them
 * (a failed run) would let every later run pass unjudged.
 */
export function baselineProblems(value: unknown, gate: GateMetrics): string[] {
  if (!isObject(value) || !isObject(value.metrics)) {
    return ['is malformed: it needs a metrics object of k6 summary metrics (a result file this library wrote); fix it, delete it, or point BASELINE elsewhere'];
  }
  const problems: string[] = [];
  for (const [name, metric] of Object.entries(value.metrics)) {
    if (!isObject(metric) || !isObject(metric.values)) {
      problems.push(
        `is malformed: it needs a metrics object of k6 summary metrics (${name} has no values object); fix it, delete it, or point BASELINE elsewhere`,
      );
      continue;
    }
    for (const [stat, v] of Object.entries(metric.values)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`has ${name} ${stat} = ${JSON.stringify(v)}, not a number: fix it or delete it`);
    }
    const rate = metric.type === 'rate' ? metric.values.rate : undefined;
    if (typeof rate === 'number' && (rate < 0 || rate > 1)) problems.push(`has ${name} rate = ${rate}, not a share from 0 to 1: fix it or delete it`);
  }
  const metrics = value.metrics as ResultFile['metrics'];
  for (const [metric, stat] of [
    [gate.latency, 'p(95)'],
    [gate.throughput, 'rate'],
  ] as const) {
    if (metrics[metric]?.values?.[stat] === undefined) problems.push(`has no ${metric} ${stat} (a failed run?): delete it or promote a healthy run`);
  }
  return problems;
}

/** Throws (through `fail`, one message per problem) when `value` cannot be the baseline at `path`. */
export function validateBaseline<E>(value: unknown, path: string, gate: GateMetrics, fail: (problems: string[]) => E): ResultFile {
  const problems = baselineProblems(value, gate);
  if (problems.length > 0) throw fail(problems.map((p) => `baseline ${path} ${p}`));
  return value as ResultFile;
}
