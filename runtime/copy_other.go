//go:build !(goexperiment.simd && amd64)

package runtime

import "gonum.org/v1/gonum/blas/blas64"

// addTransposeTile sets dst[i][j] = a[i][j] + a[j][i] over one tile, rows
// [i0, i1) and columns [j0, j1), one entry at a time.
func addTransposeTile(dst, a blas64.General, i0, i1, j0, j1 int) {
	addTransposeScalar(dst, a, i0, i1, j0, j1)
}
