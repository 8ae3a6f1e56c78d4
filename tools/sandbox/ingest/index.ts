// The event-ingestion sandbox (seed 004): a stand-in for the Rust WEF collector, following its wire
// contract (../shared/reference/wef-ingest.md): GET /health → 200 "OK"; POST /wsman/events → 200 "OK"
// once the whole batch is counted, 400 when the body is not an envelope of Events, 413 above 64 MiB;
// GET /stats/throughput → one row per `Provider:EventID`. Test hooks: counts() and
// GET /__sandbox/ingest (never counted as traffic), and the shared /__sandbox/faults (an injected
// failure answers 500 and counts nothing) and /__sandbox/reset.
// With an S3 server (the `s3` option, or serve's --s3-endpoint with AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY in the environment), the events also go to parquet files in the bucket
// (parquet-sink.ts), as the real server's parquet destination does.
import { interceptRequests, sendJson, sendText, startHttpTarget, type Route, type RunningTarget } from '../http-target.ts';
import type { SandboxOptions } from '../sandbox.ts';
import { ParquetSink, type ParquetSinkOptions, type SinkCounts } from './parquet-sink.ts';
import { EventStats, type ThroughputRow } from './stats.ts';
import { countBatch, scanBatch } from './wire.ts';

/** The WEF server's body limit. */
const BODY_LIMIT = 64 * 1024 * 1024;

export interface IngestCounts {
  /** Events counted, all types. */
  events: number;
  /** Batches accepted, and refused (400). */
  batches: number;
  refused: number;
  byType: ThroughputRow[];
  /** The parquet output, when the sandbox writes to S3. */
  parquet?: SinkCounts;
}

export interface IngestSandbox extends RunningTarget {
  counts(): IngestCounts;
  /** Writes the buffered events to S3 now (resolves at once without an S3 output). */
  flush(): Promise<void>;
}

export interface IngestSandboxOptions extends SandboxOptions {
  /** Parquet files to this S3 server and bucket (else: counting only). */
  s3?: ParquetSinkOptions;
  /** The benchmark sink: events counted by scanning, not parsed (see scanBatch); no parquet output. */
  scan?: boolean;
}

/** serve.ts flags: the S3 output (the credentials come from the environment, never from a flag). */
export const sandboxFlags = {
  's3-endpoint': { type: 'string', description: 'write parquet files to this S3 server (with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY in the environment)' },
  's3-bucket': { type: 'string', description: 'their bucket (default wef-events; created when missing)' },
  'flush-interval-secs': { type: 'string', description: 'seconds between flushes (default 5)' },
  'max-size-mb': { type: 'string', description: "a type's buffer is written when it reaches this size (default 100)" },
  scan: {
    type: 'boolean',
    description: 'benchmark sink: count events by scanning for their tags instead of parsing the XML (several times faster; no S3 output)',
  },
} as const;

/** The S3 output the serve flags ask for, or undefined; throws on a flag that is not a positive number. */
function s3FromFlags(flags: SandboxOptions['flags'] = {}): ParquetSinkOptions | undefined {
  if (typeof flags['s3-endpoint'] !== 'string') return undefined;
  const positive = (name: string, fallback: number) => {
    const v = flags[name] === undefined ? fallback : Number(flags[name]);
    if (!(v > 0)) throw new Error(`--${name} must be a positive number, got ${String(flags[name])}`);
    return v;
  };
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
  if (!accessKeyId || !secretAccessKey) throw new Error('--s3-endpoint needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment');
  return {
    endpoint: flags['s3-endpoint'],
    bucket: typeof flags['s3-bucket'] === 'string' ? flags['s3-bucket'] : 'wef-events',
    accessKeyId,
    secretAccessKey,
    flushIntervalMs: positive('flush-interval-secs', 5) * 1000,
    maxSizeMb: positive('max-size-mb', 100),
  };
}

function routes(stats: EventStats, sink: ParquetSink | undefined, scan: boolean): Route[] {
  return [
    { method: 'GET', path: /^\/health$/, name: 'health', handle: (_req, res) => sendText(res, 200, 'OK') },
    {
      method: 'POST',
      path: /^\/wsman\/events$/,
      name: 'events',
      handle: (_req, res, _params, body) => {
        const batch = scan ? scanBatch(body.toString('utf8')) : countBatch(body.toString('utf8'), sink !== undefined);
        if (!batch.ok) {
          stats.refused += 1;
          return sendText(res, 400, `Bad Request: ${batch.reason}`);
        }
        stats.record(batch.byType);
        sink?.add(batch.rows);
        sendText(res, 200, 'OK');
      },
    },
    { method: 'GET', path: /^\/stats\/throughput$/, name: 'stats', handle: (_req, res) => sendJson(res, 200, stats.rows()) },
  ];
}

export async function startIngestSandbox(options: IngestSandboxOptions = {}): Promise<IngestSandbox> {
  const stats = new EventStats();
  const scan = options.scan ?? options.flags?.scan === true;
  const s3 = options.s3 ?? s3FromFlags(options.flags);
  if (scan && s3) throw new Error('the scanning sink (--scan) writes no parquet: drop --scan or the S3 output');
  const sink = s3 ? new ParquetSink(s3) : undefined;
  await sink?.ensureBucket();
  const target = await startHttpTarget({
    port: options.port,
    host: options.host,
    routes: routes(stats, sink, scan),
    bodyLimit: BODY_LIMIT,
    extraStats: () => ({ ingest: { events: stats.total(), batches: stats.batches, refused: stats.refused } }),
    onReset: () => stats.clear(),
  });
  const counts = (): IngestCounts => ({
    events: stats.total(),
    batches: stats.batches,
    refused: stats.refused,
    byType: stats.rows(),
    ...(sink ? { parquet: { ...sink.counts } } : {}),
  });
  interceptRequests(target.server, (req, res, path) => {
    if (req.method !== 'GET' || path !== '/__sandbox/ingest') return false;
    sendJson(res, 200, counts());
    return true;
  });
  const flush = async () => sink?.flush();
  // the buffered events are written before the server stops
  const close = async () => {
    await sink?.close();
    await target.close();
  };
  return { ...target, counts, flush, close };
}

/** The sandbox contract's entry point (tools/sandbox/sandbox.ts). */
export const startSandbox = startIngestSandbox;

export function describeWork(target: RunningTarget): string {
  const c = (target as IngestSandbox).counts();
  const parquet = c.parquet ? `; ${c.parquet.rows} events in ${c.parquet.files} parquet files` : '';
  return `the WEF sandbox counted ${c.events} events in ${c.batches} batches (${c.refused} refused), ${c.byType.length} event type(s)${parquet}`;
}
