package runtime

// smallWork is the most multiply-adds, m·n·k, of a product with b not
// transposed that Gemm.Mul runs with smallMul on gonum's pure-Go
// implementation: there gonum's kernels call an assembly axpy (or dot) per
// row and inner index, whose fixed cost dominates short rows, while
// smallMul keeps four entries of a row of c in registers across the whole
// inner loop. BenchmarkGemmSmall (2-core AMD EPYC): 4×4×4 2.2× faster than
// gonum (43 against 96 ns), 8×8×8 1.4×; from 16×4×16 on, gonum's SSE2 axpys
// or Mul's reorientation are as fast or faster (smallMul runs at about
// 5 GFLOP/s, gonum 5–9 from 16×16×16 on). Only c's with at least four
// columns go to smallMul: its columns past the last four-wide block run one
// at a time, and for narrower c Mul's reorientation into dots is faster
// (an 8×2 c with k = 8: 15 % slower in smallMul).
const smallWork = 8 * 8 * 8

// smallMul sets c = beta·c + alpha·op(a)·b for an m×n c and inner dimension
// k, op(a) = aᵀ when transA, in the arithmetic of gonum's pure-Go NoTrans·
// NoTrans and Trans·NoTrans kernels, so that its results are theirs bit for
// bit, NaN payloads aside (TestGemmSmallBitIdentical, also run with
// GOAMD64=v3, where the compiler would fuse a multiply and an add that the
// float64 conversions keep apart, as gonum's SSE2 axpy does): c is left alone when alpha is 0 and beta
// 1; otherwise it is first scaled by beta (zeroed when beta is 0), then
// each term (alpha·op(a)ᵢₗ)·bₗⱼ is added in ascending l, skipped when
// alpha·op(a)ᵢₗ is zero (an Inf or NaN in that row of b adds nothing, and a −0 in c
// stays −0, as in gonum). Only the loop order differs: four entries of c's
// row at a time across all of k, instead of a row of c per (i, l).
func smallMul(transA bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if alpha == 0 && beta == 1 {
		return // as gonum: c unchanged, not even by 0·Inf
	}
	// op(a)ᵢₗ is a[i·rowStep + l·colStep].
	rowStep, colStep := lda, 1
	if transA {
		rowStep, colStep = 1, lda
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		ai := a[i*rowStep:]
		j := 0
		for ; j+4 <= n; j += 4 {
			c0, c1, c2, c3 := betaScaled(beta, row[j]), betaScaled(beta, row[j+1]), betaScaled(beta, row[j+2]), betaScaled(beta, row[j+3])
			for l := 0; l < k; l++ {
				if t := alpha * ai[l*colStep]; t != 0 {
					bl := b[l*ldb+j : l*ldb+j+4 : l*ldb+j+4]
					c0 += float64(t * bl[0])
					c1 += float64(t * bl[1])
					c2 += float64(t * bl[2])
					c3 += float64(t * bl[3])
				}
			}
			row[j], row[j+1], row[j+2], row[j+3] = c0, c1, c2, c3
		}
		for ; j < n; j++ {
			s := betaScaled(beta, row[j])
			for l := 0; l < k; l++ {
				if t := alpha * ai[l*colStep]; t != 0 {
					s += float64(t * b[l*ldb+j])
				}
			}
			row[j] = s
		}
	}
}

// betaScaled returns beta·x as gonum's Dgemm scales c before it adds: x itself
// when beta is 1, zero (whatever x is) when beta is 0.
func betaScaled(beta, x float64) float64 {
	switch beta {
	case 1:
		return x
	case 0:
		return 0
	}
	return beta * x
}
