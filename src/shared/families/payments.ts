// Payment APIs (Hyperswitch, seed 003): the router's health check (`dist/health.js`) and the seed's
// payment scripts (`dist/payments.js`).
import type { FamilyManifest } from '../family';

export const payments: FamilyManifest = {
  name: 'payments',
  seed: '003',
  scripts: [
    {
      name: 'health',
      summary: "Seed 003's health check: GET /health answers 200, p(90) under HEALTH_P90_MS",
      gate: { latency: 'http_req_duration', throughput: 'http_reqs', errors: 'http_req_failed' },
      comparableMeta: ['target'],
      // the nightly's fixed server delay is far above the seed's 15 ms health threshold: the gate judges it
      nightly: { env: { HEALTH_P90_MS: '60000' } },
    },
    {
      name: 'payments',
      summary: "Seed 003's payment-confirm, payment-create-and-confirm and rps scripts against the payments router",
      gate: { latency: 'latency_ms', throughput: 'transactions_total', errors: 'error_rate' },
      comparableMeta: ['target', 'workload'],
      nightly: { env: { SCENARIO: 'payment-confirm' } },
    },
  ],
  sandbox: { module: 'tools/sandbox/payments/index.ts', env: { TARGET_URL: '{url}' } },
  demo: { script: 'health', env: { LOAD_PROFILE: 'smoke' }, externalTargetVar: 'TARGET_URL' },
  bench: 'tools/bench/payments.ts',
  dashboard: 'src/shared/families/payments.dashboard.yaml',
};
