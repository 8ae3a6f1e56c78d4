// The W3C trace context of the requests the router received, so a test can check that every request
// carried a well-formed `traceparent` (version 00, 32-hex trace id and 16-hex parent id, neither all
// zeros, 2-hex flags: https://www.w3.org/TR/trace-context/#traceparent-header) and that trace ids
// were unique.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

export interface TraceStats {
  /** Requests to the router's API (admin and merchant routes). */
  requests: number;
  /** Of those, without a traceparent header. */
  missing: number;
  /** With a traceparent that is not well-formed. */
  malformed: number;
  /** Distinct trace ids among the well-formed ones. */
  distinctTraceIds: number;
  /** Well-formed ones whose trace id was seen before. */
  repeatedTraceIds: number;
}

export class TraceLog {
  private readonly ids = new Set<string>();
  private stats: TraceStats = TraceLog.empty();

  private static empty(): TraceStats {
    return { requests: 0, missing: 0, malformed: 0, distinctTraceIds: 0, repeatedTraceIds: 0 };
  }

  record(header: string | string[] | undefined): void {
    this.stats.requests += 1;
    if (header === undefined) {
      this.stats.missing += 1;
      return;
    }
    const match = typeof header === 'string' ? TRACEPARENT.exec(header) : null;
    if (!match || /^0+$/.test(match[1]) || /^0+$/.test(match[2])) {
      this.stats.malformed += 1;
      return;
    }
    if (this.ids.has(match[1])) this.stats.repeatedTraceIds += 1;
    else this.ids.add(match[1]);
    this.stats.distinctTraceIds = this.ids.size;
  }

  snapshot(): TraceStats {
    return { ...this.stats };
  }

  clear(): void {
    this.ids.clear();
    this.stats = TraceLog.empty();
  }
}
