// Smoke test of k6/x/spacetimedb: one VU keeps ONE WebSocket across all its iterations.
//   bash xk6-build/build.sh
//   npx tsx tools/sandbox/spacetimedb/main.ts --port 3000 &
//   K6_NO_USAGE_REPORT=true K6_AUTO_EXTENSION_RESOLUTION=false ./bin/k6 run xk6-build/ext/spacetimedb/examples/smoke.js
// Env: STDB_URL (default ws://127.0.0.1:3000/v1/database/benchmark/subscribe), STDB_TOKEN, ITERATIONS (200).
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import { Client } from 'k6/x/spacetimedb';

const ITERATIONS = Number(__ENV.ITERATIONS || 200);

export const options = {
  scenarios: {
    smoke: { executor: 'per-vu-iterations', vus: 1, iterations: ITERATIONS, maxDuration: '60s' },
  },
  thresholds: {
    checks: ['rate==1'],
    // pushed by the extension itself: the socket was opened once and reused by every iteration
    spacetime_ws_connections_total: ['count==1'],
    spacetime_ws_messages_sent_total: [`count==${ITERATIONS + 2}`], // + subscribeSingle + oneOffQuery
    spacetime_connection_drops_total: ['count==0'],
    stdb_calls_committed: [`count==${ITERATIONS}`],
  },
};

const latency = new Trend('stdb_call_latency', true);
const committed = new Counter('stdb_calls_committed');

// One client per VU, in module scope: it outlives the iterations.
const client = new Client({
  url: __ENV.STDB_URL || 'ws://127.0.0.1:3000/v1/database/benchmark/subscribe',
  token: __ENV.STDB_TOKEN || '',
  requestTimeoutMs: 5000,
});

let subscribed = false;

export default async function () {
  if (!subscribed) {
    // The caller's TransactionUpdate only carries the rows its subscriptions match.
    const sub = await client.subscribeSingle("SELECT * FROM counters WHERE id = 'c1'");
    check(sub, { 'subscribed to counter c1': (s) => s.status === 'ok' });
    subscribed = true;
  }
  const out = await client.callReducer('increment', '["c1",1]');
  latency.add(out.latencyMs);
  if (out.status === 'committed') committed.add(1);
  check(out, {
    'increment committed': (o) => o.status === 'committed',
    'counter c1 row written': (o) => o.inserts === 1 && o.updates === o.deletes && o.tables.includes('counters'),
    'socket stays open': () => client.isOpen(),
  });
  if (exec.vu.iterationInScenario === ITERATIONS - 1) {
    const q = await client.oneOffQuery("SELECT * FROM counters WHERE id = 'c1'");
    check(q, { 'one-off query finds counter c1': (r) => r.status === 'ok' && r.rows === 1 });
    console.log(`last iteration: requestId=${out.requestId} status=${out.status} latencyMs=${out.latencyMs.toFixed(3)}`);
  }
}
