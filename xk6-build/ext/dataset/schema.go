package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"gopkg.in/yaml.v3"
)

// The schema file, as seed 002's loadtest-generator reads it:
//
//	version: 1
//	tables:
//	  - name: users
//	    id: {type: big_int, generator: {type: sequential, start: 1}}
//	    fields:
//	      - name: email
//	        type: {type: var_char, length: 255}
//	        generator: {type: pattern, pattern: "user_{index}@test.com"}
type schemaFile struct {
	Version *int        `yaml:"version"`
	Tables  []tableFile `yaml:"tables"`
}

type tableFile struct {
	Name   string      `yaml:"name"`
	ID     *columnFile `yaml:"id"`
	Fields []fieldFile `yaml:"fields"`
}

// columnFile is the id of a table: its type and generator.
type columnFile struct {
	Type      yaml.Node `yaml:"type"`
	Generator yaml.Node `yaml:"generator"`
}

type fieldFile struct {
	Name      string    `yaml:"name"`
	Type      yaml.Node `yaml:"type"`
	Generator yaml.Node `yaml:"generator"`
}

// Schema is a parsed, validated schema: immutable, safe to share between goroutines.
type Schema struct {
	tables []*Table
	byName map[string]*Table
}

// Table is one table of a schema: the id column first, then the fields in file order.
type Table struct {
	Name    string
	Columns []Column
}

// Column is one column: its name ("id" for the table's id), its declared type (as written: "int",
// or the type name of {type: var_char, length: 255}) and its compiled generator.
type Column struct {
	Name string
	Type string
	gen  generator
}

// ParseSchema parses and validates a schema (YAML text). The error names the table, the field, the
// generator and what is allowed.
func ParseSchema(text string) (*Schema, error) {
	var file schemaFile
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		if errors.Is(err, io.EOF) || strings.TrimSpace(text) == "" {
			return nil, errors.New("dataset: the schema is empty: expected `version: 1` and `tables: [...]`")
		}
		return nil, fmt.Errorf("dataset: the schema is not valid YAML of the expected shape (version, tables: [{name, id: {type, generator}, fields: [{name, type, generator}]}]): %w", err)
	}
	if file.Version == nil {
		return nil, errors.New("dataset: the schema has no version: expected `version: 1`")
	}
	if *file.Version != 1 {
		return nil, fmt.Errorf("dataset: schema version %d is not supported: expected `version: 1`", *file.Version)
	}
	if len(file.Tables) == 0 {
		return nil, errors.New("dataset: the schema has no tables: expected `tables: [{name, id, fields}]`")
	}
	s := &Schema{byName: map[string]*Table{}}
	for i, tf := range file.Tables {
		if strings.TrimSpace(tf.Name) == "" {
			return nil, fmt.Errorf("dataset: table #%d has no name", i+1)
		}
		if _, dup := s.byName[tf.Name]; dup {
			return nil, fmt.Errorf("dataset: table %q is declared twice", tf.Name)
		}
		if tf.ID == nil {
			return nil, fmt.Errorf("dataset: table %q has no id: expected `id: {type: ..., generator: {type: ...}}`", tf.Name)
		}
		t := &Table{Name: tf.Name}
		id, err := compileColumn(tf.Name, "id", &tf.ID.Type, &tf.ID.Generator)
		if err != nil {
			return nil, err
		}
		t.Columns = append(t.Columns, id)
		seen := map[string]bool{"id": true}
		for j, ff := range tf.Fields {
			if strings.TrimSpace(ff.Name) == "" {
				return nil, fmt.Errorf("dataset: table %q: field #%d has no name", tf.Name, j+1)
			}
			if seen[ff.Name] {
				if ff.Name == "id" {
					return nil, fmt.Errorf("dataset: table %q: a field is named \"id\": the id is declared by the table's `id:`", tf.Name)
				}
				return nil, fmt.Errorf("dataset: table %q: field %q is declared twice", tf.Name, ff.Name)
			}
			seen[ff.Name] = true
			c, err := compileColumn(tf.Name, ff.Name, &ff.Type, &ff.Generator)
			if err != nil {
				return nil, err
			}
			t.Columns = append(t.Columns, c)
		}
		s.tables = append(s.tables, t)
		s.byName[t.Name] = t
	}
	return s, nil
}

// compileColumn reads a column's type and generator.
func compileColumn(table, name string, typ, gen *yaml.Node) (Column, error) {
	where := fmt.Sprintf("table %q, field %q", table, name)
	if name == "id" {
		where = fmt.Sprintf("table %q, id", table)
	}
	typeName, err := readType(typ)
	if err != nil {
		return Column{}, fmt.Errorf("dataset: %s: %w", where, err)
	}
	g, err := compileGenerator(gen)
	if err != nil {
		return Column{}, fmt.Errorf("dataset: %s: %w", where, err)
	}
	return Column{Name: name, Type: typeName, gen: g}, nil
}

// readType reads `type: int` or `type: {type: var_char, length: 255}`: the type's name.
func readType(n *yaml.Node) (string, error) {
	switch n.Kind {
	case 0:
		return "", errors.New("no type: expected `type: <name>` or `type: {type: <name>, ...}`")
	case yaml.ScalarNode:
		if n.Value == "" {
			return "", errors.New("empty type: expected `type: <name>` or `type: {type: <name>, ...}`")
		}
		return n.Value, nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "type" && n.Content[i+1].Kind == yaml.ScalarNode && n.Content[i+1].Value != "" {
				return n.Content[i+1].Value, nil
			}
		}
	}
	return "", errors.New("the type must be a name (`type: int`) or a mapping with one (`type: {type: var_char, length: 255}`)")
}

// params is a generator's mapping, key by key, with the keys not read yet.
type params struct {
	kind   string
	values map[string]*yaml.Node
	order  []string
}

func readParams(n *yaml.Node) (*params, error) {
	if n.Kind == 0 {
		return nil, fmt.Errorf("no generator: expected `generator: {type: <one of %s>, ...}`", strings.Join(generatorNames, ", "))
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the generator must be a mapping like `{type: int_range, min: 1, max: 10}` (types: %s)", strings.Join(generatorNames, ", "))
	}
	p := &params{values: map[string]*yaml.Node{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i].Value
		if _, dup := p.values[key]; dup {
			return nil, fmt.Errorf("generator key %q is given twice", key)
		}
		p.values[key] = n.Content[i+1]
		p.order = append(p.order, key)
	}
	t, ok := p.values["type"]
	if !ok || t.Kind != yaml.ScalarNode || t.Value == "" {
		return nil, fmt.Errorf("the generator has no type: expected `type: <one of %s>`", strings.Join(generatorNames, ", "))
	}
	p.kind = t.Value
	delete(p.values, "type")
	return p, nil
}

// done fails on keys the generator does not take.
func (p *params) done(known ...string) error {
	for _, key := range p.order {
		if key == "type" {
			continue
		}
		if !contains(known, key) {
			allowed := "none"
			if len(known) > 0 {
				allowed = strings.Join(known, ", ")
			}
			return fmt.Errorf("%s: unknown parameter %q (allowed: %s)", p.kind, key, allowed)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// node returns a required parameter.
func (p *params) node(key, expected string) (*yaml.Node, error) {
	n, ok := p.values[key]
	if !ok || n.Tag == "!!null" {
		return nil, fmt.Errorf("%s: missing %s (%s)", p.kind, key, expected)
	}
	return n, nil
}

func (p *params) int(key string, def *int64) (int64, error) {
	n, ok := p.values[key]
	if !ok && def != nil {
		return *def, nil
	}
	if _, err := p.node(key, "an integer"); err != nil {
		return 0, err
	}
	var v int64
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil {
		return 0, fmt.Errorf("%s: %s must be an integer, got %s", p.kind, key, show(n))
	}
	return v, nil
}

func (p *params) float(key string) (float64, error) {
	n, err := p.node(key, "a number")
	if err != nil {
		return 0, err
	}
	var v float64
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || n.Decode(&v) != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s: %s must be a finite number, got %s", p.kind, key, show(n))
	}
	return v, nil
}

func (p *params) str(key, expected string) (string, error) {
	n, err := p.node(key, expected)
	if err != nil {
		return "", err
	}
	if n.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("%s: %s must be %s, got %s", p.kind, key, expected, show(n))
	}
	return n.Value, nil
}

// value decodes any YAML value (scalar, sequence, mapping) to plain Go values.
func (p *params) value(key string) (any, error) {
	n, ok := p.values[key]
	if !ok {
		return nil, fmt.Errorf("%s: missing %s", p.kind, key)
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", p.kind, key, err)
	}
	return normalize(v), nil
}

// normalize turns yaml.v3's values into what JSON and sobek handle: int → int64, map[any]any is not
// produced by yaml.v3 (it decodes mappings to map[string]any).
func normalize(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = normalize(x[k])
		}
		return x
	}
	return v
}

// show is a YAML value for an error message, on one line.
func show(n *yaml.Node) string {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	_ = enc.Encode(n)
	_ = enc.Close()
	text := strings.TrimSpace(strings.ReplaceAll(b.String(), "\n", " "))
	if len(text) > 80 {
		text = text[:77] + "..."
	}
	return text
}
