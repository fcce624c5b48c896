package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// TestMulPlusTransposeBits checks Gemm.MulPlusTranspose bit for bit
// against AddTransposeTo followed by GemmFMA where it runs on the fused
// multiply-add kernels (fmaShape's rule, and under -tags gradgensplit its
// half of the shapes; narrowShape's with alpha 1 and beta 0) and by
// Gemm.Mul elsewhere, and that the sum's
// workspace is left alone exactly where it runs on those kernels, and
// formed everywhere else.
func TestMulPlusTransposeBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	kernel := fmaKernelRuns()
	for _, s := range [][2]int{{1, 1}, {5, 3}, {20, 8}, {64, 16}, {63, 40}, {256, 64}, {257, 63}, {300, 17}, {512, 16},
		{64, 8}, {63, 8}, {67, 1}, {130, 5}, {129, 9}, {513, 8}} {
		m, n := s[0], s[1]
		for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, ab := range [][2]float64{{1, 0}, {2, 1}, {-0.5, 0.25}} {
				alpha, beta := ab[0], ab[1]
				name := fmt.Sprintf("%dx%d/%c/alpha=%g,beta=%g", m, n, tB, alpha, beta)
				a, b, c, formed := plusTransposeOperands(rng, m, n, tB, 3)
				want := blas64.General{Rows: m, Cols: n, Stride: c.Stride, Data: append([]float64(nil), c.Data...)}
				var g, h Gemm
				narrow := kernel && narrowShape(m, n) && alpha == 1 && beta == 0
				fused := narrow || kernel && fmaShape(m, n, m)
				if fused {
					GemmFMA(blas.NoTrans, tB, m, n, m, alpha, formed.Data, formed.Stride, b.Data, b.Stride, beta, want.Data, want.Stride)
				} else {
					h.Mul(blas.NoTrans, tB, alpha, formed, b, beta, want)
				}
				sum := blas64.General{Rows: m, Cols: m, Stride: m + 1, Data: make([]float64, m*(m+1))}
				for i := range sum.Data {
					sum.Data[i] = math.Inf(1)
				}
				g.MulPlusTranspose(tB, alpha, a, b, beta, c, sum)
				for i, v := range c.Data {
					if !sameBits(v, want.Data[i]) {
						t.Fatalf("%s: entry %d (row %d, column %d) is %v, AddTransposeTo and GemmFMA (%v) or Mul give %v", name, i, i/c.Stride, i%c.Stride, v, fused, want.Data[i])
					}
				}
				for i := range m {
					for j := range m {
						v := sum.Data[i*sum.Stride+j]
						if fused && !math.IsInf(v, 1) || !fused && !sameBits(v, formed.Data[i*m+j]) {
							t.Fatalf("%s: the sum's workspace holds %v at (%d, %d); on the kernel (%v) it is not to be written, else to hold a + aᵀ", name, v, i, j, fused)
						}
					}
				}
			}
		}
	}
}

// fmaKernelRuns reports whether GemmFMA's kernel runs here (AVX-512, a
// build with GOEXPERIMENT=simd), by asking it for a 1×1 product.
func fmaKernelRuns() bool {
	one := []float64{1}
	return GemmFMA(blas.NoTrans, blas.NoTrans, 1, 1, 1, 1, one, 1, one, 1, 0, make([]float64, 1), 1)
}

// plusTransposeOperands draws a product by a + aᵀ, a m×m and op(b) m×n
// (b n×m for tB = blas.Trans), and its c, each with about one special
// value in spread entries (specialRandom, rows padded), and returns them
// with a + aᵀ formed by AddTransposeTo.
func plusTransposeOperands(rng *rand.Rand, m, n int, tB blas.Transpose, spread int) (a, b, c, formed blas64.General) {
	a = specialRandom(rng, m, m, 2, m*m/spread+1)
	if tB == blas.Trans {
		b = specialRandom(rng, n, m, 1, m*n/spread+1)
	} else {
		b = specialRandom(rng, m, n, 1, m*n/spread+1)
	}
	c = specialRandom(rng, m, n, 4, m*n/spread+1)
	formed = blas64.General{Rows: m, Cols: m, Stride: m, Data: make([]float64, m*m)}
	AddTransposeTo(formed, a)
	return a, b, c, formed
}

// TestMulPlusTransposeShapes checks that MulPlusTranspose panics with a
// *ShapeError, as AddTransposeTo and Mul do, when the shapes do not
// conform, whatever the size.
func TestMulPlusTransposeShapes(t *testing.T) {
	mat := func(r, c int) blas64.General {
		return blas64.General{Rows: r, Cols: c, Stride: c, Data: make([]float64, r*c)}
	}
	for _, tc := range []struct {
		name       string
		a, b, c, s blas64.General
	}{
		{"a not square", mat(300, 299), mat(299, 64), mat(300, 64), mat(300, 300)},
		{"b's rows", mat(300, 300), mat(299, 64), mat(300, 64), mat(300, 300)},
		{"c's columns", mat(300, 300), mat(300, 64), mat(300, 63), mat(300, 300)},
		{"sum's order", mat(300, 300), mat(300, 64), mat(300, 64), mat(299, 300)},
		{"small", mat(3, 3), mat(4, 2), mat(3, 2), mat(3, 3)},
	} {
		func() {
			defer func() {
				if _, ok := recover().(*ShapeError); !ok {
					t.Errorf("%s: no *ShapeError panic", tc.name)
				}
			}()
			var g Gemm
			g.MulPlusTranspose(blas.NoTrans, 1, tc.a, tc.b, 0, tc.c, tc.s)
		}()
	}
}

// BenchmarkMulPlusTranspose times (a + aᵀ)·b for an n×n a and a narrow n×k
// b through Gemm.MulPlusTranspose, which runs it on narrowPlusTranspose
// where that kernel runs, against AddTransposeTo followed by Gemm.Mul:
// B4's (C + Cᵀ)(X B) at m = 512, p = 8.
func BenchmarkMulPlusTranspose(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range [][2]int{{512, 8}, {1024, 8}, {256, 4}, {128, 8}, {64, 8}} {
		n, k := s[0], s[1]
		a, w := paddedRandom(rng, n, n, 0), paddedRandom(rng, n, k, 0)
		c := blas64.General{Rows: n, Cols: k, Stride: k, Data: make([]float64, n*k)}
		sum := blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
		var g Gemm
		b.Run(fmt.Sprintf("%dx%d/formed", n, k), func(b *testing.B) {
			for b.Loop() {
				AddTransposeTo(sum, a)
				g.Mul(blas.NoTrans, blas.NoTrans, 1, sum, w, 0, c)
			}
		})
		b.Run(fmt.Sprintf("%dx%d/fused", n, k), func(b *testing.B) {
			for b.Loop() {
				g.MulPlusTranspose(blas.NoTrans, 1, a, w, 0, c, sum)
			}
		})
	}
}
