package emit

import (
	"fmt"
	"strings"
	"testing"
)

// letChain is n lets l_k = sin(l_{k−1}) .* l_{k−1}: each let doubles the
// tree of the gradient (and of its Hessian), never its DAG.
func letChain(n int, hessian bool) string {
	var b strings.Builder
	b.WriteString("functions:\n  - name: L\n    inputs: {x: vector(n)}\n")
	if hessian {
		b.WriteString("    hessian: true\n")
	}
	b.WriteString("    let:\n      l0: x\n")
	for k := 1; k <= n; k++ {
		fmt.Fprintf(&b, "      l%d: sin(l%d) .* l%d\n", k, k-1, k-1)
	}
	fmt.Fprintf(&b, "    expr: sum(l%d)\n", n)
	return b.String()
}

// curve is f(t) with order derivatives.
func curve(expr string, order int) string {
	return fmt.Sprintf("functions:\n  - {name: C, inputs: {t: scalar, A: \"matrix(n, n)\", B: \"matrix(n, n)\"}, wrt: [t], order: %d, expr: %q}\n", order, expr)
}

// nested is depth applications of f around x.
func nested(f, x string, depth int) string {
	for range depth {
		x = f + "(" + x + ")"
	}
	return x
}

// nestedInv is b' (inv(inv(⋯) + A) + A) b, depth inverses deep, with its
// Hessian.
func nestedInv(depth int) string {
	e := "X"
	for range depth {
		e = "inv(" + e + ") + A"
	}
	return fmt.Sprintf("functions:\n  - {name: V, inputs: {X: \"matrix(n, n)\", A: \"matrix(n, n)\", b: vector(n)}, wrt: [b, X], hessian: true, expr: \"b' * (%s) * b\"}\n", e)
}

// manyInputs is a function of n vector inputs x0…xn-1 of one size: FGrad's
// alias check compares n destinations with n inputs (one call, not n²),
// and FUnpack's offsets are k*m (not m+m+…+m).
func manyInputs(n int) string {
	inputs, terms := make([]string, n), make([]string, n)
	for k := range n {
		inputs[k] = fmt.Sprintf("x%d: vector(m)", k)
		terms[k] = fmt.Sprintf("sum(x%d)", k)
	}
	return fmt.Sprintf("functions:\n  - {name: Many, inputs: {%s}, expr: \"%s\"}\n", strings.Join(inputs, ", "), strings.Join(terms, " + "))
}

// budgetCases are issue 11's generation blow-ups, each at two sizes: the
// output must grow polynomially (bounded by grows times) from the small
// to the large one and stay under limit bytes.
var budgetCases = []struct {
	name         string
	small, large string
	grows        float64
	limit        int
}{
	{"lets", letChain(10, false), letChain(25, false), 3.5, 100 << 10},
	{"lets hessian", letChain(10, true), letChain(25, true), 3.5, 300 << 10},
	{"product of sines order", curve("sin(t) * sin(2 * t) * sin(3 * t) * sin(4 * t) * sin(5 * t)", 5), curve("sin(t) * sin(2 * t) * sin(3 * t) * sin(4 * t) * sin(5 * t)", 10), 6, 400 << 10},
	{"nested sines order", curve(nested("sin", "t", 5), 5), curve(nested("sin", "t", 5), 10), 6, 400 << 10},
	{"nested sines depth", curve(nested("sin", "t", 5), 10), curve(nested("sin", "t", 10), 10), 3, 600 << 10},
	{"matrix path order", curve("inv(inv(A + t * B) + t * B) + exp(sin(t * A) .* (A * sin(t * B)))", 5), curve("inv(inv(A + t * B) + t * B) + exp(sin(t * A) .* (A * sin(t * B)))", 10), 6, 1 << 20},
	{"nested inv hessian", nestedInv(10), nestedInv(30), 4, 400 << 10},
	{"many inputs", manyInputs(50), manyInputs(200), 5, 256 << 10},
}

// TestGenerationBudget checks that the generated code of each budget case
// grows polynomially with the spec: no doubling per let, per order or per
// nesting level (shared subexpressions, Taylor mode, bounded printing).
// Bytes stand for time and memory here; BenchmarkGenerationBudget
// measures those.
func TestGenerationBudget(t *testing.T) {
	for _, c := range budgetCases {
		t.Run(c.name, func(t *testing.T) {
			small, large := len(generate(t, c.small)), len(generate(t, c.large))
			t.Logf("%d bytes, then %d", small, large)
			if growth := float64(large) / float64(small); growth > c.grows {
				t.Errorf("output grows %.1f× from the small spec (%d bytes) to the large (%d bytes), want ≤ %.1f×", growth, small, large, c.grows)
			}
			if large > c.limit {
				t.Errorf("large spec: %d bytes of Go, want ≤ %d", large, c.limit)
			}
		})
	}
}

// BenchmarkGenerationBudget measures the time and memory of generating
// each budget case's large spec (issue 11: each under 2 s and 500 MB).
func BenchmarkGenerationBudget(b *testing.B) {
	for _, c := range budgetCases {
		b.Run(strings.ReplaceAll(c.name, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				generate(b, c.large)
			}
		})
	}
}
