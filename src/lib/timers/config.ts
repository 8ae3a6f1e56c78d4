// The variables of dist/timers.js (seed 001's timer service) and its settings stage.
import { timers } from '../../shared/families/timers';
import { isMixFile, parseMix } from '../../shared/mix';
import { duration, int, oneOf, parseDurationMs, secret, str, url, type Values } from '../config';
import { readJsonFile } from '../files';
import type { SettingsSpec } from '../settings';
import { TIMER_APIS } from './contracts';

/**
 * SCENARIO: the timer creation rate, the seed's mixed operations (create → get → update → delete), the
 * execution of timers due a few seconds ahead (callbacks received by k6/x/timercallbacks), or the
 * weighted mix of the three (TIMER_MIX).
 */
export const TIMER_SCENARIOS = ['create', 'crud', 'execution', 'mix'] as const;
export type TimerScenario = (typeof TIMER_SCENARIOS)[number];

/** The family manifest's script each SCENARIO runs as. */
const SCRIPT_OF: Record<TimerScenario, string> = { create: 'timers', crud: 'timer-crud', execution: 'timer-execution', mix: 'timer-mix' };

/** The flows of TIMER_MIX. */
export const TIMER_FLOWS = ['create', 'crud', 'execution'] as const;
export type TimerFlow = (typeof TIMER_FLOWS)[number];
export const DEFAULT_TIMER_MIX = 'create:50,crud:30,execution:20';

/** Where create/crud timers call back when CALLBACK_URL is unset: the discard port (they are due an hour after the run). */
export const DISCARD_CALLBACK_URL = 'http://127.0.0.1:9/timer-callback';

/** The service refuses timers due less than this ahead (reference: "Minimum timer delay 1 s"). */
const MIN_DELAY_MS = 1000;
/** The receiver's longest grace (k6/x/timercallbacks: listen({ graceMs }) up to 3600000). */
const MAX_GRACE_MS = 3_600_000;

export const TIMERS_RULES = {
  TIMER_SERVICE_URL: url('http://127.0.0.1:8080'),
  SCENARIO: oneOf(TIMER_SCENARIOS, 'create'),
  // which contract of ../shared/reference/timers.md: the seed's /groups/{groupId}/timers or /api/v1/timers/*
  TIMER_API: oneOf(TIMER_APIS, 'seed'),
  // the bearer token of every request (a secret)
  API_TOKEN: secret(),
  // the seed's group (contract seed) or namespace (v1) of the timers
  TIMER_GROUP: str('k6', { pattern: /^[A-Za-z0-9_-]{1,64}$/, allowed: 'letters, digits, "_" or "-" (up to 64)' }),
  // create/crud: how far ahead the timers are due; the seed creates them an hour ahead, so none fires during the run
  TIMER_DELAY: duration('1h'),
  // execution: how far ahead its timers are due (at least 1s, the service's minimum)
  EXECUTION_DELAY: duration('3s'),
  // SCENARIO=mix: flow:weight pairs (create, crud, execution) or a JSON file of them
  TIMER_MIX: str(''),
  // where the receiver listens (host:port; port 0 = any free port); 0.0.0.0:<port> for a remote service
  CALLBACK_LISTEN: str('127.0.0.1:0', { pattern: /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, allowed: 'host:port, e.g. 127.0.0.1:0 or 0.0.0.0:9000' }),
  // the URL the service calls back: unset = the receiver's own (execution) or the discard port (create/crud);
  // set it to the address the service reaches this k6 host at when the service is remote
  CALLBACK_URL: url(''),
  // a callback not arrived by executeAt + CALLBACK_GRACE is counted lost
  CALLBACK_GRACE: duration('10s', { allowZero: true }),
  REQUEST_TIMEOUT: int(30_000, { min: 1, max: 600_000 }),
  // the storage behind the service (postgres, memory, cassandra...): a label for k6-suite compare, the
  // history's database_type, and which baseline a run is judged against
  TIMER_BACKEND: str('', { pattern: /^[A-Za-z0-9_.-]{1,50}$/, allowed: 'a label of letters, digits, ".", "_" or "-" (up to 50), e.g. postgres' }),
};

export type TimersValues = Values<typeof TIMERS_RULES>;

/** TIMER_MIX's weights (SCENARIO=mix), read in init: inline or from its JSON file, else DEFAULT_TIMER_MIX. */
export function timerMix(c: TimersValues, cwd: string | undefined): { weights: Partial<Record<TimerFlow, number>>; problems: string[] } {
  const spec = c.TIMER_MIX || DEFAULT_TIMER_MIX;
  if (!isMixFile(spec)) return parseMix(spec, TIMER_FLOWS, 'TIMER_MIX');
  const data = readJsonFile(spec, 'TIMER_MIX', cwd);
  if (data === undefined) return { weights: {}, problems: [`TIMER_MIX=${spec} does not exist: give an existing JSON file or flow:weight pairs`] };
  return parseMix(data, TIMER_FLOWS, `TIMER_MIX (${spec})`);
}

/** Whether the run creates timers that fire during it (and so listens for their callbacks). */
export function receivesCallbacks(c: TimersValues, cwd: string | undefined): boolean {
  return c.SCENARIO === 'execution' || (c.SCENARIO === 'mix' && (timerMix(c, cwd).weights.execution ?? 0) > 0);
}

function problems(c: TimersValues, cwd: string | undefined): string[] {
  const out: string[] = [];
  if (!c.API_TOKEN) out.push('API_TOKEN is not set: give the bearer token of the timer service (-e API_TOKEN=...; the sandbox takes test-token)');
  for (const name of ['TIMER_DELAY', 'EXECUTION_DELAY'] as const) {
    if ((parseDurationMs(c[name]) ?? 0) < MIN_DELAY_MS) out.push(`${name}=${c[name]} is under the service's minimum timer delay of 1s: give 1s or more`);
  }
  if ((parseDurationMs(c.CALLBACK_GRACE) ?? 0) > MAX_GRACE_MS)
    out.push(`CALLBACK_GRACE=${c.CALLBACK_GRACE} is over the receiver's limit of 1h: give 1h or less`);
  const port = Number(/:(\d+)$/.exec(c.CALLBACK_LISTEN)?.[1]);
  if (port > 65535) out.push(`CALLBACK_LISTEN=${c.CALLBACK_LISTEN} has no valid port (0-65535; 0 = any free port)`);
  if (c.TIMER_MIX && c.SCENARIO !== 'mix') out.push(`TIMER_MIX is given but SCENARIO=${c.SCENARIO}: set SCENARIO=mix to run the mix, or unset TIMER_MIX`);
  if (c.SCENARIO === 'mix') out.push(...timerMix(c, cwd).problems);
  return out;
}

/** The settings stage of dist/timers.js (see readSettings). */
export const TIMERS_SETTINGS = {
  family: timers,
  // the manifest's script of the SCENARIO (each its own results and baseline): timers (create), timer-crud,
  // timer-execution (gated on the callback latency), timer-mix
  script: (c: TimersValues) => SCRIPT_OF[c.SCENARIO],
  // seed 001's phases: Artillery's arrival rate 10 → 100/s over 60 s (create, execution, mix), the k6 stages up to 200 VUs (crud)
  defaultProfile: (c: TimersValues) => (c.SCENARIO === 'crud' ? 'crud200' : 'arrival10to100'),
  rules: TIMERS_RULES,
  check: problems,
} satisfies SettingsSpec<typeof TIMERS_RULES>;
