package derive

import (
	"math/rand/v2"
	"testing"
)

// TestFillShapeFromUse checks that vector(c) and matrix(c) take their shape
// from where they are used, through scalar products, outer products and
// elementwise functions, and that the result differentiates right.
func TestFillShapeFromUse(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, expr := range []string{
		"sum((s * vector(1)) .* a .* b)",
		"sum((vector(1) * s) .* a)",
		"sum(tanh(X' * A + vector(1) * a'))",
		"sum(tanh(A * X + a * vector(1)'))",
		"sum(exp(vector(0.5) * s) .* a)",
		"sum(a .* (s + vector(1)))",
		"a' * (vector(1) * c') * c",
		"sum(A .* (s * matrix(2) - A))",
		"a' * matrix(2) * b",
		"dot(a, vector(2)) + dot(matrix(1), X)",
		"dot((s * vector(1))', a')",
	} {
		checkAgainstFiniteDifferences(t, expr, buildExpr(t, randomInputs, expr), rng)
	}
}

// TestOneByOneOperands checks that a 1×1 value is a scalar wherever a
// shape rule meets it: diag of a vector(1) or matrix(1, 1) is itself, a
// fill beside one (with nothing else to tell its shape) is the scalar c,
// and matrix(c) beside a row or a column takes its shape. Each was
// refused.
func TestOneByOneOperands(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const inputs = `
      y: vector(1)
      C: matrix(1, 1)
      R: matrix(1, m)
      K: matrix(m, 1)
      s: scalar
      a: vector(n)`
	for _, expr := range []string{
		"sum(diag(y)) * s",
		"sum(diag(C)) + diag(y) * diag(C)",
		"sum(y + vector(2)) * sum(y)",
		"sum(C .* matrix(3)) * sum(C)",
		"s * (s + vector(2))",
		"sum(R .* matrix(2)) + sum(K + matrix(0.5))",
		"sum(y .* a)",
	} {
		checkAgainstFiniteDifferences(t, expr, buildExpr(t, inputs, expr), rng)
	}
}
