// The load profiles of seed 000, as data. Unlike the seed (whose tpsN profiles only ramp VUs), every
// tpsN profile holds N iterations per second with an arrival-rate executor; VUs are pre-allocated from
// the seed's VU column. LOAD_MODEL=vus restores the seed's VU-ramping shapes for tpsN.
// Each profile marks one stage as the steady phase, which STEADY_STATE_DURATION replaces.
// `staircase` takes its levels from the STAIR_* settings instead (src/shared/staircase.ts).
import type { StairSettings } from '../shared/staircase';

export interface Stage {
  duration: string;
  target: number;
  /** The hold phase that STEADY_STATE_DURATION overrides. */
  steady?: boolean;
}

export type ProfileShape =
  | { kind: 'rate'; rate: number; preAllocatedVUs: number; maxVUs: number; duration: string }
  | { kind: 'ramping-rate'; startRate: number; preAllocatedVUs: number; maxVUs: number; stages: Stage[] }
  | { kind: 'vus'; vus: number; duration: string }
  | { kind: 'ramping-vus'; startVUs: number; stages: Stage[] }
  /** One held constant-arrival-rate level after another; the levels come from the STAIR_* settings (src/shared/staircase.ts). */
  | { kind: 'staircase'; stair?: StairSettings };

export interface Profile {
  description: string;
  shape: ProfileShape;
  /** The seed's VU-based shape, used when LOAD_MODEL=vus (tpsN only). */
  vuShape?: ProfileShape;
}

/** Seed 000's tpsN table: rate per second → VUs. */
const TPS_VUS = { 100: 10, 200: 20, 500: 50, 1000: 100, 2000: 200, 5000: 500 } as const;

function tps(rate: keyof typeof TPS_VUS): Profile {
  const vus = TPS_VUS[rate];
  return {
    description: `holds ${rate} iterations/s (constant-arrival-rate, ${vus} VUs pre-allocated, up to ${vus * 4})`,
    shape: { kind: 'rate', rate, preAllocatedVUs: vus, maxVUs: vus * 4, duration: '1m' },
    vuShape: rampHoldDown(vus, '30s', '1m', '30s'),
  };
}

/** Ramp from 0 to `vus`, hold (the steady phase), ramp down: a ramping-vus shape. */
function rampHoldDown(vus: number, ramp: string, hold: string, down: string): ProfileShape {
  return {
    kind: 'ramping-vus',
    startVUs: 0,
    stages: [
      { duration: ramp, target: vus },
      { duration: hold, target: vus, steady: true },
      { duration: down, target: 0 },
    ],
  };
}

export const PROFILES = {
  smoke: {
    description: '1 VU for 10s: does the script work at all',
    shape: { kind: 'vus', vus: 1, duration: '10s' },
  },
  tps100: tps(100),
  tps200: tps(200),
  tps500: tps(500),
  tps1000: tps(1000),
  tps2000: tps(2000),
  tps5000: tps(5000),
  spike: {
    description: '10 VUs, a sudden jump to 200 VUs held for 1m, back to 10 (ramping-vus)',
    shape: {
      kind: 'ramping-vus',
      startVUs: 10,
      stages: [
        { duration: '30s', target: 10 },
        { duration: '10s', target: 200 },
        { duration: '1m', target: 200, steady: true },
        { duration: '10s', target: 10 },
        { duration: '30s', target: 10 },
        { duration: '10s', target: 0 },
      ],
    },
  },
  rampUp: {
    description: 'gradual increase from 50 to 500 VUs, held at 500 (ramping-vus)',
    shape: {
      kind: 'ramping-vus',
      startVUs: 50,
      stages: [
        { duration: '1m', target: 100 },
        { duration: '1m', target: 250 },
        { duration: '1m', target: 500 },
        { duration: '2m', target: 500, steady: true },
        { duration: '30s', target: 0 },
      ],
    },
  },
  soak: {
    description: '50 VUs held for 30m to find leaks and drift (ramping-vus)',
    shape: rampHoldDown(50, '1m', '30m', '1m'),
  },
  stress: {
    description: 'steps from 100 to 1000 VUs to find the breaking point (ramping-vus)',
    shape: {
      kind: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '1m', target: 100 },
        { duration: '2m', target: 250 },
        { duration: '2m', target: 500 },
        { duration: '2m', target: 1000, steady: true },
        { duration: '1m', target: 0 },
      ],
    },
  },
  burst: {
    description: 'periodic bursts: 20 VUs with three 30s bursts to 200 VUs (ramping-vus)',
    shape: {
      kind: 'ramping-vus',
      startVUs: 20,
      stages: [
        { duration: '30s', target: 20, steady: true },
        { duration: '5s', target: 200 },
        { duration: '30s', target: 200 },
        { duration: '5s', target: 20 },
        { duration: '30s', target: 20 },
        { duration: '5s', target: 200 },
        { duration: '30s', target: 200 },
        { duration: '5s', target: 20 },
        { duration: '30s', target: 20 },
        { duration: '5s', target: 200 },
        { duration: '30s', target: 200 },
        { duration: '5s', target: 0 },
      ],
    },
  },
  mixed: {
    description: '60 VUs for 5m across every exec function of the scenario, by weight (constant-vus)',
    shape: { kind: 'vus', vus: 60, duration: '5m' },
  },
  arrival10to100: {
    description: "seed 001's Artillery phase: arrival rate 10 → 100 iterations/s over 60s (ramping-arrival-rate)",
    shape: { kind: 'ramping-rate', startRate: 10, preAllocatedVUs: 10, maxVUs: 100, stages: [{ duration: '60s', target: 100, steady: true }] },
  },
  crud200: {
    description: "seed 001's mixed-operations stages: 2m to 100 VUs, 5m hold, 2m to 200, 5m hold, 2m down (ramping-vus)",
    shape: {
      kind: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '2m', target: 100 },
        { duration: '5m', target: 100 },
        { duration: '2m', target: 200 },
        { duration: '5m', target: 200, steady: true },
        { duration: '2m', target: 0 },
      ],
    },
  },
  ramp25: {
    description: "seed 003's loadtest stages: 10s ramp to 25 VUs, 10s hold, 10s down (ramping-vus)",
    shape: rampHoldDown(25, '10s', '10s', '10s'),
  },
  staircase: {
    description:
      'capacity search: holds STAIR_START, STAIR_START+STAIR_STEP, ... up to STAIR_TARGET iterations/s for STAIR_HOLD each (constant-arrival-rate per level)',
    shape: { kind: 'staircase' },
  },
} satisfies Record<string, Profile>;

export type ProfileName = keyof typeof PROFILES;
export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];
