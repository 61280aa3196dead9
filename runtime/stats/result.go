package stats

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tfxc/tfxc/pb/tfmd"
	"github.com/tfxc/tfxc/runtime/batch"
)

// nonUTF8Placeholder replaces a top value that is not valid UTF-8
// (TFDV constants.NON_UTF8_PLACEHOLDER); proto string fields must be UTF-8.
const nonUTF8Placeholder = "__BYTES_VALUE__"

// Result returns the statistics of the rows added so far as the dataset
// name, one FeatureNameStatistics per feature in schema order. The
// accumulator is not changed and can keep accumulating.
func (a *Accumulator) Result(name string) (*tfmd.DatasetFeatureStatistics, error) {
	if a.err != nil {
		return nil, a.err
	}
	out := &tfmd.DatasetFeatureStatistics{Name: name, NumExamples: a.numExamples}
	for i, f := range a.features {
		out.Features = append(out.Features, a.featureResult(f, &a.feats[i]))
	}
	return out, nil
}

// featureType is the statistics type TFDV gives a column of each kind
// (stats_util.get_feature_type_from_arrow_type): integers INT, floats
// FLOAT, and binary or string columns STRING (BYTES only when the schema
// says so, which tfxc's schemas do not).
func featureType(k batch.Kind) tfmd.FeatureNameStatistics_Type {
	switch k {
	case batch.Int:
		return tfmd.FeatureNameStatistics_INT
	case batch.Float:
		return tfmd.FeatureNameStatistics_FLOAT
	}
	return tfmd.FeatureNameStatistics_STRING
}

func (a *Accumulator) featureResult(f Feature, acc *featureAcc) *tfmd.FeatureNameStatistics {
	fs := &tfmd.FeatureNameStatistics{
		FieldId: &tfmd.FeatureNameStatistics_Path{Path: &tfmd.Path{Step: []string{f.Name}}},
		Type:    featureType(f.Kind),
	}
	common := a.commonResult(acc)
	if acc.str != nil {
		ss := a.stringResult(acc.str)
		ss.CommonStats = common
		fs.Stats = &tfmd.FeatureNameStatistics_StringStats{StringStats: ss}
		return fs
	}
	ns := a.numericResult(acc.num, acc.totValues)
	ns.CommonStats = common
	fs.Stats = &tfmd.FeatureNameStatistics_NumStats{NumStats: ns}
	return fs
}

// commonResult follows basic_stats_generator.py _make_common_stats_proto
// for a feature of one nesting level: num_missing counts the rows without
// a list; the valency fields and the histogram of list lengths are set only
// when some row has a list.
func (a *Accumulator) commonResult(acc *featureAcc) *tfmd.CommonStatistics {
	c := &tfmd.CommonStatistics{
		NumNonMissing: acc.nonMissing,
		NumMissing:    a.numExamples - acc.nonMissing,
		TotNumValues:  acc.totValues,
	}
	if acc.nonMissing == 0 {
		return c
	}
	c.MinNumValues = acc.minValues
	c.MaxNumValues = acc.maxValues
	c.AvgNumValues = float32(float64(acc.totValues) / float64(acc.nonMissing))
	qs, cum := quantilesAndCumulativeWeights(acc.numValues.summary(), a.opts.NumValuesHistogramBuckets)
	c.NumValuesHistogram = quantilesHistogram(qs, cum)
	return c
}

// numericResult follows basic_stats_generator.py _make_numeric_stats_proto.
// Without a non-NaN value only num_nan is set, in a STANDARD and a
// QUANTILES histogram. Otherwise the quantile sketch is read at
// 100·NumQuantilesHistogramBuckets quantiles: the median is the middle one,
// the standard histogram spreads them over equal-width buckets between the
// finite minimum and maximum (with point buckets at ±∞ for infinite
// values), and the quantiles histogram keeps every 100th.
//
// Mean and standard deviation are exact (rounded once) over the values,
// where TFDV accumulates them in floating point; they differ at most in
// the last bits. With infinite values, as numpy's mean and var: the mean
// is ±Inf (NaN with both signs) and the variance NaN, which TFDV's
// sqrt(max(0, variance)) turns into a standard deviation of 0.
func (a *Accumulator) numericResult(n *numericAcc, totValues uint64) *tfmd.NumericStatistics {
	ns := &tfmd.NumericStatistics{}
	total := totValues - n.numNaN
	if total == 0 {
		if n.numNaN > 0 {
			ns.Histograms = []*tfmd.Histogram{
				{NumNan: n.numNaN, Type: tfmd.Histogram_STANDARD},
				{NumNan: n.numNaN, Type: tfmd.Histogram_QUANTILES},
			}
		}
		return ns
	}
	switch {
	case n.numPosInf > 0 && n.numNegInf > 0:
		ns.Mean = math.NaN()
	case n.numPosInf > 0:
		ns.Mean = math.Inf(1)
	case n.numNegInf > 0:
		ns.Mean = math.Inf(-1)
	default:
		ns.Mean, ns.StdDev = meanStdDev(&n.sum, &n.sumSquares, total)
	}
	ns.NumZeros = n.numZeros
	ns.Min = n.min
	ns.Max = n.max

	qs, cum := quantilesAndCumulativeWeights(n.quantiles.summary(), stdHistogramFactor*a.opts.NumQuantilesHistogramBuckets)
	ns.Median = findMedian(qs)
	std := equiWidthHistogram(qs, cum, n.finiteMin, n.finiteMax, a.opts.NumHistogramBuckets, float64(n.numPosInf))
	std.NumNan = n.numNaN
	q := quantilesHistogram(rebinQuantiles(qs, cum, stdHistogramFactor))
	q.NumNan = n.numNaN
	ns.Histograms = []*tfmd.Histogram{std, q}
	return ns
}

// stringResult follows basic_stats_generator.py _make_string_stats_proto
// (avg_length) and top_k_uniques_stats_util.py
// _make_feature_stats_proto_topk (unique, top_values, rank_histogram).
// Values are ranked by count, descending, ties broken by the larger value
// first (Python's sort of (count, value) pairs with reverse=True; bytes
// compare as Go strings do). Values below FrequencyThreshold are left out.
func (a *Accumulator) stringResult(s *stringAcc) *tfmd.StringStatistics {
	ss := &tfmd.StringStatistics{}
	total := uint64(0)
	for _, c := range s.counts {
		total += c
	}
	if total > 0 {
		ss.AvgLength = float32(float64(s.totalBytes) / float64(total))
	}
	if len(s.values) == 0 {
		return ss // TFDV's top-k generator emits nothing for a feature without values
	}
	ss.Unique = uint64(len(s.values))
	keep := max(a.opts.NumTopValues, a.opts.NumRankHistogramBuckets)
	order := topK(s, keep)
	rh := &tfmd.RankHistogram{}
	for rank, i := range order {
		count := s.counts[i]
		if count < uint64(a.opts.FrequencyThreshold) {
			break
		}
		label := s.values[i]
		if !utf8.ValidString(label) {
			label = nonUTF8Placeholder
		}
		if rank < a.opts.NumTopValues {
			ss.TopValues = append(ss.TopValues, &tfmd.StringStatistics_FreqAndValue{Value: label, Frequency: float64(count)})
		}
		if rank < a.opts.NumRankHistogramBuckets {
			rh.Buckets = append(rh.Buckets, &tfmd.RankHistogram_Bucket{
				LowRank: uint64(rank), HighRank: uint64(rank), Label: label, SampleCount: float64(count),
			})
		}
	}
	if len(rh.Buckets) > 0 { // as in TFDV, no buckets leave the field unset
		ss.RankHistogram = rh
	}
	return ss
}

// topK returns the positions of the k first values in rank order.
func topK(s *stringAcc, k int) []int {
	order := make([]int, len(s.values))
	for i := range order {
		order[i] = i
	}
	byRank := func(i, j int) int {
		if c := cmp.Compare(s.counts[j], s.counts[i]); c != 0 {
			return c
		}
		return strings.Compare(s.values[j], s.values[i])
	}
	slices.SortFunc(order, byRank)
	return order[:min(k, len(order))]
}
