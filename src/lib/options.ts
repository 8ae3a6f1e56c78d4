// The k6 options every script shares, built from its run plan: the profile's scenarios, the tags on
// every sample, the trend stats of the summary, and the script's own thresholds merged with the gate's.
import type { Options } from 'k6/options';
import { mergeThresholds } from '../shared/gate';
import type { RunPlan } from './run-plan';

/** k6's default trend stats plus p(99), which seed 000 reports and seed 001's history stores. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

/**
 * @param thresholds the script's own k6 thresholds (metric → expressions); the gate's are added.
 * @param extra any other k6 options of the script (discardResponseBodies, setupTimeout...).
 */
export function buildOptions(plan: RunPlan, thresholds: Record<string, string[]>, extra: Options = {}): Options {
  return {
    ...extra,
    // InfluxDB / Grafana pick a run by testid. The tags go on every scenario too: k6's --tag replaces
    // the global ones, and scenario tags keep them on every sample the scenarios make
    scenarios: Object.fromEntries(Object.entries(plan.scenarios).map(([name, s]) => [name, { ...s, tags: { ...plan.tags } }])),
    tags: plan.tags,
    summaryTrendStats: SUMMARY_TREND_STATS,
    // plus the gate, when there is a baseline; and an arrival-rate run that could not start every
    // planned iteration (k6 ran out of VUs: the rate was not held) fails, never a silent pass
    thresholds: mergeThresholds(thresholds, plan.gate.thresholds, plan.gateThroughput ? { dropped_iterations: ['count==0'] } : {}),
  };
}
