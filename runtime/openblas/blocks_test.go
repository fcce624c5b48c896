package openblas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"

	"github.com/gradgen/gradgen/runtime"
)

// The blocked calls are checked against gonum's pure-Go implementation,
// entry by entry within a bound of the magnitudes of the terms, on shapes
// cut into several blocks (a short last one among them), with strides
// wider than the rows, α, β ∉ {0, 1}, and every entry outside the output
// (padding, the triangle a Dsyrk does not store) unchanged.

// The calls are cut as for a team of three, whatever this machine's
// cores: three blocks of a wide output, the last one short, and twelve of
// a narrow one.
func init() { teamSize = func() int { return 3 } }

// fill returns n normal random numbers.
func fill(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// checkClose fails t unless got and want agree entry by entry within
// tol·(1+|want|).
func checkClose(t *testing.T, name string, got, want []float64, tol float64) {
	t.Helper()
	for i := range got {
		if d := math.Abs(got[i] - want[i]); !(d <= tol*(1+math.Abs(want[i]))) && !(got[i] == want[i]) {
			t.Fatalf("%s: entry %d = %v, want %v", name, i, got[i], want[i])
		}
	}
}

// gemmOperands returns random operands of an m×n×k Dgemm with flags tA and
// tB, each stored with a stride wider than its rows.
func gemmOperands(rng *rand.Rand, tA, tB blas.Transpose, m, n, k int) (a, b, c []float64, lda, ldb, ldc int) {
	ar, ac := m, k
	if tA == blas.Trans {
		ar, ac = ac, ar
	}
	br, bc := k, n
	if tB == blas.Trans {
		br, bc = bc, br
	}
	lda, ldb, ldc = ac+3, bc+1, n+2
	return fill(rng, ar*lda), fill(rng, br*ldb), fill(rng, m*ldc), lda, ldb, ldc
}

func TestBlocksOf(t *testing.T) {
	if thresholdsLowered {
		t.Skip("-tags gradgensplit lowers the thresholds this table checks")
	}
	tests := []struct {
		long, width, work, members int
		uneven                     bool
		blocks, side               int
	}{
		{1024, 10, 1024 * 10 * 256, 2, false, 8, 128},   // narrow: MLP's output layer
		{1000, 10, 1000 * 10 * 300, 2, false, 8, 125},   // short last block: 7·125 + 125
		{1030, 10, 1030 * 10 * 300, 2, false, 8, 129},   // 7·129 + 127
		{1024, 10, 1024 * 10 * 1024, 4, false, 16, 64},  // four blocks a member
		{1024, 256, 1024 * 256 * 256, 2, false, 2, 512}, // wide: one block a member
		{1024, 256, 1024 * 256 * 256, 2, true, 8, 128},  // a Dsyrk's: four a member
		{512, 512, 512 * 512 * 512 / 2, 2, true, 4, 128},
		{1024, 256, 1024 * 256 * 256, 4, false, 4, 256},
		{1024, 256, 1024 * 256 * 256, 1, false, 1, 1024}, // a team of one
		{1024, 256, 1024 * 256 * 256, 8, false, 8, 128},
		{1024, 256, 1024 * 256 * 256, 9, false, 8, 128}, // blocks of 128 rows at least
		{512, 512, 512 * 512 * 512, 2, false, 2, 256},
		{300, 300, 300 * 300 * 300, 3, false, 2, 150},
		{100, 100, 100 * 100 * 100, 2, false, 1, 100}, // below minBlockSide twice
		{1024, 10, 1024 * 10 * 10, 2, false, 1, 1024}, // below blockWork
		{40, 5, 40 * 5 * 100000, 2, false, 2, 20},
	}
	for _, tt := range tests {
		blocks, side := blocksOf(tt.long, tt.width, tt.work, tt.members, tt.uneven)
		if blocks != tt.blocks || side != tt.side {
			t.Errorf("blocksOf(%d, %d, %d, %d, %v) = %d blocks of %d, want %d of %d", tt.long, tt.width, tt.work, tt.members, tt.uneven, blocks, side, tt.blocks, tt.side)
		}
		if blocks > 1 && (side*(blocks-1) >= tt.long || side*blocks < tt.long) {
			t.Errorf("blocksOf(%d, %d, %d, %d, %v): %d blocks of %d do not cover it with a last block", tt.long, tt.width, tt.work, tt.members, tt.uneven, blocks, side)
		}
	}
}

func TestBlockedGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	impl := blas64.Implementation()
	for _, s := range []struct{ m, n, k int }{
		{1024, 10, 256}, {256, 10, 1024}, {1024, 256, 10}, {10, 1000, 300}, {333, 7, 2000}, {5000, 3, 40}, {300, 300, 300}, {256, 700, 64},
	} {
		if blocks, _ := blocksOf(max(s.m, s.n), min(s.m, s.n), s.m*s.n*s.k, teamSize(), false); blocks < 2 {
			t.Fatalf("%v: one block", s)
		}
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				a, b, c, lda, ldb, ldc := gemmOperands(rng, tA, tB, s.m, s.n, s.k)
				want := slices.Clone(c)
				pure.Dgemm(tA, tB, s.m, s.n, s.k, 1.5, a, lda, b, ldb, -0.5, want, ldc)
				impl.Dgemm(tA, tB, s.m, s.n, s.k, 1.5, a, lda, b, ldb, -0.5, c, ldc)
				checkClose(t, fmt.Sprintf("Dgemm%v %c%c", s, tA, tB), c, want, 4e-16*float64(s.k)*4)
			}
		}
	}
}

// TestDgemmOnFMAKernel checks the Dgemms gemmFMAShape sends to
// runtime.GemmFMA: the bits of GemmFMA's own call where its kernel runs
// (OpenBLAS in blocks elsewhere), and gonum's values within the bound.
func TestDgemmOnFMAKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	impl := blas64.Implementation()
	for _, s := range []struct {
		m, n, k int
		fma     bool // sent to GemmFMA; under -tags gradgensplit, when m + n + k is even
	}{
		{384, 64, 16, true}, {401, 77, 300, true}, {512, 130, 514, true},
		{383, 64, 16, false}, {384, 63, 16, false}, {384, 64, 15, false},
		{3, 5, 2, false}, {30, 2, 4, false},
	} {
		want := s.fma
		if thresholdsLowered {
			want = (s.m+s.n+s.k)%2 == 0
		}
		if gemmFMAShape(s.m, s.n, s.k) != want {
			t.Fatalf("%v: gemmFMAShape is %v", s, !want)
		}
		if !want {
			continue
		}
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				a, b, c, lda, ldb, ldc := gemmOperands(rng, tA, tB, s.m, s.n, s.k)
				want, fma := slices.Clone(c), slices.Clone(c)
				pure.Dgemm(tA, tB, s.m, s.n, s.k, 1.5, a, lda, b, ldb, -0.5, want, ldc)
				impl.Dgemm(tA, tB, s.m, s.n, s.k, 1.5, a, lda, b, ldb, -0.5, c, ldc)
				name := fmt.Sprintf("Dgemm%v %c%c", s, tA, tB)
				checkClose(t, name, c, want, 4e-16*float64(s.k)*4)
				if runtime.GemmFMA(tA, tB, s.m, s.n, s.k, 1.5, a, lda, b, ldb, -0.5, fma, ldc) && !slices.Equal(c, fma) {
					t.Fatalf("%s: not GemmFMA's bits", name)
				}
			}
		}
	}
}

// TestDgemmOnColumnsKernel checks the Dgemms Dgemm sends to
// runtime.GemmColumns (products by aᵀ with at most 16 columns, B7MLP's
// Hᵀ R among them): the bits of GemmColumns's own call where its kernel
// runs, and gonum's values within the bound.
func TestDgemmOnColumnsKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	impl := blas64.Implementation()
	for _, s := range []struct{ m, n, k int }{{256, 10, 1024}, {333, 7, 2000}, {40, 16, 64}, {128, 1, 513}} {
		for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			a, b, c, lda, ldb, ldc := gemmOperands(rng, blas.Trans, tB, s.m, s.n, s.k)
			want, columns := slices.Clone(c), slices.Clone(c)
			pure.Dgemm(blas.Trans, tB, s.m, s.n, s.k, 1, a, lda, b, ldb, -0.5, want, ldc)
			impl.Dgemm(blas.Trans, tB, s.m, s.n, s.k, 1, a, lda, b, ldb, -0.5, c, ldc)
			name := fmt.Sprintf("Dgemm%v T%c", s, tB)
			checkClose(t, name, c, want, 4e-16*float64(s.k)*4)
			if runtime.GemmColumns(blas.Trans, tB, s.m, s.n, s.k, 1, a, lda, b, ldb, -0.5, columns, ldc) &&
				!slices.EqualFunc(c, columns, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }) {
				t.Fatalf("%s: not GemmColumns's bits", name)
			}
		}
	}
}

func TestBlockedGemv(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 6))
	impl := blas64.Implementation()
	for _, s := range [][2]int{{1500, 700}, {700, 1500}, {20000, 40}, {40, 20000}} {
		m, n := s[0], s[1]
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			lx, ly := n, m
			if tA == blas.Trans {
				lx, ly = m, n
			}
			for _, inc := range [][2]int{{1, 1}, {2, 3}} {
				lda := n + 5
				a, x, y := fill(rng, m*lda), fill(rng, lx*inc[0]), fill(rng, ly*inc[1])
				want := slices.Clone(y)
				pure.Dgemv(tA, m, n, -0.75, a, lda, x, inc[0], 1.25, want, inc[1])
				impl.Dgemv(tA, m, n, -0.75, a, lda, x, inc[0], 1.25, y, inc[1])
				checkClose(t, fmt.Sprintf("Dgemv %dx%d %c inc %v", m, n, tA, inc), y, want, 4e-16*float64(lx)*4)
			}
		}
	}
}

func TestBlockedTriangular(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 6))
	impl := blas64.Implementation()
	for _, s := range [][2]int{{300, 700}, {64, 3000}} {
		order, long := s[0], s[1]
		lda := order + 2
		// A well-conditioned triangle, unit or not: entries off the
		// diagonal of size 1/order.
		a := fill(rng, order*lda)
		for i := range a {
			a[i] /= float64(order)
		}
		for i := 0; i < order; i++ {
			a[i*lda+i] = 1 + rng.Float64()
		}
		for _, side := range []blas.Side{blas.Left, blas.Right} {
			m, n := order, long
			if side == blas.Right {
				m, n = long, order
			}
			ldb := n + 3
			for _, ul := range []blas.Uplo{blas.Upper, blas.Lower} {
				for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
					for _, d := range []blas.Diag{blas.NonUnit, blas.Unit} {
						name := fmt.Sprintf("%dx%d %c%c%c%c", m, n, side, ul, tA, d)
						b := fill(rng, m*ldb)
						want := slices.Clone(b)
						pure.Dtrmm(side, ul, tA, d, m, n, 0.5, a, lda, want, ldb)
						got := slices.Clone(b)
						impl.Dtrmm(side, ul, tA, d, m, n, 0.5, a, lda, got, ldb)
						checkClose(t, "Dtrmm "+name, got, want, 4e-16*float64(order)*4)
						want = slices.Clone(b)
						pure.Dtrsm(side, ul, tA, d, m, n, 0.5, a, lda, want, ldb)
						got = slices.Clone(b)
						impl.Dtrsm(side, ul, tA, d, m, n, 0.5, a, lda, got, ldb)
						checkClose(t, "Dtrsm "+name, got, want, 4e-16*float64(order)*16)
					}
				}
			}
		}
	}
}

func TestBlockedSymm(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 6))
	impl := blas64.Implementation()
	for _, s := range [][2]int{{300, 700}, {700, 300}} {
		m, n := s[0], s[1]
		for _, side := range []blas.Side{blas.Left, blas.Right} {
			order := m
			if side == blas.Right {
				order = n
			}
			lda, ldb, ldc := order+1, n+2, n+3
			a, b := fill(rng, order*lda), fill(rng, m*ldb)
			for _, ul := range []blas.Uplo{blas.Upper, blas.Lower} {
				c := fill(rng, m*ldc)
				want := slices.Clone(c)
				pure.Dsymm(side, ul, m, n, 2.5, a, lda, b, ldb, -1.5, want, ldc)
				impl.Dsymm(side, ul, m, n, 2.5, a, lda, b, ldb, -1.5, c, ldc)
				checkClose(t, fmt.Sprintf("Dsymm %dx%d %c%c", m, n, side, ul), c, want, 4e-16*float64(order)*4)
			}
		}
	}
}

func TestBlockedSyrk(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 6))
	impl := blas64.Implementation()
	for _, s := range [][2]int{{700, 300}, {300, 700}, {1000, 64}} {
		n, k := s[0], s[1]
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			ar, ac := n, k
			if tA == blas.Trans {
				ar, ac = k, n
			}
			lda, ldc := ac+2, n+3
			a := fill(rng, ar*lda)
			for _, ul := range []blas.Uplo{blas.Upper, blas.Lower} {
				c := fill(rng, n*ldc)
				want := slices.Clone(c)
				pure.Dsyrk(ul, tA, n, k, -0.5, a, lda, 1.5, want, ldc)
				impl.Dsyrk(ul, tA, n, k, -0.5, a, lda, 1.5, c, ldc)
				// The triangle not stored and the padding are unchanged in
				// want; checkClose compares them exactly there.
				checkClose(t, fmt.Sprintf("Dsyrk n=%d k=%d %c%c", n, k, ul, tA), c, want, 4e-16*float64(k)*4)
			}
		}
	}
}

// TestBlocksAllocateNothing checks the blocked calls run without
// allocating.
func TestBlocksAllocateNothing(t *testing.T) {
	a, b, c := make([]float64, 1024*256), make([]float64, 256*256), make([]float64, 1024*256)
	impl := blas64.Implementation()
	calls := map[string]func(){
		"Dgemm narrow": func() { impl.Dgemm(blas.NoTrans, blas.NoTrans, 1024, 10, 256, 1, a, 256, b, 10, 0, c, 10) },
		"Dgemm":        func() { impl.Dgemm(blas.NoTrans, blas.NoTrans, 1024, 256, 256, 1, a, 256, b, 256, 0, c, 256) },
		"Dgemv":        func() { impl.Dgemv(blas.Trans, 1024, 256, 1, a, 256, b, 1, 0, c, 1) },
		"Dsyrk":        func() { impl.Dsyrk(blas.Upper, blas.Trans, 256, 1024, 1, a, 256, 0, b, 256) },
		"Dtrsm": func() {
			impl.Dtrsm(blas.Left, blas.Upper, blas.NoTrans, blas.Unit, 256, 1024, 1, b, 256, c, 1024)
		},
	}
	for name, call := range calls {
		call()
		if n := testing.AllocsPerRun(10, call); n != 0 {
			t.Errorf("%s: %v allocations per call", name, n)
		}
	}
}

// TestOwnThreads checks that OwnThreads runs a Dgemm as one OpenBLAS call
// on OpenBLAS's threads: the bits of netlib's call with OpenBLAS's thread
// count set, and that it restores the blocks afterwards.
func TestOwnThreads(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 6))
	impl := blas64.Implementation()
	m, n, k := 549, 517, 812
	a, b, c := fill(rng, m*k), fill(rng, k*n), fill(rng, m*n)
	var own, direct []float64
	OwnThreads(func() {
		own = slices.Clone(c)
		impl.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1.5, a, k, b, n, -0.5, own, n)
		direct = slices.Clone(c)
		netlib.Implementation{}.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1.5, a, k, b, n, -0.5, direct, n)
	})
	if !slices.Equal(own, direct) {
		t.Error("a Dgemm under OwnThreads differs from netlib's own call")
	}
	if ownThreads {
		t.Error("OwnThreads left Dgemm on OpenBLAS's threads")
	}
	blocked := slices.Clone(c)
	impl.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1.5, a, k, b, n, -0.5, blocked, n)
	checkClose(t, "blocks after OwnThreads", blocked, own, 4e-16*float64(k)*4)
}

// BenchmarkBlocks times Dgemm NoTrans·NoTrans products cut into 2, 4 and 8
// blocks of the rows of C on the team against one OpenBLAS call on its own
// threads (blocks=own), the measurements behind blocksPerMember and
// manyBlocksPerMember; GFLOP/s counts 2mnk flops.
func BenchmarkBlocks(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var impl netlib.Implementation
	for _, s := range []struct{ m, n, k int }{{1024, 256, 1024}, {512, 512, 512}, {1024, 256, 256}, {1024, 10, 256}, {4096, 10, 128}} {
		a, bb, c := fill(rng, s.m*s.k), fill(rng, s.k*s.n), make([]float64, s.m*s.n)
		for _, blocks := range []int{0, 2, 4, 8} {
			name := fmt.Sprintf("%dx%dx%d/blocks=%d", s.m, s.n, s.k, blocks)
			if blocks == 0 {
				name = fmt.Sprintf("%dx%dx%d/blocks=own", s.m, s.n, s.k)
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					if blocks == 0 {
						OwnThreads(func() {
							impl.Dgemm(blas.NoTrans, blas.NoTrans, s.m, s.n, s.k, 1, a, s.k, bb, s.n, 0, c, s.n)
						})
						continue
					}
					side := (s.m + blocks - 1) / blocks
					p := &blockCall{impl: impl, routine: callGemm, tA: blas.NoTrans, tB: blas.NoTrans, m: s.m, n: s.n, k: s.k,
						alpha: 1, a: a, b: bb, c: c, lda: s.k, ldb: s.n, ldc: s.n, byRows: true, block: side, lastEnd: s.m}
					runtime.Parts(blocks, p)
				}
				b.ReportMetric(float64(2*s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkGemmFMA compares, shape by shape, the three ways a large Dgemm
// can run on 2 cores: OpenBLAS on its own threads (own), OpenBLAS in
// blocks on gradgen's team (gemmBlocks: blocks) and gradgen's AVX-512
// kernel on the team (runtime.GemmFMA: fma), in GFLOP/s. Dgemm's rule,
// gemmFMAShape, follows from it.
func BenchmarkGemmFMA(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var impl netlib.Implementation
	for _, s := range []struct {
		tA, tB  blas.Transpose
		m, n, k int
	}{
		{blas.NoTrans, blas.NoTrans, 1024, 256, 1024},
		{blas.NoTrans, blas.NoTrans, 512, 512, 512},
		{blas.NoTrans, blas.NoTrans, 1024, 256, 256},
		{blas.NoTrans, blas.NoTrans, 1024, 256, 64},
		{blas.Trans, blas.NoTrans, 64, 256, 1024},
		{blas.Trans, blas.NoTrans, 256, 256, 1024},
		{blas.NoTrans, blas.Trans, 1024, 256, 256},
		{blas.NoTrans, blas.NoTrans, 256, 256, 256},
		{blas.NoTrans, blas.NoTrans, 128, 128, 128},
		{blas.NoTrans, blas.NoTrans, 64, 64, 64},
		{blas.NoTrans, blas.NoTrans, 1024, 16, 256},
		{blas.NoTrans, blas.NoTrans, 1024, 32, 256},
		{blas.NoTrans, blas.NoTrans, 1024, 64, 256},
		{blas.NoTrans, blas.NoTrans, 512, 128, 512},
		{blas.NoTrans, blas.NoTrans, 384, 384, 384},
		{blas.NoTrans, blas.NoTrans, 512, 64, 8},
		{blas.NoTrans, blas.NoTrans, 1024, 256, 16},
		{blas.Trans, blas.NoTrans, 512, 512, 512},
		{blas.NoTrans, blas.NoTrans, 2048, 512, 128},
		{blas.NoTrans, blas.NoTrans, 16, 1024, 256},
	} {
		lda, ldb := s.k, s.n
		if s.tA == blas.Trans {
			lda = s.m
		}
		if s.tB == blas.Trans {
			ldb = s.k
		}
		a, bb, c := fill(rng, s.m*s.k), fill(rng, s.k*s.n), make([]float64, s.m*s.n)
		for _, way := range []string{"own", "blocks", "fma"} {
			b.Run(fmt.Sprintf("%c%c/%dx%dx%d/%s", s.tA, s.tB, s.m, s.n, s.k, way), func(b *testing.B) {
				for b.Loop() {
					switch way {
					case "own":
						OwnThreads(func() { impl.Dgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n) })
					case "blocks":
						gemmBlocks(impl, s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
					case "fma":
						if !runtime.GemmFMA(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n) {
							b.Skip("GemmFMA declines")
						}
					}
				}
				b.ReportMetric(float64(2*s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// TestMulPlusTransposeOnOpenBLAS checks runtime.Gemm.MulPlusTranspose
// under this backend against AddTransposeTo and Gemm.Mul, bit for bit: the
// sum formed as the kernel packs it where Dgemm would send the product to
// GemmFMA (DgemmPlusTranspose; its workspace then left alone), formed
// otherwise, on both sides of gemmFMAShape and openBLASLevel3.
func TestMulPlusTransposeOnOpenBLAS(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	one := []float64{1}
	kernel := runtime.GemmFMA(blas.NoTrans, blas.NoTrans, 1, 1, 1, 1, one, 1, one, 1, 0, make([]float64, 1), 1)
	for _, s := range [][2]int{{384, 64}, {401, 77}, {383, 64}, {384, 63}, {40, 9}, {3, 2}} {
		m, n := s[0], s[1]
		for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			a, b, c, lda, ldb, ldc := gemmOperands(rng, blas.NoTrans, tB, m, n, m)
			bRows, bCols := m, n
			if tB == blas.Trans {
				bRows, bCols = n, m
			}
			ag := blas64.General{Rows: m, Cols: m, Stride: lda, Data: a}
			bg := blas64.General{Rows: bRows, Cols: bCols, Stride: ldb, Data: b}
			want := blas64.General{Rows: m, Cols: n, Stride: ldc, Data: slices.Clone(c)}
			got := blas64.General{Rows: m, Cols: n, Stride: ldc, Data: slices.Clone(c)}
			formed := blas64.General{Rows: m, Cols: m, Stride: m, Data: make([]float64, m*m)}
			runtime.AddTransposeTo(formed, ag)
			var g, h runtime.Gemm
			h.Mul(blas.NoTrans, tB, 1.5, formed, bg, -0.5, want)
			sum := blas64.General{Rows: m, Cols: m, Stride: m, Data: make([]float64, m*m)}
			for i := range sum.Data {
				sum.Data[i] = math.Inf(1)
			}
			g.MulPlusTranspose(tB, 1.5, ag, bg, -0.5, got, sum)
			name := fmt.Sprintf("%dx%d %c", m, n, tB)
			if !slices.Equal(got.Data, want.Data) {
				t.Fatalf("%s: not the bits of AddTransposeTo and Mul", name)
			}
			fused := kernel && m*n*m >= openBLASLevel3 && gemmFMAShape(m, n, m)
			if fused != !slices.Equal(sum.Data, formed.Data) {
				t.Fatalf("%s: the sum formed (%v) where the kernel runs the product (%v)", name, slices.Equal(sum.Data, formed.Data), fused)
			}
		}
	}
}
