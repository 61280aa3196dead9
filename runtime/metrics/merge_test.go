package metrics

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tfxc/tfxc/runtime/batch"
)

func mergeConfig() Config {
	return Config{
		Metrics: []Spec{
			{Name: "auc"}, {Name: "auc", Weighted: true}, {Name: "auc_precision_recall", Weighted: true},
			{Name: "binary_accuracy", Weighted: true}, {Name: "precision"}, {Name: "recall", Weighted: true},
			{Name: "f1_score", Weighted: true}, {Name: "example_count"}, {Name: "weighted_example_count", Weighted: true},
			{Name: "calibration", Weighted: true}, {Name: "mean_label", Weighted: true}, {Name: "mean_prediction"},
			{Name: "precision_at_recall", Weighted: true, At: 0.5},
		},
		Slices: []SliceSpec{{}, {FeatureKeys: []string{"hour"}}, {FeatureKeys: []string{"payment", "company"}}},
	}
}

// randomBatch makes n examples with fractional labels, uneven weights and
// three slicing columns (company sometimes missing).
func randomBatch(rng *rand.Rand, n int) Batch {
	hour := batch.NewColumn("hour", batch.Int)
	pay := batch.NewColumn("payment", batch.Bytes)
	comp := batch.NewColumn("company", batch.Bytes)
	b := Batch{Features: &batch.Batch{Columns: []*batch.Column{hour, pay, comp}}}
	for range n {
		p := rng.Float64()
		l := 0.0
		switch r := rng.Float64(); {
		case r < p*0.8:
			l = 1
		case r > 0.95:
			l = rng.Float64() // a fractional label
		}
		b.Labels = append(b.Labels, l)
		b.Predictions = append(b.Predictions, p)
		b.Weights = append(b.Weights, rng.Float64()*3)
		hour.AppendInts(int64(rng.IntN(4)))
		pay.AppendStrings([]string{"Cash", "Credit Card"}[rng.IntN(2)])
		if rng.IntN(5) == 0 {
			comp.AppendMissing()
		} else {
			comp.AppendStrings(fmt.Sprintf("co%d", rng.IntN(3)))
		}
	}
	return b
}

func sub(b Batch, lo, hi int) Batch {
	rows := make([]int, 0, hi-lo)
	for r := lo; r < hi; r++ {
		rows = append(rows, r)
	}
	return Batch{Labels: b.Labels[lo:hi], Predictions: b.Predictions[lo:hi], Weights: b.Weights[lo:hi], Features: b.Features.Select(rows)}
}

func resultsJSON(t *testing.T, e *Evaluator) []byte {
	t.Helper()
	res, err := e.Results()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := res.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestShardingAndMergeOrderDoNotMatter: splitting the examples into
// random shards, encoding each, and merging them in a random order (and in
// a random tree) gives byte-identical results to one pass.
func TestShardingAndMergeOrderDoNotMatter(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	cfg := mergeConfig()
	b := randomBatch(rng, 2000)
	one, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := one.Add(b); err != nil {
		t.Fatal(err)
	}
	want := resultsJSON(t, one)

	for trial := range 8 {
		// Random cut points.
		var cuts []int
		for lo := 0; lo < len(b.Labels); {
			hi := min(len(b.Labels), lo+1+rng.IntN(400))
			cuts = append(cuts, lo, hi)
			lo = hi
		}
		var shards []*Evaluator
		for i := 0; i < len(cuts); i += 2 {
			s, _ := New(cfg)
			if err := s.Add(sub(b, cuts[i], cuts[i+1])); err != nil {
				t.Fatal(err)
			}
			data, err := s.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			d, _ := New(cfg)
			if err := d.UnmarshalBinary(data); err != nil {
				t.Fatal(err)
			}
			shards = append(shards, d)
		}
		rng.Shuffle(len(shards), func(i, j int) { shards[i], shards[j] = shards[j], shards[i] })
		// Merge pairwise at random until one is left.
		for len(shards) > 1 {
			i := rng.IntN(len(shards) - 1)
			if err := shards[i].Merge(shards[i+1]); err != nil {
				t.Fatal(err)
			}
			shards = append(shards[:i+1], shards[i+2:]...)
		}
		if got := resultsJSON(t, shards[0]); !bytes.Equal(got, want) {
			t.Fatalf("trial %d: results differ from one pass:\n got %s\nwant %s", trial, got[:min(len(got), 600)], want[:min(len(want), 600)])
		}
	}
}

func TestResultsJSONRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	cfg := mergeConfig()
	cfg.MinSliceSize = 100
	e, _ := New(cfg)
	if err := e.Add(randomBatch(rng, 500)); err != nil {
		t.Fatal(err)
	}
	first := resultsJSON(t, e)
	res, err := ReadJSON(bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := res.WriteJSON(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, again.Bytes()) {
		t.Errorf("round trip differs:\n%s\n%s", first, again.Bytes())
	}
	// Small crosses carry the min_slice_size error instead of metrics.
	if !bytes.Contains(first, []byte(`"error":"Example count for this slice key is lower than the minimum required value: 100"`)) {
		t.Error("no slice was below min_slice_size")
	}
	if !bytes.HasPrefix(first, []byte(`{"slice":[],"slice_name":"Overall","metric":"auc","value":`)) {
		t.Errorf("first record is not the overall AUC: %.120s", first)
	}
}

func TestMergeRejectsOtherConfig(t *testing.T) {
	a, _ := New(mergeConfig())
	cfg := mergeConfig()
	cfg.Metrics = cfg.Metrics[:3]
	b, _ := New(cfg)
	if err := a.Merge(b); err == nil {
		t.Error("merged evaluators of different metrics")
	}
	data, _ := b.MarshalBinary()
	if err := a.UnmarshalBinary(data); err == nil {
		t.Error("decoded another configuration's state")
	}
	good, _ := a.MarshalBinary()
	for _, cut := range []int{1, len(good) / 2, len(good) - 1} {
		if err := a.UnmarshalBinary(good[:cut]); err == nil && cut < len(good) {
			t.Errorf("decoded a state truncated to %d of %d bytes", cut, len(good))
		}
	}
}

// BenchmarkEvaluatorAdd measures examples per second through the taxi
// example's evaluation: auc, binary_accuracy and example_count over the
// overall slice, one column and a cross.
func BenchmarkEvaluatorAdd(b *testing.B) {
	cfg := Config{
		Metrics: []Spec{{Name: "auc"}, {Name: "binary_accuracy"}, {Name: "example_count"}},
		Slices:  []SliceSpec{{}, {FeatureKeys: []string{"hour"}}, {FeatureKeys: []string{"payment", "company"}}},
	}
	data := randomBatch(rand.New(rand.NewPCG(1, 1)), 10000)
	e, _ := New(cfg)
	b.ResetTimer()
	for b.Loop() {
		if err := e.Add(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(data.Labels))/b.Elapsed().Seconds(), "examples/s")
}

// BenchmarkAccumulatorAdd measures one slice's accumulator alone.
func BenchmarkAccumulatorAdd(b *testing.B) {
	acc, _ := NewAccumulator([]Spec{{Name: "auc"}, {Name: "binary_accuracy"}, {Name: "example_count"}})
	rng := rand.New(rand.NewPCG(2, 2))
	exs := make([]Example, 10000)
	for i := range exs {
		exs[i] = Example{Label: float64(rng.IntN(2)), Prediction: rng.Float64(), Weight: 1}
	}
	b.ResetTimer()
	for b.Loop() {
		for i := range exs {
			if err := acc.Add(exs[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(exs))/b.Elapsed().Seconds(), "examples/s")
}

// TestRoutingMatchesSliceKeys: the Evaluator puts every example in exactly
// the slices SliceKeys names for its row.
func TestRoutingMatchesSliceKeys(t *testing.T) {
	cfg := mergeConfig()
	cfg.Slices = append(cfg.Slices, SliceSpec{FeatureKeys: []string{"company"}, FeatureValues: map[string]string{"hour": "2"}})
	b := randomBatch(rand.New(rand.NewPCG(11, 12)), 300)
	e, _ := New(cfg)
	if err := e.Add(b); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{}
	for r := range b.Labels {
		keys, err := SliceKeys(cfg.Slices, b.Features, r)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			want[k.String()]++
		}
	}
	res, err := e.Results()
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Slices) != len(want) {
		t.Errorf("%d slices, SliceKeys names %d", len(res.Slices), len(want))
	}
	for _, s := range res.Slices {
		if want[s.Key.String()] != s.ExampleCount {
			t.Errorf("slice %s has %d examples, SliceKeys puts %d there", s.Key, s.ExampleCount, want[s.Key.String()])
		}
	}
	if _, ok := want["company_X_hour:co1_X_2"]; !ok {
		t.Error("the value-filtered spec produced no slice")
	}
}
