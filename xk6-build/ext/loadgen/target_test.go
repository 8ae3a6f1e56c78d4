package loadgen

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.k6.io/k6/v2/js/common"
)

// exposition is what a Prometheus client library serves: the process metrics among others.
func exposition(cpuSeconds float64, rssBytes int64) string {
	return fmt.Sprintf(`# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total %g
# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes %d
# TYPE http_requests_total counter
http_requests_total{route="create"} 12
`, cpuSeconds, rssBytes)
}

func TestParseProcessMetricsReadsTheStandardProcessMetrics(t *testing.T) {
	t.Parallel()
	at := time.Unix(100, 0)
	r, err := parseProcessMetrics(strings.NewReader(exposition(12.5, 64<<20)), at)
	require.NoError(t, err)
	assert.Equal(t, targetReading{at: at, cpuSeconds: 12.5, hasCPU: true, rssBytes: 64 << 20, hasRSS: true}, r)

	r, err = parseProcessMetrics(strings.NewReader("process_resident_memory_bytes 1048576\n"), at)
	require.NoError(t, err, "untyped, memory only")
	assert.False(t, r.hasCPU)
	assert.InDelta(t, 1<<20, r.rssBytes, 0)

	_, err = parseProcessMetrics(strings.NewReader("http_requests_total 3\n"), at)
	assert.ErrorContains(t, err, "exposes neither process_cpu_seconds_total nor process_resident_memory_bytes")
	_, err = parseProcessMetrics(strings.NewReader("<html>not metrics</html>"), at)
	assert.ErrorContains(t, err, "not the Prometheus text format")
}

func TestTargetMeasureGivesCPUPercentOfOneCoreAndMemoryInMiB(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(100, 0)
	prev := targetReading{at: t0, cpuSeconds: 10, hasCPU: true}
	cur := targetReading{at: t0.Add(2 * time.Second), cpuSeconds: 11.5, hasCPU: true, rssBytes: 256 << 20, hasRSS: true}
	f := targetMeasure(prev, cur)
	assert.True(t, f.HasCPU)
	assert.InDelta(t, 75, f.CPUPercent, 1e-9, "1.5 CPU-seconds in 2 s")
	assert.InDelta(t, 256, f.MemoryMB, 1e-9)

	assert.False(t, targetMeasure(targetReading{}, cur).HasCPU, "the first scrape has no interval")
	restarted := targetReading{at: t0.Add(4 * time.Second), cpuSeconds: 0.2, hasCPU: true}
	assert.False(t, targetMeasure(cur, restarted).HasCPU, "a counter that went down: the target restarted")
}

// The whole path: start({ targetMetricsUrl }) scrapes a real HTTP endpoint every interval and pushes
// target_cpu_percent and target_memory_mb; a failing endpoint is logged once and counted.
func TestStartScrapesTheTargetEveryInterval(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := calls.Add(1)
		if n == 3 {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(exposition(float64(n)*0.05, 100<<20)))
	}))
	defer srv.Close()
	root := newRoot(cgroupFS{Root: t.TempDir()}, (&fakeSources{}).sources)
	v := newVU(t, root, common.Events{})
	v.run(t, `start({ intervalMs: 100, targetMetricsUrl: '`+srv.URL+`/metrics' })`)

	byMetric := map[string][]float64{}
	require.Eventually(t, func() bool {
		for _, c := range v.containers(t) {
			for _, s := range c.Samples {
				byMetric[s.Metric.Name] = append(byMetric[s.Metric.Name], s.Value)
			}
		}
		return len(byMetric[metricTargetCPU]) >= 2 && len(byMetric[metricTargetErrors]) == 1
	}, 5*time.Second, 10*time.Millisecond)
	assert.InDelta(t, 100, byMetric[metricTargetMemory][0], 1e-9)
	for _, pct := range byMetric[metricTargetCPU] {
		assert.Greater(t, pct, 0.0)
	}
	var warned []string
	for _, e := range v.logs.AllEntries() {
		warned = append(warned, e.Message)
	}
	assert.Contains(t, strings.Join(warned, "\n"), "TARGET_METRICS_URL="+srv.URL+"/metrics cannot be read (it answered 503 Service Unavailable)")
}

func TestTargetURLPasswordIsNotLogged(t *testing.T) {
	t.Parallel()
	root := newRoot(cgroupFS{Root: t.TempDir()}, (&fakeSources{}).sources)
	v := newVU(t, root, common.Events{})
	v.run(t, `start({ intervalMs: 100, targetMetricsUrl: 'http://user:hunter2secret@127.0.0.1:1/metrics' })`)
	var all string
	require.Eventually(t, func() bool {
		all = ""
		for _, e := range v.logs.AllEntries() {
			all += e.Message + "\n"
		}
		return strings.Contains(all, "cannot be read")
	}, 5*time.Second, 10*time.Millisecond)
	assert.NotContains(t, all, "hunter2secret")
	assert.Contains(t, all, "TARGET_METRICS_URL=http://user:xxxxx@127.0.0.1:1/metrics cannot be read")
}
