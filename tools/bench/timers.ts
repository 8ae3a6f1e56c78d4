// The timers family's benchmarks: timer creations/s of the library's SCENARIO=create vs a bare k6
// script; how many callbacks/s k6/x/timercallbacks absorbs without losing one; and creations per
// CPU-second of k6 vs Artillery (from npm, installed here on first use) running seed 001's
// timer-creation phase (arrival rate 10 → 100/s over 60 s) against the same reference service.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { timers } from '../../src/shared/families/timers.ts';
import { K6_BIN, K6_HYGIENE_ENV, PROJECT_ROOT } from '../k6.ts';
import type { TimersSandbox } from '../sandbox/timers/index.ts';
import { DURATION, countOf, cpuSecondsOf, libraryVsBare, seconds, withSandbox, type BenchContext } from './common.ts';
import { measure } from './measure.ts';
import type { Section } from './report.ts';

/** The last Artillery release whose engines accept Node 20 (2.0.22 and later want Node 22). */
const ARTILLERY = 'artillery@2.0.21';
const ARTILLERY_DIR = join(PROJECT_ROOT, 'node_modules/.cache/bench-artillery');

export async function benchSections(ctx: BenchContext): Promise<Section[]> {
  return [
    await libraryVsBare(ctx.resultsDir, timers, {
      name: 'timer-create',
      bare: 'test/bare/timer-create.js',
      library: 'dist/timers.js',
      result: 'timers',
      env: { SCENARIO: 'create' },
    }),
    await callbackAbsorption(ctx.resultsDir),
    await k6VsArtillery(ctx.resultsDir),
  ];
}

/** The flood example (k6 sends and receives in one process) at rising VU counts: the best rate with nothing lost. */
async function callbackAbsorption(resultsDir: string): Promise<Section> {
  const loadSeconds = seconds('BENCH_DURATION', DURATION);
  const rows: Section['rows'] = [];
  let best = 0;
  for (const vus of [10, 20, 40]) {
    const m = await measure({
      label: `callback flood ${vus} VUs`,
      script: 'xk6-build/ext/timercallbacks/examples/flood.js',
      vus,
      args: ['--vus', String(vus), '--duration', DURATION],
      env: {},
      resultFile: join(resultsDir, `flood_${vus}.json`),
    });
    const received = countOf(m, 'timer_callbacks_total');
    const lost = countOf(m, 'timer_callbacks_lost_total');
    const rate = received / loadSeconds;
    if (lost === 0 && m.exitCode === 0) best = Math.max(best, rate);
    rows.push({ name: `${vus} VUs: callbacks received/s (lost)`, value: `${rate.toFixed(0)} (${lost} lost of ${countOf(m, 'iterations')} sent)` });
  }
  rows.push({ name: 'callbacks/s absorbed without losing one', value: best.toFixed(0), goal: '>= 5000', met: best >= 5000 });
  return {
    title: 'Callbacks/s the receiver (k6/x/timercallbacks) absorbs',
    notes: [
      `VUs POST callbacks to the receiver as fast as they can for ${DURATION} (examples/flood.js): the same k6 process sends them, so the receiver has the CPU the senders leave. A run counts only when no callback was lost.`,
    ],
    rows,
  };
}

/** Artillery from npm into a cache folder (its install scripts skipped: no browser is needed); the path of its CLI. */
function installArtillery(): string {
  const cli = join(ARTILLERY_DIR, 'node_modules/artillery/bin/run');
  if (existsSync(cli)) return cli;
  mkdirSync(ARTILLERY_DIR, { recursive: true });
  console.log(`installing ${ARTILLERY} from npm into ${ARTILLERY_DIR} (once) ...`);
  const out = spawnSync(
    'npm',
    ['install', '--prefix', ARTILLERY_DIR, '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ARTILLERY],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (out.status !== 0 || !existsSync(cli)) throw new Error(`npm install ${ARTILLERY} failed: ${(out.stderr || out.stdout).slice(-1500)}`);
  return cli;
}

/** Seed 001's Artillery timer-creation test, with a processor for what its template functions cannot make. */
function artilleryConfig(dir: string, target: string, token: string): string {
  writeFileSync(
    join(dir, 'timer-processor.cjs'),
    `module.exports = { timer(req, ctx, ee, next) {
  req.json = { timerId: 'artillery-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2), executeAt: new Date(Date.now() + 3600000).toISOString(),
    callbackUrl: 'http://127.0.0.1:9/timer-callback', payload: { testData: 'benchmark' } };
  return next();
} };\n`,
  );
  const config = {
    config: {
      target,
      phases: [{ duration: 60, arrivalRate: 10, rampTo: 100 }],
      processor: './timer-processor.cjs',
      defaults: { headers: { Authorization: `Bearer ${token}` } },
    },
    scenarios: [{ name: 'Create timers', weight: 100, flow: [{ post: { url: '/groups/benchmark/timers', beforeRequest: 'timer' } }] }],
  };
  const file = join(dir, 'timer-creation.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Timers the service created per CPU-second of the load generator, k6 (the library's script) vs Artillery, same phase and service. */
async function k6VsArtillery(resultsDir: string): Promise<Section> {
  const title = "k6 vs Artillery: timer creations per CPU-second (seed 001's timer-creation phase)";
  let cli: string;
  try {
    cli = installArtillery();
  } catch (error) {
    return {
      title,
      notes: [`not measured: ${(error as Error).message}`],
      rows: [{ name: 'creations per CPU-second ratio (k6 / Artillery)', value: '—', goal: '>= 10', met: false }],
    };
  }
  return withSandbox(timers, async (target, env) => {
    const service = target as TimersSandbox;
    const runs: Array<{ name: string; created: number; cpu: number }> = [];
    service.reset();
    const k6 = await cpuSecondsOf(
      K6_BIN,
      [
        'run',
        '--quiet',
        '-e',
        'SCENARIO=create',
        '-e',
        'LOAD_PROFILE=arrival10to100',
        '-e',
        `RESULTS_DIR=${resultsDir}`,
        '-e',
        'RUN_NAME=vs_artillery',
        'dist/timers.js',
      ],
      { ...process.env, ...K6_HYGIENE_ENV, ...env },
      PROJECT_ROOT,
    );
    if (k6.code !== 0) throw new Error(`k6 exited ${k6.code}: ${k6.stderr.slice(-1500)}`);
    runs.push({ name: 'k6 (library script)', created: service.counts().created, cpu: k6.cpu });
    service.reset();
    const bare = await cpuSecondsOf(
      K6_BIN,
      ['run', '--quiet', '-e', 'SEED_PHASE=1', '-e', `SUMMARY_JSON=${join(resultsDir, 'bare_phase.json')}`, 'test/bare/timer-create.js'],
      { ...process.env, ...K6_HYGIENE_ENV, ...env },
      PROJECT_ROOT,
    );
    if (bare.code !== 0) throw new Error(`k6 (bare script) exited ${bare.code}: ${bare.stderr.slice(-1500)}`);
    runs.push({ name: 'k6 (bare script)', created: service.counts().created, cpu: bare.cpu });
    service.reset();
    const art = await cpuSecondsOf(
      process.execPath,
      [cli, 'run', '--quiet', artilleryConfig(resultsDir, target.url, env.API_TOKEN)],
      { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true' },
      resultsDir,
    );
    if (art.code !== 0) throw new Error(`Artillery exited ${art.code}: ${art.stderr.slice(-1500)}`);
    runs.push({ name: 'Artillery', created: service.counts().created, cpu: art.cpu });
    const [ours, bareRate, theirs] = runs.map((r) => r.created / r.cpu);
    return {
      title,
      notes: [
        `Arrival rate 10 → 100/s over 60 s against the reference service: k6 running dist/timers.js (SCENARIO=create, LOAD_PROFILE=arrival10to100), k6 running the bare script (test/bare/timer-create.js, SEED_PHASE=1: the same phase), then ${ARTILLERY} running the seed's YAML (as JSON, a processor making the timer body). Creations are the service's own count; CPU is user + system of each load generator's process tree (bash's times), start-up and end-of-test included: at this low rate (55/s on average) a k6 process's fixed costs weigh in every figure.`,
      ],
      rows: [
        ...runs.flatMap((r) => [
          { name: `${r.name}: timers created`, value: String(r.created) },
          { name: `${r.name}: CPU seconds`, value: r.cpu.toFixed(2) },
          { name: `${r.name}: creations per CPU-second`, value: (r.created / r.cpu).toFixed(0) },
        ]),
        { name: 'creations per CPU-second ratio (k6 library / Artillery)', value: (ours / theirs).toFixed(1), goal: '>= 10', met: ours / theirs >= 10 },
        { name: 'creations per CPU-second ratio (k6 bare / Artillery): the ceiling with k6', value: (bareRate / theirs).toFixed(1) },
      ],
    };
  });
}
