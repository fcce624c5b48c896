package main

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// TestLossGradFiniteDifferences checks the generated gradient against
// central finite differences at a random point.
func TestLossGradFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	X, y := synthetic(40, 5, rng)
	const lambda = 0.3
	w := mat.NewVecDense(5, nil)
	for i := 0; i < w.Len(); i++ {
		w.SetVec(i, rng.NormFloat64())
	}
	got := mat.NewVecDense(5, nil)
	f := LossGrad(X, y, w, lambda, got)
	if want := Loss(X, y, w, lambda); math.Abs(f-want) > 1e-12*math.Abs(want) {
		t.Errorf("LossGrad value %v, Loss %v", f, want)
	}
	want := fd.Gradient(nil, func(x []float64) float64 {
		return Loss(X, y, mat.NewVecDense(len(x), x), lambda)
	}, mat.Col(nil, 0, w), &fd.Settings{Formula: fd.Central})
	for i := range want {
		if diff := math.Abs(got.AtVec(i) - want[i]); diff > 1e-6*math.Max(1, math.Abs(want[i])) {
			t.Errorf("∂f/∂w[%d] = %.10g, finite differences %.10g", i, got.AtVec(i), want[i])
		}
	}
}

// TestTrain checks that gradient descent fits the synthetic data.
func TestTrain(t *testing.T) {
	X, y := synthetic(n, d, rand.New(rand.NewPCG(1, 2)))
	start := Loss(X, y, mat.NewVecDense(d, nil), lambda)
	w, loss := train(X, y, lambda, 2000, nil)
	if !(loss < start/5) {
		t.Errorf("loss %v after training, %v at w = 0", loss, start)
	}
	if acc := accuracy(X, y, w); acc < 0.9 {
		t.Errorf("training accuracy %.1f%%, want ≥ 90%%", 100*acc)
	}
}

// TestLBFGS minimises the loss with gonum/optimize through the generated
// LossProblem adapter, to a vanishing gradient, and checks that the optimum
// is at least as good as gradient descent's and classifies as well.
func TestLBFGS(t *testing.T) {
	X, y := synthetic(n, d, rand.New(rand.NewPCG(1, 2)))
	p := LossProblem(X, y, lambda)
	res := minimize(t, p, &optimize.LBFGS{})
	grad := make([]float64, d)
	p.Grad(grad, res.X)
	if norm := floats.Norm(grad, 2); norm >= 1e-6 {
		t.Errorf("LBFGS stopped (%v) at |grad| = %.3g, want < 1e-6", res.Status, norm)
	}
	_, gd := train(X, y, lambda, 2000, nil)
	if res.F > gd+1e-9 {
		t.Errorf("LBFGS loss %v, gradient descent reached %v", res.F, gd)
	}
	w := LossUnpack(res.X, X, y, lambda)
	if acc := accuracy(X, y, w); acc < 0.9 {
		t.Errorf("training accuracy at the LBFGS optimum %.1f%%, want ≥ 90%%", 100*acc)
	}
	t.Logf("LBFGS: %v after %d iterations, loss %.9f, |grad| %.2e", res.Status, res.Stats.MajorIterations, res.F, floats.Norm(grad, 2))
}

// TestNewton minimises the loss with gonum's Newton method, whose Hessians
// come from the generated LossHessian through LossProblem's Hess: it must
// reach the LBFGS optimum in far fewer iterations.
func TestNewton(t *testing.T) {
	X, y := synthetic(n, d, rand.New(rand.NewPCG(1, 2)))
	p := LossProblem(X, y, lambda)
	if p.Hess == nil {
		t.Fatal("LossProblem has no Hess")
	}
	newton := minimize(t, p, &optimize.Newton{})
	lbfgs := minimize(t, p, &optimize.LBFGS{})
	if math.Abs(newton.F-lbfgs.F) > 1e-9*math.Max(1, math.Abs(lbfgs.F)) {
		t.Errorf("Newton loss %.12g, LBFGS %.12g", newton.F, lbfgs.F)
	}
	if newton.Stats.MajorIterations >= lbfgs.Stats.MajorIterations {
		t.Errorf("Newton took %d iterations, LBFGS %d: the Hessian is not helping", newton.Stats.MajorIterations, lbfgs.Stats.MajorIterations)
	}
	t.Logf("Newton: %v after %d iterations (LBFGS %d), loss %.12g", newton.Status, newton.Stats.MajorIterations, lbfgs.Stats.MajorIterations, newton.F)
}

// minimize minimises p from w = 0 by method to a gradient below 1e-9. A
// line search that fails on the way is accepted once the gradient is
// below 1e-6: there the loss decreases by less than its rounding error
// (about 1e-14 of 40), so whether the search can go on depends on the
// last bits of the loss and the gradient, which differ as the work is cut
// into parts differently (runtime.Parts under -tags gradgensplit).
func minimize(t *testing.T, p optimize.Problem, method optimize.Method) *optimize.Result {
	t.Helper()
	res, err := optimize.Minimize(p, make([]float64, d), &optimize.Settings{GradientThreshold: 1e-9}, method)
	if err != nil {
		grad := make([]float64, d)
		p.Grad(grad, res.X)
		if norm := floats.Norm(grad, 2); norm >= 1e-6 {
			t.Fatalf("%v at |grad| = %.3g", err, norm)
		}
		t.Logf("%v at |grad| = %.3g, below 1e-6", err, floats.Norm(grad, 2))
	}
	return res
}
