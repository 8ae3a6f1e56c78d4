// The plan of one run, made once in init from the script's settings: its k6 scenarios (the profile
// split over the script's exec functions by weight), where its results go, its name and test id, and
// its gate (the baseline read now). Options-building (options.ts) and the summary hook (summary.ts)
// both work from it. Problems found here (a missing RESULTS_DIR, a starved weight, a bad baseline)
// stop k6 in init with exit 107, before any request.
import type { Scenario } from 'k6/options';
import type { ScriptManifest } from '../shared/family';
import { comparableKey, defaultTestId, type MetricSummary, type RunMeta } from '../shared/result';
import { isStairProfile, stairProfileName, type StairSettings } from '../shared/staircase';
import type { FailureCauses } from '../shared/verdict';
import { buildScenarios, type ExecWeights } from '../profiles/index';
import { loadGate, type LoadedGate } from './baseline';
import { configErrorMessage, type Rules } from './config';
import type { LoadSettings, Settings } from './settings';

export interface RunPlan {
  script: ScriptManifest;
  load: LoadSettings;
  /** What shaped the load, for the result's meta: the profile's name, or the script's own shape. */
  profile: string;
  scenarios: Record<string, Scenario>;
  /** Whether the profile holds a rate (open model): then a dropped iteration fails the run. */
  holdsRate: boolean;
  /** Whether throughput is gated: the profile holds a rate, and the script did not say why not (RunHooks.throughputUngated). */
  gateThroughput: boolean;
  resultsDir: string;
  gate: LoadedGate;
  /** The run name asked for: RUN_NAME, or baseline/latest. */
  runName: string;
  /** The `testid` tag of every sample: TEST_ID, or `<script>-<run>-<stamp>`. */
  testId: string;
  /** The tags of every sample: script, run, testid and TAGS. */
  tags: Record<string, string>;
  /** TARGET_METRICS_URL: the target's Prometheus endpoint, sampled by k6/x/loadgen ('' = none). */
  targetMetricsUrl: string;
  /** INSTANCE_ID: this instance of a distributed run ('' for a single instance). */
  instance: string;
  /** DATA_DIR: a data folder the environment check reports on ('' = none). */
  dataDir: string;
  /** The script's own facts for the result's meta (workload, transport, target...). */
  meta: RunMeta;
  hooks: RunHooks;
  /** LOAD_PROFILE=staircase: its levels and the exec functions each level runs (scenarios `stair<rate>_<exec>`). */
  staircase?: { settings: StairSettings; execs: string[] };
  /** Why the gate does not judge this run against its baseline (a staircase run, or a staircase baseline), for the diff's notes. */
  ungated?: string;
}

/** What a script adds to the verdict: its protocol's failure causes, and its own reasons a run did not carry out its plan. */
export interface RunHooks {
  /** The first distinct failure causes by class (read in handleSummary). */
  failures?: () => FailureCauses;
  /** Reasons, from the summary's metrics, that the run did not measure what was planned (an outage of the target, say). */
  shortfalls?: (metrics: Record<string, MetricSummary | undefined>) => string[];
  /**
   * The script's end-of-test checks (read in handleSummary, after teardown): `failed` — the target
   * broke a promise the run checks (payments lost on the router): the run fails and is never a
   * baseline; `unjudged` — the check could not run; `notes` — lines for the summary.
   */
  endChecks?: () => { failed: string[]; unjudged: string[]; notes: string[] };
  /**
   * Why this run's throughput is not gated although its profile holds a rate: k6's rate divides by
   * the whole run, so a teardown that waits (for timer callbacks, say) would make it read lower.
   */
  throughputUngated?: string;
}

/** The profile's k6 scenarios split over `weights` (exec function → weight); a config error for a weight too small to get 1 iteration/s. */
export function loadScenarios(load: LoadSettings, weights: ExecWeights): Record<string, Scenario> {
  const scenarios = buildScenarios({ name: load.profile, model: load.model, steadyState: load.steadyState, stair: load.stair }, weights);
  // a weight too small for the profile's rate gives a rate of 0, which k6 would refuse without naming why
  const starved = Object.entries(scenarios)
    .filter(([, s]) => 'rate' in s && s.rate === 0)
    .map(([name]) => name);
  if (starved.length > 0) {
    throw configErrorMessage([
      `under LOAD_PROFILE=${load.profile} the weights leave ${starved.join(', ')} with less than 1 iteration/s: raise its weight, set it to 0, or ${load.stair ? 'raise STAIR_START' : 'choose a higher tpsN'}`,
    ]);
  }
  return scenarios;
}

/**
 * Plans the run (init stage only: it reads the baseline).
 * @param hooks what the script adds to the verdict (failure causes, its own shortfalls).
 * @param own the script's own k6 scenarios and their name instead of the profile's (a seed's fixed shape, used when LOAD_PROFILE is unset).
 */
export function planRun<F extends Rules>(
  settings: Settings<F>,
  weights: ExecWeights,
  meta: RunMeta,
  hooks: RunHooks = {},
  own?: { name: string; scenarios: Record<string, Scenario> },
): RunPlan {
  const scenarios = own?.scenarios ?? loadScenarios(settings.load, weights);
  const stair = own ? undefined : settings.load.stair;
  const staircase = stair ? { settings: stair, execs: Object.keys(weights).filter((exec) => weights[exec] > 0) } : undefined;
  const profile = own?.name ?? (stair ? stairProfileName(stair) : settings.load.profile);
  const results = { dir: settings.results.dir };
  const holdsRate = Object.values(scenarios).some((s) => s.executor.endsWith('arrival-rate'));
  const gateThroughput = holdsRate && !hooks.throughputUngated;
  const comparable = comparableKey({ profile, model: settings.load.model, ...meta }, settings.script.comparableMeta);
  const where = { resultsDir: results.dir, runName: settings.results.RUN_NAME, comparable, cwd: settings.results.cwd };
  const loaded = loadGate(settings.script.name, settings.script.gate, settings.gate, where, gateThroughput);
  // a staircase run mixes levels below and above capacity: p(95), throughput and errors over all of them
  // judge nothing, so it is judged by its capacity (summary.ts); and a staircase baseline judges no other run
  const stairBaseline = isStairProfile(loaded.baseline?.meta?.profile);
  const ungated = !loaded.baseline
    ? undefined
    : staircase
      ? 'a staircase run is judged by its capacity (against a staircase baseline of the same levels), not by p(95), throughput or error rate over every level at once'
      : stairBaseline
        ? `the baseline is a staircase run (${String(loaded.baseline.meta?.profile)}): this run is not gated against it; promote a run of this profile`
        : undefined;
  // an instance of a distributed run enforces no gate thresholds: its share of the load is not the baseline's (the merged run is gated)
  const gate = ungated ? { ...loaded, limits: [], thresholds: {} } : settings.results.INSTANCE_ID ? { ...loaded, thresholds: {} } : loaded;
  // k6 takes options from the first init only, so the timestamp is the same for every VU
  const testId = settings.results.TEST_ID || defaultTestId(settings.script.name, gate.runName, new Date());
  const extra = Object.fromEntries(settings.results.TAGS ? settings.results.TAGS.split(',').map((pair) => pair.split('=') as [string, string]) : []);
  const instance: Record<string, string> = settings.results.INSTANCE_ID ? { instance_id: settings.results.INSTANCE_ID } : {};
  const tags = { ...extra, ...instance, script: settings.script.name, run: gate.runName, testid: testId };
  return {
    script: settings.script,
    load: settings.load,
    profile,
    scenarios,
    holdsRate,
    gateThroughput,
    resultsDir: results.dir,
    gate,
    runName: gate.runName,
    testId,
    tags,
    targetMetricsUrl: settings.results.TARGET_METRICS_URL,
    instance: settings.results.INSTANCE_ID,
    dataDir: settings.results.DATA_DIR,
    meta,
    hooks,
    ...(staircase ? { staircase } : {}),
    ...(ungated ? { ungated } : {}),
  };
}
