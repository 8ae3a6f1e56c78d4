package k6events

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

type fakeType uint8

func (t fakeType) String() string {
	return [...]string{"", "Init", "TestStart", "TestEnd"}[min(int(t), 3)]
}

type fakeEvent struct {
	Type fakeType
	Done func()
}

func TestTypeNamed(t *testing.T) {
	t.Parallel()
	subscribe := func(...fakeType) (uint64, <-chan *fakeEvent) { return 0, nil }
	typ, ok := TypeNamed(subscribe, "TestEnd")
	assert.True(t, ok)
	assert.Equal(t, fakeType(3), typ)
	_, ok = TypeNamed(subscribe, "Exit")
	assert.False(t, ok)
}

func TestEmitNamedSetsTheType(t *testing.T) {
	t.Parallel()
	subscribe := func(...fakeType) (uint64, <-chan *fakeEvent) { return 0, nil }
	var got fakeType
	emit := func(e *fakeEvent) func(context.Context) error {
		got = e.Type
		return func(context.Context) error { return nil }
	}
	assert.NoError(t, EmitNamed(subscribe, emit, "TestStart")(context.Background()))
	assert.Equal(t, fakeType(2), got)
	assert.Panics(t, func() { EmitNamed(subscribe, emit, "Exit") })
}

func TestOnTestEndStopsThenMarksTheEventDone(t *testing.T) {
	t.Parallel()
	ch := make(chan *fakeEvent, 1)
	var subscribed fakeType
	subscribe := func(types ...fakeType) (uint64, <-chan *fakeEvent) {
		subscribed = types[0]
		return 1, ch
	}
	var order []string
	stopped := make(chan struct{})
	assert.NoError(t, OnTestEnd(subscribe, func() { order = append(order, "stop") }))
	assert.Equal(t, fakeType(3), subscribed)
	ch <- &fakeEvent{Type: 3, Done: func() { order = append(order, "done"); close(stopped) }}
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the event was not handled")
	}
	assert.Equal(t, []string{"stop", "done"}, order)
	close(ch)
}

type otherType uint8

func (otherType) String() string { return "Init" }

func TestOnTestEndNamesWhyItCannotSubscribe(t *testing.T) {
	t.Parallel()
	none := func(...otherType) (uint64, <-chan *fakeEvent) { return 0, nil }
	assert.EqualError(t, OnTestEnd(none, func() {}), "k6 has no TestEnd event")
	broken := func(...fakeType) (uint64, <-chan *fakeEvent) { panic("closed") }
	assert.EqualError(t, OnTestEnd(broken, func() {}), "cannot subscribe to k6's TestEnd event (closed)")
}
