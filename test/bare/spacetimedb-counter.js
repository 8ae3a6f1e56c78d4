// A bare, hand-written k6 WebSocket client for SpacetimeDB's increment reducer: what a careful user
// writes with k6/websockets alone. That module cannot keep a socket open across iterations (the
// iteration waits for it to close), so each VU runs one long iteration that loops calls on its own
// socket until DURATION_MS has passed. It sends the same CallReducer and parses the same replies as
// the library's counter scenario; the benchmark compares committed calls per second.
import http from 'k6/http';
import { WebSocket } from 'k6/websockets';
import { Counter, Trend } from 'k6/metrics';

const committed = new Counter('bare_committed_total');
const latency = new Trend('bare_latency_ms', true);
const base = `${__ENV.SPACETIME_HOST}:${__ENV.SPACETIME_PORT}`;
const durationMs = Number(__ENV.DURATION_MS || 10000);

export default function () {
  const { token } = JSON.parse(http.post(`http://${base}/v1/identity`).body);
  const counterId = `bare-${__VU}-${Date.now()}`;
  const ws = new WebSocket(`ws://${base}/v1/database/benchmark/subscribe`, 'v1.json.spacetimedb', {
    headers: { Authorization: `Bearer ${token}` },
  });
  const endAt = Date.now() + durationMs;
  let requestId = 0;
  let sentAt = 0;
  const send = () => {
    requestId += 1;
    sentAt = Date.now();
    ws.send(JSON.stringify({ CallReducer: { reducer: 'increment', args: JSON.stringify([counterId, 1]), request_id: requestId, flags: 0 } }));
  };
  ws.onmessage = (event) => {
    const msg = JSON.parse(event.data);
    if (msg.IdentityToken) return send();
    const update = msg.TransactionUpdate;
    if (!update || update.reducer_call.request_id !== requestId) return;
    if (update.status.Committed) committed.add(1);
    latency.add(Date.now() - sentAt);
    if (Date.now() < endAt) send();
    else ws.close();
  };
}

export function handleSummary(data) {
  return { [__ENV.SUMMARY_JSON]: JSON.stringify(data) };
}
