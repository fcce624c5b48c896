package derive

import "testing"

// TestWorkedExamplesGraph checks the five worked examples of the
// differential-method text print in the textbook form, built directly on
// the graph.
func TestWorkedExamplesGraph(t *testing.T) {
	m, n, k := Dim{Name: "m"}, Dim{Name: "n"}, Dim{Name: "k"}
	g := NewGraph()
	a := g.Var("a", Col(m), false)
	b := g.Var("b", Col(n), false)
	X := g.Var("X", Shape{m, n}, false)
	A := g.Var("A", Square(n), false)
	B := g.Var("B", Square(n), false)
	W := g.Var("W", Shape{n, k}, false)
	C := g.Var("C", Square(m), false)
	Bp := g.Var("Bp", Shape{n, k}, false)
	tests := []struct {
		name string
		f    *Node
		wrt  []*Node
		want []string
	}{
		{"bilinear", g.Mul(g.T(a), X, b), []*Node{X}, []string{"a b'"}},
		{"expmix", g.Mul(g.T(a), g.Apply(OpExp, g.Mul(X, b))), []*Node{X}, []string{"(a .* exp(X b)) b'"}},
		{"trAB", g.Tr(g.Mul(A, B)), []*Node{A, B}, []string{"B'", "A'"}},
		{"quadtrace", g.Tr(g.Mul(g.T(W), A, W)), []*Node{W}, []string{"(A + A') W"}},
		{"sandwich", g.Tr(g.Mul(g.T(Bp), g.T(X), C, X, Bp)), []*Node{X}, []string{"(C + C') X Bp Bp'"}},
	}
	for _, tt := range tests {
		grads := g.Grad(tt.f, tt.wrt)
		for i, gr := range grads {
			if got := Format(gr, Plain, nil); got != tt.want[i] {
				t.Errorf("%s: grad %d = %q, want %q", tt.name, i, got, tt.want[i])
			}
		}
	}
}
