//go:build openblas

package runtime

import (
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

func TestOpenBLASBackend(t *testing.T) {
	if _, ok := blas64.Implementation().(netlib.Implementation); !ok {
		t.Fatalf("blas64.Implementation() = %T, want netlib.Implementation", blas64.Implementation())
	}
	// A small product through the backend: [1 2; 3 4] * [5; 6] = [17; 39].
	a := blas64.General{Rows: 2, Cols: 2, Stride: 2, Data: []float64{1, 2, 3, 4}}
	x := blas64.Vector{N: 2, Inc: 1, Data: []float64{5, 6}}
	y := blas64.Vector{N: 2, Inc: 1, Data: make([]float64, 2)}
	blas64.Gemv(blas.NoTrans, 1, a, x, 0, y)
	if y.Data[0] != 17 || y.Data[1] != 39 {
		t.Fatalf("Gemv through OpenBLAS = %v, want [17 39]", y.Data)
	}
}
