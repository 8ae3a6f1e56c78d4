package spacetimedb

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/k6regression/k6events"
	"go.k6.io/k6/v2/js/modules"
	"go.k6.io/k6/v2/lib"
	"go.k6.io/k6/v2/metrics"
)

// metricNames are the k6 Counters the module pushes its connection-level counts to, by counter index
// (pings have none).
var metricNames = [numCounters]string{
	ctrSent:        "spacetime_ws_messages_sent_total",
	ctrReceived:    "spacetime_ws_messages_received_total",
	ctrSubUpdates:  "spacetime_subscription_updates_total",
	ctrConnections: "spacetime_ws_connections_total",
	ctrConnErrors:  "spacetime_ws_connection_errors_total",
	ctrDrops:       "spacetime_connection_drops_total",
	ctrReconnects:  "spacetime_reconnect_attempts_total",
	ctrUnmatched:   "spacetime_unmatched_failures_total",
	ctrSubErrors:   "spacetime_subscription_errors_total",
	// time-valued (ms): counted in microseconds, pushed divided by usPerMs
	ctrDisconnected: "spacetime_disconnected_ms",
}

const usPerMs = 1000

// pushEvery bounds how long counts wait while a VU always has an operation in flight.
const pushEvery = time.Second

// vuMetrics counts for every Client of one VU and pushes the counts to k6 as metric samples: one
// metrics.ConnectedSamples with the non-zero counts accumulated since the previous push, tagged with
// the VU's current tags. Counting is an atomic add; a push happens
//   - on the event loop, when an operation settles and the VU has no other operation in flight (or
//     pushEvery has passed): the iteration cannot end before that, so what an iteration's operations
//     counted is pushed before its context ends;
//   - from a goroutine, when something is counted while no operation is in flight (subscription
//     updates and drops seen while idle, a frame counted as sent after its answer settled): that push
//     uses the context and state of the VU's latest iteration seen on the event loop;
//   - once more at the end of the test (k6's TestEnd event, before the samples channel is closed),
//     with whatever could not be pushed before because the VU had no live iteration context (counted
//     between iterations, after the VU's last iteration, or by an interrupted iteration).
//
// A push never takes counts it cannot send: with the VU's context done they stay for a later push.
type vuMetrics struct {
	vu      modules.VU
	metrics [numCounters]*metrics.Metric // nil for pings
	calls   *callMetrics                 // the measured operations' metrics (nil without a registry)
	ctr     counters
	outages outageSet // the VU's clients that are down now: their outage ends at TestEnd

	// inflight counts the operations whose promise has not been settled on the event loop yet.
	// Invariant that makes pushes exact: whoever adds a count then reads inflight; if it is zero the
	// count is pushed by the goroutine, otherwise the settle that brings inflight to zero comes later
	// and pushes it.
	inflight atomic.Int64
	target   atomic.Pointer[pushTarget]
	lastPush time.Time // event loop only

	kicked, draining atomic.Bool

	pushMu sync.RWMutex
	ended  bool // guarded by pushMu: TestEnd was handled, nothing may be pushed any more
}

// pushTarget is where a push from a goroutine goes: the VU's latest iteration context and state.
type pushTarget struct {
	ctx   context.Context
	state *lib.State
}

// newVUMetrics registers (get-or-create) the module's metrics in the VU's init environment registry.
func newVUMetrics(vu modules.VU) *vuMetrics {
	m := &vuMetrics{vu: vu}
	if env := vu.InitEnv(); env != nil && env.Registry != nil {
		for i, name := range metricNames {
			switch {
			case i == ctrDisconnected:
				m.metrics[i] = env.Registry.MustNewMetric(name, metrics.Counter, metrics.Time)
			case name != "":
				m.metrics[i] = env.Registry.MustNewMetric(name, metrics.Counter)
			}
		}
		m.calls = newCallMetrics(env.Registry)
	}
	m.subscribeTestEnd()
	return m
}

// bind makes c count into the VU's counters.
func (m *vuMetrics) bind(c *Client) {
	c.ctr = &m.ctr
	c.onCount = m.onCount
	c.outages = &m.outages
}

// began is called on the event loop when an operation registers its event-loop callback.
func (m *vuMetrics) began() {
	m.inflight.Add(1)
	m.track(m.vu.Context(), m.vu.State())
}

// settled is called on the event loop when an operation's promise is about to be settled.
func (m *vuMetrics) settled() {
	if m.inflight.Add(-1) <= 0 || time.Since(m.lastPush) >= pushEvery {
		m.pushFromLoop()
	}
}

// pushFromLoop pushes on the event loop, with the VU's current context.
func (m *vuMetrics) pushFromLoop() {
	ctx, state := m.vu.Context(), m.vu.State()
	m.track(ctx, state)
	m.lastPush = time.Now()
	m.push(ctx, state)
}

// track remembers the VU's current context and state for pushes from goroutines (event loop only).
func (m *vuMetrics) track(ctx context.Context, state *lib.State) {
	if state == nil || ctx == nil {
		return // init context: no samples channel yet
	}
	if t := m.target.Load(); t == nil || t.ctx != ctx || t.state != state {
		m.target.Store(&pushTarget{ctx: ctx, state: state})
	}
}

// sampler adds one operation's samples: (*samples).call or (*samples).query.
type sampler func(s *samples, out Outcome, rec *Record)

// pushOperation pushes one measured operation's samples as one container (event loop only, with the
// VU's current context); nothing without a registry or outside an iteration.
func (m *vuMetrics) pushOperation(add sampler, out Outcome, rec *Record) {
	ctx, state := m.vu.Context(), m.vu.State()
	if state == nil || ctx == nil || m.calls == nil {
		return
	}
	tm := state.Tags.GetCurrentValues()
	now := time.Now()
	s := &samples{cm: m.calls, list: make([]metrics.Sample, 0, 16), tm: tm, now: now}
	add(s, out, rec)
	metrics.PushIfNotDone(ctx, state.Samples, metrics.ConnectedSamples{Samples: s.list, Tags: tm.Tags, Time: now})
}

// onCount is called on any goroutine after a count has been added.
func (m *vuMetrics) onCount() {
	if m.inflight.Load() != 0 {
		return // the settle that brings inflight to zero pushes it
	}
	if t := m.target.Load(); t == nil || t.ctx.Err() != nil {
		return // no live iteration: the next push on the event loop or at TestEnd takes it
	}
	m.kicked.Store(true)
	if m.draining.CompareAndSwap(false, true) {
		go m.drain()
	}
}

// drain pushes from a goroutine until no count is waiting; counts added meanwhile are batched.
func (m *vuMetrics) drain() {
	for {
		m.kicked.Store(false)
		if t := m.target.Load(); t != nil {
			m.push(t.ctx, t.state)
		}
		m.draining.Store(false)
		if !m.kicked.Load() || !m.draining.CompareAndSwap(false, true) {
			return
		}
	}
}

func (m *vuMetrics) push(ctx context.Context, state *lib.State) {
	if state == nil || ctx == nil || ctx.Err() != nil {
		return
	}
	m.pushMu.RLock()
	defer m.pushMu.RUnlock()
	if !m.ended {
		m.pushLocked(ctx, state)
	}
}

// pushLocked takes the non-zero counts and pushes them as one container; if the context ended before
// they could be sent, they are put back for a later push.
func (m *vuMetrics) pushLocked(ctx context.Context, state *lib.State) {
	var taken [numCounters]int64
	n := 0
	for i, metric := range m.metrics {
		if metric == nil {
			continue
		}
		if v := m.ctr.n[i].Swap(0); v != 0 {
			taken[i] = v
			n++
		}
	}
	if n == 0 {
		return
	}
	tm := state.Tags.GetCurrentValues()
	now := time.Now()
	samples := make([]metrics.Sample, 0, n)
	for i, v := range taken {
		if v != 0 {
			value := float64(v)
			if i == ctrDisconnected {
				value /= usPerMs
			}
			samples = append(samples, metrics.Sample{
				TimeSeries: metrics.TimeSeries{Metric: m.metrics[i], Tags: tm.Tags},
				Time:       now,
				Metadata:   tm.Metadata,
				Value:      value,
			})
		}
	}
	if !metrics.PushIfNotDone(ctx, state.Samples, metrics.ConnectedSamples{Samples: samples, Tags: tm.Tags, Time: now}) {
		for i, v := range taken {
			if v != 0 {
				m.ctr.n[i].Add(v)
			}
		}
	}
}

// endOfTest pushes what is left, once, when k6 emits TestEnd: the samples channel is still read then
// (k6 closes it after every TestEnd subscriber is done), but every VU context has ended, so the push
// is not bound to one. The outages still running end now. Nothing is pushed after it.
func (m *vuMetrics) endOfTest() {
	m.pushMu.Lock()
	defer m.pushMu.Unlock()
	if m.ended {
		return
	}
	m.ended = true
	m.outages.endAll(time.Now())
	if t := m.target.Load(); t != nil {
		m.pushLocked(context.Background(), t.state)
	}
}

// subscribeTestEnd calls endOfTest on k6's global TestEnd event, then marks the event done
// (k6events.OnTestEnd: k6's event package is internal, the TestEnd value is found by name).
func (m *vuMetrics) subscribeTestEnd() {
	defer func() { _ = recover() }() // no usable event system (e.g. a test VU): no end-of-test push
	if sub := m.vu.Events().Global; sub != nil {
		_ = k6events.OnTestEnd(sub.Subscribe, m.endOfTest)
	}
}
