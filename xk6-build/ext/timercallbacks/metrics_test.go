package timercallbacks

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.k6.io/k6/v2/metrics"
)

func TestRegisterMetricsIsGetOrCreateAndRefusesAnotherType(t *testing.T) {
	r := metrics.NewRegistry()
	a, err := registerMetrics(r)
	require.NoError(t, err)
	b, err := registerMetrics(r)
	require.NoError(t, err)
	assert.Same(t, a.latency, b.latency, "every VU gets the same *Metric")
	assert.Equal(t, metrics.Trend, a.latency.Type)
	assert.Equal(t, metrics.Time, a.latency.Contains)

	clash := metrics.NewRegistry()
	_, err = clash.NewMetric(metricLost, metrics.Trend)
	require.NoError(t, err)
	_, err = registerMetrics(clash)
	assert.ErrorContains(t, err, "timercallbacks: ")
}

func TestPusherSendsQueuedSamplesInOneBatchInOrder(t *testing.T) {
	m, err := registerMetrics(metrics.NewRegistry())
	require.NoError(t, err)
	ch := make(chan metrics.SampleContainer, 4)
	p := &pusher{samples: ch}
	p.flush() // nothing queued: nothing sent
	assert.Empty(t, ch)
	at := time.Unix(10, 0)
	p.add(m.total, at, 1)
	p.add(m.latency, at.Add(time.Millisecond), 12.5)
	p.flush()
	require.Len(t, ch, 1)
	got := (<-ch).GetSamples()
	require.Len(t, got, 2)
	assert.Equal(t, metricTotal, got[0].Metric.Name)
	assert.Equal(t, 12.5, got[1].Value)
	assert.Equal(t, at.Add(time.Millisecond), got[1].Time, "stamped with the arrival, not the flush")
}

func TestPusherStopsQuietlyOnAClosedChannel(t *testing.T) {
	m, err := registerMetrics(metrics.NewRegistry())
	require.NoError(t, err)
	ch := make(chan metrics.SampleContainer, 1)
	close(ch)
	p := &pusher{samples: ch}
	p.add(m.total, time.Now(), 1)
	assert.NotPanics(t, p.flush)
	assert.True(t, p.closed.Load())
	p.add(m.total, time.Now(), 1)
	assert.NotPanics(t, p.flush, "nothing more is sent")
}
