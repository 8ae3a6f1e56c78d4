package spacetimedb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

func (c *Client) readLoop(conn *wsConn) {
	defer close(conn.readerDone)
	var buf bytes.Buffer
	for {
		mt, r, err := conn.ws.NextReader()
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		if err != nil {
			c.onDrop(conn, err)
			return
		}
		c.count(ctrReceived)
		if mt == websocket.TextMessage {
			// a pipeline's refills, made here as its answers arrive, are sent together once the frames
			// already read are handled
			if c.pipelines.Load() > 0 {
				conn.tcp.cork()
			}
			c.handle(conn, buf.Bytes(), time.Now())
		}
	}
}

func (c *Client) onDrop(conn *wsConn, err error) {
	conn.shutdown()
	_ = conn.ws.Close()
	now := time.Now()
	c.mu.Lock()
	conn.dead = true
	if c.conn == conn {
		c.conn = nil
	}
	ops := c.detachLocked(conn)
	dropped := !conn.closedByUs.Load()
	if dropped {
		c.wentDownLocked(now)
	}
	c.mu.Unlock()
	reason := "the client closed the connection"
	if dropped {
		c.count(ctrDrops)
		reason = describeDrop(err)
		c.recordCause(causeDrop, reason)
	}
	for _, o := range ops {
		c.complete(o, Outcome{Status: StatusDropped, Err: reason}, now)
	}
}

func describeDrop(err error) string {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		if ce.Code == websocket.CloseAbnormalClosure {
			return "the connection was lost without a close frame (1006: " + ce.Text + ")"
		}
		if ce.Text != "" {
			return fmt.Sprintf("the server closed the connection (%d: %s)", ce.Code, ce.Text)
		}
		return fmt.Sprintf("the server closed the connection (%d)", ce.Code)
	}
	return "the connection was lost: " + err.Error()
}

func (c *Client) handle(conn *wsConn, data []byte, at time.Time) {
	name, payload, err := splitVariant(data)
	if err != nil {
		return
	}
	switch string(name) {
	case "TransactionUpdateLight":
		c.count(ctrSubUpdates)
	case "TransactionUpdate":
		c.onTransactionUpdate(conn, payload, len(data), at)
	case "InitialSubscription":
		var m initialSubscriptionJSON
		if json.Unmarshal(payload, &m) != nil {
			return
		}
		c.resolve(conn, m.RequestID, kindSubscribe, at,
			Outcome{Status: StatusOK, Rows: m.DatabaseUpdate.insertCount(), BytesReceived: len(data)})
	case "SubscribeApplied":
		var m subscribeAppliedJSON
		if json.Unmarshal(payload, &m) != nil {
			return
		}
		c.resolve(conn, m.RequestID, kindSingle, at,
			Outcome{Status: StatusOK, Rows: int(m.Rows.TableRows.Inserts), BytesReceived: len(data)})
	case "SubscriptionError":
		var m subscriptionErrorJSON
		if json.Unmarshal(payload, &m) != nil || !m.RequestID.Set {
			return
		}
		c.resolve(conn, m.RequestID.Value, kindSingle, at,
			Outcome{Status: StatusError, Err: m.Error, BytesReceived: len(data)})
	case "OneOffQueryResponse":
		var m oneOffQueryResponseJSON
		if json.Unmarshal(payload, &m) != nil {
			return
		}
		out := Outcome{Status: StatusOK, BytesReceived: len(data)}
		if m.Error.Set {
			out.Status, out.Err = StatusError, m.Error.Value
		} else {
			for _, t := range m.Tables {
				out.Rows += int(t.Rows)
			}
		}
		key := strings.ToLower(m.MessageID)
		c.mu.Lock()
		o := c.queries[key]
		if o == nil || o.conn != conn {
			c.mu.Unlock()
			return
		}
		c.unlinkLocked(o)
		c.mu.Unlock()
		c.complete(o, out, at)
	}
}

func (c *Client) resolve(conn *wsConn, reqID uint32, kind opKind, at time.Time, out Outcome) {
	c.mu.Lock()
	o := c.pending[reqID]
	if o == nil || o.conn != conn || o.kind != kind {
		c.mu.Unlock()
		return
	}
	c.unlinkLocked(o)
	if out.Status == StatusOK {
		c.rememberLocked(o)
	}
	c.mu.Unlock()
	c.complete(o, out, at)
}

func (c *Client) onTransactionUpdate(conn *wsConn, payload []byte, size int, at time.Time) {
	m, err := decodeTransactionUpdate(payload)
	if err != nil {
		return
	}
	if !bytes.Equal(m.connID, conn.connIDRaw) {
		c.count(ctrSubUpdates) // someone else's transaction, seen through a subscription
		return
	}
	reqID := m.requestID
	c.mu.Lock()
	var o *op
	if reqID != 0 {
		o = c.pending[reqID]
	} else if m.failed && m.noReducer {
		// A legacy Subscribe with a bad query is refused with a Failed update that has no request id:
		// give it to the oldest pending legacy Subscribe on this connection.
		for _, p := range c.pending {
			if p.kind == kindSubscribe && p.conn == conn && (o == nil || p.sent.Before(o.sent)) {
				o = p
			}
		}
	}
	if o == nil || o.conn != conn || (o.kind != kindCall && !(o.kind == kindSubscribe && m.failed)) {
		c.mu.Unlock()
		if reqID == 0 && m.failed {
			c.count(ctrUnmatched)
			if !m.noReducer {
				c.recordCause(causeCall, m.failMessage+" (no request id: matched to no call)")
			}
		}
		return
	}
	c.unlinkLocked(o)
	c.mu.Unlock()

	out := Outcome{BytesReceived: size}
	switch {
	case o.kind == kindSubscribe:
		out.Status, out.Err = StatusError, m.failMessage
	case m.committed:
		out.Status, out.Inserts, out.Deletes, out.Updates, out.Tables =
			StatusCommitted, m.stats.inserts, m.stats.deletes, m.stats.updates, m.stats.tables
	case m.failed:
		out.Status, out.Err = StatusFailed, m.failMessage
	case m.outOfEnergy:
		out.Status, out.Err = StatusOutOfEnergy, "out of energy"
	default:
		out.Status, out.Err = StatusFailed, "unrecognised transaction status"
	}
	if o.kind == kindCall && out.Status != StatusCommitted {
		c.recordCause(causeCall, o.reducer+": "+out.Err)
	}
	c.complete(o, out, at)
}
