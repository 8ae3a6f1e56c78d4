// The gate's quality, measured: BENCH_GATE_RUNS (20) short runs of the health script per condition —
// a quiet machine, CPU hogs (three busy processes per core), +50% server delay, 5% failing requests —
// each judged twice: by the verdict (src/shared/verdict.ts: plan carried out, generator healthy, then
// the gate) and by the plain fixed-ratio gate alone (the diff's limits, as before verdicts existed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { payments } from '../../src/shared/families/payments.ts';
import { runK6 } from '../k6.ts';
import { withSandbox, type BenchContext } from './common.ts';
import { startHogs } from './hogs.ts';
import type { Section } from './report.ts';

const RUNS = Number(process.env.BENCH_GATE_RUNS ?? 20);
const BASE_DELAY_MS = 10;

interface Condition {
  name: string;
  faults: { latencyMs: number; failureRate: number };
  hogs: boolean;
  /** Whether the target really got worse: a regression verdict is a detection, else a false alarm. */
  worse: boolean;
}

const CONDITIONS: Condition[] = [
  { name: 'quiet, unchanged target', faults: { latencyMs: BASE_DELAY_MS, failureRate: 0 }, hogs: false, worse: false },
  { name: 'CPU hogs, unchanged target', faults: { latencyMs: BASE_DELAY_MS, failureRate: 0 }, hogs: true, worse: false },
  { name: 'quiet, +50% server delay', faults: { latencyMs: BASE_DELAY_MS * 1.5, failureRate: 0 }, hogs: false, worse: true },
  { name: 'quiet, 5% failing requests', faults: { latencyMs: BASE_DELAY_MS, failureRate: 0.05 }, hogs: false, worse: true },
];

const share = (n: number, of: number) => `${((100 * n) / of).toFixed(0)}% (${n}/${of})`;

export async function benchSections(ctx: BenchContext): Promise<Section[]> {
  const rows: Section['rows'] = [];
  await withSandbox(payments, async (target, env) => {
    const run = (name: string) =>
      runK6({
        script: 'dist/health.js',
        env: { ...env, RESULTS_DIR: ctx.resultsDir, RUN_NAME: name, LOAD_PROFILE: 'tps100', STEADY_STATE_DURATION: '3s', HEALTH_P90_MS: '60000' },
        args: ['--quiet'],
      });
    target.setFaults({ latencyMs: BASE_DELAY_MS, failureRate: 0 });
    await run('baseline');
    for (const c of CONDITIONS) {
      target.setFaults(c.faults);
      const hogs = c.hogs ? startHogs(3, RUNS * 15_000) : undefined;
      const counts = { regression: 0, inconclusive: 0, plainRegression: 0 };
      try {
        for (let i = 1; i <= RUNS; i += 1) {
          const name = `gq-${CONDITIONS.indexOf(c)}-${i}`;
          await run(name);
          const meta = JSON.parse(readFileSync(join(ctx.resultsDir, `${name}_health.json`), 'utf8')).meta as { verdict?: string };
          const diff = JSON.parse(readFileSync(join(ctx.resultsDir, `${name}_health.diff.json`), 'utf8')) as { regressions: unknown[] };
          if (meta.verdict === 'regression') counts.regression += 1;
          if (meta.verdict === 'inconclusive') counts.inconclusive += 1;
          if (diff.regressions.length > 0) counts.plainRegression += 1;
        }
      } finally {
        hogs?.stop();
      }
      const what = c.worse ? 'detection' : 'false alarms';
      const goal = c.worse ? '>= 95%' : '0';
      rows.push(
        {
          name: `${c.name}: ${what}, verdict`,
          value: share(counts.regression, RUNS),
          goal,
          met: c.worse ? counts.regression >= 0.95 * RUNS : counts.regression === 0,
        },
        { name: `${c.name}: ${what}, plain fixed-ratio gate`, value: share(counts.plainRegression, RUNS) },
        {
          name: `${c.name}: inconclusive`,
          value: share(counts.inconclusive, RUNS),
          goal: c.hogs ? '' : '0 (only under hogs)',
          met: c.hogs ? undefined : counts.inconclusive === 0,
        },
      );
    }
  });
  return [
    {
      title: 'Gate quality: verdicts vs the plain fixed-ratio gate (health script, tps100, 3 s, sandbox with a 10 ms delay)',
      notes: [`${RUNS} runs per condition after one quiet baseline; hogs: three busy processes per core at normal priority.`],
      rows,
    },
  ];
}
