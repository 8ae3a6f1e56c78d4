package spacetimedb

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testClient(t *testing.T, f *fakeServer, mod func(*Options)) *Client {
	t.Helper()
	o := DefaultOptions()
	o.URL = f.url()
	o.RetryDelay = 10 * time.Millisecond
	o.RequestTimeout = 2 * time.Second
	if mod != nil {
		mod(&o)
	}
	c := NewClient(o)
	t.Cleanup(c.Close)
	return c
}

func call(t *testing.T, c *Client, reducer string) Outcome {
	t.Helper()
	ch := make(chan Outcome, 1)
	c.CallReducer(context.Background(), reducer, `["c1",1]`, 0, func(o Outcome) { ch <- o })
	select {
	case o := <-ch:
		return o
	case <-time.After(10 * time.Second):
		t.Fatalf("callReducer(%s) never ended", reducer)
		return Outcome{}
	}
}

func connect(t *testing.T, c *Client) ConnectResult {
	t.Helper()
	ch := make(chan ConnectResult, 1)
	c.Connect(context.Background(), func(r ConnectResult) { ch <- r })
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("connect never ended")
		return ConnectResult{}
	}
}

func query(t *testing.T, run func(done func(Outcome))) Outcome {
	t.Helper()
	ch := make(chan Outcome, 1)
	run(func(o Outcome) { ch <- o })
	select {
	case o := <-ch:
		return o
	case <-time.After(10 * time.Second):
		t.Fatal("query never ended")
		return Outcome{}
	}
}

func TestCallOutcomes(t *testing.T) {
	f := newFakeServer(t)
	c := testClient(t, f, nil)

	o := call(t, c, "increment") // connects first
	assert.Equal(t, StatusCommitted, o.Status)
	assert.Equal(t, uint32(1), o.RequestID)
	assert.Equal(t, 1, o.Inserts)
	assert.Equal(t, 1, o.Deletes)
	assert.Equal(t, 1, o.Updates)
	assert.Equal(t, []string{"counters"}, o.Tables)
	assert.Equal(t, `{"CallReducer":{"reducer":"increment","args":"[\"c1\",1]","request_id":1,"flags":0}}`, f.received()[0])
	assert.Equal(t, len(f.received()[0]), o.BytesSent)
	assert.Greater(t, o.BytesReceived, 100)
	assert.Greater(t, o.Latency, time.Duration(0))
	assert.Empty(t, o.Err)

	o = call(t, c, "insert")
	assert.Equal(t, StatusCommitted, o.Status)
	assert.Equal(t, uint32(2), o.RequestID)
	assert.Equal(t, 3, o.Inserts)
	assert.Equal(t, 0, o.Deletes)
	assert.Equal(t, 0, o.Updates)
	assert.Equal(t, []string{"messages", "log"}, o.Tables)

	o = call(t, c, "fail")
	assert.Equal(t, StatusFailed, o.Status)
	assert.Equal(t, "The reducer panicked: boom", o.Err)
	assert.Equal(t, []string{}, o.Tables)

	o = call(t, c, "energy")
	assert.Equal(t, StatusOutOfEnergy, o.Status)

	o = call(t, c, "crowded")
	assert.Equal(t, StatusCommitted, o.Status)
	assert.Equal(t, 0, o.Inserts, "someone else's update with the same request id must not be taken")

	n := c.TakeCounters()
	assert.Equal(t, int64(5), n.MessagesSent)
	assert.Equal(t, int64(1+5+2), n.MessagesReceived)
	assert.Equal(t, int64(2), n.SubscriptionUpdates)
	assert.Equal(t, int64(1), n.Connections)
	assert.Equal(t, Counters{}, c.TakeCounters(), "takeCounters resets")
}

func TestCloseEndsPendingAsDroppedWithoutCountingADrop(t *testing.T) {
	f := newFakeServer(t)
	c := testClient(t, f, nil)
	require.NoError(t, connect(t, c).Err)
	ch := make(chan Outcome, 1)
	c.CallReducer(context.Background(), "silent", "[]", 0, func(o Outcome) { ch <- o })
	time.Sleep(50 * time.Millisecond)
	c.Close()
	o := <-ch
	assert.Equal(t, StatusDropped, o.Status)
	assert.Contains(t, o.Err, "client closed")
	assert.False(t, c.IsOpen())
	time.Sleep(50 * time.Millisecond)
	assert.Equal(t, int64(0), c.TakeCounters().Drops)
	// the next operation opens a new socket
	assert.Equal(t, StatusCommitted, call(t, c, "increment").Status)
}

func TestSubscriptionsAndQueries(t *testing.T) {
	f := newFakeServer(t)
	c := testClient(t, f, nil)
	ctx := context.Background()

	o := query(t, func(d func(Outcome)) { c.Subscribe(ctx, []string{"SELECT * FROM counters"}, d) })
	assert.Equal(t, StatusOK, o.Status)
	assert.Equal(t, 3, o.Rows)
	assert.Greater(t, o.BytesReceived, 0)

	o = query(t, func(d func(Outcome)) { c.Subscribe(ctx, []string{"SELECT * FROM nope"}, d) })
	assert.Equal(t, StatusError, o.Status)
	assert.Equal(t, "no such table: nope", o.Err)

	o = query(t, func(d func(Outcome)) { c.SubscribeSingle(ctx, "SELECT * FROM counters WHERE id = 'c1'", d) })
	assert.Equal(t, StatusOK, o.Status)
	assert.Equal(t, 2, o.Rows)
	o = query(t, func(d func(Outcome)) { c.SubscribeSingle(ctx, "SELECT * FROM nope", d) })
	assert.Equal(t, StatusError, o.Status)
	assert.Equal(t, "no such table: nope", o.Err)

	o = query(t, func(d func(Outcome)) { c.OneOffQuery(ctx, "SELECT * FROM counters", d) })
	assert.Equal(t, StatusOK, o.Status)
	assert.Equal(t, 4, o.Rows)
	o = query(t, func(d func(Outcome)) { c.OneOffQuery(ctx, "SELECT * FROM nope", d) })
	assert.Equal(t, StatusError, o.Status)
	assert.Equal(t, "no such table", o.Err)

	frames := f.received()
	require.Len(t, frames, 6)
	assert.Equal(t, `{"Subscribe":{"query_strings":["SELECT * FROM counters"],"request_id":1}}`, frames[0])
	assert.Equal(t, `{"SubscribeSingle":{"query":"SELECT * FROM counters WHERE id = 'c1'","request_id":3,"query_id":{"id":1}}}`, frames[2])
	assert.Contains(t, frames[3], `"query_id":{"id":2}`)
	assert.Equal(t, `{"OneOffQuery":{"message_id":"0000000000000001","query_string":"SELECT * FROM counters"}}`, frames[4])
	assert.Contains(t, frames[5], `"message_id":"0000000000000002"`)
	assert.Equal(t, int64(0), c.TakeCounters().UnmatchedFailures)
}

func subscribe(t *testing.T, c *Client, queries ...string) Outcome {
	t.Helper()
	return query(t, func(d func(Outcome)) { c.Subscribe(context.Background(), queries, d) })
}

func subscribeSingle(t *testing.T, c *Client, q string) Outcome {
	t.Helper()
	return query(t, func(d func(Outcome)) { c.SubscribeSingle(context.Background(), q, d) })
}

// sentAll waits until n sends are counted (a frame's send may be counted just after its answer).
func sentAll(t *testing.T, c *Client, n int64) {
	t.Helper()
	require.Eventually(t, func() bool { return c.ctr.n[ctrSent].Load() == n }, 5*time.Second, time.Millisecond)
}

func waitClosed(t *testing.T, c *Client) {
	t.Helper()
	require.Eventually(t, func() bool { return !c.IsOpen() }, 5*time.Second, time.Millisecond)
}
