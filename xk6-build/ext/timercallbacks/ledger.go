package timercallbacks

import (
	"container/heap"
	"sync"
	"time"
)

// Ledger states of one expected callback.
const (
	statePending = iota // expected, not arrived yet
	stateArrived        // arrived (once or more)
	stateLost           // not arrived by its deadline
)

// entry is one expected callback.
type entry struct {
	dueAt    time.Time // when the system under test should call back (the timer's executeAt)
	deadline time.Time // dueAt + grace: not arrived by then = lost
	state    uint8
}

// Stats are the ledger's counts (JS: stats(), settle()).
type Stats struct {
	Expected   int64 `js:"expected"`   // callbacks announced with expect() and not cancelled
	Received   int64 `js:"received"`   // first arrivals of expected callbacks, in time
	Duplicate  int64 `js:"duplicate"`  // second and later arrivals of a received callback
	Lost       int64 `js:"lost"`       // expected callbacks not arrived by their deadline
	Late       int64 `js:"late"`       // arrivals of callbacks already counted lost (they stay lost)
	Unexpected int64 `js:"unexpected"` // arrivals no expect() announced (another run's, a cancelled one's) or unreadable
	Pending    int64 `js:"pending"`    // expected, not arrived, deadline not passed
}

// arrival is what one received callback means for the metrics.
type arrival int

const (
	arrivalReceived arrival = iota
	arrivalDuplicate
	arrivalLate
	arrivalUnexpected
)

// ledger keeps every expected callback of the process by id, and the pending ones in deadline order.
// Safe for concurrent use.
type ledger struct {
	mu        sync.Mutex
	grace     time.Duration
	entries   map[string]*entry
	deadlines deadlineHeap
	stats     Stats
	changed   chan struct{} // closed and replaced whenever Pending drops (settle waits on it)
}

func newLedger(grace time.Duration) *ledger {
	return &ledger{grace: grace, entries: make(map[string]*entry), changed: make(chan struct{})}
}

// expect announces the callback of id, due at dueAt; it is false when id was announced before (ids
// must be unique: the second announcement is ignored).
func (l *ledger) expect(id string, dueAt time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, seen := l.entries[id]; seen {
		return false
	}
	e := &entry{dueAt: dueAt, deadline: dueAt.Add(l.grace)}
	l.entries[id] = e
	heap.Push(&l.deadlines, deadlineItem{id: id, at: e.deadline})
	l.stats.Expected++
	l.stats.Pending++
	return true
}

// cancel withdraws a pending announcement (the timer was not created after all): a callback for id
// is then unexpected. It is false when id is not pending.
func (l *ledger) cancel(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.entries[id]
	if !ok || e.state != statePending {
		return false
	}
	delete(l.entries, id) // its heap item is skipped when it comes up
	l.stats.Expected--
	l.pendingDropped()
	return true
}

// arrive records a callback for id at `at`; for a first arrival in time it also gives the latency
// (at − dueAt, negative when the callback came early).
func (l *ledger) arrive(id string, at time.Time) (arrival, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.entries[id]
	switch {
	case !ok:
		l.stats.Unexpected++
		return arrivalUnexpected, 0
	case e.state == stateArrived:
		l.stats.Duplicate++
		return arrivalDuplicate, 0
	case e.state == stateLost:
		l.stats.Late++
		return arrivalLate, 0
	}
	e.state = stateArrived
	l.stats.Received++
	l.pendingDropped()
	return arrivalReceived, at.Sub(e.dueAt)
}

// unreadable counts a request that names no callback (not JSON, no id).
func (l *ledger) unreadable() {
	l.mu.Lock()
	l.stats.Unexpected++
	l.mu.Unlock()
}

// expire declares lost every pending callback whose deadline is before now; it returns how many.
func (l *ledger) expire(now time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.expireWhile(func(at time.Time) bool { return at.Before(now) })
}

// expireAll declares every pending callback lost, whatever its deadline (the test is over).
func (l *ledger) expireAll() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.expireWhile(func(time.Time) bool { return true })
}

// expireWhile declares lost the pending callbacks in deadline order while due(deadline); l.mu is held.
func (l *ledger) expireWhile(due func(time.Time) bool) int {
	n := 0
	for l.deadlines.Len() > 0 && due(l.deadlines[0].at) {
		item := heap.Pop(&l.deadlines).(deadlineItem)
		e, ok := l.entries[item.id]
		if !ok || e.state != statePending || !e.deadline.Equal(item.at) {
			continue // cancelled or arrived
		}
		e.state = stateLost
		l.stats.Lost++
		l.pendingDropped()
		n++
	}
	return n
}

// snapshot returns the counts now, and a channel closed at the next drop of Pending.
func (l *ledger) snapshot() (Stats, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats, l.changed
}

// pendingDropped notes one callback less pending; l.mu is held.
func (l *ledger) pendingDropped() {
	l.stats.Pending--
	close(l.changed)
	l.changed = make(chan struct{})
}

type deadlineItem struct {
	id string
	at time.Time
}

// deadlineHeap is a min-heap of deadlines (container/heap).
type deadlineHeap []deadlineItem

func (h deadlineHeap) Len() int           { return len(h) }
func (h deadlineHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h deadlineHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *deadlineHeap) Push(x any)        { *h = append(*h, x.(deadlineItem)) }
func (h *deadlineHeap) Pop() any {
	old := *h
	item := old[len(old)-1]
	*h = old[:len(old)-1]
	return item
}
