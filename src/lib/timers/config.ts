// The variables of dist/timers.js (seed 001's timer service) and its settings stage.
import { timers } from '../../shared/families/timers';
import { duration, oneOf, secret, str, url, int, type Values } from '../config';
import type { SettingsSpec } from '../settings';
import { TIMER_APIS } from './contracts';

/** SCENARIO: the timer creation rate, or the seed's mixed operations (create → get → update → delete). */
export const TIMER_SCENARIOS = ['create', 'crud'] as const;
export type TimerScenario = (typeof TIMER_SCENARIOS)[number];

export const TIMERS_RULES = {
  TIMER_SERVICE_URL: url('http://127.0.0.1:8080'),
  SCENARIO: oneOf(TIMER_SCENARIOS, 'create'),
  // which contract of ../shared/reference/timers.md: the seed's /groups/{groupId}/timers or /api/v1/timers/*
  TIMER_API: oneOf(TIMER_APIS, 'seed'),
  // the bearer token of every request (a secret)
  API_TOKEN: secret(),
  // the seed's group (contract seed) or namespace (v1) of the timers
  TIMER_GROUP: str('k6', { pattern: /^[A-Za-z0-9_-]{1,64}$/, allowed: 'letters, digits, "_" or "-" (up to 64)' }),
  // how far ahead the timers are due: the seed creates them an hour ahead, so none fires during the run
  TIMER_DELAY: duration('1h'),
  // where the service calls back when a timer fires
  CALLBACK_URL: url('http://127.0.0.1:9/timer-callback'),
  REQUEST_TIMEOUT: int(30_000, { min: 1, max: 600_000 }),
};

export type TimersValues = Values<typeof TIMERS_RULES>;

function problems(c: TimersValues): string[] {
  return c.API_TOKEN ? [] : ['API_TOKEN is not set: give the bearer token of the timer service (-e API_TOKEN=...; the sandbox takes test-token)'];
}

/** The settings stage of dist/timers.js (see readSettings). */
export const TIMERS_SETTINGS = {
  family: timers,
  script: 'timers',
  // seed 001's phases: Artillery's arrival rate 10 → 100/s over 60 s (create), the k6 stages up to 200 VUs (crud)
  defaultProfile: (c: TimersValues) => (c.SCENARIO === 'crud' ? 'crud200' : 'arrival10to100'),
  rules: TIMERS_RULES,
  check: problems,
} satisfies SettingsSpec<typeof TIMERS_RULES>;
