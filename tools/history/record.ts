// One row of run history, with seed 001's benchmark_results columns (test_type = the script,
// database_type = the backend label (TIMER_BACKEND), else the transport or target) plus what identifies and judges the run (the shared
// HistoryRow contract). Memory and CPU are the target's own, sampled from its Prometheus endpoint when the
// run had TARGET_METRICS_URL (peak target_memory_mb, mean target_cpu_percent); otherwise null, never invented.
import { basename } from 'node:path';
import { scriptManifest } from '../../src/shared/families/index.ts';
import { comparableKey, type HistoryRow } from '../../src/shared/result.ts';
import { keyNumbers, type ResultFile } from '../results.ts';

export type HistoryRecord = HistoryRow;

/** The history row of a result file; `attempt` numbers `--confirm` reruns (1 = the first run). */
export function historyRecord(result: ResultFile, resultPath: string, passed: boolean | null, attempt = 1): HistoryRecord {
  const k = keyNumbers(result);
  const meta = result.meta;
  const str = (v: unknown) => (v === undefined || v === null ? null : String(v));
  const script = str(meta.script) ?? str(meta.scenario) ?? basename(resultPath).replace(/^[^_]*_|\.json$/g, '');
  return {
    test_date: str(meta.finishedAt) ?? new Date().toISOString(),
    test_type: script,
    database_type: str(meta.database ?? meta.transport ?? meta.target),
    run_name: str(meta.run) ?? basename(resultPath).split('_')[0],
    test_id: str(meta.testId),
    profile: str(meta.profile),
    throughput_ops_per_sec: k.throughput,
    latency_p95_ms: k.p95,
    latency_p99_ms: k.p99,
    error_rate: k.errorRate,
    memory_usage_mb: rounded(result.metrics.target_memory_mb?.values.max, 0),
    cpu_usage_percent: rounded(result.metrics.target_cpu_percent?.values.avg, 2),
    passed,
    verdict: str(meta.verdict),
    accepted: typeof meta.accepted === 'boolean' ? meta.accepted : null,
    comparable: comparableKey(meta, scriptManifest(script)?.comparableMeta ?? []),
    attempt,
    result_file: resultPath,
  };
}

/** `value` rounded to `digits` decimals (the column's precision); null when it was not measured. */
function rounded(value: number | undefined, digits: number): number | null {
  if (value === undefined || !Number.isFinite(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
