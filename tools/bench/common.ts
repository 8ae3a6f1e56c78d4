// What every family's benchmark module shares: the run length and VUs from the environment, the
// results scratch directory, and small arithmetic on measurements. A family's module (named in its
// manifest: `bench`) exports `benchSections(ctx)`; tools/bench/run.ts runs them all and writes BENCHMARKS.md.
import { parseDurationMs } from '../../src/shared/format.ts';
import type { FamilyManifest } from '../../src/shared/family.ts';
import type { RunningTarget } from '../sandbox/http-target.ts';
import { startFamilySandbox, targetEnv } from '../sandbox/sandbox.ts';
import type { Measurement } from './measure.ts';
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
