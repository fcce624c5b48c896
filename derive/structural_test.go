package derive

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gradgen/gradgen/spec"
)

// TestEveryStructuralOpHasScalarRule checks the operator table: every
// reduction, factorisation and layout operator (but broadcast, transpose,
// dcofactor and dkdet, whose constructors are Broadcast, T,
// CofactorDerivative and DetTaylor) is built by
// Graph.Unary and says what it is at a scalar, so none is ever built of
// a scalar.
func TestEveryStructuralOpHasScalarRule(t *testing.T) {
	for _, op := range Ops {
		structural := op.Kind == KindReduce || op.Kind == KindLinalg || op.Kind == KindLayout || op.Kind == KindKernel
		if !structural || op == OpBroadcast || op == OpTranspose || op == OpCofactorDeriv || op == OpDetTaylor {
			continue
		}
		if op.shapeOf == nil || op.ofScalar == nil {
			t.Errorf("%s lacks a shape rule or a scalar rule", op.Name)
		}
	}
}

// buildExpr builds expr over inputs, with wrt every input; it fails the
// test on an error.
func buildExpr(t *testing.T, inputs, expr string) *Function {
	t.Helper()
	src := "functions:\n  - name: F\n    inputs:" + inputs + "\n    expr: \"" + expr + "\"\n"
	file, err := spec.Load("t.yaml", []byte(src))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	fns, err := Build(file)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return fns[0]
}

// TestStructuralOfScalar checks that reductions and factorisations of a
// scalar become scalar expressions (no later phase sees norm2 of a
// scalar), with the right derivatives.
func TestStructuralOfScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, expr := range []string{
		"norm2(s)",
		"norm2(-s)",
		"logsumexp(a' * a)",
		"logsumexp(s) * sum(s) * tr(s)",
		"det(s) + logdet(s) + inv(s)",
		"norm2(a' * b) + logsumexp(s * (a' * b))",
	} {
		fn := buildExpr(t, randomInputs, expr)
		for _, n := range Postorder(fn.Value) {
			if n.Op.shapeOf != nil && n.Args[0].Shape.IsScalar() {
				t.Errorf("%s: %s of a scalar survives: %s", expr, n.Op.Name, Format(n, Plain, nil))
			}
		}
		checkAgainstFiniteDifferences(t, expr, fn, rng)
	}
}

// TestInnerProductsLeaveChains checks that a 1×1 run inside a product
// chain, x xᵀ y, becomes a scalar factor, (xᵀ y) x, so no later phase
// sees a vector-by-vector product with a matrix result in the middle of a
// chain; and that the derivatives stay right.
func TestInnerProductsLeaveChains(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, tt := range []struct{ expr, want string }{
		{"sum(a * a' * b)", "(a' b) sum(a)"},
		{"sum((a * b') * a)", "(b' a) sum(a)"},
		{"sum((a * c' + vector(1) * c') * c)", "(c' c) sum(a + 1)"},
		{"a' * A * b", "a' A b"},
		{"sum(A * a * b' * X * c)", "(b' X c) sum(A a)"},
	} {
		fn := buildExpr(t, randomInputs, tt.expr)
		for _, n := range Postorder(append([]*Node{fn.Value}, fn.Grads...)...) {
			if n.Op != OpMul {
				continue
			}
			for i, f := range n.Args[:len(n.Args)-1] {
				if f.Shape.Rows.IsOne() && (i > 0 || !n.Shape.IsScalar()) {
					t.Errorf("%s: %s keeps an inner product in its chain", tt.expr, Format(n, Plain, nil))
				}
			}
		}
		if got := Format(fn.Value, Plain, nil); got != tt.want {
			t.Errorf("%s: f = %s, want %s", tt.expr, got, tt.want)
		}
		checkAgainstFiniteDifferences(t, tt.expr, fn, rng)
	}
}

// TestVectorFillBesideMatrix checks that vector(c) beside an r×c matrix is
// the column of length r that an input vector(r) there would be: each fill
// against the same function written without it, by value at a random
// point and by its gradient against finite differences.
func TestVectorFillBesideMatrix(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, tt := range []struct{ fill, plain string }{
		{"sum(X .^ 2 ./ vector(2))", "sum(X .^ 2) / 2"},
		{"sum(vector(2) ./ (2 + X .^ 2))", "sum(2 ./ (2 + X .^ 2))"},
		{"sum(X .* vector(2), 1) * sum(X, 1)'", "2 * sum(X, 1) * sum(X, 1)'"},
		{"sum(vector(3)' .* X)", "3 * sum(X)"},
		{"sum(exp(X) - vector(1))", "sum(exp(X)) - sum(X .^ 0)"},
		{"sum((X + vector(1)) .* (X' * a)')", "sum((X + 1) .* (X' * a)')"},
	} {
		fill, plain := buildExpr(t, randomInputs, tt.fill), buildExpr(t, randomInputs, tt.plain)
		dims := map[string]int{"n": 3, "m": 4}
		inputs := randomPoint(fill, dims, rng)
		got := NewEvaluator(inputs, dims).Eval(fill.Value).At(0, 0)
		want := NewEvaluator(inputs, dims).Eval(plain.Value).At(0, 0)
		if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %v, want %v (%s)", tt.fill, got, want, tt.plain)
		}
		checkAgainstFiniteDifferences(t, tt.fill, fill, rng)
	}
}
