// GATE_CONFIG and the GATE_* tolerances, read and checked in the settings stage: every problem is a
// line of the one configuration message (exit 107), whether or not the script has a baseline yet.
import type { GateMetrics } from '../shared/family';
import { TOLERANCE_RANGES, type Tolerance, type ToleranceOverrides } from '../shared/gate';
import { readJsonFile } from './files';

/** The tolerances the gate uses: the GATE_* values, and per-metric overrides from GATE_CONFIG. */
export interface GateConfig {
  tolerance: Tolerance;
  overrides: ToleranceOverrides;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads GATE_CONFIG (a JSON file `{metrics: {<gate metric>: {p95Ratio: 1.5, ...}}}`) when given; problems name the file and the key. */
export function readGateConfig(gate: GateMetrics, tolerance: Tolerance, path: string, cwd: string | undefined): GateConfig & { problems: string[] } {
  if (!path) return { tolerance, overrides: {}, problems: [] };
  let file: unknown;
  try {
    file = readJsonFile(path, 'gate config', cwd);
  } catch (error) {
    return { tolerance, overrides: {}, problems: [String(error).replace(/^invalid configuration: /, '')] };
  }
  if (file === undefined) return { tolerance, overrides: {}, problems: [`GATE_CONFIG='${path}' does not exist`] };
  const shape = `like {metrics: {${gate.latency}: {p95Ratio: 1.5}}}`;
  if (!isObject(file) || !isObject(file.metrics ?? {})) return { tolerance, overrides: {}, problems: [`gate config ${path} must be an object ${shape}`] };
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
  return { tolerance, overrides: (file.metrics ?? {}) as ToleranceOverrides, problems: problems.map((p) => `gate config ${path}: ${p}`) };
}
