// Package openblas is gradgen's OpenBLAS backend. Importing it for its side
// effect,
//
//	import _ "github.com/gradgen/gradgen/runtime/openblas"
//
// routes the blas64 calls of the whole process (generated code's, the
// runtime's and gonum's LAPACK) to OpenBLAS through cgo and
// gonum.org/v1/netlib/blas/netlib. It needs cgo and Debian's libopenblas-dev
// (apt-get install -y libopenblas-dev); the cgo directive below links
// -lopenblas, so no CGO_LDFLAGS is needed. It is a module of its own, so a
// module that uses generated code without importing it has neither netlib
// nor cgo in its graph; a program that wants both builds can import it from
// a file with a build constraint of its own (//go:build openblas).
//
// A cgo call costs tens of nanoseconds, so small calls stay in pure Go
// (measured on a 2-core AMD EPYC with OpenBLAS 0.3.21): level 1 below 512
// elements, level 2 up to 256×256 and level 3 below 8×8×8. OpenBLAS runs
// on the calling thread (a setting of the whole process: calls this
// package does not cut into blocks, and calls made to OpenBLAS other than
// through blas64, run on one thread); large calls run in blocks on
// gradgen's team (blocks.go), but for the large Dgemms that run on
// gradgen's own AVX-512 kernels where they run (runtime.GemmFMA,
// gemmFMAShape; runtime.GemmColumns, the products by aᵀ with at most 16
// columns), and OwnThreads gives OpenBLAS its own threads back for
// measuring it.
package openblas

/*
#cgo LDFLAGS: -lopenblas
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
*/
import "C"

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/netlib/blas/netlib"

	"github.com/gradgen/gradgen/runtime"
)

// threads is the number of threads OpenBLAS started with.
var threads int

// ownThreads is set while OwnThreads runs: Dgemm is one OpenBLAS call on
// OpenBLAS's threads.
var ownThreads bool

// OwnThreads runs f with OpenBLAS on the threads it started with and every
// Dgemm one OpenBLAS call, as OpenBLAS runs without this package: for
// measuring OpenBLAS's own rate (gradgen's bench takes its Dgemm reference
// so). No other BLAS call may run while it does.
func OwnThreads(f func()) {
	C.openblas_set_num_threads(C.int(threads))
	ownThreads = true
	defer func() {
		ownThreads = false
		C.openblas_set_num_threads(1)
	}()
	f()
}

func init() {
	blas64.Use(openBLAS{})
	// OpenBLAS on the calling thread alone; the large calls run in blocks
	// on gradgen's team (blocks.go).
	threads = int(C.openblas_get_num_threads())
	C.openblas_set_num_threads(1)
	runtime.SetPanelElems(panelElems)
}

// Sizes at and above which a call goes to OpenBLAS (variables: -tags
// gradgensplit lowers them, split_small.go).
var (
	openBLASLevel1 = 512         // vector length
	openBLASLevel2 = 256*256 + 1 // matrix elements
	openBLASLevel3 = 8 * 8 * 8   // m·n·k
)

// openBLAS is netlib's OpenBLAS binding with the small calls of the level 1,
// 2 and 3 routines that gonum's LAPACK and generated code use sent to gonum's
// pure-Go implementation; everything else is netlib's.
type openBLAS struct{ netlib.Implementation }

var pure gonum.Implementation

func (o openBLAS) Ddot(n int, x []float64, incX int, y []float64, incY int) float64 {
	if n < openBLASLevel1 {
		return pure.Ddot(n, x, incX, y, incY)
	}
	return o.Implementation.Ddot(n, x, incX, y, incY)
}

func (o openBLAS) Dnrm2(n int, x []float64, incX int) float64 {
	if n < openBLASLevel1 {
		return pure.Dnrm2(n, x, incX)
	}
	return o.Implementation.Dnrm2(n, x, incX)
}

func (o openBLAS) Dasum(n int, x []float64, incX int) float64 {
	if n < openBLASLevel1 {
		return pure.Dasum(n, x, incX)
	}
	return o.Implementation.Dasum(n, x, incX)
}

func (o openBLAS) Idamax(n int, x []float64, incX int) int {
	if n < openBLASLevel1 {
		return pure.Idamax(n, x, incX)
	}
	return o.Implementation.Idamax(n, x, incX)
}

func (o openBLAS) Dswap(n int, x []float64, incX int, y []float64, incY int) {
	if n < openBLASLevel1 {
		pure.Dswap(n, x, incX, y, incY)
		return
	}
	o.Implementation.Dswap(n, x, incX, y, incY)
}

func (o openBLAS) Dcopy(n int, x []float64, incX int, y []float64, incY int) {
	if n < openBLASLevel1 {
		pure.Dcopy(n, x, incX, y, incY)
		return
	}
	o.Implementation.Dcopy(n, x, incX, y, incY)
}

func (o openBLAS) Daxpy(n int, alpha float64, x []float64, incX int, y []float64, incY int) {
	if n < openBLASLevel1 {
		pure.Daxpy(n, alpha, x, incX, y, incY)
		return
	}
	o.Implementation.Daxpy(n, alpha, x, incX, y, incY)
}

func (o openBLAS) Drot(n int, x []float64, incX int, y []float64, incY int, c, s float64) {
	if n < openBLASLevel1 {
		pure.Drot(n, x, incX, y, incY, c, s)
		return
	}
	o.Implementation.Drot(n, x, incX, y, incY, c, s)
}

func (o openBLAS) Dscal(n int, alpha float64, x []float64, incX int) {
	if n < openBLASLevel1 {
		pure.Dscal(n, alpha, x, incX)
		return
	}
	o.Implementation.Dscal(n, alpha, x, incX)
}

func (o openBLAS) Dgemv(tA blas.Transpose, m, n int, alpha float64, a []float64, lda int, x []float64, incX int, beta float64, y []float64, incY int) {
	if m*n < openBLASLevel2 {
		pure.Dgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	if incX > 0 && incY > 0 {
		gemvBlocks(o.Implementation, tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	o.Implementation.Dgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
}

func (o openBLAS) Dger(m, n int, alpha float64, x []float64, incX int, y []float64, incY int, a []float64, lda int) {
	if m*n < openBLASLevel2 {
		pure.Dger(m, n, alpha, x, incX, y, incY, a, lda)
		return
	}
	o.Implementation.Dger(m, n, alpha, x, incX, y, incY, a, lda)
}

func (o openBLAS) Dsymv(ul blas.Uplo, n int, alpha float64, a []float64, lda int, x []float64, incX int, beta float64, y []float64, incY int) {
	if n*n < openBLASLevel2 {
		pure.Dsymv(ul, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	o.Implementation.Dsymv(ul, n, alpha, a, lda, x, incX, beta, y, incY)
}

func (o openBLAS) Dtrmv(ul blas.Uplo, tA blas.Transpose, d blas.Diag, n int, a []float64, lda int, x []float64, incX int) {
	if n*n < openBLASLevel2 {
		pure.Dtrmv(ul, tA, d, n, a, lda, x, incX)
		return
	}
	o.Implementation.Dtrmv(ul, tA, d, n, a, lda, x, incX)
}

func (o openBLAS) Dtrsv(ul blas.Uplo, tA blas.Transpose, d blas.Diag, n int, a []float64, lda int, x []float64, incX int) {
	if n*n < openBLASLevel2 {
		pure.Dtrsv(ul, tA, d, n, a, lda, x, incX)
		return
	}
	o.Implementation.Dtrsv(ul, tA, d, n, a, lda, x, incX)
}

func (o openBLAS) Dsyr(ul blas.Uplo, n int, alpha float64, x []float64, incX int, a []float64, lda int) {
	if n*n < openBLASLevel2 {
		pure.Dsyr(ul, n, alpha, x, incX, a, lda)
		return
	}
	o.Implementation.Dsyr(ul, n, alpha, x, incX, a, lda)
}

func (o openBLAS) Dsyr2(ul blas.Uplo, n int, alpha float64, x []float64, incX int, y []float64, incY int, a []float64, lda int) {
	if n*n < openBLASLevel2 {
		pure.Dsyr2(ul, n, alpha, x, incX, y, incY, a, lda)
		return
	}
	o.Implementation.Dsyr2(ul, n, alpha, x, incX, y, incY, a, lda)
}

func (o openBLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m*n*k < openBLASLevel3 {
		pure.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if ownThreads {
		o.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if runtime.GemmColumns(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
		return
	}
	if gemmFMAShape(m, n, k) && runtime.GemmFMA(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
		return
	}
	gemmBlocks(o.Implementation, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// DgemmPlusTranspose runs c = beta·c + alpha·(a + aᵀ)·op(b), a m×m, on
// runtime.GemmFMAPlusTranspose where Dgemm would send the product of the
// formed sum to runtime.GemmFMA, and reports whether it did; where not,
// runtime.Gemm.MulPlusTranspose forms the sum and calls Dgemm (or, for an
// op(b) of at most 8 columns with alpha 1 and beta 0, had already run its
// own narrow kernel before asking).
func (o openBLAS) DgemmPlusTranspose(tB blas.Transpose, m, n int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) bool {
	if m*n*m < openBLASLevel3 || ownThreads || !gemmFMAShape(m, n, m) {
		return false
	}
	return runtime.GemmFMAPlusTranspose(tB, m, n, alpha, a, lda, b, ldb, beta, c, ldc)
}

func (o openBLAS) Dsyrk(ul blas.Uplo, t blas.Transpose, n, k int, alpha float64, a []float64, lda int, beta float64, c []float64, ldc int) {
	if n*n*k < openBLASLevel3 {
		pure.Dsyrk(ul, t, n, k, alpha, a, lda, beta, c, ldc)
		return
	}
	syrkBlocks(o.Implementation, ul, t, n, k, alpha, a, lda, beta, c, ldc)
}

func (o openBLAS) Dtrsm(s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int, alpha float64, a []float64, lda int, b []float64, ldb int) {
	if m*n*max(m, n) < openBLASLevel3 {
		pure.Dtrsm(s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
		return
	}
	triangularBlocks(o.Implementation, callTrsm, s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
}

func (o openBLAS) Dtrmm(s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int, alpha float64, a []float64, lda int, b []float64, ldb int) {
	if m*n*max(m, n) < openBLASLevel3 {
		pure.Dtrmm(s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
		return
	}
	triangularBlocks(o.Implementation, callTrmm, s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
}

func (o openBLAS) Dsymm(s blas.Side, ul blas.Uplo, m, n int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m*n*max(m, n) < openBLASLevel3 {
		pure.Dsymm(s, ul, m, n, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	symmBlocks(o.Implementation, s, ul, m, n, alpha, a, lda, b, ldb, beta, c, ldc)
}

func (o openBLAS) Dsyr2k(ul blas.Uplo, t blas.Transpose, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if n*n*k < openBLASLevel3 {
		pure.Dsyr2k(ul, t, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	o.Implementation.Dsyr2k(ul, t, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
