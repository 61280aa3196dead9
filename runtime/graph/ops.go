package graph

import (
	"fmt"
	"math"
	"slices"

	farm "github.com/dgryski/go-farm"

	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// kernels are the supported ops, by TensorFlow op name. Each follows the
// op's definition in TensorFlow (tensorflow/core/ops and kernels).
var kernels = map[string]kernel{
	"Placeholder": nil, // fed by Run
	"Const":       constOp,
	"Identity":    func(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) { return in[:1], nil },
	// NoOp has no outputs; a SavedModel's main op is one, running the
	// table initializers through its control inputs.
	"NoOp": func(*tfpb.NodeDef, []*Tensor) ([]*Tensor, error) { return nil, nil },
	"Cast": castOp,

	"AddV2":   arith(func(a, b float64) float64 { return a + b }, func(a, b int64) int64 { return a + b }),
	"Sub":     sub,
	"Mul":     arith(func(a, b float64) float64 { return a * b }, func(a, b int64) int64 { return a * b }),
	"RealDiv": arith(func(a, b float64) float64 { return a / b }, nil),
	// FloorMod: the remainder with the sign of the divisor (TensorFlow's
	// FloorMod); an integer division by zero is an error there, here 0.
	"FloorMod": arith(func(a, b float64) float64 {
		r := math.Mod(a, b)
		if r != 0 && (r < 0) != (b < 0) {
			r += b
		}
		return r
	}, func(a, b int64) int64 {
		if b == 0 {
			return 0
		}
		r := a % b
		if r != 0 && (r < 0) != (b < 0) {
			r += b
		}
		return r
	}),
	"Maximum": arith(maximum, func(a, b int64) int64 { return max(a, b) }),
	"Minimum": arith(minimum, func(a, b int64) int64 { return min(a, b) }),

	"Log1p":   unaryFloat(math.Log1p),
	"Sqrt":    unaryFloat(math.Sqrt),
	"Sigmoid": unaryFloat(func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }),
	"Neg":     negOp,

	"Less":         compare(func(a, b float64) bool { return a < b }),
	"LessEqual":    compare(func(a, b float64) bool { return a <= b }),
	"Greater":      compare(func(a, b float64) bool { return a > b }),
	"GreaterEqual": compare(func(a, b float64) bool { return a >= b }),
	"Equal":        equalOp(false),
	"NotEqual":     equalOp(true),
	"LogicalNot":   logicalNot,
	"LogicalAnd":   logical(func(a, b bool) bool { return a && b }),
	"LogicalOr":    logical(func(a, b bool) bool { return a || b }),
	"SelectV2":     selectV2,

	"ExpandDims": expandDims,
	"ConcatV2":   concatV2,
	"MatMul":     matMul,
	"Reshape":    reshape,
	"Sum":        sumOp,

	"HashTableV2":            hashTable,
	"LookupTableImportV2":    lookupImport,
	"LookupTableFindV2":      lookupFind,
	"StringToHashBucketFast": hashBucketFast,

	"StringSplit":   stringSplit,
	"StringNGrams":  stringNGrams,
	"Shape":         shapeOp,
	"Range":         rangeOp,
	"GatherV2":      gatherV2,
	"Pack":          pack,
	"Cumsum":        cumsum,
	"Bincount":      bincount,
	"UpperBound":    upperBound,
	"ScatterNd":     scatterNd,
	"SparseToDense": sparseToDense,
	"Unique":        unique,
	"TopKV2":        topKV2,
	"Where":         where,
	"Slice":         sliceOp,

	// The model layers of a serving graph (nn.go).
	"OneHot":  oneHot,
	"BiasAdd": biasAdd,
	"Relu":    unaryFloat(func(x float64) float64 { return max(x, 0) }),
	"Tanh":    unaryFloat(math.Tanh),
	"Softmax": softmax,
}

func init() {
	kernels["Placeholder"] = func(n *tfpb.NodeDef, _ []*Tensor) ([]*Tensor, error) {
		return nil, fmt.Errorf("placeholder %q is not fed", n.GetName())
	}
}

func constOp(n *tfpb.NodeDef, _ []*Tensor) ([]*Tensor, error) {
	t, err := FromProto(n.GetAttr()["value"].GetTensor())
	if err != nil {
		return nil, err
	}
	return []*Tensor{t}, nil
}

// broadcast computes the shape of a binary op's result under NumPy rules
// and, for each output element, the index of each operand's element.
func broadcast(a, b []int) (out []int, ia, ib func(i int) int, err error) {
	n := max(len(a), len(b))
	out = make([]int, n)
	pa, pb := pad(a, n), pad(b, n)
	for i := range n {
		switch {
		case pa[i] == pb[i], pb[i] == 1:
			out[i] = pa[i]
		case pa[i] == 1:
			out[i] = pb[i]
		default:
			return nil, nil, nil, fmt.Errorf("incompatible shapes %v and %v", a, b)
		}
	}
	if slices.Equal(a, b) {
		id := func(i int) int { return i }
		return out, id, id, nil
	}
	return out, indexer(pa, out), indexer(pb, out), nil
}

func pad(s []int, n int) []int {
	p := make([]int, n-len(s), n)
	for i := range p {
		p[i] = 1
	}
	return append(p, s...)
}

// indexer maps an index into the output to an index into an operand of
// shape s (padded to the output's rank) broadcast to it.
func indexer(s, out []int) func(int) int {
	if numElements(s) == 1 {
		return func(int) int { return 0 }
	}
	strides := make([]int, len(s))
	st := 1
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] != 1 {
			strides[i] = st
		}
		st *= s[i]
	}
	return func(i int) int {
		idx := 0
		for d := len(out) - 1; d >= 0; d-- {
			idx += (i % out[d]) * strides[d]
			i /= out[d]
		}
		return idx
	}
}

func sameDType(a, b *Tensor) error {
	if a.DType != b.DType {
		return fmt.Errorf("operands of types %s and %s", a.DType, b.DType)
	}
	return nil
}

// operands checks that a binary op's operands share a dtype and
// broadcasts their shapes.
func operands(a, b *Tensor) (shape []int, ia, ib func(int) int, err error) {
	if err := sameDType(a, b); err != nil {
		return nil, nil, nil, err
	}
	return broadcast(a.Shape, b.Shape)
}

// arith builds an elementwise arithmetic op from its float and integer
// forms (fi nil: floats only). float32 operands are computed in float64 and
// rounded once: for + - * / that gives exactly the float32 result, because
// float64 carries more than twice float32's precision, so the double
// rounding is innocuous.
func arith(f func(a, b float64) float64, fi func(a, b int64) int64) kernel {
	return func(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
		a, b := in[0], in[1]
		shape, ia, ib, err := operands(a, b)
		if err != nil {
			return nil, err
		}
		out, err := NewTensor(a.DType, shape)
		if err != nil {
			return nil, err
		}
		n := out.Len()
		switch a.DType {
		case tfpb.DataType_DT_FLOAT:
			for i := range n {
				out.F32[i] = float32(f(float64(a.F32[ia(i)]), float64(b.F32[ib(i)])))
			}
		case tfpb.DataType_DT_DOUBLE:
			for i := range n {
				out.F64[i] = f(a.F64[ia(i)], b.F64[ib(i)])
			}
		case tfpb.DataType_DT_INT64:
			if fi == nil {
				return nil, fmt.Errorf("needs floats, not %s", a.DType)
			}
			for i := range n {
				out.I64[i] = fi(a.I64[ia(i)], b.I64[ib(i)])
			}
		case tfpb.DataType_DT_INT32:
			if fi == nil {
				return nil, fmt.Errorf("needs floats, not %s", a.DType)
			}
			for i := range n {
				out.I32[i] = int32(fi(int64(a.I32[ia(i)]), int64(b.I32[ib(i)])))
			}
		default:
			return nil, fmt.Errorf("arithmetic on %s", a.DType)
		}
		return []*Tensor{out}, nil
	}
}

// maximum and minimum propagate NaN, as TensorFlow's Maximum and Minimum do.
func maximum(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return math.Max(a, b)
}

func minimum(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return math.Min(a, b)
}

func unaryFloat(f func(float64) float64) kernel {
	return func(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
		x := in[0]
		out, err := NewTensor(x.DType, x.Shape)
		if err != nil {
			return nil, err
		}
		switch x.DType {
		case tfpb.DataType_DT_FLOAT:
			for i, v := range x.F32 {
				out.F32[i] = float32(f(float64(v)))
			}
		case tfpb.DataType_DT_DOUBLE:
			for i, v := range x.F64 {
				out.F64[i] = f(v)
			}
		default:
			return nil, fmt.Errorf("needs a float, not %s", x.DType)
		}
		return []*Tensor{out}, nil
	}
}

var sub = arith(func(a, b float64) float64 { return a - b }, func(a, b int64) int64 { return a - b })

func negOp(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	zero, err := NewTensor(in[0].DType, nil)
	if err != nil {
		return nil, err
	}
	return sub(n, []*Tensor{zero, in[0]})
}

func compare(f func(a, b float64) bool) kernel {
	return func(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
		a, b := in[0], in[1]
		shape, ia, ib, err := operands(a, b)
		if err != nil {
			return nil, err
		}
		if a.DType == tfpb.DataType_DT_STRING || a.DType == tfpb.DataType_DT_BOOL {
			return nil, fmt.Errorf("ordering of %s", a.DType)
		}
		out := Bools(shape, make([]bool, numElements(shape)))
		for i := range out.Bool {
			// Exact for float32 and float64; int64 values are compared as
			// int64 to stay exact beyond 2^53.
			if a.DType == tfpb.DataType_DT_INT64 {
				x, y := a.I64[ia(i)], b.I64[ib(i)]
				out.Bool[i] = f(float64(cmpInt(x, y)), 0)
				continue
			}
			out.Bool[i] = f(a.Float64At(ia(i)), b.Float64At(ib(i)))
		}
		return []*Tensor{out}, nil
	}
}

func cmpInt(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func equalOp(negate bool) kernel {
	return func(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
		a, b := in[0], in[1]
		shape, ia, ib, err := operands(a, b)
		if err != nil {
			return nil, err
		}
		out := Bools(shape, make([]bool, numElements(shape)))
		for i := range out.Bool {
			var eq bool
			switch a.DType {
			case tfpb.DataType_DT_STRING:
				eq = a.Str[ia(i)] == b.Str[ib(i)]
			case tfpb.DataType_DT_INT64:
				eq = a.I64[ia(i)] == b.I64[ib(i)]
			case tfpb.DataType_DT_BOOL:
				eq = a.Bool[ia(i)] == b.Bool[ib(i)]
			default:
				eq = a.Float64At(ia(i)) == b.Float64At(ib(i))
			}
			out.Bool[i] = eq != negate
		}
		return []*Tensor{out}, nil
	}
}

func logicalNot(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	x := in[0]
	if x.DType != tfpb.DataType_DT_BOOL {
		return nil, fmt.Errorf("needs bool, not %s", x.DType)
	}
	out := Bools(x.Shape, make([]bool, len(x.Bool)))
	for i, v := range x.Bool {
		out.Bool[i] = !v
	}
	return []*Tensor{out}, nil
}

func logical(f func(a, b bool) bool) kernel {
	return func(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
		a, b := in[0], in[1]
		if a.DType != tfpb.DataType_DT_BOOL || b.DType != tfpb.DataType_DT_BOOL {
			return nil, fmt.Errorf("needs bools")
		}
		shape, ia, ib, err := broadcast(a.Shape, b.Shape)
		if err != nil {
			return nil, err
		}
		out := Bools(shape, make([]bool, numElements(shape)))
		for i := range out.Bool {
			out.Bool[i] = f(a.Bool[ia(i)], b.Bool[ib(i)])
		}
		return []*Tensor{out}, nil
	}
}

// selectV2 picks from t where cond holds, else from e, broadcasting all
// three.
func selectV2(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	c, t, e := in[0], in[1], in[2]
	if c.DType != tfpb.DataType_DT_BOOL {
		return nil, fmt.Errorf("condition of type %s", c.DType)
	}
	if err := sameDType(t, e); err != nil {
		return nil, err
	}
	te, it, ie, err := broadcast(t.Shape, e.Shape)
	if err != nil {
		return nil, err
	}
	shape, ic, ix, err := broadcast(c.Shape, te)
	if err != nil {
		return nil, err
	}
	out, err := NewTensor(t.DType, shape)
	if err != nil {
		return nil, err
	}
	for i := range out.Len() {
		j := ix(i)
		from, k := e, ie(j)
		if c.Bool[ic(i)] {
			from, k = t, it(j)
		}
		copyElem(out, i, from, k)
	}
	return []*Tensor{out}, nil
}

func copyElem(dst *Tensor, i int, src *Tensor, j int) {
	switch dst.DType {
	case tfpb.DataType_DT_FLOAT:
		dst.F32[i] = src.F32[j]
	case tfpb.DataType_DT_DOUBLE:
		dst.F64[i] = src.F64[j]
	case tfpb.DataType_DT_INT32:
		dst.I32[i] = src.I32[j]
	case tfpb.DataType_DT_INT64:
		dst.I64[i] = src.I64[j]
	case tfpb.DataType_DT_STRING:
		dst.Str[i] = src.Str[j]
	case tfpb.DataType_DT_BOOL:
		dst.Bool[i] = src.Bool[j]
	}
}

// addElem adds element j of src to element i of dst, both of dst's
// numeric type; it reports false for a type that does not add.
func addElem(dst *Tensor, i int, src *Tensor, j int) bool {
	switch dst.DType {
	case tfpb.DataType_DT_FLOAT:
		dst.F32[i] += src.F32[j]
	case tfpb.DataType_DT_DOUBLE:
		dst.F64[i] += src.F64[j]
	case tfpb.DataType_DT_INT64:
		dst.I64[i] += src.I64[j]
	case tfpb.DataType_DT_INT32:
		dst.I32[i] += src.I32[j]
	default:
		return false
	}
	return true
}

// castOp converts between numeric types and bool: float to int truncates
// toward zero (NaN gives the most negative integer, as C++ casts do on x86);
// bool is 1 or 0; a number is true when non-zero.
func castOp(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	x := in[0]
	to := n.GetAttr()["DstT"].GetType()
	out, err := NewTensor(to, x.Shape)
	if err != nil {
		return nil, err
	}
	if x.DType == tfpb.DataType_DT_STRING || to == tfpb.DataType_DT_STRING {
		return nil, fmt.Errorf("cast from %s to %s", x.DType, to)
	}
	for i := range x.Len() {
		switch to {
		case tfpb.DataType_DT_FLOAT:
			if x.DType == tfpb.DataType_DT_INT64 {
				out.F32[i] = float32(x.I64[i])
			} else {
				out.F32[i] = float32(x.Float64At(i))
			}
		case tfpb.DataType_DT_DOUBLE:
			if x.DType == tfpb.DataType_DT_INT64 {
				out.F64[i] = float64(x.I64[i])
			} else {
				out.F64[i] = x.Float64At(i)
			}
		case tfpb.DataType_DT_INT64:
			if x.DType == tfpb.DataType_DT_INT64 {
				out.I64[i] = x.I64[i]
			} else {
				out.I64[i] = truncInt64(x.Float64At(i))
			}
		case tfpb.DataType_DT_INT32:
			if x.DType == tfpb.DataType_DT_INT64 {
				out.I32[i] = int32(x.I64[i])
			} else {
				out.I32[i] = int32(truncInt64(x.Float64At(i)))
			}
		case tfpb.DataType_DT_BOOL:
			if x.DType == tfpb.DataType_DT_INT64 {
				out.Bool[i] = x.I64[i] != 0
			} else {
				out.Bool[i] = x.Float64At(i) != 0
			}
		}
	}
	return []*Tensor{out}, nil
}

func truncInt64(v float64) int64 {
	if math.IsNaN(v) || v >= math.MaxInt64 || v < math.MinInt64 {
		return math.MinInt64
	}
	return int64(v)
}

func axisOf(t *Tensor, rank int) (int, error) {
	var a int
	switch t.DType {
	case tfpb.DataType_DT_INT32:
		if len(t.I32) != 1 {
			return 0, fmt.Errorf("axis must be a scalar")
		}
		a = int(t.I32[0])
	case tfpb.DataType_DT_INT64:
		if len(t.I64) != 1 {
			return 0, fmt.Errorf("axis must be a scalar")
		}
		a = int(t.I64[0])
	default:
		return 0, fmt.Errorf("axis of type %s", t.DType)
	}
	if a < 0 {
		a += rank
	}
	if a < 0 || a >= rank {
		return 0, fmt.Errorf("axis %d out of range for rank %d", a, rank)
	}
	return a, nil
}

func withShape(x *Tensor, shape []int) *Tensor {
	y := *x
	y.Shape = shape
	return &y
}

func expandDims(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	x := in[0]
	a, err := axisOf(in[1], len(x.Shape)+1)
	if err != nil {
		return nil, err
	}
	shape := slices.Insert(slices.Clone(x.Shape), a, 1)
	return []*Tensor{withShape(x, shape)}, nil
}

func reshape(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	x, s := in[0], in[1]
	var shape []int
	for i := range s.Len() {
		shape = append(shape, int(s.Float64At(i)))
	}
	unknown, known := -1, 1
	for i, d := range shape {
		if d == -1 {
			if unknown >= 0 {
				return nil, fmt.Errorf("two unknown dimensions in %v", shape)
			}
			unknown = i
			continue
		}
		known *= d
	}
	if unknown >= 0 {
		if known == 0 || x.Len()%known != 0 {
			return nil, fmt.Errorf("cannot reshape %v to %v", x.Shape, shape)
		}
		shape[unknown] = x.Len() / known
	}
	if numElements(shape) != x.Len() {
		return nil, fmt.Errorf("cannot reshape %v to %v", x.Shape, shape)
	}
	return []*Tensor{withShape(x, shape)}, nil
}

// sumOp reduces one axis (tfxc emits no other reduction), keeping it as a
// dimension of 1 when keep_dims is set.
func sumOp(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	x := in[0]
	a, err := axisOf(in[1], len(x.Shape))
	if err != nil {
		return nil, err
	}
	outer := numElements(x.Shape[:a])
	dim := x.Shape[a]
	inner := numElements(x.Shape[a+1:])
	shape := slices.Delete(slices.Clone(x.Shape), a, a+1)
	if n.GetAttr()["keep_dims"].GetB() {
		shape = slices.Insert(shape, a, 1)
	}
	out, err := NewTensor(x.DType, shape)
	if err != nil {
		return nil, err
	}
	for o := range outer {
		for i := range inner {
			dst := o*inner + i
			for d := range dim {
				if !addElem(out, dst, x, (o*dim+d)*inner+i) {
					return nil, fmt.Errorf("sum of %s", x.DType)
				}
			}
		}
	}
	return []*Tensor{out}, nil
}

// hashBucketFast is StringToHashBucketFast: FarmHash Fingerprint64 of the
// string modulo num_buckets (tensorflow/core/kernels/string_to_hash_bucket_op.h
// with Fingerprint64; go-farm's Fingerprint64 computes the same function).
func hashBucketFast(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	x := in[0]
	if x.DType != tfpb.DataType_DT_STRING {
		return nil, fmt.Errorf("needs strings, not %s", x.DType)
	}
	buckets := n.GetAttr()["num_buckets"].GetI()
	if buckets < 1 {
		return nil, fmt.Errorf("num_buckets %d", buckets)
	}
	out := Int64s(x.Shape, make([]int64, len(x.Str)))
	for i, s := range x.Str {
		out.I64[i] = int64(farm.Fingerprint64([]byte(s)) % uint64(buckets))
	}
	return []*Tensor{out}, nil
}

// concatV2 joins tensors along an axis; the axis is the last input.
func concatV2(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	parts := in[:len(in)-1]
	if len(parts) == 0 {
		return nil, fmt.Errorf("nothing to join")
	}
	rank := len(parts[0].Shape)
	a, err := axisOf(in[len(in)-1], rank)
	if err != nil {
		return nil, err
	}
	shape := slices.Clone(parts[0].Shape)
	shape[a] = 0
	for _, p := range parts {
		if p.DType != parts[0].DType || len(p.Shape) != rank {
			return nil, fmt.Errorf("joining %s%v with %s%v", parts[0].DType, parts[0].Shape, p.DType, p.Shape)
		}
		for d := range rank {
			if d != a && p.Shape[d] != shape[d] {
				return nil, fmt.Errorf("joining shapes %v and %v along axis %d", parts[0].Shape, p.Shape, a)
			}
		}
		shape[a] += p.Shape[a]
	}
	out, err := NewTensor(parts[0].DType, shape)
	if err != nil {
		return nil, err
	}
	outer, inner := numElements(shape[:a]), numElements(shape[a+1:])
	i := 0
	for o := range outer {
		for _, p := range parts {
			n := p.Shape[a] * inner
			for j := range n {
				copyElem(out, i, p, o*n+j)
				i++
			}
		}
	}
	return []*Tensor{out}, nil
}

// matMul multiplies [m, k] by [k, n] float32 matrices. Each sum is
// accumulated in float64 and rounded once, as TF.js's CPU backend does
// (JavaScript numbers are doubles); TensorFlow's float32 kernels may round
// along the way, within 1e-6 relative for the sizes tfxc emits.
// axpy adds a·x to y, element by element; len(x) == len(y).
func axpy(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	j := 0
	for ; j+4 <= len(y); j += 4 {
		y[j] += a * x[j]
		y[j+1] += a * x[j+1]
		y[j+2] += a * x[j+2]
		y[j+3] += a * x[j+3]
	}
	for ; j < len(y); j++ {
		y[j] += a * x[j]
	}
}

func matMul(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	a, b := in[0], in[1]
	if a.DType != tfpb.DataType_DT_FLOAT || b.DType != tfpb.DataType_DT_FLOAT {
		return nil, fmt.Errorf("MatMul of %s and %s", a.DType, b.DType)
	}
	if n.GetAttr()["transpose_a"].GetB() || n.GetAttr()["transpose_b"].GetB() {
		return nil, fmt.Errorf("transposed MatMul is not supported")
	}
	if len(a.Shape) != 2 || len(b.Shape) != 2 || a.Shape[1] != b.Shape[0] {
		return nil, fmt.Errorf("MatMul of shapes %v and %v", a.Shape, b.Shape)
	}
	m, k, cols := a.Shape[0], a.Shape[1], b.Shape[1]
	out := Float32s([]int{m, cols}, make([]float32, m*cols))
	// Row by row, each output accumulated in float64 over x in order; a
	// zero of a (most of a one-hot input) adds nothing when b is finite,
	// so it is skipped.
	finite := true
	b64 := make([]float64, len(b.F32))
	for i, v := range b.F32 {
		b64[i] = float64(v)
		if math.IsInf(b64[i], 0) || v != v {
			finite = false
		}
	}
	acc := make([]float64, cols)
	for i := range m {
		clear(acc)
		for x, av := range a.F32[i*k : (i+1)*k] {
			if av == 0 && finite {
				continue
			}
			axpy(acc, float64(av), b64[x*cols:(x+1)*cols])
		}
		for j, s := range acc {
			out.F32[i*cols+j] = float32(s)
		}
	}
	return []*Tensor{out}, nil
}
