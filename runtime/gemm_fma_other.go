//go:build !(goexperiment.simd && amd64)

package runtime

import "gonum.org/v1/gonum/blas"

// GemmFMA runs a Dgemm on gradgen's AVX-512 fused multiply-add kernel where
// that kernel runs (gemm_fma.go): never in this build, so it returns false
// and the caller runs its own Dgemm.
func GemmFMA(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) bool {
	return false
}

// GemmFMAPlusTranspose multiplies by a + aᵀ on GemmFMA's kernel where that
// kernel runs (gemm_fma.go): never in this build, so it returns false.
func GemmFMAPlusTranspose(tB blas.Transpose, m, n int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) bool {
	return false
}

// GemmNarrow runs a narrow product on gradgen's AVX-512 fused multiply-add
// kernel where that kernel runs (gemm_narrow.go): never in this build, so
// it returns false.
func GemmNarrow(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) bool {
	return false
}

// GemmColumns runs a product by aᵀ with a narrow output on gradgen's
// AVX-512 fused multiply-add kernel where that kernel runs
// (gemm_narrow.go): never in this build, so it returns false.
func GemmColumns(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) bool {
	return false
}
