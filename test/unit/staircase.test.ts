// Staircase capacity runs: the levels from the settings, the k6 scenarios and per-level thresholds
// they become, the table and capacity read back from a summary, the verdict's view of them, and the
// settings stage's messages.
import { describe, expect, it } from 'vitest';
import { url } from '../../src/lib/config';
import { buildOptions } from '../../src/lib/options';
import type { RunPlan } from '../../src/lib/run-plan';
import { readSettings } from '../../src/lib/settings';
import { renderTextSummary, type SummaryData } from '../../src/shared/summary-text';
import { buildScenarios, holdsRate } from '../../src/profiles/index';
import { payments } from '../../src/shared/families/payments';
import type { MetricSummary } from '../../src/shared/result';
import { unfitForBaseline } from '../../src/shared/result';
import {
  capacityDiffRows,
  capacityLine,
  isStairProfile,
  levelKey,
  levelOfMetric,
  renderStairTable,
  stairLevels,
  stairPlannedStop,
  stairProblems,
  stairProfileName,
  stairRates,
  stairTable,
  stairThresholds,
  type StairSettings,
} from '../../src/shared/staircase';
import { planFacts, planShortfalls, type ScenarioPlan } from '../../src/shared/verdict';
import { thrown } from '../support/thrown';

const stair: StairSettings = { start: 10, step: 20, target: 50, hold: '4s', idle: '0s', abortOnFail: false };
const gate = { latency: 'http_req_duration', throughput: 'http_reqs', errors: 'http_req_failed' };

describe('staircase levels', () => {
  it('climbs from START by STEP up to and including TARGET (the last step may be shorter)', () => {
    expect(stairRates(10, 20, 90)).toEqual([10, 30, 50, 70, 90]);
    expect(stairRates(10, 20, 60)).toEqual([10, 30, 50, 60]);
    expect(stairRates(5, 1, 5)).toEqual([5]);
  });

  it('times each level after the holds and idles before it', () => {
    expect(stairLevels({ ...stair, idle: '1s' })).toEqual([
      { index: 1, rate: 10, startMs: 0, holdMs: 4000 },
      { index: 2, rate: 30, startMs: 5000, holdMs: 4000 },
      { index: 3, rate: 50, startMs: 10_000, holdMs: 4000 },
    ]);
  });

  it('names START above TARGET and too many levels, with the fix', () => {
    expect(stairProblems({ start: 10, step: 10, target: 100 })).toEqual([]);
    expect(stairProblems({ start: 50, step: 10, target: 20 })).toEqual([
      'STAIR_START=50 is above STAIR_TARGET=20: the staircase climbs from STAIR_START up to STAIR_TARGET',
    ]);
    expect(stairProblems({ start: 1, step: 1, target: 500 })).toEqual([
      'STAIR_START=1, STAIR_STEP=1 and STAIR_TARGET=500 make 500 levels, at most 50 are allowed: raise STAIR_STEP to at least 11',
    ]);
    expect(stairProblems({ start: 1, step: 11, target: 500 })).toEqual([]);
  });

  it('records the levels in the profile name, so only runs of the same levels compare', () => {
    expect(stairProfileName(stair)).toBe('staircase(10..50 step 20, hold 4s, idle 0s)');
    expect(isStairProfile(stairProfileName(stair))).toBe(true);
    expect(isStairProfile('tps100')).toBe(false);
  });
});

describe('staircase scenarios', () => {
  it('one constant-arrival-rate scenario per level and exec function, offset, tagged and split by weight', () => {
    const s = buildScenarios({ name: 'staircase', stair }, { counterScenario: 0.5, messageScenario: 0.5 });
    expect(Object.keys(s)).toEqual([
      'stair10_counterScenario',
      'stair10_messageScenario',
      'stair30_counterScenario',
      'stair30_messageScenario',
      'stair50_counterScenario',
      'stair50_messageScenario',
    ]);
    expect(s.stair30_counterScenario).toEqual({
      executor: 'constant-arrival-rate',
      exec: 'counterScenario',
      rate: 15,
      timeUnit: '1s',
      duration: '4s',
      startTime: '4000ms',
      gracefulStop: '4000ms',
      preAllocatedVUs: 2,
      maxVUs: 15,
      tags: { stair: '30' },
    });
    const rates = (level: string) =>
      Object.entries(s)
        .filter(([name]) => name.startsWith(`stair${level}_`))
        .map(([, x]) => (x as { rate: number }).rate);
    expect(rates('50')).toEqual([25, 25]);
  });

  it('VU levels (LOAD_MODEL=vus): one constant-vus scenario per level, its VUs split by weight, no rate to hold', () => {
    const vus = buildScenarios({ name: 'staircase', model: 'vus', stair: { ...stair, start: 1, step: 2, target: 5, model: 'vus' } }, { a: 0.5, b: 0.5 });
    // level 1: one VU, for a only (b's share is none)
    expect(Object.keys(vus)).toEqual(['stair1_a', 'stair3_a', 'stair3_b', 'stair5_a', 'stair5_b']);
    expect(vus.stair3_b).toEqual({
      executor: 'constant-vus',
      exec: 'b',
      vus: 1,
      duration: '4s',
      startTime: '4000ms',
      gracefulStop: '4000ms',
      tags: { stair: '3' },
    });
    expect(holdsRate('staircase', 'vus')).toBe(false);
    expect(holdsRate('staircase', undefined)).toBe(true);
    const facts = planFacts(vus as Record<string, ScenarioPlan>);
    expect(facts.requestedRate).toBeUndefined();
    expect(facts.staircaseLevels).toBe(3);
  });

  it('needs its levels, and keeps the graceful stop under 10 s', () => {
    expect(() => buildScenarios({ name: 'staircase' }, { a: 1 })).toThrow(/needs its levels/);
    const long = buildScenarios({ name: 'staircase', stair: { ...stair, hold: '1m' } }, { a: 1 });
    expect(long.stair10_a).toMatchObject({ duration: '1m', gracefulStop: '10000ms', startTime: '0ms', maxVUs: 10, preAllocatedVUs: 1 });
    expect(long.stair30_a).toMatchObject({ startTime: '60000ms', maxVUs: 30, preAllocatedVUs: 3 });
  });

  it('the plan facts know a staircase: its iterations, its mean offered rate, and no rate to hold', () => {
    const s = buildScenarios({ name: 'staircase', stair }, { healthCheck: 1 }) as Record<string, ScenarioPlan>;
    const facts = planFacts(s);
    expect(facts).toEqual({ plannedDurationMs: 12_000, expectedIterations: 360, requestedRate: 30, staircaseLevels: 3 });
    const counter = (count: number) => ({ type: 'counter', values: { count, rate: 0 } });
    const metrics = { iterations: counter(300), dropped_iterations: counter(40) };
    // the levels above capacity drop iterations: that is the finding, not a plan not carried out
    expect(planShortfalls(facts, { durationMs: 12_300, metrics, profileKept: true })).toEqual([]);
    // Ctrl-C is still an interruption...
    expect(planShortfalls(facts, { durationMs: 6000, metrics, profileKept: true })).toEqual(['interrupted: ran 6.00 s of the 12.00 s planned']);
    // ...but STAIR_ABORT after a failed level is the plan
    expect(planShortfalls(facts, { durationMs: 6000, metrics, profileKept: true, plannedStop: 'STAIR_ABORT stopped the run' })).toEqual([]);
  });
});

describe('per-level thresholds', () => {
  const levels = stairLevels(stair);
  const own = { http_req_duration: ['p(90)<150'], 'http_req_duration{name:payment_confirm}': ['p(90)<300'], checks: ['rate>0.99'] };

  it("copies every threshold of the script onto each level's submetric, tag selectors kept", () => {
    const t = stairThresholds(levels, ['healthCheck'], own, gate, false);
    expect(t['http_req_duration{stair:30}']).toEqual(['p(90)<150']);
    expect(t['http_req_duration{name:payment_confirm,stair:30}']).toEqual(['p(90)<300']);
    expect(t['checks{stair:50}']).toEqual(['rate>0.99']);
    expect(t['iterations{stair:10}']).toEqual(['count>0']);
    // k6 puts only the scenario name on dropped_iterations, not the scenario's tags
    expect(t['dropped_iterations{scenario:stair10_healthCheck}']).toEqual(['count==0']);
    // the gate errors metric has no threshold of the script: an always-true one brings its values into the summary
    expect(t['http_req_failed{stair:10}']).toEqual(['rate>=0']);
    expect(Object.keys(t).filter((k) => k.includes('stair:10') || k.includes('stair10_'))).toHaveLength(6);
    expect(t.http_req_duration).toBeUndefined();
  });

  it('STAIR_ABORT: the judging copies stop the test once they fail, evaluated from the end of the level', () => {
    const t = stairThresholds(levels, ['a', 'b'], own, { ...gate, latency: 'latency_ms' }, true);
    expect(t['http_req_duration{stair:30}']).toEqual([{ threshold: 'p(90)<150', abortOnFail: true, delayAbortEval: '8000ms' }]);
    expect(t['dropped_iterations{scenario:stair50_b}']).toEqual([{ threshold: 'count==0', abortOnFail: true, delayAbortEval: '12000ms' }]);
    expect(t['latency_ms{stair:30}']).toEqual(['max>=0']);
  });

  it('buildOptions keeps the run tags and the level tag on every scenario and replaces the global thresholds', () => {
    const scenarios = buildScenarios({ name: 'staircase', stair }, { healthCheck: 1 });
    const plan = {
      scenarios,
      tags: { script: 'health', run: 'baseline', testid: 't', env: 'ci' },
      gate: { thresholds: {} },
      holdsRate: true,
      gateThroughput: true,
      script: payments.scripts[0],
      staircase: { settings: stair, execs: ['healthCheck'] },
    } as unknown as RunPlan;
    const options = buildOptions(plan, { http_req_duration: ['p(90)<150'], http_req_failed: ['rate<0.01'] });
    expect(options.scenarios?.stair30_healthCheck.tags).toEqual({ script: 'health', run: 'baseline', testid: 't', env: 'ci', stair: '30' });
    expect(options.thresholds?.dropped_iterations).toBeUndefined();
    expect(options.thresholds?.http_req_duration).toBeUndefined();
    expect(options.thresholds?.['http_req_failed{stair:50}']).toEqual(['rate<0.01']);
    const plain = buildOptions({ ...plan, staircase: undefined }, { http_req_duration: ['p(90)<150'] });
    expect(plain.thresholds).toEqual({ http_req_duration: ['p(90)<150'], dropped_iterations: ['count==0'] });
  });
});

const trend = (med: number, p90: number, p99: number, ok = true): MetricSummary => ({
  type: 'trend',
  contains: 'time',
  values: { avg: med, min: 1, med, max: p99 + 1, 'p(90)': p90, 'p(95)': p90, 'p(99)': p99 },
  thresholds: { 'p(90)<150': { ok } },
});
const rate = (failed: number, total: number): MetricSummary => ({
  type: 'rate',
  values: { rate: total ? failed / total : 0, passes: failed, fails: total - failed },
  thresholds: { 'rate<0.01': { ok: total === 0 || failed / total < 0.01 } },
});
const count = (n: number, expr: string, ok: boolean): MetricSummary => ({
  type: 'counter',
  values: { count: n, rate: n / 12 },
  thresholds: { [expr]: { ok } },
});

/** A summary of levels 10, 30, 50: the first two hold, the third queues (p90 800 ms) and drops 12. */
function summary(level3 = { iterations: 150, dropped: 12, p90: 800 }): Record<string, MetricSummary> {
  const level = (r: number, iterations: number, dropped: number, p90: number) => ({
    [`http_req_duration{stair:${r}}`]: trend(51, p90, p90 + 10, p90 < 150),
    [`http_req_failed{stair:${r}}`]: rate(0, iterations),
    [`iterations{stair:${r}}`]: count(iterations, 'count>0', iterations > 0),
    [`dropped_iterations{scenario:stair${r}_healthCheck}`]: count(dropped, 'count==0', dropped === 0),
  });
  return {
    http_req_duration: trend(52, 300, 900),
    iterations: { type: 'counter', values: { count: 310, rate: 25 } },
    ...level(10, 40, 0, 53),
    ...level(30, 120, 0, 56),
    ...level(50, level3.iterations, level3.dropped, level3.p90),
  };
}

describe('the staircase table and the capacity', () => {
  it('reads each level from its submetrics and names the highest level that met its thresholds', () => {
    const t = stairTable(stair, ['healthCheck'], summary(), gate, 12_400);
    expect(t.levels.map((r) => [r.rate, r.achievedRate, r.status])).toEqual([
      [10, 10, 'met'],
      [30, 30, 'met'],
      [50, 37.5, 'failed'],
    ]);
    expect(t.levels[1]).toMatchObject({ p50: 51, p90: 56, p99: 66, errorRate: 0, errors: 0, dropped: 0, failed: [] });
    expect(t.levels[2].failed).toEqual(['dropped_iterations count==0', 'http_req_duration p(90)<150']);
    expect(t.capacity).toEqual({ rate: 30, level: 2, levels: 3 });
    expect(capacityLine(t)).toBe('capacity: 30 iterations/s (level 2 of 3)');
    expect(t.abortedAfter).toBeUndefined();
  });

  it('a level that dropped iterations did not meet them, even with every threshold passed', () => {
    const metrics = summary();
    metrics['dropped_iterations{scenario:stair30_healthCheck}'] = { type: 'counter', values: { count: 3, rate: 0 } };
    const t = stairTable(stair, ['healthCheck'], metrics, gate, 12_400);
    expect(t.levels[1].status).toBe('failed');
    expect(t.capacity).toEqual({ rate: 10, level: 1, levels: 3 });
  });

  it('no level met: says so', () => {
    const metrics = Object.fromEntries(Object.entries(summary()).map(([k, m]) => [k, k.startsWith('http_req_duration{') ? trend(400, 500, 600, false) : m]));
    const t = stairTable(stair, ['healthCheck'], metrics, gate, 12_400);
    expect(t.capacity).toBeNull();
    expect(capacityLine(t)).toBe('capacity: no level met the thresholds');
  });

  it('STAIR_ABORT: the level after the failed one is cut short, the rest not run, and the stop is the plan', () => {
    const metrics = summary({ iterations: 0, dropped: 0, p90: 0 });
    metrics['http_req_duration{stair:30}'] = trend(300, 700, 900, false);
    metrics['iterations{stair:50}'] = count(0, 'count>0', false);
    // k6 reports a submetric without samples as zeros
    metrics['http_req_duration{stair:50}'] = { ...trend(0, 0, 0), values: { avg: 0, min: 0, med: 0, max: 0, 'p(90)': 0, 'p(95)': 0, 'p(99)': 0 } };
    const t = stairTable({ ...stair, target: 70, abortOnFail: true }, ['healthCheck'], metrics, gate, 9_000);
    expect(t.levels.map((r) => r.status)).toEqual(['met', 'failed', 'not run', 'not run']);
    expect(t.abortedAfter).toBe(2);
    expect(stairPlannedStop(t)).toBe('STAIR_ABORT stopped the run after level 2 (30 iterations/s) failed its thresholds');
    expect(t.capacity?.rate).toBe(10);
    // a Ctrl-C without STAIR_ABORT is no planned stop
    expect(stairPlannedStop(stairTable(stair, ['healthCheck'], metrics, gate, 9_000))).toBeUndefined();
  });

  it('a level cut short before its first iteration ended, but with calls made, is stopped, not "not run"', () => {
    const metrics = summary({ iterations: 0, dropped: 0, p90: 55 });
    const t = stairTable({ ...stair, model: 'vus' }, ['healthCheck'], metrics, gate, 8_500);
    expect(t.levels[2].status).toBe('stopped');
  });

  it('a level held only in part (Ctrl-C) is stopped, never the capacity', () => {
    const t = stairTable(stair, ['healthCheck'], summary({ iterations: 30, dropped: 0, p90: 55 }), gate, 10_000);
    expect(t.levels[2].status).toBe('stopped');
    expect(t.capacity?.rate).toBe(30);
  });

  it('VU levels: the throughput column and the capacity with its throughput; no drops judged', () => {
    const vus: StairSettings = { ...stair, model: 'vus' };
    const metrics = summary({ iterations: 30, dropped: 0, p90: 55 });
    for (const [level, n] of [
      ['10', 400],
      ['30', 1200],
      ['50', 1300],
    ] as const)
      metrics[`http_reqs{stair:${level}}`] = count(n, 'count>=0', true);
    metrics['http_req_duration{stair:50}'] = trend(300, 700, 900, false);
    const t = stairTable(vus, ['healthCheck'], metrics, gate, 12_400);
    expect(t.levels.map((r) => [r.rate, r.throughput, r.status])).toEqual([
      [10, 100, 'met'],
      [30, 300, 'met'],
      [50, 325, 'failed'],
    ]);
    expect(t.capacity).toEqual({ rate: 30, level: 2, levels: 3, throughput: 300 });
    expect(capacityLine(t)).toBe('capacity: 30 VUs, 300 http_reqs/s (level 2 of 3)');
    const lines = renderStairTable(t);
    expect(lines[1]).toMatch(/^level +VUs +iterations\/s +http_reqs\/s +p50 +p90 +p99 +failures +result$/);
    expect(lines[3]).toMatch(/^2 +30 +30 +300 +/);
    expect(capacityDiffRows({ capacity: { rate: 50, level: 3, levels: 3 } }, t, 0.95)).toMatchObject([{ stat: 'VUs', verdict: 'regression' }]);
    // the same VUs at a much lower throughput: a slower server (the gate's throughput tolerance)
    const slower = capacityDiffRows({ capacity: { rate: 30, level: 2, levels: 3, throughput: 400 } }, t, 0.95);
    expect(slower).toMatchObject([
      { stat: 'VUs', verdict: 'ok' },
      { stat: 'http_reqs/s', baseline: 400, current: 300, limit: 380, verdict: 'regression' },
    ]);
    expect(capacityDiffRows({ capacity: { rate: 30, level: 2, levels: 3, throughput: 310 } }, t, 0.95)[1].verdict).toBe('ok');
    expect(capacityLine({ ...t, capacity: { rate: 1, level: 1, levels: 3, throughput: 100 } })).toBe('capacity: 1 VU, 100 http_reqs/s (level 1 of 3)');
    expect(stairProfileName(vus)).toBe('staircase(10..50 step 20 VUs, hold 4s, idle 0s)');
    // its thresholds: no dropped_iterations (constant-vus drops none), the throughput brought into the summary
    const th = stairThresholds(stairLevels(vus), ['healthCheck'], {}, gate, false, 'vus');
    expect(Object.keys(th).filter((k) => k.startsWith('dropped_iterations'))).toEqual([]);
    expect(th['http_reqs{stair:30}']).toEqual(['count>=0']);
  });

  it('renders the table with the shared formatter and the capacity last', () => {
    const lines = renderStairTable(stairTable(stair, ['healthCheck'], summary(), gate, 12_400));
    expect(lines[0]).toBe('STAIRCASE: 3 levels of 4s; latency http_req_duration, failures http_req_failed');
    expect(lines[1]).toMatch(/^level +target\/s +achieved\/s +p50 +p90 +p99 +failures +dropped +result$/);
    expect(lines[3]).toMatch(/^2 +30 +30 +51\.00 ms +56\.00 ms +66\.00 ms +0\.00% \(0\) +0 +✓ met$/);
    expect(lines[4]).toMatch(/^3 +50 +37\.50 .* 12 +✗ dropped_iterations count==0, http_req_duration p\(90\)<150$/);
    expect(lines[5]).toBe('capacity: 30 iterations/s (level 2 of 3)');
  });

  it('the text summary shows the table instead of every per-level threshold and submetric', () => {
    const metrics = summary();
    const result = stairTable(stair, ['healthCheck'], metrics, gate, 12_400);
    const data: SummaryData = { metrics, root_group: { name: '', groups: [], checks: [] }, meta: { staircase: result } };
    const text = renderTextSummary(data, 'health');
    expect(text).not.toContain('{stair:');
    expect(text).not.toContain('stair10_healthCheck');
    expect(text).toContain('  capacity: 30 iterations/s (level 2 of 3)');
    expect(text).toMatch(/http_req_duration\.+: avg=52\.00 ms/);
    // without meta.staircase nothing is hidden
    expect(renderTextSummary({ ...data, meta: {} }, 'health')).toContain('http_req_duration{stair:10}: p(90)<150');
  });

  it('tells per-level metrics from the others', () => {
    expect(levelOfMetric('http_req_duration{name:payment_confirm,stair:30}')).toBe(30);
    expect(levelOfMetric('dropped_iterations{scenario:stair70_paymentConfirm}')).toBe(70);
    expect(levelOfMetric('http_req_duration{name:payment_confirm}')).toBeUndefined();
    expect(levelOfMetric('http_req_duration')).toBeUndefined();
    expect(levelKey('http_req_duration{name:x}', { rate: 5 })).toBe('http_req_duration{name:x,stair:5}');
  });

  it("a staircase's failed levels do not keep it from becoming the baseline; its other thresholds do", () => {
    const metrics = { ...summary(), checks: { type: 'rate', values: { rate: 0.5, passes: 1, fails: 1 }, thresholds: { 'rate>0.99': { ok: false } } } };
    expect(unfitForBaseline({ metrics }, gate, (name) => levelOfMetric(name) !== undefined)).toEqual(['thresholds failed (checks rate>0.99)']);
    expect(unfitForBaseline({ metrics }, gate)[0]).toContain('http_req_duration{stair:50} p(90)<150');
  });

  it('compares the capacity with the baseline: lower is a regression', () => {
    const at = (rate: number | null) => ({ capacity: rate === null ? null : { rate, level: 1, levels: 5 } });
    expect(capacityDiffRows(at(30), at(10), 0.95)[0]).toMatchObject({
      metric: 'staircase capacity',
      baseline: 30,
      current: 10,
      changePct: -66.67,
      verdict: 'regression',
      limit: 30,
    });
    expect(capacityDiffRows(at(30), at(30), 0.95)[0].verdict).toBe('ok');
    expect(capacityDiffRows(at(30), at(50), 0.95)[0].verdict).toBe('improved');
    expect(capacityDiffRows(at(30), at(null), 0.95)[0]).toMatchObject({ current: null, verdict: 'regression', changePct: null });
    expect(capacityDiffRows(at(null), at(10), 0.95)[0].verdict).toBe('improved');
  });
});

describe('staircase settings', () => {
  const spec = { family: payments, script: 'health', defaultProfile: 'smoke' as const, rules: { TARGET_URL: url('http://127.0.0.1:8080') } };

  it('reads the levels, with STEP defaulting to START, a 30s hold, no idle and no abort', () => {
    const s = readSettings(spec, { LOAD_PROFILE: 'staircase', STAIR_START: '10', STAIR_TARGET: '50' });
    expect(s.load.stair).toEqual({ start: 10, step: 10, target: 50, hold: '30s', idle: '0s', abortOnFail: false });
    const all = readSettings(spec, {
      LOAD_PROFILE: 'staircase',
      STAIR_START: '10',
      STAIR_STEP: '20',
      STAIR_TARGET: '90',
      STAIR_HOLD: '4s',
      STAIR_IDLE: '1s',
      STAIR_ABORT: 'yes',
    });
    expect(all.load.stair).toEqual({ start: 10, step: 20, target: 90, hold: '4s', idle: '1s', abortOnFail: true });
    expect(readSettings(spec, {}).load.stair).toBeUndefined();
    const vus = readSettings(spec, { LOAD_PROFILE: 'staircase', LOAD_MODEL: 'vus', STAIR_START: '2', STAIR_TARGET: '6', STAIR_STEP: '2' });
    expect(vus.load.stair).toEqual({ start: 2, step: 2, target: 6, model: 'vus', hold: '30s', idle: '0s', abortOnFail: false });
  });

  it('names every bad value and every contradiction in the one message', () => {
    const message = thrown(() =>
      readSettings(spec, {
        LOAD_PROFILE: 'staircase',
        STAIR_START: '0',
        STAIR_HOLD: 'soon',
        STAIR_IDLE: '-1s',
        STAIR_ABORT: 'maybe',
        STEADY_STATE_DURATION: '10s',
        LOAD_MODEL: 'vus',
        TARGET_URL: 'nope',
      }),
    );
    expect(message).toMatch(/^invalid configuration: /);
    expect(message).toContain("TARGET_URL='nope' is not valid");
    expect(message).toContain("STAIR_START='0' is not valid, expected an integer from 1 to 100000");
    expect(message).toContain("STAIR_HOLD='soon' is not valid, expected a duration like 500ms, 30s, 5m, 1h or 1m30s (greater than zero)");
    expect(message).toContain("STAIR_IDLE='-1s' is not valid, expected a duration like 500ms, 30s, 5m, 1h or 1m30s (0s for none)");
    expect(message).toContain("STAIR_ABORT='maybe' is not valid, expected a boolean");
    expect(message).toContain('STEADY_STATE_DURATION does not apply to LOAD_PROFILE=staircase: STAIR_HOLD sets how long each level is held');
    // LOAD_MODEL=vus makes the levels VUs
    expect(message).toContain('LOAD_PROFILE=staircase needs STAIR_TARGET (VUs of the first and the last level)');
    expect(message).not.toContain('\n');
  });

  it('a staircase without its levels, upside down, or with too many levels', () => {
    expect(thrown(() => readSettings(spec, { LOAD_PROFILE: 'staircase' }))).toContain('LOAD_PROFILE=staircase needs STAIR_START and STAIR_TARGET');
    expect(thrown(() => readSettings(spec, { LOAD_PROFILE: 'staircase', STAIR_START: '90', STAIR_TARGET: '10' }))).toContain(
      'STAIR_START=90 is above STAIR_TARGET=10',
    );
    expect(thrown(() => readSettings(spec, { LOAD_PROFILE: 'staircase', STAIR_START: '1', STAIR_TARGET: '1000' }))).toContain('make 1000 levels, at most 50');
    expect(readSettings(spec, { LOAD_PROFILE: 'staircase', STAIR_START: '1', STAIR_IDLE: '0s', STAIR_TARGET: '50' }).load.stair?.idle).toBe('0s');
  });

  it('STAIR_* without LOAD_PROFILE=staircase is reported, not ignored', () => {
    expect(thrown(() => readSettings(spec, { STAIR_START: '10', STAIR_HOLD: '5s' }))).toBe(
      'invalid configuration: STAIR_START, STAIR_HOLD apply only to LOAD_PROFILE=staircase (LOAD_PROFILE is smoke): set LOAD_PROFILE=staircase or unset them',
    );
    expect(thrown(() => readSettings(spec, { LOAD_PROFILE: 'tps100', STAIR_ABORT: '1' }))).toContain('STAIR_ABORT applies only to LOAD_PROFILE=staircase');
    // a misspelt profile is named on its own, without blaming the STAIR_* variables
    const misspelt = thrown(() => readSettings(spec, { LOAD_PROFILE: 'stairs', STAIR_START: '10' }));
    expect(misspelt).toContain("LOAD_PROFILE='stairs' is not valid, expected one of smoke,");
    expect(misspelt).toContain('ramp25, staircase');
    expect(misspelt).not.toContain('apply only');
  });
});
