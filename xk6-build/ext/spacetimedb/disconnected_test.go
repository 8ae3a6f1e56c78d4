package spacetimedb

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.k6.io/k6/v2/metrics"
)

// A drop starts the time counted as disconnected; the next successful reconnect ends it.
func TestDropThenReconnectCountsDisconnectedTime(t *testing.T) {
	f := newFakeServer(t)
	reg := newCauseRegistry()
	c := testClient(t, f, nil)
	c.causes = reg
	require.NoError(t, connect(t, c).Err)
	c.TakeCounters()

	f.dropAll()
	waitClosed(t, c)
	time.Sleep(60 * time.Millisecond)
	f.refuse.Store(2) // two failed reconnect attempts: still disconnected
	r := connect(t, c)
	require.NoError(t, r.Err)
	assert.Equal(t, 3, r.Attempts)
	n := c.TakeCounters()
	assert.GreaterOrEqual(t, n.Disconnected, 60*time.Millisecond)
	assert.Less(t, n.Disconnected, 5*time.Second)
	assert.Equal(t, int64(1), n.Drops)
	assert.Equal(t, []CauseCount{{"the connection was lost without a close frame (1006: unexpected EOF)", 1}}, causesOf(reg, causeDrop))
	assert.Equal(t, []CauseCount{{"HTTP 503: busy", 2}}, causesOf(reg, causeHandshake))

	// connected: nothing more is counted
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, StatusCommitted, call(t, c, "increment").Status)
	assert.Zero(t, c.TakeCounters().Disconnected)

	// a close by the server is a drop too
	assert.Equal(t, StatusDropped, call(t, c, "close1011").Status)
	waitClosed(t, c)
	time.Sleep(30 * time.Millisecond)
	assert.Equal(t, StatusCommitted, call(t, c, "increment").Status)
	assert.GreaterOrEqual(t, c.TakeCounters().Disconnected, 30*time.Millisecond)
	assert.Equal(t, CauseCount{"the server closed the connection (1011: invalid message)", 1}, causesOf(reg, causeDrop)[1])
}

// Close ends the outage; a close by the client starts none.
func TestCloseEndsTheDisconnectedTime(t *testing.T) {
	f := newFakeServer(t)
	reg := newCauseRegistry()
	c := testClient(t, f, nil)
	c.causes = reg
	require.NoError(t, connect(t, c).Err)
	f.dropAll()
	waitClosed(t, c)
	time.Sleep(40 * time.Millisecond)
	c.Close()
	d := c.TakeCounters().Disconnected
	assert.GreaterOrEqual(t, d, 40*time.Millisecond)
	assert.Less(t, d, 5*time.Second)

	time.Sleep(20 * time.Millisecond)
	require.NoError(t, connect(t, c).Err) // after Close: a new session, no outage
	c.Close()
	time.Sleep(30 * time.Millisecond)
	require.NoError(t, connect(t, c).Err)
	n := c.TakeCounters()
	assert.Zero(t, n.Disconnected)
	assert.Zero(t, n.Drops)
	assert.Len(t, causesOf(reg, causeDrop), 1)
}

func TestDisconnectedTimeIsPushedAsATimeCounter(t *testing.T) {
	f := newFakeServer(t)
	vu := jsVU(t)
	m := vu.registry.Get("spacetime_disconnected_ms")
	require.NotNil(t, m)
	assert.Equal(t, metrics.Counter, m.Type)
	assert.Equal(t, metrics.Time, m.Contains)

	require.NoError(t, iteration(t, vu.Runtime, fmt.Sprintf(`(async () => {
		globalThis.client = new Client({ url: %q, pingIntervalMs: 0, retryDelayMs: 1 });
		await client.connect();
	})()`, f.url())))
	f.dropAll()
	require.Eventually(t, func() bool { return !vuClientOpen(t, vu) }, 5*time.Second, time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, iteration(t, vu.Runtime, `(async () => {
		const o = await client.callReducer('increment', '[]');
		if (o.status !== 'committed') throw new Error(JSON.stringify(o));
	})()`))
	require.Eventually(t, func() bool { vu.drain(t); return vu.disconnectedMs() >= 50 }, 5*time.Second, 5*time.Millisecond)
	first := vu.disconnectedMs()
	assert.Less(t, first, 5000.0)

	// an outage still running at the end of the test ends there
	f.dropAll()
	require.Eventually(t, func() bool { return !vuClientOpen(t, vu) }, 5*time.Second, time.Millisecond)
	time.Sleep(30 * time.Millisecond)
	vu.mi.metrics.endOfTest()
	vu.drain(t)
	assert.GreaterOrEqual(t, vu.disconnectedMs()-first, 30.0)
	vu.mi.metrics.outages.mu.Lock()
	assert.Empty(t, vu.mi.metrics.outages.clients)
	vu.mi.metrics.outages.mu.Unlock()
}

func (v *vuRuntime) disconnectedMs() float64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.disconnected
}

func vuClientOpen(t *testing.T, vu *vuRuntime) bool {
	t.Helper()
	v, err := vu.VU.Runtime().RunString(`client.isOpen()`)
	require.NoError(t, err)
	return v.ToBoolean()
}
