// Firing: a binary heap (heap-js) of due times and one Node timer armed for the earliest, so any number
// of pending timers costs one setTimeout. A due timer's callback is POSTed to its callbackUrl with
//   {"id", "namespace", "executeAt", "payload", "attempt"}      (executeAt ISO 8601, attempt from 1)
// over keep-alive connections (callback-client.ts: at most 64 per origin), at most `maxInFlight`
// requests at once (the excess waits in due order).
// The answer decides (reference "Callbacks", api.yaml's CallbackResponse):
//   2xx {"ok": true}                          → executed (executedAt set)
//   2xx {"ok": false, "nextExecuteAt": ISO}   → rescheduled to nextExecuteAt, attempts start over
//   4xx                                       → dropped: an invalid timer, no retry
//   anything else (5xx, other 2xx bodies, 3xx, network error, timeout after callbackTimeoutSeconds)
//                                             → retried after min(initialInterval × backoffMultiplier^(n−1), maxInterval)
//                                               until maxAttempts attempts or maxAttemptsDuration since the first
// Heap entries are not removed one by one: an update or delete bumps the record's `seq`, and an entry or
// answer of an older seq is ignored when it comes up (the heap is compacted when stale entries pile
// up). Drift — the time an execution's first attempt is written to the connection − executeAt,
// fireDelayMs included — is recorded in the store by namespace.
import { Heap } from 'heap-js';
import { CallbackClient } from './callback-client.ts';
import type { TimerMetrics } from './metrics.ts';
import type { TimerRecord, TimerStore } from './store.ts';
import { parseDateTime, planOf } from './wire.ts';

export interface SchedulerOptions {
  /** Fire this many milliseconds after executeAt (to test callback latency); default 0. */
  fireDelayMs: number;
  /** Send every callback attempt twice (the copy's answer is ignored): at-least-once duplicates. */
  duplicate: boolean;
  /** At most this many callback requests at once (default 256). */
  maxInFlight: number;
  /** Told after the scheduler changed a record (its state, executeAt or executedAt). */
  onChange?: (record: TimerRecord) => void;
}

interface Entry {
  /** Epoch milliseconds when it is due. */
  at: number;
  record: TimerRecord;
  seq: number;
  attempt: number;
  /** Send time of the execution's first attempt (for maxAttemptsDuration); 0 before it. */
  firstSentAt: number;
}

type Outcome = { kind: 'ok' } | { kind: 'reschedule'; at: number } | { kind: 'invalid'; status: number } | { kind: 'retry'; reason: string };

/** Wall-clock milliseconds with sub-millisecond resolution. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/** Longest single setTimeout (Node's limit is 2^31−1 ms); later entries re-arm. */
const MAX_ARM_MS = 3_600_000;
/** Due entries handed over per turn of the event loop, so a burst does not starve the API. */
const BATCH = 512;

export class Scheduler {
  private readonly heap = new Heap<Entry>((a, b) => a.at - b.at);
  private armed: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private armedAt = Number.POSITIVE_INFINITY;
  private draining = false;
  private readonly waiting: Entry[] = [];
  private waitingHead = 0;
  private inFlight = 0;
  private readonly client: CallbackClient;
  private stopped = false;
  /** Bumped by clear(): answers of requests sent before it are ignored. */
  private epoch = 0;

  constructor(
    private readonly store: TimerStore,
    private readonly metrics: TimerMetrics,
    private readonly options: SchedulerOptions,
  ) {
    this.client = new CallbackClient({ maxConnections: Math.min(options.maxInFlight, 64) });
  }

  /** Entries in the heap (stale ones included), callback requests in flight, due ones waiting for a slot. */
  stats(): { heap: number; inFlight: number; queued: number } {
    return { heap: this.heap.length, inFlight: this.inFlight, queued: this.waiting.length - this.waitingHead };
  }

  /** (Re)schedules a record's execution at its executeAt (+ fireDelayMs), attempt 1; older entries go stale. */
  schedule(record: TimerRecord): void {
    record.seq += 1;
    this.push({ at: record.executeAt + this.options.fireDelayMs, record, seq: record.seq, attempt: 1, firstSentAt: 0 });
  }

  /** Makes every entry and answer of a record stale (it was deleted, or done with). */
  cancel(record: TimerRecord): void {
    record.seq += 1;
  }

  /** Forgets everything scheduled (the sandbox's reset); requests in flight finish unheard. */
  clear(): void {
    this.epoch += 1;
    this.heap.clear();
    this.waiting.length = 0;
    this.waitingHead = 0;
    this.disarm();
  }

  /** Stops firing and aborts the callbacks in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clear();
    this.client.close();
  }

  private push(entry: Entry): void {
    if (this.stopped) return;
    if (this.heap.length > 2 * this.store.size + 10_000) this.compact();
    this.heap.push(entry);
    if (entry.at < this.armedAt && !this.draining) this.arm();
  }

  /** Drops the stale entries (of deleted timers and older schedules). */
  private compact(): void {
    const live = this.heap.toArray().filter((e) => e.seq === e.record.seq && this.store.isCurrent(e.record));
    this.heap.clear();
    this.heap.init(live);
  }

  private disarm(): void {
    if (this.armed) clearTimeout(this.armed);
    if (this.immediate) clearImmediate(this.immediate);
    this.armed = undefined;
    this.immediate = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  private arm(): void {
    this.disarm();
    const next = this.heap.peek();
    if (!next || this.stopped) return;
    const wait = Math.min(MAX_ARM_MS, Math.max(0, Math.ceil(next.at - nowMs())));
    this.armedAt = next.at;
    this.armed = setTimeout(() => this.drain(), wait);
  }

  /** Hands every due entry to delivery (a batch per turn), then arms for the next one. */
  private drain(): void {
    this.armed = undefined;
    this.immediate = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    this.draining = true;
    const now = nowMs();
    let handed = 0;
    for (let next = this.heap.peek(); next && next.at <= now && handed < BATCH; next = this.heap.peek()) {
      this.heap.pop();
      if (next.seq !== next.record.seq || !this.store.isCurrent(next.record)) continue;
      handed += 1;
      this.dispatch(next);
    }
    this.draining = false;
    if (this.stopped) return;
    const next = this.heap.peek();
    if (next && next.at <= nowMs()) {
      this.armedAt = next.at;
      this.immediate = setImmediate(() => this.drain());
      return;
    }
    this.arm();
  }

  private dispatch(entry: Entry): void {
    if (this.inFlight < this.options.maxInFlight) return this.send(entry);
    this.waiting.push(entry);
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.waitingHead < this.waiting.length) {
      const entry = this.waiting[this.waitingHead++];
      if (this.waitingHead > 4096 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting.splice(0, this.waitingHead);
        this.waitingHead = 0;
      }
      if (entry.seq !== entry.record.seq || !this.store.isCurrent(entry.record)) continue;
      this.send(entry);
    }
  }

  private send(entry: Entry): void {
    const { record } = entry;
    this.store.bump(record.namespace, 'callbackAttempts');
    const body = JSON.stringify({
      id: record.id,
      namespace: record.namespace,
      executeAt: new Date(record.executeAt).toISOString(),
      payload: record.payload,
      attempt: entry.attempt,
    });
    const epoch = this.epoch;
    const written = () => {
      const sentAt = nowMs();
      if (entry.firstSentAt === 0) entry.firstSentAt = sentAt;
      if (entry.attempt === 1 && epoch === this.epoch) {
        const drift = sentAt - record.executeAt;
        this.store.recordDrift(record.namespace, drift);
        this.metrics.drift(drift);
      }
    };
    this.post(
      record,
      body,
      (outcome) => {
        this.metrics.attempt(outcome.kind);
        if (epoch === this.epoch) this.settle(entry, outcome);
        if (this.options.duplicate && !this.stopped) {
          if (epoch === this.epoch) this.store.bump(record.namespace, 'duplicates');
          this.post(record, body, () => undefined);
        }
      },
      written,
    );
  }

  /** One callback request; `done` is called once with its outcome, after the slot is freed. */
  private post(record: TimerRecord, body: string, done: (outcome: Outcome) => void, onWrite?: () => void): void {
    this.inFlight += 1;
    this.client.post(
      record.callbackUrl,
      body,
      record.callbackTimeoutSeconds * 1000,
      (error, answer) => {
        this.inFlight -= 1;
        done(error ? { kind: 'retry', reason: error.message } : judge(answer!.status, answer!.body));
        if (!this.stopped) this.pump();
      },
      onWrite,
    );
  }

  private settle(entry: Entry, outcome: Outcome): void {
    const { record } = entry;
    if (entry.seq !== record.seq || !this.store.isCurrent(record)) return; // updated or deleted meanwhile
    const ns = record.namespace;
    switch (outcome.kind) {
      case 'ok':
        this.cancel(record);
        record.executedAt = Date.now();
        this.store.setState(record, 'executed');
        this.store.bump(ns, 'fired');
        this.metrics.fired(ns);
        break;
      case 'reschedule':
        this.store.bump(ns, 'rescheduled');
        record.executeAt = outcome.at;
        record.updatedAt = Date.now();
        this.schedule(record);
        break;
      case 'invalid':
        this.cancel(record);
        this.store.setState(record, 'failed');
        this.store.bump(ns, 'dropped');
        this.store.bump(ns, 'failedDeliveries');
        break;
      case 'retry': {
        this.store.bump(ns, 'failedAttempts');
        const plan = planOf(record.retryPolicy);
        const wait = Math.min(plan.initialIntervalMs * plan.backoffMultiplier ** (entry.attempt - 1), plan.maxIntervalMs);
        const now = nowMs();
        if (entry.attempt >= plan.maxAttempts || now + wait - (entry.firstSentAt || now) > plan.maxAttemptsDurationMs) {
          this.cancel(record);
          this.store.setState(record, 'failed');
          this.store.bump(ns, 'exhausted');
          this.store.bump(ns, 'failedDeliveries');
          break;
        }
        this.push({ ...entry, at: now + wait, attempt: entry.attempt + 1 });
        return; // nothing stored changed
      }
    }
    this.options.onChange?.(record);
  }
}

/** The outcome of a callback answer (see the file header). */
export function judge(status: number, text: string): Outcome {
  if (status >= 400 && status < 500) return { kind: 'invalid', status };
  if (status < 200 || status > 299) return { kind: 'retry', reason: `status ${status}` };
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return { kind: 'retry', reason: 'the answer is not JSON' };
  }
  if (typeof answer !== 'object' || answer === null) return { kind: 'retry', reason: 'the answer is not a JSON object' };
  const { ok, nextExecuteAt } = answer as { ok?: unknown; nextExecuteAt?: unknown };
  if (ok === true) return { kind: 'ok' };
  const at = ok === false && typeof nextExecuteAt === 'string' ? parseDateTime(nextExecuteAt) : undefined;
  if (at !== undefined) return { kind: 'reschedule', at };
  return { kind: 'retry', reason: 'the answer is not {"ok": true}' };
}
