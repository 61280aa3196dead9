package metrics

import (
	"fmt"
	"math"
	"slices"
)

// Spec configures one metric, as a TFMA MetricConfig inside a MetricsSpec
// does.
type Spec struct {
	// Name is the TFMA metric name (see Names); CanonicalName maps the
	// language's and TFMA's class names to it. It also names the result.
	Name string
	// Weighted applies example weights (TFMA example_weighted); otherwise
	// every example weighs 1.
	Weighted bool
	// Thresholds of a confusion-matrix metric: exactly one for the
	// threshold metrics (default 0.5, or 1e−12 for max_recall); for auc and
	// auc_precision_recall an explicit ascending list instead of
	// NumThresholds.
	Thresholds []float64
	// NumThresholds of auc, auc_precision_recall and the X_at_Y metrics
	// (default 10,000): InterpolatedThresholds over the calibration
	// histogram.
	NumThresholds int
	// UseHistogram computes explicit thresholds from the 10,000-bucket
	// calibration histogram (TFMA use_histogram) instead of counting
	// exactly at each threshold.
	UseHistogram bool
	// Curve ("ROC" or "PR") and Summation ("interpolation", "minoring",
	// "majoring") of auc; empty means TFMA's defaults (auc_precision_recall
	// implies "PR").
	Curve, Summation string
	// At is the constraint of a X_at_Y metric: the specificity of
	// sensitivity_at_specificity, the recall of precision_at_recall, …
	At float64
}

// MetricKey identifies a metric's value in a slice: its name and whether
// it is example-weighted.
type MetricKey struct {
	Name     string
	Weighted bool
}

// String renders the key as "name", or "name (weighted)".
func (k MetricKey) String() string {
	if k.Weighted {
		return k.Name + " (weighted)"
	}
	return k.Name
}

// Key returns the spec's result key.
func (s Spec) Key() MetricKey { return MetricKey{s.Name, s.Weighted} }

// plan is a checked spec: how its value is computed.
type plan struct {
	Spec
	info metricInfo
	// exact is true when the thresholds are counted exactly per threshold;
	// otherwise matrices come from the histogram at thresholds.
	exact      bool
	thresholds []float64
}

// check validates a spec and fills in TFMA's defaults.
func (s Spec) check() (plan, error) {
	info, ok := lookup(s.Name)
	if !ok {
		return plan{}, fmt.Errorf("metric %q: unknown metric name", s.Name)
	}
	p := plan{Spec: s, info: info}
	for _, t := range s.Thresholds {
		if math.IsNaN(t) {
			return plan{}, fmt.Errorf("metric %q: threshold is NaN", s.Name)
		}
	}
	if s.NumThresholds != 0 && len(s.Thresholds) != 0 {
		// binary_confusion_matrices raises the same.
		return plan{}, fmt.Errorf("metric %q: only one of thresholds or num_thresholds can be set", s.Name)
	}
	if s.NumThresholds < 0 || s.NumThresholds == 1 {
		return plan{}, fmt.Errorf("metric %q: num_thresholds must be > 1, got %d", s.Name, s.NumThresholds)
	}
	switch info.fam {
	case famRate:
		if s.NumThresholds != 0 {
			return plan{}, fmt.Errorf("metric %q: num_thresholds gives one value per threshold; give one threshold", s.Name)
		}
		switch len(s.Thresholds) {
		case 0:
			p.thresholds = []float64{info.defaultThreshold}
		case 1:
			p.thresholds = slices.Clone(s.Thresholds)
		default:
			return plan{}, fmt.Errorf("metric %q: %d thresholds; a metric gives one value, so give one threshold", s.Name, len(s.Thresholds))
		}
		// binary_confusion_matrices: use_histogram defaults to true only
		// for a single negative threshold.
		p.exact = !s.UseHistogram && !(p.thresholds[0] < 0)
		if !p.exact && p.thresholds[0] < 0 {
			return plan{}, fmt.Errorf("metric %q: a single negative threshold selects TFMA's top-k path, which is not supported", s.Name)
		}
	case famCurve, famAt:
		if len(s.Thresholds) > 0 {
			if !slices.IsSorted(s.Thresholds) {
				return plan{}, fmt.Errorf("metric %q: thresholds %v are not ascending", s.Name, s.Thresholds)
			}
			p.thresholds = slices.Clone(s.Thresholds)
			p.exact = !s.UseHistogram
		} else {
			n := s.NumThresholds
			if n == 0 {
				n = DefaultNumThresholds
			}
			p.thresholds = InterpolatedThresholds(n)
		}
		if info.fam == famCurve {
			if p.Curve == "" {
				p.Curve = info.curve
			}
			if p.Summation == "" {
				p.Summation = "interpolation"
			}
			if s.Name == "auc_precision_recall" && p.Curve != "PR" {
				return plan{}, fmt.Errorf("metric %q: curve must be PR", s.Name)
			}
			if _, err := AUC(Matrices{}, p.Curve, p.Summation); err != nil {
				return plan{}, fmt.Errorf("metric %q: %v", s.Name, err)
			}
		}
		if info.fam == famAt && (math.IsNaN(s.At) || (s.Name == "threshold_at_recall" && (s.At < 0 || s.At > 1))) {
			return plan{}, fmt.Errorf("metric %q: constraint value %v must be in [0, 1]", s.Name, s.At)
		}
	default:
		if len(s.Thresholds) > 0 || s.NumThresholds != 0 {
			return plan{}, fmt.Errorf("metric %q takes no thresholds", s.Name)
		}
	}
	return p, nil
}

// usesConfusion reports whether the metric reads confusion matrices.
func (p plan) usesConfusion() bool {
	return p.info.fam == famRate || p.info.fam == famCurve || p.info.fam == famAt
}
