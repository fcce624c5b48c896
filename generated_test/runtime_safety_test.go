package generated

import (
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gradgen/gradgen/runtime"
)

// panicOf returns what f panics with, or nil.
func panicOf(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

// TestAliasViews checks that views of one matrix that address disjoint
// elements may be an input and a destination, and that views sharing an
// element still panic with an *AliasError.
func TestAliasViews(t *testing.T) {
	a := mat.NewVecDense(3, []float64{1, 2, 3})
	b := mat.NewVecDense(3, []float64{4, 5, 6})
	big := mat.NewDense(4, 7, nil)
	for i := range 3 {
		for j := range 3 {
			big.Set(i, j, float64(1+i+2*j))
		}
	}
	view := func(i, k, j, l int) *mat.Dense { return big.Slice(i, k, j, l).(*mat.Dense) }
	for _, test := range []struct {
		name  string
		X, dX *mat.Dense
		alias bool
	}{
		{name: "columns 0-2 and 3-5", X: view(0, 3, 0, 3), dX: view(0, 3, 3, 6)},
		{name: "columns 0-2 and 4-6", X: view(0, 3, 0, 3), dX: view(0, 3, 4, 7)},
		{name: "diagonal blocks", X: view(0, 3, 0, 3), dX: view(1, 4, 3, 6)},
		{name: "column 2 shared", X: view(0, 3, 0, 3), dX: view(0, 3, 2, 5), alias: true},
		{name: "two elements shared", X: view(0, 3, 0, 3), dX: view(1, 4, 2, 5), alias: true},
		{name: "same view", X: view(0, 3, 0, 3), dX: view(0, 3, 0, 3), alias: true},
	} {
		want := mat.NewDense(3, 3, nil)
		want.Outer(1, a, b)
		wantF := mat.Inner(a, test.X, b)
		var f float64
		r := panicOf(func() { f = BilinearGrad(a, test.X, b, test.dX) })
		if test.alias {
			if _, ok := r.(*runtime.AliasError); !ok {
				t.Errorf("%s: panic %v, want an *runtime.AliasError", test.name, r)
			}
			continue
		}
		if r != nil {
			t.Errorf("%s: unexpected panic %v", test.name, r)
			continue
		}
		if f != wantF || !mat.Equal(test.dX, want) {
			t.Errorf("%s: f = %v, dX = %v; want %v, %v", test.name, f, mat.Formatted(test.dX), wantF, mat.Formatted(want))
		}
	}
}
