// The timer service (seed 001: a durable timer service): timer CRUD and creation rates against either
// contract of ../shared/reference/timers.md, and the execution of timers with their callbacks received
// inside k6 (`dist/timers.js`).
import type { FamilyManifest } from '../family';

export const timers: FamilyManifest = {
  name: 'timers',
  seed: '001',
  scripts: [
    // each workload its own script (result files, baseline, history): a crud run is never gated against a create baseline
    {
      name: 'timers',
      summary: "Seed 001's timer creation rate (SCENARIO=create, the default): one timer per iteration, due an hour ahead",
      gate: { latency: 'latency_ms', throughput: 'transactions_total', errors: 'error_rate' },
      comparableMeta: ['target', 'database', 'api'],
      // the nightly records the service's own CPU and memory too (its Prometheus endpoint)
      nightly: { env: { TARGET_METRICS_URL: '{url}/metrics' } },
    },
    {
      name: 'timer-crud',
      summary: "Seed 001's mixed operations: create → get → update → delete per iteration",
      bundle: { name: 'timers', env: { SCENARIO: 'crud' } },
      gate: { latency: 'latency_ms', throughput: 'transactions_total', errors: 'error_rate' },
      comparableMeta: ['target', 'database', 'api'],
      nightly: { env: {} },
    },
    {
      name: 'timer-mix',
      summary: 'create, crud and execution side by side by TIMER_MIX weights, one scenario each',
      bundle: { name: 'timers', env: { SCENARIO: 'mix' } },
      gate: { latency: 'latency_ms', throughput: 'transactions_total', errors: 'error_rate' },
      comparableMeta: ['target', 'database', 'workload', 'api'],
      nightly: { env: {} },
    },
    {
      name: 'timer-execution',
      summary: 'Timers due seconds ahead fire; their callbacks, received inside k6, give the callback latency (arrival − executeAt); none may be lost',
      bundle: { name: 'timers', env: { SCENARIO: 'execution' } },
      gate: { latency: 'timer_callback_latency_ms', throughput: 'timer_callbacks_total', errors: 'error_rate' },
      comparableMeta: ['target', 'database', 'api'],
      // callback latency is the service's firing precision (a few ms, with scheduler jitter): a regression
      // must be more than 10 ms of p(95), not the default 2 ms floor
      nightly: { env: { TARGET_METRICS_URL: '{url}/metrics', GATE_P95_FLOOR_MS: '10' } },
    },
  ],
  // the sandbox's token (a sandbox placeholder, not a secret of anyone's)
  sandbox: { module: 'tools/sandbox/timers/index.ts', env: { TIMER_SERVICE_URL: '{url}', API_TOKEN: 'test-token' } },
  bench: 'tools/bench/timers.ts',
  demo: { script: 'timer-crud', env: { LOAD_PROFILE: 'smoke' }, externalTargetVar: 'TIMER_SERVICE_URL' },
  // the callback receiver: timers' callbacks arrive inside the k6 process (k6 itself cannot receive HTTP)
  extension: {
    dir: 'xk6-build/ext/timercallbacks',
    module: 'github.com/k6regression/xk6-timercallbacks',
    importPath: 'k6/x/timercallbacks',
  },
  dashboard: 'src/shared/families/timers.dashboard.yaml',
};
