package tfjs_test

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/tfxc/tfxc/codegen/opreg"
	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/codegen/tfjs"
	"github.com/tfxc/tfxc/internal/taxitest"
	"github.com/tfxc/tfxc/runtime/graph"
	"github.com/tfxc/tfxc/tfjs/harness"
)

// taxiModel is a model over the taxi example's transform outputs with
// random weights: every output as the model block would read it.
func taxiModel(hidden int) *tfgraph.Model {
	inputs := []tfgraph.ModelInput{
		{Output: "trip_miles_xf", Kind: tfgraph.Numeric, Width: 1},
		{Output: "fare_xf", Kind: tfgraph.Numeric, Width: 1},
		{Output: "trip_seconds_xf", Kind: tfgraph.Numeric, Width: 1},
		{Output: "payment_type_xf", Kind: tfgraph.OneHot, Width: 1010},
		{Output: "company_xf", Kind: tfgraph.OneHot, Width: 1010},
		{Output: "pickup_lat_xf", Kind: tfgraph.OneHot, Width: 10},
		{Output: "pickup_lon_xf", Kind: tfgraph.OneHot, Width: 10},
		{Output: "dropoff_lat_xf", Kind: tfgraph.OneHot, Width: 10},
		{Output: "dropoff_lon_xf", Kind: tfgraph.OneHot, Width: 10},
		{Output: "hour_xf", Kind: tfgraph.OneHot, Width: 24},
		{Output: "day_xf", Kind: tfgraph.OneHot, Width: 8},
		{Output: "month_xf", Kind: tfgraph.OneHot, Width: 13},
		{Output: "pickup_area_xf", Kind: tfgraph.OneHot, Width: 78},
		{Output: "dropoff_area_xf", Kind: tfgraph.OneHot, Width: 78},
	}
	width := 0
	for _, in := range inputs {
		width += in.Width
	}
	rng := rand.New(rand.NewPCG(1, 2))
	layer := func(in, out int, act string) tfgraph.Layer {
		l := tfgraph.Layer{In: in, Out: out, W: make([]float32, in*out), B: make([]float32, out), Activation: act}
		for i := range l.W {
			l.W[i] = float32(rng.NormFloat64() * 0.3)
		}
		for i := range l.B {
			l.B[i] = float32(rng.NormFloat64() * 0.1)
		}
		return l
	}
	return &tfgraph.Model{Inputs: inputs, Layers: []tfgraph.Layer{layer(width, hidden, "relu"), layer(hidden, 1, "sigmoid")}}
}

// servingBothWays appends m to the bound taxi transform, checks the
// serving graph against TensorFlow's op registry, and returns its
// prediction for every row of the real sample from the Go executor and
// from TF.js.
func servingBothWays(t *testing.T, m *tfgraph.Model) (want *graph.Tensor, got []float64, rows int) {
	t.Helper()
	h, err := harness.Find()
	taxitest.Need(t, "the TF.js harness", err)
	reg, err := opreg.Default()
	taxitest.Need(t, "TensorFlow's op registry", err)
	fit := taxitest.Fit(t)
	g, err := tfgraph.Serving(fit.Template, fit.Graph, m)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Validate(g); err != nil {
		t.Fatalf("the serving graph is not valid TensorFlow: %v", err)
	}
	exe, err := graph.Compile(g, fit.Template.Initializers...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exe.Run(fit.Feeds, tfgraph.PredictionNode)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "serving")
	if err := tfjs.Write(dir, &tfjs.Model{Graph: g, Initializers: fit.Template.Initializers}); err != nil {
		t.Fatal(err)
	}
	js, err := h.Run(dir, fit.Feeds, []string{tfgraph.PredictionNode})
	if err != nil {
		t.Fatal(err)
	}
	return out[0], js[tfgraph.PredictionNode].Values, fit.Rows
}

// TestServingGraphAgreesWithTFJS appends a dense network to the bound taxi
// transform and checks the serving graph three ways: TensorFlow's op
// registry accepts it, and the Go executor and TF.js give the same
// prediction for every row of the real sample (1e-5 relative).
func TestServingGraphAgreesWithTFJS(t *testing.T) {
	want, got, rows := servingBothWays(t, taxiModel(16))
	if len(got) != rows || want.Len() != rows {
		t.Fatalf("%d TF.js predictions, %d Go predictions, %d rows", len(got), want.Len(), rows)
	}
	bad, spread := 0, map[bool]int{}
	for r := range rows {
		w, g := want.Float64At(r), got[r]
		spread[w > 0.5]++
		if math.Abs(g-w) > 1e-5*math.Abs(w) {
			if bad < 5 {
				t.Errorf("row %d: TF.js %v, Go %v", r, g, w)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d predictions disagree", bad, rows)
	}
	if spread[true] == 0 || spread[false] == 0 {
		t.Errorf("the random model predicts one class only (%v): the test would not see a wrong layer", spread)
	}
}

func TestServingGraphRefusesBadModels(t *testing.T) {
	fit := taxitest.Fit(t)
	m := taxiModel(4)
	m.Layers[0].In++
	if _, err := tfgraph.Serving(fit.Template, fit.Graph, m); err == nil {
		t.Error("a layer of the wrong width was accepted")
	}
	m = taxiModel(4)
	m.Inputs[0].Output = "tips"
	if _, err := tfgraph.Serving(fit.Template, fit.Graph, m); err == nil {
		t.Error("a model input that is no transform output was accepted")
	}
}

// TestSoftmaxServingAgreesWithTFJS: a softmax head of three classes gives
// the same probabilities in TF.js as in the Go executor, row by row.
func TestSoftmaxServingAgreesWithTFJS(t *testing.T) {
	m := taxiModel(16)
	last := &m.Layers[1]
	last.Out, last.Activation = 3, "softmax"
	last.W = make([]float32, 16*3)
	last.B = []float32{0.1, -0.2, 0.05}
	for i := range last.W {
		last.W[i] = float32(i%7-3) * 0.2
	}
	want, got, rows := servingBothWays(t, m)
	if len(got) != 3*rows || want.Len() != 3*rows || len(want.Shape) != 2 || want.Shape[1] != 3 {
		t.Fatalf("%d TF.js values, Go %v, %d rows", len(got), want.Shape, rows)
	}
	bad := 0
	for i := range got {
		w, g := want.Float64At(i), got[i]
		if math.Abs(g-w) > 1e-5*math.Abs(w) {
			if bad < 5 {
				t.Errorf("value %d: TF.js %v, Go %v", i, g, w)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d probabilities disagree", bad, len(got))
	}
}
