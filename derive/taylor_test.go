package derive

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestTaylorMatchesRepeatedDifferentiation checks Graph.Derivatives
// (Taylor mode) against differentiating the previous derivative's
// expression again with Tangent, both evaluated by the reference evaluator,
// for curves through every kind of operator.
func TestTaylorMatchesRepeatedDifferentiation(t *testing.T) {
	exprs := []string{
		"sin(t) * cos(2 * t) * exp(t / 3)",
		"sin(sin(sin(t)))",
		"log(2 + t^2) ./ (1 + exp(t))",
		"tanh(t * A) .* (A * sigmoid(t * B))",
		"inv(A + t * B) * inv(P + t * S)",
		"det(P + t * S) + logdet(P + t * S) * tr(inv(P + t * S) * B)",
		"sum(softplus(t * x)) + norm2(x + t * x .* x) + logsumexp(t * x)",
		"sqrt(exp(P) + t^2 * eye(n)) .^ 1.5",
		"(A + t * B)' * diag(diag(A) * t) * x * x'",
		"arctan(t * x) ./ (2 + cos(t * x)) + t^3 * x",
	}
	inputs := map[string]string{"t": "scalar", "A": "matrix(n, n)", "B": "matrix(n, n)", "P": "spd(n)", "S": "symmetric(n)", "x": "vector(n)"}
	const order = 6
	for _, expr := range exprs {
		t.Run(expr, func(t *testing.T) {
			src := "functions:\n  - name: F\n    inputs: {"
			first := true
			for name, typ := range inputs {
				if !first {
					src += ", "
				}
				first = false
				src += name + ": \"" + typ + "\""
			}
			src += "}\n    expr: \"" + expr + "\"\n    wrt: [t]\n    order: " + strconv.Itoa(order) + "\n"
			fn := buildOne(t, src)
			g := fn.Graph
			tn := fn.Wrt[0].Node
			var repeated []*Node
			prev := fn.Value
			for range order {
				prev = g.Tangent(prev, map[*Node]*Node{tn: g.Const(1)})
				repeated = append(repeated, prev)
			}
			dims := map[string]int{"n": 3}
			ev := NewEvaluator(randomPoint(fn, dims, rand.New(rand.NewPCG(1, 2))), dims)
			for k := range order {
				got, want := evalOrZero(ev, fn.Derivs[k], fn.Value), evalOrZero(ev, repeated[k], fn.Value)
				if repeated[k] != nil && fn.Derivs[k] == nil {
					t.Logf("d^%df/dt^%d is zero in Taylor mode", k+1, k+1)
				}
				for i := range want {
					if d := math.Abs(got[i] - want[i]); !(d <= 1e-9*(1+math.Abs(want[i]))) {
						t.Fatalf("d^%df/dt^%d entry %d: Taylor mode %g, repeated differentiation %g", k+1, k+1, i, got[i], want[i])
					}
				}
			}
		})
	}
}

// evalOrZero evaluates n, or a zero of like's shape for a nil n, as a flat
// slice.
func evalOrZero(ev *Evaluator, n, like *Node) []float64 {
	if n == nil {
		m := ev.Eval(like)
		r, c := m.Dims()
		return make([]float64, r*c)
	}
	m := ev.Eval(n)
	r, c := m.Dims()
	out := make([]float64, 0, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out = append(out, m.At(i, j))
		}
	}
	return out
}
