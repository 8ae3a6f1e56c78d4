// A bare k6 script for the distributed-run tests: a constant arrival rate of GET /probe/<n> (n: the
// iteration's number in the whole test, unique across execution segments) against TARGET_URL.
// RATE (per second) and DURATION shape it; each instance of a split runs its execution segment.
import http from 'k6/http';
import exec from 'k6/execution';

export const options = {
  scenarios: {
    probe: { executor: 'constant-arrival-rate', rate: Number(__ENV.RATE || 300), timeUnit: '1s', duration: __ENV.DURATION || '3s', preAllocatedVUs: 20 },
  },
};

export default function () {
  http.get(`${__ENV.TARGET_URL}/probe/${exec.scenario.iterationInTest}`);
}
