package s3parquet

import (
	"context"
	"fmt"
	"time"

	"github.com/grafana/sobek"
	"go.k6.io/k6/v2/js/common"
	"go.k6.io/k6/v2/js/modules"
)

// defaultTimeout bounds one inventory (listing plus footers) unless timeoutMs says otherwise.
const defaultTimeout = 60 * time.Second

// RootModule is the process's module: it holds the row cache every VU, setup() and teardown() share.
type RootModule struct {
	cache     rowCache
	baselines baselines
}

// ModuleInstance is the module as one VU sees it.
type ModuleInstance struct {
	vu   modules.VU
	root *RootModule
}

var (
	_ modules.Module   = (*RootModule)(nil)
	_ modules.Instance = (*ModuleInstance)(nil)
)

// New returns the root module.
func New() *RootModule { return &RootModule{} }

// NewModuleInstance is called once per VU that imports the module.
func (r *RootModule) NewModuleInstance(vu modules.VU) modules.Instance {
	return &ModuleInstance{vu: vu, root: r}
}

// Exports exposes inventory.
func (mi *ModuleInstance) Exports() modules.Exports {
	fns := map[string]any{"inventory": mi.inventory}
	return modules.Exports{Named: fns, Default: fns}
}

// inventory(options) → {files, bytes, rows, sample}, blocking (call it from setup() or teardown()).
// Options: endpoint, bucket, prefix, match, accessKeyId, secretAccessKey, region, rows, since, timeoutMs.
// Throws an Error naming the problem (unreachable server, refused credentials, missing bucket, a file
// that is not parquet); the secret is never in it.
func (mi *ModuleInstance) inventory(call sobek.FunctionCall) sobek.Value {
	rt := mi.vu.Runtime()
	q, timeout, err := parseQuery(rt, call.Argument(0))
	if err != nil {
		common.Throw(rt, err)
	}
	parent := mi.vu.Context()
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	inv, err := take(ctx, q, &mi.root.cache, &mi.root.baselines)
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (gave up after timeoutMs=%d)", err, timeout.Milliseconds())
		}
		common.Throw(rt, err)
	}
	return rt.ToValue(map[string]any{"files": inv.Files, "bytes": inv.Bytes, "rows": inv.Rows, "sample": inv.Sample, "recorded": inv.Recorded})
}

// parseQuery reads inventory()'s options object; endpoint and bucket are required.
func parseQuery(rt *sobek.Runtime, v sobek.Value) (Query, time.Duration, error) {
	var q Query
	if common.IsNullish(v) {
		return q, 0, fmt.Errorf("s3parquet.inventory: give an options object ({endpoint, bucket, prefix, …})")
	}
	obj := v.ToObject(rt)
	str := func(name string) string {
		if x := obj.Get(name); !common.IsNullish(x) {
			return x.String()
		}
		return ""
	}
	q.Endpoint, q.Bucket, q.Prefix, q.Match = str("endpoint"), str("bucket"), str("prefix"), str("match")
	q.AccessKeyID, q.SecretAccessKey, q.Region, q.Since = str("accessKeyId"), str("secretAccessKey"), str("region"), str("since")
	if x := obj.Get("rows"); !common.IsNullish(x) {
		q.Rows = x.ToBoolean()
	}
	timeout := defaultTimeout
	if x := obj.Get("timeoutMs"); !common.IsNullish(x) {
		ms := x.ToInteger()
		if ms <= 0 {
			return q, 0, fmt.Errorf("s3parquet.inventory: timeoutMs must be a positive number of milliseconds, got %s", x.String())
		}
		timeout = time.Duration(ms) * time.Millisecond
	}
	if q.Endpoint == "" || q.Bucket == "" {
		return q, 0, fmt.Errorf("s3parquet.inventory: endpoint and bucket are required")
	}
	return q, timeout, nil
}
