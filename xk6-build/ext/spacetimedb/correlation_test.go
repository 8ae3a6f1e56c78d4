package spacetimedb

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestManyConcurrentCallsAreCorrelated(t *testing.T) {
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

func TestRequestIDsWrapAndSkipZeroAndBusy(t *testing.T) {
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

func TestCancelledContextEndsPendingOperation(t *testing.T) {
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

// The request timer starts when the frame is written: an operation waiting for a socket ends with
// the connect error ('dropped'), never 'timeout', however long the connect attempts take.
func TestRequestTimeoutDoesNotIncludeConnecting(t *testing.T) {
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
