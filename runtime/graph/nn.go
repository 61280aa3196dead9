package graph

import (
	"fmt"
	"math"

	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// oneHot is TensorFlow's OneHot along the last axis: indices of rank 1
// give a [n, depth] tensor with on_value where the index is and off_value
// elsewhere; an index outside [0, depth) gives a row of off_value
// (tensorflow/core/kernels/one_hot_op.h).
func oneHot(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	idx, depthT, on, off := in[0], in[1], in[2], in[3]
	if axis := n.GetAttr()["axis"].GetI(); axis != -1 {
		return nil, fmt.Errorf("OneHot along axis %d is not supported", axis)
	}
	if len(idx.Shape) != 1 || depthT.Len() != 1 || on.Len() != 1 || off.Len() != 1 {
		return nil, fmt.Errorf("OneHot of shape %v", idx.Shape)
	}
	if on.DType != tfpb.DataType_DT_FLOAT || off.DType != tfpb.DataType_DT_FLOAT {
		return nil, fmt.Errorf("OneHot of %s values", on.DType)
	}
	depth := int(depthT.Float64At(0))
	if depth < 0 {
		return nil, fmt.Errorf("OneHot depth %d", depth)
	}
	rows := idx.Shape[0]
	out := Float32s([]int{rows, depth}, make([]float32, rows*depth))
	for i := range out.F32 {
		out.F32[i] = off.F32[0]
	}
	for r := range rows {
		if k := int(idx.Float64At(r)); k >= 0 && k < depth {
			out.F32[r*depth+k] = on.F32[0]
		}
	}
	return []*Tensor{out}, nil
}

// biasAdd adds a bias vector to every row of a matrix (BiasAdd, NHWC: the
// bias runs along the last dimension).
func biasAdd(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	x, b := in[0], in[1]
	if x.DType != tfpb.DataType_DT_FLOAT || b.DType != tfpb.DataType_DT_FLOAT || len(x.Shape) < 1 || len(b.Shape) != 1 || x.Shape[len(x.Shape)-1] != b.Shape[0] {
		return nil, fmt.Errorf("BiasAdd of %s %v and %s %v", x.DType, x.Shape, b.DType, b.Shape)
	}
	out := Float32s(x.Shape, make([]float32, len(x.F32)))
	k := b.Shape[0]
	for i, v := range x.F32 {
		out.F32[i] = v + b.F32[i%k]
	}
	return []*Tensor{out}, nil
}

// softmax is TensorFlow's Softmax over the last dimension of a float
// tensor: exp(x − max) / Σ exp(x − max) per row (nn_ops.cc), computed in
// float64.
func softmax(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	x := in[0]
	if x.DType != tfpb.DataType_DT_FLOAT || len(x.Shape) < 1 {
		return nil, fmt.Errorf("Softmax of %s %v", x.DType, x.Shape)
	}
	out := Float32s(x.Shape, make([]float32, len(x.F32)))
	k := x.Shape[len(x.Shape)-1]
	if k == 0 {
		return []*Tensor{out}, nil
	}
	for lo := 0; lo < len(x.F32); lo += k {
		row := x.F32[lo : lo+k]
		m := float64(row[0])
		for _, v := range row[1:] {
			m = math.Max(m, float64(v))
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v) - m)
		}
		for j, v := range row {
			out.F32[lo+j] = float32(math.Exp(float64(v)-m) / sum)
		}
	}
	return []*Tensor{out}, nil
}
