// A distributed run's instances merged into ONE result file of the result contract
// (src/shared/result.ts), judged like a single run: counters and checks summed, rates recomputed from
// their passes and fails, trends from the merged HDR histograms of every instance's samples (never
// averages of percentiles), the script's thresholds evaluated again on the merged values, and the
// gate's limits (which each instance computed from the baseline with the run's GATE_* settings) applied
// to the merged result. Its verdict: every instance carried out its plan, and the merged run passed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GateMetrics } from '../../src/shared/family.ts';
import { DEFAULT_TOLERANCE, diffResults, gateLimits, type Diff, type Limit } from '../../src/shared/gate.ts';
import {
  CANDIDATE_RUN,
  outputsFileName,
  unfitForBaseline,
  type MetricSummary,
  type ResultCheck,
  type ResultFile,
  type ResultGroup,
  type RunOutputs,
} from '../../src/shared/result.ts';
import { emptyJudgedMetrics, judge, ownFailedThresholds, planShortfalls, unjudgedRun, type Judgement, type PlanFacts } from '../../src/shared/verdict.ts';
import { segmentCoverageProblems } from '../distributed/segments.ts';
import { isInstanceFolder, mergeTrends, readInstanceStreams, trendStat, type InstanceStream } from './merge.ts';

/** One instance of a distributed run: its folder and the result its summary hook wrote there. */
export interface InstanceRun {
  instance: string;
  dir: string;
  resultPath: string;
  result: ResultFile;
}

/**
 * The instances' results in `<dir>/<instance>/`, found through each one's `<run>_<script>.outputs.json`
 * (the summary hook's list of what it wrote). Throws naming the instance whose result is missing.
 */
export function readInstanceRuns(dir: string, run: string, script: string, instances: string[]): InstanceRun[] {
  return instances.map((instance) => {
    const folder = join(dir, instance);
    const listed = join(folder, outputsFileName(run, script));
    if (!existsSync(listed)) {
      throw new Error(`instance ${instance} wrote no result for run "${run}" of ${script} (${listed} is missing): see its log; the run cannot be merged`);
    }
    const outputs = JSON.parse(readFileSync(listed, 'utf8')) as RunOutputs;
    // the runners write into a volume mounted elsewhere: the result is the file of that name in the instance's folder
    const resultPath = join(folder, outputs.result.replace(/^.*\//, ''));
    if (!existsSync(resultPath)) {
      throw new Error(
        `instance ${instance} listed its result ${resultPath} but did not write it (stopped while writing?): see its log; the run cannot be merged`,
      );
    }
    let result: ResultFile;
    try {
      result = JSON.parse(readFileSync(resultPath, 'utf8')) as ResultFile;
    } catch (error) {
      throw new Error(`instance ${instance}'s result ${resultPath} is not JSON (${(error as Error).message}): see its log; the run cannot be merged`);
    }
    return { instance, dir: folder, resultPath, result };
  });
}

/** Why the instances are not the whole of ONE distributed run (one test id, execution segments covering the test once): empty when they are. */
export function runCoverageProblems(runs: InstanceRun[]): string[] {
  const ids = [...new Set(runs.map((r) => String(r.result.meta.testId ?? '')))];
  if (ids.length > 1) {
    const of = (id: string) => runs.filter((r) => String(r.result.meta.testId ?? '') === id).map((r) => r.instance);
    return [
      `the instances belong to ${ids.length} test runs (${ids.map((id) => `${id || 'no test id'}: ${of(id).join(', ')}`).join('; ')}): merge the instances of one run (one TEST_ID) only`,
    ];
  }
  const segments = runs.map((r): [string, string] => [r.instance, String((r.result.meta.segment as { segment?: string } | undefined)?.segment ?? '')]);
  return segmentCoverageProblems(segments);
}

/** The instance folders of a distributed run's folder (every sub-folder but an empty one), in natural order. */
export function instanceFolders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && isInstanceFolder(join(dir, e.name)))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

const OPS: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '===': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

/**
 * A k6 threshold expression (`p(95)<500`, `count==0`, `rate>0.99`, `value>=0.95`) evaluated on a
 * metric's values; undefined when the expression or its statistic is not one this reads.
 */
export function evaluateThreshold(expression: string, values: Record<string, number>): boolean | undefined {
  const m = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i.exec(expression);
  if (!m || values[m[1]] === undefined) return undefined;
  return OPS[m[2]](values[m[1]], Number(m[3]));
}

const SUMMED_GAUGES = new Set(['vus', 'vus_max']);

/** One metric of every instance merged (trends from the merged histograms `trends`); `seconds` is the wall clock. */
function mergeMetric(name: string, parts: MetricSummary[], trends: InstanceStream['trends'], seconds: number, stats: string[]): MetricSummary {
  const first = parts[0];
  const sum = (key: string) => parts.reduce((n, p) => n + (p.values[key] ?? 0), 0);
  let values: Record<string, number>;
  if (first.type === 'counter') {
    const count = sum('count');
    values = { count, rate: seconds > 0 ? count / seconds : 0 };
  } else if (first.type === 'rate') {
    const passes = sum('passes');
    const fails = sum('fails');
    values = { rate: passes + fails > 0 ? passes / (passes + fails) : 0, passes, fails };
  } else if (first.type === 'gauge') {
    const pick = (key: string, f: (...n: number[]) => number) => f(...parts.map((p) => p.values[key] ?? 0));
    // concurrent VUs add up across instances; any other gauge (cores, a target's memory) is the largest seen
    values = SUMMED_GAUGES.has(name)
      ? { value: sum('value'), min: sum('min'), max: sum('max') }
      : { value: pick('value', Math.max), min: pick('min', Math.min), max: pick('max', Math.max) };
  } else {
    const t = trends.get(name);
    if (!t) {
      const samples = parts.reduce((n, p) => n + (Object.values(p.values).some((v) => v !== 0) ? 1 : 0), 0);
      if (samples > 0) throw new Error(`trend ${name} has samples in the instances' results but none in their k6 streams: the streams are incomplete`);
      values = Object.fromEntries(stats.map((s) => [s, 0]));
    } else {
      values = Object.fromEntries(stats.map((s) => [s, trendStat(t, s) ?? 0]));
    }
  }
  const thresholds = Object.fromEntries(
    [...new Set(parts.flatMap((p) => Object.keys(p.thresholds ?? {})))].map((expr) => [
      expr,
      // re-judged on the merged values; an expression this cannot read keeps the instances' own verdict (all passed)
      { ok: evaluateThreshold(expr, values) ?? parts.every((p) => p.thresholds?.[expr]?.ok !== false) },
    ]),
  );
  return { type: first.type, ...(first.contains ? { contains: first.contains } : {}), values, ...(Object.keys(thresholds).length ? { thresholds } : {}) };
}

/** Groups and checks of every instance, passes and fails summed by path. */
function mergeGroups(groups: ResultGroup[]): ResultGroup {
  const checks = new Map<string, ResultCheck>();
  for (const g of groups) {
    for (const c of g.checks ?? []) {
      const into = checks.get(c.name) ?? { ...c, passes: 0, fails: 0 };
      into.passes += c.passes;
      into.fails += c.fails;
      checks.set(c.name, into);
    }
  }
  const names = [...new Set(groups.flatMap((g) => (g.groups ?? []).map((s) => s.name)))];
  return {
    ...groups[0],
    checks: [...checks.values()],
    groups: names.map((n) => mergeGroups(groups.flatMap((g) => (g.groups ?? []).filter((s) => s.name === n)))),
  };
}

/** The merged metrics, checks and duration of the instances (their streams give the trends). */
export function mergeResults(runs: InstanceRun[], streams: InstanceStream[]): Pick<ResultFile, 'metrics' | 'root_group' | 'state' | 'options'> {
  const trends = mergeTrends(streams);
  const durationMs = Math.max(...runs.map((r) => r.result.state?.testRunDurationMs ?? 0));
  const stats = runs[0].result.options?.summaryTrendStats ?? ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.result.metrics)))].sort();
  const metrics: Record<string, MetricSummary> = {};
  for (const name of names) {
    const parts = runs.flatMap((r) => (r.result.metrics[name] ? [r.result.metrics[name]] : []));
    metrics[name] = mergeMetric(name, parts, trends, durationMs / 1000, stats);
  }
  const groups = runs.flatMap((r) => (r.result.root_group ? [r.result.root_group] : []));
  return {
    metrics,
    ...(groups.length ? { root_group: mergeGroups(groups) } : {}),
    state: { ...runs[0].result.state, testRunDurationMs: durationMs },
    options: runs[0].result.options,
  };
}

export interface MergedRun {
  result: ResultFile;
  diff?: Diff;
  judgement: Judgement;
}

/**
 * The distributed run as one result, judged: every instance's plan carried out (an instance that was
 * inconclusive or failed its own end checks makes the run so, its reasons named after it), the script's
 * thresholds on the merged values, and the gate's limits against `baseline` when there is one.
 * `becomesBaseline`: the run is named baseline and there is none yet (a run unfit for it is the candidate).
 */
export async function mergeRun(input: {
  dir: string;
  run: string;
  script: string;
  comparableMeta: readonly string[];
  baseline?: ResultFile;
  baselinePath?: string;
  becomesBaseline: boolean;
}): Promise<MergedRun> {
  const instances = instanceFolders(input.dir);
  if (instances.length === 0) throw new Error(`${input.dir} holds no instance folder (<instance>/k6.json.gz and the instance's result)`);
  const runs = readInstanceRuns(input.dir, input.run, input.script, instances);
  const coverage = runCoverageProblems(runs);
  if (coverage.length > 0) throw new Error(`${input.dir} is not one whole distributed run: ${coverage.join('; ')}`);
  const submetrics = [...new Set(runs.flatMap((r) => Object.keys(r.result.metrics).filter((k) => k.includes('{'))))];
  const streams = await readInstanceStreams(input.dir, submetrics);
  const merged = mergeResults(runs, streams);
  const first = runs[0].result.meta;
  const gate = first.gate as GateMetrics;
  // the limits the instances computed from the baseline with the run's GATE_* settings (k6-suite run --workers passes
  // BASELINE); instances started without it (Compose, Kubernetes) leave the default tolerances, said in the diff's notes
  const given = first.gateLimits as Limit[] | undefined;
  const holdsRate = (first.plan as PlanFacts | undefined)?.requestedRate !== undefined;
  const limits = !input.baseline ? [] : (given ?? gateLimits(input.baseline, gate, DEFAULT_TOLERANCE).filter((l) => holdsRate || l.kind !== 'throughput'));
  const meta: ResultFile['meta'] = {
    ...first,
    run: input.run,
    finishedAt: runs
      .map((r) => String(r.result.meta.finishedAt ?? ''))
      .sort()
      .at(-1),
    baseline: input.baseline ? (input.baselinePath ?? null) : null,
    instances: runs.map((r) => ({
      instance: r.instance,
      result: r.resultPath,
      verdict: r.result.meta.verdict,
      reasons: r.result.meta.reasons,
      iterations: r.result.metrics.iterations?.values.count ?? 0,
      seconds: streams.find((s) => s.instance === r.instance)?.seconds ?? (r.result.state?.testRunDurationMs ?? 0) / 1000,
      environment: r.result.meta.environment,
      segment: (r.result.meta.segment as { segment?: string } | undefined)?.segment,
    })),
  };
  for (const key of ['instance', 'environment', 'gateLimits', 'segment']) delete meta[key];
  const result: ResultFile = { ...merged, meta };
  const diff = input.baseline ? diffResults(input.baseline, result, limits, input.comparableMeta) : undefined;
  if (diff && !given) diff.notes.push("the instances were run without BASELINE: the gate's default tolerances judged the merged run");
  // what each instance found about its own run: shortfalls and a sick generator make the whole run inconclusive;
  // its own failed thresholds are judged again on the merged values (below); anything else it found broken stands
  const own = (r: InstanceRun) => (Array.isArray(r.result.meta.reasons) ? r.result.meta.reasons.map(String) : []);
  // the plan (meta.plan: the whole run's rate and iterations) held by the instances together
  const plan = first.plan as PlanFacts | undefined;
  const profileKept = !String(first.profile ?? '').startsWith('k6 options');
  const shortfalls = [
    ...(plan ? planShortfalls(plan, { durationMs: merged.state?.testRunDurationMs, metrics: result.metrics, profileKept }) : []),
    ...runs.filter((r) => r.result.meta.verdict === 'inconclusive').flatMap((r) => own(r).map((why) => `${r.instance}: ${why}`)),
  ];
  const broken = runs
    .filter((r) => r.result.meta.verdict === 'regression')
    .flatMap((r) =>
      own(r)
        .filter((why) => !why.startsWith('threshold failed:'))
        .map((why) => `${r.instance}: ${why}`),
    );
  const unjudgedInstances = runs.filter((r) => r.result.meta.verdict === 'cannot-judge').flatMap((r) => own(r).map((why) => `${r.instance}: ${why}`));
  const nothingRan = unjudgedRun(result.metrics);
  const judgement = judge({
    shortfalls,
    generator: [],
    unjudged:
      nothingRan.length > 0
        ? nothingRan
        : [
            ...unjudgedInstances,
            ...emptyJudgedMetrics(result.metrics),
            ...(diff?.unjudged ?? []).map((r) => `gate ${r.stat ? `statistic ${r.metric} ${r.stat}` : `metric ${r.metric}`} is missing from this run`),
          ],
    regressions: (diff?.regressions ?? []).map((r) => `${r.metric} ${r.stat}`),
    broken,
    failedThresholds: nothingRan.length > 0 ? [] : ownFailedThresholds(result.metrics, limits),
  });
  const unfit = input.becomesBaseline ? (judgement.accepted ? unfitForBaseline(result, gate) : judgement.reasons) : [];
  const name = unfit.length > 0 ? CANDIDATE_RUN : input.run;
  result.meta = { ...result.meta, run: name, verdict: judgement.verdict, accepted: judgement.accepted, reasons: judgement.reasons };
  if (diff) {
    diff.currentRun = name;
    diff.judgement = judgement;
  }
  return { result, diff, judgement };
}
