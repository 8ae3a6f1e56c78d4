// The timers family with the real k6 against the reference timer service (tools/sandbox/timers):
// exact accounting (timers created == the service's count), both contracts' CRUD, a service that does
// not answer or refuses the token stops setup (108), and the token reaches no output.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runK6 } from '../../tools/k6.ts';
import { startTimersSandbox } from '../../tools/sandbox/timers/index.ts';
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

const timers = (env: Record<string, string>) =>
  runK6({
    script: 'dist/timers.js',
    env: {
      TIMER_SERVICE_URL: sandbox.url,
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
    const result = readResult(join(results.dir, 't_timers.json'));
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

  it('the token reaches no output or result file', async () => {
    const out = await timers({ SCENARIO: 'crud', TIMER_API: 'v1', LOAD_PROFILE: 'smoke' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    for (const text of [out.stdout, out.stderr, ...readdirSync(results.dir).map((f) => readFileSync(join(results.dir, f), 'utf8'))]) {
      expect(text).not.toContain(TOKEN);
    }
  });
});
