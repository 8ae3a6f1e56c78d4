package spacetimedb

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/grafana/sobek"
	"github.com/sirupsen/logrus"
)

// causeClass is a kind of failure whose causes are kept in a causeRegistry.
type causeClass uint8

// The failure classes, in the order failureCauses() lists them.
const (
	causeHandshake causeClass = iota // a dial refused or failed: HTTP status and reason, subprotocol, IdentityToken, first dial
	causeDrop                        // a socket closed by the server or lost (describeDrop's text)
	causeReconnect                   // a reconnect attempt that failed below HTTP (connection refused, timeout, ...)
	causeCall                        // a reducer call the server answered as failed (or out of energy)
	causeTimeout                     // a request with no answer within requestTimeoutMs
	numCauseClasses
)

var causeClassNames = [numCauseClasses]string{
	causeHandshake: "handshake",
	causeDrop:      "drop",
	causeReconnect: "reconnect",
	causeCall:      "call",
	causeTimeout:   "timeout",
}

// causeVerbs head the log line of a class's first occurrences.
var causeVerbs = [numCauseClasses]string{
	causeHandshake: "handshake failed",
	causeDrop:      "connection dropped",
	causeReconnect: "reconnect failed",
	causeCall:      "reducer call failed",
	causeTimeout:   "request timed out",
}

func (k causeClass) String() string { return causeClassNames[k] }

const (
	maxCauses   = 5    // distinct cause texts kept per class; further ones only count as 'other'
	maxCauseLen = 200  // characters of a stored cause text
	maxRawCause = 2048 // bytes of a raw text looked at
	maxMemo     = 512  // raw texts whose normalised form is remembered
)

// CauseCount is one distinct failure cause (scrubbed and normalised) and how often it occurred.
type CauseCount struct {
	Cause string
	Count int64
}

// ClassCauses are the causes of one class: the first maxCauses distinct ones with their counts, and
// the number of occurrences of any further distinct cause.
type ClassCauses struct {
	Causes []CauseCount
	Other  int64
}

// causeRegistry counts failure causes by class. One (processCauses) is shared by every VU of the
// process; the first occurrence of each kept cause is logged once.
type causeRegistry struct {
	mu      sync.Mutex
	classes [numCauseClasses]ClassCauses
	memo    map[memoKey]string // raw text → stored text (scrubbing and normalising is not free)
}

type memoKey struct {
	class      causeClass
	token, raw string
}

// processCauses is the registry of the k6 process (New uses it).
var processCauses = newCauseRegistry()

func newCauseRegistry() *causeRegistry {
	return &causeRegistry{memo: make(map[memoKey]string)}
}

// FailureCauses returns the failure causes recorded so far in this process, by class name
// (handshake, drop, reconnect, call, timeout).
func FailureCauses() map[string]ClassCauses { return processCauses.snapshot() }

// record counts one occurrence of raw in class (scrubbed of token and credentials, then normalised)
// and returns the line to log: non-empty for the first occurrence of a kept cause, and for the first
// cause that only counts as 'other'.
func (r *causeRegistry) record(class causeClass, raw, token string) string {
	if len(raw) > maxRawCause {
		raw = raw[:maxRawCause]
	}
	key := memoKey{class: class, token: token, raw: raw}
	r.mu.Lock()
	cause, ok := r.memo[key]
	r.mu.Unlock()
	if !ok {
		cause = normaliseCause(class, scrub(raw, token))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !ok && len(r.memo) < maxMemo {
		r.memo[key] = cause
	}
	cc := &r.classes[class]
	for i := range cc.Causes {
		if cc.Causes[i].Cause == cause {
			cc.Causes[i].Count++
			return ""
		}
	}
	if len(cc.Causes) < maxCauses {
		cc.Causes = append(cc.Causes, CauseCount{Cause: cause, Count: 1})
		return fmt.Sprintf("spacetimedb: %s: %s (first of its kind; all causes are in the summary)", causeVerbs[class], cause)
	}
	cc.Other++
	if cc.Other == 1 {
		return fmt.Sprintf("spacetimedb: %s: %s (more than %d distinct causes of this kind: further ones are only counted, as 'other')",
			causeVerbs[class], cause, maxCauses)
	}
	return ""
}

// snapshot copies the counts, by class name.
func (r *causeRegistry) snapshot() map[string]ClassCauses {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]ClassCauses, numCauseClasses)
	for k, cc := range r.classes {
		out[causeClassNames[k]] = ClassCauses{Causes: append([]CauseCount{}, cc.Causes...), Other: cc.Other}
	}
	return out
}

// recordCause counts a failure cause of c in its registry and logs the first of its kind.
func (c *Client) recordCause(class causeClass, text string) {
	reg := c.causes
	if reg == nil {
		reg = processCauses
	}
	line := reg.record(class, text, c.opts.Token)
	if line == "" || c.LogFn == nil {
		return
	}
	if l := c.LogFn(); l != nil {
		l.Warn(line)
	}
}

const redacted = "[redacted]"

// credential is the value after a credential's name: up to a space, quote or separator. An already
// redacted value matches as a whole, so that scrubbing a scrubbed text changes nothing.
const credential = `(?:\[redacted\]|[^\s"'&,;)\]}\[][^\s"'&,;)\]}]*)`

var (
	reBearer    = regexp.MustCompile(`(?i)\b(bearer)\s+` + credential)
	reAuthValue = regexp.MustCompile(`(?i)\b(authorization)("?\s*[:=]\s*"?)(?:(?:bearer|basic|token|digest)\s+)?` + credential)
	reTokenKV   = regexp.MustCompile(`(?i)\b((?:[a-z0-9]+[_-])?token)(\s*=\s*)` + credential)
	reTokenJSON = regexp.MustCompile(`(?i)("(?:[a-z0-9]+_)?token"\s*:\s*)"[^"]*"`)
	reJWT       = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
)

// scrub replaces the configured token and any credential-looking fragment (Bearer <...>,
// Authorization: <...>, token=<...>, "token":"...", a JWT) by [redacted].
func scrub(s, token string) string {
	if len(token) >= 3 {
		s = strings.ReplaceAll(s, token, redacted)
	}
	s = reAuthValue.ReplaceAllString(s, "${1}${2}"+redacted)
	s = reBearer.ReplaceAllString(s, "${1} "+redacted)
	s = reTokenKV.ReplaceAllString(s, "${1}${2}"+redacted)
	s = reTokenJSON.ReplaceAllString(s, `${1}"`+redacted+`"`)
	return reJWT.ReplaceAllString(s, redacted)
}

var (
	reUUID     = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	reHex0x    = regexp.MustCompile(`(?i)\b0x[0-9a-f]+\b`)
	reLongHex  = regexp.MustCompile(`(?i)\b[0-9a-f]{16,}\b`)
	reIDNumber = regexp.MustCompile(`(?i)\b((?:request|req|message|msg|query|connection|conn)[ _-]?id|id)(["']?\s*[:=#]?\s*["']?)\d+`)
	// "request 12", "request #12", "Request: 12" (not "Bad Request 400": HTTP's status line)
	reReqNumber = regexp.MustCompile(`\b((?:request|req)\s+#?|(?i:request|req)\s*[:=#]\s*)\d+`)
	reLocalEnd  = regexp.MustCompile(`(\d+\.\d+\.\d+\.\d+|\]):\d+->`)
	reLongNum   = regexp.MustCompile(`\b\d{5,}\b`)
	reAnyNum    = regexp.MustCompile(`\b\d+\b`)
	reSpaces    = regexp.MustCompile(`\s+`)
)

// normaliseCause makes occurrences of one cause equal: ids, request numbers, connection ids, local
// ports and long numbers become placeholders (in a reducer's error, every standalone number does:
// they are mostly ids), whitespace is collapsed, and the text is capped at maxCauseLen characters.
// Short numbers that carry meaning elsewhere (HTTP statuses, close codes) are kept.
func normaliseCause(class causeClass, s string) string {
	s = reUUID.ReplaceAllString(s, "<uuid>")
	s = reHex0x.ReplaceAllString(s, "0x<hex>")
	s = reLongHex.ReplaceAllString(s, "<hex>")
	s = reIDNumber.ReplaceAllString(s, "${1}${2}<n>")
	s = reReqNumber.ReplaceAllString(s, "${1}<n>")
	s = reLocalEnd.ReplaceAllString(s, "${1}:<port>->")
	if class == causeCall {
		s = reAnyNum.ReplaceAllString(s, "<n>")
	} else {
		s = replaceLongNumbers(s)
	}
	s = strings.TrimSpace(reSpaces.ReplaceAllString(s, " "))
	if s == "" {
		s = "(no reason given)"
	}
	if utf8.RuneCountInString(s) > maxCauseLen {
		r := []rune(s)
		s = string(r[:maxCauseLen-1]) + "…"
	}
	return s
}

// replaceLongNumbers replaces numbers of 5 digits or more by <n>, except a remote port (host:port):
// it tells which server a dial failed to reach.
func replaceLongNumbers(s string) string {
	idx := reLongNum.FindAllStringIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		if isPort(s, m[0], m[1]) {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString("<n>")
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

func isPort(s string, start, end int) bool {
	if start < 2 || s[start-1] != ':' || end-start > 5 || s[start:end] > "65535" && end-start == 5 {
		return false
	}
	c := s[start-2]
	return c == ']' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

var reTags = regexp.MustCompile(`<[^>]*>`)

// httpReason is the reason a server gave in the body of a refused upgrade, on one line: the text of
// an HTML page, the body as is otherwise, the status text when empty. It is scrubbed.
func httpReason(status int, body []byte, token string) string {
	s := strings.TrimSpace(strings.ToValidUTF8(string(body), "?"))
	if strings.HasPrefix(s, "<") {
		s = reTags.ReplaceAllString(s, " ")
	}
	s = strings.TrimSpace(reSpaces.ReplaceAllString(s, " "))
	if s == "" {
		s = http.StatusText(status)
	}
	return scrub(s, token)
}

// scrubbedError is an error whose text was scrubbed of credentials; it still wraps the original.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

func scrubError(err error, token string) error {
	if err == nil {
		return nil
	}
	return &scrubbedError{msg: scrub(err.Error(), token), err: err}
}

// logger is the logger of the VU's state once an operation has run in it, else the init one.
func (mi *ModuleInstance) logger() logrus.FieldLogger {
	if t := mi.metrics.target.Load(); t != nil && t.state != nil && t.state.Logger != nil {
		return t.state.Logger
	}
	return mi.initLogger
}

// failureCauses is the JS failureCauses(): the registry's causes by class, usable from any context.
func (mi *ModuleInstance) failureCauses(sobek.FunctionCall) sobek.Value {
	rt := mi.vu.Runtime()
	snap := mi.registry().snapshot()
	out := rt.NewObject()
	for _, name := range causeClassNames {
		cc := snap[name]
		list := make([]any, len(cc.Causes))
		for i, c := range cc.Causes {
			o := rt.NewObject()
			_ = o.Set("cause", c.Cause)
			_ = o.Set("count", c.Count)
			list[i] = o
		}
		o := rt.NewObject()
		_ = o.Set("causes", rt.NewArray(list...))
		_ = o.Set("other", cc.Other)
		_ = out.Set(name, o)
	}
	return out
}

func (mi *ModuleInstance) registry() *causeRegistry {
	if mi.causes == nil {
		return processCauses
	}
	return mi.causes
}
