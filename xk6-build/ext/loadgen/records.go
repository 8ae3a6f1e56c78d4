package loadgen

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/grafana/sobek"
	"go.k6.io/k6/v2/js/common"
)

// A record template renders many numbered records into one request body natively: building a
// 600 KB body from JS strings costs a VU several milliseconds in sobek (the ingestion family's
// batches), appending bytes here costs a tenth of that. The shape is pure data, made by the script:
//
//	{ head, tail, parts: [p0, …, pk], fields: [f0, …, f(k-1)] }
//
// Each record is p0 f0 p1 f1 … pk. A field is { n: { offset, modulo, plus } } — the record's number n
// as ((n + offset) mod modulo) + plus (modulo 0: none) — or { arg: i } — render()'s i-th text.

// recordField is one varying field of a record.
type recordField struct {
	arg                  int // >= 0: render()'s text argument; -1: a number
	offset, modulo, plus int64
}

// recordTemplate is a compiled template.
type recordTemplate struct {
	head, tail []byte
	parts      [][]byte
	fields     []recordField
	perRecord  int // bytes of the parts of one record
}

// render appends count records numbered first, first+1, … (with the texts for the arg fields) between head and tail.
func (t *recordTemplate) render(first, count int64, texts []string) ([]byte, error) {
	argBytes := 0
	for _, f := range t.fields {
		if f.arg >= 0 {
			if f.arg >= len(texts) {
				return nil, fmt.Errorf("loadgen: the template's field { arg: %d } needs render(first, count, texts) with at least %d texts", f.arg, f.arg+1)
			}
			argBytes += len(texts[f.arg])
		}
	}
	out := make([]byte, 0, len(t.head)+len(t.tail)+int(count)*(t.perRecord+argBytes+12*len(t.fields)))
	out = append(out, t.head...)
	for i := int64(0); i < count; i++ {
		n := first + i
		for j, f := range t.fields {
			out = append(out, t.parts[j]...)
			if f.arg >= 0 {
				out = append(out, texts[f.arg]...)
				continue
			}
			v := n + f.offset
			if f.modulo > 0 {
				v %= f.modulo
			}
			out = strconv.AppendInt(out, v+f.plus, 10)
		}
		out = append(out, t.parts[len(t.parts)-1]...)
	}
	return append(out, t.tail...), nil
}

// compileRecords checks and compiles a template object (see the package comment above).
func compileRecords(rt *sobek.Runtime, v sobek.Value) (*recordTemplate, error) {
	if common.IsNullish(v) {
		return nil, errors.New("loadgen: records() needs a template { head, tail, parts, fields }")
	}
	var spec struct {
		Head   string           `js:"head"`
		Tail   string           `js:"tail"`
		Parts  []string         `js:"parts"`
		Fields []map[string]any `js:"fields"`
	}
	if err := rt.ExportTo(v, &spec); err != nil {
		return nil, fmt.Errorf("loadgen: records(): the template is not { head, tail, parts, fields }: %w", err)
	}
	if len(spec.Parts) != len(spec.Fields)+1 {
		return nil, fmt.Errorf("loadgen: records(): a template has one part more than fields, got %d parts and %d fields", len(spec.Parts), len(spec.Fields))
	}
	t := &recordTemplate{head: []byte(spec.Head), tail: []byte(spec.Tail)}
	for _, p := range spec.Parts {
		t.parts = append(t.parts, []byte(p))
		t.perRecord += len(p)
	}
	for i, f := range spec.Fields {
		field, err := parseField(f)
		if err != nil {
			return nil, fmt.Errorf("loadgen: records(): field %d: %w", i, err)
		}
		t.fields = append(t.fields, field)
	}
	return t, nil
}

func parseField(f map[string]any) (recordField, error) {
	if a, ok := f["arg"]; ok {
		i, ok := integer(a)
		if !ok || i < 0 || i > 64 {
			return recordField{}, fmt.Errorf("{ arg } must be an integer 0..64, got %v", a)
		}
		return recordField{arg: int(i)}, nil
	}
	n, ok := f["n"].(map[string]any)
	if !ok {
		return recordField{}, errors.New("must be { n: { offset?, modulo?, plus? } } or { arg: i }")
	}
	field := recordField{arg: -1}
	for name, dst := range map[string]*int64{"offset": &field.offset, "modulo": &field.modulo, "plus": &field.plus} {
		if x, ok := n[name]; ok {
			v, ok := integer(x)
			if !ok {
				return recordField{}, fmt.Errorf("n.%s must be an integer, got %v", name, x)
			}
			*dst = v
		}
	}
	if field.modulo < 0 {
		return recordField{}, fmt.Errorf("n.modulo must be 0 (none) or positive, got %d", field.modulo)
	}
	return field, nil
}

// records(template) compiles a template once (in the init context, per VU) and returns
// { render(first, count, texts?) → ArrayBuffer }. Throws on a malformed template or render arguments.
func (mi *ModuleInstance) records(call sobek.FunctionCall) sobek.Value {
	rt := mi.vu.Runtime()
	t, err := compileRecords(rt, call.Argument(0))
	if err != nil {
		common.Throw(rt, err)
	}
	obj := rt.NewObject()
	render := func(c sobek.FunctionCall) sobek.Value {
		first, count := c.Argument(0).ToInteger(), c.Argument(1).ToInteger()
		if count < 0 || count > 10_000_000 {
			common.Throw(rt, fmt.Errorf("loadgen: render(first, count): count must be 0..10000000, got %d", count))
		}
		var texts []string
		if a := c.Argument(2); !common.IsNullish(a) {
			if err := rt.ExportTo(a, &texts); err != nil {
				common.Throw(rt, fmt.Errorf("loadgen: render(first, count, texts): texts must be an array of strings: %w", err))
			}
		}
		body, err := t.render(first, count, texts)
		if err != nil {
			common.Throw(rt, err)
		}
		return rt.ToValue(rt.NewArrayBuffer(body))
	}
	if err := obj.Set("render", render); err != nil {
		common.Throw(rt, err)
	}
	return obj
}

// integer reads an exported JS number that is an integer (sobek exports 3 as int64, 3.0 from arithmetic as float64).
func integer(x any) (int64, bool) {
	switch v := x.(type) {
	case int64:
		return v, true
	case float64:
		if v == float64(int64(v)) {
			return int64(v), true
		}
	}
	return 0, false
}
