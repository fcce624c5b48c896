package derive

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestPowerDerivativeInExponentAtZero checks that the derivatives of
// sum(X .^ c) in c, by reverse mode (the gradient) and by forward mode (the
// second derivative), count an entry x = 0 of X as 0, the limit of x^c·log x
// for c > 0 (what PyTorch gives), not as 0·(−∞) = NaN; and that they are
// Σ x^c log x and Σ x^c log² x over the other entries.
func TestPowerDerivativeInExponentAtZero(t *testing.T) {
	for _, tt := range []struct {
		name string
		grad func(fn *Function) *Node
	}{
		{"gradient", func(fn *Function) *Node { return fn.Grads[0] }},
		{"first derivative", func(fn *Function) *Node { return fn.Derivs[0] }},
	} {
		fn := buildOne(t, `functions:
  - {name: F, inputs: {c: scalar, X: "matrix(n, n)"}, expr: "sum(X .^ c)", wrt: [c], order: 2}
`)
		x := []float64{0, 0.5, 0.25, 1}
		const c = 0.7
		inputs := map[string]*mat.Dense{"c": mat.NewDense(1, 1, []float64{c}), "X": mat.NewDense(2, 2, x)}
		ev := NewEvaluator(inputs, map[string]int{"n": 2})
		var want1, want2 float64
		for _, v := range x[1:] {
			want1 += math.Pow(v, c) * math.Log(v)
			want2 += math.Pow(v, c) * math.Log(v) * math.Log(v)
		}
		if got := ev.Eval(tt.grad(fn)).At(0, 0); !(math.Abs(got-want1) <= 1e-14) {
			t.Errorf("%s: %v, want %v", tt.name, got, want1)
		}
		if got := ev.Eval(fn.Derivs[1]).At(0, 0); !(math.Abs(got-want2) <= 1e-14) {
			t.Errorf("second derivative: %v, want %v", got, want2)
		}
	}
}
