package derive

import (
	"testing"

	"github.com/gradgen/gradgen/spec"
)

// buildOne builds the single function of a one-function spec.
func buildOne(t *testing.T, src string) *Function {
	t.Helper()
	file, err := spec.Load("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	fns, err := Build(file)
	if err != nil {
		t.Fatal(err)
	}
	return fns[0]
}

// TestJacobianStructure checks which Jacobians are read off the
// differential's structure, and the printed block of each.
func TestJacobianStructure(t *testing.T) {
	for _, tt := range []struct {
		inputs, expr, wrt string
		structured        bool
		block             string
	}{
		{`{A: "matrix(m, p)", X: "matrix(p, q)", B: "matrix(q, n)"}`, "A * X * B", "X", true, "A[:,k] B[l,:]"},
		{`{X: "matrix(n, n)"}`, "inv(X)", "X", true, "-1 (inv(X))[:,k] (inv(X))[l,:]"},
		{`{A: "matrix(m, n)", x: vector(n)}`, "A * x", "x", true, "A[:,k] I[l,:]"},
		{`{x: vector(n)}`, "x * x'", "x", true, "I[:,k] x'[l,:] + x[:,l] I[k,:]"},
		{`{X: "matrix(m, n)"}`, "X'", "X", true, "I[:,l] I[k,:]"},
		{`{X: "matrix(m, n)"}`, "exp(X) .* X", "X", true, "(exp(X) + X .* exp(X))[k,l] at entry (k, l)"},
		{`{X: "matrix(n, n)", A: "matrix(m, p)"}`, "tr(X) * A", "X", false, ""},
		{`{A: "matrix(m, n)", X: "matrix(n, n)"}`, "A * exp(X)", "X", false, ""},
	} {
		t.Run(tt.expr, func(t *testing.T) {
			fn := buildOne(t, "functions:\n  - {name: F, inputs: "+tt.inputs+", expr: \""+tt.expr+"\", wrt: ["+tt.wrt+"]}\n")
			jac := fn.Jacobians[0]
			if jac.Structured != tt.structured {
				t.Fatalf("structured %v, want %v (dF = %s)", jac.Structured, tt.structured, Format(jac.Differential, Plain, nil))
			}
			if !tt.structured {
				return
			}
			got := ""
			for k, term := range jac.Terms {
				if k > 0 {
					got += " + "
				}
				got += FormatBlock(term, NewListing(Plain, nil))
			}
			if got != tt.block {
				t.Errorf("block %q, want %q", got, tt.block)
			}
		})
	}
}

// TestHessianStructure checks which dense Hessians are read off the HVP's
// structure, and the printed blocks.
func TestHessianStructure(t *testing.T) {
	for _, tt := range []struct {
		inputs, expr, wrt string
		structured        bool
		blocks            []string
	}{
		{`{X: "matrix(n, d)", y: vector(n), w: vector(d)}`, "sum(softplus(-y .* (X * w)))", "w", true,
			[]string{"X' diag(y .* (y .* dsigmoid(-(y .* (X w))))) X"}},
		{`{x: vector(n)}`, "(x' * x)^2", "x", true, []string{"8 (x x') + (4 x' x) I"}},
		{`{A: "matrix(n, n)", x: vector(n)}`, "x' * A * x", "x", true, []string{"(A + A')"}},
		{`{x: vector(n)}`, "sum(exp(x))", "x", true, []string{"diag(exp(x))"}},
		{`{t: scalar, x: vector(n)}`, "exp(t) * x' * x", "x, t", true,
			[]string{"(2 exp(t)) I", "", "", ""}},
	} {
		t.Run(tt.expr, func(t *testing.T) {
			fn := buildOne(t, "functions:\n  - {name: F, inputs: "+tt.inputs+", expr: \""+tt.expr+"\", wrt: ["+tt.wrt+"], hessian: true}\n")
			if fn.HessStructured != tt.structured {
				t.Fatalf("structured %v, want %v", fn.HessStructured, tt.structured)
			}
			for k, want := range tt.blocks {
				if want == "" {
					continue
				}
				b := fn.HessBlocks[k]
				got := ""
				for i, term := range b.Terms {
					if i > 0 {
						got += " + "
					}
					got += FormatMap(term, NewListing(Plain, nil))
				}
				if got != want {
					t.Errorf("block (%d, %d) = %q, want %q", b.Row, b.Col, got, want)
				}
			}
		})
	}
}

// TestDerivativesVanish checks that repeated differentiation simplifies to
// zero where it should: d³/dt³ of t² A has no A term, and d²/dt² of a
// function linear in t is zero.
func TestDerivativesVanish(t *testing.T) {
	fn := buildOne(t, "functions:\n  - {name: F, inputs: {t: scalar, A: \"matrix(n, n)\"}, expr: \"t^2 * A + t * A * A\", wrt: [t], order: 3}\n")
	if got := Format(fn.Derivs[1], Plain, nil); got != "2 A" {
		t.Errorf("d²F/dt² = %s, want 2 A", got)
	}
	if fn.Derivs[2] != nil {
		t.Errorf("d³F/dt³ = %s, want 0", Format(fn.Derivs[2], Plain, nil))
	}
}
