package metrics

import (
	"math"

	"github.com/tfxc/tfxc/internal/bincodec"
)

// Sum adds float64 terms without rounding error, so that a total does not
// depend on the order in which terms were added or accumulators merged.
//
// It keeps the exact sum as a short list of non-overlapping partials in
// increasing magnitude (Shewchuk, "Adaptive Precision Floating-Point
// Arithmetic and Fast Robust Geometric Predicates", 1997: the algorithm
// behind Python's math.fsum), and Value rounds that exact sum once, to
// nearest with ties to even. Any two Sums of the same multiset of terms
// therefore give the same Value. Terms and the running total must stay
// finite; Evaluator rejects inputs large enough to overflow. With weights
// of 1 and labels of 0 or 1 (the common case) every sum is a small integer
// and holds one partial.
type Sum struct {
	p []float64
}

// Add adds x exactly.
func (s *Sum) Add(x float64) {
	if x == 0 {
		return
	}
	i := 0
	for _, y := range s.p {
		if math.Abs(x) < math.Abs(y) {
			x, y = y, x
		}
		hi := x + y
		lo := y - (hi - x)
		if lo != 0 {
			s.p[i] = lo
			i++
		}
		x = hi
	}
	s.p = append(s.p[:i], x)
}

// Merge adds every term of o.
func (s *Sum) Merge(o *Sum) {
	for _, x := range o.p {
		s.Add(x)
	}
}

// Value returns the exact sum rounded to the nearest float64 (ties to
// even), as math.fsum does.
func (s *Sum) Value() float64 {
	n := len(s.p)
	if n == 0 {
		return 0
	}
	hi := s.p[n-1]
	n--
	var lo float64
	for n > 0 {
		x, y := hi, s.p[n-1]
		n--
		hi = x + y
		lo = y - (hi - x)
		if lo != 0 {
			break
		}
	}
	// Round half to even across the remaining partials: when lo is
	// exactly half an ulp and the next partial has the same sign, the
	// correctly rounded result is one ulp further.
	if n > 0 && (lo < 0 && s.p[n-1] < 0 || lo > 0 && s.p[n-1] > 0) {
		y := lo * 2
		x := hi + y
		if y == x-hi {
			hi = x
		}
	}
	return hi
}

// appendSum encodes s.
func appendSum(b []byte, s *Sum) []byte {
	b = bincodec.AppendUvarint(b, uint64(len(s.p)))
	for _, x := range s.p {
		b = bincodec.AppendFloat(b, x)
	}
	return b
}

// readSum decodes a Sum written by appendSum.
func readSum(r *bincodec.Reader, s *Sum) {
	n := r.Count("partial sums", 8)
	s.p = nil
	for range n {
		x := r.Float("partial sum")
		if math.IsNaN(x) || math.IsInf(x, 0) {
			r.Fail("non-finite partial sum")
			return
		}
		s.Add(x)
	}
}
