// `npm run bench`: measures ratios in one run and appends them to BENCHMARKS.md. Not part of npm test.
//   1. the library's health scenario vs a bare hand-written k6 script, same target and VUs:
//      iterations/s ratio (goal >= 0.95) and peak RSS per VU of each.
import { join } from 'node:path';
import { startHealthTarget } from '../sandbox/health-target.ts';
import { measure, type Measurement } from './measure.ts';
import { appendToBenchmarks, renderSections, type Section } from './report.ts';
import { scratchDir } from '../../test/support/results.ts';

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

const scratch = scratchDir('k6-bench-');
try {
  const sections = [await healthVsBare(scratch.dir)];
  const text = renderSections(sections);
  console.log(text);
  appendToBenchmarks(text);
  console.log('appended to BENCHMARKS.md');
} finally {
  scratch.remove();
}
