package runtime

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
)

// exactDetDerivative returns k! times the coefficient of sᵏ in
// det(a + s·b) in exact rational arithmetic, by Leibniz's formula: the
// sum over permutations σ of sign(σ)·Πᵣ (aᵣσ₍ᵣ₎ + s·bᵣσ₍ᵣ₎), products of
// polynomials. (derive's reference sums minors instead.)
func exactDetDerivative(a, b blas64.General, k int) float64 {
	return leibniz(a, b, k, false)
}

// detDerivativeBound is k! times the coefficient of sᵏ in the sum of the
// absolute values of Leibniz's terms: the size of the products the k-th
// derivative is made of, the scale its rounding error is measured on.
func detDerivativeBound(a, b blas64.General, k int) float64 {
	return leibniz(a, b, k, true)
}

// leibniz is exactDetDerivative, or with abs detDerivativeBound.
func leibniz(a, b blas64.General, k int, abs bool) float64 {
	n := a.Rows
	// entry(r, c) is aᵣ꜀ + s·bᵣ꜀ as its two coefficients.
	entry := func(r, c int) [2]*big.Rat {
		e := [2]*big.Rat{new(big.Rat).SetFloat64(a.Data[r*a.Stride+c]), new(big.Rat).SetFloat64(b.Data[r*b.Stride+c])}
		if abs {
			e[0].Abs(e[0])
			e[1].Abs(e[1])
		}
		return e
	}
	total := new(big.Rat)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	var visit func(r int, sign int)
	visit = func(r int, sign int) {
		if r == n {
			prod := make([]*big.Rat, k+1) // truncated at sᵏ
			for i := range prod {
				prod[i] = new(big.Rat)
			}
			prod[0].SetInt64(int64(sign))
			if abs {
				prod[0].SetInt64(1)
			}
			for row, col := range perm {
				e := entry(row, col)
				for i := k; i >= 0; i-- {
					prod[i].Mul(prod[i], e[0])
					if i > 0 {
						prod[i].Add(prod[i], new(big.Rat).Mul(prod[i-1], e[1]))
					}
				}
			}
			total.Add(total, prod[k])
			return
		}
		for i := r; i < n; i++ {
			perm[r], perm[i] = perm[i], perm[r]
			s := sign
			if i != r {
				s = -sign
			}
			visit(r+1, s)
			perm[r], perm[i] = perm[i], perm[r]
		}
	}
	visit(0, 1)
	for i := 2; i <= k; i++ {
		total.Mul(total, big.NewRat(int64(i), 1))
	}
	f, _ := total.Float64()
	return f
}

func general(n int, data ...float64) blas64.General {
	return blas64.General{Rows: n, Cols: n, Stride: n, Data: data}
}

// TestDetTaylorExact compares Derivative with exact rational arithmetic
// on random pencils, some with a singular a (of rank 1) and some with a
// small against b, for every order up to past the degree n of
// det(a + s·b), where it must be exactly 0; and with a and b each scaled
// by 10⁻⁸, 1 or 10⁸. The error must stay within a few ε of the size of
// the products the derivative is made of (detDerivativeBound).
func TestDetTaylorExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var w DetTaylor
	worst := 0.0
	for _, n := range []int{1, 2, 3, 4, 5} {
		for _, kind := range []string{"random", "low rank", "small", "scaled", "rows and columns"} {
			for rep := range 3 {
				a, b := randomGeneral(rng, n, n), randomGeneral(rng, n, n)
				switch kind {
				case "low rank": // a of rank 1
					u, v := randomGeneral(rng, n, 1), randomGeneral(rng, 1, n)
					for r := 0; r < n; r++ {
						for c := 0; c < n; c++ {
							a.Data[r*n+c] = u.Data[r] * v.Data[c]
						}
					}
				case "small": // a 10⁻⁵ of b
					for i := range a.Data {
						a.Data[i] *= 1e-5
					}
				case "rows and columns": // each row and column by 2⁻⁴⁰, 1 or 2⁴⁰
					fr, fc := make([]int, n), make([]int, n)
					for i := range fr {
						fr[i], fc[i] = 40*(rng.IntN(3)-1), 40*(rng.IntN(3)-1)
					}
					for r := 0; r < n; r++ {
						for c := 0; c < n; c++ {
							a.Data[r*n+c] = math.Ldexp(a.Data[r*n+c], fr[r]+fc[c])
							b.Data[r*n+c] = math.Ldexp(b.Data[r*n+c], fr[r]+fc[c])
						}
					}
				case "scaled": // 10⁻⁸, 1, 10⁸ for a and b
					for i := range a.Data {
						a.Data[i] *= []float64{1e-8, 1, 1e8}[rep]
						b.Data[i] *= []float64{1e8, 1e-8, 1}[rep]
					}
				}
				for k := 0; k <= n+2; k++ {
					got := w.Derivative(k, a, b)
					if k > n {
						if got != 0 {
							t.Errorf("n=%d, %s, k=%d: got %g, want exactly 0 beyond the degree", n, kind, k, got)
						}
						continue
					}
					want, bound := exactDetDerivative(a, b, k), detDerivativeBound(a, b, k)
					worst = max(worst, math.Abs(got-want)/bound)
					if !(math.Abs(got-want) <= 1e-13*bound) {
						t.Errorf("n=%d, %s %d, k=%d: got %.17g, want %.17g (error %.3g of the products' size)", n, kind, rep, k, got, want, math.Abs(got-want)/bound)
					}
				}
			}
		}
	}
	t.Logf("largest error: %.3g of the products' size", worst)
}

// TestDetTaylorCases pins the cases where the textbook dᵏ det through a⁻¹
// failed (README, "Singular matrices"; review 54): a small against b
// (1×1 10⁻⁵ + s, whose fourth derivative came out 1.0), a singular with
// nonzero pivots (d³ det(A + tB) about 10¹⁹ at the 3×3 A = [1 … 9]), a
// ill-conditioned (condition 10⁵ and 10⁷, d³ and d⁴ exactly 0 there); and
// the rotations' hypot overflowing or subnormal (review 56: d³ came out
// 0 and 12 for 6).
func TestDetTaylorCases(t *testing.T) {
	var w DetTaylor
	a19 := general(3, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	b := general(3, 1, 0, 2, -1, 3, 1, 0, 1, 1)
	eye := general(3, 1, 0, 0, 0, 1, 0, 0, 0, 1)
	ill := func(e float64) blas64.General { return general(3, 1, 1, 1, 1, 1+e, 1, 1, 1, 1+e) }
	for _, c := range []struct {
		name string
		k    int
		a, b blas64.General
		want float64
	}{
		{"1×1 small, d¹", 1, general(1, 1e-5), general(1, 1), 1},
		{"1×1 small, d⁴", 4, general(1, 1e-5), general(1, 1), 0},
		{"singular, d² = 2·Σ of the mixed minors", 2, a19, b, exactDetDerivative(a19, b, 2)},
		{"singular, d³ = 3!·det(B)", 3, a19, b, exactDetDerivative(a19, b, 3)},
		{"ill-conditioned 1e-5, d³", 3, ill(1e-5), b, exactDetDerivative(ill(1e-5), b, 3)},
		{"ill-conditioned 1e-7, d⁴", 4, ill(1e-7), b, 0},
		{"2×2 d² of det(s·I) = s²", 2, general(2, 0, 0, 0, 0), general(2, 1, 0, 0, 1), 2},
		{"hypot overflows, d³ = 3!", 3, general(3, 1.5e308, 0, 0, 1.5e308, 1, 0, 0, 0, 1), eye, 6},
		{"subnormal entries, d³ = 3!", 3, general(3, 5e-324, 0, 0, 5e-324, 1, 0, 0, 0, 1), eye, 6},
		{"one entry 1e36 of a 12×12 (review 57: 0), d³ = 3!", 3, diagonal(append([]float64{1e36}, ones(11)...)...), diagonal(append(append([]float64{1}, make([]float64, 9)...), 1, 1)...), 6},
		{"one row of each 2³⁰ times the rest, d³ = 3!·det(B)", 3, general(3, 0x1p30, 2*0x1p30, 3*0x1p30, 4, 5, 6, 7, 8, 10), general(3, 0x1p30, 0, 2*0x1p30, -1, 3, 1, 0, 1, 2), exactDetDerivative(general(3, 0x1p30, 2*0x1p30, 3*0x1p30, 4, 5, 6, 7, 8, 10), general(3, 0x1p30, 0, 2*0x1p30, -1, 3, 1, 0, 1, 2), 3)},
		{"the truth overflows: +Inf, not a finite number", 3, diagonal(1e300, 1e80, 1e80, 1e80, 1e80, 0, 0), diagonal(1, 0, 0, 0, 0, 1, 1), math.Inf(1)},
		{"a zero row of both: exactly 0", 1, general(2, 1, 2, 0, 0), general(2, 3, 4, 0, 0), 0},
		{"rows 2^±300 apart (review 59: 0 with columns scaled alone), d³ = 3!", 3,
			rowsScaled([]int{600, -300, -300}, general(3, 1, 1, 1, 1, 2, 3, 1, 3, 6)), rowsScaled([]int{600, -300, -300}, general(3, 1, 1, 1, 1, 2, 3, 1, 3, 6)), 6},
	} {
		got := w.Derivative(c.k, c.a, c.b)
		if got != c.want && !(math.Abs(got-c.want) <= 1e-12*math.Max(1, math.Abs(c.want))) {
			t.Errorf("%s: got %.17g, want %.17g", c.name, got, c.want)
		}
	}
}

// TestDetTaylorEdges checks NaN and infinite entries, the empty matrix
// and the panics.
func TestDetTaylorEdges(t *testing.T) {
	var w DetTaylor
	if got := w.Derivative(3, general(2, 1, 2, 3, math.NaN()), general(2, 1, 0, 0, 1)); !math.IsNaN(got) {
		t.Errorf("a NaN entry: got %g, want NaN", got)
	}
	if got := w.Derivative(1, general(2, 1, 2, 3, 4), general(2, math.Inf(1), 0, 0, 1)); !math.IsNaN(got) {
		t.Errorf("an infinite entry: got %g, want NaN", got)
	}
	if got := w.Derivative(0, general(0), general(0)); got != 1 {
		t.Errorf("det of the empty matrix: got %g, want 1", got)
	}
	if got := w.Derivative(0, general(2, 1, 2, 3, 4), general(2, 0, 0, 0, 0)); math.Abs(got+2) > 1e-15 {
		t.Errorf("k = 0: got %.17g, want det = −2", got)
	}
	for _, c := range []struct {
		name string
		call func()
	}{
		{"not square", func() {
			w.Derivative(1, blas64.General{Rows: 2, Cols: 3, Stride: 3, Data: make([]float64, 6)}, general(2, 1, 0, 0, 1))
		}},
		{"orders differ", func() { w.Derivative(1, general(2, 1, 2, 3, 4), general(1, 1)) }},
		{"negative order", func() { w.Derivative(-1, general(1, 1), general(1, 1)) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			c.call()
		}()
	}
}

// TestDetTaylorAllocs checks that Derivative allocates nothing once its
// workspace has grown.
func TestDetTaylorAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var w DetTaylor
	a, b := randomGeneral(rng, 6, 6), randomGeneral(rng, 6, 6)
	w.Derivative(3, a, b)
	if allocs := testing.AllocsPerRun(10, func() { w.Derivative(3, a, b) }); allocs != 0 {
		t.Errorf("%v allocations a call, want 0", allocs)
	}
}

// rowsScaled returns m with row i scaled by 2^e[i].
func rowsScaled(e []int, m blas64.General) blas64.General {
	for i, x := range e {
		for j := 0; j < m.Cols; j++ {
			m.Data[i*m.Stride+j] = math.Ldexp(m.Data[i*m.Stride+j], x)
		}
	}
	return m
}

// diagonal returns the diagonal matrix of d.
func diagonal(d ...float64) blas64.General {
	m := general(len(d), make([]float64, len(d)*len(d))...)
	for i, v := range d {
		m.Data[i*len(d)+i] = v
	}
	return m
}

// ones returns n ones.
func ones(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

// randomGeneral returns an r×c matrix of entries uniform in [−1, 1).
func randomGeneral(rng *rand.Rand, r, c int) blas64.General {
	m := blas64.General{Rows: r, Cols: c, Stride: c, Data: make([]float64, r*c)}
	for i := range m.Data {
		m.Data[i] = 2*rng.Float64() - 1
	}
	return m
}

// BenchmarkDetTaylor times the third derivative of det(A + tB) against
// an LU factorization of A of the same order (the README's cost figures).
func BenchmarkDetTaylor(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{8, 64, 256} {
		x0, x1 := randomGeneral(rng, n, n), randomGeneral(rng, n, n)
		b.Run(fmt.Sprintf("n=%d/DetTaylor", n), func(b *testing.B) {
			var w DetTaylor
			for b.Loop() {
				w.Derivative(3, x0, x1)
			}
		})
		b.Run(fmt.Sprintf("n=%d/LU", n), func(b *testing.B) {
			var lu LU
			for b.Loop() {
				lu.Factorize(x0)
			}
		})
	}
}
