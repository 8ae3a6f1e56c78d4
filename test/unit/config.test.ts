import { describe, expect, it } from 'vitest';
import { bool, duration, int, knownSecrets, num, oneOf, parseDurationMs, readConfig, secret, str, url } from '../../src/lib/config';
import { thrown } from '../support/thrown';

describe('readConfig', () => {
  it('uses defaults for unset and empty variables', () => {
    const cfg = readConfig({ N: int(5), B: bool(true), P: oneOf(['a', 'b'] as const, 'a') }, { B: '  ' });
    expect(cfg).toEqual({ N: 5, B: true, P: 'a' });
  });

  it('parses every rule', () => {
    const cfg = readConfig(
      { N: int(0, { min: 1, max: 10 }), F: num(0, { min: 0, max: 1 }), B: bool(true), D: duration('1m'), U: url('http://x') },
      { N: '7', F: '0.25', B: 'off', D: '1m30s', U: 'https://example.test:8443/base/' },
    );
    expect(cfg).toEqual({ N: 7, F: 0.25, B: false, D: '1m30s', U: 'https://example.test:8443/base' });
  });

  it('reports every invalid variable at once, naming the value and what is allowed', () => {
    const message = thrown(() =>
      readConfig(
        { N: int(1, { min: 1, max: 100 }), P: oneOf(['smoke', 'tps100'] as const, 'smoke'), U: url('http://x'), D: duration('1s') },
        { N: '12x', P: 'nope', U: 'localhost:3000', D: '0s' },
      ),
    );
    expect(message).toMatch(/^invalid configuration: N='12x' is not valid, expected an integer from 1 to 100; /);
    expect(message).toContain("P='nope' is not valid, expected one of smoke, tps100");
    expect(message).toContain("U='localhost:3000' is not valid, expected an absolute URL");
    expect(message).toContain("D='0s' is not valid");
    expect(message).not.toContain('\n');
  });

  it('rejects out-of-range and fractional integers', () => {
    expect(thrown(() => readConfig({ N: int(1, { min: 1 }) }, { N: '0' }))).toMatch(/N='0'.*>= 1/);
    expect(thrown(() => readConfig({ N: int(1) }, { N: '1.5' }))).toMatch(/an integer/);
    expect(thrown(() => readConfig({ F: num(0, { max: 1 }) }, { F: '1.01' }))).toMatch(/<= 1/);
  });

  it('registers the password inside a URL for scrubbing', () => {
    readConfig({ U: url('http://x') }, { U: 'https://bob:hunter2%21@example.test/api' });
    expect(knownSecrets()).toEqual(expect.arrayContaining(['hunter2%21', 'hunter2!']));
  });

  it('never echoes a secret, and registers valid ones for scrubbing', () => {
    expect(thrown(() => readConfig({ T: str('', { secret: true, pattern: /^ok/ }) }, { T: 'leaky-value' }))).not.toContain('leaky');
    const cfg = readConfig({ T: secret() }, { T: 's3cr3t-token-value' });
    expect(cfg.T).toBe('s3cr3t-token-value');
    expect(knownSecrets()).toContain('s3cr3t-token-value');
  });
});

describe('parseDurationMs', () => {
  it('reads k6 durations', () => {
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('1m30s')).toBe(90_000);
    expect(parseDurationMs('2h')).toBe(7_200_000);
    expect(parseDurationMs('1.5s')).toBe(1500);
  });
  it('rejects malformed ones', () => {
    for (const bad of ['', '10', 's', '1x', '1m 30s', '-1s']) expect(parseDurationMs(bad)).toBeUndefined();
  });
});
