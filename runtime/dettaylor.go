package runtime

import (
	"math"

	"gonum.org/v1/gonum/blas/blas64"
)

// DetTaylor is a reusable workspace for the derivatives of det along a
// straight line, Derivative. The zero value is ready to use; Derivative
// allocates only when the order n exceeds every previous one.
type DetTaylor struct {
	a, b []float64 // the pencil a + s·b, n×n with stride ld
	ld   int       // n rounded up to odd: the column rotations' stride
	d    []float64 // the leading principal minors' coefficients, (n+1)×(k+1)
	// rows and cols are the binary exponents the pencil's rows and
	// columns are scaled by (equilibrate).
	rows, cols []int
}

// Derivative returns dᵏ/dsᵏ det(a + s·b) at s = 0, k! times the
// coefficient of sᵏ in the polynomial det(a + s·b): the k-th derivative
// of det(X(t)) along a path X(t) = a + t·b, a straight line through the
// point (a = X(t₀), b = X'(t₀)).
//
// It divides by nothing that can be small. The pencil a + s·b is rotated
// into a upper triangular and b upper Hessenberg by Givens rotations,
// which keep the determinant, and the determinant of that Hessenberg
// pencil is expanded along its rows, each step a sum of products of its
// entries truncated at sᵏ. So it is exactly 0 for k > n, as det(a + s·b)
// is a polynomial of degree n, and it is what exact arithmetic gives for
// a and b each changed by a few ε of its own size, once its rows and
// columns are scaled to entries near 1 (equilibrate; the rotations act
// on a's rows and b's rows alike), where the textbook dᵏ det in terms of a⁻¹
// loses ε·|det a|·‖a⁻¹b‖ᵏ: it holds where a is singular, ill-conditioned,
// or small against b (d⁴/ds⁴ det(10⁻⁵ + s) is 0, not 1). The cost is
// about 13·n³ flops.
//
// A NaN or infinite entry gives NaN. Derivative panics if k < 0, and with
// a *ShapeError if a is not square or b not of a's shape.
func (w *DetTaylor) Derivative(k int, a, b blas64.General) float64 {
	if k < 0 {
		panic("runtime.DetTaylor.Derivative: negative order")
	}
	CheckSquare("runtime.DetTaylor.Derivative", "a", a.Rows, a.Cols)
	checkSameShape("runtime.DetTaylor.Derivative", "b", b, a)
	if !allFinite(a) || !allFinite(b) {
		return math.NaN()
	}
	n := a.Rows
	if k > n {
		return 0
	}
	if n == 0 {
		return 1 // k = 0: the determinant of the empty matrix
	}
	// An odd stride: at a power of two the column rotations' entries,
	// a stride apart, fall in a few cache sets (n = 256: 1.7× slower).
	w.ld = n | 1
	w.a = resize(w.a, n*w.ld)
	w.b = resize(w.b, n*w.ld)
	ea, eb, erc, ok := w.equilibrate(a, b)
	if !ok {
		return 0 // a zero row or column of a and b alike: det(a + s·b) ≡ 0
	}
	hessenbergTriangular(w.a, w.b, n, w.ld)
	c := w.coefficient(n, k)
	for i := 2; i <= k; i++ {
		c *= float64(i)
	}
	return math.Ldexp(c, ea*(n-k)+eb*k+erc)
}

// equilibrate writes a and b into w.a and w.b scaled by powers of two,
// which round nothing: a by 2^−ea and b by 2^−eb, their largest entries,
// then every row i of both by 2^−rᵢ and every column j by 2^−cⱼ, each
// row's and then each column's largest entry of either matrix brought
// near 1. The coefficient of sᵏ in det(a + s·b) is then 2^((n−k)·ea +
// k·eb + erc) times the scaled pencil's, erc = Σrᵢ + Σcⱼ. Without it, rotations of rows of very different sizes lost
// digits (a 3×3 with one row 2³⁰ times the others: 1e-8 relative), and
// scaling the matrices alone made products of small entries underflow
// (d³ of a 12×12 with one entry 1e36 came out 0 for 6; review 57). It
// does not help every pencil: lifting a row where b is small beside one
// where b is large can lose that row's digits under the rotations (a 3×3
// with a large in one row and b in another, 2⁶⁰ apart, gave the wrong
// sign; review 58). Scaling columns alone avoided that case but let
// products of small rows underflow again, and lost more in review 59's
// campaign (838 values against 291 of 10,212). It reports false for a
// row or column that is zero in both, where det(a + s·b) is identically
// 0.
func (w *DetTaylor) equilibrate(a, b blas64.General) (ea, eb, erc int, ok bool) {
	n, ld := a.Rows, w.ld
	w.rows = resizeInt(w.rows, n)
	w.cols = resizeInt(w.cols, n)
	ea, eb = largestExponent(a), largestExponent(b)
	// exponent of v·2^−shift, math.MinInt for 0.
	exponent := func(v float64, shift int) int {
		if v == 0 {
			return math.MinInt
		}
		_, x := math.Frexp(v)
		return x - shift
	}
	for i := 0; i < n; i++ {
		w.rows[i] = math.MinInt
		for j := 0; j < n; j++ {
			w.rows[i] = max(w.rows[i], exponent(a.Data[i*a.Stride+j], ea), exponent(b.Data[i*b.Stride+j], eb))
		}
		if w.rows[i] == math.MinInt {
			return 0, 0, 0, false
		}
	}
	for j := 0; j < n; j++ {
		w.cols[j] = math.MinInt
		for i := 0; i < n; i++ {
			w.cols[j] = max(w.cols[j], exponent(a.Data[i*a.Stride+j], ea+w.rows[i]), exponent(b.Data[i*b.Stride+j], eb+w.rows[i]))
		}
		if w.cols[j] == math.MinInt {
			return 0, 0, 0, false
		}
	}
	for i := 0; i < n; i++ {
		erc += w.rows[i] + w.cols[i]
		for j := 0; j < n; j++ {
			w.a[i*ld+j] = math.Ldexp(a.Data[i*a.Stride+j], -ea-w.rows[i]-w.cols[j])
			w.b[i*ld+j] = math.Ldexp(b.Data[i*b.Stride+j], -eb-w.rows[i]-w.cols[j])
		}
	}
	return ea, eb, erc, true
}

// largestExponent returns the binary exponent of m's largest entry (0 for
// a zero m): m's entries times 2^−e are below 1 in magnitude.
func largestExponent(m blas64.General) int {
	largest := 0.0
	for r := 0; r < m.Rows; r++ {
		for _, v := range m.Data[r*m.Stride : r*m.Stride+m.Cols] {
			largest = max(largest, math.Abs(v))
		}
	}
	_, e := math.Frexp(largest)
	return e
}

// hessenbergTriangular rotates the pencil a + s·b of order n (row-major,
// stride ld) in place into a upper triangular and b upper Hessenberg, by
// Givens rotations from the left and the right (Golub and Van Loan,
// Matrix Computations, algorithm 7.7.1, with a's QR factorization done by
// rotations too). Rotations have determinant 1, so det(a + s·b) is
// unchanged.
func hessenbergTriangular(a, b []float64, n, ld int) {
	// a upper triangular: zero each column below the diagonal from the
	// bottom up, rotating rows of both.
	for j := 0; j < n-1; j++ {
		for i := n - 1; i > j; i-- {
			c, s, ok := givens(a[(i-1)*ld+j], a[i*ld+j])
			if !ok {
				continue
			}
			rotateRows(a, ld, i-1, i, j, n, c, s)
			rotateRows(b, ld, i-1, i, 0, n, c, s)
			a[i*ld+j] = 0
		}
	}
	// b upper Hessenberg: zero b's column j below the subdiagonal from
	// the bottom up by rows i−1, i; that puts a nonzero at a(i, i−1),
	// which a rotation of columns i−1, i takes out again.
	for j := 0; j < n-2; j++ {
		for i := n - 1; i >= j+2; i-- {
			c, s, ok := givens(b[(i-1)*ld+j], b[i*ld+j])
			if !ok {
				continue
			}
			rotateRows(b, ld, i-1, i, j, n, c, s)
			rotateRows(a, ld, i-1, i, i-1, n, c, s)
			b[i*ld+j] = 0
			c, s, ok = givens(a[i*ld+i], a[i*ld+i-1])
			if !ok {
				continue
			}
			rotateColumns(a, ld, i, i-1, i+1, c, s)
			rotateColumns(b, ld, i, i-1, n, c, s)
			a[i*ld+i-1] = 0
		}
	}
}

// givens returns c and s with c·x + s·y = r and −s·x + c·y = 0, r =
// hypot(x, y), and false when y is already 0. x and y are divided by the
// larger first, so that c² + s² = 1 to rounding also where hypot(x, y)
// would overflow (c = s = 0 zeroed both rows) or be subnormal (at 1.5e308
// and at 5e-324 determinants came out finite and wrong; review 56).
func givens(x, y float64) (c, s float64, ok bool) {
	if y == 0 {
		return 1, 0, false
	}
	m := max(math.Abs(x), math.Abs(y))
	x, y = x/m, y/m
	r := math.Sqrt(x*x + y*y)
	return x / r, y / r, true
}

// rotateRows applies the rotation [c s; −s c] to rows i and j of m
// (stride ld), columns from … to−1.
func rotateRows(m []float64, ld, i, j, from, to int, c, s float64) {
	ri, rj := m[i*ld+from:i*ld+to], m[j*ld+from:j*ld+to]
	for k := range ri {
		x, y := ri[k], rj[k]
		ri[k] = c*x + s*y
		rj[k] = c*y - s*x
	}
}

// rotateColumns applies the rotation taking (m(·, i), m(·, j)) to
// (c·m(·, i) + s·m(·, j), c·m(·, j) − s·m(·, i)) to rows 0 … rows−1 of
// columns i and j of m (stride ld): with c, s from givens(m(i, i), m(i, j))
// it zeroes m(i, j).
func rotateColumns(m []float64, ld, i, j, rows int, c, s float64) {
	for r := 0; r < rows; r++ {
		x, y := m[r*ld+i], m[r*ld+j]
		m[r*ld+i] = c*x + s*y
		m[r*ld+j] = c*y - s*x
	}
}

// coefficient returns the coefficient of sᵏ in det(a + s·b) for a upper
// triangular and b upper Hessenberg of order n (hessenbergTriangular's
// output), expanding the leading principal minors Dᵢ along their last
// rows, whose only entries are Mᵢᵢ = aᵢᵢ + s·bᵢᵢ and Mᵢ,ᵢ₋₁ = s·bᵢ,ᵢ₋₁:
//
//	Dᵢ = Mᵢᵢ·Dᵢ₋₁ + Σⱼ<ᵢ (−1)ⁱ⁻ʲ·Mⱼᵢ·sⁱ⁻ʲ·(bⱼ₊₁,ⱼ ⋯ bᵢ,ᵢ₋₁)·Dⱼ₋₁,
//
// every Dᵢ truncated at sᵏ, so that only the k terms j ≥ i − k count.
// (Indices from 1; D₀ = 1.)
func (w *DetTaylor) coefficient(n, k int) float64 {
	a, b, ld := w.a, w.b, w.ld
	width := k + 1
	w.d = resize(w.d, (n+1)*width)
	d := w.d
	clear(d)
	d[0] = 1
	for i := 1; i <= n; i++ {
		di := d[i*width : (i+1)*width]
		prev := d[(i-1)*width : i*width]
		// Mᵢᵢ·Dᵢ₋₁ (row and column i−1 from 0).
		aii, bii := a[(i-1)*ld+i-1], b[(i-1)*ld+i-1]
		for e := 0; e <= k; e++ {
			v := aii * prev[e]
			if e > 0 {
				v += bii * prev[e-1]
			}
			di[e] = v
		}
		// The terms j = i−1, i−2, … down to max(1, i−k): the product of
		// subdiagonal entries bⱼ₊₁,ⱼ ⋯ bᵢ,ᵢ₋₁ grows by one each step.
		sub, sign := 1.0, 1.0
		for j := i - 1; j >= 1 && i-j <= k; j-- {
			sub *= b[j*ld+j-1] // b(j+1, j) from 1
			sign = -sign
			shift := i - j
			aji, bji := a[(j-1)*ld+i-1], b[(j-1)*ld+i-1]
			dj := d[(j-1)*width : j*width]
			f := sign * sub
			for e := shift; e <= k; e++ {
				v := aji * dj[e-shift]
				if e > shift {
					v += bji * dj[e-shift-1]
				}
				di[e] += f * v
			}
		}
	}
	return d[n*width+k]
}
