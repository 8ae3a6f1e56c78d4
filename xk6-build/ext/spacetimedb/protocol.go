package spacetimedb

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"
)

// Subprotocol is the only JSON flavour of the SpacetimeDB WebSocket API.
const Subprotocol = "v1.json.spacetimedb"

// ---- client -> server frames (built by hand: they are small and on the hot path) ----

func appendCallReducer(b []byte, reducer, args string, requestID uint32, flags uint8) []byte {
	b = append(b, `{"CallReducer":{"reducer":`...)
	b = appendJSONString(b, reducer)
	b = append(b, `,"args":`...)
	b = appendJSONString(b, args)
	b = append(b, `,"request_id":`...)
	b = strconv.AppendUint(b, uint64(requestID), 10)
	b = append(b, `,"flags":`...)
	b = strconv.AppendUint(b, uint64(flags), 10)
	return append(b, "}}"...)
}

func appendSubscribe(b []byte, queries []string, requestID uint32) []byte {
	b = append(b, `{"Subscribe":{"query_strings":[`...)
	for i, q := range queries {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, q)
	}
	b = append(b, `],"request_id":`...)
	b = strconv.AppendUint(b, uint64(requestID), 10)
	return append(b, "}}"...)
}

func appendSubscribeSingle(b []byte, query string, requestID, queryID uint32) []byte {
	b = append(b, `{"SubscribeSingle":{"query":`...)
	b = appendJSONString(b, query)
	b = append(b, `,"request_id":`...)
	b = strconv.AppendUint(b, uint64(requestID), 10)
	b = append(b, `,"query_id":{"id":`...)
	b = strconv.AppendUint(b, uint64(queryID), 10)
	return append(b, "}}}"...)
}

func appendOneOffQuery(b []byte, messageID, query string) []byte {
	b = append(b, `{"OneOffQuery":{"message_id":`...)
	b = appendJSONString(b, messageID)
	b = append(b, `,"query_string":`...)
	b = appendJSONString(b, query)
	return append(b, "}}"...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal (invalid UTF-8 becomes U+FFFD).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// ---- server -> client messages ----

// splitVariant splits a SATS-JSON sum value `{"Variant":payload}` into its name and payload without
// decoding the payload. The name aliases data.
func splitVariant(data []byte) ([]byte, []byte, error) {
	d := bytes.TrimSpace(data)
	if len(d) < 2 || d[0] != '{' || d[len(d)-1] != '}' {
		return nil, nil, errors.New("server message is not a JSON object")
	}
	inner := bytes.TrimSpace(d[1 : len(d)-1])
	if len(inner) > 0 && inner[0] == '"' {
		end := bytes.IndexByte(inner[1:], '"')
		if end >= 0 && bytes.IndexByte(inner[1:end+1], '\\') < 0 {
			name := inner[1 : end+1]
			rest := bytes.TrimSpace(inner[end+2:])
			if len(rest) > 0 && rest[0] == ':' {
				return name, bytes.TrimSpace(rest[1:]), nil
			}
		}
	}
	// Unusual spacing or escapes: let encoding/json do it.
	var m map[string]json.RawMessage
	if err := json.Unmarshal(d, &m); err != nil {
		return nil, nil, err
	}
	if len(m) != 1 {
		return nil, nil, errors.New("server message has no single variant")
	}
	for k, v := range m {
		return []byte(k), v, nil
	}
	return nil, nil, errors.New("unreachable")
}

// rowCount decodes a JSON array and keeps only its length (rows are never looked into).
type rowCount int

func (r *rowCount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*r = 0
		return nil
	}
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return errors.New("row list is not an array")
	}
	n, depth, inString, escaped, empty := 0, 0, false, false, true
	for _, c := range b[1 : len(b)-1] {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			inString = true
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		case ',':
			if depth == 0 {
				n++
			}
		}
		empty = false
	}
	if !empty {
		n++
	}
	*r = rowCount(n)
	return nil
}

type queryUpdateJSON struct {
	Deletes rowCount `json:"deletes"`
	Inserts rowCount `json:"inserts"`
}

type tableUpdateJSON struct {
	TableName string            `json:"table_name"`
	Updates   []queryUpdateJSON `json:"updates"`
}

type databaseUpdateJSON struct {
	Tables []tableUpdateJSON `json:"tables"`
}

type identityTokenJSON struct {
	Identity     json.RawMessage `json:"identity"`
	Token        string          `json:"token"`
	ConnectionID json.RawMessage `json:"connection_id"`
}

type initialSubscriptionJSON struct {
	DatabaseUpdate databaseUpdateJSON `json:"database_update"`
	RequestID      uint32             `json:"request_id"`
}

type subscribeAppliedJSON struct {
	RequestID uint32 `json:"request_id"`
	Rows      struct {
		TableRows queryUpdateJSON `json:"table_rows"`
	} `json:"rows"`
}

// option is SATS-JSON Option<T>: {"some":v} / {"none":[]} (a bare value or null is accepted too).
type option[T any] struct {
	Set   bool
	Value T
}

func (o *option[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] != '{' {
		if bytes.Equal(b, []byte("null")) {
			return nil
		}
		o.Set = true
		return json.Unmarshal(b, &o.Value)
	}
	var v struct {
		Some *T `json:"some"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v.Some != nil {
		o.Set, o.Value = true, *v.Some
	}
	return nil
}

type (
	optionU32    = option[uint32]
	optionString = option[string]
)

type subscriptionErrorJSON struct {
	RequestID optionU32 `json:"request_id"`
	Error     string    `json:"error"`
}

type oneOffQueryResponseJSON struct {
	MessageID string       `json:"message_id"`
	Error     optionString `json:"error"`
	Tables    []struct {
		Rows rowCount `json:"rows"`
	} `json:"tables"`
}

// commitStats sums a Committed status: row counts and the tables touched.
type commitStats struct {
	inserts, deletes, updates int
	tables                    []string
}

func (db *databaseUpdateJSON) insertCount() int {
	n := 0
	for _, t := range db.Tables {
		for _, u := range t.Updates {
			n += int(u.Inserts)
		}
	}
	return n
}

// identityString renders an Identity (`{"__identity__":"0x.."}` or a bare string) as its hex text.
func identityString(raw json.RawMessage) string {
	return unwrapSpecial(raw, "__identity__")
}

// connectionIDString renders a ConnectionId (`{"__connection_id__":N}`) as the text of N.
func connectionIDString(raw json.RawMessage) string {
	return unwrapSpecial(raw, "__connection_id__")
}

func unwrapSpecial(raw json.RawMessage, key string) string {
	raw = bytes.TrimSpace(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) == nil {
		if v, ok := m[key]; ok {
			v = bytes.TrimSpace(v)
			if json.Unmarshal(v, &s) == nil {
				return s
			}
			return string(v)
		}
	}
	return string(raw)
}
