package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.k6.io/k6/v2/metrics"
)

// The standard process metrics of a Prometheus client library (client_golang, prom-client, ...): the
// target's own CPU time and resident memory.
const (
	promCPUSeconds = "process_cpu_seconds_total"     // counter, seconds of user + system CPU
	promRSSBytes   = "process_resident_memory_bytes" // gauge, bytes
)

// The metrics of the target's resource use, pushed once per interval when start() was given a
// targetMetricsUrl.
const (
	metricTargetCPU    = "target_cpu_percent"         // Trend: CPU time ÷ wall time × 100 (100 = one core busy)
	metricTargetMemory = "target_memory_mb"           // Trend: resident memory, MiB
	metricTargetErrors = "target_scrape_errors_total" // Counter: scrapes that failed
)

type targetMetrics struct {
	cpu, memory, errors *metrics.Metric
}

func registerTargetMetrics(r *metrics.Registry) (*targetMetrics, error) {
	var m targetMetrics
	var err error
	if m.cpu, err = r.NewMetric(metricTargetCPU, metrics.Trend, metrics.Default); err != nil {
		return nil, fmt.Errorf("loadgen: %w", err)
	}
	if m.memory, err = r.NewMetric(metricTargetMemory, metrics.Trend, metrics.Default); err != nil {
		return nil, fmt.Errorf("loadgen: %w", err)
	}
	if m.errors, err = r.NewMetric(metricTargetErrors, metrics.Counter, metrics.Default); err != nil {
		return nil, fmt.Errorf("loadgen: %w", err)
	}
	return &m, nil
}

// targetReading is one scrape: the target's cumulative CPU seconds and its resident memory.
type targetReading struct {
	at         time.Time
	cpuSeconds float64
	hasCPU     bool
	rssBytes   float64
	hasRSS     bool
}

// parseProcessMetrics reads process_cpu_seconds_total and process_resident_memory_bytes from a
// Prometheus text exposition (the first series of each; a process exposes one). Either may be
// missing (an exporter without them); neither is an error only when the text does not parse.
func parseProcessMetrics(body io.Reader, at time.Time) (targetReading, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(body)
	if err != nil {
		return targetReading{}, fmt.Errorf("not the Prometheus text format: %w", err)
	}
	r := targetReading{at: at}
	if v, ok := firstValue(families[promCPUSeconds]); ok {
		r.cpuSeconds, r.hasCPU = v, true
	}
	if v, ok := firstValue(families[promRSSBytes]); ok {
		r.rssBytes, r.hasRSS = v, true
	}
	if !r.hasCPU && !r.hasRSS {
		return r, fmt.Errorf("it exposes neither %s nor %s", promCPUSeconds, promRSSBytes)
	}
	return r, nil
}

func firstValue(f *dto.MetricFamily) (float64, bool) {
	if f == nil || len(f.GetMetric()) == 0 {
		return 0, false
	}
	m := f.GetMetric()[0]
	switch {
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue(), true
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue(), true
	case m.GetUntyped() != nil:
		return m.GetUntyped().GetValue(), true
	}
	return 0, false
}

// targetFigures are one interval's figures: CPU percent (from two readings) and memory (from the latest).
type targetFigures struct {
	CPUPercent float64
	HasCPU     bool
	MemoryMB   float64
	HasMemory  bool
}

// targetMeasure turns two consecutive readings into the interval's figures; a counter that went down
// (the target restarted) gives no CPU figure for the interval.
func targetMeasure(prev, cur targetReading) targetFigures {
	var f targetFigures
	if cur.hasRSS {
		f.MemoryMB, f.HasMemory = cur.rssBytes/(1<<20), true
	}
	wall := cur.at.Sub(prev.at).Seconds()
	if prev.hasCPU && cur.hasCPU && wall > 0 && cur.cpuSeconds >= prev.cpuSeconds {
		f.CPUPercent, f.HasCPU = (cur.cpuSeconds-prev.cpuSeconds)/wall*100, true
	}
	return f
}

// targetScraper scrapes the target's Prometheus endpoint once per interval until stop is closed.
type targetScraper struct {
	url      string
	interval time.Duration
	client   *http.Client
	now      func() time.Time
}

// scrape GETs the endpoint (bounded by the interval) and reads the process metrics.
func (t *targetScraper) scrape(ctx context.Context) (targetReading, error) {
	ctx, cancel := context.WithTimeout(ctx, max(t.interval, time.Second))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.url, nil)
	if err != nil {
		return targetReading{}, err
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	res, err := t.client.Do(req)
	if err != nil {
		return targetReading{}, err
	}
	defer res.Body.Close()
	at := t.now()
	if res.StatusCode != http.StatusOK {
		return targetReading{}, fmt.Errorf("it answered %s", res.Status)
	}
	return parseProcessMetrics(io.LimitReader(res.Body, 16<<20), at)
}

// run scrapes once at once and then every interval; emit gets each interval's figures, fail each
// failed scrape. It returns when stop is closed or emit returns false.
func (t *targetScraper) run(stop <-chan struct{}, emit func(targetFigures, time.Time) bool, fail func(error, time.Time) bool) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-stop
		cancel()
	}()
	ticker := time.NewTicker(t.interval)
	defer ticker.Stop()
	var prev targetReading
	for {
		cur, err := t.scrape(ctx)
		switch {
		case errors.Is(ctx.Err(), context.Canceled):
			return
		case err != nil:
			if !fail(err, t.now()) {
				return
			}
		default:
			if !emit(targetMeasure(prev, cur), cur.at) {
				return
			}
			prev = cur
		}
		select {
		case <-stop:
			return
		case <-ticker.C:
		}
	}
}

// container is one scrape's samples, with the tags start() was called with.
func (m *targetMetrics) container(f targetFigures, at time.Time, tm metrics.TagsAndMeta) metrics.ConnectedSamples {
	samples := make([]metrics.Sample, 0, 2)
	add := func(metric *metrics.Metric, v float64) {
		samples = append(samples, metrics.Sample{TimeSeries: metrics.TimeSeries{Metric: metric, Tags: tm.Tags}, Time: at, Metadata: tm.Metadata, Value: v})
	}
	if f.HasCPU {
		add(m.cpu, f.CPUPercent)
	}
	if f.HasMemory {
		add(m.memory, f.MemoryMB)
	}
	return metrics.ConnectedSamples{Samples: samples, Tags: tm.Tags, Time: at}
}

func (m *targetMetrics) failure(at time.Time, tm metrics.TagsAndMeta) metrics.ConnectedSamples {
	s := metrics.Sample{TimeSeries: metrics.TimeSeries{Metric: m.errors, Tags: tm.Tags}, Time: at, Metadata: tm.Metadata, Value: 1}
	return metrics.ConnectedSamples{Samples: []metrics.Sample{s}, Tags: tm.Tags, Time: at}
}
