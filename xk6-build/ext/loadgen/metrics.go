package loadgen

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/k6regression/k6events"
	"github.com/sirupsen/logrus"
	"go.k6.io/k6/v2/js/common"
	"go.k6.io/k6/v2/lib"
	"go.k6.io/k6/v2/metrics"
)

// The metrics the module pushes, one sample of each per interval.
const (
	metricCPURatio = "loadgen_cpu_ratio"   // Trend: CPU time ÷ (wall time × usable cores), 0..~1
	metricLag      = "loadgen_lag_ms"      // Trend (time): the largest wake-up lateness of the lag probe
	metricGCPause  = "loadgen_gc_pause_ms" // Trend (time): GC stop-the-world pause time
	metricCores    = "loadgen_cores"       // Gauge: usable cores
)

type loadgenMetrics struct {
	cpuRatio, lag, gcPause, cores *metrics.Metric
	target                        *targetMetrics
}

// registerMetrics gets or creates the module's metrics in a VU's init environment registry (the same
// *Metric for every VU); it fails when a script registered one of the names with another type first.
func registerMetrics(r *metrics.Registry) (*loadgenMetrics, error) {
	var m loadgenMetrics
	for _, d := range []struct {
		dst  **metrics.Metric
		name string
		typ  metrics.MetricType
		vt   metrics.ValueType
	}{
		{&m.cpuRatio, metricCPURatio, metrics.Trend, metrics.Default},
		{&m.lag, metricLag, metrics.Trend, metrics.Time},
		{&m.gcPause, metricGCPause, metrics.Trend, metrics.Time},
		{&m.cores, metricCores, metrics.Gauge, metrics.Default},
	} {
		metric, err := r.NewMetric(d.name, d.typ, d.vt)
		if err != nil {
			return nil, fmt.Errorf("loadgen: %w", err)
		}
		*d.dst = metric
	}
	target, err := registerTargetMetrics(r)
	if err != nil {
		return nil, err
	}
	m.target = target
	return &m, nil
}

// container is one interval's samples as one ConnectedSamples, with the tags captured by start().
func (m *loadgenMetrics) container(s snapshot, tm metrics.TagsAndMeta) metrics.ConnectedSamples {
	samples := make([]metrics.Sample, 0, 4)
	add := func(metric *metrics.Metric, v float64) {
		samples = append(samples, metrics.Sample{
			TimeSeries: metrics.TimeSeries{Metric: metric, Tags: tm.Tags},
			Time:       s.At,
			Metadata:   tm.Metadata,
			Value:      v,
		})
	}
	if s.HasCPU {
		add(m.cpuRatio, s.CPURatio)
	}
	add(m.lag, s.LagMs)
	add(m.gcPause, s.GCPauseMs)
	add(m.cores, s.Cores)
	return metrics.ConnectedSamples{Samples: samples, Tags: tm.Tags, Time: s.At}
}

// controller is the process's one sampler: start() starts it once, k6's TestEnd event stops it.
type controller struct {
	sources func() sources // the clocks and counters; injectable for tests

	once    sync.Once
	opts    startOptions // of the running sampler; set once
	samples chan<- metrics.SampleContainer
	stop    chan struct{} // closed to stop the sampler and the lag probe
	halted  sync.Once
	done    chan struct{} // closed when both goroutines have returned
	closed  atomic.Bool   // a send found k6's samples channel closed
}

// start starts the sampler the first time it is called in the process, pushing to the samples channel
// of st (the engine's: the same for every VU, read until after TestEnd) with st's current tags; it
// returns whether this call started it, and the interval of the running sampler.
func (c *controller) start(st *lib.State, m *loadgenMetrics, opts startOptions, events common.Events) (bool, startOptions) {
	first := false
	c.once.Do(func() {
		first = true
		c.opts = opts
		interval := opts.interval
		c.samples = st.Samples
		c.stop = make(chan struct{})
		c.done = make(chan struct{})
		tags := st.Tags.GetCurrentValues()
		// the lag probe always runs on the real clock, whatever the sources
		probe := newLagProbe(lagStep, time.Now())
		src := c.sources()
		if src.lag == nil {
			src.lag = func() time.Duration { return probe.take(time.Now()) }
		}
		s := &sampler{interval: interval, src: src}

		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			probe.run(c.stop, time.Now)
		}()
		go func() {
			defer wg.Done()
			defer c.halt() // also when the samples channel turned out closed: stop the lag probe
			s.run(c.stop, func(snap snapshot, _ bool) bool { return c.push(m.container(snap, tags)) })
		}()
		if opts.targetURL != "" {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.scrapeTarget(opts, m.target, tags, st.Logger)
			}()
		}
		go func() {
			wg.Wait()
			close(c.done)
		}()
		c.subscribeTestEnd(events, st.Logger)
	})
	return first, c.opts
}

// scrapeTarget samples the target's Prometheus endpoint every interval until the sampler stops; the
// first failed scrape is logged (the URL without its password), every one is counted.
func (c *controller) scrapeTarget(opts startOptions, m *targetMetrics, tags metrics.TagsAndMeta, logger logrus.FieldLogger) {
	shown := opts.targetURL
	if u, err := url.Parse(opts.targetURL); err == nil {
		shown = u.Redacted()
	}
	t := &targetScraper{url: opts.targetURL, interval: opts.interval, client: &http.Client{}, now: time.Now}
	warned := false
	t.run(c.stop,
		func(f targetFigures, at time.Time) bool { return c.push(m.container(f, at, tags)) },
		func(err error, at time.Time) bool {
			if !warned && logger != nil {
				warned = true
				logger.Warnf("loadgen: TARGET_METRICS_URL=%s cannot be read (%v): the target's CPU and memory are not measured while it fails (failures counted in %s)", shown, err, metricTargetErrors)
			}
			return c.push(m.failure(at, tags))
		})
}

// push sends one container. k6 reads its samples channel until it closes it, which happens only after
// every TestEnd subscriber is done, and the TestEnd handler waits for the sampler to return: so the
// send cannot hit a closed channel. Should it anyway (no TestEnd delivered), the panic is recovered,
// nothing more is sent, and the sampler stops.
func (c *controller) push(cs metrics.ConnectedSamples) (sent bool) {
	if c.closed.Load() {
		return false
	}
	defer func() {
		if r := recover(); r != nil {
			c.closed.Store(true)
			sent = false
		}
	}()
	c.samples <- cs
	return true
}

func (c *controller) halt() {
	c.halted.Do(func() { close(c.stop) })
}

// finish stops the sampler, which pushes the last partial interval, and waits until both goroutines
// have returned. Only then may k6 close the samples channel.
func (c *controller) finish() {
	c.halt()
	<-c.done
}

// subscribeTestEnd calls finish on k6's global TestEnd event, then marks the event done
// (k6events.OnTestEnd: k6's event package is internal, the TestEnd value is found by name).
func (c *controller) subscribeTestEnd(events common.Events, logger logrus.FieldLogger) {
	err := errors.New("no k6 event system")
	if events.Global != nil {
		err = k6events.OnTestEnd(events.Global.Subscribe, c.finish)
	}
	if err != nil && logger != nil {
		logger.Warnf("loadgen: %v: the sampler is not stopped at the end of the test, the last interval is not pushed", err)
	}
}
