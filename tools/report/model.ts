// The typed model every report renderer works from: one k6 result (the summary hook's JSON), its
// baseline diff when there is one, and the per-second time series from k6's JSON stream when given.
// Types only, plus the small derivations (run facts, thresholds, checks, verdict) that every renderer
// shares, so that the HTML, Markdown, CSV and JUnit outputs never disagree.
import { scriptManifest } from '../../src/shared/families/index.ts';
import type { Diff, GateMetrics } from '../../src/shared/gate.ts';
import type { ResultCheck, ResultFile, ResultGroup } from '../../src/shared/result.ts';

export type { ResultCheck, ResultFile, ResultGroup };

/** `${run}_<script>.diff.json`: the gate's Diff plus the baseline's path. */
export interface DiffFile extends Diff {
  baseline?: string;
}

/** One latency percentile line over time; null where a bucket had no sample. */
export type PercentileSeries = Array<number | null>;

export interface TimeSeries {
  /** Bucket width in ms (1000). */
  bucketMs: number;
  /** Epoch ms of the first bucket's start. */
  startMs: number;
  /** Offset of each bucket from the first, in seconds (contiguous: empty seconds are kept). */
  seconds: number[];
  /** true for a bucket the samples cover only in part (the first and last ones, usually). */
  partial: boolean[];
  throughput: { metric: string; perSecond: number[] };
  /** iterations per second, when iterations is not already the throughput metric. */
  iterations?: number[];
  /** Failed samples of a rate metric, or the sum of an error counter, per second. */
  errors: { metric: string; kind: 'rate' | 'counter'; perSecond: number[] } | null;
  latency: { metric: string; p50: PercentileSeries; p90: PercentileSeries; p95: PercentileSeries; p99: PercentileSeries; count: number[] } | null;
  /** Points read from the stream (all metrics). */
  points: number;
}

export interface RunInfo {
  script: string;
  /** meta.scenario when it is not the script's name (spacetimedb.js: its SCENARIO, e.g. "counter"). */
  scenario?: string;
  run: string;
  testId: string;
  profile: string;
  durationMs: number | null;
  finishedAt: string | null;
}

export interface ThresholdRow {
  metric: string;
  expr: string;
  ok: boolean;
}

export interface ReportModel {
  resultPath: string;
  result: ResultFile;
  diffPath?: string;
  diff?: DiffFile;
  streamPath?: string;
  series?: TimeSeries;
  /** What the reader left out or doubted, shown in every report. */
  notes?: string[];
}

const str = (v: unknown, fallback: string) => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : fallback);

export function runInfo(model: ReportModel): RunInfo {
  const meta = model.result.meta;
  const duration = model.result.state?.testRunDurationMs;
  const run = str(meta.run, 'unknown');
  // the file is `${run}_<script>.json`; meta.scenario names the script too, unless a scenario's own
  // meta replaced it (spacetimedb.js puts its SCENARIO there)
  const base = model.resultPath.split(/[\\/]/).pop() ?? '';
  const fromName = base.startsWith(`${run}_`) && base.endsWith('.json') ? base.slice(run.length + 1, -'.json'.length) : '';
  const script = fromName || str(meta.scenario, 'unknown');
  const scenario = typeof meta.scenario === 'string' && meta.scenario !== script ? meta.scenario : undefined;
  return {
    script,
    ...(scenario ? { scenario } : {}),
    run,
    testId: str(meta.testId, '—'),
    profile: str(meta.profile, '—'),
    durationMs: typeof duration === 'number' && Number.isFinite(duration) ? duration : null,
    finishedAt: typeof meta.finishedAt === 'string' ? meta.finishedAt : null,
  };
}

/** The gate metrics of the run: from meta.gate (the summary hook writes it), else its script's manifest, else k6's HTTP metrics. */
export function gateMetrics(result: ResultFile): GateMetrics {
  const g = result.meta.gate as Partial<GateMetrics> | undefined;
  const declared = typeof result.meta.script === 'string' ? scriptManifest(result.meta.script)?.gate : undefined;
  const fallback = declared ?? { latency: 'http_req_duration', throughput: 'http_reqs', errors: 'http_req_failed' };
  return {
    latency: typeof g?.latency === 'string' ? g.latency : fallback.latency,
    throughput: typeof g?.throughput === 'string' ? g.throughput : fallback.throughput,
    errors: typeof g?.errors === 'string' ? g.errors : fallback.errors,
  };
}

/** Every k6 threshold of the run, metric by metric in name order. */
export function thresholdRows(result: ResultFile): ThresholdRow[] {
  const rows: ThresholdRow[] = [];
  for (const metric of Object.keys(result.metrics).sort()) {
    for (const [expr, t] of Object.entries(result.metrics[metric].thresholds ?? {})) rows.push({ metric, expr, ok: t.ok === true });
  }
  return rows;
}

/** Every check, with its group path ("::group::check" for nested groups). */
export function checkRows(result: ResultFile): ResultCheck[] {
  const out: ResultCheck[] = [];
  const walk = (group: ResultGroup | undefined) => {
    if (!group) return;
    for (const c of group.checks ?? []) out.push(c);
    for (const g of group.groups ?? []) walk(g);
  };
  walk(result.root_group);
  return out;
}

export interface Verdict {
  passed: boolean;
  failedThresholds: ThresholdRow[];
  regressions: number;
  /** One line: "PASS" or "FAIL: 1 threshold crossed, 1 regression". */
  text: string;
}

/** The run passes when no k6 threshold was crossed (k6 exits 99 otherwise) and the gate found no regression. */
export function verdict(model: ReportModel): Verdict {
  const failedThresholds = thresholdRows(model.result).filter((t) => !t.ok);
  const regressions = model.diff?.regressions.length ?? 0;
  const passed = failedThresholds.length === 0 && regressions === 0 && model.diff?.passed !== false;
  const parts: string[] = [];
  if (failedThresholds.length) parts.push(`${failedThresholds.length} threshold${failedThresholds.length === 1 ? '' : 's'} crossed`);
  if (regressions) parts.push(`${regressions} regression${regressions === 1 ? '' : 's'} against the baseline`);
  // a run that did not carry out its plan, or could not be judged, says so first (src/shared/verdict.ts)
  const judged = model.result.meta.verdict;
  const why = Array.isArray(model.result.meta.reasons) ? model.result.meta.reasons.map(String).join('; ') : '';
  if (judged === 'inconclusive' || judged === 'cannot-judge') {
    return { passed: false, failedThresholds, regressions, text: `${judged === 'inconclusive' ? 'INCONCLUSIVE' : 'CANNOT BE JUDGED'}: ${why}` };
  }
  return { passed, failedThresholds, regressions, text: passed ? 'PASS' : `FAIL: ${parts.join(', ') || 'the gate did not pass'}` };
}

/** Latency percentiles (p50/p90/p95/p99) from the summary's trend stats, in the metric's unit (ms for time). */
export const SUMMARY_PERCENTILES: Array<{ label: string; stat: string }> = [
  { label: 'p50', stat: 'med' },
  { label: 'p90', stat: 'p(90)' },
  { label: 'p95', stat: 'p(95)' },
  { label: 'p99', stat: 'p(99)' },
];
