// The HTTP client of the callbacks: POST with a JSON body, over undici's keep-alive connection pools
// (one Pool per callback origin, at most `maxConnections` connections each; the excess waits in undici's
// queue), one request per connection at a time (no pipelining: a slow receiver holds up only its own
// callback). `onWrite` is called when undici has written the request (its `onRequestSent` hook), so
// time spent waiting for a free connection counts in the fire drift. The answer's body is read up to
// its first 64 KiB; the timeout covers the whole exchange.
import { Pool } from 'undici';

export interface CallbackAnswer {
  status: number;
  /** The answer's body as text (its first 64 KiB). */
  body: string;
}

export type CallbackDone = (error: Error | null, answer?: CallbackAnswer) => void;

export interface CallbackClientOptions {
  /** Connections per origin (default 64). */
  maxConnections?: number;
  /** An idle connection is closed after this many ms (default 4000: under Node's 5 s server keep-alive). */
  idleMs?: number;
}

const MAX_BODY = 64 * 1024;
const HEADERS = { 'content-type': 'application/json' };

export class CallbackClient {
  private readonly pools = new Map<string, Pool>();
  private readonly maxConnections: number;
  readonly idleMs: number;
  private closed = false;

  constructor(options: CallbackClientOptions = {}) {
    this.maxConnections = options.maxConnections ?? 64;
    this.idleMs = options.idleMs ?? 4000;
  }

  /**
   * POSTs `body` (JSON text) to `url`; `onWrite` is called when the request is written to a connection
   * (after any wait for a free one), `done` exactly once with the answer or the error.
   */
  post(url: string, body: string, timeoutMs: number, done: CallbackDone, onWrite?: () => void): void {
    let target: URL;
    try {
      target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`unsupported callback URL ${url}`);
    } catch (error) {
      queueMicrotask(() => done(error as Error));
      return;
    }
    if (this.closed) {
      queueMicrotask(() => done(new Error('the callback client was closed')));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let status = 0;
    let settled = false;
    let written = false;
    const finish = (error: Error | null, answer?: CallbackAnswer) => {
      if (settled) return;
      settled = true;
      done(error, answer);
    };
    this.pool(target.origin).dispatch(
      {
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        headers: HEADERS,
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      },
      {
        onConnect: () => undefined,
        // the body (the whole request: headers go first) is on the connection
        onBodySent: () => {
          if (!written) {
            written = true;
            onWrite?.();
          }
        },
        onError: (error) => finish(error),
        onHeaders: (statusCode) => {
          status = statusCode;
          return true;
        },
        onData: (chunk) => {
          if (size < MAX_BODY) chunks.push(chunk.subarray(0, MAX_BODY - size));
          size += chunk.length;
          return true;
        },
        onComplete: () => finish(null, { status, body: Buffer.concat(chunks).toString('utf8') }),
      },
    );
  }

  /** Closes every connection; requests in flight or waiting fail. */
  close(): void {
    this.closed = true;
    for (const pool of this.pools.values()) void pool.destroy(new Error('the callback client was closed')).catch(() => undefined);
    this.pools.clear();
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: this.maxConnections, pipelining: 1, keepAliveTimeout: this.idleMs, keepAliveMaxTimeout: this.idleMs });
      this.pools.set(origin, pool);
    }
    return pool;
  }
}
