package loadgen

import (
	"context"
	"testing"
	"time"

	"github.com/k6regression/k6events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.k6.io/k6/v2/cmd/state"
	"go.k6.io/k6/v2/js/common"
	"go.k6.io/k6/v2/metrics"
)

func TestRegisterMetrics(t *testing.T) {
	t.Parallel()
	r := metrics.NewRegistry()
	m, err := registerMetrics(r)
	require.NoError(t, err)
	for _, c := range []struct {
		metric *metrics.Metric
		name   string
		typ    metrics.MetricType
		vt     metrics.ValueType
	}{
		{m.cpuRatio, "loadgen_cpu_ratio", metrics.Trend, metrics.Default},
		{m.lag, "loadgen_lag_ms", metrics.Trend, metrics.Time},
		{m.gcPause, "loadgen_gc_pause_ms", metrics.Trend, metrics.Time},
		{m.cores, "loadgen_cores", metrics.Gauge, metrics.Default},
	} {
		assert.Equal(t, c.name, c.metric.Name)
		assert.Equal(t, c.typ, c.metric.Type, c.name)
		assert.Equal(t, c.vt, c.metric.Contains, c.name)
		assert.Same(t, c.metric, r.Get(c.name))
	}
	again, err := registerMetrics(r)
	require.NoError(t, err)
	assert.Equal(t, m, again, "get-or-create: every VU gets the same metrics")

	r = metrics.NewRegistry()
	_, err = r.NewMetric("loadgen_cores", metrics.Counter)
	require.NoError(t, err)
	_, err = registerMetrics(r)
	require.ErrorContains(t, err, "loadgen_cores")
}

func TestContainer(t *testing.T) {
	t.Parallel()
	r := metrics.NewRegistry()
	m, err := registerMetrics(r)
	require.NoError(t, err)
	tm := metrics.TagsAndMeta{Tags: r.RootTagSet().With("group", "::setup"), Metadata: map[string]string{"k": "v"}}
	s := snapshot{At: t0, Wall: time.Second, CPURatio: 0.9, HasCPU: true, LagMs: 4, GCPauseMs: 1.5, Cores: 2}
	cs := m.container(s, tm)
	assert.Equal(t, t0, cs.Time)
	assert.Same(t, tm.Tags, cs.Tags)
	got := map[string]float64{}
	for _, sm := range cs.Samples {
		assert.Equal(t, t0, sm.Time)
		assert.Same(t, tm.Tags, sm.Tags)
		assert.Equal(t, tm.Metadata, sm.Metadata)
		got[sm.Metric.Name] = sm.Value
	}
	assert.Equal(t, map[string]float64{
		"loadgen_cpu_ratio": 0.9, "loadgen_lag_ms": 4, "loadgen_gc_pause_ms": 1.5, "loadgen_cores": 2,
	}, got)

	s.HasCPU = false
	cs = m.container(s, tm)
	require.Len(t, cs.Samples, 3, "no CPU time: no cpu_ratio sample")
	for _, sm := range cs.Samples {
		assert.NotEqual(t, "loadgen_cpu_ratio", sm.Metric.Name)
	}
}

// k6's real event system: TestEnd stops the sampler, the last partial interval is pushed, and the
// event is done only after the sampler's goroutines have returned; then k6 closes the channel.
func TestTestEndPushesTheLastIntervalThenIsDone(t *testing.T) {
	t.Parallel()
	gs := state.NewGlobalState(t.Context())
	dir := fixture(t, map[string]string{"cgroup.controllers": "cpu", "cpu.max": "100000 100000"})
	root := newRoot(cgroupFS{Root: dir}, nil) // the real process
	vu := newVU(t, root, common.Events{Global: gs.Events})
	vu.run(t, `start({ intervalMs: 60000 })`) // no full interval during the test
	time.Sleep(30 * time.Millisecond)
	assert.Empty(t, vu.containers(t))

	wait := k6events.EmitNamed(gs.Events.Subscribe, gs.Events.Emit, "TestEnd")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, wait(ctx))
	select {
	case <-root.ctl.done:
	default:
		t.Fatal("TestEnd was done before the sampler returned")
	}
	got := vu.containers(t)
	require.Len(t, got, 1, "the last, partial interval")
	values := byName(got[0])
	assert.Len(t, values, 4)
	assert.InDelta(t, 1.0, values["loadgen_cores"], 0, "the cgroup quota")
	assert.GreaterOrEqual(t, values["loadgen_cpu_ratio"], 0.0)
	assert.GreaterOrEqual(t, values["loadgen_lag_ms"], 0.0)
	assert.GreaterOrEqual(t, values["loadgen_gc_pause_ms"], 0.0)
	group, _ := got[0].Tags.Get("group")
	assert.Equal(t, "::setup", group, "pushed with the tags start() was called with")

	close(vu.samples) // what k6 does next
	time.Sleep(50 * time.Millisecond)
	assert.False(t, root.ctl.closed.Load(), "nothing was sent after TestEnd was done")
}

// Should k6 close its samples channel without a TestEnd event reaching the module, the next push
// recovers from the send on the closed channel, nothing more is sent, and both goroutines stop.
// (The channel is closed before start(): closing it while the sampler sends would be a data race.)
func TestClosedSamplesChannelStopsTheSampler(t *testing.T) {
	t.Parallel()
	f := &fakeSources{}
	root := newRoot(cgroupFS{Root: t.TempDir()}, f.sources)
	vu := newVU(t, root, common.Events{})
	close(vu.samples)
	vu.run(t, `start({ intervalMs: 100 })`)
	assert.Contains(t, vu.logs.LastEntry().Message, "no k6 event system")
	select {
	case <-root.ctl.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the sampler kept running after the channel was closed")
	}
	assert.True(t, root.ctl.closed.Load())
	assert.False(t, root.ctl.push(metrics.ConnectedSamples{}), "nothing is sent any more")
}

func byName(cs metrics.ConnectedSamples) map[string]float64 {
	out := map[string]float64{}
	for _, s := range cs.Samples {
		out[s.Metric.Name] = s.Value
	}
	return out
}
