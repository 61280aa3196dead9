package metrics

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// exactRound is the correctly rounded sum of xs, computed with big.Float.
func exactRound(xs []float64) float64 {
	s := new(big.Float).SetPrec(4096)
	for _, x := range xs {
		s.Add(s, new(big.Float).SetPrec(4096).SetFloat64(x))
	}
	f, _ := s.Float64()
	return f
}

func TestSumIsExactAndOrderIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 1 + rng.IntN(60)
		xs := make([]float64, n)
		for i := range xs {
			// Magnitudes from 1e-20 to 1e20, both signs: naive summation
			// loses digits and depends on the order.
			xs[i] = (rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(41)-20))
		}
		want := exactRound(xs)
		for perm := range 5 {
			rng.Shuffle(n, func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
			var s Sum
			// Merge of two halves, each added in order.
			var a, b Sum
			for i, x := range xs {
				if i%2 == 0 {
					a.Add(x)
				} else {
					b.Add(x)
				}
				s.Add(x)
			}
			a.Merge(&b)
			if got := s.Value(); got != want {
				t.Fatalf("trial %d perm %d: sum %v, exact %v", trial, perm, got, want)
			}
			if got := a.Value(); got != want {
				t.Fatalf("trial %d perm %d: merged sum %v, exact %v", trial, perm, got, want)
			}
		}
	}
	// A classic: 0.1 ten times is not 1 in naive summation, but rounds the
	// exact sum of the ten float64 terms.
	var s Sum
	naive := 0.0
	for range 10 {
		s.Add(0.1)
		naive += 0.1
	}
	if s.Value() != 1 || naive == 1 {
		t.Errorf("Σ0.1 = %v (naive %v), want 1", s.Value(), naive)
	}
}

// eval computes specs over examples (overall slice) and returns the values
// by name.
func eval(t *testing.T, specs []Spec, exs []Example) map[string]float64 {
	t.Helper()
	acc, err := NewAccumulator(specs)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range exs {
		if err := acc.Add(e); err != nil {
			t.Fatalf("example %d: %v", i, err)
		}
	}
	vals, err := acc.Values()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, v := range vals {
		out[v.Key.String()] = v.Value
	}
	return out
}

func binarySpecs(weighted bool) []Spec {
	var out []Spec
	for _, n := range []string{"auc", "auc_precision_recall", "binary_accuracy", "precision", "recall",
		"f1_score", "example_count", "calibration", "mean_label", "mean_prediction"} {
		out = append(out, Spec{Name: n, Weighted: weighted})
	}
	return out
}

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}

func TestDegenerateCases(t *testing.T) {
	ex := func(l, p float64) Example { return Example{Label: l, Prediction: p, Weight: 1} }
	tests := []struct {
		name  string
		exs   []Example
		specs []Spec
		want  map[string]float64
	}{
		{
			// No examples: counts are 0, every rate has a zero denominator,
			// and AUC sums only NaN terms (nansum of nothing is 0).
			name:  "empty",
			specs: binarySpecs(false),
			want: map[string]float64{"example_count": 0, "binary_accuracy": nan, "precision": nan,
				"recall": nan, "f1_score": nan, "auc": 0, "auc_precision_recall": 0,
				"calibration": nan, "mean_label": nan, "mean_prediction": nan},
		},
		{
			// Negatives only: recall and the ROC curve's TPR are 0/0.
			name:  "one class (negatives)",
			exs:   []Example{ex(0, 0.2), ex(0, 0.7), ex(0, 0.9)},
			specs: binarySpecs(false),
			want: map[string]float64{"example_count": 3, "binary_accuracy": 1.0 / 3, "precision": 0,
				"recall": nan, "f1_score": 0, "auc": 0, "auc_precision_recall": 0,
				"calibration": nan, "mean_label": 0, "mean_prediction": 0.6},
		},
		{
			// Positives only: FPR is 0/0 at every threshold; precision is 1.
			name:  "one class (positives)",
			exs:   []Example{ex(1, 0.2), ex(1, 0.7), ex(1, 0.9)},
			specs: binarySpecs(false),
			want: map[string]float64{"example_count": 3, "binary_accuracy": 2.0 / 3, "precision": 1,
				"recall": 2.0 / 3, "f1_score": 0.8, "auc": 0, "auc_precision_recall": 1,
				"calibration": 0.6, "mean_label": 1, "mean_prediction": 0.6},
		},
		{
			// All predictions equal: one ROC step from (0,0) to (1,1), a
			// trapezoid of area ½; PR is the prevalence.
			name:  "all predictions equal",
			exs:   []Example{ex(1, 0.4), ex(0, 0.4), ex(1, 0.4), ex(0, 0.4)},
			specs: binarySpecs(false),
			want: map[string]float64{"example_count": 4, "binary_accuracy": 0.5, "precision": nan,
				"recall": 0, "f1_score": 0, "auc": 0.5, "auc_precision_recall": 0.5,
				"calibration": 0.8, "mean_label": 0.5, "mean_prediction": 0.4},
		},
		{
			// Weights: the weighted count sums them (0 included); the
			// unweighted one counts examples.
			name: "weights",
			exs: []Example{{Label: 1, Prediction: 0.9, Weight: 3}, {Label: 0, Prediction: 0.4, Weight: 3},
				{Label: 1, Prediction: 0.7, Weight: 4}, {Label: 1, Prediction: 0.2, Weight: 5}, {Label: 0, Prediction: 0.9, Weight: 0}},
			specs: []Spec{{Name: "example_count"}, {Name: "example_count", Weighted: true},
				{Name: "binary_accuracy", Weighted: true}, {Name: "binary_accuracy"}, {Name: "mean_label", Weighted: true}},
			want: map[string]float64{"example_count": 5, "example_count (weighted)": 15,
				"binary_accuracy (weighted)": 10.0 / 15, "binary_accuracy": 3.0 / 5, "mean_label (weighted)": 12.0 / 15},
		},
		{
			// Regression metrics; calibration is Σp/Σl.
			name:  "regression",
			exs:   []Example{ex(3, 2.5), ex(-1, 0), ex(2, 2)},
			specs: []Spec{{Name: "mean_squared_error"}, {Name: "mean_absolute_error"}, {Name: "calibration"}},
			want:  map[string]float64{"mean_squared_error": 1.25 / 3, "mean_absolute_error": 1.5 / 3, "calibration": 4.5 / 4},
		},
		{
			// Threshold metrics at an explicit threshold, strict '>'.
			name:  "threshold 0.4",
			exs:   []Example{ex(1, 0.4), ex(1, 0.41), ex(0, 0.5), ex(0, 0.1)},
			specs: []Spec{{Name: "tp", Thresholds: []float64{0.4}}, {Name: "fp", Thresholds: []float64{0.4}}, {Name: "max_recall"}},
			want:  map[string]float64{"tp": 1, "fp": 1, "max_recall": 1},
		},
		{
			name: "multiclass accuracy",
			exs: []Example{{Label: 2, Classes: []float64{0.1, 0.2, 0.7}}, {Label: 0, Classes: []float64{0.5, 0.5, 0}},
				{Label: 1, Classes: []float64{0.6, 0.3, 0.1}}},
			specs: []Spec{{Name: "accuracy"}},
			want:  map[string]float64{"accuracy": 2.0 / 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := eval(t, tt.specs, tt.exs)
			for k, w := range tt.want {
				if g, ok := got[k]; !ok || !near(g, w) {
					t.Errorf("%s = %v, want %v", k, g, w)
				}
			}
		})
	}
}

func TestInvalidExamples(t *testing.T) {
	acc, err := NewAccumulator(binarySpecs(true))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		ex   Example
		want string
	}{
		{Example{Label: 1, Prediction: math.NaN(), Weight: 1}, "prediction is NaN"},
		{Example{Label: math.Inf(1), Prediction: 0.5, Weight: 1}, "label is +Inf"},
		{Example{Label: 1, Prediction: 0.5, Weight: math.NaN()}, "example weight is NaN"},
		{Example{Label: 2, Prediction: 0.5, Weight: 1}, "not within [0, 1]"},
		{Example{Label: 1, Prediction: 1e200, Weight: 1}, "beyond"},
	} {
		if err := acc.Add(tt.ex); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Add(%+v) = %v, want an error containing %q", tt.ex, err, tt.want)
		}
	}
	if acc.Count() != 0 {
		t.Errorf("rejected examples were counted: %d", acc.Count())
	}
	// A label outside [0, 1] is fine for regression metrics alone.
	reg, _ := NewAccumulator([]Spec{{Name: "mean_squared_error"}})
	if err := reg.Add(Example{Label: 7, Prediction: 5}); err != nil {
		t.Errorf("regression label 7: %v", err)
	}
}

func TestBadSpecs(t *testing.T) {
	for _, tt := range []struct {
		specs []Spec
		want  string
	}{
		{[]Spec{{Name: "aucc"}}, "unknown metric name"},
		{[]Spec{{Name: "auc"}, {Name: "auc"}}, "configured twice"},
		{[]Spec{{Name: "precision", Thresholds: []float64{0.3, 0.6}}}, "give one threshold"},
		{[]Spec{{Name: "auc", NumThresholds: 1}}, "num_thresholds must be > 1"},
		{[]Spec{{Name: "auc", Thresholds: []float64{0.5}, NumThresholds: 10}}, "only one of"},
		{[]Spec{{Name: "auc", Curve: "XY"}}, "unknown AUC curve"},
		{[]Spec{{Name: "example_count", Thresholds: []float64{0.5}}}, "takes no thresholds"},
	} {
		if _, err := NewAccumulator(tt.specs); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewAccumulator(%+v) = %v, want an error containing %q", tt.specs, err, tt.want)
		}
	}
}

func TestCanonicalName(t *testing.T) {
	for in, want := range map[string]string{
		"auc_pr": "auc_precision_recall", "f1": "f1_score", "mse": "mean_squared_error", "mae": "mean_absolute_error",
		"AUCPrecisionRecall": "auc_precision_recall", "BinaryAccuracy": "binary_accuracy", "F1Score": "f1_score",
		"WeightedExampleCount": "weighted_example_count", "TP": "tp", "auc": "auc", "MeanLabel": "mean_label",
	} {
		if got, err := CanonicalName(in); err != nil || got != want {
			t.Errorf("CanonicalName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := CanonicalName("Nope"); err == nil {
		t.Error("CanonicalName(Nope) succeeded")
	}
	for _, n := range Names() {
		if _, ok := lookup(n); !ok {
			t.Errorf("Names lists %q, which lookup does not know", n)
		}
	}
}

// TestAUCIsMannWhitney: when every distinct prediction has a histogram
// bucket of its own, ROC AUC with trapezoids is the Mann–Whitney statistic
// with ties counted ½ (SEMANTICS §3.3).
func TestAUCIsMannWhitney(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 20 {
		var exs []Example
		for range 200 {
			// Bucket centres: k/1000 + 1/20000 lies inside bucket 10k+1.
			p := float64(rng.IntN(1000))/1000 + 0.00005
			l := 0.0
			if rng.Float64() < p {
				l = 1
			}
			exs = append(exs, Example{Label: l, Prediction: p, Weight: 1})
		}
		var wins, pairs float64
		for _, a := range exs {
			for _, b := range exs {
				if a.Label == 1 && b.Label == 0 {
					pairs++
					switch {
					case a.Prediction > b.Prediction:
						wins++
					case a.Prediction == b.Prediction:
						wins += 0.5
					}
				}
			}
		}
		got := eval(t, []Spec{{Name: "auc"}}, exs)["auc"]
		if math.Abs(got-wins/pairs) > 1e-9 {
			t.Errorf("trial %d: AUC %v, Mann–Whitney %v", trial, got, wins/pairs)
		}
	}
}

func TestAtMetrics(t *testing.T) {
	exs := []Example{
		{Label: 0, Prediction: 0.1, Weight: 1}, {Label: 0, Prediction: 0.35, Weight: 1},
		{Label: 1, Prediction: 0.4, Weight: 1}, {Label: 1, Prediction: 0.8, Weight: 1},
	}
	got := eval(t, []Spec{
		{Name: "precision_at_recall", At: 1}, {Name: "recall_at_precision", At: 1},
		{Name: "sensitivity_at_specificity", At: 1}, {Name: "recall_at_false_positive_rate", At: 0},
		{Name: "threshold_at_recall", At: 1},
	}, exs)
	// Thresholds in (0.35, 0.4) separate the classes perfectly.
	for k, w := range map[string]float64{"precision_at_recall": 1, "recall_at_precision": 1,
		"sensitivity_at_specificity": 1, "recall_at_false_positive_rate": 1} {
		if !near(got[k], w) {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
	// The largest threshold that keeps recall 1 is just below 0.4: the
	// interpolated threshold 3999/9999.
	if w := 3999.0 / 9999; !near(got["threshold_at_recall"], w) {
		t.Errorf("threshold_at_recall = %v, want %v", got["threshold_at_recall"], w)
	}
}
