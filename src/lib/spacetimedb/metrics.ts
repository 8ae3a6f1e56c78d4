// The spacetime_* metrics of seed 000's table that the scenarios record from measured outcomes, plus
// connect latency. Fed only from what the client measured and what the server sent; the shared
// transaction metrics are recorded next to them through recordTransaction.
// The connection-level counters are emitted by the k6/x/spacetimedb extension itself, from Go, the
// way k6's own WebSocket module emits ws_msgs_sent (one call into Go per operation cost ~20% of
// throughput): spacetime_ws_messages_sent_total, spacetime_ws_messages_received_total,
// spacetime_subscription_updates_total, spacetime_ws_connections_total,
// spacetime_ws_connection_errors_total, spacetime_connection_drops_total,
// spacetime_reconnect_attempts_total and spacetime_unmatched_failures_total.
import { Counter, Trend } from 'k6/metrics';

export const spacetimeMetrics = {
  wsLatency: new Trend('spacetime_ws_latency_ms', true),
  wsConnectLatency: new Trend('spacetime_ws_connect_latency_ms', true),
  reducerCalls: new Counter('spacetime_reducer_calls_total'),
  reducerErrors: new Counter('spacetime_reducer_errors_total'),
  reducerLatency: new Trend('spacetime_reducer_latency_ms', true),
  tableInserts: new Counter('spacetime_table_inserts_total'),
  tableUpdates: new Counter('spacetime_table_updates_total'),
  tableDeletes: new Counter('spacetime_table_deletes_total'),
  subscriptionLatency: new Trend('spacetime_subscription_latency_ms', true),
  subscriptionErrors: new Counter('spacetime_subscription_errors_total'),
};
