package stats

import (
	"math"
	"math/big"
	"math/bits"
)

// exactSum adds numbers without rounding, so that a sum does not depend on
// the order of its terms (and so neither do the mean and the standard
// deviation computed from it, whatever the order in which shards merge).
//
// It is a fixed-point "superaccumulator": digit k holds a multiple of
// 2^(32k−sumBias), and the sum is Σ d[k]·2^(32k−sumBias). A term is a
// 64-bit magnitude at a binary position; it touches three adjacent digits,
// each by less than 2^32, so digits (int64) absorb 2^30 terms before
// carries must be propagated (normalize).
type exactSum struct {
	d    [sumDigits]int64
	adds uint32
}

const (
	// sumBias puts the smallest float64 (2^-1074) at a non-negative bit.
	sumBias = 1120
	// sumDigits covers the largest float64 (below 2^1024), squares of
	// int64 values (below 2^128) and 2^64 terms of carry: bit 1120+1024+64.
	sumDigits = 72
	// normalizeEvery bounds the terms between carry propagations.
	normalizeEvery = 1 << 30
)

// addMag adds ±m·2^(p−sumBias).
func (s *exactSum) addMag(m uint64, p int, neg bool) {
	k := p >> 5
	sh := uint(p & 31)
	lo := m << sh
	hi := m >> (64 - sh) // 0 when sh == 0: Go shifts by >= 64 give 0
	d0 := int64(lo & 0xffffffff)
	d1 := int64(lo >> 32)
	d2 := int64(hi)
	if neg {
		s.d[k] -= d0
		s.d[k+1] -= d1
		s.d[k+2] -= d2
	} else {
		s.d[k] += d0
		s.d[k+1] += d1
		s.d[k+2] += d2
	}
	s.adds++
	if s.adds >= normalizeEvery {
		s.normalize()
	}
}

// addFloat adds a finite float64 exactly.
func (s *exactSum) addFloat(x float64) {
	b := math.Float64bits(x)
	exp := int(b >> 52 & 0x7ff)
	m := b & (1<<52 - 1)
	if exp == 0 {
		if m == 0 {
			return
		}
		exp = 1 // subnormal: m·2^(1−1075)
	} else {
		m |= 1 << 52
	}
	s.addMag(m, exp-1075+sumBias, b>>63 != 0)
}

// addInt adds an int64 exactly.
func (s *exactSum) addInt(x int64) {
	if x < 0 {
		s.addMag(uint64(-x), sumBias, true) // -MinInt64 wraps to 2^63, right as uint64
		return
	}
	s.addMag(uint64(x), sumBias, false)
}

// addIntSquare adds x² exactly.
func (s *exactSum) addIntSquare(x int64) {
	u := uint64(x)
	if x < 0 {
		u = uint64(-x)
	}
	hi, lo := bits.Mul64(u, u)
	s.addMag(lo, sumBias, false)
	if hi != 0 {
		s.addMag(hi, sumBias+64, false)
	}
}

// normalize propagates carries so that every digit but the last lies in
// [0, 2^32); the last carries the sign. The value is unchanged, and two
// sums of the same value normalize to the same digits.
func (s *exactSum) normalize() {
	var carry int64
	for k := 0; k < sumDigits-1; k++ {
		v := s.d[k] + carry
		carry = v >> 32 // arithmetic shift: floor division by 2^32
		s.d[k] = v & 0xffffffff
	}
	s.d[sumDigits-1] += carry
	s.adds = 0
}

// merge adds another sum.
func (s *exactSum) merge(o *exactSum) {
	a, b := *s, *o
	a.normalize()
	b.normalize()
	for k := range a.d {
		a.d[k] += b.d[k]
	}
	a.normalize()
	*s = a
}

// rat returns the sum as an exact rational.
func (s *exactSum) rat() *big.Rat {
	c := *s
	c.normalize()
	n := new(big.Int)
	var digit big.Int
	for k := sumDigits - 1; k >= 0; k-- {
		n.Lsh(n, 32)
		digit.SetInt64(c.d[k])
		n.Add(n, &digit)
	}
	return new(big.Rat).SetFrac(n, new(big.Int).Lsh(big.NewInt(1), sumBias))
}

// meanStdDev returns the mean and the population standard deviation of n
// terms whose sum is s and whose sum of squares is sq, each computed exactly
// and rounded once: mean = S/n, variance = (n·Q − S²)/n².
func meanStdDev(s, sq *exactSum, n uint64) (mean, std float64) {
	if n == 0 {
		return 0, 0
	}
	sum := s.rat()
	count := new(big.Rat).SetUint64(n)
	mean, _ = new(big.Rat).Quo(sum, count).Float64()
	v := new(big.Rat).Mul(count, sq.rat())
	v.Sub(v, new(big.Rat).Mul(sum, sum))
	v.Quo(v, new(big.Rat).Mul(count, count))
	variance, _ := v.Float64()
	return mean, math.Sqrt(max(0, variance))
}
