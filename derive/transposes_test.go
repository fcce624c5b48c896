package derive

import "testing"

// TestTransposes checks the read-only transpose predicate against T, which
// builds the transpose: every b = T(a) is shown, with the transpose pushed
// through products and scalings, and the pairs that are not transposes are
// refused.
func TestTransposes(t *testing.T) {
	g := NewGraph()
	m, n, k := Dim{Name: "m"}, Dim{Name: "n"}, Dim{Name: "k"}
	X := g.Var("X", Shape{m, n}, false)
	B := g.Var("B", Shape{n, k}, false)
	C := g.Var("C", Square(m), false)
	S := g.Var("S", Square(m), true)
	x := g.Var("x", Col(m), false)
	s := g.Var("s", ScalarShape, false)
	Xt := g.T(X)
	cases := []struct {
		name string
		a, b *Node
		want bool
	}{
		{"a variable and its transpose", X, g.T(X), true},
		{"a transpose and its variable", Xt, X, true},
		{"a product reversed", g.Mul(X, B), g.T(g.Mul(X, B)), true},
		{"a sandwich", g.Mul(Xt, C, X), g.T(g.Mul(Xt, C, X)), true},
		{"a scaling", g.Scale(s, X), g.T(g.Scale(s, X)), true},
		{"a symmetric input is its own transpose", S, S, true},
		{"a scalar is its own transpose", s, s, true},
		{"a vector and its row", x, g.T(x), true},
		{"a sum under one transpose", g.Add(C, S), g.T(g.Add(C, S)), true},
		{"a sum of transposed terms, in another order", g.Add(C, g.Mul(X, Xt)), g.Add(g.Mul(X, Xt), g.T(C)), true},
		{"an elementwise function of a transpose", g.Apply(OpExp, X), g.Apply(OpExp, Xt), true},
		{"a Hadamard product of transposes", g.Hadamard(X, g.Apply(OpExp, X)), g.Hadamard(g.Apply(OpExp, Xt), Xt), true},
		{"a matrix is not its own transpose", C, C, false},
		{"a product in the same order", g.Mul(X, B), g.Mul(X, B), false},
		{"different variables", X, g.T(g.Var("Y", Shape{m, n}, false)), false},
		{"shapes that do not transpose", X, B, false},
		{"the inverse of a transpose", g.Unary(OpInv, C), g.Unary(OpInv, g.T(C)), true},
		{"an inverse is not its own transpose", g.Unary(OpInv, C), g.Unary(OpInv, C), false},
		{"a function other than entry by entry is not pushed through", g.intern(OpSoftmax, X.Shape, 0, "", false, X), g.intern(OpSoftmax, Xt.Shape, 0, "", false, Xt), false},
		{"a sum with a term missing", g.Add(C, S), g.T(C), false},
		{"nil", nil, X, false},
	}
	for _, c := range cases {
		if got := Transposes(c.a, c.b); got != c.want {
			t.Errorf("%s: Transposes(%s, %s) = %v, want %v", c.name, Format(c.a, Plain, nil), Format(c.b, Plain, nil), got, c.want)
		}
		if c.a != nil && c.b != nil {
			if got := Transposes(c.b, c.a); got != c.want {
				t.Errorf("%s, swapped: Transposes(%s, %s) = %v, want %v", c.name, Format(c.b, Plain, nil), Format(c.a, Plain, nil), got, c.want)
			}
		}
	}
}

// TestFindMul checks that FindMul finds a product the graph has and builds
// none it lacks.
func TestFindMul(t *testing.T) {
	g := NewGraph()
	n := Dim{Name: "n"}
	A := g.Var("A", Square(n), false)
	B := g.Var("B", Square(n), false)
	AB := g.Mul(A, B)
	if got := g.FindMul(A, B); got != AB {
		t.Errorf("FindMul(A, B) = %v, want the node A B", got)
	}
	before := len(g.nodes)
	if got := g.FindMul(B, A); got != nil {
		t.Errorf("FindMul(B, A) = %s, want nil: the graph has no B A", Format(got, Plain, nil))
	}
	if got := g.FindMul(A); got != nil {
		t.Errorf("FindMul(A) = %s, want nil for one factor", Format(got, Plain, nil))
	}
	if len(g.nodes) != before {
		t.Errorf("FindMul built %d nodes", len(g.nodes)-before)
	}
}
