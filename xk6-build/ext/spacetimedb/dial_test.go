package spacetimedb

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConnectOffersSubprotocolAndToken(t *testing.T) {
	f := newFakeServer(t)
	c := testClient(t, f, func(o *Options) { o.Token = "secret-jwt" })
	r := connect(t, c)
	require.NoError(t, r.Err)
	assert.Equal(t, "0xc200aa", r.Identity)
	assert.Equal(t, "1001", r.ConnectionID)
	assert.False(t, r.Reused)
	assert.Equal(t, 1, r.Attempts)
	assert.True(t, c.IsOpen())

	r2 := connect(t, c)
	require.NoError(t, r2.Err)
	assert.True(t, r2.Reused)
	assert.Equal(t, "1001", r2.ConnectionID)

	f.mu.Lock()
	assert.Equal(t, []string{Subprotocol}, f.protocols)
	assert.Equal(t, []string{"Bearer secret-jwt"}, f.auth)
	f.mu.Unlock()

	n := c.TakeCounters()
	assert.Equal(t, int64(1), n.Connections)
	assert.Equal(t, int64(1), n.MessagesReceived) // the IdentityToken
	assert.Equal(t, int64(0), n.ReconnectAttempts)
}

func TestNoTokenSendsNoAuthorization(t *testing.T) {
	f := newFakeServer(t)
	c := testClient(t, f, nil)
	require.NoError(t, connect(t, c).Err)
	f.mu.Lock()
	defer f.mu.Unlock()
	assert.Equal(t, []string{""}, f.auth)
}

func TestConnectRetriesThenFails(t *testing.T) {
	f := newFakeServer(t)
	f.refuse.Store(100)
	c := testClient(t, f, func(o *Options) { o.MaxRetries = 2 })
	r := connect(t, c)
	require.Error(t, r.Err)
	assert.Contains(t, r.Err.Error(), "after 3 attempt(s)")
	assert.Contains(t, r.Err.Error(), "HTTP 503: busy")
	n := c.TakeCounters()
	assert.Equal(t, int64(3), n.ConnectionErrors)
	assert.Equal(t, int64(2), n.ReconnectAttempts)
	assert.Equal(t, int64(0), n.Connections)

	o := call(t, c, "increment") // a call that cannot connect ends as dropped
	assert.Equal(t, StatusDropped, o.Status)
	assert.Contains(t, o.Err, "could not connect")

	f.refuse.Store(1) // one more refusal, then the retry gets through
	r = connect(t, c)
	require.NoError(t, r.Err)
	assert.Equal(t, 2, r.Attempts)
}

func TestServerWithoutTheSubprotocolIsRefused(t *testing.T) {
	t.Parallel()
	plain := websocket.Upgrader{} // selects no subprotocol
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := plain.Upgrade(w, r, nil)
		if err == nil {
			defer ws.Close()
			_, _, _ = ws.ReadMessage()
		}
	}))
	t.Cleanup(srv.Close)
	o := DefaultOptions()
	o.URL = "ws" + strings.TrimPrefix(srv.URL, "http")
	o.MaxRetries = 0
	c := NewClient(o)
	r := connect(t, c)
	require.Error(t, r.Err)
	assert.Contains(t, r.Err.Error(), "did not accept the v1.json.spacetimedb subprotocol")
	assert.Contains(t, r.Err.Error(), "after 1 attempt(s)")
}

func TestPings(t *testing.T) {
	f := newFakeServer(t)
	c := testClient(t, f, func(o *Options) { o.PingInterval = 20 * time.Millisecond })
	require.NoError(t, connect(t, c).Err)
	time.Sleep(130 * time.Millisecond)
	assert.GreaterOrEqual(t, c.TakeCounters().Pings, int64(3))
}
