// The verdict table, the plan a run is held to, the generator-health limits and the noise band.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOLERANCE, bandStat, gateBand, gateLimits, type ResultLike } from '../../src/shared/gate';
import { bandRuns, comparableKey, type HistoryRow } from '../../src/shared/result';
import { emptyJudgedMetrics, generatorProblems, judge, planFacts, planShortfalls, unjudgedRun } from '../../src/shared/verdict';
import { finalVerdict } from '../../tools/cli/main';

const counter = (count: number) => ({ type: 'counter', values: { count, rate: count / 10 } });
const trend = (values: Record<string, number>) => ({ type: 'trend', contains: 'time', values });

describe('the verdict table', () => {
  const none = { shortfalls: [], generator: [], unjudged: [], regressions: [] };
  it('pass: carried out, judged, no regression', () => expect(judge(none)).toEqual({ verdict: 'pass', reasons: [], accepted: true }));
  it('regression: carried out and judged', () =>
    expect(judge({ ...none, regressions: ['latency_ms p(95)'] })).toEqual({ verdict: 'regression', reasons: ['latency_ms p(95)'], accepted: true }));
  it('inconclusive beats regression: a saturated generator or a plan not carried out', () => {
    expect(judge({ ...none, generator: ['cpu'], regressions: ['latency_ms p(95)'] })).toMatchObject({
      verdict: 'inconclusive',
      reasons: ['cpu'],
      accepted: false,
    });
    expect(judge({ ...none, shortfalls: ['interrupted'] })).toMatchObject({ verdict: 'inconclusive', accepted: false });
  });
  it('a slower target that held every VU: regression, with the rate shortfall as its consequence, not accepted', () =>
    expect(judge({ ...none, shortfalls: ['the rate was not held: requested 100/s'], regressions: ['http_req_duration p(95)'] })).toEqual({
      verdict: 'regression',
      reasons: ['http_req_duration p(95)', 'the rate was not held: requested 100/s'],
      accepted: false,
    }));
  it("the script's own thresholds failed: a failed run, never a baseline, unless it did not carry out its plan", () => {
    const failedThresholds = ['threshold failed: transaction_success_rate rate>0.99'];
    expect(judge({ ...none, failedThresholds })).toEqual({ verdict: 'regression', reasons: failedThresholds, accepted: false });
    expect(judge({ ...none, failedThresholds, unjudged: ['x'] }).verdict).toBe('regression');
    expect(judge({ ...none, failedThresholds, generator: ['starved'] }).verdict).toBe('inconclusive');
  });
  it('cannot be judged: a gated statistic or every iteration missing', () =>
    expect(judge({ ...none, unjudged: ['no iteration completed'] })).toMatchObject({ verdict: 'cannot-judge', accepted: false }));
});

describe('the plan of a run', () => {
  it('counts the iterations arrival-rate scenarios should start and their mean rate', () => {
    const facts = planFacts({
      a: { executor: 'constant-arrival-rate', rate: 60, timeUnit: '1s', duration: '10s' },
      b: { executor: 'constant-arrival-rate', rate: 40, timeUnit: '1s', duration: '10s' },
    });
    expect(facts).toEqual({ plannedDurationMs: 10_000, expectedIterations: 1000, requestedRate: 100 });
    const ramp = planFacts({
      r: {
        executor: 'ramping-arrival-rate',
        startRate: 0,
        timeUnit: '1s',
        stages: [
          { duration: '10s', target: 100 },
          { duration: '10s', target: 100 },
        ],
      },
    });
    expect(ramp).toEqual({ plannedDurationMs: 20_000, expectedIterations: 1500, requestedRate: 75 });
    expect(planFacts({ v: { executor: 'constant-vus', duration: '30s' } })).toEqual({ plannedDurationMs: 30_000 });
  });

  it('names a rate not held with the figures, an interrupted run, and holds no rate to k6 flags', () => {
    const plan = { plannedDurationMs: 60_000, expectedIterations: 300_000, requestedRate: 5000 };
    const metrics = { iterations: counter(260_400), dropped_iterations: counter(9703) };
    expect(planShortfalls(plan, { durationMs: 60_500, metrics, profileKept: true })).toEqual([
      'the rate was not held: requested 5000/s, achieved 4340/s, 260400 of 300000 iterations, 9703 dropped',
    ]);
    expect(planShortfalls(plan, { durationMs: 3000, metrics: { iterations: counter(300_000) }, profileKept: true })).toEqual([
      'interrupted: ran 3.00 s of the 1m0.0s planned',
    ]);
    // k6's own flags (--vus --duration) planned the run: no rate to hold it to, but a Ctrl-C is still one
    // (the facts are then those of k6's consolidated scenarios)
    expect(planShortfalls(plan, { durationMs: 60_000, metrics, profileKept: false })).toEqual([]);
    expect(planShortfalls(plan, { durationMs: 3000, metrics, profileKept: false })).toEqual(['interrupted: ran 3.00 s of the 1m0.0s planned']);
    expect(planShortfalls(plan, { durationMs: 60_000, metrics: { iterations: counter(300_000) }, profileKept: true })).toEqual([]);
  });

  it('cannot judge a run without iterations, nor thresholds over metrics without samples', () => {
    expect(unjudgedRun({ iterations: counter(0) })).toHaveLength(1);
    expect(unjudgedRun({})).toHaveLength(1);
    const empty = { type: 'rate', values: { rate: 0, passes: 0, fails: 0 }, thresholds: { 'rate>0.99': { ok: true } } };
    expect(emptyJudgedMetrics({ transaction_success_rate: empty })).toEqual([
      'transaction_success_rate has no samples, so its threshold rate>0.99 judged nothing',
    ]);
    expect(emptyJudgedMetrics({ transaction_success_rate: { ...empty, values: { rate: 1, passes: 3, fails: 0 } } })).toEqual([]);
  });
});

describe('the load generator', () => {
  it('is CPU-bound above 85% of its cores on average, starved when its timers are late', () => {
    expect(generatorProblems({ loadgen_cpu_ratio: { type: 'trend', values: { avg: 0.5, 'p(95)': 0.6 } } })).toEqual([]);
    expect(generatorProblems({ loadgen_cpu_ratio: { type: 'trend', values: { avg: 0.97 } } })[0]).toMatch(/CPU-bound: k6 used 97% of its cores/);
    // without a baseline only severe starvation counts; with one, twice the baseline's lag (at least 5 ms)
    expect(generatorProblems({ loadgen_lag_ms: trend({ med: 12 }) })[0]).toMatch(/starved: its timers fired 12.00 ms late/);
    expect(generatorProblems({ loadgen_lag_ms: trend({ med: 9.5 }) })).toEqual([]);
    const quietBaseline = { loadgen_lag_ms: trend({ med: 2 }) };
    expect(generatorProblems({ loadgen_lag_ms: trend({ med: 8.5 }) }, quietBaseline)[0]).toMatch(/limit 5.00 ms, twice the baseline run/);
    expect(generatorProblems({ loadgen_lag_ms: trend({ med: 3.5 }) }, quietBaseline)).toEqual([]);
    expect(generatorProblems({ loadgen_lag_ms: trend({ med: 9.5 }) }, { loadgen_lag_ms: trend({ med: 5 }) })).toEqual([]);
  });
});

describe('the noise band', () => {
  const base: ResultLike = {
    metrics: {
      latency_ms: trend({ 'p(95)': 10 }),
      transactions_total: { type: 'counter', values: { count: 1000, rate: 100 } },
      error_rate: { type: 'rate', values: { rate: 0 } },
    },
  };
  const gate = { latency: 'latency_ms', throughput: 'transactions_total', errors: 'error_rate' };

  it('takes the median and the MAD', () => {
    expect(bandStat([10, 11, 9, 30, 10])).toEqual({ median: 10, mad: 1 });
    expect(bandStat([])).toBeUndefined();
  });

  it('needs three runs, then gates a noisy statistic wider and a stable one at the tolerance', () => {
    expect(gateBand([{ p95: 10, throughput: 100 }], 3)).toBeUndefined();
    const noisy = gateBand(
      [10, 14, 10, 6, 10].map((p95) => ({ p95, throughput: 100 })),
      3,
    )!;
    const [latency, throughput] = gateLimits(base, gate, DEFAULT_TOLERANCE, {}, noisy);
    // median 10, MAD 0 → the tolerance (12); here MAD = 0 as well: 3 of 5 equal the median
    expect(latency.limit).toBe(12);
    const wide = gateBand(
      [8, 12, 10, 6, 14].map((p95) => ({ p95, throughput: 100 })),
      3,
    )!;
    const [wideLatency] = gateLimits(base, gate, DEFAULT_TOLERANCE, {}, wide);
    expect(wideLatency.limit).toBeCloseTo(10 + 3 * 1.4826 * 2, 3); // median 10, MAD 2: the band is wider than 1.2x
    expect(wideLatency.band).toEqual({ runs: 5, median: 10, mad: 2, sigmas: 3 });
    expect(throughput.limit).toBe(95);
  });

  it('uses only the accepted, passing runs of the same script and comparable key', () => {
    const row = (over: Partial<HistoryRow>): HistoryRow => ({
      test_date: '',
      test_type: 'health',
      database_type: null,
      run_name: 'r',
      test_id: null,
      profile: 'tps100',
      throughput_ops_per_sec: 100,
      latency_p95_ms: 10,
      latency_p99_ms: null,
      error_rate: 0,
      memory_usage_mb: null,
      cpu_usage_percent: null,
      passed: true,
      verdict: 'pass',
      accepted: true,
      comparable: 'k',
      attempt: 1,
      result_file: '',
      ...over,
    });
    const rows = [
      row({}),
      row({ accepted: false }),
      row({ verdict: 'regression' }),
      row({ comparable: 'other' }),
      row({ test_type: 'x' }),
      row({ run_name: 'last' }),
    ];
    expect(bandRuns(rows, 'health', 'k', 5).map((r) => r.run_name)).toEqual(['r', 'last']);
    expect(comparableKey({ profile: 'tps100', model: 'arrival-rate', workload: 'counter' }, ['workload', 'transport'])).toBe(
      'profile=tps100;model=arrival-rate;workload=counter;transport=',
    );
  });
});

describe('--confirm', () => {
  it('calls a regression only when it reproduces', () => {
    expect(finalVerdict([{ verdict: 'regression' }])).toBe('regression');
    expect(finalVerdict([{ verdict: 'regression' }, { verdict: 'regression' }])).toBe('regression');
    expect(finalVerdict([{ verdict: 'regression' }, { verdict: 'pass' }])).toBe('pass');
    expect(finalVerdict([{ verdict: 'inconclusive' }, { verdict: 'regression' }])).toBe('inconclusive');
    expect(finalVerdict([{ verdict: 'inconclusive' }, { verdict: 'inconclusive' }])).toBe('inconclusive');
  });
});
