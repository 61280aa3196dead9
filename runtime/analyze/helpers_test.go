package analyze

import (
	"math"
	"math/rand/v2"
	"testing"
)

// splitRandomly deals the indices 0..n-1 into k random, possibly empty,
// parts, each in a random order.
func splitRandomly(rng *rand.Rand, n, k int) [][]int {
	parts := make([][]int, k)
	for _, i := range rng.Perm(n) {
		p := rng.IntN(k)
		parts[p] = append(parts[p], i)
	}
	return parts
}

// mergeOrders returns several orders in which to merge k accumulators:
// left to right, right to left, and random permutations.
func mergeOrders(rng *rand.Rand, k int) [][]int {
	fwd := make([]int, k)
	rev := make([]int, k)
	for i := range fwd {
		fwd[i] = i
		rev[i] = k - 1 - i
	}
	return [][]int{fwd, rev, rng.Perm(k), rng.Perm(k)}
}

// treeMerge merges accs pairwise, in rounds, as a combine tree does.
func treeMerge[T any](accs []T, merge func(a, b T) T) T {
	for len(accs) > 1 {
		var next []T
		for i := 0; i+1 < len(accs); i += 2 {
			next = append(next, merge(accs[i], accs[i+1]))
		}
		if len(accs)%2 == 1 {
			next = append(next, accs[len(accs)-1])
		}
		accs = next
	}
	return accs[0]
}

func close(got, want, abs, rel float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= abs+rel*math.Abs(want)
}

func assertClose(t *testing.T, what string, got, want, abs, rel float64) {
	t.Helper()
	if !close(got, want, abs, rel) {
		t.Errorf("%s = %v, want %v (abs %g rel %g)", what, got, want, abs, rel)
	}
}

func assertFloats(t *testing.T, what string, got, want []float64, abs, rel float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values %v, want %d %v", what, len(got), got, len(want), want)
	}
	for i := range got {
		if !close(got[i], want[i], abs, rel) {
			t.Errorf("%s[%d] = %v, want %v (all: %v vs %v)", what, i, got[i], want[i], got, want)
			return
		}
	}
}
