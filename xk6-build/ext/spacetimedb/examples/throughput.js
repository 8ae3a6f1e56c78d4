// Throughput probe of k6/x/spacetimedb: VUS VUs, each iteration sends BATCH concurrent increments over
// the VU's one socket. Prints calls/s in the summary (stdb_calls_committed rate).
//   K6_NO_USAGE_REPORT=true K6_AUTO_EXTENSION_RESOLUTION=false ./bin/k6 run -e STDB_URL=ws://... xk6-build/ext/spacetimedb/examples/throughput.js
import { Counter, Trend } from 'k6/metrics';
import { Client } from 'k6/x/spacetimedb';

const BATCH = Number(__ENV.BATCH || 50);

export const options = {
  scenarios: {
    throughput: { executor: 'constant-vus', vus: Number(__ENV.VUS || 4), duration: __ENV.DURATION || '10s' },
  },
  thresholds: { stdb_calls_not_committed: ['count==0'] },
};

const latency = new Trend('stdb_call_latency', true);
const committed = new Counter('stdb_calls_committed');
const notCommitted = new Counter('stdb_calls_not_committed');

const client = new Client({ url: __ENV.STDB_URL || 'ws://127.0.0.1:3000/v1/database/benchmark/subscribe' });

export default async function () {
  const calls = [];
  for (let i = 0; i < BATCH; i++) calls.push(client.callReducer('increment', `["c${__VU}",1]`));
  for (const out of await Promise.all(calls)) {
    latency.add(out.latencyMs);
    if (out.status === 'committed') committed.add(1);
    else notCommitted.add(1);
  }
}
