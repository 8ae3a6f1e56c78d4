package spacetimedb

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/gorilla/websocket"
)

type opKind uint8

const (
	kindCall opKind = iota
	kindSubscribe
	kindSingle
	kindOneOff
)

type op struct {
	kind    opKind
	reducer string
	args    string
	flags   uint8
	queries []string
	query   string
	done    func(Outcome)
	resub   bool     // a re-subscription after a reconnect: no JS promise waits for it
	group   *opGroup // a pipelined slice's call: its context is watched once for the whole group

	// guarded by Client.mu
	finished  bool
	conn      *wsConn
	reqID     uint32
	queryID   uint32
	msgID     string
	created   time.Time
	sent      time.Time
	bytesSent int
	timer     *time.Timer
	stopCtx   func() bool
}

// opGroup is the calls of one pipelined slice: one watch of their context ends all of the group's
// calls still in flight (abandonGroup), where a watch per call (context.AfterFunc) was a measurable
// part of a pipelined call's cost.
type opGroup struct {
	abandoned bool // guarded by Client.mu
}

// abandonedErr is the error of an operation whose k6 iteration ended before its answer.
const abandonedErr = "abandoned: the k6 iteration was interrupted"

// abandonGroup ends every call of g still in flight as dropped, and the ones sent later at once.
func (c *Client) abandonGroup(g *opGroup) {
	c.mu.Lock()
	g.abandoned = true
	var ops []*op
	for _, o := range c.pending {
		if o.group == g {
			ops = append(ops, o)
		}
	}
	for _, o := range ops {
		c.unlinkLocked(o)
	}
	c.mu.Unlock()
	now := time.Now()
	for _, o := range ops {
		c.complete(o, Outcome{Status: StatusDropped, Err: abandonedErr}, now)
	}
}

func (c *Client) start(ctx context.Context, o *op) {
	o.created = time.Now()
	c.mu.Lock()
	// The request timer starts when the frame is written (send): while connecting, an operation is
	// bounded by the connect attempts (it ends 'dropped' with the connect error) and by ctx.
	if ctx != nil && ctx.Done() != nil && o.group == nil {
		o.stopCtx = context.AfterFunc(ctx, func() {
			c.finish(o, Outcome{Status: StatusDropped, Err: abandonedErr})
		})
	}
	conn := c.conn
	c.mu.Unlock()
	if conn != nil {
		c.send(conn, o)
		return
	}
	env := c.env()
	go func() {
		conn, res := c.ensureConn(ctx, env)
		if res.Err != nil {
			c.finish(o, Outcome{Status: StatusDropped, Err: res.Err.Error()})
			return
		}
		c.send(conn, o)
	}()
}

func (c *Client) nextRequestIDLocked() uint32 {
	for {
		c.reqID++
		if c.reqID == 0 {
			continue
		}
		if _, busy := c.pending[c.reqID]; !busy {
			return c.reqID
		}
	}
}

func (c *Client) send(conn *wsConn, o *op) {
	c.mu.Lock()
	if o.finished {
		c.mu.Unlock()
		return
	}
	if conn.dead {
		c.mu.Unlock()
		c.finish(o, Outcome{Status: StatusDropped, Err: "the connection was lost before the request was sent"})
		return
	}
	var reqID, queryID uint32
	var msgID string
	if o.kind == kindOneOff {
		c.msgSeq++
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], c.msgSeq)
		msgID = hex.EncodeToString(b[:])
	} else {
		reqID = c.nextRequestIDLocked()
		if o.kind == kindSingle {
			c.queryID++
			queryID = c.queryID
		}
	}
	c.mu.Unlock()

	conn.writeMu.Lock()
	switch o.kind {
	case kindCall:
		conn.buf = appendCallReducer(conn.buf[:0], o.reducer, o.args, reqID, o.flags)
	case kindSubscribe:
		conn.buf = appendSubscribe(conn.buf[:0], o.queries, reqID)
	case kindSingle:
		conn.buf = appendSubscribeSingle(conn.buf[:0], o.query, reqID, queryID)
	case kindOneOff:
		conn.buf = appendOneOffQuery(conn.buf[:0], msgID, o.query)
	}
	c.mu.Lock()
	finished, abandoned := o.finished, o.group != nil && o.group.abandoned
	if finished || abandoned || conn.dead {
		c.mu.Unlock()
		conn.writeMu.Unlock()
		switch {
		case finished:
		case abandoned:
			c.finish(o, Outcome{Status: StatusDropped, Err: abandonedErr})
		default:
			c.finish(o, Outcome{Status: StatusDropped, Err: "the connection was lost before the request was sent"})
		}
		return
	}
	o.conn, o.reqID, o.queryID, o.msgID = conn, reqID, queryID, msgID
	o.bytesSent = len(conn.buf)
	if o.kind == kindOneOff {
		c.queries[msgID] = o
	} else {
		c.pending[reqID] = o
	}
	now := time.Now()
	o.sent = now
	o.timer = time.AfterFunc(c.opts.RequestTimeout, func() {
		if !c.unlinkUnfinished(o) {
			return
		}
		msg := fmt.Sprintf("no answer within %v (requestTimeoutMs)", c.opts.RequestTimeout)
		// A call with flags 1 gets no answer when it succeeds: its timeout is not a failure.
		if !(o.kind == kindCall && o.flags&1 != 0) {
			c.recordCause(causeTimeout, o.describe()+": "+msg) // before the promise can see the outcome
		}
		c.complete(o, Outcome{Status: StatusTimeout, Err: msg}, time.Now())
	})
	c.mu.Unlock()
	_ = conn.ws.SetWriteDeadline(now.Add(c.opts.RequestTimeout))
	err := conn.ws.WriteMessage(websocket.TextMessage, conn.buf)
	conn.writeMu.Unlock()
	if err != nil {
		// The reader sees the closed socket and ends every pending operation on it as dropped.
		_ = conn.ws.Close()
		return
	}
	c.count(ctrSent)
}

// unlinkUnfinished takes o out of the pending operations; false when it has already ended.
func (c *Client) unlinkUnfinished(o *op) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if o.finished {
		return false
	}
	c.unlinkLocked(o)
	return true
}

// finish ends o with out unless it has already ended.
func (c *Client) finish(o *op, out Outcome) {
	if c.unlinkUnfinished(o) {
		c.complete(o, out, time.Now())
	}
}

// describe names the operation in a failure cause (without its arguments or query, which would make
// every occurrence distinct).
func (o *op) describe() string {
	var s string
	switch o.kind {
	case kindCall:
		return "callReducer(" + o.reducer + ")"
	case kindSubscribe:
		s = "subscribe"
	case kindSingle:
		s = "subscribeSingle"
	default:
		s = "oneOffQuery"
	}
	if o.resub {
		s += " (re-subscription after a reconnect)"
	}
	return s
}

// unlinkLocked marks o finished and removes it from the correlation maps.
func (c *Client) unlinkLocked(o *op) {
	o.finished = true
	if o.conn != nil {
		if o.kind == kindOneOff {
			if c.queries[o.msgID] == o {
				delete(c.queries, o.msgID)
			}
		} else if c.pending[o.reqID] == o {
			delete(c.pending, o.reqID)
		}
	}
}

// detachLocked ends (unlinks) every pending operation sent on conn and returns them.
func (c *Client) detachLocked(conn *wsConn) []*op {
	var ops []*op
	for _, o := range c.pending {
		if o.conn == conn {
			ops = append(ops, o)
		}
	}
	for _, o := range c.queries {
		if o.conn == conn {
			ops = append(ops, o)
		}
	}
	for _, o := range ops {
		c.unlinkLocked(o)
	}
	return ops
}

// complete delivers the outcome of an operation already marked finished (fields read here are no
// longer written by anyone once finished is set).
func (c *Client) complete(o *op, out Outcome, at time.Time) {
	if o.timer != nil {
		o.timer.Stop()
	}
	if o.stopCtx != nil {
		o.stopCtx()
	}
	out.RequestID = o.reqID
	out.BytesSent = o.bytesSent
	if !o.sent.IsZero() {
		out.Latency = at.Sub(o.sent)
	} else {
		out.Latency = at.Sub(o.created)
	}
	if out.Tables == nil && o.kind == kindCall {
		out.Tables = []string{}
	}
	o.done(out)
}
