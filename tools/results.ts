// What every Node-side tool (CLI, history, nightly) needs from a result file: the report module's
// validating reader and gate-metric lookup, plus the three numbers a run is judged by.
import { gateMetrics, type ResultFile } from './report/model.ts';

export { readResultFile } from './report/read.ts';
export type { ResultFile };

/** p(95)/p(99) of the latency metric, throughput per second and error rate of a run. */
export function keyNumbers(result: ResultFile) {
  const gate = gateMetrics(result);
  const m = result.metrics;
  const latency = m[gate.latency]?.values;
  // all zeros: no samples (k6 lists a thresholded trend even when nothing was measured)
  const measured = latency && Object.values(latency).some((v) => v !== 0) ? latency : undefined;
  return {
    gate,
    p95: measured?.['p(95)'] ?? null,
    p99: measured?.['p(99)'] ?? null,
    throughput: m[gate.throughput]?.values.rate ?? null,
    errorRate: m[gate.errors]?.values.rate ?? null,
  };
}
