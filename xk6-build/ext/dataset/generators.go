package dataset

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// generatorNames are the generator types a schema may use (seed 002's loadtest-generator).
var generatorNames = []string{
	"uuid_v4", "sequential", "pattern", "int_range", "float_range", "decimal_range", "timestamp_range",
	"timestamp_now", "weighted_bool", "one_of", "sample_array", "static", "null", "duration_range",
}

type genKind uint8

const (
	genUUID genKind = iota
	genSequential
	genPattern
	genIntRange
	genFloatRange
	genDecimalRange
	genTimestampRange
	genTimestampNow
	genWeightedBool
	genOneOf
	genSampleArray
	genStatic
	genNull
	genDurationRange
)

// generator is a compiled generator: immutable, so one schema serves every VU at once.
type generator struct {
	kind     genKind
	min, max int64   // int_range, sequential (min = start), timestamp_range (Unix seconds), duration_range (seconds), decimal_range (scaled units)
	fmin     float64 // float_range
	fspan    float64 // float_range: max - min
	scale    float64 // decimal_range: 10^scale
	weight   float64 // weighted_bool
	values   []any   // one_of, sample_array (the pool)
	minLen   int     // sample_array
	maxLen   int     // sample_array
	value    any     // static
	parts    []patternPart
}

type partKind uint8

const (
	partText partKind = iota
	partIndex
	partUUID
	partRand
)

// patternPart is a literal text or a placeholder of a pattern: {index}, {uuid}, {rand:N}.
type patternPart struct {
	kind   partKind
	text   string
	digits int // {rand:N}
}

// The limits of parameters whose outputs would be unreasonable.
const (
	maxRandDigits   = 64
	maxDecimalScale = 9
	maxArrayLength  = 10_000
)

func compileGenerator(n *yaml.Node) (generator, error) {
	p, err := readParams(n)
	if err != nil {
		return generator{}, err
	}
	g, err := compileParams(p)
	if err != nil {
		return generator{}, err
	}
	return g, nil
}

func compileParams(p *params) (generator, error) {
	switch p.kind {
	case "uuid_v4":
		return generator{kind: genUUID}, p.done()
	case "null":
		return generator{kind: genNull}, p.done()
	case "timestamp_now":
		return generator{kind: genTimestampNow}, p.done()
	case "sequential":
		zero := int64(0)
		start, err := p.int("start", &zero)
		if err != nil {
			return generator{}, err
		}
		return generator{kind: genSequential, min: start}, p.done("start")
	case "int_range":
		lo, hi, err := intBounds(p, "min", "max")
		if err != nil {
			return generator{}, err
		}
		return generator{kind: genIntRange, min: lo, max: hi}, p.done("min", "max")
	case "duration_range":
		lo, hi, err := intBounds(p, "min_secs", "max_secs")
		if err != nil {
			return generator{}, err
		}
		if lo < 0 {
			return generator{}, fmt.Errorf("duration_range: min_secs must be >= 0, got %d", lo)
		}
		return generator{kind: genDurationRange, min: lo, max: hi}, p.done("min_secs", "max_secs")
	case "float_range":
		lo, hi, err := floatBounds(p)
		if err != nil {
			return generator{}, err
		}
		if math.IsInf(hi-lo, 0) {
			return generator{}, fmt.Errorf("float_range: max - min overflows a float64 (min %v, max %v)", lo, hi)
		}
		return generator{kind: genFloatRange, fmin: lo, fspan: hi - lo}, p.done("min", "max")
	case "decimal_range":
		return compileDecimal(p)
	case "timestamp_range":
		return compileTimestampRange(p)
	case "weighted_bool":
		w, err := p.float("true_weight")
		if err != nil {
			return generator{}, err
		}
		if w < 0 || w > 1 {
			return generator{}, fmt.Errorf("weighted_bool: true_weight must be from 0 to 1 (the share of true values), got %v", w)
		}
		return generator{kind: genWeightedBool, weight: w}, p.done("true_weight")
	case "one_of":
		values, err := p.list("values")
		if err != nil {
			return generator{}, err
		}
		return generator{kind: genOneOf, values: values}, p.done("values")
	case "sample_array":
		return compileSampleArray(p)
	case "static":
		v, err := p.value("value")
		if err != nil {
			return generator{}, err
		}
		return generator{kind: genStatic, value: v}, p.done("value")
	case "pattern":
		text, err := p.str("pattern", `a text with {index}, {uuid} or {rand:N} placeholders, e.g. "user_{index}@test.com"`)
		if err != nil {
			return generator{}, err
		}
		parts, err := compilePattern(text)
		if err != nil {
			return generator{}, fmt.Errorf("pattern %q: %w", text, err)
		}
		return generator{kind: genPattern, parts: parts}, p.done("pattern")
	}
	return generator{}, fmt.Errorf("unknown generator %q (known: %s)", p.kind, strings.Join(generatorNames, ", "))
}

func intBounds(p *params, minKey, maxKey string) (int64, int64, error) {
	lo, err := p.int(minKey, nil)
	if err != nil {
		return 0, 0, err
	}
	hi, err := p.int(maxKey, nil)
	if err != nil {
		return 0, 0, err
	}
	if lo > hi {
		return 0, 0, fmt.Errorf("%s: %s (%d) is greater than %s (%d)", p.kind, minKey, lo, maxKey, hi)
	}
	return lo, hi, nil
}

func floatBounds(p *params) (float64, float64, error) {
	lo, err := p.float("min")
	if err != nil {
		return 0, 0, err
	}
	hi, err := p.float("max")
	if err != nil {
		return 0, 0, err
	}
	if lo > hi {
		return 0, 0, fmt.Errorf("%s: min (%v) is greater than max (%v)", p.kind, lo, hi)
	}
	return lo, hi, nil
}

func compileDecimal(p *params) (generator, error) {
	lo, hi, err := floatBounds(p)
	if err != nil {
		return generator{}, err
	}
	two := int64(2)
	scale, err := p.int("scale", &two)
	if err != nil {
		return generator{}, err
	}
	if scale < 0 || scale > maxDecimalScale {
		return generator{}, fmt.Errorf("decimal_range: scale must be an integer from 0 to %d (digits after the point), got %d", maxDecimalScale, scale)
	}
	mul := math.Pow10(int(scale))
	first, last := math.Ceil(lo*mul-1e-9), math.Floor(hi*mul+1e-9)
	if math.Abs(first) > 1<<53 || math.Abs(last) > 1<<53 {
		return generator{}, fmt.Errorf("decimal_range: min and max × 10^scale must stay within ±2^53 (exact in a JS number)")
	}
	if first > last {
		return generator{}, fmt.Errorf("decimal_range: no value with %d decimal digits lies between min (%v) and max (%v)", scale, lo, hi)
	}
	return generator{kind: genDecimalRange, min: int64(first), max: int64(last), scale: mul}, p.done("min", "max", "scale")
}

func compileTimestampRange(p *params) (generator, error) {
	var bounds [2]int64
	for i, key := range []string{"start", "end"} {
		text, err := p.str(key, `an RFC 3339 time like "2024-01-01T00:00:00Z"`)
		if err != nil {
			return generator{}, err
		}
		t, err := time.Parse(time.RFC3339Nano, text)
		if err != nil {
			return generator{}, fmt.Errorf("timestamp_range: %s %q is not an RFC 3339 time like \"2024-01-01T00:00:00Z\"", key, text)
		}
		bounds[i] = t.Unix()
	}
	if bounds[0] > bounds[1] {
		return generator{}, fmt.Errorf("timestamp_range: start is after end")
	}
	return generator{kind: genTimestampRange, min: bounds[0], max: bounds[1]}, p.done("start", "end")
}

func compileSampleArray(p *params) (generator, error) {
	pool, err := p.list("pool")
	if err != nil {
		return generator{}, err
	}
	lo, hi, err := intBounds(p, "min_length", "max_length")
	if err != nil {
		return generator{}, err
	}
	if lo < 0 {
		return generator{}, fmt.Errorf("sample_array: min_length must be >= 0, got %d", lo)
	}
	if hi > int64(len(pool)) || hi > maxArrayLength {
		return generator{}, fmt.Errorf("sample_array: max_length (%d) must be at most the size of the pool (%d): the elements are distinct picks from it", hi, len(pool))
	}
	return generator{kind: genSampleArray, values: pool, minLen: int(lo), maxLen: int(hi)}, p.done("pool", "min_length", "max_length")
}

// list reads a non-empty sequence.
func (p *params) list(key string) ([]any, error) {
	v, err := p.value(key)
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: %s must be a list like [a, b, c], got %v", p.kind, key, v)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%s: %s is empty: give at least one value", p.kind, key)
	}
	return list, nil
}

// compilePattern splits a pattern into texts and placeholders; "{{" and "}}" stand for braces.
func compilePattern(text string) ([]patternPart, error) {
	var parts []patternPart
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, patternPart{kind: partText, text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '{' && i+1 < len(text) && text[i+1] == '{', c == '}' && i+1 < len(text) && text[i+1] == '}':
			lit.WriteByte(c)
			i++
		case c == '}':
			return nil, errors.New(`a "}" without its "{" (write "}}" for a literal brace)`)
		case c == '{':
			end := strings.IndexByte(text[i:], '}')
			if end < 0 {
				return nil, errors.New(`a "{" without its "}" (write "{{" for a literal brace)`)
			}
			name := text[i+1 : i+end]
			part, err := placeholder(name)
			if err != nil {
				return nil, err
			}
			flush()
			parts = append(parts, part)
			i += end
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return parts, nil
}

func placeholder(name string) (patternPart, error) {
	switch {
	case name == "index":
		return patternPart{kind: partIndex}, nil
	case name == "uuid":
		return patternPart{kind: partUUID}, nil
	case strings.HasPrefix(name, "rand:"):
		n, err := strconv.Atoi(name[len("rand:"):])
		if err != nil || n < 1 || n > maxRandDigits {
			return patternPart{}, fmt.Errorf("{%s}: N of {rand:N} must be an integer from 1 to %d (the number of random digits)", name, maxRandDigits)
		}
		return patternPart{kind: partRand, digits: n}, nil
	}
	return patternPart{}, fmt.Errorf("unknown placeholder {%s} (known: {index}, {uuid}, {rand:N})", name)
}

// value is the cell of row index whose random stream is r. Strings, int64, float64, bool, nil,
// []any and the YAML values of one_of/static.
func (g *generator) generate(r *rng, index uint64) any {
	switch g.kind {
	case genUUID:
		var buf [36]byte
		return string(appendUUID(buf[:0], r))
	case genSequential:
		return g.min + int64(index)
	case genIntRange:
		return r.between(g.min, g.max)
	case genDurationRange:
		return r.between(g.min, g.max)
	case genFloatRange:
		return g.fmin + g.fspan*r.unit()
	case genDecimalRange:
		return float64(r.between(g.min, g.max)) / g.scale
	case genTimestampRange:
		var buf [32]byte
		return string(time.Unix(r.between(g.min, g.max), 0).UTC().AppendFormat(buf[:0], time.RFC3339))
	case genTimestampNow:
		var buf [32]byte
		return string(time.Now().UTC().AppendFormat(buf[:0], time.RFC3339))
	case genWeightedBool:
		return r.unit() < g.weight
	case genOneOf:
		return g.values[r.below(uint64(len(g.values)))]
	case genSampleArray:
		return g.sample(r)
	case genStatic:
		return g.value
	case genNull:
		return nil
	case genPattern:
		var buf [128]byte
		return string(g.appendPattern(buf[:0], r, index))
	}
	return nil
}

// sample picks between minLen and maxLen distinct elements of the pool (Floyd's algorithm: no
// scratch state beyond the result).
func (g *generator) sample(r *rng) []any {
	n := int(r.between(int64(g.minLen), int64(g.maxLen)))
	out := make([]any, 0, n)
	picked := make([]int, 0, n)
	size := len(g.values)
	for j := size - n; j < size; j++ {
		t := int(r.below(uint64(j + 1)))
		if containsInt(picked, t) {
			t = j
		}
		picked = append(picked, t)
		out = append(out, g.values[t])
	}
	return out
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (g *generator) appendPattern(b []byte, r *rng, index uint64) []byte {
	for _, part := range g.parts {
		switch part.kind {
		case partText:
			b = append(b, part.text...)
		case partIndex:
			b = strconv.AppendUint(b, index, 10)
		case partUUID:
			b = appendUUID(b, r)
		case partRand:
			for i := 0; i < part.digits; i++ {
				b = append(b, byte('0'+r.below(10)))
			}
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendUUID appends a random (version 4, RFC 9562 variant) UUID in its 36-character form.
func appendUUID(b []byte, r *rng) []byte {
	hi, lo := r.next(), r.next()
	hi = (hi &^ (0xf << 12)) | (0x4 << 12) // version 4: bits 48-51 of the first half
	lo = (lo &^ (0x3 << 62)) | (0x2 << 62) // variant 10xx
	var raw [16]byte
	for i := 0; i < 8; i++ {
		raw[i] = byte(hi >> (56 - 8*i))
		raw[8+i] = byte(lo >> (56 - 8*i))
	}
	for i, v := range raw {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigits[v>>4], hexDigits[v&0xf])
	}
	return b
}
