package spacetimedb

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/k6regression/k6events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.k6.io/k6/v2/cmd/state"
	"go.k6.io/k6/v2/js/common"
	"go.k6.io/k6/v2/js/modulestest"
	"go.k6.io/k6/v2/lib"
	"go.k6.io/k6/v2/metrics"
)

// vuRuntime is a k6 VU past its init context: the module instance was made (and its metrics
// registered) in the init context, then the VU got a state with a samples channel and tags.
type vuRuntime struct {
	*modulestest.Runtime
	mi       *ModuleInstance
	registry *metrics.Registry
	samples  chan metrics.SampleContainer

	mu           sync.Mutex
	totals       map[string]float64
	disconnected float64 // spacetime_disconnected_ms, a time, kept out of totals (which are exact counts)
	containers   int
}

func jsVU(t testing.TB, events ...common.Events) *vuRuntime {
	t.Helper()
	rt := modulestest.NewRuntime(t)
	if len(events) > 0 {
		rt.VU.EventsField = events[0]
	}
	registry := rt.VU.InitEnv().Registry
	mi, ok := New().NewModuleInstance(rt.VU).(*ModuleInstance)
	require.True(t, ok)
	require.NoError(t, rt.VU.Runtime().Set("Client", mi.Exports().Named["Client"]))
	samples := make(chan metrics.SampleContainer, 10000)
	rt.MoveToVUContext(&lib.State{
		Samples: samples,
		Tags:    lib.NewVUStateTags(registry.RootTagSet().With("scenario", "sc")),
	})
	return &vuRuntime{Runtime: rt, mi: mi, registry: registry, samples: samples, totals: map[string]float64{}}
}

// drain reads the samples pushed so far and returns the totals by metric name. Every container must
// be one ConnectedSamples, tagged like the VU, with only positive counts of the module's metrics.
func (v *vuRuntime) drain(t *testing.T) map[string]float64 {
	t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	for {
		select {
		case c := <-v.samples:
			cs, ok := c.(metrics.ConnectedSamples)
			require.True(t, ok, "pushed a %T", c)
			require.NotEmpty(t, cs.Samples)
			scenario, _ := cs.Tags.Get("scenario")
			assert.Equal(t, "sc", scenario)
			seen := map[string]bool{}
			for _, s := range cs.Samples {
				assert.Equal(t, metrics.Counter, s.Metric.Type)
				assert.Contains(t, metricNames, s.Metric.Name)
				assert.False(t, seen[s.Metric.Name], "%s twice in one container", s.Metric.Name)
				seen[s.Metric.Name] = true
				assert.Positive(t, s.Value)
				assert.Same(t, cs.Tags, s.Tags)
				if s.Metric == v.mi.metrics.metrics[ctrDisconnected] {
					v.disconnected += s.Value
					continue
				}
				v.totals[s.Metric.Name] += s.Value
			}
			v.containers++
		default:
			return maps.Clone(v.totals)
		}
	}
}

func (v *vuRuntime) waitTotals(t *testing.T, want map[string]float64) {
	t.Helper()
	var got map[string]float64
	if !assert.Eventually(t, func() bool {
		got = v.drain(t)
		return reflect.DeepEqual(got, want)
	}, 5*time.Second, 5*time.Millisecond) {
		t.Fatalf("pushed totals %v, want %v", got, want)
	}
}

// steady checks that nothing more is pushed for a while.
func (v *vuRuntime) steady(t *testing.T, want map[string]float64) {
	t.Helper()
	time.Sleep(150 * time.Millisecond)
	assert.Equal(t, want, v.drain(t))
}

func add(m map[string]float64, deltas map[string]float64) map[string]float64 {
	for k, d := range deltas {
		m[k] += d
	}
	return m
}

const lightUpdate = `{"TransactionUpdateLight":{"request_id":1,"update":{"tables":[]}}}`

func TestMetricsAreRegisteredAsCounters(t *testing.T) {
	t.Parallel()
	vu := jsVU(t)
	want := []string{
		"spacetime_ws_messages_sent_total", "spacetime_ws_messages_received_total",
		"spacetime_subscription_updates_total", "spacetime_ws_connections_total",
		"spacetime_ws_connection_errors_total", "spacetime_connection_drops_total",
		"spacetime_reconnect_attempts_total", "spacetime_unmatched_failures_total",
		"spacetime_subscription_errors_total",
	}
	for _, name := range want {
		m := vu.registry.Get(name)
		if assert.NotNil(t, m, name) {
			assert.Equal(t, metrics.Counter, m.Type, name)
			assert.Equal(t, metrics.Default, m.Contains, name)
		}
	}
	// Get-or-create: a script (or another VU) defining the same Counter gets the same metric.
	again, ok := New().NewModuleInstance(&modulestest.VU{InitEnvField: &common.InitEnvironment{
		TestPreInitState: &lib.TestPreInitState{Registry: vu.registry}}}).(*ModuleInstance)
	require.True(t, ok)
	for i, m := range vu.mi.metrics.metrics {
		assert.Same(t, m, again.metrics.metrics[i])
	}
	assert.Same(t, vu.registry.Get(want[0]), vu.mi.metrics.metrics[ctrSent])
}

// One call per iteration: one container per settled operation, holding every count it caused.
func TestCountsArePushedWhenTheLastOperationSettles(t *testing.T) {
	f := newFakeServer(t)
	vu := jsVU(t)
	require.NoError(t, iteration(t, vu.Runtime, fmt.Sprintf(`globalThis.client = new Client({ url: %q });`, f.url())))
	vu.steady(t, map[string]float64{}) // constructing pushes nothing

	for range 3 {
		require.NoError(t, iteration(t, vu.Runtime, `(async () => {
			const outs = await Promise.all([client.callReducer('increment', '[]'), client.callReducer('increment', '[]')]);
			for (const o of outs) if (o.status !== 'committed') throw new Error(JSON.stringify(o));
		})()`))
	}
	vu.waitTotals(t, map[string]float64{
		"spacetime_ws_connections_total":       1,
		"spacetime_ws_messages_sent_total":     6,
		"spacetime_ws_messages_received_total": 7,
	})
	vu.mu.Lock()
	containers := vu.containers
	vu.mu.Unlock()
	// one push per iteration (two calls each), plus possibly a goroutine push of a send counted
	// just after its answer settled
	assert.GreaterOrEqual(t, containers, 3)
	assert.LessOrEqual(t, containers, 6)
}

// What the reader counts while the VU has nothing in flight (subscription updates, a drop, a late
// answer) is pushed by a goroutine while the iteration lives; counted after the iteration's context
// ended, it waits for the next push (next iteration, or TestEnd).
func TestIdleCountsArePushedExactly(t *testing.T) {
	f := newFakeServer(t)
	vu := jsVU(t)
	want := map[string]float64{}
	iter := func(src string) context.CancelFunc {
		ctx, cancel := context.WithCancel(context.Background())
		vu.VU.CtxField = ctx
		require.NoError(t, iteration(t, vu.Runtime, src))
		return cancel
	}

	end1 := iter(fmt.Sprintf(`(async () => {
		globalThis.client = new Client({ url: %q, pingIntervalMs: 0, requestTimeoutMs: 50 });
		const s = await client.subscribe(['SELECT * FROM counters']);
		if (s.status !== 'ok') throw new Error(JSON.stringify(s));
	})()`, f.url()))
	vu.waitTotals(t, add(want, map[string]float64{
		"spacetime_ws_connections_total": 1, "spacetime_ws_messages_sent_total": 1, "spacetime_ws_messages_received_total": 2,
	}))

	// the iteration is still running (e.g. sleeping): updates are pushed as they come
	for range 3 {
		f.broadcast(lightUpdate)
	}
	vu.waitTotals(t, add(want, map[string]float64{
		"spacetime_ws_messages_received_total": 3, "spacetime_subscription_updates_total": 3,
	}))

	// the iteration ended: counted, not pushed (the VU context is done) ...
	end1()
	for range 2 {
		f.broadcast(lightUpdate)
	}
	require.Eventually(t, func() bool { return vu.mi.metrics.ctr.n[ctrSubUpdates].Load() == 2 }, 5*time.Second, time.Millisecond)
	vu.steady(t, want)

	// ... until the next iteration's operation settles; a late answer counted while idle is pushed
	end2 := iter(`(async () => {
		const o = await client.callReducer('late', '[]');
		if (o.status !== 'timeout') throw new Error(JSON.stringify(o));
	})()`)
	vu.waitTotals(t, add(want, map[string]float64{
		"spacetime_ws_messages_sent_total": 1, "spacetime_ws_messages_received_total": 3, // 2 updates + the late answer
		"spacetime_subscription_updates_total": 2,
	}))

	// a drop seen while idle
	f.dropAll()
	vu.waitTotals(t, add(want, map[string]float64{"spacetime_connection_drops_total": 1}))
	end2()

	// the reconnect of a third iteration, which re-sends the subscription (its answer is read after
	// connect() settles: pushed by a goroutine); then, with its context done, an update waits for TestEnd
	end3 := iter(`(async () => { const c = await client.connect(); if (c.reused) throw new Error('reused'); })()`)
	vu.waitTotals(t, add(want, map[string]float64{
		"spacetime_ws_connections_total": 1, "spacetime_reconnect_attempts_total": 1, "spacetime_ws_messages_received_total": 2,
		"spacetime_ws_messages_sent_total": 1,
	}))
	end3()
	f.broadcast(lightUpdate)
	require.Eventually(t, func() bool { return vu.mi.metrics.ctr.n[ctrSubUpdates].Load() == 1 }, 5*time.Second, time.Millisecond)
	vu.steady(t, want)
	vu.mi.metrics.endOfTest()
	vu.waitTotals(t, add(want, map[string]float64{
		"spacetime_ws_messages_received_total": 1, "spacetime_subscription_updates_total": 1,
	}))

	// after TestEnd nothing is pushed any more (k6 closes the samples channel)
	end4 := iter(`client.callReducer('increment', '[]')`)
	defer end4()
	vu.steady(t, want)
}

func TestUnmatchedFailuresAndConnectionErrorsArePushed(t *testing.T) {
	f := newFakeServer(t)
	f.refuse.Store(1)
	vu := jsVU(t)
	require.NoError(t, iteration(t, vu.Runtime, fmt.Sprintf(`(async () => {
		const client = new Client({ url: %q, requestTimeoutMs: 100, retryDelayMs: 1 });
		const o = await client.callReducer('unknown', '[]');
		if (o.status !== 'timeout') throw new Error(JSON.stringify(o));
		client.close();
	})()`, f.url())))
	vu.waitTotals(t, map[string]float64{
		"spacetime_ws_connection_errors_total": 1, "spacetime_reconnect_attempts_total": 1, "spacetime_ws_connections_total": 1,
		"spacetime_ws_messages_sent_total": 1, "spacetime_ws_messages_received_total": 2, "spacetime_unmatched_failures_total": 1,
	})
}

// The TestEnd subscription, through k6's real event system.
func TestTestEndEventPushesWhatIsLeft(t *testing.T) {
	f := newFakeServer(t)
	gs := state.NewGlobalState(t.Context())
	vu := jsVU(t, common.Events{Global: gs.Events})
	ctx, cancel := context.WithCancel(context.Background())
	vu.VU.CtxField = ctx
	require.NoError(t, iteration(t, vu.Runtime, fmt.Sprintf(`(async () => {
		globalThis.client = new Client({ url: %q, pingIntervalMs: 0 });
		await client.subscribe(['SELECT * FROM counters']);
	})()`, f.url())))
	want := map[string]float64{
		"spacetime_ws_connections_total": 1, "spacetime_ws_messages_sent_total": 1, "spacetime_ws_messages_received_total": 2,
	}
	vu.waitTotals(t, want)
	cancel() // the VU's last iteration is over; the test is not
	f.broadcast(lightUpdate)
	require.Eventually(t, func() bool { return vu.mi.metrics.ctr.n[ctrSubUpdates].Load() == 1 }, 5*time.Second, time.Millisecond)
	vu.steady(t, want)

	wait := k6events.EmitNamed(gs.Events.Subscribe, gs.Events.Emit, "TestEnd")
	waitCtx, waitCancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer waitCancel()
	require.NoError(t, wait(waitCtx))
	assert.Equal(t, add(want, map[string]float64{
		"spacetime_ws_messages_received_total": 1, "spacetime_subscription_updates_total": 1,
	}), vu.drain(t), "pushed before TestEnd is done")
}

// A re-subscription refused after a reconnect has no promise: it is counted (and pushed) as a
// subscription error, to the Counter the scripts use for their own failed subscriptions.
func TestFailedResubscriptionIsPushed(t *testing.T) {
	f := newFakeServer(t)
	vu := jsVU(t)
	require.NoError(t, iteration(t, vu.Runtime, fmt.Sprintf(`(async () => {
		globalThis.client = new Client({ url: %q, pingIntervalMs: 0, retryDelayMs: 1 });
		const s = await client.subscribe(['SELECT * FROM counters']);
		if (s.status !== 'ok') throw new Error(JSON.stringify(s));
	})()`, f.url())))
	want := map[string]float64{
		"spacetime_ws_connections_total": 1, "spacetime_ws_messages_sent_total": 1, "spacetime_ws_messages_received_total": 2,
	}
	vu.waitTotals(t, want)
	f.failSubscriptions.Store(true)
	f.dropAll()
	vu.waitTotals(t, add(want, map[string]float64{"spacetime_connection_drops_total": 1}))
	require.NoError(t, iteration(t, vu.Runtime, `(async () => {
		const o = await client.callReducer('increment', '[]');
		if (o.status !== 'committed') throw new Error(JSON.stringify(o));
	})()`))
	vu.waitTotals(t, add(want, map[string]float64{
		"spacetime_ws_connections_total": 1, "spacetime_reconnect_attempts_total": 1, "spacetime_ws_messages_sent_total": 2,
		"spacetime_ws_messages_received_total": 3, "spacetime_subscription_errors_total": 1,
	}))
}
