package spacetimedb

import (
	"sync"
	"time"
)

// Time spent disconnected: from a drop (a socket closed by the server or lost, not by Close) until
// the next successful dial, or until Close, or until the end of the test. It is counted in
// microseconds in ctrDisconnected and pushed, in ms, to the Counter spacetime_disconnected_ms.

// outageSet holds the clients of a VU that are down now, so that their outages can be ended (and
// counted) at the end of the test.
type outageSet struct {
	mu      sync.Mutex
	clients map[*Client]struct{}
}

func (s *outageSet) add(c *Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.clients == nil {
		s.clients = make(map[*Client]struct{})
	}
	s.clients[c] = struct{}{}
}

func (s *outageSet) remove(c *Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.clients, c)
}

// endAll ends the outage of every client that is down now, without telling onCount (the caller pushes).
func (s *outageSet) endAll(now time.Time) {
	s.mu.Lock()
	clients := make([]*Client, 0, len(s.clients))
	for c := range s.clients {
		clients = append(clients, c)
	}
	s.mu.Unlock()
	for _, c := range clients {
		c.endOutage(now, false)
	}
}

// wentDownLocked starts an outage at now, unless one is running or another socket is open. Called
// with c.mu held when a socket dropped.
func (c *Client) wentDownLocked(now time.Time) {
	if c.conn != nil || !c.downSince.IsZero() {
		return
	}
	c.downSince = now
	if c.outages != nil {
		c.outages.add(c)
	}
}

// endOutage ends the running outage, if any, at now and counts its duration; notify tells onCount.
func (c *Client) endOutage(now time.Time, notify bool) {
	c.mu.Lock()
	since := c.downSince
	if since.IsZero() {
		c.mu.Unlock()
		return
	}
	c.downSince = time.Time{}
	if c.outages != nil {
		c.outages.remove(c)
	}
	c.mu.Unlock()
	us := now.Sub(since).Microseconds()
	if us <= 0 {
		return
	}
	c.ctr.n[ctrDisconnected].Add(us)
	if notify && c.onCount != nil {
		c.onCount()
	}
}
