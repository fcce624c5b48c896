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
// triangle: the product of scales times x, x a symmetric value stored
// whole or, when sandwich is set, the product Rᵀ C R of an spd input C.
type symmetricTerm struct {
	scales   []*derive.Node // none for 1
	x        *derive.Node
	sandwich bool
}

// symmetricInto writes the symmetric gradient g into the stored triangle
// of the symmetric destination d: term by term when g is a sum (or one
// term) of symmetric values stored whole and spd sandwiches Rᵀ C R, each
// maybe scaled (runtime.AddSymmetricTo for a value, Cholesky.SandwichSymTo
// — one triangular multiply and one Syrk into d — for a sandwich); else g
// formed whole and its upper triangle copied. G is never symmetrised. It
// reports false, emitting nothing, when derive does not know g symmetric.
func (e *function) symmetricInto(g *derive.Node, d *val) bool {
	if !g.Sym {
		return false
	}
	terms, ok := e.symmetricTerms(g)
	if !ok {
		terms = []symmetricTerm{{x: g}} // formed whole by triangle
	}
	alpha := func(t symmetricTerm) expr {
		var a expr = one
		for k, s := range t.scales {
			if k == 0 {
				a = coefficient(e.scalar(s))
			} else {
				a = plan.Mul(a, e.scalar(s))
			}
		}
		return a
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
	why := "each term is symmetric"
	if len(terms) == 1 {
		why = "it is symmetric"
	}
	e.comment(d.Name + " = " + e.formula(g) + ", on " + d.Name + "'s stored triangle: " + why)
	for k, call := range append(values, sandwiches...) {
		e.stmt(blasEffect(&plan.Do{Call: call(k > 0)}, d, k > 0))
	}
	return true
}

// symmetricTerms returns the terms of g, a sum or one term, when each is
// a symmetric value stored whole or an spd sandwich, under any number of
// scalar factors; false when one is not, or when g is stored or read
// elsewhere too (then it is formed whole once, for all its readers).
func (e *function) symmetricTerms(g *derive.Node) ([]symmetricTerm, bool) {
	if _, stored := e.vals[g]; stored || e.uses[g] > 1 || e.wholeSymmetric(g) {
		return nil, false
	}
	// peel moves the scalar factors of t's scalings onto term.
	peel := func(term *symmetricTerm) bool {
		for term.x.Op == derive.OpScale && term.x.Args[0].Shape.IsScalar() && term.x.Args[1].Shape.IsMatrix() {
			if term.x != g && e.uses[term.x] > 1 {
				return false
			}
			term.scales = append(term.scales, term.x.Args[0])
			term.x = term.x.Args[1]
		}
		return true
	}
	// A scaled sum's scales multiply each of its terms.
	outer := symmetricTerm{x: g}
	if !peel(&outer) {
		return nil, false
	}
	parts := []*derive.Node{outer.x}
	if outer.x.Op == derive.OpAdd && (outer.x == g || e.uses[outer.x] <= 1) {
		parts = outer.x.Args
	}
	var terms []symmetricTerm
	for _, t := range parts {
		term := symmetricTerm{x: t, scales: append([]*derive.Node{}, outer.scales...)}
		if !peel(&term) {
			return nil, false
		}
		switch {
		case e.isSandwich(term.x):
			term.sandwich = true
		case !e.wholeSymmetric(term.x):
			return nil, false
		}
		terms = append(terms, term)
	}
	return terms, true
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
