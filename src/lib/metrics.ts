// The transaction metrics of seed 000's utils.js table, shared by every scenario. They are only ever
// fed from measured timings (k6's own request timings or a clock read around the real operation) and
// real outcomes; nothing here invents a value.
import { Counter, Rate, Trend } from 'k6/metrics';

export const metrics = {
  transactions: new Counter('transactions_total'),
  transactionErrors: new Counter('transaction_errors_total'),
  transactionSuccess: new Rate('transaction_success_rate'),
  latency: new Trend('latency_ms', true),
  readLatency: new Trend('read_latency_ms', true),
  writeLatency: new Trend('write_latency_ms', true),
  deleteLatency: new Trend('delete_latency_ms', true),
  batchLatency: new Trend('batch_latency_ms', true),
  bytesRead: new Counter('bytes_read_total'),
  bytesWritten: new Counter('bytes_written_total'),
  recordsRead: new Counter('records_read_total'),
  recordsWritten: new Counter('records_written_total'),
  errorRate: new Rate('error_rate'),
  timeoutErrors: new Counter('timeout_errors_total'),
  connectionErrors: new Counter('connection_errors_total'),
  validationErrors: new Counter('validation_errors_total'),
};

export type TransactionKind = 'read' | 'write' | 'delete' | 'batch';
/** Why a transaction failed, when it did: feeds the matching error counter. */
export type FailureCause = 'timeout' | 'connection' | 'validation' | 'server';

export interface Transaction {
  kind: TransactionKind;
  /** Measured duration of the operation in milliseconds; absent when nothing could be timed. */
  latencyMs?: number;
  ok: boolean;
  cause?: FailureCause;
  bytesRead?: number;
  bytesWritten?: number;
  recordsRead?: number;
  recordsWritten?: number;
  tags?: Record<string, string>;
}

const latencyByKind = {
  read: metrics.readLatency,
  write: metrics.writeLatency,
  delete: metrics.deleteLatency,
  batch: metrics.batchLatency,
};

/** Records one measured transaction in every metric it belongs to. */
export function recordTransaction(t: Transaction): void {
  const tags = t.tags;
  metrics.transactions.add(1, tags);
  metrics.transactionSuccess.add(t.ok, tags);
  metrics.errorRate.add(!t.ok, tags);
  if (t.latencyMs !== undefined) {
    metrics.latency.add(t.latencyMs, tags);
    latencyByKind[t.kind].add(t.latencyMs, tags);
  }
  if (!t.ok) {
    metrics.transactionErrors.add(1, tags);
    if (t.cause === 'timeout') metrics.timeoutErrors.add(1, tags);
    else if (t.cause === 'connection') metrics.connectionErrors.add(1, tags);
    else if (t.cause === 'validation') metrics.validationErrors.add(1, tags);
  }
  if (t.bytesRead) metrics.bytesRead.add(t.bytesRead, tags);
  if (t.bytesWritten) metrics.bytesWritten.add(t.bytesWritten, tags);
  if (t.recordsRead) metrics.recordsRead.add(t.recordsRead, tags);
  if (t.recordsWritten) metrics.recordsWritten.add(t.recordsWritten, tags);
}
