package analyze

import (
	"fmt"
	"math"
)

// Numeric computes TFT's six numeric analyzers at once: min, max, sum, size,
// mean and var (tft.min … tft.var; the conformance op
// "analyzers.min_max_sum_size_mean_var"), either pooled over every element of
// every row (reduce_instance_dims=True) or per element position
// (reduce_instance_dims=False). Memory is proportional to the number of
// positions (1 when pooled).
//
// Semantics (TFT analyzers.py _min_and_max, sum, size, _mean_and_var;
// SEMANTICS 1.2):
//   - min and max keep the input dtype. TFT combines them with numpy.max (of
//     −x and of x), which propagates NaN, as tf.reduce_max does since TF 2.4:
//     one NaN makes both NaN. The exception is an elementwise reduction of a
//     sparse float feature, combined with numpy.nanmax: NaN values are
//     ignored and a position with no value is NaN. An empty float reduction
//     gives min=+Inf, max=−Inf; an empty integer one gives min=dtype.max and
//     max=−dtype.max (dtype.min+1), the accumulator's starting values.
//   - sum: integers sum to int64 (wrapping like numpy), float16 to float32,
//     float32/64 in their own type; NaN propagates. Empty → 0.
//   - size counts elements (NaN included) as int64. Empty → 0.
//   - mean and var: the input is cast to the mean dtype (integers →
//     float32), non-finite values are skipped, the variance is biased; see
//     MeanVar and VecMeanVar for the empty rules.
type Numeric struct {
	// DType is the input dtype (after any cast the caller applied).
	DType DType
	// MeanType is the dtype of mean and var (TFT's output_dtype argument);
	// Invalid means DType.MeanDType().
	MeanType DType
	// Shape is the element shape of an elementwise reduction (nil when
	// pooled).
	Shape []int
	// Elementwise is reduce_instance_dims=False.
	Elementwise bool
	// Sparse marks a sparse input, which changes the elementwise NaN rule.
	Sparse bool

	// Accumulator state, one entry per position; exported so that a coder
	// can serialize it.
	Size []int64
	ISum []int64
	FSum []float64
	IMin []int64
	IMax []int64
	FMin []float64
	FMax []float64
	Seen []bool // a non-NaN value was seen at the position
	NaN  []bool // a NaN was seen at the position
	MV   []MeanVar
}

// NewNumeric returns an empty accumulator. shape is the feature's element
// shape (a sparse feature's dense shape); it is used only when elementwise.
func NewNumeric(dtype DType, shape []int, elementwise, sparse bool) (*Numeric, error) {
	if !dtype.IsNumeric() {
		return nil, fmt.Errorf("analyze: numeric analyzers need a numeric dtype, got %v", dtype)
	}
	n := 1
	if elementwise {
		for _, d := range shape {
			if d < 0 {
				return nil, fmt.Errorf("analyze: elementwise reduction needs a fully defined shape, got %v", shape)
			}
		}
		n = numElements(shape)
	} else {
		shape = nil
	}
	a := &Numeric{DType: dtype, Shape: append([]int(nil), shape...), Elementwise: elementwise, Sparse: sparse}
	a.Size = make([]int64, n)
	a.Seen = make([]bool, n)
	a.NaN = make([]bool, n)
	a.MV = make([]MeanVar, n)
	if dtype.IsInteger() {
		a.ISum = make([]int64, n)
		a.IMin = make([]int64, n)
		a.IMax = make([]int64, n)
	} else {
		a.FSum = make([]float64, n)
		a.FMin = make([]float64, n)
		a.FMax = make([]float64, n)
		for i := range a.FMin {
			a.FMin[i], a.FMax[i] = math.Inf(1), math.Inf(-1)
		}
	}
	return a, nil
}

// Positions is the number of element positions (1 when pooled).
func (a *Numeric) Positions() int { return len(a.Size) }

func (a *Numeric) meanType() DType {
	if a.MeanType != Invalid {
		return a.MeanType
	}
	return a.DType.MeanDType()
}

func (a *Numeric) slot(pos int) (int, error) {
	if !a.Elementwise {
		return 0, nil
	}
	if pos < 0 || pos >= len(a.Size) {
		return 0, fmt.Errorf("analyze: position %d out of range [0, %d)", pos, len(a.Size))
	}
	return pos, nil
}

// AddFloat adds a value of a float input at element position pos (ignored
// when pooled). The value should already be in the input dtype's precision.
func (a *Numeric) AddFloat(pos int, x float64) error {
	if !a.DType.IsFloat() {
		return fmt.Errorf("analyze: AddFloat on a %v accumulator", a.DType)
	}
	i, err := a.slot(pos)
	if err != nil {
		return err
	}
	a.Size[i]++
	a.FSum[i] += x
	if math.IsNaN(x) {
		a.NaN[i] = true
	} else {
		a.Seen[i] = true
		a.FMin[i] = math.Min(a.FMin[i], x)
		a.FMax[i] = math.Max(a.FMax[i], x)
	}
	a.MV[i].Add(a.meanType().RoundFloat(x))
	return nil
}

// AddFloats adds a batch of pooled values (or, elementwise, one dense row
// in row-major order).
func (a *Numeric) AddFloats(xs []float64) error {
	if a.Elementwise && len(xs) != len(a.Size) {
		return fmt.Errorf("analyze: row has %d values, want %d", len(xs), len(a.Size))
	}
	for p, x := range xs {
		if err := a.AddFloat(p, x); err != nil {
			return err
		}
	}
	return nil
}

// AddInt adds a value of an integer input at element position pos (ignored
// when pooled).
func (a *Numeric) AddInt(pos int, x int64) error {
	if !a.DType.IsInteger() {
		return fmt.Errorf("analyze: AddInt on a %v accumulator", a.DType)
	}
	i, err := a.slot(pos)
	if err != nil {
		return err
	}
	a.Size[i]++
	a.ISum[i] += x
	if !a.Seen[i] || x < a.IMin[i] {
		a.IMin[i] = x
	}
	if !a.Seen[i] || x > a.IMax[i] {
		a.IMax[i] = x
	}
	a.Seen[i] = true
	a.MV[i].Add(a.meanType().RoundFloat(float64(x)))
	return nil
}

// AddInts adds a batch of pooled integer values (or, elementwise, one dense
// row in row-major order).
func (a *Numeric) AddInts(xs []int64) error {
	if a.Elementwise && len(xs) != len(a.Size) {
		return fmt.Errorf("analyze: row has %d values, want %d", len(xs), len(a.Size))
	}
	for p, x := range xs {
		if err := a.AddInt(p, x); err != nil {
			return err
		}
	}
	return nil
}

// Merge adds another accumulator built with the same configuration.
func (a *Numeric) Merge(b *Numeric) error {
	if a.DType != b.DType || a.Elementwise != b.Elementwise || len(a.Size) != len(b.Size) {
		return fmt.Errorf("analyze: merging incompatible numeric accumulators (%v/%d vs %v/%d)",
			a.DType, len(a.Size), b.DType, len(b.Size))
	}
	for i := range a.Size {
		a.Size[i] += b.Size[i]
		a.MV[i].Merge(b.MV[i])
		a.NaN[i] = a.NaN[i] || b.NaN[i]
		if a.DType.IsInteger() {
			a.ISum[i] += b.ISum[i]
			if b.Seen[i] {
				if !a.Seen[i] || b.IMin[i] < a.IMin[i] {
					a.IMin[i] = b.IMin[i]
				}
				if !a.Seen[i] || b.IMax[i] > a.IMax[i] {
					a.IMax[i] = b.IMax[i]
				}
			}
		} else {
			a.FSum[i] += b.FSum[i]
			a.FMin[i] = math.Min(a.FMin[i], b.FMin[i])
			a.FMax[i] = math.Max(a.FMax[i], b.FMax[i])
		}
		a.Seen[i] = a.Seen[i] || b.Seen[i]
	}
	return nil
}

// NumericResult holds the six analyzer outputs, each a scalar tensor when
// pooled or a tensor of the feature's shape when elementwise, in TFT's
// output dtypes.
type NumericResult struct {
	Min, Max, Sum, Size, Mean, Var *Tensor
}

// Result computes the analyzer outputs. It does not modify the accumulator.
func (a *Numeric) Result() NumericResult {
	n := len(a.Size)
	shape := a.Shape
	if !a.Elementwise {
		shape = nil
	}
	var r NumericResult
	r.Size = newIntTensor(Int64, shape, a.Size)
	sumType := a.DType.SumDType()
	if a.DType.IsInteger() {
		mins, maxs := make([]int64, n), make([]int64, n)
		for i := range mins {
			if a.Seen[i] {
				mins[i], maxs[i] = a.IMin[i], a.IMax[i]
			} else {
				// The accumulator's start: −max(−x) and max(x) both begin at
				// −dtype.max (TFT _min_and_max default_accumulator_value).
				start := a.DType.WrapInt(-a.DType.MaxInt())
				mins[i], maxs[i] = a.DType.WrapInt(-start), start
			}
		}
		r.Min = newIntTensor(a.DType, shape, mins)
		r.Max = newIntTensor(a.DType, shape, maxs)
		r.Sum = newIntTensor(sumType, shape, a.ISum)
	} else {
		mins, maxs := make([]float64, n), make([]float64, n)
		nanAware := a.Elementwise && a.Sparse
		for i := range mins {
			switch {
			case nanAware && !a.Seen[i]:
				mins[i], maxs[i] = math.NaN(), math.NaN()
			case nanAware:
				mins[i], maxs[i] = a.FMin[i], a.FMax[i]
			case a.NaN[i]:
				mins[i], maxs[i] = math.NaN(), math.NaN()
			default:
				mins[i], maxs[i] = a.FMin[i], a.FMax[i]
			}
		}
		r.Min = newFloatTensor(a.DType, shape, mins)
		r.Max = newFloatTensor(a.DType, shape, maxs)
		r.Sum = newFloatTensor(sumType, shape, a.FSum)
	}
	mt := a.meanType()
	if a.Elementwise {
		v := VecMeanVar{Cells: a.MV}
		means, vars := v.Result()
		r.Mean = newFloatTensor(mt, shape, means)
		r.Var = newFloatTensor(mt, shape, vars)
	} else {
		_, m, v := a.MV[0].Result()
		r.Mean = newFloatTensor(mt, nil, []float64{m})
		r.Var = newFloatTensor(mt, nil, []float64{v})
	}
	return r
}
