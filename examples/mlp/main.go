// Command mlp fits a one-hidden-layer tanh network with biases to a smooth
// function of two inputs: gonum/optimize's LBFGS minimises the squared error
// of mlp.yaml through the generated LossProblem, for a few hundred
// iterations.
package main

//go:generate go run ../../cmd/gradgen -o mlp_grad.go mlp.yaml

import (
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

const (
	n, d, h, o = 200, 2, 12, 1
	iterations = 300
)

func main() {
	rng := rand.New(rand.NewPCG(1, 2))
	X, Y := synthetic(n, rng)
	start := initial(rng)
	res, err := train(X, Y, start, iterations)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("LBFGS: %v after %d iterations: loss %.6f, from %.6f at the start\n",
		res.Status, res.Stats.MajorIterations, res.F, LossProblem(X, Y, h).Func(start))
	fmt.Printf("RMS error %.4f on %d points\n", math.Sqrt(2*res.F/n), n)
}

// target is the function the network learns; its offset gives the biases
// work to do.
func target(x1, x2 float64) float64 { return math.Sin(2*x1) + 0.5*x2*x2 + 3 }

// synthetic returns n inputs drawn uniformly from [-1.5, 1.5]² and their
// targets.
func synthetic(n int, rng *rand.Rand) (X, Y *mat.Dense) {
	X, Y = mat.NewDense(n, d, nil), mat.NewDense(n, o, nil)
	for i := 0; i < n; i++ {
		x1, x2 := 3*rng.Float64()-1.5, 3*rng.Float64()-1.5
		X.Set(i, 0, x1)
		X.Set(i, 1, x2)
		Y.Set(i, 0, target(x1, x2))
	}
	return X, Y
}

// initial returns packed starting weights (W1, b1, W2, b2 in LossUnpack's
// order): W1 and W2 with normal entries scaled by 1/√fan-in, which breaks
// the symmetry between hidden units, and zero biases.
func initial(rng *rand.Rand) []float64 {
	x := make([]float64, d*h+h+h*o+o)
	W1, _, W2, _ := LossUnpack(x, mat.NewDense(1, d, nil), mat.NewDense(1, o, nil), h)
	for _, w := range []*mat.Dense{W1, W2} {
		rows, cols := w.Dims()
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				w.Set(i, j, rng.NormFloat64()/math.Sqrt(float64(rows)))
			}
		}
	}
	return x
}

// train runs at most iters LBFGS iterations on Loss from the packed
// weights start (left unchanged) and returns the optimiser's result.
func train(X, Y *mat.Dense, start []float64, iters int) (*optimize.Result, error) {
	return optimize.Minimize(LossProblem(X, Y, h), start,
		&optimize.Settings{MajorIterations: iters, GradientThreshold: 1e-8}, &optimize.LBFGS{})
}
