// Receives its own callbacks: each iteration announces a "timer" due now and calls the receiver back
// itself, as a timer service would. Run:
//   K6_NO_USAGE_REPORT=true K6_AUTO_EXTENSION_RESOLUTION=false bin/k6 run xk6-build/ext/timercallbacks/examples/smoke.js
import http from 'k6/http';
import exec from 'k6/execution';
import { expect, listen, settle } from 'k6/x/timercallbacks';

export const options = {
  vus: 2,
  iterations: 100,
  thresholds: { timer_callbacks_lost_total: ['count==0'], timer_callbacks_total: ['count==100'] },
};

export function setup() {
  return listen({ graceMs: 2000 });
}

export default function (receiver) {
  const id = `smoke-${exec.vu.idInTest}-${exec.vu.iterationInInstance}`;
  expect(id, Date.now());
  http.post(receiver.url, JSON.stringify({ id, payload: {} }), { headers: { 'content-type': 'application/json' } });
}

export function teardown() {
  console.log(JSON.stringify(settle(10000)));
}
