// The WEF server's parquet output (../shared/reference/wef-ingest.md; seed 004's forwarding config):
// events are buffered per EventID and written as parquet files (hyparquet-writer) to an S3 bucket
// (@aws-sdk/client-s3, SigV4, path-style) every `flushIntervalMs`, or sooner when a type's buffer
// reaches `maxSizeMb`. Keys: `event_type=<EventID>/year=YYYY/month=MM/day=DD/events_<EventID>_<YYYYMMDD_HHMMSS>_<n>.parquet`,
// dated by the flush (UTC). A failed upload keeps its rows for the next flush (nothing lost) and is counted.
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { EventRow } from './wire.ts';

export interface ParquetSinkOptions {
  /** The S3 server (http://host:port), its bucket (created when missing), and the credentials that sign requests. */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region?: string;
  /** Default 5000 (the seed's flush-interval-secs = 5). */
  flushIntervalMs?: number;
  /** A type's buffer is flushed when its events' estimated size reaches this (default 100, the seed's max-size-mb). */
  maxSizeMb?: number;
}

/** What the sink did so far. */
export interface SinkCounts {
  files: number;
  rows: number;
  bytes: number;
  /** Uploads that failed (their rows were kept and retried). */
  failedUploads: number;
  /** Rows buffered, not yet in a file. */
  pending: number;
}

/** An event's estimated share of a parquet file before compression: its fields' text and some framing. */
const rowBytes = (r: EventRow) => r.provider.length + r.eventId.length + r.recordId.length + r.timeCreated.length + r.computer.length + 24;

const two = (n: number) => String(n).padStart(2, '0');

/** Uploads in flight at once. */
const UPLOADS = 8;

/** The object key of a file of `eventId` written at `at` (UTC), `n` making it unique in this process. */
export function parquetKey(eventId: string, at: Date, n: number): string {
  const [y, m, d] = [at.getUTCFullYear(), two(at.getUTCMonth() + 1), two(at.getUTCDate())];
  const stamp = `${y}${m}${d}_${two(at.getUTCHours())}${two(at.getUTCMinutes())}${two(at.getUTCSeconds())}`;
  return `event_type=${eventId}/year=${y}/month=${m}/day=${d}/events_${eventId}_${stamp}_${n}.parquet`;
}

/** A parquet file of events: provider, event_id, record_id, time_created (ms timestamps), computer. */
export function eventsParquet(rows: EventRow[]): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'provider', data: rows.map((r) => r.provider), type: 'STRING' },
      { name: 'event_id', data: Int32Array.from(rows, (r) => Number(r.eventId) || 0), type: 'INT32' },
      { name: 'record_id', data: BigInt64Array.from(rows, (r) => BigInt(/^\d+$/.test(r.recordId) ? r.recordId : 0)), type: 'INT64' },
      { name: 'time_created', data: rows.map((r) => new Date(r.timeCreated)), type: 'TIMESTAMP' },
      { name: 'computer', data: rows.map((r) => r.computer), type: 'STRING' },
    ],
  });
  return new Uint8Array(buffer);
}

export class ParquetSink {
  private readonly s3: S3Client;
  private readonly buffers = new Map<string, { rows: EventRow[]; bytes: number }>();
  private readonly maxBytes: number;
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private sequence = 0;
  readonly counts: SinkCounts = { files: 0, rows: 0, bytes: 0, failedUploads: 0, pending: 0 };

  constructor(private readonly options: ParquetSinkOptions) {
    // the SDK's notice that its 2027 releases need Node 22 is not this sandbox's business
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.s3 = new S3Client({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    });
    this.maxBytes = (options.maxSizeMb ?? 100) * 1024 * 1024;
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 5000);
    this.timer.unref();
  }

  /** Creates the bucket when it does not exist yet (an S3 error other than "already yours" is thrown). */
  async ensureBucket(): Promise<void> {
    try {
      await this.s3.send(new CreateBucketCommand({ Bucket: this.options.bucket }));
    } catch (e) {
      if ((e as Error).name !== 'BucketAlreadyOwnedByYou' && (e as Error).name !== 'BucketAlreadyExists') throw e;
    }
  }

  /** Buffers a batch's events; a type whose buffer reached the size limit is written now. */
  add(rows: EventRow[]): void {
    for (const row of rows) {
      let buffer = this.buffers.get(row.eventId);
      if (!buffer) {
        buffer = { rows: [], bytes: 0 };
        this.buffers.set(row.eventId, buffer);
      }
      buffer.rows.push(row);
      buffer.bytes += rowBytes(row);
      if (buffer.bytes >= this.maxBytes) this.write(this.take([row.eventId]));
    }
    this.counts.pending += rows.length;
  }

  /** Writes every buffered event as files; resolves when they (and the writes before them) are done. */
  flush(): Promise<void> {
    return this.write(this.take([...this.buffers.keys()]));
  }

  /** Detaches the buffers of these types (what arrives next starts new ones). */
  private take(types: string[]): Array<[string, { rows: EventRow[]; bytes: number }]> {
    const taken = types.flatMap((t) => {
      const buffer = this.buffers.get(t);
      return buffer ? [[t, buffer] as [string, typeof buffer]] : [];
    });
    for (const t of types) this.buffers.delete(t);
    return taken;
  }

  /** Queues the writes of detached buffers after the ones before (UPLOADS at a time: one file per EventID adds up). */
  private write(taken: Array<[string, { rows: EventRow[]; bytes: number }]>): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const queue = [...taken];
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await this.upload(...next);
      };
      await Promise.all(Array.from({ length: Math.min(UPLOADS, queue.length) }, worker));
    });
    return this.flushing;
  }

  /** Stops the timer and writes what is buffered. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    this.s3.destroy();
  }

  private async upload(eventId: string, buffer: { rows: EventRow[]; bytes: number }): Promise<void> {
    const body = eventsParquet(buffer.rows);
    const key = parquetKey(eventId, new Date(), ++this.sequence);
    try {
      await this.s3.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: body }));
      this.counts.files += 1;
      this.counts.rows += buffer.rows.length;
      this.counts.bytes += body.length;
      this.counts.pending -= buffer.rows.length;
    } catch (e) {
      // kept for the next flush, ahead of what arrived since
      this.counts.failedUploads += 1;
      const later = this.buffers.get(eventId);
      this.buffers.set(eventId, later ? { rows: [...buffer.rows, ...later.rows], bytes: buffer.bytes + later.bytes } : buffer);
      console.error(
        `wef sandbox: uploading ${key} to s3://${this.options.bucket} failed (${(e as Error).name}: ${(e as Error).message}); kept for the next flush`,
      );
    }
  }
}
