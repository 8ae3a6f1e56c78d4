// Merchant pools of the payments family: the pure setup steps both runtimes drive
// (src/shared/payments/merchant-setup.ts), the pool file's shape (src/shared/payments/pool.ts) and the
// k6-side reader (src/lib/payments/pool.ts, with k6's open() stood in for by Node's fs).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { knownSecrets } from '../../src/lib/config';
import { loadPool, merchantFor, MERCHANT_POOL_RULE, poolProblems, readPool } from '../../src/lib/payments/pool';
import { safeLog } from '../../src/lib/redact';
import { apiKeyOf, deleteAccountRequest, describeFailure, merchantSetup, profileIdOf, type AdminRequest } from '../../src/shared/payments/merchant-setup';
import { checkPool, entryOfMerchant, merchantOfEntry } from '../../src/shared/payments/pool';

const CONNECTOR = { connector: 'stripe', connectorApiKey: 'sk_connector_secret' };

/** Drives the setup with canned answers; the requests it made and its outcome. */
function drive(merchantId: string, answers: Record<string, unknown>) {
  const requests: AdminRequest[] = [];
  const steps = merchantSetup(merchantId, CONNECTOR);
  let next = steps.next();
  while (!next.done) {
    requests.push(next.value);
    next = steps.next(answers[`${next.value.method} ${next.value.path}`] ?? {});
  }
  return { requests, outcome: next.value };
}

describe('the merchant setup steps (both runtimes)', () => {
  it('current routers: account, API key from POST /api_keys, connector, routing', () => {
    const { requests, outcome } = drive('m1', {
      'POST /accounts': { merchant_id: 'm1', default_profile: 'pro_1' },
      'POST /api_keys/m1': { api_key: 'dev_issued_key' },
    });
    expect(requests.map((r) => [r.step, r.method, r.path])).toEqual([
      ['creating the merchant', 'POST', '/accounts'],
      ['creating its API key', 'POST', '/api_keys/m1'],
      ['creating the connector', 'POST', '/account/m1/connectors'],
      ['setting the routing', 'POST', '/accounts/m1'],
    ]);
    expect(requests[0].body).toMatchObject({ merchant_id: 'm1', sub_merchants_enabled: false });
    expect(requests[1].body).toEqual({ name: 'k6', description: null, expiration: 'never' });
    expect(requests[2].body).toMatchObject({
      connector_type: 'payment_processor',
      connector_name: 'stripe',
      connector_account_details: { auth_type: 'HeaderKey', api_key: 'sk_connector_secret' },
    });
    expect(requests[3].body).toEqual({ merchant_id: 'm1', routing_algorithm: { type: 'single', data: 'stripe' } });
    expect(outcome).toEqual({ merchant: { merchantId: 'm1', apiKey: 'dev_issued_key', profileId: 'pro_1' } });
  });

  it('older routers: the key from POST /accounts, no POST /api_keys', () => {
    const { requests, outcome } = drive('m2', { 'POST /accounts': { merchant_id: 'm2', api_key: 'legacy_key', profile_id: 'pro_2' } });
    expect(requests.map((r) => r.path)).toEqual(['/accounts', '/account/m2/connectors', '/accounts/m2']);
    expect(outcome).toEqual({ merchant: { merchantId: 'm2', apiKey: 'legacy_key', profileId: 'pro_2' } });
  });

  it('no key in either answer: one problem naming the merchant, before the connector', () => {
    const { requests, outcome } = drive('m3', { 'POST /api_keys/m3': { api_key: '' } });
    expect(requests.map((r) => r.path)).toEqual(['/accounts', '/api_keys/m3']);
    expect(outcome).toEqual({ problem: 'the router gave no API key for merchant m3' });
  });

  it('reads keys and profiles, describes failures and builds the delete', () => {
    expect(apiKeyOf({ api_key: 'k' })).toBe('k');
    expect(apiKeyOf({ api_key: 3 })).toBeUndefined();
    expect(apiKeyOf(null)).toBeUndefined();
    expect(profileIdOf({ default_profile: 'pro_x' })).toBe('pro_x');
    expect(
      describeFailure(401, JSON.stringify({ error: { type: 'invalid_request', code: 'IR_01', message: 'API key not provided or invalid API key used' } })),
    ).toBe('401 IR_01 API key not provided or invalid API key used');
    expect(describeFailure(502, 'Bad Gateway')).toBe('502 Bad Gateway');
    expect(describeFailure(0, '', 'dial tcp 127.0.0.1:1: connect: connection refused')).toBe('no answer (dial tcp 127.0.0.1:1: connect: connection refused)');
    expect(deleteAccountRequest('m1')).toEqual({ step: 'deleting the merchant', method: 'DELETE', path: '/accounts/m1' });
  });
});

describe('the pool file shape', () => {
  it('accepts entries with a merchant id and a key; keeps a profile id', () => {
    const { entries, problems } = checkPool([
      { merchant_id: 'a', api_key: 'ka', profile_id: 'pro_a' },
      { merchant_id: 'b', api_key: 'kb', extra: 1 },
    ]);
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      { merchant_id: 'a', api_key: 'ka', profile_id: 'pro_a' },
      { merchant_id: 'b', api_key: 'kb' },
    ]);
    expect(entries.map(merchantOfEntry).map(entryOfMerchant)).toEqual(entries);
    expect(checkPool([])).toEqual({ entries: [], problems: [] });
  });

  it('names every bad entry and the merchant, never the key', () => {
    const { problems } = checkPool([
      'x',
      { api_key: 'secret_key_1' },
      { merchant_id: 'has space', api_key: 'secret_key_2' },
      { merchant_id: 'm', api_key: '  ' },
      { merchant_id: 'd', api_key: 'secret_key_3' },
      { merchant_id: 'd', api_key: 'secret_key_4', profile_id: 7 },
      { merchant_id: 'd', api_key: 'secret_key_5' },
    ]);
    expect(problems).toEqual([
      'entry 1 is not an object {merchant_id, api_key}',
      'entry 2 has no merchant_id',
      'entry 3: merchant_id "has space" is not a merchant id (1-64 letters, digits, "_", "-")',
      'entry 4 (merchant m) has no api_key',
      'entry 6 (merchant d): profile_id must be a string',
      'and 1 more',
    ]);
    expect(
      checkPool([
        { merchant_id: 'd', api_key: 'k1' },
        { merchant_id: 'd', api_key: 'k2' },
      ]).problems,
    ).toEqual(['entry 2 (merchant d) is listed twice']);
    expect(checkPool({ merchants: [] }).problems).toEqual(['it must be a JSON array of {merchant_id, api_key, profile_id?}']);
    expect(problems.join(' ')).not.toMatch(/secret_key/);
  });
});

describe('MERCHANT_POOL (k6 side)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'k6-pool-unit-'));
    mkdirSync(join(dir, 'sub'));
    // k6's open(): the file's text, or its "no such file" error
    vi.stubGlobal('open', (path: string) => readFileSync(path, 'utf8'));
  });
  afterAll(() => {
    vi.unstubAllGlobals();
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, data: unknown) => writeFileSync(join(dir, name), typeof data === 'string' ? data : JSON.stringify(data));

  it('reads a pool relative to the working directory and registers its keys as secrets', () => {
    write('pool.json', [
      { merchant_id: 'k6pool_0001', api_key: 'dev_pool_key_one', profile_id: 'pro_1' },
      { merchant_id: 'k6pool_0002', api_key: 'dev_pool_key_two' },
    ]);
    const merchants = readPool('pool.json', dir);
    expect(merchants).toEqual([
      { merchantId: 'k6pool_0001', apiKey: 'dev_pool_key_one', profileId: 'pro_1' },
      { merchantId: 'k6pool_0002', apiKey: 'dev_pool_key_two' },
    ]);
    expect(readPool(join(dir, 'pool.json'), undefined)).toEqual(merchants);
    expect(knownSecrets()).toEqual(expect.arrayContaining(['dev_pool_key_one', 'dev_pool_key_two']));
    expect(safeLog('paid with dev_pool_key_two')).toBe('paid with [redacted]');
    expect(readPool('', dir)).toBeUndefined();
    expect(poolProblems({ MERCHANT_POOL: 'pool.json', MERCHANT_API_KEY: '' }, dir)).toEqual([]);
    expect(poolProblems({ MERCHANT_POOL: '', MERCHANT_API_KEY: 'k' }, dir)).toEqual([]);
    expect(MERCHANT_POOL_RULE.parse('pool.json')).toBe('pool.json');
  });

  it('one problem line per bad file, naming it and the fix, never a key', () => {
    write('empty.json', []);
    write('broken.json', '[{"merchant_id": "a", "api_key": "dev_broken_key"');
    write('object.json', { merchant_id: 'a', api_key: 'dev_object_key' });
    write('twice.json', [
      { merchant_id: 'a', api_key: 'dev_twice_key_1' },
      { merchant_id: 'a', api_key: 'dev_twice_key_2' },
    ]);
    const problem = (path: string, cwd: string | null = dir) => {
      const problems = loadPool(path, cwd ?? undefined).problems;
      expect(problems).toHaveLength(1);
      expect(problems[0]).not.toMatch(/dev_\w+_key/);
      return problems[0];
    };
    expect(problem('absent.json')).toBe(
      "MERCHANT_POOL='absent.json' does not exist: write it with k6-suite payments provision --count N --file absent.json, or fix the path",
    );
    expect(problem('empty.json')).toBe(
      'merchant pool empty.json holds no merchant: provision some with k6-suite payments provision --count N --file empty.json',
    );
    expect(problem('broken.json')).toMatch(/^merchant pool broken\.json is not valid JSON \(.*\): fix or delete it$/);
    expect(problem('object.json')).toBe(
      'merchant pool object.json is not a JSON array of {merchant_id, api_key, profile_id?}: it must be a JSON array of {merchant_id, api_key, profile_id?}; fix it, or write it again with k6-suite payments provision --count N --file object.json',
    );
    expect(problem('twice.json')).toContain('entry 2 (merchant a) is listed twice');
    expect(problem('pool.json', null)).toMatch(/relative but the working directory is unknown/);
    expect(() => readPool('twice.json', dir)).toThrow(/^invalid configuration: merchant pool twice\.json is not/);
    expect(poolProblems({ MERCHANT_POOL: 'pool.json', MERCHANT_API_KEY: 'dev_given_key' }, dir)).toEqual([
      'MERCHANT_POOL and MERCHANT_API_KEY/MERCHANT_ID both name the merchants to pay as: give one of them (or neither, to create a merchant)',
    ]);
  });

  it('merchantFor spreads iterations round-robin', () => {
    const pool = ['a', 'b', 'c'];
    expect([0, 1, 2, 3, 4, 5, 7].map((n) => merchantFor(pool, n))).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'b']);
    expect(merchantFor(['only'], 41)).toBe('only');
    expect(() => merchantFor([], 0)).toThrow(/no merchant/);
  });
});
