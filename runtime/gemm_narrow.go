//go:build goexperiment.simd && amd64

package runtime

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// GemmNarrow sets c = alpha·op(a)·op(b) + beta·c, for alpha 1, with
// GemmFMA's arithmetic, for the products GemmFMA's slabs and blocks of
// 14×16 run slowly: an output narrowMinCols to narrowMaxCols columns wide
// (B7MLP's H W₂ and Hᵀ R, o = 10 columns), or wider with an inner
// dimension at most narrowMaxSteps long (its R W₂ᵀ), with at least
// narrowMinRows rows and narrowMinWork multiply-adds (narrowGemmShape). It returns false, having written nothing,
// for any other call: where the kernel does not run (no AVX-512), for
// alpha other than 1 (alpha·op(a) would have to be packed, as much work
// as the product here) and for a malformed call; the caller then runs its
// own Dgemm. c must not share memory with a or b.
//
// The bits are GemmFMA's: each entry one chain of fused multiply-adds in
// the order of the inner dimension, c_ij = fma(a_i,k−1, b_k−1,j, …
// fma(a_i0, b_0j, s)) for op(a) = (a_il) and op(b) = (b_lj), s = beta·c_ij
// (c_ij when beta is 1, 0 when beta is 0, and then c is not read); the
// tiles and parts decide where a chain runs, never its terms or their
// order (TestGemmNarrowBits checks it against the scalar chain that
// TestGemmFMABits checks GemmFMA against).
//
// How: op(b) is packed once, k rows of its n columns rounded up to a
// multiple of 16 with zeros (small, as n or k is); the rows of c are cut
// into tiles of 12, the tiles into parts on the team (runtime.Parts), and
// the assembly block (fmaNarrow12x16Asm) runs each tile against each 16
// columns, broadcasting op(a)'s entries from a itself and holding 12×16
// entries of c in 24 vector registers across all k steps. The last tile
// runs the last 12 rows and writes those the one before did not; a block
// past c's last column runs on a copy of its entries of c. Products by aᵀ
// with at most 16 columns run instead on GemmColumns's kernel
// (gemmColumns), which streams a's rows: the same chains, faster.
func GemmNarrow(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) bool {
	transA, okA := transposed(tA)
	transB, okB := transposed(tB)
	if !wideVectors || !okA || !okB || alpha != 1 || !narrowGemmShape(m, n, k) {
		return false
	}
	return gemmNarrow(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmNarrow is GemmNarrow whatever the size of the product (n at most
// narrowMaxCols or k at most narrowMaxSteps, alpha 1): false for a
// malformed call.
func gemmNarrow(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) bool {
	if m < 1 || n < 1 || k < 1 || n > narrowMaxCols && k > narrowMaxSteps || alpha != 1 {
		return false
	}
	if !fits(transA, transB, m, n, k, blas64.General{Stride: lda, Data: a}, blas64.General{Stride: ldb, Data: b}, blas64.General{Stride: ldc, Data: c}) {
		return false
	}
	if transA && n <= narrowMaxCols {
		// GemmColumns's kernel: the same chains, faster.
		gemmColumns(m, n, k, a, lda, b, ldb, beta, c, ldc, transB)
		return true
	}
	g := gemmNarrowCalls.Get().(*gemmNarrowCall)
	*g = gemmNarrowCall{transA: transA, m: m, n: n, k: k, beta: beta,
		a: a, lda: lda, c: c, ldc: ldc, q: g.q, scratch: g.scratch}
	g.width = (n + narrowBlockCols - 1) / narrowBlockCols * narrowBlockCols
	g.packB(transB, b, ldb)
	tiles := (m + narrowBlockRows - 1) / narrowBlockRows
	g.parts = 1
	if float64(m)*float64(n)*float64(k) >= narrowSplitMin {
		g.parts = min(tiles, TeamSize())
	}
	g.tiles = tiles
	g.perPart = narrowBlockRows*k + narrowBlockRows*narrowBlockCols
	grow(&g.scratch, g.parts*g.perPart)
	Parts(g.parts, g)
	*g = gemmNarrowCall{q: g.q, scratch: g.scratch}
	gemmNarrowCalls.Put(g)
	return true
}

// The shape of GemmNarrow's block and the shapes it takes (narrowGemmShape).
const (
	narrowBlockRows = 12
	narrowBlockCols = 16
	narrowMaxCols   = 16
	narrowMaxSteps  = 16
	narrowMinCols   = 8
	narrowMinRows   = 16
)

// narrowGemmShape reports whether GemmNarrow takes an m×n product with
// inner dimension k: 8 to 16 columns (fewer leave most of the block's 16
// idle), or more with at most 16 steps; at least 16 rows and narrowMinWork
// multiply-adds; cut into parts on the team from narrowSplitMin.
// BenchmarkGemmNarrowKernel (2 cores, idle, 2026-12-07, GFLOP/s of
// vectorMul, GemmFMA and GemmNarrow):
//
//	NN 1024×10×256   21  41  71    NN 1024×16×256  37  79 110
//	NT 1024×256×10   52  64  57    NN 1024×256×16  73  83  84
//	TN 256×10×1024   20  32  41*   NN 4096×10×128  19  50  70
//	NN 64×10×64      13  14  30    NN 40×10×64     13  11  27
//	NN 32×8×128      14   9  21    NN 64×16×32     20  18  53
//	NN 1024×4×256    23  18  23    NN 128×4×64     18   7  15
//
// (* the 12×16 tile's, before such products went to GemmColumns's kernel:
// 96 there.)
//
// Built with -tags gradgensplit, it takes a quarter of the shapes it
// could whatever their size, those whose m + n + k is 1 modulo 4
// (GemmFMA's half are the even ones), so that tests with small inputs,
// the differential oracle's among them, run it.
func narrowGemmShape(m, n, k int) bool {
	if m < 1 || n < narrowMinCols || k < 1 || n > narrowMaxCols && k > narrowMaxSteps {
		return false
	}
	if fmaHalfShapes {
		return (m+n+k)%4 == 1
	}
	return m >= narrowMinRows && float64(m)*float64(n)*float64(k) >= float64(narrowMinWork)
}

// narrowSplitMin is the fewest multiply-adds from which GemmNarrow and
// GemmColumns cut a product into parts on the team; -tags gradgensplit
// lowers it (split_narrow.go), so that small inputs run in parts.
var narrowSplitMin = float64(1 << 17)

// gemmNarrowCall is one GemmNarrow call as its parts see it: op(a) as a
// and its flag, c, op(b) packed into q (k rows of width columns), and the
// parts' working storage, perPart entries each: 12 rows of p, step after
// step, then a 12×16 copy of c for the tiles past its edge.
type gemmNarrowCall struct {
	transA         bool
	m, n, k, width int
	beta           float64
	a, c           []float64
	lda, ldc       int
	q, scratch     []float64
	tiles, parts   int
	perPart        int
}

var gemmNarrowCalls = sync.Pool{New: func() any { return new(gemmNarrowCall) }}

// packB packs op(b) into q: q[l·width + j] = op(b)[l, j] for j < n, zero
// for n ≤ j < width.
func (g *gemmNarrowCall) packB(transB bool, b []float64, ldb int) {
	q := grow(&g.q, g.k*g.width)
	for l := range g.k {
		row := q[l*g.width : (l+1)*g.width]
		if transB {
			for j := range g.n {
				row[j] = b[j*ldb+l]
			}
		} else {
			copy(row, b[l*ldb:l*ldb+g.n])
		}
		clear(row[g.n:])
	}
}

// RunPart runs the tiles of rows PartRows gives part.
func (g *gemmNarrowCall) RunPart(part int) {
	lo, hi := PartRows(g.tiles, g.parts, part)
	work := g.scratch[part*g.perPart : (part+1)*g.perPart : (part+1)*g.perPart]
	packed, tile := work[:narrowBlockRows*g.k], work[narrowBlockRows*g.k:]
	for t := lo; t < hi; t++ {
		// The rows [i0, i0+12) the block runs, of which it writes those
		// from first: a tile past the last row runs the last 12 rows, and
		// writes those no tile before it did.
		i0 := t * narrowBlockRows
		first := i0
		if i0+narrowBlockRows > g.m && g.m >= narrowBlockRows {
			i0 = g.m - narrowBlockRows
		}
		p := g.rowsOfA(packed, i0)
		for j0 := 0; j0 < g.n; j0 += narrowBlockCols {
			g.block(p, tile, i0, first, j0, min(narrowBlockCols, g.n-j0))
		}
	}
}

// rowsOf is where the assembly block reads 12 rows of op(a): entry (r, l)
// at p[r·row + l·step].
type rowsOf struct {
	p         []float64
	row, step int
}

// rowsOfA returns rows [i0, i0+12) of op(a): a itself, the rows of op(a)
// a's rows (NoTrans) or its columns (Trans); where op(a) has fewer than
// 12 rows, its rows packed into dst step after step, dst[12l + r] =
// op(a)[r, l], zero past the last.
func (g *gemmNarrowCall) rowsOfA(dst []float64, i0 int) rowsOf {
	if g.m >= narrowBlockRows {
		if g.transA {
			return rowsOf{p: g.a[i0 : (g.k-1)*g.lda+i0+narrowBlockRows], row: 1, step: g.lda}
		}
		return rowsOf{p: g.a[i0*g.lda : (i0+narrowBlockRows-1)*g.lda+g.k], row: g.lda, step: 1}
	}
	dst = dst[:narrowBlockRows*g.k]
	clear(dst)
	for r := range g.m {
		for l := range g.k {
			if g.transA {
				dst[narrowBlockRows*l+r] = g.a[l*g.lda+r]
			} else {
				dst[narrowBlockRows*l+r] = g.a[r*g.lda+l]
			}
		}
	}
	return rowsOf{p: dst, row: 1, step: narrowBlockRows}
}

// block runs the assembly block on rows [i0, i0+12) and columns [j0,
// j0+cols) of c and writes rows [first, i0+12) of them (those that are
// c's): in place where that is all 12 rows and 16 columns, else on a copy
// in tile.
func (g *gemmNarrowCall) block(p rowsOf, tile []float64, i0, first, j0, cols int) {
	q := g.q[j0 : (g.k-1)*g.width+j0+narrowBlockCols]
	_ = p.p[(narrowBlockRows-1)*p.row+(g.k-1)*p.step]
	end := min(i0+narrowBlockRows, g.m)
	if first == i0 && end == i0+narrowBlockRows && cols == narrowBlockCols {
		c := g.c[i0*g.ldc+j0 : (end-1)*g.ldc+j0+cols]
		if g.beta != 0 && g.beta != 1 {
			for r := range narrowBlockRows {
				row := c[r*g.ldc : r*g.ldc+cols]
				for j := range row {
					row[j] = g.beta * row[j]
				}
			}
		}
		fmaNarrow12x16Asm(g.k, &p.p[0], p.row, p.step, &q[0], g.width, &c[0], g.ldc, g.beta != 0)
		return
	}
	tile = tile[:narrowBlockRows*narrowBlockCols]
	clear(tile)
	if g.beta != 0 {
		for i := first; i < end; i++ {
			row := tile[(i-i0)*narrowBlockCols : (i-i0)*narrowBlockCols+cols]
			copy(row, g.c[i*g.ldc+j0:i*g.ldc+j0+cols])
			if g.beta != 1 {
				for j := range row {
					row[j] = g.beta * row[j]
				}
			}
		}
	}
	fmaNarrow12x16Asm(g.k, &p.p[0], p.row, p.step, &q[0], g.width, &tile[0], narrowBlockCols, true)
	for i := first; i < end; i++ {
		copy(g.c[i*g.ldc+j0:i*g.ldc+j0+cols], tile[(i-i0)*narrowBlockCols:(i-i0)*narrowBlockCols+cols])
	}
}

// fmaNarrow12x16Asm is GemmNarrow's block, in gemm_narrow_amd64.s: rows
// r < 12, columns [0, 16) of c (stride ldc) set to what they hold (zero
// unless load) followed by fused multiply-adds of a[r·aRow + l·aStep]·
// b[l·ldb + j], l = 0, 1, …, steps−1, on unchecked pointers: its callers
// slice every entry it reads and writes first.
//
//go:noescape
func fmaNarrow12x16Asm(steps int, a *float64, aRow, aStep int, b *float64, ldb int, c *float64, ldc int, load bool)

// GemmColumns sets c = alpha·aᵀ·op(b) + beta·c, for alpha 1 and op(a) =
// aᵀ (tA Trans or ConjTrans), with GemmNarrow's arithmetic (each entry one
// chain of fused multiply-adds in the order of the inner dimension, from
// beta·c), for an output of 1 to 16 columns (B7MLP's Hᵀ R, B8Softmax's
// Xᵀ G: o = k = 10 columns) with at least narrowMinWork multiply-adds
// (columnsShape). It returns false, having written nothing, for any other
// call, where the kernel does not run (no AVX-512) and for a malformed
// call; the caller then runs its own Dgemm. c must not share memory with
// a or b.
//
// How: a's rows are streamed once, in order (gemmColumns), where the
// tiles of GemmNarrow and GemmFMA read a few entries of every row of a
// per tile. BenchmarkGemmNarrowKernel (2 cores, 2026-12-07, GFLOP/s of
// vectorMul, GemmFMA, GemmNarrow's 12×16 tile before and this kernel):
//
//	TN 256×10×1024   22  28  33  96    TN 128×10×4096  21  22  26 104
//	TN 256×4×1024    25  11  16  91    TN 64×8×512     27  17  17  88
//	TN 40×10×64      15  13  20  23
func GemmColumns(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) bool {
	transA, okA := transposed(tA)
	transB, okB := transposed(tB)
	if !wideVectors || !okA || !okB || !transA || alpha != 1 || !columnsShape(m, n, k) {
		return false
	}
	if !fits(transA, transB, m, n, k, blas64.General{Stride: lda, Data: a}, blas64.General{Stride: ldb, Data: b}, blas64.General{Stride: ldc, Data: c}) {
		return false
	}
	gemmColumns(m, n, k, a, lda, b, ldb, beta, c, ldc, transB)
	return true
}

// columnsShape reports whether GemmColumns takes an m×n product with inner
// dimension k: 1 to 16 columns and at least narrowMinWork multiply-adds.
// Built with -tags gradgensplit, it takes those whose m + n + k is 1
// modulo 4 whatever their size, as narrowGemmShape does.
func columnsShape(m, n, k int) bool {
	if m < 1 || n < 1 || k < 1 || n > narrowMaxCols {
		return false
	}
	if fmaHalfShapes {
		return (m+n+k)%4 == 1
	}
	return float64(m)*float64(n)*float64(k) >= float64(narrowMinWork)
}

// gemmColumnsCall is one GemmColumns call, as its parts see it: c's rows in blocks of 16
// (a's columns), cut into parts on the team, each part with its sums of
// 16 rows by up to 14 columns in a scratch tile.
type gemmColumnsCall struct {
	m, n, k, blocks, parts int
	beta                   float64
	a, b, c                []float64
	lda, ldb, ldc          int
	scratch                []float64
}

var gemmColumnsCalls = sync.Pool{New: func() any { return new(gemmColumnsCall) }}

// The shape of the column block (fmaColumns16Asm): 16 rows of c, the lanes
// of two vectors, by at most 14 columns (28 of the 32 vector registers
// hold sums).
const (
	columnsBlockRows = 16
	columnsMaxCols   = 14
	columnsTile      = columnsBlockRows * columnsMaxCols
)

// gemmColumns runs a product with op(a) = aᵀ, n at most narrowMaxCols
// (GemmColumns, and GemmNarrow's of that shape), by streaming a's rows: for each block of 16 of c's rows
// (16 entries of each of a's rows) and up to 14 of its columns, the
// assembly block holds the 16×14 sums in registers while it walks the k
// rows of a and b, so that a is read once, row by row, where the 12×16
// tile would read 12 entries of every row of a for each tile. The chains
// are GemmFMA's (GemmNarrow's doc). op(b) is b itself for NoTrans; for
// Trans, b's k columns are packed as rows first.
func gemmColumns(m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int, transB bool) {
	g := gemmColumnsCalls.Get().(*gemmColumnsCall)
	*g = gemmColumnsCall{m: m, n: n, k: k, beta: beta, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, scratch: g.scratch}
	g.blocks = (m + columnsBlockRows - 1) / columnsBlockRows
	g.parts = 1
	if float64(m)*float64(n)*float64(k) >= narrowSplitMin {
		g.parts = min(g.blocks, TeamSize())
	}
	size := g.parts * columnsTile
	if transB {
		// op(b) = bᵀ: its rows packed after the tiles, k rows of n.
		size += k * n
	}
	scratch := grow(&g.scratch, size)
	if transB {
		q := scratch[g.parts*columnsTile:]
		for l := range k {
			for j := range n {
				q[l*n+j] = b[j*ldb+l]
			}
		}
		g.b, g.ldb = q, n
	}
	Parts(g.parts, g)
	*g = gemmColumnsCall{scratch: g.scratch}
	gemmColumnsCalls.Put(g)
}

// RunPart runs the blocks of rows PartRows gives part, each in strips of
// the columns at most 14 wide, whose widths differ by at most one.
func (g *gemmColumnsCall) RunPart(part int) {
	lo, hi := PartRows(g.blocks, g.parts, part)
	tile := g.scratch[part*columnsTile : (part+1)*columnsTile : (part+1)*columnsTile]
	strips := (g.n + columnsMaxCols - 1) / columnsMaxCols
	width := (g.n + strips - 1) / strips
	for blk := lo; blk < hi; blk++ {
		i0 := blk * columnsBlockRows
		rows := min(columnsBlockRows, g.m-i0)
		for j0 := 0; j0 < g.n; j0 += width {
			g.strip(tile, i0, rows, j0, min(width, g.n-j0))
		}
	}
}

// strip runs the assembly block on rows [i0, i0+rows) and columns [j0,
// j0+cols) of c: their sums start in tile from beta·c (c when beta is 1,
// 0 when beta is 0, and c is not read), and go back to c after.
func (g *gemmColumnsCall) strip(tile []float64, i0, rows, j0, cols int) {
	for j := range cols {
		sums := tile[j*columnsBlockRows : j*columnsBlockRows+rows]
		if g.beta == 0 {
			clear(sums)
			continue
		}
		for r := range sums {
			sums[r] = g.c[(i0+r)*g.ldc+j0+j]
			if g.beta != 1 {
				sums[r] *= g.beta
			}
		}
	}
	// Every entry the block reads: a[l·lda + i0 + r], b[l·ldb + j0 + j].
	_ = g.a[(g.k-1)*g.lda+i0+rows-1]
	_ = g.b[(g.k-1)*g.ldb+j0+cols-1]
	fmaColumns16Asm(g.k, &g.a[i0], g.lda, &g.b[j0], g.ldb, &tile[0], cols, uint16(1<<rows-1))
	for j := range cols {
		sums := tile[j*columnsBlockRows : j*columnsBlockRows+rows]
		for r, s := range sums {
			g.c[(i0+r)*g.ldc+j0+j] = s
		}
	}
}

// fmaColumns16Asm is GemmColumns's block, in gemm_narrow_amd64.s:
// t[16j + l], for j < cols and the lanes l set in lanes, followed by fused
// multiply-adds of a[i·lda + l]·b[i·ldb + j] for i = 0, 1, …, steps−1, on
// unchecked pointers: its caller slices every entry it reads first. t
// holds 16×14 entries, all loaded and stored.
//
//go:noescape
func fmaColumns16Asm(steps int, a *float64, lda int, b *float64, ldb int, t *float64, cols int, lanes uint16)
