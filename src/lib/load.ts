// Reads the load-shaping variables every scenario shares (LOAD_PROFILE, LOAD_MODEL,
// STEADY_STATE_DURATION) and turns them, with a scenario's weighted exec functions, into k6 scenarios.
import type { Scenario } from 'k6/options';
import { configErrorMessage, duration, oneOf, readConfig } from './config';
import { LOAD_MODELS, PROFILE_NAMES, buildScenarios, resolveShape, type ExecWeights, type ProfileName } from '../profiles/index';

export function readLoadConfig(defaultProfile: ProfileName) {
  const cfg = readConfig({
    LOAD_PROFILE: oneOf(PROFILE_NAMES, defaultProfile),
    LOAD_MODEL: oneOf(LOAD_MODELS, 'arrival-rate'),
    STEADY_STATE_DURATION: duration(''),
  });
  return { profile: cfg.LOAD_PROFILE, model: cfg.LOAD_MODEL, steadyState: cfg.STEADY_STATE_DURATION || undefined };
}

export type LoadConfig = ReturnType<typeof readLoadConfig>;

export function loadScenarios(load: LoadConfig, weights: ExecWeights): Record<string, Scenario> {
  const scenarios = buildScenarios({ name: load.profile, model: load.model, steadyState: load.steadyState }, weights);
  // a weight too small for the profile's rate gives a rate of 0, which k6 would refuse without naming why
  const starved = Object.entries(scenarios).filter(([, s]) => 'rate' in s && s.rate === 0).map(([name]) => name);
  if (starved.length > 0) {
    throw configErrorMessage([
      `under LOAD_PROFILE=${load.profile} the weights leave ${starved.join(', ')} with less than 1 iteration/s: raise its weight, set it to 0, or choose a higher tpsN`,
    ]);
  }
  return scenarios;
}

/** Whether the profile holds a rate (open model): only then is throughput a result to gate on. */
export function isArrivalRate(load: LoadConfig): boolean {
  const kind = resolveShape({ name: load.profile, model: load.model, steadyState: load.steadyState }).kind;
  return kind === 'rate' || kind === 'ramping-rate';
}
