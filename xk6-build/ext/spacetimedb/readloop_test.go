package spacetimedb

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnmatchedFailureEndsByTimeout(t *testing.T) {
	f := newFakeServer(t)
	c := testClient(t, f, func(o *Options) { o.RequestTimeout = 150 * time.Millisecond })
	o := call(t, c, "unknown")
	assert.Equal(t, StatusTimeout, o.Status)
	n := c.TakeCounters()
	assert.Equal(t, int64(1), n.UnmatchedFailures)
}

func TestDropResolvesPendingAndReconnects(t *testing.T) {
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
	f := newFakeServer(t)
	c := testClient(t, f, nil)
	o := call(t, c, "close1011")
	assert.Equal(t, StatusDropped, o.Status)
	assert.Contains(t, o.Err, "1011")
	assert.Equal(t, int64(1), c.TakeCounters().Drops)
	assert.Equal(t, StatusCommitted, call(t, c, "increment").Status)
}
