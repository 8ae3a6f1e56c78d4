// Every variable of seed 000's tables, read once per VU with the shared config reader.
import { bool, configErrorMessage, int, num, oneOf, readConfig, secret, str } from '../config';

export const SCENARIOS = ['counter', 'message', 'users', 'mixed', 'batch', 'websocketStress'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const DAY_MS = 86_400_000;

export function readSpacetimeConfig(env?: Record<string, string | undefined>) {
  const c = readConfig(
    {
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
    },
    env,
  );
  if (c.SCENARIO === 'all' && c.COUNTER_WEIGHT + c.MESSAGE_WEIGHT + c.MIXED_WEIGHT <= 0) {
    throw configErrorMessage(['COUNTER_WEIGHT, MESSAGE_WEIGHT and MIXED_WEIGHT are all 0: give at least one a weight above 0, or pick one SCENARIO']);
  }
  const host = c.SPACETIME_HOST.includes(':') && !c.SPACETIME_HOST.startsWith('[') ? `[${c.SPACETIME_HOST}]` : c.SPACETIME_HOST;
  const authority = `${host}:${c.SPACETIME_PORT}`;
  return {
    ...c,
    httpUrl: `${c.SPACETIME_SSL ? 'https' : 'http'}://${authority}`,
    wsUrl: `${c.SPACETIME_SSL ? 'wss' : 'ws'}://${authority}/v1/database/${c.SPACETIME_DATABASE}/subscribe`,
  };
}

export type SpacetimeConfig = ReturnType<typeof readSpacetimeConfig>;
