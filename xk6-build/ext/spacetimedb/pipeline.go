package spacetimedb

import (
	"context"
	"sync"
	"time"
)

// PipelineResult is what one pipelined time slice did.
type PipelineResult struct {
	Calls     int // calls answered (or ended) in the slice
	Committed int
	Failed    int // failed, out_of_energy, timeout or dropped
	// Errors is the first error text of each status that was not 'committed' (status -> text).
	Errors map[string]string
	// Elapsed is from the first call's send to the last answer.
	Elapsed time.Duration
}

// Pipeline keeps `depth` calls of reducer(args) in flight on this client's socket for `slice`: each
// outcome frees a place that is refilled at once, from the goroutine that delivered the outcome (for
// an answer, the socket's reader: no hand-over to another goroutine per call, as a bare pipelined
// client does), until the slice is over; then it waits for the calls still in flight (each bounded by
// the request timeout, or ended 'dropped' when ctx ends). `each` is called with every call's outcome,
// on the goroutine that completed it, before the call is counted. This is the server's capacity
// question ("how many calls can it take"): the load is as much as the server answers, not a fixed
// arrival rate.
func (c *Client) Pipeline(ctx context.Context, reducer, args string, depth int, slice time.Duration, each func(Outcome)) PipelineResult {
	res := PipelineResult{Errors: map[string]string{}}
	var mu sync.Mutex
	var inFlight sync.WaitGroup
	start := time.Now()
	end := start.Add(slice)
	var onOutcome func(Outcome)
	c.pipelines.Add(1)
	defer c.pipelines.Add(-1)
	group := &opGroup{}
	defer context.AfterFunc(ctx, func() { c.abandonGroup(group) })()
	send := func() { c.start(ctx, &op{kind: kindCall, reducer: reducer, args: args, done: onOutcome, group: group}) }
	onOutcome = func(out Outcome) {
		if each != nil {
			each(out)
		}
		mu.Lock()
		res.Calls++
		if out.Status == StatusCommitted {
			res.Committed++
		} else {
			res.Failed++
			if _, seen := res.Errors[out.Status]; !seen {
				res.Errors[out.Status] = out.Err
			}
		}
		mu.Unlock()
		// A call that ends at once (its socket died as it was sent) comes back here before send
		// returns; the next one then waits for a reconnection on a goroutine of its own
		// (Client.start), so this recursion is at most one deep.
		if ctx.Err() == nil && time.Now().Before(end) {
			send()
			return
		}
		inFlight.Done()
	}
	inFlight.Add(depth)
	for range depth {
		send()
	}
	inFlight.Wait()
	res.Elapsed = time.Since(start)
	return res
}
