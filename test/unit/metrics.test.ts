import { beforeEach, describe, expect, it } from 'vitest';
import { added } from '../shims/k6-metrics';
import { recordTransaction } from '../../src/lib/metrics';

const byMetric = () => Object.fromEntries(added.map((a) => [a.metric, a.value]));

describe('recordTransaction', () => {
  beforeEach(() => {
    added.length = 0;
  });

  it('feeds every transaction metric from one measured success', () => {
    recordTransaction({ kind: 'write', latencyMs: 4.2, ok: true, bytesWritten: 100, recordsWritten: 1 });
    expect(byMetric()).toEqual({
      transactions_total: 1,
      transaction_success_rate: true,
      error_rate: false,
      latency_ms: 4.2,
      write_latency_ms: 4.2,
      bytes_written_total: 100,
      records_written_total: 1,
    });
  });

  it('counts a failure once, under its cause', () => {
    recordTransaction({ kind: 'read', latencyMs: 30_000, ok: false, cause: 'timeout' });
    const metrics = added.map((a) => a.metric);
    expect(metrics).toContain('transaction_errors_total');
    expect(metrics).toContain('timeout_errors_total');
    expect(metrics).not.toContain('connection_errors_total');
    expect(byMetric().error_rate).toBe(true);
  });
});
