// The k6 options every script shares, built from its run plan: the profile's scenarios, the tags on
// every sample, the trend stats of the summary, and the script's own thresholds merged with the gate's.
import type { Options } from 'k6/options';
import { mergeThresholds } from '../shared/gate';
import { stairLevels, stairThresholds } from '../shared/staircase';
import type { RunPlan } from './run-plan';

/** k6's default trend stats plus p(99), which seed 000 reports and seed 001's history stores. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

/**
 * Under LOAD_PROFILE=staircase the script's thresholds apply per level instead (copied onto each
 * level's submetric, with the level's own `iterations count>0` and `dropped_iterations count==0`; see
 * src/shared/staircase.ts): over every level at once they would judge the overload the staircase seeks.
 * @param thresholds the script's own k6 thresholds (metric → expressions); the gate's are added.
 * @param extra any other k6 options of the script (discardResponseBodies, setupTimeout...).
 * @param wholeRun thresholds on what the run checks once, at its end (teardown's reconciliation, say):
 *   never copied per staircase level, whose samples they do not have.
 */
export function buildOptions(plan: RunPlan, thresholds: Record<string, string[]>, extra: Options = {}, wholeRun: Record<string, string[]> = {}): Options {
  const stair = plan.staircase;
  const perLevel = stair
    ? stairThresholds(stairLevels(stair.settings), stair.execs, thresholds, plan.script.gate, stair.settings.abortOnFail, stair.settings.model)
    : {};
  return {
    ...extra,
    // InfluxDB / Grafana pick a run by testid. The tags go on every scenario too: k6's --tag replaces
    // the global ones, and scenario tags keep them on every sample the scenarios make
    // (merged with the scenario's own: a staircase level's `stair` tag)
    scenarios: Object.fromEntries(Object.entries(plan.scenarios).map(([name, s]) => [name, { ...s, tags: { ...plan.tags, ...s.tags } }])),
    tags: plan.tags,
    summaryTrendStats: SUMMARY_TREND_STATS,
    // plus the gate, when there is a baseline; and an arrival-rate run that could not start every
    // planned iteration (k6 ran out of VUs: the rate was not held) fails, never a silent pass — except
    // a staircase, whose upper levels drop iterations by design (each level's own drops are judged)
    thresholds: {
      ...mergeThresholds(stair ? {} : thresholds, plan.gate.thresholds, plan.holdsRate && !stair ? { dropped_iterations: ['count==0'] } : {}),
      ...perLevel,
      ...wholeRun,
    },
  };
}
