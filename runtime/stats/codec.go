package stats

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

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

func (e *encoder) uvarint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *encoder) float(v float64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(v))
}
func (e *encoder) string(s string) {
	e.uvarint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

func (e *encoder) sum(s *exactSum) {
	c := *s
	c.normalize()
	for _, d := range c.d {
		e.buf = binary.AppendVarint(e.buf, d)
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
	d := decoder{buf: data[len(codecMagic):], off: len(codecMagic)}
	var o Options
	for _, p := range []*int{&o.NumTopValues, &o.NumRankHistogramBuckets, &o.FrequencyThreshold,
		&o.NumValuesHistogramBuckets, &o.NumHistogramBuckets, &o.NumQuantilesHistogramBuckets, &o.QuantileEntries} {
		*p = d.int("option")
	}
	nf := d.count("feature count", 2)
	var features []Feature
	for range nf {
		name := d.string("feature name")
		kind := batch.Kind(d.count("feature kind", 0))
		features = append(features, Feature{Name: name, Kind: kind})
	}
	if d.err != nil {
		return d.err
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
	n.numExamples = d.uvarint("num_examples")
	for i := range n.feats {
		if err := d.feature(&n.feats[i], n.numExamples, o.QuantileEntries); err != nil {
			return fmt.Errorf("stats: decoding feature %s: %w", features[i].Name, err)
		}
	}
	if d.err == nil && len(d.buf) != 0 {
		d.err = fmt.Errorf("%d bytes left over at offset %d", len(d.buf), d.off)
	}
	if d.err != nil {
		return fmt.Errorf("stats: decoding: %w", d.err)
	}
	*a = *n
	return nil
}

type decoder struct {
	buf []byte
	off int
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("at offset %d: %s", d.off, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) uvarint(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.fail("bad or truncated %s", what)
		return 0
	}
	d.buf, d.off = d.buf[n:], d.off+n
	return v
}

func (d *decoder) varint(what string) int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf)
	if n <= 0 {
		d.fail("bad or truncated %s", what)
		return 0
	}
	d.buf, d.off = d.buf[n:], d.off+n
	return v
}

// int reads a non-negative int no larger than 2^31.
func (d *decoder) int(what string) int {
	v := d.uvarint(what)
	if v > 1<<31 {
		d.fail("%s %d is out of range", what, v)
		return 0
	}
	return int(v)
}

// count reads a length that cannot exceed the remaining bytes divided by
// the least encoded size of an element (when minSize > 0).
func (d *decoder) count(what string, minSize int) int {
	v := d.uvarint(what)
	if minSize > 0 && v > uint64(len(d.buf)/minSize) {
		d.fail("%s %d exceeds the data", what, v)
		return 0
	}
	if v > 1<<31 {
		d.fail("%s %d is out of range", what, v)
		return 0
	}
	return int(v)
}

func (d *decoder) float(what string) float64 {
	if d.err != nil {
		return 0
	}
	if len(d.buf) < 8 {
		d.fail("truncated %s", what)
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.buf))
	d.buf, d.off = d.buf[8:], d.off+8
	return v
}

func (d *decoder) string(what string) string {
	n := d.count(what+" length", 1)
	if d.err != nil {
		return ""
	}
	if n > len(d.buf) {
		d.fail("truncated %s", what)
		return ""
	}
	s := string(d.buf[:n])
	d.buf, d.off = d.buf[n:], d.off+n
	return s
}

func (d *decoder) sum(s *exactSum) {
	for k := range s.d {
		s.d[k] = d.varint("exact sum digit")
		if k < sumDigits-1 && (s.d[k] < 0 || s.d[k] > 0xffffffff) {
			d.fail("exact sum digit %d is not normalized", k)
		}
	}
}

func (d *decoder) sketch(s *quantileSketch, capacity int) {
	level := d.uvarint("sketch level")
	if level > 64 {
		d.fail("sketch level %d is out of range", level)
	}
	n := d.count("sketch size", 17)
	if n > capacity {
		d.fail("sketch has %d groups, more than its bound %d", n, capacity)
	}
	if d.err != nil {
		return
	}
	s.level = uint(level)
	s.entries = make([]group, n)
	for i := range s.entries {
		g := group{lo: d.float("sketch value"), hi: d.float("sketch value"), n: d.uvarint("sketch count")}
		if d.err != nil {
			return
		}
		if g.lo != g.lo || g.hi != g.hi || g.lo > g.hi || g.n == 0 || (g.n == 1 && g.lo != g.hi) ||
			math.Float64bits(g.lo) == 1<<63 || math.Float64bits(g.hi) == 1<<63 ||
			orderKey(g.lo)>>level != orderKey(g.hi)>>level {
			d.fail("sketch group %d is invalid", i)
			return
		}
		if i > 0 && orderKey(s.entries[i-1].lo)>>level >= orderKey(g.lo)>>level {
			d.fail("sketch groups are out of order at %d", i)
			return
		}
		s.entries[i] = g
	}
}

func (d *decoder) feature(f *featureAcc, numExamples uint64, capacity int) error {
	f.nonMissing = d.uvarint("num_non_missing")
	f.minValues = d.uvarint("min_num_values")
	f.maxValues = d.uvarint("max_num_values")
	f.totValues = d.uvarint("tot_num_values")
	d.sketch(&f.numValues, capacity)
	if d.err != nil {
		return d.err
	}
	if f.nonMissing > numExamples || f.numValues.count() != f.nonMissing {
		return errors.New("inconsistent presence counts")
	}
	if f.nonMissing == 0 && (f.minValues != math.MaxUint64 || f.maxValues != 0 || f.totValues != 0) ||
		f.nonMissing > 0 && (f.minValues > f.maxValues || f.totValues < f.maxValues) {
		return errors.New("inconsistent value counts")
	}
	if n := f.num; n != nil {
		n.numNaN = d.uvarint("num_nan")
		n.numZeros = d.uvarint("num_zeros")
		n.numPosInf = d.uvarint("positive infinities")
		n.numNegInf = d.uvarint("negative infinities")
		n.min = d.float("min")
		n.max = d.float("max")
		n.finiteMin = d.float("finite min")
		n.finiteMax = d.float("finite max")
		d.sum(&n.sum)
		d.sum(&n.sumSquares)
		d.sketch(&n.quantiles, capacity)
		if d.err != nil {
			return d.err
		}
		if n.numNaN > f.totValues || n.quantiles.count() != f.totValues-n.numNaN ||
			n.numZeros+n.numPosInf+n.numNegInf > n.quantiles.count() {
			return errors.New("inconsistent numeric counts")
		}
	}
	if s := f.str; s != nil {
		s.totalBytes = d.uvarint("total bytes")
		nv := d.count("distinct values", 2)
		total := uint64(0)
		for i := range nv {
			v := d.string("value")
			c := d.uvarint("value count")
			if d.err != nil {
				return d.err
			}
			if c == 0 || (i > 0 && s.values[i-1] >= v) {
				return fmt.Errorf("string value %d is out of order or has no count", i)
			}
			s.index[v] = i
			s.values = append(s.values, v)
			s.counts = append(s.counts, c)
			total += c
		}
		if d.err == nil && total != f.totValues {
			return errors.New("string counts disagree with tot_num_values")
		}
	}
	return d.err
}
