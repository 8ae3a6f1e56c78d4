// Staircase capacity runs with the real k6 against a target of known capacity: the payments sandbox
// admitting 2 requests at once, each held 50 ms (at most ~40 requests/s), probed by dist/health.js
// with HEALTH_P90_MS=150 at 10, 30, 50, 70 and 90 iterations/s for 4 s each. Up to 30/s nothing
// queues; from 50/s on the queue grows every second, p(90) passes 150 ms and VUs run out: the
// capacity must be 30.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunOutputs } from '../../src/shared/result.ts';
import type { StairResult } from '../../src/shared/staircase.ts';
import { runK6 } from '../../tools/k6.ts';
import { startPaymentsSandbox, type PaymentsSandbox } from '../../tools/sandbox/payments/index.ts';
import { count, readResult, scratchDir, type ResultFile } from '../support/results.ts';

let target: PaymentsSandbox;
const results = scratchDir('k6-staircase-');
const interrupted = scratchDir('k6-staircase-int-');

beforeAll(async () => {
  target = await startPaymentsSandbox({ maxConcurrent: 2 });
});
afterAll(async () => {
  await target.close();
  results.remove();
  interrupted.remove();
});
beforeEach(() => {
  target.reset();
  target.setFaults({ latencyMs: 50 });
});

const LEVELS = { LOAD_PROFILE: 'staircase', STAIR_START: '10', STAIR_STEP: '20', STAIR_TARGET: '90', STAIR_HOLD: '4s' };
const run = (dir: string, env: Record<string, string> = {}, signalAfter?: { signal: NodeJS.Signals; ms: number }) =>
  runK6({
    script: 'dist/health.js',
    env: { TARGET_URL: target.url, RESULTS_DIR: dir, HEALTH_P90_MS: '150', ...LEVELS, ...env },
    signalAfter,
    timeoutMs: 90_000,
  });

/** The result the summary hook wrote for a requested run name (it may have been renamed candidate). */
function written(dir: string, requested: string): ResultFile {
  const outputs = JSON.parse(readFileSync(join(dir, `${requested}_health.outputs.json`), 'utf8')) as RunOutputs;
  return readResult(outputs.result);
}
const stairOf = (result: ResultFile) => result.meta.staircase as StairResult;
/** The verdict's reasons other than the shared machine's generator health (not this test's subject). */
const ownReasons = (result: ResultFile) => (result.meta.reasons as string[]).filter((r) => !r.startsWith('the load generator'));

describe('staircase capacity run', () => {
  it('names 30 iterations/s as the capacity of a target that serves ~40/s, every request counted on both sides', async () => {
    const out = await run(results.dir);
    // the levels above capacity failed their thresholds: k6 says so with 99, as for any failed threshold
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(99);
    const result = written(results.dir, 'baseline');
    const stair = stairOf(result);
    console.log(out.stdout.slice(out.stdout.indexOf('STAIRCASE')));

    expect(stair.levels.map((l) => l.rate)).toEqual([10, 30, 50, 70, 90]);
    expect(stair.levels.map((l) => l.status)).toEqual(['met', 'met', 'failed', 'failed', 'failed']);
    expect(stair.capacity).toEqual({ rate: 30, level: 2, levels: 5 });
    expect(out.stdout).toContain('capacity: 30 iterations/s (level 2 of 5)');
    expect(out.stdout).toMatch(/STAIRCASE: 5 levels of 4s; latency http_req_duration, failures http_req_failed/);
    // the held levels offered their rate, answered fast and dropped nothing
    for (const level of stair.levels.slice(0, 2)) {
      expect(level.achievedRate).toBeGreaterThanOrEqual(level.rate * 0.95);
      expect(level.achievedRate).toBeLessThanOrEqual(level.rate * 1.05);
      expect(level.p90).toBeLessThan(150);
      expect(level.p50).toBeGreaterThanOrEqual(50);
      expect(level.dropped).toBe(0);
      expect(level.errorRate).toBe(0);
    }
    // above ~40/s the queue grows: p(90) fails and VUs run out. A level's iterations are those it
    // started, some completed while the next level ran (the queue drains), so its achieved rate may
    // pass the target's ~40/s, never the level's own rate
    for (const level of stair.levels.slice(2)) {
      expect(level.p90).toBeGreaterThan(150);
      expect(level.failed).toContain('http_req_duration p(90)<150');
      expect(level.achievedRate).toBeLessThan(level.rate * 0.95);
    }

    // honest verdict: the upper levels' drops are the finding, not a rate not held; the run is the baseline
    expect(result.meta.plan).toMatchObject({ staircaseLevels: 5, expectedIterations: 1000, plannedDurationMs: 20_000 });
    expect(ownReasons(result)).toEqual([]);
    expect(result.meta.profile).toBe('staircase(10..90 step 20, hold 4s, idle 0s)');
    if (result.meta.verdict === 'pass') expect(existsSync(join(results.dir, 'baseline_health.json'))).toBe(true);
    expect(result.metrics.dropped_iterations?.thresholds).toBeUndefined();

    // counted on both sides: every request k6 counted, the sandbox served, and no more than 2 at once
    const served = target.counts();
    expect(count(result, 'http_reqs')).toBe(served.requests.health);
    expect(served.concurrency.peakInFlight).toBe(2);
    expect(served.concurrency.waited).toBeGreaterThan(0);
    const perLevel = stair.levels.reduce((sum, l) => sum + l.iterations, 0);
    expect(perLevel).toBe(count(result, 'iterations'));
    expect(stair.levels.reduce((sum, l) => sum + l.dropped, 0)).toBe(count(result, 'dropped_iterations'));
  }, 90_000);

  it('STAIR_ABORT stops after the first failed level, as planned: judged, compared with the baseline capacity', async () => {
    const out = await run(results.dir, { STAIR_ABORT: 'true', RUN_NAME: 'aborted' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(99);
    expect(out.stderr).toContain('stopping test prematurely');
    const result = written(results.dir, 'aborted');
    const stair = stairOf(result);
    expect(stair.levels.slice(0, 3).map((l) => l.status)).toEqual(['met', 'met', 'failed']);
    expect(stair.levels.slice(3).every((l) => l.status === 'stopped' || l.status === 'not run')).toBe(true);
    expect(stair.abortedAfter).toBe(3);
    expect(stair.capacity).toEqual({ rate: 30, level: 2, levels: 5 });
    expect(result.state?.testRunDurationMs).toBeLessThan(18_000);
    // a planned stop, not an interruption; the capacity against the staircase baseline, when there is one
    expect(ownReasons(result)).toEqual([]);
    // the abort cancels the requests in flight: the target served them, k6 counted no answer
    const served = target.counts().requests.health ?? 0;
    expect(served).toBeGreaterThanOrEqual(count(result, 'http_reqs'));
    // at most one request in flight per VU k6 had
    expect(served - count(result, 'http_reqs')).toBeLessThanOrEqual(result.metrics.vus_max?.values.max ?? 0);
    console.log(out.stdout.slice(out.stdout.indexOf('capacity:')));
    if (existsSync(join(results.dir, 'baseline_health.json'))) {
      expect(out.stdout).toMatch(/✓ staircase capacity iterations\/s: 30 → 30 .*ok/);
      expect(out.stdout).toContain('a staircase run is judged by its capacity');
    }
  }, 60_000);

  it('an interrupted staircase (Ctrl-C) says interrupted and never becomes the baseline', async () => {
    const out = await run(interrupted.dir, {}, { signal: 'SIGINT', ms: 6000 });
    const result = written(interrupted.dir, 'baseline');
    expect(result.meta.verdict).toBe('inconclusive');
    expect(String((result.meta.reasons as string[])[0])).toMatch(/^interrupted: ran [\d.]+ s of the 20\.00 s planned$/);
    expect(result.meta.run).toBe('candidate');
    expect(existsSync(join(interrupted.dir, 'baseline_health.json'))).toBe(false);
    expect(
      stairOf(result)
        .levels.slice(2)
        .every((l) => l.status === 'not run'),
    ).toBe(true);
    expect(out.stdout).toMatch(/VERDICT: INCONCLUSIVE: interrupted/);
  }, 60_000);
});
