// The result contract shared by the k6 summary hook (which writes results) and the Node tooling
// (which reads, compares, promotes and records them): the shape of a result file, how result and
// baseline files are named, which run may become the baseline, and the timestamps in names and ids.
// Pure TypeScript: both runtimes import it.
import type { GateMetrics } from './family';

/** One metric of k6's end-of-test summary (`data.metrics[name]`). Values: ms for time trends, bytes for data. */
export interface MetricSummary {
  type: 'counter' | 'gauge' | 'rate' | 'trend' | string;
  contains?: 'default' | 'time' | 'data' | string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface ResultCheck {
  name: string;
  path?: string;
  passes: number;
  fails: number;
}

export interface ResultGroup {
  name: string;
  path?: string;
  groups: ResultGroup[];
  checks: ResultCheck[];
}

/** Facts about a run that a later comparison needs (profile, model, the script's own settings...). */
export type RunMeta = Record<string, unknown>;

/**
 * `<results>/<run>_<script>.json` as the summary hook writes it: k6's summary data (metrics,
 * root_group, options, state) plus `meta` (script, run, testId, profile, model, finishedAt, baseline,
 * gate, and the script's own facts). Setup data is never kept.
 */
export interface ResultFile {
  meta: RunMeta;
  metrics: Record<string, MetricSummary>;
  root_group?: ResultGroup;
  options?: { summaryTrendStats?: string[]; [key: string]: unknown };
  state?: { testRunDurationMs?: number; [key: string]: unknown };
  [key: string]: unknown;
}

/** The run name that marks a first run which failed: kept for inspection, never the baseline. */
export const CANDIDATE_RUN = 'candidate';
/** The run name of the baseline itself. */
export const BASELINE_RUN = 'baseline';

/** Run names become file names: letters, digits, ".", "_" and "-". */
export const RUN_NAME_PATTERN = /^[A-Za-z0-9._-]+$/;
export const RUN_NAME_ALLOWED = 'letters, digits, ".", "_" or "-" (it becomes part of a file name)';

/** `<run>_<script><suffix>`: the result (`.json`) and its companions (`.diff.json`, `.diff.md`, `.summary`, `.k6.json.gz`, reports). */
export function resultFileName(run: string, script: string, suffix = '.json'): string {
  return `${run}_${script}${suffix}`;
}

/** `baseline_<script>.json`: the script's baseline in a results directory. */
export function baselineFileName(script: string): string {
  return resultFileName(BASELINE_RUN, script);
}

/** `baseline_<script>.<stamp>.json`: a baseline kept when another run is promoted over it. */
export function keptBaselineFileName(script: string, when: Date): string {
  return `${BASELINE_RUN}_${script}.${compactTimestamp(when)}.json`;
}

/**
 * `<run>_<script>.outputs.json`, named after the run the caller asked for: the summary hook lists in
 * it what it wrote (the result may have been renamed `candidate`), so tools never guess from file times.
 */
export function outputsFileName(requestedRun: string, script: string): string {
  return resultFileName(requestedRun, script, '.outputs.json');
}

/** What the summary hook wrote for one run (the `.outputs.json` file). Paths as k6 wrote them (relative to its working directory, or absolute). */
export interface RunOutputs {
  script: string;
  /** The run name asked for (RUN_NAME or the default). */
  requestedRun: string;
  /** The run name the result got: the requested one, or `candidate`. */
  run: string;
  testId: string;
  result: string;
  diffJson?: string;
  diffMarkdown?: string;
}

/** The run name when none is given: `baseline` while the script has no baseline, else `latest`. */
export function defaultRunName(hasBaseline: boolean): string {
  return hasBaseline ? 'latest' : BASELINE_RUN;
}

/** `20261130T055036`: UTC, to the second, safe in file names and tag values. */
export function compactTimestamp(when: Date): string {
  return when.toISOString().replace(/[-:]|\.\d+Z$/g, '');
}

/** The default test id (the `testid` tag of every sample): `<script>-<run>-<stamp>`. */
export function defaultTestId(script: string, run: string, when: Date): string {
  return `${script}-${run}-${compactTimestamp(when)}`;
}

/** A latency trend whose every value is 0 had no samples (k6 lists thresholded metrics even when nothing came). */
export function hasSamples(metric: MetricSummary | undefined): boolean {
  if (!metric) return false;
  if (metric.type === 'trend') return Object.values(metric.values).some((v) => v !== 0);
  if (metric.type === 'counter') return (metric.values.count ?? 0) > 0;
  if (metric.type === 'rate') return (metric.values.passes ?? 0) + (metric.values.fails ?? 0) > 0;
  return true;
}

/**
 * The candidate rule: why a run may not become the baseline (empty when it may). A run that crossed a
 * threshold, completed no iteration or measured no gate latency is kept as `candidate` instead.
 * @param findings thresholds whose failure is the run's finding, not a failed run (a staircase's
 *   per-level thresholds above its capacity): by metric key.
 */
export function unfitForBaseline(result: Pick<ResultFile, 'metrics'>, gate: GateMetrics, findings: (metric: string) => boolean = () => false): string[] {
  const reasons: string[] = [];
  const failed = failedThresholds(result.metrics, findings);
  if (failed.length > 0) reasons.push(`thresholds failed (${failed.join(', ')})`);
  if (!result.metrics.iterations?.values.count) reasons.push('no iteration completed');
  if (result.metrics[gate.latency]?.values['p(95)'] === undefined) reasons.push(`no ${gate.latency} samples`);
  return reasons;
}

/** The thresholds that failed, as `<metric> <expression>`, but for those `skip(metric, expression)` leaves out. */
export function failedThresholds(metrics: Record<string, MetricSummary | undefined>, skip: (metric: string, expression: string) => boolean): string[] {
  return Object.entries(metrics).flatMap(([name, m]) =>
    Object.entries(m?.thresholds ?? {})
      .filter(([expr, t]) => !t.ok && !skip(name, expr))
      .map(([expr]) => `${name} ${expr}`),
  );
}

/** The three numbers a run is judged by: p(95)/p(99) of the gate latency (ms), throughput (/s) and error rate (0–1); null when absent. */
export function keyNumbers(result: Pick<ResultFile, 'metrics'>, gate: GateMetrics) {
  const m = result.metrics;
  const latency = hasSamples(m[gate.latency]) ? m[gate.latency].values : undefined;
  return {
    gate,
    p95: latency?.['p(95)'] ?? null,
    p99: latency?.['p(99)'] ?? null,
    throughput: m[gate.throughput]?.values.rate ?? null,
    errorRate: m[gate.errors]?.values.rate ?? null,
  };
}

/**
 * The key two runs must share to be compared or to form a noise band together: the profile, the load
 * model and the script's own comparable meta (its manifest's comparableMeta), e.g.
 * `profile=tps100;model=arrival-rate;workload=counter;transport=websocket`.
 */
export function comparableKey(meta: RunMeta, scriptKeys: readonly string[]): string {
  return ['profile', 'model', ...scriptKeys].map((k) => `${k}=${meta[k] === undefined ? '' : String(meta[k])}`).join(';');
}

/** One history row as the history store keeps it (seed 001's benchmark_results columns plus what identifies and judges a run). */
export interface HistoryRow {
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
  /** The target's peak resident memory (MiB, max of target_memory_mb); null without TARGET_METRICS_URL. */
  memory_usage_mb: number | null;
  /** The target's mean CPU use (% of one core, avg of target_cpu_percent); null without TARGET_METRICS_URL. */
  cpu_usage_percent: number | null;
  /** The regression gate's verdict (null without a baseline). */
  passed: boolean | null;
  /** The run's verdict (src/shared/verdict.ts); null for results written before verdicts existed. */
  verdict: string | null;
  /** It carried out its plan on a healthy generator: it may enter the noise band. */
  accepted: boolean | null;
  /** comparableKey of the run. */
  comparable: string | null;
  /** 1 for a first attempt, 2.. for `k6-suite run --confirm` reruns. */
  attempt: number | null;
  result_file: string;
}

/** The last `count` history rows a run of `script` with this comparable key is judged against: accepted, passing runs. */
export function bandRuns(rows: HistoryRow[], script: string, comparable: string, count: number): HistoryRow[] {
  return rows.filter((r) => r.test_type === script && r.comparable === comparable && r.accepted === true && r.verdict === 'pass').slice(-count);
}
