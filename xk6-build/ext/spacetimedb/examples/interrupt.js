// An iteration whose call is never answered (an unknown reducer gets a Failed update with request_id 0,
// which cannot be matched) is cut by the end of the scenario: the call must end as 'dropped' at once
// instead of holding the VU until its 60 s timeout. The run must end about 1 s after it starts (the
// interrupted iteration's JS does not run past its await, so its log line may not appear).
// What the interrupted iteration counted is still pushed (at the end of the test): the thresholds.
import { Client } from 'k6/x/spacetimedb';

export const options = {
  scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '1s', gracefulStop: '0s' } },
  thresholds: {
    spacetime_ws_connections_total: ['count==1'],
    spacetime_ws_messages_sent_total: ['count==1'],
    spacetime_unmatched_failures_total: ['count==1'],
  },
};

const client = new Client({
  url: __ENV.STDB_URL || 'ws://127.0.0.1:3000/v1/database/benchmark/subscribe',
  requestTimeoutMs: 60000,
});

export default async function () {
  const out = await client.callReducer('no_such_reducer', '[]');
  console.log(`outcome ${out.status}: ${out.error}`);
}
