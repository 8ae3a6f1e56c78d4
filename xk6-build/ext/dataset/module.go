package dataset

import (
	"fmt"
	"math"

	"github.com/grafana/sobek"
	"go.k6.io/k6/v2/js/common"
	"go.k6.io/k6/v2/js/modules"
)

// RootModule is the global module object.
type RootModule struct{}

// ModuleInstance is the module as one VU sees it.
type ModuleInstance struct {
	vu modules.VU
}

var (
	_ modules.Module   = (*RootModule)(nil)
	_ modules.Instance = (*ModuleInstance)(nil)
)

// New returns the root module.
func New() *RootModule { return &RootModule{} }

// NewModuleInstance is called once per VU that imports the module.
func (*RootModule) NewModuleInstance(vu modules.VU) modules.Instance {
	return &ModuleInstance{vu: vu}
}

// Exports exposes open.
func (mi *ModuleInstance) Exports() modules.Exports {
	fns := map[string]any{"open": mi.open}
	return modules.Exports{Named: fns, Default: fns}
}

// open(schemaText, seed) parses and validates the schema once and returns the Dataset object
// { row(table, index), tables(), columns(table), seed }. Throws on a bad schema or seed.
func (mi *ModuleInstance) open(call sobek.FunctionCall) sobek.Value {
	rt := mi.vu.Runtime()
	text := call.Argument(0)
	if _, ok := text.Export().(string); !ok {
		common.Throw(rt, fmt.Errorf("dataset: open(schemaText, seed): schemaText must be the schema's YAML text (read it with open() in the init stage), got %v", text))
	}
	seed, err := safeInteger(call.Argument(1), "open(schemaText, seed): seed", math.MinInt64)
	if err != nil {
		common.Throw(rt, err)
	}
	schema, err := ParseSchema(text.String())
	if err != nil {
		common.Throw(rt, err)
	}
	return newJSDataset(rt, Open(schema, seed))
}

// safeInteger reads an integer JS number from min to MaxIndex (the exact integers of a float64).
func safeInteger(v sobek.Value, what string, min int64) (int64, error) {
	if min < -MaxIndex {
		min = -MaxIndex
	}
	f := math.NaN()
	if v != nil && !sobek.IsUndefined(v) && !sobek.IsNull(v) {
		switch x := v.Export().(type) {
		case int64:
			f = float64(x)
		case float64:
			f = x
		}
	}
	if math.IsNaN(f) || f != math.Trunc(f) || f < float64(min) || f > MaxIndex {
		return 0, fmt.Errorf("dataset: %s must be an integer from %d to %d, got %v", what, min, int64(MaxIndex), v)
	}
	return int64(f), nil
}

// jsDataset is a Dataset as one VU's JS object: a per-VU scratch slice (a VU runs one call at a time).
type jsDataset struct {
	rt      *sobek.Runtime
	d       *Dataset
	scratch []any
	last    *Table
}

func newJSDataset(rt *sobek.Runtime, d *Dataset) sobek.Value {
	jd := &jsDataset{rt: rt, d: d}
	obj := rt.NewObject()
	must(obj.Set("row", jd.row))
	must(obj.Set("tables", func() []string { return d.Tables() }))
	must(obj.Set("columns", jd.columns))
	must(obj.Set("seed", d.seed))
	return obj
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// table finds a table, the last one asked for first (a scenario asks for the same table every time).
func (jd *jsDataset) table(v sobek.Value) *Table {
	name := v.String()
	if jd.last != nil && jd.last.Name == name {
		return jd.last
	}
	t, err := jd.d.Table(name)
	if err != nil {
		common.Throw(jd.rt, err)
	}
	jd.last = t
	return t
}

// row(table, index): the row as an object, its columns in schema order (id first).
func (jd *jsDataset) row(call sobek.FunctionCall) sobek.Value {
	t := jd.table(call.Argument(0))
	index, err := safeInteger(call.Argument(1), "row(table, index): index", 0)
	if err != nil {
		common.Throw(jd.rt, err)
	}
	jd.scratch = jd.d.Row(t, uint64(index), jd.scratch[:0])
	obj := jd.rt.NewObject()
	for i, c := range t.Columns {
		must(obj.Set(c.Name, jd.scratch[i]))
		jd.scratch[i] = nil
	}
	return obj
}

// columns(table): [{ name, type, generator }] in schema order, each object's keys in that order (a
// Go map would give JSON.stringify a random key order).
func (jd *jsDataset) columns(call sobek.FunctionCall) sobek.Value {
	t := jd.table(call.Argument(0))
	out := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		o := jd.rt.NewObject()
		must(o.Set("name", c.Name))
		must(o.Set("type", c.Type))
		must(o.Set("generator", generatorNames[c.gen.kind]))
		out[i] = o
	}
	return jd.rt.NewArray(out...)
}
