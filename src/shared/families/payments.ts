// Payment APIs (Hyperswitch, seed 003): the router's health check (`dist/health.js`), the seed's
// payment scripts and the router-only mix (all four in `dist/payments.js`), merchant pools
// (`k6-suite payments provision`).
import type { FamilyManifest, ScriptManifest } from '../family';

/** A script of dist/payments.js: every payment is reconciled with the router's list after the run. */
function paymentScript(name: string, summary: string, scenario = name): ScriptManifest {
  return {
    name,
    summary: `${summary}; reconciled with the router's list of payments`,
    bundle: { name: 'payments', env: { SCENARIO: scenario } },
    gate: { latency: 'latency_ms', throughput: 'transactions_total', errors: 'error_rate' },
    comparableMeta: ['target', 'workload'],
    nightly: { env: {} },
  };
}

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
    // seed 003's payment scripts and the router-only mix: one bundle, dist/payments.js; SCENARIO picks the script
    paymentScript('payment-confirm', "Seed 003's payment-confirm: POST /payments with confirm:true"),
    paymentScript('payment-create-and-confirm', "Seed 003's payment-create-and-confirm: POST /payments, then POST /payments/{id}/confirm"),
    paymentScript('rps', "Seed 003's rps: both payment flows, 10 VUs × 100 iterations"),
    paymentScript('payment-mix', 'The weighted mix of router-only flows (guest, cit_on_session, cit_off_session, mit), one arrival-rate executor each', 'mix'),
  ],
  sandbox: { module: 'tools/sandbox/payments/index.ts', env: { TARGET_URL: '{url}' } },
  // merchant setup, payments and their reconciliation with the router's list, for 10 s
  demo: { script: 'payment-confirm', env: { LOAD_PROFILE: 'smoke' }, externalTargetVar: 'TARGET_URL' },
  bench: 'tools/bench/payments.ts',
  // k6-suite payments provision: merchant pools for MERCHANT_POOL
  cli: 'tools/payments/cli.ts',
  dashboard: 'src/shared/families/payments.dashboard.yaml',
};
