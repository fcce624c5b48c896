package openblas

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"

	"github.com/gradgen/gradgen/runtime"
)

// Narrow products. OpenBLAS runs a Dgemm of m·n·k ≥ openBLASThreads on its
// threads, and a narrow one — a side of at most narrowMax, such as the
// 1024×256 by 256×10 products of an MLP's output layer — ran slower on two
// threads than on one (BenchmarkNarrow). Such a product is cut along the
// longer side of C into blocks small enough for OpenBLAS to run each on
// the calling thread, and the blocks run on gradgen's team
// (runtime.Parts), one call per block. Each entry of C is still one
// OpenBLAS dot product over all of k, and the blocks depend on the shape
// alone, so the result does not depend on scheduling.

// openBLASThreads is the least m·n·k OpenBLAS 0.3's interface/gemm.c runs on
// more than one thread (SMP_THRESHOLD_MIN · GEMM_MULTITHREAD_THRESHOLD).
const openBLASThreads = 65536 * 4

// narrowMax is the widest side that makes a product narrow.
const narrowMax = 32

// narrowMinRows is the fewest rows (or columns) of C a block holds.
const narrowMinRows = 16

// narrowBlocks returns how many blocks a narrow m×n×k product is cut into
// and the rows (or columns, when n is the longer side of C) of each but
// the last; 0 blocks for a product that is not narrow, or too large along
// its short sides for blocks of narrowMinRows to stay on one thread.
func narrowBlocks(m, n, k int) (blocks, rows int) {
	long, short := max(m, n), min(m, n)
	if m*n*k < openBLASThreads || min(short, k) > narrowMax {
		return 0, 0
	}
	rows = (openBLASThreads - 1) / (short * k)
	if rows < narrowMinRows {
		return 0, 0
	}
	return (long + rows - 1) / rows, rows
}

// narrowProduct is a narrow Dgemm cut into blocks, as runtime.Parts runs it.
type narrowProduct struct {
	impl          netlib.Implementation
	tA, tB        blas.Transpose
	m, n, k, rows int
	alpha, beta   float64
	a, b, c       []float64
	lda, ldb, ldc int
}

var narrowPool = sync.Pool{New: func() any { return new(narrowProduct) }}

// narrowDgemm computes the product in blocks of rows rows (columns) of C.
func narrowDgemm(impl netlib.Implementation, blocks, rows int, tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	p := narrowPool.Get().(*narrowProduct)
	*p = narrowProduct{impl: impl, tA: tA, tB: tB, m: m, n: n, k: k, rows: rows, alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc}
	runtime.Parts(blocks, p)
	*p = narrowProduct{}
	narrowPool.Put(p)
}

// RunPart computes block i of C: its rows when m ≥ n, else its columns.
func (p *narrowProduct) RunPart(i int) {
	lo := i * p.rows
	if p.m >= p.n {
		hi := min(lo+p.rows, p.m)
		a := p.a[lo:] // op(a)'s rows lo…hi−1: columns of a
		if p.tA == blas.NoTrans {
			a = p.a[lo*p.lda:] // rows of a
		}
		p.impl.Dgemm(p.tA, p.tB, hi-lo, p.n, p.k, p.alpha, a, p.lda, p.b, p.ldb, p.beta, p.c[lo*p.ldc:], p.ldc)
		return
	}
	hi := min(lo+p.rows, p.n)
	b := p.b[lo:] // op(b)'s columns lo…hi−1: columns of b
	if p.tB != blas.NoTrans {
		b = p.b[lo*p.ldb:] // rows of b
	}
	p.impl.Dgemm(p.tA, p.tB, p.m, hi-lo, p.k, p.alpha, p.a, p.lda, b, p.ldb, p.beta, p.c[lo:], p.ldc)
}
