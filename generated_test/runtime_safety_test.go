package generated

import (
	"math"
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

// TestLogsumexpExtremes checks logsumexp's gradient, the softmax, where
// exp(x − logsumexp(x)) rounds: at [1e17, 1e17] x − logsumexp(x) is 0 in
// float64 and that form gives [1, 1]. The softmax must come from
// max-shifted exponentials.
func TestLogsumexpExtremes(t *testing.T) {
	for _, test := range []struct {
		name string
		x    []float64
		f    float64 // 0: not checked (it rounds to x's largest entry anyway)
		want []float64
	}{
		{"1e17 twice", []float64{1e17, 1e17}, 1e17, []float64{0.5, 0.5}},
		{"1e300 twice", []float64{1e300, 1e300}, 1e300, []float64{0.5, 0.5}},
		{"-1e300 twice", []float64{-1e300, -1e300}, -1e300, []float64{0.5, 0.5}},
		{"1e17 four times", []float64{1e17, 1e17, 1e17, 1e17}, 1e17, []float64{0.25, 0.25, 0.25, 0.25}},
		{"mixed magnitudes", []float64{1e300, 0, -1e300}, 1e300, []float64{1, 0, 0}},
		{"mixed near 1e17", []float64{1e17, 1e17 + 64, 1e17}, 1e17 + 64, []float64{0, 1, 0}},
		{"mixed small and large", []float64{-1e300, 1, 1 + math.Log(3)}, 1 + math.Log(4), []float64{0, 0.25, 0.75}},
	} {
		x := mat.NewVecDense(len(test.x), test.x)
		dx := mat.NewVecDense(len(test.x), nil)
		f := OpLogsumexpGrad(x, dx)
		if math.Abs(f-test.f) > 1e-15*math.Abs(test.f) {
			t.Errorf("%s: logsumexp = %v, want %v", test.name, f, test.f)
		}
		X := mat.NewDense(1, len(test.x), test.x)
		dX := mat.NewDense(1, len(test.x), nil)
		OpLogsumexpMatrixGrad(X, dX)
		for i, w := range test.want {
			if got := dx.AtVec(i); math.Abs(got-w) > 1e-15 {
				t.Errorf("%s: ∂/∂x = %v, want %v", test.name, mat.Formatted(dx.T()), test.want)
				break
			}
			if got := dX.At(0, i); math.Abs(got-w) > 1e-15 {
				t.Errorf("%s: ∂/∂X = %v, want %v", test.name, mat.Formatted(dX), test.want)
				break
			}
		}
	}
}

// TestAliasScalarDestination checks a scalar gradient's *float64 against
// the inputs' elements: inside an input it panics, beside it (in the same
// array) it is written.
func TestAliasScalarDestination(t *testing.T) {
	big := mat.NewDense(3, 3, []float64{1, 2, 0, -1, 1, 0, 0.5, 0.5, 0})
	X := big.Slice(0, 3, 0, 2).(*mat.Dense)
	y, w := mat.NewVecDense(3, []float64{1, -1, 1}), mat.NewVecDense(2, []float64{0.3, -0.2})
	data := big.RawMatrix().Data
	dw := mat.NewVecDense(2, nil)
	want := LogRegGrad(X, y, w, 0.5, dw, new(float64))
	var wantDl float64
	LogRegGrad(X, y, w, 0.5, dw, &wantDl)
	if f := LogRegGrad(X, y, w, 0.5, dw, &data[5]); f != want || data[5] != wantDl {
		t.Errorf("dlambda in column 2 beside X: f = %v, dlambda = %v; want %v, %v", f, data[5], want, wantDl)
	}
	r := panicOf(func() { LogRegGrad(X, y, w, 0.5, dw, &data[4]) })
	if err, ok := r.(*runtime.AliasError); !ok || err.Error() != "LogRegGrad: gradient dlambda shares memory with input X" {
		t.Errorf("dlambda on X's entry (1, 1): panic %v, want an *runtime.AliasError", r)
	}
	r = panicOf(func() { LogRegGrad(X, y, w, 0.5, mat.NewVecDense(2, data[:2]), &data[4]) })
	if _, ok := r.(*runtime.AliasError); !ok {
		t.Errorf("dw on X's first row: panic %v, want an *runtime.AliasError", r)
	}
}

// TestAliasDestinations checks the destinations against each other: two
// gradients in disjoint parts of one matrix are both written, two that
// share an element panic with an *AliasError naming both.
func TestAliasDestinations(t *testing.T) {
	A := mat.NewDense(3, 3, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9})
	w := mat.NewVecDense(3, []float64{0.5, -1, 2})
	wantA, wantw := mat.NewDense(3, 3, nil), mat.NewVecDense(3, nil)
	wantF := DiagOfSumGrad(A, w, wantA, wantw)
	for _, test := range []struct {
		name   string
		dwCol  int    // column of big that dw is; dA is columns 0–2
		panics string // the AliasError's message; empty for none
	}{
		{name: "dw beside dA", dwCol: 3},
		{name: "dw a column of dA", dwCol: 2, panics: "DiagOfSumGrad: gradients dA and dw share memory"},
		{name: "dw dA's first column", dwCol: 0, panics: "DiagOfSumGrad: gradients dA and dw share memory"},
	} {
		big := mat.NewDense(3, 5, nil)
		dA, dw := big.Slice(0, 3, 0, 3).(*mat.Dense), big.ColView(test.dwCol).(*mat.VecDense)
		var f float64
		r := panicOf(func() { f = DiagOfSumGrad(A, w, dA, dw) })
		if test.panics != "" {
			if err, ok := r.(*runtime.AliasError); !ok || err.Error() != test.panics {
				t.Errorf("%s: panic %v, want %q", test.name, r, test.panics)
			}
			continue
		}
		if r != nil {
			t.Errorf("%s: unexpected panic %v", test.name, r)
			continue
		}
		if f != wantF || !mat.Equal(dA, wantA) || !mat.Equal(dw, wantw) {
			t.Errorf("%s: f = %v, dA = %v, dw = %v; want %v, %v, %v", test.name, f, mat.Formatted(dA), mat.Formatted(dw.T()), wantF, mat.Formatted(wantA), mat.Formatted(wantw.T()))
		}
	}
}
