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

// TestGemmNarrowBits checks GemmNarrow's work (gemmNarrow, whatever the
// size) against the scalar chain, bit for bit (NaN for NaN), and so
// against GemmFMA: outputs of 1 to 16 columns and inner dimensions of 1 to
// 16 steps, rows past a multiple of 12 and columns past a multiple of 16,
// one part and several, all four transposes, strides wider than the rows,
// beta with its special values, and infinities, NaNs and
// subnormals in a, b and c (c all NaN when beta is 0, never read); c's
// entries outside the product must not change.
func TestGemmNarrowBits(t *testing.T) {
	if !wideVectors {
		t.Skip("GemmNarrow's kernel needs AVX-512")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	shapes := [][3]int{
		{1, 1, 1},
		{12, 16, 5},     // one whole block
		{13, 17, 9},     // one past each
		{11, 10, 300},   // fewer rows than a block
		{100, 10, 256},  // B7's H W₂, smaller
		{256, 10, 1024}, // B7's Hᵀ R: several parts
		{300, 256, 10},  // B7's R W₂ᵀ, smaller: short k, many panels
		{37, 200, 16},   // the longest short k, the last panel short
		{50, 16, 17},    // the widest narrow output
		{1030, 3, 64},   // several parts, the last tile short
		{25, 40, 1},     // one step
		{17, 14, 33},    // GemmColumns's widest strip, one row past a block
		{33, 15, 20},    // two strips, 8 and 7 wide
		{40, 7, 50},
		{5, 13, 40}, // fewer rows than a lane block
		{31, 2, 7},
		{16, 11, 1},
	}
	for n := 1; n <= 16; n++ {
		shapes = append(shapes, [3]int{15 + 2*n, n, 9}) // every strip width, rows past a block
	}
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, transA := range []bool{false, true} {
			for _, transB := range []bool{false, true} {
				for _, ab := range [][2]float64{{1, 0}, {1, 1}, {1, 0.5}, {1, -2}} {
					alpha, beta := ab[0], ab[1]
					name := fmt.Sprintf("%dx%dx%d/transA=%t,transB=%t/alpha=%g,beta=%g", m, n, k, transA, transB, alpha, beta)
					a, b, c := specialOperands(rng, transA, transB, m, n, k, beta, 3, 5)
					want := append([]float64(nil), c.Data...)
					fmaChain(transA, transB, m, n, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, want, c.Stride)
					got := append([]float64(nil), c.Data...)
					if !gemmNarrow(transA, transB, m, n, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, got, c.Stride) {
						t.Fatalf("%s: gemmNarrow declined", name)
					}
					for i, v := range got {
						if !sameBits(v, want[i]) {
							t.Fatalf("%s: entry %d (row %d, column %d) is %v, the chain gives %v", name, i, i/c.Stride, i%c.Stride, v, want[i])
						}
					}
				}
			}
		}
	}
}

// TestGemmNarrowDeclines checks the calls GemmNarrow leaves to its caller
// untouched: a wide output with a long inner dimension, alpha not 1, an
// empty product, a c too short, a flag that is not one (in every build);
// and that it takes B7MLP's three narrow products (but under -tags
// gradgensplit, whose rule takes a quarter of the shapes).
func TestGemmNarrowDeclines(t *testing.T) {
	if !wideVectors {
		t.Skip("GemmNarrow's kernel needs AVX-512")
	}
	a, b, c := make([]float64, 1024*256), make([]float64, 1024*256), make([]float64, 1024*256)
	for _, tt := range []struct {
		name    string
		tA, tB  blas.Transpose
		m, n, k int
		alpha   float64
		c       []float64
		want    bool
	}{
		{"wide, long", blas.NoTrans, blas.NoTrans, 64, 17, 17, 1, c, false},
		{"alpha 0", blas.NoTrans, blas.NoTrans, 1024, 10, 256, 0, c, false},
		{"alpha 2", blas.NoTrans, blas.NoTrans, 1024, 10, 256, 2, c, false},
		{"empty", blas.NoTrans, blas.NoTrans, 0, 10, 256, 1, c, false},
		{"c short", blas.NoTrans, blas.NoTrans, 1024, 10, 256, 1, c[:1023*10+9], false},
		{"flag", 'x', blas.NoTrans, 1024, 10, 256, 1, c, false},
		{"H W2", blas.NoTrans, blas.NoTrans, 1024, 10, 256, 1, c, true},
		{"R W2'", blas.NoTrans, blas.Trans, 1024, 256, 10, 1, c, true},
		{"H' R", blas.Trans, blas.NoTrans, 256, 10, 1024, 1, c, true},
	} {
		lda, ldb := tt.k, tt.n
		if tt.tA == blas.Trans {
			lda = tt.m
		}
		if tt.tB == blas.Trans {
			ldb = tt.k
		}
		if got := GemmNarrow(tt.tA, tt.tB, tt.m, tt.n, tt.k, tt.alpha, a, max(lda, 1), b, max(ldb, 1), 0, tt.c, max(tt.n, 1)); got != tt.want && !(tt.want && fmaHalfShapes) {
			t.Errorf("%s: GemmNarrow took it: %t, want %t", tt.name, got, tt.want)
		}
	}
}

// TestGemmColumnsDeclines checks the calls GemmColumns leaves to its
// caller, with c untouched (a not transposed, more than 16 columns, alpha not 1,
// too little work, an empty product, a c too short, a flag that is not
// one) and the ones it takes (B7MLP's Hᵀ R, B8Softmax's Xᵀ G, one column,
// fewer rows than a block); under -tags gradgensplit only the declines
// that do not depend on the size are checked.
func TestGemmColumnsDeclines(t *testing.T) {
	if !wideVectors {
		t.Skip("GemmColumns's kernel needs AVX-512")
	}
	a, b, c := make([]float64, 4096*256), make([]float64, 4096*256), make([]float64, 1024*256)
	for i := range c {
		c[i] = math.NaN() // a decline leaves it so; a product (beta 0) writes zeros
	}
	for _, tt := range []struct {
		name    string
		tA, tB  blas.Transpose
		m, n, k int
		alpha   float64
		c       []float64
		want    bool
		sized   bool // the answer depends on the size rule
	}{
		{"a not transposed", blas.NoTrans, blas.NoTrans, 256, 10, 1024, 1, c, false, false},
		{"17 columns", blas.Trans, blas.NoTrans, 256, 17, 1024, 1, c, false, false},
		{"alpha 2", blas.Trans, blas.NoTrans, 256, 10, 1024, 2, c, false, false},
		{"little work", blas.Trans, blas.NoTrans, 16, 10, 64, 1, c, false, true},
		{"empty", blas.Trans, blas.NoTrans, 0, 10, 1024, 1, c, false, false},
		{"c short", blas.Trans, blas.NoTrans, 256, 10, 1024, 1, c[:255*10+9], false, false},
		{"flag", blas.Trans, 'x', 256, 10, 1024, 1, c, false, false},
		{"H' R", blas.Trans, blas.NoTrans, 256, 10, 1024, 1, c, true, true},
		{"X' G", blas.Trans, blas.NoTrans, 128, 10, 4096, 1, c, true, true},
		{"H' R'", blas.Trans, blas.Trans, 256, 10, 1024, 1, c, true, true},
		{"one column", blas.Trans, blas.NoTrans, 256, 1, 1024, 1, c, true, true},
		{"few rows", blas.Trans, blas.NoTrans, 5, 16, 1024, 1, c, true, true},
	} {
		lda, ldb := max(tt.m, 1), max(tt.n, 1)
		if tt.tB == blas.Trans {
			ldb = tt.k
		}
		got := GemmColumns(tt.tA, tt.tB, tt.m, tt.n, tt.k, tt.alpha, a, lda, b, ldb, 0, tt.c, max(tt.n, 1))
		if got != tt.want && !(tt.sized && fmaHalfShapes) {
			t.Errorf("%s: GemmColumns took it: %t, want %t", tt.name, got, tt.want)
		}
		if !got && slices.ContainsFunc(c, func(v float64) bool { return !math.IsNaN(v) }) {
			t.Errorf("%s: declined, but wrote c", tt.name)
		}
		for i := range c {
			c[i] = math.NaN()
		}
	}
}

// BenchmarkGemmNarrowKernel runs the narrow products and those with a short
// inner dimension three ways: Gemm.Mul's path without GemmNarrow
// (vectorMul on b as it reads it, k×n), GemmFMA, and GemmNarrow (whose
// products by aᵀ with at most 16 columns run on GemmColumns's kernel).
func BenchmarkGemmNarrowKernel(b *testing.B) {
	if !wideVectors {
		b.Skip("GemmNarrow's kernel needs AVX-512")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, p := range []struct {
		tA, tB  blas.Transpose
		m, n, k int
	}{
		{blas.NoTrans, blas.NoTrans, 1024, 10, 256}, // B7's H W₂
		{blas.NoTrans, blas.Trans, 1024, 256, 10},   // its R W₂ᵀ
		{blas.Trans, blas.NoTrans, 256, 10, 1024},   // its Hᵀ R
		{blas.Trans, blas.NoTrans, 128, 10, 4096},   // B8's Xᵀ G at n = 4096
		{blas.Trans, blas.NoTrans, 256, 4, 1024},
		{blas.NoTrans, blas.NoTrans, 4096, 10, 128},
		{blas.NoTrans, blas.NoTrans, 1024, 16, 256},
		{blas.NoTrans, blas.NoTrans, 1024, 4, 256},
		{blas.NoTrans, blas.NoTrans, 1024, 256, 16},
		{blas.NoTrans, blas.NoTrans, 64, 10, 64},
		{blas.NoTrans, blas.NoTrans, 32, 4, 128},
		{blas.Trans, blas.NoTrans, 64, 8, 512},
		{blas.NoTrans, blas.NoTrans, 40, 10, 64},
		{blas.Trans, blas.NoTrans, 40, 10, 64},
		{blas.NoTrans, blas.NoTrans, 32, 8, 128},
		{blas.NoTrans, blas.NoTrans, 64, 16, 32},
		{blas.NoTrans, blas.Trans, 64, 64, 8},
		{blas.NoTrans, blas.NoTrans, 128, 4, 64},
		{blas.NoTrans, blas.NoTrans, 256, 16, 64},
		{blas.NoTrans, blas.NoTrans, 512, 8, 64}, // B4's X B at m = 512, n = 64, p = 8
		{blas.NoTrans, blas.Trans, 512, 64, 8},   // its (C + Cᵀ) X B Bᵀ
	} {
		a, bm, c := benchOperands(rng, p.tA, p.tB, p.m, p.n, p.k)
		bv := bm
		if p.tB == blas.Trans {
			bv = benchMatrix(rng, p.k, p.n)
			transposeTo(bv, bm)
		}
		name := fmt.Sprintf("%c%c/%dx%dx%d", p.tA, p.tB, p.m, p.n, p.k)
		b.Run(name+"/vec", func(b *testing.B) {
			gemmLoop(b, p.m, p.n, p.k, func() {
				vectorMul(p.tA == blas.Trans, p.m, p.n, p.k, 1, a.Data, a.Stride, bv.Data, bv.Stride, 0, c.Data, c.Stride)
			})
		})
		b.Run(name+"/fma", func(b *testing.B) {
			gemmLoop(b, p.m, p.n, p.k, func() {
				GemmFMA(p.tA, p.tB, p.m, p.n, p.k, 1, a.Data, a.Stride, bm.Data, bm.Stride, 0, c.Data, c.Stride)
			})
		})
		b.Run(name+"/narrow", func(b *testing.B) {
			gemmLoop(b, p.m, p.n, p.k, func() {
				gemmNarrow(p.tA == blas.Trans, p.tB == blas.Trans, p.m, p.n, p.k, 1, a.Data, a.Stride, bm.Data, bm.Stride, 0, c.Data, c.Stride)
			})
		})
	}
}

// TestGemmMulOnColumnsKernel checks that Gemm.Mul, under gonum's BLAS,
// runs the products by aᵀ that columnsShape takes on GemmColumns, with its
// bits, for alpha 1 (narrower ones than GemmNarrow takes among them), and
// not for other alphas.
func TestGemmMulOnColumnsKernel(t *testing.T) {
	if !wideVectors || !pureGo(blas64.Implementation()) {
		t.Skip("needs AVX-512 and gonum's BLAS")
	}
	rng := rand.New(rand.NewPCG(13, 14))
	for _, s := range [][3]int{{64, 7, 256}, {256, 1, 300}, {15, 10, 256}, {256, 16, 1024}, {40, 3, 1001}} {
		m, n, k := s[0], s[1], s[2]
		if !columnsShape(m, n, k) {
			continue // under -tags gradgensplit, a quarter of the shapes
		}
		for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, alpha := range []float64{1, 1.5} {
				a, b, c := benchOperands(rng, blas.Trans, tB, m, n, k)
				columns := slices.Clone(c.Data)
				var g Gemm
				g.Mul(blas.Trans, tB, alpha, a, b, -0.5, c)
				took := GemmColumns(blas.Trans, tB, m, n, k, alpha, a.Data, a.Stride, b.Data, b.Stride, -0.5, columns, c.Stride)
				if same := slices.Equal(c.Data, columns); took != (alpha == 1) || alpha == 1 && !same {
					t.Fatalf("%v T%c, alpha %g: GemmColumns took it %v, Mul gave its bits %v", s, tB, alpha, took, same)
				}
			}
		}
	}
}

// TestGemmMulOnNarrowKernel checks that Gemm.Mul, under gonum's BLAS, runs
// the products narrowGemmShape takes on GemmNarrow, with its bits, for
// alpha 1 and not for other alphas.
func TestGemmMulOnNarrowKernel(t *testing.T) {
	if !wideVectors || !pureGo(blas64.Implementation()) {
		t.Skip("needs AVX-512 and gonum's BLAS")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for _, s := range []struct {
		m, n, k int
		narrow  bool // sent to GemmNarrow; under -tags gradgensplit, a quarter of the shapes it could take
	}{
		{1024, 10, 256, true}, {1024, 256, 10, true}, {256, 10, 1024, true}, {16, 8, 128, true}, {100, 300, 16, true}, {17, 8, 128, true},
		{64, 7, 256, false}, {15, 10, 256, false}, {64, 17, 17, false}, {16, 8, 127, false},
	} {
		want := s.narrow
		if fmaHalfShapes {
			want = s.n >= narrowMinCols && (s.n <= narrowMaxCols || s.k <= narrowMaxSteps) && (s.m+s.n+s.k)%4 == 1
		}
		if narrowGemmShape(s.m, s.n, s.k) != want {
			t.Fatalf("%v: narrowGemmShape is %v", s, !want)
		}
		if !want {
			continue
		}
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				for _, alpha := range []float64{1, 1.5} {
					a, b, c := benchOperands(rng, tA, tB, s.m, s.n, s.k)
					narrow := slices.Clone(c.Data)
					var g Gemm
					g.Mul(tA, tB, alpha, a, b, -0.5, c)
					took := gemmNarrow(tA == blas.Trans, tB == blas.Trans, s.m, s.n, s.k, alpha, a.Data, a.Stride, b.Data, b.Stride, -0.5, narrow, c.Stride)
					if same := slices.Equal(c.Data, narrow); took != (alpha == 1) || alpha == 1 && !same {
						t.Fatalf("%v %c%c, alpha %g: GemmNarrow took it %v, Mul gave its bits %v", s, tA, tB, alpha, took, same)
					}
				}
			}
		}
	}
}
