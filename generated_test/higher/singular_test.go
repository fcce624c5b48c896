package higher

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestDetDerivativesAtSingularMatrices checks det's derivatives beyond the
// gradient where its argument X is singular, of rank n−1 and n−2: its
// Hessian-vector product and its second derivative along a path, both
// d cof(X)[V] from X's SVD (runtime.Cofactor.DerivativeTo), against
// central differences of the gradient and of the first derivative, which
// are the cofactor matrix, finite everywhere. Through det(X)·X⁻¹ both
// were rounding noise or NaN at every such X; at these ranks they are
// nonzero, which the test checks it sees.
func TestDetDerivativesAtSingularMatrices(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	const step = 1e-4
	for _, n := range []int{2, 3, 4, 5} {
		for rank := n - 1; rank >= n-2; rank-- {
			t.Run(fmt.Sprintf("n=%d,rank=%d", n, rank), func(t *testing.T) {
				X := mat.NewDense(n, n, nil)
				if rank > 0 {
					X.Mul(randomNormal(rng, n, rank), randomNormal(rng, rank, n))
				}
				V := randomNormal(rng, n, n)
				if f := DetHessVecAtSingular(X); math.Abs(f) > 1e-12 {
					t.Fatalf("det(X) = %g: X is not singular", f)
				}

				// The Hessian-vector product against central differences
				// of the gradient along V.
				got := mat.NewDense(n, n, nil)
				DetHessVecAtSingularHessVec(X, V, got)
				want := centralDir(n*n, step, func(s float64, y []float64) {
					var at mat.Dense
					at.Add(X, scaledDense(s, V))
					g := mat.NewDense(n, n, nil)
					DetHessVecAtSingularGrad(&at, g)
					copy(y, g.RawMatrix().Data)
				})
				if mat.Norm(mat.NewDense(n, n, want), math.Inf(1)) < 1e-3 {
					t.Fatalf("the Hessian-vector product is %v: want a nonzero one to check", want)
				}
				checkClose(t, "DetHessVecAtSingularHessVec", flat(got), want, 1e-7)

				// Along A + t·B at t = 0, A = X: the first derivative is
				// ⟨cof(X), B⟩, the second the central difference of the
				// first.
				g := mat.NewDense(n, n, nil)
				DetHessVecAtSingularGrad(X, g)
				checkClose(t, "DetPathAtSingularDeriv", []float64{DetPathAtSingularDeriv(0, X, V)}, []float64{mat.Dot(vecOf(g), vecOf(V))}, 1e-12)
				second := centralDeriv(func(s float64) float64 { return DetPathAtSingularDeriv(s, X, V) }, 0)
				checkClose(t, "DetPathAtSingularDeriv2", []float64{DetPathAtSingularDeriv2(0, X, V)}, []float64{second}, 1e-7)
			})
		}
	}
}

// randomNormal returns an r×c matrix of standard normal entries.
func randomNormal(rng *rand.Rand, r, c int) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := range m.RawMatrix().Data {
		m.RawMatrix().Data[i] = rng.NormFloat64()
	}
	return m
}

// scaledDense returns s·m.
func scaledDense(s float64, m mat.Matrix) *mat.Dense {
	var out mat.Dense
	out.Scale(s, m)
	return &out
}

// vecOf returns m's entries as one vector, row by row.
func vecOf(m *mat.Dense) *mat.VecDense {
	r, c := m.Dims()
	return mat.NewVecDense(r*c, append([]float64(nil), m.RawMatrix().Data...))
}

// TestDetHigherDerivativesIllConditioned checks d³/dt³ and d⁴/dt⁴ of
// det(A + t B) where the textbook formulas, det(A) times traces of powers
// of A⁻¹B, lose ε·|det A|·‖A⁻¹B‖ᵏ: at an ill-conditioned A (condition
// about 1e5 and 1e7), where both are exactly 0 (det(B) = 0), and they
// came out 2e-10 and 6e-3 at 1e5, 1e-7 and 50 at 1e7 (−4.4e-4 and 488
// at 1e5 with the runtime's d cof beside A⁻¹ terms, review 47); at the
// singular A = [1 … 9], where d³ is 3!·det(C) = 42 and came out 0; and
// at a 1×1 A = 10⁻⁵ against B = 1, det = A + t, where d⁴ came out 1.0
// (review 54). They are now dᵏ/dsᵏ det(A + t B + s B) from
// runtime.DetTaylor, which divides by nothing small: each is its exact
// value to a few ulps of the entries' products.
func TestDetHigherDerivativesIllConditioned(t *testing.T) {
	B := mat.NewDense(3, 3, []float64{1, 0, 2, -1, 3, 1, 0, 1, 1})
	for _, e := range []float64{1e-5, 1e-7} {
		A := mat.NewDense(3, 3, []float64{1, 1, 1, 1, 1 + e, 1, 1, 1, 1 + e})
		if d3 := DetPathAtSingularDeriv3(0, A, B); !(math.Abs(d3) <= 1e-13) {
			t.Errorf("e = %g: d³/dt³ det(A + t B) = %g, want 0", e, d3)
		}
		if d4 := DetPathAtSingularDeriv4(0, A, B); d4 != 0 {
			t.Errorf("e = %g: d⁴/dt⁴ det(A + t B) = %g, want exactly 0 (det is a cubic in t)", e, d4)
		}
	}
	singular := mat.NewDense(3, 3, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9})
	C := mat.NewDense(3, 3, []float64{2, 1, 0, 0, 3, 1, 1, 0, 1}) // det 7
	if d3 := DetPathAtSingularDeriv3(0, singular, C); !(math.Abs(d3-6*7) <= 1e-13) {
		t.Errorf("singular A: d³/dt³ det(A + t C) = %g, want 3!·det(C) = 42", d3)
	}
	small, one := mat.NewDense(1, 1, []float64{1e-5}), mat.NewDense(1, 1, []float64{1})
	for k, f := range []func(float64, *mat.Dense, *mat.Dense) float64{DetPathAtSingularDeriv3, DetPathAtSingularDeriv4} {
		if d := f(0, small, one); d != 0 {
			t.Errorf("1×1 A = 1e-5, B = 1: d%d/dt%d det(A + t B) = %g, want exactly 0", k+3, k+3, d)
		}
	}
}

// TestDetCurvedPathUnbalanced checks d⁴/dt⁴ det(A + tB + t²C + t³D) at
// A = 10⁸·[1 2; 3 4], B = C = D = I, which is 4!·(coefficient of t⁴) =
// 4!·(1 + 2) = 72 (the t⁴ terms of (a₁₁ + t + t² + t³)(a₂₂ + t + t² + t³)
// are t·t³, t²·t² and t³·t). Along a curved path the derivatives take
// the textbook formulas; a pencil of the Taylor polynomial gave 63.8
// (review 56).
func TestDetCurvedPathUnbalanced(t *testing.T) {
	A := mat.NewDense(2, 2, []float64{1e8, 2e8, 3e8, 4e8})
	I := mat.NewDense(2, 2, []float64{1, 0, 0, 1})
	if d4 := DetCurvedPathDeriv4(0, A, I, I, I); !(math.Abs(d4-72) <= 1e-9*72) {
		t.Errorf("d⁴/dt⁴ det(A + tB + t²C + t³D) = %.17g, want 72", d4)
	}
}
