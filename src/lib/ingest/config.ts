// The variables of dist/ingest.js: seed 004's, with the seed's defaults (its README's table), and the
// settings stage. Pure: no k6 imports.
import { ingest } from '../../shared/families/ingest';
import { bool, int, secret, str, url, type Values } from '../config';
import type { SettingsSpec } from '../settings';

export const INGEST_RULES = {
  // the WEF server (seed: http://wef-server:5985); events go to <WEF_ENDPOINT>/wsman/events
  WEF_ENDPOINT: url('http://wef-server:5985'),
  // its throughput stats (seed: http://wef-server:5985/stats/throughput); unset: <WEF_ENDPOINT>/stats/throughput
  WEF_STATS_ENDPOINT: url(''),
  // count mode: events to send, exactly (0 = use the duration)
  PERF_TEST_TOTAL_EVENTS: int(50_000, { min: 0, max: 1_000_000_000 }),
  // duration mode: seconds of load (0 = use the total events); wins when both are given, as in the seed's examples
  PERF_TEST_DURATION_SECS: int(0, { min: 0, max: 86_400 }),
  PERF_TEST_BATCH_SIZE: int(1000, { min: 1, max: 100_000 }),
  // events per second to hold (0 = as fast as possible)
  PERF_TEST_TARGET_EPS: int(0, { min: 0, max: 10_000_000 }),
  // the longest the load may take (seed: 300-600)
  PERF_TEST_TIMEOUT_SECS: int(600, { min: 1, max: 86_400 }),
  // a fixed EventID (1-65535); empty: the running event number, as the seed's client does
  PERF_TEST_EVENT_TYPE: str('', {
    pattern: /^([1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/,
    allowed: 'an EventID from 1 to 65535, or empty for the running number',
  }),
  // S3 verification of the server's parquet output: new files (and bytes) under the run's prefixes
  PERF_TEST_VERIFY_S3: bool(false),
  // ... and their rows (each file's footer): events in parquet == events sent (needs PERF_TEST_VERIFY_S3)
  PERF_TEST_VERIFY_PARQUET: bool(false),
  S3_ENDPOINT: url('http://minio:9000'),
  S3_BUCKET: str('wef-events', { pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, allowed: 'an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)' }),
  S3_REGION: str('us-east-1', { pattern: /^[a-z0-9-]+$/, allowed: 'an S3 region like us-east-1' }),
  AWS_ACCESS_KEY_ID: str('miniouser'),
  AWS_SECRET_ACCESS_KEY: secret('miniopassword'),
  // VUs sending batches when PERF_TEST_TARGET_EPS=0 (as fast as possible); at a target rate, VUs are allocated as needed
  INGEST_VUS: int(4, { min: 1, max: 1000 }),
  // how long teardown waits for the server's totals to reach the events sent (and again for the parquet files)
  VERIFY_WAIT_SECS: int(30, { min: 0, max: 3600 }),
  REQUEST_TIMEOUT: int(60_000, { min: 1, max: 600_000 }),
};

export type IngestValues = Values<typeof INGEST_RULES>;

/** The run's shape: duration or count mode, at a rate or as fast as possible. */
export interface IngestPlan {
  mode: 'duration' | 'count';
  /** Seconds of load (duration mode). */
  durationSecs: number;
  /** Events to send (count mode), and the batches they make (the last one may be smaller). */
  totalEvents: number;
  batches: number;
  batchSize: number;
  targetEps: number;
  timeoutSecs: number;
}

export function ingestPlan(c: IngestValues): IngestPlan {
  const mode = c.PERF_TEST_DURATION_SECS > 0 ? 'duration' : 'count';
  return {
    mode,
    durationSecs: c.PERF_TEST_DURATION_SECS,
    totalEvents: mode === 'count' ? c.PERF_TEST_TOTAL_EVENTS : 0,
    batches: mode === 'count' ? Math.ceil(c.PERF_TEST_TOTAL_EVENTS / c.PERF_TEST_BATCH_SIZE) : 0,
    batchSize: c.PERF_TEST_BATCH_SIZE,
    targetEps: c.PERF_TEST_TARGET_EPS,
    timeoutSecs: c.PERF_TEST_TIMEOUT_SECS,
  };
}

/** Events in batch `index` (0-based) of a count-mode run: the batch size, the remainder for the last, 0 past the end. */
export function eventsInBatch(plan: IngestPlan, index: number): number {
  if (plan.mode === 'duration') return plan.batchSize;
  return Math.max(0, Math.min(plan.batchSize, plan.totalEvents - index * plan.batchSize));
}

function problems(c: IngestValues, _cwd: string | undefined, load: { profile: string; given: boolean }): string[] {
  const out: string[] = [];
  // LOAD_PROFILE replaces the seed's shape: a rate or a duration given with it would be ignored without a word
  const shaped = [c.PERF_TEST_TARGET_EPS > 0 && 'PERF_TEST_TARGET_EPS', c.PERF_TEST_DURATION_SECS > 0 && 'PERF_TEST_DURATION_SECS'].filter(Boolean);
  if (load.given && shaped.length > 0)
    out.push(
      `LOAD_PROFILE=${load.profile} shapes the run and replaces ${shaped.join(' and ')} (the seed's shape): unset LOAD_PROFILE (check your shell's environment: k6 passes it on) or unset ${shaped.join(' and ')}`,
    );
  if (c.PERF_TEST_VERIFY_S3 && !/^https?:\/\/[^/]+\/?$/.test(c.S3_ENDPOINT))
    out.push(`S3_ENDPOINT='${c.S3_ENDPOINT}' has a path: give the S3 server's URL only, like http://minio:9000 (the bucket is S3_BUCKET)`);
  const plan = ingestPlan(c);
  if (plan.mode === 'count' && plan.totalEvents === 0)
    out.push('PERF_TEST_TOTAL_EVENTS and PERF_TEST_DURATION_SECS are both 0: give the events to send, or the seconds to send for');
  if (plan.mode === 'duration' && plan.durationSecs > plan.timeoutSecs)
    out.push(`PERF_TEST_DURATION_SECS=${plan.durationSecs} is over PERF_TEST_TIMEOUT_SECS=${plan.timeoutSecs}: raise the timeout or shorten the run`);
  if (plan.mode === 'count' && plan.targetEps > 0 && plan.totalEvents / plan.targetEps > plan.timeoutSecs)
    out.push(
      `${plan.totalEvents} events at ${plan.targetEps} events/s take ${Math.ceil(plan.totalEvents / plan.targetEps)}s, over PERF_TEST_TIMEOUT_SECS=${plan.timeoutSecs}: raise the timeout, the rate, or send fewer events`,
    );
  // k6's arrival-rate executors last at least 1s; a count run shorter than that cannot hold its rate anyway
  if (plan.mode === 'count' && plan.targetEps > 0 && plan.totalEvents > 0 && ((plan.batches - 0.5) * plan.batchSize) / plan.targetEps < 1)
    out.push(
      `${plan.totalEvents} events at PERF_TEST_TARGET_EPS=${plan.targetEps} last under a second, and a rate is held for at least 1s: send at least ${plan.targetEps + plan.batchSize} events, lower the rate, or set PERF_TEST_TARGET_EPS=0`,
    );
  if (c.PERF_TEST_VERIFY_PARQUET && !c.PERF_TEST_VERIFY_S3)
    out.push('PERF_TEST_VERIFY_PARQUET=true counts the rows of the files the S3 check finds: set PERF_TEST_VERIFY_S3=true too');
  return out;
}

/** The settings stage of dist/ingest.js (see readSettings). */
export const INGEST_SETTINGS = {
  family: ingest,
  script: 'ingest',
  // the shape is the seed's (duration or count mode, PERF_TEST_TARGET_EPS); LOAD_PROFILE replaces it
  defaultProfile: 'smoke',
  rules: INGEST_RULES,
  check: problems,
} satisfies SettingsSpec<typeof INGEST_RULES>;
