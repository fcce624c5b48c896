package derive

import (
	"fmt"
	"strconv"
)

// Derivatives returns dᵏf/dtᵏ for k = 1 … order with respect to the scalar
// input t, by Taylor-mode forward propagation (as JAX's jet does): the
// derivatives of every node up to order are carried through the DAG
// together, each operator's from its arguments' — a linear operator
// applied to them, Leibniz's rule Σᵢ C(m, i) x⁽ⁱ⁾ y⁽ᵐ⁻ⁱ⁾ for a product,
// and for any other operator y⁽ᵐ⁾ = (dy/dt)⁽ᵐ⁻¹⁾ with dy/dt its Tangent
// rule at the argument's first derivative. Each operator so costs O(order²)
// nodes, where differentiating the previous derivative's expression again
// grows with the number of its terms. Nil entries are zero.
func (g *Graph) Derivatives(f, t *Node, order int) []*Node {
	j := &jet{g: g, t: t, memo: map[jetKey]*Node{}, moves: map[*Node]bool{}, carries: map[*Node]bool{},
		tangent: map[*Node]*Node{}, carrier: map[*Node]*Node{}}
	out := make([]*Node, order)
	for k := range out {
		out[k] = j.deriv(f, k+1)
	}
	return out
}

// A jet carries derivatives with respect to one scalar t through a graph.
type jet struct {
	g    *Graph
	t    *Node
	memo map[jetKey]*Node // computed derivatives; nil is zero
	// moves and carries memoise whether a node depends on t, and on a
	// carrier.
	moves, carries map[*Node]bool
	// tangent holds, per operator node y outside the linear and bilinear
	// ones, dy/dt: its Tangent rule with carriers for its arguments'
	// derivatives.
	tangent map[*Node]*Node
	// carrier maps each carrier variable to the argument x whose
	// derivative dx/dt it stands for: its m-th derivative is x⁽ᵐ⁺¹⁾.
	carrier map[*Node]*Node
}

type jetKey struct {
	n     *Node
	order int
}

// deriv returns the m-th derivative of n with respect to t, nil for zero.
func (j *jet) deriv(n *Node, m int) *Node {
	if !j.moving(n) {
		if m == 0 {
			return n
		}
		return nil
	}
	if m == 0 && !j.carrying(n) {
		return n
	}
	k := jetKey{n, m}
	if d, ok := j.memo[k]; ok {
		return d
	}
	d := j.compute(n, m)
	j.memo[k] = d
	return d
}

func (j *jet) compute(n *Node, m int) *Node {
	g := j.g
	if n.Op.Taylor != nil {
		if d, ok := n.Op.Taylor(g, n, m, j.deriv); ok {
			return d
		}
	}
	switch {
	case n == j.t:
		if m == 1 {
			return g.Const(1)
		}
		return nil
	case j.carrier[n] != nil:
		return j.deriv(j.carrier[n], m+1)
	case n.Op.Linear:
		d := make([]*Node, len(n.Args))
		moved := false
		for i, a := range n.Args {
			d[i] = j.deriv(a, m)
			moved = moved || (d[i] != nil && j.moving(a))
		}
		if !moved {
			return nil
		}
		return n.Op.Tangent(g, n, d)
	case n.Op.Bilinear != nil:
		x, y := n.Args[0], n.Args[len(n.Args)-1]
		for _, a := range n.Args[1 : len(n.Args)-1] { // (x₁⋯xₖ₋₁) xₖ
			x = n.Op.Bilinear(g, x, a)
		}
		var terms []*Node
		binomial := 1.0 // C(m, i)
		for i := 0; i <= m; i++ {
			if dx, dy := j.deriv(x, i), j.deriv(y, m-i); dx != nil && dy != nil {
				terms = append(terms, g.Scale(g.Const(binomial), n.Op.Bilinear(g, dx, dy)))
			}
			binomial = binomial * float64(m-i) / float64(i+1)
		}
		return g.Add(terms...)
	}
	for _, a := range n.Args {
		if j.carrying(a) {
			panic(fmt.Sprintf("derive: %s is not linear in a derivative it carries", n.Op.Name))
		}
	}
	if m == 0 {
		return n
	}
	return j.deriv(j.tangentOf(n), m-1)
}

// tangentOf returns dn/dt for an operator node n: its Tangent rule with a
// fresh carrier variable for each moving argument's derivative.
func (j *jet) tangentOf(n *Node) *Node {
	if z, ok := j.tangent[n]; ok {
		return z
	}
	d := make([]*Node, len(n.Args))
	for i, a := range n.Args {
		if j.moving(a) {
			// The name cannot be a spec identifier, so it never meets one.
			v := j.g.Var("d/dt#"+strconv.Itoa(a.ID), a.Shape, a.Sym)
			j.carrier[v] = a
			d[i] = v
		}
	}
	z := n.Op.Tangent(j.g, n, d)
	j.tangent[n] = z
	return z
}

// moving reports whether n depends on t (through a carrier too).
func (j *jet) moving(n *Node) bool {
	return reaches(n, j.moves, func(m *Node) bool { return m == j.t || j.carrier[m] != nil })
}

// carrying reports whether n depends on a carrier variable.
func (j *jet) carrying(n *Node) bool {
	return reaches(n, j.carries, func(m *Node) bool { return j.carrier[m] != nil })
}

// reaches reports whether n or a node below it is a source, memoised in
// memo; nil reaches nothing.
func reaches(n *Node, memo map[*Node]bool, source func(*Node) bool) bool {
	if n == nil {
		return false
	}
	if v, ok := memo[n]; ok {
		return v
	}
	v := source(n)
	for _, a := range n.Args {
		v = reaches(a, memo, source) || v
	}
	memo[n] = v
	return v
}
