package timercallbacks

import (
	"context"
	"testing"
	"time"

	"github.com/grafana/sobek"
	"github.com/k6regression/k6events"
	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.k6.io/k6/v2/cmd/state"
	"go.k6.io/k6/v2/js/common"
	"go.k6.io/k6/v2/js/modulestest"
	"go.k6.io/k6/v2/lib"
	"go.k6.io/k6/v2/metrics"
)

// testVU is a k6 VU that imported the module in its init context (its exports are globals).
type testVU struct {
	*modulestest.Runtime
	samples chan metrics.SampleContainer
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
	return &testVU{Runtime: rt}
}

// newVU is newInitVU moved to its VU context, as in setup(): tags group=::setup, a samples channel.
func newVU(t *testing.T, root *RootModule, events common.Events) *testVU {
	t.Helper()
	v := newInitVU(t, root, events)
	logger, _ := logtest.NewNullLogger()
	logger.SetLevel(logrus.DebugLevel)
	v.samples = make(chan metrics.SampleContainer, 1000)
	v.MoveToVUContext(&lib.State{
		Samples: v.samples,
		Tags:    lib.NewVUStateTags(v.VU.InitEnv().Registry.RootTagSet().With("group", "::setup")),
		Logger:  logger,
	})
	t.Cleanup(func() {
		if root.recv != nil {
			root.recv.close()
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

func (v *testVU) fails(t *testing.T, src, want string) {
	t.Helper()
	_, err := v.VU.Runtime().RunString(src)
	require.Error(t, err, src)
	assert.Contains(t, err.Error(), want)
}

func TestInitContextCannotListen(t *testing.T) {
	v := newInitVU(t, New(), common.Events{})
	v.fails(t, `listen()`, "must be called from setup()")
	v.fails(t, `expect("a", 1)`, "expect() before listen(): call listen() in setup()")
	assert.Equal(t, int64(0), v.run(t, `stats().expected`).ToInteger(), "stats() works anywhere")
}

func TestListenOptionsAreChecked(t *testing.T) {
	v := newVU(t, New(), common.Events{})
	v.fails(t, `listen({ graceMs: -1 })`, "graceMs must be an integer from 0 to 3600000")
	v.fails(t, `listen({ graceMs: "1s" })`, "graceMs must be a number")
	v.fails(t, `listen({ address: "nowhere" })`, "address must be host:port")
	v.fails(t, `listen({ port: 1 })`, "unknown option(s) port (known: address, graceMs)")
	v.fails(t, `listen(5)`, "options must be an object")
}

func TestListenOnABusyAddressNamesTheFix(t *testing.T) {
	first := newVU(t, New(), common.Events{})
	addr := first.run(t, `listen().address`).String()
	other := newVU(t, New(), common.Events{})
	other.fails(t, `listen({ address: "`+addr+`" })`, "cannot listen on "+addr)
	other.fails(t, `listen({ address: "`+addr+`" })`, "CALLBACK_LISTEN")
}

func TestAScriptsWholeCycle(t *testing.T) {
	gs := state.NewGlobalState(t.Context())
	root := New()
	setup := newVU(t, root, common.Events{Global: gs.Events})
	info := setup.run(t, `JSON.stringify(listen({ graceMs: 500 }))`).String()
	assert.Contains(t, info, `"graceMs":500`)
	assert.Contains(t, info, `"url":"http://127.0.0.1:`)
	url := setup.run(t, `listen().url`).String() // a second call: the same receiver
	assert.Contains(t, info, url)

	vu := newVU(t, root, common.Events{Global: gs.Events})
	due := float64(time.Now().UnixMilli())
	assert.True(t, vu.run(t, `expect("t-1", `+ftoa(due)+`)`).ToBoolean())
	assert.False(t, vu.run(t, `expect("t-1", `+ftoa(due)+`)`).ToBoolean())
	vu.run(t, `expect("t-2", `+ftoa(due)+`)`)
	vu.run(t, `expect("t-3", `+ftoa(due)+`)`)
	assert.True(t, vu.run(t, `cancel("t-3")`).ToBoolean())
	status, _ := post(t, url, `{"id":"t-1"}`)
	require.Equal(t, 200, status)

	st := setup.run(t, `JSON.stringify(settle(5000))`).String()
	assert.JSONEq(t, `{"expected":2,"received":1,"duplicate":0,"lost":1,"late":0,"unexpected":0,"pending":0}`, st)

	wait := k6events.EmitNamed(gs.Events.Subscribe, gs.Events.Emit, "TestEnd")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, wait(ctx))
	got, latencies := sums(setup.samples)
	assert.Equal(t, 1.0, got[metricTotal])
	assert.Equal(t, 1.0, got[metricLost])
	require.Len(t, latencies, 1)
	_, err := post2(url)
	assert.Error(t, err, "TestEnd closed the receiver")
}

func ftoa(f float64) string { return sobek.New().ToValue(f).String() }

func post2(url string) (int, error) {
	res, err := (&httpClient).Post(url, "application/json", nil)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}
