// Staircase capacity runs (LOAD_PROFILE=staircase): the levels from the STAIR_* settings, the names
// and per-level copies of a script's thresholds, and — from k6's end-of-test summary — the per-level
// table and the capacity, the highest level that met its thresholds. Pure TypeScript: the k6 side
// (profiles, options, summary hook) and the Node tooling share it.
//
// Each level is held as its own constant-arrival-rate k6 scenario (one per exec function) tagged
// `stair:<rate>`, so every sample a VU makes there is attributable to its level. k6 does not put a
// scenario's own tags on `dropped_iterations` (only `scenario`), so a level's drops are selected by
// its scenario names (`stair<rate>_<exec>`).
import type { GateMetrics } from './family';
import { formatMs, formatNumber, formatPct, parseDurationMs } from './format';
import { changePct, type DiffRow } from './gate';
import type { MetricSummary } from './result';

/** The tag every sample of a level carries: `stair:<the level's rate>`. */
export const STAIR_TAG = 'stair';
/** The most levels one run may have. */
export const STAIR_MAX_LEVELS = 50;
/** The highest rate (iterations/s) a level may ask for. */
export const STAIR_MAX_RATE = 100_000;
/** The name of the load profile. */
export const STAIRCASE = 'staircase';

/**
 * The STAIR_* settings: levels in iterations/s (arrival rates, the default) or, with LOAD_MODEL=vus, in
 * VUs (each level a constant-vus scenario: for scripts whose load is concurrency, such as
 * SpacetimeDB's pipeline); durations as k6 duration strings.
 */
export interface StairSettings {
  start: number;
  step: number;
  target: number;
  /** What a level holds: an arrival rate (undefined, as in results written before VU levels) or a number of VUs. */
  model?: 'vus';
  /** How long each level is held (k6 duration). */
  hold: string;
  /** The pause between two levels (k6 duration; `0s` for none). */
  idle: string;
  /** STAIR_ABORT: stop the test once a level failed its thresholds. */
  abortOnFail: boolean;
}

/** One held level. */
export interface StairLevel {
  /** 1-based position. */
  index: number;
  /** iterations/s, or VUs (model 'vus'). */
  rate: number;
  /** ms from the start of the executors. */
  startMs: number;
  holdMs: number;
}

/** How many levels START, START+STEP, ... up to and including TARGET make. */
export function stairLevelCount(start: number, step: number, target: number): number {
  return Math.ceil((target - start) / step) + 1;
}

/** The level rates: START, START+STEP, ... while below TARGET, then TARGET itself (the last step may be shorter). */
export function stairRates(start: number, step: number, target: number): number[] {
  const rates: number[] = [];
  for (let rate = start; rate < target; rate += step) rates.push(rate);
  rates.push(target);
  return rates;
}

const ms = (d: string) => parseDurationMs(d) ?? 0;

/** The levels with their timing: level i starts after i − 1 holds and idles. */
export function stairLevels(s: StairSettings): StairLevel[] {
  const holdMs = ms(s.hold);
  const idleMs = ms(s.idle);
  return stairRates(s.start, s.step, s.target).map((rate, i) => ({ index: i + 1, rate, startMs: i * (holdMs + idleMs), holdMs }));
}

/**
 * The problems of the STAIR_* values that are valid one by one (each a line naming the variables and
 * the fix): START above TARGET, too many levels.
 */
export function stairProblems(s: Pick<StairSettings, 'start' | 'step' | 'target'>): string[] {
  if (s.start > s.target) {
    return [`STAIR_START=${s.start} is above STAIR_TARGET=${s.target}: the staircase climbs from STAIR_START up to STAIR_TARGET`];
  }
  const count = stairLevelCount(s.start, s.step, s.target);
  if (count > STAIR_MAX_LEVELS) {
    return [
      `STAIR_START=${s.start}, STAIR_STEP=${s.step} and STAIR_TARGET=${s.target} make ${count} levels, at most ${STAIR_MAX_LEVELS} are allowed: raise STAIR_STEP to at least ${Math.ceil((s.target - s.start) / (STAIR_MAX_LEVELS - 1))}`,
    ];
  }
  return [];
}

/** What a level's number counts: `iterations/s` or `VUs`. */
export function stairUnit(s: Pick<StairSettings, 'model'>): string {
  return s.model === 'vus' ? 'VUs' : 'iterations/s';
}

/**
 * The profile name a staircase run is recorded (and compared) under: its levels and timing, so only
 * staircase runs of the same levels share a comparable key, e.g. `staircase(10..90 step 20, hold 30s, idle 0s)`.
 */
export function stairProfileName(s: StairSettings): string {
  return `${STAIRCASE}(${s.start}..${s.target} step ${s.step}${s.model === 'vus' ? ' VUs' : ''}, hold ${s.hold}, idle ${s.idle})`;
}

/** Whether a result's profile (meta.profile) is a staircase run. */
export function isStairProfile(profile: unknown): boolean {
  return typeof profile === 'string' && profile.startsWith(`${STAIRCASE}(`);
}

/** The k6 scenario of one exec function at one level: `stair<rate>_<exec>`. */
export function stairScenarioName(level: Pick<StairLevel, 'rate'>, exec: string): string {
  return `stair${level.rate}_${exec}`;
}

const SCENARIO_OF_LEVEL = /^stair(\d+)_/;

/** `metric{a:b,c:d}` → its metric and tags. */
export function parseMetricKey(key: string): { metric: string; tags: Record<string, string> } {
  const match = /^([^{]+)(?:\{(.*)\})?$/.exec(key.trim());
  const tags: Record<string, string> = {};
  for (const pair of (match?.[2] ?? '').split(',')) {
    const at = pair.indexOf(':');
    if (at > 0) tags[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return { metric: (match?.[1] ?? key).trim(), tags };
}

const metricKey = (metric: string, tags: Record<string, string>) => {
  const pairs = Object.entries(tags).map(([k, v]) => `${k}:${v}`);
  return pairs.length === 0 ? metric : `${metric}{${pairs.join(',')}}`;
};

/** A threshold key restricted to one level: `http_req_duration{name:x}` → `http_req_duration{name:x,stair:30}`. */
export function levelKey(key: string, level: Pick<StairLevel, 'rate'>): string {
  const { metric, tags } = parseMetricKey(key);
  return metricKey(metric, { ...tags, [STAIR_TAG]: String(level.rate) });
}

/** The level a summary metric (a submetric the per-level thresholds made) belongs to, by rate; undefined for the others. */
export function levelOfMetric(key: string): number | undefined {
  const { tags } = parseMetricKey(key);
  const rate = tags[STAIR_TAG] ?? SCENARIO_OF_LEVEL.exec(tags.scenario ?? '')?.[1];
  return rate === undefined || !/^\d+$/.test(rate) ? undefined : Number(rate);
}

/** A k6 threshold: an expression, or (STAIR_ABORT) one that stops the test once it fails after `delayAbortEval`. */
export type StairThreshold = string | { threshold: string; abortOnFail: boolean; delayAbortEval: string };

/** Always true: they only make k6 put the level's gate latency, failures and throughput into the summary. */
const INFORMATIONAL = { trend: 'max>=0', rate: 'rate>=0', counter: 'count>=0' };

/**
 * The per-level thresholds of a staircase run, for k6's `options.thresholds`. For every level: each of
 * the script's thresholds on the level's submetric (`metric{…,stair:<rate>}`), `iterations count>0`
 * and, for arrival-rate levels, `dropped_iterations count==0` on each of its scenarios (the level held
 * its rate); the gate latency and errors metrics (and, for VU levels, its throughput) get an
 * always-true threshold when the script has none on them, so the summary carries their per-level values. With `abortOnFail` the judging ones stop the test when they
 * fail, evaluated from the end of the level's hold (k6 counts delayAbortEval from the test start,
 * setup included).
 * @param execs the exec functions of the run (their scenarios are `stair<rate>_<exec>`).
 * @param own the script's thresholds (metric key → expressions).
 */
export function stairThresholds(
  levels: StairLevel[],
  execs: string[],
  own: Record<string, string[]>,
  gate: GateMetrics,
  abortOnFail: boolean,
  model?: StairSettings['model'],
): Record<string, StairThreshold[]> {
  const out: Record<string, StairThreshold[]> = {};
  for (const level of levels) {
    const judged: Record<string, string[]> = {};
    const add = (key: string, exprs: string[]) => {
      judged[key] = [...new Set([...(judged[key] ?? []), ...exprs])];
    };
    for (const [key, exprs] of Object.entries(own)) add(levelKey(key, level), exprs);
    add(levelKey('iterations', level), ['count>0']);
    // a constant-vus level never drops iterations
    if (model !== 'vus') for (const exec of execs) add(`dropped_iterations{scenario:${stairScenarioName(level, exec)}}`, ['count==0']);
    const delay = `${level.startMs + level.holdMs}ms`;
    for (const [key, exprs] of Object.entries(judged)) {
      out[key] = exprs.map((threshold) => (abortOnFail ? { threshold, abortOnFail: true, delayAbortEval: delay } : threshold));
    }
    const latency = levelKey(gate.latency, level);
    const errors = levelKey(gate.errors, level);
    out[latency] ??= [INFORMATIONAL.trend];
    out[errors] ??= [INFORMATIONAL.rate];
    if (model === 'vus') out[levelKey(gate.throughput, level)] ??= [INFORMATIONAL.counter];
  }
  return out;
}

/** How a level ended: it met its thresholds, failed one, was cut short (Ctrl-C, STAIR_ABORT), or never started. */
export type StairStatus = 'met' | 'failed' | 'stopped' | 'not run';

/** One row of the staircase table. Latencies in ms; rates in iterations/s; null where the summary has no value. */
export interface StairRow {
  level: number;
  /** The rate asked for. */
  rate: number;
  /** Iterations the level completed ÷ its hold in seconds. */
  achievedRate: number;
  iterations: number;
  /** VU levels: the gate throughput metric's count over the level ÷ its hold in seconds (e.g. transactions/s). */
  throughput?: number;
  /** p50/p90/p99 of the gate latency metric over the level (null without samples or stat). */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  /** The gate errors rate over the level (share 0–1; null without samples) and its failed count. */
  errorRate: number | null;
  errors: number;
  dropped: number;
  status: StairStatus;
  /** The level's thresholds that failed, as `metric{other tags} expression`. */
  failed: string[];
}

/** What a staircase run found (the result's `meta.staircase`). */
export interface StairResult extends StairSettings {
  /** The gate metrics the table reads. */
  latencyMetric: string;
  errorsMetric: string;
  /** VU levels: the gate throughput metric (the table's throughput column). */
  throughputMetric?: string;
  levels: StairRow[];
  /**
   * The highest level that met its thresholds (all passed, nothing dropped, some iterations), with its
   * throughput for VU levels; null when none did.
   */
  capacity: { rate: number; level: number; levels: number; throughput?: number } | null;
  /** STAIR_ABORT stopped the run after this level failed (its index). */
  abortedAfter?: number;
}

const statOf = (m: MetricSummary | undefined, stat: string): number | null => {
  if (!m || Object.values(m.values).every((v) => v === 0)) return null; // a trend of zeros had no samples
  return m.values[stat] ?? null;
};

/**
 * The staircase table from k6's summary metrics (the submetrics the per-level thresholds made).
 * @param durationMs k6's state.testRunDurationMs (setup included): a level not held to its end is
 *   `stopped` (or `not run` without any iteration) and never the capacity.
 */
export function stairTable(
  settings: StairSettings,
  execs: string[],
  metrics: Record<string, MetricSummary | undefined>,
  gate: GateMetrics,
  durationMs?: number,
): StairResult {
  const levels = stairLevels(settings);
  const rows: StairRow[] = levels.map((level) => {
    const scenarios = new Set(execs.map((exec) => stairScenarioName(level, exec)));
    const own = Object.entries(metrics).filter(([key]) => {
      const { metric, tags } = parseMetricKey(key);
      return tags[STAIR_TAG] === String(level.rate) || (metric === 'dropped_iterations' && scenarios.has(tags.scenario ?? ''));
    });
    const failed = own.flatMap(([key, m]) =>
      Object.entries(m?.thresholds ?? {})
        .filter(([, t]) => !t.ok)
        .map(([expr]) => {
          const { metric, tags } = parseMetricKey(key);
          const rest = Object.fromEntries(Object.entries(tags).filter(([tag]) => tag !== STAIR_TAG));
          return `${metric === 'dropped_iterations' ? metric : metricKey(metric, rest)} ${expr}`;
        }),
    );
    const iterations = metrics[levelKey('iterations', level)]?.values.count ?? 0;
    const dropped = own.filter(([key]) => parseMetricKey(key).metric === 'dropped_iterations').reduce((sum, [, m]) => sum + (m?.values.count ?? 0), 0);
    const throughputCount = metrics[levelKey(gate.throughput, level)]?.values.count ?? 0;
    const latency = metrics[levelKey(gate.latency, level)];
    const errors = metrics[levelKey(gate.errors, level)];
    const errorSamples = (errors?.values.passes ?? 0) + (errors?.values.fails ?? 0);
    const held = durationMs === undefined || durationMs >= level.startMs + level.holdMs;
    const uniqueFailed = [...new Set(failed)].sort();
    // a level cut short before its first iteration ended still made calls (their latencies): stopped
    const started = iterations + dropped > 0 || statOf(latency, 'med') !== null;
    const status: StairStatus = !held ? (!started ? 'not run' : 'stopped') : uniqueFailed.length === 0 && dropped === 0 && iterations > 0 ? 'met' : 'failed';
    const perSecond = (count: number) => (level.holdMs > 0 ? Math.round((count / (level.holdMs / 1000)) * 100) / 100 : 0);
    return {
      level: level.index,
      rate: level.rate,
      achievedRate: perSecond(iterations),
      iterations,
      ...(settings.model === 'vus' ? { throughput: perSecond(throughputCount) } : {}),
      p50: statOf(latency, 'med'),
      p90: statOf(latency, 'p(90)'),
      p99: statOf(latency, 'p(99)'),
      errorRate: errorSamples > 0 ? (errors?.values.rate ?? null) : null,
      errors: errors?.values.passes ?? 0,
      dropped,
      status,
      failed: uniqueFailed,
    };
  });
  const best = [...rows].reverse().find((r) => r.status === 'met');
  const cutShort = rows.some((r) => r.status === 'stopped' || r.status === 'not run');
  const firstFailed = rows.find((r) => r.status === 'failed');
  return {
    start: settings.start,
    step: settings.step,
    target: settings.target,
    hold: settings.hold,
    idle: settings.idle,
    abortOnFail: settings.abortOnFail,
    ...(settings.model === 'vus' ? { model: settings.model, throughputMetric: gate.throughput } : {}),
    latencyMetric: gate.latency,
    errorsMetric: gate.errors,
    levels: rows,
    capacity: best
      ? { rate: best.rate, level: best.level, levels: rows.length, ...(best.throughput !== undefined ? { throughput: best.throughput } : {}) }
      : null,
    ...(settings.abortOnFail && cutShort && firstFailed ? { abortedAfter: firstFailed.level } : {}),
  };
}

/** Why a staircase run ended before its last level as planned (STAIR_ABORT after a failed level); undefined otherwise. */
export function stairPlannedStop(result: StairResult): string | undefined {
  if (result.abortedAfter === undefined) return undefined;
  const row = result.levels[result.abortedAfter - 1];
  return `STAIR_ABORT stopped the run after level ${row.level} (${row.rate} ${stairUnit(result)}) failed its thresholds`;
}

/**
 * `capacity: 30 iterations/s (level 2 of 5)`, for VU levels `capacity: 8 VUs, 11234.5 transactions_total/s
 * (level 4 of 5)`, or that no level met the thresholds.
 */
export function capacityLine(result: Pick<StairResult, 'capacity' | 'model' | 'throughputMetric'>): string {
  const c = result.capacity;
  if (!c) return 'capacity: no level met the thresholds';
  const throughput = c.throughput !== undefined ? `, ${formatNumber(c.throughput)} ${result.throughputMetric}/s` : '';
  const unit = c.rate === 1 && result.model === 'vus' ? 'VU' : stairUnit(result);
  return `capacity: ${c.rate} ${unit}${throughput} (level ${c.level} of ${c.levels})`;
}

const pad = (cells: string[], widths: number[]) =>
  cells
    .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
    .join('  ')
    .trimEnd();
const msOrDash = (n: number | null) => (n === null ? '—' : formatMs(n));

/** The staircase table as text lines (the summary's STAIRCASE block), ending with the capacity line. */
export function renderStairTable(result: StairResult): string[] {
  const vus = result.model === 'vus';
  // VU levels: the VUs, the iterations and the gate throughput per second; no drops (constant-vus has none)
  const header = vus
    ? ['level', 'VUs', 'iterations/s', `${result.throughputMetric}/s`, 'p50', 'p90', 'p99', 'failures', 'result']
    : ['level', 'target/s', 'achieved/s', 'p50', 'p90', 'p99', 'failures', 'dropped', 'result'];
  const ran = (r: StairRow, n: number | undefined) => (r.status === 'not run' ? '—' : formatNumber(n ?? 0));
  const body = result.levels.map((r) => [
    String(r.level),
    String(r.rate),
    ran(r, r.achievedRate),
    ...(vus ? [ran(r, r.throughput)] : []),
    msOrDash(r.p50),
    msOrDash(r.p90),
    msOrDash(r.p99),
    r.errorRate === null ? '—' : `${formatPct(r.errorRate)} (${r.errors})`,
    ...(vus ? [] : [String(r.dropped)]),
    r.status === 'met' ? '✓ met' : r.status === 'failed' ? `✗ ${r.failed.join(', ') || 'nothing met'}` : r.status,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const idle = ms(result.idle) > 0 ? `, ${result.idle} idle between levels` : '';
  return [
    `STAIRCASE: ${result.levels.length} levels of ${result.hold}${idle}; latency ${result.latencyMetric}, failures ${result.errorsMetric}`,
    pad(header, widths),
    ...body.map((row) => pad(row, widths)),
    capacityLine(result),
  ];
}

/**
 * The capacity compared with the baseline's (both staircase runs of the same levels): a diff row,
 * `regression` when it is lower (no capacity counts as 0), `improved` when higher; for VU levels a
 * second row compares the capacity's throughput, a regression below `throughputRatio` × the
 * baseline's (the gate's throughput tolerance): the same VUs meeting the objective at a much lower
 * throughput is a slower server.
 */
export function capacityDiffRows(
  baseline: Pick<StairResult, 'capacity'>,
  current: Pick<StairResult, 'capacity' | 'model' | 'throughputMetric'>,
  throughputRatio: number,
): DiffRow[] {
  const base = baseline.capacity?.rate ?? null;
  const now = current.capacity?.rate ?? null;
  const verdict = (now ?? 0) < (base ?? 0) ? 'regression' : (now ?? 0) > (base ?? 0) ? 'improved' : 'ok';
  const rows: DiffRow[] = [
    {
      metric: 'staircase capacity',
      stat: stairUnit(current),
      baseline: base,
      current: now,
      changePct: base !== null && now !== null ? changePct(base, now) : null,
      verdict,
      limit: base ?? 0,
    },
  ];
  const baseThroughput = baseline.capacity?.throughput;
  if (current.model === 'vus' && baseThroughput !== undefined) {
    const nowThroughput = current.capacity?.throughput ?? 0;
    const limit = baseThroughput * throughputRatio;
    rows.push({
      metric: 'staircase capacity',
      stat: `${current.throughputMetric}/s`,
      baseline: baseThroughput,
      current: nowThroughput,
      changePct: changePct(baseThroughput, nowThroughput),
      verdict: nowThroughput < limit ? 'regression' : nowThroughput > baseThroughput / throughputRatio ? 'improved' : 'ok',
      limit,
    });
  }
  return rows;
}

/** A result's `meta.staircase`, when it is one (a staircase run's result). */
export function stairResultOf(meta: Record<string, unknown> | undefined): StairResult | undefined {
  const s = meta?.staircase;
  return typeof s === 'object' && s !== null && Array.isArray((s as StairResult).levels) ? (s as StairResult) : undefined;
}
