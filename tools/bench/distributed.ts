// Distributed runs (issue 12, seed 002): the aggregate throughput of 2 local k6 instances (k6-suite run
// --workers 2, execution segments) vs 1 on the same sandbox, and what writing every sample
// (--out json, which the merge needs) costs one instance. Rates are the sandbox's served count over
// the load phase; alternating rounds so drift on a shared machine hits every variant alike.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { findFamily } from '../../src/shared/families/index.ts';
import { runWorkers } from '../cli/workers.ts';
import { runK6 } from '../k6.ts';
import { DURATION, ROUNDS, VUS, mean, seconds, withSandbox, type BenchContext } from './common.ts';
import type { Section } from './report.ts';

type Variant = 'one' | 'one+json' | 'two';

export async function benchSections(ctx: BenchContext): Promise<Section[]> {
  const payments = findFamily('health');
  if (!payments) throw new Error('no family declares the health script');
  const loadSeconds = seconds('BENCH_DURATION', DURATION);
  const load = ['--vus', String(VUS), '--duration', DURATION, '--quiet'];
  const rates: Record<Variant, number[]> = { one: [], 'one+json': [], two: [] };
  const served: Record<Variant, number[]> = { one: [], 'one+json': [], two: [] };
  let mismatches = 0;
  await withSandbox(payments, async (target, env) => {
    const served0 = () => target.stats().served.health ?? 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const variant of ['one', 'one+json', 'two'] as Variant[]) {
        target.reset();
        const dir = join(ctx.resultsDir, `distributed-${variant}-${round}`);
        mkdirSync(dir, { recursive: true });
        if (variant === 'two') {
          const done = await runWorkers({
            workers: 2,
            script: 'health',
            bundle: { name: 'health', env: {} },
            run: 'bench',
            results: dir,
            baselinePath: join(dir, 'baseline_health.json'),
            comparableMeta: [],
            env,
            k6Args: load,
          });
          if (!done.merged) throw new Error(`the 2-instance run could not be merged:\n${done.text}`);
          if ((done.merged.result.metrics.http_reqs?.values.count ?? -1) !== served0()) mismatches += 1;
        } else {
          const out = await runK6({
            script: 'dist/health.js',
            env: { ...env, RESULTS_DIR: dir, RUN_NAME: 'bench' },
            args: variant === 'one+json' ? ['--out', `json=${join(dir, 'k6.json.gz')}`, ...load] : load,
            cwd: dir,
          });
          if (out.exitCode !== 0) throw new Error(`k6 exited ${out.exitCode}: ${out.stderr.slice(-800)}`);
        }
        served[variant].push(served0());
        rates[variant].push(served0() / loadSeconds);
      }
    }
  });
  const one = mean(rates.one);
  const two = mean(rates.two);
  const json = mean(rates['one+json']);
  return [
    {
      title: 'Distributed runs: 2 local k6 instances vs 1 on the same sandbox, and the cost of writing every sample',
      notes: [
        `dist/health.js against the payments sandbox (in this Node process), --vus ${VUS} --duration ${DURATION} in total (2 instances: k6-suite run --workers 2, each its execution segment, so ${VUS / 2} VUs each, both streaming --out json as the merge needs), ${ROUNDS} alternating rounds. Rates are the sandbox's served requests over the load phase.`,
        'On this 2-core machine the instances and the sandbox share the same cores: the scaling ratio says what a second process on the same host buys, not what a second host would.',
      ],
      rows: [
        { name: '1 instance: requests/s', value: one.toFixed(0) },
        { name: '2 instances (merged): requests/s', value: two.toFixed(0) },
        { name: 'scaling ratio (2 instances / 1)', value: (two / one).toFixed(2) },
        { name: '1 instance writing every sample (--out json): requests/s', value: json.toFixed(0) },
        { name: 'cost of writing the samples (with / without)', value: (json / one).toFixed(2) },
        { name: "2-instance runs whose merged count differed from the sandbox's", value: String(mismatches), goal: '0', met: mismatches === 0 },
        {
          name: 'served requests per run: 1 / 1+json / 2',
          value: `${mean(served.one).toFixed(0)} / ${mean(served['one+json']).toFixed(0)} / ${mean(served.two).toFixed(0)}`,
        },
      ],
    },
  ];
}
