// k6-suite aggregate (tools/aggregate) on a real split: three k6 processes, each its execution segment of
// one arrival-rate run, streaming to --out json; counts summed exactly, every iteration number seen once
// at the target, and the merged p(95) within 0.1 % of the p(95) of all raw samples.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAggregate } from '../../tools/aggregate/format.ts';
import { aggregateDir } from '../../tools/aggregate/merge.ts';
import { runK6 } from '../../tools/k6.ts';
import { sendText, startHttpTarget, type RunningTarget } from '../../tools/sandbox/http-target.ts';

let target: RunningTarget;
const seen: number[] = [];
const dir = mkdtempSync(join(tmpdir(), 'k6-aggregate-'));

beforeAll(async () => {
  target = await startHttpTarget({
    routes: [
      {
        method: 'GET',
        path: /^\/probe\/(\d+)$/,
        name: 'probe',
        handle: (req, res) => {
          seen.push(Number(/(\d+)$/.exec(req.url ?? '')?.[1]));
          sendText(res, 200, 'OK');
        },
      },
    ],
  });
});
afterAll(async () => {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * 100 arrivals/s for 6005 ms: no start is scheduled at the very end of the duration, where k6 races the
 * start against the end (constant_arrival_rate.go: a select on both), so every run makes 601 exactly.
 */
const LOAD = { RATE: '100', DURATION: '6005ms' };

/** The p-th percentile by nearest rank, as an HDR histogram reads it. */
function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

describe('k6-suite aggregate', () => {
  it("merges a 3-instance split: iterations summed to the unsplit run's, each iteration once at the target, p(95) from merged histograms", async () => {
    const whole = mkdtempSync(join(tmpdir(), 'k6-aggregate-whole-'));
    let unsplit: number;
    try {
      const one = await runK6({
        script: 'test/bare/segment-probe.js',
        env: { ...LOAD, TARGET_URL: target.url },
        args: ['--quiet', '--out', `json=${join(whole, 'one.json')}`],
      });
      expect(one.exitCode, one.stderr.slice(-1000)).toBe(0);
      unsplit = (await aggregateDir(whole)).total.iterations;
    } finally {
      rmSync(whole, { recursive: true, force: true });
    }
    expect(unsplit).toBe(601); // starts at 0, 10, ..., 6000 ms
    seen.length = 0;
    const segments = ['0:1/3', '1/3:2/3', '2/3:1'];
    const runs = await Promise.all(
      segments.map((segment, i) =>
        runK6({
          script: 'test/bare/segment-probe.js',
          env: { ...LOAD, TARGET_URL: target.url },
          args: ['--quiet', '--execution-segment', segment, '--execution-segment-sequence', '0,1/3,2/3,1', '--out', `json=${join(dir, `instance-${i}.json`)}`],
        }),
      ),
    );
    for (const r of runs) expect(r.exitCode, r.stderr.slice(-1000)).toBe(0);

    const merged = await aggregateDir(dir);
    // k6 stripes the arrivals over the segments: shares differ by a few percent, the sum is the whole run's
    expect(merged.instances).toHaveLength(3);
    for (const i of merged.instances) expect(i.iterations).toBeGreaterThan(150);
    expect(merged.total.iterations).toBe(unsplit);
    expect(merged.counters.http_reqs).toBe(unsplit);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: unsplit }, (_, n) => n));
    expect(merged.total.seconds).toBe(Math.max(...merged.instances.map((i) => i.seconds)));

    const raw =
      readFileSync(join(dir, 'instance-0.json'), 'utf8') +
      readFileSync(join(dir, 'instance-1.json'), 'utf8') +
      readFileSync(join(dir, 'instance-2.json'), 'utf8');
    const durations = raw
      .split('\n')
      .filter((l) => l.includes('"type":"Point"') && l.includes('"metric":"http_req_duration"'))
      .map((l) => JSON.parse(l).data.value as number);
    expect(durations).toHaveLength(unsplit);
    const p95 = nearestRank(durations, 95);
    expect(Math.abs(merged.trends.http_req_duration.percentiles['p(95)'] - p95) / p95).toBeLessThan(0.001);
    expect(merged.trends.http_req_duration.count).toBe(unsplit);

    const table = formatAggregate(merged, 'table');
    expect(table).toMatch(new RegExp(`total \\(3\\)\\s+${unsplit}`));
    expect(formatAggregate(merged, 'markdown')).toContain('| trend (merged histograms) | count |');
  });

  it('a folder without streams is named', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'k6-aggregate-empty-'));
    try {
      await expect(aggregateDir(empty)).rejects.toThrow(/holds no k6 JSON stream/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
