package runtime

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// MulPlusTranspose sets c = alpha·(a + aᵀ)·op(b) + beta·c for a square a,
// with the bits of AddTransposeTo(sum, a) followed by Mul(blas.NoTrans, tB,
// alpha, sum, b, beta, c), which is what it does unless the product runs
// on GemmFMA's kernel: then the kernel forms each entry of a + aᵀ as it
// packs a (GemmFMAPlusTranspose), the same sums, and sum is neither
// written nor read. That is where Mul would send the product of the formed
// sum: fmaShape's rule under gonum's BLAS, and the implementation's own
// rule otherwise, which it states by a method DgemmPlusTranspose
// (runtime/openblas has one). Invariant: the kernel's packed entry is the
// sum AddTransposeTo would store, a's entry first, rounded once, and the
// product's every other step is GemmFMA's on that entry, so the two ways
// give the same bits (TestMulPlusTransposeBits). sum is an n×n workspace,
// n the order of a; c must share memory with none of a, b and sum.
//
// MulPlusTranspose panics with a *ShapeError when a or sum is not n×n, or
// op(b) or c not n×k.
func (g *Gemm) MulPlusTranspose(tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c, sum blas64.General) {
	CleanVectorState()
	const fn = "runtime.Gemm.MulPlusTranspose"
	m := a.Rows
	transB, okB := transposed(tB)
	n := b.Cols
	if transB {
		n = b.Rows
	}
	CheckMatrix(fn, "a", a.Rows, a.Cols, m, m, "n", "n")
	CheckMatrix(fn, "sum", sum.Rows, sum.Cols, m, m, "n", "n")
	if transB {
		CheckMatrix(fn, "b", b.Rows, b.Cols, n, m, "k", "n")
	} else {
		CheckMatrix(fn, "b", b.Rows, b.Cols, m, n, "n", "k")
	}
	CheckMatrix(fn, "c", c.Rows, c.Cols, m, n, "n", "k")
	if okB && m > 0 && n > 0 && fits(false, transB, m, n, m, a, b, c) && g.plusTransposeOnFMA(tB, m, n, alpha, a, b, beta, c) {
		return
	}
	AddTransposeTo(sum, a)
	g.Mul(blas.NoTrans, tB, alpha, sum, b, beta, c)
}

// plusTransposeOnFMA runs MulPlusTranspose's product on GemmFMA's kernel
// where Mul would run the product of the formed sum there, and reports
// whether it did.
func (g *Gemm) plusTransposeOnFMA(tB blas.Transpose, m, n int, alpha float64, a, b blas64.General, beta float64, c blas64.General) bool {
	impl := blas64.Implementation()
	if pureGo(impl) {
		return g.order == measured && fmaShape(m, n, m) &&
			GemmFMAPlusTranspose(tB, m, n, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)
	}
	p, ok := impl.(plusTransposer)
	return ok && p.DgemmPlusTranspose(tB, m, n, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)
}

// plusTransposer is a blas64 implementation whose Dgemm sends some
// products to GemmFMA: DgemmPlusTranspose runs c = beta·c + alpha·(a +
// aᵀ)·op(b) by GemmFMAPlusTranspose where its Dgemm would send the product
// of the formed sum (m×n, inner dimension m) to GemmFMA, and reports
// whether it did, having written nothing if not.
type plusTransposer interface {
	DgemmPlusTranspose(tB blas.Transpose, m, n int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) bool
}
