package spacetimedb

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sirupsen/logrus"
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
	SubscriptionErrors  int64         // re-subscriptions after a reconnect that failed (error or timeout)
	Disconnected        time.Duration // time from a drop to the next successful reconnect (or Close, or the end of the test)
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
	ctrDisconnected // microseconds disconnected after a drop (pushed in ms)
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
		Disconnected:        time.Duration(n.n[ctrDisconnected].Swap(0)) * time.Microsecond,
	}
}

// Client is one persistent SpacetimeDB WebSocket with request/response correlation. All methods are
// safe for concurrent use; every operation's done callback is called exactly once, from any goroutine.
type Client struct {
	opts Options

	// pipelines counts the Pipeline slices running: only then does the reader hold the writes made
	// while it handles frames (corkedConn), which would otherwise delay a write from another goroutine
	pipelines atomic.Int32

	EnvFn func() DialEnv            // called on the caller's goroutine when a dial may be needed
	LogFn func() logrus.FieldLogger // where the first occurrence of a failure cause is logged (nil: nowhere)

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

	onClose func() // called once Close took the socket (the module's openClients forgets the client)

	causes    *causeRegistry // where failure causes are counted (processCauses when nil)
	downSince time.Time      // guarded by mu: when the socket dropped, while no reconnect has succeeded
	outages   *outageSet     // the VU's clients that are down now (nil outside k6)
}

// NewClient makes a Client; nothing is dialled until the first operation.
func NewClient(opts Options) *Client {
	return &Client{
		opts:    opts,
		pending: make(map[uint32]*op),
		queries: make(map[string]*op),
		ctr:     new(counters),
		causes:  processCauses,
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

// Close closes the socket with a close frame (code 1000), after stopping its pings; pending operations
// end as dropped. It ends the time counted as disconnected after a drop. The socket is released once
// the server answered the close (or after a second) in the background.
func (c *Client) Close() { c.close(false) }

// closeAndWait is Close, returning once the server answered the close frame or a second passed (the
// end of the test: the k6 process must not exit before the close handshake is done).
func (c *Client) closeAndWait() { c.close(true) }

// close does Close's work; wait: returns only once the socket is released (else that happens in the background).
func (c *Client) close(wait bool) {
	c.endOutage(time.Now(), true)
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
	onClose := c.onClose
	c.mu.Unlock()
	if onClose != nil {
		onClose()
	}
	for _, o := range ops {
		c.complete(o, Outcome{Status: StatusDropped, Err: "the client closed the connection"}, time.Now())
	}
	if conn == nil {
		return
	}
	conn.shutdown() // no ping after the close frame
	_ = conn.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
		time.Now().Add(time.Second))
	// the reader ends when the server's close frame arrives (gorilla answers nothing more: the close is done)
	release := func() {
		select {
		case <-conn.readerDone:
		case <-time.After(time.Second):
		}
		_ = conn.ws.Close()
	}
	if wait {
		release()
		return
	}
	go release()
}
