package generated

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gradgen/gradgen/derive"
)

func randDense(rng *rand.Rand, r, c int) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := range m.RawMatrix().Data {
		m.RawMatrix().Data[i] = rng.NormFloat64()
	}
	return m
}

func randVec(rng *rand.Rand, n int) *mat.VecDense {
	return mat.NewVecDense(n, randDense(rng, n, 1).RawMatrix().Data)
}

// TestWorkedExamplesClosedForm checks the generated gradients of the five
// worked examples of the differential-method text against their closed
// forms, computed directly with gonum/mat.
func TestWorkedExamplesClosedForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 9))
	const m, n, k, p = 4, 3, 2, 5
	a, b := randVec(rng, m), randVec(rng, n)
	X := randDense(rng, m, n)

	// ∂(aᵀXb)/∂X = a bᵀ.
	var want mat.Dense
	want.Outer(1, a, b)
	got := mat.NewDense(m, n, nil)
	BilinearGrad(a, X, b, got)
	check(t, "Bilinear", got, &want)

	// ∂(aᵀexp(Xb))/∂X = (a ⊙ exp(Xb)) bᵀ.
	var xb, e mat.VecDense
	xb.MulVec(X, b)
	e.MulElemVec(a, expVec(&xb))
	want.Reset()
	want.Outer(1, &e, b)
	ExpMixGrad(a, X, b, got)
	check(t, "ExpMix", got, &want)

	// ∂tr(AB)/∂A = Bᵀ, ∂tr(AB)/∂B = Aᵀ.
	A, B := randDense(rng, m, n), randDense(rng, n, m)
	dA, dB := mat.NewDense(m, n, nil), mat.NewDense(n, m, nil)
	TraceABGrad(A, B, dA, dB)
	check(t, "TraceAB ∂A", dA, mat.DenseCopyOf(B.T()))
	check(t, "TraceAB ∂B", dB, mat.DenseCopyOf(A.T()))

	// ∂tr(WᵀAW)/∂W = (A + Aᵀ) W.
	Sq, W := randDense(rng, n, n), randDense(rng, n, k)
	var sum mat.Dense
	sum.Add(Sq, Sq.T())
	want.Reset()
	want.Mul(&sum, W)
	dW := mat.NewDense(n, k, nil)
	QuadTraceGrad(Sq, W, dW)
	check(t, "QuadTrace", dW, &want)

	// ∂tr(BᵀXᵀCXB)/∂X = (C + Cᵀ) X B Bᵀ.
	Bs, C := randDense(rng, n, p), randDense(rng, m, m)
	sum.Reset()
	sum.Add(C, C.T())
	var cx, cxb mat.Dense
	cx.Mul(&sum, X)
	cxb.Mul(&cx, Bs)
	want.Reset()
	want.Mul(&cxb, Bs.T())
	dX := mat.NewDense(m, n, nil)
	SandwichGrad(Bs, X, C, dX)
	check(t, "Sandwich", dX, &want)
}

func expVec(v *mat.VecDense) *mat.VecDense {
	out := mat.VecDenseCopyOf(v)
	for i := 0; i < out.Len(); i++ {
		out.SetVec(i, math.Exp(out.AtVec(i)))
	}
	return out
}

func check(t *testing.T, name string, got, want mat.Matrix) {
	t.Helper()
	if !mat.EqualApprox(got, want, 1e-12) {
		t.Errorf("%s: got\n%v\nwant\n%v", name, mat.Formatted(got), mat.Formatted(want))
	}
}

// TestWorkedExamplesPrinted checks the derived gradients print in the
// textbook forms.
func TestWorkedExamplesPrinted(t *testing.T) {
	fns := corpus(t)
	tests := []struct {
		fn   string
		want []string
	}{
		{"Bilinear", []string{"a b'"}},
		{"ExpMix", []string{"(a .* exp(X b)) b'"}},
		{"TraceAB", []string{"B'", "A'"}},
		{"QuadTrace", []string{"(A + A') W"}},
		{"Sandwich", []string{"(C + C') X B B'"}},
	}
	for _, tt := range tests {
		fn := fns[tt.fn]
		for k, g := range fn.Grads {
			if got := derive.Format(g, derive.Plain, fn.Names); got != tt.want[k] {
				t.Errorf("%s: ∂f/∂%s = %s, want %s", tt.fn, fn.Wrt[k].Name, got, tt.want[k])
			}
		}
	}
}
