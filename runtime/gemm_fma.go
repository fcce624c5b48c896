//go:build goexperiment.simd && amd64

package runtime

import (
	"simd/archsimd"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// GemmFMA sets c = beta·c + alpha·op(a)·op(b) for an m×n c and inner
// dimension k, as blas64's Dgemm does, on gradgen's own AVX-512 kernel
// with fused multiply-adds, split across the worker team; it returns false,
// having written nothing, where that kernel does not run (no AVX-512, or a
// build without GOEXPERIMENT=simd), for alpha = 0 (c = beta·c without
// reading a or b is the caller's), for an empty product, and for a call
// whose flags, slices or strides are malformed (the caller's Dgemm then
// panics as it should). c must not share memory with a or b. Which calls
// are worth it is the caller's rule: runtime/openblas sends its large
// Dgemms here, which on 2 cores run at about OpenBLAS's own two-thread
// rate, where OpenBLAS on the team's goroutines, a cgo call each, did not
// (gemmFMAShape there), and Gemm.Mul the large products under gonum's
// BLAS (fmaShape).
//
// Each entry is one chain of fused multiply-adds in the order of the
// inner dimension: c_ij = fma(p_i,k−1, q_k−1,j, … fma(p_i0, q_0j, s)),
// where p = alpha·op(a) (each product rounded, as gonum's kernels form it;
// op(a) itself when alpha is 1), q = op(b) and s = beta·c_ij (c_ij itself
// when beta is 1, 0 when beta is 0, and then c is not read). The slabs,
// the blocks and the team's parts decide only where a chain is computed,
// never its terms or their order, so results are the same bits on every
// run and for any team size (TestGemmFMABits).
//
// How: op(b) is packed, at most gemmFMASlab entries at a time (a slab: up
// to gemmFMADepth steps of the inner dimension by as many columns as fit),
// into panels of 16 columns, each panel's steps one after another, by the
// team (runtime.Parts), the slab shared by all; then the team takes parts
// of up to gemmFMABlock panels of 14 rows, each packing its panels of p for
// a stretch of up to gemmFMASteps steps (packRows) and running the assembly block
// (fmaBlock14x16Asm), which holds 14×16 entries of c in 28 vector
// registers across the stretch. So op(b) is packed once and op(a) once a
// slab of columns. A call with few panels of rows and many of columns is
// split by columns instead (gemmFMAColumnParts): each part packs the slabs
// of its own columns and runs every row against them, so op(a) is packed
// once a slab of each part's columns. Rows and columns past a multiple of 14 and 16 run on a
// copy of their entries of c, the panels' missing rows and columns packed
// as zeros. The slab and the packed rows are pooled (sync.Pool), as
// generated functions' workspaces are: a call after a garbage collection
// may allocate them again.
func GemmFMA(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) bool {
	transA, okA := transposed(tA)
	transB, okB := transposed(tB)
	if !wideVectors || !okA || !okB || alpha == 0 || m < 1 || n < 1 || k < 1 {
		return false
	}
	if !fits(transA, transB, m, n, k, blas64.General{Stride: lda, Data: a}, blas64.General{Stride: ldb, Data: b}, blas64.General{Stride: ldc, Data: c}) {
		return false
	}
	gemmFMADrive(gemmFMACall{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc})
	return true
}

// GemmFMAPlusTranspose sets c = beta·c + alpha·(a + aᵀ)·op(b) for an m×m a
// and an m×n c on GemmFMA's kernel, forming each entry of a + aᵀ as it
// packs a (a's entry first, one rounding, as AddTransposeTo forms it), so
// that c gets the bits of AddTransposeTo into a matrix s and GemmFMA of s,
// without the pass that writes s and reads it back. It returns false,
// having written nothing, where GemmFMA would (the kernel does not run,
// alpha = 0, an empty product, a malformed call). c must not share memory
// with a or b. BenchmarkGemmFMAPlusTranspose (2 cores, idle, 2026-12-07,
// three runs, GFLOP/s formed and fused): 1024×1024 by 1024×256 111 → 126,
// 512³ 113 → 122, 512×512 by 512×64 65 → 101.
func GemmFMAPlusTranspose(tB blas.Transpose, m, n int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) bool {
	transB, okB := transposed(tB)
	if !wideVectors || !okB || alpha == 0 || m < 1 || n < 1 {
		return false
	}
	if !fits(false, transB, m, n, m, blas64.General{Stride: lda, Data: a}, blas64.General{Stride: ldb, Data: b}, blas64.General{Stride: ldc, Data: c}) {
		return false
	}
	gemmFMADrive(gemmFMACall{transB: transB, plusTranspose: true, m: m, n: n, k: m, alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc})
	return true
}

// gemmFMADrive runs the call call describes on the team:
// by parts of its rows against slabs of op(b) that the team packs and
// shares, or, where its rows make few parts and its columns many
// (gemmFMAColumnParts), by parts of its columns, each part packing its own
// slabs.
func gemmFMADrive(call gemmFMACall) {
	g := gemmFMACalls.Get().(*gemmFMACall)
	call.slab = g.slab
	*g = call
	panels := (g.m + gemmFMARows - 1) / gemmFMARows
	members := TeamSize()
	if parts, width := gemmFMAColumnParts(panels, g.n, members); parts > 1 {
		g.block = min(gemmFMABlock, panels)
		g.partCols, g.partSlab = width, min(gemmFMASlab/parts/gemmFMACols*gemmFMACols, width*g.k)
		grow(&g.slab, parts*g.partSlab)
		Parts(parts, g)
	} else {
		g.block = gemmFMAPartPanels(panels, members)
		g.driveRows(panels)
	}
	*g = gemmFMACall{slab: g.slab}
	gemmFMACalls.Put(g)
}

// driveRows runs the call by parts of its rows, slab by slab: the team
// packs a slab of op(b), then runs the parts against it.
func (g *gemmFMACall) driveRows(panels int) {
	depth, width := gemmFMASlabShape(g.k, gemmFMASlab)
	for jc := 0; jc < g.n; jc += width {
		for pc := 0; pc < g.k; pc += depth {
			t := gemmFMATile{jc: jc, nc: min(width, g.n-jc), pc: pc, kc: min(depth, g.k-pc)}
			cols := (t.nc + gemmFMACols - 1) / gemmFMACols
			grow(&g.slab, cols*t.kc*gemmFMACols)
			t.slab = g.slab
			g.tile = t
			g.packing = true
			Parts(cols, g)
			g.packing = false
			Parts((panels+g.block-1)/g.block, g)
		}
	}
}

// gemmFMAColumnParts returns into how many parts of its columns, and how
// many columns each (a multiple of 16), a call of panels panels of 14 rows
// and n columns is split on a team of members; 1 part where it runs by
// parts of its rows instead. By rows, every member reads the whole of each
// slab of op(b), of which it packed a share: where the rows make only a
// few parts each, the slab is read again too few times to repay bringing
// the other members' shares to its core. By columns, each part packs the
// slabs it reads, and packs op(a) again: worth it where there are few
// panels of rows and at least gemmFMAColumnMinCols panels of columns for
// each part. BenchmarkGemmFMAPureGo, by rows against by columns (2 cores,
// 2026-12-07, 3 runs, GFLOP/s):
//
//	NN 128×128×128   68  82    NN 256×64×256    87  80
//	NN 256×256×256  112 125    NN 384×64×384    97  99
//	NN 256×1024×256 108 131    NN 448×128×448  112 118
//	TN 256×256×1024 100 110    NN 512×128×512  131 121
//	NN 384×384×384  109 130    NN 512×512×512  132 133
//	NN 448×448×448  116 136    NN 1024×256×256 142 135
//	NN 16×1024×256   30  49    TN 64×256×1024   60  94
//
// In the generated functions under gonum's BLAS (./bench, interleaved,
// six runs each, with the 128³ products sent to GemmFMA too, fmaShape):
// B4's FGrad at m = 128 −18 %, B8's at n = 1024, k = 256 −8 % (its
// Xᵀ·G, TN 64×256×1024), B7's at n = 1024 −5 % (p = 0.09), the rest
// unchanged.
func gemmFMAColumnParts(panels, n, members int) (parts, width int) {
	cols := (n + gemmFMACols - 1) / gemmFMACols
	switch gemmFMASplit {
	case splitByRows:
		return 1, n
	case splitByShape:
		if members < 2 || panels > gemmFMAColumnPanels || cols < gemmFMAColumnMinCols*members {
			return 1, n
		}
	case splitByColumns: // two parts at least, one after another on a team of one
		members = max(members, 2)
	}
	if cols < 2 {
		return 1, n
	}
	parts = min(members, cols)
	width = (cols + parts - 1) / parts * gemmFMACols
	return (n + width - 1) / width, width
}

// The most panels of 14 rows, and the least panels of 16 columns for each
// member of the team, of a call GemmFMA splits by columns.
const (
	gemmFMAColumnPanels  = 32
	gemmFMAColumnMinCols = 4
)

// gemmFMASplit is how GemmFMA splits its calls: by their shape
// (gemmFMAColumnParts), or, for tests, by rows, or by columns wherever
// there are two panels of them, in two parts at least whatever the team.
var gemmFMASplit = splitByShape

const (
	splitByShape = iota
	splitByRows
	splitByColumns
)

// The shape of GemmFMA's work: blocks of gemmFMARows×gemmFMACols entries
// of c, stretches of gemmFMASteps steps of the inner dimension, parts of
// up to gemmFMABlock panels of 14 rows, and at most gemmFMASlab entries of
// op(b) packed at once (2 MB, the second-level cache of this machine's
// cores), at most gemmFMADepth steps of it (so that a slab holds 16
// columns at least). A part packs its panels of rows for a stretch (28 KB
// each) and runs each panel of 16 columns of the slab (32 KB) against all
// of them, so that the panel of columns is read into the first-level cache
// (48 KB) once for the part's panels of rows. Measured on 2 cores
// (BenchmarkGemmFMA in runtime/openblas, 2026-12-07): six panels a part
// against four, 4 interleaved runs, 512³ 118 → 129 GFLOP/s, 1024×256×256
// 123 → 142; against eight, 512³ 116–117; stretches of 128 or 192 steps
// 3–8 % slower than 256. A call with fewer than two parts of six panels for
// each member of the team cuts its rows into smaller parts, so that every
// member has work.
const (
	gemmFMARows  = 14
	gemmFMACols  = 16
	gemmFMASteps = 256
	gemmFMABlock = 6
	gemmFMASlab  = 1 << 18
)

// gemmFMADepth is the most steps of the inner dimension a slab holds, so
// that it holds 16 columns at least (a variable: the tests lower it).
var gemmFMADepth = gemmFMASlab / gemmFMACols

// gemmFMASlabShape returns how many steps of the inner dimension (of k)
// and how many columns a slab of at most size entries holds: 16 columns at
// least.
func gemmFMASlabShape(k, size int) (depth, width int) {
	depth = min(k, gemmFMADepth, size/gemmFMACols)
	return depth, max(gemmFMACols, size/depth/gemmFMACols*gemmFMACols)
}

// gemmFMAPartPanels returns how many of a call's panels of rows a part
// runs on a team of members: gemmFMABlock, or fewer so that each member
// has two parts, where there are not that many panels.
func gemmFMAPartPanels(panels, members int) int {
	return min(gemmFMABlock, max(1, (panels+2*members-1)/(2*members)))
}

// gemmFMACall is one GemmFMA call as its parts see it: the operands, the
// slab buffer and the panels of rows run at once (block); by rows, the
// tile of op(b) the team works on and whether the parts now running pack
// it (part q: its panel q of columns) or run against it (part q: panels
// block·q … of 14 rows, the last cut at m); by columns, the columns of a
// part (part q: columns partCols·q …, the last cut at n) and its share of
// the slab buffer (partSlab entries from partSlab·q).
type gemmFMACall struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	a, b, c        []float64
	lda, ldb, ldc  int
	slab           []float64
	tile           gemmFMATile
	block          int
	packing        bool
	partCols       int // by columns; 0 by rows
	partSlab       int
	plusTranspose  bool // op(a) is a + aᵀ (GemmFMAPlusTranspose)
}

// gemmFMATile is a slab of packed op(b): columns [jc, jc+nc) and steps
// [pc, pc+kc), packed into slab.
type gemmFMATile struct {
	jc, nc, pc, kc int
	slab           []float64
}

// RunPart runs part q of the call's current step; Parts calls it.
func (g *gemmFMACall) RunPart(q int) {
	switch {
	case g.partCols > 0:
		g.runColumns(q)
	case g.packing:
		g.pack(&g.tile, q)
	default:
		i0 := q * g.block * gemmFMARows
		g.run(&g.tile, i0, min(i0+g.block*gemmFMARows, g.m))
	}
}

// runColumns runs part q by columns: its columns of c, every row, tile by
// tile of op(b), each packed into the part's own share of the slab buffer.
func (g *gemmFMACall) runColumns(q int) {
	region := g.slab[q*g.partSlab : (q+1)*g.partSlab : (q+1)*g.partSlab] // an overrun panics, never writes the next part's share
	j0, j1 := q*g.partCols, min((q+1)*g.partCols, g.n)
	depth, width := gemmFMASlabShape(g.k, g.partSlab)
	for jc := j0; jc < j1; jc += width {
		for pc := 0; pc < g.k; pc += depth {
			t := gemmFMATile{jc: jc, nc: min(width, j1-jc), pc: pc, kc: min(depth, g.k-pc), slab: region}
			for p := range (t.nc + gemmFMACols - 1) / gemmFMACols {
				g.pack(&t, p)
			}
			for i0 := 0; i0 < g.m; i0 += g.block * gemmFMARows {
				g.run(&t, i0, min(i0+g.block*gemmFMARows, g.m))
			}
		}
	}
}

var gemmFMACalls = sync.Pool{New: func() any { return new(gemmFMACall) }}

// gemmFMARowBlock is a part's panels of 14 rows of p packed for a
// stretch, one after another: in each, row r, step l at 14l + r.
type gemmFMARowBlock [gemmFMABlock * gemmFMARows * gemmFMASteps]float64

var gemmFMARowBlocks = sync.Pool{New: func() any { return new(gemmFMARowBlock) }}

// pack packs the tile's panel q: op(b)'s columns jc+16q … jc+16q+15 for
// the tile's steps pc+l, l < kc, at slab[16(q·kc+l)+j], zeros past column
// jc+nc.
func (g *gemmFMACall) pack(t *gemmFMATile, q int) {
	kc := t.kc
	j0 := t.jc + q*gemmFMACols
	w := min(gemmFMACols, t.jc+t.nc-j0)
	p := t.slab[q*kc*gemmFMACols : (q+1)*kc*gemmFMACols]
	if w < gemmFMACols {
		clear(p)
	}
	if !g.transB {
		for l := range kc {
			row := (t.pc + l) * g.ldb
			if w == gemmFMACols { // two vector moves, where copy calls memmove
				d, src := p[l*gemmFMACols:], g.b[row+j0:row+j0+gemmFMACols]
				archsimd.LoadFloat64x8Slice(src).StoreSlice(d)
				archsimd.LoadFloat64x8Slice(src[8:]).StoreSlice(d[8:])
				continue
			}
			copy(p[l*gemmFMACols:l*gemmFMACols+w], g.b[row+j0:row+j0+w])
		}
		archsimd.ClearAVXUpperBits()
		return
	}
	for j := range w { // op(b)ₗⱼ = b[j·ldb + l]: column j of the panel is a row of b
		col := g.b[(j0+j)*g.ldb+t.pc : (j0+j)*g.ldb+t.pc+kc]
		for l, v := range col {
			p[l*gemmFMACols+j] = v
		}
	}
}

// run computes rows [i0, i1) (at most gemmFMABlock panels of 14) in the
// tile's columns, over the tile's steps: for each stretch it packs the
// rows' panels of p, then runs each of the tile's panels of columns
// against them, so that a panel of columns is read from the second-level
// cache once for the part's panels. Only the first tile of steps scales c
// by beta; the later ones, and later stretches, go on from what c holds.
func (g *gemmFMACall) run(t *gemmFMATile, i0, i1 int) {
	if t.pc == 0 && g.beta != 0 && g.beta != 1 {
		for r := i0; r < i1; r++ {
			row := g.c[r*g.ldc+t.jc : r*g.ldc+t.jc+t.nc]
			for j, v := range row {
				row[j] = g.beta * v
			}
		}
	}
	block := gemmFMARowBlocks.Get().(*gemmFMARowBlock)
	defer gemmFMARowBlocks.Put(block)
	for l0 := 0; l0 < t.kc; l0 += gemmFMASteps {
		steps := min(gemmFMASteps, t.kc-l0)
		load := t.pc+l0 > 0 || g.beta != 0
		for i := i0; i < i1; i += gemmFMARows {
			o := (i - i0) * steps
			g.packRows(block[o:o+gemmFMARows*steps], i, min(gemmFMARows, g.m-i), t.pc+l0)
		}
		for j := t.jc; j < t.jc+t.nc; j += gemmFMACols {
			w := min(gemmFMACols, t.jc+t.nc-j)
			o := ((j-t.jc)/gemmFMACols*t.kc + l0) * gemmFMACols
			bp := t.slab[o : o+steps*gemmFMACols]
			for i := i0; i < i1; i += gemmFMARows {
				ap := block[(i-i0)*steps : (i-i0+gemmFMARows)*steps]
				h := min(gemmFMARows, g.m-i)
				if h == gemmFMARows && w == gemmFMACols {
					ci := g.c[i*g.ldc+j : (i+gemmFMARows-1)*g.ldc+j+gemmFMACols]
					fmaBlock14x16Asm(steps, &ap[0], &bp[0], &ci[0], g.ldc, load)
					continue
				}
				var edge [gemmFMARows * gemmFMACols]float64
				if load {
					for r := range h {
						copy(edge[r*gemmFMACols:r*gemmFMACols+w], g.c[(i+r)*g.ldc+j:])
					}
				}
				fmaBlock14x16Asm(steps, &ap[0], &bp[0], &edge[0], gemmFMACols, load)
				for r := range h {
					copy(g.c[(i+r)*g.ldc+j:(i+r)*g.ldc+j+w], edge[r*gemmFMACols:])
				}
			}
		}
	}
}

// packRows packs p = alpha·op(a) for the h rows from i and the steps from
// l0 (len(dst)/14 of them) into dst, 14 rows a step (row r, step l at
// 14l + r), rows past h zeros; for GemmFMAPlusTranspose op(a) is a + aᵀ,
// each entry a's entry plus aᵀ's. A step of op(a) transposed is a row of
// a, copied; a full panel of a not transposed, with alpha 1, is transposed
// four steps at a time in vector registers (packRowsVector), the steps
// past a multiple of 4, and other panels, one entry at a time. Both ways
// store the same values: a packed entry is a copy, or one sum, or alpha
// times either. BenchmarkGemmFMAPureGo, one entry at a time against the
// vector packer (idle, 2026-12-07, 4 interleaved runs, GFLOP/s): 512³ 124
// → 129, 1024×256×1024 122 → 137, NT 1024×256×256 129 → 141.
func (g *gemmFMACall) packRows(dst []float64, i, h, l0 int) {
	steps := len(dst) / gemmFMARows
	if h < gemmFMARows {
		clear(dst)
	}
	if g.transA { // op(a)ᵢₗ = a[l·lda + i]: a step is a row of a
		for l := range steps {
			src := g.a[(l0+l)*g.lda+i : (l0+l)*g.lda+i+h]
			d := dst[l*gemmFMARows : l*gemmFMARows+h]
			if g.alpha == 1 && h == gemmFMARows { // a fixed-size copy, inlined, where copy calls memmove
				*(*[gemmFMARows]float64)(d) = *(*[gemmFMARows]float64)(src)
				continue
			}
			if g.alpha == 1 {
				copy(d, src)
				continue
			}
			for r, v := range src {
				d[r] = g.alpha * v
			}
		}
		return
	}
	done := 0
	if h == gemmFMARows && g.alpha == 1 {
		done = steps &^ 3
		g.packRowsVector(dst, i, l0, done/4)
	}
	for r := range h {
		row := (i + r) * g.lda
		for l := done; l < steps; l++ {
			v := g.a[row+l0+l]
			if g.plusTranspose {
				v += g.a[(l0+l)*g.lda+i+r]
			}
			if g.alpha != 1 {
				v *= g.alpha
			}
			dst[l*gemmFMARows+r] = v
		}
	}
}

// packRowsVector is packRows14Asm for the 14 rows from i and 4·blocks steps
// from l0, after checking every address it reads and writes.
func (g *gemmFMACall) packRowsVector(dst []float64, i, l0, blocks int) {
	if blocks == 0 {
		return
	}
	last := l0 + 4*blocks - 1
	if len(dst) < 4*blocks*gemmFMARows || !inside(g.a, g.lda, i+gemmFMARows-1, last) ||
		(g.plusTranspose && !inside(g.a, g.lda, last, i+gemmFMARows-1)) {
		panic("runtime: packRowsVector outside its matrix")
	}
	var t *float64
	if g.plusTranspose {
		t = &g.a[l0*g.lda+i]
	}
	packRows14Asm(&dst[0], &g.a[i*g.lda+l0], t, g.lda, blocks)
}

// fmaBlock14x16Asm is GemmFMA's block, in gemm_fma_amd64.s: rows r < 14,
// columns [0, 16) of c (stride ldc) set to what they hold (zero unless
// load) followed by fused multiply-adds of a[14l+r]·b[16l+j], l = 0, 1, …,
// steps−1, on unchecked pointers: its callers slice every entry it reads
// and writes first.
//
//go:noescape
func fmaBlock14x16Asm(steps int, a, b, c *float64, ldc int, load bool)

// packRows14Asm is packRowsVector's kernel, in gemm_fma_amd64.s: dst[14l +
// r] = a[r·lda + l] for r < 14 and l < 4·blocks, plus t[l·lda + r] where t
// is not nil, on unchecked pointers.
//
//go:noescape
func packRows14Asm(dst, a, t *float64, lda, blocks int)
