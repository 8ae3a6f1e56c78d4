// The payments family with the real k6 against the payments sandbox: seed 003's scripts, exact
// accounting (k6 == the router's counts), merchant set-up failures, keys in no output, trace ids.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runK6 } from '../../tools/k6.ts';
import { writeReports } from '../../tools/report/write.ts';
import { startPaymentsSandbox } from '../../tools/sandbox/payments/index.ts';
import { count, readResult, scratchDir } from '../support/results.ts';

type Sandbox = Awaited<ReturnType<typeof startPaymentsSandbox>>;

let sandbox: Sandbox;
let results: ReturnType<typeof scratchDir>;

beforeAll(async () => {
  sandbox = (await startPaymentsSandbox()) as Sandbox;
});
afterAll(() => sandbox.close());
beforeEach(() => {
  results?.remove();
  results = scratchDir('k6-payments-');
  sandbox.reset();
});

const payments = (env: Record<string, string>, args: string[] = [], signalAfter?: { signal: NodeJS.Signals; ms: number }) =>
  runK6({
    script: 'dist/payments.js',
    env: { TARGET_URL: sandbox.url, RESULTS_DIR: results.dir, RUN_NAME: 'p', LOAD_PROFILE: 'smoke', STEADY_STATE_DURATION: '2s', ...env },
    args: ['--quiet', ...args],
    signalAfter,
  });

/** A merchant made through the admin API as an operator would (account, API key, connector). */
async function makeMerchant(id: string): Promise<{ id: string; key: string }> {
  const admin = { 'content-type': 'application/json', 'api-key': 'test_admin' };
  const post = (path: string, body: unknown) => fetch(`${sandbox.url}${path}`, { method: 'POST', headers: admin, body: JSON.stringify(body) });
  expect((await post('/accounts', { merchant_id: id })).status).toBe(200);
  const { api_key } = (await (await post(`/api_keys/${id}`, { name: 'k6', expiration: 'never' })).json()) as { api_key: string };
  const connector = { connector_type: 'payment_processor', connector_name: 'stripe', connector_account_details: { auth_type: 'HeaderKey', api_key: 'sk_x' } };
  expect((await post(`/account/${id}/connectors`, connector)).status).toBe(200);
  return { id, key: api_key };
}

/** Payments the sandbox holds, by status, over every merchant. */
function byStatus(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const statuses of Object.values(sandbox.counts().payments)) for (const [status, n] of Object.entries(statuses)) out[status] = (out[status] ?? 0) + n;
  return out;
}

describe('dist/payments.js against the payments sandbox', () => {
  it('payment-confirm: every payment k6 counted is on the router, by status, and each step is timed', async () => {
    const out = await payments({ SCENARIO: 'payment-confirm' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const result = readResult(join(results.dir, 'p_payment-confirm.json'));
    const paid = count(result, 'payments_total');
    expect(paid).toBeGreaterThan(50);
    expect(byStatus()).toEqual({ succeeded: paid });
    expect(sandbox.counts().requests.payments_create).toBe(paid);
    expect(result.metrics.payment_confirm.values['p(95)']).toBeGreaterThan(0);
    expect(count(result, 'transactions_total')).toBe(paid);
    expect(result.meta.verdict).toBe('pass');
  });

  it('payment-create-and-confirm: one create and one confirm per payment, counted on both sides', async () => {
    const out = await payments({ SCENARIO: 'payment-create-and-confirm' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const result = readResult(join(results.dir, 'p_payment-create-and-confirm.json'));
    const paid = count(result, 'payments_total');
    expect(paid).toBeGreaterThan(20);
    expect(byStatus()).toEqual({ succeeded: paid });
    expect(sandbox.counts().requests.payments_create).toBe(paid);
    expect(sandbox.counts().requests.payments_confirm).toBe(paid);
    expect(count(result, 'transactions_total')).toBe(2 * paid);
  });

  it('mix (from a JSON file): each flow its own arrival-rate executor; every step timed and counted on both sides; reconciled; every request traced', async () => {
    const mixFile = join(results.dir, 'mix.json');
    writeFileSync(mixFile, JSON.stringify({ guest: 40, cit_on_session: 10, cit_off_session: 20, mit: 30 }));
    const stream = join(results.dir, 'points.json');
    const out = await payments({ SCENARIO: 'mix', PAYMENTS_MIX: mixFile, LOAD_PROFILE: 'tps100', STEADY_STATE_DURATION: '3s' }, ['--out', `json=${stream}`]);
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const result = readResult(join(results.dir, 'p_payment-mix.json'));
    // one arrival-rate executor per flow, the rate split by weight: 3 s at 40, 10, 20 and 30 iterations/s
    const perScenario: Record<string, number> = {};
    const samples: Record<string, number> = {};
    for (const line of readFileSync(stream, 'utf8').split('\n')) {
      if (!line.includes('"Point"')) continue;
      const point = JSON.parse(line) as { metric: string; data: { tags: { scenario?: string; group?: string } } };
      samples[point.metric] = (samples[point.metric] ?? 0) + 1;
      if (point.metric === 'iterations') perScenario[point.data.tags.scenario ?? ''] = (perScenario[point.data.tags.scenario ?? ''] ?? 0) + 1;
    }
    expect(Object.keys(perScenario).sort()).toEqual(['cit_off_session', 'cit_on_session', 'guest', 'mit']);
    for (const [flow, rate] of Object.entries({ guest: 40, cit_on_session: 10, cit_off_session: 20, mit: 30 })) {
      expect(Math.abs(perScenario[flow] - rate * 3), flow).toBeLessThanOrEqual(2);
    }
    expect(count(result, 'dropped_iterations')).toBe(0);
    // each step's trend has one sample per request of that step; setup() saved the card mit charges
    // with one customer-initiated payment (customer, create, confirm): on the router, not load
    const steps = (name: string) => samples[name] ?? 0;
    const { requests, traces } = sandbox.counts();
    const iterations = count(result, 'iterations');
    expect(iterations).toBeGreaterThan(250);
    expect(steps('customer_create')).toBe(requests.customers_create - 1);
    expect(steps('payment_create') + steps('payment_recurring')).toBe(requests.payments_create - 1);
    expect(steps('payment_confirm')).toBe(requests.payments_confirm - 1);
    expect(steps('payment_recurring')).toBeGreaterThan(50);
    const paid = count(result, 'payments_total');
    expect(paid).toBe(iterations);
    expect(byStatus()).toEqual({ succeeded: paid + 1 });
    expect(count(result, 'payments_unreconciled')).toBe(0);
    expect(out.stdout).toContain(`reconciled: k6 and the router agree (succeeded ${paid + 1})`);
    expect(count(result, 'transactions_total')).toBe(requests.customers_create + requests.payments_create + requests.payments_confirm - 3);
    // every API request after the merchant's setup carried its own well-formed traceparent (the list pages included)
    const traced = requests.customers_create + requests.payments_create + requests.payments_confirm + requests.payments_list;
    expect(traces.malformed).toBe(0);
    expect(traces.repeatedTraceIds).toBe(0);
    expect(traces.distinctTraceIds).toBeGreaterThanOrEqual(traced);
  });

  it('the mix in a staircase: one arrival-rate executor per flow and level, the capacity named, every payment reconciled', async () => {
    const out = await payments({
      SCENARIO: 'mix',
      LOAD_PROFILE: 'staircase',
      STAIR_START: '20',
      STAIR_STEP: '20',
      STAIR_TARGET: '40',
      STAIR_HOLD: '2s',
      STEADY_STATE_DURATION: '',
    });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const result = readResult(join(results.dir, 'p_payment-mix.json'));
    const stair = result.meta.staircase as { levels: Array<{ rate: number; status: string }>; capacity: { rate: number } | null };
    expect(stair.levels.map((r) => [r.rate, r.status])).toEqual([
      [20, 'met'],
      [40, 'met'],
    ]);
    expect(stair.capacity?.rate).toBe(40);
    // + setup's card-saving payment for mit
    expect(byStatus()).toEqual({ succeeded: count(result, 'payments_total') + 1 });
    // reconciliation is judged once for the whole run, never per level (teardown's sample has no level)
    expect(count(result, 'payments_unreconciled')).toBe(0);
    expect(Object.keys(result.metrics.payments_unreconciled.thresholds ?? {})).toEqual(['count==0']);
    expect(Object.keys(result.metrics).filter((m) => m.startsWith('payments_unreconciled{'))).toEqual([]);
  });

  it('a mix whose weights do not sum to 100 stops in init (107) naming the sum; nothing is sent', async () => {
    const out = await payments({ SCENARIO: 'mix', PAYMENTS_MIX: 'guest:50,mit:40', LOAD_PROFILE: 'tps100' });
    expect(out.exitCode).toBe(107);
    expect(out.stderr).toContain('PAYMENTS_MIX: the weights sum to 90, not 100');
    expect(sandbox.counts().requests).toEqual({});
  });

  it('reconciliation: payments the router recorded with another status than it answered fail the run (99) with the figures', async () => {
    const run = payments({ SCENARIO: 'payment-confirm', LOAD_PROFILE: 'tps100', STEADY_STATE_DURATION: '4s' });
    // once payments flow, the router "loses" the update of 3 of them: it answered succeeded, it keeps failed
    let rewritten = 0;
    const started = Date.now();
    while (rewritten < 3 && Date.now() - started < 30_000) {
      await new Promise((r) => setTimeout(r, 200));
      if ((byStatus().succeeded ?? 0) >= 20) rewritten += sandbox.rewriteNewest(3 - rewritten, 'failed');
    }
    const out = await run;
    expect(rewritten).toBe(3);
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(99);
    const result = readResult(join(results.dir, 'p_payment-confirm.json'));
    const paid = count(result, 'payments_total');
    expect(byStatus()).toEqual({ succeeded: paid - 3, failed: 3 });
    expect(count(result, 'payments_unreconciled')).toBe(6);
    expect(out.stdout).toContain('reconciliation: failed: k6 counted 0, the router lists 3');
    expect(out.stdout).toContain(`reconciliation: succeeded: k6 counted ${paid}, the router lists ${paid - 3}`);
    expect(result.meta.verdict).toBe('regression');
    expect(result.meta.accepted).toBe(false);
  });

  it('rps: exactly 10 VUs × 100 iterations of both flows', async () => {
    const out = await payments({ SCENARIO: 'rps', LOAD_PROFILE: '' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const result = readResult(join(results.dir, 'p_rps.json'));
    expect(count(result, 'iterations')).toBe(1000);
    expect(byStatus()).toEqual({ succeeded: 2000 });
    expect(result.meta.profile).toBe('rps (10 VUs × 100 iterations)');
  });

  it('a wrong admin key stops setup (108) naming the step and the status; no payment request is sent', async () => {
    const out = await payments({ ADMIN_API_KEY: 'wrong-admin-key-value' });
    expect(out.exitCode).toBe(108);
    expect(out.stderr).toContain('payments setup: creating the merchant (POST /accounts) failed: 401 IR_01');
    expect(sandbox.counts().requests.payments_create ?? 0).toBe(0);
    expect(`${out.stdout}${out.stderr}`).not.toContain('wrong-admin-key-value');
  });

  it('MERCHANT_POOL: iterations spread round-robin over the pool, nothing created, every merchant reconciled, no key printed', async () => {
    const pool = [await makeMerchant('m_pool_1'), await makeMerchant('m_pool_2'), await makeMerchant('m_pool_3')];
    const poolFile = join(results.dir, 'pool.json');
    writeFileSync(poolFile, JSON.stringify(pool.map((m) => ({ merchant_id: m.id, api_key: m.key }))));
    const before = sandbox.counts();
    const out = await payments({ SCENARIO: 'payment-confirm', MERCHANT_POOL: poolFile, LOAD_PROFILE: 'tps100', STEADY_STATE_DURATION: '2s' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const after = sandbox.counts();
    expect(after.merchants).toBe(before.merchants); // nothing created
    const result = readResult(join(results.dir, 'p_payment-confirm.json'));
    const paid = count(result, 'payments_total');
    const perMerchant = pool.map((m) => after.payments[m.id]?.succeeded ?? 0);
    expect(perMerchant.reduce((a, b) => a + b, 0)).toBe(paid);
    for (const n of perMerchant) expect(Math.abs(n - paid / 3)).toBeLessThanOrEqual(1);
    expect(out.stdout).toContain(`reconciled: k6 and the router agree (succeeded ${paid})`);
    const files = readdirSync(results.dir)
      .filter((f) => f !== 'pool.json')
      .map((f) => readFileSync(join(results.dir, f), 'utf8'));
    for (const text of [out.stdout, out.stderr, ...files]) for (const m of pool) expect(text).not.toContain(m.key);
    // a second run with the same TEST_ID on the same merchants reconciles only its own payments (setup's run key)
    const first = await payments({ SCENARIO: 'payment-confirm', MERCHANT_POOL: poolFile, TEST_ID: 'nightly-42', RUN_NAME: 'r1' });
    const second = await payments({ SCENARIO: 'payment-confirm', MERCHANT_POOL: poolFile, TEST_ID: 'nightly-42', RUN_NAME: 'r2' });
    expect([first.exitCode, second.exitCode], second.stdout.slice(-1500)).toEqual([0, 0]);
    expect(second.stdout).toContain('reconciled: k6 and the router agree');
  });

  it('a wrong MERCHANT_API_KEY stops setup (108) naming the merchant and the status; no payment is sent, the key is not printed', async () => {
    const out = await payments({ MERCHANT_API_KEY: 'wrong-merchant-key-value', MERCHANT_ID: 'm_nope' });
    expect(out.exitCode).toBe(108);
    expect(out.stderr).toContain('payments setup: checking the API key of merchant m_nope (GET /payments/list) failed: 401 IR_01');
    expect(sandbox.counts().requests.payments_create ?? 0).toBe(0);
    expect(`${out.stdout}${out.stderr}`).not.toContain('wrong-merchant-key-value');
  });

  it('a run cut short (SIGINT) with requests in flight is interrupted, not a reconciliation failure; none of its payments is missing', async () => {
    const out = await payments({ SCENARIO: 'payment-create-and-confirm', LOAD_PROFILE: 'tps100', STEADY_STATE_DURATION: '20s' }, [], {
      signal: 'SIGINT',
      ms: 4000,
    });
    const result = readResult(join(results.dir, 'p_payment-create-and-confirm.json'));
    expect(result.meta.verdict, out.stdout.slice(-1500)).toBe('inconclusive');
    expect(String((result.meta.reasons as string[])[0])).toMatch(/^interrupted/);
    expect(count(result, 'payments_unreconciled')).toBe(0);
    expect(out.stdout).not.toContain('FAILED');
    const routerTotal = Object.values(byStatus()).reduce((a, b) => a + b, 0);
    expect(routerTotal).toBeGreaterThanOrEqual(count(result, 'payments_total'));
  });

  it('a refused connector or an unreachable router stops setup (108) naming the step; no payment is sent', async () => {
    const refused = await payments({ CONNECTOR: 'x'.repeat(65) }); // a connector the router does not know
    expect(refused.exitCode).toBe(108);
    expect(refused.stderr).toMatch(/payments setup: creating the connector \(POST \/account\/[^/]+\/connectors\) failed: 400 IR_06/);
    expect(sandbox.counts().requests.payments_create ?? 0).toBe(0);
    const unreachable = await payments({ TARGET_URL: 'http://127.0.0.1:1' });
    expect(unreachable.exitCode).toBe(108);
    expect(unreachable.stderr).toContain('payments setup: creating the merchant (POST /accounts) failed: no answer');
  });

  it('no key (admin, merchant) reaches stdout, stderr, --out json or the result files; every request has its own trace id', async () => {
    // an existing merchant, made through the admin API as an operator would
    const key = { api_key: (await makeMerchant('m_keys')).key };
    const stream = join(results.dir, 'points.json');
    const out = await payments({ MERCHANT_API_KEY: key.api_key, MERCHANT_ID: 'm_keys' }, ['--out', `json=${stream}`]);
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    expect(Object.keys(sandbox.counts().payments)).toEqual(['m_keys']);
    // the reports made from the result (HTML, Markdown, CSV, JUnit) too
    await writeReports(join(results.dir, 'p_payment-confirm.json'), { streamPath: stream });
    const files = readdirSync(results.dir).map((f) => readFileSync(join(results.dir, f), 'utf8'));
    expect(readdirSync(results.dir).filter((f) => f.includes('.report.')).length).toBe(3);
    for (const text of [out.stdout, out.stderr, ...files]) {
      expect(text).not.toContain(key.api_key);
      expect(text).not.toContain('test_admin');
    }
    const traceIds = readFileSync(stream, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"metric":"http_reqs"') && l.includes('"Point"'))
      .map((l) => (JSON.parse(l) as { data: { metadata?: { trace_id?: string } } }).data.metadata?.trace_id);
    // the payments, and the pages of the router's list that reconciliation read
    expect(traceIds.length).toBe(count(readResult(join(results.dir, 'p_payment-confirm.json')), 'http_reqs'));
    expect(traceIds.length).toBeGreaterThan(count(readResult(join(results.dir, 'p_payment-confirm.json')), 'payments_total'));
    for (const id of traceIds) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(traceIds).size).toBe(traceIds.length);
  });
});
