// Verdicts people can trust, with the real k6: a run is judged only if it measured what was planned,
// and the field examples of options overridden and failures left silent.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, runK6 } from '../../tools/k6.ts';
import { startSpacetimeSandbox, type SpacetimeSandbox } from '../../tools/sandbox/spacetimedb/server.ts';
import { useDelayedTarget } from '../support/delayed-target.ts';
import { readResult } from '../support/results.ts';

const bed = useDelayedTarget('k6-verdicts-');

const health = (env: Record<string, string> = {}, args: string[] = [], signalAfter?: { signal: NodeJS.Signals; ms: number }) =>
  runK6({
    script: 'dist/health.js',
    env: { TARGET_URL: bed.target.url, RESULTS_DIR: bed.results.dir, LOAD_PROFILE: 'tps100', STEADY_STATE_DURATION: '3s', HEALTH_P90_MS: '60000', ...env },
    args,
    signalAfter,
  });

const meta = (run: string) => readResult(join(bed.results.dir, `${run}_health.json`)).meta;

describe('a run is judged only if it carried out its plan', () => {
  it('a rate the run did not hold is named with the figures, exits 99 and is kept as the candidate', async () => {
    // tps100 may use up to 40 VUs: a target answering after 600 ms lets them start ~67 iterations/s of the 100 requested
    bed.target.setFaults({ latencyMs: 600 });
    const out = await health({ LOAD_PROFILE: 'tps100', STEADY_STATE_DURATION: '3s' }, ['--quiet']);
    expect(out.exitCode).toBe(99);
    expect(out.stdout).toContain('✗ dropped_iterations: count==0');
    const m = meta('candidate');
    expect(existsSync(join(bed.results.dir, 'baseline_health.json'))).toBe(false);
    expect(m.verdict).toBe('inconclusive');
    expect(m.accepted).toBe(false);
    expect(String((m.reasons as string[])[0])).toMatch(/^the rate was not held: requested 100\/s, achieved [\d.]+\/s, \d+ of 300 iterations, \d+ dropped$/);
    expect(out.stdout).toMatch(/VERDICT: INCONCLUSIVE: the rate was not held/);
  }, 60_000);

  it('an interrupted run is inconclusive and never the baseline', async () => {
    const out = await health({ STEADY_STATE_DURATION: '60s' }, ['--quiet'], { signal: 'SIGINT', ms: 3000 });
    expect(out.durationMs).toBeLessThan(30_000);
    const m = meta('candidate');
    expect(m.verdict).toBe('inconclusive');
    expect(String((m.reasons as string[])[0])).toMatch(/^interrupted: ran [\d.]+ s of the 1m0\.0s planned/);
    expect(existsSync(join(bed.results.dir, 'baseline_health.json'))).toBe(false);
  });

  it('a run aborted in setup cannot be judged and is not announced as a candidate baseline', async () => {
    const out = await health({ RUN_NAME: 'tagged' }, ['--quiet', '--tag', 'env=staging']);
    expect(out.exitCode).toBe(108);
    expect(out.stderr).toContain("k6's --tag replaced the tags this script puts on every sample");
    expect(out.stderr).toContain('-e TAGS=name=value');
    expect(bed.target.stats().served.health ?? 0).toBe(0);
    expect(out.stdout).not.toContain('candidate baseline');
    expect(out.stdout).toMatch(/VERDICT: CANNOT BE JUDGED: no iteration completed/);
    expect(out.stdout).toMatch(/\? http_req_failed: rate<0\.01 \(no samples: nothing judged\)/);
  });
});

describe('options the gate and the dashboards rely on', () => {
  it('TAGS adds tags, and every sample keeps script, run and testid; meta names the id the samples carry', async () => {
    const stream = join(bed.results.dir, 'points.json');
    const out = await health({ RUN_NAME: 'tags', TEST_ID: 'verdict-tags-1', TAGS: 'env=staging,region=eu' }, ['--quiet', '--out', `json=${stream}`]);
    expect(out.exitCode, out.stderr.slice(-1500)).toBe(0);
    const points = readFileSync(stream, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"Point"'))
      .map((line) => JSON.parse(line) as { metric: string; data: { tags: Record<string, string> } });
    expect(points.length).toBeGreaterThan(200);
    for (const p of points) {
      expect(p.data.tags, p.metric).toMatchObject({ script: 'health', run: 'tags', testid: 'verdict-tags-1', env: 'staging', region: 'eu' });
    }
    expect(meta('tags').testId).toBe('verdict-tags-1');
    expect(points.some((p) => p.metric.startsWith('loadgen_'))).toBe(true);
  });

  it('a baseline whose gated statistic is null is refused at init (107), naming the file, the metric and the stat', async () => {
    const good = await health();
    expect(good.exitCode, good.stderr.slice(-1500)).toBe(0);
    const path = join(bed.results.dir, 'baseline_health.json');
    const base = JSON.parse(readFileSync(path, 'utf8'));
    base.metrics.http_req_duration.values['p(95)'] = null;
    writeFileSync(path, JSON.stringify(base));
    const out = await health({ RUN_NAME: 'after-null' });
    expect(out.exitCode).toBe(107);
    expect(out.stderr).toContain(`baseline ${path} has http_req_duration p(95) = null, not a number`);
    expect(existsSync(join(bed.results.dir, 'after-null_health.json'))).toBe(false);
    // the CLI refuses the same file with the same words
    const cli = spawnSync('node', ['tools/cli/k6-suite.js', 'compare', path], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain(`${path} has http_req_duration p(95) = null, not a number`);
  });
});

describe('the noise band', () => {
  it('with GATE_HISTORY the limits come from the last accepted runs (median and MAD), shown in the diff', async () => {
    const first = await health();
    expect(first.exitCode, first.stderr.slice(-1500)).toBe(0);
    const comparable = `profile=tps100;model=arrival-rate;target=${bed.target.url}`;
    // five accepted runs of the same kind: p(95) median 12 ms, MAD 2 ms; one rejected and one of another kind
    const rows = [10, 12, 14, 12, 16, 40, 50].map((p95, i) => ({
      test_type: 'health',
      comparable: i === 6 ? 'profile=smoke;model=arrival-rate;target=x' : comparable,
      accepted: i !== 5,
      verdict: 'pass',
      latency_p95_ms: p95,
      throughput_ops_per_sec: 100,
    }));
    const history = join(bed.results.dir, 'band.jsonl');
    writeFileSync(history, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const out = await health({ RUN_NAME: 'banded', GATE_HISTORY: history });
    expect(out.exitCode, out.stdout.slice(-2000)).toBe(0);
    const diff = JSON.parse(readFileSync(join(bed.results.dir, 'banded_health.diff.json'), 'utf8')) as {
      rows: Array<{ metric: string; stat: string; limit?: number; band?: unknown }>;
    };
    const p95 = diff.rows.find((r) => r.metric === 'http_req_duration' && r.stat === 'p(95)');
    expect(p95?.band).toEqual({ runs: 5, median: 12, mad: 2, sigmas: 3 });
    expect(p95?.limit).toBeCloseTo(12 + 3 * 1.4826 * 2, 2);
    expect(out.stdout).toContain('from the band of 5 runs: median 12.00 ms, MAD 2.00 ms, 3σ');
  });
});

describe('the CLI', () => {
  it('refuses a history URL it cannot parse before any load, naming the variable and the fix', () => {
    const out = spawnSync('node', ['tools/cli/k6-suite.js', 'run', '-s', 'health', '--results', bed.results.dir, '--', '-e', `TARGET_URL=${bed.target.url}`], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, HISTORY_DATABASE_URL: 'postgres://bench:pa#ss@127.0.0.1:1/k6' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('HISTORY_DATABASE_URL is not usable');
    expect(out.stderr).toContain('# → %23');
    expect(out.stderr).not.toContain('pa#ss');
    expect(bed.target.stats().served.health ?? 0).toBe(0);
  });

  it('names a malformed history file before any load', () => {
    // a history line that is not JSON: the check before the run names it
    writeFileSync(join(bed.results.dir, 'history.jsonl'), '{not json\n');
    const out = spawnSync('node', ['tools/cli/k6-suite.js', 'run', '-s', 'health', '--results', bed.results.dir, '--', '-e', `TARGET_URL=${bed.target.url}`], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('history.jsonl line 1 is not valid JSON');
    expect(bed.target.stats().served.health ?? 0).toBe(0);
  });
});

describe('SpacetimeDB failures say why, with the token scrubbed', () => {
  let sandbox: SpacetimeSandbox;
  beforeAll(async () => {
    sandbox = await startSpacetimeSandbox();
  });
  afterAll(() => sandbox.close());

  it("a token the server rejects stops setup (108) with the status and the server's reason; the token is in no output", async () => {
    const token = 'not-a-valid-token-s3cr3t-value-123';
    const stream = join(bed.results.dir, 'points.json');
    const out = await runK6({
      script: 'dist/spacetimedb.js',
      env: {
        SPACETIME_HOST: '127.0.0.1',
        SPACETIME_PORT: String(sandbox.port),
        SPACETIME_TOKEN: token,
        SCENARIO: 'counter',
        LOAD_PROFILE: 'smoke',
        STEADY_STATE_DURATION: '2s',
        RESULTS_DIR: bed.results.dir,
        RUN_NAME: 'badtoken',
      },
      args: ['--out', `json=${stream}`],
    });
    const everything = `${out.stdout}\n${out.stderr}\n${readFileSync(stream, 'utf8')}\n${existsSync(join(bed.results.dir, 'candidate_spacetimedb.json')) ? readFileSync(join(bed.results.dir, 'candidate_spacetimedb.json'), 'utf8') : ''}`;
    expect(everything).not.toContain(token);
    expect(out.exitCode).toBe(108);
    expect(out.stderr).toContain('refused the token (GET /v1/database/benchmark: 400 Authorization is invalid: malformed token): check SPACETIME_TOKEN');
    expect(sandbox.counts().committed.increment).toBe(0);
  });
});
