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
