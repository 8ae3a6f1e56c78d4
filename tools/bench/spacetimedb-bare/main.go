// A bare pipelined SpacetimeDB client for the benchmarks (tools/bench/spacetimedb.ts): the calls the
// library's counter, batch and pipeline scenarios make, and nothing else. C WebSocket connections
// (subprotocol v1.json.spacetimedb, one identity each from POST /v1/identity), each subscribed to its
// own counter row as the library is, each keeping K `increment(<its counter>, 1)` calls in flight for
// the duration, refilling one as each TransactionUpdate arrives. Prints one JSON line:
// {"commits":N,"failed":N,"seconds":S}. Wire facts: ../../../../shared/reference/spacetimedb.md.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:3000", "the server's HTTP base URL")
	database := flag.String("database", "benchmark", "the database")
	conns := flag.Int("c", 10, "connections")
	depth := flag.Int("k", 1, "calls in flight per connection")
	duration := flag.Duration("d", 10*time.Second, "how long to keep the calls in flight")
	flag.Parse()

	var commits, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(*duration)
	errs := make(chan error, *conns)
	for i := 0; i < *conns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := run(*base, *database, fmt.Sprintf("bare-%d-%d", start.UnixNano(), i), *depth, end, &commits, &failed); err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		fmt.Fprintln(os.Stderr, "spacetimedb-bare:", err)
		os.Exit(1)
	}
	out, _ := json.Marshal(map[string]any{"commits": commits.Load(), "failed": failed.Load(), "seconds": time.Since(start).Seconds()})
	fmt.Println(string(out))
}

// run is one connection: subscribe to its counter, then keep depth calls in flight until end, then
// wait for the last answers.
func run(base, database, counter string, depth int, end time.Time, commits, failed *atomic.Int64) error {
	res, err := http.Post(base+"/v1/identity", "", nil)
	if err != nil {
		return err
	}
	var identity struct {
		Token string `json:"token"`
	}
	err = json.NewDecoder(res.Body).Decode(&identity)
	_ = res.Body.Close()
	if err != nil {
		return err
	}
	header := http.Header{"Authorization": {"Bearer " + identity.Token}}
	dialer := websocket.Dialer{Subprotocols: []string{"v1.json.spacetimedb"}}
	ws, _, err := dialer.Dial("ws"+base[len("http"):]+"/v1/database/"+database+"/subscribe", header)
	if err != nil {
		return err
	}
	defer ws.Close()
	sub := fmt.Sprintf(`{"Subscribe":{"query_strings":["SELECT * FROM counters WHERE id = '%s'"],"request_id":1}}`, counter)
	if err := ws.WriteMessage(websocket.TextMessage, []byte(sub)); err != nil {
		return err
	}
	args, _ := json.Marshal(fmt.Sprintf(`[%q,1]`, counter))
	var requestID uint32 = 1
	send := func() error {
		requestID++
		frame := `{"CallReducer":{"reducer":"increment","args":` + string(args) + `,"request_id":` + strconv.FormatUint(uint64(requestID), 10) + `,"flags":0}}`
		return ws.WriteMessage(websocket.TextMessage, []byte(frame))
	}
	inFlight := 0
	subscribed := false
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return err
		}
		switch {
		case bytes.HasPrefix(msg, []byte(`{"InitialSubscription"`)) && !subscribed:
			subscribed = true
			for ; inFlight < depth; inFlight++ {
				if err := send(); err != nil {
					return err
				}
			}
		case bytes.HasPrefix(msg, []byte(`{"TransactionUpdate"`)):
			inFlight--
			if bytes.Contains(msg, []byte(`"status":{"Committed"`)) {
				commits.Add(1)
			} else {
				failed.Add(1)
			}
			if time.Now().Before(end) {
				if err := send(); err != nil {
					return err
				}
				inFlight++
			} else if inFlight == 0 {
				_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
				return nil
			}
		}
	}
}
