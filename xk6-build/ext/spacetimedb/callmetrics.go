package spacetimedb

import (
	"fmt"
	"time"

	"go.k6.io/k6/v2/metrics"
)

// A measured operation's samples, emitted from Go as one metrics.ConnectedSamples (as k6's own HTTP
// module does for a request) when a script asks for it (callReducer's and oneOffQuery's `record`
// argument): JavaScript then only checks the outcome. The names, kinds and values are those the
// scripts recorded before from JavaScript (src/lib/spacetimedb/record.ts and src/lib/metrics.ts, the
// seed's spacetime_* and transaction metrics): per call about a dozen samples, each a call into JS
// metrics, which cost more CPU than the call itself.

// Record says how an operation counts in the transaction metrics.
type Record struct {
	Kind    string // write, read, delete or batch: which latency Trend it feeds (write_latency_ms, ...)
	Records int    // records written (a committed call) or read (rows of a query's answer, when 0)
}

// recordKinds are the transaction kinds and their latency Trends.
var recordKinds = map[string]string{
	"read": "read_latency_ms", "write": "write_latency_ms", "delete": "delete_latency_ms", "batch": "batch_latency_ms",
}

// parseRecord reads the `record` argument: `{kind: 'write', records: 1}`.
func parseRecord(raw any) (*Record, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("record must be an object {kind, records}, got %T", raw)
	}
	rec := &Record{Kind: "write", Records: 1}
	for key, v := range m {
		switch key {
		case "kind":
			s, ok := v.(string)
			if _, known := recordKinds[s]; !ok || !known {
				return nil, fmt.Errorf("record.kind must be read, write, delete or batch, got %v", v)
			}
			rec.Kind = s
		case "records":
			n, ok := v.(int64)
			if f, isFloat := v.(float64); isFloat && f == float64(int64(f)) {
				n, ok = int64(f), true
			}
			if !ok || n < 0 {
				return nil, fmt.Errorf("record.records must be a whole number of 0 or more, got %v", v)
			}
			rec.Records = int(n)
		default:
			return nil, fmt.Errorf("record has no field %q (it takes kind and records)", key)
		}
	}
	return rec, nil
}

// callMetrics are the metrics of measured operations, registered (get-or-create) in the VU's registry
// with the same types as the scripts' own declarations.
type callMetrics struct {
	reducerCalls, reducerErrors, reducerLatency, wsLatency         *metrics.Metric
	tableInserts, tableUpdates, tableDeletes                       *metrics.Metric
	transactions, transactionErrors, transactionSuccess, errorRate *metrics.Metric
	latency                                                        *metrics.Metric
	latencyByKind                                                  map[string]*metrics.Metric
	bytesRead, bytesWritten, recordsRead, recordsWritten           *metrics.Metric
	timeoutErrors, connectionErrors, validationErrors              *metrics.Metric
}

func newCallMetrics(r *metrics.Registry) *callMetrics {
	counter := func(name string) *metrics.Metric { return r.MustNewMetric(name, metrics.Counter) }
	trend := func(name string) *metrics.Metric { return r.MustNewMetric(name, metrics.Trend, metrics.Time) }
	rate := func(name string) *metrics.Metric { return r.MustNewMetric(name, metrics.Rate) }
	cm := &callMetrics{
		reducerCalls:       counter("spacetime_reducer_calls_total"),
		reducerErrors:      counter("spacetime_reducer_errors_total"),
		reducerLatency:     trend("spacetime_reducer_latency_ms"),
		wsLatency:          trend("spacetime_ws_latency_ms"),
		tableInserts:       counter("spacetime_table_inserts_total"),
		tableUpdates:       counter("spacetime_table_updates_total"),
		tableDeletes:       counter("spacetime_table_deletes_total"),
		transactions:       counter("transactions_total"),
		transactionErrors:  counter("transaction_errors_total"),
		transactionSuccess: rate("transaction_success_rate"),
		errorRate:          rate("error_rate"),
		latency:            trend("latency_ms"),
		latencyByKind:      map[string]*metrics.Metric{},
		bytesRead:          counter("bytes_read_total"),
		bytesWritten:       counter("bytes_written_total"),
		recordsRead:        counter("records_read_total"),
		recordsWritten:     counter("records_written_total"),
		timeoutErrors:      counter("timeout_errors_total"),
		connectionErrors:   counter("connection_errors_total"),
		validationErrors:   counter("validation_errors_total"),
	}
	for kind, name := range recordKinds {
		cm.latencyByKind[kind] = trend(name)
	}
	return cm
}

// samples collects one operation's samples.
type samples struct {
	list []metrics.Sample
	tm   metrics.TagsAndMeta
	now  time.Time
}

func (s *samples) add(m *metrics.Metric, v float64) {
	s.list = append(s.list, metrics.Sample{TimeSeries: metrics.TimeSeries{Metric: m, Tags: s.tm.Tags}, Time: s.now, Metadata: s.tm.Metadata, Value: v})
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// transaction adds the transaction metrics of one operation (src/lib/metrics.ts recordTransaction):
// cause is timeout, connection, validation or server (no counter of its own).
func (cm *callMetrics) transaction(s *samples, rec *Record, ok bool, latencyMs float64, cause string, bytesRead, bytesWritten, recordsRead, recordsWritten int) {
	s.add(cm.transactions, 1)
	s.add(cm.transactionSuccess, boolValue(ok))
	s.add(cm.errorRate, boolValue(!ok))
	s.add(cm.latency, latencyMs)
	s.add(cm.latencyByKind[rec.Kind], latencyMs)
	if !ok {
		s.add(cm.transactionErrors, 1)
		switch cause {
		case "timeout":
			s.add(cm.timeoutErrors, 1)
		case "connection":
			s.add(cm.connectionErrors, 1)
		case "validation":
			s.add(cm.validationErrors, 1)
		}
	}
	for _, c := range []struct {
		m *metrics.Metric
		v int
	}{{cm.bytesRead, bytesRead}, {cm.bytesWritten, bytesWritten}, {cm.recordsRead, recordsRead}, {cm.recordsWritten, recordsWritten}} {
		if c.v != 0 {
			s.add(c.m, float64(c.v))
		}
	}
}

// call gives a reducer call's samples (src/lib/spacetimedb/record.ts recordCall over WebSocket): the
// rows of the caller's TransactionUpdate split as the scripts did (an update is a delete and an insert
// of one primary key).
func (cm *callMetrics) call(out Outcome, rec *Record, tm metrics.TagsAndMeta, now time.Time) []metrics.Sample {
	s := &samples{list: make([]metrics.Sample, 0, 16), tm: tm, now: now}
	ok := out.Status == StatusCommitted
	latency := ms(out.Latency)
	s.add(cm.reducerCalls, 1)
	s.add(cm.reducerLatency, latency)
	s.add(cm.wsLatency, latency)
	if !ok {
		s.add(cm.reducerErrors, 1)
	}
	if ok {
		for _, r := range []struct {
			m *metrics.Metric
			v int
		}{{cm.tableInserts, out.Inserts - out.Updates}, {cm.tableUpdates, out.Updates}, {cm.tableDeletes, out.Deletes - out.Updates}} {
			if r.v != 0 {
				s.add(r.m, float64(r.v))
			}
		}
	}
	cause := "server"
	switch out.Status {
	case StatusTimeout:
		cause = "timeout"
	case StatusDropped:
		cause = "connection"
	}
	written := 0
	if ok {
		written = rec.Records
	}
	cm.transaction(s, rec, ok, latency, cause, 0, out.BytesSent, 0, written)
	return s.list
}

// query gives a one-off query's samples (recordRead over WebSocket).
func (cm *callMetrics) query(out Outcome, rec *Record, tm metrics.TagsAndMeta, now time.Time) []metrics.Sample {
	s := &samples{list: make([]metrics.Sample, 0, 10), tm: tm, now: now}
	ok := out.Status == StatusOK
	latency := ms(out.Latency)
	s.add(cm.wsLatency, latency)
	cause := "validation"
	switch out.Status {
	case StatusTimeout:
		cause = "timeout"
	case StatusDropped:
		cause = "connection"
	}
	cm.transaction(s, rec, ok, latency, cause, out.BytesReceived, 0, out.Rows, 0)
	return s.list
}
