package runtime

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// LU is an LU factorization with partial pivoting of a square matrix, PA = LU,
// that keeps its storage between factorizations. The zero value is ready to
// use; Factorize allocates only when the order n exceeds every previous one.
//
// A matrix is singular for LU when a pivot is exactly zero. The methods then
// return IEEE results rather than panicking or returning finite garbage:
// LogAbsDet is -Inf, Det is 0, and InverseTo, SolveTo and SolveVecTo fill
// their destinations with NaN. A matrix with a NaN or infinite entry is not
// factorized at all: LogAbsDet and Det are NaN and destinations are filled
// with NaN. Nearly singular matrices are factorized normally and may give
// huge or infinite results.
//
// Methods other than Factorize panic if called before the first Factorize.
type LU struct {
	n      int
	lu     []float64 // L and U, n×n with stride n.
	ipiv   []int     // Row interchanges from Getrf.
	work   []float64 // Workspace for Getri, of the optimal length for order workN,
	workN  int       // the largest order queried so far.
	status status
}

// status is the state of a factorization.
type status int

const (
	unfactorized status = iota // Factorize has not been called.
	factorized                 // The factors are usable.
	singular                   // A pivot is zero, or A is not positive definite.
	nonFinite                  // A has a NaN or infinite entry.
)

// Factorize computes the LU factorization of the square matrix a, which is
// copied and left unchanged. It reports whether the factorization is usable,
// that is whether a is finite and no pivot is exactly zero.
//
// Factorize panics with a *ShapeError if a is not square.
func (f *LU) Factorize(a blas64.General) bool {
	CheckSquare("runtime.LU.Factorize", "a", a.Rows, a.Cols)
	f.reset(a.Rows)
	m := f.mat()
	copyGeneral(m, a)
	switch {
	case !allFinite(m):
		f.status = nonFinite
	case f.n > 0 && !lapack64.Getrf(m, f.ipiv):
		f.status = singular
	default:
		f.status = factorized
	}
	return f.status == factorized
}

// reset sizes the storage for order n, querying the Getri workspace length
// when n changes.
func (f *LU) reset(n int) {
	if n == f.n && f.lu != nil {
		return
	}
	f.n = n
	f.lu = resize(f.lu, n*n)
	f.ipiv = resizeInt(f.ipiv, n)
	if n > f.workN {
		// gonum's workspace query allocates; the workspace for the largest
		// order so far serves every smaller one.
		var q [1]float64
		lapack64.Getri(f.mat(), f.ipiv, q[:], -1)
		f.work = resize(f.work, max(int(q[0]), n))
		f.workN = n
	}
}

// mat returns the factor storage as an n×n general matrix.
func (f *LU) mat() blas64.General {
	return blas64.General{Rows: f.n, Cols: f.n, Stride: f.n, Data: f.lu}
}

// check panics if f has not been factorized.
func (f *LU) check(fn string) {
	if f.status == unfactorized {
		panic("runtime.LU." + fn + ": called before Factorize")
	}
}

// LogAbsDet returns log|det(A)| of the factorized matrix A: -Inf when A is
// singular, NaN when A is not finite, 0 for the 0×0 matrix.
func (f *LU) LogAbsDet() float64 {
	f.check("LogAbsDet")
	switch f.status {
	case singular:
		return math.Inf(-1)
	case nonFinite:
		return math.NaN()
	}
	var s float64
	for i := 0; i < f.n; i++ {
		s += logOf(math.Abs(f.lu[i*f.n+i]))
	}
	return s
}

// Det returns det(A) of the factorized matrix A, the product of the
// pivots (scaledProduct), exact to n roundings, subnormal results included:
// 0 when A is singular, NaN when A is
// not finite, 1 for the 0×0 matrix. It overflows to ±Inf or underflows to ±0 when |det(A)| is outside
// the range of float64 (possible for large n even with moderate entries);
// use LogAbsDet then.
func (f *LU) Det() float64 {
	f.check("Det")
	switch f.status {
	case singular:
		return 0
	case nonFinite:
		return math.NaN()
	}
	p := scaledProduct{m: 1}
	for i := 0; i < f.n; i++ {
		if f.ipiv[i] != i {
			p.m = -p.m
		}
		p.times(f.lu[i*f.n+i])
	}
	return p.value()
}

// scaledProduct is a product of float64 factors kept as a mantissa and an
// exponent of two, so that no partial product overflows or underflows: the
// product of n factors is exact to n roundings of the mantissa's, however
// far outside float64's range the partial products go, and rounded once
// when it ends in the subnormals. exp(Σ log|pᵢ|) loses |log det| ulps (107
// at det = 1e300) and cannot give a subnormal det. The empty product is
// scaledProduct{m: 1}.
type scaledProduct struct {
	m float64 // the product is m·2^e, m ±[0.5, 1) after a nonzero factor
	e int
}

// times multiplies p by x.
func (p *scaledProduct) times(x float64) {
	frac, exp := math.Frexp(x)
	m, e := math.Frexp(p.m * frac)
	p.m, p.e = m, p.e+exp+e
}

// value returns the product, ±Inf or ±0 outside float64's range.
func (p *scaledProduct) value() float64 { return math.Ldexp(p.m, p.e) }

// logOf returns log x for x ≥ 0, also for subnormal x, where the amd64
// math.Log is wrong (Go issue 56600: log(5e-324) = −709.09, not −744.44):
// scaled into the normals by 2⁵⁴ first.
func logOf(x float64) float64 {
	if x > 0 && x < 0x1p-1022 {
		return math.Log(x*0x1p54) - 54*math.Ln2
	}
	return math.Log(x)
}

// InverseTo sets the n×n matrix dst to A⁻¹. Every entry of dst is NaN when A
// is singular (the inverse does not exist and no sign is preferable) or not
// finite.
//
// InverseTo panics with a *ShapeError if dst is not n×n.
func (f *LU) InverseTo(dst blas64.General) {
	f.check("InverseTo")
	CheckMatrix("runtime.LU.InverseTo", "dst", dst.Rows, dst.Cols, f.n, f.n, "n", "n")
	if f.status != factorized {
		fillNaN(dst)
		return
	}
	if f.n == 0 {
		return
	}
	copyGeneral(dst, f.mat())
	if !lapack64.Getri(dst, f.ipiv, f.work, len(f.work)) {
		fillNaN(dst)
	}
}

// SolveTo sets the n×k matrix dst to A⁻¹·b, or to A⁻ᵀ·b when trans is true.
// dst may be b itself but must not otherwise overlap it. Every entry of dst
// is NaN when A is singular or not finite.
//
// SolveTo panics with a *ShapeError if b is not n×k or dst is not the shape
// of b.
func (f *LU) SolveTo(dst blas64.General, trans bool, b blas64.General) {
	f.check("SolveTo")
	CheckMatrix("runtime.LU.SolveTo", "b", b.Rows, b.Cols, f.n, b.Cols, "n", "k")
	checkSameShape("runtime.LU.SolveTo", "dst", dst, b)
	if f.status != factorized {
		fillNaN(dst)
		return
	}
	if f.n == 0 || b.Cols == 0 {
		return
	}
	copyGeneral(dst, b)
	lapack64.Getrs(transpose(trans), f.mat(), dst, f.ipiv)
}

// SolveVecTo sets the n-vector dst to A⁻¹·b, or to A⁻ᵀ·b when trans is
// true. dst may be b itself but must not otherwise overlap it. Every element
// of dst is NaN when A is singular or not finite.
//
// SolveVecTo panics with a *ShapeError if b or dst does not have length n,
// and panics if an increment is not positive.
func (f *LU) SolveVecTo(dst blas64.Vector, trans bool, b blas64.Vector) {
	f.check("SolveVecTo")
	CheckVector("runtime.LU.SolveVecTo", "b", b.N, f.n, "n")
	CheckVector("runtime.LU.SolveVecTo", "dst", dst.N, f.n, "n")
	d := vecAsGeneral("runtime.LU.SolveVecTo", dst)
	copyGeneral(d, vecAsGeneral("runtime.LU.SolveVecTo", b))
	if f.status != factorized {
		fillNaN(d)
		return
	}
	if f.n == 0 {
		return
	}
	lapack64.Getrs(transpose(trans), f.mat(), d, f.ipiv)
}

// transpose converts a flag to a blas.Transpose.
func transpose(trans bool) blas.Transpose {
	if trans {
		return blas.Trans
	}
	return blas.NoTrans
}

// resize returns s resliced to length n, reallocating only if cap(s) < n.
func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// resizeInt is resize for []int.
func resizeInt(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}
