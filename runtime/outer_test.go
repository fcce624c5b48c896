package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// TestOuterTo checks OuterTo against a cleared destination and
// blas64.Ger, entry for entry (−0 and +0 alike, NaN for NaN), with
// strided vectors and destinations, α = 0 and non-finite entries, and that
// it writes nothing outside the destination's columns.
func TestOuterTo(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	vec := func(n, inc int) blas64.Vector {
		v := blas64.Vector{N: n, Inc: inc, Data: make([]float64, (n-1)*inc+1)}
		for i := range v.Data {
			v.Data[i] = rng.NormFloat64()
		}
		return v
	}
	tests := []struct {
		name            string
		rows, cols      int
		incX, incY, pad int
		alpha           float64
		special         []float64 // written into x and y
	}{
		{"square, Ger's path (scalar)", 5, 5, 1, 1, 0, 1, nil},
		{"narrow, Ger's path", 6, 3, 1, 1, 1, 2, nil},
		{"sixteen and a tail", 4, 19, 2, 1, 1, 1, []float64{math.NaN(), math.Inf(-1)}},
		{"square, by rows", 40, 40, 1, 1, 0, 1, nil},
		{"by rows, padded and non-finite", 5, 33, 1, 1, 2, 1, []float64{math.Inf(1), math.NaN(), 0, math.Copysign(0, -1), 1e308}},
		{"wide, scaled", 3, 70, 1, 1, 0, -2.5, nil},
		{"tall, strided x", 40, 3, 3, 1, 2, 0.5, nil},
		{"strided y: Ger's path", 6, 7, 1, 2, 1, 1, nil},
		{"alpha zero", 4, 6, 1, 1, 0, 0, []float64{math.Inf(1)}},
		{"non-finite", 4, 6, 1, 1, 3, 1, []float64{math.Inf(1), math.NaN(), 0, math.Copysign(0, -1), 1e308}},
		{"one entry", 1, 1, 1, 1, 0, 3, nil},
		{"empty", 0, 4, 1, 1, 0, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y := vec(max(tt.rows, 1), tt.incX), vec(tt.cols, tt.incY)
			x.N = tt.rows
			for k, v := range tt.special {
				x.Data[k%len(x.Data)], y.Data[(k+1)%len(y.Data)] = v, v
			}
			stride := tt.cols + tt.pad
			got := blas64.General{Rows: tt.rows, Cols: tt.cols, Stride: stride, Data: make([]float64, max(tt.rows*stride, 1))}
			want := blas64.General{Rows: tt.rows, Cols: tt.cols, Stride: stride, Data: make([]float64, len(got.Data))}
			for i := range got.Data {
				got.Data[i], want.Data[i] = 7, 7
			}
			OuterTo(got, tt.alpha, x, y)
			ZeroMatrix(want)
			blas64.Ger(tt.alpha, x, y, want)
			for k := range want.Data {
				g, w := got.Data[k], want.Data[k]
				if g != w && !(math.IsNaN(g) && math.IsNaN(w)) {
					t.Fatalf("entry %d (row %d, column %d) is %v, want %v", k, k/stride, k%stride, g, w)
				}
			}
		})
	}
}

// TestOuterRowsKernel checks the outer kernel in use (outerRowsVec in a
// vector build on a CPU that runs it) against outerRows bit for bit, −0 and
// NaN payloads included, at every column count from 1 to 40 (the sixteen-
// and four-column steps and each scalar tail), in 5 rows and in 300 (a
// vector build writes the first in column panels, the second, from 20
// columns, row by row), with strided x and padded rows, and that it writes
// nothing in the padding.
func TestOuterRowsKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	special := []float64{math.Inf(1), math.Inf(-1), math.NaN(), 0, math.Copysign(0, -1), 1e308, 5e-324}
	for cols := 1; cols <= 40; cols++ {
		for _, shape := range []struct{ rows, incX int }{{5, 1}, {5, 3}, {300, 1}, {300, 2}} {
			rows, incX := shape.rows, shape.incX
			const pad = 3
			stride := cols + pad
			x := make([]float64, (rows-1)*incX+1)
			y := make([]float64, cols)
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			for j := range y {
				y[j] = rng.NormFloat64()
				if rng.IntN(4) == 0 {
					y[j] = special[rng.IntN(len(special))]
				}
			}
			x[0] = math.Copysign(0, -1)
			got := make([]float64, rows*stride)
			want := make([]float64, rows*stride)
			for i := range got {
				got[i], want[i] = 7, 7
			}
			kernels.outer(got, stride, rows, -1.5, x, incX, y)
			outerRows(want, stride, rows, -1.5, x, incX, y)
			for k := range want {
				if math.Float64bits(got[k]) != math.Float64bits(want[k]) {
					t.Fatalf("%d rows, cols %d, incX %d: entry %d (row %d, column %d) is %v (%#x), want %v (%#x)",
						rows, cols, incX, k, k/stride, k%stride, got[k], math.Float64bits(got[k]), want[k], math.Float64bits(want[k]))
				}
			}
		}
	}
}

// TestOuterToNoRows checks that a destination with no rows is left as it
// is, whatever its columns (the vector kernel's scalar tail sliced past an
// empty dst at 17 columns: review 65).
func TestOuterToNoRows(t *testing.T) {
	for _, cols := range []int{1, 4, 16, 17, 33, 40} {
		y := blas64.Vector{N: cols, Inc: 1, Data: make([]float64, cols)}
		OuterTo(blas64.General{Rows: 0, Cols: cols, Stride: cols}, 1.5, blas64.Vector{Inc: 1}, y)
	}
}

// TestOuterToPanics checks the shape panic.
func TestOuterToPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("OuterTo of a 3-vector into 2 rows did not panic")
		}
	}()
	OuterTo(blas64.General{Rows: 2, Cols: 2, Stride: 2, Data: make([]float64, 4)}, 1,
		blas64.Vector{N: 3, Inc: 1, Data: make([]float64, 3)}, blas64.Vector{N: 2, Inc: 1, Data: make([]float64, 2)})
}

// outerOperands returns an n×n destination and two n-vectors for the
// OuterTo benchmarks.
func outerOperands(n int) (dst blas64.General, x, y blas64.Vector) {
	x = blas64.Vector{N: n, Inc: 1, Data: make([]float64, n)}
	y = blas64.Vector{N: n, Inc: 1, Data: make([]float64, n)}
	for i := range n {
		x.Data[i], y.Data[i] = float64(i), float64(n-i)
	}
	return blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}, x, y
}

// BenchmarkOuterTo times OuterTo against a cleared destination and
// blas64.Ger (impl=ger) at square sizes.
func BenchmarkOuterTo(b *testing.B) {
	for _, n := range []int{16, 32, 48, 64, 128, 1024} {
		dst, x, y := outerOperands(n)
		b.Run(fmt.Sprintf("n=%d/impl=outer", n), func(b *testing.B) {
			for b.Loop() {
				OuterTo(dst, 1, x, y)
			}
		})
		b.Run(fmt.Sprintf("n=%d/impl=ger", n), func(b *testing.B) {
			for b.Loop() {
				ZeroMatrix(dst)
				blas64.Ger(1, x, y, dst)
			}
		})
	}
}

// BenchmarkOuterToAfterGemv times a Gemv followed by OuterTo, as in B1's
// gradient, with the outer kernel in use (impl=kernel: outerRowsVec in a
// vector build), outerRows (impl=rows) and a cleared dst and Ger
// (impl=ger): a kernel's cost includes what it leaves for the code after
// it, such as the state of the vector registers.
func BenchmarkOuterToAfterGemv(b *testing.B) {
	for _, n := range []int{16, 128} {
		dst, x, y := outerOperands(n)
		a := blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
		ay := blas64.Vector{N: n, Inc: 1, Data: make([]float64, n)}
		for _, impl := range []struct {
			name    string
			minCols int
			outer   func(dst []float64, stride, rows int, alpha float64, x []float64, incX int, y []float64)
		}{{"kernel", kernels.outerMinCols, kernels.outer}, {"rows", 4, outerRows}, {"ger", math.MaxInt, nil}} {
			b.Run(fmt.Sprintf("n=%d/impl=%s", n, impl.name), func(b *testing.B) {
				defer func(old blockKernels) { kernels = old }(kernels)
				kernels.outerMinCols, kernels.outer = impl.minCols, impl.outer
				for b.Loop() {
					Gemv(blas.NoTrans, 1, a, y, 0, ay)
					OuterTo(dst, 1, x, y)
				}
			})
		}
	}
}

// BenchmarkOuterToSplit compares OuterTo's rows split across the worker
// team (impl=split) with one piece (impl=alone) at sizes around the last
// level cache: the measurement behind memorySplitMin.
func BenchmarkOuterToSplit(b *testing.B) {
	for _, n := range []int{256, 1024, 1200, 1448, 1700, 2048} {
		dst, x, y := outerOperands(n)
		for _, impl := range []struct {
			name string
			min  int
		}{{"split", 0}, {"alone", math.MaxInt}} {
			b.Run(fmt.Sprintf("n=%d/impl=%s", n, impl.name), func(b *testing.B) {
				defer func(old int) { memorySplitMin = old }(memorySplitMin)
				memorySplitMin = impl.min
				for b.Loop() {
					OuterTo(dst, 1, x, y)
				}
			})
		}
	}
}
