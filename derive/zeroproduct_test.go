package derive

import "testing"

// TestZeroProduct pins that a product with a zero factor, or whose
// scaling simplifies to zero, is zero (nil), never one of its scalar
// factors: -b · (0 · I) once came out as the constant -1.
func TestZeroProduct(t *testing.T) {
	g := NewGraph()
	n := Dim{Name: "n"}
	b := g.Var("b", ScalarShape, false)
	d := g.Var("d", Square(n), false)
	zero := g.Broadcast(g.Const(0), Square(n))
	cases := []struct {
		name string
		got  *Node
	}{
		{"zero matrix times d", g.Mul(zero, d)},
		{"scalars times a zero matrix", g.Mul(g.Const(-1), b, zero)},
		{"scalars times zero times the identity", g.Mul(g.Scale(g.Const(-1), b), zero, g.Eye(n))},
		{"a zero scalar factor", g.Mul(b, nil, d)},
	}
	for _, c := range cases {
		if c.got != nil {
			t.Errorf("%s = %s %v, want zero (nil)", c.name, c.got.Op.Name, c.got.Shape)
		}
	}
	if got := g.Mul(g.Const(-1), b, g.Eye(n)); got == nil || got.Shape != Square(n) && !got.Shape.IsScalar() {
		t.Errorf("-b I = %v, want a nonzero value", got)
	}
}
