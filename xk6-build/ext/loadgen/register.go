// Package loadgen is a k6 extension (JS module "k6/x/loadgen") that measures the health of the load
// generator itself (the k6 process) while a test runs: CPU saturation, scheduling lag, GC pauses and
// usable cores, pushed as k6 metrics, so a run whose generator was saturated or starved can be judged
// inconclusive instead of a regression.
package loadgen

import "go.k6.io/k6/v2/js/modules"

// ImportPath is the JS import path of the module.
const ImportPath = "k6/x/loadgen"

func init() {
	modules.Register(ImportPath, New())
}
