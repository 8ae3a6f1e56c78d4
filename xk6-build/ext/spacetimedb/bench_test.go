package spacetimedb

import "testing"

// benchTx is a caller's TransactionUpdate as the sandbox sends it for an increment (~560 bytes).
var benchTx = []byte(`{"TransactionUpdate":{"status":{"Committed":{"tables":[{"table_id":0,"table_name":"counters","num_rows":2,"updates":[{"deletes":["[\"c1\",41,\"2026-11-23T01:45:51.000Z\"]"],"inserts":["[\"c1\",42,\"2026-11-23T01:45:51.001Z\"]"]}]}]}},"timestamp":{"__timestamp_micros_since_unix_epoch__":1795398351000000},"caller_identity":{"__identity__":"0xc2006b1f3a2e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a69788796"},"caller_connection_id":{"__connection_id__":211385472946517305316829127155542452341},"reducer_call":{"reducer_name":"increment","reducer_id":0,"args":"[\"c1\",1]","request_id":123456},"energy_quanta_used":{"quanta":1200},"total_host_execution_duration":{"__time_duration_micros__":17}}}`)

func BenchmarkScanTransactionUpdate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, payload, _ := splitVariant(benchTx)
		if _, err := decodeTransactionUpdate(payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPushOnSettle is what a settled operation costs the event loop for the metrics: the push of
// a call's counts (sent, received) as one ConnectedSamples.
func BenchmarkPushOnSettle(b *testing.B) {
	vu := jsVU(b)
	go func() {
		for range vu.samples {
		}
	}()
	m := vu.mi.metrics
	b.ReportAllocs()
	for b.Loop() {
		m.began()
		m.ctr.n[ctrSent].Add(1)
		m.ctr.n[ctrReceived].Add(1)
		m.settled()
	}
}
