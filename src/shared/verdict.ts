// Whether a run measured what was planned, and the verdict it gets. Pure functions shared by the k6
// summary hook (which writes the verdict into the result) and the Node tooling (CLI, history, reports).
//
// A run is judged only if it carried out its plan: it ran as long as planned, an arrival-rate run
// offered every iteration it was asked to (no dropped iterations, the requested rate held), and the
// load generator was neither CPU-bound nor starved (k6/x/loadgen). Otherwise it is `inconclusive`:
// never `regression`, never a baseline. A gated statistic that is absent cannot be judged.
import { formatMs, formatNumber, parseDurationMs } from './format';
import { failedThresholds, hasSamples, type MetricSummary } from './result';
import { STAIR_TAG, levelOfMetric } from './staircase';

/** The verdict of a run: `pass` and `regression` only for runs that carried out their plan. */
export type RunVerdict = 'pass' | 'regression' | 'inconclusive' | 'cannot-judge';

/** What a k6 scenario asked for (the fields of k6's scenario options this reads). */
export interface ScenarioPlan {
  executor: string;
  rate?: number;
  startRate?: number;
  timeUnit?: string;
  duration?: string;
  startTime?: string;
  stages?: Array<{ duration: string; target: number }>;
  /** A staircase level's scenario carries `stair:<rate>` (src/shared/staircase.ts). */
  tags?: Record<string, string>;
}

/** The plan of a run, from its scenarios: how long it should take and, under arrival-rate executors, how many iterations it should start. */
export interface PlanFacts {
  /** ms from the start to the end of the last scenario's schedule (graceful stops not included). */
  plannedDurationMs: number;
  /** Iterations an arrival-rate run should start (sum over its arrival-rate scenarios); undefined without one. */
  expectedIterations?: number;
  /** Mean requested rate (iterations/s) over the arrival-rate schedule; undefined without one. */
  requestedRate?: number;
  /** A staircase run's number of levels: its rate is a finding above capacity, not a plan to hold. */
  staircaseLevels?: number;
}

const ms = (d: string | undefined) => (d ? (parseDurationMs(d) ?? 0) : 0);

/** The plan facts of a set of k6 scenarios. */
export function planFacts(scenarios: Record<string, ScenarioPlan>): PlanFacts {
  let plannedDurationMs = 0;
  let expected = 0;
  // the arrival-rate schedule spans from its first scenario's start to its last one's end
  let arrivalFrom = Infinity;
  let arrivalTo = 0;
  const stairs = new Set<string>();
  for (const s of Object.values(scenarios)) {
    const unitMs = ms(s.timeUnit) || 1000;
    const stagesMs = (s.stages ?? []).reduce((sum, st) => sum + ms(st.duration), 0);
    const length = s.stages ? stagesMs : ms(s.duration);
    const start = ms(s.startTime);
    plannedDurationMs = Math.max(plannedDurationMs, start + length);
    if (s.tags?.[STAIR_TAG] !== undefined) stairs.add(s.tags[STAIR_TAG]);
    if (s.executor === 'constant-arrival-rate') {
      expected += ((s.rate ?? 0) * length) / unitMs;
    } else if (s.executor === 'ramping-arrival-rate') {
      let from = s.startRate ?? 0;
      for (const st of s.stages ?? []) {
        expected += (((from + st.target) / 2) * ms(st.duration)) / unitMs; // k6 ramps linearly
        from = st.target;
      }
    } else {
      continue;
    }
    arrivalFrom = Math.min(arrivalFrom, start);
    arrivalTo = Math.max(arrivalTo, start + length);
  }
  const staircase = stairs.size > 0 ? { staircaseLevels: stairs.size } : {};
  if (arrivalFrom === Infinity) return { plannedDurationMs, ...staircase }; // no arrival-rate scenario (VU levels among them)
  const expectedIterations = Math.round(expected);
  const arrivalMs = arrivalTo - arrivalFrom;
  return {
    plannedDurationMs,
    expectedIterations,
    requestedRate: arrivalMs > 0 ? expectedIterations / (arrivalMs / 1000) : undefined,
    ...staircase,
  };
}

/** Limits of a healthy load generator (k6/x/loadgen's metrics). */
export const GENERATOR_LIMITS = {
  /** Mean share of its usable cores the k6 process may use: above it, k6 is CPU-bound. */
  cpuRatio: 0.85,
  /**
   * Median of the per-second worst lateness of a 10 ms timer, against a baseline: the generator was
   * starved when its timers were late by more than `lagFactor` × the baseline's (at least
   * `lagFloorMs`); without a baseline, by more than `lagAloneMs`. Measured on this kind of 2-core
   * machine: 1.5–2.3 ms quiet, 8–10.7 ms with three busy processes per core competing, and a few ms
   * when k6 and a local target share the cores as they did for the baseline too (README, gate). A
   * 7 ms floor let CPU-hog runs through as regressions (noise e2e test); unchanged runs beside busy
   * test processes read 5.2–8.2 ms, so callers that must not flake rerun (--confirm).
   */
  lagFactor: 2,
  lagFloorMs: 5,
  lagAloneMs: 10,
};

/** The timer-lag limit for a run: relative to the baseline's generator when it was measured. */
export function lagLimitMs(baseline: Record<string, MetricSummary | undefined> | undefined): number {
  const base = baseline?.loadgen_lag_ms?.values.med;
  return base === undefined ? GENERATOR_LIMITS.lagAloneMs : Math.max(GENERATOR_LIMITS.lagFloorMs, GENERATOR_LIMITS.lagFactor * base);
}

/** What the summary says about the run's execution (k6's own metrics and the generator's). */
export interface ExecutionFacts {
  /** k6's state.testRunDurationMs. */
  durationMs?: number;
  metrics: Record<string, MetricSummary | undefined>;
  /** Whether the scenarios ran as the profile planned them (false: k6 flags such as --vus replaced them). */
  profileKept: boolean;
  /** Why the run ended early as planned (STAIR_ABORT after a level failed its thresholds): not an interruption. */
  plannedStop?: string;
}

/** How the shortfall of a run stopped early starts. */
export const INTERRUPTED = 'interrupted';

/** How a rate-not-held shortfall starts. */
export const RATE_NOT_HELD = 'the rate was not held';

/** Why a run did not carry out its plan (empty: it did), each reason one line with the figures. */
export function planShortfalls(plan: PlanFacts, run: ExecutionFacts): string[] {
  const reasons: string[] = [];
  const iterations = run.metrics.iterations?.values.count ?? 0;
  if (iterations === 0) return reasons; // nothing ran (see unjudgedRun)
  // a run stopped early (Ctrl-C, a timeout, test.abort()) is shorter than its schedule (with k6's own
  // flags, the schedule of k6's consolidated scenarios)
  if (run.durationMs !== undefined && run.durationMs + 1000 < plan.plannedDurationMs && !run.plannedStop) {
    // an interrupted run fell short of every count: that is the one reason to give
    return [`${INTERRUPTED}: ran ${formatMs(run.durationMs)} of the ${formatMs(plan.plannedDurationMs)} planned`];
  }
  if (!run.profileKept) return reasons; // k6's own flags planned the run: no rate of the profile to hold it to
  // a staircase climbs until the target cannot keep up: the levels above its capacity dropping
  // iterations are its finding, judged level by level (src/shared/staircase.ts), not a plan not held
  if (plan.staircaseLevels !== undefined) return reasons;
  const dropped = run.metrics.dropped_iterations?.values.count ?? 0;
  if (plan.expectedIterations !== undefined && (dropped > 0 || iterations < plan.expectedIterations * 0.99)) {
    const achieved = plan.requestedRate !== undefined ? (plan.requestedRate * iterations) / plan.expectedIterations : undefined;
    const rate =
      plan.requestedRate !== undefined && achieved !== undefined
        ? `requested ${formatNumber(round(plan.requestedRate))}/s, achieved ${formatNumber(round(achieved))}/s, `
        : '';
    reasons.push(`${RATE_NOT_HELD}: ${rate}${iterations} of ${plan.expectedIterations} iterations, ${dropped} dropped`);
  }
  return reasons;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Why the load generator's measurements cannot be trusted (empty: healthy, or not measured — see
 * generatorMeasured). `baseline`: the baseline's metrics, whose generator lag sets the limit.
 */
export function generatorProblems(metrics: Record<string, MetricSummary | undefined>, baseline?: Record<string, MetricSummary | undefined>): string[] {
  const problems: string[] = [];
  const cpu = metrics.loadgen_cpu_ratio?.values;
  const lag = metrics.loadgen_lag_ms?.values;
  if (cpu?.avg !== undefined && cpu.avg > GENERATOR_LIMITS.cpuRatio) {
    problems.push(
      `the load generator was CPU-bound: k6 used ${(cpu.avg * 100).toFixed(0)}% of its cores on average (limit ${GENERATOR_LIMITS.cpuRatio * 100}%); run fewer VUs per k6 instance, or more instances`,
    );
  }
  const limit = lagLimitMs(baseline);
  if (lag?.med !== undefined && lag.med > limit) {
    problems.push(
      `the load generator was starved: its timers fired ${formatMs(lag.med)} late (median of the worst per second; limit ${formatMs(limit)}${baseline?.loadgen_lag_ms ? ', twice the baseline run' : ''}); other processes took its CPU, so run it on a quieter machine`,
    );
  }
  return problems;
}

/** Whether the run carries the generator-health metrics at all (a trend with samples). */
export function generatorMeasured(metrics: Record<string, MetricSummary | undefined>): boolean {
  const cpu = metrics.loadgen_cpu_ratio?.values;
  return cpu !== undefined && Object.values(cpu).some((v) => v !== 0);
}

/** Why a run cannot be judged at all, before any baseline: it completed no iteration. */
export function unjudgedRun(metrics: Record<string, MetricSummary | undefined>): string[] {
  return (metrics.iterations?.values.count ?? 0) === 0 ? ['no iteration completed (setup failed, or the run was stopped before the first one)'] : [];
}

export interface Judgement {
  verdict: RunVerdict;
  /** Why the verdict is not `pass` (the plan's shortfalls, the generator's problems, what could not be judged, the regressions). */
  reasons: string[];
  /** Whether the run may become a baseline or enter the noise band: it carried out its plan on a healthy generator. */
  accepted: boolean;
}

/**
 * The verdict table. `regressions` are the gate's (empty without a baseline), `unjudged` the gated
 * statistics that could not be judged (absent, no samples), `broken` the script's own end-of-test
 * checks that failed (a reconciliation mismatch).
 */
export function judge(input: {
  shortfalls: string[];
  generator: string[];
  unjudged: string[];
  regressions: string[];
  broken?: string[];
  /** The script's own thresholds that failed (not the gate's, not dropped_iterations): its pass criteria. */
  failedThresholds?: string[];
}): Judgement {
  const { shortfalls, generator, unjudged, regressions } = input;
  const failedThresholds = input.failedThresholds ?? [];
  // the target broke a promise the run checks itself (payments lost): a failure whatever else happened, never a baseline
  const broken = input.broken ?? [];
  if (broken.length > 0) return { verdict: 'regression', reasons: [...broken, ...regressions, ...shortfalls, ...generator], accepted: false };
  // a healthy generator that could not offer the rate because a slower target held every VU: the
  // regression is real, and the rate shortfall is its consequence (never a baseline all the same)
  const onlyRate = shortfalls.length > 0 && shortfalls.every((r) => r.startsWith(RATE_NOT_HELD));
  if (onlyRate && generator.length === 0 && unjudged.length === 0 && regressions.length > 0) {
    return { verdict: 'regression', reasons: [...regressions, ...shortfalls], accepted: false };
  }
  const notCarriedOut = [...shortfalls, ...generator];
  if (notCarriedOut.length > 0) return { verdict: 'inconclusive', reasons: notCarriedOut, accepted: false };
  // the run missed the script's own pass criteria (every create refused, say): failed, and never a baseline
  if (failedThresholds.length > 0) return { verdict: 'regression', reasons: [...failedThresholds, ...regressions], accepted: false };
  if (unjudged.length > 0) return { verdict: 'cannot-judge', reasons: unjudged, accepted: false };
  if (regressions.length > 0) return { verdict: 'regression', reasons: regressions, accepted: true };
  return { verdict: 'pass', reasons: [], accepted: true };
}

/** Thresholds k6 let pass over a metric without a single sample (a rate of 0 out of 0, a trend of nothing): they judged nothing. */
export function emptyJudgedMetrics(metrics: Record<string, MetricSummary | undefined>): string[] {
  return Object.entries(metrics)
    .filter(([, m]) => m?.thresholds && Object.keys(m.thresholds).length > 0 && (m.type === 'rate' || m.type === 'trend') && !hasSamples(m))
    .map(
      ([name, m]) =>
        `${name} has no samples, so its threshold${Object.keys(m?.thresholds ?? {}).length > 1 ? 's' : ''} ${Object.keys(m?.thresholds ?? {}).join(', ')} judged nothing`,
    );
}

/** The first distinct causes of each failure class (as a protocol extension reports them), with counts. */
export type FailureCauses = Record<string, { causes: Array<{ cause: string; count: number }>; other: number }>;

/** The failure causes as lines for the terminal and the Markdown diff; empty when nothing failed. */
export function failureLines(failures: FailureCauses | undefined): string[] {
  const lines: string[] = [];
  for (const [kind, { causes, other }] of Object.entries(failures ?? {})) {
    for (const { cause, count } of causes) lines.push(`${kind} × ${count}: ${cause}`);
    if (other > 0) lines.push(`${kind} × ${other}: (other causes)`);
  }
  return lines;
}

/**
 * The script's own thresholds that failed, as `threshold failed: <metric> <expression>`: not the gate's
 * limits (judged as regressions), not dropped_iterations (a rate not held: a shortfall), not a
 * staircase level's (its finding).
 */
export function ownFailedThresholds(
  metrics: Record<string, MetricSummary | undefined>,
  limits: ReadonlyArray<{ metric: string; threshold: string }>,
): string[] {
  const gate = new Set(limits.map((l) => `${l.metric} ${l.threshold}`));
  const notOwn = (name: string, expr: string) => name === 'dropped_iterations' || levelOfMetric(name) !== undefined || gate.has(`${name} ${expr}`);
  return failedThresholds(metrics, notOwn).map((t) => `threshold failed: ${t}`);
}
