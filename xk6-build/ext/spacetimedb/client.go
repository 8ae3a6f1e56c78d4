package spacetimedb

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Statuses of an Outcome.
const (
	StatusCommitted   = "committed"
	StatusFailed      = "failed"
	StatusOutOfEnergy = "out_of_energy"
	StatusOK          = "ok"
	StatusError       = "error"
	StatusTimeout     = "timeout"
	StatusDropped     = "dropped"
)

// Outcome is the answer to one operation (a reducer call, a subscription or a one-off query).
type Outcome struct {
	Status        string
	RequestID     uint32
	Latency       time.Duration
	Err           string
	Inserts       int
	Deletes       int
	Updates       int
	Tables        []string
	Rows          int
	BytesSent     int
	BytesReceived int
}

// ConnectResult is the answer to Connect.
type ConnectResult struct {
	Identity     string
	ConnectionID string
	ConnectTime  time.Duration
	Reused       bool
	Attempts     int
	Err          error
}

// Counters are a Client's event counts (Go only: in k6 they are pushed as metric samples, see metrics.go).
type Counters struct {
	MessagesSent        int64
	MessagesReceived    int64
	SubscriptionUpdates int64
	Connections         int64
	ConnectionErrors    int64
	Drops               int64
	ReconnectAttempts   int64
	Pings               int64
	UnmatchedFailures   int64
	SubscriptionErrors  int64 // re-subscriptions after a reconnect that failed (error or timeout)
}

// Indexes of the counts in counters.
const (
	ctrSent = iota
	ctrReceived
	ctrSubUpdates
	ctrConnections
	ctrConnErrors
	ctrDrops
	ctrReconnects
	ctrUnmatched
	ctrSubErrors
	ctrPings
	numCounters
)

// counters are event counts, shared by every Client of a VU in k6. A count that belongs to an
// operation is added before the operation is completed, except a frame's send, which can be counted
// just after its answer has completed it (Client.onCount is called after every count for that).
type counters struct {
	n [numCounters]atomic.Int64
}

func (n *counters) take() Counters {
	return Counters{
		MessagesSent:        n.n[ctrSent].Swap(0),
		MessagesReceived:    n.n[ctrReceived].Swap(0),
		SubscriptionUpdates: n.n[ctrSubUpdates].Swap(0),
		Connections:         n.n[ctrConnections].Swap(0),
		ConnectionErrors:    n.n[ctrConnErrors].Swap(0),
		Drops:               n.n[ctrDrops].Swap(0),
		ReconnectAttempts:   n.n[ctrReconnects].Swap(0),
		Pings:               n.n[ctrPings].Swap(0),
		UnmatchedFailures:   n.n[ctrUnmatched].Swap(0),
		SubscriptionErrors:  n.n[ctrSubErrors].Swap(0),
	}
}

// DialEnv is how a connection is dialled: k6's dialer (hosts, blockHostnames, byte counting) and TLS
// settings when running in a VU; the net defaults when nil.
type DialEnv struct {
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	TLS  *tls.Config
}

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
	resub   bool // a re-subscription after a reconnect: no JS promise waits for it

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

type wsConn struct {
	ws           *websocket.Conn
	identity     string
	connectionID string
	connIDRaw    []byte

	writeMu sync.Mutex
	buf     []byte // frame scratch, guarded by writeMu

	closedByUs atomic.Bool
	dead       bool // guarded by Client.mu
	stop       chan struct{}
	stopOnce   sync.Once
	readerDone chan struct{}
}

func (w *wsConn) shutdown() {
	w.stopOnce.Do(func() { close(w.stop) })
}

type dialing struct {
	done chan struct{}
	conn *wsConn
	res  ConnectResult
	err  error
}

// Client is one persistent SpacetimeDB WebSocket with request/response correlation. All methods are
// safe for concurrent use; every operation's done callback is called exactly once, from any goroutine.
type Client struct {
	opts  Options
	EnvFn func() DialEnv // called on the caller's goroutine when a dial may be needed

	mu           sync.Mutex
	conn         *wsConn
	dial         *dialing
	dialedBefore bool
	pending      map[uint32]*op
	queries      map[string]*op
	reqID        uint32
	queryID      uint32
	msgSeq       uint64

	// The subscriptions re-sent after every (re)dial, so that the server keeps putting the rows they
	// match into this client's TransactionUpdates: the query list of the latest successful legacy
	// Subscribe (each one replaces the previous set) and every successful SubscribeSingle query.
	legacySubs []string
	singleSubs []string

	ctr     *counters
	onCount func() // called after every count but pings (set before the first operation)
}

// NewClient makes a Client; nothing is dialled until the first operation.
func NewClient(opts Options) *Client {
	return &Client{
		opts:    opts,
		pending: make(map[uint32]*op),
		queries: make(map[string]*op),
		ctr:     new(counters),
	}
}

// count adds one to counter i, then tells onCount.
func (c *Client) count(i int) {
	c.ctr.n[i].Add(1)
	if c.onCount != nil && i != ctrPings {
		c.onCount()
	}
}

func (c *Client) env() DialEnv {
	if c.EnvFn == nil {
		return DialEnv{}
	}
	return c.EnvFn()
}

// IsOpen tells whether a socket is open now.
func (c *Client) IsOpen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn != nil
}

// TakeCounters returns the counts since the previous call and resets them.
func (c *Client) TakeCounters() Counters { return c.ctr.take() }

// Connect opens the socket (or reuses the open one) and calls done once it has the IdentityToken or
// has given up after MaxRetries.
func (c *Client) Connect(ctx context.Context, done func(ConnectResult)) {
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	if conn != nil {
		done(ConnectResult{Identity: conn.identity, ConnectionID: conn.connectionID, Reused: true})
		return
	}
	env := c.env()
	go func() {
		_, res := c.ensureConn(ctx, env)
		done(res)
	}()
}

// CallReducer sends a CallReducer and calls done with its TransactionUpdate's outcome.
func (c *Client) CallReducer(ctx context.Context, reducer, args string, flags uint8, done func(Outcome)) {
	c.start(ctx, &op{kind: kindCall, reducer: reducer, args: args, flags: flags, done: done})
}

// Subscribe sends a legacy Subscribe and calls done with its InitialSubscription's outcome.
// Once answered 'ok', its queries are re-sent after every reconnect (replacing the previous Subscribe's,
// as on the server), until Close.
func (c *Client) Subscribe(ctx context.Context, queries []string, done func(Outcome)) {
	c.start(ctx, &op{kind: kindSubscribe, queries: append([]string(nil), queries...), done: done})
}

// SubscribeSingle sends a SubscribeSingle with a fresh query id. Once answered 'ok', the query is re-sent
// (with a new query id) after every reconnect, until Close.
func (c *Client) SubscribeSingle(ctx context.Context, query string, done func(Outcome)) {
	c.start(ctx, &op{kind: kindSingle, query: query, done: done})
}

// OneOffQuery sends a OneOffQuery with a fresh message id.
func (c *Client) OneOffQuery(ctx context.Context, query string, done func(Outcome)) {
	c.start(ctx, &op{kind: kindOneOff, query: query, done: done})
}

// Close closes the socket with code 1000; pending operations end as dropped.
func (c *Client) Close() {
	c.mu.Lock()
	c.legacySubs, c.singleSubs = nil, nil // a closed session's subscriptions are not re-sent
	conn := c.conn
	var ops []*op
	if conn != nil {
		c.conn = nil
		conn.dead = true
		conn.closedByUs.Store(true)
		ops = c.detachLocked(conn)
	}
	c.mu.Unlock()
	for _, o := range ops {
		c.complete(o, Outcome{Status: StatusDropped, Err: "the client closed the connection"}, time.Now())
	}
	if conn == nil {
		return
	}
	_ = conn.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
		time.Now().Add(time.Second))
	go func() {
		select {
		case <-conn.readerDone:
		case <-time.After(time.Second):
		}
		_ = conn.ws.Close()
	}()
}

// ---- operations ----

func (c *Client) start(ctx context.Context, o *op) {
	o.created = time.Now()
	c.mu.Lock()
	// The request timer starts when the frame is written (send): while connecting, an operation is
	// bounded by the connect attempts (it ends 'dropped' with the connect error) and by ctx.
	if ctx != nil && ctx.Done() != nil {
		o.stopCtx = context.AfterFunc(ctx, func() {
			c.finish(o, Outcome{Status: StatusDropped, Err: "abandoned: the k6 iteration was interrupted"})
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
	if o.finished || conn.dead {
		finished := o.finished
		c.mu.Unlock()
		conn.writeMu.Unlock()
		if !finished {
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
		c.finish(o, Outcome{Status: StatusTimeout,
			Err: fmt.Sprintf("no answer within %v (requestTimeoutMs)", c.opts.RequestTimeout)})
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

// finish ends o with out unless it has already ended.
func (c *Client) finish(o *op, out Outcome) {
	c.mu.Lock()
	if o.finished {
		c.mu.Unlock()
		return
	}
	c.unlinkLocked(o)
	c.mu.Unlock()
	c.complete(o, out, time.Now())
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

// ---- connection ----

func (c *Client) ensureConn(ctx context.Context, env DialEnv) (*wsConn, ConnectResult) {
	c.mu.Lock()
	if conn := c.conn; conn != nil {
		c.mu.Unlock()
		return conn, ConnectResult{Identity: conn.identity, ConnectionID: conn.connectionID, Reused: true}
	}
	if d := c.dial; d != nil {
		c.mu.Unlock()
		select {
		case <-d.done:
			return d.conn, d.res
		case <-ctx.Done():
			return nil, ConnectResult{Err: fmt.Errorf("spacetimedb: connect to %s abandoned: %w", c.opts.URL, ctx.Err())}
		}
	}
	d := &dialing{done: make(chan struct{})}
	c.dial = d
	c.mu.Unlock()

	d.conn, d.res = c.dialWithRetries(ctx, env)
	if d.conn != nil {
		go c.readLoop(d.conn)
		// Operations waiting for this dial (d.done) or arriving meanwhile (c.dial is still set) are
		// sent after the re-subscriptions, so the first call on the new socket already gets its rows.
		c.resubscribe(d.conn)
	}
	c.mu.Lock()
	c.dial = nil
	if d.conn != nil {
		if d.conn.dead {
			d.conn, d.res = nil, ConnectResult{Attempts: d.res.Attempts, ConnectTime: d.res.ConnectTime,
				Err: fmt.Errorf("spacetimedb: the connection to %s was lost right after it was opened", c.opts.URL)}
		} else {
			c.conn = d.conn
		}
	}
	c.mu.Unlock()
	if d.conn != nil && c.opts.PingInterval > 0 {
		go c.pingLoop(d.conn)
	}
	close(d.done)
	return d.conn, d.res
}

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

func (c *Client) dialWithRetries(ctx context.Context, env DialEnv) (*wsConn, ConnectResult) {
	start := time.Now()
	for attempt := 1; ; attempt++ {
		c.mu.Lock()
		retry := c.dialedBefore
		c.dialedBefore = true
		c.mu.Unlock()
		if retry {
			c.count(ctrReconnects)
		}
		conn, err := c.dialOnce(ctx, env)
		if err == nil {
			c.count(ctrConnections)
			return conn, ConnectResult{Identity: conn.identity, ConnectionID: conn.connectionID,
				ConnectTime: time.Since(start), Attempts: attempt}
		}
		c.count(ctrConnErrors)
		if attempt > c.opts.MaxRetries || ctx.Err() != nil {
			return nil, ConnectResult{Attempts: attempt, ConnectTime: time.Since(start),
				Err: fmt.Errorf("spacetimedb: could not connect to %s after %d attempt(s): %w", c.opts.URL, attempt, err)}
		}
		if c.opts.RetryDelay > 0 {
			t := time.NewTimer(c.opts.RetryDelay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return nil, ConnectResult{Attempts: attempt, ConnectTime: time.Since(start),
					Err: fmt.Errorf("spacetimedb: connect to %s abandoned after %d attempt(s): %w", c.opts.URL, attempt, err)}
			}
		}
	}
}

func (c *Client) dialOnce(ctx context.Context, env DialEnv) (*wsConn, error) {
	dctx, cancel := context.WithTimeout(ctx, c.opts.ConnectTimeout)
	defer cancel()
	dialer := websocket.Dialer{
		NetDialContext:   env.Dial,
		TLSClientConfig:  env.TLS,
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: c.opts.ConnectTimeout,
		Subprotocols:     []string{Subprotocol},
		ReadBufferSize:   16 << 10,
		WriteBufferSize:  16 << 10,
	}
	header := http.Header{}
	if c.opts.Token != "" {
		header.Set("Authorization", "Bearer "+c.opts.Token)
	}
	ws, resp, err := dialer.DialContext(dctx, c.opts.URL, header)
	if err != nil {
		if resp != nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			_ = resp.Body.Close()
			msg := strings.TrimSpace(string(body))
			if msg == "" {
				msg = http.StatusText(resp.StatusCode)
			}
			return nil, fmt.Errorf("WebSocket handshake refused with HTTP %d: %s", resp.StatusCode, msg)
		}
		return nil, err
	}
	if ws.Subprotocol() != Subprotocol {
		_ = ws.Close()
		return nil, fmt.Errorf("the server did not accept the %s subprotocol (got %q)", Subprotocol, ws.Subprotocol())
	}
	deadline, _ := dctx.Deadline()
	_ = ws.SetReadDeadline(deadline)
	_, data, err := ws.ReadMessage()
	if err != nil {
		_ = ws.Close()
		return nil, fmt.Errorf("no IdentityToken from the server: %w", err)
	}
	c.count(ctrReceived)
	name, payload, err := splitVariant(data)
	if err != nil || string(name) != "IdentityToken" {
		_ = ws.Close()
		return nil, fmt.Errorf("the first server message is not an IdentityToken: %.120s", data)
	}
	var it identityTokenJSON
	if err := json.Unmarshal(payload, &it); err != nil {
		_ = ws.Close()
		return nil, fmt.Errorf("bad IdentityToken: %w", err)
	}
	_ = ws.SetReadDeadline(time.Time{})
	return &wsConn{
		ws:           ws,
		identity:     identityString(it.Identity),
		connectionID: connectionIDString(it.ConnectionID),
		connIDRaw:    bytes.TrimSpace(it.ConnectionID),
		stop:         make(chan struct{}),
		readerDone:   make(chan struct{}),
	}, nil
}

func (c *Client) pingLoop(conn *wsConn) {
	t := time.NewTicker(c.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-conn.stop:
			return
		case <-t.C:
			if err := conn.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.opts.ConnectTimeout)); err != nil {
				_ = conn.ws.Close()
				return
			}
			c.count(ctrPings)
		}
	}
}

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
			c.handle(conn, buf.Bytes(), time.Now())
		}
	}
}

func (c *Client) onDrop(conn *wsConn, err error) {
	conn.shutdown()
	_ = conn.ws.Close()
	c.mu.Lock()
	conn.dead = true
	if c.conn == conn {
		c.conn = nil
	}
	ops := c.detachLocked(conn)
	c.mu.Unlock()
	reason := "the client closed the connection"
	if !conn.closedByUs.Load() {
		c.count(ctrDrops)
		reason = describeDrop(err)
	}
	now := time.Now()
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

// ---- incoming messages ----

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
	c.complete(o, out, at)
}
