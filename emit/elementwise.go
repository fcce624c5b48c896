package emit

import (
	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
)

// combine returns the expression of the elementwise node n from the
// expressions of its operands.
func (e *function) combine(n *derive.Node, arg func(*derive.Node) jen.Code) jen.Code {
	a := n.Args
	switch n.Op {
	case derive.OpAdd:
		x := jen.Add(arg(a[0]))
		for _, t := range a[1:] {
			if c, rest := negated(t); c {
				x = x.Op("-").Add(paren(rest, arg(rest)))
			} else {
				x = x.Op("+").Add(arg(t))
			}
		}
		return x
	case derive.OpScale:
		if a[0].IsConst(-1) {
			return jen.Op("-").Add(paren(a[1], arg(a[1])))
		}
		return jen.Add(paren(a[0], arg(a[0]))).Op("*").Add(paren(a[1], arg(a[1])))
	case derive.OpHadamard:
		return jen.Add(paren(a[0], arg(a[0]))).Op("*").Add(paren(a[1], arg(a[1])))
	case derive.OpDiv:
		return jen.Add(paren(a[0], arg(a[0]))).Op("/").Add(paren(a[1], arg(a[1])))
	case derive.OpPow:
		base := arg(a[0])
		if _, stored := e.vals[a[0]]; a[1].IsConst(2) && (stored || simple(a[0])) {
			return jen.Add(base).Op("*").Add(arg(a[0]))
		}
		return jen.Qual(mathPath, "Pow").Call(base, e.scalar(a[1]))
	}
	return n.Op.Go(arg(a[0]))
}

// negated reports whether t is -1 times rest.
func negated(t *derive.Node) (bool, *derive.Node) {
	if t.Op == derive.OpBroadcast {
		t = t.Args[0]
	}
	if t.Op == derive.OpScale && t.Args[0].IsConst(-1) {
		return true, t.Args[1]
	}
	return false, nil
}

// simple reports whether n reads as a plain name or entry (cheap to repeat).
func simple(n *derive.Node) bool {
	return n.Op == derive.OpVar || n.Op == derive.OpConst || n.Op.Kind == derive.KindProduct || n.Op.Kind == derive.KindReduce
}

// paren wraps compound operand expressions in parentheses. An entry of a
// transpose, a diagonal or a broadcast is an entry of its argument, so it
// is compound when the argument is; an entry of diag(v) is a product.
func paren(n *derive.Node, x jen.Code) jen.Code {
	switch n.Op {
	case derive.OpTranspose, derive.OpDiagVec:
		return paren(n.Args[0], x)
	case derive.OpBroadcast:
		if n.Args[0].Op != derive.OpConst { // a literal needs none, -1.0 included
			return paren(n.Args[0], x)
		}
	case derive.OpAdd, derive.OpScale, derive.OpHadamard, derive.OpDiv, derive.OpDiagMat:
		return jen.Parens(x)
	case derive.OpConst:
		if n.Value < 0 {
			return jen.Parens(x)
		}
	}
	return x
}

// inline reports whether the elementwise node n is computed inside the
// loop of its only consumer rather than stored.
func (e *function) inline(n *derive.Node) bool {
	return n.Op.Kind == derive.KindElementwise && e.uses[n] <= 1 && !n.Shape.IsScalar()
}

// elem returns the expression of entry (i, j) of n; vectors use i when
// they are columns and j when rows.
func (e *function) elem(n *derive.Node, i, j jen.Code) jen.Code {
	if n.Shape.IsScalar() {
		return e.scalar(n)
	}
	if v, ok := e.vals[n]; ok {
		return e.read(n, v, i, j)
	}
	if n.Op.Kind == derive.KindLayout || n.Op == derive.OpEye || e.inline(n) {
		return e.expand(n, i, j)
	}
	return e.read(n, e.ensure(n), i, j)
}

// expand returns entry (i, j) of n computed from its operands' entries.
func (e *function) expand(n *derive.Node, i, j jen.Code) jen.Code {
	switch n.Op {
	case derive.OpConst:
		return lit(n.Value)
	case derive.OpTranspose:
		return e.elem(n.Args[0], j, i)
	case derive.OpBroadcast:
		return e.scalar(n.Args[0])
	case derive.OpEye:
		return jen.Qual(runtimePath, "Kronecker").Call(i, j)
	case derive.OpDiagMat:
		return jen.Qual(runtimePath, "Kronecker").Call(i, j).Op("*").Add(paren(n.Args[0], e.elem(n.Args[0], i, jen.Lit(0))))
	case derive.OpDiagVec:
		return e.elem(n.Args[0], i, i)
	}
	if x := e.joint(n, i, j); x != nil {
		return x
	}
	return e.combine(n, func(a *derive.Node) jen.Code { return e.elem(a, i, j) })
}

// read returns entry (i, j) of the stored value v of n.
func (e *function) read(n *derive.Node, v *val, i, j jen.Code) jen.Code {
	if v.sym {
		return jen.Qual(runtimePath, "SymAt").Call(v.id(), i, j)
	}
	if i == e.loopJ && !n.Shape.IsVector() {
		e.transposed = true // read against the loop's order
	}
	if n.Shape.IsVector() {
		k := i
		if n.Shape.IsRow() {
			k = j
		}
		if v.contiguous {
			return v.id().Dot("Data").Index(k)
		}
		return v.id().Dot("Data").Index(jen.Add(k).Op("*").Id(v.name).Dot("Inc"))
	}
	return v.id().Dot("Data").Index(jen.Add(i).Op("*").Id(v.name).Dot("Stride").Op("+").Add(j))
}

// readAt returns entry (i, j) of the stored matrix v.
func (e *function) readAt(v *val, i, j jen.Code) jen.Code {
	return v.id().Dot("Data").Index(jen.Add(i).Op("*").Id(v.name).Dot("Stride").Op("+").Add(j))
}

// loop returns a loop over the entries of shape; body gets the indices.
// A matrix loop that reads a stored matrix transposed runs over tiles of
// tileSize×tileSize entries, so both access orders stay in cache.
const tileSize = 64

func (e *function) loop(shape derive.Shape, body func(i, j jen.Code) jen.Code) jen.Code {
	inner, transposed := e.loopBody(shape, body)
	return e.loopOver(shape, transposed, inner)
}

// loopBody builds the body of a loop over shape, and reports whether it
// reads a stored matrix against the loop's order.
func (e *function) loopBody(shape derive.Shape, body func(i, j jen.Code) jen.Code) (jen.Code, bool) {
	i, j := jen.Id(e.i), jen.Id(e.j)
	outerPre := e.pre
	e.pre = nil
	defer func() { e.pre = outerPre }()
	switch {
	case shape.IsCol():
		return e.withPre(body(i, jen.Lit(0))), false
	case shape.IsRow():
		return e.withPre(body(jen.Lit(0), i)), false
	}
	outerJ, outerTransposed := e.loopJ, e.transposed
	e.loopJ, e.transposed = j, false
	inner := e.withPre(body(i, j))
	transposed := e.transposed
	e.loopJ, e.transposed = outerJ, outerTransposed
	return inner, transposed
}

// withPre returns inner preceded by the statements the body asked to run
// first in each iteration (a joint kernel's call).
func (e *function) withPre(inner jen.Code) jen.Code {
	if len(e.pre) == 0 {
		return inner
	}
	s := jen.Add(e.pre[0])
	for _, p := range e.pre[1:] {
		s.Line().Add(p)
	}
	return s.Line().Add(inner)
}

// joint returns entry (i, j) of the elementwise node n when its operator
// has a joint kernel and the partner function of the same argument is
// needed later: one call computes both, and the partner's entry is
// stored for its readers. It returns nil otherwise.
func (e *function) joint(n *derive.Node, i, j jen.Code) jen.Code {
	jt := n.Op.Joint
	if jt == nil || n.Shape.IsScalar() {
		return nil
	}
	partner := e.fn.Graph.Find(jt.With, n.Args[0])
	if partner == nil || e.uses[partner] == 0 || e.vals[partner] != nil {
		return nil
	}
	buf := e.buffer(partner.Shape, e.localName(partner))
	e.vals[partner] = buf
	x := e.elem(n.Args[0], i, j)
	mine, theirs := e.scope.fresh(n.Op.Name), e.scope.fresh(jt.With.Name)
	e.pre = append(e.pre,
		jen.List(jen.Id(mine), jen.Id(theirs)).Op(":=").Add(jt.Go(x)),
		jen.Add(e.read(partner, buf, i, j)).Op("=").Id(theirs))
	return jen.Id(mine)
}

// loopOver returns the loop over the entries of shape running inner, in
// tiles when tiled.
func (e *function) loopOver(shape derive.Shape, tiled bool, inner ...jen.Code) jen.Code {
	switch {
	case shape.IsCol():
		return forRange(e.i, e.dim(shape.Rows), inner...)
	case shape.IsRow():
		return forRange(e.i, e.dim(shape.Cols), inner...)
	}
	rows, cols := e.dim(shape.Rows), e.dim(shape.Cols)
	if !tiled {
		return forRange(e.i, rows, forRange(e.j, cols, inner...))
	}
	if e.ti == "" {
		e.ti, e.tj, e.tiEnd, e.tjEnd = e.scope.fresh("ii"), e.scope.fresh("jj"), e.scope.fresh("iEnd"), e.scope.fresh("jEnd")
	}
	step := func(v string, n jen.Code, body ...jen.Code) jen.Code {
		return jen.For(jen.Id(v).Op(":=").Lit(0), jen.Id(v).Op("<").Add(n), jen.Id(v).Op("+=").Lit(tileSize)).Block(body...)
	}
	end := func(end, start string, n jen.Code) []jen.Code {
		return []jen.Code{
			jen.Id(end).Op(":=").Id(start).Op("+").Lit(tileSize),
			jen.If(jen.Id(end).Op(">").Add(n)).Block(jen.Id(end).Op("=").Add(n)),
		}
	}
	within := func(v, start, end string, body ...jen.Code) jen.Code {
		return jen.For(jen.Id(v).Op(":=").Id(start), jen.Id(v).Op("<").Id(end), jen.Id(v).Op("++")).Block(body...)
	}
	return step(e.ti, rows, append(end(e.tiEnd, e.ti, rows),
		step(e.tj, cols, append(end(e.tjEnd, e.tj, cols),
			within(e.i, e.ti, e.tiEnd, within(e.j, e.tj, e.tjEnd, inner...)))...))...)
}

// pendingLoop is the last statement emitted, when it is a loop that a next
// loop over the same shape may join.
type pendingLoop struct {
	shape derive.Shape
	at    int        // its index in e.body
	inner []jen.Code // its body
	tiled bool
}

// fusedLoop emits pre and then a loop over shape; when the statement just
// emitted is a loop over the same shape, the new body joins it instead (pre
// goes before it), so work on the same entries is one pass: a value formed
// entry by entry and a sum of it, say. Each body reads what earlier bodies
// wrote only at its own entry: a body that reads a matrix transposed starts
// a loop of its own.
func (e *function) fusedLoop(shape derive.Shape, pre []jen.Code, body func(i, j jen.Code) jen.Code) {
	inner, transposed := e.loopBody(shape, body)
	if p := e.pending; p != nil && p.at == len(e.body)-1 && p.shape == shape && !transposed {
		rest := append(append([]jen.Code{}, pre...), e.body[p.at:]...)
		e.body = append(e.body[:p.at], rest...)
		p.at += len(pre)
		p.inner = append(p.inner, inner)
		e.body[p.at] = e.loopOver(shape, p.tiled, p.inner...)
		return
	}
	e.body = append(e.body, pre...)
	e.body = append(e.body, e.loopOver(shape, transposed, inner))
	e.pending = &pendingLoop{shape: shape, at: len(e.body) - 1, inner: []jen.Code{inner}, tiled: transposed}
}

func forRange(v string, n jen.Code, body ...jen.Code) jen.Code {
	return jen.For(jen.Id(v).Op(":=").Lit(0), jen.Id(v).Op("<").Add(n), jen.Id(v).Op("++")).Block(body...)
}
