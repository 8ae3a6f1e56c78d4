// dist/spacetimedb.js against a REAL SpacetimeDB server (standalone 1.2.0, the benchmark module in
// bin/spacetimedb-benchmark.wasm; tools/spacetimedb-server): every scenario over both transports at
// the smoke profile and an arrival-rate profile, each on a freshly published database. What k6
// counted as committed is what the database holds (its SQL endpoint), no reducer failed, and the
// server logged nothing a client caused (a socket closed without a close frame, a protocol error).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runK6 } from '../../tools/k6.ts';
import { startRealSpacetime, type RealSpacetime } from '../../tools/spacetimedb-server/index.ts';
import type { StairResult } from '../../src/shared/staircase.ts';
import { count, readResult, scratchDir } from '../support/results.ts';

let server: RealSpacetime;
const results = scratchDir('k6-stdb-real-');
let runs = 0;

beforeAll(async () => {
  server = await startRealSpacetime();
}, 60_000);
afterAll(async () => {
  await server?.close();
  results.remove();
});

/**
 * What the server logged that a client caused: a socket ended without a close frame, a protocol
 * error, a message it could not read, a reducer that panicked. One line is the server's own race and
 * is left out: its liveness ping (a tokio interval whose first tick is immediate) sent after the
 * client's close frame arrived ("error sending ping: ... Sending after closing is not allowed",
 * spacetimedb-client-api 1.2.0 src/routes/subscribe.rs:363-370); about 3 in 900 websocketStress
 * connections, each one closed properly.
 */
function clientWarnings(log: string): string[] {
  return log
    .split('\n')
    .filter((line) => /without closing handshake|Connection reset|protocol error|invalid message|failed to parse|error reading|panicked/i.test(line))
    .filter((line) => !/error sending ping: .*Sending after closing is not allowed/.test(line));
}

/** The rows the reducers committed: the counters' values summed (each increment adds 1), the messages, the users. */
async function committedRows(database: string): Promise<{ increments: number; messages: number; users: number }> {
  const counters = await server.sql(database, 'SELECT * FROM counters');
  const increments = counters.reduce((sum, row) => sum + Number(row[1]), 0);
  const [[messages]] = await server.sql(database, 'SELECT COUNT(*) AS n FROM messages');
  const [[users]] = await server.sql(database, 'SELECT COUNT(*) AS n FROM users');
  return { increments, messages: Number(messages), users: Number(users) };
}

/**
 * Runs dist/spacetimedb.js against a freshly published database: k6's exit, its result, the database,
 * and the server's log lines written since the run began (a moment after its end: the server logs a
 * closed socket a little later).
 */
async function runOnFreshDatabase(env: Record<string, string>, args: string[] = []) {
  const database = `bench${(runs += 1)}`;
  await server.publish(database);
  const logBefore = server.log().length;
  const runName = `r${runs}`;
  const out = await runK6({
    script: 'dist/spacetimedb.js',
    env: {
      SPACETIME_HOST: server.host,
      SPACETIME_PORT: String(server.port),
      SPACETIME_DATABASE: database,
      RESULTS_DIR: results.dir,
      RUN_NAME: runName,
      ...env,
    },
    args,
    timeoutMs: 120_000,
  });
  expect(out.exitCode, out.stderr.slice(-3000)).toBe(0);
  const result = readResult(join(results.dir, `${runName}_spacetimedb.json`));
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { result, database, serverLog: server.log().slice(logBefore) };
}

const PROFILES = [
  { profile: 'smoke', env: { LOAD_PROFILE: 'smoke', STEADY_STATE_DURATION: '3s' } },
  { profile: 'tps100', env: { LOAD_PROFILE: 'tps100', STEADY_STATE_DURATION: '3s' } },
];

describe.each([
  { transport: 'websocket', USE_WEBSOCKET: 'true' },
  { transport: 'http', USE_WEBSOCKET: 'false' },
])('real server over $transport', ({ transport, USE_WEBSOCKET }) => {
  const scenarios = ['counter', 'message', 'users', 'batch', 'mixed', ...(transport === 'websocket' ? ['websocketStress'] : [])];
  describe.each(PROFILES)('$profile', ({ env }) => {
    it.each(scenarios)('%s: every call k6 counted as committed is in the database, none failed, nothing in the server log', async (scenario) => {
      const { result, database, serverLog } = await runOnFreshDatabase({ SCENARIO: scenario, USE_WEBSOCKET, BATCH_SIZE: '5', MESSAGE_SIZE: '200', ...env });
      const calls = count(result, 'spacetime_reducer_calls_total');
      expect(count(result, 'spacetime_reducer_errors_total')).toBe(0);
      const held = await committedRows(database);
      const expected = {
        increments: ['counter', 'batch', 'mixed'].includes(scenario) ? calls : 0,
        messages: scenario === 'message' ? calls : 0,
        users: scenario === 'users' ? calls : 0,
      };
      if (scenario !== 'websocketStress') expect(calls).toBeGreaterThan(0);
      expect(held).toEqual(expected);
      // every transaction k6 counted is a committed call, or a read in the mixed scenario
      if (scenario === 'mixed') expect(count(result, 'transactions_total')).toBeGreaterThan(calls);
      else expect(count(result, 'transactions_total')).toBe(calls);
      // the server's log since the run began: nothing a client caused
      expect(clientWarnings(serverLog)).toEqual([]);
    });
  });
});

describe('real server: SCENARIO=pipeline', () => {
  it.each([
    { name: '1 VU (smoke)', args: [] as string[] },
    { name: '4 VUs', args: ['--vus', '4', '--duration', '3s'] },
  ])('$name: every pipelined call k6 counted as committed is in the database', async ({ args }) => {
    const { result, database, serverLog } = await runOnFreshDatabase(
      { SCENARIO: 'pipeline', PIPELINE_DEPTH: '10', PIPELINE_SLICE: '500ms', LOAD_PROFILE: 'smoke', STEADY_STATE_DURATION: '3s' },
      args,
    );
    const calls = count(result, 'spacetime_reducer_calls_total');
    expect(calls).toBeGreaterThan(10 * count(result, 'iterations'));
    expect(count(result, 'spacetime_reducer_errors_total')).toBe(0);
    expect(await committedRows(database)).toEqual({ increments: calls, messages: 0, users: 0 });
    expect(clientWarnings(serverLog)).toEqual([]);
  });

  it("in a VU staircase: each level's transactions/s and the capacity named, every call in the database", async () => {
    const { result, database, serverLog } = await runOnFreshDatabase({
      SCENARIO: 'pipeline',
      PIPELINE_DEPTH: '10',
      LOAD_PROFILE: 'staircase',
      LOAD_MODEL: 'vus',
      STAIR_START: '1',
      STAIR_STEP: '3',
      STAIR_TARGET: '7',
      STAIR_HOLD: '2s',
      LATENCY_P95_MS: '1000',
    });
    const stair = result.meta.staircase as StairResult;
    expect(stair.levels.map((l) => [l.rate, l.status])).toEqual([
      [1, 'met'],
      [4, 'met'],
      [7, 'met'],
    ]);
    expect(stair.capacity).toMatchObject({ rate: 7, level: 3 });
    expect(stair.capacity?.throughput).toBeGreaterThan(0);
    const calls = count(result, 'transactions_total');
    expect(stair.levels.reduce((sum, l) => sum + (l.throughput ?? 0) * 2, 0)).toBeCloseTo(calls, -1);
    expect(count(result, 'spacetime_reducer_errors_total')).toBe(0);
    expect(await committedRows(database)).toEqual({ increments: calls, messages: 0, users: 0 });
    expect(clientWarnings(serverLog)).toEqual([]);
  });
});
