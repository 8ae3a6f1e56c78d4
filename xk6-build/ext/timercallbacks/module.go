package timercallbacks

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grafana/sobek"
	"github.com/k6regression/k6events"
	"github.com/sirupsen/logrus"
	"go.k6.io/k6/v2/js/common"
	"go.k6.io/k6/v2/js/modules"
)

// Defaults and limits of listen()'s options.
const (
	defaultAddress = "127.0.0.1:0"
	defaultGraceMs = 10_000
	maxGraceMs     = 3_600_000
	defaultSettle  = 60_000 // settle()'s default bound, ms
)

// RootModule is the global module object: k6 registers one per process (register.go), so it holds
// the process's one receiver, shared by setup(), every VU and teardown().
type RootModule struct {
	now func() time.Time

	mu       sync.Mutex
	recv     *receiver
	ledger   *ledger
	listenOn listenOptions
}

// ModuleInstance is the module as one VU sees it.
type ModuleInstance struct {
	vu         modules.VU
	root       *RootModule
	metrics    *callbackMetrics
	metricsErr error
}

var (
	_ modules.Module   = (*RootModule)(nil)
	_ modules.Instance = (*ModuleInstance)(nil)
)

// New returns the root module on the real clock.
func New() *RootModule { return &RootModule{now: time.Now} }

// NewModuleInstance is called once per VU that imports the module (in its init context): it also
// registers the module's metrics (get-or-create), so scripts can set thresholds on them.
func (r *RootModule) NewModuleInstance(vu modules.VU) modules.Instance {
	mi := &ModuleInstance{vu: vu, root: r}
	if env := vu.InitEnv(); env != nil && env.Registry != nil {
		mi.metrics, mi.metricsErr = registerMetrics(env.Registry)
	} else {
		mi.metricsErr = errors.New("timercallbacks: the module was not imported in an init context, its metrics are not registered")
	}
	return mi
}

// Exports exposes listen, expect, cancel, settle and stats.
func (mi *ModuleInstance) Exports() modules.Exports {
	fns := map[string]any{"listen": mi.listen, "expect": mi.expect, "cancel": mi.cancel, "settle": mi.settle, "stats": mi.stats}
	return modules.Exports{Named: fns, Default: fns}
}

// listenOptions are listen()'s options.
type listenOptions struct {
	Address string
	Grace   time.Duration
}

// listen starts the process's receiver the first time (later calls return the running one's facts).
func (mi *ModuleInstance) listen(call sobek.FunctionCall) sobek.Value {
	rt := mi.vu.Runtime()
	opts, err := parseListenOptions(call.Argument(0))
	if err != nil {
		common.Throw(rt, err)
	}
	st := mi.vu.State()
	if st == nil || st.Samples == nil {
		common.Throw(rt, errors.New("timercallbacks: listen() must be called from setup(), not from the init context: "+
			"it needs the test's metrics pipeline, which init code has no access to"))
	}
	if mi.metricsErr != nil {
		common.Throw(rt, mi.metricsErr)
	}
	r := mi.root
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.recv == nil {
		l := newLedger(opts.Grace)
		p := &pusher{samples: st.Samples, tags: st.Tags.GetCurrentValues()}
		recv, err := startReceiver(opts.Address, l, p, mi.metrics, r.now)
		if err != nil {
			common.Throw(rt, fmt.Errorf("timercallbacks: cannot listen on %s (%w): give a free host:port in CALLBACK_LISTEN, "+
				"or 127.0.0.1:0 for any free port", opts.Address, err))
		}
		r.recv, r.ledger, r.listenOn = recv, l, opts
		subscribeTestEnd(mi.vu.Events(), st.Logger, recv.close)
	} else if opts != r.listenOn && st.Logger != nil {
		st.Logger.Warnf("timercallbacks: listen() was already called: the receiver keeps %s and a grace of %v",
			r.listenOn.Address, r.listenOn.Grace)
	}
	return rt.ToValue(map[string]any{
		"url":     r.recv.url,
		"address": r.recv.ln.Addr().String(),
		"graceMs": r.listenOn.Grace.Milliseconds(),
	})
}

// running is the receiver, or a JS exception naming the fix when listen() was not called.
func (mi *ModuleInstance) running(fn string) *receiver {
	mi.root.mu.Lock()
	defer mi.root.mu.Unlock()
	if mi.root.recv == nil {
		common.Throw(mi.vu.Runtime(), fmt.Errorf("timercallbacks: %s() before listen(): call listen() in setup()", fn))
	}
	return mi.root.recv
}

// expect(id, dueAtMs) announces a callback: the timer id, and when it is due (epoch milliseconds, the
// timer's executeAt). Call it before creating the timer, so a fast callback finds it. False when id
// was announced before (ids must be unique; the second announcement is ignored).
func (mi *ModuleInstance) expect(id string, dueAtMs float64) bool {
	recv := mi.running("expect")
	if id == "" || math.IsNaN(dueAtMs) || math.IsInf(dueAtMs, 0) {
		common.Throw(mi.vu.Runtime(), fmt.Errorf("timercallbacks: expect(id, dueAtMs) needs a non-empty id and a finite time in epoch ms, got %q, %v", id, dueAtMs))
	}
	return recv.ledger.expect(id, time.UnixMicro(int64(math.Round(dueAtMs*1000))))
}

// cancel(id) withdraws an announcement whose timer was not created: false when id was not pending.
func (mi *ModuleInstance) cancel(id string) bool {
	return mi.running("cancel").ledger.cancel(id)
}

// settle(maxWaitMs = 60000) waits until no callback is pending — each arrived or was counted lost
// at its due time + grace — or until maxWaitMs, pushes every count, and returns the counts. Call it
// from teardown().
func (mi *ModuleInstance) settle(call sobek.FunctionCall) sobek.Value {
	recv := mi.running("settle")
	wait := float64(defaultSettle)
	if v := call.Argument(0); !sobek.IsUndefined(v) && !sobek.IsNull(v) {
		wait = v.ToFloat()
		if math.IsNaN(wait) || wait < 0 {
			common.Throw(mi.vu.Runtime(), fmt.Errorf("timercallbacks: settle(maxWaitMs): a number of ms ≥ 0, got %v", v))
		}
	}
	return mi.vu.Runtime().ToValue(recv.settle(time.Duration(wait * float64(time.Millisecond))).jsValue())
}

// stats() returns the counts now (all 0 before listen()).
func (mi *ModuleInstance) stats() sobek.Value {
	mi.root.mu.Lock()
	l := mi.root.ledger
	mi.root.mu.Unlock()
	var st Stats
	if l != nil {
		st, _ = l.snapshot()
	}
	return mi.vu.Runtime().ToValue(st.jsValue())
}

func (s Stats) jsValue() map[string]any {
	return map[string]any{
		"expected": s.Expected, "received": s.Received, "duplicate": s.Duplicate, "lost": s.Lost,
		"late": s.Late, "unexpected": s.Unexpected, "pending": s.Pending,
	}
}

// parseListenOptions reads listen()'s optional options object: { address = "127.0.0.1:0",
// graceMs = 10000 (integer 0..3600000) }.
func parseListenOptions(v sobek.Value) (listenOptions, error) {
	opts := listenOptions{Address: defaultAddress, Grace: defaultGraceMs * time.Millisecond}
	if v == nil || sobek.IsUndefined(v) || sobek.IsNull(v) {
		return opts, nil
	}
	raw, ok := v.Export().(map[string]any)
	if !ok {
		return opts, fmt.Errorf("timercallbacks: listen(options): options must be an object like { address: '127.0.0.1:0', graceMs: 10000 }, got %v", v)
	}
	var unknown []string
	for k, val := range raw {
		switch k {
		case "address":
			if val == nil {
				continue
			}
			s, ok := val.(string)
			if !ok || s == "" || !strings.Contains(s, ":") {
				return opts, fmt.Errorf("timercallbacks: listen(options): address must be host:port (port 0 = any free port), got %v", val)
			}
			opts.Address = s
		case "graceMs":
			if val == nil {
				continue
			}
			var ms float64
			switch n := val.(type) {
			case int64:
				ms = float64(n)
			case float64:
				ms = n
			default:
				return opts, fmt.Errorf("timercallbacks: listen(options): graceMs must be a number, got %v", val)
			}
			if math.IsNaN(ms) || ms != math.Trunc(ms) || ms < 0 || ms > maxGraceMs {
				return opts, fmt.Errorf("timercallbacks: listen(options): graceMs must be an integer from 0 to %d, got %v", maxGraceMs, val)
			}
			opts.Grace = time.Duration(ms) * time.Millisecond
		default:
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return opts, fmt.Errorf("timercallbacks: listen(options): unknown option(s) %s (known: address, graceMs)", strings.Join(unknown, ", "))
	}
	return opts, nil
}

// subscribeTestEnd calls stop on k6's global TestEnd event (after teardown and the summary), then
// marks the event done (k6events.OnTestEnd): k6 closes its samples channel only after that.
func subscribeTestEnd(events common.Events, logger logrus.FieldLogger, stop func()) {
	err := errors.New("no k6 event system")
	if events.Global != nil {
		err = k6events.OnTestEnd(events.Global.Subscribe, stop)
	}
	if err != nil && logger != nil {
		logger.Warnf("timercallbacks: %v: the receiver is not closed at the end of the test", err)
	}
}
