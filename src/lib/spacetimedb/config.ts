// Every variable of seed 000's tables and the settings stage of dist/spacetimedb.js.
import { spacetimedb } from '../../shared/families/spacetimedb';
import { bool, duration, int, num, oneOf, secret, str, type Values } from '../config';
import { holdsRate, type LoadModel, type ProfileName } from '../../profiles/index';
import type { SettingsSpec } from '../settings';

export const SCENARIOS = ['counter', 'message', 'users', 'mixed', 'batch', 'websocketStress', 'pipeline'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const DAY_MS = 86_400_000;

/** Every variable of seed 000's tables, with the seed's defaults. */
export const SPACETIME_RULES = {
  SPACETIME_HOST: str('localhost', { pattern: /^[A-Za-z0-9.\-:[\]]+$/, allowed: 'a host name or IP address' }),
  SPACETIME_PORT: int(3000, { min: 1, max: 65535 }),
  SPACETIME_DATABASE: str('benchmark', { pattern: /^[A-Za-z0-9_-]+$/, allowed: 'a database name (letters, digits, "_", "-")' }),
  SPACETIME_IDENTITY: str('', { pattern: /^(0x)?[0-9a-fA-F]{64}$/, allowed: 'a 64-digit hex identity' }),
  SPACETIME_TOKEN: secret(),
  SPACETIME_SSL: bool(false),
  USE_WEBSOCKET: bool(true),
  SCENARIO: oneOf([...SCENARIOS, 'all'] as const, 'all'),
  READ_WRITE_RATIO: num(0.7, { min: 0, max: 1 }),
  MESSAGE_SIZE: int(1000, { min: 1, max: 1_000_000 }),
  BATCH_SIZE: int(10, { min: 1, max: 1000 }),
  // SCENARIO=pipeline: calls kept in flight per socket, and how long each iteration's slice lasts
  PIPELINE_DEPTH: int(10, { min: 1, max: 10_000 }),
  PIPELINE_SLICE: duration('1s'),
  // a threshold on latency_ms p(95), in ms (0: none): the latency objective a staircase judges each level by
  LATENCY_P95_MS: int(0, { min: 0, max: 600_000 }),
  COUNTER_WEIGHT: num(0.4, { min: 0 }),
  MESSAGE_WEIGHT: num(0.3, { min: 0 }),
  MIXED_WEIGHT: num(0.3, { min: 0 }),
  // the extension accepts at most a day for each of these
  SPACETIME_CONN_TIMEOUT: int(10_000, { min: 1, max: DAY_MS }),
  SPACETIME_REQ_TIMEOUT: int(30_000, { min: 1, max: DAY_MS }),
  SPACETIME_PING_INTERVAL: int(30_000, { min: 0, max: DAY_MS }),
  SPACETIME_MAX_RETRIES: int(3, { min: 0, max: 100 }),
  SPACETIME_RETRY_DELAY: int(1000, { min: 0, max: DAY_MS }),
  DISCARD_RESPONSE_BODIES: bool(false),
};

export type SpacetimeValues = Values<typeof SPACETIME_RULES>;

/** Problems between the variables (one line each). */
export function spacetimeProblems(c: SpacetimeValues): string[] {
  const problems: string[] = [];
  if (c.SCENARIO === 'all' && c.COUNTER_WEIGHT + c.MESSAGE_WEIGHT + c.MIXED_WEIGHT <= 0) {
    problems.push('COUNTER_WEIGHT, MESSAGE_WEIGHT and MIXED_WEIGHT are all 0: give at least one a weight above 0, or pick one SCENARIO');
  }
  if (c.SCENARIO === 'websocketStress' && !c.USE_WEBSOCKET) {
    problems.push('SCENARIO=websocketStress measures WebSocket connections, so it needs USE_WEBSOCKET=true');
  }
  if (c.SCENARIO === 'pipeline' && !c.USE_WEBSOCKET) {
    problems.push('SCENARIO=pipeline keeps calls in flight on a WebSocket, so it needs USE_WEBSOCKET=true');
  }
  return problems;
}

/**
 * SCENARIO=pipeline holds calls in flight for a slice per iteration: its load is the VUs' sockets, not an
 * arrival rate (an arrival-rate profile would start far more slices than its VUs can run).
 */
function pipelineProfileProblems(c: SpacetimeValues, load: { profile: ProfileName; model?: string; given: boolean }): string[] {
  if (c.SCENARIO !== 'pipeline' || !holdsRate(load.profile, load.model as LoadModel | undefined)) return [];
  return [
    `SCENARIO=pipeline keeps PIPELINE_DEPTH calls in flight per VU, so its load is the VUs, not an arrival rate: LOAD_PROFILE=${load.profile} holds a rate; use LOAD_MODEL=vus (e.g. LOAD_PROFILE=tps100 LOAD_MODEL=vus: 10 VUs; LOAD_PROFILE=staircase LOAD_MODEL=vus: levels of VUs) or a VU profile (smoke, spike)`,
  ];
}

/** The settings stage of dist/spacetimedb.js (see readSettings). */
export const SPACETIME_SETTINGS = {
  family: spacetimedb,
  script: 'spacetimedb',
  // pipeline: one VU by default (its load is the calls in flight, PIPELINE_DEPTH)
  defaultProfile: (c: SpacetimeValues) => (c.SCENARIO === 'pipeline' ? 'smoke' : 'tps500'),
  rules: SPACETIME_RULES,
  check: (c, _cwd, load) => [...spacetimeProblems(c), ...pipelineProfileProblems(c, load)],
} satisfies SettingsSpec<typeof SPACETIME_RULES>;

/** The server's HTTP base URL and the database's WebSocket subscribe URL. */
export function spacetimeUrls(c: SpacetimeValues): { httpUrl: string; wsUrl: string } {
  const host = c.SPACETIME_HOST.includes(':') && !c.SPACETIME_HOST.startsWith('[') ? `[${c.SPACETIME_HOST}]` : c.SPACETIME_HOST;
  const authority = `${host}:${c.SPACETIME_PORT}`;
  return {
    httpUrl: `${c.SPACETIME_SSL ? 'https' : 'http'}://${authority}`,
    wsUrl: `${c.SPACETIME_SSL ? 'wss' : 'ws'}://${authority}/v1/database/${c.SPACETIME_DATABASE}/subscribe`,
  };
}
