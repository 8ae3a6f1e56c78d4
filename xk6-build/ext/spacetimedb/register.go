// Package spacetimedb is a k6 extension (JS module "k6/x/spacetimedb") that keeps one persistent
// SpacetimeDB v1.json.spacetimedb WebSocket per Client, reused across iterations, and correlates
// reducer calls, subscriptions and one-off queries with their answers.
package spacetimedb

import "go.k6.io/k6/v2/js/modules"

// ImportPath is the JS import path of the module.
const ImportPath = "k6/x/spacetimedb"

func init() {
	modules.Register(ImportPath, New())
}
