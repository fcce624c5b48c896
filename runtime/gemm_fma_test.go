//go:build goexperiment.simd && amd64

package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// fmaChain is GemmFMA's documented arithmetic, one scalar chain per entry:
// c_ij = fma(p_i,k−1, q_k−1,j, … fma(p_i0, q_0j, s)), p = alpha·op(a)
// (op(a) itself when alpha is 1), q = op(b), s = beta·c_ij (c_ij when beta
// is 1, 0 when beta is 0).
func fmaChain(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := range m {
		for j := range n {
			s := 0.0
			switch beta {
			case 0:
			case 1:
				s = c[i*ldc+j]
			default:
				s = beta * c[i*ldc+j]
			}
			for l := range k {
				var p, q float64
				if transA {
					p = a[l*lda+i]
				} else {
					p = a[i*lda+l]
				}
				if alpha != 1 {
					p *= alpha
				}
				if transB {
					q = b[j*ldb+l]
				} else {
					q = b[l*ldb+j]
				}
				s = math.FMA(p, q, s)
			}
			c[i*ldc+j] = s
		}
	}
}

// TestGemmFMABits checks GemmFMA against the scalar chain over shapes with
// edges in both directions, inner dimensions across stretches and outputs
// across slabs of columns (checkGemmFMABits).
func TestGemmFMABits(t *testing.T) {
	if !wideVectors {
		t.Skip("GemmFMA's kernel needs AVX-512")
	}
	checkGemmFMABits(t, rand.New(rand.NewPCG(1, 2)), [][3]int{
		{1, 1, 1},
		{3, 5, 7},      // within one block
		{16, 16, 1024}, // a block and two rows, four stretches
		{28, 32, 256},  // whole blocks, one stretch
		{29, 33, 257},  // one past each
		{44, 70, 600},  // edges, three stretches
		{16, 900, 300}, // two slabs (900·300 > gemmFMASlab)
		{64, 256, 64},
		{200, 17, 100},
		{1, 40, 20},    // one row, three panels of columns
		{85, 40, 30},   // one row past six panels
		{5, 640, 1200}, // split by columns, each part's columns in four slabs
		{3, 64, 9000},  // split by columns, a part's slab cut at its share (review 69)
	})
}

// specialOperands returns a, b and c of an m×n×k product, stored as the
// flags say, as specialRandom makes them (a's padding padA, c's padC),
// with about four special values in each (each spoils only its own row or
// column of the product), c all NaN when beta is 0 (never read).
func specialOperands(rng *rand.Rand, transA, transB bool, m, n, k int, beta, padA, padC float64) (a, b, c blas64.General) {
	aRows, aCols := m, k
	if transA {
		aRows, aCols = k, m
	}
	bRows, bCols := k, n
	if transB {
		bRows, bCols = n, k
	}
	a = specialRandom(rng, aRows, aCols, padA, aRows*aCols/4+1)
	b = specialRandom(rng, bRows, bCols, 0, bRows*bCols/4+1)
	c = specialRandom(rng, m, n, padC, m*n/4+1)
	if beta == 0 {
		for i := range c.Data {
			c.Data[i] = math.NaN()
		}
	}
	return a, b, c
}

// TestGemmFMADepthSlabs runs TestGemmFMABits's check with slabs of at most
// 100 steps, so that the inner dimension is cut into several slabs, the
// last one short, and beta must scale c in the first alone.
func TestGemmFMADepthSlabs(t *testing.T) {
	if !wideVectors {
		t.Skip("GemmFMA's kernel needs AVX-512")
	}
	defer func(d int) { gemmFMADepth = d }(gemmFMADepth)
	gemmFMADepth = 100
	checkGemmFMABits(t, rand.New(rand.NewPCG(3, 4)), [][3]int{{15, 17, 301}, {30, 40, 200}, {16, 20, 450}})
}

// checkGemmFMABits checks GemmFMA against fmaChain bit for bit (NaN for
// NaN) on each m×n×k shape, split by rows and by columns (where it has
// two panels of columns), for all four transposes, strides wider than
// the rows, alpha and beta with their special values, and infinities, NaNs
// and subnormals in a, b and c (c all NaN when beta is 0, never read); c's
// entries outside the product must not change.
func checkGemmFMABits(t *testing.T, rng *rand.Rand, shapes [][3]int) {
	t.Helper()
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				scales := [][2]float64{{1, 0}, {1, 1}, {-0.75, 0.5}, {3, 0}}
				if m*n*k > 1<<21 { // the scalar chain is slow: alpha and beta's special values are in the smaller shapes
					scales = scales[1:3]
				}
				for _, ab := range scales {
					alpha, beta := ab[0], ab[1]
					name := fmt.Sprintf("%dx%dx%d/%c%c/alpha=%g,beta=%g", m, n, k, tA, tB, alpha, beta)
					transA, transB := tA == blas.Trans, tB == blas.Trans
					a, b, c := specialOperands(rng, transA, transB, m, n, k, beta, 0, 7)
					want := append([]float64(nil), c.Data...)
					fmaChain(transA, transB, m, n, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, want, c.Stride)
					for _, split := range []int{splitByRows, splitByColumns} {
						got := blas64.General{Rows: m, Cols: n, Stride: c.Stride, Data: append([]float64(nil), c.Data...)}
						gemmFMASplit = split
						ok := GemmFMA(tA, tB, m, n, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, got.Data, got.Stride)
						gemmFMASplit = splitByShape
						if !ok {
							t.Fatalf("%s: GemmFMA declined", name)
						}
						for i, v := range got.Data {
							if !sameBits(v, want[i]) {
								t.Fatalf("%s, split %d: entry %d (row %d, column %d) is %v, the chain gives %v", name, split, i, i/c.Stride, i%c.Stride, v, want[i])
							}
						}
					}
				}
			}
		}
	}
}

// TestGemmFMAShapeOfWork checks the slabs' and the parts' sizes: a slab
// holds at most gemmFMASlab entries whatever k (16 columns at least),
// every member of the team gets two parts of rows where there are enough
// panels, and calls split by columns where gemmFMAColumnParts says.
func TestGemmFMAShapeOfWork(t *testing.T) {
	for _, k := range []int{1, 16, 256, 1000, gemmFMADepth, gemmFMADepth + 1, 1 << 17, 1 << 20} {
		depth, width := gemmFMASlabShape(k, gemmFMASlab)
		if depth < 1 || depth > k || width < gemmFMACols || width%gemmFMACols != 0 || depth*width > gemmFMASlab {
			t.Errorf("k = %d: slabs of %d steps by %d columns", k, depth, width)
		}
	}
	for _, tt := range []struct{ panels, members, want int }{
		{74, 2, 6}, {37, 2, 6}, {19, 2, 5}, {5, 2, 2}, {4, 2, 1}, {1, 2, 1}, {74, 8, 5}, {1000, 1, 6},
	} {
		if got := gemmFMAPartPanels(tt.panels, tt.members); got != tt.want {
			t.Errorf("gemmFMAPartPanels(%d, %d) = %d, want %d", tt.panels, tt.members, got, tt.want)
		}
	}
	for _, tt := range []struct{ split, panels, n, members, parts, width int }{
		{splitByShape, 19, 256, 2, 2, 128},   // B7's dW₁ = Xᵀ D
		{splitByShape, 32, 128, 2, 2, 64},    // the most panels, the least columns
		{splitByShape, 33, 1024, 2, 1, 1024}, // rows
		{splitByShape, 19, 127, 2, 2, 64},    // 8 panels of columns, the last short
		{splitByShape, 19, 112, 2, 1, 112},   // 7 panels of columns
		{splitByShape, 2, 1000, 2, 2, 512},   // the last part cut at n
		{splitByShape, 5, 1000, 1, 1, 1000},  // no team
		{splitByShape, 5, 1000, 8, 8, 128},
		{splitByRows, 5, 1000, 2, 1, 1000},
		{splitByColumns, 74, 40, 8, 3, 16},
		{splitByColumns, 74, 17, 2, 2, 16},
		{splitByColumns, 74, 16, 2, 1, 16},
		{splitByColumns, 74, 40, 1, 2, 32}, // two parts on a team of one
	} {
		gemmFMASplit = tt.split
		parts, width := gemmFMAColumnParts(tt.panels, tt.n, tt.members)
		gemmFMASplit = splitByShape
		if parts != tt.parts || width != tt.width {
			t.Errorf("split %d: gemmFMAColumnParts(%d, %d, %d) = %d, %d; want %d, %d", tt.split, tt.panels, tt.n, tt.members, parts, width, tt.parts, tt.width)
		}
	}
}

// TestGemmFMASpecialValues runs infinities, NaNs, zeros and subnormals
// through the kernel: the same bits as the chain, NaN for NaN.
func TestGemmFMASpecialValues(t *testing.T) {
	if !wideVectors {
		t.Skip("GemmFMA's kernel needs AVX-512")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	m, n, k := 45, 50, 300
	a, b := specialRandom(rng, m, k, 0, 10), specialRandom(rng, k, n, 0, 10) // one entry in ten special
	c := make([]float64, m*n)
	want := make([]float64, m*n)
	fmaChain(false, false, m, n, k, 1, a.Data, a.Stride, b.Data, b.Stride, 0, want, n)
	if !GemmFMA(blas.NoTrans, blas.NoTrans, m, n, k, 1, a.Data, a.Stride, b.Data, b.Stride, 0, c, n) {
		t.Fatal("GemmFMA declined")
	}
	for i := range c {
		if !sameBits(c[i], want[i]) {
			t.Fatalf("entry %d is %v, the chain gives %v", i, c[i], want[i])
		}
	}
}

// TestGemmFMADeclines checks the calls GemmFMA leaves to the caller's
// Dgemm: it returns false and writes nothing.
func TestGemmFMADeclines(t *testing.T) {
	if !wideVectors {
		t.Skip("GemmFMA's kernel needs AVX-512")
	}
	const m, n, k = 64, 64, 64
	a, b := make([]float64, m*k), make([]float64, k*n)
	for _, tc := range []struct {
		name          string
		tA, tB        blas.Transpose
		m, n, k       int
		alpha         float64
		a, b          []float64
		lda, ldb, ldc int
		cLen          int
	}{
		{"alpha 0", blas.NoTrans, blas.NoTrans, m, n, k, 0, a, b, k, n, n, m * n},
		{"empty", blas.NoTrans, blas.NoTrans, 0, n, k, 1, a, b, k, n, n, m * n},
		{"bad flag", 'x', blas.NoTrans, m, n, k, 1, a, b, k, n, n, m * n},
		{"short a", blas.NoTrans, blas.NoTrans, m, n, k, 1, a[:len(a)-1], b, k, n, n, m * n},
		{"short c", blas.NoTrans, blas.NoTrans, m, n, k, 1, a, b, k, n, n, m*n - 1},
		{"narrow stride", blas.NoTrans, blas.NoTrans, m, n, k, 1, a, b, k - 1, n, n, m * n},
		{"wrapping stride", blas.NoTrans, blas.NoTrans, m, n, k, 1, a, b, k, n, 6148914691236517206, m * n},
	} {
		c := make([]float64, tc.cLen)
		for i := range c {
			c[i] = 7
		}
		if GemmFMA(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, tc.a, tc.lda, tc.b, tc.ldb, 0, c, tc.ldc) {
			t.Errorf("%s: GemmFMA ran", tc.name)
		}
		for i, v := range c {
			if v != 7 {
				t.Fatalf("%s: GemmFMA wrote c[%d] = %v", tc.name, i, v)
			}
		}
	}
}

// BenchmarkGemmFMAPureGo compares, shape by shape on the pure-Go build,
// the vector kernel in gonum's arithmetic (vec: vectorMul, b transposed
// beforehand where tB is Trans, as Gemm.Mul would copy it) with GemmFMA
// (fma), in GFLOP/s: fmaShape's table.
func BenchmarkGemmFMAPureGo(b *testing.B) {
	if !wideVectors {
		b.Skip("GemmFMA's kernel needs AVX-512")
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for _, p := range []struct {
		tA, tB  blas.Transpose
		m, n, k int
	}{
		{blas.NoTrans, blas.NoTrans, 64, 64, 64},
		{blas.NoTrans, blas.NoTrans, 128, 128, 128},
		{blas.NoTrans, blas.NoTrans, 256, 256, 256},
		{blas.NoTrans, blas.NoTrans, 512, 512, 512},
		{blas.NoTrans, blas.NoTrans, 1024, 256, 1024},
		{blas.NoTrans, blas.NoTrans, 1024, 256, 64},
		{blas.Trans, blas.NoTrans, 64, 256, 1024},
		{blas.Trans, blas.NoTrans, 256, 256, 1024},
		{blas.NoTrans, blas.Trans, 1024, 256, 256},
		{blas.NoTrans, blas.NoTrans, 1024, 16, 256},
		{blas.NoTrans, blas.NoTrans, 1024, 32, 256},
		{blas.NoTrans, blas.NoTrans, 1024, 64, 256},
		{blas.NoTrans, blas.NoTrans, 16, 1024, 256},
		{blas.NoTrans, blas.NoTrans, 96, 96, 96},
		{blas.NoTrans, blas.NoTrans, 1024, 256, 16},
	} {
		a, bm, c := benchOperands(rng, p.tA, p.tB, p.m, p.n, p.k)
		bv := bm // b as vectorMul reads it, k×n
		if p.tB == blas.Trans {
			bv = benchMatrix(rng, p.k, p.n)
			transposeTo(bv, bm)
		}
		b.Run(fmt.Sprintf("%c%c/%dx%dx%d/vec", p.tA, p.tB, p.m, p.n, p.k), func(b *testing.B) {
			gemmLoop(b, p.m, p.n, p.k, func() {
				vectorMul(p.tA == blas.Trans, p.m, p.n, p.k, 1, a.Data, a.Stride, bv.Data, bv.Stride, 0, c.Data, c.Stride)
			})
		})
		b.Run(fmt.Sprintf("%c%c/%dx%dx%d/fma", p.tA, p.tB, p.m, p.n, p.k), func(b *testing.B) {
			gemmLoop(b, p.m, p.n, p.k, func() {
				GemmFMA(p.tA, p.tB, p.m, p.n, p.k, 1, a.Data, a.Stride, bm.Data, bm.Stride, 0, c.Data, c.Stride)
			})
		})
	}
}

// TestGemmMulOnFMAKernel checks that Gemm.Mul runs the products fmaShape
// takes on GemmFMA, its bits, and the others in gonum's arithmetic.
func TestGemmMulOnFMAKernel(t *testing.T) {
	if !wideVectors || !pureGo(blas64.Implementation()) {
		t.Skip("needs AVX-512 and gonum's BLAS")
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, s := range []struct {
		m, n, k int
		fma     bool // sent to GemmFMA; under -tags gradgensplit, when m + n + k is even
	}{
		{64, 16, 2048, true}, {128, 128, 128, true}, {300, 70, 200, true},
		{63, 16, 4096, false}, {64, 15, 4096, false}, {1024, 256, 15, false}, {64, 16, 2047, false},
		{3, 5, 2, false},
	} {
		want := s.fma
		if fmaHalfShapes {
			want = (s.m+s.n+s.k)%2 == 0
		}
		if fmaShape(s.m, s.n, s.k) != want {
			t.Fatalf("%v: fmaShape is %v", s, !want)
		}
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				a, b, c := benchOperands(rng, tA, tB, s.m, s.n, s.k)
				fma := blas64.General{Rows: s.m, Cols: s.n, Stride: s.n, Data: slices.Clone(c.Data)}
				ref := blas64.General{Rows: s.m, Cols: s.n, Stride: s.n, Data: slices.Clone(c.Data)}
				var g Gemm
				g.Mul(tA, tB, 1.5, a, b, -0.5, c)
				name := fmt.Sprintf("%v %c%c", s, tA, tB)
				if want {
					if !GemmFMA(tA, tB, s.m, s.n, s.k, 1.5, a.Data, a.Stride, b.Data, b.Stride, -0.5, fma.Data, fma.Stride) || !slices.Equal(c.Data, fma.Data) {
						t.Fatalf("%s: not GemmFMA's bits", name)
					}
					continue
				}
				blas64.Gemm(tA, tB, 1.5, a, b, -0.5, ref)
				for i := range c.Data {
					if d := math.Abs(c.Data[i] - ref.Data[i]); d > 1e-13*float64(s.k) {
						t.Fatalf("%s: entry %d = %v, gonum's Dgemm %v", name, i, c.Data[i], ref.Data[i])
					}
				}
			}
		}
	}
}

// TestGemmFMAPlusTransposeBits checks GemmFMAPlusTranspose against the
// scalar chain of the formed sum: the same bits as AddTransposeTo and
// GemmFMA, each entry of a + aᵀ a's entry first, rounded once. The shapes
// take the vector packer's full panels and its scalar tails (rows past a
// multiple of 14, steps past a multiple of 4), several stretches, two
// slabs of columns and, with gemmFMADepth lowered, of steps, each split by
// rows and by columns; alpha other than 1 takes the scalar packer
// throughout.
func TestGemmFMAPlusTransposeBits(t *testing.T) {
	if !wideVectors {
		t.Skip("GemmFMA's kernel needs AVX-512")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(m, n int) {
		t.Helper()
		for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, ab := range [][2]float64{{1, 0}, {1, 1}, {-0.75, 0.5}, {3, 0}} {
				alpha, beta := ab[0], ab[1]
				name := fmt.Sprintf("%dx%d/%c/alpha=%g,beta=%g", m, n, tB, alpha, beta)
				a, b, c, s := plusTransposeOperands(rng, m, n, tB, 4)
				want := append([]float64(nil), c.Data...)
				fmaChain(false, tB == blas.Trans, m, n, m, alpha, s.Data, s.Stride, b.Data, b.Stride, beta, want, c.Stride)
				for _, split := range []int{splitByRows, splitByColumns} {
					got := append([]float64(nil), c.Data...)
					gemmFMASplit = split
					ok := GemmFMAPlusTranspose(tB, m, n, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, got, c.Stride)
					gemmFMASplit = splitByShape
					if !ok {
						t.Fatalf("%s: GemmFMAPlusTranspose declined", name)
					}
					for i, v := range got {
						if !sameBits(v, want[i]) {
							t.Fatalf("%s, split %d: entry %d (row %d, column %d) is %v, the chain of the formed sum gives %v", name, split, i, i/c.Stride, i%c.Stride, v, want[i])
						}
					}
				}
			}
		}
	}
	for _, s := range [][2]int{{1, 1}, {3, 5}, {14, 16}, {15, 3}, {28, 32}, {29, 33}, {43, 70}, {300, 17}, {16, 1100}} {
		check(s[0], s[1])
	}
	saved := gemmFMADepth
	gemmFMADepth = 96
	defer func() { gemmFMADepth = saved }()
	check(250, 20) // three slabs of steps, the last 58 deep
}

// TestGemmFMAPlusTransposeDeclines checks that GemmFMAPlusTranspose
// declines, writing nothing, where GemmFMA would.
func TestGemmFMAPlusTransposeDeclines(t *testing.T) {
	if !wideVectors {
		t.Skip("GemmFMA's kernel needs AVX-512")
	}
	const m, n = 64, 32
	a, b := make([]float64, m*m), make([]float64, m*n)
	for _, tc := range []struct {
		name          string
		tB            blas.Transpose
		m, n          int
		alpha         float64
		a, b          []float64
		lda, ldb, ldc int
		cLen          int
	}{
		{"alpha 0", blas.NoTrans, m, n, 0, a, b, m, n, n, m * n},
		{"empty", blas.NoTrans, 0, n, 1, a, b, m, n, n, m * n},
		{"bad flag", 'x', m, n, 1, a, b, m, n, n, m * n},
		{"short a", blas.NoTrans, m, n, 1, a[:len(a)-1], b, m, n, n, m * n},
		{"short b", blas.Trans, m, n, 1, a, b[:len(b)-1], m, m, n, m * n},
		{"short c", blas.NoTrans, m, n, 1, a, b, m, n, n, m*n - 1},
		{"narrow stride", blas.NoTrans, m, n, 1, a, b, m - 1, n, n, m * n},
		{"wrapping stride", blas.NoTrans, m, n, 1, a, b, 6148914691236517206, n, n, m * n},
	} {
		c := make([]float64, tc.cLen)
		for i := range c {
			c[i] = 7
		}
		if GemmFMAPlusTranspose(tc.tB, tc.m, tc.n, tc.alpha, tc.a, tc.lda, tc.b, tc.ldb, 0, c, tc.ldc) {
			t.Errorf("%s: GemmFMAPlusTranspose ran", tc.name)
		}
		for i, v := range c {
			if v != 7 {
				t.Fatalf("%s: GemmFMAPlusTranspose wrote c[%d] = %v", tc.name, i, v)
			}
		}
	}
}

// BenchmarkGemmFMAPlusTranspose times (a + aᵀ)·w for an n×n a and an n×k w
// formed (AddTransposeTo, then GemmFMA of the sum) and fused
// (GemmFMAPlusTranspose), in GFLOP/s of the product: B3's gradient at
// n = 1024, k = 256 and n = 512, k = 512, and a narrow w.
func BenchmarkGemmFMAPlusTranspose(b *testing.B) {
	if !wideVectors {
		b.Skip("GemmFMA's kernel needs AVX-512")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range [][2]int{{1024, 256}, {512, 512}, {512, 64}} {
		n, k := s[0], s[1]
		a := paddedRandom(rng, n, n, 0)
		w := paddedRandom(rng, n, k, 0)
		c := make([]float64, n*k)
		sum := blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
		flops := 2 * float64(n) * float64(n) * float64(k)
		b.Run(fmt.Sprintf("%dx%d/formed", n, k), func(b *testing.B) {
			for b.Loop() {
				AddTransposeTo(sum, a)
				GemmFMA(blas.NoTrans, blas.NoTrans, n, k, n, 1, sum.Data, sum.Stride, w.Data, w.Stride, 0, c, k)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(fmt.Sprintf("%dx%d/fused", n, k), func(b *testing.B) {
			for b.Loop() {
				GemmFMAPlusTranspose(blas.NoTrans, n, k, 1, a.Data, a.Stride, w.Data, w.Stride, 0, c, k)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
