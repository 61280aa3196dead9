package analyze

import (
	"fmt"
	"math"
	"sort"
	"strconv"
)

// CountPerKey counts occurrences of each key, tft.count_per_key
// (tf_utils.reduce_batch_count_per_key + _merge_outputs_by_key; SEMANTICS
// 1.2): keys are counted as strings and returned sorted by their string
// bytes (so integer keys sort as decimal strings: "-1" < "10" < "2"); the
// caller converts integer keys back to numbers. Memory is proportional to
// the number of distinct keys.
type CountPerKey struct {
	Counts map[string]int64
}

// NewCountPerKey returns an empty accumulator.
func NewCountPerKey() *CountPerKey { return &CountPerKey{Counts: map[string]int64{}} }

// Add counts a string key.
func (c *CountPerKey) Add(key string) { c.Counts[key]++ }

// AddInt counts an integer key (as its decimal string).
func (c *CountPerKey) AddInt(key int64) { c.Counts[strconv.FormatInt(key, 10)]++ }

// Merge adds another accumulator's counts.
func (c *CountPerKey) Merge(o *CountPerKey) {
	for k, n := range o.Counts {
		c.Counts[k] += n
	}
}

// Result returns the keys sorted by their bytes and their counts.
func (c *CountPerKey) Result() (keys []string, counts []int64) {
	keys = make([]string, 0, len(c.Counts))
	for k := range c.Counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	counts = make([]int64, len(keys))
	for i, k := range keys {
		counts[i] = c.Counts[k]
	}
	return keys, counts
}

// Histogram is tft.histogram for numeric (non-categorical) inputs (TFT
// analyzers.histogram; SEMANTICS 1.2): the boundaries, as float32, are
// shifted down by 0.0001, and a value's bucket is the number of shifted
// boundaries, leftmost and rightmost excluded, that are strictly below it
// (assign_buckets(side=LEFT) on the boundaries without the leftmost one,
// which also ignores the last). The result has len(boundaries)−1 counts;
// bucket i covers [b_i, b_{i+1}) in the shifted boundaries, the first
// bucket also takes everything below and NaN, the last everything above.
// (A categorical histogram is a CountPerKey.)
type Histogram struct {
	// Shifted are the float32 boundaries minus 0.0001.
	Shifted []float64
	Counts  []int64
}

// HistogramDefaultBoundaries are tft.histogram's default boundaries,
// 0.0, 0.1, …, 1.0 (float32).
func HistogramDefaultBoundaries() []float64 {
	b := make([]float64, 11)
	for i := range b {
		b[i] = float64(float32(i) / 10)
	}
	return b
}

// HistogramLinspace returns n boundaries evenly spaced from min to max in
// float32, the boundaries tft.histogram uses when given a bucket count
// (tf.linspace over the data's min and max).
func HistogramLinspace(min, max float64, n int) []float64 {
	if n <= 0 {
		return nil
	}
	lo, hi := float32(min), float32(max)
	out := make([]float64, n)
	if n == 1 {
		out[0] = float64(lo)
		return out
	}
	step := (hi - lo) / float32(n-1)
	for i := range out {
		out[i] = float64(lo + float32(i)*step)
	}
	out[n-1] = float64(hi)
	return out
}

// NewHistogram returns an empty histogram over the given boundaries (at
// least two).
func NewHistogram(boundaries []float64) (*Histogram, error) {
	if len(boundaries) < 2 {
		return nil, fmt.Errorf("analyze: a histogram needs at least 2 boundaries, got %d", len(boundaries))
	}
	h := &Histogram{Shifted: make([]float64, len(boundaries)), Counts: make([]int64, len(boundaries)-1)}
	for i, b := range boundaries {
		h.Shifted[i] = float64(float32(b) - float32(0.0001))
	}
	return h, nil
}

// Add counts one value (compared in float32).
func (h *Histogram) Add(x float64) {
	v := float64(float32(x))
	inner := h.Shifted[1 : len(h.Shifted)-1]
	b := 0
	if !math.IsNaN(v) {
		b = sort.Search(len(inner), func(i int) bool { return !(inner[i] < v) })
	}
	h.Counts[b]++
}

// Merge adds another histogram over the same boundaries.
func (h *Histogram) Merge(o *Histogram) error {
	if len(o.Counts) != len(h.Counts) {
		return fmt.Errorf("analyze: merging histograms of %d and %d buckets", len(o.Counts), len(h.Counts))
	}
	for i, c := range o.Counts {
		h.Counts[i] += c
	}
	return nil
}
