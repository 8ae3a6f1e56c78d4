// The spacetimedb family's benchmarks: WebSocket vs HTTP, the counter scenario vs a bare k6 WebSocket
// script, and the achieved rate under tps1000.
import { join } from 'node:path';
import { spacetimedb } from '../../src/shared/families/spacetimedb.ts';
import { DURATION, VUS, countOf, mib, rateOf, seconds, withSandbox, type BenchContext } from './common.ts';
import { measure } from './measure.ts';
import type { Section } from './report.ts';
import { realServerSections } from './spacetimedb-real.ts';

export async function benchSections(ctx: BenchContext): Promise<Section[]> {
  return [
    await websocketVsHttp(ctx.resultsDir),
    await counterVsBareWebSocket(ctx.resultsDir),
    await achievedRate(ctx.resultsDir),
    ...(await realServerSections(ctx.resultsDir)),
  ];
}

async function websocketVsHttp(resultsDir: string): Promise<Section> {
  const batch = Number(process.env.BENCH_BATCH_SIZE ?? 10);
  const load = ['--vus', String(VUS), '--duration', DURATION];
  const [ws, httpRun] = await withSandbox(spacetimedb, async (_sandbox, env) => [
    await measure({
      label: 'spacetimedb ws batch',
      script: 'dist/spacetimedb.js',
      vus: VUS,
      args: load,
      env: { ...env, SCENARIO: 'batch', BATCH_SIZE: String(batch), USE_WEBSOCKET: 'true', RESULTS_DIR: resultsDir, RUN_NAME: 'ws_batch' },
      resultFile: join(resultsDir, 'ws_batch_spacetimedb.json'),
    }),
    await measure({
      label: 'spacetimedb http counter',
      script: 'dist/spacetimedb.js',
      vus: VUS,
      args: load,
      env: { ...env, SCENARIO: 'counter', USE_WEBSOCKET: 'false', RESULTS_DIR: resultsDir, RUN_NAME: 'http_counter' },
      resultFile: join(resultsDir, 'http_counter_spacetimedb.json'),
    }),
  ]);
  const wsRate = rateOf(ws, 'spacetime_reducer_calls_total');
  const httpRate = rateOf(httpRun, 'spacetime_reducer_calls_total');
  return {
    title: 'SpacetimeDB reducer calls/s: WebSocket vs HTTP (sandbox, equal VUs)',
    notes: [
      `${VUS} VUs for ${DURATION}; WebSocket: the batch scenario, ${batch} calls in flight per socket; HTTP: the counter scenario, one call per request.`,
    ],
    rows: [
      { name: 'WebSocket reducer calls/s', value: wsRate.toFixed(0) },
      { name: 'HTTP reducer calls/s', value: httpRate.toFixed(0) },
      { name: 'ratio (WebSocket / HTTP)', value: (wsRate / httpRate).toFixed(2), goal: '>= 1.5', met: wsRate / httpRate >= 1.5 },
      {
        name: 'reducer errors (WebSocket, HTTP)',
        value: `${countOf(ws, 'spacetime_reducer_errors_total')}, ${countOf(httpRun, 'spacetime_reducer_errors_total')}`,
      },
    ],
  };
}

async function counterVsBareWebSocket(resultsDir: string): Promise<Section> {
  const duration = seconds('BENCH_DURATION', DURATION);
  const [bare, ours] = await withSandbox(spacetimedb, async (_sandbox, env) => [
    await measure({
      label: 'bare ws counter',
      script: 'test/bare/spacetimedb-counter.js',
      vus: VUS,
      args: ['--vus', String(VUS), '--iterations', String(VUS)],
      env: { ...env, DURATION_MS: String(duration * 1000) },
      resultFile: join(resultsDir, 'bare_ws.json'),
    }),
    await measure({
      label: 'library ws counter',
      script: 'dist/spacetimedb.js',
      vus: VUS,
      args: ['--vus', String(VUS), '--duration', DURATION],
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
  const run = await withSandbox(spacetimedb, (_sandbox, env) =>
    measure({
      label: 'tps1000',
      script: 'dist/spacetimedb.js',
      vus: 100,
      args: [],
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
