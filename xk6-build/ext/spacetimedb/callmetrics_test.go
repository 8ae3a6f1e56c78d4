package spacetimedb

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.k6.io/k6/v2/metrics"
)

// values sums each metric's samples by name.
func values(samples []metrics.Sample) map[string]float64 {
	out := map[string]float64{}
	for _, s := range samples {
		out[s.Metric.Name] += s.Value
	}
	return out
}

func TestParseRecordTakesKindAndRecordsAndNamesWhatIsWrong(t *testing.T) {
	rec, err := parseRecord(map[string]any{"kind": "batch", "records": int64(5)})
	require.NoError(t, err)
	assert.Equal(t, &Record{Kind: "batch", Records: 5}, rec)
	rec, err = parseRecord(map[string]any{})
	require.NoError(t, err)
	assert.Equal(t, &Record{Kind: "write", Records: 1}, rec)
	for message, raw := range map[string]any{
		"record.kind must be read, write, delete or batch": map[string]any{"kind": "upsert"},
		"record.records must be a whole number":            map[string]any{"records": 1.5},
		`record has no field "rows"`:                       map[string]any{"rows": 1},
		"record must be an object":                         "write",
	} {
		_, err := parseRecord(raw)
		assert.ErrorContains(t, err, message)
	}
}

func callSamples(cm *callMetrics, out Outcome, rec *Record, tm metrics.TagsAndMeta, now time.Time) []metrics.Sample {
	s := &samples{cm: cm, tm: tm, now: now}
	s.call(out, rec)
	return s.list
}

func querySamples(cm *callMetrics, out Outcome, rec *Record, tm metrics.TagsAndMeta, now time.Time) []metrics.Sample {
	s := &samples{cm: cm, tm: tm, now: now}
	s.query(out, rec)
	return s.list
}

// The samples of a call are the ones the scripts recorded from JavaScript (record.ts, metrics.ts).
func TestCallSamplesAreTheScriptsOwn(t *testing.T) {
	cm := newCallMetrics(metrics.NewRegistry())
	tm := metrics.TagsAndMeta{Tags: metrics.NewRegistry().RootTagSet().With("scenario", "counter")}
	now := time.Now()
	committed := Outcome{Status: StatusCommitted, Latency: 2500 * time.Microsecond, Inserts: 1, Deletes: 1, Updates: 1, BytesSent: 80}
	got := values(callSamples(cm, committed, &Record{Kind: "write", Records: 1}, tm, now))
	assert.Equal(t, map[string]float64{
		"spacetime_reducer_calls_total": 1, "spacetime_reducer_latency_ms": 2.5, "spacetime_ws_latency_ms": 2.5,
		"spacetime_table_updates_total": 1, "transactions_total": 1, "transaction_success_rate": 1, "error_rate": 0,
		"latency_ms": 2.5, "write_latency_ms": 2.5, "bytes_written_total": 80, "records_written_total": 1,
	}, got)
	timedOut := values(callSamples(cm, Outcome{Status: StatusTimeout, Latency: time.Second, BytesSent: 80}, &Record{Kind: "write", Records: 1}, tm, now))
	assert.Equal(t, map[string]float64{
		"spacetime_reducer_calls_total": 1, "spacetime_reducer_errors_total": 1, "spacetime_reducer_latency_ms": 1000,
		"spacetime_ws_latency_ms": 1000, "transactions_total": 1, "transaction_success_rate": 0, "error_rate": 1,
		"latency_ms": 1000, "write_latency_ms": 1000, "transaction_errors_total": 1, "timeout_errors_total": 1,
		"bytes_written_total": 80,
	}, timedOut)
	failed := values(callSamples(cm, Outcome{Status: StatusFailed, Latency: time.Millisecond}, &Record{Kind: "write", Records: 1}, tm, now))
	assert.Equal(t, 1.0, failed["transaction_errors_total"])
	assert.NotContains(t, failed, "connection_errors_total") // a reducer's own failure is the server's
	read := values(querySamples(cm, Outcome{Status: StatusOK, Latency: time.Millisecond, Rows: 3, BytesReceived: 120}, &Record{Kind: "read"}, tm, now))
	assert.Equal(t, map[string]float64{
		"spacetime_ws_latency_ms": 1, "transactions_total": 1, "transaction_success_rate": 1, "error_rate": 0,
		"latency_ms": 1, "read_latency_ms": 1, "bytes_read_total": 120, "records_read_total": 3,
	}, read)
	dropped := values(querySamples(cm, Outcome{Status: StatusDropped}, &Record{Kind: "read"}, tm, now))
	assert.Equal(t, 1.0, dropped["connection_errors_total"])
}
