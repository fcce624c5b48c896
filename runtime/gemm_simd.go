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
// (TestGemmVectorBitIdentical), a NaN for a NaN: the assembly adds the
// term to c where gonum's kernel adds c to the term, and x86 keeps the
// first operand's NaN, so where two NaNs meet the sign and payload may
// differ.
//
// The kernel (gemm_amd64.s) holds a block of c four rows by eight columns
// in eight vector registers (four rows by sixteen in eight AVX-512
// registers, where wideVectors) across a stretch of up to panelSteps steps of l
// (then four rows by four, then single rows in Go), so each step loads two
// vectors of b and broadcasts four entries of a panel of alpha·op(a)
// packed once a stretch for all the blocks of its rows (of op(a) itself
// where it is, for a c less than 8 wide with alpha 1). Blocks of rows are
// independent, so from vectorSplitMin multiply-adds they are split across
// the worker team (split.go), the same bits. A c whose width is not a
// multiple of four ends with a block that overlaps the one before it
// (vecMulRows). The vector code ends with VZEROUPPER.
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

// panelSteps is the most steps of the inner dimension vecMulRows runs at
// once, for each block of four rows in turn (a stretch; a panel of them is
// 4 KB on the stack).
const panelSteps = 128

// panel holds alpha·op(a)ᵣₗ for four rows r of op(a) and up to panelSteps
// steps l, at 4l + r: each entry is the product alpha·aᵣₗ that gonum's
// kernel forms (one rounding, the same bits), formed once for all the
// column blocks of the rows instead of once each, and read from one cache
// line a step. When alpha is 1 that product is aᵣₗ itself, and for a c
// less than 8 wide (one 4-wide block a row, or two that overlap) the blocks
// read op(a) where it is, since packing would not pay (BenchmarkVectorMul:
// 32×4×32 0.74 against 0.47 µs).
type panel [4 * panelSteps]float64

// pack fills p with alpha·a[r·rowStep + l·colStep] for r < 4, l < steps,
// and returns them.
func (p *panel) pack(a []float64, rowStep, colStep int, alpha float64, steps int) []float64 {
	s := p[:4*steps]
	for l := range steps {
		o := l * colStep
		s[4*l], s[4*l+1], s[4*l+2], s[4*l+3] = alpha*a[o], alpha*a[o+rowStep], alpha*a[o+2*rowStep], alpha*a[o+3*rowStep]
	}
	return s
}

// vecMulRows is the part of vecMul for the blocks of rows [lo, hi): block q
// is rows 4q to 4q+3, the last one the one to three rows past m &^ 3 if m
// is not a multiple of four. args holds op(a) as its first column (v) and
// first row (w), b (g), c (h), alpha and beta; k ≥ 1.
//
// The blocks of four rows are first scaled by beta, unless beta is 0 or 1
// (the first stretch then starts its sums from zero, or from c as it is).
// Then the inner dimension runs in stretches of up to panelSteps: for each,
// every block of four rows in turn packs its panel and runs its columns, so
// that the stretch's rows of b stay in cache from one block to the next. A
// stretch starts every sum from what c holds, so each entry of c sees
// gonum's terms in gonum's order, l = 0, 1, …. Within a stretch, columns
// run sixteen (where wideVectors), then eight, then four at a time up to
// n &^ 3; if n is not a multiple of
// four, the last four columns [n−4, n) are one more block, which overlaps
// the one before it: it runs on a copy of those columns of c taken before
// any other block of the stretch stores, and is copied back after them, so
// the overlapped columns get the values they already hold, the same
// arithmetic on the same inputs. The one to three rows past m &^ 3 run
// last, one at a time.
func vecMulRows(args kernelArgs, lo, hi int) {
	a, b, c, beta := args.v.Data, args.g, args.h, args.beta
	k, n, m := b.Rows, b.Cols, c.Rows
	whole := n &^ 3
	rowStep, colStep := args.v.Inc, args.w.Inc // op(a)ᵢₗ = a[i·rowStep + l·colStep]
	full := min(hi, m/4)                       // the blocks [lo, full) have four rows
	if beta != 0 && beta != 1 {
		for i := 4 * lo; i < 4*full; i++ {
			ci := c.Data[i*c.Stride : i*c.Stride+n]
			for j, x := range ci {
				ci[j] = beta * x
			}
		}
	}
	var p panel
	var last [16]float64 // the overlapping block's four rows of four
	for l0 := 0; l0 < k; l0 += panelSteps {
		steps := min(panelSteps, k-l0)
		load := l0 > 0 || beta != 0
		bl := b.Data[l0*b.Stride:]
		for q := lo; q < full; q++ {
			i := 4 * q
			ci := c.Data[i*c.Stride:]
			rows := blockRows{a: a[i*rowStep+l0*colStep:], rowStride: rowStep, stepStride: colStep, steps: steps}
			var pa []float64
			if args.alpha != 1 || whole >= 8 {
				pa = p.pack(rows.a, rowStep, colStep, args.alpha, steps)
				rows = blockRows{a: pa, rowStride: 1, stepStride: 4, steps: steps}
			}
			if whole < n {
				if load {
					for r := range 4 {
						copy(last[4*r:4*r+4], ci[r*c.Stride+n-4:])
					}
				}
				mulBlock4(rows, bl[n-4:], b.Stride, last[:], 4, load)
			}
			j := 0
			if wideVectors {
				for ; j+16 <= whole; j += 16 {
					mulBlockPacked(16, pa, bl[j:], b.Stride, ci[j:], c.Stride, load)
				}
			}
			for ; j+8 <= whole; j += 8 {
				mulBlockPacked(8, pa, bl[j:], b.Stride, ci[j:], c.Stride, load)
			}
			if j < whole {
				mulBlock4(rows, bl[j:], b.Stride, ci[j:], c.Stride, load)
			}
			if whole < n {
				for r := range 4 {
					copy(ci[r*c.Stride+n-4:r*c.Stride+n], last[4*r:4*r+4])
				}
			}
		}
	}
	if full < hi {
		alpha := archsimd.BroadcastFloat64x4(args.alpha)
		for i := 4 * full; i < m; i++ {
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

// blockRows is a stretch of four rows of op(a) (or of a panel): row r of
// step l at a[r·rowStride + l·stepStride], l < steps.
type blockRows struct {
	a                     []float64
	rowStride, stepStride int
	steps                 int
}

// mulBlockPacked sets rows r < 4, columns [0, width) of c (stride ldc),
// width 16 or 8, to what they hold (zero unless load) plus
// Σₗ p[4l+r]·b[l·ldb + j] for a packed panel p, each term multiplied, then
// added, in the order l = 0, 1, …; mulBlock4 does the same for columns
// [0, 4) and any stretch a. Both check that their slices hold every entry
// the assembly reads and writes, each stride first at most its slice's
// length where it is used, so that no product of a stride with a row or
// step count wraps around.
func mulBlockPacked(width int, p, b []float64, ldb int, c []float64, ldc int, load bool) {
	steps := len(p) / 4
	if steps < 1 || ldb < 0 || ldc < 0 || (steps > 1 && ldb > len(b)) || ldc > len(c) {
		panic("runtime: mulBlockPacked on a malformed block")
	}
	_ = b[(steps-1)*ldb+width-1]
	_ = c[3*ldc+width-1]
	if width == 16 {
		mulBlock4x16Asm(&p[0], steps, &b[0], ldb, &c[0], ldc, load)
	} else {
		mulBlock4x8Asm(&p[0], steps, &b[0], ldb, &c[0], ldc, load)
	}
}

func mulBlock4(a blockRows, b []float64, ldb int, c []float64, ldc int, load bool) {
	if a.steps < 1 || a.rowStride < 0 || a.stepStride < 0 || ldb < 0 || ldc < 0 ||
		a.rowStride > len(a.a) || (a.steps > 1 && (a.stepStride > len(a.a) || ldb > len(b))) || ldc > len(c) {
		panic("runtime: mulBlock4 on a malformed block")
	}
	_ = a.a[3*a.rowStride+(a.steps-1)*a.stepStride]
	_ = b[(a.steps-1)*ldb+3]
	_ = c[3*ldc+3]
	mulBlock4x4Asm(&a.a[0], a.rowStride, a.stepStride, a.steps, &b[0], ldb, &c[0], ldc, load)
}

// mulBlock4x16Asm, mulBlock4x8Asm and mulBlock4x4Asm are mulBlockPacked
// (16 and 8 wide) and mulBlock4, in gemm_amd64.s, on unchecked pointers.
//
//go:noescape
func mulBlock4x16Asm(p *float64, steps int, b *float64, ldb int, c *float64, ldc int, load bool)

//go:noescape
func mulBlock4x8Asm(p *float64, steps int, b *float64, ldb int, c *float64, ldc int, load bool)

//go:noescape
func mulBlock4x4Asm(a *float64, rowStride, stepStride, steps int, b *float64, ldb int, c *float64, ldc int, load bool)

// sum1x4 returns columns [0, 4) of one row of c scaled by beta plus
// Σₗ (alpha·a[l·colStep])·bₗ, without storing them.
func sum1x4(a []float64, colStep int, alpha quad, k int, b []float64, ldb int, beta float64, c []float64) quad {
	c0 := betaQuad(beta, c)
	for l := 0; l < k; l++ {
		c0 = c0.Add(alpha.Mul(archsimd.BroadcastFloat64x4(a[l*colStep])).Mul(quadAt(b[l*ldb:])))
	}
	return c0
}
