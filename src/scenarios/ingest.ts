// Seed 004's event ingestion against a WEF collector (../shared/reference/wef-ingest.md): batches of
// PERF_TEST_BATCH_SIZE events POSTed to WEF_ENDPOINT/wsman/events as SOAP, at PERF_TEST_TARGET_EPS held by
// an arrival-rate executor (0 = as fast as INGEST_VUS VUs can), for PERF_TEST_DURATION_SECS or exactly
// PERF_TEST_TOTAL_EVENTS events. A progress line every 100 batches. setup() checks /health and reads the
// server's totals (/stats/throughput); teardown() reads them again, waiting up to VERIFY_WAIT_SECS for
// them to reach the events sent. With PERF_TEST_VERIFY_S3, the server's parquet files of the run are
// counted in S3 before and after (new files under event_type=<id>/year=…/month=…/day=…/; with
// PERF_TEST_VERIFY_PARQUET their rows too, which must equal the events sent), waiting up to
// VERIFY_WAIT_SECS for the server's flushes. The seed's verdict as thresholds: no batch failed
// (transaction_errors_total), every event verified (ingest_events_unverified, ingest_s3_failures), and
// ≥ 95 % of the target rate achieved over the load phase (ingest_target_rate_ratio).
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Gauge } from 'k6/metrics';
import { records, tallies, tally } from 'k6/x/loadgen';
import { batchTemplate, stampText } from '../shared/ingest/batch';
import { INGEST_SETTINGS, eventsInBatch, ingestPlan } from '../lib/ingest/config';
import { type S3Totals, s3Totals, s3Where } from '../lib/ingest/s3-verify';
import { recordTransaction } from '../lib/metrics';
import { buildOptions } from '../lib/options';
import { planRun } from '../lib/run-plan';
import { readSettings } from '../lib/settings';
import { createSetup } from '../lib/setup';
import { createSummaryHook } from '../lib/summary';
import { formatCount } from '../shared/format';

const settings = readSettings(INGEST_SETTINGS);
const cfg = settings.own;
const shape = ingestPlan(cfg);
const statsUrl = cfg.WEF_STATS_ENDPOINT || `${cfg.WEF_ENDPOINT}/stats/throughput`;
const eventsUrl = `${cfg.WEF_ENDPOINT}/wsman/events`;
const batchesPerSec = shape.targetEps / shape.batchSize;
/** setup()'s and teardown()'s bounds: a request to the WEF server (REQUEST_TIMEOUT, at most 15 s), one S3 inventory (30 s). */
const SETUP_REQUEST_MS = Math.min(cfg.REQUEST_TIMEOUT, 15_000);
const S3_LIST_MS = 30_000;
/** The rate the seed's verdict holds the run to: PERF_TEST_TARGET_EPS, unless LOAD_PROFILE shapes the run instead. */
const judgedEps = settings.load.given ? 0 : shape.targetEps;

/** The seed's shape: an arrival rate of batches at a target EPS, else VUs as fast as they go; exact batches in count mode. */
function seedScenario() {
  if (shape.targetEps > 0) {
    // count mode: k6 starts an iteration every 1/rate while the offset is under the duration, so half an
    // interval short of `batches` intervals starts exactly `batches` of them
    const ms = shape.mode === 'duration' ? shape.durationSecs * 1000 : Math.max(1, Math.round(((shape.batches - 0.5) * 1000) / batchesPerSec));
    // a second's batches in flight from the start (a VU started mid-run takes long enough to drop
    // iterations), at most 50: past that the server, not k6, is what cannot keep up
    const vus = Math.max(cfg.INGEST_VUS, Math.min(Math.ceil(batchesPerSec), 50));
    return {
      executor: 'constant-arrival-rate' as const,
      exec: 'sendBatch',
      rate: shape.targetEps,
      timeUnit: `${shape.batchSize}s`,
      duration: `${ms}ms`,
      preAllocatedVUs: vus,
      maxVUs: vus * 2,
    };
  }
  if (shape.mode === 'duration') return { executor: 'constant-vus' as const, exec: 'sendBatch', vus: cfg.INGEST_VUS, duration: `${shape.durationSecs}s` };
  return {
    executor: 'shared-iterations' as const,
    exec: 'sendBatch',
    vus: Math.min(cfg.INGEST_VUS, shape.batches),
    iterations: shape.batches,
    maxDuration: `${shape.timeoutSecs}s`,
  };
}

// with LOAD_PROFILE the profile shapes the batches (count mode still sends no event past PERF_TEST_TOTAL_EVENTS)
const workload = settings.load.given
  ? `batches of ${shape.batchSize} by LOAD_PROFILE${shape.mode === 'count' ? `, at most ${shape.totalEvents} events` : ''}`
  : `${shape.mode === 'count' ? `${shape.totalEvents} events` : `${shape.durationSecs}s`} at ${shape.targetEps || 'max'} EPS, batches of ${shape.batchSize}`;
const plan = planRun(
  settings,
  { sendBatch: 1 },
  { target: cfg.WEF_ENDPOINT, workload },
  {
    endChecks,
    throughputUngated:
      "k6's rate of records_written_total spans setup's and teardown's verification waits; the seed's own check judges the rate over the load phase (ingest_target_rate_ratio >= 0.95)",
  },
  settings.load.given ? undefined : { name: `seed 004 (${workload})`, scenarios: { sendBatch: seedScenario() } },
);

/** Events the server did not confirm (|sent − received|), added once by teardown. */
const unverified = new Counter('ingest_events_unverified');
/** Count mode: planned events never sent (the run stopped short), added once by teardown. */
const unsent = new Counter('ingest_events_unsent');
/** Achieved ÷ target events/s over the load phase (with a target rate), set once by teardown. */
const rateRatio = new Gauge('ingest_target_rate_ratio');
/** PERF_TEST_VERIFY_S3: the run's new parquet files, their bytes and (PERF_TEST_VERIFY_PARQUET) rows, added once by teardown. */
const s3Files = new Counter('ingest_s3_files');
const s3Bytes = new Counter('ingest_s3_bytes');
const parquetRows = new Counter('ingest_parquet_rows');
/** 1 when the S3 verification failed (no new file, rows ≠ events sent, S3 unreadable), added once by teardown. */
const s3Failures = new Counter('ingest_s3_failures');

export const options = buildOptions(
  plan,
  // no batch failed
  { transaction_errors_total: ['count==0'] },
  // setup: two requests and an S3 listing, each bounded below this; teardown: two waits of VERIFY_WAIT_SECS, and their last requests
  {
    setupTimeout: `${(2 * SETUP_REQUEST_MS + S3_LIST_MS) / 1000 + 30}s`,
    teardownTimeout: `${2 * cfg.VERIFY_WAIT_SECS + (SETUP_REQUEST_MS + S3_LIST_MS) / 1000 + 60}s`,
  },
  // the seed's verdict, judged once at the end: every event verified, ≥ 95 % of the target rate
  {
    ingest_events_unverified: ['count==0'],
    ...(shape.mode === 'count' && !settings.load.given ? { ingest_events_unsent: ['count==0'] } : {}),
    ...(judgedEps > 0 ? { ingest_target_rate_ratio: ['value>=0.95'] } : {}),
    ...(cfg.PERF_TEST_VERIFY_S3 ? { ingest_s3_failures: ['count==0'] } : {}),
  },
);

/** setup()'s answer: the server's total before the load, and when the load began (epoch ms). */
interface Run {
  before: number;
  startedAt: number;
}

/** The server's total of events received (the sum of total_events over every event type); undefined when unreadable. */
function serverTotal(): number | undefined {
  const res = http.get(statsUrl, { tags: { name: 'stats' }, timeout: `${SETUP_REQUEST_MS}ms` });
  if (res.status !== 200) return undefined;
  let rows: unknown;
  try {
    rows = res.json();
  } catch {
    return undefined; // not JSON: not the stats endpoint
  }
  return Array.isArray(rows) ? rows.reduce((sum: number, r: { total_events?: number }) => sum + (Number(r?.total_events) || 0), 0) : undefined;
}

export const setup = createSetup(plan, (): Run => {
  const health = http.get(`${cfg.WEF_ENDPOINT}/health`, { tags: { name: 'health' }, timeout: `${SETUP_REQUEST_MS}ms` });
  if (health.status !== 200) {
    exec.test.abort(
      `ingest setup: the WEF server at WEF_ENDPOINT=${cfg.WEF_ENDPOINT} is not healthy (GET /health: ${health.status === 0 ? health.error : health.status}): start it or fix WEF_ENDPOINT`,
    );
  }
  const before = serverTotal();
  if (before === undefined) {
    exec.test.abort(`ingest setup: WEF_STATS_ENDPOINT=${statsUrl} gives no event totals (/stats/throughput rows): fix WEF_STATS_ENDPOINT`);
  }
  let s3 = '';
  if (cfg.PERF_TEST_VERIFY_S3) {
    try {
      const there = s3Totals(cfg, Date.now(), S3_LIST_MS);
      s3 = `; ${there.files} parquet files already under ${s3Where(cfg, Date.now())}`;
    } catch (e) {
      exec.test.abort(`ingest setup: the S3 check (PERF_TEST_VERIFY_S3) cannot start: ${(e as Error).message}`);
    }
  }
  console.log(`ingest: WEF server is healthy; baseline event count ${before}${s3}; ${workload}`);
  // the load phase starts now: the checks above are not part of the achieved rate
  return { before: before ?? 0, startedAt: Date.now() };
});

const params = { headers: { 'content-type': 'application/soap+xml' }, timeout: `${cfg.REQUEST_TIMEOUT}ms`, tags: { name: 'events' } };
/** This VU's batch template, rendered natively per batch (k6/x/loadgen records()). */
const batches = records(batchTemplate(cfg.PERF_TEST_EVENT_TYPE));
const accepted = { 'batch accepted (200 OK)': (r: { status: number }) => r.status === 200 };

/** One batch: its events numbered from its index (unique across VUs and k6 instances), posted, counted when the server said OK. */
export function sendBatch(run: Run): void {
  const index = exec.scenario.iterationInTest;
  const count = eventsInBatch(shape, index);
  if (count === 0) return; // count mode: past the last batch
  tally('ingest:attempted', count);
  tally('ingest:started');
  const body = batches.render(index * shape.batchSize + 1, count, [stampText(new Date())]);
  const res = http.post(eventsUrl, body, params);
  // cut off by the run's stop: unanswered (attempted, neither accepted nor failed), and no latency to record
  if (stoppedMidRequest(res)) return;
  const ok = check(res, accepted);
  recordTransaction({
    kind: 'batch',
    latencyMs: res.timings.duration,
    ok,
    cause: ok ? undefined : res.status === 0 ? (/timeout/i.test(res.error ?? '') ? 'timeout' : 'connection') : res.status < 500 ? 'validation' : 'server',
    bytesWritten: body.byteLength,
    recordsWritten: ok ? count : 0,
  });
  if (!ok) {
    tally('ingest:failed');
    tally('ingest:failedevents', count);
    console.warn(`ingest: batch ${index + 1} failed: ${res.status === 0 ? res.error : `${res.status} ${String(res.body ?? '').slice(0, 200)}`}`);
    return;
  }
  const sent = tally('ingest:events', count);
  if (tally('ingest:batches') % 100 === 0) console.log(progressLine(sent, run.startedAt));
}

/**
 * A request k6 itself ended because the run stopped (Ctrl-C, gracefulStop passed): k6 v2.2.0 cancels the
 * VU's context, and the request comes back as status 0, error "context canceled" (error_code 1000), before
 * the iteration is interrupted (measured with an arrival-rate run and SIGINT).
 */
function stoppedMidRequest(res: { status: number; error?: string }): boolean {
  return res.status === 0 && res.error === 'context canceled';
}

/** The seed's progress line: events sent, the current rate, what remains. */
function progressLine(sent: number, startedAt: number): string {
  const seconds = (Date.now() - startedAt) / 1000;
  const rate = seconds > 0 ? sent / seconds : 0;
  const remaining =
    shape.mode === 'duration' ? `${Math.max(0, Math.round(shape.durationSecs - seconds))}s` : `${formatCount(Math.max(0, shape.totalEvents - sent))} events`;
  return `Progress: ${formatCount(sent)} events sent - Current rate: ${rate.toFixed(1)} events/sec - Remaining: ${remaining}`;
}

/** After the load: the server's totals until they reach the events sent (bounded), then the seed's results. */
export function teardown(run: Run | undefined): void {
  if (!run) return;
  // at a target rate, N batches take N intervals at the least, as the seed's client paces them (k6 starts
  // the first at 0 s and none after the end: over the wall time alone a short run would beat its target)
  const paced = judgedEps > 0 ? (tallies('ingest:started')['ingest:started'] ?? 0) / batchesPerSec : 0;
  const loadSeconds = Math.max((Date.now() - run.startedAt) / 1000, paced);
  const sent = tallies('ingest:events')['ingest:events'] ?? 0;
  const deadline = Date.now() + cfg.VERIFY_WAIT_SECS * 1000;
  let received = (serverTotal() ?? run.before) - run.before;
  while (received < sent && Date.now() < deadline) {
    sleep(0.25);
    received = (serverTotal() ?? run.before) - run.before;
  }
  tally('ingest:verified', 1);
  tally('ingest:received', received);
  tally('ingest:loadms', Math.round(loadSeconds * 1000));
  unverified.add(unconfirmed(sent, received, tallies('ingest:')));
  if (shape.mode === 'count' && !settings.load.given) unsent.add(Math.max(0, shape.totalEvents - (tallies('ingest:attempted')['ingest:attempted'] ?? 0)));
  const rate = loadSeconds > 0 ? sent / loadSeconds : 0;
  if (judgedEps > 0) rateRatio.add(rate / judgedEps);
  console.log(
    `ingest: ${sent} events sent, ${received} received by the server, ${rate.toFixed(1)} events/s over ${loadSeconds.toFixed(2)}s` +
      (judgedEps > 0 ? ` (${((rate / judgedEps) * 100).toFixed(1)}% of the target ${judgedEps})` : ''),
  );
  if (cfg.PERF_TEST_VERIFY_S3) verifyS3(run.startedAt, sent);
}

/**
 * The S3 check after the load: the run's new parquet files (and, with PERF_TEST_VERIFY_PARQUET, their
 * rows) listed every second until they hold every event sent (rows), or a file appeared (files only),
 * for up to VERIFY_WAIT_SECS. Leaves its findings in the tallies for the summary.
 */
function verifyS3(startedAt: number, sent: number): void {
  const deadline = Date.now() + cfg.VERIFY_WAIT_SECS * 1000;
  const done = (n: S3Totals) => (cfg.PERF_TEST_VERIFY_PARQUET ? n.rows >= sent : n.files > 0);
  let found: S3Totals | undefined;
  let error: string | undefined;
  for (;;) {
    try {
      // a listing may use the time left (thousands of new files: a footer each); the footers it read
      // are cached, so one cut short is resumed by the next
      found = s3Totals(cfg, startedAt, Math.max(S3_LIST_MS, deadline - Date.now()));
      error = undefined;
      if (done(found)) break;
    } catch (e) {
      error = (e as Error).message;
    }
    if (Date.now() >= deadline) break;
    sleep(1);
  }
  if (error || !found) {
    const why = `${error ?? 'no listing answered'} (still failing after VERIFY_WAIT_SECS=${cfg.VERIFY_WAIT_SECS}s)`;
    tally(`ingest:s3error:${why}`);
    s3Failures.add(1);
    console.error(`ingest: S3 verification failed: ${why}`);
    return;
  }
  tally('ingest:s3checked');
  tally('ingest:s3files', found.files);
  tally('ingest:s3bytes', found.bytes);
  tally('ingest:s3rows', found.rows);
  s3Files.add(found.files);
  s3Bytes.add(found.bytes);
  if (cfg.PERF_TEST_VERIFY_PARQUET) parquetRows.add(found.rows);
  s3Failures.add(found.files === 0 || (cfg.PERF_TEST_VERIFY_PARQUET && found.rows !== sent) ? 1 : 0);
  console.log(
    `ingest: S3 ${s3Where(cfg, startedAt)}: ${found.files} new parquet files, ${(found.bytes / 1048576).toFixed(2)} MiB` +
      (cfg.PERF_TEST_VERIFY_PARQUET ? `, ${found.rows} rows of the ${sent} events sent` : '') +
      (found.sample.length ? `; e.g. ${found.sample.join(', ')}` : ''),
  );
}

/**
 * Events the server's count does not confirm: |sent − received|, except that events of batches cut off
 * unanswered (a Ctrl-C, a stop past gracefulStop: attempted, neither accepted nor failed) may have
 * reached the server all the same, so received may exceed sent by up to those.
 */
function unconfirmed(sent: number, received: number, t: Record<string, number>): number {
  const unanswered = Math.max(0, (t['ingest:attempted'] ?? 0) - sent - (t['ingest:failedevents'] ?? 0));
  return received < sent ? sent - received : Math.max(0, received - sent - unanswered);
}

/** The summary's view of the verification teardown left in the tallies. */
function endChecks(): { failed: string[]; unjudged: string[]; notes: string[] } {
  const t = tallies('ingest:');
  if (!t['ingest:verified']) return { failed: [], unjudged: ['not verified: teardown() did not run (--no-teardown, or setup failed)'], notes: [] };
  const sent = t['ingest:events'] ?? 0;
  const received = t['ingest:received'] ?? 0;
  const seconds = (t['ingest:loadms'] ?? 0) / 1000;
  const rate = seconds > 0 ? sent / seconds : 0;
  const failed: string[] = [];
  if (t['ingest:failed']) failed.push(`${t['ingest:failed']} batches failed (${formatCount(t['ingest:failed'] * shape.batchSize)} events or fewer not sent)`);
  // count mode is exact: a run that stopped short (PERF_TEST_TIMEOUT_SECS reached, iterations dropped) did not carry out its plan
  const attempted = t['ingest:attempted'] ?? 0;
  if (shape.mode === 'count' && !settings.load.given && attempted < shape.totalEvents)
    failed.push(
      `${formatCount(attempted)} of the ${formatCount(shape.totalEvents)} events planned were sent (the run stopped short: PERF_TEST_TIMEOUT_SECS=${shape.timeoutSecs} reached, or iterations dropped)`,
    );
  if (unconfirmed(sent, received, t) > 0)
    failed.push(`the server received ${received} events of the ${sent} sent (waited up to VERIFY_WAIT_SECS=${cfg.VERIFY_WAIT_SECS}s)`);
  if (judgedEps > 0 && rate < 0.95 * judgedEps)
    failed.push(`achieved ${rate.toFixed(1)} events/s, ${((rate / judgedEps) * 100).toFixed(1)}% of the target ${judgedEps} (the seed asks for 95%)`);
  const notes = [`events: ${sent} sent, ${received} received by the server; ${rate.toFixed(1)} events/s over ${seconds.toFixed(2)}s`];
  if (received > sent && unconfirmed(sent, received, t) === 0)
    notes.push(`the server also took ${received - sent} events of batches cut off unanswered (the run was stopped mid-request)`);
  if (cfg.PERF_TEST_VERIFY_S3) s3Checks(t, sent, failed, notes);
  return { failed, unjudged: [], notes };
}

/** The S3 verification's findings (teardown's tallies) as failures and a note. */
function s3Checks(t: Record<string, number>, sent: number, failed: string[], notes: string[]): void {
  const error = Object.keys(t).find((k) => k.startsWith('ingest:s3error:'));
  if (error) {
    failed.push(`S3 verification failed: ${error.slice('ingest:s3error:'.length)}`);
    return;
  }
  const [files, bytes, rows] = [t['ingest:s3files'] ?? 0, t['ingest:s3bytes'] ?? 0, t['ingest:s3rows'] ?? 0];
  const where = `s3://${cfg.S3_BUCKET}/event_type=${cfg.PERF_TEST_EVENT_TYPE || '*'}/…`;
  if (files === 0) failed.push(`S3 verification: no new parquet file under ${where} after waiting up to VERIFY_WAIT_SECS=${cfg.VERIFY_WAIT_SECS}s`);
  else if (cfg.PERF_TEST_VERIFY_PARQUET && rows !== sent)
    failed.push(
      `S3 verification: the new parquet files under ${where} hold ${rows} events of the ${sent} sent (waited up to VERIFY_WAIT_SECS=${cfg.VERIFY_WAIT_SECS}s)` +
        (rows > sent
          ? ': files of other writers landed there during the run (an earlier run still being flushed?); let the server finish flushing before a run'
          : ': the server had not written them all yet (raise VERIFY_WAIT_SECS beyond its flush interval) or lost some'),
    );
  notes.push(`S3: ${files} new parquet files, ${(bytes / 1048576).toFixed(2)} MiB${cfg.PERF_TEST_VERIFY_PARQUET ? `, ${rows} rows` : ''}`);
}

export const handleSummary = createSummaryHook(plan);
