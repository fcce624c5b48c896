package main

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// reference computes the loss by hand, row by row: hⱼ = tanh(Σₗ xₗ W1ₗⱼ +
// b1ⱼ), rₘ = Σⱼ hⱼ W2ⱼₘ + b2ₘ − yₘ, f = ½ Σ r².
func reference(X, Y, W1 *mat.Dense, b1 *mat.VecDense, W2 *mat.Dense, b2 *mat.VecDense) float64 {
	rows, cols := X.Dims()
	_, hidden := W1.Dims()
	_, outs := W2.Dims()
	f := 0.0
	act := make([]float64, hidden)
	for i := 0; i < rows; i++ {
		for j := range act {
			s := b1.AtVec(j)
			for l := 0; l < cols; l++ {
				s += X.At(i, l) * W1.At(l, j)
			}
			act[j] = math.Tanh(s)
		}
		for m := 0; m < outs; m++ {
			r := b2.AtVec(m) - Y.At(i, m)
			for j, a := range act {
				r += a * W2.At(j, m)
			}
			f += 0.5 * r * r
		}
	}
	return f
}

// randomPoint returns packed weights and biases with normal entries.
func randomPoint(rng *rand.Rand) []float64 {
	x := make([]float64, d*h+h+h*o+o)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// TestLossGradFiniteDifferences checks Loss against the hand-computed
// reference (each bias added to every row) and the generated gradient, with
// respect to all of W1, b1, W2 and b2, against central finite differences,
// at a random point.
func TestLossGradFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	X, Y := synthetic(30, rng)
	x := randomPoint(rng)
	W1, b1, W2, b2 := LossUnpack(x, X, Y, h)
	want := reference(X, Y, W1, b1, W2, b2)
	if got := Loss(X, Y, W1, b1, W2, b2); math.Abs(got-want) > 1e-12*want {
		t.Errorf("Loss = %.17g, reference %.17g", got, want)
	}
	grad := make([]float64, len(x))
	dW1, db1, dW2, db2 := LossUnpack(grad, X, Y, h)
	if got := LossGrad(X, Y, W1, b1, W2, b2, dW1, db1, dW2, db2); math.Abs(got-want) > 1e-12*want {
		t.Errorf("LossGrad = %.17g, reference %.17g", got, want)
	}
	numeric := fd.Gradient(nil, func(x []float64) float64 {
		return reference(X, Y, mat.NewDense(d, h, x[:d*h]), mat.NewVecDense(h, x[d*h:d*h+h]),
			mat.NewDense(h, o, x[d*h+h:d*h+h+h*o]), mat.NewVecDense(o, x[d*h+h+h*o:]))
	}, x, &fd.Settings{Formula: fd.Central})
	for i := range numeric {
		if math.Abs(grad[i]-numeric[i]) > 1e-6*math.Max(1, math.Abs(numeric[i])) {
			t.Errorf("gradient entry %d = %.10g, finite differences %.10g", i, grad[i], numeric[i])
		}
	}
}

// TestTrain runs the example's brief LBFGS training and checks that it fits
// the targets, offset included, closely.
func TestTrain(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	X, Y := synthetic(n, rng)
	start := initial(rng)
	before := LossProblem(X, Y, h).Func(start)
	res, err := train(X, Y, start, iterations)
	if err != nil {
		t.Fatal(err)
	}
	if !(res.F < before/1000) {
		t.Errorf("loss %v after training, %v at the start: want a thousandfold drop", res.F, before)
	}
	if rms := math.Sqrt(2 * res.F / n); !(rms < 0.05) {
		t.Errorf("RMS error %v after training, want < 0.05", rms)
	}
	t.Logf("LBFGS: %v after %d iterations, loss %.6g (start %.6g)", res.Status, res.Stats.MajorIterations, res.F, before)
}
