// The timers family's settings: the scenarios, the mix, the execution delay and the callback settings
// are checked in init with one message per mistake (pure logic: no k6).
import { describe, expect, it } from 'vitest';
import { collectConfig } from '../../src/lib/config';
import { TIMERS_RULES, TIMERS_SETTINGS, receivesCallbacks, timerMix } from '../../src/lib/timers/config';

const read = (env: Record<string, string>) => {
  const { values, problems } = collectConfig(TIMERS_RULES, { API_TOKEN: 't', ...env });
  return { values, problems: [...problems, ...TIMERS_SETTINGS.check(values, undefined)] };
};

describe('timers settings', () => {
  it('defaults: seed contract, create, the seed profiles, the receiver on any free loopback port', () => {
    const { values, problems } = read({});
    expect(problems).toEqual([]);
    expect(values).toMatchObject({ SCENARIO: 'create', TIMER_API: 'seed', EXECUTION_DELAY: '3s', CALLBACK_LISTEN: '127.0.0.1:0', CALLBACK_GRACE: '10s' });
    expect(TIMERS_SETTINGS.defaultProfile(values)).toBe('arrival10to100');
    expect(TIMERS_SETTINGS.defaultProfile(read({ SCENARIO: 'crud' }).values)).toBe('crud200');
    expect(TIMERS_SETTINGS.script(values)).toBe('timers');
    expect(TIMERS_SETTINGS.script(read({ SCENARIO: 'execution' }).values)).toBe('timer-execution');
    expect(TIMERS_SETTINGS.script(read({ SCENARIO: 'crud' }).values)).toBe('timer-crud');
    expect(TIMERS_SETTINGS.script(read({ SCENARIO: 'mix' }).values)).toBe('timer-mix');
  });

  it('names every mistake with its fix', () => {
    expect(read({ API_TOKEN: '' }).problems).toEqual([expect.stringContaining('API_TOKEN is not set')]);
    expect(read({ TIMER_DELAY: '500ms' }).problems).toEqual(["TIMER_DELAY=500ms is under the service's minimum timer delay of 1s: give 1s or more"]);
    expect(read({ CALLBACK_GRACE: '2h' }).problems).toEqual(["CALLBACK_GRACE=2h is over the receiver's limit of 1h: give 1h or less"]);
    expect(read({ CALLBACK_LISTEN: '127.0.0.1:99999' }).problems).toEqual(['CALLBACK_LISTEN=127.0.0.1:99999 has no valid port (0-65535; 0 = any free port)']);
    expect(read({ EXECUTION_DELAY: '500ms' }).problems).toEqual(["EXECUTION_DELAY=500ms is under the service's minimum timer delay of 1s: give 1s or more"]);
    expect(read({ TIMER_MIX: 'create:100' }).problems).toEqual(['TIMER_MIX is given but SCENARIO=create: set SCENARIO=mix to run the mix, or unset TIMER_MIX']);
    expect(read({ SCENARIO: 'mix', TIMER_MIX: 'create:50,fire:50' }).problems).toEqual(['TIMER_MIX: unknown flow "fire" (flows: create, crud, execution)']);
    expect(read({ SCENARIO: 'mix', TIMER_MIX: 'create:50,crud:40' }).problems).toEqual([
      'TIMER_MIX: the weights sum to 90, not 100: adjust them so they add up to 100',
    ]);
    expect(read({ CALLBACK_LISTEN: 'localhost' }).problems).toEqual([
      "CALLBACK_LISTEN='localhost' is not valid, expected host:port, e.g. 127.0.0.1:0 or 0.0.0.0:9000",
    ]);
    expect(read({ CALLBACK_URL: 'k6-host:9000/callbacks' }).problems[0]).toMatch(
      /^CALLBACK_URL='k6-host:9000\/callbacks' is not valid, expected an absolute URL/,
    );
    expect(read({ TIMER_BACKEND: 'postgres 16' }).problems[0]).toMatch(/^TIMER_BACKEND='postgres 16' is not valid/);
  });

  it('listens for callbacks only when timers fire during the run', () => {
    expect(receivesCallbacks(read({ SCENARIO: 'execution' }).values, undefined)).toBe(true);
    expect(receivesCallbacks(read({ SCENARIO: 'crud' }).values, undefined)).toBe(false);
    expect(receivesCallbacks(read({ SCENARIO: 'mix' }).values, undefined)).toBe(true); // the default mix has execution:20
    expect(receivesCallbacks(read({ SCENARIO: 'mix', TIMER_MIX: 'create:50,crud:50,execution:0' }).values, undefined)).toBe(false);
    expect(timerMix(read({ SCENARIO: 'mix' }).values, undefined).weights).toEqual({ create: 50, crud: 30, execution: 20 });
  });
});
