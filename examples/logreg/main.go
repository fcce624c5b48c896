// Command logreg trains a logistic-regression classifier on synthetic data
// with the gradient gradgen generates from logreg.yaml.
package main

//go:generate go run ../../cmd/gradgen -o logreg_grad.go logreg.yaml

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

const (
	n, d   = 500, 5
	lambda = 1e-2
)

func main() {
	X, y := synthetic(n, d, rand.New(rand.NewPCG(1, 2)))
	w, _ := train(X, y, lambda, 2000, func(iter int, loss float64, grad *mat.VecDense) {
		if iter%500 == 0 {
			fmt.Printf("iteration %4d: loss %.6f, |grad| %.2e\n", iter, loss, mat.Norm(grad, 2))
		}
	})
	fmt.Printf("trained weights %.3f\ntraining accuracy %.1f%%\n", mat.Formatted(w.T()), 100*accuracy(X, y, w))
}

// synthetic returns n points in d dimensions with labels ±1 given by a fixed
// linear rule plus a little noise.
func synthetic(n, d int, rng *rand.Rand) (*mat.Dense, *mat.VecDense) {
	truth := []float64{2, -1, 0.5, 0, 1}
	X := mat.NewDense(n, d, nil)
	y := mat.NewVecDense(n, nil)
	for i := 0; i < n; i++ {
		score := 0.0
		for j := 0; j < d; j++ {
			X.Set(i, j, rng.NormFloat64())
			score += X.At(i, j) * truth[j%len(truth)]
		}
		if score+0.3*rng.NormFloat64() > 0 {
			y.SetVec(i, 1)
		} else {
			y.SetVec(i, -1)
		}
	}
	return X, y
}

// train runs iters steps of gradient descent on Loss from w = 0 and returns
// the weights and the loss at the last gradient evaluation. progress, if
// not nil, sees every iteration's loss and gradient.
func train(X *mat.Dense, y *mat.VecDense, lambda float64, iters int, progress func(iter int, loss float64, grad *mat.VecDense)) (*mat.VecDense, float64) {
	rows, cols := X.Dims()
	w := mat.NewVecDense(cols, nil)
	grad := mat.NewVecDense(cols, nil)
	step := 4.0 / float64(rows)
	var loss float64
	for iter := 0; iter <= iters; iter++ {
		loss = LossGrad(X, y, w, lambda, grad)
		if progress != nil {
			progress(iter, loss, grad)
		}
		w.AddScaledVec(w, -step, grad)
	}
	return w, loss
}

// accuracy returns the fraction of points whose label sign(x'w) predicts.
func accuracy(X *mat.Dense, y *mat.VecDense, w *mat.VecDense) float64 {
	var z mat.VecDense
	z.MulVec(X, w)
	correct := 0
	for i := 0; i < y.Len(); i++ {
		if z.AtVec(i)*y.AtVec(i) > 0 {
			correct++
		}
	}
	return float64(correct) / float64(y.Len())
}
