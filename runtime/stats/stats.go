// Package stats is the StatisticsGen of the job: it computes TensorFlow
// Data Validation's statistics of a dataset (TFDV
// statistics/generators/basic_stats_generator.py and
// top_k_uniques_stats_generator.py with StatsOptions' defaults) over
// columnar batches, as a TFMD DatasetFeatureStatistics.
//
// The work is an Accumulator per split: Add folds batches into it, Merge
// combines the accumulators of shards, MarshalBinary and UnmarshalBinary
// carry them across Beam's boundaries, and Result builds the proto. The
// result depends only on the rows added, never on how they were split into
// batches or shards or on the order of merges: sums are exact, the quantile
// sketch is order-independent (see quantileSketch), and string counts are
// exact.
//
// Memory is bounded per feature: a numeric feature keeps at most
// Options.QuantileEntries groups of values, a string feature one count per
// distinct value. Nothing grows with the number of rows.
package stats

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/tfxc/tfxc/runtime/batch"
)

// Feature names a feature and the kind of its values, as the schema gives
// them.
type Feature struct {
	Name string
	Kind batch.Kind
}

// Options are the knobs of TFDV's StatsOptions that the statistics use. A
// zero field takes TFDV's default.
type Options struct {
	// NumTopValues is the number of most frequent strings in top_values
	// (default 20).
	NumTopValues int
	// NumRankHistogramBuckets is the number of strings in the rank
	// histogram (default 1000).
	NumRankHistogramBuckets int
	// FrequencyThreshold is the least count of a string listed in
	// top_values and the rank histogram (default 1).
	FrequencyThreshold int
	// NumValuesHistogramBuckets is the number of buckets of the quantiles
	// histogram of values per example (default 10).
	NumValuesHistogramBuckets int
	// NumHistogramBuckets is the number of equal-width buckets of the
	// standard histogram (default 10).
	NumHistogramBuckets int
	// NumQuantilesHistogramBuckets is the number of buckets of the
	// quantiles histogram (default 10).
	NumQuantilesHistogramBuckets int
	// QuantileEntries bounds the quantile sketch of each numeric feature
	// (and of each feature's value counts): quantiles are exact while a
	// feature has at most this many distinct values (default 8192, at
	// most 24 bytes each).
	QuantileEntries int
}

// TFDV's StatsOptions defaults (tensorflow_data_validation/statistics/
// stats_options.py), and tfxc's own for the sketch.
const (
	defaultNumTopValues            = 20
	defaultNumRankHistogramBuckets = 1000
	defaultFrequencyThreshold      = 1
	defaultNumBuckets              = 10
	defaultQuantileEntries         = 8192
	minQuantileEntries             = 16
)

func (o Options) withDefaults() (Options, error) {
	fields := []struct {
		name string
		v    *int
		def  int
	}{
		{"NumTopValues", &o.NumTopValues, defaultNumTopValues},
		{"NumRankHistogramBuckets", &o.NumRankHistogramBuckets, defaultNumRankHistogramBuckets},
		{"FrequencyThreshold", &o.FrequencyThreshold, defaultFrequencyThreshold},
		{"NumValuesHistogramBuckets", &o.NumValuesHistogramBuckets, defaultNumBuckets},
		{"NumHistogramBuckets", &o.NumHistogramBuckets, defaultNumBuckets},
		{"NumQuantilesHistogramBuckets", &o.NumQuantilesHistogramBuckets, defaultNumBuckets},
		{"QuantileEntries", &o.QuantileEntries, defaultQuantileEntries},
	}
	for _, f := range fields {
		if *f.v < 0 {
			return o, fmt.Errorf("stats: option %s is negative (%d)", f.name, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if o.QuantileEntries < minQuantileEntries {
		return o, fmt.Errorf("stats: option QuantileEntries must be at least %d, got %d", minQuantileEntries, o.QuantileEntries)
	}
	if o.NumQuantilesHistogramBuckets > 1<<20 || o.NumHistogramBuckets > 1<<20 || o.NumValuesHistogramBuckets > 1<<20 {
		return o, errors.New("stats: more than 2^20 histogram buckets")
	}
	return o, nil
}

// Accumulator holds the partial statistics of a dataset. Its zero value is
// not usable: make one with New or UnmarshalBinary. It is not safe for
// concurrent use.
type Accumulator struct {
	features    []Feature
	opts        Options
	err         error // a bad feature list or option, reported by every method
	numExamples uint64
	feats       []featureAcc
}

// featureAcc is one feature's partial statistics.
type featureAcc struct {
	// Presence and valency (basic_stats_generator.py
	// _PresenceAndValencyStats): rows with a list, the least and greatest
	// length of a list, the total number of values, and a sketch of the
	// list lengths.
	nonMissing uint64
	minValues  uint64
	maxValues  uint64
	totValues  uint64
	numValues  quantileSketch
	num        *numericAcc // Int and Float features
	str        *stringAcc  // Bytes features
}

// numericAcc is basic_stats_generator.py _PartialNumericStats without
// weights.
type numericAcc struct {
	numNaN, numZeros     uint64
	numPosInf, numNegInf uint64
	min, max             float64 // over non-NaN values, ±Inf included
	finiteMin, finiteMax float64
	sum, sumSquares      exactSum // over finite values
	quantiles            quantileSketch
}

// stringAcc holds the exact count of each distinct string (the top-k and
// uniques generator counts exactly too) and the total length of all values
// (basic_stats_generator.py _PartialStringStats).
type stringAcc struct {
	index      map[string]int // value → position in values and counts
	values     []string
	counts     []uint64
	totalBytes uint64
}

// New returns an empty accumulator for the given features, in schema
// order. An invalid feature list or option is reported by every later call.
func New(features []Feature, opts Options) *Accumulator {
	a := &Accumulator{features: append([]Feature(nil), features...)}
	a.opts, a.err = opts.withDefaults()
	if a.err == nil {
		a.err = checkFeatures(features)
	}
	if a.err != nil {
		return a
	}
	a.feats = make([]featureAcc, len(features))
	for i, f := range features {
		a.feats[i] = newFeatureAcc(f.Kind, a.opts)
	}
	return a
}

func checkFeatures(features []Feature) error {
	seen := make(map[string]bool, len(features))
	for i, f := range features {
		if f.Name == "" {
			return fmt.Errorf("stats: feature %d has no name", i)
		}
		if seen[f.Name] {
			return fmt.Errorf("stats: feature %s is listed twice", f.Name)
		}
		seen[f.Name] = true
		switch f.Kind {
		case batch.Int, batch.Float, batch.Bytes:
		default:
			return fmt.Errorf("stats: feature %s has no valid kind (%v)", f.Name, f.Kind)
		}
	}
	return nil
}

func newFeatureAcc(kind batch.Kind, opts Options) featureAcc {
	f := featureAcc{minValues: math.MaxUint64, numValues: newQuantileSketch(opts.QuantileEntries)}
	switch kind {
	case batch.Int, batch.Float:
		f.num = &numericAcc{
			min: math.Inf(1), max: math.Inf(-1),
			finiteMin: math.Inf(1), finiteMax: math.Inf(-1),
			quantiles: newQuantileSketch(opts.QuantileEntries),
		}
	case batch.Bytes:
		f.str = &stringAcc{index: make(map[string]int)}
	}
	return f
}

// Features returns the features, in the order New received them.
func (a *Accumulator) Features() []Feature { return append([]Feature(nil), a.features...) }

// NumExamples is the number of rows added so far.
func (a *Accumulator) NumExamples() uint64 { return a.numExamples }

// Add folds a batch into the statistics. A feature without a column in the
// batch counts as missing in each of its rows (as TFDV counts a feature
// absent from a record batch). A column of another kind than its feature's
// is an error, and so is a batch that fails batch.Check; on error nothing
// was added.
func (a *Accumulator) Add(b *batch.Batch) error {
	if a.err != nil {
		return a.err
	}
	if err := b.Check(); err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	cols := make([]*batch.Column, len(a.features))
	for i, f := range a.features {
		c := b.Column(f.Name)
		if c != nil && c.Kind != f.Kind {
			return fmt.Errorf("stats: column %s holds %v values, the schema says %v", f.Name, c.Kind, f.Kind)
		}
		cols[i] = c
	}
	a.numExamples += uint64(b.Rows())
	for i, c := range cols {
		if c != nil {
			a.feats[i].add(c)
		}
	}
	return nil
}

// smallLengths is the bound below which Add counts list lengths in an
// array before it adds them to the sketch, as TFDV pre-aggregates them
// (_PresenceAndValencyStats.update).
const smallLengths = 64

func (f *featureAcc) add(c *batch.Column) {
	var small [smallLengths]uint64
	for r, missing := range c.Missing {
		if missing {
			continue
		}
		n := uint64(c.Offsets[r+1] - c.Offsets[r])
		f.nonMissing++
		f.totValues += n
		f.minValues = min(f.minValues, n)
		f.maxValues = max(f.maxValues, n)
		if n < smallLengths {
			small[n]++
		} else {
			f.numValues.push(float64(n))
		}
	}
	for n, count := range small {
		f.numValues.pushCount(float64(n), count)
	}
	switch c.Kind {
	case batch.Int:
		f.num.addInts(c.Ints[:c.NumValues()])
	case batch.Float:
		f.num.addFloats(c.Floats[:c.NumValues()])
	case batch.Bytes:
		f.str.add(c.Strings[:c.NumValues()])
	}
}

// addInts follows _PartialNumericStats.update for integers: no NaN, no
// infinity.
func (n *numericAcc) addInts(vs []int64) {
	for _, v := range vs {
		n.sum.addInt(v)
		n.sumSquares.addIntSquare(v)
		x := float64(v)
		n.min = min(n.min, x)
		n.max = max(n.max, x)
		if v == 0 {
			n.numZeros++
		}
		n.quantiles.push(x)
	}
	if len(vs) > 0 {
		n.finiteMin, n.finiteMax = n.min, n.max
	}
}

// addFloats follows _PartialNumericStats.update: NaN is counted in num_nan
// and otherwise ignored; ±Inf counts in min, max, the quantiles and the
// histograms' infinite buckets, but not in finite_min/finite_max; mean and
// standard deviation are over the finite values here and made infinite (or
// NaN) in Result as numpy would (see numericResult).
func (n *numericAcc) addFloats(vs []float32) {
	for _, v32 := range vs {
		x := float64(v32)
		switch {
		case x != x:
			n.numNaN++
			continue
		case math.IsInf(x, 1):
			n.numPosInf++
		case math.IsInf(x, -1):
			n.numNegInf++
		default:
			// A float32 squared is exact in a float64 (24-bit significands).
			n.sum.addFloat(x)
			n.sumSquares.addFloat(x * x)
			n.finiteMin = min(n.finiteMin, x)
			n.finiteMax = max(n.finiteMax, x)
			if x == 0 {
				n.numZeros++
			}
		}
		n.min = min(n.min, x)
		n.max = max(n.max, x)
		n.quantiles.push(x)
	}
}

func (s *stringAcc) add(vs []string) {
	for _, v := range vs {
		s.totalBytes += uint64(len(v))
		if i, ok := s.index[v]; ok {
			s.counts[i]++
			continue
		}
		// Clone: the key must not keep the batch's memory alive.
		v = strings.Clone(v)
		s.index[v] = len(s.values)
		s.values = append(s.values, v)
		s.counts = append(s.counts, 1)
	}
}

// Merge adds another accumulator's statistics to a's. Both must have the
// same features and options; o is not modified.
func (a *Accumulator) Merge(o *Accumulator) error {
	if a.err != nil {
		return a.err
	}
	if o.err != nil {
		return o.err
	}
	if len(a.features) != len(o.features) {
		return fmt.Errorf("stats: cannot merge statistics of %d features with statistics of %d", len(a.features), len(o.features))
	}
	for i, f := range a.features {
		if o.features[i] != f {
			return fmt.Errorf("stats: cannot merge: feature %d is %s (%v) here and %s (%v) there",
				i, f.Name, f.Kind, o.features[i].Name, o.features[i].Kind)
		}
	}
	if a.opts != o.opts {
		return fmt.Errorf("stats: cannot merge statistics computed with different options (%+v and %+v)", a.opts, o.opts)
	}
	a.numExamples += o.numExamples
	for i := range a.feats {
		a.feats[i].merge(&o.feats[i])
	}
	return nil
}

func (f *featureAcc) merge(o *featureAcc) {
	f.nonMissing += o.nonMissing
	f.minValues = min(f.minValues, o.minValues)
	f.maxValues = max(f.maxValues, o.maxValues)
	f.totValues += o.totValues
	f.numValues.merge(&o.numValues)
	if f.num != nil {
		f.num.merge(o.num)
	}
	if f.str != nil {
		f.str.merge(o.str)
	}
}

func (n *numericAcc) merge(o *numericAcc) {
	n.numNaN += o.numNaN
	n.numZeros += o.numZeros
	n.numPosInf += o.numPosInf
	n.numNegInf += o.numNegInf
	n.min = min(n.min, o.min)
	n.max = max(n.max, o.max)
	n.finiteMin = min(n.finiteMin, o.finiteMin)
	n.finiteMax = max(n.finiteMax, o.finiteMax)
	n.sum.merge(&o.sum)
	n.sumSquares.merge(&o.sumSquares)
	n.quantiles.merge(&o.quantiles)
}

func (s *stringAcc) merge(o *stringAcc) {
	s.totalBytes += o.totalBytes
	for j, v := range o.values {
		if i, ok := s.index[v]; ok {
			s.counts[i] += o.counts[j]
			continue
		}
		s.index[v] = len(s.values)
		s.values = append(s.values, v)
		s.counts = append(s.counts, o.counts[j])
	}
}
