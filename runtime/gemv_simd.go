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
// vectorGemvRows documents.
func rowDot(a, x []float64) float64 {
	a = a[:len(x)]
	var s0, s1, s2, s3 archsimd.Float64x4
	for len(x) >= 16 && len(a) >= 16 {
		p, q := (*[16]float64)(a), (*[16]float64)(x)
		s0 = s0.Add(archsimd.LoadFloat64x4((*[4]float64)(p[0:4])).Mul(archsimd.LoadFloat64x4((*[4]float64)(q[0:4]))))
		s1 = s1.Add(archsimd.LoadFloat64x4((*[4]float64)(p[4:8])).Mul(archsimd.LoadFloat64x4((*[4]float64)(q[4:8]))))
		s2 = s2.Add(archsimd.LoadFloat64x4((*[4]float64)(p[8:12])).Mul(archsimd.LoadFloat64x4((*[4]float64)(q[8:12]))))
		s3 = s3.Add(archsimd.LoadFloat64x4((*[4]float64)(p[12:16])).Mul(archsimd.LoadFloat64x4((*[4]float64)(q[12:16]))))
		a, x = a[16:], x[16:]
	}
	for len(x) >= 4 && len(a) >= 4 {
		s0 = s0.Add(archsimd.LoadFloat64x4((*[4]float64)(a)).Mul(archsimd.LoadFloat64x4((*[4]float64)(x))))
		a, x = a[4:], x[4:]
	}
	var o [4]float64
	s0.Add(s1).Add(s2.Add(s3)).Store(&o)
	// The scalar code that follows runs with the upper halves clean:
	// where a CPU keeps them dirty, each legacy-SSE instruction after
	// vector code pays a state transition (see vecGemvRows).
	archsimd.ClearAVXUpperBits()
	s := (o[0] + o[1]) + (o[2] + o[3])
	for j := range x {
		s += a[j] * x[j]
	}
	return s
}

// gemvStore returns alpha·s + beta·y as gonum's Gemv kernel forms it: y is
// taken as zero when beta is zero (it is not read, so a NaN there does not
// propagate).
func gemvStore(alpha, s, beta, y float64) float64 {
	if beta == 0 {
		y = 0
	}
	return alpha*s + beta*y
}
