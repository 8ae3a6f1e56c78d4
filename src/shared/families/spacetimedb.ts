// SpacetimeDB (seed 000): reducers and subscriptions over WebSocket (v1.json) and HTTP.
import type { FamilyManifest } from '../family';

export const spacetimedb: FamilyManifest = {
  name: 'spacetimedb',
  seed: '000',
  scripts: [
    {
      name: 'spacetimedb',
      summary: 'SpacetimeDB reducers and subscriptions over WebSocket or HTTP',
      gate: { latency: 'latency_ms', throughput: 'transactions_total', errors: 'error_rate' },
      comparableMeta: ['workload', 'transport'],
      nightly: { env: { SCENARIO: 'counter' } },
    },
  ],
  sandbox: {
    module: 'tools/sandbox/spacetimedb/index.ts',
    env: { SPACETIME_HOST: '{host}', SPACETIME_PORT: '{port}' },
  },
  demo: { script: 'spacetimedb', env: { LOAD_PROFILE: 'smoke' }, externalTargetVar: 'SPACETIME_HOST' },
  bench: 'tools/bench/spacetimedb.ts',
  extension: {
    dir: 'xk6-build/ext/spacetimedb',
    module: 'github.com/k6regression/xk6-spacetimedb',
    importPath: 'k6/x/spacetimedb',
  },
  dashboard: 'src/shared/families/spacetimedb.dashboard.yaml',
};
