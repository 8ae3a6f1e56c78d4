package spacetimedb

import (
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// At the end of the test every client still open is closed with a close frame (1000), and waited
// for; one the script closed itself is not kept.
func TestOpenClientsCloseEverySocketWithACloseFrame(t *testing.T) {
	f := newFakeServer(t)
	open := newOpenClients()
	clients := []*Client{testClient(t, f, nil), testClient(t, f, nil), testClient(t, f, nil)}
	for _, c := range clients {
		open.add(c)
		require.NoError(t, connect(t, c).Err)
	}
	clients[2].Close() // the script's own close (websocketStress's churn)
	assert.Equal(t, 2, open.closeAll())
	for _, c := range clients {
		assert.False(t, c.IsOpen())
	}
	assert.Eventually(t, func() bool { return len(f.closesReceived()) == 3 }, 2*time.Second, 10*time.Millisecond)
	assert.Equal(t, []int{websocket.CloseNormalClosure, websocket.CloseNormalClosure, websocket.CloseNormalClosure}, f.closesReceived())
	assert.Equal(t, 0, open.closeAll(), "nothing is left open")
}
