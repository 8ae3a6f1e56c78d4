// One row of run history, with seed 001's benchmark_results columns (test_type = the script,
// database_type = the transport or target) plus what identifies the run. Memory and CPU are not
// measured by a k6 run, so they stay null rather than invented.
import { basename } from 'node:path';
import { keyNumbers, type ResultFile } from '../results.ts';

export interface HistoryRecord {
  test_date: string;
  test_type: string;
  database_type: string | null;
  run_name: string;
  test_id: string | null;
  profile: string | null;
  throughput_ops_per_sec: number | null;
  latency_p95_ms: number | null;
  latency_p99_ms: number | null;
  error_rate: number | null;
  memory_usage_mb: null;
  cpu_usage_percent: null;
  /** The regression gate's verdict (null without a baseline). */
  passed: boolean | null;
  result_file: string;
}

export function historyRecord(result: ResultFile, resultPath: string, passed: boolean | null): HistoryRecord {
  const k = keyNumbers(result);
  const meta = result.meta;
  const str = (v: unknown) => (v === undefined || v === null ? null : String(v));
  return {
    test_date: str(meta.finishedAt) ?? new Date().toISOString(),
    test_type: str(meta.script) ?? str(meta.scenario) ?? basename(resultPath).replace(/^[^_]*_|\.json$/g, ''),
    database_type: str(meta.transport ?? meta.target),
    run_name: str(meta.run) ?? basename(resultPath).split('_')[0],
    test_id: str(meta.testId),
    profile: str(meta.profile),
    throughput_ops_per_sec: k.throughput,
    latency_p95_ms: k.p95,
    latency_p99_ms: k.p99,
    error_rate: k.errorRate,
    memory_usage_mb: null,
    cpu_usage_percent: null,
    passed,
    result_file: resultPath,
  };
}
