package tfgraph_test

import (
	"testing"

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
