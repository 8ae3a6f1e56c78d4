// PAYMENTS_MIX parsing (src/lib/payments/mix.ts): inline pairs or a JSON object, whole percentages summing to 100.
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIX, isMixFile, parseMix } from '../../src/lib/payments/mix';

describe('parseMix', () => {
  it('reads inline flow:weight pairs and drops flows weighted 0', () => {
    expect(parseMix('guest:50, cit_off_session:40 ,mit:10,cit_on_session:0')).toEqual({
      weights: { guest: 50, cit_off_session: 40, mit: 10 },
      problems: [],
    });
  });

  it('reads the object of a JSON file, naming the file in problems', () => {
    expect(parseMix({ guest: 100 }, 'PAYMENTS_MIX (mix.json)')).toEqual({ weights: { guest: 100 }, problems: [] });
    expect(parseMix([1, 2], 'PAYMENTS_MIX (mix.json)').problems).toEqual([
      'PAYMENTS_MIX (mix.json) must be an object of flow → weight, e.g. {"guest": 50, "cit_on_session": 50}',
    ]);
  });

  it('the default mix is valid', () => {
    expect(parseMix(DEFAULT_MIX).problems).toEqual([]);
  });

  it('reports every mistake with its fix', () => {
    expect(parseMix('guest:50,mit:40').problems).toEqual(['PAYMENTS_MIX: the weights sum to 90, not 100: adjust them so they add up to 100']);
    expect(parseMix('guest:50,refund:50,mit').problems).toEqual([
      'PAYMENTS_MIX: "mit" is not flow:weight (e.g. guest:50)',
      'PAYMENTS_MIX: unknown flow "refund" (flows: guest, cit_on_session, cit_off_session, mit)',
    ]);
    expect(parseMix('guest:50.5,mit:49.5').problems).toEqual([
      'PAYMENTS_MIX: the weight of guest must be a whole percentage 0-100, got 50.5',
      'PAYMENTS_MIX: the weight of mit must be a whole percentage 0-100, got 49.5',
    ]);
    expect(parseMix('guest:50,guest:50').problems).toEqual(['PAYMENTS_MIX: guest is given twice']);
    expect(parseMix({ guest: -10, mit: 110 }).problems).toHaveLength(2);
  });

  it('tells a file from inline pairs by its .json name', () => {
    expect(isMixFile('mix.json')).toBe(true);
    expect(isMixFile('guest:100')).toBe(false);
  });
});
