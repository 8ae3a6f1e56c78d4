// The payments family with the real k6 against the payments sandbox: seed 003's scripts, exact
// accounting (k6 == the router's counts), merchant set-up failures, keys in no output, trace ids.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runK6 } from '../../tools/k6.ts';
import { startPaymentsSandbox } from '../../tools/sandbox/payments/index.ts';
import { count, readResult, scratchDir } from '../support/results.ts';

type Sandbox = Awaited<ReturnType<typeof startPaymentsSandbox>> & {
  counts(): { payments: Record<string, Record<string, number>>; requests: Record<string, number> };
};

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

const payments = (env: Record<string, string>, args: string[] = []) =>
  runK6({
    script: 'dist/payments.js',
    env: { TARGET_URL: sandbox.url, RESULTS_DIR: results.dir, RUN_NAME: 'p', LOAD_PROFILE: 'smoke', STEADY_STATE_DURATION: '2s', ...env },
    args: ['--quiet', ...args],
  });

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
    const result = readResult(join(results.dir, 'p_payments.json'));
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
    const result = readResult(join(results.dir, 'p_payments.json'));
    const paid = count(result, 'payments_total');
    expect(paid).toBeGreaterThan(20);
    expect(byStatus()).toEqual({ succeeded: paid });
    expect(sandbox.counts().requests.payments_create).toBe(paid);
    expect(sandbox.counts().requests.payments_confirm).toBe(paid);
    expect(count(result, 'transactions_total')).toBe(2 * paid);
  });

  it('rps: exactly 10 VUs × 100 iterations of both flows', async () => {
    const out = await payments({ SCENARIO: 'rps', LOAD_PROFILE: '' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const result = readResult(join(results.dir, 'p_payments.json'));
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

  it('no key (admin, merchant) reaches stdout, stderr, --out json or the result files; every request has its own trace id', async () => {
    // an existing merchant, made through the admin API as an operator would
    const admin = { 'content-type': 'application/json', 'api-key': 'test_admin' };
    await fetch(`${sandbox.url}/accounts`, { method: 'POST', headers: admin, body: JSON.stringify({ merchant_id: 'm_keys' }) });
    const key = (await (
      await fetch(`${sandbox.url}/api_keys/m_keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'k6', expiration: 'never' }) })
    ).json()) as {
      api_key: string;
    };
    await fetch(`${sandbox.url}/account/m_keys/connectors`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        connector_type: 'payment_processor',
        connector_name: 'stripe',
        connector_account_details: { auth_type: 'HeaderKey', api_key: 'sk_x' },
      }),
    });
    const stream = join(results.dir, 'points.json');
    const out = await payments({ MERCHANT_API_KEY: key.api_key, MERCHANT_ID: 'm_keys' }, ['--out', `json=${stream}`]);
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    expect(Object.keys(sandbox.counts().payments)).toEqual(['m_keys']);
    const files = readdirSync(results.dir).map((f) => readFileSync(join(results.dir, f), 'utf8'));
    for (const text of [out.stdout, out.stderr, ...files]) {
      expect(text).not.toContain(key.api_key);
      expect(text).not.toContain('test_admin');
    }
    const traceIds = readFileSync(stream, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"metric":"http_reqs"') && l.includes('"Point"'))
      .map((l) => (JSON.parse(l) as { data: { metadata?: { trace_id?: string } } }).data.metadata?.trace_id);
    expect(traceIds.length).toBe(count(readResult(join(results.dir, 'p_payments.json')), 'payments_total'));
    for (const id of traceIds) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(traceIds).size).toBe(traceIds.length);
  });
});
