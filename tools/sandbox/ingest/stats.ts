// What the WEF server counts: events by type (`Provider:EventID`), in total and per second for the last
// five minutes, answered as GET /stats/throughput's rows (../shared/reference/wef-ingest.md).

/** One row of GET /stats/throughput. */
export interface ThroughputRow {
  event_type: string;
  total_events: number;
  last_minute: number;
  last_five_minutes: number;
  average_per_second_last_minute: number;
}

const WINDOW_SECONDS = 300;

class TypeCounts {
  total = 0;
  /** Events per second over the last WINDOW_SECONDS, indexed by epoch second % WINDOW_SECONDS. */
  private readonly seconds = new Float64Array(WINDOW_SECONDS);
  private readonly stamps = new Float64Array(WINDOW_SECONDS);

  add(n: number, second: number): void {
    this.total += n;
    const i = second % WINDOW_SECONDS;
    if (this.stamps[i] !== second) {
      this.stamps[i] = second;
      this.seconds[i] = 0;
    }
    this.seconds[i] += n;
  }

  /** Events in the `span` seconds up to and including `second`. */
  within(second: number, span: number): number {
    let sum = 0;
    for (let s = second - span + 1; s <= second; s += 1) {
      const i = ((s % WINDOW_SECONDS) + WINDOW_SECONDS) % WINDOW_SECONDS;
      if (this.stamps[i] === s) sum += this.seconds[i];
    }
    return sum;
  }
}

export class EventStats {
  private readonly types = new Map<string, TypeCounts>();
  batches = 0;
  refused = 0;

  /** Records one accepted batch's counts at `nowMs`. */
  record(byType: Map<string, number>, nowMs = Date.now()): void {
    const second = Math.floor(nowMs / 1000);
    for (const [type, n] of byType) {
      let counts = this.types.get(type);
      if (!counts) {
        counts = new TypeCounts();
        this.types.set(type, counts);
      }
      counts.add(n, second);
    }
    this.batches += 1;
  }

  /** Every event received so far. */
  total(): number {
    let sum = 0;
    for (const c of this.types.values()) sum += c.total;
    return sum;
  }

  /** GET /stats/throughput's rows, by event type. */
  rows(nowMs = Date.now()): ThroughputRow[] {
    const second = Math.floor(nowMs / 1000);
    return [...this.types.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([event_type, c]) => {
        const lastMinute = c.within(second, 60);
        return {
          event_type,
          total_events: c.total,
          last_minute: lastMinute,
          last_five_minutes: c.within(second, WINDOW_SECONDS),
          average_per_second_last_minute: Math.round((lastMinute / 60) * 100) / 100,
        };
      });
  }

  clear(): void {
    this.types.clear();
    this.batches = 0;
    this.refused = 0;
  }
}
