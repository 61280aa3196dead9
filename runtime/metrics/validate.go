package metrics

import (
	"fmt"
	"math"
	"strings"
)

// Direction says which way a change threshold counts as better (TFMA
// MetricDirection).
type Direction int

// The two directions a change threshold can have.
const (
	HigherIsBetter Direction = iota + 1
	LowerIsBetter
)

// String returns TFMA's name of the direction.
func (d Direction) String() string {
	switch d {
	case HigherIsBetter:
		return "HIGHER_IS_BETTER"
	case LowerIsBetter:
		return "LOWER_IS_BETTER"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// ValueThreshold bounds a metric's value, both bounds inclusive; a nil
// bound is unbounded (TFMA GenericValueThreshold).
type ValueThreshold struct {
	Lower, Upper *float64
}

// ChangeThreshold bounds the change of a metric from the baseline's value,
// diff = candidate − baseline (TFMA GenericChangeThreshold): with
// HigherIsBetter, pass iff diff ≥ Absolute and diff/baseline ≥ Relative;
// with LowerIsBetter, pass iff diff ≤ Absolute and diff/baseline ≤
// Relative. A nil bound is unbounded, but a baseline of exactly 0
// (math.isclose(b, 0.0)) makes the ratio NaN, and TFMA compares the ratio
// even then, so the check fails whatever its bounds.
type ChangeThreshold struct {
	Direction          Direction
	Absolute, Relative *float64
}

// Threshold is one criterion on one metric, a TFMA MetricThreshold with
// at least one of Value and Change.
type Threshold struct {
	Metric MetricKey
	// Slices restricts the threshold to the slices these specs produce
	// (TFMA per_slice_thresholds); nil applies it to every slice.
	Slices []SliceSpec
	Value  *ValueThreshold
	Change *ChangeThreshold
}

// String describes the threshold: "auc >= 0.7", "auc change >= -0.01".
func (t Threshold) String() string {
	var parts []string
	if v := t.Value; v != nil {
		if v.Lower != nil {
			parts = append(parts, fmt.Sprintf("%s >= %v", t.Metric, *v.Lower))
		}
		if v.Upper != nil {
			parts = append(parts, fmt.Sprintf("%s <= %v", t.Metric, *v.Upper))
		}
	}
	if c := t.Change; c != nil {
		op := ">="
		if c.Direction == LowerIsBetter {
			op = "<="
		}
		if c.Absolute != nil {
			parts = append(parts, fmt.Sprintf("%s change %s %v", t.Metric, op, *c.Absolute))
		}
		if c.Relative != nil {
			parts = append(parts, fmt.Sprintf("%s relative change %s %v", t.Metric, op, *c.Relative))
		}
		if c.Absolute == nil && c.Relative == nil {
			parts = append(parts, fmt.Sprintf("%s change (%v, unbounded)", t.Metric, c.Direction))
		}
	}
	if len(parts) == 0 {
		return t.Metric.String() + " (no bound)"
	}
	return strings.Join(parts, " and ")
}

func (t Threshold) check() error {
	if t.Value == nil && t.Change == nil {
		return fmt.Errorf("threshold on %s has neither a value nor a change threshold", t.Metric)
	}
	if c := t.Change; c != nil && c.Direction != HigherIsBetter && c.Direction != LowerIsBetter {
		// metrics_validator raises on an UNKNOWN direction.
		return fmt.Errorf("threshold on %s: change threshold has no direction", t.Metric)
	}
	return nil
}

// Comparison holds one slice's values for validation: the candidate's,
// and when there is a baseline, the baseline's and the differences
// candidate − baseline (TFMA's diff metrics).
type Comparison struct {
	Candidate   map[MetricKey]float64
	Baseline    map[MetricKey]float64
	Diff        map[MetricKey]float64
	HasBaseline bool
}

// Check is the outcome of one threshold on one slice.
type Check struct {
	Slice     SliceKey
	Threshold Threshold
	// Kind is "value" or "change".
	Kind string
	// Value is the candidate's value (value thresholds) or the difference
	// from the baseline (change thresholds); Baseline the baseline's value.
	Value, Baseline float64
	Passed          bool
	// Message explains a failure ("Metric not found.").
	Message string
}

// String describes the check for a report.
func (c Check) String() string {
	status := "passed"
	if !c.Passed {
		status = "FAILED"
	}
	s := fmt.Sprintf("%s: %s [%s]: ", status, c.Threshold, c.Slice)
	switch {
	case c.Message != "":
		s += c.Message
	case c.Kind == "change":
		s += fmt.Sprintf("change %v from baseline %v", c.Value, c.Baseline)
	default:
		s += fmt.Sprintf("value %v", c.Value)
	}
	return s
}

// Validation is the outcome of validating an evaluation: OK unless a
// check failed (TFMA ValidationResult.validation_ok).
type Validation struct {
	OK     bool
	Checks []Check
	// Notes say what was not checked, and why (change thresholds without a
	// baseline).
	Notes []string
}

// Failures returns the failed checks.
func (v *Validation) Failures() []Check {
	var out []Check
	for _, c := range v.Checks {
		if !c.Passed {
			out = append(out, c)
		}
	}
	return out
}

// Validate checks thresholds against results, slice by slice, as TFMA's
// metrics_validator.validate_metrics: each threshold applies to the
// slices its specs produce (every slice without specs); a value threshold
// passes iff lower ≤ value ≤ upper; a change threshold compares with
// baseline's value of the same slice and metric, and is skipped with a
// note when baseline is nil. A threshold whose metric a slice lacks
// fails with "Metric not found.". NaN fails every bound.
func Validate(results, baseline *Results, thresholds []Threshold) (*Validation, error) {
	for i, t := range thresholds {
		if err := t.check(); err != nil {
			return nil, fmt.Errorf("threshold %d: %w", i, err)
		}
	}
	v := &Validation{OK: true}
	if baseline == nil {
		for _, t := range thresholds {
			if t.Change != nil {
				v.Notes = append(v.Notes, fmt.Sprintf("%s: not checked, there is no baseline", t))
			}
		}
	}
	for _, s := range results.Slices {
		cmp := Comparison{Candidate: map[MetricKey]float64{}}
		for _, m := range s.Metrics {
			cmp.Candidate[m.Key] = m.Value
		}
		if baseline != nil {
			cmp.HasBaseline = true
			cmp.Baseline = map[MetricKey]float64{}
			cmp.Diff = map[MetricKey]float64{}
			if bs, ok := baseline.Slice(s.Key); ok {
				for _, m := range bs.Metrics {
					cmp.Baseline[m.Key] = m.Value
					if c, ok := cmp.Candidate[m.Key]; ok {
						cmp.Diff[m.Key] = c - m.Value
					}
				}
			}
		}
		sv := ValidateSlice(s.Key, cmp, thresholds)
		v.Checks = append(v.Checks, sv.Checks...)
		v.OK = v.OK && sv.OK
	}
	return v, nil
}

// ValidateSlice checks thresholds against one slice's values; Validate
// calls it for every slice. Thresholds whose specs do not produce key are
// skipped, and so are change thresholds without a baseline.
func ValidateSlice(key SliceKey, cmp Comparison, thresholds []Threshold) *Validation {
	v := &Validation{OK: true}
	for _, t := range thresholds {
		if t.check() != nil || !appliesTo(t, key) {
			continue
		}
		if t.Value != nil {
			c := Check{Slice: key, Threshold: t, Kind: "value"}
			if x, ok := cmp.Candidate[t.Metric]; ok {
				c.Value = x
				c.Passed = t.Value.passes(x)
			} else {
				c.Message = "Metric not found."
			}
			v.add(c)
		}
		if t.Change != nil && cmp.HasBaseline {
			c := Check{Slice: key, Threshold: t, Kind: "change"}
			diff, okD := cmp.Diff[t.Metric]
			base, okB := cmp.Baseline[t.Metric]
			switch {
			case !okD:
				c.Message = "Metric not found."
			case !okB:
				c.Message = "Metric not found in the baseline."
			default:
				c.Value, c.Baseline = diff, base
				c.Passed = t.Change.passes(diff, base)
			}
			v.add(c)
		}
	}
	return v
}

func (v *Validation) add(c Check) {
	v.Checks = append(v.Checks, c)
	v.OK = v.OK && c.Passed
}

func appliesTo(t Threshold, key SliceKey) bool {
	if len(t.Slices) == 0 {
		return true
	}
	for _, s := range t.Slices {
		if s.Applies(key) {
			return true
		}
	}
	return false
}

// passes is metrics_validator._check_threshold for a value threshold.
func (t *ValueThreshold) passes(x float64) bool {
	lo, hi := math.Inf(-1), math.Inf(1)
	if t.Lower != nil {
		lo = *t.Lower
	}
	if t.Upper != nil {
		hi = *t.Upper
	}
	return x >= lo && x <= hi
}

// passes is metrics_validator._check_threshold for a change threshold:
// ratio = diff / baseline, NaN when the baseline isclose 0.
func (t *ChangeThreshold) passes(diff, base float64) bool {
	ratio := nan
	if !isCloseZero(base) {
		ratio = diff / base
	}
	abs, rel := math.Inf(1), math.Inf(1)
	if t.Direction == HigherIsBetter {
		abs, rel = math.Inf(-1), math.Inf(-1)
	}
	if t.Absolute != nil {
		abs = *t.Absolute
	}
	if t.Relative != nil {
		rel = *t.Relative
	}
	if t.Direction == LowerIsBetter {
		return diff <= abs && ratio <= rel
	}
	return diff >= abs && ratio >= rel
}

// isCloseZero is Python's math.isclose(x, 0.0) with its defaults
// (rel_tol 1e−9, abs_tol 0): true only for exactly 0.
func isCloseZero(x float64) bool { return x == 0 }
