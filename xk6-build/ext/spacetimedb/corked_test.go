package spacetimedb

import (
	"errors"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingConn records each Write (one per system call on a real socket).
type recordingConn struct {
	net.Conn
	writes   []string
	writeErr error
}

func (r *recordingConn) Write(p []byte) (int, error) {
	if r.writeErr != nil {
		return 0, r.writeErr
	}
	r.writes = append(r.writes, string(p))
	return len(p), nil
}

func (r *recordingConn) Read(p []byte) (int, error) { return copy(p, "x"), nil }

func TestCorkedWritesGoOutTogetherBeforeTheNextRead(t *testing.T) {
	t.Parallel()
	raw := &recordingConn{}
	c := &corkedConn{Conn: raw}
	_, _ = c.Write([]byte("a")) // not corked: at once
	assert.Equal(t, []string{"a"}, raw.writes)
	c.cork()
	_, _ = c.Write([]byte("b"))
	_, _ = c.Write([]byte("c"))
	assert.Equal(t, []string{"a"}, raw.writes, "held while corked")
	_, err := c.Read(make([]byte, 1))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "bc"}, raw.writes, "one write before the read")
	_, _ = c.Write([]byte("d"))
	assert.Equal(t, []string{"a", "bc", "d"}, raw.writes, "uncorked by the read")
}

func TestAFailedFlushFailsTheReadAndLaterWrites(t *testing.T) {
	t.Parallel()
	raw := &recordingConn{}
	c := &corkedConn{Conn: raw}
	c.cork()
	_, _ = c.Write([]byte("b"))
	raw.writeErr = errors.New("broken pipe")
	_, err := c.Read(make([]byte, 1))
	require.ErrorContains(t, err, "broken pipe")
	_, err = c.Write([]byte("c"))
	require.ErrorContains(t, err, "broken pipe")
	var none *corkedConn
	none.cork() // a connection without one (nothing to hold)
}
