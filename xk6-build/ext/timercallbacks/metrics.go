package timercallbacks

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.k6.io/k6/v2/metrics"
)

// The metrics the module pushes as callbacks arrive (or fail to).
const (
	metricLatency    = "timer_callback_latency_ms"        // Trend (time): arrival − due time, first arrivals in time
	metricTotal      = "timer_callbacks_total"            // Counter: first arrivals of expected callbacks, in time
	metricDuplicate  = "timer_callbacks_duplicate_total"  // Counter: further arrivals of a received callback
	metricLost       = "timer_callbacks_lost_total"       // Counter: expected callbacks not arrived by due time + grace
	metricUnexpected = "timer_callbacks_unexpected_total" // Counter: arrivals nobody announced, or unreadable
)

type callbackMetrics struct {
	latency, total, duplicate, lost, unexpected *metrics.Metric
}

// registerMetrics gets or creates the module's metrics in a VU's init environment registry (the same
// *Metric for every VU); it fails when a script registered one of the names with another type first.
func registerMetrics(r *metrics.Registry) (*callbackMetrics, error) {
	var m callbackMetrics
	for _, d := range []struct {
		dst  **metrics.Metric
		name string
		typ  metrics.MetricType
		vt   metrics.ValueType
	}{
		{&m.latency, metricLatency, metrics.Trend, metrics.Time},
		{&m.total, metricTotal, metrics.Counter, metrics.Default},
		{&m.duplicate, metricDuplicate, metrics.Counter, metrics.Default},
		{&m.lost, metricLost, metrics.Counter, metrics.Default},
		{&m.unexpected, metricUnexpected, metrics.Counter, metrics.Default},
	} {
		metric, err := r.NewMetric(d.name, d.typ, d.vt)
		if err != nil {
			return nil, fmt.Errorf("timercallbacks: %w", err)
		}
		*d.dst = metric
	}
	return &m, nil
}

// pusher batches samples and sends them to k6's samples channel (the engine's: the same for every
// VU, read until after the TestEnd event). Safe for concurrent use.
type pusher struct {
	samples chan<- metrics.SampleContainer
	tags    metrics.TagsAndMeta

	mu      sync.Mutex
	pending []metrics.Sample
	sendMu  sync.Mutex  // one send at a time, in order
	closed  atomic.Bool // a send found the channel closed: nothing more is sent
}

// add queues one sample of metric, taken at `at`.
func (p *pusher) add(metric *metrics.Metric, at time.Time, v float64) {
	p.mu.Lock()
	p.pending = append(p.pending, metrics.Sample{
		TimeSeries: metrics.TimeSeries{Metric: metric, Tags: p.tags.Tags},
		Time:       at,
		Metadata:   p.tags.Metadata,
		Value:      v,
	})
	p.mu.Unlock()
}

// flush sends the queued samples as one container. k6 closes its samples channel only after every
// TestEnd subscriber is done, and the TestEnd handler flushes last: a send on a closed channel should
// not happen; should it anyway, the panic is recovered and nothing more is sent.
func (p *pusher) flush() {
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	p.mu.Lock()
	batch := p.pending
	p.pending = nil
	p.mu.Unlock()
	if len(batch) == 0 || p.closed.Load() {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			p.closed.Store(true)
		}
	}()
	p.samples <- metrics.Samples(batch)
}
