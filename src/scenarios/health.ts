// Seed 003's health check: GET /health must answer 200, and p(90) of the request duration stays
// under 15 ms. Like the seed, it records k6's HTTP metrics and one check, nothing more: a liveness
// probe is not a transaction, and every extra sample per request costs throughput (see BENCHMARKS.md).
import http from 'k6/http';
import { check } from 'k6';
import { bool, int, url } from '../lib/config';
import { buildOptions } from '../lib/options';
import { planRun } from '../lib/run-plan';
import { readSettings } from '../lib/settings';
import { createSetup } from '../lib/setup';
import { createSummaryHook } from '../lib/summary';
import { payments } from '../shared/families/payments';

const settings = readSettings({
  family: payments,
  script: 'health',
  defaultProfile: 'smoke',
  rules: {
    TARGET_URL: url('http://127.0.0.1:8080'),
    HEALTH_P90_MS: int(15, { min: 1, max: 60_000 }),
    DISCARD_RESPONSE_BODIES: bool(false),
  },
});
const cfg = settings.own;
const plan = planRun(settings, { healthCheck: 1 }, { target: cfg.TARGET_URL });

export const options = buildOptions(
  plan,
  {
    http_req_duration: [`p(90)<${cfg.HEALTH_P90_MS}`], // seed 003's threshold: 15 ms
    http_req_failed: ['rate<0.01'], // a health check that fails is not healthy, however fast it fails
  },
  { discardResponseBodies: cfg.DISCARD_RESPONSE_BODIES },
);

const healthUrl = `${cfg.TARGET_URL}/health`;
// Built once: a params or checks object literal per call costs ~10% of throughput at 8k req/s.
const isOk = { 'health status is 200': (r: { status: number }) => r.status === 200 };

export const setup = createSetup(plan);

export function healthCheck(): void {
  check(http.get(healthUrl), isOk);
}

/** `k6 run --vus N --duration D dist/health.js` replaces the profile with k6's default scenario. */
export default healthCheck;

export const handleSummary = createSummaryHook(plan);
