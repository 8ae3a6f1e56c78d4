package spacetimedb

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// callFrames counts the CallReducer frames the fake server received.
func callFrames(f *fakeServer) int {
	n := 0
	for _, frame := range f.received() {
		if strings.Contains(frame, `"CallReducer"`) {
			n++
		}
	}
	return n
}

// A pipelined slice keeps the calls in flight until it is over, then waits for them: every call sent
// is answered and counted once, and `each` saw every one.
func TestPipelineSendsEveryCallOnceAndWaitsForTheLast(t *testing.T) {
	f := newFakeServer(t)
	f.shuffle = true // answers out of order, a few ms late
	c := testClient(t, f, nil)
	require.NoError(t, connect(t, c).Err)
	var seen atomic.Int64
	res := c.Pipeline(context.Background(), "increment", `["c1",1]`, 8, 150*time.Millisecond, func(Outcome) { seen.Add(1) })
	assert.Greater(t, res.Calls, 20)
	assert.Equal(t, res.Calls, res.Committed)
	assert.Equal(t, 0, res.Failed)
	assert.Equal(t, int64(res.Calls), seen.Load())
	assert.Equal(t, res.Calls, callFrames(f))
	assert.GreaterOrEqual(t, res.Elapsed, 150*time.Millisecond)
}

// Failures are counted with their first error; an ended context ends the slice.
func TestPipelineCountsFailuresAndStopsWithItsContext(t *testing.T) {
	f := newFakeServer(t)
	c := testClient(t, f, nil)
	res := c.Pipeline(context.Background(), "fail", `[]`, 2, 50*time.Millisecond, nil)
	assert.Greater(t, res.Calls, 0)
	assert.Equal(t, res.Calls, res.Failed)
	assert.Contains(t, res.Errors[StatusFailed], "boom")

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	started := time.Now()
	res = c.Pipeline(ctx, "increment", `["c1",1]`, 4, time.Hour, nil)
	assert.Less(t, time.Since(started), 5*time.Second)
	assert.Equal(t, res.Calls, res.Committed+res.Failed)
}
