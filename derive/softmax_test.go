package derive

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/gradgen/gradgen/runtime"
)

// TestLogSumExpDerivatives checks logsumexp's derivative rules where
// exp(x − logsumexp(x)) rounds (x − logsumexp(x) is 0 in float64 at
// [1e17, 1e17]): the reference evaluation of the gradient and of the
// Hessian-vector product, both built from the softmax node, against their
// closed forms s and s ⊙ (v − sᵀv), and the reference softmax against
// runtime.SoftmaxTo, which generated code calls.
func TestLogSumExpDerivatives(t *testing.T) {
	g := NewGraph()
	x := g.Var("x", Col(Dim{Name: "n"}), false)
	v := g.Var("v", Col(Dim{Name: "n"}), false)
	f := g.Unary(OpLogSumExp, x)
	grad := g.Grad(f, []*Node{x})[0]
	hvp := g.Tangent(grad, map[*Node]*Node{x: v})
	for _, test := range []struct {
		name string
		x, v []float64
		s    []float64 // softmax(x)
	}{
		{"1e17", []float64{1e17, 1e17, 1e17}, []float64{1, 0, 0}, []float64{1. / 3, 1. / 3, 1. / 3}},
		{"1e300", []float64{1e300, 1e300}, []float64{1, -1}, []float64{0.5, 0.5}},
		{"-1e300", []float64{-1e300, -1e300}, []float64{2, 0}, []float64{0.5, 0.5}},
		{"mixed", []float64{1e300, 0, -1e300}, []float64{1, 2, 3}, []float64{1, 0, 0}},
		{"ordinary", []float64{0, math.Log(3)}, []float64{1, 0}, []float64{0.25, 0.75}},
	} {
		n := len(test.x)
		ev := NewEvaluator(map[string]*mat.Dense{
			"x": mat.NewDense(n, 1, test.x), "v": mat.NewDense(n, 1, test.v),
		}, map[string]int{"n": n})
		sv := 0.0
		for i := range n {
			sv += test.s[i] * test.v[i]
		}
		gotGrad, gotHVP := ev.Eval(grad), ev.Eval(hvp)
		kernel := make([]float64, n)
		runtime.SoftmaxTo(blas64.General{Rows: n, Cols: 1, Stride: 1, Data: kernel},
			blas64.General{Rows: n, Cols: 1, Stride: 1, Data: test.x})
		for i := range n {
			wantHVP := test.s[i] * (test.v[i] - sv)
			if math.Abs(gotGrad.At(i, 0)-test.s[i]) > 1e-15 || math.Abs(kernel[i]-test.s[i]) > 1e-15 {
				t.Errorf("%s: softmax entry %d: reference %v, runtime %v, want %v", test.name, i, gotGrad.At(i, 0), kernel[i], test.s[i])
			}
			if math.Abs(gotHVP.At(i, 0)-wantHVP) > 1e-15 {
				t.Errorf("%s: HVP entry %d = %v, want %v", test.name, i, gotHVP.At(i, 0), wantHVP)
			}
		}
	}
}
