// Seed 001's timer service: the timer creation rate (SCENARIO=create; the seed's Artillery phase, arrival
// rate 10 → 100/s over 60 s, unless LOAD_PROFILE) and its mixed operations (SCENARIO=crud: create → get →
// update → delete; the seed's stages up to 200 VUs), against either contract of
// ../shared/reference/timers.md (TIMER_API=seed|v1). Timer ids are unique across VUs, k6 instances and
// runs: `<run key>-<VU>-<iteration>`, the run key random per setup(). setup() checks that the service
// answers and takes the token before any load.
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { createSetup } from '../lib/setup';
import { buildOptions } from '../lib/options';
import { planRun } from '../lib/run-plan';
import { readSettings } from '../lib/settings';
import { createSummaryHook } from '../lib/summary';
import { TimersClient } from '../lib/timers/client';
import { TIMERS_SETTINGS } from '../lib/timers/config';
import { timerRequest } from '../lib/timers/contracts';
import { parseDurationMs } from '../shared/format';

const settings = readSettings(TIMERS_SETTINGS);
const cfg = settings.own;
const EXEC = { create: 'createTimer', crud: 'timerCrud' } as const;
const plan = planRun(settings, { [EXEC[cfg.SCENARIO]]: 1 }, { target: cfg.TIMER_SERVICE_URL, workload: cfg.SCENARIO, api: cfg.TIMER_API });

export const options = buildOptions(plan, {
  transaction_success_rate: ['rate>0.99'],
  transactions_total: ['count>0'],
});

/** setup()'s answer: the run's key, the first part of every timer id. */
interface Run {
  runKey: string;
}

export const setup = createSetup(plan, (): Run => {
  // the service must answer and take the token: one get of a timer that does not exist (404 expected)
  const req = timerRequest(cfg.TIMER_API, 'get', cfg.TIMER_GROUP, { id: `k6-probe-${Date.now()}` });
  const res = http.request(req.method, `${cfg.TIMER_SERVICE_URL}${req.path}`, req.body, {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${cfg.API_TOKEN}` },
    timeout: `${cfg.REQUEST_TIMEOUT}ms`,
    tags: { name: 'setup' },
  });
  if (res.status === 0)
    exec.test.abort(
      `timers setup: the service at TIMER_SERVICE_URL=${cfg.TIMER_SERVICE_URL} does not answer (${res.error}): start it or fix TIMER_SERVICE_URL`,
    );
  if (res.status === 401 || res.status === 403) exec.test.abort(`timers setup: the service refused API_TOKEN (${res.status}): give its bearer token`);
  if (res.status !== 404 && res.status !== 200) {
    exec.test.abort(
      `timers setup: ${req.method} ${req.path} answered ${res.status}: is TIMER_SERVICE_URL a timer service of contract TIMER_API=${cfg.TIMER_API}?`,
    );
  }
  return { runKey: Math.floor(Math.random() * 2 ** 48).toString(36) };
});

let client: TimersClient | undefined;
const timersClient = () => {
  client ??= new TimersClient(cfg.TIMER_SERVICE_URL, cfg.TIMER_API, cfg.TIMER_GROUP, cfg.API_TOKEN, cfg.REQUEST_TIMEOUT);
  return client;
};
const delayMs = parseDurationMs(cfg.TIMER_DELAY) ?? 3_600_000;
const isOk = { 'timer operation succeeded': (r: { ok: boolean }) => r.ok };

/** A new timer: unique id, due TIMER_DELAY from now. */
function newTimer(run: Run) {
  const vu = exec.vu; // one lookup: exec.vu builds a new object on every access
  return {
    id: `${run.runKey}-${vu.idInTest}-${vu.iterationInInstance}`,
    executeAt: new Date(Date.now() + delayMs).toISOString(),
    callbackUrl: cfg.CALLBACK_URL,
    payload: { source: 'k6', vu: vu.idInTest },
  };
}

/** SCENARIO=create: one timer per iteration. */
export function createTimer(run: Run): void {
  check(timersClient().run('create', newTimer(run)), isOk);
}

/** SCENARIO=crud: the seed's mixed operations — create, get, update (due an hour later), delete. */
export function timerCrud(run: Run): void {
  const c = timersClient();
  const timer = newTimer(run);
  const created = c.run('create', timer);
  check(created, isOk);
  if (!created.ok) return;
  check(c.run('get', timer), isOk);
  check(c.run('update', { id: timer.id, executeAt: new Date(Date.now() + 2 * delayMs).toISOString() }), isOk);
  check(c.run('delete', timer), isOk);
}

/** `k6 run --vus N --duration D` replaces the profile with k6's default scenario: run the selected one. */
export default function (run: Run): void {
  (cfg.SCENARIO === 'crud' ? timerCrud : createTimer)(run);
}

export const handleSummary = createSummaryHook(plan);
