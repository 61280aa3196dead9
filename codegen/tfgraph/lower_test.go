package tfgraph_test

import (
	"testing"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/frontend"
	"github.com/tfxc/tfxc/runtime/graph"
	"github.com/tfxc/tfxc/stdlib"
)

// TestLowerTaxi lowers the taxi example, binds made-up analyzer results
// and runs the frozen graph on a few rows through the executor.
func TestLowerTaxi(t *testing.T) {
	prog, _, diags, err := frontend.CheckFile("../../examples/taxi/taxi.tfxl", frontend.Options{})
	if err != nil || diags.HasErrors() {
		t.Fatal(err, diags)
	}
	tmpl, err := tfgraph.Lower(prog)
	if err != nil {
		t.Fatal(err)
	}
	if len(tmpl.Outputs) != len(prog.Transforms) {
		t.Fatalf("%d outputs for %d transforms", len(tmpl.Outputs), len(prog.Transforms))
	}
	results := tfgraph.Results{}
	for _, a := range tmpl.Analyzers {
		switch a.Kind {
		case stdlib.AnalyzerMeanVar:
			results[a.ID] = tfgraph.MeanVar(10, 4)
		case stdlib.AnalyzerQuantiles:
			results[a.ID] = tfgraph.Quantiles([]float64{41.8, 41.9, 42})
		case stdlib.AnalyzerVocabulary:
			results[a.ID] = tfgraph.Vocabulary([]string{"Cash", "Credit Card"})
		default:
			t.Fatalf("unexpected analyzer %s", a.Kind)
		}
	}
	g, err := tfgraph.Bind(tmpl, results)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := graph.Compile(g, tmpl.Initializers...)
	if err != nil {
		t.Fatal(err)
	}
	const n = 3
	feeds := map[string]*graph.Tensor{}
	for _, in := range tmpl.Inputs {
		var v *graph.Tensor
		switch in.DType.String() {
		case "DT_FLOAT":
			v = graph.Float32s([]int{n}, []float32{12, 41.85, 42.5})
		case "DT_INT64":
			v = graph.Int64s([]int{n}, []int64{3, 17031839100, 99})
		case "DT_STRING":
			v = graph.Strings([]int{n}, []string{"Cash", "Credit Card", "Bitcoin"})
		}
		feeds[in.Feature] = v
		if in.Present != "" {
			feeds[in.Present] = graph.Bools([]int{n}, []bool{true, true, false})
		}
	}
	out, err := exe.Run(feeds, "fare_xf", "payment_type_xf", "pickup_lat_xf", "day_xf")
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].F32; got[0] != 1 { // (12 - 10) / 2
		t.Errorf("fare_xf = %v", got)
	}
	if got := out[1].I64; got[0] != 0 || got[1] != 1 || got[2] < 2 || got[2] >= 12 {
		t.Errorf("payment_type_xf = %v", got)
	}
	if got := out[2].I64; got[0] != 0 || got[1] != 1 || got[2] != 0 {
		t.Errorf("pickup_lat_xf = %v (pickup_latitude missing on row 3 is filled with 0.0)", got)
	}
	if got := out[3].I64; got[0] != 3 || got[1] != 0 || got[2] != 0 {
		t.Errorf("day_xf = %v", got)
	}
}
