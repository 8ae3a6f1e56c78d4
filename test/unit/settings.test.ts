// The settings stage of a script: the shared rule sets (load, gate, results) and the family's own,
// read in one call that names every bad variable in one message.
import { describe, expect, it } from 'vitest';
import { bool, url } from '../../src/lib/config';
import { readSettings } from '../../src/lib/settings';
import { SPACETIME_SETTINGS } from '../../src/lib/spacetimedb/config';
import { payments } from '../../src/shared/families/payments';
import { thrown } from '../support/thrown';

const healthSpec = {
  family: payments,
  script: 'health',
  defaultProfile: 'smoke' as const,
  rules: { TARGET_URL: url('http://127.0.0.1:8080'), FLAG: bool(false) },
};

describe('readSettings', () => {
  it('reports three bad variables of three rule sets in one message', () => {
    const message = thrown(() => readSettings(healthSpec, { TARGET_URL: 'nope', GATE_P95_RATIO: 'abc', LOAD_PROFILE: 'zzz' }));
    expect(message).toMatch(/^invalid configuration: /);
    expect(message).toContain("TARGET_URL='nope' is not valid, expected an absolute URL");
    expect(message).toContain("GATE_P95_RATIO='abc' is not valid, expected a number >= 1");
    expect(message).toContain("LOAD_PROFILE='zzz' is not valid, expected one of smoke, tps100");
    expect(message).not.toContain('\n');
  });

  it('refuses settings that select another script than the one k6-suite was asked for (its result file would be missed)', () => {
    expect(thrown(() => readSettings(healthSpec, { K6_SUITE_SCRIPT: 'payment-confirm' }))).toBe(
      'invalid configuration: these settings run the script health, but k6-suite was asked for -s payment-confirm: use -s health',
    );
    expect(readSettings(healthSpec, { K6_SUITE_SCRIPT: 'health' }).script.name).toBe('health');
  });

  it('gives the defaults and the script manifest', () => {
    const s = readSettings(healthSpec, {});
    expect(s.script.gate).toEqual(payments.scripts[0].gate);
    expect(s.own).toEqual({ TARGET_URL: 'http://127.0.0.1:8080', FLAG: false });
    expect(s.load).toEqual({ profile: 'smoke', model: 'arrival-rate', steadyState: undefined, given: false });
    expect(s.gate.GATE).toBe(true);
    expect(s.results).toEqual({
      RESULTS_DIR: '',
      RUN_NAME: '',
      TEST_ID: '',
      TAGS: '',
      TARGET_METRICS_URL: '',
      INSTANCE_ID: '',
      DATA_DIR: '',
      dir: 'results',
      cwd: undefined,
    });
  });

  it("adds the family's cross-variable problems to the same message", () => {
    const message = thrown(() => readSettings(SPACETIME_SETTINGS, { SCENARIO: 'websocketStress', USE_WEBSOCKET: 'false', RUN_NAME: 'a/b' }));
    expect(message).toContain('SCENARIO=websocketStress measures WebSocket connections, so it needs USE_WEBSOCKET=true');
    expect(message).toContain("RUN_NAME='a/b' is not valid");
  });

  it('refuses a script the family manifest does not declare', () => {
    expect(() => readSettings({ ...healthSpec, script: 'nope' }, {})).toThrow(/declares no script nope/);
  });
});
