// The health scenario under the real k6 binary against the sandbox health target.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runK6 } from '../../tools/k6.ts';
import { startPaymentsSandbox } from '../../tools/sandbox/payments/index.ts';
import type { RunningTarget } from '../../tools/sandbox/http-target.ts';
import { count, readResult, scratchDir } from '../support/results.ts';

let target: RunningTarget;
const results = scratchDir();

beforeAll(async () => {
  target = await startPaymentsSandbox();
});
afterAll(async () => {
  await target.close();
  results.remove();
});
beforeEach(() => target.reset());

const run = (env: Record<string, string>) => runK6({ script: 'dist/health.js', env: { TARGET_URL: target.url, RESULTS_DIR: results.dir, ...env } });

describe('health scenario', () => {
  it('tps100 for 30s delivers >= 99% of 3000 iterations, drops none, and the target saw every request', async () => {
    const out = await run({ LOAD_PROFILE: 'tps100', STEADY_STATE_DURATION: '30s', RUN_NAME: 'tps100' });
    expect(out.exitCode, out.stderr).toBe(0);
    const result = readResult(join(results.dir, 'tps100_health.json'));
    expect(count(result, 'iterations')).toBeGreaterThanOrEqual(2970);
    expect(count(result, 'iterations')).toBeLessThanOrEqual(3001);
    expect(count(result, 'dropped_iterations')).toBe(0);
    expect(count(result, 'http_reqs')).toBe(target.stats().served.health);
    expect(result.metrics.checks.values.rate).toBe(1);
    expect(result.meta).toMatchObject({ script: 'health', run: 'tps100', profile: 'tps100' });
    expect(out.stdout).toContain('█ health (run "tps100")');
    expect(out.stdout).toContain('✓ health status is 200');
  });

  it('an unknown LOAD_PROFILE stops k6 before any request and lists the valid profiles', async () => {
    const out = await run({ LOAD_PROFILE: 'nope' });
    expect(out.exitCode).not.toBe(0);
    expect(out.exitCode).toBe(107);
    expect(out.stderr).toContain("LOAD_PROFILE='nope' is not valid, expected one of smoke, tps100, tps200, tps500");
    expect(out.stderr).toContain('burst, mixed');
    expect(target.stats().served).toEqual({});
  });

  it('an invalid number stops k6 before any request, naming the variable and the allowed range', async () => {
    for (const bad of ['abc', '-5']) {
      const out = await run({ HEALTH_P90_MS: bad });
      expect(out.exitCode).toBe(107);
      expect(out.stderr).toContain(`HEALTH_P90_MS='${bad}' is not valid, expected an integer from 1 to 60000`);
    }
    expect(target.stats().served).toEqual({});
  });

  it('a missing RESULTS_DIR stops k6 before any request instead of losing the result', async () => {
    const missing = join(results.dir, 'does-not-exist');
    const out = await runK6({ script: 'dist/health.js', env: { TARGET_URL: target.url, RESULTS_DIR: missing } });
    expect(out.exitCode).not.toBe(0);
    expect(out.stderr).toContain(`RESULTS_DIR='${missing}' does not exist`);
    expect(target.stats().served).toEqual({});
  });

  it('a threshold breach exits 99 and still writes the result JSON', async () => {
    target.setFaults({ latencyMs: 20 });
    const out = await run({ LOAD_PROFILE: 'smoke', STEADY_STATE_DURATION: '3s', RUN_NAME: 'slow' });
    expect(out.exitCode).toBe(99);
    const path = join(results.dir, 'slow_health.json');
    expect(existsSync(path)).toBe(true);
    const result = readResult(path);
    expect(result.metrics.http_req_duration.thresholds?.['p(90)<15'].ok).toBe(false);
    expect(result.metrics.http_req_duration.values['p(90)']).toBeGreaterThanOrEqual(20);
    expect(count(result, 'http_reqs')).toBe(target.stats().served.health);
    expect(out.stdout).toContain('✗ http_req_duration: p(90)<15');
  });

  it('a password inside TARGET_URL reaches neither stdout nor the result file', async () => {
    const url = target.url.replace('http://', 'http://monitor:pa55-w0rd-secret@');
    const out = await runK6({ script: 'dist/health.js', env: { TARGET_URL: url, RESULTS_DIR: results.dir, RUN_NAME: 'creds', STEADY_STATE_DURATION: '1s' } });
    expect(out.exitCode, out.stderr.slice(-1000)).toBe(0);
    expect(out.stdout + out.stderr).not.toContain('pa55-w0rd-secret');
    const file = readFileSync(join(results.dir, 'creds_health.json'), 'utf8');
    expect(file).not.toContain('pa55-w0rd-secret');
    expect(file).toContain('monitor:[redacted]@127.0.0.1');
  });

  it('an unreachable target fails the run: every request failed, none counted as a success', async () => {
    const out = await runK6({
      script: 'dist/health.js',
      env: { TARGET_URL: 'http://127.0.0.1:9', RESULTS_DIR: results.dir, RUN_NAME: 'down', STEADY_STATE_DURATION: '1s' },
    });
    expect(out.exitCode).toBe(99); // http_req_failed rate<0.01 is crossed, however fast the failures are
    const result = readResult(join(results.dir, 'down_health.json'));
    expect(count(result, 'http_reqs')).toBeGreaterThan(0);
    expect(result.metrics.http_req_failed.values.rate).toBe(1);
    expect(result.metrics.checks.values.passes).toBe(0);
    expect(result.metrics.http_req_failed.thresholds?.['rate<0.01'].ok).toBe(false);
    expect(readdirSync(results.dir)).toContain('down_health.json');
  });
});
