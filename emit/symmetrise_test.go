package emit

import (
	"testing"

	"github.com/gradgen/gradgen/derive"
)

// TestSymmetrisedFrom checks which halves writeGradient may symmetrise
// alone: (G + Gᵀ)/2 with Gᵀ as Graph.T gives it or transposed operator by
// operator, and nothing else, above all not half a difference.
func TestSymmetrisedFrom(t *testing.T) {
	const src = "functions:\n  - {name: F, inputs: {a: \"matrix(n, n)\", b: \"matrix(n, n)\", c: symmetric(n)}, expr: \"sum(a * b * c)\"}\n"
	e, fn := emitter(t, src, roleGrad)
	g := fn.Graph
	sq := derive.Square(derive.Dim{Name: "n"})
	a, b := g.Var("a", sq, false), g.Var("b", sq, false)
	half := func(x, y *derive.Node) *derive.Node { return g.Scale(g.Const(0.5), g.Add(x, y)) }
	// twice(x, y) is 2 (x ⊙ y + x), kept a sum under the transpose as
	// differentiating a transpose keeps it.
	twice := func(x, y *derive.Node) *derive.Node { return g.Scale(g.Const(2), g.Add(g.Hadamard(x, y), x)) }
	tests := []struct {
		name string
		g    *derive.Node
		want []*derive.Node // the halves accepted; none for nil
	}{
		{"A + Aᵀ", half(a, g.T(a)), []*derive.Node{a, g.T(a)}},
		{"A B + Bᵀ Aᵀ", half(g.Mul(a, b), g.Mul(g.T(b), g.T(a))), []*derive.Node{g.Mul(a, b), g.Mul(g.T(b), g.T(a))}},
		{"transposed through a sum", half(twice(a, b), twice(g.T(a), g.T(b))), []*derive.Node{twice(a, b), twice(g.T(a), g.T(b))}},
		{"A − B", half(a, g.Neg(b)), nil},
		{"A − Aᵀ", half(a, g.Neg(g.T(a))), nil},
		{"A + Bᵀ", half(a, g.T(b)), nil},
		{"A / B + Bᵀ / Aᵀ", half(g.Div(a, b), g.Div(g.T(b), g.T(a))), nil},
		{"a quarter of A + Aᵀ", g.Scale(g.Const(0.25), g.Add(a, g.T(a))), nil},
	}
	for _, tt := range tests {
		got := e.symmetrisedFrom(tt.g)
		ok := got == nil && tt.want == nil
		for _, w := range tt.want {
			ok = ok || got == w
		}
		if !ok {
			t.Errorf("%s: symmetrisedFrom(%s) = %v, want one of %v", tt.name, derive.Format(tt.g, derive.Plain, nil), got, tt.want)
		}
	}
}

// emitter returns the emitter of role for the one function of src, ready
// to lower nodes, and that function.
func emitter(t *testing.T, src string, r role) (*function, *derive.Function) {
	t.Helper()
	fns := buildSpec(t, src)
	e := newFunc(fns[0], r, 0, newScope())
	e.countUses()
	e.planDims()
	return e, fns[0]
}
