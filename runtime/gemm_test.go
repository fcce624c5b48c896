package runtime

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// TestGemm checks Gemm.Mul against gonum/mat in every orientation, for
// wide, square and narrow outputs (the reoriented paths), with alpha and
// beta, and that steady-state calls allocate nothing.
func TestGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	random := func(r, c int) *mat.Dense {
		m := mat.NewDense(r, c, nil)
		for i := range m.RawMatrix().Data {
			m.RawMatrix().Data[i] = rng.NormFloat64()
		}
		return m
	}
	var g Gemm
	for _, s := range [][3]int{{3, 4, 5}, {40, 30, 4}, {50, 7, 1}, {5, 60, 40}, {33, 20, 33}, {64, 64, 32}} {
		m, k, n := s[0], s[1], s[2]
		for _, ta := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tb := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				t.Run(fmt.Sprintf("%dx%dx%d/%c%c", m, k, n, ta, tb), func(t *testing.T) {
					a, b := random(m, k), random(k, n)
					sa, sb := a, b
					if ta == blas.Trans {
						sa = mat.DenseCopyOf(a.T())
					}
					if tb == blas.Trans {
						sb = mat.DenseCopyOf(b.T())
					}
					c := random(m, n)
					var want, ab mat.Dense
					ab.Mul(a, b)
					want.Scale(-0.5, c)
					ab.Scale(2, &ab)
					want.Add(&want, &ab)
					g.Mul(ta, tb, 2, sa.RawMatrix(), sb.RawMatrix(), -0.5, c.RawMatrix())
					if !mat.EqualApprox(c, &want, 1e-12) {
						t.Errorf("got\n%v\nwant\n%v", mat.Formatted(c), mat.Formatted(&want))
					}
					if allocs := testing.AllocsPerRun(5, func() {
						g.Mul(ta, tb, 1, sa.RawMatrix(), sb.RawMatrix(), 0, c.RawMatrix())
					}); allocs != 0 {
						t.Errorf("%v allocs in steady state", allocs)
					}
				})
			}
		}
	}
}

// BenchmarkGemm compares Gemm.Mul with a direct blas64.Gemm on the narrow
// shapes it reorients (B4 with p = 8, B7's o = 10) and on a square one it
// leaves alone.
func BenchmarkGemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 3))
	random := func(r, c int) blas64.General {
		g := blas64.General{Rows: r, Cols: c, Stride: c, Data: make([]float64, r*c)}
		for i := range g.Data {
			g.Data[i] = rng.NormFloat64()
		}
		return g
	}
	var g Gemm
	for _, s := range [][3]int{{512, 512, 8}, {1024, 256, 10}, {32, 32, 4}, {256, 256, 256}} {
		m, k, n := s[0], s[1], s[2]
		a, at, bm, c := random(m, k), random(k, m), random(k, n), random(m, n)
		for _, ta := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			a := a
			if ta == blas.Trans {
				a = at
			}
			name := fmt.Sprintf("%dx%dx%d/%cN", m, k, n, ta)
			b.Run("blas64/"+name, func(b *testing.B) {
				for b.Loop() {
					blas64.Gemm(ta, blas.NoTrans, 1, a, bm, 0, c)
				}
			})
			b.Run("runtime/"+name, func(b *testing.B) {
				for b.Loop() {
					g.Mul(ta, blas.NoTrans, 1, a, bm, 0, c)
				}
			})
		}
	}
}
