package runtime

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
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
	// zero stays 0 while every entry is finite: v·0 is ±0 for a finite v
	// and NaN for ±Inf and NaN, and NaN stays. One multiply-add an entry,
	// no branch (the test per entry was a tenth of B6's FGrad at n = 16).
	zero := 0.0
	for i := 0; i < n; i++ {
		row := c.t[i*n+i : i*n+n]
		if upper {
			copy(row, a.Data[i*a.Stride+i:i*a.Stride+n])
		} else {
			for k := range row {
				row[k] = a.Data[(i+k)*a.Stride+i]
			}
		}
		for _, v := range row {
			zero += v * 0
		}
	}
	c.status = factorized
	if zero != 0 {
		c.status = nonFinite
	} else if n > 0 {
		if _, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: c.t}); !ok {
			c.status = singular
		}
	}
	return c.status == factorized
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
		s += math.Log(c.t[i*c.n+i])
	}
	return 2 * s
}

// Det returns det(A) = exp(LogDet()) of the factorized matrix A: NaN when A
// is not positive definite. It overflows to +Inf or underflows to 0 when
// det(A) is outside the range of float64; use LogDet then.
func (c *Cholesky) Det() float64 {
	c.check("Det")
	return math.Exp(c.LogDet())
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
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			dst.Data[j*dst.Stride+i] = dst.Data[i*dst.Stride+j]
		}
	}
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
// multiply and one symmetric rank-k update (about 2·n²·q flops) instead of
// two general products (4·n²·q). dst may not share memory with r. When A
// is not positive definite, dst is filled with NaN.
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
	y := c.factorTimes(r)
	s := blas64.Symmetric{Uplo: blas.Upper, N: q, Stride: q, Data: resize(c.s, q*q)}
	c.s = s.Data
	blas64.Syrk(blas.Trans, 1, y, 0, s)
	// dst = alpha·s + beta·dst row by row, s's entry (i, j) read from its
	// upper triangle: sⱼᵢ for j < i.
	for i := 0; i < q; i++ {
		row := dst.Data[i*dst.Stride : i*dst.Stride+q]
		upper := s.Data[i*q : i*q+q]
		if beta == 0 {
			for j := 0; j < i; j++ {
				row[j] = alpha * s.Data[j*q+i]
			}
			for j := i; j < q; j++ {
				row[j] = alpha * upper[j]
			}
			continue
		}
		for j := 0; j < i; j++ {
			row[j] = alpha*s.Data[j*q+i] + beta*row[j]
		}
		for j := i; j < q; j++ {
			row[j] = alpha*upper[j] + beta*row[j]
		}
	}
}

// SandwichSymTo sets the stored triangle of the q×q symmetric dst to
// alpha·rᵀ·A·r + beta·dst for the factorized A = UᵀU, r n×q: with Y = U r,
// one triangular multiply and one symmetric rank-k update of dst itself
// (Syrk), the triangle not stored left alone. beta = 0 does not read dst.
// When A is not positive definite, dst's triangle is filled with NaN.
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
	blas64.Syrk(blas.Trans, alpha, c.factorTimes(r), beta, dst)
}

// factorTimes returns Y = U r in scratch, for the factorized A = UᵀU and an
// n×q r: rᵀ A r = Yᵀ Y, the product both sandwiches form.
func (c *Cholesky) factorTimes(r blas64.General) blas64.General {
	y := Mat(&c.y, c.n, r.Cols)
	copyGeneral(y, r)
	blas64.Trmm(blas.Left, blas.NoTrans, 1, c.factor(), y)
	return y
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
