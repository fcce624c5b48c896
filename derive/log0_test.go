package derive

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestPowerDerivativeInExponentAtZero checks that the derivatives of
// sum(X .^ c) in c, by reverse mode (the gradient) and by forward mode (the
// first and second derivatives), count an entry x = 0 of X as 0, the limit
// of x^c·log x for c > 0 (what PyTorch gives), not as 0·(−∞) = NaN; and
// that they are Σ x^c log x and Σ x^c log² x over the other entries.
func TestPowerDerivativeInExponentAtZero(t *testing.T) {
	fn := buildOne(t, `functions:
  - {name: F, inputs: {c: scalar, X: "matrix(n, n)"}, expr: "sum(X .^ c)", wrt: [c], order: 2}
`)
	x := []float64{0, 0.5, 0.25, 1}
	const c = 0.7
	var first, second float64
	for _, v := range x[1:] {
		first += math.Pow(v, c) * math.Log(v)
		second += math.Pow(v, c) * math.Log(v) * math.Log(v)
	}
	ev := NewEvaluator(map[string]*mat.Dense{"c": mat.NewDense(1, 1, []float64{c}), "X": mat.NewDense(2, 2, x)}, map[string]int{"n": 2})
	for _, tt := range []struct {
		name string
		node *Node
		want float64
	}{
		{"gradient", fn.Grads[0], first},
		{"first derivative", fn.Derivs[0], first},
		{"second derivative", fn.Derivs[1], second},
	} {
		if got := ev.Eval(tt.node).At(0, 0); !(math.Abs(got-tt.want) <= 1e-14) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
