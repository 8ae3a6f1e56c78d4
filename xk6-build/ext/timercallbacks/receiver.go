package timercallbacks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Limits of the receiver.
const (
	maxBody       = 1 << 20                // a callback body above 1 MiB is refused (payloads are up to 100 KB)
	flushInterval = 100 * time.Millisecond // how often arrivals are pushed and deadlines checked
	quietPeriod   = 300 * time.Millisecond // settle() returns once nothing arrived for this long (late duplicates)
	callbackPath  = "/callbacks"
)

// okAnswer is the callback contract's "done" answer (../shared/reference/timers.md, Callbacks).
var okAnswer = []byte(`{"ok":true}` + "\n")

// callbackBody is the part of a callback the receiver reads: the timer's id (the reference service
// sends {"id", "namespace", "executeAt", "payload", "attempt"}; "timerId" is accepted too).
type callbackBody struct {
	ID      string `json:"id"`
	TimerID string `json:"timerId"`
}

// receiver is the process's one callback listener: the HTTP server, the ledger and the pusher.
type receiver struct {
	ledger *ledger
	push   *pusher
	m      *callbackMetrics
	now    func() time.Time

	inFlight atomic.Int64 // requests being handled
	lastSeen atomic.Int64 // when the last request came (unix ns)

	ln   net.Listener
	srv  *http.Server
	url  string
	stop chan struct{}
	done chan struct{} // closed when the flusher has returned
	once sync.Once
}

// startReceiver listens on address and serves callbacks until close(); a background loop pushes the
// arrivals and declares the overdue callbacks lost every flushInterval.
func startReceiver(address string, l *ledger, p *pusher, m *callbackMetrics, now func() time.Time) (*receiver, error) {
	ln, err := net.Listen("tcp", address)
	if err != nil {
		return nil, err
	}
	r := &receiver{ledger: l, push: p, m: m, now: now, ln: ln, stop: make(chan struct{}), done: make(chan struct{})}
	r.url = "http://" + reachableAddr(ln.Addr().(*net.TCPAddr)) + callbackPath
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	go r.loop()
	// every counter starts at 0 in every output, so "0 lost" is a figure, not a missing metric
	at := now()
	p.add(m.total, at, 0)
	p.add(m.duplicate, at, 0)
	p.add(m.lost, at, 0)
	p.add(m.unexpected, at, 0)
	return r, nil
}

// reachableAddr is host:port of a listening address, with an unspecified IP (0.0.0.0, ::) replaced by
// the loopback address of its family: the URL must name a host that can be called.
func reachableAddr(a *net.TCPAddr) string {
	ip := a.IP
	switch {
	case ip == nil || ip.IsUnspecified() && ip.To4() != nil:
		ip = net.IPv4(127, 0, 0, 1)
	case ip.IsUnspecified():
		ip = net.IPv6loopback
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(a.Port))
}

// ServeHTTP answers one callback: POST with a JSON body naming the timer. 200 {"ok":true} for every
// readable callback (expected or not: a retry would not make an unexpected one expected); 400 for an
// unreadable one (the contract's "invalid, do not retry"); 405 for another method.
func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	at := r.now()
	r.inFlight.Add(1)
	defer func() {
		r.lastSeen.Store(time.Now().UnixNano())
		r.inFlight.Add(-1)
	}()
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "callbacks are POSTed", http.StatusMethodNotAllowed)
		return
	}
	id, err := readID(req.Body)
	if err != nil {
		r.ledger.unreadable()
		r.push.add(r.m.unexpected, at, 1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": err.Error()})
		return
	}
	switch kind, latency := r.ledger.arrive(id, at); kind {
	case arrivalReceived:
		r.push.add(r.m.latency, at, float64(latency)/float64(time.Millisecond))
		r.push.add(r.m.total, at, 1)
	case arrivalDuplicate:
		r.push.add(r.m.duplicate, at, 1)
	case arrivalUnexpected:
		r.push.add(r.m.unexpected, at, 1)
	case arrivalLate: // counted lost already: the run saw it missing at its deadline
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(okAnswer)
}

// readID reads the timer id of a callback body.
func readID(body io.Reader) (string, error) {
	raw, err := io.ReadAll(io.LimitReader(body, maxBody+1))
	if err != nil {
		return "", fmt.Errorf("reading the body: %w", err)
	}
	if len(raw) > maxBody {
		return "", errors.New("the body is over 1 MiB")
	}
	var b callbackBody
	if err := json.Unmarshal(raw, &b); err != nil {
		return "", fmt.Errorf("the body is not a JSON object: %w", err)
	}
	if b.ID != "" {
		return b.ID, nil
	}
	if b.TimerID != "" {
		return b.TimerID, nil
	}
	return "", errors.New(`the body names no timer ("id" or "timerId")`)
}

// loop pushes arrivals and lost callbacks every flushInterval until close().
func (r *receiver) loop() {
	defer close(r.done)
	tick := time.NewTicker(flushInterval)
	defer tick.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-tick.C:
			r.sweep()
		}
	}
}

// sweep declares the overdue callbacks lost and pushes everything queued.
func (r *receiver) sweep() {
	at := r.now()
	if n := r.ledger.expire(at); n > 0 {
		r.push.add(r.m.lost, at, float64(n))
	}
	r.push.flush()
}

// settle waits until no callback is pending — each arrived or passed its deadline — and the receiver
// has been quiet for quietPeriod (a duplicate sent right after its first copy is counted too), or until
// maxWait; then pushes everything and returns the counts.
func (r *receiver) settle(maxWait time.Duration) Stats {
	limit := time.NewTimer(maxWait)
	defer limit.Stop()
	for {
		r.sweep()
		st, changed := r.ledger.snapshot()
		if st.Pending == 0 && r.quiet() {
			return st
		}
		select {
		case <-limit.C:
			return st
		case <-changed:
		case <-time.After(flushInterval):
		}
	}
}

// quiet is whether no request is being handled and none came in the last quietPeriod.
func (r *receiver) quiet() bool {
	return r.inFlight.Load() == 0 && time.Since(time.Unix(0, r.lastSeen.Load())) >= quietPeriod
}

// close stops the server and the loop, counts every callback still pending as lost (the test is
// over: settle() was the time to wait for them), and pushes what is left. Safe to call twice.
func (r *receiver) close() {
	r.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = r.srv.Shutdown(ctx)
		close(r.stop)
		<-r.done
		at := r.now()
		if n := r.ledger.expireAll(); n > 0 {
			r.push.add(r.m.lost, at, float64(n))
		}
		r.push.flush()
	})
}
