// Messages avoid double quotes: k6 logs them in logfmt, which escapes them.
// Reads a scenario's baseline at init (once per k6 process, shared by every VU through SharedArray)
// and turns it into the gate: k6 thresholds and the limits the diff judges with. A malformed baseline
// or gate config stops the test before any request, and an existing baseline is never overwritten.
import { SharedArray } from 'k6/data';
import type { GateMetrics } from '../shared/family';
import { gateLimits, limitsToThresholds, TOLERANCE_RANGES, type Limit, type ResultLike, type Tolerance, type ToleranceOverrides } from '../shared/gate';
import { baselineFileName, defaultRunName } from '../shared/result';
import { configErrorMessage } from './config';
import { absolutePath, resultPath } from './results-dir';
import type { GateSettings } from './settings';

/** Reads a JSON file in init; undefined when it does not exist, a clear message when it is malformed. */
function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = open(absolutePath(path));
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

function validateBaseline(value: unknown, path: string, gate: GateMetrics): ResultLike {
  const metrics = (value as ResultLike | null)?.metrics;
  const ok =
    typeof metrics === 'object' &&
    metrics !== null &&
    !Array.isArray(metrics) &&
    Object.values(metrics).every((m) => typeof m === 'object' && m !== null && typeof (m as { values?: unknown }).values === 'object');
  if (!ok) {
    throw configErrorMessage([
      `baseline ${path} is malformed: it needs a metrics object of k6 summary metrics (a result file this library wrote); fix it, delete it, or point BASELINE elsewhere`,
    ]);
  }
  // a baseline without the gate metrics (a failed run) would let every later run pass unjudged
  const lacking = [
    metrics[gate.latency]?.values['p(95)'] === undefined ? `${gate.latency} p(95)` : '',
    metrics[gate.throughput]?.values.rate === undefined ? `${gate.throughput} rate` : '',
  ].filter(Boolean);
  if (lacking.length > 0) {
    throw configErrorMessage([`baseline ${path} has no ${lacking.join(' and no ')} (a failed run?): delete it or promote a healthy run`]);
  }
  return value as ResultLike;
}

function readOverrides(gate: GateMetrics, settings: GateSettings): { tolerance: Tolerance; overrides: ToleranceOverrides } {
  const tolerance: Tolerance = {
    p95Ratio: settings.GATE_P95_RATIO,
    p95FloorMs: settings.GATE_P95_FLOOR_MS,
    throughputRatio: settings.GATE_THROUGHPUT_RATIO,
    throughputFloor: settings.GATE_THROUGHPUT_FLOOR,
    maxErrorRate: settings.GATE_MAX_ERROR_RATE,
  };
  const path = settings.GATE_CONFIG;
  if (!path) return { tolerance, overrides: {} };
  const file = readJsonFile(path, 'gate config');
  if (file === undefined) throw configErrorMessage([`GATE_CONFIG='${path}' does not exist`]);
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const shape = `like {metrics: {${gate.latency}: {p95Ratio: 1.5}}}`;
  if (!isObject(file) || !isObject(file.metrics ?? {})) throw configErrorMessage([`gate config ${path} must be an object ${shape}`]);
  const gated = Object.values(gate);
  const problems: string[] = [];
  for (const [metric, t] of Object.entries((file.metrics ?? {}) as Record<string, unknown>)) {
    if (!gated.includes(metric)) problems.push(`metrics.${metric} is not a gate metric of this script (${gated.join(', ')})`);
    if (!isObject(t)) {
      problems.push(`metrics.${metric} must be an object ${shape}`);
      continue;
    }
    for (const [key, value] of Object.entries(t)) {
      const range = TOLERANCE_RANGES[key as keyof Tolerance];
      if (!range) problems.push(`metrics.${metric}.${key} is not a tolerance (known: ${Object.keys(TOLERANCE_RANGES).join(', ')})`);
      else if (typeof value !== 'number' || !(value >= range.min && value <= range.max)) {
        problems.push(
          `metrics.${metric}.${key}=${String(value)} is not valid, expected a number ${range.max === Infinity ? `>= ${range.min}` : `from ${range.min} to ${range.max}`}`,
        );
      }
    }
  }
  if (problems.length > 0) throw configErrorMessage(problems.map((p) => `gate config ${path}: ${p}`));
  return { tolerance, overrides: (file.metrics ?? {}) as ToleranceOverrides };
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
  /** Whether this run would become the baseline (none exists and it is named baseline). */
  becomesBaseline: boolean;
}

/**
 * Reads the script's baseline (once per k6 process, shared by every VU through SharedArray) and turns
 * it into the gate. Throws a config error for a malformed or missing BASELINE, a bad GATE_CONFIG, or a
 * RUN_NAME that would overwrite the baseline.
 * @param gateThroughput false under VU-based (closed-loop) profiles: there throughput follows latency,
 *   which is gated, and swings with machine noise; under arrival-rate profiles it is the achieved rate.
 */
export function loadGate(
  script: string,
  gate: GateMetrics,
  settings: GateSettings,
  where: { resultsDir: string; runName: string },
  gateThroughput: boolean,
): LoadedGate {
  const { resultsDir } = where;
  const baselinePath = settings.BASELINE || `${resultsDir}/${baselineFileName(script)}`;
  const shared = new SharedArray(`baseline:${baselinePath}`, () => {
    const value = readJsonFile(baselinePath, 'baseline');
    if (value === undefined && settings.BASELINE) {
      throw configErrorMessage([
        `BASELINE='${settings.BASELINE}' does not exist: name an existing result file, or unset BASELINE to use ${resultsDir}/${baselineFileName(script)}`,
      ]);
    }
    return value === undefined ? [] : [validateBaseline(value, baselinePath, gate)];
  });
  const baseline = shared.length > 0 ? (shared[0] as ResultLike) : undefined;
  const runName = where.runName || defaultRunName(baseline !== undefined);
  const ownPath = absolutePath(resultPath(resultsDir, runName, script));
  if (baseline && ownPath === absolutePath(baselinePath)) {
    throw configErrorMessage([
      `RUN_NAME='${runName}' would overwrite the baseline ${baselinePath}: choose another RUN_NAME (or leave it unset); a baseline is replaced only by promoting a run`,
    ]);
  }
  if (!baseline) {
    const becomes = ownPath === absolutePath(baselinePath);
    return {
      baselinePath,
      limits: [],
      thresholds: {},
      runName,
      becomesBaseline: becomes,
      note: becomes
        ? `no baseline at ${baselinePath} yet: this run becomes the baseline`
        : `no baseline at ${baselinePath}: this run is the candidate baseline (promote it to make it the baseline)`,
    };
  }
  const { tolerance, overrides } = readOverrides(gate, settings);
  const limits = gateLimits(baseline, gate, tolerance, overrides).filter((l) => gateThroughput || l.kind !== 'throughput');
  return { baselinePath, baseline, limits, runName, becomesBaseline: false, thresholds: settings.GATE ? limitsToThresholds(limits) : {} };
}
