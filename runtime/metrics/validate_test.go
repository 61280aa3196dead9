package metrics

import (
	"math"
	"strings"
	"testing"
)

func f(x float64) *float64 { return &x }

func results(slices ...SliceResult) *Results { return &Results{Slices: slices} }

func slice(key SliceKey, kv ...any) SliceResult {
	s := SliceResult{Key: key}
	for i := 0; i < len(kv); i += 2 {
		s.Metrics = append(s.Metrics, Value{Key: MetricKey{Name: kv[i].(string)}, Value: kv[i+1].(float64)})
	}
	return s
}

func TestValidate(t *testing.T) {
	auc := MetricKey{Name: "auc"}
	hour := SliceKey{{"hour", IntValue(3)}}
	cand := results(slice(nil, "auc", 0.8, "example_count", 10.0), slice(hour, "auc", 0.6))
	base := results(slice(nil, "auc", 0.75), slice(hour, "auc", 0.0))
	for _, tt := range []struct {
		name       string
		base       *Results
		thresholds []Threshold
		ok         bool
		checks     int
		fail       string
		note       string
	}{
		{"value inclusive", nil, []Threshold{{Metric: auc, Value: &ValueThreshold{Lower: f(0.6), Upper: f(0.8)}}}, true, 2, "", ""},
		{"value fails on one slice", nil, []Threshold{{Metric: auc, Value: &ValueThreshold{Lower: f(0.7)}}}, false, 2, "value 0.6", ""},
		{"value on one slice spec", nil, []Threshold{{Metric: auc, Slices: []SliceSpec{{}}, Value: &ValueThreshold{Lower: f(0.7)}}}, true, 1, "", ""},
		{"metric not found", nil, []Threshold{{Metric: MetricKey{Name: "example_count"}, Value: &ValueThreshold{Upper: f(100)}}}, false, 2, "Metric not found.", ""},
		{"change without baseline", nil, []Threshold{{Metric: auc, Change: &ChangeThreshold{Direction: HigherIsBetter, Absolute: f(0)}}}, true, 0, "", "no baseline"},
		// Overall: diff 0.05 ≥ 0 passes; hour 3: the baseline is 0, so the
		// ratio is NaN and the check fails, as TFMA's.
		{"change absolute", base, []Threshold{{Metric: auc, Change: &ChangeThreshold{Direction: HigherIsBetter, Absolute: f(0)}}}, false, 2, "change 0.6 from baseline 0", ""},
		{"change relative", base, []Threshold{{Metric: auc, Slices: []SliceSpec{{}}, Change: &ChangeThreshold{Direction: LowerIsBetter, Relative: f(0.1)}}}, true, 1, "", ""},
		{"change relative fails", base, []Threshold{{Metric: auc, Slices: []SliceSpec{{}}, Change: &ChangeThreshold{Direction: HigherIsBetter, Relative: f(0.1)}}}, false, 1, "change", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Validate(cand, tt.base, tt.thresholds)
			if err != nil {
				t.Fatal(err)
			}
			if v.OK != tt.ok || len(v.Checks) != tt.checks {
				t.Fatalf("OK %v with %d checks %v, want %v with %d", v.OK, len(v.Checks), v.Checks, tt.ok, tt.checks)
			}
			if tt.fail != "" {
				fs := v.Failures()
				if len(fs) == 0 || !strings.Contains(fs[0].String(), tt.fail) {
					t.Errorf("failures %v, want one mentioning %q", fs, tt.fail)
				}
			}
			if tt.note != "" && (len(v.Notes) != 1 || !strings.Contains(v.Notes[0], tt.note)) {
				t.Errorf("notes %v, want one mentioning %q", v.Notes, tt.note)
			}
		})
	}
	if _, err := Validate(cand, nil, []Threshold{{Metric: auc}}); err == nil {
		t.Error("a threshold without bounds was accepted")
	}
	if _, err := Validate(cand, nil, []Threshold{{Metric: auc, Change: &ChangeThreshold{}}}); err == nil {
		t.Error("a change threshold without a direction was accepted")
	}
}

func TestValueThresholdNaN(t *testing.T) {
	v := ValueThreshold{Lower: f(0)}
	if v.passes(math.NaN()) {
		t.Error("NaN passed a lower bound")
	}
	// Unbounded still compares: NaN >= -inf is false in Python too.
	if (&ValueThreshold{}).passes(math.NaN()) {
		t.Error("NaN passed an unbounded value threshold; TFMA fails it")
	}
}
