// Types of the k6 extension module 'k6/x/spacetimedb' (xk6-build/ext/spacetimedb, compiled into ./bin/k6).
// Run scripts that import it with K6_AUTO_EXTENSION_RESOLUTION=false.
declare module 'k6/x/spacetimedb' {
  export interface ClientOptions {
    /** ws:// or wss:// .../v1/database/<db>/subscribe */
    url: string;
    /** Sent as `Authorization: Bearer <token>` on the upgrade request when non-empty. */
    token?: string;
    /** Default 10000. Also bounds the wait for the IdentityToken. */
    connectTimeoutMs?: number;
    /**
     * Default 30000: a call/subscription with no answer this long after its frame was written resolves with
     * status 'timeout'. Connecting is not included: one that cannot connect resolves 'dropped' with the error.
     */
    requestTimeoutMs?: number;
    /** Default 30000: the client sends a WebSocket ping this often while connected (0 = off). */
    pingIntervalMs?: number;
    /** Default 3: reconnect attempts after a drop or failed connect, before connect() rejects. */
    maxRetries?: number;
    /** Default 1000. */
    retryDelayMs?: number;
    tags?: Record<string, string>;
  }

  export interface ConnectResult {
    identity: string;
    connectionId: string;
    /** Time the connect took, retries included (0 when reused). */
    connectMs: number;
    /** True when the socket was already open. */
    reused: boolean;
    /** Dial attempts this connect made (0 when reused). */
    attempts: number;
  }

  export type CallStatus = 'committed' | 'failed' | 'out_of_energy' | 'timeout' | 'dropped';

  /**
   * Asks the extension to record the operation's metrics itself, from Go, in one sample container (as
   * k6's HTTP module does): spacetime_reducer_calls_total, spacetime_reducer_errors_total,
   * spacetime_reducer_latency_ms, spacetime_ws_latency_ms, spacetime_table_{inserts,updates,deletes}_total
   * (the caller's TransactionUpdate; an update is a delete and an insert of one key), and the transaction
   * metrics (transactions_total, transaction_success_rate, error_rate, latency_ms, <kind>_latency_ms,
   * transaction_errors_total with timeout/connection/validation_errors_total, bytes_written_total or
   * bytes_read_total, records_written_total or records_read_total), tagged with the VU's current tags.
   */
  /** What one pipelined slice did. */
  export interface PipelineResult {
    /** Calls answered (or ended) in the slice. */
    calls: number;
    committed: number;
    /** failed, out_of_energy, timeout or dropped. */
    failed: number;
    /** The first error text of each status that was not committed. */
    errors: Record<string, string>;
    /** From the first call's send to the last answer. */
    elapsedMs: number;
  }

  export interface OperationRecord {
    /** Which latency Trend it feeds; default write (oneOffQuery: always read). */
    kind?: 'write' | 'read' | 'delete' | 'batch';
    /** Records written by a committed call (default 1). */
    records?: number;
  }

  export interface CallOutcome {
    status: CallStatus;
    requestId: number;
    /** Measured in Go (monotonic clock) from just before the frame is written to when the matching update is read. */
    latencyMs: number;
    /** Failed message, timeout or drop description. Absent on success. */
    error?: string;
    /** Row counts from the Committed status tables (0 otherwise). */
    inserts: number;
    deletes: number;
    /** min(inserts, deletes) per table, summed: an increment of an existing counter is 1 update. */
    updates: number;
    /** Names of the tables touched. */
    tables: string[];
    bytesSent: number;
    bytesReceived: number;
  }

  export interface QueryOutcome {
    status: 'ok' | 'error' | 'timeout' | 'dropped';
    latencyMs: number;
    rows: number;
    error?: string;
    bytesReceived: number;
  }

  /**
   * One persistent socket. Its connection-level counts are pushed by the module itself (from Go, tagged
   * with the VU's current tags) to these k6 Counters, registered when the module is imported:
   * spacetime_ws_messages_sent_total, spacetime_ws_messages_received_total,
   * spacetime_subscription_updates_total (other callers' TransactionUpdates and every TransactionUpdateLight),
   * spacetime_ws_connections_total, spacetime_ws_connection_errors_total (failed dial attempts),
   * spacetime_connection_drops_total (sockets closed by the server or lost), spacetime_reconnect_attempts_total,
   * spacetime_unmatched_failures_total (Failed updates for this connection with request_id 0: unknown
   * reducer, bad arguments; no call can be matched), spacetime_subscription_errors_total (re-subscriptions
   * after a reconnect that were refused or unanswered), and spacetime_disconnected_ms (a time Counter, in ms:
   * from a drop, not a close(), until the next successful reconnect, close() or the end of the test).
   * Scripts must not define them with another type.
   */
  export class Client {
    constructor(options: ClientOptions);
    /** Opens (or reuses the open) socket and waits for the IdentityToken; rejects with an Error after maxRetries. */
    connect(): Promise<ConnectResult>;
    /**
     * Connects first if needed. u32 request ids, wrapping, never 0. Never rejects: the status says what happened.
     * flags: 0 (default) or 1 (no success notification: a successful call then ends 'timeout').
     * argsJson is the JSON text of the arguments array, e.g. '["c1",1]' (sent as the CallReducer `args` string).
     */
    callReducer(reducer: string, argsJson: string, flags?: number, record?: OperationRecord): Promise<CallOutcome>;
    /**
     * Legacy Subscribe -> InitialSubscription (rows = total inserts), or a Failed TransactionUpdate -> 'error'.
     * Once 'ok', its queries are re-sent on every new socket after a drop (before any waiting call), replacing
     * the previous subscribe()'s, until close().
     */
    subscribe(queries: string[]): Promise<QueryOutcome>;
    /** SubscribeSingle with a fresh query_id -> SubscribeApplied / SubscriptionError. Once 'ok', re-sent after every reconnect, until close(). */
    subscribeSingle(query: string): Promise<QueryOutcome>;
    /** OneOffQuery with a fresh message_id (hex) -> OneOffQueryResponse. `record`: as callReducer's, counted as a read (records read: the answer's rows). */
    oneOffQuery(query: string, record?: OperationRecord): Promise<QueryOutcome>;
    /**
     * Keeps `depth` calls of reducer(argsJson) in flight on this socket for `sliceMs`, each answer refilled at
     * once, then waits for the calls still in flight (each bounded by requestTimeoutMs; ended 'dropped' if the
     * iteration is interrupted). With `record`, every call's metrics are recorded by the extension (the same
     * metrics as callReducer's), pushed in batches of 64 calls: each call's Trend and Rate samples with the
     * time it ended, the Counters summed per batch (a batch an interruption catches is dropped whole). Never rejects.
     */
    pipeline(reducer: string, argsJson: string, depth: number, sliceMs: number, record?: OperationRecord): Promise<PipelineResult>;
    isOpen(): boolean;
    /**
     * Stops the pings, sends a close frame (1000); pending calls resolve 'dropped'. The next operation reconnects,
     * without re-sending the subscriptions. A socket still open at the end of the test is closed the same way by the extension.
     */
    close(): void;
  }

  /** A failure class of failureCauses(). */
  export type FailureClass = 'handshake' | 'drop' | 'reconnect' | 'call' | 'timeout';

  export interface FailureCauseCount {
    /** Scrubbed (token, `Bearer ...`, `Authorization: ...`, `token=...` → `[redacted]`), ids and numbers normalised, at most 200 characters. */
    cause: string;
    count: number;
  }

  export interface FailureClassCauses {
    /** The first 5 distinct causes of the class seen by this k6 process, in order of first occurrence. */
    causes: FailureCauseCount[];
    /** Occurrences of any further distinct cause. */
    other: number;
  }

  /**
   * Why things failed, for the whole k6 process (every VU and client), so far: callable from any context,
   * handleSummary included. The first occurrence of each kept cause is also logged once, at warn level.
   * - handshake: a dial the server refused or broke, on any attempt (`HTTP 401: InvalidToken: ...` with the
   *   reason from the body; the subprotocol or the IdentityToken missing), or a first dial that failed;
   * - drop: a socket closed by the server or lost (`the server closed the connection (1011: ...)`, ...);
   * - reconnect: a later dial attempt (retry or reconnect) that failed below HTTP (e.g. connection refused);
   * - call: a reducer call answered Failed or OutOfEnergy (`<reducer>: <error>`, e.g. `no such module`), or a
   *   Failed update with request id 0 that matches no call;
   * - timeout: an operation with no answer within requestTimeoutMs (`callReducer(<reducer>): ...`; not a
   *   flags-1 call, whose timeout is its success).
   */
  export function failureCauses(): Record<FailureClass, FailureClassCauses>;
}
