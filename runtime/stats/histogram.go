package stats

import (
	"math"
	"sort"

	"github.com/tfxc/tfxc/pb/tfmd"
)

// This file turns quantiles into TFDV's histograms, following
// tensorflow_data_validation/utils/quantiles_util.py step by step so that
// the floating-point results agree (the arithmetic is done in the same
// order).

// stdHistogramFactor is how many quantiles per bucket TFDV reads to build
// the histograms of a numeric feature (basic_stats_generator.py
// _NUM_QUANTILES_FACTOR_FOR_STD_HISTOGRAM).
const stdHistogramFactor = 100

// findMedian is quantiles_util.find_median: the middle quantile, or the
// mean of the two middle ones.
func findMedian(qs []float64) float64 {
	m := len(qs) / 2
	if len(qs)%2 == 0 {
		return (qs[m-1] + qs[m]) / 2
	}
	return qs[m]
}

// binWeights is quantiles_util._get_bin_weights: the buckets between
// consecutive boundaries with the weight that falls in each. The weight
// of a run of buckets with the same upper bound is shared evenly among
// them, and the weight at the minimum (cum[0]) is shared among the leading
// buckets identical to the first. Counts are whole numbers, so the sums
// below are exact and summation order (numpy sums pairwise) is immaterial.
func binWeights(bounds, cum []float64) (lo, hi, w []float64) {
	if len(bounds) < 2 {
		return nil, nil, nil
	}
	n := len(bounds) - 1
	lo, hi = bounds[:n], bounds[1:]
	w = make([]float64, n)
	for i := range w {
		w[i] = cum[i+1] - cum[i]
	}
	for i := 0; i < n; {
		j := i + 1
		for j < n && hi[i] == hi[j] {
			j++
		}
		if j > i+1 {
			sum := 0.0
			for _, x := range w[i:j] {
				sum += x
			}
			d := sum / float64(j-i)
			for k := i; k < j; k++ {
				w[k] = d
			}
		}
		i = j
	}
	i := 1
	for i < n && lo[0] == lo[i] && hi[0] == hi[i] {
		i++
	}
	for k := 0; k < i; k++ {
		w[k] += cum[0] / float64(i)
	}
	return lo, hi, w
}

// quantilesHistogram is quantiles_util.generate_quantiles_histogram.
func quantilesHistogram(qs, cum []float64) *tfmd.Histogram {
	h := &tfmd.Histogram{Type: tfmd.Histogram_QUANTILES}
	lo, hi, w := binWeights(qs, cum)
	for i := range lo {
		h.Buckets = append(h.Buckets, &tfmd.Histogram_Bucket{LowValue: lo[i], HighValue: hi[i], SampleCount: w[i]})
	}
	return h
}

// rebinQuantiles is quantiles_util.rebin_quantiles: keep the first
// quantile and every factor-th after it.
func rebinQuantiles(qs, cum []float64, factor int) ([]float64, []float64) {
	q := []float64{qs[0]}
	c := []float64{cum[0]}
	for i := factor; i < len(qs); i += factor {
		q = append(q, qs[i])
		c = append(c, cum[i])
	}
	return q, c
}

// stripInfinities is quantiles_util._strip_infinities: drop the leading
// −∞ quantiles (returning their count) and the trailing +∞ ones, which are
// replaced by the finite maximum with the count of the finite values.
func stripInfinities(qs, cum []float64, finiteMax, numPosInf float64) ([]float64, []float64, float64) {
	negInf := sort.Search(len(qs), func(i int) bool { return qs[i] > math.Inf(-1) })
	numNegInf := 0.0
	if negInf > 0 {
		numNegInf = cum[negInf-1]
		qs = qs[negInf:]
		shifted := make([]float64, len(cum)-negInf)
		for i, c := range cum[negInf:] {
			shifted[i] = c - numNegInf
		}
		cum = shifted
	}
	if numPosInf != 0 {
		posInf := sort.Search(len(qs), func(i int) bool { return qs[i] >= math.Inf(1) })
		finiteCount := cum[len(cum)-1] - numPosInf
		qs = append(qs[:posInf:posInf], finiteMax)
		cum = append(cum[:posInf:posInf], finiteCount)
	}
	return qs, cum, numNegInf
}

// overlap is quantiles_util._overlap: the fraction of a bucket's count that
// falls in [low, high], assuming the count is spread evenly over the
// bucket, and whether the bucket lies wholly before or after the interval.
// A point bucket on the interval's low edge belongs to it only for the
// first interval.
func overlap(b *tfmd.Histogram_Bucket, low, high float64, first bool) (frac float64, before, after bool) {
	bl, bh := b.LowValue, b.HighValue
	switch {
	case bh == bl && bl == low:
		if first {
			return 1, false, false
		}
		return 0, true, false
	case bh < low:
		return 0, true, false
	case bl > high:
		return 0, false, true
	case low <= bl && high >= bh:
		return 1, false, false
	case low <= bl:
		return (high - bl) / (bh - bl), false, false
	case high >= bh:
		return (bh - low) / (bh - bl), false, false
	default:
		return (high - low) / (bh - bl), false, false
	}
}

// linspace is numpy.linspace(start, stop, n) for n >= 2: start + i·step
// with step = (stop−start)/(n−1), the last point being stop itself.
func linspace(start, stop float64, n int) []float64 {
	div := float64(n - 1)
	delta := stop - start
	step := delta / div
	out := make([]float64, n)
	for i := range out {
		var y float64
		if step == 0 {
			y = float64(float64(i)/div) * delta
		} else {
			y = float64(float64(i) * step) // no fused multiply-add, as numpy
		}
		out[i] = y + start
	}
	out[n-1] = stop
	return out
}

// equiWidthHistogram is quantiles_util.generate_equi_width_histogram:
// numBuckets buckets of equal width between the finite minimum and maximum,
// each with the share of the quantile buckets that overlap it (linear
// interpolation inside a quantile bucket), plus a point bucket at −∞ and
// one at +∞ when there are infinite values.
func equiWidthHistogram(qs, cum []float64, finiteMin, finiteMax float64, numBuckets int, numPosInf float64) *tfmd.Histogram {
	h := &tfmd.Histogram{Type: tfmd.Histogram_STANDARD}
	if math.IsInf(finiteMin, 0) && math.IsInf(finiteMax, 0) {
		// No finite value at all: one bucket with everything.
		h.Buckets = append(h.Buckets, &tfmd.Histogram_Bucket{LowValue: finiteMin, HighValue: finiteMax, SampleCount: cum[len(cum)-1]})
		return h
	}
	qs, cum, numNegInf := stripInfinities(qs, cum, finiteMax, numPosInf)
	qh := quantilesHistogram(qs, cum)
	var bounds []float64
	if finiteMin == finiteMax {
		bounds = []float64{finiteMin, finiteMax}
	} else {
		bounds = linspace(finiteMin, finiteMax, numBuckets+1)
		for _, b := range bounds {
			if math.IsInf(b, 0) || math.IsNaN(b) {
				return h // overflow: TFDV gives up and returns no buckets
			}
		}
	}
	if numNegInf != 0 {
		h.Buckets = append(h.Buckets, &tfmd.Histogram_Bucket{LowValue: math.Inf(-1), HighValue: math.Inf(-1), SampleCount: numNegInf})
	}
	start := 0
	for i := 0; i+1 < len(bounds); i++ {
		low, high := bounds[i], bounds[i+1]
		count := 0.0
		for cur := start; cur < len(qh.Buckets); cur++ {
			frac, before, after := overlap(qh.Buckets[cur], low, high, i == 0)
			if after {
				break
			}
			if before {
				start = cur
			}
			count += float64(frac * qh.Buckets[cur].SampleCount) // rounded product: no fused multiply-add
		}
		h.Buckets = append(h.Buckets, &tfmd.Histogram_Bucket{LowValue: low, HighValue: high, SampleCount: count})
	}
	if numPosInf != 0 {
		h.Buckets = append(h.Buckets, &tfmd.Histogram_Bucket{LowValue: math.Inf(1), HighValue: math.Inf(1), SampleCount: numPosInf})
	}
	return h
}
