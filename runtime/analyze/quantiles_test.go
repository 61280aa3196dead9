package analyze

import (
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
)

func seq(lo, hi float64) []float64 {
	var out []float64
	for x := lo; x <= hi; x++ {
		out = append(out, x)
	}
	return out
}

func boundaries(t *testing.T, eps float64, q int, includeMinMax bool, batches ...[]float64) []float64 {
	t.Helper()
	sk, err := NewQuantileSketch(eps, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		if err := sk.AddValues(b); err != nil {
			t.Fatal(err)
		}
	}
	out, err := sk.Boundaries(q, includeMinMax, Float32)
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

// The upstream cases (TFT analyzers_test QuantilesCombiner tests, impl_test
// testQuantiles*, bucketize_integration_test; SEMANTICS 1.6).
func TestQuantilesUpstream(t *testing.T) {
	for _, c := range []struct {
		name    string
		eps     float64
		q       int
		minMax  bool
		batches [][]float64
		want    []float64
	}{
		{"1..300 q5", 1e-5, 5, false, [][]float64{seq(1, 100), seq(101, 200), seq(201, 300), nil}, []float64{61, 121, 181, 241}},
		{"1..100 q3", 1e-5, 3, false, [][]float64{seq(1, 100)}, []float64{34, 67}},
		{"1..4 q2", 1e-4, 2, false, [][]float64{seq(1, 4)}, []float64{3}},
		{"1..4 q3", 1e-4, 3, false, [][]float64{seq(1, 4)}, []float64{2, 3}},
		{"1..4 q5", 1e-4, 5, false, [][]float64{seq(1, 4)}, []float64{1, 2, 3, 4}},
		{"1..4 q10 repeats", 0.01, 10, false, [][]float64{seq(1, 4)}, []float64{1, 1, 2, 2, 3, 3, 3, 4, 4}},
		{"1,1 q4", 1e-5, 4, false, [][]float64{{1, 1}}, []float64{1, 1, 1}},
		{"1,1 q4 no trim", 1e-5, 4, true, [][]float64{{1, 1}}, []float64{1, 1, 1, 1, 1}},
		{"two values three buckets", 0.01, 3, false, [][]float64{{5, 9}}, []float64{5, 9}},
		{"odd 1..99 q4", 0.01, 4, false, [][]float64{oddSeq()}, []float64{25, 51, 75}},
		{"empty", 1e-5, 5, false, [][]float64{{}}, []float64{0, 0, 0, 0}},
		{"NaN skipped", 0.01, 2, false, [][]float64{{math.NaN(), 1, 2, math.NaN(), 3, 4}}, []float64{3}},
	} {
		if got := boundaries(t, c.eps, c.q, c.minMax, c.batches...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	sk, _ := NewQuantileSketch(0.01, 1)
	if _, err := sk.Quantiles(1); err == nil {
		t.Error("one quantile accepted")
	}
	if _, err := NewQuantileSketch(0, 1); err == nil {
		t.Error("eps 0 accepted")
	}
}

func oddSeq() []float64 {
	var out []float64
	for x := 1.0; x < 100; x += 2 {
		out = append(out, x)
	}
	return out
}

// Bucketize's default epsilon on 1..9 with 3 buckets: boundaries that put
// 1-3, 4-6 and 7-9 in buckets 0, 1, 2.
func TestQuantilesBucketize(t *testing.T) {
	b := boundaries(t, DefaultBucketizeEpsilon(3), 3, false, seq(1, 9))
	for x := 1.0; x <= 9; x++ {
		if got, want := ApplyBuckets(x, b), int64((x-1)/3); got != want {
			t.Errorf("bucket(%v) = %d, want %d (boundaries %v)", x, got, want, b)
		}
	}
	if ApplyBuckets(math.NaN(), b) != int64(len(b)) || ApplyBuckets(math.Inf(-1), b) != 0 {
		t.Error("NaN/-inf bucket")
	}
}

func TestQuantilesElementwise(t *testing.T) {
	sk, _ := NewQuantileSketch(1e-5, 3)
	var flat []float64
	for i := 1.0; i <= 100; i++ {
		flat = append(flat, i, i+100, i+200)
	}
	if err := sk.AddValues(flat); err != nil {
		t.Fatal(err)
	}
	got, _ := sk.Boundaries(5, false, Float32)
	want := [][]float64{{21, 41, 61, 81}, {121, 141, 161, 181}, {221, 241, 261, 281}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
	if err := sk.AddValues([]float64{1, 2}); err == nil {
		t.Error("ragged batch accepted")
	}
}

// simplifiedQuantiles is SEMANTICS 1.6's closed form for n distinct values of
// unit weight.
func simplifiedQuantiles(v []float64, q int) []float64 {
	n := len(v)
	var out []float64
	cur := 0
	for r := 0; r <= q; r++ {
		d := float64(r) * float64(n) / float64(q)
		next := cur + 1
		for next < n && !(float64(next) > d-0.5) {
			next++
		}
		cur = next - 1
		if next == n || d < float64(next) {
			out = append(out, v[cur])
		} else {
			out = append(out, v[next])
		}
	}
	return out
}

func TestQuantilesMatchClosedForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 2000; trial++ {
		n := 1 + rng.IntN(60)
		q := 2 + rng.IntN(12)
		seen := map[float64]bool{}
		var v []float64
		for len(v) < n {
			x := float64(rng.IntN(1000))
			if !seen[x] {
				seen[x] = true
				v = append(v, x)
			}
		}
		sk, _ := NewQuantileSketch(0.01, 1)
		_ = sk.AddValues(v)
		got, _ := sk.Quantiles(q)
		sort.Float64s(v)
		if want := simplifiedQuantiles(v, q); !reflect.DeepEqual(got[0], want) {
			t.Fatalf("n=%d q=%d: got %v, want %v", n, q, got[0], want)
		}
	}
}

func TestQuantileSpecs(t *testing.T) {
	for _, eps := range []float64{0.01 / 3, 0.001 / 3, 1e-5 / 3, 0.3} {
		levels, block := quantileSpecs(eps, quantilesMaxNumElements)
		if (int64(1)<<levels)*block < quantilesMaxNumElements {
			t.Errorf("eps %v: %d levels × %d cannot hold 2^32 elements", eps, levels, block)
		}
		if block > int64(math.Ceil(float64(levels)/eps))+1 {
			t.Errorf("eps %v: block %d too large for %d levels", eps, block, levels)
		}
	}
	if _, block := quantileSpecs(0.01/3, quantilesMaxNumElements); block < 5000 || block > 8000 {
		t.Errorf("eps 0.01 block size %d: expected thousands of entries", block)
	}
	if l, b := quantileSpecs(1e-20, 1000); l != 1 || b != 1000 {
		t.Errorf("exact specs %d %d", l, b)
	}
}

// Below the sketch size, any split into accumulators and any merge order
// gives the exact result (the one from all values at once).
func TestQuantilesMergeOrderExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	xs := make([]float64, 30000)
	ws := make([]float64, len(xs))
	for i := range xs {
		xs[i] = float64(rng.IntN(1500)) / 8 // many duplicates, 1500 distinct
		ws[i] = float64(1 + rng.IntN(3))
	}
	for _, weighted := range []bool{false, true} {
		whole, _ := NewQuantileSketch(0.01, 1)
		for i, x := range xs {
			if weighted {
				whole.AddWeighted(0, x, ws[i])
			} else {
				whole.Add(0, x)
			}
		}
		if !whole.Exact() {
			t.Fatal("30000 values with 1500 distinct compressed")
		}
		want, _ := whole.Boundaries(17, true, Float64)
		for trial := 0; trial < 3; trial++ {
			parts := splitRandomly(rng, len(xs), 2+rng.IntN(8))
			accs := make([]*QuantileSketch, len(parts))
			for p, idx := range parts {
				accs[p], _ = NewQuantileSketch(0.01, 1)
				for _, i := range idx {
					if weighted {
						accs[p].AddWeighted(0, xs[i], ws[i])
					} else {
						accs[p].Add(0, xs[i])
					}
				}
				if rng.IntN(2) == 0 {
					accs[p].Compact()
				}
			}
			for _, order := range mergeOrders(rng, len(accs)) {
				m, _ := NewQuantileSketch(0.01, 1)
				for _, k := range order {
					if err := m.Merge(accs[k]); err != nil {
						t.Fatal(err)
					}
				}
				got, _ := m.Boundaries(17, true, Float64)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("weighted=%v: merge order changed exact boundaries:\n%v\n%v", weighted, got, want)
				}
			}
		}
	}
}

// rankError returns how far value v's true rank interval in sorted data is
// from the target rank.
func rankError(sorted []float64, v, target float64) float64 {
	lo := float64(sort.SearchFloat64s(sorted, v))                                      // values < v
	hi := float64(sort.Search(len(sorted), func(i int) bool { return sorted[i] > v })) // values <= v
	switch {
	case target < lo:
		return lo - target
	case target > hi:
		return target - hi
	}
	return 0
}

// Above the sketch size, memory stays bounded and every quantile is within
// ε·N ranks of its target, for any split and merge order.
func TestQuantilesLargeApproximate(t *testing.T) {
	if testing.Short() {
		t.Skip("large sketch test")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	const n = 400000
	const eps = 0.01
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = rng.NormFloat64()*10 + float64(i%7)
	}
	sorted := append([]float64(nil), xs...)
	sort.Float64s(sorted)
	check := func(name string, sk *QuantileSketch) {
		t.Helper()
		entries := len(sk.Streams[0].Buffer)
		for _, l := range sk.Streams[0].Levels {
			entries += len(l)
		}
		s := sk.Streams[0]
		if bound := int(s.BufferCap + s.MaxLevels*(s.BlockSize+2)); entries > bound {
			t.Errorf("%s: %d entries held, bound %d", name, entries, bound)
		}
		if entries > n/10 {
			t.Errorf("%s: %d entries held for %d values: memory grows with rows", name, entries, n)
		}
		const q = 20
		qs, _ := sk.Quantiles(q)
		for r, v := range qs[0] {
			if e := rankError(sorted, v, float64(r)*n/q); e > eps*n {
				t.Errorf("%s: quantile %d/%d = %v is %v ranks off (bound %v)", name, r, q, v, e, eps*n)
			}
		}
	}
	whole, _ := NewQuantileSketch(eps, 1)
	_ = whole.AddValues(xs)
	if whole.Exact() {
		t.Fatal("400000 distinct values stayed exact")
	}
	check("single", whole)
	parts := splitRandomly(rng, n, 7)
	accs := make([]*QuantileSketch, len(parts))
	for p, idx := range parts {
		accs[p], _ = NewQuantileSketch(eps, 1)
		for _, i := range idx {
			accs[p].Add(0, xs[i])
		}
	}
	for _, order := range mergeOrders(rng, len(accs)) {
		m, _ := NewQuantileSketch(eps, 1)
		for _, k := range order {
			_ = m.Merge(accs[k])
		}
		check("merged", m)
		m.Compact()
		check("compacted", m)
	}
}

// TFT bucketize_integration_test testBucketizationSpecificDistribution: a
// skewed distribution of 15,002 values, epsilon 1e-4, 5 buckets.
func TestQuantilesSpecificDistribution(t *testing.T) {
	dist := []struct {
		lo, hi float64
		n      int
	}{{0.51, 0.67, 4013}, {0.67, 0.84, 2321}, {0.84, 1.01, 7145}, {1.01, 1.17, 64524}, {1.17, 1.34, 42886},
		{1.34, 1.51, 154809}, {1.51, 1.67, 382678}, {1.67, 1.84, 582744}, {1.84, 2.01, 252221}, {2.01, 2.17, 7299}}
	sk, _ := NewQuantileSketch(0.0001, 1)
	for _, d := range dist {
		step := (d.hi - d.lo) / 100
		for i := 0; i < d.n/100; i++ {
			sk.Add(0, float64(float32(d.lo+float64(i)*step)))
		}
	}
	b, _ := sk.Boundaries(5, false, Float32)
	assertFloats(t, "boundaries", b[0], []float64{2.3084, 3.5638, 5.0972, 7.07}, 1e-4, 0)
}
