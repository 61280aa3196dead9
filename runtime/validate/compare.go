package validate

import (
	"errors"
	"math"
	"slices"
	"sort"

	"google.golang.org/protobuf/proto"

	"github.com/tfxc/tfxc/pb/tfmd"
)

// comparatorKind is drift (against the previous span) or skew (against
// serving data).
type comparatorKind int

const (
	drift comparatorKind = iota
	skew
)

// names returns the control and treatment names used in descriptions
// (feature_util.cc GetContext).
func (k comparatorKind) names() (control, treatment string) {
	if k == skew {
		return "serving", "training"
	}
	return "previous", "current"
}

// sortedKeys returns the union of the keys of the maps in ascending order.
func sortedKeys(ms ...map[string]float64) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

func sum(m map[string]float64) float64 {
	s := 0.0
	for _, k := range sortedKeys(m) {
		s += m[k]
	}
	return s
}

// maxDifference divides a's and b's counts by scaleA and scaleB (a zero
// scale leaves them as they are) and returns the largest absolute
// difference over the union of keys, and its key. Keys are scanned in
// ascending order and a tie moves the key forward, so the last of several
// equal maxima is reported (metrics.cc GetLInftyNorm, map_util.cc ScaleBy).
func maxDifference(a, b map[string]float64, scaleA, scaleB float64) (float64, string) {
	if scaleA == 0 {
		scaleA = 1
	}
	if scaleB == 0 {
		scaleB = 1
	}
	best, key := 0.0, ""
	for _, k := range sortedKeys(a, b) {
		d := math.Abs(a[k]/scaleA - b[k]/scaleB)
		if d >= best {
			best, key = d, k
		}
	}
	return best, key
}

// LInfinityDistance is the L-infinity distance between two categorical
// distributions given as value → count: each side is normalized by its
// own total, a value missing on one side counts 0, and the distance is
// the largest absolute difference. It also returns the value where the
// difference is largest (the last in byte order among ties); empty
// against empty is 0 (metrics.cc LInftyDistance, kSeparateTotal).
func LInfinityDistance(a, b map[string]float64) (float64, string) {
	return maxDifference(a, b, sum(a), sum(b))
}

// NormalizedAbsoluteDifference is LInfinityDistance with both sides
// divided by their combined total (metrics.cc kCombinedTotal).
func NormalizedAbsoluteDifference(a, b map[string]float64) (float64, string) {
	total := sum(a) + sum(b)
	return maxDifference(a, b, total, total)
}

// JensenShannonDivergence is the Jensen-Shannon divergence (log base 2,
// capped at 1) between two categorical distributions given as value →
// count. Both must be non-empty with positive counts (metrics.cc
// JensenShannonDivergence over maps).
func JensenShannonDivergence(a, b map[string]float64) (float64, error) {
	if len(a) == 0 || len(b) == 0 {
		return 0, errors.New("jensen-shannon divergence of an empty distribution")
	}
	for _, m := range []map[string]float64{a, b} {
		for _, v := range m {
			if v <= 0 {
				return 0, errors.New("jensen-shannon divergence: a count is not positive")
			}
		}
	}
	sa, sb := sum(a), sum(b)
	kl := 0.0
	for _, k := range sortedKeys(a, b) {
		pa, pb := a[k]/sa, b[k]/sb
		m := (pa + pb) / 2
		if a[k] != 0 {
			kl += pa * math.Log2(pa/m)
		}
		if b[k] != 0 {
			kl += pb * math.Log2(pb/m)
		}
	}
	return math.Min(kl/2, 1), nil
}

// comparison is what one comparator found for one feature.
type comparison struct {
	reasons      []Reason
	measurements []*tfmd.DriftSkewInfo_Measurement
}

// updateComparator runs the L-infinity, normalized absolute difference and
// Jensen-Shannon checks a comparator configures against the control
// statistics, lowering nothing but raising each exceeded threshold to the
// distance found (feature_util.cc UpdateFeatureComparatorDirect).
func updateComparator(fv *featureView, kind comparatorKind, c *tfmd.FeatureComparator) comparison {
	var res comparison
	hasLinf := c.GetInfinityNorm() != nil && c.GetInfinityNorm().Threshold != nil
	hasNAD := c.GetNormalizedAbsDifference() != nil && c.GetNormalizedAbsDifference().Threshold != nil
	hasJSD := c.GetJensenShannonDivergence() != nil && c.GetJensenShannonDivergence().Threshold != nil
	if !hasLinf && !hasNAD && !hasJSD {
		return res
	}
	controlName, treatmentName := kind.names()
	ctl, hasControl := fv.control(kind)
	if ctl == nil {
		if hasControl {
			// The control dataset lacks the feature.
			if hasLinf {
				c.InfinityNorm.Threshold = nil
			}
			if hasJSD {
				c.JensenShannonDivergence.Threshold = nil
			}
			res.reasons = append(res.reasons, reason(tfmd.AnomalyInfo_COMPARATOR_CONTROL_DATA_MISSING,
				controlName+" data missing", controlName+" data is missing."))
		}
		return res
	}
	countsA, _ := fv.stringCounts()
	countsB, _ := ctl.stringCounts()
	measure := func(t tfmd.DriftSkewInfo_Measurement_Type, v, threshold float64) {
		res.measurements = append(res.measurements, &tfmd.DriftSkewInfo_Measurement{
			Type: t.Enum(), Value: proto.Float64(v), Threshold: proto.Float64(threshold)})
	}
	if hasLinf {
		th := c.GetInfinityNorm().GetThreshold()
		d, key := LInfinityDistance(countsA, countsB)
		measure(tfmd.DriftSkewInfo_Measurement_L_INFTY, d, th)
		if d > th {
			c.InfinityNorm.Threshold = proto.Float64(d)
			res.reasons = append(res.reasons, reason(tfmd.AnomalyInfo_COMPARATOR_L_INFTY_HIGH,
				"High Linfty distance between "+treatmentName+" and "+controlName,
				"The Linfty distance between "+treatmentName+" and "+controlName+" is "+sixDigits(d)+
					" (up to six significant digits), above the threshold "+sixDigits(th)+
					". The feature value with maximum difference is: "+key))
		}
	}
	if hasNAD {
		th := c.GetNormalizedAbsDifference().GetThreshold()
		d, key := NormalizedAbsoluteDifference(countsA, countsB)
		measure(tfmd.DriftSkewInfo_Measurement_NORMALIZED_ABSOLUTE_DIFFERENCE, d, th)
		if d > th {
			c.NormalizedAbsDifference.Threshold = proto.Float64(d)
			res.reasons = append(res.reasons, reason(tfmd.AnomalyInfo_COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH,
				"High normalized absolute difference between "+treatmentName+" and "+controlName,
				"The normalized absolute difference between "+treatmentName+" and "+controlName+" is "+sixDigits(d)+
					" (up to six significant digits), above the threshold "+sixDigits(th)+
					". The feature value with maximum difference is: "+key))
		}
	}
	if hasJSD {
		th := c.GetJensenShannonDivergence().GetThreshold()
		var d float64
		var err error
		if len(countsA) > 0 && len(countsB) > 0 {
			d, err = JensenShannonDivergence(countsA, countsB)
		} else {
			d, err = histogramJSD(fv, ctl, c.GetJensenShannonDivergence().GetSource())
		}
		// Without comparable data TFDV only logs a warning.
		if err == nil {
			measure(tfmd.DriftSkewInfo_Measurement_JENSEN_SHANNON_DIVERGENCE, d, th)
			if d > th {
				res.reasons = append(res.reasons, reason(tfmd.AnomalyInfo_COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH,
					"High approximate Jensen-Shannon divergence between "+treatmentName+" and "+controlName,
					"The approximate Jensen-Shannon divergence between "+treatmentName+" and "+controlName+" is "+
						sixDigits(d)+" (up to six significant digits), above the threshold "+sixDigits(th)+"."))
				c.JensenShannonDivergence.Threshold = proto.Float64(d)
			}
		}
	}
	return res
}

// histogramJSD is the Jensen-Shannon divergence of two numeric features'
// histograms of the selected type (metrics.cc JensenShannonDivergence over
// histograms, with AlignHistograms).
func histogramJSD(a, b *featureView, sel *tfmd.HistogramSelection) (float64, error) {
	ha, hb := a.histogram(sel), b.histogram(sel)
	if ha == nil || hb == nil {
		return 0, errors.New("one or more feature missing data")
	}
	if ha.GetType() != hb.GetType() {
		return 0, errors.New("input histograms must have same type")
	}
	pa, pb := alignHistograms(ha, hb)
	if err := normalize(pa); err != nil {
		return 0, err
	}
	if err := normalize(pb); err != nil {
		return 0, err
	}
	kl := 0.0
	for i := range pa {
		m := (pa[i] + pb[i]) / 2
		if pa[i] > 0 && m > 0 {
			kl += pa[i] * math.Log2(pa[i]/m)
		}
		if pb[i] > 0 && m > 0 {
			kl += pb[i] * math.Log2(pb[i]/m)
		}
	}
	return math.Min(kl/2, 1), nil
}

// histogram returns the numeric histogram of the selected type (STANDARD
// unless QUANTILES is asked for), or nil (GetHistogramType).
func (f *featureView) histogram(sel *tfmd.HistogramSelection) *tfmd.Histogram {
	ns := f.fs.GetNumStats()
	if ns == nil {
		return nil
	}
	hs := ns.GetHistograms()
	if f.ds.byWeight {
		hs = ns.GetWeightedNumericStats().GetHistograms()
	}
	want := tfmd.Histogram_STANDARD
	if sel.GetType() == tfmd.HistogramSelection_QUANTILES {
		want = tfmd.Histogram_QUANTILES
	}
	for _, h := range hs {
		if h.GetType() == want {
			return h
		}
	}
	return nil
}

func normalize(p []float64) error {
	t := 0.0
	for _, x := range p {
		t += x
	}
	if t == 0 {
		return errors.New("unable to normalize an empty histogram")
	}
	for i := range p {
		p[i] /= t
	}
	return nil
}

type bucket struct{ lo, hi, n float64 }

// alignHistograms puts two histograms on common buckets: range buckets are
// re-bucketed onto the union of boundaries assuming uniform mass inside a
// bucket, then point masses, infinite masses and NaNs get buckets of
// their own (metrics.cc AlignHistograms). It returns the masses.
func alignHistograms(a, b *tfmd.Histogram) ([]float64, []float64) {
	strip := func(h *tfmd.Histogram) ([]bucket, map[float64]float64, float64) {
		var rs []bucket
		points := map[float64]float64{}
		inf := 0.0
		for _, x := range h.GetBuckets() {
			switch {
			case math.IsInf(x.GetLowValue(), 0) || math.IsInf(x.GetHighValue(), 0) || math.IsNaN(x.GetLowValue()) || math.IsNaN(x.GetHighValue()):
				inf += x.GetSampleCount()
			case x.GetLowValue() == x.GetHighValue():
				points[x.GetLowValue()] += x.GetSampleCount()
			default:
				rs = append(rs, bucket{x.GetLowValue(), x.GetHighValue(), x.GetSampleCount()})
			}
		}
		return rs, points, inf
	}
	ra, pa, ia := strip(a)
	rb, pb, ib := strip(b)
	bounds := func(rs []bucket) []float64 {
		set := map[float64]bool{}
		for _, r := range rs {
			set[r.lo], set[r.hi] = true, true
		}
		var out []float64
		for k := range set {
			out = append(out, k)
		}
		sort.Float64s(out)
		return out
	}
	ba, bb := bounds(ra), bounds(rb)
	if !slices.Equal(ba, bb) {
		all := bounds(append(append([]bucket(nil), ra...), rb...))
		ra, rb = rebucket(all, ra), rebucket(all, rb)
	}
	var ma, mb []float64
	for _, r := range ra {
		ma = append(ma, r.n)
	}
	for _, r := range rb {
		mb = append(mb, r.n)
	}
	var pts []float64
	for k := range pa {
		pts = append(pts, k)
	}
	for k := range pb {
		if _, ok := pa[k]; !ok {
			pts = append(pts, k)
		}
	}
	sort.Float64s(pts)
	for _, p := range pts {
		ma, mb = append(ma, pa[p]), append(mb, pb[p])
	}
	if ia != 0 {
		ma, mb = append(ma, ia), append(mb, 0)
	}
	if ib != 0 {
		ma, mb = append(ma, 0), append(mb, ib)
	}
	if a.GetNumNan() > 0 || b.GetNumNan() > 0 {
		ma = append(ma, 0, float64(a.GetNumNan()))
		mb = append(mb, float64(b.GetNumNan()), 0)
	}
	return ma, mb
}

// rebucket spreads each bucket's mass over the boundaries it covers, in
// proportion to width (metrics.cc RebucketHistogram).
func rebucket(bounds []float64, h []bucket) []bucket {
	var out []bucket
	i := 0
	last := len(bounds) - 1
	for _, b := range h {
		for i < last && b.lo > bounds[i] {
			out = append(out, bucket{bounds[i], bounds[i+1], 0})
			i++
		}
		var covered []float64
		for i < last && b.hi > bounds[i] {
			covered = append(covered, bounds[i])
			i++
		}
		covered = append(covered, bounds[i])
		for j := 0; j+1 < len(covered); j++ {
			w := covered[j+1] - covered[j]
			out = append(out, bucket{covered[j], covered[j+1], w / (b.hi - b.lo) * b.n})
		}
	}
	for ; i < last; i++ {
		out = append(out, bucket{bounds[i], bounds[i+1], 0})
	}
	return out
}
