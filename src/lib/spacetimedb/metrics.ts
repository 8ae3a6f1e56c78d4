// The spacetime_* metrics of seed 000's table, plus connect latency and subscription updates
// received. Fed only from what the client measured and what the server sent; the shared transaction
// metrics are recorded next to them through recordTransaction.
import { Counter, Trend } from 'k6/metrics';

export const spacetimeMetrics = {
  wsConnections: new Counter('spacetime_ws_connections_total'),
  wsConnectionErrors: new Counter('spacetime_ws_connection_errors_total'),
  wsMessagesSent: new Counter('spacetime_ws_messages_sent_total'),
  wsMessagesReceived: new Counter('spacetime_ws_messages_received_total'),
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
  subscriptionUpdates: new Counter('spacetime_subscription_updates_total'),
  connectionDrops: new Counter('spacetime_connection_drops_total'),
  reconnectAttempts: new Counter('spacetime_reconnect_attempts_total'),
};
