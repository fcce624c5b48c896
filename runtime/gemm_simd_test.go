//go:build goexperiment.simd && amd64

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

// TestZeroProduct checks vecMul's scan for a zero alpha·x: a zero at every
// position of matrices stored with and without gaps (so the contiguous
// matrix scanned as one row, the steps of sixteen and four and the last
// overlapping vector all meet one), a product that underflows to zero, no
// zero at all, and zeros in the gaps between rows, which are not entries
// and must not count.
func TestZeroProduct(t *testing.T) {
	for rows := 1; rows <= 4; rows++ {
		for cols := 1; cols <= 37; cols++ {
			for _, gap := range []int{0, 3} {
				lda := cols + gap
				a := make([]float64, (rows-1)*lda+cols)
				fill := func() {
					for i := range a {
						a[i] = 0 // the gaps
						if i%lda < cols {
							a[i] = 1 + float64(i%5)
						}
					}
				}
				name := fmt.Sprintf("%dx%d lda=%d", rows, cols, lda)
				fill()
				if zeroProduct(-2, a, lda, rows, cols) {
					t.Fatalf("%s: a zero found in a matrix without one (gaps of zeros)", name)
				}
				for i := 0; i < rows; i++ {
					for j := 0; j < cols; j++ {
						fill()
						a[i*lda+j] = math.Copysign(0, float64(j%2)-0.5)
						if !zeroProduct(-2, a, lda, rows, cols) {
							t.Fatalf("%s: the zero at (%d, %d) not found", name, i, j)
						}
						fill()
						a[i*lda+j] = 1e-300
						if !zeroProduct(1e-300, a, lda, rows, cols) {
							t.Fatalf("%s: 1e-300·1e-300 at (%d, %d), which underflows to 0, not found", name, i, j)
						}
					}
				}
			}
		}
	}
}

// TestGemmVectorEightWide runs TestGemmVectorBitIdentical with the
// sixteen-column blocks off, as on a CPU without AVX-512, so that both
// ways are checked on a CPU with it.
func TestGemmVectorEightWide(t *testing.T) {
	if !wideVectors {
		t.Skip("this CPU has no AVX-512: TestGemmVectorBitIdentical ran the eight-wide blocks")
	}
	defer func() { wideVectors = true }()
	wideVectors = false
	TestGemmVectorBitIdentical(t)
}

// TestGemmVectorCopiedB checks Gemm.Mul's copies of B for the vector
// kernels — B transposed, and B whose stride is a multiple of
// setAliasStride, each into a stride 8 entries longer when its width is a
// multiple of 64 — against gonum's NoTrans·NoTrans Dgemm (on Bᵀ for B
// transposed), bit for bit.
func TestGemmVectorCopiedB(t *testing.T) {
	gonumArithmetic(t)
	if vectorMul == nil {
		t.Skip("no vector kernels in this build or on this CPU")
	}
	rng := rand.New(rand.NewPCG(33, 34))
	var impl gonum.Implementation
	for _, s := range []struct{ m, n, k, ldb int }{
		{64, 256, 64, 256}, {70, 200, 65, 256}, {64, 64, 64, 512}, {63, 256, 64, 256}, {64, 128, 70, 128},
	} {
		for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			a := paddedRandom(rng, s.m, s.k, 5)
			rows, cols := s.k, s.n
			if tB == blas.Trans {
				rows, cols = s.n, s.k
			}
			ldb := max(s.ldb, cols)
			b := blas64.General{Rows: rows, Cols: cols, Stride: ldb, Data: make([]float64, (rows-1)*ldb+cols)}
			for i := range b.Data {
				b.Data[i] = rng.NormFloat64()
			}
			c := paddedRandom(rng, s.m, s.n, 7)
			want := append([]float64(nil), c.Data...)
			got := blas64.General{Rows: s.m, Cols: s.n, Stride: c.Stride, Data: append([]float64(nil), c.Data...)}
			// With B transposed the kernels run gonum's NoTrans·NoTrans
			// arithmetic on a copy of Bᵀ.
			bn := b
			if tB == blas.Trans {
				bn = blas64.General{Rows: s.k, Cols: s.n, Stride: s.n, Data: make([]float64, s.k*s.n)}
				for l := range s.k {
					for j := range s.n {
						bn.Data[l*s.n+j] = b.Data[j*b.Stride+l]
					}
				}
			}
			impl.Dgemm(blas.NoTrans, blas.NoTrans, s.m, s.n, s.k, 1.5, a.Data, a.Stride, bn.Data, bn.Stride, 0.5, want, c.Stride)
			var g Gemm
			g.Mul(blas.NoTrans, tB, 1.5, a, b, 0.5, got)
			for i := range want {
				if math.Float64bits(got.Data[i]) != math.Float64bits(want[i]) {
					t.Fatalf("%+v %c: c.Data[%d] = %v, gonum %v", s, tB, i, got.Data[i], want[i])
				}
			}
		}
	}
}
