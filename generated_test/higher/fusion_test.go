package higher

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestFusionSubSumFormula checks FusionSubSum against x − (Σ y) 1 by hand:
// its JVP and Jacobian agree with differences of F even when every entry
// reads a partial sum, so only a value check catches that.
func TestFusionSubSumFormula(t *testing.T) {
	for _, set := range shapeSets {
		f := newFactory(seedFor("fusion-subsum", set, 0), false)
		in := newFusionIn(f, set)
		got := mat.NewVecDense(in.n, nil)
		FusionSubSum(in.x, in.y, got)
		total := mat.Sum(in.y)
		want := make([]float64, in.n)
		for i := range want {
			want[i] = in.x.AtVec(i) - total
		}
		checkClose(t, fmt.Sprintf("set %d: FusionSubSum vs x - sum(y)", set), flat(got), want, roundTol)
	}
}
