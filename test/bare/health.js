// A bare, hand-written k6 health check: what a user would write without this library.
// The benchmark compares the library's health scenario against it on the same target and VUs.
import http from 'k6/http';
import { check } from 'k6';

const url = `${__ENV.TARGET_URL}/health`;

export default function () {
  const res = http.get(url);
  check(res, { 'status is 200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  return { [__ENV.SUMMARY_JSON]: JSON.stringify(data) };
}
