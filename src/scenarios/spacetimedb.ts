// SpacetimeDB reducers and subscriptions (seed 000) over the real wire protocol: WebSocket
// (v1.json.spacetimedb, one persistent socket per VU through the k6/x/spacetimedb extension) or HTTP
// (USE_WEBSOCKET=false). SCENARIO runs one scenario; otherwise the weighted mix of counter, message
// and mixed runs under LOAD_PROFILE. The exec functions are exported, so a script of one's own can
// import them and build its own `options.scenarios` (seed 000's custom-test.js).
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import { Client, failureCauses } from 'k6/x/spacetimedb';
import { buildOptions } from '../lib/options';
import { formatMs, parseDurationMs } from '../shared/format';
import { mergeThresholds } from '../shared/gate';
import type { MetricSummary } from '../shared/result';
import { metrics, recordTransaction } from '../lib/metrics';
import { planRun } from '../lib/run-plan';
import { readSettings } from '../lib/settings';
import { safeLog } from '../lib/redact';
import { createSetup } from '../lib/setup';
import { createSummaryHook } from '../lib/summary';
import { withData, type ScenarioData } from '../lib/data';
import { SPACETIME_SETTINGS, spacetimeUrls, type ScenarioName, type SpacetimeValues } from '../lib/spacetimedb/config';
import { SpacetimeHttpClient, mintIdentity } from '../lib/spacetimedb/http-client';
import { spacetimeMetrics } from '../lib/spacetimedb/metrics';
import { preflight } from '../lib/spacetimedb/preflight';
import { recordCall, recordRead } from '../lib/spacetimedb/record';
import { encodeArgs, sqlString, type SatsValue } from '../lib/spacetimedb/sats';
import { HttpTransport, WebSocketTransport, type Transport } from '../lib/spacetimedb/transport';

/**
 * The columns of a DATA_SCHEMA row the users workload takes, by name, as create_user's arguments
 * (id, username, email, name, age, created_at, active: tools/sandbox/spacetimedb/module.ts). `name`
 * stays the VU's name: each VU subscribes to its own users rows by it.
 */
export const USER_DATA_COLUMNS = ['id', 'username', 'email', 'age', 'created_at', 'active'] as const;

/** DATA_SCHEMA feeds the users workload only; its table's row 0 must give create_user's types. */
function userDataProblems(data: ScenarioData, own: SpacetimeValues): string[] {
  if (own.SCENARIO !== 'users') {
    return [`DATA_SCHEMA applies only to SCENARIO=users (SCENARIO is ${own.SCENARIO}): set SCENARIO=users or unset DATA_SCHEMA`];
  }
  const row = data.row(0);
  const problems: string[] = [];
  const bad = (column: string, wanted: string) =>
    problems.push(
      `DATA_SCHEMA='${data.schema}': column ${column} of table ${data.table} gives ${JSON.stringify(row[column])} (row 0), create_user needs ${wanted}`,
    );
  const age = row.age;
  if (age !== undefined && !(typeof age === 'number' && Number.isInteger(age) && age >= -(2 ** 31) && age < 2 ** 31)) bad('age', 'an I32 integer');
  if (row.active !== undefined && typeof row.active !== 'boolean') bad('active', 'a boolean (weighted_bool)');
  for (const column of ['id', 'username', 'email', 'created_at']) {
    const value = row[column];
    if (value !== undefined && typeof value !== 'string' && typeof value !== 'number') bad(column, 'a string or a number (sent as a string)');
  }
  return problems;
}

const dataSettings = withData(SPACETIME_SETTINGS, 'users', userDataProblems);
const settings = readSettings(dataSettings.spec);
const cfg = { ...settings.own, ...spacetimeUrls(settings.own) };
/** DATA_SCHEMA's rows (the users workload), seeded DATA_SEED + INSTANCE_INDEX; undefined when unset. */
const data = dataSettings.data();

/**
 * An outage of the target during the run: the sockets dropped (and the VUs reconnected). The counts
 * may still be exact, but the run did not measure the steady load it planned.
 */
function outageShortfalls(metrics: Record<string, MetricSummary | undefined>): string[] {
  const drops = metrics.spacetime_connection_drops_total?.values.count ?? 0;
  if (drops === 0 || cfg.SCENARIO === 'websocketStress') return [];
  const down = metrics.spacetime_disconnected_ms?.values.count ?? 0;
  return [`the connection to SpacetimeDB dropped ${drops} time${drops === 1 ? '' : 's'} (disconnected for ${formatMs(down)} in all, summed over the VUs)`];
}

/** A check that passes when the operation succeeded. */
const named = (name: string) => ({ [name]: (ok: boolean) => ok });

/**
 * Each SCENARIO: its exported exec function, the reducers it calls with their argument counts (checked
 * against the module in setup), its check, and its weight in the unset-SCENARIO mix (0: not in the mix).
 */
interface Workload {
  /** The exported function k6 runs (`exec` of its k6 scenario): the name and the function. */
  exec: string;
  run: () => Promise<void>;
  reducers: Record<string, number>;
  check: Record<string, (ok: boolean) => boolean>;
  weight: number;
  /** Its k6 thresholds: they judge what it does, and a counter it must have moved (k6 fails a count threshold without samples). */
  thresholds: Record<string, string[]>;
}

/** Calls and reads: every transaction succeeded, and there were some. */
const TRANSACTION_THRESHOLDS = { transaction_success_rate: ['rate>0.99'], checks: ['rate>0.99'], transactions_total: ['count>0'] };

// (the functions are declared below; declarations are hoisted)
const WORKLOADS: Record<ScenarioName, Workload> = {
  counter: {
    exec: 'counterScenario',
    run: counterScenario,
    reducers: { increment: 2 },
    check: named('Counter increment successful'),
    weight: cfg.COUNTER_WEIGHT,
    thresholds: TRANSACTION_THRESHOLDS,
  },
  message: {
    exec: 'messageScenario',
    run: messageScenario,
    reducers: { create_message: 4 },
    check: named('Message creation successful'),
    weight: cfg.MESSAGE_WEIGHT,
    thresholds: TRANSACTION_THRESHOLDS,
  },
  users: {
    exec: 'usersScenario',
    run: usersScenario,
    reducers: { create_user: 7 },
    check: named('User creation successful'),
    weight: 0,
    thresholds: TRANSACTION_THRESHOLDS,
  },
  mixed: {
    exec: 'mixedScenario',
    run: mixedScenario,
    reducers: { increment: 2 },
    check: named('Write operation successful'),
    weight: cfg.MIXED_WEIGHT,
    thresholds: TRANSACTION_THRESHOLDS,
  },
  batch: {
    exec: 'batchScenario',
    run: batchScenario,
    reducers: { increment: 2 },
    check: named('Batch operation successful'),
    weight: 0,
    thresholds: TRANSACTION_THRESHOLDS,
  },
  websocketStress: {
    exec: 'websocketStressScenario',
    run: websocketStressScenario,
    reducers: {},
    check: named('WebSocket connected'),
    weight: 0,
    thresholds: { checks: ['rate>0.99'], spacetime_ws_connections_total: ['count>0'] },
  },
  pipeline: {
    exec: 'pipelineScenario',
    run: pipelineScenario,
    reducers: { increment: 2 },
    check: named('Pipelined calls committed'),
    weight: 0,
    thresholds: TRANSACTION_THRESHOLDS,
  },
};

const selected = (Object.keys(WORKLOADS) as ScenarioName[]).filter((name) => (cfg.SCENARIO === 'all' ? WORKLOADS[name].weight > 0 : name === cfg.SCENARIO));
const weights = Object.fromEntries(selected.map((name) => [WORKLOADS[name].exec, cfg.SCENARIO === 'all' ? WORKLOADS[name].weight : 1]));

const plan = planRun(
  settings,
  weights,
  {
    workload: cfg.SCENARIO,
    transport: cfg.USE_WEBSOCKET ? 'websocket' : 'http',
    database: cfg.SPACETIME_DATABASE,
    batchSize: cfg.BATCH_SIZE,
    messageSize: cfg.MESSAGE_SIZE,
    ...(data ? { dataSchema: data.schema, dataTable: data.table, dataSeed: data.seed } : {}),
  },
  {
    // the extension's first distinct causes of handshake, drop, reconnect, call and timeout failures
    failures: () => (cfg.USE_WEBSOCKET ? failureCauses() : {}),
    shortfalls: outageShortfalls,
  },
);

// LATENCY_P95_MS: the user's latency objective (a staircase judges each level by it, so it names the capacity)
const latencyObjective: Record<string, string[]> = cfg.LATENCY_P95_MS > 0 ? { latency_ms: [`p(95)<${cfg.LATENCY_P95_MS}`] } : {};
export const options = buildOptions(plan, mergeThresholds(...selected.map((name) => WORKLOADS[name].thresholds), latencyObjective), {
  discardResponseBodies: cfg.DISCARD_RESPONSE_BODIES,
  setupTimeout: `${Math.ceil((3 * cfg.SPACETIME_CONN_TIMEOUT) / 1000) + 5}s`,
});

export const setup = createSetup(plan, () => {
  const needed = Object.assign({}, ...selected.map((s) => WORKLOADS[s].reducers)) as Record<string, number>;
  // setup probes and identity minting are part of connecting: SPACETIME_CONN_TIMEOUT bounds them
  preflight(cfg.httpUrl, cfg.SPACETIME_DATABASE, cfg.SPACETIME_TOKEN, needed, cfg.SPACETIME_CONN_TIMEOUT, cfg.SPACETIME_IDENTITY);
});

// ---- per-VU state: one identity and one connection, reused by every iteration -------------------

/** Makes ids unique per run and VU, so rows from earlier runs on the same database never collide. */
const runTag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
let sequence = 0;
const nextId = (prefix: string) => `${prefix}-${runTag}-${exec.vu.idInTest}-${(sequence += 1)}`;

interface Session {
  transport: Transport;
  vuName: string;
  counterId: string;
  /** The same for every call of this VU (its own counter, +1): encoded once. */
  incrementArgs: string;
  /** BATCH_SIZE of those increments, for the batch scenario. */
  incrementBatch: Array<{ reducer: string; argsJson: string }>;
}

let session: Session | undefined;
/** Minted once per VU and kept even when building the session fails, so retries reuse it. */
let vuToken: string | undefined;
let sessionFailureLogged = false;
/** When this VU last failed to open its session (ms since the epoch; 0: never). */
let sessionFailedAt = 0;

const vuName = () => `vu-${runTag}-${exec.vu.idInTest}`;

async function openSession(): Promise<Session> {
  vuToken ??= cfg.SPACETIME_TOKEN || mintIdentity(cfg.httpUrl, cfg.SPACETIME_CONN_TIMEOUT).token;
  const counterId = `counter-${runTag}-${exec.vu.idInTest}`;
  const transport: Transport = cfg.USE_WEBSOCKET
    ? new WebSocketTransport(
        new Client({
          url: cfg.wsUrl,
          token: vuToken,
          connectTimeoutMs: cfg.SPACETIME_CONN_TIMEOUT,
          requestTimeoutMs: cfg.SPACETIME_REQ_TIMEOUT,
          pingIntervalMs: cfg.SPACETIME_PING_INTERVAL,
          maxRetries: cfg.SPACETIME_MAX_RETRIES,
          retryDelayMs: cfg.SPACETIME_RETRY_DELAY,
        }),
      )
    : new HttpTransport(new SpacetimeHttpClient(cfg.httpUrl, cfg.SPACETIME_DATABASE, vuToken, cfg.SPACETIME_REQ_TIMEOUT));
  if (transport instanceof WebSocketTransport) {
    // The server puts into the caller's TransactionUpdate only the rows its subscriptions match, so
    // subscribe to this VU's own rows: the table counters then come from what the server sent.
    // (The client sends the subscription again after every reconnect.)
    const sub = await transport.subscribe([
      `SELECT * FROM counters WHERE id = ${sqlString(counterId)}`,
      `SELECT * FROM messages WHERE sender = ${sqlString(vuName())}`,
      `SELECT * FROM users WHERE name = ${sqlString(vuName())}`,
    ]);
    spacetimeMetrics.subscriptionLatency.add(sub.latencyMs);
    if (!sub.ok) spacetimeMetrics.subscriptionErrors.add(1);
    // no socket at all (handshake refused, server unreachable): the session is not open, and the
    // reason (the status and the server's words, the token scrubbed by the extension) is said once
    if (sub.cause === 'connection') {
      transport.client.close();
      throw new Error(`the WebSocket session could not be opened: ${sub.error ?? 'no reason given'}`);
    }
  }
  const incrementArgs = encodeArgs([counterId, 1]);
  return {
    transport,
    vuName: vuName(),
    counterId,
    incrementArgs,
    incrementBatch: Array.from({ length: cfg.BATCH_SIZE }, () => ({ reducer: 'increment', argsJson: incrementArgs })),
  };
}

/**
 * The VU's session, opened on first use. When it cannot be opened (identity refused, server gone),
 * the iteration counts as a failed transaction and a failed check, and the next one tries again:
 * never an iteration skipped without a trace.
 */
async function vuSession(checks: Record<string, (ok: boolean) => boolean>): Promise<Session | undefined> {
  if (session) return session;
  // after a failed attempt the next one waits SPACETIME_RETRY_DELAY, as the extension's reconnects do:
  // a VU of a VU profile would otherwise fail as fast as a dead server refuses, burning the load
  // generator's CPU on failures counted by the thousand
  const wait = sessionFailedAt + cfg.SPACETIME_RETRY_DELAY - Date.now();
  if (wait > 0) sleep(wait / 1000);
  try {
    session = await openSession();
    return session;
  } catch (error) {
    sessionFailedAt = Date.now();
    recordTransaction({ kind: 'write', ok: false, cause: 'connection' });
    check(false, checks);
    if (!sessionFailureLogged) {
      sessionFailureLogged = true;
      console.error(safeLog(`VU ${exec.vu.idInTest}: no SpacetimeDB session (${String(error)}); counted as failed transactions until it opens`));
    }
    return undefined;
  }
}

// ---- the scenarios --------------------------------------------------------------------------------

// Check objects are built once (in WORKLOADS and here): an object literal per call costs throughput at high rates.
const READ_CHECK = named('Read operation successful');
const SUBSCRIBED_CHECK = named('Subscription applied');

const messagePadding = 'x'.repeat(cfg.MESSAGE_SIZE);
/** MESSAGE_SIZE bytes of ASCII content, unique per message (the id leads). */
const messageContent = (id: string) => (id + messagePadding).slice(0, cfg.MESSAGE_SIZE);

async function increment(s: Session, checks: Record<string, (ok: boolean) => boolean>): Promise<void> {
  const result = await s.transport.call('increment', s.incrementArgs);
  recordCall(result, 'write', s.transport.kind === 'websocket');
  check(result.ok, checks);
}

export async function counterScenario(): Promise<void> {
  const s = await vuSession(WORKLOADS.counter.check);
  if (s) await increment(s, WORKLOADS.counter.check);
}

export async function messageScenario(): Promise<void> {
  const s = await vuSession(WORKLOADS.message.check);
  if (!s) return;
  const id = nextId('msg');
  const result = await s.transport.call('create_message', encodeArgs([id, s.vuName, messageContent(id), new Date().toISOString()]));
  recordCall(result, 'write', s.transport.kind === 'websocket');
  check(result.ok, WORKLOADS.message.check);
}

/** A row's value as create_user's String argument; undefined for a missing or null column. */
const text = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : String(value));

/**
 * create_user's arguments: without DATA_SCHEMA, a unique id per run and VU; with it, the row
 * `iterationInTest` of its table (unique across the instances of a run with execution segments),
 * USER_DATA_COLUMNS by name, the other arguments as without it.
 */
function userArgs(s: Session): SatsValue[] {
  if (!data) {
    const id = nextId('user');
    return [id, `user_${id}`, `${id}@bench.test`, s.vuName, 18 + (sequence % 60), new Date().toISOString(), sequence % 2 === 0];
  }
  const row = data.row(exec.scenario.iterationInTest);
  const id = text(row.id) ?? nextId('user');
  return [
    id,
    text(row.username) ?? `user_${id}`,
    text(row.email) ?? `${id}@bench.test`,
    s.vuName,
    row.age ?? 18 + (exec.scenario.iterationInTest % 60),
    text(row.created_at) ?? new Date().toISOString(),
    row.active ?? exec.scenario.iterationInTest % 2 === 0,
  ];
}

export async function usersScenario(): Promise<void> {
  const s = await vuSession(WORKLOADS.users.check);
  if (!s) return;
  const args = userArgs(s);
  const result = await s.transport.call('create_user', encodeArgs(args));
  recordCall(result, 'write', s.transport.kind === 'websocket');
  check(result.ok, WORKLOADS.users.check);
}

export async function mixedScenario(): Promise<void> {
  const s = await vuSession(WORKLOADS.mixed.check);
  if (!s) return;
  if (Math.random() < cfg.READ_WRITE_RATIO) {
    const result = await s.transport.read(`SELECT * FROM counters WHERE id = ${sqlString(s.counterId)}`);
    recordRead(result, s.transport.kind === 'websocket');
    check(result.ok, READ_CHECK);
  } else {
    await increment(s, WORKLOADS.mixed.check);
  }
}

export async function batchScenario(): Promise<void> {
  const s = await vuSession(WORKLOADS.batch.check);
  if (!s) return;
  const started = Date.now(); // ms resolution: k6 has no finer clock in scripts
  const results = await s.transport.callBatch(s.incrementBatch);
  metrics.batchLatency.add(Date.now() - started);
  for (const result of results) recordCall(result, 'write', s.transport.kind === 'websocket');
  check(
    results.every((r) => r.ok),
    WORKLOADS.batch.check,
  );
}

/**
 * The server's capacity: PIPELINE_DEPTH increments kept in flight on the VU's socket for a
 * PIPELINE_SLICE of the iteration, each answer refilled at once (k6/x/spacetimedb's pipeline); every
 * call measured and recorded by the extension as in the counter scenario. The load is what the server
 * answers, not a rate: an iteration lasts about one slice, so k6's scheduling, thresholds and graceful
 * stop still apply. Under LOAD_PROFILE=staircase LOAD_MODEL=vus each level runs more sockets, and the
 * staircase names the capacity (the most VUs that met the thresholds, with their transactions/s).
 */
export async function pipelineScenario(): Promise<void> {
  const s = await vuSession(WORKLOADS.pipeline.check);
  if (!s || !(s.transport instanceof WebSocketTransport)) return;
  const slice = parseDurationMs(cfg.PIPELINE_SLICE) ?? 1000;
  const left = constantVusMsLeft();
  const result = await s.transport.client.pipeline('increment', s.incrementArgs, cfg.PIPELINE_DEPTH, Math.max(1, Math.min(slice, left ?? slice)), {
    kind: 'write',
    records: 1,
  });
  check(result.calls > 0 && result.failed === 0, WORKLOADS.pipeline.check);
}

/**
 * The ms left in this iteration's constant-vus scenario (a staircase level, `--vus --duration`), from
 * its start (exec.scenario.startTime) and duration; undefined under other executors. A pipelined slice
 * ends with it, so a level's calls are made within its hold (k6 starts no iteration after the
 * duration, but one started just before would run a whole slice into the next level).
 */
function constantVusMsLeft(): number | undefined {
  const own = exec.test.options.scenarios?.[exec.scenario.name];
  if (own?.executor !== 'constant-vus') return undefined;
  const total = parseDurationMs(String(own.duration));
  return total === undefined ? undefined : exec.scenario.startTime + total - Date.now();
}

/**
 * Connection churn: a fresh socket per iteration; a legacy Subscribe (timed to InitialSubscription)
 * and a SubscribeSingle (timed to SubscribeApplied); then close.
 */
export async function websocketStressScenario(): Promise<void> {
  try {
    vuToken ??= cfg.SPACETIME_TOKEN || mintIdentity(cfg.httpUrl, cfg.SPACETIME_CONN_TIMEOUT).token;
  } catch (error) {
    check(false, WORKLOADS.websocketStress.check);
    console.error(safeLog(`VU ${exec.vu.idInTest}: ${String(error)}`));
    return;
  }
  const client = new Client({
    url: cfg.wsUrl,
    token: vuToken, // one identity per VU: the churn is in connections, not identities
    connectTimeoutMs: cfg.SPACETIME_CONN_TIMEOUT,
    requestTimeoutMs: cfg.SPACETIME_REQ_TIMEOUT,
    pingIntervalMs: 0,
    maxRetries: 0,
    retryDelayMs: cfg.SPACETIME_RETRY_DELAY,
  });
  const transport = new WebSocketTransport(client);
  try {
    let connected = false;
    try {
      const conn = await client.connect();
      spacetimeMetrics.wsConnectLatency.add(conn.connectMs);
      connected = true;
    } catch {
      // the extension counts it in spacetime_ws_connection_errors_total
    }
    check(connected, WORKLOADS.websocketStress.check);
    if (!connected) return;
    // this VU's rows only: subscription latency then measures the subscription, not the table size
    const subscribed = [
      await transport.subscribe([`SELECT * FROM counters WHERE id = ${sqlString(`counter-${runTag}-${exec.vu.idInTest}`)}`]),
      await transport.subscribeSingle(`SELECT * FROM messages WHERE sender = ${sqlString(vuName())}`),
    ];
    for (const sub of subscribed) {
      spacetimeMetrics.subscriptionLatency.add(sub.latencyMs);
      if (!sub.ok) spacetimeMetrics.subscriptionErrors.add(1);
    }
    check(
      subscribed.every((sub) => sub.ok),
      SUBSCRIBED_CHECK,
    );
  } finally {
    client.close();
  }
}

/** `k6 run --vus N --duration D` replaces the profile with k6's default scenario: run the selected one. */
export default WORKLOADS[selected[0]].run;

export const handleSummary = createSummaryHook(plan);
