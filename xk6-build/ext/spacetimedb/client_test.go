package spacetimedb

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
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

func TestConnectOffersSubprotocolAndToken(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	c := testClient(t, f, func(o *Options) { o.Token = "secret-jwt" })
	r := connect(t, c)
	require.NoError(t, r.Err)
	assert.Equal(t, "0xc200aa", r.Identity)
	assert.Equal(t, "1001", r.ConnectionID)
	assert.False(t, r.Reused)
	assert.Equal(t, 1, r.Attempts)
	assert.True(t, c.IsOpen())

	r2 := connect(t, c)
	require.NoError(t, r2.Err)
	assert.True(t, r2.Reused)
	assert.Equal(t, "1001", r2.ConnectionID)

	f.mu.Lock()
	assert.Equal(t, []string{Subprotocol}, f.protocols)
	assert.Equal(t, []string{"Bearer secret-jwt"}, f.auth)
	f.mu.Unlock()

	n := c.TakeCounters()
	assert.Equal(t, int64(1), n.Connections)
	assert.Equal(t, int64(1), n.MessagesReceived) // the IdentityToken
	assert.Equal(t, int64(0), n.ReconnectAttempts)
}

func TestNoTokenSendsNoAuthorization(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	c := testClient(t, f, nil)
	require.NoError(t, connect(t, c).Err)
	f.mu.Lock()
	defer f.mu.Unlock()
	assert.Equal(t, []string{""}, f.auth)
}

func TestCallOutcomes(t *testing.T) {
	t.Parallel()
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

func TestManyConcurrentCallsAreCorrelated(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.shuffle = true // answers arrive out of order
	c := testClient(t, f, nil)
	const n = 500
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[uint32]bool{}
	wg.Add(n)
	for range n {
		c.CallReducer(context.Background(), "increment", `["c1",1]`, 0, func(o Outcome) {
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, StatusCommitted, o.Status, o.Err)
			assert.False(t, seen[o.RequestID], "request id %d answered twice", o.RequestID)
			seen[o.RequestID] = true
			wg.Done()
		})
	}
	wg.Wait()
	assert.Len(t, seen, n)
	cnt := c.TakeCounters()
	assert.Equal(t, int64(1), cnt.Connections, "all calls share one connection")
	assert.Equal(t, int64(n), cnt.MessagesSent)
	// every frame names a distinct request id
	ids := map[string]bool{}
	for _, fr := range f.received() {
		i := strings.Index(fr, `"request_id":`)
		ids[fr[i:]] = true
	}
	assert.Len(t, ids, n)
}

func TestTimeoutThenLateReplyIsIgnored(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.lateDelay = 300 * time.Millisecond
	c := testClient(t, f, func(o *Options) { o.RequestTimeout = 100 * time.Millisecond })
	require.NoError(t, connect(t, c).Err)
	c.TakeCounters()

	o := call(t, c, "late")
	assert.Equal(t, StatusTimeout, o.Status)
	assert.Contains(t, o.Err, "no answer within 100ms")
	assert.GreaterOrEqual(t, o.Latency, 100*time.Millisecond)

	o = call(t, c, "silent")
	assert.Equal(t, StatusTimeout, o.Status)

	time.Sleep(400 * time.Millisecond) // the late answer arrives now
	o = call(t, c, "increment")
	assert.Equal(t, StatusCommitted, o.Status)
	assert.Equal(t, uint32(3), o.RequestID)
	n := c.TakeCounters()
	assert.Equal(t, int64(2), n.MessagesReceived, "the late reply and the increment answer")
	assert.Equal(t, int64(0), n.Drops)
}

func TestUnmatchedFailureEndsByTimeout(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	c := testClient(t, f, func(o *Options) { o.RequestTimeout = 150 * time.Millisecond })
	o := call(t, c, "unknown")
	assert.Equal(t, StatusTimeout, o.Status)
	n := c.TakeCounters()
	assert.Equal(t, int64(1), n.UnmatchedFailures)
}

func TestDropResolvesPendingAndReconnects(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	c := testClient(t, f, nil)
	require.NoError(t, connect(t, c).Err)
	c.TakeCounters()

	// A silent call is pending when the socket drops: it must end as dropped, not by timeout.
	silent := make(chan Outcome, 1)
	c.CallReducer(context.Background(), "silent", "[]", 0, func(o Outcome) { silent <- o })
	o := call(t, c, "drop")
	assert.Equal(t, StatusDropped, o.Status)
	assert.Contains(t, o.Err, "connection was lost")
	select {
	case s := <-silent:
		assert.Equal(t, StatusDropped, s.Status)
	case <-time.After(time.Second):
		t.Fatal("the pending call was forgotten")
	}
	assert.False(t, c.IsOpen())

	o = call(t, c, "increment")
	assert.Equal(t, StatusCommitted, o.Status)
	assert.True(t, c.IsOpen())
	n := c.TakeCounters()
	assert.Equal(t, int64(1), n.Drops)
	assert.Equal(t, int64(1), n.ReconnectAttempts)
	assert.Equal(t, int64(1), n.Connections)
	assert.Equal(t, int64(2), f.connections.Load())
}

func TestClose1011CountsAsDrop(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	c := testClient(t, f, nil)
	o := call(t, c, "close1011")
	assert.Equal(t, StatusDropped, o.Status)
	assert.Contains(t, o.Err, "1011")
	assert.Equal(t, int64(1), c.TakeCounters().Drops)
	assert.Equal(t, StatusCommitted, call(t, c, "increment").Status)
}

func TestCloseEndsPendingAsDroppedWithoutCountingADrop(t *testing.T) {
	t.Parallel()
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

func TestConnectRetriesThenFails(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.refuse.Store(100)
	c := testClient(t, f, func(o *Options) { o.MaxRetries = 2 })
	r := connect(t, c)
	require.Error(t, r.Err)
	assert.Contains(t, r.Err.Error(), "after 3 attempt(s)")
	assert.Contains(t, r.Err.Error(), "HTTP 503: busy")
	n := c.TakeCounters()
	assert.Equal(t, int64(3), n.ConnectionErrors)
	assert.Equal(t, int64(2), n.ReconnectAttempts)
	assert.Equal(t, int64(0), n.Connections)

	o := call(t, c, "increment") // a call that cannot connect ends as dropped
	assert.Equal(t, StatusDropped, o.Status)
	assert.Contains(t, o.Err, "could not connect")

	f.refuse.Store(1) // one more refusal, then the retry gets through
	r = connect(t, c)
	require.NoError(t, r.Err)
	assert.Equal(t, 2, r.Attempts)
}

func TestServerWithoutTheSubprotocolIsRefused(t *testing.T) {
	t.Parallel()
	plain := websocket.Upgrader{} // selects no subprotocol
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := plain.Upgrade(w, r, nil)
		if err == nil {
			defer ws.Close()
			_, _, _ = ws.ReadMessage()
		}
	}))
	t.Cleanup(srv.Close)
	o := DefaultOptions()
	o.URL = "ws" + strings.TrimPrefix(srv.URL, "http")
	o.MaxRetries = 0
	c := NewClient(o)
	r := connect(t, c)
	require.Error(t, r.Err)
	assert.Contains(t, r.Err.Error(), "did not accept the v1.json.spacetimedb subprotocol")
	assert.Contains(t, r.Err.Error(), "after 1 attempt(s)")
}

func TestRequestIDsWrapAndSkipZeroAndBusy(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	c := testClient(t, f, func(o *Options) { o.RequestTimeout = 300 * time.Millisecond })
	require.NoError(t, connect(t, c).Err)

	c.mu.Lock()
	c.reqID = math.MaxUint32 - 2
	c.mu.Unlock()
	// MaxUint32-1 stays pending (silent) while the ids wrap past it.
	silent := make(chan Outcome, 1)
	c.CallReducer(context.Background(), "silent", "[]", 0, func(o Outcome) { silent <- o })
	assert.Equal(t, uint32(math.MaxUint32), call(t, c, "increment").RequestID)
	assert.Equal(t, uint32(1), call(t, c, "increment").RequestID, "0 is never used")

	c.mu.Lock()
	c.reqID = math.MaxUint32 - 2
	c.mu.Unlock()
	assert.Equal(t, uint32(math.MaxUint32), call(t, c, "increment").RequestID, "a pending id is skipped")
	assert.Equal(t, uint32(math.MaxUint32-1), (<-silent).RequestID)
}

func TestSubscriptionsAndQueries(t *testing.T) {
	t.Parallel()
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

func TestCancelledContextEndsPendingOperation(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	c := testClient(t, f, nil)
	require.NoError(t, connect(t, c).Err)
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan Outcome, 1)
	c.CallReducer(ctx, "silent", "[]", 0, func(o Outcome) { ch <- o })
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case o := <-ch:
		assert.Equal(t, StatusDropped, o.Status)
		assert.Contains(t, o.Err, "interrupted")
	case <-time.After(time.Second):
		t.Fatal("a cancelled iteration left its call pending")
	}
	assert.True(t, c.IsOpen(), "the socket outlives the iteration")
}

func TestPings(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	c := testClient(t, f, func(o *Options) { o.PingInterval = 20 * time.Millisecond })
	require.NoError(t, connect(t, c).Err)
	time.Sleep(130 * time.Millisecond)
	assert.GreaterOrEqual(t, c.TakeCounters().Pings, int64(3))
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

// After a drop the remembered subscriptions are re-sent on the new socket before the operation that
// reconnects, so the server puts the caller's rows into its very first update again.
func TestSubscriptionsAreResentAfterAReconnect(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.rowsNeedSubscription.Store(true)
	c := testClient(t, f, nil)

	o := call(t, c, "increment")
	require.Equal(t, StatusCommitted, o.Status)
	assert.Equal(t, 0, o.Inserts, "no subscription: no rows")
	require.Equal(t, StatusOK, subscribe(t, c, "SELECT * FROM counters", "SELECT * FROM users").Status)
	require.Equal(t, StatusOK, subscribeSingle(t, c, "SELECT * FROM messages").Status)
	require.Equal(t, StatusError, subscribeSingle(t, c, "SELECT * FROM nope").Status)  // not remembered
	require.Equal(t, StatusOK, subscribeSingle(t, c, "SELECT * FROM messages").Status) // remembered once
	assert.Equal(t, 1, call(t, c, "increment").Inserts)
	c.TakeCounters()

	f.dropAll()
	waitClosed(t, c)
	o = call(t, c, "increment") // reconnects
	require.Equal(t, StatusCommitted, o.Status, o.Err)
	assert.Equal(t, 1, o.Inserts, "the first call after the reconnect gets its rows")
	assert.Equal(t, 1, o.Deletes)
	assert.Equal(t, []string{"counters"}, o.Tables)
	frames := f.framesOn(1002)
	require.Len(t, frames, 3)
	assert.Equal(t, `{"Subscribe":{"query_strings":["SELECT * FROM counters","SELECT * FROM users"],"request_id":7}}`, frames[0])
	assert.Equal(t, `{"SubscribeSingle":{"query":"SELECT * FROM messages","request_id":8,"query_id":{"id":4}}}`, frames[1])
	assert.Contains(t, frames[2], `{"CallReducer":{"reducer":"increment"`)
	assert.Equal(t, uint32(9), o.RequestID)
	sentAll(t, c, 3)
	n := c.TakeCounters()
	assert.Equal(t, int64(1), n.Drops)
	assert.Equal(t, int64(3), n.MessagesSent)
	assert.Equal(t, int64(4), n.MessagesReceived) // IdentityToken, InitialSubscription, SubscribeApplied, the update
	assert.Equal(t, int64(0), n.SubscriptionErrors)
	assert.Equal(t, int64(0), n.UnmatchedFailures)

	// A later legacy Subscribe replaces the remembered list, as it replaces the server's set.
	require.Equal(t, StatusOK, subscribe(t, c, "SELECT * FROM counters WHERE id = 'c1'").Status)
	f.dropAll()
	waitClosed(t, c)
	o = query(t, func(d func(Outcome)) { c.OneOffQuery(context.Background(), "SELECT * FROM counters", d) })
	require.Equal(t, StatusOK, o.Status)
	frames = f.framesOn(1003)
	require.Len(t, frames, 3)
	assert.Equal(t, `{"Subscribe":{"query_strings":["SELECT * FROM counters WHERE id = 'c1'"],"request_id":11}}`, frames[0])
	assert.Contains(t, frames[1], `"SubscribeSingle":{"query":"SELECT * FROM messages"`)
	assert.Contains(t, frames[2], `"OneOffQuery"`)

	// connect() waits for the re-subscriptions too; close() forgets them.
	f.dropAll()
	waitClosed(t, c)
	require.NoError(t, connect(t, c).Err)
	require.Eventually(t, func() bool { return len(f.framesOn(1004)) == 2 }, 5*time.Second, time.Millisecond)
	c.Close()
	o = call(t, c, "increment")
	require.Equal(t, StatusCommitted, o.Status)
	assert.Equal(t, 0, o.Inserts)
	frames = f.framesOn(1005)
	require.Len(t, frames, 1)
	assert.Contains(t, frames[0], `"CallReducer"`)
}

func TestFailedResubscriptionsAreCounted(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.rowsNeedSubscription.Store(true)
	c := testClient(t, f, func(o *Options) { o.RequestTimeout = 300 * time.Millisecond })
	require.Equal(t, StatusOK, subscribe(t, c, "SELECT * FROM counters").Status)
	require.Equal(t, StatusOK, subscribeSingle(t, c, "SELECT * FROM messages").Status)
	c.TakeCounters()

	f.failSubscriptions.Store(true)
	f.dropAll()
	waitClosed(t, c)
	o := call(t, c, "increment")
	require.Equal(t, StatusCommitted, o.Status)
	assert.Equal(t, 0, o.Inserts)
	// the refusals are read before the call's answer
	sentAll(t, c, 3)
	n := c.TakeCounters()
	assert.Equal(t, int64(2), n.SubscriptionErrors)
	assert.Equal(t, int64(3), n.MessagesSent)
	assert.Equal(t, int64(0), n.UnmatchedFailures, "the legacy refusal (request id 0) ends the re-subscription")

	// still remembered: re-sent (and answered) after the next drop
	f.failSubscriptions.Store(false)
	f.dropAll()
	waitClosed(t, c)
	o = call(t, c, "increment")
	require.Equal(t, StatusCommitted, o.Status)
	assert.Equal(t, 1, o.Inserts)
	assert.Equal(t, int64(0), c.TakeCounters().SubscriptionErrors)

	// an unanswered re-subscription ends by timeout and counts too
	f.dropAll()
	waitClosed(t, c)
	f.ignoreFrames.Store(true)
	require.NoError(t, connect(t, c).Err)
	require.Eventually(t, func() bool { return c.ctr.n[ctrSubErrors].Load() == 2 }, 5*time.Second, time.Millisecond)
}

// The request timer starts when the frame is written: an operation waiting for a socket ends with
// the connect error ('dropped'), never 'timeout', however long the connect attempts take.
func TestRequestTimeoutDoesNotIncludeConnecting(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.refuse.Store(100)
	c := testClient(t, f, func(o *Options) {
		o.RequestTimeout = 50 * time.Millisecond
		o.MaxRetries = 2
		o.RetryDelay = 80 * time.Millisecond
	})
	o := call(t, c, "increment")
	assert.Equal(t, StatusDropped, o.Status)
	assert.Contains(t, o.Err, "could not connect")
	assert.Contains(t, o.Err, "after 3 attempt(s)")
	assert.GreaterOrEqual(t, o.Latency, 160*time.Millisecond)

	f.refuse.Store(2) // the third attempt, 160 ms later, gets through: the call is answered
	o = call(t, c, "increment")
	assert.Equal(t, StatusCommitted, o.Status, o.Err)
	assert.Less(t, o.Latency, 50*time.Millisecond, "latency is measured from the write")

	o = call(t, c, "silent") // once written, the timer runs
	assert.Equal(t, StatusTimeout, o.Status)
	assert.GreaterOrEqual(t, o.Latency, 50*time.Millisecond)
}
