import { describe, expect, it } from 'vitest';
import { formatBytes, formatMs } from '../../src/shared/format';
import { renderTextSummary, type SummaryData } from '../../src/shared/summary-text';
import { REDACTED, maskSecretKeys, scrubText } from '../../src/lib/redact';

const data: SummaryData = {
  root_group: {
    name: '',
    groups: [{ name: 'g', groups: [], checks: [{ name: 'inner ok', passes: 3, fails: 1 }] }],
    checks: [{ name: 'status is 200', passes: 10, fails: 0 }],
  },
  options: { summaryTrendStats: ['avg', 'p(95)'] },
  state: { testRunDurationMs: 1500 },
  metrics: {
    http_req_duration: { type: 'trend', contains: 'time', values: { avg: 1.5, 'p(95)': 12.25, max: 40 }, thresholds: { 'p(95)<15': { ok: true } } },
    http_reqs: { type: 'counter', contains: 'default', values: { count: 10, rate: 6.666 } },
    checks: { type: 'rate', contains: 'default', values: { rate: 0.5, passes: 1, fails: 1 }, thresholds: { 'rate>0.9': { ok: false } } },
    data_received: { type: 'counter', contains: 'data', values: { count: 2_500_000, rate: 1000 } },
  },
};

describe('renderTextSummary', () => {
  const text = renderTextSummary(data, 'health');
  it('lists checks, thresholds and metrics with the configured trend stats', () => {
    expect(text).toContain('✓ status is 200');
    expect(text).toContain('█ g');
    expect(text).toContain('✗ inner ok  1 of 4 failed');
    expect(text).toContain('✓ http_req_duration: p(95)<15');
    expect(text).toContain('✗ checks: rate>0.9');
    expect(text).toMatch(/http_req_duration\.+: avg=1\.50 ms p\(95\)=12\.25 ms\n/);
    expect(text).toMatch(/http_reqs\.+: 10 \(6\.67\/s\)/);
    expect(text).toMatch(/data_received\.+: 2\.5 MB/);
    expect(text).toContain('test run duration: 1.50 s');
  });
  it('formats units', () => {
    expect(formatMs(0.5)).toBe('500.0 µs');
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(61_000)).toBe('1m1.0s');
    expect(formatBytes(999)).toBe('999 B');
  });
});

describe('redaction', () => {
  it('masks values under secret-looking keys at any depth', () => {
    const masked = maskSecretKeys({ a: 1, token: 'x', nested: [{ api_key: 'k', ok: 'v' }], Authorization: 'Bearer y' });
    expect(masked).toEqual({ a: 1, token: REDACTED, nested: [{ api_key: REDACTED, ok: 'v' }], Authorization: REDACTED });
  });
  it('scrubs known secret values from text, also JSON-escaped', () => {
    expect(scrubText('tok=abc"def and abc\\"def', ['abc"def'])).toBe(`tok=${REDACTED} and ${REDACTED}`);
    expect(scrubText('a b', ['a'])).toBe('a b');
  });
});
