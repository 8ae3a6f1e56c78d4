package spacetimedb

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// After a drop the remembered subscriptions are re-sent on the new socket before the operation that
// reconnects, so the server puts the caller's rows into its very first update again.
func TestSubscriptionsAreResentAfterAReconnect(t *testing.T) {
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
