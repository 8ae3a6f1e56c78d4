// The regression gate with the real k6 binary: the health scenario against a sandbox target with a
// fixed server-side delay (10 ms), so the signal is unambiguous on a shared 2-core machine.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runK6 } from '../../tools/k6.ts';
import { useDelayedTarget } from '../support/delayed-target.ts';
import { count, readResult } from '../support/results.ts';

const bed = useDelayedTarget('k6-gate-');

const BASE_DELAY = 10;
const run = (env: Record<string, string> = {}, signalAfter?: { signal: NodeJS.Signals; ms: number }) =>
  runK6({
    script: 'dist/health.js',
    // tps100 holds the rate, so a slower target shows in latency, not in throughput; the scenario's
    // own 15 ms p(90) threshold is lifted so that only the gate judges
    env: { TARGET_URL: bed.target.url, RESULTS_DIR: bed.results.dir, LOAD_PROFILE: 'tps100', STEADY_STATE_DURATION: '4s', HEALTH_P90_MS: '60000', ...env },
    signalAfter,
  });

async function makeBaseline(): Promise<void> {
  const out = await run();
  expect(out.exitCode, out.stderr.slice(-1500)).toBe(0);
  expect(out.stdout).toContain('this run becomes the baseline');
  expect(existsSync(join(bed.results.dir, 'baseline_health.json'))).toBe(true);
}

const diffOf = (run: string) =>
  JSON.parse(readFileSync(join(bed.results.dir, `${run}_health.diff.json`), 'utf8')) as {
    passed: boolean;
    regressions: Array<{ metric: string; stat: string }>;
  };

describe('regression gate', () => {
  it('five consecutive runs of an unchanged target pass (no false alarm)', async () => {
    await makeBaseline();
    for (let i = 1; i <= 5; i += 1) {
      const out = await run({ RUN_NAME: `same${i}` });
      expect(out.exitCode, `${out.stdout.slice(-2500)}`).toBe(0);
      expect(out.stdout).toContain(`BASELINE DIFF (run "same${i}" vs "baseline"): no regression`);
      expect(diffOf(`same${i}`).passed).toBe(true);
    }
  });

  it('+50% latency fails with exit 99 and names p(95)', async () => {
    await makeBaseline();
    bed.target.setFaults({ latencyMs: BASE_DELAY * 1.5 });
    const out = await run({ RUN_NAME: 'slower' });
    expect(out.exitCode).toBe(99);
    expect(out.stdout).toMatch(/✗ http_req_duration p\(95\): .* regression/);
    expect(out.stdout).toMatch(/✗ http_req_duration: p\(95\)<=[\d.]+/); // the k6 threshold that failed
    expect(diffOf('slower').regressions).toEqual([{ ...diffOf('slower').regressions[0], metric: 'http_req_duration', stat: 'p(95)' }]);
    const md = readFileSync(join(bed.results.dir, 'slower_health.diff.md'), 'utf8');
    expect(md).toContain('REGRESSION in http_req_duration p(95)');
  });

  it('5% errors fails with exit 99 and names the error rate', async () => {
    await makeBaseline();
    bed.target.setFaults({ failureRate: 0.05 });
    const servedBefore = bed.target.stats().served.health ?? 0;
    const out = await run({ RUN_NAME: 'errors' });
    expect(out.exitCode).toBe(99);
    expect(out.stdout).toMatch(/✗ http_req_failed rate: .* regression/);
    expect(diffOf('errors').regressions.map((r) => r.metric)).toContain('http_req_failed');
    const result = readResult(join(bed.results.dir, 'errors_health.json'));
    expect(result.metrics.http_req_failed.values.rate).toBeCloseTo(0.05, 2);
    expect(count(result, 'http_reqs')).toBe((bed.target.stats().served.health ?? 0) - servedBefore);
  });

  it('GATE_P95_RATIO and a gate config file override the tolerances', async () => {
    await makeBaseline();
    bed.target.setFaults({ latencyMs: BASE_DELAY * 1.5 });
    const loose = await run({ RUN_NAME: 'loose', GATE_P95_RATIO: '2' });
    expect(loose.exitCode, loose.stdout.slice(-2000)).toBe(0);
    const config = join(bed.results.dir, 'gate.json');
    writeFileSync(config, JSON.stringify({ metrics: { http_req_duration: { p95Ratio: 3 } } }));
    expect((await run({ RUN_NAME: 'configured', GATE_CONFIG: config })).exitCode).toBe(0);
    writeFileSync(config, JSON.stringify({ metrics: { http_req_duration: { p95Ratio: 'lots' } } }));
    const bad = await run({ RUN_NAME: 'badconfig', GATE_CONFIG: config });
    expect(bad.exitCode).toBe(107);
    expect(bad.stderr).toContain('metrics.http_req_duration.p95Ratio=lots is not valid');
  });

  it('a failed first run does not become the baseline: it is kept as the candidate', async () => {
    bed.target.setFaults({ failureRate: 0.5 });
    const out = await run();
    expect(out.exitCode).toBe(99);
    expect(existsSync(join(bed.results.dir, 'baseline_health.json'))).toBe(false);
    expect(existsSync(join(bed.results.dir, 'candidate_health.json'))).toBe(true);
    expect(out.stdout).toContain('NOT made the baseline: threshold failed: http_req_failed rate<0.01');
    expect(readResult(join(bed.results.dir, 'candidate_health.json')).meta.run).toBe('candidate');
  });

  it('a baseline without the gate metrics (a failed run) is refused, not silently passed', async () => {
    writeFileSync(
      join(bed.results.dir, 'baseline_health.json'),
      JSON.stringify({ meta: {}, metrics: { http_reqs: { type: 'counter', values: { count: 2, rate: 1 } } } }),
    );
    const out = await run({ RUN_NAME: 'y' });
    expect(out.exitCode).toBe(107);
    expect(out.stderr).toContain('has no http_req_duration p(95) (a failed run?): delete it or promote a healthy run');
    expect(bed.target.stats().served).toEqual({});
  });

  it('a BASELINE that does not exist and a malformed GATE_CONFIG stop the run with their names', async () => {
    const missing = await run({ BASELINE: join(bed.results.dir, 'typo.json') });
    expect(missing.exitCode).toBe(107);
    expect(missing.stderr).toContain(`BASELINE='${join(bed.results.dir, 'typo.json')}' does not exist`);
    await makeBaseline();
    const config = join(bed.results.dir, 'gate.json');
    for (const [content, message] of [
      ['null', 'must be an object like {metrics: {http_req_duration: {p95Ratio: 1.5}}}'],
      ['{"metrics":{"http_req_duration":null}}', 'metrics.http_req_duration must be an object'],
      [
        '{"metrics":{"http_req_duraton":{"p95Ratio":2}}}',
        'metrics.http_req_duraton is not a gate metric of this script (http_req_duration, http_reqs, http_req_failed)',
      ],
      ['{"metrics":{"http_req_duration":{"p95Ratio":0.5}}}', 'metrics.http_req_duration.p95Ratio=0.5 is not valid, expected a number >= 1'],
    ]) {
      writeFileSync(config, content);
      const out = await run({ RUN_NAME: 'cfg', GATE_CONFIG: config });
      expect(out.exitCode, content).toBe(107);
      expect(out.stderr).toContain(message);
      expect(out.stderr).not.toContain('TypeError');
    }
  });

  it('under a VU-based profile throughput is reported but not gated (it follows latency, which is)', async () => {
    const first = await run({ LOAD_PROFILE: 'smoke', STEADY_STATE_DURATION: '2s' });
    expect(first.exitCode).toBe(0);
    bed.target.setFaults({ latencyMs: BASE_DELAY + 1 }); // fewer iterations, p(95) within tolerance
    const out = await run({ LOAD_PROFILE: 'smoke', STEADY_STATE_DURATION: '2s', RUN_NAME: 'vus' });
    expect(out.exitCode, out.stdout.slice(-2000)).toBe(0);
    expect(out.stdout).toContain('http_reqs is not gated under a VU-based profile');
    expect(out.stdout).not.toMatch(/✗ http_reqs/);
  });

  it('a malformed baseline stops the run before any request and overwrites nothing', async () => {
    const path = join(bed.results.dir, 'baseline_health.json');
    writeFileSync(path, '{"metrics": ');
    const out = await run({ RUN_NAME: 'x' });
    expect(out.exitCode).toBe(107);
    expect(out.stderr).toContain(`baseline ${bed.results.dir}/baseline_health.json is not valid JSON`);
    expect(bed.target.stats().served).toEqual({});
    expect(readFileSync(path, 'utf8')).toBe('{"metrics": ');
    expect(existsSync(join(bed.results.dir, 'x_health.json'))).toBe(false);

    writeFileSync(path, '{"metrics": {"http_reqs": 5}}');
    const wrongShape = await run({ RUN_NAME: 'x' });
    expect(wrongShape.exitCode).toBe(107);
    expect(wrongShape.stderr).toContain('is malformed: it needs a metrics object of k6 summary metrics');
  });

  it('never overwrites an existing baseline: RUN_NAME=baseline is refused, an unset RUN_NAME becomes "latest"', async () => {
    await makeBaseline();
    const before = readFileSync(join(bed.results.dir, 'baseline_health.json'), 'utf8');
    const refused = await run({ RUN_NAME: 'baseline' });
    expect(refused.exitCode).toBe(107);
    expect(refused.stderr).toContain("RUN_NAME='baseline' would overwrite the baseline");
    const latest = await run();
    expect(latest.exitCode).toBe(0);
    expect(existsSync(join(bed.results.dir, 'latest_health.json'))).toBe(true);
    expect(readFileSync(join(bed.results.dir, 'baseline_health.json'), 'utf8')).toBe(before);
  });

  it('an interrupted run (SIGINT) still writes its result and diff', async () => {
    await makeBaseline();
    const servedBefore = bed.target.stats().served.health ?? 0;
    const out = await run({ RUN_NAME: 'interrupted', STEADY_STATE_DURATION: '60s' }, { signal: 'SIGINT', ms: 3000 });
    expect(out.durationMs).toBeLessThan(30_000);
    expect(existsSync(join(bed.results.dir, 'interrupted_health.json'))).toBe(true);
    expect(existsSync(join(bed.results.dir, 'interrupted_health.diff.json'))).toBe(true);
    // k6 drops the samples of requests in flight when it interrupts their iterations: everything it
    // counted was served, and at most one request per VU (tps100: up to 40) was cut off
    const counted = count(readResult(join(bed.results.dir, 'interrupted_health.json')), 'http_reqs');
    const served = (bed.target.stats().served.health ?? 0) - servedBefore;
    expect(counted).toBeGreaterThan(100);
    expect(served - counted).toBeGreaterThanOrEqual(0);
    expect(served - counted).toBeLessThanOrEqual(40);
  });
});
