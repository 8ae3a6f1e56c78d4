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
  dashboard: {
    title: 'SpacetimeDB (spacetime_*)',
    panels: [
      {
        title: 'Reducer calls/s',
        unit: 'reqps',
        queries: [
          { metric: 'spacetime_reducer_calls_total', select: 'per_s', by: ['scenario'], alias: 'calls $tag_scenario' },
          { metric: 'spacetime_reducer_errors_total', select: 'per_s', by: ['scenario'], alias: 'errors $tag_scenario' },
        ],
      },
      {
        title: 'Reducer latency p95',
        unit: 'ms',
        queries: [
          { metric: 'spacetime_reducer_latency_ms', select: 'p95', by: ['scenario'], alias: 'p95 $tag_scenario' },
          { metric: 'spacetime_ws_latency_ms', select: 'p95', alias: 'ws round trip p95' },
          { metric: 'spacetime_subscription_latency_ms', select: 'p95', alias: 'subscription p95' },
        ],
      },
      {
        title: 'WebSocket connections',
        unit: 'short',
        description: 'Sockets opened per interval (a persistent socket per VU: expect one per VU unless it drops).',
        queries: [
          { metric: 'spacetime_ws_connections_total', select: 'sum', alias: 'opened' },
          { metric: 'spacetime_ws_connection_errors_total', select: 'sum', alias: 'connect errors' },
          { metric: 'spacetime_ws_connect_latency_ms', select: 'p95', alias: 'connect p95 (ms)' },
        ],
      },
      {
        title: 'Drops and reconnects',
        unit: 'short',
        queries: [
          { metric: 'spacetime_connection_drops_total', select: 'sum', alias: 'drops' },
          { metric: 'spacetime_reconnect_attempts_total', select: 'sum', alias: 'reconnect attempts' },
          { metric: 'spacetime_subscription_errors_total', select: 'sum', alias: 'subscription errors' },
        ],
      },
      {
        title: 'Subscription updates and messages /s',
        unit: 'short',
        queries: [
          { metric: 'spacetime_subscription_updates_total', select: 'per_s', alias: 'subscription updates' },
          { metric: 'spacetime_ws_messages_sent_total', select: 'per_s', alias: 'messages sent' },
          { metric: 'spacetime_ws_messages_received_total', select: 'per_s', alias: 'messages received' },
        ],
      },
      {
        title: 'Table inserts / updates / deletes /s',
        unit: 'short',
        description: "Rows the server put into the callers' updates (WebSocket only; HTTP answers carry no rows).",
        queries: [
          { metric: 'spacetime_table_inserts_total', select: 'per_s', alias: 'inserts' },
          { metric: 'spacetime_table_updates_total', select: 'per_s', alias: 'updates' },
          { metric: 'spacetime_table_deletes_total', select: 'per_s', alias: 'deletes' },
        ],
      },
    ],
  },
};
