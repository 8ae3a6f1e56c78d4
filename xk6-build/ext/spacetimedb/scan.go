package spacetimedb

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// scanner is a minimal JSON walker for the hot path (TransactionUpdate, one per reducer call): it reads
// only the fields the client needs, skips the rest without building anything, and never keeps
// references into the buffer beyond a call. Malformed input sets err; every read then returns zero.
type scanner struct {
	b   []byte
	i   int
	err error
}

var errSyntax = errors.New("malformed JSON")

func (s *scanner) fail() {
	if s.err == nil {
		s.err = errSyntax
	}
	s.i = len(s.b)
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) expect(c byte) bool {
	if s.peek() != c {
		s.fail()
		return false
	}
	s.i++
	return true
}

// rawString reads a string token and returns its bytes between the quotes (escapes left as they are).
func (s *scanner) rawString() (raw []byte, escaped bool) {
	if !s.expect('"') {
		return nil, false
	}
	start := s.i
	for {
		j := bytes.IndexByte(s.b[s.i:], '"')
		if j < 0 {
			s.fail()
			return nil, false
		}
		k := bytes.IndexByte(s.b[s.i:s.i+j], '\\')
		if k < 0 {
			s.i += j
			raw = s.b[start:s.i]
			s.i++
			return raw, escaped
		}
		escaped = true
		s.i += k + 2 // the backslash and the character it escapes
		if s.i > len(s.b) {
			s.fail()
			return nil, false
		}
	}
}

// str reads a string value.
func (s *scanner) str() string {
	s.ws()
	start := s.i
	raw, escaped := s.rawString()
	if s.err != nil {
		return ""
	}
	if !escaped {
		return string(raw)
	}
	var out string
	if err := json.Unmarshal(s.b[start:s.i], &out); err != nil {
		s.fail()
	}
	return out
}

func (s *scanner) number() []byte {
	s.ws()
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			s.i++
			continue
		}
		break
	}
	if s.i == start {
		s.fail()
	}
	return s.b[start:s.i]
}

func (s *scanner) uint32() uint32 {
	n, err := strconv.ParseUint(string(s.number()), 10, 32)
	if err != nil {
		s.fail()
	}
	return uint32(n)
}

// key moves to the next member of the object being read and returns its (raw) name; false at the
// closing brace. first must start true for each object.
func (s *scanner) key(first *bool) ([]byte, bool) {
	if s.peek() == '}' {
		s.i++
		return nil, false
	}
	if !*first && !s.expect(',') {
		return nil, false
	}
	*first = false
	k, _ := s.rawString()
	if !s.expect(':') {
		return nil, false
	}
	return k, true
}

// object reads an object, calling member for each key; member must read (or skip) the value.
func (s *scanner) object(member func(key []byte)) {
	s.expect('{')
	for first := true; ; {
		k, ok := s.key(&first)
		if !ok {
			return
		}
		member(k)
	}
}

// array reads an array, calling element for each element; element must read (or skip) it.
func (s *scanner) array(element func()) {
	s.expect('[')
	for first := true; s.elem(&first); {
		element()
	}
}

// elem moves to the next element of the array being read; false at the closing bracket.
func (s *scanner) elem(first *bool) bool {
	if s.peek() == ']' {
		s.i++
		return false
	}
	if !*first && !s.expect(',') {
		return false
	}
	*first = false
	return s.err == nil
}

// skip steps over one value of any kind.
func (s *scanner) skip() {
	switch s.peek() {
	case '"':
		s.rawString()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				s.rawString()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return
				}
			}
			s.i++
		}
		s.fail()
	case 't':
		s.literal("true")
	case 'f':
		s.literal("false")
	case 'n':
		s.literal("null")
	default:
		s.number()
	}
}

func (s *scanner) literal(lit string) {
	if !bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
		s.fail()
		return
	}
	s.i += len(lit)
}

// raw steps over one value and returns its bytes.
func (s *scanner) raw() []byte {
	s.ws()
	start := s.i
	s.skip()
	return s.b[start:s.i]
}

// count steps over an array and returns how many elements it has (null counts as empty).
func (s *scanner) count() int {
	if s.peek() == 'n' {
		s.literal("null")
		return 0
	}
	n := 0
	s.array(func() {
		s.skip()
		n++
	})
	return n
}

// txUpdate is what the client reads from a TransactionUpdate.
type txUpdate struct {
	committed   bool
	failed      bool
	outOfEnergy bool
	failMessage string
	stats       commitStats
	connID      []byte // aliases the input: compare before the buffer is reused
	noReducer   bool   // reducer_name is empty: not a reducer call (a refused legacy Subscribe)
	requestID   uint32
}

func decodeTransactionUpdate(b []byte) (txUpdate, error) {
	var m txUpdate
	s := scanner{b: b}
	s.object(func(k []byte) {
		switch string(k) {
		case "status":
			s.object(func(k []byte) {
				switch string(k) {
				case "Committed":
					m.committed = true
					m.stats = s.databaseUpdate()
				case "Failed":
					m.failed = true
					m.failMessage = s.str()
				case "OutOfEnergy":
					m.outOfEnergy = true
					s.skip()
				default:
					s.skip()
				}
			})
		case "caller_connection_id":
			m.connID = s.raw()
		case "reducer_call":
			s.object(func(k []byte) {
				switch string(k) {
				case "reducer_name":
					raw, _ := s.rawString()
					m.noReducer = len(raw) == 0
				case "request_id":
					m.requestID = s.uint32()
				default:
					s.skip()
				}
			})
		default:
			s.skip()
		}
	})
	return m, s.err
}

// databaseUpdate reads {"tables":[{"table_name":..,"updates":[{"deletes":[..],"inserts":[..]}]}]}.
func (s *scanner) databaseUpdate() commitStats {
	st := commitStats{tables: []string{}}
	s.object(func(k []byte) {
		if string(k) != "tables" {
			s.skip()
			return
		}
		s.array(func() {
			ins, del := 0, 0
			s.object(func(k []byte) {
				switch string(k) {
				case "table_name":
					st.tables = append(st.tables, s.str())
				case "updates":
					s.array(func() {
						s.object(func(k []byte) {
							switch string(k) {
							case "deletes":
								del += s.count()
							case "inserts":
								ins += s.count()
							default:
								s.skip()
							}
						})
					})
				default:
					s.skip()
				}
			})
			st.inserts += ins
			st.deletes += del
			st.updates += min(ins, del)
		})
	})
	return st
}
