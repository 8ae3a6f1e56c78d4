// The payments family's benchmarks: the health script vs a bare hand-written k6 script.
import { join } from 'node:path';
import { payments } from '../../src/shared/families/payments.ts';
import { DURATION, ROUNDS, VUS, mean, mib, withSandbox, type BenchContext } from './common.ts';
import { measure, type Measurement } from './measure.ts';
import type { Section } from './report.ts';

export async function benchSections(ctx: BenchContext): Promise<Section[]> {
  return [await healthVsBare(ctx.resultsDir)];
}

async function healthVsBare(resultsDir: string): Promise<Section> {
  const load = ['--vus', String(VUS), '--duration', DURATION];
  // the bare script and the library's, each with its own env and result file per round
  const variants = [
    { name: 'bare', script: 'test/bare/health.js', env: (_round: number) => ({}), result: (round: number) => `bare_r${round}.json` },
    {
      name: 'library',
      script: 'dist/health.js',
      env: (round: number) => ({ RESULTS_DIR: resultsDir, RUN_NAME: `lib_r${round}` }),
      result: (round: number) => `lib_r${round}_health.json`,
    },
  ];
  const [bare, ours]: Measurement[][] = [[], []];
  await withSandbox(payments, async (_target, env) => {
    // Alternate the two so drift on a shared machine hits both alike.
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const [i, v] of variants.entries()) {
        const label = `${v.name} health r${round}`;
        const resultFile = join(resultsDir, v.result(round));
        (i === 0 ? bare : ours).push(await measure({ label, script: v.script, vus: VUS, args: load, env: { ...env, ...v.env(round) }, resultFile }));
      }
    }
  });
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
