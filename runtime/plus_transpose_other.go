//go:build !(goexperiment.simd && amd64)

package runtime

// narrowPlusTranspose multiplies by a + aᵀ on AVX-512 vectors where they
// run (plus_transpose_simd.go): never in this build, so it returns false.
func narrowPlusTranspose(transB bool, m, n int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) bool {
	return false
}
