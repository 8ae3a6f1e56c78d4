// Package dataset is a k6 extension (JS module "k6/x/dataset") that turns a schema of tables, types
// and generators (seed 002's loadtest-generator format: surreal-sync's loadtest schema) into
// deterministic rows: row(table, index) depends only on the seed, the table, the column and the index,
// so every VU, every instance and every run that asks for the same row gets the same bytes.
package dataset

import "go.k6.io/k6/v2/js/modules"

// ImportPath is the JS import path of the module.
const ImportPath = "k6/x/dataset"

func init() {
	modules.Register(ImportPath, New())
}
