package derive

// Grad returns the gradients of the scalar f with respect to each of wrt,
// in denominator layout (∂f/∂X has the shape of X), by reverse
// accumulation: each operator's Adjoint rule is the transpose of its
// differential, df = tr(Gᵀ dX) read off as ∂f/∂X = G. A nil result is a
// zero gradient. For a symmetric wrt input the result is the symmetric
// gradient (G + Gᵀ)/2.
func (g *Graph) Grad(f *Node, wrt []*Node) []*Node {
	order := postorder(f)
	active := activeSet(order, wrt)
	adjoints := map[*Node][]*Node{f: {g.Const(1)}}
	total := map[*Node]*Node{}
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		adj := g.Add(adjoints[n]...)
		total[n] = adj
		if adj == nil || n.Op.Adjoint == nil {
			continue
		}
		parts := n.Op.Adjoint(g, n, adj)
		for k, part := range parts {
			if a := n.Args[k]; part != nil && active[a] {
				adjoints[a] = append(adjoints[a], part)
			}
		}
	}
	out := make([]*Node, len(wrt))
	for i, w := range wrt {
		out[i] = g.symmetricPart(w, total[w])
	}
	return out
}

// symmetricPart returns (G + Gᵀ)/2 for symmetric matrix inputs, G otherwise.
func (g *Graph) symmetricPart(w, grad *Node) *Node {
	if grad == nil || !w.Sym || w.Shape.IsScalar() || grad.Sym {
		return grad
	}
	return g.Scale(g.Const(0.5), g.Add(grad, g.T(grad)))
}

// postorder returns the nodes reachable from root, arguments first.
func postorder(root *Node) []*Node { return postorderUntil(root, nil) }

// postorderUntil is postorder without descending below the nodes other
// than root for which leaf reports true (nil: none).
func postorderUntil(root *Node, leaf func(*Node) bool) []*Node {
	var order []*Node
	seen := map[*Node]bool{}
	var visit func(n *Node)
	visit = func(n *Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		if n == root || leaf == nil || !leaf(n) {
			for _, a := range n.Args {
				visit(a)
			}
		}
		order = append(order, n)
	}
	visit(root)
	return order
}

// activeSet returns the nodes that depend on any of wrt.
func activeSet(order []*Node, wrt []*Node) map[*Node]bool {
	active := map[*Node]bool{}
	for _, w := range wrt {
		active[w] = true
	}
	for _, n := range order {
		for _, a := range n.Args {
			if active[a] {
				active[n] = true
			}
		}
	}
	return active
}

// Postorder returns the nodes reachable from roots, each after its
// arguments, in a deterministic order.
func Postorder(roots ...*Node) []*Node {
	var order []*Node
	seen := map[*Node]bool{}
	for _, r := range roots {
		if r == nil {
			continue
		}
		for _, n := range postorder(r) {
			if !seen[n] {
				seen[n] = true
				order = append(order, n)
			}
		}
	}
	return order
}

// Differential returns df, the differential of f when the input x moves
// by dx, by forward accumulation of each operator's Tangent rule. A nil
// result means f does not depend on x.
func (g *Graph) Differential(f, x, dx *Node) *Node {
	return g.Tangent(f, map[*Node]*Node{x: dx})
}
