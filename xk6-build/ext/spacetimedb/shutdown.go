package spacetimedb

import (
	"sync"

	"go.k6.io/k6/v2/js/modules"
)

// k6's global event types (go.k6.io/k6/v2/internal/event, type.go: Init = 1, TestStart, TestEnd, ...,
// Exit = 6). The package is internal to k6, so its constants cannot be named here; untyped constants
// of the same values are passed to vu.Events().Global.Subscribe, which takes them as event.Type.
const (
	k6EventTestEnd = 3
	k6EventExit    = 6
)

// openClients are the clients of a k6 process whose socket may be open. A VU keeps its session's
// socket across iterations (and across the scenarios of a staircase), so nothing in the script
// closes it: without this, every socket ends with the k6 process, and the server logs each one as
// "Connection reset without closing handshake". When the test ends (k6's TestEnd event, or Exit when
// it is aborted), every client still open is closed with a close frame (Client.Close: pings stop
// first). k6 waits for the event's Done before it goes on.
type openClients struct {
	mu      sync.Mutex
	clients map[*Client]struct{}
}

func newOpenClients() *openClients { return &openClients{clients: make(map[*Client]struct{})} }

// add keeps c until it is closed (Client.Close removes it through onClose).
func (o *openClients) add(c *Client) {
	if o == nil {
		return
	}
	o.mu.Lock()
	o.clients[c] = struct{}{}
	o.mu.Unlock()
	c.onClose = func() {
		o.mu.Lock()
		delete(o.clients, c)
		o.mu.Unlock()
	}
}

// closeAll closes every client still open; returns how many there were.
func (o *openClients) closeAll() int {
	o.mu.Lock()
	clients := make([]*Client, 0, len(o.clients))
	for c := range o.clients {
		clients = append(clients, c)
	}
	o.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.closeAndWait()
		}()
	}
	wg.Wait()
	return len(clients)
}

// closeAtTestEnd subscribes (once per process, through any VU) to the end of the test.
func (o *openClients) closeAtTestEnd(vu modules.VU) {
	if o == nil {
		return
	}
	events := vu.Events().Global
	if events == nil {
		return
	}
	id, ch := events.Subscribe(k6EventTestEnd, k6EventExit)
	go func() {
		for e := range ch {
			o.closeAll()
			e.Done()
			if e.Type == k6EventExit {
				events.Unsubscribe(id)
				return
			}
		}
	}()
}
