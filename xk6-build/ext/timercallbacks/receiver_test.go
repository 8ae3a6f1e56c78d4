package timercallbacks

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.k6.io/k6/v2/metrics"
)

// testReceiver is a receiver on 127.0.0.1:0 whose samples land in a buffered channel.
func testReceiver(t *testing.T, grace time.Duration) (*receiver, chan metrics.SampleContainer) {
	t.Helper()
	m, err := registerMetrics(metrics.NewRegistry())
	require.NoError(t, err)
	samples := make(chan metrics.SampleContainer, 10000)
	r, err := startReceiver("127.0.0.1:0", newLedger(grace), &pusher{samples: samples}, m, time.Now)
	require.NoError(t, err)
	t.Cleanup(r.close)
	return r, samples
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// sums adds up the pushed samples by metric name; latencies collects the latency trend's values.
func sums(samples chan metrics.SampleContainer) (map[string]float64, []float64) {
	out := map[string]float64{}
	var latencies []float64
	for {
		select {
		case c := <-samples:
			for _, s := range c.GetSamples() {
				out[s.Metric.Name] += s.Value
				if s.Metric.Name == metricLatency {
					latencies = append(latencies, s.Value)
				}
			}
		default:
			return out, latencies
		}
	}
}

func TestReceiverAnswersPerContractAndCountsArrivals(t *testing.T) {
	r, samples := testReceiver(t, time.Minute)
	assert.True(t, strings.HasPrefix(r.url, "http://127.0.0.1:"), r.url)
	due := time.Now().Add(-50 * time.Millisecond)
	r.ledger.expect("t1", due)
	r.ledger.expect("t2", due)

	status, body := post(t, r.url, `{"id":"t1","namespace":"k6","executeAt":"x","payload":{"a":1},"attempt":1}`)
	assert.Equal(t, 200, status)
	assert.JSONEq(t, `{"ok":true}`, body)
	status, _ = post(t, r.url, `{"id":"t1","attempt":1}`)
	assert.Equal(t, 200, status, "a duplicate is answered ok: the service must not retry it")
	status, _ = post(t, r.url, `{"timerId":"t2"}`)
	assert.Equal(t, 200, status)
	status, _ = post(t, r.url, `{"id":"someone-else"}`)
	assert.Equal(t, 200, status)
	status, body = post(t, r.url, `not json`)
	assert.Equal(t, 400, status, "unreadable: the contract's 'invalid, do not retry'")
	assert.Contains(t, body, "not a JSON object")
	status, _ = post(t, r.url, `{"payload":1}`)
	assert.Equal(t, 400, status)
	res, err := http.Get(r.url)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 405, res.StatusCode)

	st := r.settle(time.Second)
	assert.Equal(t, Stats{Expected: 2, Received: 2, Duplicate: 1, Unexpected: 3}, st)
	got, latencies := sums(samples)
	assert.Equal(t, map[string]float64{metricTotal: 2, metricDuplicate: 1, metricLost: 0, metricUnexpected: 3, metricLatency: got[metricLatency]}, got)
	require.Len(t, latencies, 2)
	for _, ms := range latencies {
		assert.GreaterOrEqual(t, ms, 50.0, "latency = arrival − due time")
		assert.Less(t, ms, 5000.0)
	}
}

func TestReceiverSettleWaitsForPendingThenCountsTheRestLost(t *testing.T) {
	r, samples := testReceiver(t, 300*time.Millisecond)
	now := time.Now()
	r.ledger.expect("comes", now)
	r.ledger.expect("never", now)
	go func() {
		time.Sleep(100 * time.Millisecond)
		post(t, r.url, `{"id":"comes"}`)
	}()
	start := time.Now()
	st := r.settle(10 * time.Second)
	waited := time.Since(start)
	assert.Equal(t, Stats{Expected: 2, Received: 1, Lost: 1}, st)
	assert.GreaterOrEqual(t, waited, 250*time.Millisecond, "settle waits for the deadline of the missing one")
	assert.Less(t, waited, 3*time.Second)
	got, _ := sums(samples)
	assert.Equal(t, 1.0, got[metricLost])
	assert.Equal(t, 1.0, got[metricTotal])
}

func TestReceiverSettleIsBoundedAndCloseCountsThePendingLost(t *testing.T) {
	r, samples := testReceiver(t, time.Hour)
	r.ledger.expect("slow", time.Now())
	start := time.Now()
	st := r.settle(200 * time.Millisecond)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Equal(t, int64(1), st.Pending)
	r.close()
	r.close() // twice is harmless
	st, _ = r.ledger.snapshot()
	assert.Equal(t, Stats{Expected: 1, Lost: 1}, st)
	got, _ := sums(samples)
	assert.Equal(t, 1.0, got[metricLost])
	_, err := net.DialTimeout("tcp", r.ln.Addr().String(), 200*time.Millisecond)
	assert.Error(t, err, "closed: nothing listens any more")
}

func TestReceiverAbsorbsConcurrentCallbacksWithoutLosingOne(t *testing.T) {
	r, samples := testReceiver(t, time.Minute)
	const n = 2000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("c%d", i)
		r.ledger.expect(ids[i], time.Now())
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	var wg sync.WaitGroup
	work := make(chan string)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				res, err := client.Post(r.url, "application/json", bytes.NewReader([]byte(`{"id":"`+id+`"}`)))
				if assert.NoError(t, err) {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
			}
		}()
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
	st := r.settle(time.Second)
	assert.Equal(t, Stats{Expected: n, Received: n}, st)
	got, latencies := sums(samples)
	assert.Equal(t, float64(n), got[metricTotal])
	assert.Len(t, latencies, n)
}

func TestReachableAddrNamesACallableHost(t *testing.T) {
	assert.Equal(t, "127.0.0.1:80", reachableAddr(&net.TCPAddr{IP: net.IPv4zero, Port: 80}))
	assert.Equal(t, "[::1]:80", reachableAddr(&net.TCPAddr{IP: net.IPv6unspecified, Port: 80}))
	assert.Equal(t, "10.1.2.3:9000", reachableAddr(&net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 9000}))
}

var httpClient = http.Client{Timeout: 2 * time.Second}

func TestReceiverSettleCountsADuplicateRightAfterItsFirstCopy(t *testing.T) {
	r, _ := testReceiver(t, time.Minute)
	r.ledger.expect("d", time.Now())
	post(t, r.url, `{"id":"d"}`)
	go func() {
		time.Sleep(quietPeriod / 2)
		post(t, r.url, `{"id":"d"}`)
	}()
	st := r.settle(5 * time.Second)
	assert.Equal(t, Stats{Expected: 1, Received: 1, Duplicate: 1}, st)
}
