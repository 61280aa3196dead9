// Package graph executes the TensorFlow graphs tfxc emits, in Go, on
// batches: one call runs every op once over a whole batch of rows. It is the
// single implementation of transform semantics at run time: the Beam job
// applies a transform by running its graph here, and the same graph is what
// TensorFlow Serving and TF.js load.
//
// Only the ops tfxc emits are implemented, each as TensorFlow defines it
// (the op's kernel in tensorflow/core/kernels); Compile rejects a graph that
// uses any other.
package graph

import (
	"encoding/binary"
	"fmt"
	"math"

	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// Tensor is a dense, row-major tensor. Exactly one of the value slices is
// used, chosen by DType.
type Tensor struct {
	DType tfpb.DataType
	Shape []int
	F32   []float32
	F64   []float64
	I32   []int32
	I64   []int64
	Str   []string
	Bool  []bool
	table *table // DT_RESOURCE: a lookup table
}

// Len is the number of elements.
func (t *Tensor) Len() int { return numElements(t.Shape) }

func numElements(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// NewTensor allocates a zero tensor.
func NewTensor(dt tfpb.DataType, shape []int) (*Tensor, error) {
	t := &Tensor{DType: dt, Shape: append([]int{}, shape...)}
	n := numElements(shape)
	switch dt {
	case tfpb.DataType_DT_FLOAT:
		t.F32 = make([]float32, n)
	case tfpb.DataType_DT_DOUBLE:
		t.F64 = make([]float64, n)
	case tfpb.DataType_DT_INT32:
		t.I32 = make([]int32, n)
	case tfpb.DataType_DT_INT64:
		t.I64 = make([]int64, n)
	case tfpb.DataType_DT_STRING:
		t.Str = make([]string, n)
	case tfpb.DataType_DT_BOOL:
		t.Bool = make([]bool, n)
	default:
		return nil, fmt.Errorf("unsupported dtype %s", dt)
	}
	return t, nil
}

// Float32s returns a float32 tensor of the given shape holding v.
func Float32s(shape []int, v []float32) *Tensor {
	return &Tensor{DType: tfpb.DataType_DT_FLOAT, Shape: shape, F32: v}
}

// Int64s returns an int64 tensor of the given shape holding v.
func Int64s(shape []int, v []int64) *Tensor {
	return &Tensor{DType: tfpb.DataType_DT_INT64, Shape: shape, I64: v}
}

// Strings returns a string tensor of the given shape holding v.
func Strings(shape []int, v []string) *Tensor {
	return &Tensor{DType: tfpb.DataType_DT_STRING, Shape: shape, Str: v}
}

// Bools returns a bool tensor of the given shape holding v.
func Bools(shape []int, v []bool) *Tensor {
	return &Tensor{DType: tfpb.DataType_DT_BOOL, Shape: shape, Bool: v}
}

// Float64At returns element i converted to float64, for comparisons.
func (t *Tensor) Float64At(i int) float64 {
	switch t.DType {
	case tfpb.DataType_DT_FLOAT:
		return float64(t.F32[i])
	case tfpb.DataType_DT_DOUBLE:
		return t.F64[i]
	case tfpb.DataType_DT_INT32:
		return float64(t.I32[i])
	case tfpb.DataType_DT_INT64:
		return float64(t.I64[i])
	case tfpb.DataType_DT_BOOL:
		if t.Bool[i] {
			return 1
		}
		return 0
	}
	return math.NaN()
}

// FromProto decodes a TensorProto: from tensor_content when set, else from
// the typed value field, where fewer values than elements repeat the last
// one, as TensorFlow's Tensor::FromProto does.
func FromProto(p *tfpb.TensorProto) (*Tensor, error) {
	var shape []int
	for _, d := range p.GetTensorShape().GetDim() {
		if d.GetSize() < 0 {
			return nil, fmt.Errorf("constant with unknown dimension")
		}
		shape = append(shape, int(d.GetSize()))
	}
	t, err := NewTensor(p.GetDtype(), shape)
	if err != nil {
		return nil, err
	}
	n := t.Len()
	if c := p.GetTensorContent(); len(c) > 0 {
		return t, decodeContent(t, c, n)
	}
	fill := func(have int, set func(dst, src int)) error {
		if have == 0 && n > 0 {
			return nil // all zero
		}
		if have > n {
			return fmt.Errorf("%d values for %d elements", have, n)
		}
		for i := 0; i < n; i++ {
			set(i, min(i, have-1))
		}
		return nil
	}
	switch t.DType {
	case tfpb.DataType_DT_FLOAT:
		return t, fill(len(p.FloatVal), func(d, s int) { t.F32[d] = p.FloatVal[s] })
	case tfpb.DataType_DT_DOUBLE:
		return t, fill(len(p.DoubleVal), func(d, s int) { t.F64[d] = p.DoubleVal[s] })
	case tfpb.DataType_DT_INT32:
		return t, fill(len(p.IntVal), func(d, s int) { t.I32[d] = p.IntVal[s] })
	case tfpb.DataType_DT_INT64:
		return t, fill(len(p.Int64Val), func(d, s int) { t.I64[d] = p.Int64Val[s] })
	case tfpb.DataType_DT_BOOL:
		return t, fill(len(p.BoolVal), func(d, s int) { t.Bool[d] = p.BoolVal[s] })
	case tfpb.DataType_DT_STRING:
		return t, fill(len(p.StringVal), func(d, s int) { t.Str[d] = string(p.StringVal[s]) })
	}
	return nil, fmt.Errorf("unsupported dtype %s", t.DType)
}

func decodeContent(t *Tensor, c []byte, n int) error {
	size := map[tfpb.DataType]int{
		tfpb.DataType_DT_FLOAT: 4, tfpb.DataType_DT_DOUBLE: 8, tfpb.DataType_DT_INT32: 4,
		tfpb.DataType_DT_INT64: 8, tfpb.DataType_DT_BOOL: 1,
	}[t.DType]
	if size == 0 || len(c) != size*n {
		return fmt.Errorf("tensor_content of %d bytes for %d %s elements", len(c), n, t.DType)
	}
	le := binary.LittleEndian
	for i := 0; i < n; i++ {
		b := c[i*size:]
		switch t.DType {
		case tfpb.DataType_DT_FLOAT:
			t.F32[i] = math.Float32frombits(le.Uint32(b))
		case tfpb.DataType_DT_DOUBLE:
			t.F64[i] = math.Float64frombits(le.Uint64(b))
		case tfpb.DataType_DT_INT32:
			t.I32[i] = int32(le.Uint32(b))
		case tfpb.DataType_DT_INT64:
			t.I64[i] = int64(le.Uint64(b))
		case tfpb.DataType_DT_BOOL:
			t.Bool[i] = b[0] != 0
		}
	}
	return nil
}
