// Command logreg trains a logistic-regression classifier on synthetic data
// with the gradient gradgen generates from logreg.yaml.
package main

//go:generate go run ../../cmd/gradgen -o logreg_grad.go logreg.yaml

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

func main() {
	const n, d, lambda = 500, 5, 1e-2
	rng := rand.New(rand.NewPCG(1, 2))
	truth := mat.NewVecDense(d, []float64{2, -1, 0.5, 0, 1})
	X := mat.NewDense(n, d, nil)
	y := mat.NewVecDense(n, nil)
	for i := 0; i < n; i++ {
		score := 0.0
		for j := 0; j < d; j++ {
			X.Set(i, j, rng.NormFloat64())
			score += X.At(i, j) * truth.AtVec(j)
		}
		if score+0.3*rng.NormFloat64() > 0 {
			y.SetVec(i, 1)
		} else {
			y.SetVec(i, -1)
		}
	}

	w := mat.NewVecDense(d, nil)
	grad := mat.NewVecDense(d, nil)
	const step = 1.0 / n
	var loss float64
	for iter := 0; iter <= 2000; iter++ {
		loss = LossGrad(X, y, w, lambda, grad)
		w.AddScaledVec(w, -step*4, grad)
		if iter%500 == 0 {
			fmt.Printf("iteration %4d: loss %.6f, |grad| %.2e\n", iter, loss, mat.Norm(grad, 2))
		}
	}
	correct := 0
	var z mat.VecDense
	z.MulVec(X, w)
	for i := 0; i < n; i++ {
		if z.AtVec(i)*y.AtVec(i) > 0 {
			correct++
		}
	}
	fmt.Printf("trained weights %.3f\ntraining accuracy %.1f%%\n", mat.Formatted(w.T()), 100*float64(correct)/n)
}
