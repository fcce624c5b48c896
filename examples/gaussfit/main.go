// Command gaussfit fits the covariance of a zero-mean multivariate Gaussian
// to samples by maximum likelihood, minimising the negative log-likelihood
// gradgen generates from gaussfit.yaml with gonum/optimize's LBFGS.
//
// The covariance is written as S = L L' and the fit runs over L, where the
// problem is unconstrained: every invertible L gives a positive definite S.
// The maximum-likelihood covariance is known in closed form, the sample
// covariance C, so the fit can be checked against it.
package main

//go:generate go run ../../cmd/gradgen -o gaussfit_grad.go gaussfit.yaml

import (
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

func main() {
	truth := trueCovariance()
	C := sampleCovariance(truth, 5000, rand.New(rand.NewPCG(1, 2)))
	S, res, err := fit(C)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("LBFGS: %v after %d iterations (%d gradient evaluations), f = %.9f\n",
		res.Status, res.Stats.MajorIterations, res.Stats.GradEvaluations, res.F)
	fmt.Printf("true covariance\n%.4f\n", mat.Formatted(truth))
	fmt.Printf("fitted covariance L L'\n%.4f\n", mat.Formatted(S))
	fmt.Printf("max |fitted - sample covariance| = %.1e (the closed-form optimum)\n", maxAbsDiff(S, C))
	fmt.Printf("max |fitted - true covariance|   = %.1e (sampling error)\n", maxAbsDiff(S, truth))
	dS := mat.NewSymDense(S.SymmetricDim(), nil)
	GaussNLLGrad(S, C, dS)
	fmt.Printf("|∂f/∂S| at the fit = %.1e\n", mat.Norm(dS, 2))
}

// trueCovariance returns the covariance the samples are drawn from.
func trueCovariance() *mat.SymDense {
	return mat.NewSymDense(4, []float64{
		4.0, 1.2, -0.8, 0.4,
		1.2, 2.0, 0.3, -0.3,
		-0.8, 0.3, 1.0, 0.1,
		0.4, -0.3, 0.1, 0.5,
	})
}

// sampleCovariance draws n samples from the zero-mean Gaussian with
// covariance cov and returns their covariance (1/n) Σ xᵢ xᵢ'.
func sampleCovariance(cov *mat.SymDense, n int, rng *rand.Rand) *mat.SymDense {
	var chol mat.Cholesky
	if !chol.Factorize(cov) {
		panic("gaussfit: covariance is not positive definite")
	}
	var L mat.TriDense
	chol.LTo(&L)
	d := cov.SymmetricDim()
	C := mat.NewSymDense(d, nil)
	z, x := mat.NewVecDense(d, nil), mat.NewVecDense(d, nil)
	for k := 0; k < n; k++ {
		for i := 0; i < d; i++ {
			z.SetVec(i, rng.NormFloat64())
		}
		x.MulVec(&L, z) // x ~ N(0, L L') = N(0, cov)
		C.SymRankOne(C, 1/float64(n), x)
	}
	return C
}

// fit minimises FactorNLL over L with LBFGS, from L = I, and returns the
// fitted covariance S = L L'.
func fit(C *mat.SymDense) (*mat.SymDense, *optimize.Result, error) {
	d := C.SymmetricDim()
	x0 := make([]float64, d*d)
	for i := 0; i < d; i++ {
		x0[i*d+i] = 1
	}
	// f is about logdet(C) + n, so rounding hides changes of f below about
	// 1e-15 and line searches stall once |∇f| nears √1e-15 ≈ 3e-8 times the
	// curvature; stop at 1e-8, which puts S within about 1e-8 of C.
	res, err := optimize.Minimize(FactorNLLProblem(C), x0,
		&optimize.Settings{GradientThreshold: 1e-8}, &optimize.LBFGS{})
	// A line search that stalls at rounding level, with the gradient already
	// tiny, has found the optimum all the same.
	if err != nil && (res == nil || floats.Norm(res.Gradient, math.Inf(1)) > 1e-6) {
		return nil, res, err
	}
	L := FactorNLLUnpack(res.X, C)
	S := mat.NewSymDense(d, nil)
	S.SymOuterK(1, L)
	return S, res, nil
}

// maxAbsDiff returns the largest entry of |a - b|.
func maxAbsDiff(a, b mat.Matrix) float64 {
	r, c := a.Dims()
	m := 0.0
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m = math.Max(m, math.Abs(a.At(i, j)-b.At(i, j)))
		}
	}
	return m
}
