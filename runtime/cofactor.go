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
	n      int
	a      []float64 // Copy of the input, destroyed by Gesvd; then scratch.
	b      []float64 // DerivativeTo's second scratch matrix.
	after  []float64 // DerivativeTo's suffix products ∏_{j>k} σ_j, mantissas,
	afterE []int     // and their exponents (scaledProduct).
	pe     []int     // The exponents of CofactorTo's prefix products.
	u, vt  []float64 // Singular vectors, n×n with stride n.
	s      []float64 // Singular values σ.
	p      []float64 // Products ∏_{j≠i} σ_j.
	work   []float64 // Gesvd workspace of the optimal length for order workN,
	workN  int       // the largest order queried so far.
	ipiv   []int     // Pivots for the determinant signs of U and Vᵀ.
	lu     LU        // The factors where a is well conditioned.
	cwork  []float64 // Lange's and Gecon's workspace.
	iwork  []int     // Gecon's integer workspace.
}

// minRcond is the least reciprocal condition number of a (LAPACK's 1-norm
// estimate from its LU factors) at which CofactorTo and DerivativeTo take
// det(a)·a⁻ᵀ and its textbook derivative from the LU factors, accurate
// there to about ε/minRcond relative: an LU factorization and an inverse
// cost a fraction of the SVD (BenchmarkCofactor, path=lu against
// path=svd, CofactorTo, with other work on the machine: n = 8 5.8 against
// 35 µs, n = 64 0.30 against 6.0 ms; an LU inverse against the SVD
// cofactor, idle, n = 256: 14 against 780 ms). Below it, and at a zero
// pivot, they take the SVD, which stays finite and continuous where a is
// singular. A variable so that the tests can force either path.
var minRcond = 1e-6

// conditioned factorizes a by LU into w.lu and returns det(a), reporting
// whether the LU path applies: a is larger than 1×1 (a 1×1 a takes the SVD
// path, whose cofactor is exactly [1] and derivative exactly [0]), the
// factors are usable, a's reciprocal condition number is at least
// minRcond, and det(a) is a normal float64. A determinant that overflows,
// underflows or is subnormal while the cofactor matrix need not be
// (1e103·I₃: det 1e309, cofactor 1e206·I) takes the SVD, whose products of
// n−1 singular values do not form it.
func (w *Cofactor) conditioned(a blas64.General) (det float64, ok bool) {
	if a.Rows < 2 || !w.lu.Factorize(a) {
		return 0, false
	}
	n := a.Rows
	w.cwork = resize(w.cwork, 4*n)
	w.iwork = resizeInt(w.iwork, n)
	anorm := lapack64.Lange(lapack.MaxColumnSum, a, w.cwork)
	if lapack64.Gecon(lapack.MaxColumnSum, w.lu.mat(), anorm, w.cwork, w.iwork) < minRcond {
		return 0, false
	}
	det = w.lu.Det()
	abs := math.Abs(det)
	return det, abs >= 0x1p-1022 && abs <= math.MaxFloat64
}

// CofactorTo sets the n×n matrix dst to the cofactor matrix of the square
// matrix a, C = adj(a)ᵀ, with C[i][j] = (-1)^(i+j)·det(a without row i and
// column j). C is the gradient ∂det(a)/∂a: it equals det(a)·a⁻ᵀ when a is
// nonsingular and stays finite when a is singular (it is nonzero if a has
// rank n−1 and zero if the rank is lower). The cofactor matrix of a 1×1
// matrix is [1].
//
// Where a is well conditioned (minRcond) C is det(a)·a⁻ᵀ from an LU
// factorization. Elsewhere it is computed from the singular value
// decomposition a = U·diag(σ)·Vᵀ as C = det(U)·det(V)·U·diag(∏_{j≠i} σ_j)·Vᵀ,
// which is continuous in a. Its
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
	if det, ok := w.conditioned(a); ok {
		// det(a)·a⁻ᵀ, from the LU factors.
		w.reset(n)
		inv := w.mat(w.a)
		w.lu.InverseTo(inv)
		for i := 0; i < n; i++ {
			row := dst.Data[i*dst.Stride : i*dst.Stride+n]
			for j := range row {
				row[j] = det * w.a[j*n+i]
			}
		}
		return
	}
	sign, ok := w.decompose(a)
	if !ok {
		fillNaN(dst)
		return
	}
	// p[i] = ∏_{j≠i} σ_j as prefix times suffix products, without division
	// so that zero singular values are handled exactly, the partial products
	// kept as mantissas and exponents (scaledProduct) so that none
	// overflows or underflows where p[i] does not: diag(1e200, 1e200,
	// 1e−200, 1e−200) has p = (1e−200, 1e−200, 1e200, 1e200), though the
	// prefix σ₀σ₁ = 1e400 overflows (its gradient of det was all NaN).
	w.pe = resizeInt(w.pe, n)
	pre := scaledProduct{m: 1}
	for i, s := range w.s {
		w.p[i], w.pe[i] = pre.m, pre.e
		pre.times(s)
	}
	suf := scaledProduct{m: 1}
	for i := n - 1; i >= 0; i-- {
		w.p[i] = math.Ldexp(w.p[i]*suf.m, w.pe[i]+suf.e)
		suf.times(w.s[i])
	}
	// dst = sign · (U·diag(p)) · Vᵀ.
	for i := 0; i < n; i++ {
		row := w.u[i*n : i*n+n]
		for j := range row {
			row[j] *= w.p[j]
		}
	}
	tiledGemm(blas.NoTrans, blas.NoTrans, sign, w.mat(w.u), w.mat(w.vt), dst)
}

// DerivativeTo sets the n×n matrix dst to the derivative of the cofactor
// matrix at a in the direction h,
//
//	d cof(a)[h] = lim_{t→0} (cof(a + t·h) − cof(a))/t,
//
// the tangent of ∂det(a)/∂a: tr(a⁻¹h)·det(a)·a⁻ᵀ − det(a)·a⁻ᵀ·hᵀ·a⁻ᵀ where
// a is nonsingular, and finite and continuous where it is singular, where
// that formula is not defined (it is nonzero at rank n−1 and n−2).
//
// Where a is well conditioned (minRcond) that formula is computed from an
// LU factorization. Elsewhere, with the SVD a = U·Σ·Vᵀ,
// a + t·h = U·(Σ + t·h̃)·Vᵀ for h̃ = Uᵀ·h·V, so
// cof(a + t·h) = det(U)·det(V)·U·cof(Σ + t·h̃)·Vᵀ exactly, and the
// derivative of the cofactor matrix of the diagonal Σ is, with
// q_ik = ∏_{j≠i,k} σ_j (products of singular values, no division),
//
//	d cof(Σ)[h̃]_ii = Σ_{k≠i} h̃_kk·q_ik,   d cof(Σ)[h̃]_ij = −h̃_ji·q_ij (i ≠ j).
//
// If a has a NaN or infinite entry, or the SVD fails to converge, every
// entry of dst is NaN; a NaN or infinite entry of h spreads as through the
// products.
//
// dst may be a or h. DerivativeTo panics with a *ShapeError if a is not
// square or dst or h is not the shape of a.
func (w *Cofactor) DerivativeTo(dst, a, h blas64.General) {
	CheckSquare("runtime.Cofactor.DerivativeTo", "a", a.Rows, a.Cols)
	checkSameShape("runtime.Cofactor.DerivativeTo", "h", h, a)
	checkSameShape("runtime.Cofactor.DerivativeTo", "dst", dst, a)
	n := a.Rows
	if n == 0 {
		return
	}
	if det, ok := w.conditioned(a); ok {
		// det(a)·(tr(a⁻¹h)·a⁻ᵀ − (a⁻¹·h·a⁻¹)ᵀ), from the LU factors.
		w.reset(n)
		w.b = resize(w.b, n*n)
		inv, p, q := w.mat(w.a), w.mat(w.b), w.mat(w.u)
		w.lu.InverseTo(inv)
		tiledGemm(blas.NoTrans, blas.NoTrans, 1, inv, h, p)
		tr := 0.0
		for i := 0; i < n; i++ {
			tr += w.b[i*n+i]
		}
		tiledGemm(blas.NoTrans, blas.NoTrans, 1, p, inv, q)
		for i := 0; i < n; i++ {
			row := dst.Data[i*dst.Stride : i*dst.Stride+n]
			for j := range row {
				row[j] = det * (tr*w.a[j*n+i] - w.u[j*n+i])
			}
		}
		return
	}
	sign, ok := w.decompose(a)
	if !ok {
		fillNaN(dst)
		return
	}
	w.b = resize(w.b, n*n)
	ut := w.mat(w.a) // scratch once decompose returns
	tilde := w.mat(w.b)
	// h̃ = Uᵀ·h·V, by way of Uᵀ·h in ut.
	tiledGemm(blas.Trans, blas.NoTrans, 1, w.mat(w.u), h, ut)
	tiledGemm(blas.NoTrans, blas.Trans, 1, ut, w.mat(w.vt), tilde)
	// m = d cof(Σ)[h̃] into ut: the diagonal from h̃'s diagonal (kept in
	// w.p), the off-diagonal entries from h̃'s transposed ones.
	for i := 0; i < n; i++ {
		w.p[i] = w.b[i*n+i]
	}
	m := ut.Data
	for i := 0; i < n; i++ {
		m[i*n+i] = 0
	}
	// q_ik for i < k, as (σ_0…σ_{i−1})·(σ_{i+1}…σ_{k−1})·(σ_{k+1}…σ_{n−1}):
	// the prefix before i times a running product between i and k times
	// the suffix after k, without division.
	// The three products are kept as mantissas and exponents
	// (scaledProduct), as CofactorTo's are, so that none overflows or
	// underflows where q_ik does not.
	w.after = resize(w.after, n)
	w.afterE = resizeInt(w.afterE, n)
	after := scaledProduct{m: 1}
	for k := n - 1; k >= 0; k-- {
		w.after[k], w.afterE[k] = after.m, after.e
		after.times(w.s[k])
	}
	before := scaledProduct{m: 1}
	for i := 0; i < n; i++ {
		between := scaledProduct{m: 1}
		for k := i + 1; k < n; k++ {
			q := math.Ldexp(before.m*between.m*w.after[k], before.e+between.e+w.afterE[k])
			m[i*n+k] = -times(w.b[k*n+i], q)
			m[k*n+i] = -times(w.b[i*n+k], q)
			m[i*n+i] += times(w.p[k], q)
			m[k*n+k] += times(w.p[i], q)
			between.times(w.s[k])
		}
		before.times(w.s[i])
	}
	// dst = sign · U · m · Vᵀ, by way of U·m in w.b.
	um := w.mat(w.b)
	tiledGemm(blas.NoTrans, blas.NoTrans, 1, w.mat(w.u), ut, um)
	tiledGemm(blas.NoTrans, blas.NoTrans, sign, um, w.mat(w.vt), dst)
}

// times returns x·q, and 0 for x = 0 even where q overflowed to ±Inf: a
// zero entry of h̃ contributes nothing to d cof(Σ)[h̃], however large the
// product of singular values it multiplies.
func times(x, q float64) float64 {
	if x == 0 {
		return 0
	}
	return x * q
}

// decompose computes the SVD of the square a into w.u, w.s and w.vt and
// returns det(U)·det(V); false if a has a NaN or infinite entry or the SVD
// does not converge.
func (w *Cofactor) decompose(a blas64.General) (sign float64, ok bool) {
	if !allFinite(a) {
		return 0, false
	}
	w.reset(a.Rows)
	m := w.mat(w.a)
	copyGeneral(m, a)
	u, vt := w.mat(w.u), w.mat(w.vt)
	if !lapack64.Gesvd(lapack.SVDAll, lapack.SVDAll, m, u, vt, w.s, w.work, len(w.work)) {
		return 0, false
	}
	return w.orthoDetSign(u) * w.orthoDetSign(vt), true
}

// tiledGemm sets the m×n c to alpha·op(a)·op(b) in tiles of at most
// tile×tile entries of c, each small enough for gonum's serial kernel: its
// parallel kernel allocates, and these products cost little next to the
// SVD.
func tiledGemm(tA, tB blas.Transpose, alpha float64, a, b, c blas64.General) {
	for i := 0; i < c.Rows; i += tile {
		r := min(tile, c.Rows-i)
		ai := blas64.General{Rows: r, Cols: a.Cols, Stride: a.Stride, Data: a.Data[i*a.Stride:]}
		if tA != blas.NoTrans {
			ai = blas64.General{Rows: a.Rows, Cols: r, Stride: a.Stride, Data: a.Data[i:]}
		}
		for j := 0; j < c.Cols; j += tile {
			cols := min(tile, c.Cols-j)
			bj := blas64.General{Rows: b.Rows, Cols: cols, Stride: b.Stride, Data: b.Data[j:]}
			if tB != blas.NoTrans {
				bj = blas64.General{Rows: cols, Cols: b.Cols, Stride: b.Stride, Data: b.Data[j*b.Stride:]}
			}
			blas64.Gemm(tA, tB, alpha, ai, bj, 0, blas64.General{Rows: r, Cols: cols, Stride: c.Stride, Data: c.Data[i*c.Stride+j:]})
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
	if n > w.workN {
		// gonum's workspace query allocates; the workspace for the largest
		// order so far serves every smaller one (LAPACK takes any lwork
		// at least the optimal).
		var q [1]float64
		lapack64.Gesvd(lapack.SVDAll, lapack.SVDAll, w.mat(w.a), w.mat(w.u), w.mat(w.vt), w.s, q[:], -1)
		w.work = resize(w.work, int(q[0]))
		w.workN = n
	}
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
