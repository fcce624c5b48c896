package emit

import (
	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
	"github.com/gradgen/gradgen/spec"
)

// Symmetric work on one triangle: a reduction Σᵢⱼ Aᵢⱼ Bᵢⱼ of two
// symmetric matrices (tr(A B), sum(A .* B)) reads one triangle of each,
// and a symmetric gradient that is a sum of symmetric terms is written on
// its destination's stored triangle, term by term, never formed whole and
// symmetrised. Each rule's invariant is that the values it reads one
// triangle of are symmetric: derive's Node.Sym, checked where it is
// applied.

// symmetricDot returns n = Σᵢⱼ Aᵢⱼ Bᵢⱼ of symmetric A and B (tr(A B), or
// sum(A .* B)) from one triangle of each: runtime.SymmetricDot. Invariant:
// both are symmetric (derive's Sym; symmetricPair checks), so the triangle
// read stands for the one not read.
func (e *function) symmetricDot(n, a, b *derive.Node, acc *val) expr {
	ta, tb := e.triangle(a), e.triangle(b)
	e.comment(acc.Name + " = " + e.formula(n) + ", from one triangle of each symmetric factor")
	return plan.Fn(runtimePath, "SymmetricDot", ta, tb)
}

// symmetricPair returns A and B when x is A op B (a product, or a
// Hadamard product), used only by the reduction being lowered, of two
// symmetric matrices that are each stored whole anyway: an input, or a
// value computed whole (inv(S), a kernel's result) or already stored. A
// factor read entry by entry in a loop is left to that loop, which does
// not store it.
func (e *function) symmetricPair(x *derive.Node, op *derive.Op) (a, b *derive.Node, ok bool) {
	if x.Op != op || len(x.Args) != 2 || e.uses[x] > 1 {
		return nil, nil, false
	}
	whole := func(f *derive.Node) bool {
		if !f.Sym || !f.Shape.IsMatrix() {
			return false
		}
		if _, stored := e.vals[f]; stored {
			return true
		}
		return f.Op == derive.OpVar || f.Op.Kind == derive.KindLinalg || f.Op.Kind == derive.KindKernel
	}
	if !whole(x.Args[0]) || !whole(x.Args[1]) {
		return nil, nil, false
	}
	return x.Args[0], x.Args[1], true
}

// triangle returns the symmetric matrix n, formed if it is not stored yet,
// as a blas64.Symmetric: a symmetric input's own, or the upper triangle of
// a general buffer (runtime.Upper).
func (e *function) triangle(n *derive.Node) expr {
	v := e.ensure(n)
	if v.Kind == plan.Symmetric {
		return ref(v)
	}
	return plan.Fn(runtimePath, "Upper", ref(v))
}

// wholeSymmetric reports whether the matrix f is symmetric and stored
// whole anyway: an input, or a value computed whole (inv(S), a kernel's
// result) or already stored.
func (e *function) wholeSymmetric(f *derive.Node) bool {
	if !f.Sym || !f.Shape.IsMatrix() {
		return false
	}
	if _, stored := e.vals[f]; stored {
		return true
	}
	return f.Op == derive.OpVar || f.Op.Kind == derive.KindLinalg || f.Op.Kind == derive.KindKernel
}

// symmetricTerm is one term of a symmetric gradient written on a
// triangle: scale · x, x a symmetric value stored whole or, when sandwich
// is set, the product Rᵀ C R of an spd input C.
type symmetricTerm struct {
	scale    *derive.Node // nil for 1
	x        *derive.Node
	sandwich bool
}

// symmetricInto writes the symmetric gradient g into the stored triangle
// of the symmetric destination d when g is a sum (or one term) of
// symmetric values stored whole and spd sandwiches Rᵀ C R, each maybe
// scaled (a value stored whole is one term, however it was formed): runtime.AddSymmetricTo for a value, Cholesky.SandwichSymTo (one
// triangular multiply and one Syrk into d) for a sandwich. G is then never
// formed in a buffer and symmetrised. It reports whether it did; it emits
// nothing when it does not.
func (e *function) symmetricInto(g *derive.Node, d *val) bool {
	if !g.Sym {
		return false
	}
	parts := []*derive.Node{g}
	if !e.wholeSymmetric(g) { // else g is one term, read whole
		if _, stored := e.vals[g]; stored || e.uses[g] > 1 {
			return false
		}
		if g.Op == derive.OpAdd {
			parts = g.Args
		}
	}
	var terms []symmetricTerm
	for _, t := range parts {
		term := symmetricTerm{x: t}
		if t.Op == derive.OpScale && t.Args[0].Shape.IsScalar() && t.Args[1].Shape.IsMatrix() {
			if e.uses[t] > 1 && t != g {
				return false
			}
			term.scale, term.x = t.Args[0], t.Args[1]
		}
		switch {
		case e.isSandwich(term.x):
			term.sandwich = true
		case !e.wholeSymmetric(term.x):
			return false
		}
		terms = append(terms, term)
	}
	alpha := func(t symmetricTerm) expr {
		if t.scale == nil {
			return one
		}
		return coefficient(e.scalar(t.scale))
	}
	// The operands first; then values, then the sandwiches, which add to
	// them (Syrk's beta).
	dst := plan.Method(ref(d), "RawSymmetric")
	var values, sandwiches []func(written bool) plan.Call
	for _, t := range terms {
		a := alpha(t)
		if !t.sandwich {
			src := e.triangle(t.x)
			values = append(values, func(written bool) plan.Call {
				return plan.Fn(runtimePath, "AddSymmetricTo", dst, a, src, beta(written))
			})
			continue
		}
		r := ref(e.asGeneral(e.operand(t.x.Args[2])).v)
		f := e.factorOf(t.x.Args[1])
		sandwiches = append(sandwiches, func(written bool) plan.Call {
			return plan.Method(f, "SandwichSymTo", dst, a, r, beta(written))
		})
	}
	e.comment(d.Name + " = " + e.formula(g) + ", on " + d.Name + "'s stored triangle: each term is symmetric")
	for k, call := range append(values, sandwiches...) {
		e.stmt(blasEffect(&plan.Do{Call: call(k > 0)}, d, k > 0))
	}
	return true
}

// isSandwich reports whether x is Rᵀ C R for an spd input C and a matrix
// R read untransposed, used nowhere else: symmetric whatever R is.
func (e *function) isSandwich(x *derive.Node) bool {
	if x.Op != derive.OpMul || len(x.Args) != 3 || e.uses[x] > 1 {
		return false
	}
	c, r := x.Args[1], x.Args[2]
	return c.Op == derive.OpVar && e.input(c.Name).Kind == spec.SPD && r.Shape.IsMatrix() &&
		r.Op != derive.OpTranspose && linksTranspose(link{node: x.Args[0]}, link{node: r})
}
