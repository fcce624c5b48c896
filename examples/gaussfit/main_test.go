package main

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// randomSPD returns A A' + n I for a random n×n A.
func randomSPD(n int, rng *rand.Rand) *mat.SymDense {
	A := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			A.Set(i, j, rng.NormFloat64())
		}
	}
	S := mat.NewSymDense(n, nil)
	S.SymOuterK(1, A)
	for i := 0; i < n; i++ {
		S.SetSym(i, i, S.At(i, i)+float64(n))
	}
	return S
}

// checkProblem compares p.Grad with central finite differences of p.Func at x.
func checkProblem(t *testing.T, name string, p optimize.Problem, x []float64) {
	t.Helper()
	got := make([]float64, len(x))
	p.Grad(got, x)
	want := fd.Gradient(nil, p.Func, x, &fd.Settings{Formula: fd.Central})
	for i := range want {
		if diff := math.Abs(got[i] - want[i]); diff > 1e-6*math.Max(1, math.Abs(want[i])) {
			t.Errorf("%s: gradient entry %d = %.10g, finite differences %.10g", name, i, got[i], want[i])
		}
	}
}

// TestGradFiniteDifferences checks both generated gradients against central
// finite differences at random points, directly and through the generated
// Problem adapters.
func TestGradFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 4
	S, C := randomSPD(n, rng), randomSPD(n, rng)

	// GaussNLLGrad returns the symmetric gradient G = (∂f/∂S + ∂f/∂S')/2:
	// moving the stored entry S[i][j] = S[j][i] changes f at the rate G[i][i]
	// on the diagonal and 2 G[i][j] off it.
	dS := mat.NewSymDense(n, nil)
	f := GaussNLLGrad(S, C, dS)
	if want := GaussNLL(S, C); math.Abs(f-want) > 1e-12*math.Abs(want) {
		t.Errorf("GaussNLLGrad value %v, GaussNLL %v", f, want)
	}
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			entry := func(x []float64) float64 {
				T := mat.NewSymDense(n, nil)
				T.CopySym(S)
				T.SetSym(i, j, x[0])
				return GaussNLL(T, C)
			}
			want := fd.Derivative(func(v float64) float64 { return entry([]float64{v}) }, S.At(i, j),
				&fd.Settings{Formula: fd.Central})
			got := dS.At(i, j)
			if i != j {
				got *= 2
			}
			if math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Errorf("GaussNLLGrad: d f / d S[%d][%d] = %.10g, finite differences %.10g", i, j, got, want)
			}
		}
	}
	// Through the adapter, S is packed as n² entries of which the upper
	// triangle counts: finite differences see the doubling and the zeros.
	packed := mat.NewDense(n, n, nil)
	packed.Copy(S)
	checkProblem(t, "GaussNLLProblem", GaussNLLProblem(C), packed.RawMatrix().Data)

	L := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			L.Set(i, j, rng.NormFloat64())
		}
	}
	checkProblem(t, "FactorNLLProblem", FactorNLLProblem(C), L.RawMatrix().Data)
}

// TestClosedFormOptimum checks that the gradient vanishes at S = C, where
// f = logdet(C) + n, and that moving away from C increases f.
func TestClosedFormOptimum(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 5
	C := randomSPD(n, rng)
	dS := mat.NewSymDense(n, nil)
	f := GaussNLLGrad(C, C, dS)
	if norm := mat.Norm(dS, 2); norm > 1e-12 {
		t.Errorf("|∂f/∂S| = %.3g at S = C, want 0", norm)
	}
	if want := logdet(C) + n; math.Abs(f-want) > 1e-12*math.Abs(want) {
		t.Errorf("f(C) = %v, want logdet(C) + n = %v", f, want)
	}
	for k := 0; k < 10; k++ {
		S := mat.NewSymDense(n, nil)
		S.AddSym(C, randomSPD(n, rng))
		S.ScaleSym(0.5, S)
		if GaussNLL(S, C) <= f {
			t.Errorf("f(%v) = %v ≤ f(C) = %v", mat.Formatted(S), GaussNLL(S, C), f)
		}
	}
}

func logdet(S *mat.SymDense) float64 {
	var chol mat.Cholesky
	if !chol.Factorize(S) {
		panic("not positive definite")
	}
	return chol.LogDet()
}

// TestFit checks that LBFGS through FactorNLLProblem reaches the
// closed-form maximum-likelihood covariance, the sample covariance.
func TestFit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		truth *mat.SymDense
		n     int
	}{
		{"main", trueCovariance(), 5000},
		{"random 6×6", randomSPD(6, rand.New(rand.NewPCG(7, 8))), 300},
		{"few samples", trueCovariance(), 8},
	} {
		C := sampleCovariance(tc.truth, tc.n, rand.New(rand.NewPCG(1, 2)))
		S, res, err := fit(C)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if diff := maxAbsDiff(S, C); diff > 1e-6 {
			t.Errorf("%s: max |S - C| = %.3g, want ≤ 1e-6", tc.name, diff)
		}
		if want := GaussNLL(C, C); math.Abs(res.F-want) > 1e-12*math.Abs(want) {
			t.Errorf("%s: f = %.15g at the fit, %.15g at C", tc.name, res.F, want)
		}
		t.Logf("%s: %v after %d iterations, max |S - C| = %.1e", tc.name, res.Status, res.Stats.MajorIterations, maxAbsDiff(S, C))
	}
}
