package runtime

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// gemvRowAlign is the row count of every part but the last of a split
// Gemv. gonum's amd64 kernel (GemvN) computes rows four at a time, then
// two, then one, each row's dot accumulated in the pattern of its group:
// parts that start at multiples of eight rows group every row as the whole
// call does, so the result is blas64.Gemv's bit for bit.
const gemvRowAlign = 8

// Gemv computes y = alpha·op(a)·x + beta·y like blas64.Gemv; y must not
// share memory with a or x. An a-by-x product (NoTrans) with unit
// increments, x.N and y.N a's dimensions and alpha not zero is Gemv's own
// when
//   - the build has the vector kernels (GOEXPERIMENT=simd on an AVX2 CPU)
//     and a has at least gemvStreamMin entries, more than the caches hold,
//     under any BLAS: each row of a is read as one forward stream and
//     summed in vector registers (vectorGemvRows, in the order
//     TestGemvVectorOrder pins), which streams memory about 1.5–2 times as
//     fast as gonum's kernel and OpenBLAS's; the bits then differ from
//     blas64.Gemv's in the last places but depend on nothing but a's row,
//     x and y's entry, so they are the same for any cut of the rows;
//   - else, under gonum's pure-Go BLAS, a has at least memorySplitMin
//     entries: gonum's kernel in parts of whole groups of gemvRowAlign
//     rows, blas64.Gemv's result bit for bit.
//
// Either runs its rows in parts at once on the worker team (split.go;
// alone when the team is busy or GOMAXPROCS is 1). A transposed product
// (aᵀ-by-x) with unit increments, alpha not zero and a of gemvTMin to
// gemvTMax entries (in the caches: a row panel's second pass) is Gemv's own
// under any BLAS when the build has the vector kernels: vectorGemvT, each
// yⱼ taking its terms (alpha·xᵢ)·aᵢⱼ in ascending i, the plain loop's bits
// (gonum's kernel adds them in another grouping, so the last places may
// differ from blas64.Gemv's). Every other call is one Dgemv call with
// blas64.Gemv's arguments. Gemv reads its operands field
// by field (see Gemm.Mul).
//
// Gemv panics as blas64.Gemv does.
func Gemv(tA blas.Transpose, alpha float64, a blas64.General, x blas64.Vector, beta float64, y blas64.Vector) {
	CleanVectorState()
	m, n := a.Rows, a.Cols
	if tA != blas.NoTrans && vectorGemvT != nil && m*n >= gemvTMin && m*n <= gemvTMax && gemvTOperands(tA, alpha, a, x, y) {
		vectorGemvT(m, n, alpha, a.Data, a.Stride, x.Data, beta, y.Data)
		return
	}
	impl := blas64.Implementation()
	if m*n < memorySplitMin && m*n < gemvStreamMin {
		// Too small for either way of its own: one Dgemv call, before the
		// operands are checked or copied into kernelArgs, which cost 7–8
		// ns of a 4×4 or 16×16 call (BenchmarkGemvSmall: 50 against 43 ns
		// at 16×16, level with blas64.Gemv now) and 12 of B1's F at n = 16.
		impl.Dgemv(tA, m, n, alpha, a.Data, a.Stride, x.Data, x.Inc, beta, y.Data, y.Inc)
		return
	}
	if tA == blas.NoTrans && gemvOperands(alpha, a, x, y) {
		args := kernelArgs{g: a, v: x, w: y, alpha: alpha, beta: beta}
		pure := pureGo(impl)
		switch {
		case vectorGemvRows != nil && m*n >= gemvStreamMin:
			split(vectorGemvRows, args, m, n)
			return
		case pure && m*n >= memorySplitMin:
			groups := (m + gemvRowAlign - 1) / gemvRowAlign
			split(gemvPart, args, groups, gemvRowAlign*n)
			return
		}
	}
	impl.Dgemv(tA, m, n, alpha, a.Data, a.Stride, x.Data, x.Inc, beta, y.Data, y.Inc)
}

// gemvOperands reports whether Gemv may compute alpha·a·x + beta·y itself
// (the vector rows or gonum's kernel in parts) rather than by one Dgemv
// call: unit increments, x.N and y.N a's dimensions, alpha not zero and
// every operand long enough.
func gemvOperands(alpha float64, a blas64.General, x, y blas64.Vector) bool {
	m, n := a.Rows, a.Cols
	return m > 0 && n > 0 && x.Inc == 1 && y.Inc == 1 && x.N == n && y.N == m && alpha != 0 &&
		holds(len(a.Data), m, n, a.Stride) && len(x.Data) >= n && len(y.Data) >= m
}

// gemvTOperands reports whether Gemv may compute alpha·aᵀx + beta·y by
// vectorGemvT: a transposed (blas.Trans or blas.ConjTrans), unit
// increments, x.N and y.N a's dimensions, alpha not zero (gonum then only
// scales y, never reading a) and every operand long enough.
func gemvTOperands(tA blas.Transpose, alpha float64, a blas64.General, x, y blas64.Vector) bool {
	m, n := a.Rows, a.Cols
	return (tA == blas.Trans || tA == blas.ConjTrans) && m > 0 && n > 0 && x.Inc == 1 && y.Inc == 1 &&
		x.N == m && y.N == n && alpha != 0 && holds(len(a.Data), m, n, a.Stride) &&
		len(x.Data) >= m && len(y.Data) >= n
}

// vectorGemvT, where a build with vector code sets it (gemvt_simd.go),
// computes Gemv's y = beta·y + alpha·aᵀx for the m×n a: y scaled by beta
// first (zeroed when beta is 0), then each yⱼ adding the terms
// (alpha·xᵢ)·aᵢⱼ in ascending i, each rounded, then added.
var vectorGemvT func(m, n int, alpha float64, a []float64, lda int, x []float64, beta float64, y []float64)

// gemvTMin and gemvTMax bound the entries of an a whose transposed
// product Gemv computes by vectorGemvT. gemvTMin is not a measured
// crossover: BenchmarkGemvTrans times the kernel alone, without Gemv's
// checks, and it is faster than gonum's from 16×16 (34 against 41 ns;
// 32×32 54 against 118); below 2¹⁰ entries Gemv keeps the one Dgemv call
// of its early return (BenchmarkGemvSmall). Above gemvTMax (512 KB, twice
// a row panel, partPanelElems) the BLAS runs it, on both cores where it
// has threads (gemvBlocks under OpenBLAS).
const (
	gemvTMin = 1 << 10
	gemvTMax = 1 << 16
)

// PanelGemv sets y = a[r0:r1]·x, the rows r0 … r1−1 of a times x: the
// first pass over a row panel of a matrix (emit's row-panel loops), which
// reads the panel from memory when a is larger than the caches. With a of
// at least gemvStreamMin entries and the vector kernels, the panel's rows
// are streamed one by one as Gemv streams the whole a (vectorGemvRows), so
// each y entry has the bits Gemv of all of a gives its row; otherwise it is
// Gemv(blas.NoTrans, 1, RowPanel(a, r0, r1), x, 0, y). It panics as that
// call does.
func PanelGemv(a blas64.General, r0, r1 int, x, y blas64.Vector) {
	p := RowPanel(a, r0, r1)
	if vectorGemvRows != nil && a.Rows*a.Cols >= gemvStreamMin && gemvOperands(1, p, x, y) {
		vectorGemvRows(kernelArgs{g: p, v: x, w: y, alpha: 1}, 0, p.Rows)
		return
	}
	Gemv(blas.NoTrans, 1, p, x, 0, y)
}

// vectorGemvRows, where a build with vector code sets it (gemv_simd.go),
// computes the rows [lo, hi) of Gemv's y (args: a in g, x in v, y in w,
// alpha and beta): each yᵢ = gemvStore(alpha, s, beta, yᵢ), s the sum of
// aᵢⱼ·xⱼ in four vector lanes — lane l of accumulator c adding the
// products of columns 16k + 4c + l in ascending k, then accumulator 0
// those of the columns 4k + l left after the last whole sixteen — the
// lanes added as (s0 + s1) + (s2 + s3), then lane by lane as
// (l0 + l1) + (l2 + l3), then the last n mod 4 products added in order.
var vectorGemvRows kernelPart

// gemvStreamMin is the fewest entries of a from which Gemv uses
// vectorGemvRows: 16 MB, half this machine's last-level cache, where
// BenchmarkGemvVector (one core, 2026-12-05) has the two level — 2048×1024
// 373–460 against 378–419 µs; in the caches gonum's kernel is as fast or
// faster (128×128: 1.49 against 1.65–1.80 µs, 1024×1024, 8 MB: 118–143
// against 100–160 µs), beyond them the vector rows (4096×1024: 0.87–1.02 against
// 1.37–1.49 ms, 8192×1024: 2.3–2.5 against 3.5–3.7 ms, 65536×256:
// 4.3–5.4 against 8–11 ms).
var gemvStreamMin = 1 << 21

// gemvPart is the part Gemv splits: gemvRows, but in tests that record
// the parts.
var gemvPart kernelPart = gemvRows

// gemvRows computes the row groups [lo, hi) of Gemv's y.
func gemvRows(args kernelArgs, lo, hi int) {
	a := args.g
	r0, r1 := lo*gemvRowAlign, min(hi*gemvRowAlign, a.Rows)
	if r0 >= r1 {
		return
	}
	gonum.Implementation{}.Dgemv(blas.NoTrans, r1-r0, a.Cols, args.alpha, a.Data[r0*a.Stride:], a.Stride,
		args.v.Data, 1, args.beta, args.w.Data[r0:], 1)
}
