package analyze

import (
	"fmt"
	"math"
	"sort"
)

// Covariance accumulates the biased covariance matrix of fixed-length
// vectors, TFT's CovarianceCombiner (analyzers.py; SEMANTICS 1.2):
// cov = E[x xᵀ] − μ μᵀ, divided by the count (not count−1), zeros for an
// empty dataset. TFT sums x xᵀ and x and subtracts at the end; this
// accumulator keeps the mean and the co-moment matrix Σ (x−μ)(x−μ)ᵀ instead
// (Welford's update per row, Chan et al.'s update per merge), which is the
// same quantity without the cancellation of large sums. Memory is O(dim²).
type Covariance struct {
	Dim   int
	Count int64
	Mean  []float64
	// CoMoment is the row-major dim×dim matrix Σ (x−μ)(x−μ)ᵀ.
	CoMoment []float64
}

// NewCovariance returns an empty accumulator for vectors of length dim.
func NewCovariance(dim int) (*Covariance, error) {
	if dim < 0 {
		return nil, fmt.Errorf("analyze: negative covariance dimension %d", dim)
	}
	return &Covariance{Dim: dim, Mean: make([]float64, dim), CoMoment: make([]float64, dim*dim)}, nil
}

// AddRow adds one vector.
func (c *Covariance) AddRow(x []float64) error {
	if len(x) != c.Dim {
		return fmt.Errorf("analyze: covariance row has %d values, want %d", len(x), c.Dim)
	}
	c.Count++
	n := float64(c.Count)
	delta := make([]float64, c.Dim)
	for i, v := range x {
		delta[i] = v - c.Mean[i]
		c.Mean[i] += delta[i] / n
	}
	for i := 0; i < c.Dim; i++ {
		for j := 0; j < c.Dim; j++ {
			c.CoMoment[i*c.Dim+j] += delta[i] * (x[j] - c.Mean[j])
		}
	}
	return nil
}

// Merge adds another accumulator of the same dimension.
func (c *Covariance) Merge(o *Covariance) error {
	if o.Dim != c.Dim {
		return fmt.Errorf("analyze: merging covariances of dimension %d and %d", o.Dim, c.Dim)
	}
	if o.Count == 0 {
		return nil
	}
	if c.Count == 0 {
		c.Count = o.Count
		copy(c.Mean, o.Mean)
		copy(c.CoMoment, o.CoMoment)
		return nil
	}
	na, nb := float64(c.Count), float64(o.Count)
	n := na + nb
	delta := make([]float64, c.Dim)
	for i := range delta {
		delta[i] = o.Mean[i] - c.Mean[i]
	}
	f := na * nb / n
	for i := 0; i < c.Dim; i++ {
		for j := 0; j < c.Dim; j++ {
			k := i*c.Dim + j
			c.CoMoment[k] += o.CoMoment[k] + delta[i]*delta[j]*f
		}
	}
	for i := range c.Mean {
		c.Mean[i] += delta[i] * nb / n
	}
	c.Count += o.Count
	return nil
}

// Result returns the biased covariance matrix (dim×dim), all zeros when no
// row was added.
func (c *Covariance) Result() [][]float64 {
	out := make([][]float64, c.Dim)
	for i := range out {
		out[i] = make([]float64, c.Dim)
		if c.Count == 0 {
			continue
		}
		for j := range out[i] {
			// Average the two triangles so that the matrix is exactly
			// symmetric whatever the rounding.
			out[i][j] = (c.CoMoment[i*c.Dim+j] + c.CoMoment[j*c.Dim+i]) / (2 * float64(c.Count))
		}
	}
	return out
}

// PCA returns TFT's PCA analyzer result (PCACombiner; SEMANTICS 1.2): the
// eigenvectors of the biased covariance matrix as columns of a
// dim×outputDim matrix, ordered by descending eigenvalue. outputDim <= 0
// means dim. An empty dataset gives numpy.eye(dim, outputDim).
//
// Ties and signs: TFT sorts numpy.linalg.eigh's ascending eigenvalues with a
// reversed argsort, so equal eigenvalues come out in reverse order of
// eigh's; here eigenpairs are sorted by ascending eigenvalue, ties by the
// diagonal position the Jacobi iteration started them from (which is eigh's
// order for a diagonal matrix), and reversed. The sign of an eigenvector is
// whatever LAPACK returns in TFT; here it is chosen so that the component
// of largest magnitude (the first such) is positive, which makes the unit
// vectors of a diagonal covariance +1 as TFT's tests expect.
func (c *Covariance) PCA(outputDim int) [][]float64 {
	n := c.Dim
	if outputDim <= 0 {
		outputDim = n
	}
	out := make([][]float64, n)
	for i := range out {
		out[i] = make([]float64, outputDim)
	}
	if c.Count == 0 {
		for i := 0; i < n && i < outputDim; i++ {
			out[i][i] = 1
		}
		return out
	}
	vals, vecs := SymmetricEigen(c.Result())
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return vals[order[a]] < vals[order[b]] })
	for col := 0; col < outputDim && col < n; col++ {
		k := order[n-1-col]
		for row := 0; row < n; row++ {
			out[row][col] = vecs[row][k]
		}
	}
	return out
}

// SymmetricEigen diagonalizes a symmetric matrix with cyclic Jacobi
// rotations: a = V·diag(values)·Vᵀ. It returns the eigenvalues in the order
// of the diagonal they converged on (not sorted) and V with the eigenvectors
// as columns, each normalized so that its component of largest magnitude is
// positive. It is meant for the small matrices of PCA (O(n³) per sweep).
func SymmetricEigen(a [][]float64) (values []float64, vectors [][]float64) {
	n := len(a)
	m := make([][]float64, n)
	v := make([][]float64, n)
	for i := range m {
		m[i] = append([]float64(nil), a[i]...)
		v[i] = make([]float64, n)
		v[i][i] = 1
	}
	norm2 := 0.0
	for i := range m {
		for j := range m[i] {
			norm2 += m[i][j] * m[i][j]
		}
	}
	for sweep := 0; sweep < 100; sweep++ {
		off := 0.0
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				off += m[i][j] * m[i][j]
			}
		}
		// Stop once the off-diagonal mass is negligible (relative 1e-34,
		// i.e. entries below about 1e-17 of the matrix norm) or not a number.
		if off <= 1e-34*norm2 || math.IsNaN(off) {
			break
		}
		for p := 0; p < n; p++ {
			for q := p + 1; q < n; q++ {
				if m[p][q] == 0 {
					continue
				}
				// Rotation angle that zeroes m[p][q] (the smaller root of
				// t² + 2θt − 1 = 0 for stability).
				theta := (m[q][q] - m[p][p]) / (2 * m[p][q])
				t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				if theta < 0 {
					t = -t
				}
				cs := 1 / math.Sqrt(t*t+1)
				sn := t * cs
				for k := 0; k < n; k++ {
					mkp, mkq := m[k][p], m[k][q]
					m[k][p] = cs*mkp - sn*mkq
					m[k][q] = sn*mkp + cs*mkq
				}
				for k := 0; k < n; k++ {
					mpk, mqk := m[p][k], m[q][k]
					m[p][k] = cs*mpk - sn*mqk
					m[q][k] = sn*mpk + cs*mqk
				}
				m[p][q], m[q][p] = 0, 0
				for k := 0; k < n; k++ {
					vkp, vkq := v[k][p], v[k][q]
					v[k][p] = cs*vkp - sn*vkq
					v[k][q] = sn*vkp + cs*vkq
				}
			}
		}
	}
	values = make([]float64, n)
	for i := range values {
		values[i] = m[i][i]
	}
	for col := 0; col < n; col++ {
		best := 0
		for row := 1; row < n; row++ {
			if math.Abs(v[row][col]) > math.Abs(v[best][col]) {
				best = row
			}
		}
		if v[best][col] < 0 {
			for row := 0; row < n; row++ {
				v[row][col] = -v[row][col]
			}
		}
	}
	return values, v
}
