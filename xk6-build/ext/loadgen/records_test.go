package loadgen

import (
	"testing"

	"github.com/grafana/sobek"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.k6.io/k6/v2/js/common"
)

func compileJS(t *testing.T, src string) (*recordTemplate, error) {
	t.Helper()
	rt := sobek.New()
	rt.SetFieldNameMapper(common.FieldNameMapper{})
	v, err := rt.RunString("(" + src + ")")
	require.NoError(t, err)
	return compileRecords(rt, v)
}

func TestRecordsRenderNumberedFieldsAndTexts(t *testing.T) {
	tpl, err := compileJS(t, `{ head: "<a>", tail: "</a>", parts: ["<r id=", " t=", " u=", " k=", "/>"],
		fields: [{ n: {} }, { arg: 0 }, { n: { modulo: 1000 } }, { n: { offset: -1, modulo: 3, plus: 1 } }] }`)
	require.NoError(t, err)
	body, err := tpl.render(999, 3, []string{"T"})
	require.NoError(t, err)
	assert.Equal(t, "<a><r id=999 t=T u=999 k=3/><r id=1000 t=T u=0 k=1/><r id=1001 t=T u=1 k=2/></a>", string(body))
	empty, err := tpl.render(1, 0, []string{"T"})
	require.NoError(t, err)
	assert.Equal(t, "<a></a>", string(empty))
}

func TestRecordsRefuseMalformedTemplatesAndMissingTexts(t *testing.T) {
	for src, want := range map[string]string{
		`{ head: "", tail: "", parts: ["a"], fields: [{ n: {} }] }`:                   "one part more than fields",
		`{ head: "", tail: "", parts: ["a", "b"], fields: [{ x: 1 }] }`:               "field 0: must be { n:",
		`{ head: "", tail: "", parts: ["a", "b"], fields: [{ arg: -1 }] }`:            "{ arg } must be an integer 0..64",
		`{ head: "", tail: "", parts: ["a", "b"], fields: [{ n: { modulo: 1.5 } }] }`: "n.modulo must be an integer",
		`{ head: "", tail: "", parts: ["a", "b"], fields: [{ n: { modulo: -2 } }] }`:  "n.modulo must be 0 (none) or positive",
	} {
		_, err := compileJS(t, src)
		require.Error(t, err, src)
		assert.Contains(t, err.Error(), want, src)
	}
	tpl, err := compileJS(t, `{ head: "", tail: "", parts: ["a", "b"], fields: [{ arg: 1 }] }`)
	require.NoError(t, err)
	_, err = tpl.render(1, 1, []string{"only one"})
	assert.ErrorContains(t, err, "needs render(first, count, texts) with at least 2 texts")
}
