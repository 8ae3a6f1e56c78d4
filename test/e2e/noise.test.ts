// The gate on a busy machine: with CPU hogs competing for the cores (three busy processes per core,
// normal priority) runs of an unchanged target are never called a regression — the starved load
// generator makes them inconclusive — while a slower target or failing requests on a quiet machine
// are still caught.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runK6 } from '../../tools/k6.ts';
import type { RunningTarget } from '../../tools/sandbox/http-target.ts';
import { startPaymentsSandbox } from '../../tools/sandbox/payments/index.ts';
import { startHogs } from '../../tools/bench/hogs.ts';
import { readResult, scratchDir } from '../support/results.ts';

let target: RunningTarget;
const results = scratchDir('k6-noise-');

const run = async (name: string) => {
  const out = await runK6({
    script: 'dist/health.js',
    env: { TARGET_URL: target.url, RESULTS_DIR: results.dir, RUN_NAME: name, LOAD_PROFILE: 'tps100', STEADY_STATE_DURATION: '3s', HEALTH_P90_MS: '60000' },
    args: ['--quiet'],
  });
  const meta = readResult(join(results.dir, `${name}_health.json`)).meta;
  return { exitCode: out.exitCode, verdict: String(meta.verdict), reasons: (meta.reasons as string[]).join('; ') };
};

beforeAll(async () => {
  target = await startPaymentsSandbox();
  target.setFaults({ latencyMs: 10 });
  const base = await runK6({
    script: 'dist/health.js',
    env: { TARGET_URL: target.url, RESULTS_DIR: results.dir, LOAD_PROFILE: 'tps100', STEADY_STATE_DURATION: '3s', HEALTH_P90_MS: '60000' },
    args: ['--quiet'],
  });
  expect(base.exitCode, base.stdout.slice(-1500)).toBe(0);
}, 60_000);
afterAll(async () => {
  await target.close();
  results.remove();
});

describe('the gate on a noisy machine', () => {
  it('5 runs of an unchanged target under CPU hogs: no regression verdict (pass or inconclusive only)', async () => {
    const hogs = startHogs(3, 90_000);
    const verdicts: string[] = [];
    try {
      for (let i = 1; i <= 5; i += 1) verdicts.push((await run(`hogs${i}`)).verdict);
    } finally {
      hogs.stop();
    }
    expect(
      verdicts.filter((v) => v === 'regression'),
      verdicts.join(', '),
    ).toEqual([]);
    expect(
      verdicts.every((v) => v === 'pass' || v === 'inconclusive'),
      verdicts.join(', '),
    ).toBe(true);
  }, 150_000);

  it('+50% server delay on a quiet machine is a regression in at least 4 of 5 runs', async () => {
    target.setFaults({ latencyMs: 15 });
    const runs = [];
    for (let i = 1; i <= 5; i += 1) runs.push(await run(`slower${i}`));
    target.setFaults({ latencyMs: 10 });
    const caught = runs.filter((r) => r.verdict === 'regression' && r.exitCode === 99);
    expect(caught.length, runs.map((r) => `${r.verdict}: ${r.reasons}`).join(' | ')).toBeGreaterThanOrEqual(4);
  }, 150_000);

  it('5% failing requests is a regression in 5 of 5 runs', async () => {
    target.setFaults({ failureRate: 0.05 });
    const runs = [];
    for (let i = 1; i <= 5; i += 1) runs.push(await run(`errors${i}`));
    target.setFaults({ failureRate: 0 });
    expect(
      runs.map((r) => r.verdict),
      runs.map((r) => r.reasons).join(' | '),
    ).toEqual(['regression', 'regression', 'regression', 'regression', 'regression']);
  }, 150_000);
});
