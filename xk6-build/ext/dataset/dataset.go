package dataset

import (
	"fmt"
	"sort"
	"strings"
)

// MaxIndex is the largest row index: row indexes (and seeds) come from JS numbers, exact up to 2^53 - 1.
const MaxIndex = 1<<53 - 1

// Dataset is a schema with a seed: every row of every table, computed on demand. Immutable, so one
// Dataset may serve any number of goroutines.
type Dataset struct {
	schema *Schema
	seed   int64
	keys   map[string][]uint64 // table → each column's columnKey
}

// Open returns the dataset of a parsed schema for a seed.
func Open(schema *Schema, seed int64) *Dataset {
	d := &Dataset{schema: schema, seed: seed, keys: map[string][]uint64{}}
	for _, t := range schema.tables {
		keys := make([]uint64, len(t.Columns))
		for i, c := range t.Columns {
			keys[i] = columnKey(seed, t.Name, c.Name)
		}
		d.keys[t.Name] = keys
	}
	return d
}

// Tables returns the table names in schema order.
func (d *Dataset) Tables() []string {
	names := make([]string, len(d.schema.tables))
	for i, t := range d.schema.tables {
		names[i] = t.Name
	}
	return names
}

// Table returns a table by name, or an error naming the tables there are.
func (d *Dataset) Table(name string) (*Table, error) {
	if t, ok := d.schema.byName[name]; ok {
		return t, nil
	}
	names := d.Tables()
	sort.Strings(names)
	return nil, fmt.Errorf("dataset: no table %q in the schema (tables: %s)", name, strings.Join(names, ", "))
}

// Row appends the values of row index of table t, one per column in t.Columns order, to dst.
// index must be <= MaxIndex.
func (d *Dataset) Row(t *Table, index uint64, dst []any) []any {
	keys := d.keys[t.Name]
	for i := range t.Columns {
		r := cellRNG(keys[i], index)
		dst = append(dst, t.Columns[i].gen.generate(&r, index))
	}
	return dst
}

// RowMap is Row as a map by column name (tests, tools).
func (d *Dataset) RowMap(table string, index uint64) (map[string]any, error) {
	t, err := d.Table(table)
	if err != nil {
		return nil, err
	}
	values := d.Row(t, index, nil)
	out := make(map[string]any, len(values))
	for i, c := range t.Columns {
		out[c.Name] = values[i]
	}
	return out, nil
}
