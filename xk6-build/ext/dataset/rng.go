package dataset

import "math/bits"

// The random numbers of one cell: a SplitMix64 stream whose state comes from a 64-bit mix of the
// seed, the table, the column and the row index, so any cell can be computed alone (random access)
// and no state is shared between cells, VUs or calls.

const (
	golden   = 0x9e3779b97f4a7c15 // SplitMix64's increment (2^64 / φ)
	indexMul = 0xd1b54a32d192ed03 // an odd multiplier spreading consecutive indexes over 64 bits
)

// mix64 is SplitMix64's finaliser: a bijection of 64-bit values whose every output bit depends on
// every input bit.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// fnv64 is FNV-1a of a name (table or column): stable across processes and Go versions.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// columnKey is the part of a cell's seed that does not depend on the row: computed once per column.
func columnKey(seed int64, table, column string) uint64 {
	return mix64(mix64(mix64(uint64(seed))^fnv64(table)) ^ fnv64(column))
}

// rng is one cell's random stream.
type rng struct{ s uint64 }

// cellRNG returns the stream of row index of the column whose key is key.
func cellRNG(key, index uint64) rng {
	return rng{s: mix64(key ^ (index * indexMul))}
}

// next returns the stream's next 64 random bits.
func (r *rng) next() uint64 {
	r.s += golden
	return mix64(r.s)
}

// below returns a uniform integer in [0, n) for n > 0 (Lemire's method, without bias).
func (r *rng) below(n uint64) uint64 {
	hi, lo := bits.Mul64(r.next(), n)
	if lo < n {
		threshold := -n % n
		for lo < threshold {
			hi, lo = bits.Mul64(r.next(), n)
		}
	}
	return hi
}

// between returns a uniform integer in [min, max] (min <= max), the full int64 range included.
func (r *rng) between(min, max int64) int64 {
	span := uint64(max) - uint64(min) + 1
	if span == 0 { // [MinInt64, MaxInt64]
		return int64(r.next())
	}
	return min + int64(r.below(span))
}

// unit returns a uniform float64 in [0, 1) with 53 random bits.
func (r *rng) unit() float64 {
	return float64(r.next()>>11) / (1 << 53)
}
