package runtime

import (
	"math"
	"strconv"

	"gonum.org/v1/gonum/blas/blas64"
)

// DetTaylor is a reusable workspace for the derivatives of det along a
// path, Derivative. The zero value is ready to use; Derivative allocates
// only when the pencil's order exceeds every previous one.
type DetTaylor struct {
	a, b []float64 // the pencil A + s·B, order×order with stride ld
	ld   int       // order rounded up to odd: the column rotations' stride
	d    []float64 // the leading principal minors' coefficients, (order+1)×(k+1)
}

// Derivative returns dᵏ/dtᵏ det(X(t)) at t from X's derivatives there,
// x[i] = X⁽ⁱ⁾ (i = 0 … p, every one n×n): k! times the coefficient of sᵏ
// in det(P(s)), P(s) = Σᵢ x[i]·sⁱ/i!, the Taylor polynomial of X at t (its
// coefficients up to sᵏ are X's; for p < k, X⁽ᵖ⁺¹⁾, … are taken as 0).
//
// It divides by nothing that can be small. P(s) is written as a pencil
// A + s·B of order p·n with det(A + s·B) = det(P(s)) (B = x[1], A = x[0]
// for p = 1; the block companion form for p > 1), rotated into A upper
// triangular and B upper Hessenberg by Givens rotations, which keep the
// determinant, and the determinant of that Hessenberg pencil is expanded
// along its rows, each step a sum of products of its entries truncated at
// sᵏ. So it is exactly 0 for k > p·n, as det(P(s)) is a polynomial of
// that degree, and its rounding error is about ε times the size of the
// products of A's and B's entries that make it up, where the textbook
// dᵏ det in terms of X⁻¹ loses ε·|det X|·‖X⁻¹X'‖ᵏ: it holds where X is
// singular, ill-conditioned, or small against X' (d⁴/dt⁴ det(10⁻⁵ + t)
// is 0, not 1). The cost is about 13·(p·n)³ flops.
//
// A NaN or infinite entry gives NaN. Derivative panics with a *ShapeError
// if the x[i] are not square of one order, or if there are none.
func (w *DetTaylor) Derivative(k int, x ...blas64.General) float64 {
	if len(x) == 0 {
		panic("runtime.DetTaylor.Derivative: no matrices")
	}
	if k < 0 {
		panic("runtime.DetTaylor.Derivative: negative order")
	}
	CheckSquare("runtime.DetTaylor.Derivative", "x[0]", x[0].Rows, x[0].Cols)
	n := x[0].Rows
	for i := range x {
		if x[i].Rows != n || x[i].Cols != n {
			checkSameShape("runtime.DetTaylor.Derivative", "x["+strconv.Itoa(i)+"]", x[i], x[0])
		}
	}
	for i := range x {
		if !allFinite(x[i]) {
			return math.NaN()
		}
	}
	p := len(x) - 1
	if n == 0 {
		if k == 0 {
			return 1 // the determinant of the empty matrix
		}
		return 0
	}
	if p == 0 {
		if k == 0 {
			var lu LU
			lu.Factorize(x[0])
			return lu.Det()
		}
		return 0
	}
	order := p * n
	if k > order {
		return 0
	}
	w.pencil(x)
	hessenbergTriangular(w.a, w.b, order, w.ld)
	c := w.coefficient(order, k)
	for i := 2; i <= k; i++ {
		c *= float64(i)
	}
	return c
}

// pencil writes A and B of order p·n with det(A + s·B) = det(Σᵢ x[i]·sⁱ/i!)
// into w.a and w.b. For p = 1 they are x[0] and x[1]. For p > 1, with
// Cᵢ = x[i]/i!, A = diag(C₀, I, …, I) and B has C₁ … Cₚ in its first block
// row and −I below the diagonal blocks: eliminating the identity blocks
// from the bottom up leaves the Schur complement C₀ + C₁s + … + Cₚsᵖ.
func (w *DetTaylor) pencil(x []blas64.General) {
	n, p := x[0].Rows, len(x)-1
	order := p * n
	// An odd stride: at a power of two the column rotations' entries,
	// a stride apart, fall in a few cache sets (n = 256: 1.7× slower).
	w.ld = order | 1
	ld := w.ld
	w.a = resize(w.a, order*ld)
	w.b = resize(w.b, order*ld)
	clear(w.a)
	clear(w.b)
	scale := 1.0 // 1/i!
	for i, xi := range x {
		if i > 1 {
			scale /= float64(i)
		}
		dst, col := w.b, (i-1)*n
		if i == 0 {
			dst, col = w.a, 0
		}
		for r := 0; r < n; r++ {
			row := xi.Data[r*xi.Stride : r*xi.Stride+n]
			out := dst[r*ld+col : r*ld+col+n]
			for c, v := range row {
				out[c] = scale * v
			}
		}
	}
	for blk := 1; blk < p; blk++ {
		for r := 0; r < n; r++ {
			i := blk*n + r
			w.a[i*ld+i] = 1
			w.b[i*ld+i-n] = -1
		}
	}
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
// hypot(x, y), and false when y is already 0.
func givens(x, y float64) (c, s float64, ok bool) {
	if y == 0 {
		return 1, 0, false
	}
	r := math.Hypot(x, y)
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
