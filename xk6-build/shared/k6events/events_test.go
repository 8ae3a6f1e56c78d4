package k6events

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

type fakeType uint8

func (t fakeType) String() string {
	return [...]string{"", "Init", "TestStart", "TestEnd"}[min(int(t), 3)]
}

type fakeEvent struct{ Type fakeType }

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
