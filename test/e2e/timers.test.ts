// The timers family with the real k6 against the reference timer service (tools/sandbox/timers):
// exact accounting (timers created == the service's count), both contracts' CRUD, a service that does
// not answer or refuses the token stops setup (108), and the token reaches no output; SCENARIO=execution
// with the callbacks received inside k6 (k6/x/timercallbacks): received == fired == created, the
// service's lateness in the callback latency, duplicates and lost callbacks counted exactly.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runK6 } from '../../tools/k6.ts';
import { compareTable } from '../../tools/cli/main.ts';
import { historyRecord } from '../../tools/history/record.ts';
import { startTimersSandbox } from '../../tools/sandbox/timers/index.ts';
import { startPostgres } from '../support/postgres.ts';
import { count, readResult, scratchDir } from '../support/results.ts';

const TOKEN = 'timer-token-secret-value';
let sandbox: Awaited<ReturnType<typeof startTimersSandbox>>;
let results: ReturnType<typeof scratchDir>;

beforeAll(async () => {
  sandbox = await startTimersSandbox({ token: TOKEN });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  results?.remove();
  results = scratchDir('k6-timers-');
  sandbox.reset();
});

const timers = (env: Record<string, string>, target = sandbox) =>
  runK6({
    script: 'dist/timers.js',
    env: {
      TIMER_SERVICE_URL: target.url,
      API_TOKEN: TOKEN,
      RESULTS_DIR: results.dir,
      RUN_NAME: 't',
      LOAD_PROFILE: 'tps100',
      STEADY_STATE_DURATION: '2s',
      ...env,
    },
    args: ['--quiet'],
  });

describe('dist/timers.js against the reference timer service', () => {
  it('create: every timer k6 counted as created is in the service, exactly', async () => {
    const out = await timers({ SCENARIO: 'create' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const result = readResult(join(results.dir, 't_timers.json'));
    const created = count(result, 'transactions_total');
    expect(created).toBeGreaterThan(150);
    expect(sandbox.counts().created).toBe(created);
    expect(sandbox.counts().pending).toBe(created);
    expect(result.meta).toMatchObject({ workload: 'create', api: 'seed' });
  });

  it.each(['seed', 'v1'])('crud under the %s contract: one create, get, update and delete per iteration, counted on both sides', async (api) => {
    const out = await timers({ SCENARIO: 'crud', TIMER_API: api });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const result = readResult(join(results.dir, 't_timer-crud.json'));
    const iterations = count(result, 'iterations');
    expect(iterations).toBeGreaterThan(150);
    const c = sandbox.counts();
    expect([c.created, c.updated, c.deleted, c.pending]).toEqual([iterations, iterations, iterations, 0]);
    expect(count(result, 'transactions_total')).toBe(4 * iterations);
    expect(result.metrics.checks.values.rate).toBe(1);
  });

  it('a service that does not answer or refuses the token stops setup (108) with the fix; no timer is made', async () => {
    const down = await timers({ TIMER_SERVICE_URL: 'http://127.0.0.1:1' });
    expect(down.exitCode).toBe(108);
    expect(down.stderr).toContain('timers setup: the service at TIMER_SERVICE_URL=http://127.0.0.1:1 does not answer');
    const refused = await timers({ API_TOKEN: 'wrong-token-value' });
    expect(refused.exitCode).toBe(108);
    expect(refused.stderr).toContain('timers setup: the service refused API_TOKEN (401)');
    expect(`${refused.stdout}${refused.stderr}`).not.toContain('wrong-token-value');
    expect(sandbox.counts().created).toBe(0);
    const unset = await timers({ API_TOKEN: '' });
    expect(unset.exitCode).toBe(107);
    expect(unset.stderr).toContain('API_TOKEN is not set');
  });

  it('a service refusing the creates: FAILED with its own words, kept as the candidate, never the baseline', async () => {
    try {
      const run = timers({ SCENARIO: 'create', RUN_NAME: 'baseline' });
      // setup's probe must pass (else 108): the faults start once the service has answered it
      while (Object.values(sandbox.counts().requests).reduce((a, b) => a + b, 0) === 0) await new Promise((r) => setTimeout(r, 2));
      sandbox.setFaults({ failureRate: 1 });
      const out = await run;
      expect(out.exitCode).toBe(99);
      // FAILED; or, when the busy 2-core machine starved the generator, an honest INCONCLUSIVE (never a pass)
      expect(out.stdout).toMatch(/VERDICT: (FAILED: threshold failed: transaction_success_rate rate>0\.99|INCONCLUSIVE: the load generator was starved)/);
      expect(out.stdout).toMatch(/timer_create × \d+: status 500 \(INTERNAL_ERROR: An unexpected error occurred\)/);
      expect(readdirSync(results.dir)).not.toContain('baseline_timers.json');
      const result = readResult(join(results.dir, 'candidate_timers.json'));
      expect(result.meta.accepted).toBe(false);
      expect(['regression', 'inconclusive']).toContain(result.meta.verdict);
      expect(sandbox.counts().created).toBeLessThan(count(result, 'transactions_total') / 10);
    } finally {
      sandbox.setFaults({ failureRate: 0 });
    }
  });

  it('the token reaches no output or result file', async () => {
    const out = await timers({ SCENARIO: 'crud', TIMER_API: 'v1', LOAD_PROFILE: 'smoke' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    for (const text of [out.stdout, out.stderr, ...readdirSync(results.dir).map((f) => readFileSync(join(results.dir, f), 'utf8'))]) {
      expect(text).not.toContain(TOKEN);
    }
  });
});

describe('SCENARIO=execution: callbacks received inside k6 (k6/x/timercallbacks)', () => {
  const execution = (env: Record<string, string>, target = sandbox) =>
    timers({ SCENARIO: 'execution', EXECUTION_DELAY: '2s', CALLBACK_GRACE: '3s', ...env }, target);
  const callbacks = (result: ReturnType<typeof readResult>) => ({
    received: count(result, 'timer_callbacks_total'),
    duplicate: count(result, 'timer_callbacks_duplicate_total'),
    lost: count(result, 'timer_callbacks_lost_total'),
    unexpected: count(result, 'timer_callbacks_unexpected_total'),
  });

  it('every timer the service accepted calls back once: received == created == fired, none lost or duplicated', async () => {
    const out = await execution({});
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const result = readResult(join(results.dir, 't_timer-execution.json'));
    const created = count(result, 'transactions_total');
    expect(created).toBeGreaterThan(150);
    const c = sandbox.counts();
    expect([c.created, c.fired, c.callbackAttempts, c.pending]).toEqual([created, created, created, 0]);
    expect(callbacks(result)).toEqual({ received: created, duplicate: 0, lost: 0, unexpected: 0 });
    expect(result.meta).toMatchObject({ workload: 'execution', verdict: 'pass' });
    expect(out.stderr).toContain(`callbacks of ${created} timers: ${created} received, 0 lost, 0 duplicate, 0 unexpected`);
    for (const text of [out.stdout, out.stderr, ...readdirSync(results.dir).map((f) => readFileSync(join(results.dir, f), 'utf8'))]) {
      expect(text).not.toContain(TOKEN);
    }
  });

  it('a service firing 200 ms late: the median callback latency lies in [200, 260] ms', async () => {
    const late = await startTimersSandbox({ token: TOKEN, fireDelayMs: 200 });
    try {
      const out = await execution({}, late);
      expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
      const result = readResult(join(results.dir, 't_timer-execution.json'));
      const median = result.metrics.timer_callback_latency_ms.values.med;
      expect(median).toBeGreaterThanOrEqual(200);
      expect(median).toBeLessThanOrEqual(260);
      expect(callbacks(result).received).toBe(late.counts().fired);
    } finally {
      await late.close();
    }
  });

  it('a service that calls back twice: every duplicate counted, none lost', async () => {
    const twice = await startTimersSandbox({ token: TOKEN, duplicate: true });
    try {
      const out = await execution({}, twice);
      expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
      const result = readResult(join(results.dir, 't_timer-execution.json'));
      const created = count(result, 'transactions_total');
      expect(twice.counts().fired).toBe(created);
      expect(callbacks(result)).toEqual({ received: created, duplicate: created, lost: 0, unexpected: 0 });
    } finally {
      await twice.close();
    }
  });

  it('callbacks later than executeAt + CALLBACK_GRACE are lost: the run fails (99), is never a baseline, and says why', async () => {
    const slow = await startTimersSandbox({ token: TOKEN, fireDelayMs: 1500 });
    try {
      const out = await execution({ CALLBACK_GRACE: '500ms', RUN_NAME: 'baseline' }, slow);
      expect(out.exitCode).toBe(99);
      expect(readdirSync(results.dir)).not.toContain('baseline_timer-execution.json');
      const result = readResult(join(results.dir, 'candidate_timer-execution.json'));
      const created = count(result, 'transactions_total');
      expect(created).toBeGreaterThan(10);
      expect(callbacks(result)).toEqual({ received: 0, duplicate: 0, lost: created, unexpected: 0 });
      expect(result.meta.verdict).toBe('regression');
      expect(out.stdout).toContain('NOT made the baseline');
      expect(out.stdout).toContain(`${created} of ${created} timer callbacks lost: not received by executeAt + CALLBACK_GRACE (500ms)`);
      expect(slow.counts().fired).toBe(created); // the service did fire them, just too late
    } finally {
      await slow.close();
    }
  });

  it('mix: create, crud and execution side by side, each counted on both sides', async () => {
    const out = await timers({ SCENARIO: 'mix', TIMER_MIX: 'create:40,crud:30,execution:30', EXECUTION_DELAY: '2s' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const result = readResult(join(results.dir, 't_timer-mix.json'));
    expect(result.meta.workload).toBe('mix create:40,crud:30,execution:30');
    const c = sandbox.counts();
    const fired = callbacks(result).received;
    expect(fired).toBeGreaterThan(30);
    expect(c.fired).toBe(fired);
    expect(callbacks(result).lost).toBe(0);
    expect(c.deleted).toBe(c.updated);
    expect(c.deleted).toBeGreaterThan(30);
    expect(c.pending).toBeGreaterThan(30); // create's timers, due an hour ahead
    expect(c.created).toBe(c.fired + c.deleted + c.pending);
    // one request per create or execution iteration, four per crud iteration
    expect(count(result, 'transactions_total')).toBe(c.created + 3 * c.deleted);
  });

  it('a CALLBACK_LISTEN address that is taken stops setup (108) with the fix; no timer is made', async () => {
    const busy = sandbox.url.replace('http://', '');
    const out = await execution({ CALLBACK_LISTEN: busy });
    expect(out.exitCode).toBe(108);
    expect(out.stderr).toContain(`cannot listen on ${busy}`);
    expect(out.stderr).toContain('give a free host:port in CALLBACK_LISTEN');
    expect(sandbox.counts().created).toBe(0);
  });
});

describe('backend comparison: the target CPU and memory (TARGET_METRICS_URL) and k6-suite compare', () => {
  it('the same create run against the service on memory and on PostgreSQL: side by side with memory and CPU, into the history row', async () => {
    const pg = await startPostgres();
    const onPostgres = await startTimersSandbox({ token: TOKEN, databaseUrl: pg.url });
    try {
      const runs: Array<[string, typeof sandbox]> = [
        ['memory', sandbox],
        ['postgres', onPostgres],
      ];
      for (const [backend, target] of runs) {
        const out = await timers(
          { SCENARIO: 'create', RUN_NAME: backend, TIMER_BACKEND: backend, TARGET_METRICS_URL: `${target.url}/metrics`, STEADY_STATE_DURATION: '3s' },
          target,
        );
        expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
        expect(out.stdout).toMatch(/target: CPU avg [\d.]+% max [\d.]+% \(of one core\), memory max \d+ MiB/);
        expect(target.counts().storage).toBe(backend);
      }
      const files = runs.map(([backend]) => join(results.dir, `${backend}_timers.json`));
      const table = compareTable(files);
      expect(table.split('\n')[0]).toBe('| | memory · timers · memory | postgres · timers · postgres |');
      expect(table).toMatch(/\| memory \(max\) \| [\d.]+ MiB \| [\d.]+ MiB \|/);
      expect(table).toMatch(/\| CPU \(avg, % of a core\) \| [\d.]+% \| [\d.]+% \|/);
      expect(table).toMatch(/\| throughput \| [\d.]+\/s \| [\d.]+\/s \([+-][\d.]+%\) \|/);
      for (const [i, file] of files.entries()) {
        const row = historyRecord(readResult(file), file, null);
        expect(row.database_type).toBe(runs[i][0]);
        expect(row.memory_usage_mb).toBeGreaterThan(10);
        expect(Number.isInteger(row.memory_usage_mb)).toBe(true);
        expect(row.cpu_usage_percent).toBeGreaterThan(0);
      }
    } finally {
      await onPostgres.close();
      pg.stop();
    }
  });

  it('an endpoint that cannot be read: the run goes on, the summary says what was not measured, the history stays null', async () => {
    const out = await timers({ SCENARIO: 'create', TARGET_METRICS_URL: `${sandbox.url}/no-such-metrics` });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    expect(out.stderr).toContain(`TARGET_METRICS_URL=${sandbox.url}/no-such-metrics cannot be read (it answered 404 Not Found)`);
    expect(out.stdout).toContain('! target resources not measured: TARGET_METRICS_URL could not be read');
    const file = join(results.dir, 't_timers.json');
    const row = historyRecord(readResult(file), file, null);
    expect([row.memory_usage_mb, row.cpu_usage_percent]).toEqual([null, null]);
  });
});
