package spacetimedb

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// DialEnv is how a connection is dialled: k6's dialer (hosts, blockHostnames, byte counting) and TLS
// settings when running in a VU; the net defaults when nil.
type DialEnv struct {
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	TLS  *tls.Config
}

type wsConn struct {
	ws           *websocket.Conn
	tcp          *corkedConn // under ws (and under TLS with wss)
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
}

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
		c.endOutage(time.Now(), true) // before the reader can see this socket drop
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
		if ctx.Err() == nil { // not an attempt interrupted by k6
			c.recordCause(attemptCause(err, retry))
		}
		if attempt > c.opts.MaxRetries || ctx.Err() != nil {
			return nil, ConnectResult{Attempts: attempt, ConnectTime: time.Since(start),
				Err: scrubError(fmt.Errorf("spacetimedb: could not connect to %s after %d attempt(s): %w", c.opts.URL, attempt, err), c.opts.Token)}
		}
		if c.opts.RetryDelay > 0 {
			t := time.NewTimer(c.opts.RetryDelay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return nil, ConnectResult{Attempts: attempt, ConnectTime: time.Since(start),
					Err: scrubError(fmt.Errorf("spacetimedb: connect to %s abandoned after %d attempt(s): %w", c.opts.URL, attempt, err), c.opts.Token)}
			}
		}
	}
}

func (c *Client) dialOnce(ctx context.Context, env DialEnv) (*wsConn, error) {
	dctx, cancel := context.WithTimeout(ctx, c.opts.ConnectTimeout)
	defer cancel()
	var tcp *corkedConn
	dial := env.Dial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	dialer := websocket.Dialer{
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			tcp = &corkedConn{Conn: conn}
			return tcp, nil
		},
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
			return nil, &handshakeError{status: resp.StatusCode, reason: httpReason(resp.StatusCode, body, c.opts.Token), err: err}
		}
		return nil, err
	}
	if ws.Subprotocol() != Subprotocol {
		_ = ws.Close()
		return nil, &handshakeError{err: fmt.Errorf("the server did not accept the %s subprotocol (got %q)", Subprotocol, ws.Subprotocol())}
	}
	deadline, _ := dctx.Deadline()
	_ = ws.SetReadDeadline(deadline)
	_, data, err := ws.ReadMessage()
	if err != nil {
		_ = ws.Close()
		return nil, &handshakeError{err: fmt.Errorf("no IdentityToken from the server: %w", err)}
	}
	c.count(ctrReceived)
	name, payload, err := splitVariant(data)
	if err != nil || string(name) != "IdentityToken" {
		_ = ws.Close()
		return nil, &handshakeError{err: fmt.Errorf("the first server message is not an IdentityToken: %.120s", data)}
	}
	var it identityTokenJSON
	if err := json.Unmarshal(payload, &it); err != nil {
		_ = ws.Close()
		return nil, &handshakeError{err: fmt.Errorf("bad IdentityToken: %w", err)}
	}
	_ = ws.SetReadDeadline(time.Time{})
	return &wsConn{
		ws:           ws,
		tcp:          tcp,
		identity:     identityString(it.Identity),
		connectionID: connectionIDString(it.ConnectionID),
		connIDRaw:    bytes.TrimSpace(it.ConnectionID),
		stop:         make(chan struct{}),
		readerDone:   make(chan struct{}),
	}, nil
}

// handshakeError is a dial the server answered but did not complete: an upgrade refused with an HTTP
// status (status, and the reason from the body, scrubbed), or a WebSocket without the subprotocol or
// the IdentityToken (status 0).
type handshakeError struct {
	status int
	reason string
	err    error
}

func (e *handshakeError) Error() string {
	if e.status != 0 {
		return fmt.Sprintf("WebSocket handshake refused with HTTP %d: %s", e.status, e.reason)
	}
	return e.err.Error()
}

func (e *handshakeError) Unwrap() error { return e.err }

// attemptCause is the failure class and cause text of a failed dial attempt: a handshake the server
// refused or broke (on any attempt), a first dial that failed, or else a reconnect attempt that failed.
func attemptCause(err error, reconnect bool) (causeClass, string) {
	var he *handshakeError
	switch {
	case errors.As(err, &he) && he.status != 0:
		return causeHandshake, fmt.Sprintf("HTTP %d: %s", he.status, he.reason)
	case errors.As(err, &he) || !reconnect:
		return causeHandshake, err.Error()
	default:
		return causeReconnect, err.Error()
	}
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
