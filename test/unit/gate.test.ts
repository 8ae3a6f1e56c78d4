import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TOLERANCE,
  changePct,
  diffResults,
  gateLimits,
  limitsToThresholds,
  mergeThresholds,
  renderDiffMarkdown,
  renderDiffText,
  type ResultLike,
} from '../../src/shared/gate';

const gate = { latency: 'latency_ms', throughput: 'transactions_total', errors: 'error_rate' };

function result(p95: number, rate: number, errorRate: number, extra: ResultLike['metrics'] = {}, meta: Record<string, unknown> = {}): ResultLike {
  return {
    meta: { run: 'r', profile: 'tps100', ...meta },
    options: { summaryTrendStats: ['avg', 'p(95)'] },
    metrics: {
      latency_ms: { type: 'trend', contains: 'time', values: { avg: p95 / 2, 'p(95)': p95 } },
      transactions_total: { type: 'counter', values: { count: rate * 10, rate } },
      error_rate: { type: 'rate', values: { rate: errorRate, passes: 0, fails: 0 } },
      ...extra,
    },
  };
}

describe('gate limits', () => {
  it("uses seed 001's tolerances with absolute floors", () => {
    const limits = gateLimits(result(10, 100, 0), gate, DEFAULT_TOLERANCE);
    expect(limits.map((l) => [l.metric, l.threshold])).toEqual([
      ['latency_ms', 'p(95)<=12'], // 1.2 × 10 beats 10 + 2
      ['transactions_total', 'rate>=95'], // 0.95 × 100 is below 100 − 1
      ['error_rate', 'rate<=0.01'],
    ]);
  });
  it('lets the floor win where a ratio alone would false-alarm', () => {
    const [latency, throughput] = gateLimits(result(0.8, 10, 0), gate, DEFAULT_TOLERANCE);
    expect(latency.limit).toBe(2.8); // 0.8 ms + 2 ms, not 0.96 ms
    expect(throughput.limit).toBe(9); // 10 − 1, not 9.5
  });
  it('takes per-metric overrides', () => {
    const [latency] = gateLimits(result(10, 100, 0), gate, DEFAULT_TOLERANCE, { latency_ms: { p95Ratio: 2 } });
    expect(latency.limit).toBe(20);
  });
  it('turns limits into thresholds and merges them with a scenario’s own', () => {
    const thresholds = limitsToThresholds(gateLimits(result(10, 100, 0), gate, DEFAULT_TOLERANCE));
    expect(mergeThresholds({ latency_ms: ['p(90)<15'] }, thresholds).latency_ms).toEqual(['p(90)<15', 'p(95)<=12']);
  });
});

describe('diffResults', () => {
  const base = result(10, 100, 0);
  const limits = gateLimits(base, gate, DEFAULT_TOLERANCE);

  it('computes change % as (new − old) / old × 100', () => {
    expect(changePct(10, 15)).toBe(50);
    expect(changePct(100, 95)).toBe(-5);
    expect(changePct(0, 5)).toBeNull();
  });

  it('passes an unchanged run and one within tolerance', () => {
    expect(diffResults(base, result(10, 100, 0), limits).passed).toBe(true);
    expect(diffResults(base, result(11.9, 96, 0.005), limits).passed).toBe(true);
  });

  it('names the regressed metrics: +50% latency, lower throughput, 5% errors', () => {
    const diff = diffResults(base, result(15, 90, 0.05), limits);
    expect(diff.passed).toBe(false);
    expect(diff.regressions.map((r) => `${r.metric} ${r.stat}`)).toEqual(['error_rate rate', 'latency_ms p(95)', 'transactions_total rate']);
    const latency = diff.rows.find((r) => r.metric === 'latency_ms' && r.stat === 'p(95)');
    expect(latency).toMatchObject({ baseline: 10, current: 15, changePct: 50, limit: 12, verdict: 'regression' });
  });

  it('reports missing and new metrics, zero baselines and different profiles plainly', () => {
    const current = result(10, 100, 0, { brand_new: { type: 'counter', values: { count: 1, rate: 1 } } }, { profile: 'smoke' });
    const baseWithExtra = result(10, 100, 0, { gone: { type: 'counter', values: { count: 0, rate: 0 } } });
    const diff = diffResults(baseWithExtra, current, limits);
    expect(diff.rows.find((r) => r.metric === 'gone')?.verdict).toBe('missing');
    expect(diff.rows.find((r) => r.metric === 'brand_new')?.verdict).toBe('new');
    expect(diff.rows.find((r) => r.metric === 'error_rate')).toMatchObject({ changePct: null, verdict: 'ok' });
    expect(diff.notes).toContain('runs differ in profile: baseline tps100, this run smoke; the comparison may not be meaningful');
    const md = renderDiffMarkdown(diff, 'x');
    expect(md).toContain('| error_rate | rate | 0 | 0 | n/a (baseline 0) | 0.0100 | ok |');
    expect(md).toContain('> runs differ in profile');
  });

  it('notes a gate metric the run lacks instead of passing silently', () => {
    const current = result(10, 100, 0);
    delete (current.metrics as Record<string, unknown>).latency_ms;
    const diff = diffResults(base, current, limits);
    expect(diff.notes).toContain('gate metric latency_ms is missing from this run: it cannot be judged');
    expect(diff.rows.find((r) => r.metric === 'latency_ms')?.verdict).toBe('missing');
    expect(diff.passed).toBe(false);
  });

  it('cannot judge a gated statistic the summary left out (--summary-trend-stats without p(95))', () => {
    const current = result(10, 100, 0);
    delete (current.metrics.latency_ms.values as Record<string, number>)['p(95)'];
    const diff = diffResults(base, current, limits);
    expect(diff.passed).toBe(false);
    expect(diff.unjudged.map((r) => `${r.metric} ${r.stat}`)).toEqual(['latency_ms p(95)']);
    expect(diff.regressions).toEqual([]);
  });

  it('treats a latency trend of all zeros as no samples: the gate fails, nothing "improved"', () => {
    const current = result(10, 100, 0);
    current.metrics.latency_ms.values = { avg: 0, 'p(95)': 0 };
    const diff = diffResults(base, current, limits);
    expect(diff.passed).toBe(false);
    expect(diff.rows.find((r) => r.metric === 'latency_ms')?.verdict).toBe('missing');
    expect(diff.notes).toContain('gate metric latency_ms has no samples in this run: it cannot be judged');
  });

  it('renders a terminal summary naming the regression', () => {
    const text = renderDiffText(diffResults(base, result(15, 100, 0), limits));
    expect(text).toContain('REGRESSION');
    expect(text).toContain('✗ latency_ms p(95): 10.00 ms → 15.00 ms +50.00% (limit 12.00 ms) regression');
  });
});
