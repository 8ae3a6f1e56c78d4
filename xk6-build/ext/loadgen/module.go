package loadgen

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/grafana/sobek"
	"go.k6.io/k6/v2/js/common"
	"go.k6.io/k6/v2/js/modules"
)

// Limits of the start() option intervalMs.
const (
	defaultIntervalMs = 1000
	minIntervalMs     = 100
	maxIntervalMs     = 60000
)

// RootModule is the global module object: k6 registers one per process (register.go), so its
// controller is the process's one sampler.
type RootModule struct {
	cgroup  cgroupFS
	ctl     *controller
	tallies tallies
}

// ModuleInstance is the module as one VU sees it.
type ModuleInstance struct {
	vu         modules.VU
	root       *RootModule
	metrics    *loadgenMetrics
	metricsErr error
}

var (
	_ modules.Module   = (*RootModule)(nil)
	_ modules.Instance = (*ModuleInstance)(nil)
)

// New returns the root module, reading the real process and /sys/fs/cgroup.
func New() *RootModule {
	return newRoot(defaultCgroupFS(), nil)
}

// newRoot returns a root module reading the cgroup files of fs and, when src is not nil, sampling
// src instead of the real process.
func newRoot(fs cgroupFS, src func() sources) *RootModule {
	if src == nil {
		src = func() sources { return systemSources(fs) }
	}
	return &RootModule{cgroup: fs, ctl: &controller{sources: src}}
}

// NewModuleInstance is called once per VU that imports the module (in its init context): it also
// registers the module's metrics (get-or-create), so scripts can set thresholds on them.
func (r *RootModule) NewModuleInstance(vu modules.VU) modules.Instance {
	mi := &ModuleInstance{vu: vu, root: r}
	if env := vu.InitEnv(); env != nil && env.Registry != nil {
		mi.metrics, mi.metricsErr = registerMetrics(env.Registry)
	} else {
		mi.metricsErr = errors.New("loadgen: the module was not imported in an init context, its metrics are not registered")
	}
	return mi
}

// Exports exposes start, info, environment, tally, tallies and records.
func (mi *ModuleInstance) Exports() modules.Exports {
	fns := map[string]any{
		"start": mi.start, "info": mi.info, "environment": mi.environment,
		"tally": mi.tally, "tallies": mi.talliesOf, "records": mi.records,
	}
	return modules.Exports{Named: fns, Default: fns}
}

func (mi *ModuleInstance) info(sobek.FunctionCall) sobek.Value {
	return mi.vu.Runtime().ToValue(readHost(mi.root.cgroup).jsValue())
}

// environment(paths?) reads the instance's resources now (environment.go); paths (strings) are
// checked for their file system. Throws a TypeError for a non-string path.
func (mi *ModuleInstance) environment(call sobek.FunctionCall) sobek.Value {
	rt := mi.vu.Runtime()
	var paths []string
	if arg := call.Argument(0); !sobek.IsUndefined(arg) && !sobek.IsNull(arg) {
		if err := rt.ExportTo(arg, &paths); err != nil {
			panic(rt.NewTypeError("environment(paths): paths must be an array of strings"))
		}
	}
	return rt.ToValue(readEnvironment(defaultEnvFS(mi.root.cgroup), paths).jsValue())
}

func (mi *ModuleInstance) start(call sobek.FunctionCall) sobek.Value {
	rt := mi.vu.Runtime()
	opts, err := parseStartOptions(call.Argument(0))
	if err != nil {
		common.Throw(rt, err)
	}
	st := mi.vu.State()
	if st == nil || st.Samples == nil {
		common.Throw(rt, errors.New("loadgen: start() must be called from setup() (or a VU function), "+
			"not from the init context: it needs the test's metrics pipeline, which init code has no access to"))
	}
	if mi.metricsErr != nil {
		common.Throw(rt, mi.metricsErr)
	}
	first, running := mi.root.ctl.start(st, mi.metrics, opts, mi.vu.Events())
	if !first && running != opts && st.Logger != nil {
		st.Logger.Warnf("loadgen: start() was already called: the sampler keeps its options (interval %v), not these (interval %v)", running.interval, opts.interval)
	}
	return rt.ToValue(readHost(mi.root.cgroup).jsValue())
}

// startOptions are start()'s options.
type startOptions struct {
	interval  time.Duration
	targetURL string // a Prometheus endpoint of the system under test; "" = none
}

// parseStartOptions reads start()'s optional options object: { intervalMs } (integer, 100..60000,
// default 1000), { targetMetricsUrl } (an http(s) URL, or "" / undefined for none).
func parseStartOptions(v sobek.Value) (startOptions, error) {
	ms := float64(defaultIntervalMs)
	if v == nil || sobek.IsUndefined(v) || sobek.IsNull(v) {
		return startOptions{interval: time.Duration(ms) * time.Millisecond}, nil
	}
	opts, ok := v.Export().(map[string]any)
	if !ok {
		return startOptions{}, fmt.Errorf("loadgen: start(options): options must be an object like { intervalMs: 1000 }, got %v", v)
	}
	var unknown []string
	var target string
	for k, raw := range opts {
		if k == "targetMetricsUrl" {
			if raw == nil {
				continue
			}
			s, isString := raw.(string)
			u, err := url.Parse(s)
			if !isString || (s != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "")) {
				return startOptions{}, fmt.Errorf("loadgen: start(options): targetMetricsUrl must be an http(s) URL of a Prometheus endpoint, got %v", raw)
			}
			target = s
			continue
		}
		if k != "intervalMs" {
			unknown = append(unknown, k)
			continue
		}
		if raw == nil {
			continue // { intervalMs: undefined }: the default
		}
		switch n := raw.(type) {
		case int64:
			ms = float64(n)
		case float64:
			ms = n
		default:
			return startOptions{}, fmt.Errorf("loadgen: start(options): intervalMs must be a number, got %v", raw)
		}
		if math.IsNaN(ms) || ms != math.Trunc(ms) || ms < minIntervalMs || ms > maxIntervalMs {
			return startOptions{}, fmt.Errorf("loadgen: start(options): intervalMs must be an integer from %d to %d, got %v",
				minIntervalMs, maxIntervalMs, raw)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return startOptions{}, fmt.Errorf("loadgen: start(options): unknown option(s) %s (known: intervalMs, targetMetricsUrl)", strings.Join(unknown, ", "))
	}
	return startOptions{interval: time.Duration(ms) * time.Millisecond, targetURL: target}, nil
}
