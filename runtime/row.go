package runtime

import "gonum.org/v1/gonum/blas/blas64"

// RowSlice returns entries 0 … n−1 of row i of g, n at most g.Cols, as a slice
// of g's storage: generated loops over the entries of a matrix read and
// write row i through it and range over the columns of one such slice,
// the others as long, so that the compiler drops the bounds checks. For
// n = 0 it is empty whatever i is (an empty g has no row i).
func RowSlice(g blas64.General, i, n int) []float64 {
	return g.Data[min(i*g.Stride, len(g.Data)):][:n]
}
