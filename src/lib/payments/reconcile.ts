// Reconciliation: after the load, the router's own list of each merchant's payments (GET
// /payments/list, newest first, paged with starting_after) is compared, per status, with what the VUs
// counted. Only this run's payments count (metadata.k6_test_id), so a merchant shared with other
// traffic reconciles too. Runs in teardown() — the only stage after the load that may still fail the
// test — and leaves its figures in process-wide tallies for the summary. Wire facts: the router's
// payments list API (limit 1..100, starting_after = a payment id, `data` newest first).
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import { tallies, tally } from 'k6/x/loadgen';
import { paymentTally } from './flows';
import { endTrace, startTrace } from './trace';

/** Payments k6 and the router disagree on (sum over statuses of |k6 − router|); every reconciled run adds a sample, 0 when they agree. */
export const unreconciled = new Counter('payments_unreconciled');

const PAGE = 100;
/** Payments created this long before setup() started are surely not this run's: the listing stops there (clock skew allowance). */
const SKEW_MS = 5 * 60 * 1000;
const ROUTER = 'router:';
const FAILED = 'reconcile:error';
const DONE = 'reconcile:done';

/** The run's figures: k6's and the router's payments by status, and why the router's list could not be read. */
export interface Reconciliation {
  k6: Record<string, number>;
  router: Record<string, number>;
  error?: string;
}

interface ListedPayment {
  payment_id?: string;
  status?: string;
  created?: string;
  metadata?: { k6_test_id?: unknown } | null;
}

/**
 * Lists one merchant's payments of this run on the router, by status.
 * @throws Error naming the status (or network error) of a page the router refused.
 */
function listRun(baseUrl: string, apiKey: string, testId: string, sinceMs: number, timeoutMs: number): Record<string, number> {
  const counts: Record<string, number> = {};
  let after: string | undefined;
  for (;;) {
    const url = `${baseUrl}/payments/list?limit=${PAGE}${after ? `&starting_after=${encodeURIComponent(after)}` : ''}`;
    const { traceparent } = startTrace();
    const res = http.get(url, {
      headers: { 'api-key': apiKey, accept: 'application/json', traceparent },
      timeout: `${timeoutMs}ms`,
      tags: { name: 'payments_list' },
    });
    endTrace();
    if (res.status !== 200) throw new Error(`GET /payments/list answered ${res.status === 0 ? `nothing (${res.error})` : res.status}`);
    const data = (JSON.parse(res.body as string) as { data?: ListedPayment[] }).data ?? [];
    for (const p of data) {
      if (p.metadata?.k6_test_id === testId && typeof p.status === 'string') counts[p.status] = (counts[p.status] ?? 0) + 1;
    }
    const last = data[data.length - 1];
    if (data.length < PAGE || !last?.payment_id || (last.created !== undefined && Date.parse(last.created) < sinceMs - SKEW_MS)) return counts;
    after = last.payment_id;
  }
}

/**
 * Reconciles (teardown only): lists every merchant's payments of this run, records the router's
 * counts as tallies `router:<status>`, adds the disagreement to payments_unreconciled (a run whose
 * list cannot be read counts every payment k6 made as unreconciled) and returns the figures.
 */
export function reconcile(baseUrl: string, apiKeys: string[], testId: string, startedAt: string, timeoutMs: number): Reconciliation {
  const k6 = counted();
  const router: Record<string, number> = {};
  let error: string | undefined;
  try {
    for (const key of apiKeys) {
      for (const [status, n] of Object.entries(listRun(baseUrl, key, testId, Date.parse(startedAt), timeoutMs))) router[status] = (router[status] ?? 0) + n;
    }
  } catch (e) {
    error = (e as Error).message;
  }
  for (const [status, n] of Object.entries(router)) tally(`${ROUTER}${status}`, n);
  if (error) tally(FAILED);
  tally(DONE);
  unreconciled.add(error ? Math.max(1, total(k6)) : disagreement(k6, router));
  return { k6, router, error };
}

/** The figures reconcile() left for the summary; undefined when it did not run (teardown skipped, RECONCILE=false). */
export function reconciliation(): Reconciliation | undefined {
  const marks = tallies('reconcile:');
  if (!marks[DONE]) return undefined;
  const router = strip(tallies(ROUTER), ROUTER);
  return { k6: counted(), router, error: marks[FAILED] ? 'the router list could not be read (see the teardown output)' : undefined };
}

/** The problems to report: a list that could not be read, or each status whose counts differ. */
export function reconciliationProblems(r: Reconciliation): string[] {
  if (r.error) return [`reconciliation impossible: ${r.error}; k6 counted ${describe(r.k6)}`];
  return [...new Set([...Object.keys(r.k6), ...Object.keys(r.router)])]
    .sort()
    .filter((status) => (r.k6[status] ?? 0) !== (r.router[status] ?? 0))
    .map((status) => `reconciliation: ${status}: k6 counted ${r.k6[status] ?? 0}, the router lists ${r.router[status] ?? 0}`);
}

/** "succeeded 120, failed 2". */
export function describe(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? 'no payments' : entries.map(([s, n]) => `${s} ${n}`).join(', ');
}

function counted(): Record<string, number> {
  return strip(tallies(paymentTally('')), paymentTally(''));
}

const strip = (counts: Record<string, number>, prefix: string) => Object.fromEntries(Object.entries(counts).map(([k, n]) => [k.slice(prefix.length), n]));
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

function disagreement(k6: Record<string, number>, router: Record<string, number>): number {
  let n = 0;
  for (const status of new Set([...Object.keys(k6), ...Object.keys(router)])) n += Math.abs((k6[status] ?? 0) - (router[status] ?? 0));
  return n;
}
