// Package timercallbacks is a k6 extension (JS module "k6/x/timercallbacks") that receives the HTTP callbacks a
// system under test makes — a timer service calling back when a timer fires — inside the k6 process,
// and turns each arrival into k6 metrics: the callback latency (arrival − the time it was due), and
// exact counts of callbacks received, duplicated, lost (not arrived by the deadline) and unexpected.
// k6 itself cannot receive HTTP; this module listens while the test runs.
package timercallbacks

import "go.k6.io/k6/v2/js/modules"

// ImportPath is the JS import path of the module.
const ImportPath = "k6/x/timercallbacks"

func init() {
	modules.Register(ImportPath, New())
}
