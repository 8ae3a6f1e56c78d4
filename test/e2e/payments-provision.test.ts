// `k6-suite payments provision` (the payments family's CLI module) against the payments sandbox in
// this process: pools written atomically and resumed without duplicates after an interruption (the
// journal names the half-made merchant), merchants of the prefix it did not make refused and never
// deleted, --cleanup, failures that name the step, the merchant and the status, and no key in any output.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../tools/k6.ts';
import { startPaymentsSandbox, type PaymentsSandbox } from '../../tools/sandbox/payments/index.ts';
import { scratchDir } from '../support/results.ts';

interface Entry {
  merchant_id: string;
  api_key: string;
  profile_id?: string;
}
interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

let sandbox: PaymentsSandbox;
let scratch: ReturnType<typeof scratchDir>;
let pool: string;
/** The journal of `pool`: the merchant a run is creating. */
let journal: string;

beforeAll(async () => {
  sandbox = await startPaymentsSandbox();
});
afterAll(() => {
  scratch?.remove(); // the last test's pool file holds keys
  return sandbox.close();
});
beforeEach(() => {
  scratch?.remove();
  scratch = scratchDir('k6-pool-');
  pool = join(scratch.dir, 'pool.json');
  journal = join(scratch.dir, '.pool.json.pending');
  sandbox.reset();
  sandbox.setFaults({ latencyMs: 0, failureRate: 0, dropRate: 0 });
});

/**
 * `k6-suite payments provision <args>` as a child process (async: the sandbox answers from this
 * process's event loop). `onStdout` sees the output as it comes and may kill the child.
 */
function provision(args: string[], env: Record<string, string> = {}, onStdout?: (text: string, kill: () => void) => void): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['tools/cli/k6-suite.js', 'payments', 'provision', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ADMIN_API_KEY: '', CONNECTOR_API_KEY: '', TARGET_URL: sandbox.url, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      onStdout?.(stdout, () => child.kill('SIGKILL'));
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const readPoolFile = (file = pool): Entry[] => JSON.parse(readFileSync(file, 'utf8')) as Entry[];
const ids = (n: number) => Array.from({ length: n }, (_, i) => `k6pool_${String(i + 1).padStart(4, '0')}`);

/** An admin call on the sandbox, as an operator would make it. */
async function admin(method: string, path: string, body?: unknown, key = 'test_admin'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'api-key': key },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** A payment as the merchant of `key`: 200 when the key, the connector and the routing are in place. */
async function pay(key: string): Promise<number> {
  const res = await fetch(`${sandbox.url}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'api-key': key },
    body: JSON.stringify({
      amount: 6540,
      currency: 'USD',
      confirm: true,
      payment_method: 'card',
      payment_method_data: {
        card: { card_number: '4242424242424242', card_exp_month: '10', card_exp_year: '35', card_holder_name: 'John Doe', card_cvc: '123' },
      },
    }),
  });
  await res.text();
  return res.status;
}

/** GET /payments/list as the merchant of `key`: 200 while the merchant and its key exist. */
async function list(key: string): Promise<number> {
  const res = await fetch(`${sandbox.url}/payments/list?limit=1`, { headers: { 'api-key': key } });
  await res.text();
  return res.status;
}

/**
 * An `onStdout` that kills the child once it printed `line` and the router has `merchants` merchants:
 * the next merchant is half-made (its account exists; its key is not in the file). Needs a latency.
 */
function killHalfWay(line: string, merchants: number) {
  let timer: NodeJS.Timeout | undefined;
  return (out: string, kill: () => void) => {
    if (timer || !out.includes(line)) return;
    let ticks = 0;
    timer = setInterval(() => {
      if (sandbox.counts().merchants >= merchants || ++ticks > 2000) {
        clearInterval(timer);
        kill();
      }
    }, 2);
  };
}

/** No secret in any output. */
function expectNoSecrets(ran: Ran, secrets: string[]): void {
  for (const secret of [...secrets, 'test_admin', 'sandbox_connector_key']) {
    expect(ran.stdout, 'stdout').not.toContain(secret);
    expect(ran.stderr, 'stderr').not.toContain(secret);
  }
}

describe('k6-suite payments provision', () => {
  it('creates N complete merchants into a 0600 file; a rerun creates nothing', async () => {
    const ran = await provision(['--count', '3', '--file', pool]);
    expect(ran.code, ran.stderr).toBe(0);
    const entries = readPoolFile();
    expect(entries.map((e) => e.merchant_id)).toEqual(ids(3));
    for (const e of entries) {
      expect(e.api_key).toMatch(/^dev_[A-Za-z0-9]{64}$/);
      expect(e.profile_id).toMatch(/^pro_/);
      expect(await pay(e.api_key)).toBe(200);
      const account = await admin('GET', `/accounts/${e.merchant_id}`);
      expect(account.body.routing_algorithm).toEqual({ type: 'single', data: 'stripe' });
    }
    expect(statSync(pool).mode & 0o777).toBe(0o600);
    expect(readdirSync(scratch.dir)).toEqual(['pool.json']);
    expect(sandbox.counts()).toMatchObject({ merchants: 3, apiKeys: 3 });
    expect(sandbox.counts().requests).toMatchObject({ accounts_create: 3, api_keys_create: 3, connectors_create: 3, accounts_update: 3 });
    expect(ran.stdout).toContain(`${pool}: 0 of 3 merchants already there; creating 3 on ${sandbox.url}`);
    expect(ran.stdout).toContain('merchant k6pool_0003 created (3/3)');
    expectNoSecrets(
      ran,
      entries.map((e) => e.api_key),
    );

    const again = await provision(['--count', '3', '--file', pool]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('3 of 3 merchants already there; nothing to create');
    expect(readPoolFile()).toEqual(entries);
    expect(sandbox.counts().requests.accounts_create).toBe(3);
  });

  it('older routers: the key comes from POST /accounts', async () => {
    const legacy = await startPaymentsSandbox({ legacyApiKeys: true });
    try {
      const ran = await provision(['--count', '2', '--file', pool, '--target', legacy.url], { TARGET_URL: 'http://127.0.0.1:1' });
      expect(ran.code, ran.stderr).toBe(0);
      expect(legacy.counts()).toMatchObject({ merchants: 2, apiKeys: 2 });
      expect(legacy.counts().requests.api_keys_create ?? 0).toBe(0);
      expect(readPoolFile().map((e) => e.merchant_id)).toEqual(ids(2));
    } finally {
      await legacy.close();
    }
  });

  it('refuses a merchant of the prefix that the router has but neither the file nor its journal names: exit 1, nothing changed', async () => {
    expect((await provision(['--count', '2', '--file', pool])).code).toBe(0);
    const before = readFileSync(pool, 'utf8');
    // made by hand: not this pool's, whatever its id
    await admin('POST', '/accounts', { merchant_id: 'k6pool_0003' });
    const handMade = (await admin('POST', '/api_keys/k6pool_0003', { name: 'k6', expiration: 'never' })).body.api_key as string;

    const ran = await provision(['--count', '4', '--file', pool]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(
      `k6-suite payments provision: merchant k6pool_0003 already exists on the router and is not in ${pool} (another pool with the same --prefix, or made by hand): nothing was changed; use another --prefix`,
    );
    expect(readFileSync(pool, 'utf8')).toBe(before);
    expect(readdirSync(scratch.dir)).toEqual(['pool.json']);
    expect(sandbox.counts()).toMatchObject({ merchants: 3, apiKeys: 3 });
    expect(sandbox.counts().requests).toMatchObject({ accounts_create: 3 });
    expect(sandbox.counts().requests.accounts_delete ?? 0).toBe(0);
    expect(await list(handMade)).toBe(200); // its key still works
    expectNoSecrets(ran, [...readPoolFile().map((e) => e.api_key), handMade]);
  });

  it('a second pool file with the same --prefix leaves the first pool alone; another --prefix makes it', async () => {
    expect((await provision(['--count', '3', '--file', pool])).code).toBe(0);
    const first = readPoolFile();
    const second = join(scratch.dir, 'p0.json');

    const ran = await provision(['--count', '2', '--file', second]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(`merchants k6pool_0001, k6pool_0002 already exist on the router and are not in ${second}`);
    expect(readdirSync(scratch.dir)).toEqual(['pool.json']);
    expect(sandbox.counts().merchants).toBe(3);
    for (const e of first) expect(await list(e.api_key)).toBe(200);

    const other = await provision(['--count', '2', '--file', second, '--prefix', 'k6other']);
    expect(other.code, other.stderr).toBe(0);
    expect(readPoolFile(second).map((e) => e.merchant_id)).toEqual(['k6other_0001', 'k6other_0002']);
    expect(readPoolFile()).toEqual(first);
    for (const e of first) expect(await list(e.api_key)).toBe(200);
    expectNoSecrets(
      ran,
      first.map((e) => e.api_key),
    );
  });

  it('resumes after a kill mid-run: the file holds only complete merchants, the half-made one is made again, exactly N', async () => {
    sandbox.setFaults({ latencyMs: 40 }); // slow enough to kill it half-way
    const killed = await provision(['--count', '12', '--file', pool], {}, killHalfWay('(3/12)', 4));
    expect(killed.code).toBeNull(); // killed by the signal
    const partial = readPoolFile();
    expect(partial.map((e) => e.merchant_id)).toEqual(ids(3));
    // k6pool_0004 is on the router, not in the file: the journal names it
    expect(JSON.parse(readFileSync(journal, 'utf8'))).toEqual({ merchant_id: 'k6pool_0004' });
    expect(sandbox.counts().merchants).toBe(4);
    sandbox.setFaults({ latencyMs: 0 });
    // as if the kill had come in the middle of a write: a temp file holding keys
    writeFileSync(join(scratch.dir, '.pool.json.tmp-99999'), '[{"merchant_id": "k6pool_0001", "api_key": "dev_');

    const ran = await provision(['--count', '12', '--file', pool]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain(
      'merchant k6pool_0004 was left half-made by an interrupted run (on the router, not in the file; its journal names it): deleted, creating it again',
    );
    const entries = readPoolFile();
    expect(entries.slice(0, 3)).toEqual(partial);
    expect(entries.map((e) => e.merchant_id)).toEqual(ids(12));
    expect(new Set(entries.map((e) => e.api_key)).size).toBe(12);
    expect(sandbox.counts()).toMatchObject({ merchants: 12, apiKeys: 12 });
    expect(readdirSync(scratch.dir)).toEqual(['pool.json']); // the killed run's temp file and the journal are gone
    expectNoSecrets(
      ran,
      entries.map((e) => e.api_key),
    );
  });

  it('--cleanup deletes every merchant of the file (404: already gone) and the file', async () => {
    expect((await provision(['--count', '3', '--file', pool])).code).toBe(0);
    const entries = readPoolFile();
    await admin('DELETE', '/accounts/k6pool_0002');
    const ran = await provision(['--cleanup', '--file', pool]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain(`deleted 2 merchants (1 already gone); removed ${pool}`);
    expect(existsSync(pool)).toBe(false);
    expect(sandbox.counts()).toMatchObject({ merchants: 0, apiKeys: 0 });
    expectNoSecrets(
      ran,
      entries.map((e) => e.api_key),
    );

    const nothing = await provision(['--cleanup', '--file', pool]);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toContain('does not exist: no merchant to delete');
  });

  it('--cleanup after a killed provision deletes the half-made merchant the journal names too, no other, and leaves no file', async () => {
    sandbox.setFaults({ latencyMs: 40 });
    const killed = await provision(['--count', '3', '--file', pool], {}, killHalfWay('(1/3)', 2));
    expect(killed.code).toBeNull();
    sandbox.setFaults({ latencyMs: 0 });
    expect(readPoolFile().map((e) => e.merchant_id)).toEqual(ids(1));
    expect(JSON.parse(readFileSync(journal, 'utf8'))).toEqual({ merchant_id: 'k6pool_0002' });
    await admin('POST', '/accounts', { merchant_id: 'k6pool_0003' }); // made by hand: not this pool's
    expect(sandbox.counts().merchants).toBe(3);

    const ran = await provision(['--cleanup', '--file', pool]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('merchant k6pool_0002 (left half-made by an interrupted run: not in the file, its journal names it) deleted');
    expect(ran.stdout).toContain(`deleted 2 merchants; removed ${pool}`);
    expect(readdirSync(scratch.dir)).toEqual([]);
    expect(sandbox.counts().merchants).toBe(1);
    expect((await admin('GET', '/accounts/k6pool_0003')).status).toBe(200);
  });

  it('a wrong admin key: exit 1 naming the step, the merchant and the status; the file untouched; no key printed', async () => {
    expect((await provision(['--count', '2', '--file', pool])).code).toBe(0);
    const before = readFileSync(pool, 'utf8');
    const keys = readPoolFile().map((e) => e.api_key);
    const ran = await provision(['--count', '3', '--file', pool], { ADMIN_API_KEY: 'wrong-admin-key-value' });
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(
      'k6-suite payments provision: merchant k6pool_0003: looking the merchant up (GET /accounts/k6pool_0003) failed: 401 IR_01 API key not provided or invalid API key used; check ADMIN_API_KEY;',
    );
    expect(ran.stderr).toContain(`${pool} holds 2 of the 3 merchants, complete ones only: run the command again to resume`);
    expect(readFileSync(pool, 'utf8')).toBe(before);
    expectNoSecrets(ran, [...keys, 'wrong-admin-key-value']);

    const cleanup = await provision(['--cleanup', '--file', pool], { ADMIN_API_KEY: 'wrong-admin-key-value' });
    expect(cleanup.code).toBe(1);
    expect(cleanup.stderr).toContain('merchant k6pool_0001: deleting the merchant (DELETE /accounts/k6pool_0001) failed: 401 IR_01');
    expect(cleanup.stderr).toContain(`not deleted: k6pool_0001, k6pool_0002; ${pool} is left as it was`);
    expect(readFileSync(pool, 'utf8')).toBe(before);
    expect(sandbox.counts().merchants).toBe(2);
    expectNoSecrets(cleanup, [...keys, 'wrong-admin-key-value']);
  });

  it('a refused connector: exit 1 naming the step; the half-made merchant is deleted, the file keeps the complete ones', async () => {
    expect((await provision(['--count', '1', '--file', pool])).code).toBe(0);
    const before = readFileSync(pool, 'utf8');
    const ran = await provision(['--count', '2', '--file', pool, '--connector', 'Not-A-Connector']);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(
      'merchant k6pool_0002: creating the connector (POST /account/k6pool_0002/connectors) failed: 400 IR_06 Json deserialize error: connector_name: unknown variant `Not-A-Connector` (the incomplete merchant was deleted again)',
    );
    expect(readFileSync(pool, 'utf8')).toBe(before);
    expect(readdirSync(scratch.dir)).toEqual(['pool.json']); // no journal: nothing of it is left
    expect(sandbox.counts().merchants).toBe(1);
  });

  it('an unreachable router, a broken pool file: exit 1, one line without any of its text, nothing written', async () => {
    // a port nothing listens on
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = await provision(['--count', '2', '--file', pool, '--target', `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(
      /merchant k6pool_0001: looking the merchant up \(GET \/accounts\/k6pool_0001\) failed: no answer \(.*ECONNREFUSED.*\); is the router up at --target \(or TARGET_URL\)\?; .*pool\.json was not written: run the command again to resume$/m,
    );
    expect(readdirSync(scratch.dir)).toEqual([]);

    writeFileSync(pool, '[{"merchant_id": "a", "api_key": "dev_half_written_key"');
    const broken = await provision(['--count', '2', '--file', pool]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`the pool file ${pool} is not valid JSON (it ends before the JSON is complete): fix it`);
    expect(readFileSync(pool, 'utf8')).toBe('[{"merchant_id": "a", "api_key": "dev_half_written_key"');
    expect(sandbox.counts().merchants).toBe(0);
    expectNoSecrets(broken, ['dev_half_written_key']);

    // the parser's own message would quote the text around the error: part of a key
    writeFileSync(pool, '[{"merchant_id": "a", "api_key":dev_LEAKME123}]');
    const leaky = await provision(['--count', '2', '--file', pool]);
    expect(leaky.code).toBe(1);
    expect(leaky.stderr).toContain(`the pool file ${pool} is not valid JSON`);
    expect(leaky.stdout + leaky.stderr).not.toContain('LEAKME');
    writeFileSync(pool, '[\n  {"merchant_id": "a", "api_key": "dev_LEAKME123" "profile_id": "p"}\n]');
    const placed = await provision(['--cleanup', '--file', pool]);
    expect(placed.code).toBe(1);
    expect(placed.stderr).toContain(`the pool file ${pool} is not valid JSON at line 2, column 51: fix it`);
    expect(placed.stdout + placed.stderr).not.toContain('LEAKME');
    expect(sandbox.counts().merchants).toBe(0);

    const usage = await provision(['--file', pool]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('provision needs --count <n> (or --cleanup)');
    const sweep = await provision(['--cleanup', '--count', '3', '--file', pool]);
    expect(sweep.code).toBe(2);
    expect(sweep.stderr).toContain('--cleanup takes no --count: it deletes the merchants of the file and the one an interrupted run left half-made');
  });
});
