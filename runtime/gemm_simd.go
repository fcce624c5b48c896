//go:build goexperiment.simd && amd64

package runtime

import (
	"simd/archsimd"

	"gonum.org/v1/gonum/blas/blas64"
)

func init() {
	if vectorised {
		vectorMul = vecMul
	}
}

// vecMul sets c = beta·c + alpha·op(a)·b for an m×n c (n ≥ 4) and inner
// dimension k, op(a) = aᵀ when transA, in the arithmetic of gonum's pure-Go
// NoTrans·NoTrans and Trans·NoTrans kernels, as smallMul does, with c's
// entries four to a vector: c is first scaled by beta (zeroed when beta is
// 0), then each term (alpha·op(a)ᵢₗ)·bₗⱼ is added in ascending l by a vector
// multiply and a vector add (no fused multiply-add: its one rounding would
// differ). gonum skips a term whose alpha·op(a)ᵢₗ is zero, which a vector
// lane cannot do cheaply; so vecMul first scans alpha·a and returns false,
// having written nothing to c, if any of those products is zero (alpha = 0
// included): the caller runs gonum's kernels instead. With no zero the skip
// never happens and the results are gonum's bit for bit
// (TestGemmVectorBitIdentical).
//
// The kernel holds a block of c four rows by eight columns in eight vector
// registers across all of k (then four rows by four, then single rows), so
// each step of l loads two vectors of b and broadcasts four entries of
// op(a), each multiplied by alpha. Blocks of rows are independent, so from
// vectorSplitMin multiply-adds they are split across the worker team
// (split.go), the same bits. A c whose width is not a multiple of four ends
// with a block that overlaps the one before it (vecMulRows). The vector code
// ends with VZEROUPPER.
func vecMul(transA bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) bool {
	aRows, aCols := m, k
	rowStep, colStep := lda, 1 // op(a)ᵢₗ = a[i·rowStep + l·colStep]
	if transA {
		aRows, aCols = k, m
		rowStep, colStep = 1, lda
	}
	if zeroProduct(alpha, a, lda, aRows, aCols) {
		return false
	}
	args := kernelArgs{
		// op(a) as its first column and its first row: the steps between
		// its rows and along the inner dimension.
		v:     blas64.Vector{N: m, Inc: rowStep, Data: a},
		w:     blas64.Vector{N: k, Inc: colStep, Data: a},
		g:     blas64.General{Rows: k, Cols: n, Stride: ldb, Data: b},
		h:     blas64.General{Rows: m, Cols: n, Stride: ldc, Data: c},
		alpha: alpha,
		beta:  beta,
	}
	blocks := (m + 3) / 4
	if m*n*k < vectorSplitMin {
		vecMulRows(args, 0, blocks)
	} else {
		split(vecMulRows, args, blocks, splitMin)
	}
	return true
}

// zeroProduct reports whether alpha·x is zero for an entry x of the
// rows×cols matrix stored in a with stride lda. A matrix stored without
// gaps (lda = cols) is scanned as one row. Rows of four entries and more
// are scanned four to a vector, sixteen a step, the comparisons gathered in
// one mask per row (a row's last vector overlaps the one before it);
// shorter rows in scalar code.
func zeroProduct(alpha float64, a []float64, lda, rows, cols int) bool {
	if rows > 1 && lda == cols {
		rows, cols = 1, rows*cols
	}
	if cols < 4 {
		for i := 0; i < rows; i++ {
			for _, x := range a[i*lda : i*lda+cols] {
				if alpha*x == 0 {
					return true
				}
			}
		}
		return false
	}
	av := archsimd.BroadcastFloat64x4(alpha)
	var zero quad
	isZero := func(s []float64) archsimd.Mask64x4 { return av.Mul(quadAt(s)).Equal(zero) }
	found := false
	for i := 0; i < rows && !found; i++ {
		row := a[i*lda : i*lda+cols]
		seen := isZero(row[cols-4:])
		for len(row) >= 16 {
			p := (*[16]float64)(row)
			seen = seen.Or(isZero(p[0:4])).Or(isZero(p[4:8])).Or(isZero(p[8:12])).Or(isZero(p[12:16]))
			row = row[16:]
		}
		for len(row) >= 4 {
			seen = seen.Or(isZero(row))
			row = row[4:]
		}
		found = seen.ToBits() != 0
	}
	archsimd.ClearAVXUpperBits()
	return found
}

// vecMulRows is the part of vecMul for the blocks of rows [lo, hi): block q
// is rows 4q to 4q+3, the last one the one to three rows past m &^ 3 if m
// is not a multiple of four. args holds op(a) as its first column (v) and
// first row (w), b (g), c (h), alpha and beta.
//
// Columns run eight, then four at a time up to n &^ 3; if n is not a
// multiple of four, the last four columns [n−4, n) are one more block, which
// overlaps the one before it. Its sums are computed before any store to the
// row block, from c as it was, and stored after: the overlapped columns get
// the values they already hold, the same arithmetic on the same inputs, and
// none is scaled by beta twice.
func vecMulRows(args kernelArgs, lo, hi int) {
	a, b, c, beta := args.v.Data, args.g, args.h, args.beta
	k, n, m := b.Rows, b.Cols, c.Rows
	whole := n &^ 3
	rowStep, colStep := args.v.Inc, args.w.Inc // op(a)ᵢₗ = a[i·rowStep + l·colStep]
	alpha := archsimd.BroadcastFloat64x4(args.alpha)
	for q := lo; q < hi; q++ {
		i := 4 * q
		if i+4 > m {
			for ; i < m; i++ {
				ai, ci := a[i*rowStep:], c.Data[i*c.Stride:]
				var last quad
				if whole < n {
					last = sum1x4(ai, colStep, alpha, k, b.Data[n-4:], b.Stride, beta, ci[n-4:])
				}
				for j := 0; j < whole; j += 4 {
					storeQuad(sum1x4(ai, colStep, alpha, k, b.Data[j:], b.Stride, beta, ci[j:]), ci[j:])
				}
				if whole < n {
					storeQuad(last, ci[n-4:])
				}
			}
			break
		}
		ai, ci := a[i*rowStep:], c.Data[i*c.Stride:]
		var last0, last1, last2, last3 quad
		if whole < n {
			last0, last1, last2, last3 = sum4x4(ai, rowStep, colStep, alpha, k, b.Data[n-4:], b.Stride, beta, ci[n-4:], c.Stride)
		}
		j := 0
		for ; j+8 <= whole; j += 8 {
			mulBlock4x8(ai, rowStep, colStep, alpha, k, b.Data[j:], b.Stride, beta, ci[j:], c.Stride)
		}
		if j < whole {
			c0, c1, c2, c3 := sum4x4(ai, rowStep, colStep, alpha, k, b.Data[j:], b.Stride, beta, ci[j:], c.Stride)
			store4(c0, c1, c2, c3, ci[j:], c.Stride)
		}
		if whole < n {
			store4(last0, last1, last2, last3, ci[n-4:], c.Stride)
		}
	}
	archsimd.ClearAVXUpperBits()
}

// quadAt returns the four float64s at s[0:4] as a vector.
func quadAt(s []float64) quad { return archsimd.LoadFloat64x4((*[4]float64)(s[:4])) }

// storeQuad stores v into s[0:4].
func storeQuad(v quad, s []float64) { v.Store((*[4]float64)(s[:4])) }

// betaQuad returns beta·c[0:4] as gonum's Dgemm scales c before it adds
// (betaScaled): c itself when beta is 1, zeros when beta is 0.
func betaQuad(beta float64, c []float64) quad {
	switch beta {
	case 1:
		return quadAt(c)
	case 0:
		return quad{}
	}
	return archsimd.BroadcastFloat64x4(beta).Mul(quadAt(c))
}

// mulBlock4x8 adds Σₗ (alpha·aᵣₗ)·bₗ to rows r < 4, columns [0, 8) of c,
// scaled by beta first, where aᵣₗ = a[r·rowStep + l·colStep].
func mulBlock4x8(a []float64, rowStep, colStep int, alpha quad, k int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	c00, c01 := betaQuad(beta, c[0:]), betaQuad(beta, c[4:])
	c10, c11 := betaQuad(beta, c[ldc:]), betaQuad(beta, c[ldc+4:])
	c20, c21 := betaQuad(beta, c[2*ldc:]), betaQuad(beta, c[2*ldc+4:])
	c30, c31 := betaQuad(beta, c[3*ldc:]), betaQuad(beta, c[3*ldc+4:])
	for l := 0; l < k; l++ {
		bl := (*[8]float64)(b[l*ldb : l*ldb+8])
		b0 := archsimd.LoadFloat64x4((*[4]float64)(bl[0:4]))
		b1 := archsimd.LoadFloat64x4((*[4]float64)(bl[4:8]))
		o := l * colStep
		t0 := alpha.Mul(archsimd.BroadcastFloat64x4(a[o]))
		c00, c01 = c00.Add(t0.Mul(b0)), c01.Add(t0.Mul(b1))
		t1 := alpha.Mul(archsimd.BroadcastFloat64x4(a[o+rowStep]))
		c10, c11 = c10.Add(t1.Mul(b0)), c11.Add(t1.Mul(b1))
		t2 := alpha.Mul(archsimd.BroadcastFloat64x4(a[o+2*rowStep]))
		c20, c21 = c20.Add(t2.Mul(b0)), c21.Add(t2.Mul(b1))
		t3 := alpha.Mul(archsimd.BroadcastFloat64x4(a[o+3*rowStep]))
		c30, c31 = c30.Add(t3.Mul(b0)), c31.Add(t3.Mul(b1))
	}
	storeQuad(c00, c[0:])
	storeQuad(c01, c[4:])
	storeQuad(c10, c[ldc:])
	storeQuad(c11, c[ldc+4:])
	storeQuad(c20, c[2*ldc:])
	storeQuad(c21, c[2*ldc+4:])
	storeQuad(c30, c[3*ldc:])
	storeQuad(c31, c[3*ldc+4:])
}

// sum4x4 returns rows r < 4, columns [0, 4) of c scaled by beta plus
// Σₗ (alpha·aᵣₗ)·bₗ, as mulBlock4x8 computes them, without storing them.
func sum4x4(a []float64, rowStep, colStep int, alpha quad, k int, b []float64, ldb int, beta float64, c []float64, ldc int) (c0, c1, c2, c3 quad) {
	c0, c1 = betaQuad(beta, c[0:]), betaQuad(beta, c[ldc:])
	c2, c3 = betaQuad(beta, c[2*ldc:]), betaQuad(beta, c[3*ldc:])
	for l := 0; l < k; l++ {
		bl := quadAt(b[l*ldb:])
		o := l * colStep
		c0 = c0.Add(alpha.Mul(archsimd.BroadcastFloat64x4(a[o])).Mul(bl))
		c1 = c1.Add(alpha.Mul(archsimd.BroadcastFloat64x4(a[o+rowStep])).Mul(bl))
		c2 = c2.Add(alpha.Mul(archsimd.BroadcastFloat64x4(a[o+2*rowStep])).Mul(bl))
		c3 = c3.Add(alpha.Mul(archsimd.BroadcastFloat64x4(a[o+3*rowStep])).Mul(bl))
	}
	return c0, c1, c2, c3
}

// store4 stores four rows of four columns into c.
func store4(c0, c1, c2, c3 quad, c []float64, ldc int) {
	storeQuad(c0, c[0:])
	storeQuad(c1, c[ldc:])
	storeQuad(c2, c[2*ldc:])
	storeQuad(c3, c[3*ldc:])
}

// sum1x4 returns columns [0, 4) of one row of c scaled by beta plus
// Σₗ (alpha·a[l·colStep])·bₗ, without storing them.
func sum1x4(a []float64, colStep int, alpha quad, k int, b []float64, ldb int, beta float64, c []float64) quad {
	c0 := betaQuad(beta, c)
	for l := 0; l < k; l++ {
		c0 = c0.Add(alpha.Mul(archsimd.BroadcastFloat64x4(a[l*colStep])).Mul(quadAt(b[l*ldb:])))
	}
	return c0
}
