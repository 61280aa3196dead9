package tfgraph_test

import (
	"testing"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	"github.com/tfxc/tfxc/frontend"

	"github.com/tfxc/tfxc/internal/taxitest"
	"github.com/tfxc/tfxc/runtime/graph"
)

// TestLowerTaxi lowers the taxi example, binds made-up analyzer results
// and runs the frozen graph on a few rows through the executor.
func TestLowerTaxi(t *testing.T) {
	tmpl, g := taxitest.Bound(t)
	if len(tmpl.Outputs) != 14 {
		t.Fatalf("%d outputs for the 14 transforms", len(tmpl.Outputs))
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

// TestLowerFoldsConstantsAsTheChecker: constant arguments written as
// arithmetic reach the graph with the values the checker computed.
func TestLowerFoldsConstantsAsTheChecker(t *testing.T) {
	prog, _, diags, err := frontend.CheckFile("../../frontend/testdata/diagnostics/ok_constant_modulo.tfxl", frontend.Options{})
	if err != nil || diags.HasErrors() {
		t.Fatal(err, diags)
	}
	tmpl, err := tfgraph.Lower(prog)
	if err != nil {
		t.Fatal(err)
	}
	// vocabulary(payment_type, top_k: 7 % 4 + 1, oov: 10 % 3)
	if opts := tmpl.Analyzers[0].Options; opts["top_k"] != int64(4) || opts["oov"] != int64(1) {
		t.Errorf("vocabulary options %v, want top_k 4 and oov 1", opts)
	}
	// categorical(trip_start_hour, 2 * 12): 24 buckets.
	found := false
	for _, n := range tmpl.Graph.GetNode() {
		if n.GetName() == "hour_xf/buckets" {
			found = true
			if got := n.GetAttr()["value"].GetTensor().GetInt64Val(); len(got) != 1 || got[0] != 24 {
				t.Errorf("categorical buckets %v, want 24", got)
			}
		}
	}
	if !found {
		t.Error("no hour_xf/buckets constant")
	}
}
