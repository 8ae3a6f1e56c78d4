// Messages avoid double quotes: k6 logs them in logfmt, which escapes them.
// Reads a scenario's baseline at init (once per k6 process, shared by every VU through SharedArray)
// and turns it into the gate: k6 thresholds and the limits the diff judges with. A malformed baseline
// or gate config stops the test before any request, and an existing baseline is never overwritten.
import { SharedArray } from 'k6/data';
import { bool, configErrorMessage, num, readConfig, str } from './config';
import { DEFAULT_TOLERANCE, gateLimits, limitsToThresholds, type GateMetrics, type Limit, type ResultLike, type Tolerance, type ToleranceOverrides } from './gate';
import { resultPath, resultsDir, summaryConfig } from './summary-config';

const gateConfig = readConfig({
  BASELINE: str('', { allowed: 'a path to a result JSON file' }),
  GATE: bool(true),
  GATE_CONFIG: str('', { allowed: 'a path to a JSON file' }),
  GATE_P95_RATIO: num(DEFAULT_TOLERANCE.p95Ratio, { min: 1 }),
  GATE_P95_FLOOR_MS: num(DEFAULT_TOLERANCE.p95FloorMs, { min: 0 }),
  GATE_THROUGHPUT_RATIO: num(DEFAULT_TOLERANCE.throughputRatio, { min: 0, max: 1 }),
  GATE_THROUGHPUT_FLOOR: num(DEFAULT_TOLERANCE.throughputFloor, { min: 0 }),
  GATE_MAX_ERROR_RATE: num(DEFAULT_TOLERANCE.maxErrorRate, { min: 0, max: 1 }),
});

/** open() resolves relative paths against the script; resolve against the working directory instead. */
function absolute(path: string): string {
  const cwd = __ENV.PWD;
  return path.startsWith('/') || !cwd ? path : `${cwd.replace(/\/+$/, '')}/${path}`;
}

/** Reads a JSON file in init; undefined when it does not exist, a clear message when it is malformed. */
function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = open(absolute(path));
  } catch (error) {
    if (/no such file or directory/i.test(String(error))) return undefined;
    throw configErrorMessage([`${what} ${path} cannot be read: ${String(error)}`]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw configErrorMessage([`${what} ${path} is not valid JSON (${String(error)}): fix or delete it`]);
  }
}

function validateBaseline(value: unknown, path: string): ResultLike {
  const metrics = (value as ResultLike | null)?.metrics;
  const ok =
    typeof metrics === 'object' && metrics !== null && !Array.isArray(metrics) &&
    Object.values(metrics).every((m) => typeof m === 'object' && m !== null && typeof (m as { values?: unknown }).values === 'object');
  if (!ok) {
    throw configErrorMessage([`baseline ${path} is malformed: it needs a metrics object of k6 summary metrics (a result file this library wrote); fix it, delete it, or point BASELINE elsewhere`]);
  }
  return value as ResultLike;
}

function readOverrides(): { tolerance: Tolerance; overrides: ToleranceOverrides } {
  const tolerance: Tolerance = {
    p95Ratio: gateConfig.GATE_P95_RATIO,
    p95FloorMs: gateConfig.GATE_P95_FLOOR_MS,
    throughputRatio: gateConfig.GATE_THROUGHPUT_RATIO,
    throughputFloor: gateConfig.GATE_THROUGHPUT_FLOOR,
    maxErrorRate: gateConfig.GATE_MAX_ERROR_RATE,
  };
  if (!gateConfig.GATE_CONFIG) return { tolerance, overrides: {} };
  const file = readJsonFile(gateConfig.GATE_CONFIG, 'gate config') as { metrics?: ToleranceOverrides } | undefined;
  if (file === undefined) throw configErrorMessage([`GATE_CONFIG='${gateConfig.GATE_CONFIG}' does not exist`]);
  const known = Object.keys(DEFAULT_TOLERANCE);
  for (const [metric, t] of Object.entries(file.metrics ?? {})) {
    for (const [key, value] of Object.entries(t)) {
      if (!known.includes(key) || typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw configErrorMessage([`gate config ${gateConfig.GATE_CONFIG}: metrics.${metric}.${key}=${String(value)} is not valid, expected one of ${known.join(', ')} with a non-negative number`]);
      }
    }
  }
  return { tolerance, overrides: file.metrics ?? {} };
}

export interface LoadedGate {
  baselinePath: string;
  baseline?: ResultLike;
  limits: Limit[];
  /** Thresholds to merge into the scenario's options (empty without a baseline or with GATE=false). */
  thresholds: Record<string, string[]>;
  /** Said in the summary when there is no baseline. */
  note?: string;
  /** RUN_NAME, or when unset: "baseline" while there is none, else "latest". */
  runName: string;
}

export function loadGate(scenario: string, gate: GateMetrics): LoadedGate {
  const baselinePath = gateConfig.BASELINE || `${resultsDir}/baseline_${scenario}.json`;
  // SharedArray: the file is read and parsed once per k6 process, not once per VU.
  const shared = new SharedArray(`baseline:${baselinePath}`, () => {
    const value = readJsonFile(baselinePath, 'baseline');
    return value === undefined ? [] : [validateBaseline(value, baselinePath)];
  });
  const baseline = shared.length > 0 ? (shared[0] as ResultLike) : undefined;
  const runName = summaryConfig.RUN_NAME || (baseline ? 'latest' : 'baseline');
  if (baseline && absolute(resultPath(runName, scenario)) === absolute(baselinePath)) {
    throw configErrorMessage([
      `RUN_NAME='${runName}' would overwrite the baseline ${baselinePath}: choose another RUN_NAME (or leave it unset); a baseline is replaced only by promoting a run`,
    ]);
  }
  if (!baseline) {
    const becomes = absolute(resultPath(runName, scenario)) === absolute(baselinePath);
    return {
      baselinePath,
      limits: [],
      thresholds: {},
      runName,
      note: becomes
        ? `no baseline at ${baselinePath} yet: this run becomes the baseline`
        : `no baseline at ${baselinePath}: this run is the candidate baseline (promote it to make it the baseline)`,
    };
  }
  const { tolerance, overrides } = readOverrides();
  const limits = gateLimits(baseline, gate, tolerance, overrides);
  return { baselinePath, baseline, limits, runName, thresholds: gateConfig.GATE ? limitsToThresholds(limits) : {} };
}
