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
