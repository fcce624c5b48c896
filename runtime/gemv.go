package runtime

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// gemvRowAlign is the row count of every part but the last of a split
// Gemv. gonum's amd64 kernel (GemvN) computes rows four at a time, then
// two, then one, each row's dot accumulated in the pattern of its group:
// parts that start at multiples of eight rows group every row as the whole
// call does, so the result is blas64.Gemv's bit for bit.
const gemvRowAlign = 8

// Gemv computes y = alpha·op(a)·x + beta·y like blas64.Gemv; y must not
// share memory with a or x. With gonum's pure-Go implementation in blas64,
// an a-by-x product (NoTrans) of at least memorySplitMin entries with unit
// increments, x.N and y.N a's dimensions and alpha not zero runs its rows
// in parts at once on the worker team (split.go; alone when the team is
// busy or GOMAXPROCS is 1), each part of whole groups of gemvRowAlign rows:
// every y[i] is computed as one call computes it, bit for bit. Every other
// call, and every call under another BLAS, is one Dgemv call with
// blas64.Gemv's arguments. Gemv reads its operands field by field (see
// Gemm.Mul).
//
// Gemv panics as blas64.Gemv does.
func Gemv(tA blas.Transpose, alpha float64, a blas64.General, x blas64.Vector, beta float64, y blas64.Vector) {
	m, n := a.Rows, a.Cols
	impl := blas64.Implementation()
	if _, pure := impl.(gonum.Implementation); pure && tA == blas.NoTrans && m > 0 && n > 0 && m*n >= memorySplitMin &&
		x.Inc == 1 && y.Inc == 1 && x.N == n && y.N == m && alpha != 0 &&
		a.Stride >= n && len(a.Data) >= (m-1)*a.Stride+n && len(x.Data) >= n && len(y.Data) >= m {
		groups := (m + gemvRowAlign - 1) / gemvRowAlign
		split(gemvPart, kernelArgs{g: a, v: x, w: y, alpha: alpha, beta: beta}, groups, gemvRowAlign*n)
		return
	}
	impl.Dgemv(tA, m, n, alpha, a.Data, a.Stride, x.Data, x.Inc, beta, y.Data, y.Inc)
}

// gemvPart is the part Gemv splits: gemvRows, but in tests that record
// the parts.
var gemvPart kernelPart = gemvRows

// gemvRows computes the row groups [lo, hi) of Gemv's y.
func gemvRows(args kernelArgs, lo, hi int) {
	a := args.g
	r0, r1 := lo*gemvRowAlign, min(hi*gemvRowAlign, a.Rows)
	if r0 >= r1 {
		return
	}
	gonum.Implementation{}.Dgemv(blas.NoTrans, r1-r0, a.Cols, args.alpha, a.Data[r0*a.Stride:], a.Stride,
		args.v.Data, 1, args.beta, args.w.Data[r0:], 1)
}
