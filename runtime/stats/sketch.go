package stats

import (
	"math"
	"slices"
	"sort"
)

// quantileSketch summarizes a multiset of numbers (no NaN) in bounded
// memory, for the quantiles that the histograms and the median are read
// from. It is exact while the multiset has at most cap distinct values,
// and otherwise approximate in value (never in count), in a way that does
// not depend on the order of additions and merges.
//
// Values are grouped by the top bits of an order-preserving 64-bit key:
// at level L, values whose keys agree but for the lowest L bits share a
// group, which keeps the count and the smallest and largest value it saw.
// Level 0 groups equal values only. When there are more than cap groups,
// the level rises until there are at most cap. Grouping at level L+1
// coarsens grouping at level L, so the final level is the least level at
// which the whole multiset has at most cap groups, and the final groups
// are a function of the multiset alone: merges in any order and grouping
// agree. A value is off by less than the width of its group, 2^L key
// units: a relative error below 2^(L−52) while L < 52.
//
// TFDV uses tfx-bsl's weighted quantiles sketch (ε = 0.01) here, whose
// result depends on the order of merges once it compresses; while neither
// compresses, both hold the exact multiset and give the same quantiles.
type quantileSketch struct {
	level   uint
	cap     int
	entries []group  // sorted by key, one per group
	buf     []uint64 // order keys of values not yet grouped
	spare   []group  // scratch for flush
	old     []group  // the entries' previous backing array, reused by flush
}

// group is the summary of the values in one key group.
type group struct {
	lo, hi float64
	n      uint64
}

// sketchBuffer is the number of values buffered before they are sorted
// into the groups.
const sketchBuffer = 2048

func newQuantileSketch(capacity int) quantileSketch {
	return quantileSketch{cap: capacity}
}

// orderKey maps a float64 to a uint64 whose order is the numbers' order
// (for -0 and +0 alike once -0 is replaced by +0).
func orderKey(v float64) uint64 {
	b := math.Float64bits(v)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// keyValue inverts orderKey.
func keyValue(k uint64) float64 {
	if k>>63 != 0 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}

// push adds one value, which must not be NaN.
func (s *quantileSketch) push(v float64) {
	if v == 0 {
		v = 0 // one zero: -0 and +0 are the same number
	}
	s.buf = append(s.buf, orderKey(v))
	if len(s.buf) >= sketchBuffer {
		s.flush()
	}
}

// pushCount adds n copies of v, which must not be NaN, straight into the
// groups.
func (s *quantileSketch) pushCount(v float64, n uint64) {
	if n == 0 {
		return
	}
	if v == 0 {
		v = 0
	}
	g := orderKey(v) >> s.level
	i := sort.Search(len(s.entries), func(i int) bool { return orderKey(s.entries[i].lo)>>s.level >= g })
	if i < len(s.entries) && orderKey(s.entries[i].lo)>>s.level == g {
		e := &s.entries[i]
		e.lo, e.hi, e.n = min(e.lo, v), max(e.hi, v), e.n+n
		return
	}
	s.entries = slices.Insert(s.entries, i, group{lo: v, hi: v, n: n})
	s.shrink()
}

// flush sorts the buffered values into the groups.
func (s *quantileSketch) flush() {
	if len(s.buf) == 0 {
		return
	}
	slices.Sort(s.buf) // keys sort faster than floats, in the same order
	runs := s.spare[:0]
	for i := 0; i < len(s.buf); {
		g := s.buf[i] >> s.level
		j := i + 1
		for j < len(s.buf) && s.buf[j]>>s.level == g {
			j++
		}
		runs = append(runs, group{lo: keyValue(s.buf[i]), hi: keyValue(s.buf[j-1]), n: uint64(j - i)})
		i = j
	}
	s.buf = s.buf[:0]
	merged := mergeGroups(s.old[:0], s.entries, runs, s.level)
	s.spare = runs[:0]
	s.old = s.entries
	s.entries = merged
	s.shrink()
}

// mergeGroups appends to dst the union of two group lists sorted by key at
// level, combining groups with equal keys.
func mergeGroups(dst, a, b []group, level uint) []group {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ka, kb := orderKey(a[i].lo)>>level, orderKey(b[j].lo)>>level
		switch {
		case ka < kb:
			dst = append(dst, a[i])
			i++
		case kb < ka:
			dst = append(dst, b[j])
			j++
		default:
			dst = append(dst, group{lo: min(a[i].lo, b[j].lo), hi: max(a[i].hi, b[j].hi), n: a[i].n + b[j].n})
			i++
			j++
		}
	}
	dst = append(dst, a[i:]...)
	return append(dst, b[j:]...)
}

// coarsen regroups sorted groups at a higher level, in place.
func coarsen(gs []group, level uint) []group {
	out := gs[:0]
	for _, g := range gs {
		if n := len(out); n > 0 && orderKey(out[n-1].lo)>>level == orderKey(g.lo)>>level {
			out[n-1].hi = g.hi
			out[n-1].n += g.n
			continue
		}
		out = append(out, g)
	}
	return out
}

// shrink raises the level until there are at most cap groups.
func (s *quantileSketch) shrink() {
	for len(s.entries) > s.cap {
		s.level++
		s.entries = coarsen(s.entries, s.level)
	}
}

// merge adds another sketch's values; o is not modified.
func (s *quantileSketch) merge(o *quantileSketch) {
	if o.level > s.level {
		s.level = o.level
		s.entries = coarsen(s.entries, s.level)
	}
	other := o.entries
	if o.level < s.level {
		other = coarsen(slices.Clone(other), s.level)
	}
	s.entries = mergeGroups(make([]group, 0, len(s.entries)+len(other)), s.entries, other, s.level)
	s.shrink()
	for _, k := range o.buf {
		s.buf = append(s.buf, k)
		if len(s.buf) >= sketchBuffer {
			s.flush()
		}
	}
}

// canonical returns a copy with nothing buffered: its level and groups
// depend only on the multiset of values added.
func (s *quantileSketch) canonical() quantileSketch {
	c := quantileSketch{
		level:   s.level,
		cap:     s.cap,
		entries: slices.Clone(s.entries),
		buf:     slices.Clone(s.buf),
	}
	c.flush()
	return c
}

// count is the number of values added.
func (s *quantileSketch) count() uint64 {
	n := uint64(len(s.buf))
	for _, g := range s.entries {
		n += g.n
	}
	return n
}

// rankEntry is an entry of a weighted quantiles summary as tfx-bsl keeps
// it (weighted_quantiles_summary.h SummaryEntry): a value, its weight, and
// bounds on the weight strictly below it (minRank) and up to it (maxRank).
type rankEntry struct {
	value, weight, minRank, maxRank float64
}

// summary returns the sketch as a weighted quantiles summary. A group of
// one value is one exact entry. A group of several values becomes its
// smallest value with weight 1 and its largest with the rest, which is
// exact about the group's count and off in value by less than its width.
func (s *quantileSketch) summary() []rankEntry {
	c := s.canonical()
	out := make([]rankEntry, 0, len(c.entries)+8)
	cum := 0.0
	for _, g := range c.entries {
		n := float64(g.n)
		if g.lo == g.hi {
			out = append(out, rankEntry{g.lo, n, cum, cum + n})
		} else {
			out = append(out, rankEntry{g.lo, 1, cum, cum + 1})
			out = append(out, rankEntry{g.hi, n - 1, cum + 1, cum + n})
		}
		cum += n
	}
	return out
}

// quantilesAndCumulativeWeights returns num+1 values of the summary, from
// its minimum to its maximum, each with the weight of the summary up to and
// including it (tfx-bsl weighted_quantiles_summary.h
// GenerateQuantilesAndCumulativeWeights): for each rank r in 0…num, with
// the target d = r·W/num, the first entry whose midpoint rank
// (minRank+maxRank)/2 exceeds d is found, and the entry before it or that
// entry is taken, whichever's rank bounds lie nearer to d.
func quantilesAndCumulativeWeights(s []rankEntry, num int) (qs, cum []float64) {
	if len(s) == 0 {
		return nil, nil
	}
	num = max(num, 2)
	total := s[len(s)-1].maxRank
	qs = make([]float64, 0, num+1)
	cum = make([]float64, 0, num+1)
	cur := 0
	for r := 0; r <= num; r++ {
		d2 := 2 * (float64(r) * total / float64(num))
		next := cur + 1
		for next < len(s) && d2 >= s[next].minRank+s[next].maxRank {
			next++
		}
		cur = next - 1
		e := s[cur]
		if next < len(s) && d2 >= s[cur].minRank+s[cur].weight+(s[next].maxRank-s[next].weight) {
			e = s[next]
		}
		qs = append(qs, e.value)
		cum = append(cum, e.maxRank)
	}
	return qs, cum
}
