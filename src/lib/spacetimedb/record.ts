// Records one measured SpacetimeDB operation in the spacetime_* metrics and the shared transaction
// metrics: over HTTP here; over WebSocket the extension records them itself from Go (result.recorded,
// the same names and values: k6/x/spacetimedb's callmetrics.go).
import { recordTransaction, type TransactionKind } from '../metrics';
import { spacetimeMetrics as m } from './metrics';
import type { CallResult, ReadResult } from './transport';

export function recordCall(result: CallResult, kind: TransactionKind, overWebSocket: boolean, recordsWritten = 1): void {
  if (result.recorded) return;
  m.reducerCalls.add(1);
  m.reducerLatency.add(result.latencyMs);
  if (overWebSocket) m.wsLatency.add(result.latencyMs);
  if (!result.ok) m.reducerErrors.add(1);
  if (result.rows) {
    if (result.rows.inserts) m.tableInserts.add(result.rows.inserts);
    if (result.rows.updates) m.tableUpdates.add(result.rows.updates);
    if (result.rows.deletes) m.tableDeletes.add(result.rows.deletes);
  }
  recordTransaction({
    kind,
    latencyMs: result.latencyMs,
    ok: result.ok,
    cause: result.cause,
    bytesWritten: result.bytesSent,
    recordsWritten: result.ok ? recordsWritten : 0,
  });
}

export function recordRead(result: ReadResult, overWebSocket: boolean): void {
  if (result.recorded) return;
  if (overWebSocket) m.wsLatency.add(result.latencyMs);
  recordTransaction({
    kind: 'read',
    latencyMs: result.latencyMs,
    ok: result.ok,
    cause: result.cause,
    bytesRead: result.bytesReceived,
    recordsRead: result.rows,
  });
}
