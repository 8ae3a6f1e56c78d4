package dataset

import (
	"encoding/json"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testSchema(t testing.TB) *Schema {
	t.Helper()
	text, err := os.ReadFile("testdata/schema.yaml")
	require.NoError(t, err)
	s, err := ParseSchema(string(text))
	require.NoError(t, err)
	return s
}

// dump is the JSON of rows 0..n-1 of every table.
func dump(t testing.TB, d *Dataset, n int) []byte {
	t.Helper()
	var out []map[string]any
	for _, name := range d.Tables() {
		for i := 0; i < n; i++ {
			row, err := d.RowMap(name, uint64(i))
			require.NoError(t, err)
			out = append(out, row)
		}
	}
	b, err := json.Marshal(out)
	require.NoError(t, err)
	return b
}

func TestSameSeedSameBytesOtherSeedOthers(t *testing.T) {
	s := testSchema(t)
	a := dump(t, Open(s, 42), 1000)
	b := dump(t, Open(testSchema(t), 42), 1000) // parsed again: nothing depends on the parse
	require.Equal(t, a, b, "two generations with seed 42")
	c := dump(t, Open(s, 43), 1000)
	require.NotEqual(t, a, c, "seed 43 gives other rows")

	// seed 43 changes every random column (not sequential, pattern {index}, static, null)
	r42, _ := Open(s, 42).RowMap("users", 7)
	r43, _ := Open(s, 43).RowMap("users", 7)
	for _, col := range []string{"uid", "handle"} {
		assert.NotEqual(t, r42[col], r43[col], col)
	}
	for _, col := range []string{"id", "email", "country", "deleted_at"} {
		assert.Equal(t, r42[col], r43[col], col)
	}
}

func TestRandomAccess(t *testing.T) {
	d := Open(testSchema(t), 42)
	seq := make([]map[string]any, 0, 1000)
	for i := 0; i < 1000; i++ {
		row, err := d.RowMap("users", uint64(i))
		require.NoError(t, err)
		seq = append(seq, row)
	}
	// a fresh dataset asked for row 500 alone, then the rows backwards
	fresh := Open(testSchema(t), 42)
	alone, err := fresh.RowMap("users", 500)
	require.NoError(t, err)
	assert.Equal(t, seq[500], alone)
	for i := 999; i >= 0; i -= 37 {
		row, _ := fresh.RowMap("users", uint64(i))
		assert.Equal(t, seq[i], row, "row %d", i)
	}
	// and a table's rows do not depend on the other tables' being asked for
	only := Open(testSchema(t), 42)
	o1, _ := only.RowMap("orders", 3)
	o2, _ := d.RowMap("orders", 3)
	assert.Equal(t, o1, o2)
}

func TestConcurrentRows(t *testing.T) {
	d := Open(testSchema(t), 7)
	want, _ := d.RowMap("users", 123)
	done := make(chan map[string]any, 8)
	for g := 0; g < 8; g++ {
		go func() {
			var last map[string]any
			for i := 0; i < 200; i++ {
				last, _ = d.RowMap("users", 123)
			}
			done <- last
		}()
	}
	for g := 0; g < 8; g++ {
		assert.Equal(t, want, <-done)
	}
}

var (
	uuidRe   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	handleRe = regexp.MustCompile(`^h-[0-9]{6}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-\{x\}$`)
)

func TestGeneratorRangesAndShapes(t *testing.T) {
	d := Open(testSchema(t), 42)
	lo, _ := time.Parse(time.RFC3339, "2024-01-01T00:00:00Z")
	hi, _ := time.Parse(time.RFC3339, "2024-12-31T21:59:59Z")
	ages, plans, trues, uids := map[int64]bool{}, map[any]int{}, 0, map[string]bool{}
	const n = 5000
	for i := 0; i < n; i++ {
		r, err := d.RowMap("users", uint64(i))
		require.NoError(t, err)
		assert.Equal(t, int64(1+i), r["id"])
		uid := r["uid"].(string)
		assert.Regexp(t, uuidRe, uid)
		uids[uid] = true
		assert.Equal(t, "user_"+itoa(i)+"@test.com", r["email"])
		assert.Regexp(t, handleRe, r["handle"])
		age := r["age"].(int64)
		assert.True(t, age >= 18 && age <= 90, "age %d", age)
		ages[age] = true
		score := r["score"].(float64)
		assert.True(t, score >= -1.5 && score < 2.5, "score %v", score)
		bal := r["balance"].(float64)
		assert.True(t, bal >= 0 && bal <= 1000, "balance %v", bal)
		cents := bal * 100
		assert.InDelta(t, cents, float64(int64(cents+0.5)), 1e-6, "balance %v has 2 decimals", bal)
		ts, err := time.Parse(time.RFC3339, r["created_at"].(string))
		require.NoError(t, err)
		assert.Regexp(t, `Z$`, r["created_at"], "UTC")
		assert.False(t, ts.Before(lo) || ts.After(hi), "created_at %v", ts)
		if r["active"].(bool) {
			trues++
		}
		plans[r["plan"]]++
		tags := r["tags"].([]any)
		assert.True(t, len(tags) >= 1 && len(tags) <= 3, "tags %v", tags)
		seen := map[any]bool{}
		for _, tag := range tags {
			assert.Contains(t, []any{"a", "b", "c", "d", "e"}, tag)
			assert.False(t, seen[tag], "distinct tags %v", tags)
			seen[tag] = true
		}
		assert.Equal(t, "FR", r["country"])
		assert.Nil(t, r["deleted_at"])
		sess := r["session"].(int64)
		assert.True(t, sess >= 60 && sess <= 3600)
	}
	assert.Len(t, uids, n, "uuids are distinct")
	assert.Len(t, ages, 73, "every age from 18 to 90 comes out")
	assert.InDelta(t, 0.8, float64(trues)/n, 0.03, "true_weight 0.8")
	assert.Len(t, plans, 3)
	for plan, count := range plans {
		assert.InDelta(t, n/3, count, n/10, "plan %v", plan)
	}
	for i := 0; i < 200; i++ {
		o, _ := d.RowMap("orders", uint64(i))
		amount := o["amount"].(float64)
		assert.True(t, amount >= 1.5 && amount <= 99.99, "amount %v", amount)
		assert.Regexp(t, uuidRe, o["id"])
	}
}

func TestTimestampNowIsNow(t *testing.T) {
	s, err := ParseSchema("version: 1\ntables:\n  - name: t\n    id: {type: timestamp, generator: {type: timestamp_now}}\n")
	require.NoError(t, err)
	r, _ := Open(s, 1).RowMap("t", 0)
	ts, err := time.Parse(time.RFC3339, r["id"].(string))
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), ts, 2*time.Second)
}

func TestFullIntRangeAndExtremes(t *testing.T) {
	s, err := ParseSchema(`version: 1
tables:
  - name: t
    id: {type: big_int, generator: {type: int_range, min: -9223372036854775808, max: 9223372036854775807}}
    fields:
      - {name: one, type: int, generator: {type: int_range, min: 5, max: 5}}
      - {name: never, type: bool, generator: {type: weighted_bool, true_weight: 0}}
      - {name: always, type: bool, generator: {type: weighted_bool, true_weight: 1}}
`)
	require.NoError(t, err)
	d := Open(s, -3)
	for i := 0; i < 100; i++ {
		r, _ := d.RowMap("t", uint64(i))
		assert.Equal(t, int64(5), r["one"])
		assert.Equal(t, false, r["never"])
		assert.Equal(t, true, r["always"])
	}
}

func TestColumnsAndUnknownTable(t *testing.T) {
	d := Open(testSchema(t), 1)
	assert.Equal(t, []string{"users", "orders"}, d.Tables())
	tb, err := d.Table("users")
	require.NoError(t, err)
	assert.Equal(t, "id", tb.Columns[0].Name)
	assert.Equal(t, "big_int", tb.Columns[0].Type)
	assert.Equal(t, "var_char", tb.Columns[2].Type)
	_, err = d.RowMap("nope", 0)
	assert.EqualError(t, err, `dataset: no table "nope" in the schema (tables: orders, users)`)
}

func itoa(i int) string { return json.Number(jsonInt(i)).String() }

func jsonInt(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
