// Seed 003's health check: GET /health must answer 200, and p(90) of the request duration stays
// under 15 ms. The simplest scenario, and the template for the others.
import http from 'k6/http';
import { check } from 'k6';
import type { Options } from 'k6/options';
import { bool, int, readConfig, url } from '../lib/config';
import { readLoadConfig, loadScenarios } from '../lib/load';
import { httpFailureCause, recordTransaction } from '../lib/metrics';
import { createSummaryHandler } from '../lib/summary';

const cfg = readConfig({
  TARGET_URL: url('http://127.0.0.1:8080'),
  HTTP_TIMEOUT_MS: int(10_000, { min: 1, max: 600_000 }),
  DISCARD_RESPONSE_BODIES: bool(false),
});
const load = readLoadConfig('smoke');

export const options: Options = {
  scenarios: loadScenarios(load, { healthCheck: 1 }),
  thresholds: {
    http_req_duration: ['p(90)<15'], // seed 003's threshold
    http_req_failed: ['rate<0.01'], // a health check that fails is not healthy, however fast it fails
  },
  discardResponseBodies: cfg.DISCARD_RESPONSE_BODIES,
};

const healthUrl = `${cfg.TARGET_URL}/health`;

export function healthCheck(): void {
  const res = http.get(healthUrl, { tags: { name: 'GET /health' }, timeout: `${cfg.HTTP_TIMEOUT_MS}ms` });
  const ok = check(res, { 'health status is 200': (r) => r.status === 200 });
  recordTransaction({
    kind: 'read',
    latencyMs: res.timings.duration,
    ok,
    cause: ok ? undefined : httpFailureCause(res.status, res.error_code),
    bytesRead: typeof res.body === 'string' ? res.body.length : 0,
  });
}

export const handleSummary = createSummaryHandler('health', {
  profile: load.profile,
  model: load.model,
  target: cfg.TARGET_URL,
});
