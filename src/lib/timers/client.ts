// The timer service client inside k6: one request per operation under the chosen contract
// (./contracts.ts), with the bearer token, every step timed in its own trend (timer_create,
// timer_get, timer_update, timer_delete), every failure counted with its reason, and the shared
// transaction metrics fed from k6's own request timings.
import http from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import { tallies, tally } from 'k6/x/loadgen';
import type { FailureCauses } from '../../shared/verdict';
import { recordTransaction, type FailureCause, type TransactionKind } from '../metrics';
import { timerRequest, type TimerApi, type TimerOp, type TimerSpec } from './contracts';

const OPS: TimerOp[] = ['create', 'get', 'update', 'delete'];

export const timerMetrics = {
  /** Each operation's trend (ms, the request's duration as k6 measured it). */
  steps: Object.fromEntries(OPS.map((op) => [op, new Trend(`timer_${op}`, true)])) as Record<TimerOp, Trend>,
  /** Failed operations, tagged `step` (timer_create...) and `reason` (http_4xx, http_5xx, network, timeout, status_<code>). */
  failures: new Counter('timer_failures_total'),
};

/** Distinct failure causes a VU names (the first ones); later new ones count as "other causes". */
const MAX_CAUSES_PER_VU = 5;
const CAUSE_TALLY = 'timers:cause:';
const seenCauses = new Set<string>();

/**
 * Counts a failed operation's cause — the status and the service's own words (the Error's `message`,
 * else the start of the body) — in a process-wide tally, for the summary's first distinct causes.
 */
function noteCause(step: string, status: number, error: string | undefined, body: string | null | undefined): void {
  let words = status === 0 ? (error ?? 'no answer') : '';
  if (status !== 0 && body) {
    try {
      const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
      words = [parsed.error, parsed.message].filter((w) => typeof w === 'string').join(': ');
    } catch {
      words = body.slice(0, 120);
    }
  }
  const cause = `${status === 0 ? 'network' : `status ${status}`}${words ? ` (${words.replace(/[\r\n|]+/g, ' ').slice(0, 160)})` : ''}`;
  const key = `${step}|${cause}`;
  if (!seenCauses.has(key) && seenCauses.size >= MAX_CAUSES_PER_VU) {
    tally(`${CAUSE_TALLY}${step}|`);
    return;
  }
  seenCauses.add(key);
  tally(`${CAUSE_TALLY}${key}`);
}

/** The first distinct failure causes by step (the three most frequent each), from every VU's tallies. */
export function timerFailureCauses(): FailureCauses {
  const out: FailureCauses = {};
  for (const [name, count] of Object.entries(tallies(CAUSE_TALLY))) {
    const [step, cause] = name.slice(CAUSE_TALLY.length).split('|');
    const entry = (out[step] ??= { causes: [], other: 0 });
    if (cause) entry.causes.push({ cause, count });
    else entry.other += count;
  }
  for (const entry of Object.values(out)) {
    entry.causes.sort((a, b) => b.count - a.count);
    entry.other += entry.causes.splice(3).reduce((sum, c) => sum + c.count, 0);
  }
  return out;
}

const KIND: Record<TimerOp, TransactionKind> = { create: 'write', get: 'read', update: 'write', delete: 'delete' };
const CAUSE: Record<string, FailureCause> = { network: 'connection', timeout: 'timeout', http_4xx: 'validation', http_5xx: 'server' };

export interface TimerResult {
  ok: boolean;
  status: number;
  reason?: string;
}

/** Why an answer is not the operation's success (undefined: it is). */
export function reasonOf(status: number, error: string | undefined, expect: number): string | undefined {
  if (status === 0) return /timeout/i.test(error ?? '') ? 'timeout' : 'network';
  if (status === expect) return undefined;
  if (status >= 500) return 'http_5xx';
  if (status >= 400) return 'http_4xx';
  return `status_${status}`; // e.g. 200 where the seed's contract answers 201
}

export class TimersClient {
  private readonly headers: Record<string, string>;
  private readonly timeout: string;

  /** @param token the bearer token (a secret: sent as `Authorization: Bearer`, never logged). */
  constructor(
    private readonly baseUrl: string,
    private readonly api: TimerApi,
    private readonly group: string,
    token: string,
    timeoutMs: number,
  ) {
    this.headers = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` };
    this.timeout = `${timeoutMs}ms`;
  }

  /** One operation on a timer (the fields an operation does not send are ignored). */
  run(op: TimerOp, timer: Pick<TimerSpec, 'id'> & Partial<TimerSpec>): TimerResult {
    const req = timerRequest(this.api, op, this.group, timer);
    const step = `timer_${op}`;
    const res = http.request(req.method, `${this.baseUrl}${req.path}`, req.body, { headers: this.headers, timeout: this.timeout, tags: { name: step } });
    const reason = reasonOf(res.status, res.error, req.expect);
    timerMetrics.steps[op].add(res.timings.duration);
    if (reason) {
      timerMetrics.failures.add(1, { step, reason });
      noteCause(step, res.status, res.error, typeof res.body === 'string' ? res.body : undefined);
    }
    recordTransaction({
      kind: KIND[op],
      latencyMs: res.timings.duration,
      ok: reason === undefined,
      cause: reason ? (CAUSE[reason] ?? 'server') : undefined,
      bytesWritten: req.body?.length ?? 0,
    });
    return { ok: reason === undefined, status: res.status, reason };
  }
}
