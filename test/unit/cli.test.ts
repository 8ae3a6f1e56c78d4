import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareTable, promote } from '../../tools/cli/main';
import { describeDatabase } from '../../tools/history/store';

const result = (p95: number, rate: number, run: string) =>
  JSON.stringify({
    meta: { scenario: 'health', run, profile: 'tps100', gate: { latency: 'http_req_duration', throughput: 'http_reqs', errors: 'http_req_failed' } },
    state: { testRunDurationMs: 5000 },
    metrics: {
      http_req_duration: { type: 'trend', contains: 'time', values: { 'p(95)': p95, 'p(99)': p95 * 2 } },
      http_reqs: { type: 'counter', contains: 'default', values: { count: rate * 5, rate } },
      http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0, passes: 0, fails: 10 } },
    },
  });

function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'k6-cli-unit-'));
  return { dir };
}

describe('baseline promote', () => {
  it('swaps the baseline by rename, keeps the old one, leaves no temp file', () => {
    const { dir } = scratch();
    writeFileSync(join(dir, 'baseline_health.json'), result(10, 100, 'baseline'));
    writeFileSync(join(dir, 'nightly_health.json'), result(9, 110, 'nightly'));
    const { baseline, kept } = promote(dir, 'nightly', 'health');
    expect(readFileSync(baseline, 'utf8')).toBe(result(9, 110, 'nightly'));
    expect(readFileSync(kept!, 'utf8')).toBe(result(10, 100, 'baseline'));
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a missing or malformed run and leaves the baseline untouched', () => {
    const { dir } = scratch();
    writeFileSync(join(dir, 'baseline_health.json'), result(10, 100, 'baseline'));
    writeFileSync(join(dir, 'broken_health.json'), '{"metrics": 3}');
    expect(() => promote(dir, 'absent', 'health')).toThrow(/absent_health\.json/);
    expect(() => promote(dir, 'broken', 'health')).toThrow(/broken_health\.json.*malformed/);
    expect(() => promote(dir, 'baseline', 'health')).toThrow(/already the baseline/);
    expect(readFileSync(join(dir, 'baseline_health.json'), 'utf8')).toBe(result(10, 100, 'baseline'));
    expect(readdirSync(dir).sort()).toEqual(['baseline_health.json', 'broken_health.json']);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('compare', () => {
  it('puts runs side by side with changes relative to the first', () => {
    const { dir } = scratch();
    writeFileSync(join(dir, 'pg_health.json'), result(10, 100, 'postgres'));
    writeFileSync(join(dir, 'mongo_health.json'), result(12, 90, 'mongodb'));
    const table = compareTable([join(dir, 'pg_health.json'), join(dir, 'mongo_health.json')]);
    expect(table).toContain('| throughput | 100/s | 90/s (-10.00%) |');
    expect(table).toContain('| p(95) | 10.00 ms | 12.00 ms (+20.00%) |');
    expect(table).toContain('| p(99) | 20.00 ms | 24.00 ms |');
    expect(table).toContain('| memory (max) | — | — |'); // not measured: never invented
    expect(table).not.toContain('Note:');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('history database description', () => {
  it('never shows user, password or query parameters of HISTORY_DATABASE_URL', () => {
    expect(describeDatabase('postgres://bench:s3cr3t@db.internal:5433/k6?password=also-secret')).toBe('db.internal:5433/k6');
    expect(describeDatabase('not a url with s3cr3t')).toBe('(HISTORY_DATABASE_URL, not shown)');
  });
});
