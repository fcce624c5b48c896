package runtime

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// The thresholds of Gemm.Mul's orientation rule. gonum's pure-Go Dgemm
// (blas/gonum/dgemm.go) cuts C into 64×64 blocks, runs the blocks on
// goroutines and, within a block, one of four kernels: NoTrans·NoTrans and
// Trans·NoTrans are axpys along C's rows (min(n, 64) long), NoTrans·Trans is
// dots along the inner dimension (min(k, 64) long), Trans·Trans is strided
// axpys. A call costs per element plus a fixed amount per axpy or dot, so
// short axpys and short dots run at a fraction of the square rate. The
// figures (BenchmarkGemmOrientation, 2-core AMD EPYC, BENCHMARKS.md "Gemm
// orientation") set the thresholds.
const (
	// narrowCols is the widest output the axpy kernels are slow for:
	// reorienting an output 1 to 32 columns wide (and taller than wide)
	// into dots or long axpys runs it 1.2–16× faster, and nothing at 64.
	narrowCols = 32
	// shortInner is the longest inner dimension the dot kernel is slow
	// for: NoTrans·Trans with k = 10 runs 1.8–2.4× faster as NoTrans·NoTrans
	// on a copy of bᵀ, k = 16 1.4×, k = 32 the same.
	shortInner = 16
	// wideRatio is how many times wider than tall a Trans·NoTrans output
	// must be for (bᵀ a)ᵀ to win: 64×200 to 64×512 outputs 1.1–1.2×
	// (dW = Xᵀ G, X 1024×64, G 1024×256, 1.5× with both cores), 64×192 and
	// 64×128 0.9×.
	wideRatio = 3
	// blockCols is the width of gonum's blocks of c. A Trans·NoTrans
	// output wider than one block, neither narrow nor wide, runs on a copy
	// of aᵀ: gonum's Trans·NoTrans kernel updates all 64 rows of a block
	// once per step of the inner dimension, and on this machine's two CPUs
	// its parallel run is slower than one CPU alone (256×256×1024 41 ms
	// against 18.8 ms; NoTrans·NoTrans and NoTrans·Trans gain from the
	// second CPU) — measured, not explained: two blocks evicting each
	// other's rows from a shared L1 would fit, but the VM reports one
	// thread per core. BenchmarkGemmOrientation, 2 CPUs,
	// idle, 2026-12-04: 256×256×1024 41 → 14 ms, 512³ 66 → 25 ms,
	// 128×128×1024 12.5 → 5.1 ms, 96×96×1024 4.6 → 2.9 ms, 1024×256×32
	// 4.6 → 2.0 ms; with one CPU within 3 % either way at 200³ and larger
	// (the NoTrans·NoTrans kernel's rate), 18–26 % slower at 96² and 128²
	// outputs with k = 1024. At 64 columns and fewer gonum's kernel is
	// faster (256×64×1024 2.7 ms against 6.2 ms).
	blockCols = 64
)

// orientation is how Gemm.Mul runs a product on gonum's kernels.
type orientation int

const (
	// measured is orient's choice for the shapes of each call: a Gemm's
	// zero value.
	measured orientation = iota
	// direct is one blas64.Gemm call as given.
	direct
	// transposedB copies b into scratch in the other storage order and
	// runs the kernel with b's flag flipped: NoTrans·Trans's dots k long
	// become axpys n long, NoTrans·NoTrans's axpys n long become dots k
	// long. The copy is k·n.
	transposedB
	// flipped computes cᵀ = op(b)ᵀ op(a)ᵀ into scratch and adds its
	// transpose to c, so that the kernel's rows are c's columns.
	flipped
	// transposedA copies a into scratch in the other storage order and
	// runs the kernel with a's flag flipped: Trans·NoTrans, which updates
	// every row of a 64×64 block of c once per step of the inner
	// dimension, becomes NoTrans·NoTrans, which finishes one row of the
	// block before the next. The copy is m·k.
	transposedA
)

// orient returns the orientation Gemm.Mul runs an m×n output with inner
// dimension k in; each case is a measured rule (see the thresholds above).
func orient(tA, tB blas.Transpose, m, n, k int) orientation {
	narrow := n <= narrowCols && n < m
	switch {
	case tB == blas.Trans && k <= shortInner:
		// NoTrans·Trans and Trans·Trans with a short inner dimension:
		// the dots (or strided axpys) would be k long; with b copied
		// they are axpys n long, and the copy is k·n small.
		return transposedB
	case tA == blas.Trans && tB == blas.Trans:
		// aᵀ bᵀ = (b a)ᵀ runs NoTrans·NoTrans: 2–17× faster than gonum's
		// strided Trans·Trans kernel at every shape measured.
		return flipped
	case tA == blas.NoTrans && tB == blas.NoTrans && narrow:
		// a b with b narrow: a (bᵀ)ᵀ runs as dots k long instead of
		// axpys n long.
		return transposedB
	case tA == blas.Trans && tB == blas.NoTrans && (narrow || m > narrowCols && n > wideRatio*m):
		// aᵀ b = (bᵀ a)ᵀ: for a narrow c, bᵀ a is wide, so its axpys are
		// long; for a wide c (but not so flat that bᵀ a would be narrow)
		// the measured gain is 1.1–1.5×.
		return flipped
	case tA == blas.Trans && tB == blas.NoTrans && n > blockCols:
		// aᵀ b as (aᵀ copied) b: NoTrans·NoTrans finishes a row of c's
		// block before the next, the same terms in the same order.
		return transposedA
	}
	return direct
}

// Gemm computes general matrix products like blas64.Gemm, in the
// orientation gonum's pure-Go kernels run fastest for the shapes of the
// call. Its zero value is ready; it keeps its scratch between calls, so
// steady-state calls allocate nothing. A Gemm must not be used by two
// goroutines at once.
type Gemm struct {
	operand []float64 // a copy of a or b in the other storage order
	output  []float64 // cᵀ for the flipped orientation
	// order is the orientation of every product, measured (orient's
	// choice) but in the tests and benchmarks that run each orientation.
	order orientation
}

// vectorSplitMin is the fewest multiply-adds from which vectorMul splits its
// blocks of rows across the worker team: split in two against one piece on
// 2 CPUs (idle, 2026-12-05, 3 runs), 32³ 30 % slower, 48³ 8 % faster, 56³
// 15 %, 256×32×16 27 %.
var vectorSplitMin = 1 << 17

// fmaShape reports whether Gemm.Mul runs an m×n product with inner
// dimension k on GemmFMA (where its AVX-512 kernel runs) rather than on
// vectorMul: at least fmaMinRows rows, fmaMinSide columns and steps, and
// fmaMinWork multiply-adds. GemmFMA packs op(b) once a call and op(a)
// once a slab of columns, which small products cannot repay, and with m
// small its blocks of 14 rows are mostly padding. BenchmarkGemmFMAPureGo (2 cores, idle, 2026-12-07, three runs,
// GFLOP/s of vectorMul, B transposed beforehand for NT, and of GemmFMA):
//
//	NN 64³             59  31    NN 1024×256×1024  78 131
//	NN 96³             68  48    NN 1024×256×64    76 133
//	NN 128³            75  91    NN 1024×256×16    73  87
//	NN 256³            75 125    NN 1024×64×256    51 117
//	NN 512³            70 125    NN 1024×16×256    32  75
//	NT 1024×256×256    75 140    NN 16×1024×256    38  46
//	TN 64×256×1024     53  88    TN 256×256×1024   66 107
//
// Built with -tags gradgensplit, half the shapes go to GemmFMA whatever
// their size, those whose m + n + k is even (fmaHalfShapes), so that tests
// with small inputs, the differential oracle's among them, run both ways.
func fmaShape(m, n, k int) bool {
	if fmaHalfShapes {
		return (m+n+k)%2 == 0
	}
	return m >= fmaMinRows && n >= fmaMinSide && k >= fmaMinSide && float64(m)*float64(n)*float64(k) >= fmaMinWork
}

// The least rows, columns and steps, and multiply-adds, of a product
// fmaShape takes.
const (
	fmaMinRows = 64
	fmaMinSide = 16
	fmaMinWork = 1 << 21
)

// narrowMinWork is the fewest multiply-adds of a product GemmNarrow and
// GemmColumns take (narrowGemmShape, columnsShape); a variable, so that
// tests of gonum's arithmetic can keep their small products from them.
var narrowMinWork = 1 << 14

// fmaHalfShapes is set under -tags gradgensplit (split_small.go): half the
// shapes then go to the fused multiply-add kernels (fmaShape, and
// narrowShape for MulPlusTranspose), and a quarter of those they could
// take to GemmColumns and GemmNarrow (columnsShape, narrowGemmShape).
var fmaHalfShapes = false

// vectorMul, where a build with vector code sets it (gemm_simd.go), runs
// a product with b not transposed on vector registers in gonum's arithmetic,
// or returns false having written nothing.
var vectorMul func(transA bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) bool

// Mul sets c = alpha·op(a)·op(b) + beta·c, where op(x) is xᵀ when its flag
// is blas.Trans. c must not share memory with a or b. With gonum's pure-Go
// implementation in blas64 it may copy b or compute cᵀ into scratch first
// (the rule is orient's), and it runs the smallest products with b not
// transposed and c at least four columns wide in its own loop (smallMul,
// gonum's arithmetic bit for bit). In a build with vector code
// (GOEXPERIMENT=simd on a CPU with AVX2) it runs every product whose c is at
// least four columns wide on vector registers in gonum's NoTrans·NoTrans
// arithmetic (vectorMul; b transposed is copied first, and so is a b
// whose stride is a multiple of setAliasStride when the product is large),
// unless alpha·op(a) has a zero entry; on a CPU with AVX-512 it runs the
// products fmaShape takes on GemmFMA's fused multiply-adds instead, and
// the narrow ones columnsShape and narrowGemmShape take (alpha 1) on
// GemmColumns's and GemmNarrow's, each entry one chain in the order of
// the inner dimension (the same bits on every run, not gonum's). With any other implementation (OpenBLAS through
// runtime/openblas) it is one Dgemm call, since the rule measures gonum's
// kernels. Results agree with one blas64.Gemm call to rounding.
//
// Mul reads its operands field by field, as blas64.Gemm does (m and k from
// a, n from b), but without handing the structs on: an inlined helper would
// copy them from where the register arguments were spilled, 8 bytes stored
// and 16 loaded, which stalls store-to-load forwarding (see OuterTo).
//
// Mul panics as blas64.Gemm does when the shapes do not conform or a flag
// is not one of blas.NoTrans, blas.Trans and blas.ConjTrans (which is
// Trans for real matrices): such a call, and any whose slices and strides
// do not hold the product as Dgemm requires (fits), goes to Dgemm as given.
func (g *Gemm) Mul(tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	CleanVectorState()
	transA, okA := transposed(tA)
	transB, okB := transposed(tB)
	m, k := a.Rows, a.Cols
	if transA {
		m, k = k, m
	}
	n := b.Cols
	if transB {
		n = b.Rows
	}
	impl := blas64.Implementation()
	if pureGo(impl) && okA && okB && m > 0 && n > 0 && k > 0 && fits(transA, transB, m, n, k, a, b, c) {
		tA, tB := flag(transA), flag(transB)
		// b as Dgemm reads it (k×n, or n×k transposed), whatever its Rows
		// and Cols say beyond n, so that a copy of it holds every entry.
		if transB {
			b = blas64.General{Rows: n, Cols: k, Stride: b.Stride, Data: b.Data}
		} else {
			b = blas64.General{Rows: k, Cols: n, Stride: b.Stride, Data: b.Data}
		}
		if g.order == measured && (GemmColumns(tA, tB, m, n, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride) ||
			GemmNarrow(tA, tB, m, n, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)) {
			return
		}
		if g.order == measured && fmaShape(m, n, k) &&
			GemmFMA(tA, tB, m, n, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride) {
			return
		}
		if g.order == measured && vectorMul != nil && n >= 4 {
			bb, ldb := b.Data, b.Stride
			switch {
			case transB:
				bt := vectorOperand(&g.operand, k, n)
				transposeTo(bt, b)
				bb, ldb = bt.Data, bt.Stride
			case ldb%setAliasStride == 0 && m >= copyBMinRows && k >= copyBMinRows:
				bc := vectorOperand(&g.operand, k, n)
				copyGeneral(bc, b)
				bb, ldb = bc.Data, bc.Stride
			}
			if vectorMul(transA, m, n, k, alpha, a.Data, a.Stride, bb, ldb, beta, c.Data, c.Stride) {
				return
			}
		}
		if g.order == measured && !transB && n >= 4 && m*n*k <= smallWork {
			smallMul(transA, m, n, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)
			return
		}
		o := g.order
		if o == measured {
			o = orient(tA, tB, m, n, k)
		}
		switch o {
		case transposedB:
			bt := Mat(&g.operand, b.Cols, b.Rows)
			transposeTo(bt, b)
			impl.Dgemm(tA, flip(tB), m, n, k, alpha, a.Data, a.Stride, bt.Data, bt.Stride, beta, c.Data, c.Stride)
			return
		case transposedA:
			at := Mat(&g.operand, a.Cols, a.Rows)
			transposeTo(at, a)
			impl.Dgemm(flip(tA), tB, m, n, k, alpha, at.Data, at.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)
			return
		case flipped:
			// cᵀ = op(b)ᵀ op(a)ᵀ, n×m, added to c's m×n entries (c's
			// declared shape aside, as blas64.Gemm does).
			t := Mat(&g.output, n, m)
			impl.Dgemm(flip(tB), flip(tA), n, m, k, 1, b.Data, b.Stride, a.Data, a.Stride, 0, t.Data, t.Stride)
			addTransposed(blas64.General{Rows: m, Cols: n, Stride: c.Stride, Data: c.Data}, alpha, t, beta)
			return
		}
	}
	impl.Dgemm(tA, tB, m, n, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)
}

// transposed reports whether the flag t transposes its operand and
// whether it is a flag at all.
func transposed(t blas.Transpose) (trans, ok bool) {
	switch t {
	case blas.NoTrans:
		return false, true
	case blas.Trans, blas.ConjTrans:
		return true, true
	}
	return false, false
}

// fits reports whether a, b and c hold an op(a) m×k times op(b) k×n into
// c m×n as Dgemm requires of its slices and strides, which Mul's own loops
// and copies do not check: a call that does not fit goes to Dgemm, which
// panics as blas64.Gemm does.
func fits(transA, transB bool, m, n, k int, a, b, c blas64.General) bool {
	aRows, aCols := m, k
	if transA {
		aRows, aCols = k, m
	}
	bRows, bCols := k, n
	if transB {
		bRows, bCols = n, k
	}
	return holds(len(a.Data), aRows, aCols, a.Stride) && holds(len(b.Data), bRows, bCols, b.Stride) &&
		holds(len(c.Data), m, n, c.Stride)
}

// holds reports whether a slice of length l holds a rows×cols matrix (rows
// and cols at least 1) stored with the stride: stride ≥ cols and
// (rows−1)·stride + cols ≤ l, decided by a division, so that no stride is
// large enough to wrap the product around and pass.
func holds(l, rows, cols, stride int) bool {
	if stride < cols || l < cols {
		return false
	}
	return rows <= 1 || stride <= (l-cols)/(rows-1)
}

// flip returns the other transpose flag.
func flip(t blas.Transpose) blas.Transpose {
	if t == blas.Trans {
		return blas.NoTrans
	}
	return blas.Trans
}

// setAliasStride is the row stride, in entries, whose multiples put the
// rows of B that a vector block reads down a stretch (vecMulRows) in few
// sets of the first-level cache, 2 KB apart or a multiple of it, so that
// they evict each other: vectorMul reads such a B from a copy whose
// stride is 8 entries longer (vectorOperand) when it has at least
// copyBMinRows rows and op(A) as many, where the copy costs little beside
// the product. BenchmarkVectorMul, one core: 512³ 5.6 against 3.4 ms with
// the stride 520, 256³ 0.45 against 0.42 ms; 128³ gained 3 %, less than a
// copy costs.
const (
	setAliasStride = 256
	copyBMinRows   = 64
)

// vectorOperand returns a k×n matrix in buf for vectorMul's B: its stride
// n, or n + 8 when n is a multiple of 64, 512 bytes, whose rows would fall
// into few sets of the first-level cache (at most 8 of its 64; the rows a
// block reads down a stretch then evict each other, as for
// setAliasStride).
func vectorOperand(buf *[]float64, k, n int) blas64.General {
	stride := n
	if n%64 == 0 {
		stride = n + 8
	}
	return blas64.General{Rows: k, Cols: n, Stride: stride, Data: grow(buf, (k-1)*stride+n)}
}

// transposeTo sets dst = srcᵀ; dst is src.Cols×src.Rows. It runs in
// square tiles (transposeTile) so that the column writes of dst stay in
// cache.
func transposeTo(dst, src blas64.General) {
	tile := transposeTile(dst.Stride)
	for i0 := 0; i0 < src.Rows; i0 += tile {
		i1 := min(i0+tile, src.Rows)
		for j0 := 0; j0 < src.Cols; j0 += tile {
			j1 := min(j0+tile, src.Cols)
			for i := i0; i < i1; i++ {
				col := dst.Data[j0*dst.Stride+i:]
				for j, v := range src.Data[i*src.Stride+j0 : i*src.Stride+j1] {
					col[j*dst.Stride] = v
				}
			}
		}
	}
}

// addTransposed sets c = alpha·tᵀ + beta·c (beta = 0 does not read c), in
// square tiles (transposeTile) so that the column reads of t stay in cache.
func addTransposed(c blas64.General, alpha float64, t blas64.General, beta float64) {
	tile := transposeTile(t.Stride)
	for i0 := 0; i0 < c.Rows; i0 += tile {
		i1 := min(i0+tile, c.Rows)
		for j0 := 0; j0 < c.Cols; j0 += tile {
			j1 := min(j0+tile, c.Cols)
			for i := i0; i < i1; i++ {
				row := c.Data[i*c.Stride+j0 : i*c.Stride+j1]
				col := t.Data[j0*t.Stride+i:]
				for j := range row {
					v := alpha * col[j*t.Stride]
					if beta != 0 {
						v += beta * row[j]
					}
					row[j] = v
				}
			}
		}
	}
}
