package openblas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// TestNarrowDgemm checks narrow products, cut into blocks on the team,
// against gonum's Dgemm in every orientation, with C's long side m or n,
// a short last block, strides wider than the rows, and α, β ≠ 0, 1.
func TestNarrowDgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	fill := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		return x
	}
	for _, s := range []struct{ m, n, k int }{
		{1024, 10, 256}, {256, 10, 1024}, {1024, 256, 10}, {10, 1000, 300}, {333, 7, 2000}, {5000, 3, 20},
	} {
		blocks, rows := narrowBlocks(s.m, s.n, s.k)
		if blocks < 2 || rows*min(s.m, s.n)*s.k >= openBLASThreads {
			t.Fatalf("%v: %d blocks of %d rows, want several, each below OpenBLAS's threads", s, blocks, rows)
		}
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				ar, ac := s.m, s.k
				if tA == blas.Trans {
					ar, ac = ac, ar
				}
				br, bc := s.k, s.n
				if tB == blas.Trans {
					br, bc = bc, br
				}
				lda, ldb, ldc := ac+3, bc+1, s.n+2
				a, b, c := fill(ar*lda), fill(br*ldb), fill(s.m*ldc)
				want := append([]float64(nil), c...)
				pure.Dgemm(tA, tB, s.m, s.n, s.k, 1.5, a, lda, b, ldb, -0.5, want, ldc)
				blas64.Implementation().Dgemm(tA, tB, s.m, s.n, s.k, 1.5, a, lda, b, ldb, -0.5, c, ldc)
				for i := range c {
					if d := math.Abs(c[i] - want[i]); d > 1e-12*float64(s.k)*(1+math.Abs(want[i])) || d != d {
						t.Fatalf("%v %v%v: c[%d] = %v, want %v", s, tA, tB, i, c[i], want[i])
					}
				}
			}
		}
	}
	for _, s := range [][3]int{{1024, 1024, 1024}, {64, 10, 256}, {256, 256, 33}, {100000, 40, 40}, {4096, 16, 4096}} {
		if blocks, _ := narrowBlocks(s[0], s[1], s[2]); blocks != 0 {
			t.Errorf("narrowBlocks%v = %d blocks, want none", s, blocks)
		}
	}
}

// TestNarrowDgemmAllocatesNothing checks the blocks run without allocating.
func TestNarrowDgemmAllocatesNothing(t *testing.T) {
	a, b, c := make([]float64, 1024*256), make([]float64, 256*10), make([]float64, 1024*10)
	mul := func() {
		blas64.Implementation().Dgemm(blas.NoTrans, blas.NoTrans, 1024, 10, 256, 1, a, 256, b, 10, 0, c, 10)
	}
	mul()
	if n := testing.AllocsPerRun(20, mul); n != 0 {
		t.Errorf("%v allocations per narrow product", n)
	}
}

// BenchmarkNarrow times the narrow products of an MLP's output layer (and
// a square one that is not narrow) through the backend, cut into blocks
// (impl=blocks), against one OpenBLAS call (impl=openblas).
func BenchmarkNarrow(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range []struct {
		name    string
		tA, tB  blas.Transpose
		m, n, k int
	}{
		{"HW", blas.NoTrans, blas.NoTrans, 1024, 10, 256},
		{"HtR", blas.Trans, blas.NoTrans, 256, 10, 1024},
		{"RWt", blas.NoTrans, blas.Trans, 1024, 256, 10},
		{"wide", blas.NoTrans, blas.NoTrans, 10, 4096, 256},
	} {
		ar, ac := s.m, s.k
		if s.tA == blas.Trans {
			ar, ac = ac, ar
		}
		br, bc := s.k, s.n
		if s.tB == blas.Trans {
			br, bc = bc, br
		}
		x := make([]float64, ar*ac+br*bc+s.m*s.n)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		a, bb, c := x[:ar*ac], x[ar*ac:ar*ac+br*bc], x[ar*ac+br*bc:]
		impl := blas64.Implementation().(openBLAS)
		for _, name := range []string{"blocks", "openblas"} {
			b.Run(fmt.Sprintf("%s/impl=%s", s.name, name), func(b *testing.B) {
				for b.Loop() {
					if name == "blocks" {
						impl.Dgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, ac, bb, bc, 0, c, s.n)
					} else {
						impl.Implementation.Dgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, ac, bb, bc, 0, c, s.n)
					}
				}
			})
		}
	}
}
