// Reads the load-shaping variables every scenario shares (LOAD_PROFILE, LOAD_MODEL,
// STEADY_STATE_DURATION) and turns them, with a scenario's weighted exec functions, into k6 scenarios.
import type { Scenario } from 'k6/options';
import { duration, oneOf, readConfig } from './config';
import { LOAD_MODELS, PROFILE_NAMES, buildScenarios, type ExecWeights, type ProfileName } from '../profiles/index';

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
  return buildScenarios({ name: load.profile, model: load.model, steadyState: load.steadyState }, weights);
}
