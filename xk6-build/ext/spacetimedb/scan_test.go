package spacetimedb

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func txPayload(t *testing.T, msg []byte) []byte {
	t.Helper()
	name, payload, err := splitVariant(msg)
	require.NoError(t, err)
	require.Equal(t, "TransactionUpdate", string(name))
	return payload
}

func TestDecodeTransactionUpdate(t *testing.T) {
	t.Parallel()
	m, err := decodeTransactionUpdate(txPayload(t, benchTx))
	require.NoError(t, err)
	assert.True(t, m.committed)
	assert.Equal(t, uint32(123456), m.requestID)
	assert.False(t, m.noReducer)
	assert.Equal(t, `{"__connection_id__":211385472946517305316829127155542452341}`, string(m.connID))
	assert.Equal(t, commitStats{inserts: 1, deletes: 1, updates: 1, tables: []string{"counters"}}, m.stats)

	// Same answer from an indented copy (field order and spacing are not relied on).
	var pretty bytes.Buffer
	require.NoError(t, json.Indent(&pretty, benchTx, "", "  "))
	m2, err := decodeTransactionUpdate(txPayload(t, pretty.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, m.stats, m2.stats)
	assert.Equal(t, m.requestID, m2.requestID)

	m, err = decodeTransactionUpdate([]byte(`{"reducer_call":{"request_id":0,"reducer_name":"","args":"[\"x\\\"}\"]"},` +
		`"status":{"Failed":"bad \"query\"\n\u00e9"},"caller_connection_id":{"__connection_id__":7},"extra":[true,false,null,-1.5e3,{"a":[]}]}`))
	require.NoError(t, err)
	assert.True(t, m.failed)
	assert.True(t, m.noReducer)
	assert.Equal(t, "bad \"query\"\né", m.failMessage)
	assert.Equal(t, uint32(0), m.requestID)
	assert.Equal(t, `{"__connection_id__":7}`, string(m.connID))

	m, err = decodeTransactionUpdate([]byte(`{"status":{"OutOfEnergy":[]},"reducer_call":{"reducer_name":"x","request_id":4294967295}}`))
	require.NoError(t, err)
	assert.True(t, m.outOfEnergy)
	assert.Equal(t, uint32(4294967295), m.requestID)

	m, err = decodeTransactionUpdate([]byte(`{"status":{"Committed":{"tables":[` +
		`{"table_id":1,"table_name":"a","num_rows":3,"updates":[{"deletes":[],"inserts":["[1]","[2]"]},{"deletes":["[3]"],"inserts":[]}]},` +
		`{"table_name":"b","updates":[{"deletes":["[1]","[2]"],"inserts":["[1]","[2]","[3]"]}]}]}}}`))
	require.NoError(t, err)
	assert.Equal(t, commitStats{inserts: 5, deletes: 3, updates: 1 + 2, tables: []string{"a", "b"}}, m.stats)
}

func TestDecodeTransactionUpdateRejectsMalformedInput(t *testing.T) {
	t.Parallel()
	payload := txPayload(t, benchTx)
	for i := range len(payload) - 1 { // every truncation fails cleanly, never panics
		_, err := decodeTransactionUpdate(payload[:i])
		assert.Error(t, err, "prefix %d", i)
	}
	for _, bad := range []string{`[]`, `{"status":{"Failed":1}}`, `{"reducer_call":{"request_id":-1}}`,
		`{"reducer_call":{"request_id":4294967296}}`, `{"a" 1}`, `{"a":1,,}`, `{"a":tru}`} {
		_, err := decodeTransactionUpdate([]byte(bad))
		assert.Error(t, err, bad)
	}
}
