// Seed 001's timer service against either contract of ../shared/reference/timers.md (TIMER_API=seed|v1):
// - SCENARIO=create: the timer creation rate (the seed's Artillery phase, arrival rate 10 → 100/s over
//   60 s, unless LOAD_PROFILE);
// - crud: its mixed operations, create → get → update → delete (the seed's stages up to 200 VUs);
// - execution: timers due EXECUTION_DELAY ahead, whose callbacks the k6/x/timercallbacks receiver takes
//   inside this k6 process: timer_callback_latency_ms = arrival − executeAt; a callback not arrived by
//   executeAt + CALLBACK_GRACE is lost (the run fails), a second arrival a duplicate;
// - mix: the three by TIMER_MIX weights, each its own scenario.
// Timer ids are unique across VUs, k6 instances and runs: `<run key>-<VU>-<iteration>`, the run key
// random per setup(). setup() checks that the service answers and takes the token before any load.
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { cancel as cancelCallback, expect as expectCallback, listen, settle, stats as callbackStats } from 'k6/x/timercallbacks';
import { buildOptions } from '../lib/options';
import { planRun } from '../lib/run-plan';
import { readSettings } from '../lib/settings';
import { createSetup } from '../lib/setup';
import { createSummaryHook } from '../lib/summary';
import { TimersClient, timerFailureCauses } from '../lib/timers/client';
import { DISCARD_CALLBACK_URL, TIMERS_SETTINGS, receivesCallbacks, timerMix, type TimerFlow } from '../lib/timers/config';
import { timerRequest } from '../lib/timers/contracts';
import { parseDurationMs } from '../shared/format';
import { flowAt } from '../shared/mix';

const settings = readSettings(TIMERS_SETTINGS);
const cfg = settings.own;
const EXEC: Record<TimerFlow, string> = { create: 'createTimer', crud: 'timerCrud', execution: 'timerExecution' };
const mix = cfg.SCENARIO === 'mix' ? timerMix(cfg, settings.results.cwd).weights : undefined;
const listening = receivesCallbacks(cfg, settings.results.cwd);
const delayMs = parseDurationMs(cfg.TIMER_DELAY) ?? 3_600_000;
const executionDelayMs = parseDurationMs(cfg.EXECUTION_DELAY) ?? 3000;
const graceMs = parseDurationMs(cfg.CALLBACK_GRACE) ?? 10_000;
/** How long teardown waits for the last callbacks: the last timer is due EXECUTION_DELAY after the load, then its grace. */
const settleMs = executionDelayMs + graceMs + 5000;

const weights = mix ? Object.fromEntries(Object.entries(mix).map(([flow, w]) => [EXEC[flow as TimerFlow], w])) : { [EXEC[cfg.SCENARIO as TimerFlow]]: 1 };
const workload = mix
  ? `mix ${Object.entries(mix)
      .map(([f, w]) => `${f}:${w}`)
      .join(',')}`
  : cfg.SCENARIO;
const meta = { target: cfg.TIMER_SERVICE_URL, workload, api: cfg.TIMER_API, ...(cfg.TIMER_BACKEND ? { database: cfg.TIMER_BACKEND } : {}) };
const plan = planRun(settings, weights, meta, {
  endChecks,
  // the first distinct causes of failed requests, with the service's own words
  failures: timerFailureCauses,
  ...(listening
    ? {
        throughputUngated:
          "the run's duration includes teardown's wait for the last callbacks, so k6's rate reads lower than the load phase's (and lower still when the service fires late); the callback latency, the callbacks received and none lost are judged",
      }
    : {}),
});

export const options = buildOptions(
  plan,
  { transaction_success_rate: ['rate>0.99'], transactions_total: ['count>0'] },
  listening ? { teardownTimeout: `${settleMs + 60_000}ms` } : {},
  // nothing lost: every callback of a timer the service accepted arrives by executeAt + CALLBACK_GRACE
  listening ? { timer_callbacks_lost_total: ['count==0'] } : {},
);

/** setup()'s answer: the run's key (the first part of every timer id) and where the timers call back. */
interface Run {
  runKey: string;
  callbackUrl: string;
}

export const setup = createSetup(plan, (): Run => {
  // the service must answer and take the token: one get of a timer that does not exist (404 expected)
  const req = timerRequest(cfg.TIMER_API, 'get', cfg.TIMER_GROUP, { id: `k6-probe-${Date.now()}` });
  const res = http.request(req.method, `${cfg.TIMER_SERVICE_URL}${req.path}`, req.body, {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${cfg.API_TOKEN}` },
    timeout: `${cfg.REQUEST_TIMEOUT}ms`,
    tags: { name: 'setup' },
    // the probe's 404 is the expected answer, not a failed request in http_req_failed
    responseCallback: http.expectedStatuses(200, 404),
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
  return { runKey: Math.floor(Math.random() * 2 ** 48).toString(36), callbackUrl: listening ? startReceiver() : cfg.CALLBACK_URL || DISCARD_CALLBACK_URL };
});

/** Starts the callback receiver; its URL, or CALLBACK_URL (the address a remote service reaches it at). */
function startReceiver(): string {
  try {
    const receiver = listen({ address: cfg.CALLBACK_LISTEN, graceMs });
    console.log(`timers: callbacks received at ${receiver.address}${cfg.CALLBACK_URL ? ` (the service calls ${cfg.CALLBACK_URL})` : ''}`);
    return cfg.CALLBACK_URL || receiver.url;
  } catch (error) {
    exec.test.abort(`timers setup: ${String(error).replace(/^(GoError|Error): /, '')}`);
    throw error;
  }
}

let client: TimersClient | undefined;
const timersClient = () => {
  client ??= new TimersClient(cfg.TIMER_SERVICE_URL, cfg.TIMER_API, cfg.TIMER_GROUP, cfg.API_TOKEN, cfg.REQUEST_TIMEOUT);
  return client;
};
const isOk = { 'timer operation succeeded': (r: { ok: boolean }) => r.ok };

/** A new timer: unique id, due `aheadMs` from now. */
function newTimer(run: Run, aheadMs: number) {
  const vu = exec.vu; // one lookup: exec.vu builds a new object on every access
  const dueAt = Date.now() + aheadMs;
  return {
    id: `${run.runKey}-${vu.idInTest}-${vu.iterationInInstance}`,
    dueAt,
    executeAt: new Date(dueAt).toISOString(),
    callbackUrl: run.callbackUrl,
    payload: { source: 'k6', vu: vu.idInTest },
  };
}

/** SCENARIO=create: one timer per iteration, due TIMER_DELAY ahead. */
export function createTimer(run: Run): void {
  check(timersClient().run('create', newTimer(run, delayMs)), isOk);
}

/** SCENARIO=crud: the seed's mixed operations — create, get, update (due later still), delete. */
export function timerCrud(run: Run): void {
  const c = timersClient();
  const timer = newTimer(run, delayMs);
  const created = c.run('create', timer);
  check(created, isOk);
  if (!created.ok) return;
  check(c.run('get', timer), isOk);
  check(c.run('update', { id: timer.id, executeAt: new Date(Date.now() + 2 * delayMs).toISOString() }), isOk);
  check(c.run('delete', timer), isOk);
}

/**
 * SCENARIO=execution: one timer due EXECUTION_DELAY ahead, its callback announced to the receiver
 * first (a fast service could call back before create answers); withdrawn when create failed.
 */
export function timerExecution(run: Run): void {
  const timer = newTimer(run, executionDelayMs);
  expectCallback(timer.id, timer.dueAt);
  const created = timersClient().run('create', timer);
  if (!created.ok) cancelCallback(timer.id);
  check(created, isOk);
}

const FLOW: Record<TimerFlow, (run: Run) => void> = { create: createTimer, crud: timerCrud, execution: timerExecution };

/** `k6 run --vus N --duration D` replaces the profile with k6's default scenario: the selected one (the mix: a flow by weight per iteration). */
export default function (run: Run): void {
  FLOW[mix ? flowAt(mix, Math.random() * 100) : (cfg.SCENARIO as TimerFlow)](run);
}

/** After the load: waits for the callbacks still due (each arrives, or is lost at executeAt + CALLBACK_GRACE). */
export function teardown(): void {
  if (!listening) return;
  const s = settle(settleMs);
  console.log(
    `timers: callbacks of ${s.expected} timers: ${s.received} received, ${s.lost} lost, ${s.duplicate} duplicate, ${s.unexpected} unexpected${s.pending ? `, ${s.pending} still pending` : ''}`,
  );
}

/** The summary's view of the callbacks: a lost one fails the run (and it is never a baseline). */
function endChecks(): { failed: string[]; unjudged: string[]; notes: string[] } {
  const s = callbackStats();
  // no receiver, or setup() stopped before it listened: nothing to judge
  if (!listening || s.expected + s.unexpected === 0) return { failed: [], unjudged: [], notes: [] };
  const failed = s.lost > 0 ? [`${s.lost} of ${s.expected} timer callbacks lost: not received by executeAt + CALLBACK_GRACE (${cfg.CALLBACK_GRACE})`] : [];
  const unjudged = s.pending > 0 ? [`${s.pending} timer callbacks were still pending when teardown stopped waiting`] : [];
  const notes = [
    `callbacks: ${s.received} of ${s.expected} received${s.duplicate ? `, ${s.duplicate} duplicate (at-least-once delivery)` : ''}${s.unexpected ? `, ${s.unexpected} unexpected (not this run's timers, or unreadable)` : ''}${s.late ? `, ${s.late} arrived after being counted lost` : ''}`,
  ];
  return { failed, unjudged, notes };
}

export const handleSummary = createSummaryHook(plan);
