package spacetimedb

import (
	"fmt"
	"sync"
	"time"

	"github.com/grafana/sobek"
	"github.com/sirupsen/logrus"
	"go.k6.io/k6/v2/js/common"
	"go.k6.io/k6/v2/js/modules"
)

// RootModule is the global module object: one per k6 process.
type RootModule struct {
	causes *causeRegistry // the failure causes of the process (processCauses)
	open   *openClients   // the process's clients with a socket that may be open: closed when the test ends
	watch  sync.Once      // subscribes to the end of the test once
}

// ModuleInstance is the module as one VU sees it.
type ModuleInstance struct {
	vu         modules.VU
	metrics    *vuMetrics
	causes     *causeRegistry
	open       *openClients
	initLogger logrus.FieldLogger // the init environment's, for failures logged before the VU has a state
}

var (
	_ modules.Module   = (*RootModule)(nil)
	_ modules.Instance = (*ModuleInstance)(nil)
)

// New returns the root module.
func New() *RootModule { return &RootModule{causes: processCauses, open: newOpenClients()} }

// NewModuleInstance is called once per VU that imports the module (in its init context): it also
// registers the module's metrics.
func (r *RootModule) NewModuleInstance(vu modules.VU) modules.Instance {
	mi := &ModuleInstance{vu: vu, metrics: newVUMetrics(vu), causes: r.causes, open: r.open}
	if env := vu.InitEnv(); env != nil && env.TestPreInitState != nil {
		mi.initLogger = env.Logger
	}
	r.watch.Do(func() {
		r.open.closeAtTestEnd(vu, func(err error) {
			if mi.initLogger != nil {
				mi.initLogger.Warnf("spacetimedb: %v: sockets still open at the end of the test end without a close frame", err)
			}
		})
	})
	return mi
}

// Exports exposes the Client class and failureCauses().
func (mi *ModuleInstance) Exports() modules.Exports {
	return modules.Exports{
		Named:   map[string]any{"Client": mi.newClient, "failureCauses": mi.failureCauses},
		Default: map[string]any{"Client": mi.newClient, "failureCauses": mi.failureCauses},
	}
}

// jsClient binds a Client to one VU's runtime and event loop.
type jsClient struct {
	vu modules.VU
	rt *sobek.Runtime
	c  *Client
	m  *vuMetrics
}

func (mi *ModuleInstance) newClient(call sobek.ConstructorCall) *sobek.Object {
	rt := mi.vu.Runtime()
	var raw any
	if arg := call.Argument(0); !sobek.IsUndefined(arg) && !sobek.IsNull(arg) {
		raw = arg.Export()
	}
	opts, err := parseOptions(raw)
	if err != nil {
		common.Throw(rt, err)
	}
	c := NewClient(opts)
	mi.open.add(c)
	mi.metrics.bind(c)
	c.causes = mi.registry()
	c.LogFn = mi.logger
	vu := mi.vu
	c.EnvFn = func() DialEnv {
		st := vu.State()
		if st == nil {
			return DialEnv{}
		}
		env := DialEnv{}
		if st.Dialer != nil {
			env.Dial = st.Dialer.DialContext
		}
		if st.TLSConfig != nil {
			env.TLS = st.TLSConfig.Clone()
			env.TLS.NextProtos = []string{"http/1.1"}
		}
		return env
	}
	b := &jsClient{vu: vu, rt: rt, c: c, m: mi.metrics}
	obj := rt.NewObject()
	for name, fn := range map[string]func(sobek.FunctionCall) sobek.Value{
		"connect":         b.connect,
		"callReducer":     b.callReducer,
		"subscribe":       b.subscribe,
		"subscribeSingle": b.subscribeSingle,
		"oneOffQuery":     b.oneOffQuery,
		"pipeline":        b.pipeline,
		"isOpen":          b.isOpen,
		"close":           b.close,
	} {
		if err := obj.Set(name, fn); err != nil {
			common.Throw(rt, err)
		}
	}
	return obj
}

func (b *jsClient) throwf(format string, args ...any) {
	panic(b.rt.NewTypeError(fmt.Sprintf(format, args...)))
}

func (b *jsClient) stringArg(call sobek.FunctionCall, i int, method, name string) string {
	s, ok := call.Argument(i).Export().(string)
	if !ok {
		b.throwf("spacetimedb: %s: %s must be a string", method, name)
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// pending reserves an event-loop callback for one operation: the VU's event loop waits for it only
// until deliver has been called. The counts are pushed as metric samples when the VU's last operation
// in flight settles (see vuMetrics).
func (b *jsClient) pending() (*sobek.Promise, func(func() sobek.Value), func(error)) {
	p, resolve, reject := b.rt.NewPromise()
	enqueue := b.vu.RegisterCallback()
	b.m.began()
	deliver := func(value func() sobek.Value) {
		enqueue(func() error {
			b.m.settled()
			return resolve(value())
		})
	}
	fail := func(err error) {
		enqueue(func() error {
			b.m.settled()
			return reject(b.rt.NewGoError(err))
		})
	}
	return p, deliver, fail
}

func (b *jsClient) connect(sobek.FunctionCall) sobek.Value {
	p, deliver, fail := b.pending()
	b.c.Connect(b.vu.Context(), func(r ConnectResult) {
		if r.Err != nil {
			fail(r.Err)
			return
		}
		deliver(func() sobek.Value {
			o := b.rt.NewObject()
			_ = o.Set("identity", r.Identity)
			_ = o.Set("connectionId", r.ConnectionID)
			_ = o.Set("connectMs", ms(r.ConnectTime))
			_ = o.Set("reused", r.Reused)
			_ = o.Set("attempts", r.Attempts)
			return o
		})
	})
	return b.rt.ToValue(p)
}

func (b *jsClient) callReducer(call sobek.FunctionCall) sobek.Value {
	reducer := b.stringArg(call, 0, "callReducer", "reducer")
	if reducer == "" {
		b.throwf("spacetimedb: callReducer: reducer must not be empty")
	}
	args := b.stringArg(call, 1, "callReducer", "argsJson (the JSON text of the arguments array)")
	var flags uint8
	if f := call.Argument(2); !sobek.IsUndefined(f) && !sobek.IsNull(f) {
		switch f.ToFloat() {
		case 0:
		case 1:
			flags = 1
		default:
			b.throwf("spacetimedb: callReducer: flags must be 0 (full update) or 1 (no success notification), got %v", f)
		}
	}
	rec := b.recordArg(call, 3, "callReducer")
	p, deliver, _ := b.pending()
	b.c.CallReducer(b.vu.Context(), reducer, args, flags, func(out Outcome) {
		deliver(func() sobek.Value {
			if rec != nil {
				b.m.pushOperation((*samples).call, out, rec)
			}
			return b.callOutcome(out)
		})
	})
	return b.rt.ToValue(p)
}

// recordArg reads the optional `record` argument at i ({kind, records}: the extension records the
// operation's metrics itself, see callmetrics.go); nil when it is not given.
func (b *jsClient) recordArg(call sobek.FunctionCall, i int, method string) *Record {
	arg := call.Argument(i)
	if sobek.IsUndefined(arg) || sobek.IsNull(arg) {
		return nil
	}
	rec, err := parseRecord(arg.Export())
	if err != nil {
		b.throwf("spacetimedb: %s: %v", method, err)
	}
	return rec
}

func (b *jsClient) callOutcome(out Outcome) sobek.Value {
	rt := b.rt
	o := rt.NewObject()
	_ = o.Set("status", out.Status)
	_ = o.Set("requestId", out.RequestID)
	_ = o.Set("latencyMs", ms(out.Latency))
	if out.Err != "" {
		_ = o.Set("error", out.Err)
	}
	_ = o.Set("inserts", out.Inserts)
	_ = o.Set("deletes", out.Deletes)
	_ = o.Set("updates", out.Updates)
	tables := make([]any, len(out.Tables))
	for i, t := range out.Tables {
		tables[i] = t
	}
	_ = o.Set("tables", rt.NewArray(tables...))
	_ = o.Set("bytesSent", out.BytesSent)
	_ = o.Set("bytesReceived", out.BytesReceived)
	return o
}

func (b *jsClient) queryOutcome(out Outcome) sobek.Value {
	o := b.rt.NewObject()
	_ = o.Set("status", out.Status)
	_ = o.Set("latencyMs", ms(out.Latency))
	_ = o.Set("rows", out.Rows)
	if out.Err != "" {
		_ = o.Set("error", out.Err)
	}
	_ = o.Set("bytesReceived", out.BytesReceived)
	return o
}

func (b *jsClient) query(run func(done func(Outcome))) sobek.Value {
	p, deliver, _ := b.pending()
	run(func(out Outcome) {
		deliver(func() sobek.Value { return b.queryOutcome(out) })
	})
	return b.rt.ToValue(p)
}

func (b *jsClient) subscribe(call sobek.FunctionCall) sobek.Value {
	var queries []string
	if err := b.rt.ExportTo(call.Argument(0), &queries); err != nil || len(queries) == 0 ||
		sobek.IsUndefined(call.Argument(0)) || sobek.IsNull(call.Argument(0)) {
		b.throwf("spacetimedb: subscribe: queries must be a non-empty array of SQL strings")
	}
	for _, q := range queries {
		if q == "" {
			b.throwf("spacetimedb: subscribe: queries must not contain an empty string")
		}
	}
	return b.query(func(done func(Outcome)) { b.c.Subscribe(b.vu.Context(), queries, done) })
}

func (b *jsClient) subscribeSingle(call sobek.FunctionCall) sobek.Value {
	q := b.stringArg(call, 0, "subscribeSingle", "query")
	return b.query(func(done func(Outcome)) { b.c.SubscribeSingle(b.vu.Context(), q, done) })
}

func (b *jsClient) oneOffQuery(call sobek.FunctionCall) sobek.Value {
	q := b.stringArg(call, 0, "oneOffQuery", "query")
	rec := b.recordArg(call, 1, "oneOffQuery")
	if rec != nil {
		rec.Kind = "read"
	}
	p, deliver, _ := b.pending()
	b.c.OneOffQuery(b.vu.Context(), q, func(out Outcome) {
		deliver(func() sobek.Value {
			if rec != nil {
				b.m.pushOperation((*samples).query, out, rec)
			}
			return b.queryOutcome(out)
		})
	})
	return b.rt.ToValue(p)
}

// The most calls pipeline keeps in flight on one socket.
const maxPipelineDepth = 10000

// pipeline(reducer, argsJson, depth, sliceMs, record?): Client.Pipeline for one time slice of an
// iteration; every call's metrics recorded from Go when `record` is given. Resolves with
// {calls, committed, failed, errors, elapsedMs}.
func (b *jsClient) pipeline(call sobek.FunctionCall) sobek.Value {
	reducer := b.stringArg(call, 0, "pipeline", "reducer")
	if reducer == "" {
		b.throwf("spacetimedb: pipeline: reducer must not be empty")
	}
	args := b.stringArg(call, 1, "pipeline", "argsJson (the JSON text of the arguments array)")
	depth := call.Argument(2).ToInteger()
	if depth < 1 || depth > maxPipelineDepth {
		b.throwf("spacetimedb: pipeline: depth must be a whole number from 1 to %d, got %v", maxPipelineDepth, call.Argument(2))
	}
	sliceMs := call.Argument(3).ToFloat()
	if !(sliceMs > 0) {
		b.throwf("spacetimedb: pipeline: sliceMs must be more than 0, got %v", call.Argument(3))
	}
	rec := b.recordArg(call, 4, "pipeline")
	ctx, state := b.vu.Context(), b.vu.State()
	if state == nil {
		b.throwf("spacetimedb: pipeline runs in a VU iteration, not in the init stage")
	}
	tm := state.Tags.GetCurrentValues()
	var each func(Outcome)
	var batch *callBatch
	if rec != nil {
		batch = newCallBatch(b.m.calls, ctx, state, tm)
		each = func(out Outcome) { batch.add(out, rec) }
	}
	p, deliver, _ := b.pending()
	go func() {
		res := b.c.Pipeline(ctx, reducer, args, int(depth), time.Duration(sliceMs*float64(time.Millisecond)), each)
		batch.flush()
		deliver(func() sobek.Value {
			o := b.rt.NewObject()
			_ = o.Set("calls", res.Calls)
			_ = o.Set("committed", res.Committed)
			_ = o.Set("failed", res.Failed)
			_ = o.Set("errors", res.Errors)
			_ = o.Set("elapsedMs", ms(res.Elapsed))
			return o
		})
	}()
	return b.rt.ToValue(p)
}

func (b *jsClient) isOpen(sobek.FunctionCall) sobek.Value {
	return b.rt.ToValue(b.c.IsOpen())
}

func (b *jsClient) close(sobek.FunctionCall) sobek.Value {
	b.c.Close()
	b.m.pushFromLoop()
	return sobek.Undefined()
}
