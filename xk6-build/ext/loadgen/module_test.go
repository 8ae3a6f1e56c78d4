package loadgen

import (
	"testing"
	"time"

	"github.com/grafana/sobek"
	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.k6.io/k6/v2/js/common"
	"go.k6.io/k6/v2/js/modulestest"
	"go.k6.io/k6/v2/lib"
	"go.k6.io/k6/v2/metrics"
)

// testVU is a k6 VU that imported the module in its init context (start and info are globals).
type testVU struct {
	*modulestest.Runtime
	mi      *ModuleInstance
	samples chan metrics.SampleContainer
	logs    *logtest.Hook
}

func newInitVU(t *testing.T, root *RootModule, events common.Events) *testVU {
	t.Helper()
	rt := modulestest.NewRuntime(t)
	rt.VU.EventsField = events
	mi, ok := root.NewModuleInstance(rt.VU).(*ModuleInstance)
	require.True(t, ok)
	for name, fn := range mi.Exports().Named {
		require.NoError(t, rt.VU.Runtime().Set(name, fn))
	}
	return &testVU{Runtime: rt, mi: mi}
}

// newVU is newInitVU moved to its VU context, as in setup(): tags group=::setup, a samples channel.
// The sampler is stopped at the end of the test.
func newVU(t *testing.T, root *RootModule, events common.Events) *testVU {
	t.Helper()
	v := newInitVU(t, root, events)
	registry := v.VU.InitEnv().Registry
	logger, hook := logtest.NewNullLogger()
	logger.SetLevel(logrus.DebugLevel)
	v.logs = hook
	v.samples = make(chan metrics.SampleContainer, 1000)
	v.MoveToVUContext(&lib.State{
		Samples: v.samples,
		Tags:    lib.NewVUStateTags(registry.RootTagSet().With("group", "::setup")),
		Logger:  logger,
	})
	t.Cleanup(func() {
		if root.ctl.done != nil {
			root.ctl.finish()
		}
	})
	return v
}

func (v *testVU) run(t *testing.T, src string) sobek.Value {
	t.Helper()
	val, err := v.VU.Runtime().RunString(src)
	require.NoError(t, err, src)
	return val
}

// containers returns what has been pushed so far; each is one ConnectedSamples.
func (v *testVU) containers(t *testing.T) []metrics.ConnectedSamples {
	t.Helper()
	var out []metrics.ConnectedSamples
	for {
		select {
		case c, ok := <-v.samples:
			if !ok {
				return out
			}
			cs, isCS := c.(metrics.ConnectedSamples)
			require.True(t, isCS, "pushed a %T", c)
			out = append(out, cs)
		default:
			return out
		}
	}
}

func TestStartInTheInitContextThrows(t *testing.T) {
	t.Parallel()
	v := newInitVU(t, newRoot(cgroupFS{Root: t.TempDir()}, nil), common.Events{})
	_, err := v.VU.Runtime().RunString(`start()`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "start() must be called from setup()")
	assert.Contains(t, err.Error(), "not from the init context")
	assert.Nil(t, v.mi.root.ctl.done, "no sampler was started")
}

func TestInfo(t *testing.T) {
	t.Parallel()
	dir := fixture(t, map[string]string{"cgroup.controllers": "cpu", "cpu.max": "50000 100000"})
	v := newInitVU(t, newRoot(cgroupFS{Root: dir}, nil), common.Events{}) // works in the init context too
	got := v.run(t, `JSON.stringify(info())`).String()
	assert.JSONEq(t, `{"cores":0.5,"numCPU":`+itoa(v.mi, "numCPU")+`,"gomaxprocs":`+itoa(v.mi, "gomaxprocs")+
		`,"cgroupCores":0.5,"cgroup":"v2"}`, got)

	v = newInitVU(t, newRoot(cgroupFS{Root: t.TempDir()}, nil), common.Events{})
	v.run(t, `
		const i = info();
		if (i.cgroupCores !== null || i.cgroup !== 'none') throw new Error(JSON.stringify(i));
		if (i.cores !== Math.min(i.numCPU, i.gomaxprocs) || !(i.cores >= 1)) throw new Error(JSON.stringify(i));
	`)
}

func itoa(mi *ModuleInstance, key string) string {
	h := readHost(mi.root.cgroup).jsValue()
	return sobek.New().ToValue(h[key]).String()
}

func TestStartOptionErrorsThrow(t *testing.T) {
	t.Parallel()
	v := newVU(t, newRoot(cgroupFS{Root: t.TempDir()}, (&fakeSources{}).sources), common.Events{})
	for src, want := range map[string]string{
		`start(5)`:                                       "options must be an object",
		`start('fast')`:                                  "options must be an object",
		`start({ interval: 500 })`:                       "unknown option(s) interval",
		`start({ intervalMs: '500' })`:                   "intervalMs must be a number",
		`start({ intervalMs: 99 })`:                      "from 100 to 60000",
		`start({ intervalMs: 60001 })`:                   "from 100 to 60000",
		`start({ intervalMs: 250.5 })`:                   "must be an integer",
		`start({ intervalMs: NaN })`:                     "must be an integer",
		`start({ intervalMs: Infinity })`:                "must be an integer",
		`start({ intervalMs: -1000 })`:                   "from 100 to 60000",
		`start({ intervalMs: true })`:                    "must be a number",
		`start({ intervalMs: [1000] })`:                  "must be a number",
		`start({ intervalMs: 1000, x: 1 })`:              "unknown option(s) x",
		`start({ targetMetricsUrl: 'ftp://h/metrics' })`: "targetMetricsUrl must be an http(s) URL",
		`start({ targetMetricsUrl: 'metrics' })`:         "targetMetricsUrl must be an http(s) URL",
		`start({ targetMetricsUrl: 8080 })`:              "targetMetricsUrl must be an http(s) URL",
	} {
		_, err := v.VU.Runtime().RunString(src)
		require.Error(t, err, src)
		assert.Contains(t, err.Error(), want, src)
	}
	assert.Nil(t, v.mi.root.ctl.done, "a rejected start() starts nothing")
}

func TestParseStartOptionsDefaults(t *testing.T) {
	t.Parallel()
	rt := sobek.New()
	for _, src := range []string{`undefined`, `null`, `({})`, `({ intervalMs: undefined })`} {
		v, err := rt.RunString(src)
		require.NoError(t, err)
		d, err := parseStartOptions(v)
		require.NoError(t, err, src)
		assert.Equal(t, startOptions{interval: time.Second}, d, src)
	}
	for src, want := range map[string]time.Duration{`({ intervalMs: 100 })`: 100 * time.Millisecond, `({ intervalMs: 60000 })`: time.Minute} {
		v, err := rt.RunString(src)
		require.NoError(t, err)
		d, err := parseStartOptions(v)
		require.NoError(t, err, src)
		assert.Equal(t, startOptions{interval: want}, d, src)
	}
}

// start() returns info(), starts one sampler for the process, and pushes one container per interval
// with one sample of each metric; calling it again (from any VU) changes nothing.
func TestStartIsIdempotentPerProcess(t *testing.T) {
	t.Parallel()
	root := newRoot(cgroupFS{Root: t.TempDir()}, (&fakeSources{}).sources)
	first := newVU(t, root, common.Events{})
	got := first.run(t, `JSON.stringify(start({ intervalMs: 100 }))`).String()
	assert.Contains(t, got, `"cgroup":"none"`)
	assert.Contains(t, got, `"cgroupCores":null`)

	second := newVU(t, root, common.Events{})
	second.run(t, `start({ intervalMs: 100 }); start()`)
	assert.Contains(t, second.logs.LastEntry().Message, "keeps its options (interval 100ms), not these (interval 1s)")

	var all []metrics.ConnectedSamples
	require.Eventually(t, func() bool {
		all = append(all, first.containers(t)...)
		return len(all) >= 2
	}, 5*time.Second, 10*time.Millisecond)
	for _, cs := range all {
		assert.Equal(t, map[string]float64{ // the fake process: 0.5 s CPU, 2 ms GC, 3 ms lag per second, 2 cores
			"loadgen_cpu_ratio": 0.25, "loadgen_lag_ms": 3, "loadgen_gc_pause_ms": 2, "loadgen_cores": 2,
		}, byName(cs))
		group, _ := cs.Tags.Get("group")
		assert.Equal(t, "::setup", group)
	}
	assert.Empty(t, second.containers(t), "the second VU's start() started no second sampler")
}
