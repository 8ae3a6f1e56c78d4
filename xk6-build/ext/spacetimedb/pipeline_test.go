package spacetimedb

import (
	"context"
	"fmt"
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

// A recorded pipeline pushes its calls' samples in batches: each call's Trend and Rate samples, the
// Counters summed per batch; the same totals as one sample per call.
func TestRecordedPipelineSumsItsCounters(t *testing.T) {
	f := newFakeServer(t)
	vu := jsVU(t)
	require.NoError(t, iteration(t, vu.Runtime, fmt.Sprintf(`(async () => {
		const client = new Client({ url: %q });
		globalThis.result = await client.pipeline('increment', '["c1",1]', 4, 100, { kind: 'write', records: 1 });
		client.close();
	})()`, f.url())))
	calls := vu.Runtime.VU.Runtime().Get("result").ToObject(vu.Runtime.VU.Runtime()).Get("calls").ToInteger()
	require.Greater(t, calls, int64(4))
	totals := map[string]float64{}
	counted := map[string]int{}
	for len(vu.samples) > 0 {
		for _, s := range (<-vu.samples).GetSamples() {
			totals[s.Metric.Name] += s.Value
			counted[s.Metric.Name]++
		}
	}
	n := float64(calls)
	for name, want := range map[string]float64{
		"spacetime_reducer_calls_total": n, "transactions_total": n, "records_written_total": n,
		"spacetime_table_updates_total": n, "transaction_success_rate": n,
	} {
		assert.Equal(t, want, totals[name], name)
	}
	assert.Equal(t, int(calls), counted["latency_ms"])
	assert.Equal(t, int(calls), counted["write_latency_ms"])
	assert.Equal(t, int(calls), counted["error_rate"])
	assert.Less(t, counted["transactions_total"], int(calls), "Counters are summed, not one sample per call")
	assert.Equal(t, int(calls), callFrames(f))
}

// Calls the server never answers end as dropped when the slice's context ends (one watch for them all).
func TestPipelineAbandonsItsUnansweredCallsWithItsContext(t *testing.T) {
	f := newFakeServer(t)
	c := testClient(t, f, func(o *Options) { o.RequestTimeout = time.Hour })
	require.NoError(t, connect(t, c).Err)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	started := time.Now()
	res := c.Pipeline(ctx, "silent", `[]`, 5, time.Hour, nil)
	assert.Less(t, time.Since(started), 5*time.Second)
	assert.Equal(t, 5, res.Calls)
	assert.Equal(t, 5, res.Failed)
	assert.Equal(t, abandonedErr, res.Errors[StatusDropped])
}
