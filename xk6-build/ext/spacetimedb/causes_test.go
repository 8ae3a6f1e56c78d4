package spacetimedb

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.k6.io/k6/v2/js/modulestest"
	"go.k6.io/k6/v2/lib"
	"go.k6.io/k6/v2/metrics"
)

const secret = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.sig-abc_123"

func TestScrub(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"InvalidToken: the token " + secret + " is bad":        "InvalidToken: the token [redacted] is bad",
		"got Authorization: Bearer abc.def-ghi, want another":  "got Authorization: [redacted], want another",
		`{"authorization":"Basic dXNlcjpwYXNz"}`:               `{"authorization":"[redacted]"}`,
		"header bearer xyz123 refused":                         "header bearer [redacted] refused",
		"GET /subscribe?token=abc123&x=1":                      "GET /subscribe?token=[redacted]&x=1",
		"access_token = q1w2e3;":                               "access_token = [redacted];",
		`{"identity":"0xc2","token":"eyJ0.eyJ1.c2"}`:           `{"identity":"0xc2","token":"[redacted]"}`,
		"jwt eyJhbGciOi.eyJzdWIiOiJ4In0.abcd in the body":      "jwt [redacted] in the body",
		"InvalidSignature: Token: expired at 12:00":            "InvalidSignature: Token: expired at 12:00",
		"HTTP 401: InvalidToken":                               "HTTP 401: InvalidToken",
		"the server closed the connection (1011: bad message)": "the server closed the connection (1011: bad message)",
	} {
		got := scrub(in, "tok-"+t.Name())
		assert.Equal(t, want, got, in)
		assert.Equal(t, got, scrub(got, "tok-"+t.Name()), "scrubbing twice changes nothing: %s", in)
	}
	assert.Equal(t, "a [redacted] b", scrub("a my-opaque-token b", "my-opaque-token"), "the configured token, whatever it looks like")
}

func TestNormaliseCause(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		class   causeClass
		in      string
		want    string
		comment string
	}{
		{causeDrop, "the connection was lost: read tcp 127.0.0.1:54321->127.0.0.1:3000: read: connection reset by peer",
			"the connection was lost: read tcp 127.0.0.1:<port>->127.0.0.1:3000: read: connection reset by peer", "local port"},
		{causeTimeout, "callReducer(x): no answer within 30s (requestTimeoutMs) request_id=77", "callReducer(x): no answer within 30s (requestTimeoutMs) request_id=<n>", "request id"},
		{causeCall, "transfer: account 42 has only 7 left", "transfer: account <n> has only <n> left", "numbers in a reducer's error"},
		{causeHandshake, "HTTP 401:  InvalidToken:\n  identity 0xc200aabb, connection 1234567890abcdef1234", "HTTP 401: InvalidToken: identity 0x<hex>, connection <hex>", "hex ids, whitespace"},
		{causeHandshake, "HTTP 404: no such database 6f1b2c3d-1111-2222-3333-444455556666 (id 123456)", "HTTP 404: no such database <uuid> (id <n>)", "uuid, id"},
		{causeDrop, "the server closed the connection (1011: invalid message)", "the server closed the connection (1011: invalid message)", "close codes kept"},
		{causeReconnect, "  ", "(no reason given)", "empty"},
		{causeReconnect, "dial tcp 127.0.0.1:38124: connect: connection refused; dial tcp [::1]:40000: x; host.example:65535 {\"n\":123456} 99999",
			"dial tcp 127.0.0.1:38124: connect: connection refused; dial tcp [::1]:40000: x; host.example:65535 {\"n\":<n>} <n>", "remote ports kept"},
		{causeTimeout, "request 12 / request #13 / Request: 14 / req=15 / msg_id 16 / Bad Request 400", "request <n> / request #<n> / Request: <n> / req=<n> / msg_id <n> / Bad Request 400", "request numbers"},
	} {
		assert.Equal(t, tc.want, normaliseCause(tc.class, tc.in), tc.comment)
	}
	long := normaliseCause(causeCall, strings.Repeat("é", 500))
	assert.Equal(t, maxCauseLen, len([]rune(long)))
	assert.True(t, strings.HasSuffix(long, "…"))
}

func TestCauseRegistryCountsDistinctCausesUpToFive(t *testing.T) {
	t.Parallel()
	r := newCauseRegistry()
	var lines []string
	rec := func(class causeClass, text string) {
		if l := r.record(class, text, ""); l != "" {
			lines = append(lines, l)
		}
	}
	for i := range 3 {
		rec(causeTimeout, fmt.Sprintf("subscribe: no answer within 1s (requestTimeoutMs) request %d", i+1))
	}
	for i := range 8 {
		for range i + 1 {
			rec(causeCall, fmt.Sprintf("r%c: boom", 'a'+i))
		}
	}
	rec(causeCall, "ra: boom") // a kept cause still counts after the cap is reached

	got := r.snapshot()
	assert.Equal(t, ClassCauses{Causes: []CauseCount{{"subscribe: no answer within 1s (requestTimeoutMs) request <n>", 3}}}, got["timeout"])
	assert.Equal(t, ClassCauses{
		Causes: []CauseCount{{"ra: boom", 2}, {"rb: boom", 2}, {"rc: boom", 3}, {"rd: boom", 4}, {"re: boom", 5}},
		Other:  6 + 7 + 8,
	}, got["call"])
	for _, class := range []string{"handshake", "drop", "reconnect"} {
		assert.Equal(t, ClassCauses{Causes: []CauseCount{}}, got[class], class)
	}
	require.Len(t, lines, 1+5+1, "each kept cause once, and the first 'other' once")
	assert.Equal(t, "spacetimedb: request timed out: subscribe: no answer within 1s (requestTimeoutMs) request <n> (first of its kind; all causes are in the summary)", lines[0])
	assert.Equal(t, "spacetimedb: reducer call failed: ra: boom (first of its kind; all causes are in the summary)", lines[1])
	assert.Contains(t, lines[6], "spacetimedb: reducer call failed: rf: boom (more than 5 distinct causes of this kind")

	// the snapshot is a copy
	got["call"].Causes[0].Count = 100
	assert.Equal(t, int64(2), r.snapshot()["call"].Causes[0].Count)
}

// hookedLogger is a logger whose entries the test can read.
func hookedLogger() (*logrus.Logger, *logtest.Hook) {
	l, hook := logtest.NewNullLogger()
	l.SetLevel(logrus.DebugLevel)
	return l, hook
}

func causesOf(r *causeRegistry, class causeClass) []CauseCount {
	return r.snapshot()[class.String()].Causes
}

// A 401 whose body echoes the Authorization header: the token appears neither in the stored cause,
// nor in the log line, nor in the error.
func TestRefusedHandshakeRecordsTheScrubbedReason(t *testing.T) {
	f := newFakeServer(t)
	f.refusal.Store(&fakeRefusal{status: http.StatusUnauthorized, body: func(r *http.Request) string {
		return "InvalidToken: signature mismatch\nrequest headers: Authorization: " + r.Header.Get("Authorization")
	}})
	logger, hook := hookedLogger()
	reg := newCauseRegistry()
	c := testClient(t, f, func(o *Options) { o.Token, o.MaxRetries = secret, 1 })
	c.causes, c.LogFn = reg, func() logrus.FieldLogger { return logger }

	for range 2 {
		r := connect(t, c)
		require.Error(t, r.Err)
		assert.Contains(t, r.Err.Error(), "could not connect to "+f.url()+" after 2 attempt(s): "+
			"WebSocket handshake refused with HTTP 401: InvalidToken: signature mismatch request headers: Authorization: [redacted]")
		assert.NotContains(t, r.Err.Error(), secret)
		assert.NotContains(t, r.Err.Error(), "c2VjcmV0")
	}
	o := call(t, c, "increment")
	assert.Equal(t, StatusDropped, o.Status)
	assert.Contains(t, o.Err, "HTTP 401: InvalidToken")
	assert.NotContains(t, o.Err, secret)

	// every attempt is a handshake refusal, retries included
	assert.Equal(t, []CauseCount{{"HTTP 401: InvalidToken: signature mismatch request headers: Authorization: [redacted]", 6}},
		causesOf(reg, causeHandshake))
	assert.Empty(t, causesOf(reg, causeReconnect))
	entries := hook.AllEntries()
	require.Len(t, entries, 1, "logged once")
	assert.Equal(t, logrus.WarnLevel, entries[0].Level)
	assert.Equal(t, "spacetimedb: handshake failed: HTTP 401: InvalidToken: signature mismatch request headers: Authorization: [redacted] "+
		"(first of its kind; all causes are in the summary)", entries[0].Message)
	assert.NotContains(t, entries[0].Message, secret)

	f.mu.Lock()
	assert.Equal(t, "Bearer "+secret, f.auth[0], "the token is still sent")
	f.mu.Unlock()
}

func TestRefusalByAProxyGivesItsPageText(t *testing.T) {
	f := newFakeServer(t)
	f.refusal.Store(&fakeRefusal{status: http.StatusBadRequest, body: func(*http.Request) string {
		return "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n</body></html>"
	}})
	reg := newCauseRegistry()
	c := testClient(t, f, func(o *Options) { o.MaxRetries = 0 })
	c.causes = reg
	r := connect(t, c)
	require.Error(t, r.Err)
	assert.Contains(t, r.Err.Error(), "WebSocket handshake refused with HTTP 400: 400 Bad Request 400 Bad Request")
	assert.Equal(t, []CauseCount{{"HTTP 400: 400 Bad Request 400 Bad Request", 1}}, causesOf(reg, causeHandshake))

	f.refusal.Store(&fakeRefusal{status: http.StatusForbidden, body: func(*http.Request) string { return "" }})
	require.Error(t, connect(t, c).Err)
	assert.Equal(t, CauseCount{"HTTP 403: Forbidden", 1}, causesOf(reg, causeHandshake)[1])
}

// A first dial that fails below HTTP is a handshake cause; a reconnect attempt that does is a
// reconnect cause.
func TestFailedDialsAreHandshakeThenReconnectCauses(t *testing.T) {
	t.Parallel()
	o := DefaultOptions()
	o.URL = "ws://127.0.0.1:1/v1/database/x/subscribe" // nothing listens on port 1
	o.MaxRetries, o.RetryDelay = 2, time.Millisecond
	c := NewClient(o)
	reg := newCauseRegistry()
	c.causes = reg
	require.Error(t, connect(t, c).Err)
	hs, rc := causesOf(reg, causeHandshake), causesOf(reg, causeReconnect)
	require.Len(t, hs, 1)
	require.Len(t, rc, 1)
	assert.Contains(t, hs[0].Cause, "connection refused")
	assert.Equal(t, int64(1), hs[0].Count)
	assert.Equal(t, CauseCount{hs[0].Cause, 2}, rc[0])
}

func TestFailedCallsAndTimeoutsAreRecorded(t *testing.T) {
	f := newFakeServer(t)
	reg := newCauseRegistry()
	c := testClient(t, f, func(o *Options) { o.RequestTimeout = 150 * time.Millisecond })
	c.causes = reg

	assert.Equal(t, StatusFailed, call(t, c, "fail").Status)
	assert.Equal(t, StatusFailed, call(t, c, "fail").Status)
	assert.Equal(t, StatusOutOfEnergy, call(t, c, "energy").Status)
	assert.Equal(t, StatusTimeout, call(t, c, "unknown").Status)
	assert.Equal(t, StatusCommitted, call(t, c, "increment").Status)
	assert.Equal(t, StatusError, subscribe(t, c, "SELECT * FROM nope").Status) // a subscription is not a call
	assert.Equal(t, []CauseCount{
		{"fail: The reducer panicked: boom", 2},
		{"energy: out of energy", 1},
		{"no such reducer (no request id: matched to no call)", 1},
	}, causesOf(reg, causeCall))

	// 'unknown' ended by timeout too; a flags-1 call's timeout is how it succeeds: not a failure
	ch := make(chan Outcome, 1)
	c.CallReducer(context.Background(), "silent", "[]", 1, func(o Outcome) { ch <- o })
	assert.Equal(t, StatusTimeout, (<-ch).Status)
	assert.Equal(t, []CauseCount{{"callReducer(unknown): no answer within 150ms (requestTimeoutMs)", 1}}, causesOf(reg, causeTimeout))
	assert.Empty(t, causesOf(reg, causeDrop))
}

// jsVUWithCauses is jsVU with its own cause registry and a VU state logger the test can read.
func jsVUWithCauses(t *testing.T) (*vuRuntime, *causeRegistry, *logtest.Hook) {
	t.Helper()
	rt := modulestest.NewRuntime(t)
	registry := rt.VU.InitEnv().Registry
	reg := newCauseRegistry()
	mi, ok := (&RootModule{causes: reg}).NewModuleInstance(rt.VU).(*ModuleInstance)
	require.True(t, ok)
	for _, name := range []string{"Client", "failureCauses"} {
		require.NoError(t, rt.VU.Runtime().Set(name, mi.Exports().Named[name]))
	}
	// callable in the init context (no VU state yet)
	require.NoError(t, iteration(t, rt, `
		const init = failureCauses();
		if (JSON.stringify(init) !== JSON.stringify({handshake: {causes: [], other: 0}, drop: {causes: [], other: 0},
			reconnect: {causes: [], other: 0}, call: {causes: [], other: 0}, timeout: {causes: [], other: 0}})) throw new Error(JSON.stringify(init));
	`))
	logger, hook := hookedLogger()
	samples := make(chan metrics.SampleContainer, 10000)
	rt.MoveToVUContext(&lib.State{
		Samples: samples,
		Tags:    lib.NewVUStateTags(registry.RootTagSet().With("scenario", "sc")),
		Logger:  logger,
	})
	return &vuRuntime{Runtime: rt, mi: mi, registry: registry, samples: samples, totals: map[string]float64{}}, reg, hook
}

func TestJSFailureCauses(t *testing.T) {
	f := newFakeServer(t)
	f.refusal.Store(&fakeRefusal{status: http.StatusUnauthorized, body: func(r *http.Request) string {
		return "InvalidSignature: " + r.Header.Get("Authorization")
	}})
	vu, _, hook := jsVUWithCauses(t)
	require.NoError(t, iteration(t, vu.Runtime, fmt.Sprintf(`(async () => {
		const client = new Client({ url: %q, token: %q, maxRetries: 0 });
		try {
			await client.connect();
			throw new Error('connected');
		} catch (e) {
			if (!e.message.includes('WebSocket handshake refused with HTTP 401: InvalidSignature: Bearer [redacted]')) throw e;
			if (e.message.includes(%[2]q)) throw new Error('token in the error');
		}
		const o = await client.callReducer('increment', '[]');
		if (o.status !== 'dropped') throw new Error(JSON.stringify(o));
	})()`, f.url(), secret)))
	f.refusal.Store(nil)
	require.NoError(t, iteration(t, vu.Runtime, fmt.Sprintf(`(async () => {
		const client = new Client({ url: %q, maxRetries: 0 });
		const o = await client.callReducer('fail', '[]');
		if (o.status !== 'failed') throw new Error(JSON.stringify(o));
		client.close();
		const got = JSON.stringify(failureCauses());
		const want = JSON.stringify({
			handshake: { causes: [{ cause: 'HTTP 401: InvalidSignature: Bearer [redacted]', count: 2 }], other: 0 },
			drop: { causes: [], other: 0 },
			reconnect: { causes: [], other: 0 },
			call: { causes: [{ cause: 'fail: The reducer panicked: boom', count: 1 }], other: 0 },
			timeout: { causes: [], other: 0 },
		});
		if (got !== want) throw new Error(got);
	})()`, f.url())))
	var msgs []string
	for _, e := range hook.AllEntries() {
		assert.Equal(t, logrus.WarnLevel, e.Level)
		msgs = append(msgs, e.Message)
	}
	assert.Equal(t, []string{
		"spacetimedb: handshake failed: HTTP 401: InvalidSignature: Bearer [redacted] (first of its kind; all causes are in the summary)",
		"spacetimedb: reducer call failed: fail: The reducer panicked: boom (first of its kind; all causes are in the summary)",
	}, msgs, "through the VU state's logger")
}

// Before the VU has a state, the first of a cause is logged through the init environment's logger.
func TestCausesAreLoggedThroughTheInitLoggerWithoutAState(t *testing.T) {
	t.Parallel()
	rt := modulestest.NewRuntime(t)
	logger, hook := hookedLogger()
	rt.VU.InitEnv().Logger = logger
	mi, ok := (&RootModule{causes: newCauseRegistry()}).NewModuleInstance(rt.VU).(*ModuleInstance)
	require.True(t, ok)
	assert.Same(t, logger, mi.logger())
	c := NewClient(DefaultOptions())
	c.causes, c.LogFn = mi.causes, mi.logger
	c.recordCause(causeDrop, "the server closed the connection (1000)")
	require.Len(t, hook.AllEntries(), 1)
	assert.Equal(t, "spacetimedb: connection dropped: the server closed the connection (1000) (first of its kind; all causes are in the summary)",
		hook.LastEntry().Message)
}

func TestProcessRegistryIsTheRootModules(t *testing.T) {
	t.Parallel()
	assert.Same(t, processCauses, New().causes)
	assert.Same(t, processCauses, NewClient(DefaultOptions()).causes)
	assert.Len(t, FailureCauses(), int(numCauseClasses))
}
