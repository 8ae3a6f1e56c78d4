package dataset

import (
	"os"
	"testing"

	"github.com/grafana/sobek"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.k6.io/k6/v2/js/modulestest"
)

// newJSVU is a VU that imported the module: open is a global, the test schema is SCHEMA.
func newJSVU(t testing.TB) *modulestest.Runtime {
	t.Helper()
	rt := modulestest.NewRuntime(t)
	mi, ok := New().NewModuleInstance(rt.VU).(*ModuleInstance)
	require.True(t, ok)
	for name, fn := range mi.Exports().Named {
		require.NoError(t, rt.VU.Runtime().Set(name, fn))
	}
	text, err := os.ReadFile("testdata/schema.yaml")
	require.NoError(t, err)
	require.NoError(t, rt.VU.Runtime().Set("SCHEMA", string(text)))
	return rt
}

func run(t testing.TB, rt *modulestest.Runtime, code string) sobek.Value {
	t.Helper()
	v, err := rt.VU.Runtime().RunString(code)
	require.NoError(t, err)
	return v
}

func TestJSRowsAreDeterministic(t *testing.T) {
	code := `(() => { const d = open(SCHEMA, 42); const out = [];
		for (const table of d.tables()) for (let i = 0; i < 1000; i++) out.push(d.row(table, i));
		return JSON.stringify(out); })()`
	a := run(t, newJSVU(t), code).String()
	b := run(t, newJSVU(t), code).String()
	assert.Equal(t, a, b)
	other := run(t, newJSVU(t), `JSON.stringify(open(SCHEMA, 43).row('users', 0))`).String()
	assert.NotContains(t, a, other)

	// the row object: columns in schema order, JS types
	row := run(t, newJSVU(t), `JSON.stringify(open(SCHEMA, 42).row('users', 4))`).String()
	assert.Regexp(t, `^\{"id":5,"uid":"[0-9a-f-]{36}","email":"user_4@test.com","handle":"h-\d{6}-[^"]+","age":\d+,"score":-?[\d.e-]+,"balance":[\d.]+,"created_at":"2024-[^"]+Z","active":(true|false),"plan":"(free|pro|enterprise)","tags":\[[^\]]+\],"country":"FR","deleted_at":null,"session":\d+\}$`, row)
	// the same as Go's row
	goRow, _ := Open(testSchema(t), 42).RowMap("users", 500)
	jsAge := run(t, newJSVU(t), `open(SCHEMA, 42).row('users', 500).age`).Export()
	assert.Equal(t, goRow["age"], jsAge)
}

func TestJSColumnsTablesSeed(t *testing.T) {
	rt := newJSVU(t)
	assert.Equal(t, `["users","orders"]`, run(t, rt, `JSON.stringify(open(SCHEMA, 1).tables())`).String())
	assert.Equal(t, `{"name":"email","type":"var_char","generator":"pattern"}`, run(t, rt, `JSON.stringify(open(SCHEMA, 1).columns('users')[2])`).String())
	assert.Equal(t, int64(9007199254740991), run(t, rt, `open(SCHEMA, 9007199254740991).seed`).Export())
}

func TestJSErrors(t *testing.T) {
	cases := map[string]string{
		`open(SCHEMA.replace('int_range', 'int_ranje'), 1)`: `table "users", field "age": unknown generator "int_ranje"`,
		`open(42, 1)`:                           `schemaText must be the schema's YAML text`,
		`open(SCHEMA)`:                          `seed must be an integer from -9007199254740991 to 9007199254740991, got undefined`,
		`open(SCHEMA, 1.5)`:                     `seed must be an integer`,
		`open(SCHEMA, 1).row('nope', 0)`:        `no table "nope" in the schema (tables: orders, users)`,
		`open(SCHEMA, 1).row('users', -1)`:      `index must be an integer from 0 to 9007199254740991, got -1`,
		`open(SCHEMA, 1).row('users', 2.5)`:     `index must be an integer`,
		`open(SCHEMA, 1).row('users', '3')`:     `index must be an integer`,
		`open(SCHEMA, 1).row('users', 2 ** 53)`: `index must be an integer`,
		`open(SCHEMA, 1).columns('nope')`:       `no table "nope"`,
	}
	for code, want := range cases {
		t.Run(code, func(t *testing.T) {
			_, err := newJSVU(t).VU.Runtime().RunString(code)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}

// BenchmarkRow: one row of the test schema's users table (14 columns, every generator), in Go.
func BenchmarkRow(b *testing.B) {
	d := Open(testSchema(b), 42)
	tb, _ := d.Table("users")
	var dst []any
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		dst = d.Row(tb, uint64(i), dst[:0])
	}
}

// BenchmarkRowSmall: a users row as the SpacetimeDB example schema has it (7 columns).
func BenchmarkRowSmall(b *testing.B) {
	text, err := os.ReadFile("../../../examples/data/users.schema.yaml")
	if err != nil {
		b.Skip("examples/data/users.schema.yaml not found")
	}
	s, err := ParseSchema(string(text))
	require.NoError(b, err)
	d := Open(s, 42)
	tb, _ := d.Table("users")
	var dst []any
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		dst = d.Row(tb, uint64(i), dst[:0])
	}
}

// BenchmarkJSRow: row() called from JS (the native call and the result object included).
func BenchmarkJSRow(b *testing.B) {
	rt := newJSVU(b)
	fn := run(b, rt, `(() => { const d = open(SCHEMA, 42); return (n) => { let x; for (let i = 0; i < n; i++) x = d.row('users', i); return x; }; })()`)
	call, ok := sobek.AssertFunction(fn)
	require.True(b, ok)
	b.ReportAllocs()
	b.ResetTimer()
	_, err := call(sobek.Undefined(), rt.VU.Runtime().ToValue(b.N))
	require.NoError(b, err)
}
