package runtime

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// MulPlusTranspose sets c = alpha·(a + aᵀ)·op(b) + beta·c for a square a.
// Where the product runs on gradgen's fused multiply-add kernels it does
// not form the sum: a product GemmFMA would run (where Mul would send the
// product of the formed sum: fmaShape's rule under gonum's BLAS, the
// implementation's own rule otherwise, which it states by a method
// DgemmPlusTranspose, as runtime/openblas does) forms each entry as it
// packs a (GemmFMAPlusTranspose), and, with alpha 1 and beta 0, an op(b)
// of at most 8 columns forms 4×4 entries at a time in vector registers
// (narrowPlusTranspose), so that sum is neither written nor read. Anywhere
// else it runs AddTransposeTo(sum, a) and then Mul(blas.NoTrans, tB,
// alpha, sum, b, beta, c). Invariant: every way forms each entry of the
// sum as AddTransposeTo does, a's entry first, rounded once; the kernels
// then give c the bits GemmFMA gives the formed sum (one chain of fused
// multiply-adds an entry), and the formed sum gets Mul's (the same where
// Mul would run GemmFMA): TestMulPlusTransposeBits. sum is an n×n
// workspace, n the order of a; c must share memory with none of a, b and
// sum.
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
	if g.order == measured && okB && m > 0 && n > 0 && fits(false, transB, m, n, m, a, b, c) {
		if alpha == 1 && beta == 0 && narrowPlusTranspose(transB, m, n, a.Data, a.Stride, b.Data, b.Stride, c.Data, c.Stride) {
			return
		}
		if g.plusTransposeOnFMA(tB, m, n, alpha, a, b, beta, c) {
			return
		}
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
		return fmaShape(m, n, m) &&
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

// narrowShape reports whether narrowPlusTranspose takes an m×m a times an
// op(b) of n columns (where its kernel runs): at most plusTransposeCols
// columns and an order of at least plusTransposeMinOrder. Built with -tags
// gradgensplit (fmaHalfShapes), half of those of at most
// plusTransposeCols columns whatever the order, those whose m + n is even,
// so that tests with small inputs, the differential oracle's among them,
// run both ways.
func narrowShape(m, n int) bool {
	if n < 1 || n > plusTransposeCols {
		return false
	}
	if fmaHalfShapes {
		return (m+n)%2 == 0
	}
	return m >= plusTransposeMinOrder
}

// The widest op(b) narrowPlusTranspose takes (one vector of 8 entries a
// row), the least order of a, and how many groups of eight rows make a
// part.
const (
	plusTransposeCols     = 8
	plusTransposeMinOrder = 64
	plusTransposeGroups   = 4
)
