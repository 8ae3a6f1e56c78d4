// A bare, hand-written k6 version of seed 001's timer creation (with the seed snippet's bugs fixed: a
// JSON body, 201 expected): what a user would write without this library. The benchmark compares the
// library's SCENARIO=create against it on the same reference service and VUs, and, with SEED_PHASE=1,
// runs seed 001's Artillery phase (arrival rate 10 → 100/s over 60 s) for the k6-vs-Artillery figures.
import http from 'k6/http';
import exec from 'k6/execution';
import { check } from 'k6';

const base = __ENV.TIMER_SERVICE_URL;
const params = { headers: { 'content-type': 'application/json', authorization: `Bearer ${__ENV.API_TOKEN}` } };
const run = Math.floor(Math.random() * 1e9).toString(36);

export const options = __ENV.SEED_PHASE
  ? {
      scenarios: {
        create: {
          executor: 'ramping-arrival-rate',
          startRate: 10,
          timeUnit: '1s',
          preAllocatedVUs: 10,
          maxVUs: 100,
          stages: [{ duration: '60s', target: 100 }],
        },
      },
    }
  : {};

export default function () {
  const body = JSON.stringify({
    timerId: `bare-${run}-${exec.vu.idInTest}-${exec.vu.iterationInInstance}`,
    executeAt: new Date(Date.now() + 3600000).toISOString(),
    callbackUrl: 'http://127.0.0.1:9/timer-callback',
    payload: { source: 'bare' },
  });
  const res = http.post(`${base}/groups/k6/timers`, body, params);
  check(res, { 'timer created': (r) => r.status === 201 });
}

export function handleSummary(data) {
  return { [__ENV.SUMMARY_JSON]: JSON.stringify(data) };
}
