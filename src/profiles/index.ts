// Turns a named profile plus a scenario's weighted exec functions into k6 `options.scenarios`.
// One k6 scenario per exec function; rates and VUs are split by weight (largest remainder, so the
// split rates add up to exactly the profile's rate). `staircase` makes one held level after another
// from the STAIR_* settings: one constant-arrival-rate scenario per level and exec function.
import type { Scenario } from 'k6/options';
import { STAIR_TAG, stairLevels, stairScenarioName, type StairSettings } from '../shared/staircase';
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
  /** The levels of `staircase` (required by it, ignored by the others). */
  stair?: StairSettings;
}

/** exec function name → weight (any positive numbers; normalised). */
export type ExecWeights = Record<string, number>;

export function resolveShape(choice: ProfileChoice): ProfileShape {
  const profile: Profile | undefined = PROFILES[choice.name];
  if (!profile) {
    throw new Error(`unknown load profile "${choice.name}": valid profiles are ${PROFILE_NAMES.join(', ')}`);
  }
  if (profile.shape.kind === 'staircase') {
    if (!choice.stair) throw new Error('the staircase profile needs its levels (STAIR_START, STAIR_STEP, STAIR_TARGET, STAIR_HOLD)');
    return { kind: 'staircase', stair: choice.stair };
  }
  const base = (choice.model === 'vus' && profile.vuShape) || profile.shape;
  return choice.steadyState ? withSteadyState(base, choice.steadyState) : base;
}

/** Whether a profile (with LOAD_MODEL) holds arrival rates (tpsN with arrival-rate, staircase) rather than running VUs. */
export function holdsRate(name: ProfileName, model: LoadModel | undefined): boolean {
  const profile: Profile = PROFILES[name];
  const shape = (model === 'vus' && profile.vuShape) || profile.shape;
  // a staircase with LOAD_MODEL=vus holds VU levels
  return shape.kind === 'rate' || shape.kind === 'ramping-rate' || (shape.kind === 'staircase' && model !== 'vus');
}

function withSteadyState(shape: ProfileShape, steady: string): ProfileShape {
  switch (shape.kind) {
    case 'rate':
    case 'vus':
      return { ...shape, duration: steady };
    case 'ramping-rate':
    case 'ramping-vus':
      return { ...shape, stages: shape.stages.map((s: Stage) => (s.steady ? { ...s, duration: steady } : s)) };
    case 'staircase':
      return shape; // STAIR_HOLD is its steady phase (settings refuse STEADY_STATE_DURATION with it)
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
/**
 * The VUs an arrival-rate part starts with: its share, and at least 2 — with a single VU, any
 * iteration slower than the rate's period (a GC pause, a slow answer) drops the next iteration while k6
 * starts another VU.
 */
const preAllocated = (total: number, weight: number, sum: number) => Math.max(2, share(total, weight, sum));

const stripSteady = (stages: Stage[]) => stages.map(({ duration, target }) => ({ duration, target }));

export function buildScenarios(choice: ProfileChoice, weights: ExecWeights): Record<string, Scenario> {
  const shape = resolveShape(choice);
  const entries = Object.entries(weights).filter(([, w]) => w > 0);
  if (entries.length === 0) throw new Error('at least one exec function needs a weight above 0');
  const names = entries.map(([name]) => name);
  const ws = entries.map(([, w]) => w);
  const sum = ws.reduce((a, b) => a + b, 0);
  if (shape.kind === 'staircase') return staircaseScenarios(shape.stair!, names, ws);
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
          preAllocatedVUs: preAllocated(shape.preAllocatedVUs, w, sum),
          maxVUs: Math.max(2, share(shape.maxVUs, w, sum)),
        };
        break;
      case 'ramping-rate':
        scenarios[exec] = {
          executor: 'ramping-arrival-rate',
          exec,
          startRate: Math.round((shape.startRate * w) / sum),
          timeUnit: '1s',
          preAllocatedVUs: preAllocated(shape.preAllocatedVUs, w, sum),
          maxVUs: Math.max(2, share(shape.maxVUs, w, sum)),
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

/** The longest a level's iterations may run on into the next level before k6 interrupts them. */
const STAIR_GRACE_MS = 10_000;

/**
 * One constant-arrival-rate scenario per level and exec function (`stair<rate>_<exec>`), started one
 * after another (`startTime`), each tagged `stair:<rate>`; with VU levels (LOAD_MODEL=vus) a
 * constant-vus scenario of the level's VUs instead. A level's rate is split by weight like a
 * tpsN profile's; its VUs follow the rate: `rate/10` pre-allocated (iterations of 100 ms) up to `rate`
 * (iterations of 1 s; at least 10), so a level whose iterations take longer than a second on average
 * drops iterations. k6 sizes the VU pool by the most VUs scenarios need at once, so sequential levels
 * share it; the graceful stop (the hold, at most 10 s) lets a level's last iterations finish without
 * overlapping the next level for long.
 */
function staircaseScenarios(stair: StairSettings, names: string[], ws: number[]): Record<string, Scenario> {
  const sum = ws.reduce((a, b) => a + b, 0);
  const scenarios: Record<string, Scenario> = {};
  for (const level of stairLevels(stair)) {
    const timing = { duration: stair.hold, startTime: `${level.startMs}ms`, gracefulStop: `${Math.min(level.holdMs, STAIR_GRACE_MS)}ms` };
    const tags = { [STAIR_TAG]: String(level.rate) };
    if (stair.model === 'vus') {
      // the level's VUs split by weight (an exec function left with none runs no scenario at this level)
      splitByWeight(level.rate, ws).forEach((vus, i) => {
        if (vus > 0) scenarios[stairScenarioName(level, names[i])] = { executor: 'constant-vus', exec: names[i], vus, ...timing, tags };
      });
      continue;
    }
    const rates = splitByWeight(level.rate, ws);
    const preAllocated = Math.max(1, Math.ceil(level.rate / 10));
    const max = Math.max(10, level.rate);
    names.forEach((exec, i) => {
      scenarios[stairScenarioName(level, exec)] = {
        executor: 'constant-arrival-rate',
        exec,
        rate: rates[i],
        timeUnit: '1s',
        ...timing,
        preAllocatedVUs: share(preAllocated, ws[i], sum),
        maxVUs: Math.max(share(max, ws[i], sum), share(preAllocated, ws[i], sum)),
        tags,
      };
    });
  }
  return scenarios;
}
