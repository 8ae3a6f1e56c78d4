// `npm run bench`: measures ratios in one run and appends them to BENCHMARKS.md. Not part of npm test.
//   1. the library's health scenario vs a bare hand-written k6 script, same target and VUs:
//      iterations/s ratio (goal >= 0.95) and peak RSS per VU of each;
//   2. SpacetimeDB reducer calls/s over WebSocket (BATCH_SIZE in flight per socket) vs HTTP, equal VUs
//      (goal >= 1.5);
//   3. the counter scenario vs a bare hand-written k6 WebSocket script making the same calls (goal >= 0.95);
//   4. achieved vs requested rate under tps1000 (goal >= 99%, 0 dropped iterations).
import { join } from 'node:path';
import { startHealthTarget } from '../sandbox/health-target.ts';
import { startSpacetimeSandbox, type SpacetimeSandbox } from '../sandbox/spacetimedb/server.ts';
import { measure, type Measurement } from './measure.ts';
import { appendToBenchmarks, renderSections, type Section } from './report.ts';
import { scratchDir } from '../../test/support/results.ts';
import { parseDurationMs } from '../../src/lib/config.ts';

/** Seconds of a k6 duration given to the benchmark; a clear error for a bad one. */
function seconds(name: string, value: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined || ms <= 0) throw new Error(`${name}=${value} is not a k6 duration like 15s or 1m`);
  return ms / 1000;
}

const VUS = Number(process.env.BENCH_VUS ?? 10);
const DURATION = process.env.BENCH_DURATION ?? '15s';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function healthVsBare(resultsDir: string): Promise<Section> {
  const target = await startHealthTarget();
  const load = ['--vus', String(VUS), '--duration', DURATION];
  const bare: Measurement[] = [];
  const ours: Measurement[] = [];
  try {
    // Alternate the two so drift on a shared machine hits both alike.
    for (let round = 1; round <= ROUNDS; round += 1) {
      bare.push(
        await measure({
          label: `bare health r${round}`, script: 'tools/bench/bare/health.js', vus: VUS, args: load,
          env: { TARGET_URL: target.url }, resultFile: join(resultsDir, `bare_r${round}.json`),
        }),
      );
      ours.push(
        await measure({
          label: `library health r${round}`, script: 'dist/health.js', vus: VUS, args: load,
          env: { TARGET_URL: target.url, RESULTS_DIR: resultsDir, RUN_NAME: `lib_r${round}` },
          resultFile: join(resultsDir, `lib_r${round}_health.json`),
        }),
      );
    }
  } finally {
    await target.close();
  }
  const bareRate = mean(bare.map((m) => m.iterationsPerSec));
  const ourRate = mean(ours.map((m) => m.iterationsPerSec));
  const ratio = ourRate / bareRate;
  const bareRss = Math.max(...bare.map((m) => m.peakRssBytes));
  const ourRss = Math.max(...ours.map((m) => m.peakRssBytes));
  return {
    title: 'Library health scenario vs a bare k6 script (same sandbox target, same VUs)',
    notes: [`${VUS} VUs for ${DURATION}, ${ROUNDS} alternating rounds each; rates are the mean over rounds, memory the highest peak.`],
    rows: [
      { name: 'bare script iterations/s', value: bareRate.toFixed(0) },
      { name: 'library scenario iterations/s', value: ourRate.toFixed(0) },
      { name: 'iterations/s ratio (library / bare)', value: ratio.toFixed(3), goal: '>= 0.95', met: ratio >= 0.95 },
      { name: 'bare script peak RSS per VU', value: mib(bareRss / VUS) },
      { name: 'library scenario peak RSS per VU', value: mib(ourRss / VUS) },
      { name: 'peak RSS ratio (library / bare)', value: (ourRss / bareRss).toFixed(3) },
    ],
  };
}

const countOf = (m: Measurement, metric: string) => m.summary[metric]?.values.count ?? 0;
const rateOf = (m: Measurement, metric: string) => m.summary[metric]?.values.rate ?? 0;

async function withSandbox<T>(fn: (sandbox: SpacetimeSandbox, env: Record<string, string>) => Promise<T>): Promise<T> {
  const sandbox = await startSpacetimeSandbox();
  try {
    return await fn(sandbox, { SPACETIME_HOST: '127.0.0.1', SPACETIME_PORT: String(sandbox.port) });
  } finally {
    await sandbox.close();
  }
}

async function websocketVsHttp(resultsDir: string): Promise<Section> {
  const batch = Number(process.env.BENCH_BATCH_SIZE ?? 10);
  const load = ['--vus', String(VUS), '--duration', DURATION];
  const [ws, httpRun] = await withSandbox(async (_sandbox, env) => [
    await measure({
      label: 'spacetimedb ws batch', script: 'dist/spacetimedb.js', vus: VUS, args: load,
      env: { ...env, SCENARIO: 'batch', BATCH_SIZE: String(batch), USE_WEBSOCKET: 'true', RESULTS_DIR: resultsDir, RUN_NAME: 'ws_batch' },
      resultFile: join(resultsDir, 'ws_batch_spacetimedb.json'),
    }),
    await measure({
      label: 'spacetimedb http counter', script: 'dist/spacetimedb.js', vus: VUS, args: load,
      env: { ...env, SCENARIO: 'counter', USE_WEBSOCKET: 'false', RESULTS_DIR: resultsDir, RUN_NAME: 'http_counter' },
      resultFile: join(resultsDir, 'http_counter_spacetimedb.json'),
    }),
  ]);
  const wsRate = rateOf(ws, 'spacetime_reducer_calls_total');
  const httpRate = rateOf(httpRun, 'spacetime_reducer_calls_total');
  return {
    title: 'SpacetimeDB reducer calls/s: WebSocket vs HTTP (sandbox, equal VUs)',
    notes: [`${VUS} VUs for ${DURATION}; WebSocket: the batch scenario, ${batch} calls in flight per socket; HTTP: the counter scenario, one call per request.`],
    rows: [
      { name: 'WebSocket reducer calls/s', value: wsRate.toFixed(0) },
      { name: 'HTTP reducer calls/s', value: httpRate.toFixed(0) },
      { name: 'ratio (WebSocket / HTTP)', value: (wsRate / httpRate).toFixed(2), goal: '>= 1.5', met: wsRate / httpRate >= 1.5 },
      { name: 'reducer errors (WebSocket, HTTP)', value: `${countOf(ws, 'spacetime_reducer_errors_total')}, ${countOf(httpRun, 'spacetime_reducer_errors_total')}` },
    ],
  };
}

async function counterVsBareWebSocket(resultsDir: string): Promise<Section> {
  const duration = seconds('BENCH_DURATION', DURATION);
  const [bare, ours] = await withSandbox(async (_sandbox, env) => [
    await measure({
      label: 'bare ws counter', script: 'tools/bench/bare/spacetimedb-counter.js', vus: VUS,
      args: ['--vus', String(VUS), '--iterations', String(VUS)],
      env: { ...env, DURATION_MS: String(duration * 1000) }, resultFile: join(resultsDir, 'bare_ws.json'),
    }),
    await measure({
      label: 'library ws counter', script: 'dist/spacetimedb.js', vus: VUS, args: ['--vus', String(VUS), '--duration', DURATION],
      env: { ...env, SCENARIO: 'counter', USE_WEBSOCKET: 'true', RESULTS_DIR: resultsDir, RUN_NAME: 'lib_ws' },
      resultFile: join(resultsDir, 'lib_ws_spacetimedb.json'),
    }),
  ]);
  const bareRate = rateOf(bare, 'bare_committed_total');
  const ourRate = rateOf(ours, 'spacetime_reducer_calls_total') - rateOf(ours, 'spacetime_reducer_errors_total');
  return {
    title: 'SpacetimeDB counter scenario vs a bare k6 WebSocket script (same calls, same replies parsed)',
    notes: [
      `${VUS} VUs for ${DURATION}, one call in flight per VU. The bare script uses k6/websockets with one long iteration per VU (the module cannot keep a socket across iterations); the library uses its persistent k6/x/spacetimedb socket and records every seed 000 metric.`,
    ],
    rows: [
      { name: 'bare script committed calls/s', value: bareRate.toFixed(0) },
      { name: 'library scenario committed calls/s', value: ourRate.toFixed(0) },
      { name: 'ratio (library / bare)', value: (ourRate / bareRate).toFixed(3), goal: '>= 0.95', met: ourRate / bareRate >= 0.95 },
      { name: 'bare script peak RSS per VU', value: mib(bare.peakRssBytes / VUS) },
      { name: 'library scenario peak RSS per VU', value: mib(ours.peakRssBytes / VUS) },
    ],
  };
}

async function achievedRate(resultsDir: string): Promise<Section> {
  const steady = process.env.BENCH_RATE_DURATION ?? '20s';
  const requested = 1000 * seconds('BENCH_RATE_DURATION', steady);
  const run = await withSandbox((_sandbox, env) =>
    measure({
      label: 'tps1000', script: 'dist/spacetimedb.js', vus: 100, args: [],
      env: { ...env, SCENARIO: 'counter', LOAD_PROFILE: 'tps1000', STEADY_STATE_DURATION: steady, RESULTS_DIR: resultsDir, RUN_NAME: 'tps1000' },
      resultFile: join(resultsDir, 'tps1000_spacetimedb.json'),
    }),
  );
  // achieved = calls the server committed for the client, not just iterations started
  const committed = countOf(run, 'spacetime_reducer_calls_total') - countOf(run, 'spacetime_reducer_errors_total');
  const achieved = committed / requested;
  return {
    title: 'Achieved vs requested rate: SpacetimeDB counter under tps1000 (WebSocket)',
    notes: [`constant-arrival-rate 1000/s for ${steady} (${requested} iterations requested).`],
    rows: [
      { name: 'iterations started', value: String(run.iterations) },
      { name: 'committed calls', value: String(committed) },
      { name: 'achieved (committed) / requested', value: `${(achieved * 100).toFixed(2)}%`, goal: '>= 99%', met: achieved >= 0.99 },
      { name: 'dropped iterations', value: String(run.droppedIterations), goal: '0', met: run.droppedIterations === 0 },
      { name: 'reducer p(95) latency', value: `${(run.summary.spacetime_reducer_latency_ms?.values['p(95)'] ?? NaN).toFixed(2)} ms` },
    ],
  };
}

const scratch = scratchDir('k6-bench-');
try {
  const sections = [
    await healthVsBare(scratch.dir),
    await websocketVsHttp(scratch.dir),
    await counterVsBareWebSocket(scratch.dir),
    await achievedRate(scratch.dir),
  ];
  const text = renderSections(sections);
  console.log(text);
  appendToBenchmarks(text);
  console.log('appended to BENCHMARKS.md');
} finally {
  scratch.remove();
}
