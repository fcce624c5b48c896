package runtime

import "fmt"

// CheckLength panics with a *ShapeError unless the packed variables x
// have the length want.
func CheckLength(fn string, x []float64, want int) {
	if len(x) != want {
		panic(&ShapeError{Func: fn, Arg: "x", Vector: true, Got: fmt.Sprint(len(x)), Want: fmt.Sprint(want)})
	}
}

// PackSymmetricGradient turns the gradient of a symmetric n×n variable,
// written by a generated FGrad into the upper triangle of g (row-major,
// n×n), into the gradient with respect to the packed entries themselves:
// an off-diagonal entry of the upper triangle stands for two entries of
// the matrix, so its derivative doubles, and the lower triangle, which the
// function never reads, has derivative 0.
func PackSymmetricGradient(g []float64, n int) {
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			g[i*n+j] = 0
		}
		for j := i + 1; j < n; j++ {
			g[i*n+j] *= 2
		}
	}
}
