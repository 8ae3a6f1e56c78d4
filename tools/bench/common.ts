// What every family's benchmark module shares: the run length and VUs from the environment, the
// results scratch directory, and small arithmetic on measurements. A family's module (named in its
// manifest: `bench`) exports `benchSections(ctx)`; tools/bench/run.ts runs them all and writes BENCHMARKS.md.
import { parseDurationMs } from '../../src/shared/format.ts';
import type { FamilyManifest } from '../../src/shared/family.ts';
import type { RunningTarget } from '../sandbox/http-target.ts';
import { startFamilySandbox, targetEnv } from '../sandbox/sandbox.ts';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { measure, type Measurement } from './measure.ts';
import type { Section } from './report.ts';

/** Seconds of a k6 duration given to the benchmark; a clear error for a bad one. */
export function seconds(name: string, value: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined || ms <= 0) throw new Error(`${name}=${value} is not a k6 duration like 15s or 1m`);
  return ms / 1000;
}

export const VUS = Number(process.env.BENCH_VUS ?? 10);
export const DURATION = process.env.BENCH_DURATION ?? '15s';
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const countOf = (m: Measurement, metric: string) => m.summary[metric]?.values.count ?? 0;
export const rateOf = (m: Measurement, metric: string) => m.summary[metric]?.values.rate ?? 0;

/** What a family's benchmark gets: a scratch directory for result files. */
export interface BenchContext {
  resultsDir: string;
}

/** A family's benchmark module. */
export interface BenchModule {
  benchSections(ctx: BenchContext): Promise<Section[]>;
}

/** Runs `fn` against the family's sandbox (started here, always stopped), with the env that points a script at it. */
export async function withSandbox<T>(family: FamilyManifest, fn: (target: RunningTarget, env: Record<string, string>) => Promise<T>): Promise<T> {
  const target = await startFamilySandbox(family);
  try {
    return await fn(target, targetEnv(family.sandbox.env, target));
  } finally {
    await target.close();
  }
}

export interface Comparison {
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
 * The library's script vs the bare one on the family's sandbox, alternating rounds so drift on a
 * shared machine hits both alike. Rates are iterations per second of the load phase (`--duration`):
 * setup() and teardown() (the payments reconciliation, say) are outside it.
 */
export async function libraryVsBare(resultsDir: string, family: FamilyManifest, c: Comparison): Promise<Section> {
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
  await withSandbox(family, async (target, env) => {
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const [i, v] of variants.entries()) {
        target.reset(); // each run starts from an empty target (a payments router lists no earlier round's payments)
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

/** Runs a command to its end (its last 20 kB of stdout and stderr kept); its CPU seconds (user + system of it and its children, from bash's `times`). */
export function cpuSecondsOf(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ code: number | null; cpu: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', '"$@"; rc=$?; times >&2; exit $rc', 'bash', command, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout = (stdout + chunk).slice(-20_000);
    });
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      // `times`: the shell's user and system time, then its children's: "0m1.234s 0m0.567s"
      const children = stderr.trim().split('\n').pop() ?? '';
      const parts = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      resolve({ code, cpu: parts.length === 2 ? parts[0] + parts[1] : Number.NaN, stdout, stderr });
    });
  });
}
