package stats

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/tfxc/tfxc/internal/bincodec"
	"github.com/tfxc/tfxc/runtime/batch"
)

// The encoding of an accumulator: a magic string and a version, then
// varints, 8-byte little-endian float64 bit patterns and length-prefixed
// strings, in this order: options, features (name, kind), num_examples,
// then per feature its presence counts, its list-length sketch and its
// numeric or string state. Sketches are written flushed and exact sums
// normalized, and strings sorted, so the bytes are a function of the
// statistics' content: two accumulators of the same rows encode alike,
// whatever the batches, shards and merge order that produced them.
const codecMagic = "tfxc.stats\x01"

// MarshalBinary encodes the accumulator (encoding.BinaryMarshaler).
func (a *Accumulator) MarshalBinary() ([]byte, error) {
	if a.err != nil {
		return nil, a.err
	}
	e := encoder{buf: []byte(codecMagic)}
	o := a.opts
	for _, v := range []int{o.NumTopValues, o.NumRankHistogramBuckets, o.FrequencyThreshold,
		o.NumValuesHistogramBuckets, o.NumHistogramBuckets, o.NumQuantilesHistogramBuckets, o.QuantileEntries} {
		e.uvarint(uint64(v))
	}
	e.uvarint(uint64(len(a.features)))
	for _, f := range a.features {
		e.string(f.Name)
		e.uvarint(uint64(f.Kind))
	}
	e.uvarint(a.numExamples)
	for i := range a.feats {
		f := &a.feats[i]
		e.uvarint(f.nonMissing)
		e.uvarint(f.minValues)
		e.uvarint(f.maxValues)
		e.uvarint(f.totValues)
		e.sketch(&f.numValues)
		if n := f.num; n != nil {
			for _, v := range []uint64{n.numNaN, n.numZeros, n.numPosInf, n.numNegInf} {
				e.uvarint(v)
			}
			for _, v := range []float64{n.min, n.max, n.finiteMin, n.finiteMax} {
				e.float(v)
			}
			e.sum(&n.sum)
			e.sum(&n.sumSquares)
			e.sketch(&n.quantiles)
		}
		if s := f.str; s != nil {
			e.uvarint(s.totalBytes)
			e.uvarint(uint64(len(s.values)))
			order := make([]int, len(s.values))
			for i := range order {
				order[i] = i
			}
			slices.SortFunc(order, func(i, j int) int { return compareStrings(s.values[i], s.values[j]) })
			for _, i := range order {
				e.string(s.values[i])
				e.uvarint(s.counts[i])
			}
		}
	}
	return e.buf, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

type encoder struct{ buf []byte }

func (e *encoder) uvarint(v uint64) { e.buf = bincodec.AppendUvarint(e.buf, v) }
func (e *encoder) float(v float64)  { e.buf = bincodec.AppendFloat(e.buf, v) }
func (e *encoder) string(s string)  { e.buf = bincodec.AppendString(e.buf, s) }

func (e *encoder) sum(s *exactSum) {
	c := *s
	c.normalize()
	for _, d := range c.d {
		e.buf = bincodec.AppendVarint(e.buf, d)
	}
}

func (e *encoder) sketch(s *quantileSketch) {
	c := s.canonical()
	e.uvarint(uint64(c.level))
	e.uvarint(uint64(len(c.entries)))
	for _, g := range c.entries {
		e.float(g.lo)
		e.float(g.hi)
		e.uvarint(g.n)
	}
}

// UnmarshalBinary replaces the accumulator with one that MarshalBinary
// encoded (encoding.BinaryUnmarshaler). Data that is truncated, corrupt or
// inconsistent is an error, and a is then left unchanged.
func (a *Accumulator) UnmarshalBinary(data []byte) error {
	if len(data) < len(codecMagic) || string(data[:len(codecMagic)]) != codecMagic {
		return errors.New("stats: not an encoded statistics accumulator (bad magic or version)")
	}
	// Offsets in errors count from the end of the magic.
	d := decoder{bincodec.NewReader(data[len(codecMagic):])}
	var o Options
	for _, p := range []*int{&o.NumTopValues, &o.NumRankHistogramBuckets, &o.FrequencyThreshold,
		&o.NumValuesHistogramBuckets, &o.NumHistogramBuckets, &o.NumQuantilesHistogramBuckets, &o.QuantileEntries} {
		*p = d.Int("option")
	}
	nf := d.Count("feature count", 2)
	var features []Feature
	for range nf {
		name := d.String("feature name")
		kind := batch.Kind(d.Count("feature kind", 0))
		features = append(features, Feature{Name: name, Kind: kind})
	}
	if d.Err() != nil {
		return d.Err()
	}
	for _, p := range []*int{&o.NumTopValues, &o.NumRankHistogramBuckets, &o.FrequencyThreshold,
		&o.NumValuesHistogramBuckets, &o.NumHistogramBuckets, &o.NumQuantilesHistogramBuckets, &o.QuantileEntries} {
		if *p == 0 {
			return errors.New("stats: decoding: an option is zero")
		}
	}
	n := New(features, o)
	if n.err != nil {
		return fmt.Errorf("stats: decoding: %w", n.err)
	}
	n.numExamples = d.Uvarint("num_examples")
	for i := range n.feats {
		if err := d.feature(&n.feats[i], n.numExamples, o.QuantileEntries); err != nil {
			return fmt.Errorf("stats: decoding feature %s: %w", features[i].Name, err)
		}
	}
	if err := d.Done(); err != nil {
		return fmt.Errorf("stats: decoding: %w", err)
	}
	*a = *n
	return nil
}

// decoder reads an accumulator's encoding: bincodec's primitives and the
// sketches and sums of this package.
type decoder struct{ *bincodec.Reader }

func (d *decoder) sum(s *exactSum) {
	for k := range s.d {
		s.d[k] = d.Varint("exact sum digit")
		if k < sumDigits-1 && (s.d[k] < 0 || s.d[k] > 0xffffffff) {
			d.Fail("exact sum digit %d is not normalized", k)
		}
	}
}

func (d *decoder) sketch(s *quantileSketch, capacity int) {
	level := d.Uvarint("sketch level")
	if level > 64 {
		d.Fail("sketch level %d is out of range", level)
	}
	n := d.Count("sketch size", 17)
	if n > capacity {
		d.Fail("sketch has %d groups, more than its bound %d", n, capacity)
	}
	if d.Err() != nil {
		return
	}
	s.level = uint(level)
	s.entries = make([]group, n)
	for i := range s.entries {
		g := group{lo: d.Float("sketch value"), hi: d.Float("sketch value"), n: d.Uvarint("sketch count")}
		if d.Err() != nil {
			return
		}
		if g.lo != g.lo || g.hi != g.hi || g.lo > g.hi || g.n == 0 || (g.n == 1 && g.lo != g.hi) ||
			math.Float64bits(g.lo) == 1<<63 || math.Float64bits(g.hi) == 1<<63 ||
			orderKey(g.lo)>>level != orderKey(g.hi)>>level {
			d.Fail("sketch group %d is invalid", i)
			return
		}
		if i > 0 && orderKey(s.entries[i-1].lo)>>level >= orderKey(g.lo)>>level {
			d.Fail("sketch groups are out of order at %d", i)
			return
		}
		s.entries[i] = g
	}
}

func (d *decoder) feature(f *featureAcc, numExamples uint64, capacity int) error {
	f.nonMissing = d.Uvarint("num_non_missing")
	f.minValues = d.Uvarint("min_num_values")
	f.maxValues = d.Uvarint("max_num_values")
	f.totValues = d.Uvarint("tot_num_values")
	d.sketch(&f.numValues, capacity)
	if d.Err() != nil {
		return d.Err()
	}
	if f.nonMissing > numExamples || f.numValues.count() != f.nonMissing {
		return errors.New("inconsistent presence counts")
	}
	if f.nonMissing == 0 && (f.minValues != math.MaxUint64 || f.maxValues != 0 || f.totValues != 0) ||
		f.nonMissing > 0 && (f.minValues > f.maxValues || f.totValues < f.maxValues) {
		return errors.New("inconsistent value counts")
	}
	if n := f.num; n != nil {
		n.numNaN = d.Uvarint("num_nan")
		n.numZeros = d.Uvarint("num_zeros")
		n.numPosInf = d.Uvarint("positive infinities")
		n.numNegInf = d.Uvarint("negative infinities")
		n.min = d.Float("min")
		n.max = d.Float("max")
		n.finiteMin = d.Float("finite min")
		n.finiteMax = d.Float("finite max")
		d.sum(&n.sum)
		d.sum(&n.sumSquares)
		d.sketch(&n.quantiles, capacity)
		if d.Err() != nil {
			return d.Err()
		}
		if n.numNaN > f.totValues || n.quantiles.count() != f.totValues-n.numNaN ||
			n.numZeros+n.numPosInf+n.numNegInf > n.quantiles.count() {
			return errors.New("inconsistent numeric counts")
		}
	}
	if s := f.str; s != nil {
		s.totalBytes = d.Uvarint("total bytes")
		nv := d.Count("distinct values", 2)
		total := uint64(0)
		for i := range nv {
			v := d.String("value")
			c := d.Uvarint("value count")
			if d.Err() != nil {
				return d.Err()
			}
			if c == 0 || (i > 0 && s.values[i-1] >= v) {
				return fmt.Errorf("string value %d is out of order or has no count", i)
			}
			s.index[v] = i
			s.values = append(s.values, v)
			s.counts = append(s.counts, c)
			total += c
		}
		if d.Err() == nil && total != f.totValues {
			return errors.New("string counts disagree with tot_num_values")
		}
	}
	return d.Err()
}
