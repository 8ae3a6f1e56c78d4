// Turns a named profile plus a scenario's weighted exec functions into k6 `options.scenarios`.
// One k6 scenario per exec function; rates and VUs are split by weight (largest remainder, so the
// split rates add up to exactly the profile's rate).
import type { Scenario } from 'k6/options';
import { PROFILES, PROFILE_NAMES, type Profile, type ProfileName, type ProfileShape, type Stage } from './profiles';

export { PROFILES, PROFILE_NAMES, type ProfileName } from './profiles';

export const LOAD_MODELS = ['arrival-rate', 'vus'] as const;
export type LoadModel = (typeof LOAD_MODELS)[number];

export interface ProfileChoice {
  name: ProfileName;
  /** tpsN only: 'arrival-rate' holds the rate (default); 'vus' uses the seed's VU ramp. */
  model?: LoadModel;
  /** Replaces the profile's steady phase (a k6 duration string). */
  steadyState?: string;
}

/** exec function name → weight (any positive numbers; normalised). */
export type ExecWeights = Record<string, number>;

export function resolveShape(choice: ProfileChoice): ProfileShape {
  const profile: Profile | undefined = PROFILES[choice.name];
  if (!profile) {
    throw new Error(`unknown load profile "${choice.name}": valid profiles are ${PROFILE_NAMES.join(', ')}`);
  }
  const base = (choice.model === 'vus' && profile.vuShape) || profile.shape;
  return choice.steadyState ? withSteadyState(base, choice.steadyState) : base;
}

function withSteadyState(shape: ProfileShape, steady: string): ProfileShape {
  switch (shape.kind) {
    case 'rate':
    case 'vus':
      return { ...shape, duration: steady };
    case 'ramping-rate':
    case 'ramping-vus':
      return { ...shape, stages: shape.stages.map((s: Stage) => (s.steady ? { ...s, duration: steady } : s)) };
  }
}

/** Splits an integer total across weights so the parts add up to the total (largest remainder). */
export function splitByWeight(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i] += 1;
    left -= 1;
  }
  return parts;
}

const share = (total: number, weight: number, sum: number) => Math.max(1, Math.ceil((total * weight) / sum));

const stripSteady = (stages: Stage[]) => stages.map(({ duration, target }) => ({ duration, target }));

export function buildScenarios(choice: ProfileChoice, weights: ExecWeights): Record<string, Scenario> {
  const shape = resolveShape(choice);
  const entries = Object.entries(weights).filter(([, w]) => w > 0);
  if (entries.length === 0) throw new Error('at least one exec function needs a weight above 0');
  const names = entries.map(([name]) => name);
  const ws = entries.map(([, w]) => w);
  const sum = ws.reduce((a, b) => a + b, 0);
  const rates = shape.kind === 'rate' ? splitByWeight(shape.rate, ws) : [];

  const scenarios: Record<string, Scenario> = {};
  names.forEach((exec, i) => {
    const w = ws[i];
    const scaleStages = (stages: Stage[]) => stripSteady(stages).map((s) => ({ ...s, target: s.target === 0 ? 0 : share(s.target, w, sum) }));
    switch (shape.kind) {
      case 'rate':
        scenarios[exec] = {
          executor: 'constant-arrival-rate',
          exec,
          rate: rates[i],
          timeUnit: '1s',
          duration: shape.duration,
          preAllocatedVUs: share(shape.preAllocatedVUs, w, sum),
          maxVUs: share(shape.maxVUs, w, sum),
        };
        break;
      case 'ramping-rate':
        scenarios[exec] = {
          executor: 'ramping-arrival-rate',
          exec,
          startRate: Math.round((shape.startRate * w) / sum),
          timeUnit: '1s',
          preAllocatedVUs: share(shape.preAllocatedVUs, w, sum),
          maxVUs: share(shape.maxVUs, w, sum),
          stages: scaleStages(shape.stages),
        };
        break;
      case 'vus':
        scenarios[exec] = { executor: 'constant-vus', exec, vus: share(shape.vus, w, sum), duration: shape.duration };
        break;
      case 'ramping-vus':
        scenarios[exec] = {
          executor: 'ramping-vus',
          exec,
          startVUs: shape.startVUs === 0 ? 0 : share(shape.startVUs, w, sum),
          stages: scaleStages(shape.stages),
          gracefulRampDown: '10s',
        };
        break;
    }
  });
  return scenarios;
}
