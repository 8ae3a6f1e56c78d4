// Subscription updates that reach a VU after its last iteration has ended (its socket stays open, the
// test goes on) are still counted in spacetime_subscription_updates_total: the extension pushes them at
// the end of the test. test/e2e/xk6-spacetimedb.test.ts compares the count with what the sandbox sent.
//   K6_NO_USAGE_REPORT=true K6_AUTO_EXTENSION_RESOLUTION=false ./bin/k6 run -e STDB_URL=ws://... xk6-build/ext/spacetimedb/examples/idle-updates.js
import { sleep } from 'k6';
import { Client } from 'k6/x/spacetimedb';

export const options = {
  scenarios: {
    // one short iteration each: subscribe, then return with the socket open
    watchers: { executor: 'per-vu-iterations', vus: 2, iterations: 1, exec: 'watch' },
    // increments (no subscriptions: each writer hears only its own calls)
    writers: { executor: 'constant-vus', vus: 2, duration: '2s', startTime: '500ms', exec: 'write' },
    // keeps the test going 1 s past the writers, so every update has arrived before it ends
    tail: { executor: 'per-vu-iterations', vus: 1, iterations: 1, startTime: '2500ms', exec: 'wait' },
  },
  thresholds: { spacetime_subscription_updates_total: ['count>0'] },
};

const url = __ENV.STDB_URL || 'ws://127.0.0.1:3000/v1/database/benchmark/subscribe';
let client;

export async function watch() {
  client = new Client({ url, pingIntervalMs: 0 });
  const sub = await client.subscribe(['SELECT * FROM counters']);
  if (sub.status !== 'ok') throw new Error(`subscribe: ${sub.status} ${sub.error}`);
}

export async function write() {
  client ??= new Client({ url, pingIntervalMs: 0 });
  const out = await client.callReducer('increment', `["w${__VU}",1]`);
  if (out.status !== 'committed') throw new Error(`increment: ${out.status} ${out.error}`);
}

export function wait() {
  sleep(1);
}
