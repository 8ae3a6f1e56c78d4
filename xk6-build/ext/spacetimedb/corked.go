package spacetimedb

import (
	"net"
	"sync"
)

// corkedConn is the TCP connection under a WebSocket. While the socket's reader handles the frames
// it has already read (corked), whatever is written (a pipeline's refills, made by the reader as each
// answer arrives) is collected, and sent in one write just before the reader reads from the socket
// again: one system call for the calls that several answers freed, where one write per frame was the
// biggest cost of a pipelined call. Outside that, writes go straight through. A write that waits is
// delayed only while the reader works through frames it already holds (it never blocks on the network
// with writes held back); a failed flush fails the read, so the reader ends the connection.
type corkedConn struct {
	net.Conn

	mu     sync.Mutex
	corked bool
	held   []byte
	err    error // the failed flush: later writes fail with it
}

// maxHeldCap is the largest buffer kept for the next flush (a burst of big frames is not kept).
const maxHeldCap = 64 << 10

// Write sends p, or holds it while corked.
func (c *corkedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	if c.corked {
		c.held = append(c.held, p...)
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// Read sends what is held, then reads.
func (c *corkedConn) Read(p []byte) (int, error) {
	if err := c.uncork(); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

// cork holds the writes until the next Read (nothing on a nil corkedConn).
func (c *corkedConn) cork() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.corked = true
	c.mu.Unlock()
}

// uncork sends what is held in one write.
func (c *corkedConn) uncork() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = false
	if len(c.held) == 0 || c.err != nil {
		return c.err
	}
	_, err := c.Conn.Write(c.held)
	if cap(c.held) > maxHeldCap {
		c.held = nil
	} else {
		c.held = c.held[:0]
	}
	c.err = err
	return err
}
