// The settings stage: one call per script reads every variable it depends on — the shared rule sets
// (load, gate, results) and the family's own — and reports every bad one in one message, so k6 stops
// in init (exit 107) before any request. Nothing else reads __ENV, and nothing is read at import time.
import type { FamilyManifest, ScriptManifest } from '../shared/family';
import { DEFAULT_TOLERANCE, MIN_BAND_RUNS, TOLERANCE_RANGES } from '../shared/gate';
import { RUN_NAME_ALLOWED, RUN_NAME_PATTERN } from '../shared/result';
import { LOAD_MODELS, PROFILE_NAMES, type ProfileName } from '../profiles/index';
import { probePath } from './files';
import { readGateConfig, type GateConfig } from './gate-config';
import { resolveResultsDir } from './results-dir';
import { bool, collectConfig, configErrorMessage, duration, int, num, oneOf, str, type Rules, type Values } from './config';

/** LOAD_PROFILE, LOAD_MODEL, STEADY_STATE_DURATION: how the load is shaped (src/profiles). */
const loadRules = (defaultProfile: ProfileName) => ({
  LOAD_PROFILE: oneOf(PROFILE_NAMES, defaultProfile),
  LOAD_MODEL: oneOf(LOAD_MODELS, 'arrival-rate'),
  STEADY_STATE_DURATION: duration(''),
});

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
  // extra tags on every sample, merged with script/run/testid (k6's --tag would replace those)
  TAGS: str('', {
    pattern: /^(?!(?:.*,)?(?:script|run|testid)=)[A-Za-z0-9_.-]+=[^,=]+(,[A-Za-z0-9_.-]+=[^,=]+)*$/,
    allowed: 'name=value pairs separated by commas, e.g. env=staging,region=eu (not script, run or testid: use RUN_NAME and TEST_ID)',
  }),
};

/** The load profile; `given` says whether LOAD_PROFILE was set (a script may have its own default shape). */
export type LoadSettings = { profile: ProfileName; model: (typeof LOAD_MODELS)[number]; steadyState?: string; given?: boolean };
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
  /** The script's name in the family manifest. */
  script: string;
  /** The profile when LOAD_PROFILE is unset. */
  defaultProfile: ProfileName;
  /** The family's own variables. */
  rules: F;
  /** Problems between variables (each one line, naming the variables and the fix); run on the parsed values. */
  check?: (own: Values<F>) => string[];
}

/**
 * Reads every variable a script depends on. Throws one message (a string: k6 prints it as it is and
 * exits 107) that names every invalid variable, with the value given and what is allowed.
 */
export function readSettings<F extends Rules>(spec: SettingsSpec<F>, env: Record<string, string | undefined> = __ENV): Settings<F> {
  const script = spec.family.scripts.find((s) => s.name === spec.script);
  if (!script) throw new Error(`the ${spec.family.name} family manifest declares no script ${spec.script}`);
  const shared = collectConfig({ ...loadRules(spec.defaultProfile), ...GATE_RULES, ...RESULT_RULES }, env);
  const family = collectConfig(spec.rules, env);
  const own = family.values;
  const problems = [...family.problems, ...shared.problems];
  if (family.problems.length === 0) problems.push(...(spec.check?.(own) ?? []));
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
    load: { profile: values.LOAD_PROFILE, model: values.LOAD_MODEL, steadyState: values.STEADY_STATE_DURATION || undefined, given: !!env.LOAD_PROFILE?.trim() },
    gate: { ...gate, config },
    results: { ...pick(RESULT_RULES), dir: results.dir, cwd: env.PWD },
  };
}
