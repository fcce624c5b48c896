package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchMatrix returns an r×c matrix of normal deviates, stride c.
func benchMatrix(rng *rand.Rand, r, c int) blas64.General {
	g := blas64.General{Rows: r, Cols: c, Stride: c, Data: make([]float64, r*c)}
	for i := range g.Data {
		g.Data[i] = rng.NormFloat64()
	}
	return g
}

// benchOperands returns op(a) m×k and op(b) k×n stored for the flags, and c.
func benchOperands(rng *rand.Rand, tA, tB blas.Transpose, m, n, k int) (a, b, c blas64.General) {
	if tA == blas.Trans {
		a = benchMatrix(rng, k, m)
	} else {
		a = benchMatrix(rng, m, k)
	}
	if tB == blas.Trans {
		b = benchMatrix(rng, n, k)
	} else {
		b = benchMatrix(rng, k, n)
	}
	return a, b, benchMatrix(rng, m, n)
}

// gemmLoop times fn, an m×n×k product, with b.Loop and reports its rate
// in GFLOP/s and, where it can be read, the process CPU time per call
// (both threads): on a shared machine wall time grows with the load while
// CPU time stays close to the unloaded time.
func gemmLoop(b *testing.B, m, n, k int, fn func()) {
	cpu0, cpuOK := processCPU()
	ops := 0
	for b.Loop() {
		fn()
		ops++
	}
	if cpu1, ok := processCPU(); ok && cpuOK && ops > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(ops), "cpu-ns/op")
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(ops)/float64(b.Elapsed().Nanoseconds()), "GFLOP/s")
}

// BenchmarkGemmOrientation runs each product in every orientation Gemm.Mul
// knows (direct is one blas64.Gemm call), for all four pairs of flags, over
// wide, tall, narrow, square and short-inner shapes with power-of-two and
// other strides: the measurements behind orient's rule. Run it with
// -cpu 1,2: gonum runs the 64×64 blocks of C on both cores when there are
// at least four, the same number in every orientation.
func BenchmarkGemmOrientation(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 3))
	names := map[orientation]string{direct: "direct", transposedB: "transposedB", flipped: "flipped", transposedA: "transposedA"}
	for _, s := range [][3]int{ // m, n, k
		{64, 256, 1024}, {64, 200, 1024}, {64, 192, 1024}, {64, 128, 512}, {64, 512, 512}, {32, 512, 1024}, // wide
		{256, 64, 1024}, {128, 32, 4096}, {512, 32, 1024}, // tall
		{1024, 10, 256}, {256, 10, 1024}, {4096, 10, 128}, {1024, 1, 256}, // narrow
		{256, 256, 256}, {200, 200, 200}, {512, 512, 512}, // square
		{256, 256, 1024}, {128, 128, 1024}, {96, 96, 1024}, {64, 64, 4096}, {48, 48, 1024}, {128, 48, 1024}, {1024, 64, 256}, // long inner
		{1024, 256, 10}, {1024, 256, 16}, {1024, 256, 32}, // short inner
	} {
		m, n, k := s[0], s[1], s[2]
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				a, bm, c := benchOperands(rng, tA, tB, m, n, k)
				for _, o := range []orientation{direct, transposedB, flipped, transposedA} {
					name := fmt.Sprintf("%c%c/%dx%dx%d/%s", tA, tB, m, n, k, names[o])
					if o == orient(tA, tB, m, n, k) {
						name += "*"
					}
					b.Run(name, func(b *testing.B) {
						g := Gemm{order: o}
						gemmLoop(b, m, n, k, func() { g.Mul(tA, tB, 1, a, bm, 0, c) })
					})
				}
			}
		}
	}
}

// BenchmarkGemmNarrow measures Gemm.Mul's rate on the narrow and
// short-inner products of B7 (n = 1024, d = h = 256, o = 10) and B8
// (n = 4096, d = 128, k = 10), and dW = Xᵀ G (X 1024×64, G 1024×256),
// against blas64.Gemm on a square product of the same flop count.
func BenchmarkGemmNarrow(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 5))
	var g Gemm
	for _, p := range []struct {
		name    string
		tA, tB  blas.Transpose
		m, n, k int
	}{
		{"B7-H*W2", blas.NoTrans, blas.NoTrans, 1024, 10, 256},
		{"B7-E*W2'", blas.NoTrans, blas.Trans, 1024, 256, 10},
		{"B7-H'*E", blas.Trans, blas.NoTrans, 256, 10, 1024},
		{"B8-X*W", blas.NoTrans, blas.NoTrans, 4096, 10, 128},
		{"B8-X'*G", blas.Trans, blas.NoTrans, 128, 10, 4096},
		{"dW-X'*G", blas.Trans, blas.NoTrans, 64, 256, 1024},
	} {
		a, bm, c := benchOperands(rng, p.tA, p.tB, p.m, p.n, p.k)
		b.Run(p.name+"/Mul", func(b *testing.B) {
			gemmLoop(b, p.m, p.n, p.k, func() { g.Mul(p.tA, p.tB, 1, a, bm, 0, c) })
		})
		b.Run(p.name+"/blas64", func(b *testing.B) {
			gemmLoop(b, p.m, p.n, p.k, func() { blas64.Gemm(p.tA, p.tB, 1, a, bm, 0, c) })
		})
		sq := int(math.Round(math.Cbrt(float64(p.m) * float64(p.n) * float64(p.k))))
		x, y, z := benchOperands(rng, blas.NoTrans, blas.NoTrans, sq, sq, sq)
		b.Run(fmt.Sprintf("%s/square-n=%d", p.name, sq), func(b *testing.B) {
			gemmLoop(b, sq, sq, sq, func() { blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, x, y, 0, z) })
		})
	}
}

// BenchmarkGemmSmall compares smallMul with gonum's pure-Go Dgemm on the
// small products of the benchmark suite's smallest sizes and on squares:
// the measurement behind smallWork.
func BenchmarkGemmSmall(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 5))
	impl := gonum.Implementation{}
	for _, s := range [][3]int{ // m, n, k
		{4, 4, 4}, {8, 8, 8}, {16, 16, 16}, {24, 24, 24}, {32, 32, 32}, {40, 40, 40}, {48, 48, 48}, {64, 64, 64},
		{16, 4, 16}, {4, 16, 16}, {32, 32, 16}, {32, 4, 32}, {64, 4, 16}, {16, 4, 64}, {64, 64, 4}, {128, 8, 8},
	} {
		m, n, k := s[0], s[1], s[2]
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			a, bm, c := benchOperands(rng, tA, blas.NoTrans, m, n, k)
			b.Run(fmt.Sprintf("%dx%dx%d/%c/gonum", m, n, k, tA), func(b *testing.B) {
				gemmLoop(b, m, n, k, func() {
					impl.Dgemm(tA, blas.NoTrans, m, n, k, 1, a.Data, a.Stride, bm.Data, bm.Stride, 0, c.Data, c.Stride)
				})
			})
			b.Run(fmt.Sprintf("%dx%dx%d/%c/oriented", m, n, k, tA), func(b *testing.B) {
				var g Gemm
				gemmLoop(b, m, n, k, func() { g.Mul(tA, blas.NoTrans, 1, a, bm, 0, c) })
			})
			b.Run(fmt.Sprintf("%dx%dx%d/%c/small", m, n, k, tA), func(b *testing.B) {
				gemmLoop(b, m, n, k, func() {
					smallMul(tA == blas.Trans, m, n, k, 1, a.Data, a.Stride, bm.Data, bm.Stride, 0, c.Data, c.Stride)
				})
			})
		}
	}
}

// BenchmarkVectorMul times the vector kernels alone (vectorMul, where the
// build has them) on the products of B7MLP's FGrad at its smallest size
// and on squares, each with alpha 1 and beta 0.
func BenchmarkVectorMul(b *testing.B) {
	if vectorMul == nil {
		b.Skip("no vector kernels in this build or on this CPU")
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for _, p := range []struct {
		tA      blas.Transpose
		m, n, k int
	}{
		{blas.NoTrans, 32, 32, 16}, {blas.NoTrans, 32, 4, 32}, {blas.NoTrans, 32, 32, 4},
		{blas.Trans, 16, 32, 32}, {blas.Trans, 32, 4, 32},
		{blas.NoTrans, 64, 64, 64}, {blas.NoTrans, 128, 128, 128}, {blas.NoTrans, 256, 256, 256},
		{blas.NoTrans, 512, 512, 512},
	} {
		a, bm, c := benchOperands(rng, p.tA, blas.NoTrans, p.m, p.n, p.k)
		b.Run(fmt.Sprintf("%dx%dx%d/%c", p.m, p.n, p.k, p.tA), func(b *testing.B) {
			gemmLoop(b, p.m, p.n, p.k, func() {
				vectorMul(p.tA == blas.Trans, p.m, p.n, p.k, 1, a.Data, a.Stride, bm.Data, bm.Stride, 0, c.Data, c.Stride)
			})
		})
		if p.n >= 64 {
			// B's rows 64 bytes further apart than its width.
			padded := blas64.General{Rows: p.k, Cols: p.n, Stride: p.n + 8, Data: make([]float64, p.k*(p.n+8))}
			for l := range p.k {
				copy(padded.Data[l*padded.Stride:], bm.Data[l*bm.Stride:l*bm.Stride+p.n])
			}
			b.Run(fmt.Sprintf("%dx%dx%d/%c/ldb=%d", p.m, p.n, p.k, p.tA, padded.Stride), func(b *testing.B) {
				gemmLoop(b, p.m, p.n, p.k, func() {
					vectorMul(p.tA == blas.Trans, p.m, p.n, p.k, 1, a.Data, a.Stride, padded.Data, padded.Stride, 0, c.Data, c.Stride)
				})
			})
		}
	}
}
