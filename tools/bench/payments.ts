// The payments family's benchmarks: the library's health and payment-confirm scripts, each against a
// bare hand-written k6 script doing the same request and check on the same sandbox and VUs.
import { join } from 'node:path';
import { payments } from '../../src/shared/families/payments.ts';
import { DURATION, ROUNDS, VUS, mean, mib, seconds, withSandbox, type BenchContext } from './common.ts';
import { measure, type Measurement } from './measure.ts';
import type { Section } from './report.ts';

export async function benchSections(ctx: BenchContext): Promise<Section[]> {
  return [
    await libraryVsBare(ctx.resultsDir, { name: 'health', bare: 'test/bare/health.js', library: 'dist/health.js', result: 'health', env: {} }),
    await libraryVsBare(ctx.resultsDir, {
      name: 'payment-confirm',
      bare: 'test/bare/payment-confirm.js',
      library: 'dist/payments.js',
      result: 'payment-confirm',
      env: { SCENARIO: 'payment-confirm' },
    }),
  ];
}

interface Comparison {
  /** The seed's script being compared. */
  name: string;
  /** The bare script and the library's bundle. */
  bare: string;
  library: string;
  /** The library's result file name (`<run>_<result>.json`). */
  result: string;
  /** The library's settings for the script. */
  env: Record<string, string>;
}

/**
 * The library's script vs the bare one, alternating rounds so drift on a shared machine hits both
 * alike. Rates are iterations per second of the load phase (`--duration`): setup() and teardown()
 * (the library's reconciliation) are outside it.
 */
async function libraryVsBare(resultsDir: string, c: Comparison): Promise<Section> {
  const load = ['--vus', String(VUS), '--duration', DURATION];
  const loadSeconds = seconds('BENCH_DURATION', DURATION);
  const variants = [
    { name: 'bare', script: c.bare, env: (_round: number) => ({}), result: (round: number) => `bare_${c.name}_r${round}.json` },
    {
      name: 'library',
      script: c.library,
      env: (round: number) => ({ ...c.env, RESULTS_DIR: resultsDir, RUN_NAME: `lib_${c.name.replaceAll('-', '_')}_r${round}` }),
      result: (round: number) => `lib_${c.name.replaceAll('-', '_')}_r${round}_${c.result}.json`,
    },
  ];
  const [bare, ours]: Measurement[][] = [[], []];
  await withSandbox(payments, async (target, env) => {
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const [i, v] of variants.entries()) {
        target.reset(); // each run starts from an empty router (the payments of earlier rounds are not listed again)
        const label = `${v.name} ${c.name} r${round}`;
        const resultFile = join(resultsDir, v.result(round));
        (i === 0 ? bare : ours).push(await measure({ label, script: v.script, vus: VUS, args: load, env: { ...env, ...v.env(round) }, resultFile }));
      }
    }
  });
  const rate = (ms: Measurement[]) => mean(ms.map((m) => m.iterations / loadSeconds));
  const bareRate = rate(bare);
  const ourRate = rate(ours);
  const ratio = ourRate / bareRate;
  const bareRss = Math.max(...bare.map((m) => m.peakRssBytes));
  const ourRss = Math.max(...ours.map((m) => m.peakRssBytes));
  return {
    title: `Library ${c.name} vs a bare k6 script (same sandbox target, same VUs)`,
    notes: [
      `${VUS} VUs for ${DURATION}, ${ROUNDS} alternating rounds each; iterations/s of the load phase (setup and teardown excluded), the mean over rounds; memory the highest peak.`,
    ],
    rows: [
      { name: 'bare script iterations/s', value: bareRate.toFixed(0) },
      { name: 'library script iterations/s', value: ourRate.toFixed(0) },
      { name: 'iterations/s ratio (library / bare)', value: ratio.toFixed(3), goal: '>= 0.95', met: ratio >= 0.95 },
      { name: 'bare script peak RSS per VU', value: mib(bareRss / VUS) },
      { name: 'library script peak RSS per VU', value: mib(ourRss / VUS) },
      { name: 'peak RSS ratio (library / bare)', value: (ourRss / bareRss).toFixed(3) },
    ],
  };
}
