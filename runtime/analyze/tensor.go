package analyze

// Tensor is a dense, row-major analyzer result. Exactly one of F, I and S
// holds the values, chosen by DType: F for float dtypes (values already
// rounded to the dtype's precision), I for integer dtypes, S for strings.
type Tensor struct {
	DType DType
	Shape []int
	F     []float64
	I     []int64
	S     []string
}

// Len is the number of elements (the product of the shape; 1 for a scalar).
func (t *Tensor) Len() int { return numElements(t.Shape) }

// Float returns element i as a float64 whatever the dtype (strings give 0).
func (t *Tensor) Float(i int) float64 {
	switch {
	case t.DType.IsFloat():
		return t.F[i]
	case t.DType.IsInteger():
		return float64(t.I[i])
	}
	return 0
}

func numElements(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func newFloatTensor(dt DType, shape []int, v []float64) *Tensor {
	out := &Tensor{DType: dt, Shape: append([]int{}, shape...), F: make([]float64, len(v))}
	for i, x := range v {
		out.F[i] = dt.RoundFloat(x)
	}
	return out
}

func newIntTensor(dt DType, shape []int, v []int64) *Tensor {
	return &Tensor{DType: dt, Shape: append([]int{}, shape...), I: append([]int64{}, v...)}
}
