// Stand-in for the durable timer service of seed 001 (iworkflowio/durable-timer, whose HTTP server is
// still a stub), the timers family's sandbox target. It follows /work/shared/reference/timers.md:
// - both contracts over one store (routes.ts): A, the seed's `/groups/{groupId}/timers[/{timerId}]`
//   (create → 201), and B, api.yaml's `POST /api/v1/timers/{create,get,update,delete}` (create → 200);
//   `Authorization: Bearer <token>` on every API route (default token `test-token`). A create of an
//   existing timer is an upsert in both contracts (B's spec; A answers 201 again).
// - firing (scheduler.ts): at executeAt a POST to callbackUrl with {"id","namespace","executeAt",
//   "payload","attempt"}, at least once, under the timer's retryPolicy (defaults maxAttempts 5,
//   maxAttemptsDuration 1h, initialInterval 30s, backoffMultiplier 2, maxInterval 5m); a heap and one
//   Node timer, at most 256 callbacks in flight over keep-alive connections (callback-client.ts).
//   Fire drift = the time an execution's first callback is written to its connection − executeAt; on
//   this 2-core machine 10,000 pending timers due over 2 s fire with p99 drift ≈ 5–30 ms once the
//   process is warm (test/unit/timers-sandbox.test.ts; a cold process lags for its first ~1 s at 5,000/s).
// - GET /metrics (metrics.ts): process_* and nodejs_* metrics plus the timer counters, no auth.
// Test hooks: counts() on the returned target and GET /__sandbox/timers (no auth, never counted as
// traffic), the knobs fireDelayMs (fire late) and duplicate (send every callback twice), and the shared
// /__sandbox/stats, /__sandbox/faults (latency, failure, drop injection on API requests) and /__sandbox/reset.
// Storage is in memory, or PostgreSQL when databaseUrl / DATABASE_URL is set (postgres.ts).
import { interceptRequests, sendJson, sendText, startHttpTarget, type RunningTarget } from '../http-target.ts';
import type { SandboxModule, SandboxOptions } from '../sandbox.ts';
import { TimerMetrics } from './metrics.ts';
import { openPostgres, type PostgresStore } from './postgres.ts';
import { buildRoutes, type TimersContext } from './routes.ts';
import { Scheduler } from './scheduler.ts';
import { TimerStore, type DriftStats, type NamespaceCounts } from './store.ts';
import { DEFAULT_RETRY_POLICY, mergeRetryPolicy, type RetryPolicy } from './wire.ts';

export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './wire.ts';

export interface TimersSandboxOptions extends SandboxOptions {
  /** The bearer token every API route wants (default `test-token`). */
  token?: string;
  /** Fire every timer this many milliseconds after its executeAt (default 0): a slow service. */
  fireDelayMs?: number;
  /** Send every callback attempt twice (default false): at-least-once duplicates. */
  duplicate?: boolean;
  /** At most this many callback requests at once (default 256). */
  maxInFlight?: number;
  /** The minimum timer delay: executeAt must be at least this far in the future (default 1000 ms). */
  minDelayMs?: number;
  /** The retry policy of timers that give none (or part of one); fields left out keep the reference's defaults. */
  retryPolicy?: Partial<RetryPolicy>;
  /** The callback timeout of timers that give none (default 10 s). */
  callbackTimeoutSeconds?: number;
  /** PostgreSQL connection string: timers are written through to it and loaded from it at start (default: DATABASE_URL, else memory). */
  databaseUrl?: string;
}

export interface TimersCounts extends NamespaceCounts {
  /** The same counters by namespace (A's groupId), each with the drift of its timers. */
  byNamespace: Record<string, NamespaceCounts & { drift: DriftStats }>;
  /** Fire drift in milliseconds: send time of each execution's first callback attempt − executeAt. */
  drift: DriftStats;
  /** Callback requests in flight, and due callbacks waiting for a free slot. */
  inFlight: number;
  queued: number;
  /** Requests served, by route name (the shared stats().served). */
  requests: Record<string, number>;
  storage: 'memory' | 'postgres';
}

export interface TimersSandbox extends RunningTarget {
  counts(): TimersCounts;
  /** The Prometheus text of GET /metrics. */
  metricsText(): Promise<string>;
}

export const sandboxFlags: SandboxModule['sandboxFlags'] = {
  token: { type: 'string', description: 'the bearer token of the API routes (default test-token)' },
  'fire-delay-ms': { type: 'string', description: 'fire every timer this many ms after its executeAt (default 0)' },
  duplicate: { type: 'boolean', description: 'send every callback twice (at-least-once duplicates)' },
  'max-in-flight': { type: 'string', description: 'at most this many callback requests at once (default 256)' },
  'min-delay-ms': { type: 'string', description: 'the minimum timer delay in ms (default 1000)' },
  'retry-max-attempts': { type: 'string', description: 'default retryPolicy.maxAttempts (default 5)' },
  'retry-initial-interval': { type: 'string', description: 'default retryPolicy.initialInterval (default 30s)' },
  'retry-max-interval': { type: 'string', description: 'default retryPolicy.maxInterval (default 5m)' },
  'callback-timeout-seconds': { type: 'string', description: 'default callbackTimeoutSeconds (default 10)' },
  'database-url': { type: 'string', description: 'PostgreSQL connection string (default $DATABASE_URL, else in memory)' },
};

function integer(raw: unknown, name: string, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${String(raw)}`);
  return value;
}

const flagString = (flags: SandboxOptions['flags'], name: string) => (typeof flags?.[name] === 'string' ? (flags[name] as string) : undefined);

/** The default retry policy from the options and flags, over the reference's defaults. */
function retryDefaults(options: TimersSandboxOptions): RetryPolicy {
  const flags = options.flags;
  const fromFlags: Record<string, unknown> = {
    maxAttempts: integer(flagString(flags, 'retry-max-attempts'), '--retry-max-attempts', 1),
    initialInterval: flagString(flags, 'retry-initial-interval'),
    maxInterval: flagString(flags, 'retry-max-interval'),
  };
  const invalid = (message: string): never => {
    throw new Error(message);
  };
  return mergeRetryPolicy(options.retryPolicy ?? {}, mergeRetryPolicy(fromFlags, DEFAULT_RETRY_POLICY, invalid), invalid);
}

export async function startTimersSandbox(options: TimersSandboxOptions = {}): Promise<TimersSandbox> {
  const flags = options.flags ?? {};
  const token = options.token ?? flagString(flags, 'token') ?? 'test-token';
  if (token.length === 0) throw new Error('the bearer token must not be empty');
  const fireDelayMs = options.fireDelayMs ?? integer(flagString(flags, 'fire-delay-ms'), '--fire-delay-ms', 0) ?? 0;
  const duplicate = options.duplicate ?? flags.duplicate === true;
  const maxInFlight = options.maxInFlight ?? integer(flagString(flags, 'max-in-flight'), '--max-in-flight', 1) ?? 256;
  const minDelayMs = options.minDelayMs ?? integer(flagString(flags, 'min-delay-ms'), '--min-delay-ms', 0) ?? 1000;
  const callbackTimeoutSeconds =
    options.callbackTimeoutSeconds ?? integer(flagString(flags, 'callback-timeout-seconds'), '--callback-timeout-seconds', 1) ?? 10;
  const retryPolicy = retryDefaults(options);
  const databaseUrl = options.databaseUrl ?? flagString(flags, 'database-url') ?? (process.env.DATABASE_URL || undefined);
  for (const [name, value] of Object.entries({ fireDelayMs, maxInFlight, minDelayMs, callbackTimeoutSeconds })) {
    if (!Number.isInteger(value) || value < (name === 'fireDelayMs' || name === 'minDelayMs' ? 0 : 1))
      throw new Error(`${name} must be a positive integer, got ${value}`);
  }

  const store = new TimerStore();
  const metrics = new TimerMetrics(() => store.totals().pending);
  let pg: PostgresStore | undefined;
  const scheduler = new Scheduler(store, metrics, {
    fireDelayMs,
    duplicate,
    maxInFlight,
    onChange: (record) => pg?.saveLater(record),
  });
  if (databaseUrl) {
    pg = await openPostgres(databaseUrl);
    for (const record of await pg.loadAll()) {
      store.put(record);
      if (record.state === 'pending') scheduler.schedule(record);
    }
  }
  const ctx: TimersContext = { store, scheduler, metrics, token, minDelayMs, retryPolicy, callbackTimeoutSeconds, persistence: pg };

  let target: RunningTarget;
  try {
    target = await startHttpTarget({
      port: options.port,
      host: options.host,
      routes: buildRoutes(ctx),
      extraStats: () => ({ timers: store.totals() }),
      onReset: () => {
        scheduler.clear();
        store.clear();
        metrics.reset();
        pg?.clearLater();
      },
    });
  } catch (error) {
    await scheduler.stop();
    await pg?.close();
    throw error;
  }
  const counts = (): TimersCounts => ({
    ...store.totals(),
    byNamespace: store.byNamespace(),
    drift: store.driftStats(),
    ...(({ inFlight, queued }) => ({ inFlight, queued }))(scheduler.stats()),
    requests: target.stats().served,
    storage: pg ? 'postgres' : 'memory',
  });
  interceptRequests(target.server, (req, res, path) => {
    if (req.method !== 'GET') return false;
    if (path === '/__sandbox/timers') {
      sendJson(res, 200, counts());
      return true;
    }
    if (path === '/metrics') {
      metrics.text().then(
        (text) => sendText(res, 200, text, metrics.contentType),
        (error: Error) => sendText(res, 500, error.message),
      );
      return true;
    }
    return false;
  });
  const close = async () => {
    await scheduler.stop();
    await target.close();
    await pg?.close();
  };
  return { ...target, close, counts, metricsText: () => metrics.text() };
}

/** The sandbox contract's entry point (tools/sandbox/sandbox.ts); reads the serve flags. */
export const startSandbox = startTimersSandbox;

export function describeWork(target: RunningTarget): string {
  const c = (target as TimersSandbox).counts();
  const served = Object.entries(c.requests).map(([route, n]) => `${n} ${route} request${n === 1 ? '' : 's'}`);
  const drift = c.drift.count > 0 ? `, fire drift p50 ${c.drift.p50} ms p99 ${c.drift.p99} ms` : '';
  return (
    `the sandbox served ${served.join(', ') || 'no request'}; timers: ${c.created} created, ${c.fired} fired, ${c.pending} pending, ` +
    `${c.failedDeliveries} undelivered, ${c.callbackAttempts} callback attempt${c.callbackAttempts === 1 ? '' : 's'}${drift}`
  );
}
