// dist/spacetimedb.js under the real k6 binary (with the k6/x/spacetimedb extension) against the
// SpacetimeDB sandbox: every scenario over WebSocket and HTTP with exact accounting, injected
// failures, fail-fast setup, secrets, and seed 000's custom-test.js.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runK6, type K6RunResult } from '../../tools/k6.ts';
import { startSpacetimeSandbox, type SpacetimeSandbox } from '../../tools/sandbox/spacetimedb/server.ts';
import { MODULE_DEF_V9_JSON } from '../../tools/sandbox/spacetimedb/module.ts';
import { sendJson, sendText, startHttpTarget } from '../../tools/sandbox/http-target.ts';
import { count, readResult, scratchDir, type ResultFile } from '../support/results.ts';
import type { StairResult } from '../../src/shared/staircase.ts';

let sandbox: SpacetimeSandbox;
const results = scratchDir();
let runs = 0;

beforeAll(async () => {
  sandbox = await startSpacetimeSandbox();
});
afterAll(async () => {
  await sandbox.close();
  results.remove();
});
beforeEach(() => sandbox.reset());

interface Run {
  out: K6RunResult;
  result: ResultFile;
}

async function run(env: Record<string, string>, script = 'dist/spacetimedb.js'): Promise<Run> {
  const runName = `r${(runs += 1)}`;
  const out = await runK6({
    script,
    env: {
      SPACETIME_HOST: '127.0.0.1',
      SPACETIME_PORT: String(sandbox.port),
      RESULTS_DIR: results.dir,
      RUN_NAME: runName,
      LOAD_PROFILE: 'tps100',
      STEADY_STATE_DURATION: '3s',
      ...env,
    },
  });
  const path = join(results.dir, `${runName}_spacetimedb.json`);
  let result: ResultFile;
  try {
    result = readResult(path);
  } catch {
    throw new Error(`no result file (exit ${out.exitCode}):\n${out.stderr.slice(-3000)}`);
  }
  return { out, result };
}

const committed = () => {
  const c = sandbox.counts().committed;
  return c.increment + c.create_message + c.create_user;
};

describe.each([
  { transport: 'websocket', USE_WEBSOCKET: 'true' },
  { transport: 'http', USE_WEBSOCKET: 'false' },
])('over $transport', ({ transport, USE_WEBSOCKET }) => {
  it.each([
    { scenario: 'counter', reducer: 'increment', check: 'Counter increment successful' },
    { scenario: 'message', reducer: 'create_message', check: 'Message creation successful' },
    { scenario: 'users', reducer: 'create_user', check: 'User creation successful' },
    { scenario: 'batch', reducer: 'increment', check: 'Batch operation successful' },
  ])('$scenario: every call k6 counted as committed was committed by the server', async ({ scenario, reducer, check }) => {
    const { out, result } = await run({ SCENARIO: scenario, USE_WEBSOCKET, BATCH_SIZE: '5', MESSAGE_SIZE: '200' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const calls = count(result, 'spacetime_reducer_calls_total');
    expect(calls).toBeGreaterThan(100);
    expect(count(result, 'spacetime_reducer_errors_total')).toBe(0);
    expect(sandbox.counts().committed[reducer as 'increment']).toBe(calls);
    expect(committed()).toBe(calls);
    expect(count(result, 'transactions_total')).toBe(calls);
    expect(count(result, 'records_written_total')).toBe(calls);
    expect(result.metrics.checks.values.rate).toBe(1);
    expect(out.stdout).toContain(`✓ ${check}`);
    if (scenario === 'batch') {
      // every iteration is one batch of 5 calls, timed as a whole
      expect(calls).toBe(5 * count(result, 'iterations'));
      expect(result.metrics.batch_latency_ms.values.max).toBeGreaterThan(0);
    }
    if (transport === 'websocket') {
      // rows come from the caller's TransactionUpdate: the first increment of a VU's counter inserts, the rest update
      const rows = count(result, 'spacetime_table_inserts_total') + count(result, 'spacetime_table_updates_total');
      expect(rows).toBe(calls);
      if (reducer !== 'increment') expect(count(result, 'spacetime_table_updates_total')).toBe(0);
      expect(count(result, 'spacetime_ws_connections_total')).toBe(sandbox.counts().wsConnections);
      expect(count(result, 'spacetime_ws_connections_total')).toBeLessThanOrEqual(40);
      expect(result.metrics.spacetime_reducer_latency_ms.values.avg).toBeGreaterThan(0);
    } else {
      expect(count(result, 'spacetime_table_inserts_total')).toBe(0); // HTTP answers carry no rows
      expect(sandbox.counts().wsConnections).toBe(0);
    }
  });

  it('mixed: reads and writes in READ_WRITE_RATIO, writes all committed', async () => {
    const { out, result } = await run({ SCENARIO: 'mixed', USE_WEBSOCKET, READ_WRITE_RATIO: '0.5' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const writes = count(result, 'spacetime_reducer_calls_total');
    const total = count(result, 'transactions_total');
    expect(sandbox.counts().committed.increment).toBe(writes);
    expect(writes / total).toBeGreaterThan(0.3);
    expect(writes / total).toBeLessThan(0.7);
    expect(result.metrics.read_latency_ms.values.avg).toBeGreaterThan(0);
    expect(out.stdout).toContain('✓ Read operation successful');
    expect(out.stdout).toContain('✓ Write operation successful');
  });

  it('injected reducer failures (530 / Failed) are counted as reducer errors, never as commits', async () => {
    sandbox.setFaults({ failureRate: 0.05 });
    const { out, result } = await run({ SCENARIO: 'counter', USE_WEBSOCKET });
    expect(out.exitCode).toBe(99); // transaction_success_rate > 0.99 is crossed
    const calls = count(result, 'spacetime_reducer_calls_total');
    const errors = count(result, 'spacetime_reducer_errors_total');
    const injected = transport === 'http' ? (sandbox.stats().injectedFailures.call ?? 0) : sandbox.counts().wsInjectedFailures;
    expect(errors).toBe(injected);
    expect(errors).toBeGreaterThan(0);
    expect(sandbox.counts().committed.increment).toBe(calls - errors);
    expect(out.stdout).toMatch(/✗ Counter increment successful/);
  });

  it('a reducer slower than SPACETIME_REQ_TIMEOUT counts as a timeout error without crashing a VU', async () => {
    sandbox.setFaults({ latencyMs: 300 });
    const { out, result } = await run({ SCENARIO: 'counter', USE_WEBSOCKET, SPACETIME_REQ_TIMEOUT: '100', LOAD_PROFILE: 'smoke', STEADY_STATE_DURATION: '2s' });
    expect(out.exitCode).toBe(99);
    expect(count(result, 'timeout_errors_total')).toBeGreaterThan(0);
    expect(count(result, 'timeout_errors_total')).toBe(count(result, 'spacetime_reducer_errors_total'));
    expect(out.stderr).not.toMatch(/panic|TypeError|ReferenceError/);
    // calls k6 gave up on still commit on the server after the delay (counted as errors, never as
    // successes); let them land before the next test resets the counts
    await new Promise((resolve) => setTimeout(resolve, 600));
  });
});

describe('over websocket only', () => {
  it('dropped sockets: pending calls count as failed, drops and reconnects are counted', async () => {
    sandbox.setFaults({ dropRate: 0.02 });
    const { out, result } = await run({ SCENARIO: 'counter', SPACETIME_RETRY_DELAY: '10' });
    expect(out.exitCode).toBe(99);
    const drops = sandbox.counts().wsDropped;
    expect(drops).toBeGreaterThan(0);
    expect(count(result, 'spacetime_connection_drops_total')).toBe(drops);
    expect(count(result, 'connection_errors_total')).toBeGreaterThanOrEqual(drops);
    expect(count(result, 'spacetime_reconnect_attempts_total')).toBeGreaterThan(0);
    const calls = count(result, 'spacetime_reducer_calls_total');
    const committedCalls = calls - count(result, 'spacetime_reducer_errors_total');
    expect(sandbox.counts().committed.increment).toBe(committedCalls);
    // the client subscribes again after each reconnect, so every committed call still carries its row
    expect(count(result, 'spacetime_table_inserts_total') + count(result, 'spacetime_table_updates_total')).toBe(committedCalls);
    expect(out.stderr).not.toMatch(/panic|TypeError|ReferenceError/);
  });

  it('subscription updates received by watchers == updates the sandbox sent them', async () => {
    const summaryPath = join(results.dir, 'subscription-accounting.json');
    const out = await runK6({
      script: 'test/fixtures/subscription-accounting.js',
      env: { SPACETIME_HOST: '127.0.0.1', SPACETIME_PORT: String(sandbox.port), SUMMARY_JSON: summaryPath },
    });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const result = readResult(summaryPath);
    const sent = sandbox.counts().subscriptionUpdatesSent;
    const increments = sandbox.counts().committed.increment;
    expect(increments).toBeGreaterThan(100);
    expect(sent).toBe(3 * increments); // each of the 3 watchers hears every writer's increment
    expect(count(result, 'spacetime_subscription_updates_total')).toBe(sent);
  });

  it('websocketStress: a connection and two subscriptions per iteration, all timed', async () => {
    const { out, result } = await run({ SCENARIO: 'websocketStress', LOAD_PROFILE: 'smoke' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const iterations = count(result, 'iterations');
    expect(iterations).toBeGreaterThan(10);
    expect(count(result, 'spacetime_ws_connections_total')).toBe(iterations);
    expect(sandbox.counts().wsConnections).toBe(iterations);
    expect(result.metrics.spacetime_ws_connect_latency_ms.values.avg).toBeGreaterThan(0);
    expect(result.metrics.spacetime_subscription_latency_ms.values.avg).toBeGreaterThan(0);
    expect(count(result, 'spacetime_subscription_errors_total')).toBe(0);
    expect(out.stdout).toContain('✓ WebSocket connected');
    expect(out.stdout).toContain('✓ Subscription applied');
  });

  it('pipeline: PIPELINE_DEPTH calls in flight per socket, each measured by the extension and committed by the server', async () => {
    const { out, result } = await run({ SCENARIO: 'pipeline', LOAD_PROFILE: 'smoke', PIPELINE_DEPTH: '8', PIPELINE_SLICE: '500ms' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const calls = count(result, 'spacetime_reducer_calls_total');
    const iterations = count(result, 'iterations');
    expect(iterations).toBeGreaterThanOrEqual(4); // 3 s of 500 ms slices
    expect(calls).toBeGreaterThan(8 * iterations); // every slice kept the depth in flight
    expect(count(result, 'spacetime_reducer_errors_total')).toBe(0);
    expect(sandbox.counts().committed.increment).toBe(calls);
    expect(count(result, 'transactions_total')).toBe(calls);
    expect(count(result, 'records_written_total')).toBe(calls);
    expect(count(result, 'spacetime_table_inserts_total') + count(result, 'spacetime_table_updates_total')).toBe(calls);
    expect(result.metrics.spacetime_reducer_latency_ms.values.avg).toBeGreaterThan(0);
    expect(result.metrics.write_latency_ms.values.avg).toBeGreaterThan(0);
    expect(out.stdout).toContain('✓ Pipelined calls committed');
  });

  it('pipeline in a VU staircase: one level per VU count, its transactions/s, the capacity under LATENCY_P95_MS, every call counted on both sides', async () => {
    const levels = {
      SCENARIO: 'pipeline',
      PIPELINE_DEPTH: '4',
      LOAD_PROFILE: 'staircase',
      LOAD_MODEL: 'vus',
      STAIR_START: '1',
      STAIR_TARGET: '3',
      STAIR_HOLD: '2s',
      STEADY_STATE_DURATION: '',
      LATENCY_P95_MS: '1000',
    };
    sandbox.setFaults({ latencyMs: 20 }); // each call 20 ms: a socket with 4 in flight makes ~200 calls/s
    const { out, result } = await run(levels);
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const stair = result.meta.staircase as StairResult;
    expect(result.meta.profile).toBe('staircase(1..3 step 1 VUs, hold 2s, idle 0s)');
    expect(stair.levels.map((l) => [l.rate, l.status])).toEqual([
      [1, 'met'],
      [2, 'met'],
      [3, 'met'],
    ]);
    expect(stair.capacity).toMatchObject({ rate: 3, level: 3, levels: 3 });
    expect(out.stdout).toMatch(/level +VUs +iterations\/s +transactions_total\/s +p50/);
    expect(out.stdout).toMatch(/capacity: 3 VUs, [\d.]+ transactions_total\/s \(level 3 of 3\)/);
    // more sockets, more calls: each level's throughput is its own calls over its hold
    const [one, , three] = stair.levels.map((l) => l.throughput ?? 0);
    expect(one).toBeGreaterThan(50);
    expect(three).toBeGreaterThan(1.8 * one);
    // every call counted once, in its level (its slices end with the level), and committed by the server
    const calls = count(result, 'transactions_total');
    const perLevel = stair.levels.reduce((sum, l) => sum + count(result, `transactions_total{stair:${l.rate}}`), 0);
    expect(perLevel).toBe(calls);
    expect(sandbox.counts().committed.increment).toBe(calls);
    expect(count(result, 'spacetime_reducer_errors_total')).toBe(0);
    expect(result.metrics['latency_ms{stair:2}']?.thresholds).toEqual({ 'p(95)<1000': { ok: true } });

    // the same levels against a server 3× slower: the same VUs meet the objective, at a third of the
    // throughput, which the diff calls a regression
    sandbox.reset();
    sandbox.setFaults({ latencyMs: 60 });
    const slower = await run({ ...levels, BASELINE: join(results.dir, `r${runs}_spacetimedb.json`) });
    // (a plain k6 run exits by its thresholds, all met here; k6-suite run exits by the verdict)
    expect(slower.out.stdout).toMatch(/VERDICT: REGRESSION in staircase capacity transactions_total\/s/);
    expect(slower.result.meta.verdict).toBe('regression');
    expect((slower.result.meta.staircase as StairResult).capacity?.rate).toBe(3);
  });

  it("a Ctrl-C'd run planned by k6's own flags (--vus --duration) is inconclusive, never a baseline", async () => {
    const out = await runK6({
      script: 'dist/spacetimedb.js',
      env: { SPACETIME_HOST: '127.0.0.1', SPACETIME_PORT: String(sandbox.port), RESULTS_DIR: results.dir, SCENARIO: 'pipeline' },
      args: ['--vus', '2', '--duration', '20s'],
      signalAfter: { signal: 'SIGINT', ms: 4000 },
    });
    expect(out.exitCode).toBe(105);
    expect(out.stdout).toMatch(/VERDICT: INCONCLUSIVE: interrupted: ran [\d.]+ s of the 20\.00 s planned/);
    expect(readResult(join(results.dir, 'candidate_spacetimedb.json')).meta.verdict).toBe('inconclusive');
    expect(() => readFileSync(join(results.dir, 'baseline_spacetimedb.json'))).toThrow();
  });

  it.each([
    [{ SCENARIO: 'pipeline', USE_WEBSOCKET: 'false' }, 'SCENARIO=pipeline keeps calls in flight on a WebSocket, so it needs USE_WEBSOCKET=true'],
    [
      { SCENARIO: 'pipeline', LOAD_PROFILE: 'tps100' },
      'SCENARIO=pipeline keeps PIPELINE_DEPTH calls in flight per VU, so its load is the VUs, not an arrival rate',
    ],
    [{ SCENARIO: 'pipeline', PIPELINE_DEPTH: '0' }, "PIPELINE_DEPTH='0' is not valid"],
  ])('pipeline with %j is refused before any request', async (env, message) => {
    const out = await runK6({
      script: 'dist/spacetimedb.js',
      env: { ...env, SPACETIME_PORT: String(sandbox.port), SPACETIME_HOST: '127.0.0.1', RESULTS_DIR: results.dir },
    });
    expect(out.exitCode).toBe(107);
    expect(out.stderr).toContain(message);
    expect(sandbox.stats().served).toEqual({});
  });

  it('websocketStress with USE_WEBSOCKET=false is refused before any request', async () => {
    const out = await runK6({
      script: 'dist/spacetimedb.js',
      env: { SCENARIO: 'websocketStress', USE_WEBSOCKET: 'false', SPACETIME_PORT: String(sandbox.port), SPACETIME_HOST: '127.0.0.1', RESULTS_DIR: results.dir },
    });
    expect(out.exitCode).toBe(107);
    expect(out.stderr).toContain('SCENARIO=websocketStress measures WebSocket connections, so it needs USE_WEBSOCKET=true');
    expect(sandbox.stats().served).toEqual({});
  });
});

describe('fail fast in setup', () => {
  const env = (port: number, extra: Record<string, string> = {}) => ({
    SPACETIME_HOST: '127.0.0.1',
    SPACETIME_PORT: String(port),
    RESULTS_DIR: results.dir,
    SCENARIO: 'counter',
    ...extra,
  });

  it('an unreachable server aborts with one clear message', async () => {
    const out = await runK6({ script: 'dist/spacetimedb.js', env: env(9) });
    expect(out.exitCode).toBe(108);
    expect(out.stderr).toContain('SpacetimeDB is not reachable at http://127.0.0.1:9');
    expect(out.stderr).toContain('set SPACETIME_HOST / SPACETIME_PORT');
  });

  it('an unknown database aborts before any reducer call', async () => {
    const out = await runK6({ script: 'dist/spacetimedb.js', env: env(sandbox.port, { SPACETIME_DATABASE: 'nosuchdb' }) });
    expect(out.exitCode).toBe(108);
    expect(out.stderr).toContain("database 'nosuchdb' does not exist");
    expect(committed()).toBe(0);
  });

  it('a module lacking the reducer a scenario needs aborts, naming it', async () => {
    const schema = JSON.parse(MODULE_DEF_V9_JSON) as { reducers: Array<{ name: string }> };
    schema.reducers = schema.reducers.filter((r) => r.name !== 'create_user');
    const stub = await startHttpTarget({
      routes: [
        { method: 'GET', path: /^\/v1\/ping$/, name: 'ping', handle: (_q, res) => sendText(res, 200, '') },
        {
          method: 'GET',
          path: /^\/v1\/database\/benchmark$/,
          name: 'info',
          handle: (_q, res) => sendJson(res, 200, { database_identity: { __identity__: '0x00' } }),
        },
        { method: 'GET', path: /^\/v1\/database\/benchmark\/schema$/, name: 'schema', handle: (_q, res) => sendJson(res, 200, schema) },
      ],
    });
    try {
      const out = await runK6({ script: 'dist/spacetimedb.js', env: env(stub.port, { SCENARIO: 'users' }) });
      expect(out.exitCode).toBe(108);
      expect(out.stderr).toContain('reducer create_user is missing');
      expect(stub.stats().served).toEqual({ ping: 1, info: 1, schema: 1 });
    } finally {
      await stub.close();
    }
  });

  it('a VU that cannot open its session counts failed transactions instead of passing silently', async () => {
    const stub = await startHttpTarget({
      routes: [
        { method: 'GET', path: /^\/v1\/ping$/, name: 'ping', handle: (_q, res) => sendText(res, 200, '') },
        { method: 'GET', path: /^\/v1\/database\/benchmark$/, name: 'info', handle: (_q, res) => sendJson(res, 200, {}) },
        {
          method: 'GET',
          path: /^\/v1\/database\/benchmark\/schema$/,
          name: 'schema',
          handle: (_q, res) => sendText(res, 200, MODULE_DEF_V9_JSON, 'application/json'),
        },
        { method: 'POST', path: /^\/v1\/identity$/, name: 'identity', handle: (_q, res) => sendText(res, 503, 'identity service down') },
      ],
    });
    try {
      const runName = 'nosession';
      const out = await runK6({
        script: 'dist/spacetimedb.js',
        env: env(stub.port, { LOAD_PROFILE: 'smoke', STEADY_STATE_DURATION: '1s', RUN_NAME: runName }),
      });
      expect(out.exitCode).toBe(99);
      const result = readResult(join(results.dir, `${runName}_spacetimedb.json`));
      const failed = count(result, 'transactions_total');
      expect(failed).toBeGreaterThan(0);
      expect(count(result, 'connection_errors_total')).toBe(failed);
      expect(result.metrics.transaction_success_rate.values.rate).toBe(0);
      expect(out.stderr).toContain('no SpacetimeDB session');
      expect(out.stderr).toContain('did not mint an identity (POST /v1/identity answered 503)');
    } finally {
      await stub.close();
    }
  });

  it('weights that leave a scenario without any rate are refused in init, naming the variables', async () => {
    const zero = await runK6({
      script: 'dist/spacetimedb.js',
      env: env(sandbox.port, { SCENARIO: '', COUNTER_WEIGHT: '0', MESSAGE_WEIGHT: '0', MIXED_WEIGHT: '0' }),
    });
    expect(zero.exitCode).toBe(107);
    expect(zero.stderr).toContain('COUNTER_WEIGHT, MESSAGE_WEIGHT and MIXED_WEIGHT are all 0');
    const tiny = await runK6({ script: 'dist/spacetimedb.js', env: env(sandbox.port, { SCENARIO: '', LOAD_PROFILE: 'tps100', COUNTER_WEIGHT: '0.001' }) });
    expect(tiny.exitCode).toBe(107);
    expect(tiny.stderr).toContain('under LOAD_PROFILE=tps100 the weights leave counterScenario with less than 1 iteration/s');
    const tooLong = await runK6({ script: 'dist/spacetimedb.js', env: env(sandbox.port, { SPACETIME_REQ_TIMEOUT: '90000000' }) });
    expect(tooLong.exitCode).toBe(107);
    expect(tooLong.stderr).toContain("SPACETIME_REQ_TIMEOUT='90000000' is not valid, expected an integer from 1 to 86400000");
    expect(sandbox.stats().served).toEqual({});
  });

  it('an invalid number stops k6 in init with the variable named', async () => {
    const out = await runK6({ script: 'dist/spacetimedb.js', env: env(sandbox.port, { BATCH_SIZE: 'ten' }) });
    expect(out.exitCode).toBe(107);
    expect(out.stderr).toContain("BATCH_SIZE='ten' is not valid, expected an integer from 1 to 1000");
    expect(sandbox.stats().served).toEqual({});
  });
});

describe('secrets and custom scripts', () => {
  it('SPACETIME_TOKEN is used for every call and never reaches stdout, stderr or the result file', async () => {
    const mint = await fetch(`${sandbox.url}/v1/identity`, { method: 'POST' });
    const { token, identity } = (await mint.json()) as { token: string; identity: string };
    sandbox.reset();
    for (const USE_WEBSOCKET of ['true', 'false']) {
      const { out, result } = await run({
        SCENARIO: 'counter',
        USE_WEBSOCKET,
        SPACETIME_TOKEN: token,
        SPACETIME_IDENTITY: `0x${identity.toUpperCase()}`,
        LOAD_PROFILE: 'smoke',
        STEADY_STATE_DURATION: '1s',
      });
      expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
      expect(out.stdout + out.stderr).not.toContain(token);
      const file = readFileSync(join(results.dir, `${result.meta.run as string}_spacetimedb.json`), 'utf8');
      expect(file).not.toContain(token);
    }
    expect(sandbox.counts().identitiesMinted).toBe(0); // the given token was reused, nothing minted
  });

  it("a SPACETIME_IDENTITY that is not the token's aborts in setup", async () => {
    const mint = await fetch(`${sandbox.url}/v1/identity`, { method: 'POST' });
    const { token } = (await mint.json()) as { token: string };
    const out = await runK6({
      script: 'dist/spacetimedb.js',
      env: {
        SPACETIME_HOST: '127.0.0.1',
        SPACETIME_PORT: String(sandbox.port),
        SCENARIO: 'counter',
        SPACETIME_TOKEN: token,
        SPACETIME_IDENTITY: 'ab'.repeat(32),
        RESULTS_DIR: results.dir,
      },
    });
    expect(out.exitCode).toBe(108);
    expect(out.stderr).toContain(`SPACETIME_IDENTITY is ${'ab'.repeat(32)} but SPACETIME_TOKEN belongs to identity`);
    expect(out.stdout + out.stderr).not.toContain(token);
  });

  it("seed 000's custom-test.js runs against the bundle as written", async () => {
    const elsewhere = scratchDir('k6-custom-'); // no results/ here: a custom script writes no result file
    const out = await runK6({
      script: 'test/fixtures/custom-test.js',
      cwd: elsewhere.dir,
      env: { SPACETIME_HOST: '127.0.0.1', SPACETIME_PORT: String(sandbox.port), CUSTOM_DURATION: '2s', CUSTOM_RAMP: '1s' },
      args: ['--summary-mode=compact'],
    });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    expect(sandbox.counts().committed.increment).toBeGreaterThan(10);
    expect(sandbox.counts().committed.create_message).toBeGreaterThan(10);
    expect(out.stdout).toContain('Counter increment successful');
    elsewhere.remove();
  });
});
