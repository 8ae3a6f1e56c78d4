package timercallbacks

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func TestLedgerCountsEveryKindOfArrivalExactly(t *testing.T) {
	l := newLedger(2 * time.Second)
	require.True(t, l.expect("a", t0))
	require.True(t, l.expect("b", t0))
	require.True(t, l.expect("c", t0))
	assert.False(t, l.expect("a", t0.Add(time.Hour)), "an id is announced once")

	kind, latency := l.arrive("a", t0.Add(230*time.Millisecond))
	assert.Equal(t, arrivalReceived, kind)
	assert.Equal(t, 230*time.Millisecond, latency)
	kind, _ = l.arrive("a", t0.Add(time.Second))
	assert.Equal(t, arrivalDuplicate, kind)
	kind, latency = l.arrive("b", t0.Add(-5*time.Millisecond))
	assert.Equal(t, arrivalReceived, kind)
	assert.Equal(t, -5*time.Millisecond, latency, "an early callback has a negative latency")
	kind, _ = l.arrive("zzz", t0)
	assert.Equal(t, arrivalUnexpected, kind)

	st, _ := l.snapshot()
	assert.Equal(t, Stats{Expected: 3, Received: 2, Duplicate: 1, Unexpected: 1, Pending: 1}, st)
}

func TestLedgerDeclaresLostAtDueTimePlusGraceNotBefore(t *testing.T) {
	l := newLedger(2 * time.Second)
	l.expect("early", t0)
	l.expect("later", t0.Add(time.Second))
	assert.Equal(t, 0, l.expire(t0.Add(2*time.Second)), "the deadline itself is not past")
	assert.Equal(t, 1, l.expire(t0.Add(2*time.Second+time.Millisecond)))
	st, _ := l.snapshot()
	assert.Equal(t, int64(1), st.Lost)
	assert.Equal(t, int64(1), st.Pending)

	kind, _ := l.arrive("early", t0.Add(5*time.Second))
	assert.Equal(t, arrivalLate, kind, "a lost callback that comes after all stays lost")
	kind, _ = l.arrive("later", t0.Add(1500*time.Millisecond))
	assert.Equal(t, arrivalReceived, kind)
	assert.Equal(t, 0, l.expire(t0.Add(time.Hour)), "an arrived callback is never lost")
	st, _ = l.snapshot()
	assert.Equal(t, Stats{Expected: 2, Received: 1, Lost: 1, Late: 1}, st)
}

func TestLedgerCancelledCallbackIsNeitherPendingNorLost(t *testing.T) {
	l := newLedger(0)
	l.expect("x", t0)
	require.True(t, l.cancel("x"))
	assert.False(t, l.cancel("x"))
	assert.Equal(t, 0, l.expire(t0.Add(time.Hour)))
	kind, _ := l.arrive("x", t0)
	assert.Equal(t, arrivalUnexpected, kind, "the timer was not created: its callback was not expected")
	st, _ := l.snapshot()
	assert.Equal(t, Stats{Unexpected: 1}, st)
}

func TestLedgerExpireAllEndsEveryPendingCallback(t *testing.T) {
	l := newLedger(time.Hour)
	for _, id := range []string{"a", "b", "c"} {
		l.expect(id, t0)
	}
	l.arrive("b", t0)
	assert.Equal(t, 2, l.expireAll())
	st, _ := l.snapshot()
	assert.Equal(t, Stats{Expected: 3, Received: 1, Lost: 2}, st)
}

func TestLedgerSignalsEachDropOfPending(t *testing.T) {
	l := newLedger(time.Second)
	l.expect("a", t0)
	_, changed := l.snapshot()
	select {
	case <-changed:
		t.Fatal("signalled before anything changed")
	default:
	}
	l.arrive("a", t0)
	select {
	case <-changed:
	default:
		t.Fatal("an arrival did not signal")
	}
}
