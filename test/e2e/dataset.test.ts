// Deterministic schema-driven data (k6/x/dataset, DATA_SCHEMA) under the real k6 binary: the same
// seed gives byte-identical rows in every run whatever VU takes which row, another seed other rows;
// the SpacetimeDB users workload sends the schema's rows (seeded DATA_SEED + INSTANCE_INDEX) and the
// sandbox stores exactly them; bad data settings stop k6 in init with exit 107.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, runK6 } from '../../tools/k6.ts';
import { startSpacetimeSandbox, type SpacetimeSandbox } from '../../tools/sandbox/spacetimedb/server.ts';
import { count, readResult, scratchDir } from '../support/results.ts';

const scratch = scratchDir('k6-dataset-');
const TEST_SCHEMA = join(PROJECT_ROOT, 'xk6-build/ext/dataset/testdata/schema.yaml');
const USERS_SCHEMA = 'examples/data/users.schema.yaml';
let outputs = 0;

afterAll(() => scratch.remove());

type Row = Record<string, unknown>;
interface Generation {
  /** The summary's file, as written. */
  bytes: string;
  tables: Record<string, Row[]>;
  /** Each iteration's row as the VU that ran it logged it, by iteration. */
  logged: Map<number, string>;
}

/** test/bare/dataset-rows.js: 30 iterations on 3 VUs, then rows 0..rows-1 of every table. */
async function generate(env: Record<string, string>, rows = 1000): Promise<Generation> {
  const out = join(scratch.dir, `rows-${(outputs += 1)}.json`);
  const run = await runK6({
    script: 'test/bare/dataset-rows.js',
    env: { DATA_SCHEMA: TEST_SCHEMA, ROWS: String(rows), OUT: out, ...env },
    args: ['--log-format', 'raw'],
  });
  expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
  const bytes = readFileSync(out, 'utf8');
  const logged = new Map<number, string>();
  for (const line of run.stderr.split('\n')) {
    const m = /^row (\d+) (\{.*\})$/.exec(line.trim());
    if (m) logged.set(Number(m[1]), m[2]);
  }
  return { bytes, tables: (JSON.parse(bytes) as { tables: Record<string, Row[]> }).tables, logged };
}

describe('k6/x/dataset in k6', () => {
  it('two generations with the same seed are byte-identical and differ with another seed', async () => {
    const first = await generate({ DATA_SEED: '42' });
    const second = await generate({ DATA_SEED: '42' });
    const other = await generate({ DATA_SEED: '43' });
    expect(first.tables.users).toHaveLength(1000);
    expect(first.tables.orders).toHaveLength(1000);
    expect(second.bytes).toBe(first.bytes);
    expect(other.bytes).not.toBe(first.bytes);
    // seeded per cell: the sequential id and the pattern's {index} do not depend on the seed, the random columns do
    expect(other.tables.users[7].id).toBe(first.tables.users[7].id);
    expect(other.tables.users[7].email).toBe(first.tables.users[7].email);
    expect(other.tables.users[7].uid).not.toBe(first.tables.users[7].uid);
    for (const [i, row] of first.tables.users.entries()) {
      expect(row.id).toBe(i + 1);
      expect(row.email).toBe(`user_${i}@test.com`);
    }
    // random access: whichever of the 3 VUs ran iteration i, in whatever order, it got row i
    for (const gen of [first, second]) {
      expect([...gen.logged.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      for (const [i, json] of gen.logged) expect(json).toBe(JSON.stringify(first.tables.users[i]));
    }
  });
});

describe('the SpacetimeDB users workload with DATA_SCHEMA', () => {
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

  const USER_COLUMNS = ['id', 'username', 'email', 'name', 'age', 'created_at', 'active'];

  async function usersRun(env: Record<string, string>, iterations = 40, extraArgs: string[] = []) {
    const runName = `d${(runs += 1)}`;
    const out = await runK6({
      script: 'dist/spacetimedb.js',
      env: {
        SPACETIME_HOST: '127.0.0.1',
        SPACETIME_PORT: String(sandbox.port),
        RESULTS_DIR: results.dir,
        RUN_NAME: runName,
        SCENARIO: 'users',
        DATA_SCHEMA: USERS_SCHEMA,
        ...env,
      },
      args: ['--vus', '2', '--iterations', String(iterations), ...extraArgs],
    });
    return { out, resultPath: join(results.dir, `${runName}_spacetimedb.json`) };
  }

  /** The users rows the sandbox stored, by column name, sorted by email. */
  async function storedUsers(): Promise<Row[]> {
    const res = await fetch(`${sandbox.url}/v1/database/benchmark/sql`, { method: 'POST', body: 'SELECT * FROM users' });
    expect(res.status).toBe(200);
    const [{ rows }] = (await res.json()) as Array<{ rows: unknown[][] }>;
    return rows
      .map((r) => Object.fromEntries(USER_COLUMNS.map((c, i) => [c, r[i]])))
      .sort((a, b) => String(a.email).localeCompare(String(b.email), 'en', { numeric: true }));
  }

  it('sends row iterationInTest of the users table: the sandbox stores the schema values, the same in every run', async () => {
    const { out, resultPath } = await usersRun({ DATA_SEED: '42' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const result = readResult(resultPath);
    expect(count(result, 'spacetime_reducer_calls_total')).toBe(40);
    expect(count(result, 'spacetime_reducer_errors_total')).toBe(0);
    expect(result.meta).toMatchObject({ dataSchema: USERS_SCHEMA, dataTable: 'users', dataSeed: 42 });
    const stored = await storedUsers();
    expect(stored).toHaveLength(40);

    // the rows the extension gives for seed 42, computed apart
    const expected = (await generate({ DATA_SCHEMA: join(PROJECT_ROOT, USERS_SCHEMA), DATA_SEED: '42' }, 40)).tables.users;
    for (const [i, row] of stored.entries()) {
      const want = expected[i];
      expect(row.email).toBe(`user_${i}@test.com`);
      expect(row).toMatchObject({ id: want.id, username: want.username, email: want.email, age: want.age, created_at: want.created_at, active: want.active });
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.username).toMatch(new RegExp(`^user_${i}_\\d{4}$`));
      expect(row.age as number).toBeGreaterThanOrEqual(18);
      expect(row.age as number).toBeLessThanOrEqual(90);
      expect(row.created_at).toMatch(/^2024-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(row.name).toMatch(/^vu-/); // the VU's name: its subscription
    }

    // instance 1 of a run with base seed 41 has seed 42: the same rows again
    sandbox.reset();
    const again = await usersRun({ DATA_SEED: '41', INSTANCE_INDEX: '1' });
    expect(again.out.exitCode, again.out.stderr.slice(-2000)).toBe(0);
    const strip = (rows: Row[]) => rows.map(({ name: _name, ...rest }) => rest);
    expect(strip(await storedUsers())).toEqual(strip(stored));
    // without INSTANCE_INDEX (a k6-operator runner), the instance is its execution segment's position:
    // the second half of a 2-way split with base seed 41 has seed 42, and sends its iterations' rows of it
    // (iterationInTest counts across the instances)
    sandbox.reset();
    const segment = await usersRun({ DATA_SEED: '41' }, 40, ['--execution-segment', '1/2:1', '--execution-segment-sequence', '0,1/2,1']);
    expect(segment.out.exitCode, segment.out.stderr.slice(-2000)).toBe(0);
    const half = strip(await storedUsers());
    expect(half).toHaveLength(20);
    for (const row of half) expect(row).toEqual(strip([stored[Number(/^user_(\d+)@/.exec(String(row.email))?.[1])]])[0]);
    // and another seed other rows (the same emails: the pattern has only {index})
    sandbox.reset();
    const other = await usersRun({ DATA_SEED: '43' });
    expect(other.out.exitCode, other.out.stderr.slice(-2000)).toBe(0);
    const otherRows = await storedUsers();
    expect(otherRows.map((r) => r.email)).toEqual(stored.map((r) => r.email));
    expect(otherRows.map((r) => r.id)).not.toEqual(stored.map((r) => r.id));
  });

  it('stops in init (exit 107) on a bad data setting, naming it', async () => {
    const badSchema = join(scratch.dir, 'bad.schema.yaml');
    writeFileSync(badSchema, readFileSync(join(PROJECT_ROOT, USERS_SCHEMA), 'utf8').replace('min: 18, max: 90', 'min: 90, max: 18'));
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ DATA_SEED: 'abc' }, /DATA_SEED='abc' is not valid, expected an integer from 0 to 4503599627370496/],
      [{ INSTANCE_INDEX: '-1' }, /INSTANCE_INDEX='-1' is not valid, expected an integer from 0 to 1000000/],
      [{ DATA_SCHEMA: 'nope.yaml' }, /DATA_SCHEMA='nope.yaml' does not exist/],
      [{ DATA_SCHEMA: badSchema }, /is not a valid schema: dataset: table \\?"users\\?", field \\?"age\\?": int_range: min \(90\) is greater than max \(18\)/],
      [{ DATA_TABLE: 'orders' }, /DATA_TABLE='orders' is not a table of DATA_SCHEMA='examples\/data\/users.schema.yaml' \(tables: users\)/],
      [{ SCENARIO: 'counter' }, /DATA_SCHEMA applies only to SCENARIO=users \(SCENARIO is counter\)/],
    ];
    for (const [env, message] of cases) {
      const { out } = await usersRun(env, 1);
      expect(out.exitCode, `${JSON.stringify(env)}: ${out.stderr.slice(-1500)}`).toBe(107);
      expect(out.stderr).toMatch(message);
    }
    expect(sandbox.counts().committed.create_user).toBe(0);
  });
});
