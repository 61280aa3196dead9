package metrics

import (
	"fmt"
	"math"
	"slices"
)

var nan = math.NaN()

// Matrix is a binary confusion matrix: weighted counts of true and false
// positives and negatives at one threshold.
type Matrix struct {
	TP, TN, FP, FN float64
}

// Matrices are confusion matrices at ascending thresholds, as TFMA's
// binary_confusion_matrices.Matrices: TP[i] etc. belong to Thresholds[i].
type Matrices struct {
	Thresholds     []float64
	TP, TN, FP, FN []float64
}

// At returns the matrix at index i.
func (m Matrices) At(i int) Matrix {
	return Matrix{TP: m.TP[i], TN: m.TN[i], FP: m.FP[i], FN: m.FN[i]}
}

// epsilon is TFMA's _EPSILON (binary_confusion_matrices.py).
const epsilon = 1e-7

// DefaultNumThresholds is TFMA's DEFAULT_NUM_THRESHOLDS, the thresholds of
// AUC and the X_at_Y metrics, and the buckets of the calibration histogram.
const DefaultNumThresholds = 10000

// numBuckets is calibration_histogram.DEFAULT_NUM_BUCKETS.
const numBuckets = 10000

// InterpolatedThresholds returns TFMA's n thresholds
// (binary_confusion_matrices._interpolated_thresholds, as Keras's AUC):
// −1e−7, then (i+1)/(n−1) for i < n−2, then 1+1e−7. n must be > 1.
func InterpolatedThresholds(n int) []float64 {
	t := make([]float64, 0, n)
	t = append(t, -epsilon)
	for i := range n - 2 {
		t = append(t, float64(i+1)/float64(n-1))
	}
	return append(t, 1+epsilon)
}

// bucketIndex is calibration_histogram._bucket_index for [0, 1] and 10,000
// buckets: int(p·10000 + 1), 0 below, 10001 at or above 1. The explicit
// conversion keeps the compiler from fusing the multiply-add, so the
// bucket is the one Python's float arithmetic gives.
func bucketIndex(p float64) int32 {
	b := float64(p*numBuckets) + 1
	if b < 0 {
		return 0
	}
	if b >= numBuckets+1 {
		return numBuckets + 1
	}
	return int32(b)
}

// bucketPrediction is the lower edge rebin gives bucket id: −inf for 0,
// +inf for 10001, else (id−1)/10000 (calibration_histogram.rebin).
func bucketPrediction(id int32) float64 {
	switch {
	case id == 0:
		return math.Inf(-1)
	case id >= numBuckets+1:
		return math.Inf(1)
	}
	return float64(id-1) / numBuckets
}

// bucket is one calibration-histogram bucket after fractional-label
// splitting: the weight of its positive and of its negative halves.
type bucket struct {
	pos, neg Sum
}

// histogramMatrices computes confusion matrices at thresholds from the
// calibration histogram, as binary_confusion_matrices.py's histogram path
// does: thresholds shifted by +1e−7 (except 0), a −1e−7 fence when the
// first threshold is ≥ 0 and a 1+1e−7 fence when the last is < 1, rebin,
// then tp[i] = positives in buckets ≥ i, fn[i] = positives below, and TP =
// FP = 0 at thresholds ≥ 1+1e−7 (_histogram_to_binary_confusion_matrices).
// thresholds must be sorted ascending.
func histogramMatrices(thresholds []float64, hist map[int32]*bucket) (Matrices, error) {
	if len(thresholds) == 0 {
		return Matrices{}, fmt.Errorf("no thresholds")
	}
	if !slices.IsSorted(thresholds) {
		return Matrices{}, fmt.Errorf("thresholds %v are not sorted ascending", thresholds)
	}
	if len(thresholds) == 1 && thresholds[0] < 0 {
		// TFMA then reads a one-bucket histogram directly (top-k metrics);
		// tfxc has no top-k metrics.
		return Matrices{}, fmt.Errorf("a single negative threshold (%v) with the histogram is the top-k path, which is not supported", thresholds[0])
	}
	rebinT := make([]float64, 0, len(thresholds)+2)
	if thresholds[0] >= 0 {
		rebinT = append(rebinT, -epsilon)
	}
	for _, t := range thresholds {
		if t != 0 {
			t += epsilon
		}
		rebinT = append(rebinT, t)
	}
	if thresholds[len(thresholds)-1] < 1 {
		rebinT = append(rebinT, 1+epsilon)
	}

	ids := make([]int32, 0, len(hist))
	for id := range hist {
		ids = append(ids, id)
	}
	slices.Sort(ids)

	// rebin: bucket k collects the histogram buckets whose lower edge lies in
	// [rebinT[k], rebinT[k+1]); the first also takes everything below.
	n := len(rebinT)
	pos := make([]Sum, n)
	neg := make([]Sum, n)
	offset := 0
	for _, id := range ids {
		pred := bucketPrediction(id)
		for offset+1 < n && pred >= rebinT[offset+1] {
			offset++
		}
		pos[offset].Merge(&hist[id].pos)
		neg[offset].Merge(&hist[id].neg)
	}

	// Cumulative sums, each rounded once from the exact running total.
	tp := make([]float64, n)
	fp := make([]float64, n)
	tn := make([]float64, n)
	fn := make([]float64, n)
	var above, aboveNeg, below, belowNeg Sum
	for i := n - 1; i >= 0; i-- {
		above.Merge(&pos[i])
		aboveNeg.Merge(&neg[i])
		tp[i], fp[i] = above.Value(), aboveNeg.Value()
	}
	for i := range n {
		fn[i], tn[i] = below.Value(), belowNeg.Value()
		below.Merge(&pos[i])
		belowNeg.Merge(&neg[i])
	}

	off := 0
	if (thresholds[0] >= 0 || len(thresholds) == 1) && n > 1 {
		off = 1
	}
	k := len(thresholds)
	m := Matrices{
		Thresholds: slices.Clone(thresholds),
		TP:         tp[off : off+k], TN: tn[off : off+k],
		FP: fp[off : off+k], FN: fn[off : off+k],
	}
	for i, t := range thresholds {
		if t >= 1+epsilon {
			m.TP[i], m.FP[i] = 0, 0
			m.FN[i], m.TN[i] = m.TP[0], m.FP[0]
		}
	}
	return m, nil
}

// ratio is TFMA's _divide_only_positive_denominator: NaN unless the
// denominator is > 0.
func ratio(num, den float64) float64 {
	if den > 0 {
		return num / den
	}
	return nan
}

// posSqrt is _pos_sqrt; the arguments it receives are products of
// non-negative counts, so a negative one only comes from negative weights,
// where TFMA raises and tfxc returns NaN.
func posSqrt(x float64) float64 {
	if x < 0 {
		return nan
	}
	return math.Sqrt(x)
}

func balancedAccuracy(m Matrix) float64 {
	if p, n := m.TP+m.FN, m.TN+m.FP; p > 0 && n > 0 {
		return (m.TP/p + m.TN/n) / 2
	}
	return nan
}

func prevalenceThreshold(m Matrix) float64 {
	if p, n := m.TP+m.FN, m.TN+m.FP; p > 0 && n > 0 {
		tpr, tnr := m.TP/p, m.TN/n
		// TFMA divides by tpr+tnr−1 in Python floats, which raises when it
		// is 0; a zero denominator is NaN here, as everywhere else.
		return ratioAny(posSqrt(tpr*(1-tnr))+tnr-1, tpr+tnr-1)
	}
	return nan
}

// ratioAny divides, NaN for a zero denominator of either sign.
func ratioAny(num, den float64) float64 {
	if den == 0 {
		return nan
	}
	return num / den
}

func fowlkesMallows(m Matrix) float64 {
	if a, b := m.TP+m.FP, m.TP+m.FN; a > 0 && b > 0 {
		return posSqrt(m.TP / a * (m.TP / b))
	}
	return nan
}

func informedness(m Matrix) float64 {
	if p, n := m.TP+m.FN, m.TN+m.FP; p > 0 && n > 0 {
		return m.TP/p + m.TN/n - 1
	}
	return nan
}

func markedness(m Matrix) float64 {
	if a, b := m.TP+m.FP, m.TN+m.FN; a > 0 && b > 0 {
		return m.TP/a + m.TN/b - 1
	}
	return nan
}

func positiveLikelihoodRatio(m Matrix) float64 {
	if p, n := m.TP+m.FN, m.FP+m.TN; p > 0 && n > 0 && m.FP > 0 {
		return (m.TP / p) / (m.FP / n)
	}
	return nan
}

func negativeLikelihoodRatio(m Matrix) float64 {
	if p, n := m.FN+m.TP, m.TN+m.FP; p > 0 && n > 0 && m.TN > 0 {
		return (m.FN / p) / (m.TN / n)
	}
	return nan
}

// AUC computes the area under the ROC (curve "ROC") or precision-recall
// (curve "PR") curve of matrices at ascending thresholds, with summation
// "interpolation" (trapezoids for ROC, Davis & Goadrich for PR),
// "minoring" or "majoring" (confusion_matrix_metrics.AUC._metric_value).
// NaN terms are skipped, as numpy.nansum does.
func AUC(m Matrices, curve, summation string) (float64, error) {
	n := len(m.Thresholds)
	switch curve {
	case "ROC", "PR":
	default:
		return 0, fmt.Errorf("unknown AUC curve %q (want ROC or PR)", curve)
	}
	switch summation {
	case "interpolation", "minoring", "majoring":
	default:
		return 0, fmt.Errorf("unknown AUC summation method %q (want interpolation, minoring or majoring)", summation)
	}
	var terms []float64
	if curve == "PR" && summation == "interpolation" {
		for i := 0; i+1 < n; i++ {
			dtp := m.TP[i] - m.TP[i+1]
			p0, p1 := m.TP[i]+m.FP[i], m.TP[i+1]+m.FP[i+1]
			slope := dtp / math.Max(p0-p1, 0)
			intercept := m.TP[i+1] - slope*p1
			pRatio := 1.0
			if p0 > 0 && p1 > 0 {
				pRatio = p0 / math.Max(p1, 0)
			}
			terms = append(terms, slope*(dtp+intercept*math.Log(pRatio))/math.Max(m.TP[i+1]+m.FN[i+1], 0))
		}
		return nansum(terms), nil
	}
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range n {
		recall := m.TP[i] / (m.TP[i] + m.FN[i])
		if curve == "ROC" {
			x[i], y[i] = m.FP[i]/(m.FP[i]+m.TN[i]), recall
		} else {
			x[i], y[i] = recall, m.TP[i]/(m.TP[i]+m.FP[i])
		}
	}
	for i := 0; i+1 < n; i++ {
		var h float64
		switch summation {
		case "interpolation":
			h = (y[i] + y[i+1]) / 2
		case "minoring":
			h = npMin(y[i], y[i+1])
		default:
			h = npMax(y[i], y[i+1])
		}
		terms = append(terms, (x[i]-x[i+1])*h)
	}
	return nansum(terms), nil
}

// nansum adds in order, skipping NaN (numpy.nansum of a 1-d array; numpy's
// pairwise summation differs from this only in the last bits).
func nansum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			s += x
		}
	}
	return s
}

// npMin and npMax propagate NaN, as numpy.minimum and numpy.maximum do.
func npMin(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		return nan
	}
	return math.Min(a, b)
}

func npMax(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		return nan
	}
	return math.Max(a, b)
}

// maxUnderConstraint is _find_max_under_constraint: the largest non-NaN
// dependent value among the positions whose constrained value satisfies
// the constraint (≥ value, or ≤ value when atMost), 0 when none does, NaN
// when all that do are NaN.
func maxUnderConstraint(constrained, dependent []float64, value float64, atMost bool) float64 {
	found, best := false, nan
	for i, c := range constrained {
		ok := c >= value
		if atMost {
			ok = c <= value
		}
		if !ok {
			continue
		}
		found = true
		if d := dependent[i]; !math.IsNaN(d) && (math.IsNaN(best) || d > best) {
			best = d
		}
	}
	if !found {
		return 0
	}
	return best
}

// atMetric computes a X_at_Y metric of matrices (confusion_matrix_metrics.py
// SensitivityAtSpecificity and siblings).
func atMetric(name string, m Matrices, value float64) float64 {
	n := len(m.Thresholds)
	rec := make([]float64, n)
	prec := make([]float64, n)
	spec := make([]float64, n)
	fpr := make([]float64, n)
	for i := range n {
		rec[i] = m.TP[i] / (m.TP[i] + m.FN[i])
		prec[i] = m.TP[i] / (m.TP[i] + m.FP[i])
		spec[i] = m.TN[i] / (m.TN[i] + m.FP[i])
		fpr[i] = m.FP[i] / (m.FP[i] + m.TN[i])
	}
	switch name {
	case "sensitivity_at_specificity":
		return maxUnderConstraint(spec, rec, value, false)
	case "specificity_at_sensitivity":
		return maxUnderConstraint(rec, spec, value, false)
	case "precision_at_recall":
		return maxUnderConstraint(rec, prec, value, false)
	case "recall_at_precision":
		return maxUnderConstraint(prec, rec, value, false)
	case "recall_at_false_positive_rate":
		return maxUnderConstraint(fpr, rec, value, true)
	case "threshold_at_recall":
		return maxUnderConstraint(rec, m.Thresholds, value, false)
	}
	return nan
}
