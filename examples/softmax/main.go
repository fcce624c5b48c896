// Command softmax trains a multinomial logistic-regression (softmax)
// classifier on synthetic data: gonum/optimize's LBFGS minimises the loss
// of softmax.yaml through the generated LossProblem.
package main

//go:generate go run ../../cmd/gradgen -o softmax_grad.go softmax.yaml

import (
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

const n, d, k = 600, 2, 3

func main() {
	X, Y := synthetic(n, rand.New(rand.NewPCG(1, 2)))
	W, b, res, err := train(X, Y)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("LBFGS: %v after %d iterations, loss %.6f (%.6f at zero weights)\n",
		res.Status, res.Stats.MajorIterations, res.F, Loss(X, Y, mat.NewDense(d, k, nil), mat.NewVecDense(k, nil)))
	fmt.Printf("weights\n%.3f\nbiases %.3f\n", mat.Formatted(W), mat.Formatted(b.T()))
	fmt.Printf("training accuracy %.1f%%\n", 100*accuracy(X, Y, W, b))
}

// centres are the means of the k classes in the plane, 120° apart: the
// clouds around them (unit normal noise) overlap, so the data are not
// separable and the loss has a finite minimiser.
var centres = [k][d]float64{{2, 0}, {-1, math.Sqrt(3)}, {-1, -math.Sqrt(3)}}

// synthetic returns n points, the class of each drawn uniformly, with Y its
// one-hot labels.
func synthetic(n int, rng *rand.Rand) (X, Y *mat.Dense) {
	X, Y = mat.NewDense(n, d, nil), mat.NewDense(n, k, nil)
	for i := 0; i < n; i++ {
		c := rng.IntN(k)
		for j := 0; j < d; j++ {
			X.Set(i, j, centres[c][j]+rng.NormFloat64())
		}
		Y.Set(i, c, 1)
	}
	return X, Y
}

// train minimises Loss over W and b with LBFGS from zero and returns the
// optimum as W and b (views of res.X) and the optimiser's result.
func train(X, Y *mat.Dense) (W *mat.Dense, b *mat.VecDense, res *optimize.Result, err error) {
	p := LossProblem(X, Y)
	res, err = optimize.Minimize(p, make([]float64, d*k+k),
		&optimize.Settings{GradientThreshold: 1e-8}, &optimize.LBFGS{})
	if err != nil {
		return nil, nil, nil, err
	}
	W, b = LossUnpack(res.X, X, Y)
	return W, b, res, nil
}

// accuracy returns the fraction of rows of X whose largest logit X W + b
// is at the class Y marks.
func accuracy(X, Y, W *mat.Dense, b *mat.VecDense) float64 {
	var Z mat.Dense
	Z.Mul(X, W)
	rows, classes := Y.Dims()
	correct := 0
	for i := 0; i < rows; i++ {
		best, label := 0, 0
		for j := 0; j < classes; j++ {
			if Z.At(i, j)+b.AtVec(j) > Z.At(i, best)+b.AtVec(best) {
				best = j
			}
			if Y.At(i, j) == 1 {
				label = j
			}
		}
		if best == label {
			correct++
		}
	}
	return float64(correct) / float64(rows)
}
