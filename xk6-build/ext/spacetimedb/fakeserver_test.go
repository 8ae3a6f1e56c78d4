package spacetimedb

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeServer speaks just enough of v1.json.spacetimedb for the client tests. The reducer name picks
// the behaviour: increment (1 delete + 1 insert), insert (2 inserts), fail, energy, silent (no answer),
// late (answers after lateDelay), drop (TCP reset), close1011, unknown (Failed, request_id 0),
// crowded (someone else's update with the same request id and a light update first, then the answer).
type fakeServer struct {
	t   *testing.T
	srv *httptest.Server

	lateDelay time.Duration
	shuffle   bool // answer increments from goroutines, so out of order

	mu           sync.Mutex
	protocols    []string
	auth         []string
	frames       []string
	connFrames   map[int64][]string // the frames received, by connection id
	connections  atomic.Int64
	refuse       atomic.Int64 // refuse this many upgrades with HTTP 503 first
	refusal      atomic.Pointer[fakeRefusal]
	nextConnID   atomic.Int64
	closeAll     []*websocket.Conn
	senders      []func(string)
	ignoreFrames atomic.Bool
	closeCodes   []int // the close frames' codes the clients sent

	// rowsNeedSubscription: like SpacetimeDB, a caller's committed update carries only the rows its
	// connection's subscriptions match (here: no rows at all on a connection without one).
	rowsNeedSubscription atomic.Bool
	// failSubscriptions: every Subscribe / SubscribeSingle is refused.
	failSubscriptions atomic.Bool
}

// fakeRefusal answers every upgrade with an HTTP status and a body made from the request (so that a
// test can echo its headers, as some hosts and proxies do), e.g. SpacetimeDB's 401 with the reason.
type fakeRefusal struct {
	status int
	body   func(r *http.Request) string
}

// newFakeServer starts a fake SpacetimeDB host for the test and marks the test parallel (every
// fake-server test can run alongside the others).
func newFakeServer(t *testing.T) *fakeServer {
	t.Parallel()
	f := &fakeServer{t: t, lateDelay: 300 * time.Millisecond}
	f.nextConnID.Store(1000)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.close)
	return f
}

func (f *fakeServer) url() string {
	return "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/v1/database/bench/subscribe"
}

func (f *fakeServer) close() {
	f.mu.Lock()
	for _, c := range f.closeAll {
		_ = c.Close()
	}
	f.mu.Unlock()
	f.srv.CloseClientConnections()
	f.srv.Close()
}

// broadcast sends s on every connection the server has accepted (unsolicited messages).
func (f *fakeServer) broadcast(s string) {
	f.mu.Lock()
	senders := append([]func(string){}, f.senders...)
	f.mu.Unlock()
	for _, send := range senders {
		send(s)
	}
}

// dropAll resets every connection (no close frame).
func (f *fakeServer) dropAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.closeAll {
		_ = c.UnderlyingConn().Close()
	}
}

// closesReceived are the codes of the close frames the clients sent, in order.
func (f *fakeServer) closesReceived() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.closeCodes...)
}

func (f *fakeServer) received() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.frames...)
}

// framesOn returns the frames received on the connection with id connID (the first is 1001).
func (f *fakeServer) framesOn(connID int64) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.connFrames[connID]...)
}

var upgrader = websocket.Upgrader{Subprotocols: []string{Subprotocol}}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.protocols = append(f.protocols, r.Header.Get("Sec-WebSocket-Protocol"))
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	if f.refuse.Load() > 0 {
		f.refuse.Add(-1)
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	if rf := f.refusal.Load(); rf != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(rf.status)
		_, _ = w.Write([]byte(rf.body(r)))
		return
	}
	if !strings.Contains(r.Header.Get("Sec-WebSocket-Protocol"), Subprotocol) {
		http.Error(w, "no valid protocol selected", http.StatusBadRequest)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	f.connections.Add(1)
	f.mu.Lock()
	f.closeAll = append(f.closeAll, ws)
	f.mu.Unlock()
	connID := f.nextConnID.Add(1)
	var wmu sync.Mutex
	send := func(s string) {
		wmu.Lock()
		defer wmu.Unlock()
		_ = ws.WriteMessage(websocket.TextMessage, []byte(s))
	}
	f.mu.Lock()
	f.senders = append(f.senders, send)
	f.mu.Unlock()
	send(fmt.Sprintf(`{"IdentityToken":{"identity":{"__identity__":"0xc200aa"},"token":"tok","connection_id":{"__connection_id__":%d}}}`, connID))
	subscribed := false
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				f.mu.Lock()
				f.closeCodes = append(f.closeCodes, ce.Code)
				f.mu.Unlock()
			}
			return
		}
		f.mu.Lock()
		f.frames = append(f.frames, string(data))
		if f.connFrames == nil {
			f.connFrames = map[int64][]string{}
		}
		f.connFrames[connID] = append(f.connFrames[connID], string(data))
		f.mu.Unlock()
		if f.ignoreFrames.Load() {
			continue
		}
		var msg map[string]json.RawMessage
		if json.Unmarshal(data, &msg) != nil {
			_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1011, "bad json"), time.Now().Add(time.Second))
			return
		}
		switch {
		case msg["CallReducer"] != nil:
			var cr struct {
				Reducer   string `json:"reducer"`
				Args      string `json:"args"`
				RequestID uint32 `json:"request_id"`
				Flags     int    `json:"flags"`
			}
			_ = json.Unmarshal(msg["CallReducer"], &cr)
			if f.rowsNeedSubscription.Load() && !subscribed && cr.Reducer == "increment" {
				send(fakeTx(connID, `{"Committed":{"tables":[]}}`, cr.Reducer, cr.RequestID))
				continue
			}
			if !f.callReducer(ws, send, connID, cr.Reducer, cr.RequestID) {
				return
			}
		case msg["Subscribe"] != nil:
			var s struct {
				Queries   []string `json:"query_strings"`
				RequestID uint32   `json:"request_id"`
			}
			_ = json.Unmarshal(msg["Subscribe"], &s)
			if strings.Contains(strings.Join(s.Queries, ";"), "nope") || f.failSubscriptions.Load() {
				send(fakeTx(connID, `{"Failed":"no such table: nope"}`, "", 0))
				continue
			}
			subscribed = true
			send(fmt.Sprintf(`{"InitialSubscription":{"database_update":{"tables":[{"table_id":1,"table_name":"counters","num_rows":3,"updates":[{"deletes":[],"inserts":["{\"id\":\"a\"}","{\"id\":\"b\"}","{\"id\":\"c, ]\"}"]}]}]},"request_id":%d,"total_host_execution_duration":{"__time_duration_micros__":5}}}`, s.RequestID))
		case msg["SubscribeSingle"] != nil:
			var s struct {
				Query     string `json:"query"`
				RequestID uint32 `json:"request_id"`
				QueryID   struct {
					ID uint32 `json:"id"`
				} `json:"query_id"`
			}
			_ = json.Unmarshal(msg["SubscribeSingle"], &s)
			if strings.Contains(s.Query, "nope") || f.failSubscriptions.Load() {
				send(fmt.Sprintf(`{"SubscriptionError":{"total_host_execution_duration_micros":3,"request_id":{"some":%d},"query_id":{"some":%d},"table_id":{"none":[]},"error":"no such table: nope"}}`, s.RequestID, s.QueryID.ID))
				continue
			}
			subscribed = true
			send(fmt.Sprintf(`{"SubscribeApplied":{"request_id":%d,"total_host_execution_duration_micros":3,"query_id":{"id":%d},"rows":{"table_id":1,"table_name":"counters","table_rows":{"deletes":[],"inserts":["{}","{}"]}}}}`, s.RequestID, s.QueryID.ID))
		case msg["OneOffQuery"] != nil:
			var q struct {
				MessageID string `json:"message_id"`
				Query     string `json:"query_string"`
			}
			_ = json.Unmarshal(msg["OneOffQuery"], &q)
			id := strings.ToUpper(q.MessageID)
			if strings.Contains(q.Query, "nope") {
				send(fmt.Sprintf(`{"OneOffQueryResponse":{"message_id":%q,"error":{"some":"no such table"},"tables":[],"total_host_execution_duration":{"__time_duration_micros__":1}}}`, id))
				continue
			}
			send(fmt.Sprintf(`{"OneOffQueryResponse":{"message_id":%q,"error":{"none":[]},"tables":[{"table_name":"counters","rows":["[1]","[2]","[3]"]},{"table_name":"x","rows":["[4]"]}],"total_host_execution_duration":{"__time_duration_micros__":1}}}`, id))
		}
	}
}

func fakeTx(connID int64, status, reducer string, requestID uint32) string {
	return fmt.Sprintf(`{"TransactionUpdate":{"status":%s,"timestamp":{"__timestamp_micros_since_unix_epoch__":1},"caller_identity":{"__identity__":"0xc200aa"},"caller_connection_id":{"__connection_id__":%d},"reducer_call":{"reducer_name":%q,"reducer_id":1,"args":"[]","request_id":%d},"energy_quanta_used":{"quanta":1},"total_host_execution_duration":{"__time_duration_micros__":1}}}`,
		status, connID, reducer, requestID)
}

const incrementStatus = `{"Committed":{"tables":[{"table_id":1,"table_name":"counters","num_rows":2,"updates":[{"deletes":["[\"c1\",1]"],"inserts":["[\"c1\",2]"]}]}]}}`

func (f *fakeServer) callReducer(ws *websocket.Conn, send func(string), connID int64, reducer string, id uint32) bool {
	switch reducer {
	case "increment":
		if f.shuffle {
			go func() {
				time.Sleep(time.Duration(id%7) * time.Millisecond)
				send(fakeTx(connID, incrementStatus, reducer, id))
			}()
		} else {
			send(fakeTx(connID, incrementStatus, reducer, id))
		}
	case "insert":
		send(fakeTx(connID, `{"Committed":{"tables":[{"table_id":2,"table_name":"messages","num_rows":2,"updates":[{"deletes":[],"inserts":["[1]","[2]"]}]},{"table_id":3,"table_name":"log","num_rows":1,"updates":[{"deletes":[],"inserts":["[3]"]}]}]}}`, reducer, id))
	case "fail":
		send(fakeTx(connID, `{"Failed":"The reducer panicked: boom"}`, reducer, id))
	case "energy":
		send(fakeTx(connID, `{"OutOfEnergy":[]}`, reducer, id))
	case "silent":
	case "late":
		go func() {
			time.Sleep(f.lateDelay)
			send(fakeTx(connID, incrementStatus, reducer, id))
		}()
	case "drop":
		_ = ws.UnderlyingConn().Close()
		return false
	case "close1011":
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1011, "invalid message"), time.Now().Add(time.Second))
		return false
	case "unknown":
		send(fakeTx(connID, `{"Failed":"no such reducer"}`, reducer, 0))
	case "crowded":
		send(fakeTx(connID+1, incrementStatus, "increment", id)) // another caller, same request id
		send(`{"TransactionUpdateLight":{"request_id":9,"update":{"tables":[]}}}`)
		send(fakeTx(connID, `{"Committed":{"tables":[]}}`, reducer, id))
	}
	return true
}
