// The timers sandbox's state: timers keyed by (namespace, id) — contract A's groupId is contract B's
// namespace —, the counters by namespace, and the drift of every fired execution. In memory; the
// PostgreSQL persistence (postgres.ts) writes the same records through when it is on.
import type { Json, RetryPolicy } from './wire.ts';

/** pending: waiting for its executeAt, in flight or waiting for a retry; executed: the callback answered ok; failed: dropped (4xx) or out of retries. */
export type TimerState = 'pending' | 'executed' | 'failed';

export interface TimerRecord {
  namespace: string;
  id: string;
  /** Epoch milliseconds. */
  executeAt: number;
  callbackUrl: string;
  payload: Json | null;
  retryPolicy: RetryPolicy;
  callbackTimeoutSeconds: number;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  executedAt: number | null;
  state: TimerState;
  /** Bumped by every change of schedule: a heap entry or callback answer of an older one is stale. */
  seq: number;
}

/** The Timer object both contracts answer with (contract B's schema; A adds `groupId`). */
export function timerView(t: TimerRecord): Json {
  const view: Json = {
    id: t.id,
    namespace: t.namespace,
    executeAt: new Date(t.executeAt).toISOString(),
    callbackUrl: t.callbackUrl,
    payload: t.payload,
    retryPolicy: t.retryPolicy,
    callbackTimeoutSeconds: t.callbackTimeoutSeconds,
    createdAt: new Date(t.createdAt).toISOString(),
    updatedAt: new Date(t.updatedAt).toISOString(),
  };
  if (t.executedAt !== null) view.executedAt = new Date(t.executedAt).toISOString();
  return view;
}

export interface NamespaceCounts {
  /** Successful creates (a create of an existing timer replaces it and counts here and in `replaced`). */
  created: number;
  replaced: number;
  updated: number;
  deleted: number;
  /** Timers not yet executed nor failed (waiting, in flight or waiting for a retry). */
  pending: number;
  /** Timers whose callback answered {"ok": true}. */
  fired: number;
  /** Callback answers {"ok": false, "nextExecuteAt"} (the timer was rescheduled). */
  rescheduled: number;
  /** Callback requests sent (not counting the copies of the `duplicate` knob). */
  callbackAttempts: number;
  /** Attempts that failed with a retryable outcome (5xx, network error, timeout, an answer that is not ok). */
  failedAttempts: number;
  /** Timers dropped on a 4xx answer (no retry). */
  dropped: number;
  /** Timers that ran out of attempts (maxAttempts or maxAttemptsDuration). */
  exhausted: number;
  /** dropped + exhausted: timers whose callback was never delivered. */
  failedDeliveries: number;
  /** Extra copies sent by the `duplicate` knob. */
  duplicates: number;
}

export const emptyCounts = (): NamespaceCounts => ({
  created: 0,
  replaced: 0,
  updated: 0,
  deleted: 0,
  pending: 0,
  fired: 0,
  rescheduled: 0,
  callbackAttempts: 0,
  failedAttempts: 0,
  dropped: 0,
  exhausted: 0,
  failedDeliveries: 0,
  duplicates: 0,
});

export interface DriftStats {
  /** Executions measured: the first callback attempt of every time a timer came due. */
  count: number;
  /** Milliseconds (actual send time of the first attempt − executeAt), null without any. */
  p50: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

const key = (namespace: string, id: string) => `${namespace}\u0000${id}`;

/** Drift samples (milliseconds) and their nearest-rank quantiles. */
class DriftLog {
  private samples = new Float64Array(1024);
  private count = 0;

  add(ms: number): void {
    if (this.count === this.samples.length) {
      const bigger = new Float64Array(this.samples.length * 2);
      bigger.set(this.samples);
      this.samples = bigger;
    }
    this.samples[this.count++] = ms;
  }

  stats(): DriftStats {
    const n = this.count;
    if (n === 0) return { count: 0, p50: null, p99: null, max: null, mean: null };
    const sorted = this.samples.slice(0, n).sort();
    const at = (q: number) => round(sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]);
    let sum = 0;
    for (const v of sorted) sum += v;
    return { count: n, p50: at(0.5), p99: at(0.99), max: round(sorted[n - 1]), mean: round(sum / n) };
  }
}

export class TimerStore {
  private readonly timers = new Map<string, TimerRecord>();
  private readonly counts = new Map<string, NamespaceCounts>();
  private drift = new DriftLog();
  private readonly driftByNamespace = new Map<string, DriftLog>();

  get size(): number {
    return this.timers.size;
  }

  get(namespace: string, id: string): TimerRecord | undefined {
    return this.timers.get(key(namespace, id));
  }

  /** Stores a new or replacing record (pending); returns the one it replaced. */
  put(record: TimerRecord): TimerRecord | undefined {
    const k = key(record.namespace, record.id);
    const old = this.timers.get(k);
    if (old?.state === 'pending') this.bump(old.namespace, 'pending', -1);
    this.timers.set(k, record);
    if (record.state === 'pending') this.bump(record.namespace, 'pending', 1);
    return old;
  }

  /** Removes a timer; returns it (undefined if there was none). */
  remove(namespace: string, id: string): TimerRecord | undefined {
    const k = key(namespace, id);
    const old = this.timers.get(k);
    if (!old) return undefined;
    this.timers.delete(k);
    if (old.state === 'pending') this.bump(namespace, 'pending', -1);
    return old;
  }

  /** Whether `record` is the stored timer of its key (not deleted nor replaced). */
  isCurrent(record: TimerRecord): boolean {
    return this.timers.get(key(record.namespace, record.id)) === record;
  }

  setState(record: TimerRecord, state: TimerState): void {
    if (record.state === state) return;
    if (this.isCurrent(record)) {
      if (record.state === 'pending') this.bump(record.namespace, 'pending', -1);
      if (state === 'pending') this.bump(record.namespace, 'pending', 1);
    }
    record.state = state;
  }

  bump(namespace: string, field: keyof NamespaceCounts, by = 1): void {
    let c = this.counts.get(namespace);
    if (!c) this.counts.set(namespace, (c = emptyCounts()));
    c[field] += by;
  }

  recordDrift(namespace: string, ms: number): void {
    this.drift.add(ms);
    let log = this.driftByNamespace.get(namespace);
    if (!log) this.driftByNamespace.set(namespace, (log = new DriftLog()));
    log.add(ms);
  }

  /** Over every namespace, or one. */
  driftStats(namespace?: string): DriftStats {
    if (namespace === undefined) return this.drift.stats();
    return (this.driftByNamespace.get(namespace) ?? new DriftLog()).stats();
  }

  /** The counters by namespace, each with its drift. */
  byNamespace(): Record<string, NamespaceCounts & { drift: DriftStats }> {
    return Object.fromEntries([...this.counts].map(([ns, c]) => [ns, { ...c, drift: this.driftStats(ns) }]));
  }

  totals(): NamespaceCounts {
    const total = emptyCounts();
    for (const c of this.counts.values()) for (const f of Object.keys(total) as Array<keyof NamespaceCounts>) total[f] += c[f];
    return total;
  }

  /** Every record (for loading into the scheduler). */
  all(): IterableIterator<TimerRecord> {
    return this.timers.values();
  }

  clear(): void {
    this.timers.clear();
    this.counts.clear();
    this.drift = new DriftLog();
    this.driftByNamespace.clear();
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
