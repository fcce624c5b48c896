//go:build goexperiment.simd && amd64

package runtime

import "simd/archsimd"

func init() {
	if vectorised {
		vectorGemvRows = vecGemvRows
	}
}

// vecGemvRows computes the rows [lo, hi) of Gemv's y = alpha·a·x + beta·y
// (args: a in g, x in v, y in w) one row after another, each row a single
// forward stream through memory, summed as vectorGemvRows documents. Row
// i reads only a's row i, x and y[i], so any cut of the rows gives the
// same bits.
//
// A row is read once, in the order it is stored: a Gemv of a matrix
// larger than the caches is bound by how fast one core streams memory,
// and gonum's kernel, which walks four rows side by side, streams it half
// as fast (BenchmarkGemvVector, 65536×256: 28 against 12–16 GB/s a core).
// Each row's horizontal sum, last columns, alpha and beta are scalar code
// right after its vector code and a VZEROUPPER (rowDot). On the AMD
// machine scalar code after vector code cost nothing extra, and one
// VZEROUPPER ended the call; on the 2-core Intel Xeon (KVM) each
// legacy-SSE instruction run with the upper halves dirty costs a state
// transition, and that made the vector Gemv 65× slower than gonum's at
// 256×16 and 1.5× at 1024×1024 (BenchmarkGemvVector, 2026-12-07).
func vecGemvRows(args kernelArgs, lo, hi int) {
	a, x, y := args.g, args.v.Data[:args.g.Cols], args.w.Data
	n := a.Cols
	for i := lo; i < hi; i++ {
		y[i] = gemvStore(args.alpha, rowDot(a.Data[i*a.Stride:i*a.Stride+n], x), args.beta, y[i])
	}
	archsimd.ClearAVXUpperBits()
}

// rowDot returns Σⱼ a[j]·x[j] over len(x) ≤ len(a) entries, in the order
// vectorGemvRows documents: the vector part in rowDotAsm, then the scalar
// tail with the upper halves clean (where a CPU keeps them dirty, each
// legacy-SSE instruction after vector code pays a state transition; see
// vecGemvRows).
func rowDot(a, x []float64) float64 {
	a = a[:len(x)]
	whole := len(x) &^ 3
	var o [4]float64
	if whole > 0 {
		rowDotAsm(&a[0], &x[0], whole, rowPrefetch, &o)
	}
	s := (o[0] + o[1]) + (o[2] + o[3])
	for j := whole; j < len(x); j++ {
		s += a[j] * x[j]
	}
	return s
}

// rowPrefetch is how far ahead of its reads rowDotAsm asks for a's cache
// lines (PREFETCHT0), in bytes: the hardware prefetcher alone let a core
// stream a matrix larger than the caches at about 10 GB/s. Gemv of
// 65536×256 across both cores of the Intel Xeon (KVM), 2 runs each: 6.2–6.6
// ms without, 5.3–5.5 at 1024 bytes ahead, 4.9–5.6 at 2048, 4.0–4.3 at
// 4096, 3.8–4.1 at 8192; B5's FGrad at n = 65536 7.9–8.5 → 6.6–7.0 ms.
// Results are the same bits: a prefetch only moves cache lines.
const rowPrefetch = 4096

// rowDotAsm (gemm_amd64.s) sets o to rowDot's lanes, (s0 + s1) + (s2 + s3),
// over the first n entries of a and x, n a multiple of 4; it reads
// nothing beyond them but for prefetches dist bytes ahead, which do not
// fault.
//
//go:noescape
func rowDotAsm(a, x *float64, n int, dist int, o *[4]float64)

// gemvStore returns alpha·s + beta·y as gonum's Gemv kernel forms it: y is
// taken as zero when beta is zero (it is not read, so a NaN there does not
// propagate).
func gemvStore(alpha, s, beta, y float64) float64 {
	if beta == 0 {
		y = 0
	}
	return alpha*s + beta*y
}
