// The ingestion family's benchmark: events/s of dist/ingest.js unthrottled vs seed 004's client written
// the seed's way in Python (tools/bench/ingest-python: requests, one thread, one batch at a time), both
// against the same sink, and the share of the sink's own maximum (a bare load generator, wrk, posting
// one prebuilt batch) that each reaches. The sink is the WEF sandbox counting by scanning (`scan`), so
// that it outruns the clients; every rate is the sink's own count over the client's load time, and the
// client's count must equal it (nothing lost). Client CPU-seconds come from bash's `times`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { batchBody } from '../../src/shared/ingest/batch.ts';
import { K6_BIN, K6_HYGIENE_ENV, PROJECT_ROOT } from '../k6.ts';
import { startIngestSandbox, type IngestSandbox } from '../sandbox/ingest/index.ts';
import { DURATION, ROUNDS, cpuSecondsOf, mean, seconds, type BenchContext } from './common.ts';
import type { Section } from './report.ts';

const PYTHON_DIR = join(PROJECT_ROOT, 'tools/bench/ingest-python');
const VENV = join(PROJECT_ROOT, 'node_modules/.cache/bench-python');
const BATCH = 1000;

interface ClientRun {
  /** Events the sink counted during the run, and the client's own count of events sent. */
  sinkEvents: number;
  clientEvents: number;
  seconds: number;
  cpu: number;
}

const perSecond = (r: ClientRun) => r.sinkEvents / r.seconds;
const perCpuSecond = (r: ClientRun) => r.sinkEvents / r.cpu;

export async function benchSections(ctx: BenchContext): Promise<Section[]> {
  const title = "Event ingestion: dist/ingest.js vs a Python client written the seed's way, unthrottled, against one sink";
  const loadSeconds = seconds('BENCH_DURATION', DURATION);
  let python: string;
  try {
    python = pythonWithRequests();
  } catch (error) {
    return [
      { title, notes: [`not measured: ${(error as Error).message}`], rows: [{ name: 'events/s ratio (k6 / Python)', value: '—', goal: '>= 2', met: false }] },
    ];
  }
  const sink = await startIngestSandbox({ scan: true });
  try {
    // first, so that both clients meet a sink its JIT has warmed
    const max = await sinkMaximum(sink, loadSeconds);
    const k6Runs: ClientRun[] = [];
    const pyRuns: ClientRun[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      // alternating, so drift on a shared machine hits both alike
      k6Runs.push(await k6Client(sink, ctx.resultsDir, loadSeconds));
      pyRuns.push(await pythonClient(sink, python, loadSeconds));
    }
    const k6Rate = mean(k6Runs.map(perSecond));
    const pyRate = mean(pyRuns.map(perSecond));
    const lost = [...k6Runs, ...pyRuns].filter((r) => r.sinkEvents !== r.clientEvents).length;
    const rows: Section['rows'] = [
      { name: "dist/ingest.js: events/s (the sink's count)", value: k6Rate.toFixed(0) },
      { name: "Python client: events/s (the sink's count)", value: pyRate.toFixed(0) },
      { name: 'events/s ratio (k6 / Python)', value: (k6Rate / pyRate).toFixed(2), goal: '>= 2', met: k6Rate / pyRate >= 2 },
      {
        name: 'events per client CPU-second: k6 / Python',
        value: `${mean(k6Runs.map(perCpuSecond)).toFixed(0)} / ${mean(pyRuns.map(perCpuSecond)).toFixed(0)}`,
      },
      { name: "runs whose client count differed from the sink's", value: String(lost), goal: '0', met: lost === 0 },
    ];
    if (max) {
      rows.push(
        { name: 'sink maximum, bare load generator (wrk): events/s', value: max.toFixed(0) },
        { name: 'share of the sink maximum: k6 / Python', value: `${((k6Rate / max) * 100).toFixed(0)} % / ${((pyRate / max) * 100).toFixed(0)} %` },
      );
    } else rows.push({ name: 'sink maximum, bare load generator (wrk)', value: 'not measured: wrk is missing (apt-get install wrk, as root)' });
    return [
      {
        title,
        notes: [
          `Batches of ${BATCH} events (running EventIDs), ${DURATION} per run, ${ROUNDS} alternating rounds. The sink is the WEF sandbox in this Node process, counting by scanning for the tags (serve.ts ingest --scan) so that it is not the limit; it shares the 2 cores with the client.`,
          `k6: dist/ingest.js, PERF_TEST_DURATION_SECS, PERF_TEST_TARGET_EPS=0, INGEST_VUS=4 (the default). Python ${pythonVersion(python)}: tools/bench/ingest-python/perf_client.py (${requirement()} from PyPI, one thread, one batch at a time, a Session reusing its connection, no sleeps).`,
          'wrk posts one prebuilt batch over 4 connections, first (it also warms the sink): what the sink takes when the client costs nearly nothing.',
          "dist/ingest.js renders each batch natively from a template built once per VU (k6/x/loadgen records()): building the same 600 kB string in JS took 6-9 ms of a VU's CPU per batch, and held k6 to 1.2x the Python client.",
        ],
        rows,
      },
    ];
  } finally {
    await sink.close();
  }
}

/** The venv's python with requests (tools/bench/ingest-python/requirements.txt), made on first use. */
function pythonWithRequests(): string {
  const bin = join(VENV, 'bin/python');
  const stamp = join(VENV, '.requirements');
  if (existsSync(bin) && existsSync(stamp)) return bin;
  console.log(`making a Python venv with ${requirement()} (PyPI) in ${VENV} (once) ...`);
  const venv = spawnSync('python3', ['-m', 'venv', VENV], { encoding: 'utf8' });
  if (venv.status !== 0) throw new Error(`python3 -m venv failed (install python3 and python3-venv): ${venv.stderr || venv.error?.message}`);
  const pip = spawnSync(join(VENV, 'bin/pip'), ['install', '-q', '-r', join(PYTHON_DIR, 'requirements.txt')], { encoding: 'utf8' });
  if (pip.status !== 0) throw new Error(`pip install -r tools/bench/ingest-python/requirements.txt failed: ${pip.stderr.slice(-1000)}`);
  writeFileSync(stamp, requirement());
  return bin;
}

const requirement = () => readFileSync(join(PYTHON_DIR, 'requirements.txt'), 'utf8').trim();
const pythonVersion = (bin: string) =>
  spawnSync(bin, ['--version'], { encoding: 'utf8' })
    .stdout.trim()
    .replace(/^Python /, '');

async function k6Client(sink: IngestSandbox, resultsDir: string, loadSeconds: number): Promise<ClientRun> {
  const before = sink.counts().events;
  const run = await cpuSecondsOf(
    K6_BIN,
    [
      'run',
      '--quiet',
      '-e',
      `WEF_ENDPOINT=${sink.url}`,
      '-e',
      `PERF_TEST_DURATION_SECS=${loadSeconds}`,
      '-e',
      'PERF_TEST_TARGET_EPS=0',
      '-e',
      `RESULTS_DIR=${resultsDir}`,
      'dist/ingest.js',
    ],
    { ...process.env, ...K6_HYGIENE_ENV },
    PROJECT_ROOT,
  );
  // the summary's note: "events: <sent> sent, <received> received by the server; <rate> events/s over <s>s"
  const note = /events: (\d+) sent, \d+ received by the server; [\d.]+ events\/s over ([\d.]+)s/.exec(run.stdout);
  if (!note) throw new Error(`dist/ingest.js (exit ${run.code}) printed no events line:\n${run.stderr.slice(-2000)}`);
  return { sinkEvents: sink.counts().events - before, clientEvents: Number(note[1]), seconds: Number(note[2]), cpu: run.cpu };
}

async function pythonClient(sink: IngestSandbox, python: string, loadSeconds: number): Promise<ClientRun> {
  const before = sink.counts().events;
  const run = await cpuSecondsOf(
    python,
    [join(PYTHON_DIR, 'perf_client.py')],
    { ...process.env, WEF_ENDPOINT: sink.url, PERF_TEST_DURATION_SECS: String(loadSeconds), PERF_TEST_BATCH_SIZE: String(BATCH) },
    PROJECT_ROOT,
  );
  const line = run.stdout.trim().split('\n').pop() ?? '';
  let report: { events_sent: number; seconds: number };
  try {
    report = JSON.parse(line);
  } catch {
    throw new Error(`the Python client (exit ${run.code}) printed no report:\n${run.stderr.slice(-2000)}`);
  }
  return { sinkEvents: sink.counts().events - before, clientEvents: report.events_sent, seconds: report.seconds, cpu: run.cpu };
}

/** wrk, installed from Debian when missing and allowed; undefined when it cannot be. */
function wrkBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  if (process.getuid?.() !== 0) return undefined;
  console.log('installing the Debian package wrk (the bare load generator) ...');
  spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'wrk'], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).stdout.trim() || undefined;
}

/** The sink's events/s under wrk posting one prebuilt batch over 4 connections; undefined without wrk. */
async function sinkMaximum(sink: IngestSandbox, loadSeconds: number): Promise<number | undefined> {
  const wrk = wrkBinary();
  if (!wrk) return undefined;
  const dir = join(PROJECT_ROOT, 'node_modules/.cache/bench-wrk');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'batch.xml'), batchBody(1, BATCH, '', new Date()));
  writeFileSync(
    join(dir, 'post.lua'),
    `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/soap+xml"\nlocal f = io.open("${join(dir, 'batch.xml')}", "rb")\nwrk.body = f:read("*a")\nf:close()\n`,
  );
  const before = sink.counts().events;
  const started = Date.now();
  const run = await cpuSecondsOf(wrk, ['-t1', '-c4', `-d${loadSeconds}s`, '-s', join(dir, 'post.lua'), `${sink.url}/wsman/events`], process.env, dir);
  if (run.code !== 0) throw new Error(`wrk exited ${run.code}: ${run.stderr.slice(-1000)}`);
  return (sink.counts().events - before) / ((Date.now() - started) / 1000);
}
