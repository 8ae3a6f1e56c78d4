// The ingestion family with the real k6 against the WEF sandbox (tools/sandbox/ingest): exact counts in
// count and duration modes (events sent == the server's count), progress lines, the seed's verdict
// failing on a rate not achieved and on failed batches, and an unhealthy server stopping setup (108).
// With a real S3 server (versitygw): the sandbox's parquet files found under the reference's prefixes,
// events sent == the server's count == parquet rows (k6's count and our own read with hyparquet), and
// the S3 secret in no output.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { parquetMetadata } from 'hyparquet';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runK6 } from '../../tools/k6.ts';
import { startIngestSandbox, type IngestSandbox } from '../../tools/sandbox/ingest/index.ts';
import { count, readResult, scratchDir } from '../support/results.ts';
import { type RunningS3, startS3 } from '../support/s3.ts';

let sandbox: IngestSandbox;
let results: ReturnType<typeof scratchDir>;

beforeAll(async () => {
  sandbox = await startIngestSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  results?.remove();
  results = scratchDir('k6-ingest-');
  sandbox.reset();
});

const ingest = (env: Record<string, string>) =>
  runK6({ script: 'dist/ingest.js', env: { WEF_ENDPOINT: sandbox.url, RESULTS_DIR: results.dir, RUN_NAME: 't', ...env }, args: ['--quiet'] });
const result = () => readResult(join(results.dir, 't_ingest.json'));

/** The sink shares the 2 cores: a pass, or an honest inconclusive for a starved generator and nothing else. */
function expectPassOrStarved(r: ReturnType<typeof result>): void {
  const starved = (r.meta.reasons as string[]).every((reason) => reason.startsWith('the load generator was starved'));
  expect(r.meta.verdict === 'pass' || (r.meta.verdict === 'inconclusive' && starved), JSON.stringify(r.meta.reasons)).toBe(true);
}

describe('dist/ingest.js against the WEF sandbox', () => {
  it('count mode at a target rate: exactly PERF_TEST_TOTAL_EVENTS events (the last batch short), all verified by the server', async () => {
    const out = await ingest({ PERF_TEST_TOTAL_EVENTS: '45678', PERF_TEST_BATCH_SIZE: '200', PERF_TEST_TARGET_EPS: '10000' });
    const r = result();
    expectPassOrStarved(r);
    expect(sandbox.counts()).toMatchObject({ events: 45678, batches: 229, refused: 0 });
    expect(count(r, 'records_written_total')).toBe(45678);
    expect(count(r, 'ingest_events_unverified')).toBe(0);
    expect(count(r, 'dropped_iterations')).toBe(0);
    expect(r.metrics.ingest_target_rate_ratio.values.value).toBeGreaterThanOrEqual(0.95);
    expect(out.stderr).toContain('Progress: 20,000 events sent - Current rate:');
    expect(out.stderr).toMatch(/Remaining: 5,678 events/);
    expect(out.stdout).toContain('events: 45678 sent, 45678 received by the server');
  });

  it('count mode as fast as possible, a fixed event type: exact, one type on the server', async () => {
    const out = await ingest({ PERF_TEST_TOTAL_EVENTS: '25000', PERF_TEST_BATCH_SIZE: '500', PERF_TEST_EVENT_TYPE: '4625' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const c = sandbox.counts();
    expect(c).toMatchObject({ events: 25000, batches: 50 });
    expect(c.byType.map((t) => [t.event_type, t.total_events])).toEqual([['Microsoft-Windows-Security-Auditing:4625', 25000]]);
  });

  it('duration mode: what k6 counted as sent is what the server counted, exactly', async () => {
    const out = await ingest({ PERF_TEST_DURATION_SECS: '3', PERF_TEST_TARGET_EPS: '10000' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0); // k6's exit: no threshold crossed (the verdict may still say starved)
    expectPassOrStarved(result());
    const sent = count(result(), 'records_written_total');
    expect(sent).toBeGreaterThanOrEqual(30000); // k6 starts one batch at 0 s and one per 0.1 s up to 3 s
    expect(sent).toBeLessThanOrEqual(31000);
    expect(sandbox.counts().events).toBe(sent);
  });

  it('a target rate the server cannot absorb: FAILED naming the achieved rate, never a baseline', async () => {
    const out = await ingest({ PERF_TEST_DURATION_SECS: '3', PERF_TEST_TARGET_EPS: '1000000', RUN_NAME: 'baseline' });
    expect(out.exitCode).toBe(99);
    expect(out.stdout).toMatch(/achieved [\d.]+ events\/s, [\d.]+% of the target 1000000 \(the seed asks for 95%\)/);
    expect(out.stdout).toContain('VERDICT: FAILED');
    expect(readdirSync(results.dir)).not.toContain('baseline_ingest.json');
    // what was sent was still all received
    expect(sandbox.counts().events).toBe(count(readResult(join(results.dir, 'candidate_ingest.json')), 'records_written_total'));
  });

  it('a server failing 1% of the batches: FAILED naming the failed batches; the events it took are verified', async () => {
    const run = ingest({ PERF_TEST_TOTAL_EVENTS: '50000', PERF_TEST_BATCH_SIZE: '250', PERF_TEST_TARGET_EPS: '10000' });
    while ((sandbox.stats().served.stats ?? 0) === 0) await new Promise((r) => setTimeout(r, 2));
    sandbox.setFaults({ failureRate: 0.01 });
    const out = await run;
    expect(out.exitCode).toBe(99);
    const failed = sandbox.stats().injectedFailures.events ?? 0;
    expect(failed).toBeGreaterThanOrEqual(2);
    expect(out.stdout).toContain(`${failed} batches failed`);
    expect(sandbox.counts().events).toBe(count(result(), 'records_written_total'));
    expect(sandbox.counts().events).toBe(50000 - failed * 250);
  });

  it('count mode cut short by PERF_TEST_TIMEOUT_SECS: FAILED naming the events never sent (exit 99), not a pass', async () => {
    const out = await ingest({ PERF_TEST_TOTAL_EVENTS: '5000000', PERF_TEST_TIMEOUT_SECS: '1' });
    expect(out.exitCode).toBe(99);
    const r = result();
    const attempted = count(r, 'records_written_total') + count(r, 'transaction_errors_total') * 1000;
    expect(attempted).toBeLessThan(5000000);
    expect(count(r, 'ingest_events_unsent')).toBeGreaterThanOrEqual(5000000 - attempted);
    expect(out.stdout).toMatch(/VERDICT: FAILED: [\d,]+ of the 5,000,000 events planned were sent \(the run stopped short: PERF_TEST_TIMEOUT_SECS=1 reached/);
    expect(sandbox.counts().events).toBe(count(r, 'records_written_total'));
  });

  it('Ctrl-C mid-run: inconclusive (exit 105), never a baseline; events of batches cut off unanswered are not called lost', async () => {
    // every batch spends 100 ms at the server, so the Ctrl-C always finds some in flight (k6 ends them: "context canceled")
    sandbox.setFaults({ latencyMs: 100 });
    const out = await runK6({
      script: 'dist/ingest.js',
      env: { WEF_ENDPOINT: sandbox.url, RESULTS_DIR: results.dir, RUN_NAME: 'baseline', PERF_TEST_DURATION_SECS: '8' },
      args: ['--quiet'],
      onStart: (pid) => {
        setTimeout(() => process.kill(pid, 'SIGINT'), 4000);
      },
    });
    expect(out.exitCode).toBe(105);
    expect(out.stdout).toMatch(/VERDICT: INCONCLUSIVE: interrupted: ran [\d.]+ s of the 8\.00 s planned/);
    const r = readResult(join(results.dir, 'candidate_ingest.json'));
    expect(count(r, 'ingest_events_unverified')).toBe(0);
    expect(sandbox.counts().events).toBeGreaterThanOrEqual(count(r, 'records_written_total'));
    expect(readdirSync(results.dir)).not.toContain('baseline_ingest.json');
  });

  it('an unhealthy server stops setup (108); bad settings stop init (107)', async () => {
    const down = await ingest({ WEF_ENDPOINT: 'http://127.0.0.1:1' });
    expect(down.exitCode).toBe(108);
    expect(down.stderr).toContain('ingest setup: the WEF server at WEF_ENDPOINT=http://127.0.0.1:1 is not healthy');
    const bad = await ingest({ PERF_TEST_TOTAL_EVENTS: '0', PERF_TEST_EVENT_TYPE: '70000' });
    expect(bad.exitCode).toBe(107);
    expect(bad.stderr).toContain("PERF_TEST_EVENT_TYPE='70000' is not valid");
    const notStats = await ingest({ WEF_STATS_ENDPOINT: `${sandbox.url}/health` });
    expect(notStats.exitCode).toBe(108);
    expect(notStats.stderr).toContain(`WEF_STATS_ENDPOINT=${sandbox.url}/health gives no event totals`);
    const short = await ingest({ PERF_TEST_TOTAL_EVENTS: '10000', PERF_TEST_TARGET_EPS: '20000' });
    expect(short.exitCode).toBe(107);
    expect(short.stderr).toContain('10000 events at PERF_TEST_TARGET_EPS=20000 last under a second');
    const shaped = await ingest({ LOAD_PROFILE: 'smoke', PERF_TEST_TARGET_EPS: '5000' });
    expect(shaped.exitCode).toBe(107);
    expect(shaped.stderr).toContain('LOAD_PROFILE=smoke shapes the run and replaces PERF_TEST_TARGET_EPS');
    const path = await ingest({ PERF_TEST_VERIFY_S3: 'true', S3_ENDPOINT: 'http://127.0.0.1:9000/wef-events' });
    expect(path.exitCode).toBe(107);
    expect(path.stderr).toContain("S3_ENDPOINT='http://127.0.0.1:9000/wef-events' has a path");
    const s3 = await ingest({ PERF_TEST_VERIFY_PARQUET: 'true' });
    expect(s3.exitCode).toBe(107);
    expect(s3.stderr).toContain('PERF_TEST_VERIFY_PARQUET=true counts the rows of the files the S3 check finds: set PERF_TEST_VERIFY_S3=true too');
    expect(`${s3.stdout}${s3.stderr}`).not.toContain('miniopassword');
    expect(sandbox.counts().events).toBe(0);
  });
});

describe('dist/ingest.js with the parquet output in a real S3 server (versitygw)', () => {
  let s3: RunningS3;
  let writer: IngestSandbox;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3();
    // flushes every 0.5 s, and a 1 MiB size limit so that a run writes several files per type
    writer = await startIngestSandbox({
      s3: { endpoint: s3.endpoint, bucket: 'wef-events', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, flushIntervalMs: 500, maxSizeMb: 1 },
    });
    client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await writer?.close();
    await s3?.stop();
  });
  beforeEach(async () => {
    await writer.flush(); // nothing of an earlier run is left to flush into this one
    writer.reset();
  });

  const verified = (env: Record<string, string>) =>
    ingest({
      WEF_ENDPOINT: writer.url,
      PERF_TEST_VERIFY_S3: 'true',
      S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      VERIFY_WAIT_SECS: '20',
      ...env,
    });

  /** Our own count of the files and rows under a prefix: listed with the AWS SDK, read with hyparquet. */
  async function parquetUnder(prefix: string): Promise<{ files: number; rows: number; keys: string[] }> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: 'wef-events', Prefix: prefix, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
      token = page.NextContinuationToken;
    } while (token);
    let rows = 0;
    for (const key of keys) {
      const body = await (await client.send(new GetObjectCommand({ Bucket: 'wef-events', Key: key }))).Body?.transformToByteArray();
      if (!body) throw new Error(`${key} has no body`);
      rows += Number(parquetMetadata(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer).num_rows);
    }
    return { files: keys.length, rows, keys };
  }

  const today = () => {
    const d = new Date();
    return `year=${d.getUTCFullYear()}/month=${String(d.getUTCMonth() + 1).padStart(2, '0')}/day=${String(d.getUTCDate()).padStart(2, '0')}/`;
  };

  it('count mode, a fixed event type: sent == the server count == the parquet rows, in several files under the dated prefix; the secret in no output', async () => {
    const out = await verified({
      PERF_TEST_TOTAL_EVENTS: '30000',
      PERF_TEST_BATCH_SIZE: '500',
      PERF_TEST_TARGET_EPS: '10000',
      PERF_TEST_EVENT_TYPE: '4624',
      PERF_TEST_VERIFY_PARQUET: 'true',
    });
    const r = result();
    expectPassOrStarved(r);
    expect(writer.counts().events).toBe(30000);
    expect(count(r, 'ingest_parquet_rows')).toBe(30000);
    expect(count(r, 'ingest_s3_failures')).toBe(0);
    const ours = await parquetUnder(`event_type=4624/${today()}`);
    expect(ours.rows).toBe(30000);
    expect(ours.files).toBeGreaterThanOrEqual(2);
    expect(count(r, 'ingest_s3_files')).toBe(ours.files);
    expect(ours.keys.every((k) => /^event_type=4624\/year=\d{4}\/month=\d{2}\/day=\d{2}\/events_4624_\d{8}_\d{6}_\d+\.parquet$/.test(k))).toBe(true);
    expect(out.stdout).toMatch(/S3: \d+ new parquet files, [\d.]+ MiB, 30000 rows/);
    const everything = `${out.stdout}${out.stderr}${readFileSync(join(results.dir, 't_ingest.json'), 'utf8')}`;
    expect(everything).not.toContain(s3.secretAccessKey);
  });

  it("the running event number: every type's files counted, rows == events sent exactly", async () => {
    const before = await parquetUnder('event_type=');
    const out = await verified({ PERF_TEST_TOTAL_EVENTS: '250', PERF_TEST_BATCH_SIZE: '100', PERF_TEST_VERIFY_PARQUET: 'true' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    expect(count(result(), 'ingest_parquet_rows')).toBe(250);
    const after = await parquetUnder('event_type=');
    expect(after.rows - before.rows).toBe(250);
    expect(after.files - before.files).toBe(250); // one type per event: EventIDs 1..250
  });

  it("duration mode with files only (the seed's check): passes when new files appear", async () => {
    const out = await verified({ PERF_TEST_DURATION_SECS: '2', PERF_TEST_TARGET_EPS: '5000', PERF_TEST_EVENT_TYPE: '4625' });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    expect(count(result(), 'ingest_s3_files')).toBeGreaterThanOrEqual(1);
    expect(out.stdout).toMatch(/S3: \d+ new parquet files, [\d.]+ MiB/);
  });

  it('a server that writes no parquet: FAILED naming the empty prefix (exit 99), never a baseline', async () => {
    const out = await verified({
      WEF_ENDPOINT: sandbox.url,
      PERF_TEST_TOTAL_EVENTS: '2000',
      PERF_TEST_EVENT_TYPE: '4624',
      VERIFY_WAIT_SECS: '2',
      RUN_NAME: 'baseline',
    });
    expect(out.exitCode).toBe(99);
    expect(out.stdout).toContain('S3 verification: no new parquet file under s3://wef-events/event_type=4624/… after waiting up to VERIFY_WAIT_SECS=2s');
    expect(readdirSync(results.dir)).not.toContain('baseline_ingest.json');
  });

  it('refused credentials or a missing bucket stop setup (108) naming the fix; the secret in no output', async () => {
    const wrong = await verified({ AWS_SECRET_ACCESS_KEY: 'not-the-secret-7731', PERF_TEST_TOTAL_EVENTS: '1000' });
    expect(wrong.exitCode).toBe(108);
    expect(wrong.stderr).toMatch(
      /the S3 check \(PERF_TEST_VERIFY_S3\) cannot start: listing s3:\/\/wef-events\/event_type= at http:\/\/127\.0\.0\.1:\d+: SignatureDoesNotMatch .*: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
    expect(`${wrong.stdout}${wrong.stderr}`).not.toContain('not-the-secret-7731');
    const bucket = await verified({ S3_BUCKET: 'no-such-bucket', PERF_TEST_TOTAL_EVENTS: '1000' });
    expect(bucket.exitCode).toBe(108);
    expect(bucket.stderr).toMatch(/NoSuchBucket.*check S3_BUCKET/);
    expect(`${bucket.stdout}${bucket.stderr}`).not.toContain(s3.secretAccessKey);
    const down = await verified({ S3_ENDPOINT: 'http://127.0.0.1:1', PERF_TEST_TOTAL_EVENTS: '1000' });
    expect(down.exitCode).toBe(108);
    expect(down.stderr).toMatch(/cannot start: listing s3:\/\/wef-events\/event_type= at http:\/\/127\.0\.0\.1:1: .*connection refused: check S3_ENDPOINT/);
    expect(writer.counts().events).toBe(0);
  });
});
