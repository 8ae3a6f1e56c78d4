// Stand-in for the Hyperswitch payments router (seed 003), the payments family's sandbox target, as
// stripe-mock is for Stripe. It follows /work/shared/reference/payments-hyperswitch.md: GET /health →
// 200 "health is good"; the admin API of setup() (admin.ts); customers and payments with the router's
// statuses and error bodies (payments.ts, wire.ts). State is in memory (store.ts).
// Test hooks: counts() on the returned target and GET /__sandbox/payments (payments by merchant and
// status, requests by route, concurrency), besides the shared /__sandbox/stats and /__sandbox/faults.
import { sendJson, startHttpTarget, type RunningTarget } from '../http-target.ts';
import type { SandboxModule, SandboxOptions } from '../sandbox.ts';
import { KeyRing } from './auth.ts';
import { installFrontDoor, type ConcurrencyStats, type FrontDoor } from './front-door.ts';
import { buildRoutes } from './routes.ts';
import { Store, type PaymentStatus } from './store.ts';
import { TraceLog, type TraceStats } from './traces.ts';

export interface PaymentsSandboxOptions extends SandboxOptions {
  /** The `api-key` of the admin routes (default `test_admin`, the reference loadtest's). */
  adminKey?: string;
  /** Answer POST /accounts with the merchant's `api_key`, as older routers did (default false). */
  legacyApiKeys?: boolean;
  /** At most this many requests in the target at once; the excess waits (default: no limit). */
  maxConcurrent?: number;
}

export interface PaymentsCounts {
  /** Payments by merchant id, then by status (deleted merchants' payments stay counted). */
  payments: Record<string, Record<string, number>>;
  /** Requests served, by route name (the shared stats().served). */
  requests: Record<string, number>;
  merchants: number;
  apiKeys: number;
  concurrency: ConcurrencyStats;
  /** The traceparent headers of the API requests (traces.ts). */
  traces: TraceStats;
}

export interface PaymentsSandbox extends RunningTarget {
  counts(): PaymentsCounts;
  /**
   * Test hook: a router that answered one status and recorded another (a lost update). Sets the
   * stored status of the `n` newest payments (over every merchant) to `status`; returns how many changed.
   */
  rewriteNewest(n: number, status: PaymentStatus): number;
}

export const sandboxFlags: SandboxModule['sandboxFlags'] = {
  'admin-key': { type: 'string', description: 'the api-key of the admin routes (default test_admin)' },
  'legacy-api-keys': { type: 'boolean', description: 'answer POST /accounts with the api_key, as older routers did' },
  'max-concurrent': { type: 'string', description: 'at most this many requests at once; the excess waits (default: no limit)' },
};

function positiveInteger(raw: unknown, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${String(raw)}`);
  return value;
}

export async function startPaymentsSandbox(options: PaymentsSandboxOptions = {}): Promise<PaymentsSandbox> {
  const flags = options.flags ?? {};
  const adminKey = options.adminKey ?? (typeof flags['admin-key'] === 'string' ? flags['admin-key'] : 'test_admin');
  if (adminKey.length === 0) throw new Error('the admin key must not be empty');
  const legacyApiKeys = options.legacyApiKeys ?? flags['legacy-api-keys'] === true;
  const maxConcurrent = positiveInteger(options.maxConcurrent ?? flags['max-concurrent'], '--max-concurrent');

  const store = new Store();
  const keys = new KeyRing(adminKey);
  const traces = new TraceLog();
  let door: FrontDoor | undefined;
  const target = await startHttpTarget({
    port: options.port,
    host: options.host,
    routes: buildRoutes({ store, keys, legacyApiKeys, traces }),
    extraStats: () => ({ payments: store.paymentCounts(), concurrency: door?.stats() }),
    onReset: () => {
      store.clear();
      keys.clear();
      traces.clear();
      door?.reset();
    },
  });
  const counts = (): PaymentsCounts => ({
    payments: store.paymentCounts(),
    requests: target.stats().served,
    merchants: store.merchants.size,
    apiKeys: keys.size,
    concurrency: door!.stats(),
    traces: traces.snapshot(),
  });
  door = installFrontDoor(target.server, {
    maxConcurrent,
    control: (req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/__sandbox/payments') return false;
      sendJson(res, 200, counts());
      return true;
    },
  });
  const rewriteNewest = (n: number, status: PaymentStatus) => {
    const newest = [...store.merchants.values()]
      .flatMap((m) => m.paymentList)
      .filter((p) => p.status !== status)
      .sort((a, b) => b.created.localeCompare(a.created))
      .slice(0, n);
    for (const p of newest) store.setStatus(p, status);
    return newest.length;
  };
  return { ...target, counts, rewriteNewest };
}

/** The sandbox contract's entry point (tools/sandbox/sandbox.ts); reads the serve flags. */
export const startSandbox = startPaymentsSandbox;

export function describeWork(target: RunningTarget): string {
  const { payments, requests } = (target as PaymentsSandbox).counts();
  const byStatus: Record<string, number> = {};
  for (const statuses of Object.values(payments)) for (const [status, n] of Object.entries(statuses)) byStatus[status] = (byStatus[status] ?? 0) + n;
  const served = Object.entries(requests).map(([route, n]) => `${n} ${route} request${n === 1 ? '' : 's'}`);
  const paid = Object.entries(byStatus).map(([status, n]) => `${n} ${status}`);
  return `the sandbox served ${served.join(', ') || 'no request'}${paid.length ? `; payments: ${paid.join(', ')}` : ''}`;
}
