// The timer service (seed 001: a durable timer service): timer CRUD and creation rates against either
// contract of ../shared/reference/timers.md (`dist/timers.js`).
import type { FamilyManifest } from '../family';

export const timers: FamilyManifest = {
  name: 'timers',
  seed: '001',
  scripts: [
    {
      name: 'timers',
      summary: "Seed 001's timer service: timer creation rate (SCENARIO=create) and create → get → update → delete (crud)",
      gate: { latency: 'latency_ms', throughput: 'transactions_total', errors: 'error_rate' },
      comparableMeta: ['target', 'workload', 'api'],
      nightly: { env: { SCENARIO: 'create' } },
    },
  ],
  // the sandbox's token (a sandbox placeholder, not a secret of anyone's)
  sandbox: { module: 'tools/sandbox/timers/index.ts', env: { TIMER_SERVICE_URL: '{url}', API_TOKEN: 'test-token' } },
  demo: { script: 'timers', env: { LOAD_PROFILE: 'smoke', SCENARIO: 'crud' }, externalTargetVar: 'TIMER_SERVICE_URL' },
  dashboard: 'src/shared/families/timers.dashboard.yaml',
};
