package spacetimedb

import (
	"sync"

	"github.com/k6regression/k6events"
	"go.k6.io/k6/v2/js/modules"
)

// openClients are the clients of a k6 process whose socket may be open. A VU keeps its session's
// socket across iterations (and across the scenarios of a staircase), so nothing in the script
// closes it: without this, every socket ends with the k6 process, and the server logs each one as
// "Connection reset without closing handshake". When the test ends (k6's TestEnd event, through
// k6events), every client still open is closed with a close frame (pings stop first) and waited for;
// k6 waits for the event's Done before it exits.
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
func (o *openClients) closeAtTestEnd(vu modules.VU, warn func(error)) {
	if o == nil {
		return
	}
	defer func() { _ = recover() }() // no usable event system (a test VU): nothing to subscribe to
	if sub := vu.Events().Global; sub != nil {
		if err := k6events.OnTestEnd(sub.Subscribe, func() { o.closeAll() }); err != nil && warn != nil {
			warn(err)
		}
	}
}
