package runtime

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// Cholesky is a Cholesky factorization A = UᵀU of a symmetric positive
// definite matrix that keeps its storage between factorizations. The zero
// value is ready to use; Factorize allocates only when the order n exceeds
// every previous one.
//
// When A is not positive definite (including singular positive
// semidefinite and indefinite matrices, and matrices with a NaN or infinite
// entry in the stored triangle) no factor exists and all methods return NaN: LogDet and Det return NaN, and InverseTo, SolveTo and
// SolveVecTo fill their destinations with NaN. Use LU for matrices that are
// not known to be positive definite.
//
// Methods other than Factorize panic if called before the first Factorize.
type Cholesky struct {
	n      int
	t      []float64 // Upper triangular factor U, n×n with stride n.
	status status
	y, s   []float64 // SandwichTo's workspace
	gemm   Gemm      // YᵀY under gonum's pure-Go BLAS (gram)
}

// Factorize computes the Cholesky factorization of the symmetric matrix a,
// read from the triangle selected by a.Uplo, which is copied and left
// unchanged. It reports whether a is positive definite (and finite).
//
// Factorize panics if a.Uplo is neither blas.Upper nor blas.Lower.
func (c *Cholesky) Factorize(a blas64.Symmetric) bool {
	upper := isUpper("runtime.Cholesky.Factorize", a.Uplo)
	n := a.N
	c.n = n
	c.t = resize(c.t, n*n)
	for i := 0; i < n; i++ {
		row := c.t[i*n+i : i*n+n]
		if upper {
			copy(row, a.Data[i*a.Stride+i:i*a.Stride+n])
		} else {
			for k := range row {
				row[k] = a.Data[(i+k)*a.Stride+i]
			}
		}
	}
	c.status = factorized
	if n > 0 {
		if !c.potrf() {
			c.status = singular
		} else if !finiteDiagonal(c.t, n) {
			c.status = nonFinite
		}
	}
	return c.status == factorized
}

// potrf factorizes c.t (n×n, stride n) in place, its upper triangle A
// becoming U with A = UᵀU, and reports whether A is positive definite, as
// lapack64.Potrf does. Where vectorGonum holds, from blockedMin on, it runs
// gonum's blocked algorithm (LAPACK's dpotrf, upper) itself, by block rows
// of factorBlock: block row j's diagonal block gets Syrk and Dpotf2 (Potrf
// of a block), the rest of the row Gemm and Trsm, the same operations in
// the same order as gonum's Dpotrf, but its Gemm, n³/3 of the n³/3 +
// O(n²·block) flops, on the vector kernels (both cores; gonumGemm). So
// finiteDiagonal's argument holds as for gonum's: every stored entry still
// reaches a pivot through the same relations.
func (c *Cholesky) potrf() bool {
	n, t := c.n, c.t
	if !vectorGonum() || n < blockedMin {
		_, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: t})
		return ok
	}
	for j := 0; j < n; j += factorBlock {
		jb := min(factorBlock, n-j)
		above := blas64.General{Rows: j, Cols: jb, Stride: n, Data: t[j:]} // rows 0…j−1 of block column j
		diag := blas64.Symmetric{Uplo: blas.Upper, N: jb, Stride: n, Data: t[j*n+j:]}
		if j > 0 {
			blas64.Syrk(blas.Trans, -1, above, 1, diag)
		}
		if _, ok := lapack64.Potrf(diag); !ok {
			return false
		}
		if j+jb == n {
			break
		}
		right := blas64.General{Rows: jb, Cols: n - j - jb, Stride: n, Data: t[j*n+j+jb:]}
		if j > 0 {
			gonumGemm(true, -1, above, blas64.General{Rows: j, Cols: n - j - jb, Stride: n, Data: t[j+jb:]}, 1, right)
		}
		blas64.Trsm(blas.Left, blas.Trans, 1, blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: jb, Stride: n, Data: t[j*n+j:]}, right)
	}
	return true
}

// factorBlock is the block size of the blocked factorization (potrf;
// gonum's for Dpotrf) and factor product (factorTimes), and blockedMin the
// least order they run blocked from.
const (
	factorBlock = 64
	blockedMin  = 2 * factorBlock
)

// vectorGonum reports whether blas64 is gonum's pure-Go implementation and
// the vector kernels run: then the runtime's own blocked routines put the
// products gonum's would run on one core on both (gram, factorTimes,
// potrf).
func vectorGonum() bool { return vectorMul != nil && pureGo(blas64.Implementation()) }

// finiteDiagonal reports whether the factor U (n×n, stride n) that Potrf
// accepted has a finite diagonal: then the triangle it was computed from
// was finite. Every stored entry of A reaches a pivot Aⱼⱼ − Σₖ Uₖⱼ², which
// Potrf refuses when ≤ 0 (gonum's also when NaN): Aᵢⱼ (i < j) through
// Uᵢⱼ = (Aᵢⱼ − Σₖ UₖᵢUₖⱼ)/Uᵢᵢ, which is ±Inf or NaN when Aᵢⱼ is and Uᵢᵢ is
// finite (an infinite Uᵢᵢ is on the diagonal itself; gonum's Dpotf2 then
// scales the row by 1/Uᵢᵢ = 0, which its Dscal writes as zeros), and Uᵢⱼ²
// in pivot j is then +Inf or NaN, so that pivot is −Inf or NaN; Aⱼⱼ itself
// is in pivot j. A pivot that passes is +Inf or NaN only then, and so is
// Uⱼⱼ, its square root. (Finite input never gives a non-finite pivot: a
// pivot is at most Aⱼⱼ.) One look per row instead of a multiply-add per
// entry before the factorization (4 % of B6GaussNLL's FGrad at n = 16,
// pprof).
func finiteDiagonal(t []float64, n int) bool {
	for i := 0; i < n; i++ {
		if d := t[i*n+i]; d-d != 0 { // ±Inf − ±Inf and NaN − NaN are NaN
			return false
		}
	}
	return true
}

// factor returns the factor U as a triangular matrix.
func (c *Cholesky) factor() blas64.Triangular {
	return blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: c.n, Stride: c.n, Data: c.t}
}

// check panics if c has not been factorized.
func (c *Cholesky) check(fn string) {
	if c.status == unfactorized {
		panic("runtime.Cholesky." + fn + ": called before Factorize")
	}
}

// LogDet returns log det(A) of the factorized matrix A: NaN when A is not
// positive definite, 0 for the 0×0 matrix.
func (c *Cholesky) LogDet() float64 {
	c.check("LogDet")
	if c.status != factorized {
		return math.NaN()
	}
	var s float64
	for i := 0; i < c.n; i++ {
		s += logOf(c.t[i*c.n+i])
	}
	return 2 * s
}

// Det returns det(A), the product of the squares of the factor's diagonal
// (scaledProduct, exact to 2n roundings), of the factorized matrix A: NaN
// when A is not positive definite. It overflows to +Inf or underflows to 0 when
// det(A) is outside the range of float64; use LogDet then.
func (c *Cholesky) Det() float64 {
	c.check("Det")
	if c.status != factorized {
		return math.NaN()
	}
	p := scaledProduct{m: 1}
	for i := 0; i < c.n; i++ {
		p.times(c.t[i*c.n+i])
		p.times(c.t[i*c.n+i])
	}
	return p.value()
}

// InverseTo sets the n×n general matrix dst to the full symmetric A⁻¹, both
// triangles filled. Every entry of dst is NaN when A is not positive
// definite.
//
// InverseTo panics with a *ShapeError if dst is not n×n.
func (c *Cholesky) InverseTo(dst blas64.General) {
	c.check("InverseTo")
	CheckMatrix("runtime.Cholesky.InverseTo", "dst", dst.Rows, dst.Cols, c.n, c.n, "n", "n")
	if c.status != factorized {
		fillNaN(dst)
		return
	}
	n := c.n
	if n == 0 {
		return
	}
	for i := 0; i < n; i++ {
		copy(dst.Data[i*dst.Stride+i:i*dst.Stride+n], c.t[i*n+i:i*n+n])
	}
	t := blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: n, Stride: dst.Stride, Data: dst.Data}
	if _, ok := lapack64.Potri(t); !ok {
		fillNaN(dst)
		return
	}
	mirrorUpper(dst)
}

// SolveTo sets the n×k matrix dst to A⁻¹·b. dst may be b itself but must
// not otherwise overlap it. Every entry of dst is NaN when A is not positive
// definite.
//
// SolveTo panics with a *ShapeError if b is not n×k or dst is not the shape
// of b.
func (c *Cholesky) SolveTo(dst blas64.General, b blas64.General) {
	c.check("SolveTo")
	CheckMatrix("runtime.Cholesky.SolveTo", "b", b.Rows, b.Cols, c.n, b.Cols, "n", "k")
	checkSameShape("runtime.Cholesky.SolveTo", "dst", dst, b)
	if c.status != factorized {
		fillNaN(dst)
		return
	}
	if c.n == 0 || b.Cols == 0 {
		return
	}
	copyGeneral(dst, b)
	lapack64.Potrs(c.factor(), dst)
}

// SolveVecTo sets the n-vector dst to A⁻¹·b. dst may be b itself but must
// not otherwise overlap it. Every element of dst is NaN when A is not
// positive definite.
//
// SolveVecTo panics with a *ShapeError if b or dst does not have length n,
// and panics if an increment is not positive.
func (c *Cholesky) SolveVecTo(dst blas64.Vector, b blas64.Vector) {
	c.check("SolveVecTo")
	CheckVector("runtime.Cholesky.SolveVecTo", "b", b.N, c.n, "n")
	CheckVector("runtime.Cholesky.SolveVecTo", "dst", dst.N, c.n, "n")
	d := vecAsGeneral("runtime.Cholesky.SolveVecTo", dst)
	copyGeneral(d, vecAsGeneral("runtime.Cholesky.SolveVecTo", b))
	if c.status != factorized {
		fillNaN(d)
		return
	}
	if c.n == 0 {
		return
	}
	lapack64.Potrs(c.factor(), d)
}

// SandwichTo sets dst = alpha·rᵀ·A·r + beta·dst for the factorized A = UᵀU,
// where r is n×q and dst q×q. With Y = U r, rᵀ A r = Yᵀ Y: one triangular
// multiply and one Gram product YᵀY (gram) instead of two general
// products. dst comes out exactly symmetric. dst may not share memory with
// r. When A is not positive definite, dst is filled with NaN.
//
// SandwichTo panics with a *ShapeError if r is not n×q or dst not q×q.
func (c *Cholesky) SandwichTo(dst blas64.General, alpha float64, r blas64.General, beta float64) {
	c.check("SandwichTo")
	CheckMatrix("runtime.Cholesky.SandwichTo", "r", r.Rows, r.Cols, c.n, r.Cols, "n", "q")
	q := r.Cols
	CheckMatrix("runtime.Cholesky.SandwichTo", "dst", dst.Rows, dst.Cols, q, q, "q", "q")
	if c.status != factorized {
		fillNaN(dst)
		return
	}
	addUpper(dst.Data, dst.Stride, alpha, c.gram(c.factorTimes(r)), beta, wholeRows)
}

// SandwichSymTo sets the stored triangle of the q×q symmetric dst to
// alpha·rᵀ·A·r + beta·dst for the factorized A = UᵀU, r n×q, as SandwichTo
// does (the same bits), the triangle not stored left alone. beta = 0 does
// not read dst. When A is not positive definite, dst's triangle is filled
// with NaN.
//
// SandwichSymTo panics with a *ShapeError if r is not n×q or dst not q×q.
func (c *Cholesky) SandwichSymTo(dst blas64.Symmetric, alpha float64, r blas64.General, beta float64) {
	c.check("SandwichSymTo")
	CheckMatrix("runtime.Cholesky.SandwichSymTo", "r", r.Rows, r.Cols, c.n, r.Cols, "n", "q")
	q := r.Cols
	CheckSymmetric("runtime.Cholesky.SandwichSymTo", "dst", dst.N, q, "q")
	upper := isUpper("runtime.Cholesky.SandwichSymTo", dst.Uplo)
	if c.status != factorized {
		fillTriangleNaN(dst, upper)
		return
	}
	part := lowerRows
	if upper {
		part = upperRows
	}
	addUpper(dst.Data, dst.Stride, alpha, c.gram(c.factorTimes(r)), beta, part)
}

// The parts of a q×q destination addUpper writes.
const (
	wholeRows = iota // every entry
	upperRows        // the upper triangle, diagonal included
	lowerRows        // the lower triangle, diagonal included
)

// addUpper sets the entries part selects of each row of the q×q dst (data,
// stride) to alpha·s + beta·dst, reading the symmetric s from its upper
// triangle (sⱼᵢ for j < i) and dst only when beta ≠ 0.
func addUpper(dst []float64, stride int, alpha float64, s blas64.General, beta float64, part int) {
	q := s.Rows
	for i := 0; i < q; i++ {
		lo, hi := 0, q
		switch part {
		case upperRows:
			lo = i
		case lowerRows:
			hi = i + 1
		}
		row := dst[i*stride+lo : i*stride+hi]
		// Columns lo…i−1, below the diagonal: column i of s's upper
		// triangle.
		below := row[:max(i-lo, 0)]
		for k := range below {
			below[k] = combine(alpha, s.Data[(lo+k)*s.Stride+i], beta, below[k])
		}
		// Columns from the diagonal on: row i of s.
		combineRow(row[len(below):], s.Data[i*s.Stride+lo+len(below):i*s.Stride+hi], alpha, beta)
	}
}

// gram sets c.s's upper triangle to YᵀY for the n×q y and returns it as a
// q×q matrix. Under gonum's pure-Go BLAS in a build with vector code it is
// one product on Gemm's vector kernel (split across the team), the whole
// of YᵀY: twice Syrk's multiply-adds, but gonum's Dsyrk runs on one core
// and an axpy call per row of y and entry of a row. BenchmarkSandwichSymTo
// (2 CPUs, 6 runs), the product against Dsyrk: n = q = 16 1.9 against
// 3.1 µs, 128 level, 512 29 against 43 ms; without vector code the
// product was slower at each size (4.5 against 3.1 µs, 728 against 616 µs,
// 44 against 35 ms), so there, and under another BLAS, it is Dsyrk.
func (c *Cholesky) gram(y blas64.General) blas64.General {
	q := y.Cols
	s := Mat(&c.s, q, q)
	if vectorGonum() {
		c.gemm.Mul(blas.Trans, blas.NoTrans, 1, y, y, 0, s)
	} else {
		blas64.Syrk(blas.Trans, 1, y, 0, blas64.Symmetric{Uplo: blas.Upper, N: q, Stride: s.Stride, Data: s.Data})
	}
	return s
}

// pureGo reports whether impl is gonum's pure-Go BLAS, whose kernels the
// runtime's own replace where they are faster.
func pureGo(impl blas.Float64) bool {
	_, pure := impl.(gonum.Implementation)
	return pure
}

// factorTimes returns Y = U r in scratch, for the factorized A = UᵀU and an
// n×q r: rᵀ A r = Yᵀ Y, the product both sandwiches form.
func (c *Cholesky) factorTimes(r blas64.General) blas64.General {
	n := c.n
	y := Mat(&c.y, n, r.Cols)
	copyGeneral(y, r)
	if !vectorGonum() || n < blockedMin {
		blas64.Trmm(blas.Left, blas.NoTrans, 1, c.factor(), y)
		return y
	}
	// By row blocks, top first: y_I = U_II y_I + U_I,J y_J over the blocks J
	// below I, whose rows of y still hold r. The products with U's blocks
	// right of the diagonal, almost all the work, run on the vector kernels
	// (both cores; gonumGemm), where gonum's Dtrmm is one core's axpys.
	for i0 := 0; i0 < n; i0 += factorBlock {
		i1 := min(i0+factorBlock, n)
		yi := blas64.General{Rows: i1 - i0, Cols: y.Cols, Stride: y.Stride, Data: y.Data[i0*y.Stride:]}
		diag := blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: i1 - i0, Stride: n, Data: c.t[i0*n+i0:]}
		blas64.Trmm(blas.Left, blas.NoTrans, 1, diag, yi)
		if i1 < n {
			right := blas64.General{Rows: i1 - i0, Cols: n - i1, Stride: n, Data: c.t[i0*n+i1:]}
			below := blas64.General{Rows: n - i1, Cols: y.Cols, Stride: y.Stride, Data: y.Data[i1*y.Stride:]}
			gonumGemm(false, 1, right, below, 1, yi)
		}
	}
	return y
}

// gonumGemm sets c = alpha·op(a)·b + beta·c, op(a) = aᵀ when transA, on
// the vector kernels (both cores) when they take the product, else by one
// blas64.Gemm call: both in gonum's arithmetic, skipping the zeros of a as
// gonum's kernels do, so an Inf or NaN spreads as through gonum's Dtrmm
// and Dpotrf. Gemm.Mul may reorient a narrow product onto gonum's dot
// kernel, which multiplies by the zeros too (0·Inf = NaN): the factor
// of a block-diagonal matrix has whole blocks of zeros.
func gonumGemm(transA bool, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	m, k := a.Rows, a.Cols
	if transA {
		m, k = k, m
	}
	if b.Cols >= 4 && vectorMul(transA, m, b.Cols, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride) {
		return
	}
	blas64.Gemm(flag(transA), blas.NoTrans, alpha, a, b, beta, c)
}

// fillTriangleNaN sets the stored triangle of s to NaN.
func fillTriangleNaN(s blas64.Symmetric, upper bool) {
	for i := 0; i < s.N; i++ {
		lo, hi := triangleRow(i, s.N, upper)
		row := s.Data[i*s.Stride+lo : i*s.Stride+hi]
		for j := range row {
			row[j] = math.NaN()
		}
	}
}
