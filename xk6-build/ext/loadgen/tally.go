package loadgen

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/grafana/sobek"
	"go.k6.io/k6/v2/js/common"
)

// tallies are named counters shared by every VU of the k6 process (one set per RootModule, which k6
// makes once per process). k6's own metrics cannot be read back by the script, so an end-of-test
// check in teardown() — comparing what the VUs did with what the target recorded — reads these.
type tallies struct {
	counts sync.Map // name → *atomic.Int64
}

func (t *tallies) add(name string, n int64) int64 {
	v, ok := t.counts.Load(name)
	if !ok {
		v, _ = t.counts.LoadOrStore(name, new(atomic.Int64))
	}
	return v.(*atomic.Int64).Add(n)
}

// snapshot returns the tallies whose name starts with prefix, by name.
func (t *tallies) snapshot(prefix string) map[string]int64 {
	out := map[string]int64{}
	t.counts.Range(func(k, v any) bool {
		if name := k.(string); strings.HasPrefix(name, prefix) {
			out[name] = v.(*atomic.Int64).Load()
		}
		return true
	})
	return out
}

var errTallyName = errors.New("loadgen: tally(name, n): name must be a non-empty string")

// parseTally reads tally()'s arguments: a non-empty name and an optional integer n (default 1).
func parseTally(name sobek.Value, n sobek.Value) (string, int64, error) {
	if name == nil || sobek.IsUndefined(name) || sobek.IsNull(name) {
		return "", 0, errTallyName
	}
	s, ok := name.Export().(string)
	if !ok || s == "" {
		return "", 0, errTallyName
	}
	if n == nil || sobek.IsUndefined(n) {
		return s, 1, nil
	}
	switch v := n.Export().(type) {
	case int64:
		return s, v, nil
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return s, int64(v), nil
		}
	}
	return "", 0, fmt.Errorf("loadgen: tally(%q, n): n must be an integer, got %v", s, n)
}

// tally adds n (default 1) to the process-wide counter name and returns its new value.
func (mi *ModuleInstance) tally(call sobek.FunctionCall) sobek.Value {
	rt := mi.vu.Runtime()
	name, n, err := parseTally(call.Argument(0), call.Argument(1))
	if err != nil {
		common.Throw(rt, err)
	}
	return rt.ToValue(mi.root.tallies.add(name, n))
}

// talliesOf returns { name: count } of the counters whose name starts with the optional prefix.
func (mi *ModuleInstance) talliesOf(call sobek.FunctionCall) sobek.Value {
	prefix := ""
	if p := call.Argument(0); !sobek.IsUndefined(p) && !sobek.IsNull(p) {
		prefix = p.String()
	}
	return mi.vu.Runtime().ToValue(mi.root.tallies.snapshot(prefix))
}
