// k6-suite run --workers N (tools/cli/workers.ts): one run split over N real k6 processes with
// execution segments, merged into one result of the result contract and judged like a single run:
// the sandbox served exactly what the merged result counts, the total equals the unsplit run's, the
// merged p(95) is the p(95) of every raw sample (merged HDR histograms), the merged run is gated
// against the baseline, recorded in the history and reported on; each instance printed and kept its
// environment; a broken instance is named instead of merged.
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../tools/cli/main.ts';
import { startPaymentsSandbox } from '../../tools/sandbox/payments/index.ts';
import type { RunningTarget } from '../../tools/sandbox/http-target.ts';
import { count, readResult, scratchDir } from '../support/results.ts';

let target: RunningTarget;
const results = scratchDir('k6-workers-');

beforeAll(async () => {
  target = await startPaymentsSandbox();
});
afterAll(async () => {
  await target.close();
  results.remove();
});
beforeEach(() => target.reset());

const load = () => ['--', '-e', `TARGET_URL=${target.url}`, '-e', 'LOAD_PROFILE=tps100', '-e', 'STEADY_STATE_DURATION=4005ms', '--quiet'];

/** Every raw sample of a metric in the instances' k6 streams. */
function rawSamples(dir: string, metric: string): number[] {
  const values: number[] = [];
  for (const instance of readdirSync(dir)) {
    const text = gunzipSync(readFileSync(join(dir, instance, 'k6.json.gz'))).toString();
    for (const line of text.split('\n')) {
      if (!line.includes(`"metric":"${metric}"`) || !line.includes('"type":"Point"')) continue;
      const entry = JSON.parse(line) as { type: string; metric: string; data: { value: number } };
      if (entry.type === 'Point' && entry.metric === metric) values.push(entry.data.value);
    }
  }
  return values;
}

const nearestRank = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * values.length) - 1)];

describe('k6-suite run --workers', () => {
  it('splits a run over 3 k6 processes and merges it: the counts are the unsplit run’s and the server’s, p(95) from every raw sample, gated and recorded', async () => {
    // the unsplit run first: it becomes the baseline
    expect(await main(['run', '-s', 'health', '--results', results.dir, ...load()])).toBe(0);
    const whole = readResult(join(results.dir, 'baseline_health.json'));
    expect(count(whole, 'http_reqs')).toBe(target.stats().served.health);
    target.reset();

    expect(await main(['run', '-s', 'health', '--workers', '3', '--results', results.dir, ...load()])).toBe(0);
    const merged = readResult(join(results.dir, 'latest_health.json'));
    // nothing lost, nothing doubled: the total is the unsplit run's, and the sandbox served exactly it
    expect(count(merged, 'iterations')).toBe(count(whole, 'iterations'));
    expect(count(merged, 'http_reqs')).toBe(target.stats().served.health);
    expect(count(merged, 'dropped_iterations')).toBe(0);
    const instances = merged.meta.instances as Array<{ instance: string; iterations: number; environment: { info: { numCPU: number } } }>;
    expect(instances.map((i) => i.instance)).toEqual(['worker-1', 'worker-2', 'worker-3']);
    expect(instances.reduce((n, i) => n + i.iterations, 0)).toBe(count(merged, 'iterations'));
    for (const i of instances) {
      expect(i.iterations).toBeGreaterThan(100); // each ran its share
      expect(i.environment.info.numCPU).toBeGreaterThan(0); // and kept its environment
    }
    // percentiles of the merged histograms == the raw samples' (HDR, 4 significant digits: within 0.1 %)
    const dir = join(results.dir, 'latest_health.instances');
    const raw = rawSamples(dir, 'http_req_duration');
    expect(raw).toHaveLength(count(merged, 'http_reqs'));
    const p95 = merged.metrics.http_req_duration.values['p(95)'];
    expect(Math.abs(p95 - nearestRank(raw, 95)) / nearestRank(raw, 95)).toBeLessThan(0.001);
    expect(merged.metrics.http_req_duration.values.max).toBe(Math.max(...raw));
    // the script's thresholds judged again on the merged values; the run judged like a single one
    expect(merged.metrics.http_req_failed.thresholds).toEqual({ 'rate<0.01': { ok: true } });
    expect(merged.meta).toMatchObject({ script: 'health', run: 'latest', verdict: 'pass', accepted: true });
    const diff = JSON.parse(readFileSync(join(results.dir, 'latest_health.diff.json'), 'utf8')) as {
      passed: boolean;
      rows: Array<{ metric: string; stat: string; limit?: number }>;
    };
    expect(diff.passed).toBe(true);
    expect(diff.rows.find((r) => r.metric === 'http_req_duration' && r.stat === 'p(95)')?.limit).toBeGreaterThan(0);
    // the instance logs carry the environment check, naming the instance
    const log = readFileSync(join(dir, 'worker-2', 'k6.log'), 'utf8');
    expect(log).toContain('=== Runtime Environment Verification (worker-2) ===');
    expect(log).toMatch(/cgroup CPU quota: /);
    // the history holds the merged run like a single one, and reports read it
    const history = readFileSync(join(results.dir, 'history.jsonl'), 'utf8').trim().split('\n');
    expect(history.map((l) => (JSON.parse(l) as { run_name: string }).run_name)).toEqual(['baseline', 'latest']);
    expect(await main(['report', join(results.dir, 'latest_health.json'), '--no-stream'])).toBe(0);
    expect(existsSync(join(results.dir, 'latest_health.report.md'))).toBe(true);
  });

  it('aggregate --script merges a folder of instances written elsewhere (Compose, Kubernetes) into a judged result', async () => {
    const dir = join(results.dir, 'latest_health.instances');
    const out = scratchDir('k6-workers-agg-');
    try {
      expect(await main(['aggregate', dir, '--script', 'health', '--run', 'latest', '--results', out.dir])).toBe(0);
      const merged = readResult(join(out.dir, 'latest_health.json'));
      expect(merged.meta.verdict).toBe('pass');
      expect((merged.meta.instances as unknown[]).length).toBe(3);
      // an instance without its result is named, and nothing is written
      rmSync(join(dir, 'worker-3', 'latest_health.outputs.json'));
      expect(await main(['aggregate', dir, '--script', 'health', '--run', 'latest', '--results', out.dir])).toBe(2);
    } finally {
      out.remove();
    }
  });

  it('refuses what is not one whole run, naming it, and never writes over the baseline', async () => {
    const baseline = join(results.dir, 'baseline_health.json');
    const before = readFileSync(baseline, 'utf8');
    const source = join(results.dir, 'latest_health.instances');
    // the earlier test removed worker-3's list of its outputs: restored (the same file name as worker-2's)
    writeFileSync(join(source, 'worker-3', 'latest_health.outputs.json'), readFileSync(join(source, 'worker-2', 'latest_health.outputs.json'), 'utf8'));
    const said: string[] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => said.push(args.join(' '));
    try {
      // a distributed run named baseline while there is one: refused before any load, as a single run is
      expect(await main(['run', '-s', 'health', '-r', 'baseline', '--workers', '2', '--results', results.dir, ...load()])).toBe(2);
      expect(await main(['aggregate', source, '-s', 'health', '-r', 'baseline', '--results', results.dir])).toBe(2);
    } finally {
      console.error = consoleError;
    }
    expect(said).toHaveLength(2);
    for (const line of said) expect(line).toMatch(/run "baseline" would overwrite the baseline .*baseline_health\.json: choose another run name/);
    expect(readFileSync(baseline, 'utf8')).toBe(before);

    const broken = scratchDir('k6-workers-broken-');
    const out = scratchDir('k6-workers-broken-out-');
    const errors: string[] = [];
    const error = console.error;
    console.error = (...args: unknown[]) => errors.push(args.join(' '));
    const refused = async (damage: (dir: string) => void, said: RegExp) => {
      const dir = join(broken.dir, `case-${errors.length}-${Math.random().toString(36).slice(2, 7)}`);
      cpSync(source, dir, { recursive: true });
      damage(dir);
      errors.length = 0;
      expect(await main(['aggregate', dir, '-s', 'health', '-r', 'latest', '--results', out.dir])).toBe(2);
      expect(errors.join('\n')).toMatch(said);
      expect(existsSync(join(out.dir, 'latest_health.json'))).toBe(false); // nothing written
      expect(await main(['aggregate', dir])).toBe(2); // the streams alone are refused too
    };
    try {
      // an instance merged twice: its segment overlaps
      await refused(
        (dir) => cpSync(join(dir, 'worker-1'), join(dir, 'worker-4'), { recursive: true }),
        /worker-4 \(segment 0:1\/3\) overlaps worker-1|samples of two|overlaps/,
      );
      // a stream cut short (an instance killed while writing), an empty one, and one missing
      await refused(
        (dir) => writeFileSync(join(dir, 'worker-2', 'k6.json.gz'), gzipSync('{"type":"Point","metric":"x","data":{"va').subarray(0, 20)),
        /worker-2\/k6\.json\.gz cannot be read/,
      );
      await refused((dir) => writeFileSync(join(dir, 'worker-2', 'k6.json.gz'), gzipSync('')), /worker-2's stream .* holds no sample/);
      await refused((dir) => rmSync(join(dir, 'worker-3', 'k6.json.gz')), /instance worker-3 has no k6 stream/);
    } finally {
      console.error = error;
      broken.remove();
      out.remove();
    }
  });
});
