import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES, buildScenarios, resolveShape, splitByWeight } from '../../src/profiles/index';

describe('profiles', () => {
  it("has every profile of seed 000, and seed 003's loadtest stages", () => {
    expect(PROFILE_NAMES).toEqual([
      'smoke',
      'tps100',
      'tps200',
      'tps500',
      'tps1000',
      'tps2000',
      'tps5000',
      'spike',
      'rampUp',
      'soak',
      'stress',
      'burst',
      'mixed',
      'arrival10to100',
      'crud200',
      'ramp25',
      'staircase',
    ]);
  });

  it("seed 001's phases: Artillery's arrival rate 10 → 100/s over 60 s, and the mixed-operations stages", () => {
    expect(buildScenarios({ name: 'arrival10to100' }, { createTimer: 1 }).createTimer).toMatchObject({
      executor: 'ramping-arrival-rate',
      startRate: 10,
      stages: [{ duration: '60s', target: 100 }],
    });
    const crud = buildScenarios({ name: 'crud200' }, { timerCrud: 1 }).timerCrud as { stages: Array<{ target: number }> };
    expect(crud.stages.map((s) => s.target)).toEqual([100, 100, 200, 200, 0]);
  });

  it('tpsN holds N iterations/s with VUs pre-allocated from the seed VU column', () => {
    const s = buildScenarios({ name: 'tps500' }, { default: 1 });
    expect(s.default).toMatchObject({ executor: 'constant-arrival-rate', rate: 500, timeUnit: '1s', preAllocatedVUs: 50, duration: '1m' });
  });

  it('LOAD_MODEL=vus gives the seed VU ramp for tpsN', () => {
    const s = buildScenarios({ name: 'tps100', model: 'vus' }, { default: 1 });
    expect(s.default).toMatchObject({ executor: 'ramping-vus' });
    expect((s.default as { stages: Array<{ target: number }> }).stages.map((x) => x.target)).toEqual([10, 10, 0]);
  });

  it('STEADY_STATE_DURATION replaces the steady phase only', () => {
    expect(resolveShape({ name: 'tps100', steadyState: '30s' })).toMatchObject({ duration: '30s' });
    const spike = resolveShape({ name: 'spike', steadyState: '5m' });
    if (spike.kind !== 'ramping-vus') throw new Error('spike should ramp VUs');
    expect(spike.stages.map((x) => x.duration)).toEqual(['30s', '10s', '5m', '10s', '30s', '10s']);
  });

  it('splits rates by weight so they add up exactly', () => {
    expect(splitByWeight(100, [0.4, 0.3, 0.3])).toEqual([40, 30, 30]);
    expect(splitByWeight(10, [1, 1, 1])).toEqual([4, 3, 3]);
    const s = buildScenarios({ name: 'tps1000' }, { counterScenario: 0.4, messageScenario: 0.3, mixedScenario: 0.3 });
    expect(Object.keys(s)).toEqual(['counterScenario', 'messageScenario', 'mixedScenario']);
    expect(Object.values(s).map((x) => (x as { rate: number }).rate)).toEqual([400, 300, 300]);
    expect(Object.values(s).map((x) => x.exec)).toEqual(['counterScenario', 'messageScenario', 'mixedScenario']);
  });

  it('drops zero-weight functions and refuses an empty mix', () => {
    expect(Object.keys(buildScenarios({ name: 'smoke' }, { a: 1, b: 0 }))).toEqual(['a']);
    expect(() => buildScenarios({ name: 'smoke' }, { a: 0 })).toThrow(/weight/);
  });

  it('names the valid profiles for an unknown one', () => {
    expect(() => resolveShape({ name: 'nope' as never })).toThrow(/valid profiles are smoke, tps100/);
  });
});
