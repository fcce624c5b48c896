package derive

import "testing"

// TestFormatFactor checks that a factor of a product prints parenthesised
// exactly when it binds looser than the product, in each notation.
func TestFormatFactor(t *testing.T) {
	g := NewGraph()
	c := g.Var("c", ScalarShape, false)
	d := g.Var("d", ScalarShape, false)
	tests := []struct {
		n     *Node
		style Style
		want  string
	}{
		{c, Plain, "c"},
		{g.Add(c, g.Const(1)), Plain, "(c + 1)"},
		{g.Add(c, g.Const(1)), LaTeX, `\left(c + 1\right)`},
		{g.Mul(c, d), Plain, "c d"},
		{g.Const(2), Unicode, "2"},
	}
	for _, tt := range tests {
		if got := FormatFactor(tt.n, tt.style, nil); got != tt.want {
			t.Errorf("FormatFactor(%s) = %q, want %q", Format(tt.n, tt.style, nil), got, tt.want)
		}
	}
}

// TestFormatScaledNegation checks that a negated matrix after a juxtaposed
// scalar factor prints parenthesised: s -X would read as s − X (review
// 56: d³/ds³ det(… + (s^2 / 2) -(A .* …))).
func TestFormatScaledNegation(t *testing.T) {
	s := &Node{Op: OpVar, Name: "s", Shape: ScalarShape}
	x := &Node{Op: OpVar, Name: "X", Shape: Square(Dim{Name: "n"})}
	neg := &Node{Op: OpScale, Args: []*Node{{Op: OpConst, Value: -1, Shape: ScalarShape}, x}, Shape: x.Shape}
	n := &Node{Op: OpScale, Args: []*Node{s, neg}, Shape: x.Shape}
	for style, want := range map[Style]string{Plain: "s (-X)", Unicode: "s (-X)", LaTeX: `s\,\left(-X\right)`} {
		if got := Format(n, style, nil); got != want {
			t.Errorf("notation %d: %q, want %q", style, got, want)
		}
	}
	// A quotient with a negative numerator starts with a minus too.
	quotient := &Node{Op: OpDiv, Args: []*Node{{Op: OpConst, Value: -1, Shape: ScalarShape}, s}, Shape: ScalarShape}
	m := &Node{Op: OpScale, Args: []*Node{s, quotient}, Shape: ScalarShape}
	if got, want := Format(m, Plain, nil), "s (-1 / s)"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}
