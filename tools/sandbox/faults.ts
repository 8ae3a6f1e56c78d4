// Fault injection shared by every sandbox target: a fixed server-side delay, a share of requests that
// fail, and a share of connections that are dropped. Tests set it over HTTP (POST /__sandbox/faults),
// so a k6 run can be slowed down or broken from outside without restarting the target.

export interface Faults {
  /** Added to every served request, in milliseconds, before the answer is sent. */
  latencyMs: number;
  /** Share (0..1) of requests answered with the target's failure response. */
  failureRate: number;
  /** Share (0..1) of requests whose connection is destroyed without an answer. */
  dropRate: number;
}

export const NO_FAULTS: Faults = { latencyMs: 0, failureRate: 0, dropRate: 0 };

/** Validates a partial fault update from a request body; throws a message naming the bad field. */
export function parseFaults(body: unknown, current: Faults): Faults {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new Error('faults must be a JSON object like {"latencyMs":10,"failureRate":0.05,"dropRate":0}');
  }
  const next: Faults = { ...current };
  for (const [key, value] of Object.entries(body)) {
    if (!(key in NO_FAULTS)) throw new Error(`unknown fault "${key}" (known: ${Object.keys(NO_FAULTS).join(', ')})`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`fault "${key}" must be a non-negative number, got ${JSON.stringify(value)}`);
    }
    if (key !== 'latencyMs' && value > 1) throw new Error(`fault "${key}" is a share and must be within 0..1`);
    next[key as keyof Faults] = value;
  }
  return next;
}

/**
 * Deterministic "every n-th" selection instead of Math.random, so that a failureRate of 0.05 fails
 * exactly 5 of every 100 requests and tests can assert exact counts.
 */
export class ShareSelector {
  private seen = 0;
  private selected = 0;
  pick(share: number): boolean {
    this.seen += 1;
    if (share <= 0) return false;
    const due = Math.floor(this.seen * share);
    if (due > this.selected) {
      this.selected = due;
      return true;
    }
    return false;
  }
}

export const delay = (ms: number): Promise<void> => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
