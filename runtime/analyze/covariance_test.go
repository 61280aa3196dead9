package analyze

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

func covOf(t *testing.T, rows [][]float64) *Covariance {
	t.Helper()
	c, err := NewCovariance(len(rows[0]))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := c.AddRow(r); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func assertMatrix(t *testing.T, what string, got, want [][]float64, abs float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range want {
		assertFloats(t, what, got[i], want[i], abs, 1e-12)
	}
}

// Upstream cases: TFT impl_test testCovarianceTwoDimensions and analyzers_test
// CovarianceWithDegenerateCovarianceMatrix / WithLargeNumbers.
func TestCovarianceUpstream(t *testing.T) {
	assertMatrix(t, "two dims", covOf(t, [][]float64{{0, 0}, {4, 0}, {2, -2}, {2, 2}}).Result(),
		[][]float64{{2, 0}, {0, 2}}, 1e-12)
	assertMatrix(t, "degenerate", covOf(t, [][]float64{{0, 0, 1}, {4, 0, 1}, {2, -1, 1}, {2, 1, 1}}).Result(),
		[][]float64{{2, 0, 0}, {0, 0.5, 0}, {0, 0, 0}}, 1e-12)
	assertMatrix(t, "large", covOf(t, [][]float64{{2e15, 0}, {1e15, 0}, {-2e15, 0}, {-1e15, 0}}).Result(),
		[][]float64{{2.5e30, 0}, {0, 0}}, 1)
	empty, _ := NewCovariance(2)
	assertMatrix(t, "empty", empty.Result(), [][]float64{{0, 0}, {0, 0}}, 0)
	zero, _ := NewCovariance(0)
	if r := zero.Result(); len(r) != 0 {
		t.Errorf("0-dim covariance %v", r)
	}
	if err := empty.AddRow([]float64{1}); err == nil {
		t.Error("short row accepted")
	}
}

func TestPCAUpstream(t *testing.T) {
	c := covOf(t, [][]float64{{0, 0, 1}, {4, 0, 1}, {2, -1, 1}, {2, 1, 1}})
	assertMatrix(t, "three to two", c.PCA(2), [][]float64{{1, 0}, {0, 1}, {0, 0}}, 1e-12)
	assertMatrix(t, "all", c.PCA(0), [][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, 1e-12)
	empty, _ := NewCovariance(3)
	assertMatrix(t, "empty", empty.PCA(2), [][]float64{{1, 0}, {0, 1}, {0, 0}}, 0)
	// A constant dataset: eigh returns the identity with equal eigenvalues,
	// and the reversed argsort puts the last column first.
	k := covOf(t, [][]float64{{1, 2}, {1, 2}})
	assertMatrix(t, "ties", k.PCA(0), [][]float64{{0, 1}, {1, 0}}, 0)
	// A correlated pair: first component (1,1)/√2.
	p := covOf(t, [][]float64{{1, 1}, {-1, -1}, {2, 2}, {-2, -2}})
	s := 1 / math.Sqrt2
	assertMatrix(t, "correlated", p.PCA(1), [][]float64{{s}, {s}}, 1e-12)
}

func TestSymmetricEigen(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for trial := 0; trial < 50; trial++ {
		n := 1 + rng.IntN(8)
		a := make([][]float64, n)
		for i := range a {
			a[i] = make([]float64, n)
		}
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				a[i][j] = rng.NormFloat64()
				a[j][i] = a[i][j]
			}
		}
		vals, vecs := SymmetricEigen(a)
		// A·v = λ·v and V orthonormal.
		for k := 0; k < n; k++ {
			for i := 0; i < n; i++ {
				av := 0.0
				for j := 0; j < n; j++ {
					av += a[i][j] * vecs[j][k]
				}
				assertClose(t, "A·v", av, vals[k]*vecs[i][k], 1e-10, 0)
			}
			for l := 0; l < n; l++ {
				dot := 0.0
				for i := 0; i < n; i++ {
					dot += vecs[i][k] * vecs[i][l]
				}
				want := 0.0
				if k == l {
					want = 1
				}
				assertClose(t, "VᵀV", dot, want, 1e-10, 0)
			}
		}
	}
}

func TestCovarianceMergeOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	const n, dim = 4000, 3
	rows := make([][]float64, n)
	for i := range rows {
		z := rng.NormFloat64()
		rows[i] = []float64{1e4 + z, 2*z + rng.NormFloat64(), rng.NormFloat64() * 5}
	}
	whole := covOf(t, rows)
	want := whole.Result()
	for trial := 0; trial < 4; trial++ {
		parts := splitRandomly(rng, n, 2+rng.IntN(9))
		accs := make([]*Covariance, len(parts))
		for p, idx := range parts {
			accs[p], _ = NewCovariance(dim)
			for _, i := range idx {
				_ = accs[p].AddRow(rows[i])
			}
		}
		for _, order := range mergeOrders(rng, len(accs)) {
			m, _ := NewCovariance(dim)
			for _, k := range order {
				if err := m.Merge(accs[k]); err != nil {
					t.Fatal(err)
				}
			}
			assertMatrix(t, "merged", m.Result(), want, 1e-9)
			assertMatrix(t, "merged pca", m.PCA(2), whole.PCA(2), 1e-9)
		}
	}
}

func TestCountPerKeyAndHistogram(t *testing.T) {
	c, d := NewCountPerKey(), NewCountPerKey()
	for _, k := range []int64{2, 10, -1, 2} {
		c.AddInt(k)
	}
	d.AddInt(10)
	c.Merge(d)
	keys, counts := c.Result()
	if !reflect.DeepEqual(keys, []string{"-1", "10", "2"}) || !reflect.DeepEqual(counts, []int64{1, 2, 2}) {
		t.Errorf("count_per_key: %v %v", keys, counts)
	}
	// TFT impl_test testHistograms _uniform: 10..99 over 0, 10, …, 100.
	b := make([]float64, 11)
	for i := range b {
		b[i] = float64(10 * i)
	}
	h, _ := NewHistogram(b)
	g, _ := NewHistogram(b)
	for x := 10; x < 100; x++ {
		if x%2 == 0 {
			h.Add(float64(x))
		} else {
			g.Add(float64(x))
		}
	}
	if err := h.Merge(g); err != nil {
		t.Fatal(err)
	}
	if want := []int64{0, 10, 10, 10, 10, 10, 10, 10, 10, 10}; !reflect.DeepEqual(h.Counts, want) {
		t.Errorf("histogram %v", h.Counts)
	}
	if math.Round(h.Shifted[3]) != 30 || h.Shifted[3] >= 30 {
		t.Errorf("shifted boundary %v", h.Shifted[3])
	}
	if got := HistogramDefaultBoundaries(); len(got) != 11 || got[10] != 1 {
		t.Errorf("default boundaries %v", got)
	}
	if got := HistogramLinspace(0, 1, 5); !reflect.DeepEqual(got, []float64{0, 0.25, 0.5, 0.75, 1}) {
		t.Errorf("linspace %v", got)
	}
}
