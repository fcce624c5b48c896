package derive

// Transposes reports whether b is aᵀ, read off the two trees without
// forming a node: b is what T(a) gives (a transpose node over a, a
// symmetric or scalar a itself, a product's factors transposed in reverse
// order), or the same operator over transposed operands, which is what
// differentiating (G + Gᵀ)/2 gives: d(Gᵀ) = (dG)ᵀ with the transpose pushed
// into dG's sums and products. Entry by entry operators commute with the
// transpose (sums and Hadamard products with their terms in any order).
// False means only "not shown". Code generation asks it where it would
// otherwise compare a node with T of another, which builds nodes.
func Transposes(a, b *Node) bool {
	switch {
	case a == nil || b == nil || a.Shape.T() != b.Shape:
		return false
	case a == b && (a.Shape.IsScalar() || a.Sym):
		return true
	case b.Op == OpTranspose && b.Args[0] == a, a.Op == OpTranspose && a.Args[0] == b:
		return true
	case a.Op != b.Op || len(a.Args) != len(b.Args) || a.Shape.IsScalar():
		return false
	case a.Op == OpMul:
		for k, f := range a.Args {
			if !Transposes(f, b.Args[len(b.Args)-1-k]) {
				return false
			}
		}
		return true
	case a.Op == OpBroadcast:
		return a.Args[0] == b.Args[0]
	case a.Op.Kind != KindElementwise:
		return false
	case a.Op == OpAdd || a.Op == OpHadamard:
		return transposedTerms(a.Args, b.Args)
	}
	for k, x := range a.Args {
		if !Transposes(x, b.Args[k]) {
			return false
		}
	}
	return true
}

// transposedTerms reports whether the terms bs are the transposes of the
// terms as in some order, each used once.
func transposedTerms(as, bs []*Node) bool {
	used := make([]bool, len(bs))
	for _, x := range as {
		found := false
		for k, y := range bs {
			if !used[k] && Transposes(x, y) {
				used[k], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// FindMul returns the product node with exactly the factors fs if the
// graph has it, nil otherwise; it creates nothing.
func (g *Graph) FindMul(fs ...*Node) *Node {
	if len(fs) < 2 {
		return nil
	}
	shape := Shape{Rows: fs[0].Shape.Rows, Cols: fs[len(fs)-1].Shape.Cols}
	return g.index[key(OpMul, shape, 0, "", fs...)]
}
