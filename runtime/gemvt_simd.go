//go:build goexperiment.simd && amd64

package runtime

func init() {
	if vectorised {
		vectorGemvT = vecGemvT
	}
}

// gemvTL1 is the most entries of an a vecGemvT takes 32 columns at a time:
// 32 KB, in this machine's 48 KB first-level cache.
const gemvTL1 = 1 << 12

// vecGemvT sets y = beta·y + alpha·aᵀx for the m×n a (stride lda), x of
// length m and y of length n, unit increments: y is first scaled by beta
// (zeroed when beta is 0), then each yⱼ adds the terms (alpha·xᵢ)·aᵢⱼ in
// ascending i, each term multiplied, then added — the plain loop's order,
// bit for bit (TestGemvTransVector; a NaN for a NaN, whose sign and payload
// may differ, as x86 keeps the first operand's), whichever of three ways a
// column takes:
//   - with a in the first-level cache (at most gemvTL1 entries), the first
//     n &^ 31 columns 32 at a time, their sums in eight vector registers
//     down all the rows (gemvT32Asm);
//   - the rest of the whole fours of columns (all of them for a larger a)
//     down the rows four at a time (gemvT4RowsAsm: each vector of y loaded
//     once, given the four rows' terms in order, stored, the rows read as
//     forward streams), then one at a time;
//   - the last n mod 4 columns in scalar code.
//
// BenchmarkGemvTrans, one core: 64×64 0.20 µs by 32 columns, 0.29 by four
// rows, 0.43 by gonum's kernel; B5's row panel 128×256 2.6, 2.3 and 3.3
// µs; 512×512 43, 27 and 32 µs.
func vecGemvT(m, n int, alpha float64, a []float64, lda int, x []float64, beta float64, y []float64) {
	y, x = y[:n], x[:m]
	switch beta {
	case 0:
		clear(y)
	case 1:
	default:
		for j := range y {
			y[j] *= beta
		}
	}
	_ = a[(m-1)*lda+n-1] // every entry the assembly reads
	wide, whole := 0, n&^3
	if m*n <= gemvTL1 {
		wide = n &^ 31
	}
	for j := 0; j < wide; j += 32 {
		gemvT32Asm(&a[j], lda, m, &x[0], alpha, &y[j])
	}
	if quads := (whole - wide) / 4; quads > 0 {
		i := 0
		for ; i+4 <= m; i += 4 {
			t := [4]float64{alpha * x[i], alpha * x[i+1], alpha * x[i+2], alpha * x[i+3]}
			gemvT4RowsAsm(&a[i*lda+wide], lda, &t, &y[wide], quads)
		}
		for ; i < m; i++ {
			gemvT1RowAsm(&a[i*lda+wide], alpha*x[i], &y[wide], quads)
		}
	}
	for j := whole; j < n; j++ {
		s := y[j]
		for i, xi := range x {
			s += float64(alpha * xi * a[i*lda+j]) // rounded, then added: never fused
		}
		y[j] = s
	}
}

// gemvT32Asm, gemvT4RowsAsm and gemvT1RowAsm (gemm_amd64.s) add to y[j]
// the terms of rows in order, each rounded, then added, on unchecked
// pointers: gemvT32Asm (alpha·x[i])·a[i·lda+j] for i < rows, j < 32;
// gemvT4RowsAsm t[r]·a[r·lda+j] for r < 4, j < 4·quads; gemvT1RowAsm
// t·a[j] for j < 4·quads.
//
//go:noescape
func gemvT32Asm(a *float64, lda, rows int, x *float64, alpha float64, y *float64)

//go:noescape
func gemvT4RowsAsm(a *float64, lda int, t *[4]float64, y *float64, quads int)

//go:noescape
func gemvT1RowAsm(a *float64, t float64, y *float64, quads int)
