package analyze

import "math"

// MinMax is a pooled min/max accumulator for a float feature, the pair
// scale_to_0_1 and scale_by_min_max need. NaN propagates to both results, as
// TFT's numpy.max combiner does (SEMANTICS 1.2); an empty accumulator gives
// min=+Inf and max=−Inf. (Numeric covers integer inputs, elementwise
// reductions and the sparse elementwise NaN rule.)
//
// Start from NewMinMax: the zero value has min=max=0.
type MinMax struct {
	Count  int64
	Min    float64
	Max    float64
	HasNaN bool
}

// NewMinMax returns an empty accumulator.
func NewMinMax() MinMax { return MinMax{Min: math.Inf(1), Max: math.Inf(-1)} }

// Add adds one value.
func (a *MinMax) Add(x float64) {
	a.Count++
	if math.IsNaN(x) {
		a.HasNaN = true
		return
	}
	a.Min = math.Min(a.Min, x)
	a.Max = math.Max(a.Max, x)
}

// AddBatch adds a batch of values.
func (a *MinMax) AddBatch(xs []float64) {
	for _, x := range xs {
		a.Add(x)
	}
}

// Merge adds another accumulator.
func (a *MinMax) Merge(b MinMax) {
	a.Count += b.Count
	a.HasNaN = a.HasNaN || b.HasNaN
	a.Min = math.Min(a.Min, b.Min)
	a.Max = math.Max(a.Max, b.Max)
}

// Result returns (min, max).
func (a MinMax) Result() (min, max float64) {
	if a.HasNaN {
		return math.NaN(), math.NaN()
	}
	return a.Min, a.Max
}
