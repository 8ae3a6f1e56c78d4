// The S3 side of seed 004's verification: the parquet files the WEF server wrote for a run, counted
// through k6/x/s3parquet (SigV4-signed ListObjectsV2, rows from the footers) before and after the load.
import { inventory } from 'k6/x/s3parquet';
import type { IngestValues } from './config';
import { runListings } from './s3-keys';

/** What the run's listings hold: parquet files, their bytes, their rows (0 unless PERF_TEST_VERIFY_PARQUET), a few keys. */
export interface S3Totals {
  files: number;
  bytes: number;
  rows: number;
  sample: string[];
}

/**
 * The totals over the listings of a run that began at `fromMs` (epoch ms), up to now: the first call
 * (setup) records the files there before the load and counts them without reading rows; later calls
 * (teardown) count only files that were not there (k6/x/s3parquet `since`). Throws an Error naming the
 * problem (S3_ENDPOINT unreachable, credentials refused, S3_BUCKET missing, a file that is not parquet);
 * the secret is never in it.
 */
export function s3Totals(cfg: IngestValues, fromMs: number, timeoutMs: number): S3Totals {
  const totals: S3Totals = { files: 0, bytes: 0, rows: 0, sample: [] };
  for (const listing of runListings(cfg.PERF_TEST_EVENT_TYPE, fromMs, Date.now())) {
    const found = inventory({
      endpoint: cfg.S3_ENDPOINT,
      bucket: cfg.S3_BUCKET,
      region: cfg.S3_REGION,
      accessKeyId: cfg.AWS_ACCESS_KEY_ID,
      secretAccessKey: cfg.AWS_SECRET_ACCESS_KEY,
      rows: cfg.PERF_TEST_VERIFY_PARQUET,
      since: 'before the load',
      timeoutMs,
      ...listing,
    });
    totals.files += found.files;
    totals.bytes += found.bytes;
    totals.rows += found.rows;
    totals.sample.push(...found.sample);
  }
  return totals;
}

/** Where the run's files are looked for, for messages: s3://<bucket>/<first prefix>. */
export function s3Where(cfg: IngestValues, fromMs: number): string {
  return `s3://${cfg.S3_BUCKET}/${runListings(cfg.PERF_TEST_EVENT_TYPE, fromMs, fromMs)[0].prefix} at S3_ENDPOINT=${cfg.S3_ENDPOINT}`;
}
