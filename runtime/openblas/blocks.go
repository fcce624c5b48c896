package openblas

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"

	"github.com/gradgen/gradgen/runtime"
)

// Blocks on gradgen's team. OpenBLAS runs on the calling thread alone
// (init sets its thread count to 1): its own threads spin on the cores for
// a while after each call, and every elementwise loop and narrow product
// gradgen ran between two calls shared its cores with them (B7MLP's FGrad
// at n = 1024, stage by stage: tanh 1.27 ms against 0.72 ms, each narrow
// product about twice as slow). The parallelism comes from gradgen's team
// instead: a call with enough work is cut into blocks of the rows or
// columns of its output that no other block reads or writes, and the
// blocks run on the team (runtime.Parts), one OpenBLAS call per block. The
// blocks depend on the call's shape and the team's size alone, never on
// scheduling, so every run gives the same bits.

// blockWork is the least work, in multiply-adds, that a call is cut into
// blocks for: OpenBLAS 0.3's own threshold for running a Dgemm on several
// threads (interface/gemm.c: SMP_THRESHOLD_MIN · GEMM_MULTITHREAD_THRESHOLD).
var blockWork = 65536 * 4

// blocksPerMember is the most blocks a call whose output is wide (wider
// than narrowSide) is cut into for each member of gradgen's team
// (runtime.TeamSize), and manyBlocksPerMember for a narrow one or for a
// Dsyrk. Each block is an OpenBLAS call that packs again the operand it
// shares with the others, which OpenBLAS's own threads pack once, so a
// wide output runs fastest in one block a core; a narrow output's shared
// operand is small, and its blocks fit the caches better the smaller they
// are. A Dsyrk's blocks of rows of a triangle hold unequal work (of two,
// the first three quarters of it): four a member, handed out one at a
// time, even the load. BenchmarkBlocks (2 cores, idle, 2026-12-06;
// GFLOP/s of blocks of rows, NoTrans·NoTrans, against OpenBLAS on its own
// threads):
//
//	m×n×k           own   2 blocks  4 blocks  8 blocks
//	1024×256×1024   83.4  76.8      73.6      71.5
//	512×512×512     84.6  73.3      65.9      61.6
//	1024×256×256    74.4  76.3      67.8      71.8
//	1024×10×256     13.4  35.9      48.9      49.0
//	4096×10×128     13.9  49.6      52.9      50.9
//
// A later run, the machine slower throughout, put 2 and 8 blocks of the
// wide products within each other's noise (1024×256×1024: own 69, 2
// blocks 63, 8 blocks 65; 512³: 66, 61, 59). The FGrads that run these
// products (bench/run.sh, three runs) gained either way: B3 at n = 1024
// from 59 % of OpenBLAS's own rate to 73–80 %.
//
// BenchmarkBlocks's loop of back-to-back calls understates the blocks.
// While both goroutines are in cgo calls, the Go scheduler's monitor
// takes one's processor back and then wakes every 20–100 µs, on one of
// the cores, for the rest of the call (perf sched on a 2-core Xeon,
// 2026-12-07: a wakeup every 90 µs on the core of one block, which took
// 2.7 ms where the other took 2.0). Two goroutines that each call OpenBLAS
// in a loop, synchronised only at the end, reach OpenBLAS's own rate (123–
// 128 GFLOP/s on 512³ in halves, against 125–130); with a synchronisation
// at each call, 95–98. Inside an FGrad, where the team's goroutines also
// run the elementwise loops between products, the blocks did better: B3's
// product, timed in its FGrad's sequence, 108–120. Tried and not kept: a
// pool of C threads running the blocks inside one cgo call (the monitor
// then sleeps, as it does for OpenBLAS's own threads). Alone it matched
// OpenBLAS's own threads (512³ 124, 1024×256×1024 123), but in B7's FGrad
// every stage was slower (tanh 450 → 580 µs, the narrow product 106 →
// 178 µs, 3.7 → 4.3 ms in all): the team's helper parks while the pool
// runs and wakes late for the next loop, and a woken C thread landed on
// the caller's busy core while the other idled (Linux pulled it over only
// after 2 ms, unless it moved itself there).
const (
	blocksPerMember     = 1
	manyBlocksPerMember = 4
)

// minBlockSide is the fewest rows (or columns) of the output a block holds
// when the output's other side is wide (wider than narrowSide), and
// minNarrowSide when it is narrow. (blockWork, minBlockSide and
// minNarrowSide are variables: -tags gradgensplit lowers them.)
var (
	minBlockSide  = 128
	minNarrowSide = 16
)

// narrowSide is the widest output that counts as narrow (blocksOf).
const narrowSide = 32

// blocksOf returns how many blocks an output whose cut side is long entries
// long and whose other side is width wide, with work multiply-adds in all,
// is cut into on a team of members goroutines, and the side of each but
// the last: one block below blockWork; manyBlocksPerMember a member when
// uneven, the blocks' work unequal. The blocks depend on the shape and the
// team's size alone.
func blocksOf(long, width, work, members int, uneven bool) (blocks, side int) {
	least, most := minBlockSide, blocksPerMember*members
	if width <= narrowSide {
		least = minNarrowSide
	}
	if width <= narrowSide || uneven {
		most = manyBlocksPerMember * members
	}
	blocks = min(most, long/least, work/blockWork)
	if blocks < 2 {
		return 1, long
	}
	side = (long + blocks - 1) / blocks
	return (long + side - 1) / side, side
}

// teamSize is runtime.TeamSize; the tests cut calls for a team of their
// own size.
var teamSize = runtime.TeamSize

// The routines a blockCall runs.
const (
	callGemm = iota
	callGemv
	callTrmm
	callTrsm
	callSymm
	callSyrk
)

// blockCall is one call cut into blocks, as runtime.Parts runs it: the
// call's arguments, which side of its output the blocks cut (byRows) and
// the side of a block.
type blockCall struct {
	impl           netlib.Implementation
	routine        int
	tA, tB         blas.Transpose
	side           blas.Side
	uplo           blas.Uplo
	diag           blas.Diag
	m, n, k        int
	alpha, beta    float64
	a, b, c        []float64
	lda, ldb, ldc  int
	byRows         bool
	block, lastEnd int
}

var blockPool = sync.Pool{New: func() any { return new(blockCall) }}

// run cuts the call p describes, whose output's cut side is long entries
// long and whose other side width wide, into blocks on the team; p goes
// back to the pool.
func run(p *blockCall, long, width, work int) {
	blocks, side := blocksOf(long, width, work, teamSize(), p.routine == callSyrk)
	p.block, p.lastEnd = side, long
	runtime.Parts(blocks, p)
	*p = blockCall{}
	blockPool.Put(p)
}

// RunPart runs block i of the call.
func (p *blockCall) RunPart(i int) {
	lo := i * p.block
	hi := min(lo+p.block, p.lastEnd)
	switch p.routine {
	case callGemm:
		if p.byRows {
			a := p.a[lo:] // op(a)'s rows lo…hi−1: columns of a
			if p.tA == blas.NoTrans {
				a = p.a[lo*p.lda:] // rows of a
			}
			p.impl.Dgemm(p.tA, p.tB, hi-lo, p.n, p.k, p.alpha, a, p.lda, p.b, p.ldb, p.beta, p.c[lo*p.ldc:], p.ldc)
			return
		}
		b := p.b[lo:] // op(b)'s columns lo…hi−1: columns of b
		if p.tB != blas.NoTrans {
			b = p.b[lo*p.ldb:] // rows of b
		}
		p.impl.Dgemm(p.tA, p.tB, p.m, hi-lo, p.k, p.alpha, p.a, p.lda, b, p.ldb, p.beta, p.c[lo:], p.ldc)
	case callGemv:
		// y's entries lo…hi−1: rows of a (NoTrans), else its columns.
		if p.tA == blas.NoTrans {
			p.impl.Dgemv(p.tA, hi-lo, p.n, p.alpha, p.a[lo*p.lda:], p.lda, p.b, p.ldb, p.beta, p.c[lo*p.ldc:], p.ldc)
			return
		}
		p.impl.Dgemv(p.tA, p.m, hi-lo, p.alpha, p.a[lo:], p.lda, p.b, p.ldb, p.beta, p.c[lo*p.ldc:], p.ldc)
	case callTrmm, callTrsm:
		// b's columns lo…hi−1 (a on the left), else its rows.
		m, n, b := p.m, hi-lo, p.b[lo:]
		if p.side == blas.Right {
			m, n, b = hi-lo, p.n, p.b[lo*p.ldb:]
		}
		if p.routine == callTrmm {
			p.impl.Dtrmm(p.side, p.uplo, p.tA, p.diag, m, n, p.alpha, p.a, p.lda, b, p.ldb)
			return
		}
		p.impl.Dtrsm(p.side, p.uplo, p.tA, p.diag, m, n, p.alpha, p.a, p.lda, b, p.ldb)
	case callSymm:
		// c's and b's columns lo…hi−1 (a on the left), else their rows.
		if p.side == blas.Left {
			p.impl.Dsymm(p.side, p.uplo, p.m, hi-lo, p.alpha, p.a, p.lda, p.b[lo:], p.ldb, p.beta, p.c[lo:], p.ldc)
			return
		}
		p.impl.Dsymm(p.side, p.uplo, hi-lo, p.n, p.alpha, p.a, p.lda, p.b[lo*p.ldb:], p.ldb, p.beta, p.c[lo*p.ldc:], p.ldc)
	case callSyrk:
		p.syrkRows(lo, hi)
	}
}

// syrkRows runs rows lo…hi−1 of C's stored triangle of a Dsyrk: the
// diagonal block as a Dsyrk of its own and the rest of the rows, C's
// columns hi…n−1 (upper) or 0…lo−1 (lower), as a Dgemm. op(a)'s rows i are
// a's rows (NoTrans: C = α a aᵀ + β C) or its columns (Trans: C = α aᵀ a +
// β C).
func (p *blockCall) syrkRows(lo, hi int) {
	n, k := p.n, p.k
	rows := func(i int) []float64 { // op(a)'s rows from i on
		if p.tA == blas.NoTrans {
			return p.a[i*p.lda:]
		}
		return p.a[i:]
	}
	other := blas.Trans // the Dgemm's second operand: op(a)ᵀ's columns
	if p.tA != blas.NoTrans {
		other = blas.NoTrans
	}
	p.impl.Dsyrk(p.uplo, p.tA, hi-lo, k, p.alpha, rows(lo), p.lda, p.beta, p.c[lo*p.ldc+lo:], p.ldc)
	if p.uplo == blas.Upper && hi < n {
		p.impl.Dgemm(p.tA, other, hi-lo, n-hi, k, p.alpha, rows(lo), p.lda, rows(hi), p.lda, p.beta, p.c[lo*p.ldc+hi:], p.ldc)
	}
	if p.uplo == blas.Lower && lo > 0 {
		p.impl.Dgemm(p.tA, other, hi-lo, lo, k, p.alpha, rows(lo), p.lda, rows(0), p.lda, p.beta, p.c[lo*p.ldc:], p.ldc)
	}
}

// gemmBlocks runs a Dgemm in blocks of the rows of C when it has at least
// as many rows as columns, else of its columns.
func gemmBlocks(impl netlib.Implementation, tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	p := blockPool.Get().(*blockCall)
	*p = blockCall{impl: impl, routine: callGemm, tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, byRows: m >= n}
	run(p, max(m, n), min(m, n), m*n*k)
}

// gemvBlocks runs a Dgemv in blocks of y's entries; x and y are given
// with their increments (the b and c of blockCall).
func gemvBlocks(impl netlib.Implementation, tA blas.Transpose, m, n int, alpha float64, a []float64, lda int, x []float64, incX int, beta float64, y []float64, incY int) {
	p := blockPool.Get().(*blockCall)
	*p = blockCall{impl: impl, routine: callGemv, tA: tA, m: m, n: n, alpha: alpha, beta: beta, a: a, b: x, c: y, lda: lda, ldb: incX, ldc: incY}
	long := m
	if tA != blas.NoTrans {
		long = n
	}
	run(p, long, 1, m*n)
}

// triangularBlocks runs a Dtrmm or Dtrsm in blocks of b's columns (a on
// the left) or rows (a on the right), each solved or multiplied alone.
func triangularBlocks(impl netlib.Implementation, routine int, s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int, alpha float64, a []float64, lda int, b []float64, ldb int) {
	p := blockPool.Get().(*blockCall)
	*p = blockCall{impl: impl, routine: routine, side: s, uplo: ul, tA: tA, diag: d, m: m, n: n, alpha: alpha, a: a, b: b, lda: lda, ldb: ldb}
	long, order := n, m
	if s == blas.Right {
		long, order = m, n
	}
	run(p, long, order, long*order*order/2)
}

// symmBlocks runs a Dsymm in blocks of C's columns (a on the left) or rows
// (a on the right).
func symmBlocks(impl netlib.Implementation, s blas.Side, ul blas.Uplo, m, n int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	p := blockPool.Get().(*blockCall)
	*p = blockCall{impl: impl, routine: callSymm, side: s, uplo: ul, m: m, n: n, alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc}
	long, order := n, m
	if s == blas.Right {
		long, order = m, n
	}
	run(p, long, order, long*order*order)
}

// syrkBlocks runs a Dsyrk in blocks of the rows of C's stored triangle.
func syrkBlocks(impl netlib.Implementation, ul blas.Uplo, t blas.Transpose, n, k int, alpha float64, a []float64, lda int, beta float64, c []float64, ldc int) {
	p := blockPool.Get().(*blockCall)
	*p = blockCall{impl: impl, routine: callSyrk, uplo: ul, tA: t, n: n, k: k, alpha: alpha, beta: beta, a: a, c: c, lda: lda, ldc: ldc}
	run(p, n, n, n*n*k/2)
}

// gemmFMAShape reports whether Dgemm runs an m×n product with inner
// dimension k on gradgen's AVX-512 kernel (runtime.GemmFMA, where it runs)
// rather than in blocks of OpenBLAS calls: at least fmaMinRows rows,
// fmaMinCols columns and fmaMinSteps steps. The kernel shares one packed
// copy of op(b) across the team and packs op(a) once a slab of columns;
// where m is small the copy of op(b) costs too much beside the product,
// and where n is small the packing of op(a). BenchmarkGemmFMA (2 cores, 2026-12-07, two runs,
// GFLOP/s of OpenBLAS on its own threads, in blocks, GemmFMA):
//
//	NN 1024×256×1024  124 95 130    NN 1024×64×256   78  68 110
//	NN 512×512×512    129 96 126    NN 1024×32×256   57 126  78
//	NN 1024×256×256   107 89 142    NN 1024×16×256   34 122  55
//	NN 1024×256×64     74 72 135    NN 512×128×512  101  78 118
//	NN 1024×256×16     34 60  86    NN 384×384×384  117  89 105
//	NT 1024×256×256   118 94 141    NN 256×256×256   94 101  92
//	TN 512×512×512    130 96 130    TN 256×256×1024 111  91  94
//	NN 2048×512×128   117 93 143    TN 64×256×1024   76  71  52
//	NN 128×128×128     61 57  55    NN 16×1024×256   44  59  24
//	NN 512×64×8        60 59  31    NN 64×64×64      79  81  32
//
// Split by its columns where its rows are few (runtime's
// gemmFMAColumnParts), GemmFMA got faster on such shapes alone (NN 256³ 124
// GFLOP/s, 128³ 83, TN 256×256×1024 111, TN 64×256×1024 85), but sending
// the products of at least 64 rows, 128 columns and 64 steps to it did not
// pay in the generated functions (interleaved, 6 runs): B6's FGrad at
// n = 512 +5 % (its blocked Cholesky's TN 64×…), B7's at n = 1024 +3 %
// (Xᵀ D), B4's at m = 128 +4 % (its F −24 %); so the rule stays.
//
// Built with -tags gradgensplit, half the shapes go to the kernel whatever
// their size, those whose m + n + k is even, so that tests with small
// inputs, the differential oracle's among them, run both ways.
func gemmFMAShape(m, n, k int) bool {
	if thresholdsLowered {
		return (m+n+k)%2 == 0
	}
	return m >= fmaMinRows && n >= fmaMinCols && k >= fmaMinSteps
}

// The least rows, columns and inner dimension of a product gemmFMAShape
// sends to runtime.GemmFMA.
const (
	fmaMinRows  = 384
	fmaMinCols  = 64
	fmaMinSteps = 16
)
