package sampledata

import (
	"encoding/hex"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
)

// rnd is a deterministic random stream. Each part of the tenant draws from
// its own stream (seeded by the tenant seed and the stream's name) so that
// turning stories off, or adding a table, leaves every other stream intact.
type rnd struct{ *rand.Rand }

func newRnd(seed uint64, stream string) *rnd {
	h := fnv.New64a()
	h.Write([]byte(stream))
	return &rnd{rand.New(rand.NewPCG(seed, h.Sum64()))}
}

// guid returns a random (version 4 style) GUID in lower-case canonical form.
func (r *rnd) guid() string {
	var b [16]byte
	lo, hi := r.Uint64(), r.Uint64()
	for i := range 8 {
		b[i] = byte(lo >> (8 * i))
		b[8+i] = byte(hi >> (8 * i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// hexID returns n random hex digits.
func (r *rnd) hexID(n int) string {
	b := make([]byte, (n+1)/2)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return hex.EncodeToString(b)[:n]
}

func (r *rnd) chance(p float64) bool { return r.Float64() < p }

// between returns an int in [lo, hi].
func (r *rnd) between(lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// poisson draws a Poisson variate (Knuth for small means, normal above).
func (r *rnd) poisson(mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 30 {
		n := int(math.Round(mean + math.Sqrt(mean)*r.NormFloat64()))
		return max(n, 0)
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func pick[T any](r *rnd, xs []T) T { return xs[r.IntN(len(xs))] }

// ipIn returns an address inside prefix ("73.53." or "73.53.12.") by
// filling the missing octets.
func (r *rnd) ipIn(prefix string) string {
	dots := 0
	for _, c := range prefix {
		if c == '.' {
			dots++
		}
	}
	s := prefix
	for i := dots; i < 4; i++ {
		lo := 1
		if i < 3 {
			lo = 0
		}
		s += strconv.Itoa(r.between(lo, 254))
		if i < 3 {
			s += "."
		}
	}
	return s
}

func itoa(i int) string { return strconv.Itoa(i) }
