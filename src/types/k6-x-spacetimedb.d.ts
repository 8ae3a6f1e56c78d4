// Types of the k6/x/spacetimedb extension compiled into bin/k6 (xk6-build/ext/spacetimedb):
// one persistent v1.json.spacetimedb WebSocket per Client, kept open across iterations.
declare module 'k6/x/spacetimedb' {
  export interface ClientOptions {
    url: string;
    token?: string;
    connectTimeoutMs?: number;
    requestTimeoutMs?: number;
    pingIntervalMs?: number;
    maxRetries?: number;
    retryDelayMs?: number;
    tags?: Record<string, string>;
  }
  export interface ConnectResult { identity: string; connectionId: string; connectMs: number; reused: boolean; attempts: number }
  export type CallStatus = 'committed' | 'failed' | 'out_of_energy' | 'timeout' | 'dropped';
  export interface CallOutcome {
    status: CallStatus;
    requestId: number;
    latencyMs: number;
    error?: string;
    inserts: number;
    deletes: number;
    updates: number;
    tables: string[];
    bytesSent: number;
    bytesReceived: number;
  }
  export interface QueryOutcome { status: 'ok' | 'error' | 'timeout' | 'dropped'; latencyMs: number; rows: number; error?: string; bytesReceived: number }
  export interface Counters {
    messagesSent: number;
    messagesReceived: number;
    subscriptionUpdates: number;
    connections: number;
    connectionErrors: number;
    drops: number;
    reconnectAttempts: number;
    pings: number;
  }
  export class Client {
    constructor(options: ClientOptions);
    connect(): Promise<ConnectResult>;
    callReducer(reducer: string, argsJson: string, flags?: number): Promise<CallOutcome>;
    subscribe(queries: string[]): Promise<QueryOutcome>;
    subscribeSingle(query: string): Promise<QueryOutcome>;
    oneOffQuery(query: string): Promise<QueryOutcome>;
    takeCounters(): Counters;
    isOpen(): boolean;
    close(): void;
  }
}
