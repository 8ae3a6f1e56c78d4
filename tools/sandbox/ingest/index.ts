// The event-ingestion sandbox (seed 004): a stand-in for the Rust WEF collector, following its wire
// contract (../shared/reference/wef-ingest.md): GET /health → 200 "OK"; POST /wsman/events → 200 "OK"
// once the whole batch is counted, 400 when the body is not an envelope of Events, 413 above 64 MiB;
// GET /stats/throughput → one row per `Provider:EventID`. Test hooks: counts() and
// GET /__sandbox/ingest (never counted as traffic), and the shared /__sandbox/faults (an injected
// failure answers 500 and counts nothing) and /__sandbox/reset.
// Not yet: parquet files to S3 (issue 11).
import { interceptRequests, sendJson, sendText, startHttpTarget, type Route, type RunningTarget } from '../http-target.ts';
import type { SandboxOptions } from '../sandbox.ts';
import { EventStats, type ThroughputRow } from './stats.ts';
import { countBatch } from './wire.ts';

/** The WEF server's body limit. */
const BODY_LIMIT = 64 * 1024 * 1024;

export interface IngestCounts {
  /** Events counted, all types. */
  events: number;
  /** Batches accepted, and refused (400). */
  batches: number;
  refused: number;
  byType: ThroughputRow[];
}

export interface IngestSandbox extends RunningTarget {
  counts(): IngestCounts;
}

function routes(stats: EventStats): Route[] {
  return [
    { method: 'GET', path: /^\/health$/, name: 'health', handle: (_req, res) => sendText(res, 200, 'OK') },
    {
      method: 'POST',
      path: /^\/wsman\/events$/,
      name: 'events',
      handle: (_req, res, _params, body) => {
        const batch = countBatch(body.toString('utf8'));
        if (!batch.ok) {
          stats.refused += 1;
          return sendText(res, 400, `Bad Request: ${batch.reason}`);
        }
        stats.record(batch.byType);
        sendText(res, 200, 'OK');
      },
    },
    { method: 'GET', path: /^\/stats\/throughput$/, name: 'stats', handle: (_req, res) => sendJson(res, 200, stats.rows()) },
  ];
}

export async function startIngestSandbox(options: SandboxOptions = {}): Promise<IngestSandbox> {
  const stats = new EventStats();
  const target = await startHttpTarget({
    port: options.port,
    host: options.host,
    routes: routes(stats),
    bodyLimit: BODY_LIMIT,
    extraStats: () => ({ ingest: { events: stats.total(), batches: stats.batches, refused: stats.refused } }),
    onReset: () => stats.clear(),
  });
  const counts = (): IngestCounts => ({ events: stats.total(), batches: stats.batches, refused: stats.refused, byType: stats.rows() });
  interceptRequests(target.server, (req, res, path) => {
    if (req.method !== 'GET' || path !== '/__sandbox/ingest') return false;
    sendJson(res, 200, counts());
    return true;
  });
  return { ...target, counts };
}

/** The sandbox contract's entry point (tools/sandbox/sandbox.ts). */
export const startSandbox = startIngestSandbox;

export function describeWork(target: RunningTarget): string {
  const c = (target as IngestSandbox).counts();
  return `the WEF sandbox counted ${c.events} events in ${c.batches} batches (${c.refused} refused), ${c.byType.length} event type(s)`;
}
