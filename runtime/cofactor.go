package runtime

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// Cofactor is a reusable workspace for computing cofactor matrices. The zero
// value is ready to use; CofactorTo allocates only when the order n exceeds
// every previous one.
type Cofactor struct {
	n     int
	a     []float64 // Copy of the input, destroyed by Gesvd; then scratch.
	u, vt []float64 // Singular vectors, n×n with stride n.
	s     []float64 // Singular values σ.
	p     []float64 // Products ∏_{j≠i} σ_j.
	work  []float64 // Gesvd workspace of the optimal length.
	ipiv  []int     // Pivots for the determinant signs of U and Vᵀ.
}

// CofactorTo sets the n×n matrix dst to the cofactor matrix of the square
// matrix a, C = adj(a)ᵀ, with C[i][j] = (-1)^(i+j)·det(a without row i and
// column j). C is the gradient ∂det(a)/∂a: it equals det(a)·a⁻ᵀ when a is
// nonsingular and stays finite when a is singular (it is nonzero if a has
// rank n−1 and zero if the rank is lower). The cofactor matrix of a 1×1
// matrix is [1].
//
// C is computed from the singular value decomposition a = U·diag(σ)·Vᵀ as
// C = det(U)·det(V)·U·diag(∏_{j≠i} σ_j)·Vᵀ, which is continuous in a. Its
// entries may overflow to ±Inf when products of n−1 singular values exceed
// the range of float64. If a has a NaN or infinite entry, or the SVD fails
// to converge, every entry of dst is NaN.
//
// dst may be a itself. CofactorTo panics with a *ShapeError if a is not
// square or dst is not the shape of a.
func (w *Cofactor) CofactorTo(dst blas64.General, a blas64.General) {
	CheckSquare("runtime.Cofactor.CofactorTo", "a", a.Rows, a.Cols)
	checkSameShape("runtime.Cofactor.CofactorTo", "dst", dst, a)
	n := a.Rows
	if n == 0 {
		return
	}
	if !allFinite(a) {
		fillNaN(dst)
		return
	}
	w.reset(n)
	m := w.mat(w.a)
	copyGeneral(m, a)
	u, vt := w.mat(w.u), w.mat(w.vt)
	if !lapack64.Gesvd(lapack.SVDAll, lapack.SVDAll, m, u, vt, w.s, w.work, len(w.work)) {
		fillNaN(dst)
		return
	}
	sign := w.orthoDetSign(u) * w.orthoDetSign(vt)

	// p[i] = ∏_{j≠i} σ_j as prefix times suffix products, without division
	// so that zero singular values are handled exactly.
	prod := 1.0
	for i, s := range w.s {
		w.p[i] = prod
		prod *= s
	}
	prod = 1
	for i := n - 1; i >= 0; i-- {
		w.p[i] *= prod
		prod *= w.s[i]
	}
	// dst = sign · (U·diag(p)) · Vᵀ.
	for i := 0; i < n; i++ {
		row := w.u[i*n : i*n+n]
		for j := range row {
			row[j] *= w.p[j]
		}
	}
	// The product is tiled so that each Gemm call is small enough for
	// gonum's serial kernel: its parallel kernel allocates, and the product
	// costs little next to the SVD.
	for i := 0; i < n; i += tile {
		r := min(tile, n-i)
		for j := 0; j < n; j += tile {
			c := min(tile, n-j)
			blas64.Gemm(blas.NoTrans, blas.NoTrans, sign,
				blas64.General{Rows: r, Cols: n, Stride: n, Data: w.u[i*n:]},
				blas64.General{Rows: n, Cols: c, Stride: n, Data: w.vt[j:]},
				0,
				blas64.General{Rows: r, Cols: c, Stride: dst.Stride, Data: dst.Data[i*dst.Stride+j:]})
		}
	}
}

// tile is the largest block of a matrix product that gonum's Dgemm computes
// serially.
const tile = 64

// reset sizes the workspace for order n, querying the Gesvd workspace length
// when n changes.
func (w *Cofactor) reset(n int) {
	if n == w.n && w.a != nil {
		return
	}
	w.n = n
	w.a = resize(w.a, n*n)
	w.u = resize(w.u, n*n)
	w.vt = resize(w.vt, n*n)
	w.s = resize(w.s, n)
	w.p = resize(w.p, n)
	w.ipiv = resizeInt(w.ipiv, n)
	var q [1]float64
	lapack64.Gesvd(lapack.SVDAll, lapack.SVDAll, w.mat(w.a), w.mat(w.u), w.mat(w.vt), w.s, q[:], -1)
	w.work = resize(w.work, int(q[0]))
}

// mat returns data as an n×n general matrix with stride n.
func (w *Cofactor) mat(data []float64) blas64.General {
	return blas64.General{Rows: w.n, Cols: w.n, Stride: w.n, Data: data}
}

// orthoDetSign returns det(q) = ±1 of the orthogonal n×n matrix q, computed
// from an LU factorization in the scratch storage w.a. It returns NaN if a
// pivot is exactly zero, which cannot happen for an orthogonal q.
func (w *Cofactor) orthoDetSign(q blas64.General) float64 {
	m := w.mat(w.a)
	copyGeneral(m, q)
	lapack64.Getrf(m, w.ipiv)
	sign := 1.0
	for i := 0; i < w.n; i++ {
		d := w.a[i*w.n+i]
		switch {
		case d == 0:
			return math.NaN()
		case d < 0:
			sign = -sign
		}
		if w.ipiv[i] != i {
			sign = -sign
		}
	}
	return sign
}
