package openblas

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/gradgen/gradgen/runtime"
)

// TestChainGramPairOnOpenBLAS runs runtime.Chain on a chain holding a
// matrix beside its own transpose, A M Mᵀ B and Mᵀ M, with OpenBLAS
// installed, where Chain forms the pair by Syrk on one triangle (cut into
// blocks on the team from 128 on): the products agree with gonum's Dgemm,
// left to right, to rounding, and the pair alone is exactly symmetric.
func TestChainGramPairOnOpenBLAS(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var pure gonum.Implementation
	general := func(r, c int) blas64.General {
		return blas64.General{Rows: r, Cols: c, Stride: c, Data: fill(rng, r*c)}
	}
	var chain runtime.Chain
	for _, n := range []int{40, 200} { // M Mᵀ and Mᵀ M above runtime's gramMin
		p, m, q := n+3, n/2+1, 5
		a, mm, b := general(m, n), general(n, p), general(n, q)
		// want = A (M (Mᵀ B)), right to left.
		mtb := make([]float64, p*q)
		pure.Dgemm(blas.Trans, blas.NoTrans, p, q, n, 1, mm.Data, p, b.Data, q, 0, mtb, q)
		mmtb := make([]float64, n*q)
		pure.Dgemm(blas.NoTrans, blas.NoTrans, n, q, p, 1, mm.Data, p, mtb, q, 0, mmtb, q)
		want := make([]float64, m*q)
		pure.Dgemm(blas.NoTrans, blas.NoTrans, m, q, n, 2, a.Data, n, mmtb, q, 0, want, q)
		got := general(m, q)
		chain.MulTo(got, 2, 0, []blas64.General{a, mm, mm, b}, []bool{false, false, true, false})
		checkClose(t, "A M Mᵀ B", got.Data, want, 1e-12*float64(n))

		// Mᵀ M, p×p.
		gram := make([]float64, p*p)
		pure.Dgemm(blas.Trans, blas.NoTrans, p, p, n, 1, mm.Data, p, mm.Data, p, 0, gram, p)
		sym := general(p, p)
		chain.MulTo(sym, 1, 0, []blas64.General{mm, mm}, []bool{true, false})
		checkClose(t, "Mᵀ M", sym.Data, gram, 1e-12*float64(n))
		for i := 0; i < p; i++ {
			for j := 0; j < i; j++ {
				if sym.Data[i*p+j] != sym.Data[j*p+i] {
					t.Fatalf("n=%d: Mᵀ M entry (%d, %d) = %v, (%d, %d) = %v: not symmetric", n, i, j, sym.Data[i*p+j], j, i, sym.Data[j*p+i])
				}
			}
		}
	}
}
