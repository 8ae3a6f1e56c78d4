// Package k6events reaches k6's global events (TestStart, TestEnd, ...) from an extension. k6's event
// package is internal, so its Type cannot be named from outside: the value is found by its String().
// Shared by the project's extensions (k6/x/loadgen, k6/x/spacetimedb, k6/x/timercallbacks).
package k6events

import (
	"context"
	"errors"
	"fmt"
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

// OnTestEnd calls stop on each of k6's global TestEnd events (after teardown and the summary), then
// marks the event done (its Done field): k6 closes its samples channel only after every subscriber is
// done, so what stop pushes still arrives. The error says why it cannot subscribe (the event system
// has no TestEnd, or Subscribe panicked); the caller warns that its end-of-test work will not run.
func OnTestEnd[T interface {
	~uint8
	String() string
}, E any](subscribe func(...T) (uint64, <-chan *E), stop func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot subscribe to k6's TestEnd event (%v)", r)
		}
	}()
	typ, ok := TypeNamed(subscribe, "TestEnd")
	if !ok {
		return errors.New("k6 has no TestEnd event")
	}
	_, ch := subscribe(typ)
	go func() {
		for e := range ch {
			func() {
				defer markDone(e) // even when stop panics: k6 would otherwise wait for this subscriber
				stop()
			}()
		}
	}()
	return nil
}

// markDone calls the event's Done function, when it has one.
func markDone[E any](e *E) {
	if done, ok := reflect.ValueOf(e).Elem().FieldByName("Done").Interface().(func()); ok && done != nil {
		done()
	}
}
