// Package k6events reaches k6's global events (TestStart, TestEnd, ...) from an extension. k6's event
// package is internal, so its Type cannot be named from outside: the value is found by its String().
// Shared by the project's extensions (k6/x/loadgen, k6/x/spacetimedb).
package k6events

import (
	"context"
	"reflect"
)

// TypeNamed finds the k6 event type whose String() is name; T and E are inferred from the event
// system's Subscribe (e.g. TypeNamed(vu.Events().Global.Subscribe, "TestEnd")).
func TypeNamed[T interface {
	~uint8
	String() string
}, E any](_ func(...T) (uint64, <-chan E), name string) (T, bool) {
	for i := 1; i < 64; i++ {
		if t := T(i); t.String() == name {
			return t, true
		}
	}
	var zero T
	return zero, false
}

// EmitNamed emits the k6 event called name through an event system's Emit (for tests of extensions:
// the event's Type field is set by reflection). It panics when k6 has no event of that name.
func EmitNamed[T interface {
	~uint8
	String() string
}, E any](subscribe func(...T) (uint64, <-chan *E), emit func(*E) func(context.Context) error, name string) func(context.Context) error {
	typ, ok := TypeNamed(subscribe, name)
	if !ok {
		panic("no k6 event " + name)
	}
	e := new(E)
	reflect.ValueOf(e).Elem().FieldByName("Type").Set(reflect.ValueOf(typ))
	return emit(e)
}
