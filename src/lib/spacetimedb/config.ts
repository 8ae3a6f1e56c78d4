// Every variable of seed 000's tables and the settings stage of dist/spacetimedb.js.
import { spacetimedb } from '../../shared/families/spacetimedb';
import { bool, int, num, oneOf, secret, str, type Values } from '../config';
import type { SettingsSpec } from '../settings';

export const SCENARIOS = ['counter', 'message', 'users', 'mixed', 'batch', 'websocketStress'] as const;
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
  return problems;
}

/** The settings stage of dist/spacetimedb.js (see readSettings). */
export const SPACETIME_SETTINGS = {
  family: spacetimedb,
  script: 'spacetimedb',
  defaultProfile: 'tps500',
  rules: SPACETIME_RULES,
  check: spacetimeProblems,
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
