package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/spec"
)

// This file fuses the forward and backward passes of data-heavy losses
// over the rows of their data matrix. A loss like Σ softplus(−y ⊙ X w) +
// λ/2 wᵀw reads X twice: X w forward, Xᵀ r backward. When everything
// between the two is row by row, FGrad instead walks X in panels of rows
// that fit in cache: X_b w, the loss terms and r_b, then X_bᵀ r_b
// accumulated into the gradient while the panel is still in cache, so X
// comes from memory once.

// panelPlan is a loss whose FGrad runs over row panels of x.
type panelPlan struct {
	x, w, u *derive.Node   // the data matrix X (n×d), the vector w, u = X w
	v       *derive.Node   // the row-local vector r of the gradient term Xᵀ r
	alpha   *derive.Node   // the scalar coefficient of Xᵀ r; nil for 1
	rest    []*derive.Node // the gradient's other terms, free of u
	sums    []*derive.Node // the sums of row-local vectors in f
	local   map[*derive.Node]bool
}

// panels returns the plan for FGrad when it has the shape above: one
// gradient, a sum whose one term with u is Xᵀ r, r and the summands of f
// computed entry by entry from u, inputs of X's row count and scalars
// free of u. It returns nil otherwise.
func (e *function) panels() *panelPlan {
	if e.role != roleGrad || len(e.outs) != 1 || e.outs[0].node == nil || !e.outs[0].to.Shape.IsCol() {
		return nil
	}
	g := e.outs[0].node
	terms := []*derive.Node{g}
	if g.Op == derive.OpAdd {
		terms = g.Args
	}
	p := &panelPlan{local: map[*derive.Node]bool{}}
	for _, t := range terms {
		var alpha *derive.Node
		m := t
		if m.Op == derive.OpScale && m.Args[0].Shape.IsScalar() {
			alpha, m = m.Args[0], m.Args[1]
		}
		if p.v == nil && m.Op == derive.OpMul && len(m.Args) == 2 && m.Args[0].Op == derive.OpTranspose &&
			e.uses[t] <= 1 && e.uses[m] <= 1 {
			x := m.Args[0].Args[0]
			if x.Op == derive.OpVar && e.input(x.Name).Kind == spec.Matrix && m.Args[1].Shape.IsCol() {
				p.x, p.v, p.alpha = x, m.Args[1], alpha
				continue
			}
		}
		p.rest = append(p.rest, t)
	}
	if p.v == nil || (p.alpha != nil && derive.Depends(p.alpha, p.x)) {
		return nil
	}
	// u = X w, the one product with X.
	for _, n := range derive.Postorder(p.v) {
		if n.Op == derive.OpMul && len(n.Args) == 2 && n.Args[0] == p.x && n.Args[1].Op == derive.OpVar && n.Args[1].Shape.IsCol() {
			p.u, p.w = n, n.Args[1]
		}
	}
	if p.u == nil || !e.rowLocal(p, p.v) {
		return nil
	}
	for _, t := range p.rest {
		if derive.Depends(t, p.x) {
			return nil
		}
	}
	// f: terms free of X, and sums (maybe scaled) of row-local vectors.
	fterms := []*derive.Node{e.ret}
	if e.ret.Op == derive.OpAdd {
		fterms = e.ret.Args
	}
	for _, t := range fterms {
		if !derive.Depends(t, p.x) {
			continue
		}
		if t.Op == derive.OpScale && !derive.Depends(t.Args[0], p.x) {
			t = t.Args[1]
		}
		if t.Op != derive.OpSum || !e.rowLocal(p, t.Args[0]) {
			return nil
		}
		p.sums = append(p.sums, t)
	}
	// Nothing else may read u or X.
	for _, n := range derive.Postorder(e.roots()...) {
		for _, a := range n.Args {
			if (a == p.u && !p.local[n]) || (a == p.x && n != p.u && n.Op != derive.OpTranspose) {
				return nil
			}
		}
	}
	return p
}

// rowLocal reports whether entry i of the column vector n depends only on
// entry i of u and of inputs with X's row count, and on scalars free of X;
// it records the nodes that depend on u.
func (e *function) rowLocal(p *panelPlan, n *derive.Node) bool {
	if n == p.u {
		return true
	}
	if !derive.Depends(n, p.x) {
		return n.Shape.IsScalar() || (n.Shape.IsCol() && n.Shape.Rows == p.x.Shape.Rows)
	}
	if !n.Shape.IsCol() || n.Shape.Rows != p.x.Shape.Rows || n.Op.Kind != derive.KindElementwise {
		return false
	}
	for _, a := range n.Args {
		if !e.rowLocal(p, a) {
			return false
		}
	}
	p.local[n] = true
	return true
}

// emitPanels writes FGrad by the plan and returns the expression of f.
func (e *function) emitPanels(p *panelPlan) jen.Code {
	o := e.outs[0]
	rows := p.x.Shape.Rows
	// The gradient starts as its terms free of X; the panels add Xᵀ r.
	dst := &val{name: e.scope.fresh(o.param + "Raw")}
	e.stmt(jen.Id(dst.name).Op(":=").Id(o.param).Dot("RawVector").Call())
	switch len(p.rest) {
	case 0:
		e.zero(dst, true)
	case 1:
		e.writeNamed(p.rest[0], dst, dst.name)
	default:
		e.writeNamed(&derive.Node{Op: derive.OpAdd, Args: p.rest, Shape: o.node.Shape}, dst, dst.name)
	}
	xv, wv := e.ensure(p.x), e.ensure(p.w)
	// The panel loop fills u, r and the row-local values read more than
	// once entry by entry, and sums the loss terms; its legality rests on
	// each entry being read after it is written in the same iteration, no
	// sum being read in the loop, and Xᵀ r reading the buffer r was
	// written to, which may be one a joint kernel filled (legality.go).
	fx, restore := e.openBody()
	u := e.fillBuffer(p.u.Shape, e.localName(p.u))
	e.vals[p.u] = u
	e.noteFill(u) // by the panel's X_b w, before its entries are read
	var stored []*derive.Node
	for _, n := range derive.Postorder(append([]*derive.Node{p.v}, p.sums...)...) {
		if p.local[n] && e.uses[n] > 1 {
			stored = append(stored, n)
		}
	}
	accs := make([]string, len(p.sums))
	for k, s := range p.sums {
		accs[k] = e.scope.fresh(e.localName(s))
		e.stmt(jen.Id(accs[k]).Op(":=").Lit(0.0))
	}
	alpha := expr(one)
	if p.alpha != nil {
		alpha = e.scalar(p.alpha)
	}
	panel, r0, r1, xp := e.scope.fresh("panel"), e.scope.fresh("r0"), e.scope.fresh("r1"), e.scope.fresh("Xp")
	e.comment(fmt.Sprintf("%s = %s, %s and the loss terms in row panels of %s, each still in cache for %s' r: %s is read once.",
		e.localName(p.u), e.formula(p.u), e.localName(p.v), p.x.Name, p.x.Name, p.x.Name))
	e.stmt(jen.Id(panel).Op(":=").Qual(runtimePath, "PanelRows").Call(e.dim(p.x.Shape.Cols)))
	// The loop body, entry i of the panel.
	i, first := ident(e.i), intLit(0)
	var entry []jen.Code
	flush := func(s jen.Code) {
		entry = append(entry, e.pre...)
		e.pre = nil
		entry = append(entry, s)
	}
	e.pre = nil
	// store writes entry i of n into a buffer of its own, unless a joint
	// kernel has stored it already.
	store := func(n *derive.Node) {
		if e.vals[n] != nil {
			return
		}
		x := e.expand(n, i, first)
		buf := e.fillBuffer(n.Shape, e.localName(n))
		flush(jen.Add(e.read(n, buf, i, first).code()).Op("=").Add(x.code()))
		e.noteFill(buf)
		e.vals[n] = buf
	}
	for _, n := range stored {
		store(n)
	}
	for k, s := range p.sums {
		flush(jen.Id(accs[k]).Op("+=").Add(e.elem(s.Args[0], i, first).code()))
		e.noteAccumulate(accs[k])
		e.vals[s] = &val{name: accs[k]}
	}
	store(p.v)
	restore()
	e.closeLoop(fx)
	r := e.vals[p.v]
	e.readWhole(r)
	n := e.dim(rows)
	sub := func(v *val) jen.Code {
		return jen.Qual(runtimePath, "SubVector").Call(v.id(), jen.Id(r0), jen.Id(r1))
	}
	e.stmt(jen.For(jen.Id(r0).Op(":=").Lit(0), jen.Id(r0).Op("<").Add(n), jen.Id(r0).Op("+=").Id(panel)).Block(
		jen.Id(r1).Op(":=").Id(r0).Op("+").Id(panel),
		jen.If(jen.Id(r1).Op(">").Add(n)).Block(jen.Id(r1).Op("=").Add(n)),
		jen.Id(xp).Op(":=").Qual(runtimePath, "RowPanel").Call(xv.id(), jen.Id(r0), jen.Id(r1)),
		jen.Qual(blas64Path, "Gemv").Call(jen.Qual(blasPath, "NoTrans"), jen.Lit(1), jen.Id(xp), wv.id(), jen.Lit(0), sub(u)),
		jen.For(jen.Id(e.i).Op(":=").Id(r0), jen.Id(e.i).Op("<").Id(r1), jen.Id(e.i).Op("++")).Block(entry...),
		jen.Qual(blas64Path, "Gemv").Call(jen.Qual(blasPath, "Trans"), alpha.code(), jen.Id(xp), sub(r), jen.Lit(1), dst.id()),
	))
	e.pending = nil
	return e.scalar(e.ret).code()
}
