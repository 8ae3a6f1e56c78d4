// How many callbacks per second the receiver absorbs without losing one: VUs POST callbacks to it as
// fast as they can (each announced first, as the timers scenario does), so this k6 process both sends
// and receives — the receiver's share of the CPU is what is left. The benchmark (npm run bench) runs it.
//   K6_NO_USAGE_REPORT=true K6_AUTO_EXTENSION_RESOLUTION=false bin/k6 run --vus 20 --duration 10s xk6-build/ext/timercallbacks/examples/flood.js
import http from 'k6/http';
import exec from 'k6/execution';
import { expect, listen, settle } from 'k6/x/timercallbacks';

export const options = { thresholds: { timer_callbacks_lost_total: ['count==0'] } };
const params = { headers: { 'content-type': 'application/json' } };

export function setup() {
  return listen({ graceMs: 5000 });
}

export default function (receiver) {
  const id = `flood-${exec.vu.idInTest}-${exec.vu.iterationInInstance}`;
  expect(id, Date.now());
  http.post(receiver.url, `{"id":"${id}","namespace":"k6","attempt":1}`, params);
}

export function teardown() {
  const s = settle(30000);
  if (s.lost > 0 || s.pending > 0) throw new Error(`callbacks lost: ${JSON.stringify(s)}`);
}

export function handleSummary(data) {
  return __ENV.SUMMARY_JSON ? { [__ENV.SUMMARY_JSON]: JSON.stringify(data) } : {};
}
