package derive

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"
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
		"det(A + t * B' + t^2 * P) * exp(t) + det(sin(t * A))",
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

// TestDetTaylorRule checks det's Taylor rule: orders 1 and 2 by the
// cofactor, every later order one dkdet node of det's argument and its
// derivatives up to the last nonzero one, whose reference value is the
// closed form (det(A + t B) is a polynomial of degree n in t: its n-th
// derivative is n!·det(B), the later ones 0).
func TestDetTaylorRule(t *testing.T) {
	fn := buildOne(t, "functions:\n  - name: F\n    inputs: {t: scalar, A: \"matrix(n, n)\", B: \"matrix(n, n)\"}\n    expr: \"det(A + t * B)\"\n    wrt: [t]\n    order: 5\n")
	for k, d := range fn.Derivs {
		if got := d != nil && d.Op == OpDetTaylor; got != (k+1 >= 3) {
			t.Fatalf("d^%d det: %s, want a dkdet node exactly from order 3", k+1, Format(d, Plain, nil))
		}
	}
	d3 := fn.Derivs[2]
	if len(d3.Args) != 2 || d3.Value != 3 {
		t.Fatalf("d³ det(A + t B) = %s: want dkdet of A + t B and B, k = 3", Format(d3, Plain, nil))
	}
	if got, want := Format(d3, Plain, nil), "d³/ds³ det(A + t B + s B)|s=0"; got != want {
		t.Errorf("prints %q, want %q", got, want)
	}
	A := mat.NewDense(2, 2, []float64{1e-5, 3, 0, 1e-5})
	B := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	ev := NewEvaluator(map[string]*mat.Dense{"t": mat.NewDense(1, 1, []float64{0}), "A": A, "B": B}, map[string]int{"n": 2})
	// det(A + t B) = (1e-5 + t)(1e-5 + 4t) − (3 + 2t)(3t) = 1e-10 − 8.99995 t − 2 t².
	// (The second derivative's reference, d cof's textbook formula through
	// A⁻¹, is off by 2e-4 at this A; the generated code's, from the SVD,
	// is not: generated_test/higher/singular_test.go.)
	for k, want := range map[int]float64{1: -8.99995, 3: 0, 4: 0} {
		var got float64
		if d := fn.Derivs[k-1]; d != nil {
			got = ev.Eval(d).At(0, 0)
		}
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("d^%d det(A + t B) at t = 0: reference %g, want %g", k, got, want)
		}
	}
}
