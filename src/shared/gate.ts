// The regression gate and the baseline diff, as pure functions shared by the k6 summary hook and the
// Node CLI. A scenario names three gate metrics (a latency trend, a throughput counter and an error
// rate); their limits come from the baseline with seed 001's tolerances (throughput >= 0.95x,
// p(95) <= 1.2x, error rate <= 1%), each with an absolute floor so that a sub-millisecond wobble on a
// noisy machine is not called a regression. The limits become k6 thresholds (k6 exits 99) and the
// diff gives the same verdicts.

import type { GateMetrics } from './family';
import { formatChangePct, formatMs, formatNumber } from './format';
import type { MetricSummary, ResultFile } from './result';
import type { Judgement } from './verdict';

export type { GateMetrics } from './family';

/** What the gate reads of a result: its metrics, and its meta and trend stats when present. */
export type ResultLike = Pick<ResultFile, 'metrics'> & Partial<Pick<ResultFile, 'meta' | 'options'>>;

export interface Tolerance {
  /** current p(95) may be up to this times the baseline... */
  p95Ratio: number;
  /** ...or up to the baseline plus this many ms, whichever is larger. */
  p95FloorMs: number;
  /** current rate must be at least this times the baseline... */
  throughputRatio: number;
  /** ...or the baseline minus this many per second, whichever is lower. */
  throughputFloor: number;
  /** error rate must stay at or below this share (absolute). */
  maxErrorRate: number;
}

export const DEFAULT_TOLERANCE: Tolerance = {
  p95Ratio: 1.2,
  p95FloorMs: 2,
  throughputRatio: 0.95,
  throughputFloor: 1,
  maxErrorRate: 0.01,
};

/** Allowed ranges of each tolerance: the same for the GATE_* variables and the gate config file. */
export const TOLERANCE_RANGES: Record<keyof Tolerance, { min: number; max: number }> = {
  p95Ratio: { min: 1, max: Infinity },
  p95FloorMs: { min: 0, max: Infinity },
  throughputRatio: { min: 0, max: 1 },
  throughputFloor: { min: 0, max: Infinity },
  maxErrorRate: { min: 0, max: 1 },
};

/** Per-metric tolerance overrides, e.g. from a gate config file. */
export type ToleranceOverrides = Record<string, Partial<Tolerance>>;

export interface Limit {
  metric: string;
  stat: 'p(95)' | 'rate';
  kind: 'latency' | 'throughput' | 'errors';
  baseline: number;
  limit: number;
  /** k6 threshold expression for this limit. */
  threshold: string;
  /** true when a larger value is worse. */
  upperBound: boolean;
  /** When the limit comes from the noise band: over how many runs, their median and MAD, and the sigmas. */
  band?: { runs: number; median: number; mad: number; sigmas: number };
}

const round = (n: number, digits = 4) => Number(n.toFixed(digits));

function toleranceFor(metric: string, base: Tolerance, overrides: ToleranceOverrides = {}): Tolerance {
  return { ...base, ...(overrides[metric] ?? {}) };
}

/** A robust centre and spread of one gated statistic over the last accepted runs. */
export interface BandStat {
  median: number;
  /** Median absolute deviation from the median (same unit). */
  mad: number;
}

/**
 * The noise band from history: the last accepted runs' median and MAD of the gated statistics. A
 * limit is then the larger (for throughput: the lower) of the tolerance around the median and
 * `sigmas` × 1.4826 × MAD (the MAD scaled to a standard deviation) around it: a noisy statistic gets a
 * wider band, a stable one the tolerance.
 */
export interface GateBand {
  runs: number;
  sigmas: number;
  latency?: BandStat;
  throughput?: BandStat;
}

/** MAD → standard deviation of a normal distribution. */
const MAD_TO_SIGMA = 1.4826;

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Median and MAD of the values (undefined for none). */
export function bandStat(values: number[]): BandStat | undefined {
  if (values.length === 0) return undefined;
  const m = median(values);
  return { median: m, mad: median(values.map((v) => Math.abs(v - m))) };
}

/** The fewest accepted runs a band is built from; with fewer the single baseline judges. */
export const MIN_BAND_RUNS = 3;

/** The band of the given runs' p(95) (ms) and throughput (/s); undefined with fewer than MIN_BAND_RUNS. */
export function gateBand(runs: Array<{ p95: number | null; throughput: number | null }>, sigmas: number): GateBand | undefined {
  if (runs.length < MIN_BAND_RUNS) return undefined;
  const values = (pick: (r: (typeof runs)[number]) => number | null) => runs.map(pick).filter((v): v is number => v !== null && Number.isFinite(v));
  return { runs: runs.length, sigmas, latency: bandStat(values((r) => r.p95)), throughput: bandStat(values((r) => r.throughput)) };
}

/** The gate's limits for a run: from the baseline's values of the gate metrics, or from the noise band when given. */
export function gateLimits(baseline: ResultLike, gate: GateMetrics, base: Tolerance, overrides: ToleranceOverrides = {}, band?: GateBand): Limit[] {
  const limits: Limit[] = [];
  const spread = (stat: BandStat | undefined) => (band && stat ? band.sigmas * MAD_TO_SIGMA * stat.mad : 0);
  const latency = band?.latency?.median ?? baseline.metrics[gate.latency]?.values['p(95)'];
  if (latency !== undefined) {
    const t = toleranceFor(gate.latency, base, overrides);
    const limit = round(Math.max(latency * t.p95Ratio, latency + t.p95FloorMs, latency + spread(band?.latency)), 3);
    const from = band?.latency ? { band: { runs: band.runs, median: latency, mad: band.latency.mad, sigmas: band.sigmas } } : {};
    limits.push({ metric: gate.latency, stat: 'p(95)', kind: 'latency', baseline: latency, limit, threshold: `p(95)<=${limit}`, upperBound: true, ...from });
  }
  const throughput = band?.throughput?.median ?? baseline.metrics[gate.throughput]?.values.rate;
  if (throughput !== undefined) {
    const t = toleranceFor(gate.throughput, base, overrides);
    const limit = round(Math.max(0, Math.min(throughput * t.throughputRatio, throughput - t.throughputFloor, throughput - spread(band?.throughput))), 3);
    const from = band?.throughput ? { band: { runs: band.runs, median: throughput, mad: band.throughput.mad, sigmas: band.sigmas } } : {};
    limits.push({
      metric: gate.throughput,
      stat: 'rate',
      kind: 'throughput',
      baseline: throughput,
      limit,
      threshold: `rate>=${limit}`,
      upperBound: false,
      ...from,
    });
  }
  const t = toleranceFor(gate.errors, base, overrides);
  limits.push({
    metric: gate.errors,
    stat: 'rate',
    kind: 'errors',
    baseline: baseline.metrics[gate.errors]?.values.rate ?? 0,
    limit: t.maxErrorRate,
    threshold: `rate<=${t.maxErrorRate}`,
    upperBound: true,
  });
  return limits;
}

/** k6 `thresholds` entries for the limits (merged with a scenario's own thresholds by the caller). */
export function limitsToThresholds(limits: Limit[]): Record<string, string[]> {
  const thresholds: Record<string, string[]> = {};
  for (const l of limits) (thresholds[l.metric] ??= []).push(l.threshold);
  return thresholds;
}

/** A scenario's own thresholds plus the gate's, per metric. */
export function mergeThresholds(...sets: Array<Record<string, string[]>>): Record<string, string[]> {
  const merged: Record<string, string[]> = {};
  for (const set of sets) for (const [metric, exprs] of Object.entries(set)) merged[metric] = [...new Set([...(merged[metric] ?? []), ...exprs])];
  return merged;
}

export type Verdict = 'ok' | 'regression' | 'improved' | 'changed' | 'same' | 'new' | 'missing' | 'n/a';

export interface DiffRow {
  metric: string;
  stat: string;
  baseline: number | null;
  current: number | null;
  /** (current − baseline) / baseline × 100, as seed 003 defines it; null when the baseline is 0 or absent. */
  changePct: number | null;
  verdict: Verdict;
  /** The gate limit, for gated rows. */
  limit?: number;
  /** The noise band the limit came from, when it did. */
  band?: Limit['band'];
  /** Values are milliseconds (a time trend). */
  time?: boolean;
}

export interface Diff {
  baselineRun: string;
  currentRun: string;
  rows: DiffRow[];
  notes: string[];
  regressions: DiffRow[];
  /** Gated statistics the run lacks (absent, or a latency trend without samples): they cannot be judged. */
  unjudged: DiffRow[];
  /** No regression and every gated statistic judged. */
  passed: boolean;
  /** The run's verdict (src/shared/verdict.ts), when the summary hook judged it. */
  judgement?: Judgement;
}

export function changePct(baseline: number, current: number): number | null {
  if (baseline === 0) return null;
  return round(((current - baseline) / baseline) * 100, 2);
}

/** The stats a metric is compared on: trend stats, a counter's rate, a rate's rate. */
function statsOf(metric: MetricSummary, trendStats: string[]): string[] {
  if (metric.type === 'trend') return trendStats.filter((s) => s in metric.values);
  if (metric.type === 'counter' || metric.type === 'rate') return ['rate'];
  return [];
}

/** meta keys every pair of runs must share to be comparable; a script's manifest adds its own (comparableMeta). */
const COMPARABLE_META = ['script', 'profile', 'model'];

/**
 * The baseline diff: every stat of every metric, the gated ones judged against `limits`.
 * @param comparableMeta the script's own meta keys that must match (its manifest's comparableMeta);
 *   a difference is noted, not judged.
 */
export function diffResults(baseline: ResultLike, current: ResultLike, limits: Limit[], comparableMeta: readonly string[] = []): Diff {
  const trendStats = current.options?.summaryTrendStats ?? baseline.options?.summaryTrendStats ?? ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
  const notes: string[] = [];
  for (const key of [...COMPARABLE_META, ...comparableMeta]) {
    const a = baseline.meta?.[key];
    const b = current.meta?.[key];
    if (a !== undefined && b !== undefined && a !== b)
      notes.push(`runs differ in ${key}: baseline ${String(a)}, this run ${String(b)}; the comparison may not be meaningful`);
  }
  const vusA = baseline.metrics.vus_max?.values.max ?? baseline.metrics.vus_max?.values.value;
  const vusB = current.metrics.vus_max?.values.max ?? current.metrics.vus_max?.values.value;
  if (vusA !== undefined && vusB !== undefined && vusA !== vusB) notes.push(`runs differ in VUs: baseline ${vusA}, this run ${vusB}`);

  const gated = new Map(limits.map((l) => [`${l.metric}|${l.stat}`, l]));
  // a latency trend of all zeros has no samples (k6 lists thresholded metrics even when nothing came)
  const latencyNames = new Set(limits.filter((l) => l.kind === 'latency').map((l) => l.metric));
  const noSamples = (name: string, m: MetricSummary) => latencyNames.has(name) && m.type === 'trend' && Object.values(m.values).every((v) => v === 0);
  const rows: DiffRow[] = [];
  const names = [...new Set([...Object.keys(baseline.metrics), ...Object.keys(current.metrics)])].sort();
  for (const name of names) {
    const a = baseline.metrics[name];
    const b = current.metrics[name];
    if (!b || noSamples(name, b)) {
      rows.push({ metric: name, stat: '', baseline: null, current: null, changePct: null, verdict: 'missing' });
      continue;
    }
    if (!a) {
      rows.push({ metric: name, stat: '', baseline: null, current: null, changePct: null, verdict: 'new' });
      continue;
    }
    for (const stat of statsOf(b, trendStats)) {
      const base = a.values[stat];
      const now = b.values[stat];
      if (base === undefined || now === undefined) {
        rows.push({ metric: name, stat, baseline: base ?? null, current: now ?? null, changePct: null, verdict: 'n/a' });
        continue;
      }
      const limit = gated.get(`${name}|${stat}`);
      let verdict: Verdict;
      if (limit) {
        const breached = limit.upperBound ? now > limit.limit : now < limit.limit;
        const better = limit.upperBound ? now < base : now > base;
        verdict = breached ? 'regression' : better && changePct(base, now) !== 0 ? 'improved' : 'ok';
      } else {
        verdict = base === now ? 'same' : 'changed';
      }
      rows.push({
        metric: name,
        stat,
        baseline: base,
        current: now,
        changePct: changePct(base, now),
        verdict,
        limit: limit?.limit,
        ...(limit?.band ? { band: limit.band } : {}),
        time: b.contains === 'time' && stat !== 'rate',
      });
    }
  }
  for (const limit of limits) {
    const m = current.metrics[limit.metric];
    if ((!m || noSamples(limit.metric, m)) && limit.kind !== 'errors') {
      notes.push(`gate metric ${limit.metric} ${m ? 'has no samples in' : 'is missing from'} this run: it cannot be judged`);
    }
  }
  // a gate metric missing from the run cannot be judged: never a silent pass
  const gatedNames = new Set(limits.filter((l) => l.kind !== 'errors').map((l) => l.metric));
  const regressions = rows.filter((r) => r.verdict === 'regression');
  const unjudged = rows.filter((r) => r.verdict === 'missing' && gatedNames.has(r.metric));
  // a gated statistic the summary left out (k6's --summary-trend-stats without p(95)) cannot be judged either
  for (const l of limits) {
    const m = current.metrics[l.metric];
    if (l.kind !== 'errors' && m && !noSamples(l.metric, m) && m.values[l.stat] === undefined) {
      const row: DiffRow = { metric: l.metric, stat: l.stat, baseline: l.baseline, current: null, changePct: null, verdict: 'missing', limit: l.limit };
      rows.push(row);
      unjudged.push(row);
      notes.push(`gate statistic ${l.metric} ${l.stat} is not in this run's summary (summaryTrendStats): it cannot be judged`);
    }
  }
  return {
    baselineRun: String(baseline.meta?.run ?? 'baseline'),
    currentRun: String(current.meta?.run ?? 'current'),
    rows,
    notes,
    regressions,
    unjudged,
    passed: regressions.length === 0 && unjudged.length === 0,
  };
}

const statNames = (rows: DiffRow[]) => rows.map((r) => `${r.metric} ${r.stat}`.trim()).join(', ');

/** One line: `no regression`, `REGRESSION in …`, `INCONCLUSIVE: …` or `CANNOT BE JUDGED: …`. */
export function diffHeadline(diff: Diff): string {
  const j = diff.judgement;
  if (j?.verdict === 'inconclusive') return `INCONCLUSIVE: ${j.reasons.join('; ')}`;
  if (j?.verdict === 'cannot-judge' || diff.unjudged.length > 0) return `CANNOT BE JUDGED: ${j?.reasons.join('; ') || `${statNames(diff.unjudged)} missing`}`;
  return diff.regressions.length > 0 ? `REGRESSION in ${statNames(diff.regressions)}` : 'no regression';
}

const fmt = (n: number | null, unitMs = false) => (n === null ? '—' : unitMs ? formatMs(n) : formatNumber(n));

/** ` from the band of 5 runs: median 10.00 ms, MAD 0.20 ms, 3σ` for a limit the noise band set. */
const bandNote = (r: DiffRow) =>
  r.band ? ` from the band of ${r.band.runs} runs: median ${fmt(r.band.median, r.time)}, MAD ${fmt(r.band.mad, r.time)}, ${r.band.sigmas}σ` : '';

/** Markdown table of the diff (ready for a CI job summary). */
export function renderDiffMarkdown(diff: Diff, title: string): string {
  const lines = [
    `### ${title}: ${diffHeadline(diff)}`,
    '',
    `Run \`${diff.currentRun}\` against baseline \`${diff.baselineRun}\`. Change % = (current − baseline) / baseline × 100.`,
    '',
  ];
  for (const note of diff.notes) lines.push(`> ${note}`);
  if (diff.notes.length) lines.push('');
  const header = ['| metric | stat | baseline | current | change | limit | verdict |', '|---|---|---|---|---|---|---|'];
  const row = (r: DiffRow) => {
    const change = r.changePct === null ? (r.baseline === 0 ? 'n/a (baseline 0)' : '—') : formatChangePct(r.changePct);
    const verdict = r.verdict === 'regression' ? '**REGRESSION**' : r.verdict;
    return `| ${r.metric} | ${r.stat} | ${fmt(r.baseline, r.time)} | ${fmt(r.current, r.time)} | ${change} | ${r.limit === undefined ? '' : `${fmt(r.limit, r.time)}${bandNote(r)}`} | ${verdict} |`;
  };
  // the gate's rows (and anything missing or new) first; every other metric folded away below
  const notable = diff.rows.filter((r) => r.limit !== undefined || r.verdict === 'missing' || r.verdict === 'new');
  lines.push(...header, ...notable.map(row), '', '<details><summary>all metrics</summary>', '', ...header, ...diff.rows.map(row), '', '</details>');
  return `${lines.join('\n')}\n`;
}

/** Short text for the terminal: the gate rows and anything notable. */
export function renderDiffText(diff: Diff): string {
  const lines = [`  BASELINE DIFF (run "${diff.currentRun}" vs "${diff.baselineRun}"): ${diffHeadline(diff)}`];
  for (const note of diff.notes) lines.push(`  ! ${note}`);
  for (const r of diff.rows.filter((row) => row.limit !== undefined || row.verdict === 'missing' || row.verdict === 'new')) {
    const change = r.changePct === null ? (r.baseline === 0 ? 'n/a (baseline 0)' : '') : formatChangePct(r.changePct);
    const limit = r.limit === undefined ? '' : ` (limit ${fmt(r.limit, r.time)}${bandNote(r)})`;
    const mark = r.verdict === 'regression' ? '✗' : r.verdict === 'missing' || r.verdict === 'new' ? '!' : '✓';
    lines.push(
      `  ${mark} ${r.metric} ${r.stat}: ${fmt(r.baseline, r.time)} → ${fmt(r.current, r.time)} ${change}${limit} ${r.verdict}`
        .replace(/(?<=\S) {2,}/g, ' ')
        .trimEnd(),
    );
  }
  return `${lines.join('\n')}\n`;
}
