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
    scenarios: plan.scenarios,
    tags: { script: plan.script.name, run: plan.runName, testid: plan.testId }, // InfluxDB / Grafana pick a run by testid
    summaryTrendStats: SUMMARY_TREND_STATS,
    thresholds: mergeThresholds(thresholds, plan.gate.thresholds), // plus the gate, when there is a baseline
  };
}
