// Reconciliation: after the load, the router's own list of each merchant's payments (GET
// /payments/list, newest first, paged with starting_after) is compared, per status, with what the VUs
// counted. Only this run's payments count — each carries `metadata.k6_run`, a random key setup() made
// for the run — so a merchant shared with other traffic, or an earlier run with the same TEST_ID,
// reconciles too. Runs in teardown() — the only stage after the load that may still fail the test —
// and leaves its figures in process-wide tallies for the summary. Wire facts: the router's payments
// list API (limit 1..100, starting_after = a payment id, `data` newest first).
import { sleep } from 'k6';
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
/** A page the router refuses is asked for again, this many times in all, 1 s apart (a transient 5xx must not fail the run). */
const ATTEMPTS = 3;
const ROUTER = 'router:';
const FAILED = 'reconcile:error';
const CUT = 'reconcile:cut';
const DONE = 'reconcile:done';

/** The run's figures: k6's and the router's payments by status, why the router's list could not be read, and whether the run was cut short. */
export interface Reconciliation {
  k6: Record<string, number>;
  router: Record<string, number>;
  error?: string;
  /** The run stopped before its plan's end (Ctrl-C, an abort): requests in flight may be on the router without k6 having their answer. */
  cutShort?: boolean;
}

interface ListedPayment {
  payment_id?: string;
  status?: string;
  created?: string;
  metadata?: { k6_run?: unknown } | null;
}

/** One page of the list, asked for up to ATTEMPTS times. @throws Error naming the merchant and the last status. */
function page(baseUrl: string, merchant: { merchantId: string; apiKey: string }, after: string | undefined, timeoutMs: number): ListedPayment[] {
  const url = `${baseUrl}/payments/list?limit=${PAGE}${after ? `&starting_after=${encodeURIComponent(after)}` : ''}`;
  let status = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    if (attempt > 1) sleep(1);
    const { traceparent } = startTrace();
    const res = http.get(url, {
      headers: { 'api-key': merchant.apiKey, accept: 'application/json', traceparent },
      timeout: `${timeoutMs}ms`,
      tags: { name: 'payments_list' },
    });
    endTrace();
    if (res.status === 200) return (JSON.parse(res.body as string) as { data?: ListedPayment[] }).data ?? [];
    status = res.status === 0 ? `nothing (${res.error})` : String(res.status);
  }
  throw new Error(`GET /payments/list of merchant ${merchant.merchantId || '(MERCHANT_API_KEY)'} answered ${status} ${ATTEMPTS} times`);
}

/** One merchant's payments of this run (metadata.k6_run), by status. */
function listRun(
  baseUrl: string,
  merchant: { merchantId: string; apiKey: string },
  runKey: string,
  sinceMs: number,
  timeoutMs: number,
): Record<string, number> {
  const counts: Record<string, number> = {};
  let after: string | undefined;
  for (;;) {
    const data = page(baseUrl, merchant, after, timeoutMs);
    for (const p of data) {
      if (p.metadata?.k6_run === runKey && typeof p.status === 'string') counts[p.status] = (counts[p.status] ?? 0) + 1;
    }
    const last = data[data.length - 1];
    if (data.length < PAGE || !last?.payment_id || (last.created !== undefined && Date.parse(last.created) < sinceMs - SKEW_MS)) return counts;
    after = last.payment_id;
  }
}

/**
 * Reconciles (teardown only): lists every merchant's payments of this run, records the router's
 * counts as tallies `router:<status>`, adds the disagreement to payments_unreconciled and returns the
 * figures. A list that cannot be read counts every payment k6 made as unreconciled. A run cut short
 * (`cutShort`) had requests in flight whose answers k6 never got: the router may list more payments,
 * or later statuses, than k6 counted; only fewer payments than k6 counted is then a loss.
 */
export function reconcile(
  baseUrl: string,
  merchants: ReadonlyArray<{ merchantId: string; apiKey: string }>,
  runKey: string,
  startedAt: string,
  timeoutMs: number,
  cutShort: boolean,
): Reconciliation {
  const k6 = counted();
  const router: Record<string, number> = {};
  let error: string | undefined;
  try {
    for (const merchant of merchants) {
      for (const [status, n] of Object.entries(listRun(baseUrl, merchant, runKey, Date.parse(startedAt), timeoutMs)))
        router[status] = (router[status] ?? 0) + n;
    }
  } catch (e) {
    error = (e as Error).message;
  }
  for (const [status, n] of Object.entries(router)) tally(`${ROUTER}${status}`, n);
  if (error) tally(FAILED);
  if (cutShort) tally(CUT);
  tally(DONE);
  const lost = cutShort ? Math.max(0, total(k6) - total(router)) : disagreement(k6, router);
  unreconciled.add(error ? Math.max(1, total(k6)) : lost);
  return { k6, router, error, cutShort };
}

/** The figures reconcile() left for the summary; undefined when it did not run (teardown skipped, RECONCILE=false). */
export function reconciliation(): Reconciliation | undefined {
  const marks = tallies('reconcile:');
  if (!marks[DONE]) return undefined;
  const router = strip(tallies(ROUTER), ROUTER);
  return { k6: counted(), router, error: marks[FAILED] ? 'the router list could not be read (see the teardown output)' : undefined, cutShort: !!marks[CUT] };
}

/**
 * What the reconciliation found: `problems` (the list could not be read, a status whose counts differ;
 * for a run cut short only fewer payments on the router than k6 counted) and `notes` (a run cut short
 * whose differences the requests in flight explain).
 */
export function reconciliationFindings(r: Reconciliation): { problems: string[]; notes: string[] } {
  if (r.error) return { problems: [`reconciliation impossible: ${r.error}; k6 counted ${describe(r.k6)}`], notes: [] };
  const differences = [...new Set([...Object.keys(r.k6), ...Object.keys(r.router)])]
    .sort()
    .filter((status) => (r.k6[status] ?? 0) !== (r.router[status] ?? 0))
    .map((status) => `reconciliation: ${status}: k6 counted ${r.k6[status] ?? 0}, the router lists ${r.router[status] ?? 0}`);
  if (!r.cutShort || differences.length === 0) return { problems: differences, notes: [] };
  if (total(r.router) < total(r.k6)) {
    return { problems: [`reconciliation: the router lists ${total(r.router)} payments of this run, k6 counted ${total(r.k6)}`, ...differences], notes: [] };
  }
  return {
    problems: [],
    notes: [
      `not reconciled exactly: the run was cut short with requests in flight (k6 counted ${describe(r.k6)}; the router lists ${describe(r.router)}); the router lists at least as many payments as k6 counted`,
    ],
  };
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
