// `npm run nightly` as the workflow runs it: the first run writes the baselines, the next passes the
// gate, a slower target fails it with exit 99 and a job summary naming the regression.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../tools/k6.ts';
import { scratchDir } from '../support/results.ts';

function nightly(resultsDir: string, env: Record<string, string> = {}) {
  return spawnSync('npm', ['run', '--silent', 'nightly'], {
    cwd: PROJECT_ROOT,
    // three reruns of a run judged inconclusive or regression: with 12 scripts on 2 cores busy with the
    // other test files, one is starved three times now and then (a fresh-clone CI saw the ingest script's);
    // a regression still reproduces, and only then counts
    env: { ...process.env, RESULTS_DIR: resultsDir, NIGHTLY_DURATION: '2s', NIGHTLY_CONFIRM: '3', ...env },
    encoding: 'utf8',
    timeout: 180_000,
  });
}

describe('npm run nightly', () => {
  it('baseline, then a passing gate, then a regression with exit 99 and a job summary', () => {
    const { dir, remove } = scratchDir('k6-nightly-');
    const jobSummary = join(dir, 'step-summary.md');
    writeFileSync(jobSummary, '');
    try {
      const first = nightly(dir);
      expect(first.status, first.stderr).toBe(0);
      expect(existsSync(join(dir, 'baseline_health.json'))).toBe(true);
      expect(existsSync(join(dir, 'baseline_spacetimedb.json'))).toBe(true);

      const second = nightly(dir, { GITHUB_STEP_SUMMARY: jobSummary });
      expect(second.status, second.stdout.slice(-3000)).toBe(0);
      const passed = readFileSync(jobSummary, 'utf8');
      // a run the busy machine starved is rerun (NIGHTLY_CONFIRM): the last attempt passes
      expect(passed).toMatch(/### health: latest(\.confirm[123])? vs baseline: no regression/);
      expect(passed).toMatch(/### spacetimedb: latest(\.confirm[123])? vs baseline: no regression/);

      // the workflow's next step: reports for every result, charts over time from the recorded stream
      const reports = spawnSync('npm', ['run', '--silent', 'report:all'], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, RESULTS_DIR: dir },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(reports.status, reports.stderr).toBe(0);
      expect(existsSync(join(dir, 'latest_spacetimedb.k6.json.gz'))).toBe(true);
      const html = readFileSync(join(dir, 'latest_spacetimedb.report.html'), 'utf8');
      expect(html).toContain('data-charts-expected="4"');
      expect(readFileSync(join(dir, 'latest_health.junit.xml'), 'utf8')).toContain('<testsuite');

      const slower = nightly(dir, { NIGHTLY_DELAY_MS: '30', NIGHTLY_RUN_NAME: 'slower' });
      expect(slower.status).toBe(99);
      const summary = readFileSync(join(dir, 'nightly-summary.md'), 'utf8');
      // the first attempt may be one the busy machine starved (judged inconclusive); a later one shows it
      expect(summary).toMatch(/### health: slower(\.confirm[123])? vs baseline: REGRESSION in http_req_duration p\(95\)/);
      expect(summary).toMatch(/### spacetimedb: slower(\.confirm[123])? vs baseline: REGRESSION in latency_ms p\(95\)/);
    } finally {
      remove();
    }
  });
});
