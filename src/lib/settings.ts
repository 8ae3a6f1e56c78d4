// The settings stage: one call per script reads every variable it depends on — the shared rule sets
// (load, gate, results) and the family's own — and reports every bad one in one message, so k6 stops
// in init (exit 107) before any request. Nothing else reads __ENV, and nothing is read at import time.
import type { FamilyManifest, ScriptManifest } from '../shared/family';
import { DEFAULT_TOLERANCE, MIN_BAND_RUNS, TOLERANCE_RANGES } from '../shared/gate';
import { RUN_NAME_ALLOWED, RUN_NAME_PATTERN } from '../shared/result';
import { STAIRCASE, STAIR_MAX_RATE, stairProblems, type StairSettings } from '../shared/staircase';
import { LOAD_MODELS, PROFILE_NAMES, type ProfileName } from '../profiles/index';
import { probePath } from './files';
import { readGateConfig, type GateConfig } from './gate-config';
import { resolveResultsDir } from './results-dir';
import { bool, collectConfig, configErrorMessage, duration, int, num, oneOf, str, url, type Rules, type Values } from './config';

/** LOAD_PROFILE, LOAD_MODEL, STEADY_STATE_DURATION: how the load is shaped (src/profiles). */
const loadRules = (defaultProfile: ProfileName) => ({
  LOAD_PROFILE: oneOf(PROFILE_NAMES, defaultProfile),
  LOAD_MODEL: oneOf(LOAD_MODELS, 'arrival-rate'),
  STEADY_STATE_DURATION: duration(''),
});

/** The levels of LOAD_PROFILE=staircase (src/shared/staircase.ts): rates in iterations/s, or VUs with LOAD_MODEL=vus. START and TARGET are required by it (0: unset). */
const STAIR_RULES = {
  STAIR_START: int(0, { min: 1, max: STAIR_MAX_RATE }),
  // unset: STAIR_START (levels START, 2 × START, ...)
  STAIR_STEP: int(0, { min: 1, max: STAIR_MAX_RATE }),
  STAIR_TARGET: int(0, { min: 1, max: STAIR_MAX_RATE }),
  STAIR_HOLD: duration('30s'),
  STAIR_IDLE: duration('0s', { allowZero: true }),
  STAIR_ABORT: bool(false),
};

/**
 * The staircase's settings when LOAD_PROFILE=staircase (undefined otherwise), and the problems between
 * the variables: a staircase without STAIR_START/STAIR_TARGET, START above TARGET, too many levels,
 * the variables of other profiles given with it, and STAIR_* given without it.
 */
function readStair(
  load: { profile: string; profileValid: boolean },
  values: Values<typeof STAIR_RULES>,
  env: Record<string, string | undefined>,
  invalid: string[],
): { stair?: StairSettings; problems: string[] } {
  const given = (Object.keys(STAIR_RULES) as Array<keyof typeof STAIR_RULES>).filter((name) => env[name]?.trim());
  if (load.profile !== STAIRCASE) {
    if (!load.profileValid || given.length === 0) return { problems: [] };
    const them = given.length === 1 ? 'it' : 'them';
    return {
      problems: [
        `${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} only to LOAD_PROFILE=staircase (LOAD_PROFILE is ${load.profile}): set LOAD_PROFILE=staircase or unset ${them}`,
      ],
    };
  }
  const problems: string[] = [];
  // LOAD_MODEL=vus: each level runs STAIR_START, ... VUs (constant-vus) instead of holding an arrival rate
  const vus = env.LOAD_MODEL?.trim() === 'vus';
  if (env.STEADY_STATE_DURATION?.trim()) {
    problems.push('STEADY_STATE_DURATION does not apply to LOAD_PROFILE=staircase: STAIR_HOLD sets how long each level is held');
  }
  const missing = (['STAIR_START', 'STAIR_TARGET'] as const).filter((name) => !env[name]?.trim());
  if (missing.length > 0) {
    problems.push(
      `LOAD_PROFILE=staircase needs ${missing.join(' and ')} (${vus ? 'VUs' : 'iterations/s'} of the first and the last level), e.g. STAIR_START=10 STAIR_STEP=10 STAIR_TARGET=100`,
    );
    return { problems };
  }
  const levels = { start: values.STAIR_START, step: values.STAIR_STEP || values.STAIR_START, target: values.STAIR_TARGET };
  // a value invalid on its own is already named: the cross-checks need all three valid
  if (!invalid.some((name) => ['STAIR_START', 'STAIR_STEP', 'STAIR_TARGET'].includes(name))) problems.push(...stairProblems(levels));
  return {
    stair: { ...levels, ...(vus ? { model: 'vus' as const } : {}), hold: values.STAIR_HOLD, idle: values.STAIR_IDLE, abortOnFail: values.STAIR_ABORT },
    problems,
  };
}

/** The regression gate: which baseline, whether to enforce it, and its tolerances. */
const GATE_RULES = {
  BASELINE: str('', { allowed: 'a path to a result JSON file' }),
  GATE: bool(true),
  GATE_CONFIG: str('', { allowed: 'a path to a JSON file' }),
  GATE_P95_RATIO: num(DEFAULT_TOLERANCE.p95Ratio, TOLERANCE_RANGES.p95Ratio),
  GATE_P95_FLOOR_MS: num(DEFAULT_TOLERANCE.p95FloorMs, TOLERANCE_RANGES.p95FloorMs),
  GATE_THROUGHPUT_RATIO: num(DEFAULT_TOLERANCE.throughputRatio, TOLERANCE_RANGES.throughputRatio),
  GATE_THROUGHPUT_FLOOR: num(DEFAULT_TOLERANCE.throughputFloor, TOLERANCE_RANGES.throughputFloor),
  GATE_MAX_ERROR_RATE: num(DEFAULT_TOLERANCE.maxErrorRate, TOLERANCE_RANGES.maxErrorRate),
  // the noise band: the last accepted runs from a JSON-lines history (k6-suite run sets it)
  GATE_HISTORY: str('', { allowed: 'a path to a JSON-lines history file (results/history.jsonl)' }),
  GATE_HISTORY_RUNS: int(5, { min: MIN_BAND_RUNS, max: 100 }),
  GATE_BAND_SIGMAS: num(3, { min: 0, max: 20 }),
};

/** Where results go and how the run is named. */
const RESULT_RULES = {
  RESULTS_DIR: str('', { allowed: 'an existing directory' }),
  // unset: "baseline" while the script has no baseline, else "latest" (see planRun)
  RUN_NAME: str('', { pattern: RUN_NAME_PATTERN, allowed: RUN_NAME_ALLOWED }),
  TEST_ID: str('', { pattern: /^[A-Za-z0-9._:-]+$/, allowed: 'letters, digits, ".", "_", ":" or "-"' }),
  // one instance of a distributed run (k6-suite run --workers, generated Compose/Kubernetes runners):
  // its name, in the result, the environment check and the instance_id tag of every sample
  INSTANCE_ID: str('', { pattern: RUN_NAME_PATTERN, allowed: RUN_NAME_ALLOWED }),
  // a data folder whose file system (tmpfs or disk) the environment check reports, with the results folder
  DATA_DIR: str('', { allowed: 'a folder path' }),
  // the target's Prometheus endpoint (process_* metrics): its CPU and memory sampled every second
  // (target_cpu_percent, target_memory_mb) into the result and the history row
  TARGET_METRICS_URL: url(''),
  // extra tags on every sample, merged with script/run/testid (k6's --tag would replace those)
  TAGS: str('', {
    pattern: /^(?!(?:.*,)?(?:script|run|testid)=)[A-Za-z0-9_.-]+=[^,=]+(,[A-Za-z0-9_.-]+=[^,=]+)*$/,
    allowed: 'name=value pairs separated by commas, e.g. env=staging,region=eu (not script, run or testid: use RUN_NAME and TEST_ID)',
  }),
};

/** The load profile; `given` says whether LOAD_PROFILE was set (a script may have its own default shape). */
export type LoadSettings = {
  profile: ProfileName;
  model: (typeof LOAD_MODELS)[number];
  steadyState?: string;
  given?: boolean;
  /** LOAD_PROFILE=staircase: its levels (STAIR_*). */
  stair?: StairSettings;
};
/** The gate's variables and what GATE_CONFIG and the GATE_* tolerances make of them. */
export type GateSettings = Values<typeof GATE_RULES> & { config: GateConfig };
/** The results variables, the directory RESULTS_DIR resolves to, and the working directory relative paths are resolved against. */
export type ResultSettings = Values<typeof RESULT_RULES> & { dir: string; cwd?: string };

export interface Settings<F extends Rules> {
  script: ScriptManifest;
  /** The family's own variables. */
  own: Values<F>;
  load: LoadSettings;
  gate: GateSettings;
  results: ResultSettings;
}

export interface SettingsSpec<F extends Rules> {
  family: FamilyManifest;
  /** The script's name in the family manifest; a bundle that runs several names it from its own variables (SCENARIO, say). */
  script: string | ((own: Values<F>) => string);
  /** The profile when LOAD_PROFILE is unset. */
  defaultProfile: ProfileName | ((own: Values<F>) => ProfileName);
  /** The family's own variables. */
  rules: F;
  /** Problems between variables and in the files they name (each one line, naming the variables and the fix); run on the parsed values, with the working directory relative paths resolve against. */
  check?: (own: Values<F>, cwd: string | undefined, load: Pick<LoadSettings, 'profile' | 'model'> & { given: boolean }) => string[];
}

/**
 * Reads every variable a script depends on. Throws one message (a string: k6 prints it as it is and
 * exits 107) that names every invalid variable, with the value given and what is allowed.
 */
export function readSettings<F extends Rules>(spec: SettingsSpec<F>, env: Record<string, string | undefined> = __ENV): Settings<F> {
  const family = collectConfig(spec.rules, env);
  const defaultProfile = typeof spec.defaultProfile === 'function' ? spec.defaultProfile(family.values) : spec.defaultProfile;
  const shared = collectConfig({ ...loadRules(defaultProfile), ...GATE_RULES, ...RESULT_RULES }, env);
  const scriptName = typeof spec.script === 'function' ? spec.script(family.values) : spec.script;
  const script = spec.family.scripts.find((s) => s.name === scriptName);
  if (!script) throw new Error(`the ${spec.family.name} family manifest declares no script ${scriptName}`);
  // k6-suite run -s <script> names its result files after the script: the settings must select that one
  const asked = env.K6_SUITE_SCRIPT?.trim();
  if (asked && asked !== scriptName) {
    throw configErrorMessage([`these settings run the script ${scriptName}, but k6-suite was asked for -s ${asked}: use -s ${scriptName}`]);
  }
  const stairValues = collectConfig(STAIR_RULES, env);
  const own = family.values;
  const problems = [...family.problems, ...shared.problems, ...stairValues.problems];
  const profileValid = !shared.problems.some((p) => p.startsWith('LOAD_PROFILE='));
  const invalid = stairValues.problems.map((p) => p.slice(0, p.indexOf('=')));
  const { stair, problems: stairCross } = readStair({ profile: shared.values.LOAD_PROFILE, profileValid }, stairValues.values, env, invalid);
  problems.push(...stairCross);
  if (family.problems.length === 0)
    problems.push(
      ...(spec.check?.(own, env.PWD, { profile: shared.values.LOAD_PROFILE, model: shared.values.LOAD_MODEL, given: Boolean(env.LOAD_PROFILE?.trim()) }) ?? []),
    );
  const values = shared.values;
  const pick = <R extends Rules>(rules: R) => Object.fromEntries(Object.keys(rules).map((name) => [name, values[name as keyof typeof values]])) as Values<R>;
  // the files the variables name are part of the settings: probed now, their problems in the same message
  const gate = pick(GATE_RULES);
  const tolerance = {
    p95Ratio: gate.GATE_P95_RATIO,
    p95FloorMs: gate.GATE_P95_FLOOR_MS,
    throughputRatio: gate.GATE_THROUGHPUT_RATIO,
    throughputFloor: gate.GATE_THROUGHPUT_FLOOR,
    maxErrorRate: gate.GATE_MAX_ERROR_RATE,
  };
  const { problems: configProblems, ...config } = readGateConfig(script.gate, tolerance, gate.GATE_CONFIG, env.PWD);
  const results = resolveResultsDir(values.RESULTS_DIR, env.PWD);
  problems.push(...configProblems, ...(results.problem ? [results.problem] : []));
  if (gate.BASELINE && probePath(gate.BASELINE, env.PWD) === 'missing') {
    problems.push(
      `BASELINE='${gate.BASELINE}' does not exist: name an existing result file, or unset BASELINE to use the script's baseline in the results directory`,
    );
  }
  if (problems.length > 0) throw configErrorMessage(problems);
  return {
    script,
    own,
    load: {
      profile: values.LOAD_PROFILE,
      model: values.LOAD_MODEL,
      steadyState: values.STEADY_STATE_DURATION || undefined,
      given: !!env.LOAD_PROFILE?.trim(),
      ...(stair ? { stair } : {}),
    },
    gate: { ...gate, config },
    results: { ...pick(RESULT_RULES), dir: results.dir, cwd: env.PWD },
  };
}
