// One interface over both ways of reaching SpacetimeDB, so every scenario runs over WebSocket or HTTP
// unchanged (USE_WEBSOCKET). Results carry what was measured and what the server said; the
// WebSocket side also carries the row counts of the caller's TransactionUpdate.
import type { Client, CallOutcome, OperationRecord, QueryOutcome } from 'k6/x/spacetimedb';
import type { FailureCause } from '../metrics';
import type { SpacetimeHttpClient, HttpCallOutcome } from './http-client';

export interface CallResult {
  ok: boolean;
  /** committed, failed, out_of_energy, timeout, dropped, or an HTTP classification. */
  status: string;
  latencyMs: number;
  error?: string;
  cause?: FailureCause;
  /** Rows from the caller's TransactionUpdate (WebSocket only; HTTP answers carry none). */
  rows?: { inserts: number; updates: number; deletes: number };
  bytesSent: number;
  bytesReceived: number;
  /** Its metrics were recorded by the extension (WebSocket): recordCall leaves it. */
  recorded?: boolean;
}

export interface ReadResult {
  ok: boolean;
  latencyMs: number;
  rows: number;
  error?: string;
  cause?: FailureCause;
  bytesReceived: number;
  /** Its metrics were recorded by the extension (WebSocket): recordRead leaves it. */
  recorded?: boolean;
}

export interface Transport {
  readonly kind: 'websocket' | 'http';
  call(reducer: string, argsJson: string): Promise<CallResult>;
  callBatch(calls: Array<{ reducer: string; argsJson: string }>): Promise<CallResult[]>;
  read(query: string): Promise<ReadResult>;
  /** Subscribes this connection to a query (WebSocket: so the caller's updates carry its rows). */
  subscribe(queries: string[]): Promise<ReadResult>;
}

const CAUSE_BY_STATUS: Record<string, FailureCause> = {
  timeout: 'timeout',
  dropped: 'connection',
  unavailable: 'connection',
  bad_request: 'validation',
  not_found: 'validation',
  rejected: 'validation',
};

/** A call's result from either transport's outcome; `rows` (the caller's update, WebSocket only) is kept for committed calls. */
function toCallResult(
  o: Pick<HttpCallOutcome, 'latencyMs' | 'error' | 'bytesSent' | 'bytesReceived'> & { status: string },
  rows?: CallResult['rows'],
): CallResult {
  const ok = o.status === 'committed';
  const cause = ok ? undefined : (CAUSE_BY_STATUS[o.status] ?? 'server');
  return {
    ok,
    status: o.status,
    latencyMs: o.latencyMs,
    error: o.error,
    cause,
    rows: ok ? rows : undefined,
    bytesSent: o.bytesSent,
    bytesReceived: o.bytesReceived,
  };
}

const fromHttp = (o: HttpCallOutcome): CallResult => toCallResult(o);

export class HttpTransport implements Transport {
  readonly kind = 'http' as const;
  constructor(private readonly client: SpacetimeHttpClient) {}

  async call(reducer: string, argsJson: string): Promise<CallResult> {
    return fromHttp(this.client.callReducer(reducer, argsJson));
  }

  async callBatch(calls: Array<{ reducer: string; argsJson: string }>): Promise<CallResult[]> {
    return this.client.callBatch(calls).map(fromHttp);
  }

  async read(query: string): Promise<ReadResult> {
    const o = this.client.sql(query);
    return {
      ok: o.ok,
      latencyMs: o.latencyMs,
      rows: o.rows,
      error: o.error,
      cause: o.ok ? undefined : o.httpStatus === 0 ? 'connection' : 'validation',
      bytesReceived: o.bytesReceived,
    };
  }

  async subscribe(): Promise<ReadResult> {
    return { ok: true, latencyMs: 0, rows: 0, bytesReceived: 0 }; // HTTP has no subscriptions
  }
}

function fromWs(o: CallOutcome): CallResult {
  return toCallResult(o, { inserts: o.inserts - o.updates, updates: o.updates, deletes: o.deletes - o.updates });
}

function fromQuery(o: QueryOutcome): ReadResult {
  const ok = o.status === 'ok';
  return {
    ok,
    latencyMs: o.latencyMs,
    rows: o.rows,
    error: o.error,
    cause: ok ? undefined : (CAUSE_BY_STATUS[o.status] ?? 'validation'),
    bytesReceived: o.bytesReceived,
  };
}

/** A write of one record, recorded by the extension. */
const WRITE: OperationRecord = { kind: 'write', records: 1 };
/** A read, recorded by the extension. */
const READ: OperationRecord = { kind: 'read' };

/**
 * Connection-level counts (messages, connections, drops, reconnects, updates) and each call's and
 * read's metrics (the extension's `record` argument: one sample container from Go per operation) are
 * emitted by the extension itself; the results come back marked `recorded`.
 */
export class WebSocketTransport implements Transport {
  readonly kind = 'websocket' as const;
  constructor(readonly client: Client) {}

  async call(reducer: string, argsJson: string): Promise<CallResult> {
    return { ...fromWs(await this.client.callReducer(reducer, argsJson, 0, WRITE)), recorded: true };
  }

  async callBatch(calls: Array<{ reducer: string; argsJson: string }>): Promise<CallResult[]> {
    const outcomes = await Promise.all(calls.map((c) => this.client.callReducer(c.reducer, c.argsJson, 0, WRITE)));
    return outcomes.map((o) => ({ ...fromWs(o), recorded: true }));
  }

  async read(query: string): Promise<ReadResult> {
    return { ...fromQuery(await this.client.oneOffQuery(query, READ)), recorded: true };
  }

  async subscribe(queries: string[]): Promise<ReadResult> {
    return fromQuery(await this.client.subscribe(queries));
  }

  async subscribeSingle(query: string): Promise<ReadResult> {
    return fromQuery(await this.client.subscribeSingle(query));
  }
}
