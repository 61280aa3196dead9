package graph

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	tfpb "github.com/tfxc/tfxc/pb/tf"
)

func TestOneHotAndBiasAdd(t *testing.T) {
	n := &tfpb.NodeDef{Attr: map[string]*tfpb.AttrValue{"axis": {Value: &tfpb.AttrValue_I{I: -1}}}}
	ids := &Tensor{DType: tfpb.DataType_DT_INT32, Shape: []int{4}, I32: []int32{0, 2, -1, 3}}
	depth := &Tensor{DType: tfpb.DataType_DT_INT32, Shape: []int{}, I32: []int32{3}}
	out, err := oneHot(n, []*Tensor{ids, depth, Float32s([]int{}, []float32{1}), Float32s([]int{}, []float32{0})})
	if err != nil {
		t.Fatal(err)
	}
	// Out-of-range ids (-1, 3) give rows of zeros, as TensorFlow's OneHot.
	want := []float32{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}
	if diff := cmp.Diff(want, out[0].F32); diff != "" || cmp.Diff([]int{4, 3}, out[0].Shape) != "" {
		t.Errorf("OneHot %v: %s", out[0].Shape, diff)
	}
	sum, err := biasAdd(nil, []*Tensor{out[0], Float32s([]int{3}, []float32{0.5, -1, 2})})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float32{1.5, -1, 2, 0.5, -1, 3, 0.5, -1, 2, 0.5, -1, 2}, sum[0].F32); diff != "" {
		t.Errorf("BiasAdd: %s", diff)
	}
	if _, err := biasAdd(nil, []*Tensor{out[0], Float32s([]int{2}, []float32{1, 2})}); err == nil {
		t.Error("a bias of the wrong length was accepted")
	}
}
