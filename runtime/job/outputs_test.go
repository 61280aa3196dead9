package job

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfxc/tfxc/codegen/tfgraph"
	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/runtime/graph"
)

func TestOutputBatch(t *testing.T) {
	outs := []tfgraph.Output{
		{Name: "z", DType: tfpb.DataType_DT_FLOAT, Shape: []int64{-1}},
		{Name: "v", DType: tfpb.DataType_DT_FLOAT, Shape: []int64{-1, 2}},
		{Name: "ids", DType: tfpb.DataType_DT_INT64, Shape: []int64{-1}, Lengths: "ids__lengths"},
		{Name: "big", DType: tfpb.DataType_DT_BOOL, Shape: []int64{-1}},
	}
	tensors := []*graph.Tensor{
		graph.Float32s([]int{3}, []float32{0.5, -1, 2}),
		graph.Float32s([]int{3, 2}, []float32{1, 2, 3, 4, 5, 6}),
		graph.Int64s([]int{3}, []int64{7, 8, 9}),
		graph.Bools([]int{3}, []bool{true, false, true}),
		graph.Int64s([]int{3}, []int64{2, 0, 1}),
	}
	b, err := OutputBatch(outs, tensors, 3)
	if err != nil {
		t.Fatal(err)
	}
	v := b.Column("v")
	if lo, hi := v.Values(2); cmp.Diff([]float32{5, 6}, v.Floats[lo:hi]) != "" {
		t.Errorf("v row 2 = %v", v.Floats[lo:hi])
	}
	ids := b.Column("ids")
	if ids.Len(0) != 2 || ids.Len(1) != 0 || ids.Ints[ids.Offsets[2]] != 9 {
		t.Errorf("ids offsets %v", ids.Offsets)
	}
	if diff := cmp.Diff([]int64{1, 0, 1}, b.Column("big").Ints); diff != "" {
		t.Errorf("big: %s", diff)
	}
	tensors[4] = graph.Int64s([]int{3}, []int64{2, 2, 1})
	if _, err := OutputBatch(outs, tensors, 3); err == nil {
		t.Error("lengths that do not add up were accepted")
	}
}
