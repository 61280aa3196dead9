package analyze

import (
	"fmt"
	"math"
)

// MeanVar accumulates the count, mean and biased (population) variance of a
// stream of values. Non-finite values (NaN, ±Inf) are skipped, as TFT's
// _mean_and_var does (tf_utils.reduce_batch_count_mean_and_var;
// SEMANTICS 1.2). The state is the count, the mean and M2, the sum of squared
// deviations from the mean; batches and accumulators are combined with Chan,
// Golub and LeVeque's parallel update, which is the update TFT's
// WeightedMeanAndVarCombiner applies to (count, mean, variance):
//
//	n = na + nb, δ = mean_b − mean_a,
//	mean = mean_a + δ·nb/n, M2 = M2_a + M2_b + δ²·na·nb/n.
//
// The zero value is an empty accumulator. Fields are exported so that a
// runner can serialize the accumulator.
type MeanVar struct {
	Count int64
	Mean  float64
	M2    float64
}

// Add adds one value (Welford's update); a non-finite value is skipped.
func (a *MeanVar) Add(x float64) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return
	}
	a.Count++
	d := x - a.Mean
	a.Mean += d / float64(a.Count)
	a.M2 += d * (x - a.Mean)
}

// AddBatch adds a batch of values: their count, mean and M2 are computed in
// two passes and merged into the accumulator, as TFT reduces a batch before
// combining it.
func (a *MeanVar) AddBatch(xs []float64) {
	var b MeanVar
	var sum float64
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		b.Count++
		sum += x
	}
	if b.Count == 0 {
		return
	}
	b.Mean = sum / float64(b.Count)
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		d := x - b.Mean
		b.M2 += d * d
	}
	a.Merge(b)
}

// Merge adds another accumulator's values to a.
func (a *MeanVar) Merge(b MeanVar) {
	if b.Count == 0 {
		return
	}
	if a.Count == 0 {
		*a = b
		return
	}
	na, nb := float64(a.Count), float64(b.Count)
	n := na + nb
	d := b.Mean - a.Mean
	a.Mean += d * nb / n
	a.M2 += b.M2 + d*d*na*nb/n
	a.Count += b.Count
}

// Variance is the biased variance M2/count; 0 for an empty accumulator.
func (a MeanVar) Variance() float64 {
	if a.Count == 0 {
		return 0
	}
	return a.M2 / float64(a.Count)
}

// Result returns (count, mean, biased variance); an empty accumulator gives
// mean 0 and variance 0, TFT's zero accumulator (SEMANTICS 1.2).
func (a MeanVar) Result() (count int64, mean, variance float64) {
	return a.Count, a.Mean, a.Variance()
}

// VecMeanVar is the elementwise (reduce_instance_dims=False) MeanVar: one
// independent MeanVar per element position of a fixed-shape (or sparse)
// feature.
type VecMeanVar struct {
	Cells []MeanVar
}

// NewVecMeanVar returns an empty accumulator for n element positions.
func NewVecMeanVar(n int) *VecMeanVar { return &VecMeanVar{Cells: make([]MeanVar, n)} }

// AddAt adds value x at element position pos.
func (a *VecMeanVar) AddAt(pos int, x float64) { a.Cells[pos].Add(x) }

// AddRow adds one dense row; len(row) must equal the number of positions.
func (a *VecMeanVar) AddRow(row []float64) error {
	if len(row) != len(a.Cells) {
		return fmt.Errorf("analyze: row has %d values, want %d", len(row), len(a.Cells))
	}
	for i, x := range row {
		a.Cells[i].Add(x)
	}
	return nil
}

// Merge adds another accumulator of the same size.
func (a *VecMeanVar) Merge(b *VecMeanVar) error {
	if len(b.Cells) != len(a.Cells) {
		return fmt.Errorf("analyze: merging %d positions into %d", len(b.Cells), len(a.Cells))
	}
	for i := range a.Cells {
		a.Cells[i].Merge(b.Cells[i])
	}
	return nil
}

// Result returns the per-position means and biased variances with TFT's
// rules for empty positions (WeightedMeanAndVarCombiner; SEMANTICS 1.2): when
// no position saw a finite value the result is the zero accumulator (all
// means and variances 0); otherwise a position that saw none is 0/0 = NaN.
func (a *VecMeanVar) Result() (mean, variance []float64) {
	mean = make([]float64, len(a.Cells))
	variance = make([]float64, len(a.Cells))
	var total int64
	for _, c := range a.Cells {
		total += c.Count
	}
	if total == 0 {
		return mean, variance
	}
	for i, c := range a.Cells {
		if c.Count == 0 {
			mean[i], variance[i] = math.NaN(), math.NaN()
			continue
		}
		mean[i], variance[i] = c.Mean, c.Variance()
	}
	return mean, variance
}
