package graph

import (
	"cmp"
	"fmt"
	"slices"

	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// The shape, indexing and reordering ops that variable-length values need:
// each follows its TensorFlow kernel (tensorflow/core/kernels).

// intsOf returns the values of an int32 or int64 tensor.
func intsOf(t *Tensor) ([]int64, error) {
	switch t.DType {
	case tfpb.DataType_DT_INT64:
		return t.I64, nil
	case tfpb.DataType_DT_INT32:
		out := make([]int64, len(t.I32))
		for i, v := range t.I32 {
			out[i] = int64(v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("integers expected, not %s", t.DType)
}

// castInts converts an int64 tensor to dt (int32 or int64).
func castInts(t *Tensor, dt tfpb.DataType) *Tensor {
	if dt != tfpb.DataType_DT_INT32 {
		return t
	}
	out := &Tensor{DType: dt, Shape: t.Shape, I32: make([]int32, len(t.I64))}
	for i, v := range t.I64 {
		out.I32[i] = int32(v)
	}
	return out
}

// intsTensor builds an int tensor of type dt (int32 or int64) from v.
func intsTensor(dt tfpb.DataType, shape []int, v []int64) *Tensor {
	return castInts(Int64s(shape, v), dt)
}

func scalarInt(t *Tensor, what string) (int64, error) {
	v, err := intsOf(t)
	if err != nil || len(v) != 1 {
		return 0, fmt.Errorf("%s must be an integer scalar", what)
	}
	return v[0], nil
}

// shapeOp is Shape: the dimensions of its input, as out_type.
func shapeOp(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	dims := make([]int64, len(in[0].Shape))
	for i, d := range in[0].Shape {
		dims[i] = int64(d)
	}
	dt := n.GetAttr()["out_type"].GetType()
	if dt == tfpb.DataType_DT_INVALID {
		dt = tfpb.DataType_DT_INT32
	}
	return []*Tensor{intsTensor(dt, []int{len(dims)}, dims)}, nil
}

// rangeOp is Range: start, start+delta, … up to limit (excluded), for
// integer or float scalars.
func rangeOp(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	start, limit, delta := in[0], in[1], in[2]
	if start.Len() != 1 || limit.Len() != 1 || delta.Len() != 1 {
		return nil, fmt.Errorf("start, limit and delta must be scalars")
	}
	s, l, d := start.Float64At(0), limit.Float64At(0), delta.Float64At(0)
	if d == 0 || (d > 0 && s > l) || (d < 0 && s < l) {
		return nil, fmt.Errorf("range from %v to %v by %v", s, l, d)
	}
	switch start.DType {
	case tfpb.DataType_DT_INT64, tfpb.DataType_DT_INT32:
		a, b, c := int64(s), int64(l), int64(d)
		var v []int64
		for x := a; (c > 0 && x < b) || (c < 0 && x > b); x += c {
			v = append(v, x)
		}
		return []*Tensor{intsTensor(start.DType, []int{len(v)}, v)}, nil
	case tfpb.DataType_DT_FLOAT:
		var v []float32
		for x := s; (d > 0 && x < l) || (d < 0 && x > l); x += d {
			v = append(v, float32(x))
		}
		return []*Tensor{Float32s([]int{len(v)}, v)}, nil
	}
	return nil, fmt.Errorf("range of %s", start.DType)
}

// gatherV2 is GatherV2 with batch_dims 0: params' slices along axis at the
// given indices. An index out of range is an error, as on TensorFlow's CPU.
func gatherV2(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	params, indicesT := in[0], in[1]
	if n.GetAttr()["batch_dims"].GetI() != 0 {
		return nil, fmt.Errorf("batch_dims is not supported")
	}
	a, err := axisOf(in[2], len(params.Shape))
	if err != nil {
		return nil, err
	}
	indices, err := intsOf(indicesT)
	if err != nil {
		return nil, err
	}
	outer, dim, inner := numElements(params.Shape[:a]), params.Shape[a], numElements(params.Shape[a+1:])
	shape := slices.Concat(params.Shape[:a], indicesT.Shape, params.Shape[a+1:])
	out, err := NewTensor(params.DType, shape)
	if err != nil {
		return nil, err
	}
	i := 0
	for o := range outer {
		for _, ix := range indices {
			if ix < 0 || ix >= int64(dim) {
				return nil, fmt.Errorf("index %d out of range [0, %d)", ix, dim)
			}
			for k := range inner {
				copyElem(out, i, params, (o*dim+int(ix))*inner+k)
				i++
			}
		}
	}
	return []*Tensor{out}, nil
}

// pack is Pack: N tensors of one shape stacked along a new axis.
func pack(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("nothing to stack")
	}
	first := in[0]
	a := int(n.GetAttr()["axis"].GetI())
	if a < 0 {
		a += len(first.Shape) + 1
	}
	if a < 0 || a > len(first.Shape) {
		return nil, fmt.Errorf("axis %d out of range", a)
	}
	for _, t := range in {
		if t.DType != first.DType || !slices.Equal(t.Shape, first.Shape) {
			return nil, fmt.Errorf("stacking %s%v with %s%v", first.DType, first.Shape, t.DType, t.Shape)
		}
	}
	shape := slices.Insert(slices.Clone(first.Shape), a, len(in))
	out, err := NewTensor(first.DType, shape)
	if err != nil {
		return nil, err
	}
	outer, inner := numElements(first.Shape[:a]), numElements(first.Shape[a:])
	i := 0
	for o := range outer {
		for _, t := range in {
			for k := range inner {
				copyElem(out, i, t, o*inner+k)
				i++
			}
		}
	}
	return []*Tensor{out}, nil
}

// cumsum is Cumsum along an axis, optionally exclusive and reversed.
func cumsum(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	x := in[0]
	a, err := axisOf(in[1], len(x.Shape))
	if err != nil {
		return nil, err
	}
	exclusive, reverse := n.GetAttr()["exclusive"].GetB(), n.GetAttr()["reverse"].GetB()
	out, err := NewTensor(x.DType, x.Shape)
	if err != nil {
		return nil, err
	}
	outer, dim, inner := numElements(x.Shape[:a]), x.Shape[a], numElements(x.Shape[a+1:])
	for o := range outer {
		for k := range inner {
			var si int64
			var sf float64
			for step := range dim {
				d := step
				if reverse {
					d = dim - 1 - step
				}
				i := (o*dim+d)*inner + k
				var vi int64
				var vf float64
				switch x.DType {
				case tfpb.DataType_DT_INT64:
					vi = x.I64[i]
				case tfpb.DataType_DT_INT32:
					vi = int64(x.I32[i])
				case tfpb.DataType_DT_FLOAT, tfpb.DataType_DT_DOUBLE:
					vf = x.Float64At(i)
				default:
					return nil, fmt.Errorf("cumsum of %s", x.DType)
				}
				if !exclusive {
					si, sf = si+vi, sf+vf
				}
				switch x.DType {
				case tfpb.DataType_DT_INT64:
					out.I64[i] = si
				case tfpb.DataType_DT_INT32:
					out.I32[i] = int32(si)
				case tfpb.DataType_DT_FLOAT:
					out.F32[i] = float32(sf)
				case tfpb.DataType_DT_DOUBLE:
					out.F64[i] = sf
				}
				if exclusive {
					si, sf = si+vi, sf+vf
				}
			}
		}
	}
	return []*Tensor{out}, nil
}

// bincount is Bincount: for each value v of arr in [0, size), adds its
// weight (1 when weights is empty) to bin v; other values are ignored.
func bincount(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	arr, err := intsOf(in[0])
	if err != nil {
		return nil, fmt.Errorf("arr: %w", err)
	}
	size, err := scalarInt(in[1], "size")
	if err != nil {
		return nil, err
	}
	if size < 0 {
		return nil, fmt.Errorf("size %d is negative", size)
	}
	w := in[2]
	if w.Len() != 0 && w.Len() != len(arr) {
		return nil, fmt.Errorf("%d weights for %d values", w.Len(), len(arr))
	}
	out, err := NewTensor(w.DType, []int{int(size)})
	if err != nil {
		return nil, err
	}
	for i, v := range arr {
		if v < 0 || v >= size {
			continue
		}
		switch w.DType {
		case tfpb.DataType_DT_INT64:
			out.I64[v] += weightOr1(w, i, func(t *Tensor, i int) int64 { return t.I64[i] })
		case tfpb.DataType_DT_INT32:
			out.I32[v] += weightOr1(w, i, func(t *Tensor, i int) int32 { return t.I32[i] })
		case tfpb.DataType_DT_FLOAT:
			out.F32[v] += weightOr1(w, i, func(t *Tensor, i int) float32 { return t.F32[i] })
		case tfpb.DataType_DT_DOUBLE:
			out.F64[v] += weightOr1(w, i, func(t *Tensor, i int) float64 { return t.F64[i] })
		default:
			return nil, fmt.Errorf("weights of %s", w.DType)
		}
	}
	return []*Tensor{out}, nil
}

func weightOr1[T int32 | int64 | float32 | float64](w *Tensor, i int, at func(*Tensor, int) T) T {
	if w.Len() == 0 {
		return 1
	}
	return at(w, i)
}

// upperBound is UpperBound: for each row b, for each of values[b], the
// number of elements of sorted_inputs[b] less than or equal to it.
func upperBound(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	s, v := in[0], in[1]
	if len(s.Shape) != 2 || len(v.Shape) != 2 || s.Shape[0] != v.Shape[0] {
		return nil, fmt.Errorf("sorted_inputs %v and values %v must be matrices of as many rows", s.Shape, v.Shape)
	}
	if err := sameDType(s, v); err != nil {
		return nil, err
	}
	rows, cols, m := s.Shape[0], s.Shape[1], v.Shape[1]
	res := make([]int64, rows*m)
	for b := range rows {
		for j := range m {
			x := v.Float64At(b*m + j)
			// The first element greater than x.
			lo, hi := 0, cols
			for lo < hi {
				mid := (lo + hi) / 2
				if s.Float64At(b*cols+mid) <= x {
					lo = mid + 1
				} else {
					hi = mid
				}
			}
			res[b*m+j] = int64(lo)
		}
	}
	dt := n.GetAttr()["out_type"].GetType()
	if dt == tfpb.DataType_DT_INVALID {
		dt = tfpb.DataType_DT_INT32
	}
	return []*Tensor{intsTensor(dt, v.Shape, res)}, nil
}

// scatterNd is ScatterNd: a zero tensor of the given shape to which each
// update is added at its index; repeated indices add up. An index out of
// range is an error.
func scatterNd(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	indicesT, updates := in[0], in[1]
	shape64, err := intsOf(in[2])
	if err != nil {
		return nil, fmt.Errorf("shape: %w", err)
	}
	shape := make([]int, len(shape64))
	for i, d := range shape64 {
		if d < 0 {
			return nil, fmt.Errorf("shape %v", shape64)
		}
		shape[i] = int(d)
	}
	indices, err := intsOf(indicesT)
	if err != nil {
		return nil, fmt.Errorf("indices: %w", err)
	}
	if len(indicesT.Shape) == 0 {
		return nil, fmt.Errorf("indices must have a last dimension")
	}
	k := indicesT.Shape[len(indicesT.Shape)-1]
	if k > len(shape) || k == 0 {
		return nil, fmt.Errorf("indices of depth %d into shape %v", k, shape)
	}
	count := numElements(indicesT.Shape[:len(indicesT.Shape)-1])
	slice := numElements(shape[k:])
	if updates.Len() != count*slice {
		return nil, fmt.Errorf("%d updates for %d indices of slices of %d", updates.Len(), count, slice)
	}
	out, err := NewTensor(updates.DType, shape)
	if err != nil {
		return nil, err
	}
	for i := range count {
		off := 0
		for d := range k {
			ix := indices[i*k+d]
			if ix < 0 || ix >= int64(shape[d]) {
				return nil, fmt.Errorf("index %v out of bounds of shape %v", indices[i*k:i*k+k], shape)
			}
			off = off*shape[d] + int(ix)
		}
		for j := range slice {
			if !addElem(out, off*slice+j, updates, i*slice+j) {
				return nil, fmt.Errorf("scatter of %s", out.DType)
			}
		}
	}
	return []*Tensor{out}, nil
}

// sparseToDense is SparseToDense: a tensor of output_shape holding
// default_value, with sparse_values (one, or one per index) at
// sparse_indices ([n] for a vector, [n, rank] otherwise). With
// validate_indices the indices must increase strictly, in row-major order;
// without, each index gets the last value written to it.
func sparseToDense(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	indicesT, values, def := in[0], in[2], in[3]
	shape64, err := intsOf(in[1])
	if err != nil {
		return nil, fmt.Errorf("output_shape: %w", err)
	}
	shape := make([]int, len(shape64))
	for i, d := range shape64 {
		if d < 0 {
			return nil, fmt.Errorf("output_shape %v", shape64)
		}
		shape[i] = int(d)
	}
	indices, err := intsOf(indicesT)
	if err != nil {
		return nil, fmt.Errorf("sparse_indices: %w", err)
	}
	rank, count := 1, len(indices)
	if len(indicesT.Shape) == 2 {
		rank, count = indicesT.Shape[1], indicesT.Shape[0]
	}
	if rank != len(shape) {
		return nil, fmt.Errorf("indices of rank %d into shape %v", rank, shape)
	}
	if values.Len() != 1 && values.Len() != count {
		return nil, fmt.Errorf("%d values for %d indices", values.Len(), count)
	}
	if def.Len() != 1 || def.DType != values.DType {
		return nil, fmt.Errorf("default_value must be a %s scalar", values.DType)
	}
	out, err := NewTensor(values.DType, shape)
	if err != nil {
		return nil, err
	}
	for i := range out.Len() {
		copyElem(out, i, def, 0)
	}
	validate := true
	if a, ok := n.GetAttr()["validate_indices"]; ok {
		validate = a.GetB()
	}
	prev := -1
	for i := range count {
		off := 0
		for d := range rank {
			ix := indices[i*rank+d]
			if ix < 0 || ix >= int64(shape[d]) {
				return nil, fmt.Errorf("index %v out of bounds of shape %v", indices[i*rank:i*rank+rank], shape)
			}
			off = off*shape[d] + int(ix)
		}
		if validate && off <= prev {
			return nil, fmt.Errorf("sparse_indices[%d] is out of order or repeated", i)
		}
		prev = off
		src := i
		if values.Len() == 1 {
			src = 0
		}
		copyElem(out, off, values, src)
	}
	return []*Tensor{out}, nil
}

// unique is Unique: the distinct values of a vector in order of first
// occurrence, and for each value the index of its distinct value.
func unique(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	x := in[0]
	if len(x.Shape) != 1 {
		return nil, fmt.Errorf("input must be a vector, not of shape %v", x.Shape)
	}
	idx := make([]int64, x.Len())
	var first []int
	seen := map[any]int64{}
	for i := range x.Len() {
		var key any
		switch x.DType {
		case tfpb.DataType_DT_STRING:
			key = x.Str[i]
		case tfpb.DataType_DT_INT64:
			key = x.I64[i]
		case tfpb.DataType_DT_INT32:
			key = x.I32[i]
		case tfpb.DataType_DT_FLOAT:
			key = x.F32[i]
		case tfpb.DataType_DT_BOOL:
			key = x.Bool[i]
		default:
			return nil, fmt.Errorf("unique of %s", x.DType)
		}
		id, ok := seen[key]
		if !ok {
			id = int64(len(first))
			seen[key] = id
			first = append(first, i)
		}
		idx[i] = id
	}
	y, err := NewTensor(x.DType, []int{len(first)})
	if err != nil {
		return nil, err
	}
	for j, i := range first {
		copyElem(y, j, x, i)
	}
	dt := n.GetAttr()["out_idx"].GetType()
	if dt == tfpb.DataType_DT_INVALID {
		dt = tfpb.DataType_DT_INT32
	}
	return []*Tensor{y, intsTensor(dt, x.Shape, idx)}, nil
}

// topKV2 is TopKV2: the k largest values along the last dimension, in
// descending order, and their indices; equal values keep their order (the
// lower index first), as TensorFlow documents.
func topKV2(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	x := in[0]
	k, err := scalarInt(in[1], "k")
	if err != nil {
		return nil, err
	}
	if len(x.Shape) == 0 {
		return nil, fmt.Errorf("input must have a last dimension")
	}
	last := x.Shape[len(x.Shape)-1]
	if k < 0 || k > int64(last) {
		return nil, fmt.Errorf("k %d out of range [0, %d]", k, last)
	}
	rows := numElements(x.Shape[:len(x.Shape)-1])
	shape := append(slices.Clone(x.Shape[:len(x.Shape)-1]), int(k))
	vals, err := NewTensor(x.DType, shape)
	if err != nil {
		return nil, err
	}
	idx := make([]int64, rows*int(k))
	order := make([]int, last)
	for r := range rows {
		for i := range order {
			order[i] = i
		}
		base := r * last
		slices.SortStableFunc(order, func(a, b int) int {
			if x.DType == tfpb.DataType_DT_INT64 {
				return cmp.Compare(x.I64[base+b], x.I64[base+a])
			}
			return cmp.Compare(x.Float64At(base+b), x.Float64At(base+a))
		})
		for j := range int(k) {
			copyElem(vals, r*int(k)+j, x, base+order[j])
			idx[r*int(k)+j] = int64(order[j])
		}
	}
	dt := n.GetAttr()["index_type"].GetType()
	if dt == tfpb.DataType_DT_INVALID {
		dt = tfpb.DataType_DT_INT32
	}
	return []*Tensor{vals, intsTensor(dt, shape, idx)}, nil
}

// where is Where: the coordinates of the true (non-zero) elements, in
// row-major order, as an int64 matrix [count, rank].
func where(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	x := in[0]
	rank := len(x.Shape)
	var coords []int64
	count := 0
	for i := range x.Len() {
		var on bool
		switch x.DType {
		case tfpb.DataType_DT_BOOL:
			on = x.Bool[i]
		case tfpb.DataType_DT_STRING:
			return nil, fmt.Errorf("where of strings")
		default:
			on = x.Float64At(i) != 0
		}
		if !on {
			continue
		}
		count++
		c := make([]int64, rank)
		rest := i
		for d := rank - 1; d >= 0; d-- {
			c[d] = int64(rest % x.Shape[d])
			rest /= x.Shape[d]
		}
		coords = append(coords, c...)
	}
	return []*Tensor{Int64s([]int{count, rank}, coords)}, nil
}

// sliceOp is Slice: size[d] elements from begin[d] along each dimension;
// a size of -1 takes the rest.
func sliceOp(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	x := in[0]
	begin, err := intsOf(in[1])
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	size, err := intsOf(in[2])
	if err != nil {
		return nil, fmt.Errorf("size: %w", err)
	}
	rank := len(x.Shape)
	if len(begin) != rank || len(size) != rank {
		return nil, fmt.Errorf("begin %v and size %v for rank %d", begin, size, rank)
	}
	shape := make([]int, rank)
	for d := range rank {
		s := size[d]
		if s == -1 {
			s = int64(x.Shape[d]) - begin[d]
		}
		if begin[d] < 0 || s < 0 || begin[d]+s > int64(x.Shape[d]) {
			return nil, fmt.Errorf("slice from %v of size %v out of shape %v", begin, size, x.Shape)
		}
		shape[d] = int(s)
	}
	out, err := NewTensor(x.DType, shape)
	if err != nil {
		return nil, err
	}
	for i := range out.Len() {
		src, rest, stride := 0, i, 1
		for d := rank - 1; d >= 0; d-- {
			c := rest % shape[d]
			rest /= shape[d]
			src += (c + int(begin[d])) * stride
			stride *= x.Shape[d]
		}
		copyElem(out, i, x, src)
	}
	return []*Tensor{out}, nil
}
