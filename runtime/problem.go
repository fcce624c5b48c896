package runtime

import (
	"fmt"
	"math"
)

// CheckPacked panics with a *ShapeError unless the packed variables x have
// the length Σ rows×cols over shapes, given as (rows, cols) pairs of
// dimensions already checked to be at least 1 (CheckDim). The sum is
// formed without overflow: dimensions passed as int parameters whose total
// an int cannot hold are a mismatch, never a wrapped number that happens
// to equal len(x).
func CheckPacked(fn string, x []float64, shapes ...int) {
	total := 0
	for k := 0; k+1 < len(shapes); k += 2 {
		rows, cols := shapes[k], shapes[k+1]
		if rows > (math.MaxInt-total)/cols {
			panic(&ShapeError{Func: fn, Arg: "x", Vector: true, Got: fmt.Sprint(len(x)), Want: "a total size past the largest int"})
		}
		total += rows * cols
	}
	if len(x) != total {
		panic(&ShapeError{Func: fn, Arg: "x", Vector: true, Got: fmt.Sprint(len(x)), Want: fmt.Sprint(total)})
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
