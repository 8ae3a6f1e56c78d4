// Messages avoid double quotes: k6 logs them in logfmt, which escapes them.
// Reads a scenario's baseline at init (once per k6 process, shared by every VU through SharedArray)
// and turns it into the gate: k6 thresholds and the limits the diff judges with. A malformed baseline
// or gate config stops the test before any request, and an existing baseline is never overwritten.
import { SharedArray } from 'k6/data';
import type { GateMetrics } from '../shared/family';
import { gateBand, gateLimits, limitsToThresholds, type GateBand, type Limit, type ResultLike } from '../shared/gate';
import { validateBaseline } from '../shared/baseline';
import { bandRuns, baselineFileName, defaultRunName, type HistoryRow } from '../shared/result';
import { configErrorMessage } from './config';
import { absolutePath, readJsonFile } from './files';
import { resultPath } from './results-dir';
import type { GateSettings } from './settings';

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
  /** The gate's throughput tolerance (GATE_THROUGHPUT_RATIO or the config's), with a baseline. */
  throughputRatio?: number;
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
  where: { resultsDir: string; runName: string; comparable: string; cwd: string | undefined },
  gateThroughput: boolean,
): LoadedGate {
  const { resultsDir } = where;
  const baselinePath = settings.BASELINE || `${resultsDir}/${baselineFileName(script)}`;
  const shared = new SharedArray(`baseline:${baselinePath}`, () => {
    const value = readJsonFile(baselinePath, 'baseline', where.cwd);
    if (value === undefined && settings.BASELINE) {
      throw configErrorMessage([
        `BASELINE='${settings.BASELINE}' does not exist: name an existing result file, or unset BASELINE to use ${resultsDir}/${baselineFileName(script)}`,
      ]);
    }
    return value === undefined ? [] : [validateBaseline(value, baselinePath, gate, configErrorMessage)];
  });
  const baseline = shared.length > 0 ? (shared[0] as ResultLike) : undefined;
  const runName = where.runName || defaultRunName(baseline !== undefined);
  const ownPath = absolutePath(resultPath(resultsDir, runName, script), where.cwd);
  if (baseline && ownPath === absolutePath(baselinePath, where.cwd)) {
    throw configErrorMessage([
      `RUN_NAME='${runName}' would overwrite the baseline ${baselinePath}: choose another RUN_NAME (or leave it unset); a baseline is replaced only by promoting a run`,
    ]);
  }
  if (!baseline) {
    const becomes = ownPath === absolutePath(baselinePath, where.cwd);
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
  const { tolerance, overrides } = settings.config;
  const band = readBand(script, where.comparable, settings, where.cwd);
  const limits = gateLimits(baseline, gate, tolerance, overrides, band).filter((l) => gateThroughput || l.kind !== 'throughput');
  return {
    baselinePath,
    baseline,
    limits,
    runName,
    becomesBaseline: false,
    thresholds: settings.GATE ? limitsToThresholds(limits) : {},
    throughputRatio: tolerance.throughputRatio,
  };
}

/** The noise band from GATE_HISTORY (undefined when unset or with too few accepted runs of this kind). */
function readBand(script: string, comparable: string, settings: GateSettings, cwd: string | undefined): GateBand | undefined {
  const path = settings.GATE_HISTORY;
  if (!path) return undefined;
  const runs = new SharedArray(`history:${path}:${script}:${comparable}`, () => {
    let text: string;
    try {
      text = open(absolutePath(path, cwd));
    } catch (error) {
      if (/no such file or directory/i.test(String(error))) return []; // no history yet: the baseline judges
      throw configErrorMessage([`GATE_HISTORY='${path}' cannot be read: ${String(error)}`]);
    }
    const rows: HistoryRow[] = [];
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      try {
        rows.push(JSON.parse(line) as HistoryRow);
      } catch {
        throw configErrorMessage([`GATE_HISTORY='${path}' line ${i + 1} is not valid JSON: fix or remove that line`]);
      }
    });
    return bandRuns(rows, script, comparable, settings.GATE_HISTORY_RUNS).map((r) => ({ p95: r.latency_p95_ms, throughput: r.throughput_ops_per_sec }));
  });
  return gateBand(Array.from(runs as unknown as Array<{ p95: number | null; throughput: number | null }>), settings.GATE_BAND_SIGMAS);
}
