// The SpacetimeDB family against the REAL server (standalone 1.2.0, tools/spacetimedb-server), side by
// side in one run: a bare pipelined client written for the benchmark (tools/bench/spacetimedb-bare, Go:
// the same increment calls, each connection subscribed to its own counter, K calls in flight per
// connection) vs the library's counter, batch and pipeline scenarios at matching concurrency. Commits/s
// are counted by the database (the counters' values summed over SQL), and commits per CPU-second of
// the load generator (user + system of its process, from bash's `times`).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { K6_BIN, K6_HYGIENE_ENV, PROJECT_ROOT } from '../k6.ts';
import { startRealSpacetime, type RealSpacetime } from '../spacetimedb-server/index.ts';
import { VUS, cpuSecondsOf, seconds } from './common.ts';
import type { Section } from './report.ts';

const BARE = join(PROJECT_ROOT, 'bin/spacetimedb-bare');

/** Builds the bare client (Go module proxy, once). */
function buildBare(): void {
  if (existsSync(BARE)) return;
  const out = spawnSync('go', ['build', '-o', BARE, '.'], {
    cwd: join(PROJECT_ROOT, 'tools/bench/spacetimedb-bare'),
    env: { ...process.env, GOFLAGS: '-mod=mod', GOSUMDB: process.env.GOSUMDB ?? 'off' },
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(`building the bare SpacetimeDB client failed: ${out.stderr.slice(-1500)}`);
}

interface Variant {
  name: string;
  commits: number;
  seconds: number;
  cpu: number;
}

/** The increments the database holds (each adds 1). */
async function increments(server: RealSpacetime, database: string): Promise<number> {
  return (await server.sql(database, 'SELECT * FROM counters')).reduce((sum, row) => sum + Number(row[1]), 0);
}

export async function realServerSections(resultsDir: string): Promise<Section[]> {
  const loadSeconds = seconds('BENCH_DURATION', process.env.BENCH_DURATION ?? '15s');
  const depth = Number(process.env.BENCH_PIPELINE_DEPTH ?? 10);
  buildBare();
  const server = await startRealSpacetime();
  const variants: Variant[] = [];
  let n = 0;
  const k6 = async (name: string, env: Record<string, string>) => {
    const database = `bench${(n += 1)}`;
    await server.publish(database);
    const started = Date.now();
    const run = await cpuSecondsOf(
      K6_BIN,
      [
        'run',
        '--quiet',
        '--vus',
        String(VUS),
        '--duration',
        `${loadSeconds}s`,
        ...Object.entries({
          SPACETIME_HOST: server.host,
          SPACETIME_PORT: String(server.port),
          SPACETIME_DATABASE: database,
          RESULTS_DIR: resultsDir,
          RUN_NAME: `real_${n}`,
          ...env,
        }).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
        'dist/spacetimedb.js',
      ],
      { ...process.env, ...K6_HYGIENE_ENV },
      PROJECT_ROOT,
    );
    if (run.code !== 0 && run.code !== 99) throw new Error(`${name}: k6 exited ${run.code}: ${run.stderr.slice(-1500)}`);
    // the rate over k6's test run (setup to teardown, as the bare client times its own run from its first
    // request), not over the VUs' JavaScript compilation before it; the CPU counts everything
    const outputs = JSON.parse(readFileSync(join(resultsDir, `real_${n}_spacetimedb.outputs.json`), 'utf8')) as { result: string };
    const testRunMs = (JSON.parse(readFileSync(outputs.result, 'utf8')) as { state?: { testRunDurationMs?: number } }).state?.testRunDurationMs;
    variants.push({ name, commits: await increments(server, database), seconds: (testRunMs ?? Date.now() - started) / 1000, cpu: run.cpu });
  };
  const bare = async (name: string, k: number) => {
    const database = `bench${(n += 1)}`;
    await server.publish(database);
    const run = await cpuSecondsOf(
      BARE,
      ['-url', server.url, '-database', database, '-c', String(VUS), '-k', String(k), '-d', `${loadSeconds}s`],
      process.env,
      PROJECT_ROOT,
    );
    if (run.code !== 0) throw new Error(`${name}: exited ${run.code}: ${run.stderr.slice(-1500)}`);
    const said = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { seconds: number };
    variants.push({ name, commits: await increments(server, database), seconds: said.seconds, cpu: run.cpu });
  };
  try {
    await bare(`bare client, ${VUS} connections × 1 in flight`, 1);
    await k6(`counter (${VUS} VUs, 1 in flight each)`, { SCENARIO: 'counter' });
    await bare(`bare client, ${VUS} connections × ${depth} in flight`, depth);
    await k6(`batch (${VUS} VUs, BATCH_SIZE=${depth})`, { SCENARIO: 'batch', BATCH_SIZE: String(depth) });
    await k6(`pipeline (${VUS} VUs, PIPELINE_DEPTH=${depth})`, { SCENARIO: 'pipeline', PIPELINE_DEPTH: String(depth) });
  } finally {
    await server.close();
  }
  const rate = (v: Variant) => v.commits / v.seconds;
  const perCpu = (v: Variant) => v.commits / v.cpu;
  const [bare1, counter, bareK, batch, pipeline] = variants;
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  return [
    {
      title: 'SpacetimeDB real server (standalone 1.2.0): the library vs a bare pipelined client',
      notes: [
        `${VUS} connections for ${loadSeconds} s each, against one server on this machine (it shares the 2 cores with the load generator). Commits counted by the database, per second of the run (k6: its test run, setup to teardown; the bare client: from its first request); CPU = user + system seconds of the whole load generator process (k6's start-up included). The bare client (tools/bench/spacetimedb-bare, Go) makes the same increment calls on sockets subscribed to their own counter row.`,
      ],
      rows: [
        ...variants.map((v) => ({ name: `${v.name}: commits/s (per CPU-second)`, value: `${rate(v).toFixed(0)} (${perCpu(v).toFixed(0)})` })),
        {
          name: `pipeline / bare at ${depth} in flight: commits/s`,
          value: ratio(rate(pipeline), rate(bareK)).toFixed(2),
          goal: '>= 0.9',
          met: ratio(rate(pipeline), rate(bareK)) >= 0.9,
        },
        {
          name: `pipeline / bare at ${depth} in flight: commits per CPU-second`,
          value: ratio(perCpu(pipeline), perCpu(bareK)).toFixed(2),
          goal: '>= 0.7',
          met: ratio(perCpu(pipeline), perCpu(bareK)) >= 0.7,
        },
        { name: 'counter / bare at 1 in flight: commits/s', value: ratio(rate(counter), rate(bare1)).toFixed(2) },
        { name: `batch / bare at ${depth} in flight: commits/s`, value: ratio(rate(batch), rate(bareK)).toFixed(2) },
      ],
    },
  ];
}
