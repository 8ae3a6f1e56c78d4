// Seed 003's health check: GET /health must answer 200, and p(90) of the request duration stays
// under 15 ms. Like the seed, it records k6's HTTP metrics and one check, nothing more: a liveness
// probe is not a transaction, and every extra sample per request costs throughput (see BENCHMARKS.md).
import http from 'k6/http';
import { check } from 'k6';
import type { Options } from 'k6/options';
import { bool, int, readConfig, url } from '../lib/config';
import { loadScenarios, readLoadConfig } from '../lib/load';
import { createRunReport } from '../lib/summary';

const cfg = readConfig({
  TARGET_URL: url('http://127.0.0.1:8080'),
  HEALTH_P90_MS: int(15, { min: 1, max: 60_000 }),
  DISCARD_RESPONSE_BODIES: bool(false),
});
const load = readLoadConfig('smoke');

const report = createRunReport(
  'health',
  { latency: 'http_req_duration', throughput: 'http_reqs', errors: 'http_req_failed' },
  { target: cfg.TARGET_URL },
  load,
  loadScenarios(load, { healthCheck: 1 }),
);

export const options: Options = {
  ...report.options({
    http_req_duration: [`p(90)<${cfg.HEALTH_P90_MS}`], // seed 003's threshold: 15 ms
    http_req_failed: ['rate<0.01'], // a health check that fails is not healthy, however fast it fails
  }),
  discardResponseBodies: cfg.DISCARD_RESPONSE_BODIES,
};

const healthUrl = `${cfg.TARGET_URL}/health`;
// Built once: a params or checks object literal per call costs ~10% of throughput at 8k req/s.
const isOk = { 'health status is 200': (r: { status: number }) => r.status === 200 };

export function healthCheck(): void {
  check(http.get(healthUrl), isOk);
}

/** `k6 run --vus N --duration D dist/health.js` replaces the profile with k6's default scenario. */
export default healthCheck;

export const handleSummary = report.handleSummary;
