//go:build goexperiment.simd && amd64

package runtime

import "gonum.org/v1/gonum/blas/blas64"

// addTransposeTile sets dst[i][j] = a[i][j] + a[j][i] over one tile, rows
// [i0, i1) and columns [j0, j1): where the vector kernels run, the part whose
// sides are multiples of 4 in 4×4 blocks transposed in registers
// (addTransposeBlocksAsm), the rest one entry at a time. Each entry is the
// same one sum either way.
func addTransposeTile(dst, a blas64.General, i0, i1, j0, j1 int) {
	rows, cols := (i1-i0)&^3, (j1-j0)&^3
	if !vectorised || rows == 0 || cols == 0 {
		addTransposeScalar(dst, a, i0, i1, j0, j1)
		return
	}
	addTransposeBlocks(dst, a, i0, j0, rows, cols)
	addTransposeScalar(dst, a, i0, i0+rows, j0+cols, j1)
	addTransposeScalar(dst, a, i0+rows, i1, j0, j1)
}

// addTransposeBlocks is addTransposeBlocksAsm on the rows×cols block of dst
// at (i0, j0), rows and cols positive multiples of 4, after checking every
// address it reads and writes: strides are not negative, so the last entry
// of each operand is its largest address, and that is checked without
// forming i·stride, which a huge stride would wrap around (review 66).
func addTransposeBlocks(dst, a blas64.General, i0, j0, rows, cols int) {
	i1, j1 := i0+rows-1, j0+cols-1
	if i0 < 0 || j0 < 0 || rows <= 0 || cols <= 0 || rows%4 != 0 || cols%4 != 0 ||
		!inside(dst.Data, dst.Stride, i1, j1) || !inside(a.Data, a.Stride, i1, j1) || !inside(a.Data, a.Stride, j1, i1) {
		panic("runtime: addTransposeBlocks on a block outside its matrix")
	}
	addTransposeBlocksAsm(&dst.Data[i0*dst.Stride+j0], dst.Stride,
		&a.Data[i0*a.Stride+j0], &a.Data[j0*a.Stride+i0], a.Stride, rows, cols)
}

// inside reports whether entry (i, j) of a matrix of the given stride,
// i·stride + j, is an index of data, for i and j not negative, without
// overflow.
func inside(data []float64, stride, i, j int) bool {
	if stride < 0 || j >= len(data) {
		return false
	}
	return stride == 0 || i <= (len(data)-1-j)/stride
}

// addTransposeBlocksAsm is addTransposeBlocks (transpose_amd64.s) on
// unchecked pointers: d is dst's entry (i0, j0), r a's and t a's entry
// (j0, i0).
//
//go:noescape
func addTransposeBlocksAsm(d *float64, ldd int, r, t *float64, lda int, rows, cols int)
