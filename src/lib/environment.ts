// Each instance's runtime environment (seed 002): read by k6/x/loadgen in the init stage, printed by
// setup() and kept in the result's meta.environment (src/shared/environment.ts formats it).
import { environment } from 'k6/x/loadgen';
import { environmentLines, type EnvironmentFacts } from '../shared/environment';
import type { RunPlan } from './run-plan';

/** The instance's environment now: cores, memory, cgroup limits, and the file systems of the results and data folders. */
export function readInstanceEnvironment(plan: Pick<RunPlan, 'resultsDir' | 'instance' | 'dataDir'>): EnvironmentFacts {
  const paths = [plan.resultsDir, ...(plan.dataDir ? [plan.dataDir] : [])];
  return { instance: plan.instance, ...environment(paths) };
}

/** Prints the environment, one console line each (k6 logs console output on stderr). */
export function printEnvironment(env: EnvironmentFacts): void {
  for (const line of environmentLines(env)) console.log(line);
}
