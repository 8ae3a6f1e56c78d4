package spacetimedb

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", `["c1",1]`, "quote\" back\\slash", "ctl\x00\x01\x1f\n\r\t", "ünï — 😀", "bad\xffutf8", "<&>"} {
		got := appendJSONString(nil, s)
		var back string
		require.NoError(t, json.Unmarshal(got, &back), "%q -> %s", s, got)
		want, _ := json.Marshal(s)
		var wantBack string
		_ = json.Unmarshal(want, &wantBack)
		assert.Equal(t, wantBack, back, "%q", s)
	}
}

func TestFramesAreValidJSON(t *testing.T) {
	t.Parallel()
	for _, f := range [][]byte{
		appendCallReducer(nil, "increment", `["c\"1",1]`, 4294967295, 1),
		appendSubscribe(nil, []string{"SELECT * FROM a", "SELECT * FROM b WHERE x = 'y'"}, 7),
		appendSubscribeSingle(nil, "SELECT * FROM a", 8, 9),
		appendOneOffQuery(nil, "00ff", "SELECT * FROM a"),
	} {
		var v map[string]map[string]any
		require.NoError(t, json.Unmarshal(f, &v), string(f))
		assert.Len(t, v, 1)
	}
	var cr struct {
		CallReducer struct {
			Args      string  `json:"args"`
			RequestID uint32  `json:"request_id"`
			Flags     float64 `json:"flags"`
		}
	}
	require.NoError(t, json.Unmarshal(appendCallReducer(nil, "r", `["c\"1",1]`, 4294967295, 1), &cr))
	assert.Equal(t, `["c\"1",1]`, cr.CallReducer.Args)
	assert.Equal(t, uint32(4294967295), cr.CallReducer.RequestID)
}

func TestSplitVariant(t *testing.T) {
	t.Parallel()
	name, payload, err := splitVariant([]byte(`{"TransactionUpdateLight":{"request_id":1}}`))
	require.NoError(t, err)
	assert.Equal(t, "TransactionUpdateLight", string(name))
	assert.Equal(t, `{"request_id":1}`, string(payload))
	name, payload, err = splitVariant([]byte(" { \"IdentityToken\" :\n {\"a\":1} } "))
	require.NoError(t, err)
	assert.Equal(t, "IdentityToken", string(name))
	assert.Equal(t, `{"a":1}`, string(payload))
	name, _, err = splitVariant([]byte(`{"Odd\u0041":{}}`))
	require.NoError(t, err)
	assert.Equal(t, "OddA", string(name))
	_, _, err = splitVariant([]byte(`[1]`))
	assert.Error(t, err)
}

func TestRowCount(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]int{
		`[]`: 0, ` [ ] `: 0, `null`: 0, `["a"]`: 1, `["a,b","c]\"",  "d"]`: 3,
		`[{"a":[1,2]},{"b":"}"}]`: 2, `[[1,2],[3]]`: 2,
	} {
		var r rowCount
		require.NoError(t, json.Unmarshal([]byte(src), &r), src)
		assert.Equal(t, want, int(r), src)
	}
}

func TestSpecialValues(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "0xabc", identityString(json.RawMessage(`{"__identity__":"0xabc"}`)))
	assert.Equal(t, "0xabc", identityString(json.RawMessage(`"0xabc"`)))
	assert.Equal(t, "340282366920938463463374607431768211455",
		connectionIDString(json.RawMessage(`{"__connection_id__":340282366920938463463374607431768211455}`)))
}
