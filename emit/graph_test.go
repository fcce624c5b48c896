package emit

import (
	"strings"
	"testing"

	"github.com/gradgen/gradgen/derive"
)

// sandwichSpec is tr(Bᵀ Xᵀ C X B), a palindrome whose half X B lowering
// forms once.
const sandwichSpec = `package: p
functions:
  - name: Sandwich
    inputs:
      B: matrix(n, p)
      X: matrix(m, n)
      C: matrix(m, m)
    expr: tr(B' * X' * C * X * B)
    wrt: [X]
`

// TestCheckGraphKept breaks the rule that lowering adds no node to the
// derived graph and sees the internal error.
func TestCheckGraphKept(t *testing.T) {
	g := derive.NewGraph()
	g.Var("x", derive.Col(derive.Dim{Name: "n"}), false)
	before := g.Len()
	if err := checkGraphKept("F", g, before); err != nil {
		t.Fatalf("an unchanged graph: %v", err)
	}
	g.Var("y", derive.Col(derive.Dim{Name: "n"}), false)
	err := checkGraphKept("F", g, before)
	want := "emit: internal error: the plan of F breaks the rule that lowering adds no node to the derived graph: it added 1"
	if err == nil || err.Error() != want {
		t.Errorf("a graph with a node added: got %v, want %q", err, want)
	}
}

// TestLoweringKeepsGraph generates every role of functions whose lowering
// forms products of its own (palindromes, stored runs reused transposed,
// traces of products, Hessian and Jacobian sides, dot products summed from
// a Hadamard product, sums split around their products) and checks that
// the derived graph has the same nodes after as before.
func TestLoweringKeepsGraph(t *testing.T) {
	src := sandwichSpec + `  - name: SandwichSPD
    inputs:
      R: matrix(n, k)
      S: spd(n)
    expr: sum(R' * S * R) + tr(R' * S * R * R' * R)
    wrt: [R]
  - name: Reused
    inputs:
      X: matrix(m, n)
      B: matrix(n, n)
      y: vector(m)
    expr: sum(X * B) + y' * X * B * B' * X' * y
    wrt: [X, B]
  - name: ExpMix
    inputs:
      a: vector(m)
      X: matrix(m, n)
      b: vector(n)
    expr: a' * exp(X * b) + sum(a .* exp(X * b))
    wrt: [X, b]
    hessian: true
  - name: Jac
    inputs:
      A: matrix(m, n)
      X: matrix(n, n)
      B: matrix(n, k)
    expr: A * X * B + A * X' * B
    wrt: [X]
  - name: Logistic
    inputs:
      X: matrix(n, d)
      y: vector(n)
      w: vector(d)
      lambda: scalar
    expr: sum(softplus(-(y .* (X * w)))) + lambda * w' * w
    wrt: [w]
    hessian: true
`
	fns := buildSpec(t, src)
	before := make([]int, len(fns))
	for k, fn := range fns {
		before[k] = fn.Graph.Len()
	}
	if _, err := Generate(fns, Options{Package: "p"}); err != nil {
		t.Fatal(err)
	}
	for k, fn := range fns {
		if got := fn.Graph.Len(); got != before[k] {
			t.Errorf("%s: lowering grew the derived graph from %d to %d nodes", fn.Spec.Name, before[k], got)
		}
	}
}

// TestChainPartials checks that a palindrome's half is formed once,
// named after its factors, and the rest of the trace's chain formed from
// it: tr(Bᵀ Xᵀ C X B) = Σ (X B) ⊙ (C X B).
func TestChainPartials(t *testing.T) {
	code, err := Generate(buildSpec(t, sandwichSpec), Options{Package: "p"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(code)
	for _, want := range []string{"// XB = X B", "XB := runtime.Mat(&ws.XB", "// CXB = C X B", "fPart += XBRow[j] * CXBRow[j]"} {
		if !strings.Contains(s, want) {
			t.Errorf("generated code lacks %q", want)
		}
	}
	if n := strings.Count(s, "ws.gemm.Mul(blas.NoTrans, blas.NoTrans, 1, XRaw, BRaw"); n != 1 { // F; FGrad goes by runtime.Chain
		t.Errorf("X B formed %d times, want once", n)
	}
}
