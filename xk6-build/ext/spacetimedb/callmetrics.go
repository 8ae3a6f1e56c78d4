package spacetimedb

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.k6.io/k6/v2/lib"
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

// callCounter indexes the Counters among the measured operations' metrics.
type callCounter int

const (
	ccReducerCalls callCounter = iota
	ccReducerErrors
	ccTableInserts
	ccTableUpdates
	ccTableDeletes
	ccTransactions
	ccTransactionErrors
	ccBytesRead
	ccBytesWritten
	ccRecordsRead
	ccRecordsWritten
	ccTimeoutErrors
	ccConnectionErrors
	ccValidationErrors
	numCallCounters
)

// callCounterNames are the Counters' names, by index.
var callCounterNames = [numCallCounters]string{
	ccReducerCalls: "spacetime_reducer_calls_total", ccReducerErrors: "spacetime_reducer_errors_total",
	ccTableInserts: "spacetime_table_inserts_total", ccTableUpdates: "spacetime_table_updates_total",
	ccTableDeletes: "spacetime_table_deletes_total", ccTransactions: "transactions_total",
	ccTransactionErrors: "transaction_errors_total", ccBytesRead: "bytes_read_total", ccBytesWritten: "bytes_written_total",
	ccRecordsRead: "records_read_total", ccRecordsWritten: "records_written_total", ccTimeoutErrors: "timeout_errors_total",
	ccConnectionErrors: "connection_errors_total", ccValidationErrors: "validation_errors_total",
}

// callCounts are Counter values summed over many operations (a batch of a pipeline's calls).
type callCounts [numCallCounters]int64

// callMetrics are the metrics of measured operations, registered (get-or-create) in the VU's registry
// with the same types as the scripts' own declarations.
type callMetrics struct {
	counters                           [numCallCounters]*metrics.Metric
	reducerLatency, wsLatency, latency *metrics.Metric
	transactionSuccess, errorRate      *metrics.Metric
	latencyByKind                      map[string]*metrics.Metric
}

func newCallMetrics(r *metrics.Registry) *callMetrics {
	trend := func(name string) *metrics.Metric { return r.MustNewMetric(name, metrics.Trend, metrics.Time) }
	rate := func(name string) *metrics.Metric { return r.MustNewMetric(name, metrics.Rate) }
	cm := &callMetrics{
		reducerLatency:     trend("spacetime_reducer_latency_ms"),
		wsLatency:          trend("spacetime_ws_latency_ms"),
		latency:            trend("latency_ms"),
		transactionSuccess: rate("transaction_success_rate"),
		errorRate:          rate("error_rate"),
		latencyByKind:      map[string]*metrics.Metric{},
	}
	for i, name := range callCounterNames {
		cm.counters[i] = r.MustNewMetric(name, metrics.Counter)
	}
	for kind, name := range recordKinds {
		cm.latencyByKind[kind] = trend(name)
	}
	return cm
}

// samples collects one operation's samples.
type samples struct {
	cm     *callMetrics
	list   []metrics.Sample
	tm     metrics.TagsAndMeta
	now    time.Time
	counts *callCounts // when set, Counter values are summed here instead of sampled
}

func (s *samples) add(m *metrics.Metric, v float64) {
	s.list = append(s.list, metrics.Sample{TimeSeries: metrics.TimeSeries{Metric: m, Tags: s.tm.Tags}, Time: s.now, Metadata: s.tm.Metadata, Value: v})
}

// count adds v to a Counter: a sample, or the sum in counts.
func (s *samples) count(c callCounter, v int) {
	switch {
	case v == 0:
	case s.counts != nil:
		s.counts[c] += int64(v)
	default:
		s.add(s.cm.counters[c], float64(v))
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// transaction adds the transaction metrics of one operation (src/lib/metrics.ts recordTransaction):
// cause is timeout, connection, validation or server (no counter of its own).
func (s *samples) transaction(rec *Record, ok bool, latencyMs float64, cause string, bytesRead, bytesWritten, recordsRead, recordsWritten int) {
	cm := s.cm
	s.count(ccTransactions, 1)
	s.add(cm.transactionSuccess, boolValue(ok))
	s.add(cm.errorRate, boolValue(!ok))
	s.add(cm.latency, latencyMs)
	s.add(cm.latencyByKind[rec.Kind], latencyMs)
	if !ok {
		s.count(ccTransactionErrors, 1)
		switch cause {
		case "timeout":
			s.count(ccTimeoutErrors, 1)
		case "connection":
			s.count(ccConnectionErrors, 1)
		case "validation":
			s.count(ccValidationErrors, 1)
		}
	}
	s.count(ccBytesRead, bytesRead)
	s.count(ccBytesWritten, bytesWritten)
	s.count(ccRecordsRead, recordsRead)
	s.count(ccRecordsWritten, recordsWritten)
}

// call adds a reducer call's samples (src/lib/spacetimedb/record.ts recordCall over WebSocket): the
// rows of the caller's TransactionUpdate split as the scripts did (an update is a delete and an insert
// of one primary key).
func (s *samples) call(out Outcome, rec *Record) {
	cm := s.cm
	ok := out.Status == StatusCommitted
	latency := ms(out.Latency)
	s.count(ccReducerCalls, 1)
	s.add(cm.reducerLatency, latency)
	s.add(cm.wsLatency, latency)
	written := 0
	if ok {
		s.count(ccTableInserts, out.Inserts-out.Updates)
		s.count(ccTableUpdates, out.Updates)
		s.count(ccTableDeletes, out.Deletes-out.Updates)
		written = rec.Records
	} else {
		s.count(ccReducerErrors, 1)
	}
	cause := "server"
	switch out.Status {
	case StatusTimeout:
		cause = "timeout"
	case StatusDropped:
		cause = "connection"
	}
	s.transaction(rec, ok, latency, cause, 0, out.BytesSent, 0, written)
}

// query adds a one-off query's samples (recordRead over WebSocket).
func (s *samples) query(out Outcome, rec *Record) {
	ok := out.Status == StatusOK
	latency := ms(out.Latency)
	s.add(s.cm.wsLatency, latency)
	cause := "validation"
	switch out.Status {
	case StatusTimeout:
		cause = "timeout"
	case StatusDropped:
		cause = "connection"
	}
	s.transaction(rec, ok, latency, cause, out.BytesReceived, 0, out.Rows, 0)
}

// batchCalls is how many calls' samples a callBatch collects before it pushes them.
const batchCalls = 64

// callBatch collects the samples of many calls (a pipeline's, which end on the socket reader's
// goroutine) and pushes them as one container every batchCalls calls and when flushed: each call's
// Trend and Rate samples with the time it ended, the Counters summed over the batch. One push per call
// would wake k6's sample consumer once per call, which costs more than the call's own measurement.
// Pushed to the iteration's context: a batch still held when the iteration is interrupted is dropped
// whole (its Counters with its Trends), as k6 drops the samples of an interrupted iteration.
type callBatch struct {
	ctx   context.Context
	state *lib.State

	mu     sync.Mutex
	s      samples
	counts callCounts
	calls  int
}

// newCallBatch starts a batch for one iteration (nil without a registry: add and flush do nothing).
func newCallBatch(cm *callMetrics, ctx context.Context, state *lib.State, tm metrics.TagsAndMeta) *callBatch {
	if cm == nil {
		return nil
	}
	b := &callBatch{ctx: ctx, state: state, s: samples{cm: cm, tm: tm, list: make([]metrics.Sample, 0, batchCalls*8)}}
	b.s.counts = &b.counts
	return b
}

// add adds one call's samples, pushing the batch when it is full (any goroutine).
func (b *callBatch) add(out Outcome, rec *Record) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.s.now = time.Now()
	b.s.call(out, rec)
	if b.calls++; b.calls >= batchCalls {
		b.flushLocked()
	}
}

// flush pushes what the batch holds.
func (b *callBatch) flush() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

func (b *callBatch) flushLocked() {
	if b.calls == 0 {
		return
	}
	// the Counters' sums, at the time of the push
	b.s.now = time.Now()
	for i, v := range b.counts {
		if v != 0 {
			b.s.add(b.s.cm.counters[i], float64(v))
		}
	}
	metrics.PushIfNotDone(b.ctx, b.state.Samples, metrics.Samples(b.s.list))
	b.s.list = make([]metrics.Sample, 0, cap(b.s.list))
	b.counts = callCounts{}
	b.calls = 0
}
