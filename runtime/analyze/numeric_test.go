package analyze

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestDTypes(t *testing.T) {
	for _, c := range []struct {
		in        string
		want      DType
		sum, mean DType
	}{
		{"int64", Int64, Int64, Float32},
		{"tf.int16", Int16, Int64, Float32},
		{"uint8", Uint8, Uint64, Float32},
		{"float16", Float16, Float32, Float16},
		{"np.float32", Float32, Float32, Float32},
		{"float64", Float64, Float64, Float64},
		{"double", Float64, Float64, Float64},
	} {
		d, err := ParseDType(c.in)
		if err != nil || d != c.want {
			t.Fatalf("ParseDType(%q) = %v, %v", c.in, d, err)
		}
		if d.SumDType() != c.sum || d.MeanDType() != c.mean {
			t.Errorf("%v: sum %v mean %v, want %v %v", d, d.SumDType(), d.MeanDType(), c.sum, c.mean)
		}
	}
	if _, err := ParseDType("complex64"); err == nil {
		t.Error("complex64 parsed")
	}
	for x, want := range map[float64]float64{
		1:          1,
		0.1:        0.0999755859375,
		65504:      65504,
		65519:      65504,
		65520:      math.Inf(1),
		-2.0e-8:    0,
		6.0e-8:     5.960464477539063e-08,
		2049:       2048, // ties to even
		2051:       2052,
		1.0 / 3.0:  0.333251953125,
		-1234.5678: -1235,
	} {
		if got := Float16.RoundFloat(x); got != want {
			t.Errorf("float16(%v) = %v, want %v", x, got, want)
		}
	}
	if got := Int32.WrapInt(1 << 31); got != math.MinInt32 {
		t.Errorf("int32 wrap = %d", got)
	}
}

func TestMeanVarMergeOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 5000)
	for i := range xs {
		xs[i] = 1e6 + rng.NormFloat64()*3 // a large offset stresses cancellation
	}
	xs[17], xs[99] = math.NaN(), math.Inf(1) // skipped
	var whole MeanVar
	whole.AddBatch(xs)
	if whole.Count != 4998 {
		t.Fatalf("count %d", whole.Count)
	}
	// A reference computed with a two-pass algorithm over the finite values.
	var sum float64
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			sum += x
		}
	}
	mean := sum / 4998
	var ss float64
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			ss += (x - mean) * (x - mean)
		}
	}
	assertClose(t, "mean", whole.Mean, mean, 0, 1e-14)
	assertClose(t, "var", whole.Variance(), ss/4998, 0, 1e-9)
	for trial := 0; trial < 5; trial++ {
		parts := splitRandomly(rng, len(xs), 1+rng.IntN(12))
		accs := make([]MeanVar, len(parts))
		for p, idx := range parts {
			for _, i := range idx {
				if rng.IntN(2) == 0 {
					accs[p].Add(xs[i])
				} else {
					accs[p].AddBatch([]float64{xs[i]})
				}
			}
		}
		for _, order := range mergeOrders(rng, len(accs)) {
			var m MeanVar
			for _, k := range order {
				m.Merge(accs[k])
			}
			if m.Count != whole.Count {
				t.Fatalf("count %d, want %d", m.Count, whole.Count)
			}
			assertClose(t, "merged mean", m.Mean, whole.Mean, 0, 1e-14)
			assertClose(t, "merged var", m.Variance(), whole.Variance(), 0, 1e-9)
		}
		tree := treeMerge(accs, func(a, b MeanVar) MeanVar { a.Merge(b); return a })
		assertClose(t, "tree var", tree.Variance(), whole.Variance(), 0, 1e-9)
	}
	var empty MeanVar
	if n, m, v := empty.Result(); n != 0 || m != 0 || v != 0 {
		t.Errorf("empty result %v %v %v", n, m, v)
	}
}

func TestVecMeanVarEmptyPositions(t *testing.T) {
	a := NewVecMeanVar(3)
	a.AddAt(0, 1)
	a.AddAt(0, 3)
	a.AddAt(2, math.NaN())
	m, v := a.Result()
	assertFloats(t, "mean", m, []float64{2, math.NaN(), math.NaN()}, 0, 0)
	assertFloats(t, "var", v, []float64{1, math.NaN(), math.NaN()}, 0, 0)
	// Nothing finite anywhere: TFT's zero accumulator.
	b := NewVecMeanVar(2)
	b.AddAt(1, math.NaN())
	m, v = b.Result()
	assertFloats(t, "empty mean", m, []float64{0, 0}, 0, 0)
	assertFloats(t, "empty var", v, []float64{0, 0}, 0, 0)
	if err := a.Merge(b); err == nil {
		t.Error("merging different sizes succeeded")
	}
}

// The upstream scalar test: rows 4 and 1 (TFT impl_test
// testNumericAnalyzersWithScalarInputs).
func TestNumericScalar(t *testing.T) {
	for _, dt := range []DType{Int64, Int32, Int16, Float32, Float64, Float16, Uint8} {
		a, err := NewNumeric(dt, nil, false, false)
		if err != nil {
			t.Fatal(err)
		}
		if dt.IsInteger() {
			_ = a.AddInts([]int64{4, 1})
		} else {
			_ = a.AddFloats([]float64{4, 1})
		}
		r := a.Result()
		if r.Min.DType != dt || r.Max.DType != dt || r.Sum.DType != dt.SumDType() ||
			r.Size.DType != Int64 || r.Mean.DType != dt.MeanDType() || r.Var.DType != dt.MeanDType() {
			t.Errorf("%v: dtypes %v %v %v %v %v %v", dt, r.Min.DType, r.Max.DType, r.Sum.DType, r.Size.DType, r.Mean.DType, r.Var.DType)
		}
		got := []float64{r.Min.Float(0), r.Max.Float(0), r.Sum.Float(0), r.Size.Float(0), r.Mean.Float(0), r.Var.Float(0)}
		assertFloats(t, dt.String(), got, []float64{1, 4, 5, 2, 2.5, 2.25}, 0, 0)
	}
}

func TestNumericEmpty(t *testing.T) {
	f, _ := NewNumeric(Float32, []int{2, 3}, true, false)
	r := f.Result()
	if len(r.Min.F) != 6 || !math.IsInf(r.Min.F[0], 1) || !math.IsInf(r.Max.F[5], -1) || r.Sum.F[0] != 0 ||
		r.Size.I[0] != 0 || r.Mean.F[3] != 0 || r.Var.F[3] != 0 {
		t.Errorf("empty float elementwise: %+v", r)
	}
	i, _ := NewNumeric(Int64, nil, false, false)
	r = i.Result()
	if r.Min.I[0] != math.MaxInt64 || r.Max.I[0] != math.MinInt64+1 || r.Sum.I[0] != 0 || r.Mean.F[0] != 0 {
		t.Errorf("empty int64: min %v max %v", r.Min.I, r.Max.I)
	}
	i16, _ := NewNumeric(Int16, nil, false, false)
	r = i16.Result()
	if r.Min.I[0] != math.MaxInt16 || r.Max.I[0] != math.MinInt16+1 {
		t.Errorf("empty int16: min %v max %v", r.Min.I, r.Max.I)
	}
}

// TFT impl_test testNumericAnalyzersWithCompositeInputs, sparse_elementwise:
// a [3,4] sparse feature.
func TestNumericSparseElementwise(t *testing.T) {
	type kv struct {
		pos int
		v   float64
	}
	rows := [][]kv{{{0, 0}, {5, 1}}, {{5, 2}, {11, 3}}}
	for _, dt := range []DType{Float32, Int64} {
		a, _ := NewNumeric(dt, []int{3, 4}, true, true)
		for _, r := range rows {
			for _, e := range r {
				if dt.IsFloat() {
					_ = a.AddFloat(e.pos, e.v)
				} else {
					_ = a.AddInt(e.pos, int64(e.v))
				}
			}
		}
		r := a.Result()
		nan := math.NaN()
		missMin, missMax := nan, nan
		if dt.IsInteger() {
			missMin, missMax = math.MaxInt64, math.MinInt64+1
		}
		want := func(v ...float64) []float64 { return v }
		get := func(tt *Tensor) []float64 {
			out := make([]float64, tt.Len())
			for i := range out {
				out[i] = tt.Float(i)
			}
			return out
		}
		assertFloats(t, "min", get(r.Min), want(0, missMin, missMin, missMin, missMin, 1, missMin, missMin, missMin, missMin, missMin, 3), 0, 0)
		assertFloats(t, "max", get(r.Max), want(0, missMax, missMax, missMax, missMax, 2, missMax, missMax, missMax, missMax, missMax, 3), 0, 0)
		assertFloats(t, "sum", get(r.Sum), want(0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 3), 0, 0)
		assertFloats(t, "size", get(r.Size), want(1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1), 0, 0)
		assertFloats(t, "mean", get(r.Mean), want(0, nan, nan, nan, nan, 1.5, nan, nan, nan, nan, nan, 3), 0, 0)
		assertFloats(t, "var", get(r.Var), want(0, nan, nan, nan, nan, 0.25, nan, nan, nan, nan, nan, 0), 0, 0)
		if len(r.Min.Shape) != 2 || r.Min.Shape[0] != 3 || r.Min.Shape[1] != 4 {
			t.Errorf("shape %v", r.Min.Shape)
		}
	}
}

func TestNumericNaN(t *testing.T) {
	// Dense/pooled: NaN propagates to min and max (numpy.max), is skipped by
	// mean and var, counted by size and propagated by sum.
	a, _ := NewNumeric(Float32, nil, false, false)
	_ = a.AddFloats([]float64{1, math.NaN(), 3})
	r := a.Result()
	if !math.IsNaN(r.Min.F[0]) || !math.IsNaN(r.Max.F[0]) || !math.IsNaN(r.Sum.F[0]) || r.Size.I[0] != 3 || r.Mean.F[0] != 2 || r.Var.F[0] != 1 {
		t.Errorf("pooled NaN: %v %v %v %v %v %v", r.Min.F, r.Max.F, r.Sum.F, r.Size.I, r.Mean.F, r.Var.F)
	}
	// Sparse elementwise: numpy.nanmax ignores NaN.
	s, _ := NewNumeric(Float32, []int{2}, true, true)
	_ = s.AddFloat(0, math.NaN())
	_ = s.AddFloat(0, 5)
	_ = s.AddFloat(1, math.NaN())
	r = s.Result()
	if r.Min.F[0] != 5 || r.Max.F[0] != 5 || !math.IsNaN(r.Min.F[1]) || !math.IsNaN(r.Max.F[1]) {
		t.Errorf("sparse NaN: %v %v", r.Min.F, r.Max.F)
	}
}

func TestNumericMergeOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const rows, width = 3000, 4
	data := make([][]float64, rows)
	for i := range data {
		data[i] = make([]float64, width)
		for j := range data[i] {
			data[i][j] = math.Round(rng.NormFloat64()*100) / 4
		}
	}
	build := func(idx []int, elementwise bool) *Numeric {
		a, err := NewNumeric(Float64, []int{width}, elementwise, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range idx {
			_ = a.AddFloats(data[i])
		}
		return a
	}
	all := make([]int, rows)
	for i := range all {
		all[i] = i
	}
	for _, elementwise := range []bool{false, true} {
		want := build(all, elementwise).Result()
		for trial := 0; trial < 4; trial++ {
			parts := splitRandomly(rng, rows, 2+rng.IntN(9))
			for _, order := range mergeOrders(rng, len(parts)) {
				m := build(nil, elementwise)
				for _, k := range order {
					if err := m.Merge(build(parts[k], elementwise)); err != nil {
						t.Fatal(err)
					}
				}
				got := m.Result()
				for _, p := range []struct {
					name string
					g, w *Tensor
				}{{"min", got.Min, want.Min}, {"max", got.Max, want.Max}, {"sum", got.Sum, want.Sum},
					{"size", got.Size, want.Size}, {"mean", got.Mean, want.Mean}, {"var", got.Var, want.Var}} {
					for i := 0; i < p.w.Len(); i++ {
						assertClose(t, p.name, p.g.Float(i), p.w.Float(i), 1e-9, 1e-12)
					}
				}
			}
		}
	}
}

func TestMinMax(t *testing.T) {
	a, b := NewMinMax(), NewMinMax()
	if lo, hi := a.Result(); !math.IsInf(lo, 1) || !math.IsInf(hi, -1) {
		t.Errorf("empty %v %v", lo, hi)
	}
	a.AddBatch([]float64{3, -2, 7})
	b.Add(10)
	a.Merge(b)
	if lo, hi := a.Result(); lo != -2 || hi != 10 {
		t.Errorf("got %v %v", lo, hi)
	}
	a.Add(math.NaN())
	if lo, hi := a.Result(); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("NaN did not propagate: %v %v", lo, hi)
	}
}
