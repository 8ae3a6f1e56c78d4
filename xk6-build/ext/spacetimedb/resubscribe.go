package spacetimedb

import (
	"time"
)

// resubscribe re-sends the remembered subscriptions on a new socket (nothing on a first dial). Their
// answers end no JS promise; one that fails (error or timeout) is counted as a subscription error.
// One dropped with its socket is not: it is re-sent after the next reconnect.
func (c *Client) resubscribe(conn *wsConn) {
	c.mu.Lock()
	legacy, singles := c.legacySubs, c.singleSubs
	c.mu.Unlock()
	done := func(out Outcome) {
		if out.Status == StatusError || out.Status == StatusTimeout {
			c.count(ctrSubErrors)
		}
	}
	now := time.Now()
	if len(legacy) > 0 {
		c.send(conn, &op{kind: kindSubscribe, queries: legacy, done: done, resub: true, created: now})
	}
	for _, q := range singles {
		c.send(conn, &op{kind: kindSingle, query: q, done: done, resub: true, created: now})
	}
}

// rememberLocked records the subscription of o, which has just succeeded, for resubscribe.
func (c *Client) rememberLocked(o *op) {
	switch {
	case o.resub:
	case o.kind == kindSubscribe:
		c.legacySubs = o.queries // the slices are never modified in place: resubscribe shares them
	case o.kind == kindSingle:
		for _, q := range c.singleSubs {
			if q == o.query {
				return
			}
		}
		c.singleSubs = append(c.singleSubs[:len(c.singleSubs):len(c.singleSubs)], o.query)
	}
}
