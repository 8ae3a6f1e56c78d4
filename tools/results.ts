// What every Node-side tool (CLI, history, nightly) needs from a result file: the report module's
// validating reader, the gate metrics, and the three numbers a run is judged by (the shared contract).
import { keyNumbers as keyNumbersOf, type ResultFile } from '../src/shared/result.ts';
import { gateMetrics } from './report/model.ts';

export { readResultFile } from './report/read.ts';
export type { ResultFile };

/** p(95)/p(99) of the latency metric (ms), throughput per second and error rate of a run. */
export function keyNumbers(result: ResultFile) {
  return keyNumbersOf(result, gateMetrics(result));
}
