package spacetimedb

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.k6.io/k6/v2/js/modulestest"
)

func jsRuntime(t *testing.T) *modulestest.Runtime {
	t.Helper()
	rt := modulestest.NewRuntime(t)
	mi := New().NewModuleInstance(rt.VU)
	require.NoError(t, rt.VU.Runtime().Set("Client", mi.Exports().Named["Client"]))
	return rt
}

// iteration runs src like one k6 iteration: the event loop returns once every promise it started has
// been settled, and an unhandled rejection is an error.
func iteration(t *testing.T, rt *modulestest.Runtime, src string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		done <- rt.EventLoop.Start(func() error {
			_, err := rt.VU.Runtime().RunString(src)
			return err
		})
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the iteration did not end: the event loop is held by the open socket")
		return nil
	}
}

func TestJSSocketIsReusedAcrossIterations(t *testing.T) {
	f := newFakeServer(t)
	vu := jsVU(t)
	rt := vu.Runtime
	require.NoError(t, iteration(t, rt, fmt.Sprintf(`
		globalThis.client = new Client({ url: %q, token: "t0k", tags: { scenario: "x" } });
		globalThis.results = [];
	`, f.url())))

	for i := range 5 {
		err := iteration(t, rt, `(async () => {
			const out = await client.callReducer('increment', '["c1",1]');
			results.push(out);
		})()`)
		require.NoError(t, err, "iteration %d", i)
		assert.True(t, rt.VU.Runtime().Get("client").ToObject(rt.VU.Runtime()).Get("isOpen") != nil)
	}
	require.NoError(t, iteration(t, rt, `
		if (!client.isOpen()) throw new Error('closed');
		const r = results[4];
		const want = { status: 'committed', requestId: 5, inserts: 1, deletes: 1, updates: 1 };
		for (const [k, v] of Object.entries(want)) if (r[k] !== v) throw new Error(k + ' = ' + r[k]);
		if (JSON.stringify(r.tables) !== '["counters"]') throw new Error('tables ' + JSON.stringify(r.tables));
		if (!(r.latencyMs > 0) || r.bytesSent <= 0 || r.bytesReceived <= 0) throw new Error(JSON.stringify(r));
		if ('error' in r) throw new Error('error set on success');
	`))
	assert.Equal(t, int64(1), f.connections.Load())
	vu.waitTotals(t, map[string]float64{
		"spacetime_ws_connections_total":       1,
		"spacetime_ws_messages_sent_total":     5,
		"spacetime_ws_messages_received_total": 6, // the IdentityToken and 5 answers
	})
}

func TestJSOutcomesAndQueries(t *testing.T) {
	f := newFakeServer(t)
	vu := jsVU(t)
	rt := vu.Runtime
	err := iteration(t, rt, fmt.Sprintf(`(async () => {
		const client = new Client({ url: %q, requestTimeoutMs: 100, retryDelayMs: 1 });
		const conn = await client.connect();
		if (conn.reused || conn.attempts !== 1 || conn.identity !== '0xc200aa' || !(conn.connectMs >= 0)) throw new Error(JSON.stringify(conn));
		const again = await client.connect();
		if (!again.reused || again.connectionId !== conn.connectionId) throw new Error(JSON.stringify(again));
		const [failed, silent, sub, bad, single, oneOff] = await Promise.all([
			client.callReducer('fail', '[]'),
			client.callReducer('silent', '[]', 1),
			client.subscribe(['SELECT * FROM counters']),
			client.subscribe(['SELECT * FROM nope']),
			client.subscribeSingle('SELECT * FROM counters'),
			client.oneOffQuery('SELECT * FROM counters'),
		]);
		if (failed.status !== 'failed' || failed.error !== 'The reducer panicked: boom') throw new Error(JSON.stringify(failed));
		if (silent.status !== 'timeout' || !silent.error) throw new Error(JSON.stringify(silent));
		if (sub.status !== 'ok' || sub.rows !== 3) throw new Error(JSON.stringify(sub));
		if (bad.status !== 'error' || bad.error !== 'no such table: nope') throw new Error(JSON.stringify(bad));
		if (single.status !== 'ok' || single.rows !== 2) throw new Error(JSON.stringify(single));
		if (oneOff.status !== 'ok' || oneOff.rows !== 4) throw new Error(JSON.stringify(oneOff));
		const dropped = await client.callReducer('drop', '[]');
		if (dropped.status !== 'dropped') throw new Error(JSON.stringify(dropped));
		const back = await client.callReducer('increment', '[]');
		if (back.status !== 'committed') throw new Error(JSON.stringify(back));
		if ('takeCounters' in client) throw new Error('takeCounters is still exported');
		client.close();
		if (client.isOpen()) throw new Error('still open');
	})()`, f.url()))
	require.NoError(t, err)
	vu.waitTotals(t, map[string]float64{
		"spacetime_ws_connections_total":       2,
		"spacetime_connection_drops_total":     1,
		"spacetime_reconnect_attempts_total":   1,
		"spacetime_ws_messages_sent_total":     10, // 6 at once, drop, the 2 re-subscriptions, back
		"spacetime_ws_messages_received_total": 10, // 2 IdentityTokens, 5 answers ('silent' has none), 2 re-subscriptions', back's
	})
}

func TestJSConnectRejectsWithAnError(t *testing.T) {
	f := newFakeServer(t)
	f.refuse.Store(10)
	rt := jsRuntime(t)
	err := iteration(t, rt, fmt.Sprintf(`(async () => {
		const client = new Client({ url: %q, maxRetries: 1, retryDelayMs: 1 });
		try {
			await client.connect();
		} catch (e) {
			if (!(e instanceof Error)) throw new Error('not an Error: ' + e);
			if (!e.message.includes('could not connect') || !e.message.includes('after 2 attempt(s)')) throw new Error('message: ' + e.message);
			globalThis.caught = true;
		}
		if (!globalThis.caught) throw new Error('connect resolved');
	})()`, f.url()))
	require.NoError(t, err)
}

func TestJSArgumentErrorsThrow(t *testing.T) {
	t.Parallel()
	rt := jsRuntime(t)
	for src, want := range map[string]string{
		`new Client()`:                                             "needs an options object",
		`new Client({ url: 'http://x/' })`:                         "ws:// or wss://",
		`new Client({ url: 'ws://x/', urll: 1 })`:                  "unknown Client option(s) urll",
		`new Client({ url: 'ws://x/', requestTimeoutMs: 0 })`:      "requestTimeoutMs must be from 1",
		`new Client({ url: 'ws://x/', maxRetries: 1.5 })`:          "maxRetries must be an integer",
		`new Client({ url: 'ws://x/', tags: { a: 1 } })`:           "tags.a must be a string",
		`new Client({ url: 'ws://x/' }).callReducer('r', [1])`:     "argsJson",
		`new Client({ url: 'ws://x/' }).callReducer('r', '[]', 2)`: "flags must be 0",
		`new Client({ url: 'ws://x/' }).subscribe([])`:             "non-empty array",
	} {
		err := iteration(t, rt, src)
		require.Error(t, err, src)
		assert.Contains(t, err.Error(), want, src)
	}
	require.NoError(t, iteration(t, rt, `new Client({ url: 'wss://x/v1/database/d/subscribe', pingIntervalMs: 0, maxRetries: 0, retryDelayMs: 0 })`))
}
