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
// answer frees a place that is refilled at once, until the slice is over; then it waits for the calls
// still in flight (each bounded by the request timeout, or ended 'dropped' when ctx ends). `each` is
// called with every call's outcome, on the goroutine that completed it, before the call is counted.
// This is the server's capacity question ("how many calls can it take"): the load is as much as the
// server answers, not a fixed arrival rate.
func (c *Client) Pipeline(ctx context.Context, reducer, args string, depth int, slice time.Duration, each func(Outcome)) PipelineResult {
	res := PipelineResult{Errors: map[string]string{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	places := make(chan struct{}, depth)
	start := time.Now()
	end := start.Add(slice)
	over := time.NewTimer(slice)
	defer over.Stop()
	for ctx.Err() == nil {
		select {
		case places <- struct{}{}:
		case <-ctx.Done():
		case <-over.C:
		}
		if ctx.Err() != nil || !time.Now().Before(end) {
			break
		}
		wg.Add(1)
		c.CallReducer(ctx, reducer, args, 0, func(out Outcome) {
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
			<-places
			wg.Done()
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res
}
