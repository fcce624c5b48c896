package emit

import (
	"math"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/spec"
)

// scalar returns a Go expression for the scalar node n, emitting the
// statements that compute it first.
func (e *function) scalar(n *derive.Node) jen.Code {
	if n == nil {
		return jen.Lit(0.0)
	}
	if v, ok := e.vals[n]; ok {
		return v.id()
	}
	switch n.Op {
	case derive.OpConst:
		return lit(n.Value)
	case derive.OpVar:
		// A vector(1) or matrix(1, 1) input is 1×1: its one entry.
		switch e.input(n.Name).Kind {
		case spec.Vector:
			return jen.Id(n.Name).Dot("AtVec").Call(jen.Lit(0))
		case spec.Matrix, spec.Symmetric, spec.SPD:
			return jen.Id(n.Name).Dot("At").Call(jen.Lit(0), jen.Lit(0))
		}
		return jen.Id(n.Name)
	}
	v := &val{}
	if n.Op.Kind == derive.KindElementwise {
		x := e.combine(n, e.scalar)
		if e.uses[n] <= 1 && !e.isRoot(n) {
			return x
		}

		v.name = e.scope.fresh(e.localName(n))
		e.stmt(jen.Id(v.name).Op(":=").Add(x))
	} else {
		v.name = e.scope.fresh(e.localName(n))
		if x := e.reduce(n, v.name); x != nil {
			e.stmt(jen.Id(v.name).Op(":=").Add(x))
		}
	}
	e.vals[n] = v
	return v.id()
}

// isRoot reports whether n is the function's value.
func (e *function) isRoot(n *derive.Node) bool { return n == e.fn.Value }

// lit returns a float64 constant, spelling the IEEE specials as the math
// package does.
func lit(v float64) jen.Code {
	switch {
	case math.IsInf(v, 1):
		return jen.Qual(mathPath, "Inf").Call(jen.Lit(1))
	case math.IsInf(v, -1):
		return jen.Qual(mathPath, "Inf").Call(jen.Lit(-1))
	case math.IsNaN(v):
		return jen.Qual(mathPath, "NaN").Call()
	}
	return jen.Lit(v)
}

func (e *function) localName(n *derive.Node) string {
	if e.isRoot(n) {
		return "f"
	}
	return nodeName(n, e.fn.Names)
}

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

// paren wraps compound operand expressions in parentheses.
func paren(n *derive.Node, x jen.Code) jen.Code {
	switch n.Op {
	case derive.OpAdd, derive.OpScale, derive.OpHadamard, derive.OpDiv:
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
	case derive.OpTranspose:
		return e.elem(n.Args[0], j, i)
	case derive.OpBroadcast:
		return e.scalar(n.Args[0])
	case derive.OpEye:
		return jen.Qual(runtimePath, "Kronecker").Call(i, j)
	case derive.OpDiagMat:
		return jen.Qual(runtimePath, "Kronecker").Call(i, j).Op("*").Add(e.elem(n.Args[0], i, jen.Lit(0)))
	case derive.OpDiagVec:
		return e.elem(n.Args[0], i, i)
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
	i, j := jen.Id(e.i), jen.Id(e.j)
	switch {
	case shape.IsCol():
		return forRange(e.i, e.dim(shape.Rows), body(i, jen.Lit(0)))
	case shape.IsRow():
		return forRange(e.i, e.dim(shape.Cols), body(jen.Lit(0), i))
	}
	outerJ, outerTransposed := e.loopJ, e.transposed
	e.loopJ, e.transposed = j, false
	inner := body(i, j)
	transposed := e.transposed
	e.loopJ, e.transposed = outerJ, outerTransposed
	rows, cols := e.dim(shape.Rows), e.dim(shape.Cols)
	if !transposed {
		return forRange(e.i, rows, forRange(e.j, cols, inner))
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
	within := func(v, start, end string, body jen.Code) jen.Code {
		return jen.For(jen.Id(v).Op(":=").Id(start), jen.Id(v).Op("<").Id(end), jen.Id(v).Op("++")).Block(body)
	}
	return step(e.ti, rows, append(end(e.tiEnd, e.ti, rows),
		step(e.tj, cols, append(end(e.tjEnd, e.tj, cols),
			within(e.i, e.ti, e.tiEnd, within(e.j, e.tj, e.tjEnd, inner)))...))...)
}

func forRange(v string, n jen.Code, body jen.Code) jen.Code {
	return jen.For(jen.Id(v).Op(":=").Lit(0), jen.Id(v).Op("<").Add(n), jen.Id(v).Op("++")).Block(body)
}

// buffer declares a workspace-backed value of n's shape.
func (e *function) buffer(shape derive.Shape, base string) *val {
	v := &val{name: e.scope.fresh(base), contiguous: true}
	field := jen.Op("&").Id(e.wsName).Dot(v.name)
	if shape.IsVector() {
		e.stmt(jen.Id(v.name).Op(":=").Qual(runtimePath, "Vec").Call(field, e.dim(shape.Len())))
	} else {
		e.stmt(jen.Id(v.name).Op(":=").Qual(runtimePath, "Mat").Call(field, e.dim(shape.Rows), e.dim(shape.Cols)))
	}
	e.work = append(e.work, workField{v.name, jen.Index().Float64()})
	return v
}

// ensure returns the stored value of the non-scalar node n, computing it
// into a workspace buffer (or viewing an input) the first time.
func (e *function) ensure(n *derive.Node) *val {
	if v, ok := e.vals[n]; ok {
		return v
	}
	var v *val
	if n.Op == derive.OpVar {
		v = e.view(n)
	} else {
		v = e.buffer(n.Shape, e.localName(n))
		e.writeInto(n, v)
	}
	e.vals[n] = v
	return v
}

// view returns the blas64 view of an input.
func (e *function) view(n *derive.Node) *val {
	in := e.input(n.Name)
	switch in.Kind {
	case spec.Vector:
		v := &val{name: e.scope.fresh(n.Name + "Raw")}
		e.stmt(jen.Id(v.name).Op(":=").Id(n.Name).Dot("RawVector").Call())
		return v
	case spec.Symmetric, spec.SPD:
		v := &val{name: e.scope.fresh(n.Name + "Raw"), sym: true}
		e.stmt(jen.Id(v.name).Op(":=").Id(n.Name).Dot("RawSymmetric").Call())
		return v
	}
	v := &val{name: e.scope.fresh(n.Name + "Raw")}
	e.stmt(jen.Id(v.name).Op(":=").Id(n.Name).Dot("RawMatrix").Call())
	return v
}

func (e *function) input(name string) *derive.Input {
	for _, in := range e.fn.Inputs {
		if in.Name == name {
			return in
		}
	}
	panic("emit: no input " + name)
}

// writeInto computes the non-scalar node n into the stored value dst.
func (e *function) writeInto(n *derive.Node, dst *val) {
	e.writeNamed(n, dst, dst.name)
}

// formula prints n for a comment, spelling out n itself even when it is a
// named let.
func (e *function) formula(n *derive.Node) string {
	return derive.Format(n, derive.Plain, without(e.fn.Names, n))
}

// writeNamed is writeInto with the name comments use for dst.
func (e *function) writeNamed(n *derive.Node, dst *val, label string) {
	note := jen.Comment(label + " = " + e.formula(n))
	if v, stored := e.vals[n]; stored { // computed already: copy it
		e.stmt(note)
		e.stmt(e.loop(n.Shape, func(i, j jen.Code) jen.Code {
			return jen.Add(e.read(n, dst, i, j)).Op("=").Add(e.read(n, v, i, j))
		}))
		return
	}
	switch {
	case n.Op == derive.OpMul:
		e.product(n.Args, nil, dst, note)
		return
	case n.Op == derive.OpScale && n.Args[1].Op == derive.OpMul && e.uses[n.Args[1]] <= 1:
		e.product(n.Args[1].Args, e.scalar(n.Args[0]), dst, note)
		return
	case n.Op == derive.OpCofactor:
		a := e.asGeneral(e.operand(n.Args[0]))
		field := e.scope.fresh("cof" + capitalise(e.localName(n.Args[0])))
		e.work = append(e.work, workField{field, jen.Qual(runtimePath, "Cofactor")})
		e.stmt(note)
		e.stmt(jen.Id(e.wsName).Dot(field).Dot("CofactorTo").Call(dst.id(), a.v.id()))
		return
	case n.Op == derive.OpInv:
		f := e.factorOf(n.Args[0])
		e.stmt(note)
		e.stmt(f.Dot("InverseTo").Call(dst.id()))
		return
	case n.Op == derive.OpAdd:
		if e.sumWithProducts(n, dst, note) {
			return
		}
	}
	// Build the body first: it may emit the statements that compute operands.
	var body jen.Code
	loop := e.loop(n.Shape, func(i, j jen.Code) jen.Code {
		body = jen.Add(e.read(n, dst, i, j)).Op("=").Add(e.expand(n, i, j))
		return body
	})
	e.stmt(note)
	e.stmt(loop)
}

// sumWithProducts writes a sum that has product terms used nowhere else:
// the other terms in one loop, then each product added by its BLAS call
// with beta = 1, so no product needs a buffer of its own. It reports
// whether n had such terms.
func (e *function) sumWithProducts(n *derive.Node, dst *val, note jen.Code) bool {
	type term struct {
		factors []*derive.Node
		alpha   jen.Code
	}
	var products []term
	var rest []*derive.Node
	for _, t := range n.Args {
		switch {
		case t.Op == derive.OpMul && e.uses[t] <= 1:
			products = append(products, term{t.Args, nil})
		case t.Op == derive.OpScale && t.Args[1].Op == derive.OpMul && e.uses[t] <= 1 && e.uses[t.Args[1]] <= 1:
			products = append(products, term{t.Args[1].Args, e.scalar(t.Args[0])})
		default:
			rest = append(rest, t)
		}
	}
	if len(products) == 0 {
		return false
	}
	e.stmt(note)
	accumulate := false
	switch len(rest) {
	case 0:
	case 1:
		e.writeNamed(rest[0], dst, dst.name)
		accumulate = true
	default:
		e.writeNamed(&derive.Node{Op: derive.OpAdd, Args: rest, Shape: n.Shape}, dst, dst.name)
		accumulate = true
	}
	for _, p := range products {
		e.productInto(p.factors, p.alpha, dst, nil, accumulate)
		accumulate = true
	}
	return true
}

// zero clears dst.
func (e *function) zero(dst *val, vector bool) {
	if vector {
		e.stmt(jen.For(jen.Id(e.i).Op(":=").Lit(0), jen.Id(e.i).Op("<").Id(dst.name).Dot("N"), jen.Id(e.i).Op("++")).Block(
			jen.Id(dst.name).Dot("Data").Index(jen.Id(e.i).Op("*").Id(dst.name).Dot("Inc")).Op("=").Lit(0)))
		return
	}
	e.stmt(jen.Qual(runtimePath, "ZeroMatrix").Call(dst.id()))
}

// general returns the value of the matrix node n as a blas64.General,
// expanding a symmetric input into a workspace matrix the first time a
// kernel needs both triangles.
func (e *function) general(n *derive.Node) *val {
	v := e.ensure(n)
	if !v.sym {
		return v
	}
	if full, ok := e.fulls[n]; ok {
		return full
	}
	full := e.buffer(n.Shape, n.Name+"Full")
	e.stmt(jen.Qual(runtimePath, "SymmetricToGeneral").Call(full.id(), v.id()))
	e.fulls[n] = full
	return full
}

// operand is a factor of a product as BLAS sees it: a stored value and
// whether it is used transposed.
type operand struct {
	v     *val
	trans bool
	shape derive.Shape
	inv   *derive.Node // when set, the operand is inv(inv) (or its transpose), applied by solving
	node  *derive.Node // the stored node v holds
}

// factor returns the operand n of a product, leaving an inverse that is
// used nowhere else to be applied by a solve.
func (e *function) factor(n *derive.Node) operand {
	inv, trans := n, false
	if n.Op == derive.OpTranspose {
		inv, trans = n.Args[0], true
	}
	if _, stored := e.vals[inv]; inv.Op == derive.OpInv && !stored && e.uses[inv] == 1 {
		return operand{trans: trans, shape: n.Shape, inv: inv.Args[0]}
	}
	return e.operand(n)
}

// stored returns o as a stored value, forming an inverse it would solve with.
func (e *function) stored(o operand) operand {
	if o.inv == nil {
		return o
	}
	inv := e.fn.Graph.Unary(derive.OpInv, o.inv)
	return operand{v: e.ensure(inv), trans: o.trans, shape: o.shape, node: inv}
}

func (e *function) operand(n *derive.Node) operand {
	if n.Op == derive.OpTranspose {
		return operand{v: e.ensure(n.Args[0]), trans: true, shape: n.Shape, node: n.Args[0]}
	}
	return operand{v: e.ensure(n), shape: n.Shape, node: n}
}

func transFlag(t bool) jen.Code {
	if t {
		return jen.Qual(blasPath, "Trans")
	}
	return jen.Qual(blasPath, "NoTrans")
}

// product computes alpha times the product of fs into dst (a stored value,
// or nil for a scalar result, which it returns).
func (e *function) product(fs []*derive.Node, alpha jen.Code, dst *val, note jen.Code) jen.Code {
	return e.productInto(fs, alpha, dst, note, false)
}

// productInto is product; with accumulate set it adds the product to dst
// (BLAS beta = 1) instead of overwriting it.
func (e *function) productInto(fs []*derive.Node, alpha jen.Code, dst *val, note jen.Code, accumulate bool) jen.Code {
	if alpha == nil {
		alpha = jen.Lit(1)
	}
	fs = e.regroup(fs)
	ops := make([]operand, len(fs))
	for k, f := range fs {
		ops[k] = e.factor(f)
	}
	if note != nil {
		e.stmt(note)
	}
	if len(fs) == 3 && e.spdSandwich(fs, alpha, dst, accumulate) {
		return nil
	}
	if len(ops) >= 3 && e.chainAtRunTime(ops, alpha, dst, accumulate) {
		return nil
	}
	// Multiply from the right when the chain ends in a column vector, so
	// every intermediate is a vector; otherwise from the left.
	fromRight := fs[len(fs)-1].Shape.IsCol()
	for len(ops) > 2 {
		var l, r operand
		if fromRight {
			l, r = ops[len(ops)-2], ops[len(ops)-1]
		} else {
			l, r = ops[0], ops[1]
		}
		shape := derive.Shape{Rows: l.shape.Rows, Cols: r.shape.Cols}
		tmp := e.buffer(shape, "prod")
		e.pair(l, r, jen.Lit(1), tmp, false)
		next := operand{v: tmp, shape: shape}
		if fromRight {
			ops = append(ops[:len(ops)-2], next)
		} else {
			ops = append([]operand{next}, ops[2:]...)
		}
	}
	return e.pair(ops[0], ops[1], alpha, dst, accumulate)
}

// regroup rewrites a product chain to reuse products: a palindrome
// Rᵀ M R (or Rᵀ R) becomes Yᵀ M Y with Y = R formed once, and a run of
// factors whose product is already computed becomes that value. So
// tr(Bᵀ Xᵀ C X B) forms X B once, and its gradient (C + Cᵀ) X B Bᵀ reuses it.
func (e *function) regroup(fs []*derive.Node) []*derive.Node {
	g := e.fn.Graph
	k := len(fs)
	for h := k / 2; h >= 2; h-- {
		palindrome := true
		for i := 0; i < h && palindrome; i++ {
			palindrome = fs[i] == g.T(fs[k-1-i])
		}
		if palindrome {
			// Form the half that is already formed, if either is: X B for
			// both Bᵀ Xᵀ C X B and X B Bᵀ Xᵀ.
			if y := g.Mul(fs[:h]...); e.vals[y] != nil {
				out := append([]*derive.Node{y}, fs[h:k-h]...)
				return append(out, g.TransposeOf(y))
			}
			y := g.Mul(fs[k-h:]...)
			e.ensure(y)
			out := append([]*derive.Node{g.TransposeOf(y)}, fs[h:k-h]...)
			return append(out, y)
		}
	}
	for length := k - 1; length >= 2; length-- {
		for i := 0; i+length <= k; i++ {
			run := g.Mul(fs[i : i+length]...)
			var reuse *derive.Node
			if _, stored := e.vals[run]; stored {
				reuse = run
			} else if y := g.T(run); y.Op == derive.OpMul {
				if _, stored := e.vals[y]; stored { // the run is the transpose of a formed product
					reuse = g.TransposeOf(y)
				}
			}
			if reuse != nil {
				out := append(append([]*derive.Node{}, fs[:i]...), reuse)
				return e.regroup(append(out, fs[i+length:]...))
			}
		}
	}
	return fs
}

// spdSandwich emits Rᵀ C R for an spd input C through C's Cholesky factor
// (runtime.Cholesky.SandwichTo: a triangular multiply and a rank-k update,
// half the flops of two products); it reports whether fs had that form.
func (e *function) spdSandwich(fs []*derive.Node, alpha jen.Code, dst *val, accumulate bool) bool {
	c, r := fs[1], fs[2]
	if c.Op != derive.OpVar || e.input(c.Name).Kind != spec.SPD || fs[0] != e.fn.Graph.T(r) || !r.Shape.IsMatrix() {
		return false
	}
	o := e.asGeneral(e.stored(e.factor(r)))
	if o.trans {
		return false
	}
	beta := jen.Lit(0.0)
	if accumulate {
		beta = jen.Lit(1.0)
	}
	f := e.factorOf(c)
	e.stmt(f.Dot("SandwichTo").Call(dst.id(), alpha, o.v.id(), beta))
	return true
}

// chainAtRunTime emits a product of three or more matrices through
// runtime.Chain, which picks the cheapest order for the sizes of the call;
// it reports whether it did.
func (e *function) chainAtRunTime(ops []operand, alpha jen.Code, dst *val, accumulate bool) bool {
	for _, o := range ops {
		if o.inv != nil || !o.shape.IsMatrix() {
			return false
		}
	}
	var mats, trans []jen.Code
	for i := range ops {
		o := e.asGeneral(e.stored(ops[i]))
		mats = append(mats, o.v.id())
		trans = append(trans, jen.Lit(o.trans))
	}
	beta := jen.Lit(0.0)
	if accumulate {
		beta = jen.Lit(1.0)
	}
	field := e.scope.fresh("chain")
	e.work = append(e.work, workField{field, jen.Qual(runtimePath, "Chain")})
	e.comment("Multiply in the cheapest order for these sizes.")
	e.stmt(jen.Id(e.wsName).Dot(field).Dot("MulTo").Call(dst.id(), alpha, beta,
		jen.Index().Qual(blas64Path, "General").Values(mats...), jen.Index().Bool().Values(trans...)))
	return true
}

// pair emits the one BLAS call (or solve) for alpha·l·r into dst, or
// added to dst when accumulate is set.
func (e *function) pair(l, r operand, alpha jen.Code, dst *val, accumulate bool) jen.Code {
	if !accumulate && e.solve(l, r, alpha, dst) {
		return nil
	}
	beta := jen.Lit(0)
	if accumulate {
		beta = jen.Lit(1)
	}
	l, r = e.stored(l), e.stored(r)
	if e.symmetricProduct(l, r, alpha, beta, dst) {
		return nil
	}
	l, r = e.asGeneral(l), e.asGeneral(r)
	ls, rs := l.shape, r.shape
	blas := func(name string, args ...jen.Code) { e.stmt(jen.Qual(blas64Path, name).Call(args...)) }
	switch {
	case ls.IsRow() && rs.IsCol():
		dot := jen.Qual(blas64Path, "Dot").Call(l.v.id(), r.v.id())
		if dst == nil {
			if isOne(alpha) {
				return dot
			}
			return jen.Add(alpha).Op("*").Add(dot)
		}
		e.stmt(jen.Id(dst.name).Dot("Data").Index(jen.Lit(0)).Op("=").Add(alpha).Op("*").Add(dot))
	case ls.IsMatrix() && rs.IsCol():
		blas("Gemv", transFlag(l.trans), alpha, l.v.id(), r.v.id(), beta, dst.id())
	case ls.IsRow() && rs.IsMatrix():
		blas("Gemv", transFlag(!r.trans), alpha, r.v.id(), l.v.id(), beta, dst.id())
	case ls.IsCol() && rs.IsRow():
		if !accumulate {
			e.zero(dst, false)
		}
		blas("Ger", alpha, l.v.id(), r.v.id(), dst.id())
	case l.trans && r.trans:
		// Aᵀ Bᵀ = (B A)ᵀ: gonum's Gemm is far slower with both operands
		// transposed, so form B A and transpose it in one pass.
		t := e.buffer(derive.Shape{Rows: rs.Cols, Cols: ls.Rows}, "prod")
		blas("Gemm", transFlag(false), transFlag(false), alpha, r.v.id(), l.v.id(), jen.Lit(0), t.id())
		op := "="
		if accumulate {
			op = "+="
		}
		e.stmt(e.loop(derive.Shape{Rows: ls.Rows, Cols: rs.Cols}, func(i, j jen.Code) jen.Code {
			return jen.Add(e.readAt(dst, i, j)).Op(op).Add(e.readAt(t, j, i))
		}))
	default:
		blas("Gemm", transFlag(l.trans), transFlag(r.trans), alpha, l.v.id(), r.v.id(), beta, dst.id())
	}
	return nil
}

// symmetricProduct emits alpha·l·r with Symm or Symv when one factor is a
// symmetric input (its stored triangle, no expansion) and the other a
// plain matrix or vector; it reports whether it did.
func (e *function) symmetricProduct(l, r operand, alpha, beta jen.Code, dst *val) bool {
	call := func(name string, args ...jen.Code) bool {
		e.stmt(jen.Qual(blas64Path, name).Call(args...))
		return true
	}
	switch {
	case l.v.sym && !r.v.sym && r.shape.IsCol():
		return call("Symv", alpha, l.v.id(), r.v.id(), beta, dst.id())
	case r.v.sym && !l.v.sym && l.shape.IsRow():
		return call("Symv", alpha, r.v.id(), l.v.id(), beta, dst.id())
	case l.v.sym && !r.v.sym && r.shape.IsMatrix() && !r.trans:
		return call("Symm", jen.Qual(blasPath, "Left"), alpha, l.v.id(), r.v.id(), beta, dst.id())
	case r.v.sym && !l.v.sym && l.shape.IsMatrix() && !l.trans:
		return call("Symm", jen.Qual(blasPath, "Right"), alpha, r.v.id(), l.v.id(), beta, dst.id())
	}
	return false
}

// asGeneral returns o with a symmetric input expanded to a general matrix.
func (e *function) asGeneral(o operand) operand {
	if o.v.sym {
		o.v = e.fulls[o.node]
		if o.v == nil {
			o.v = e.general(o.node)
		}
	}
	return o
}

// solve emits inv(A)·r as a solve with A's factorisation when l is an
// inverse and r a stored value, or l·inv(A) when l is a row vector; it
// reports whether it did.
func (e *function) solve(l, r operand, alpha jen.Code, dst *val) bool {
	var a *derive.Node
	var trans bool
	var b operand
	switch {
	case l.inv != nil && r.inv == nil && !r.trans && dst != nil:
		a, trans, b = l.inv, l.trans, r
	case r.inv != nil && l.inv == nil && l.shape.IsRow() && dst != nil:
		a, trans, b = r.inv, !r.trans, l // l' A⁻¹ = (A⁻ᵀ l)'
	default:
		return false
	}
	b = e.asGeneral(e.stored(b))
	f := e.factorOf(a)
	args := []jen.Code{dst.id()}
	if !e.facts[a].spd {
		args = append(args, jen.Lit(trans))
	}
	args = append(args, b.v.id())
	if b.shape.IsVector() {
		e.stmt(f.Dot("SolveVecTo").Call(args...))
	} else {
		e.stmt(f.Dot("SolveTo").Call(args...))
	}
	if !isOne(alpha) {
		e.scaleInPlace(dst, b.shape, alpha)
	}
	return true
}

// scaleInPlace multiplies the stored value dst by alpha.
func (e *function) scaleInPlace(dst *val, shape derive.Shape, alpha jen.Code) {
	if shape.IsVector() {
		e.stmt(jen.Qual(blas64Path, "Scal").Call(alpha, dst.id()))
		return
	}
	e.stmt(forRange(e.i, jen.Id(dst.name).Dot("Rows"), forRange(e.j, jen.Id(dst.name).Dot("Cols"),
		jen.Id(dst.name).Dot("Data").Index(jen.Id(e.i).Op("*").Id(dst.name).Dot("Stride").Op("+").Id(e.j)).Op("*=").Add(alpha))))
}

func isOne(x jen.Code) bool {
	s, ok := x.(*jen.Statement)
	return ok && s.GoString() == "1"
}

// reduce returns the expression of a scalar-valued non-elementwise node,
// or nil when it has summed it in a loop into the local name.
func (e *function) reduce(n *derive.Node, name string) jen.Code {
	x := n.Args
	switch n.Op {
	case derive.OpMul:
		return e.product(x, nil, nil, nil)
	case derive.OpSum:
		return e.accumulate(x[0].Shape, func(i, j jen.Code) jen.Code { return e.elem(x[0], i, j) }, name)
	case derive.OpTr:
		if x[0].Op == derive.OpMul && e.uses[x[0]] <= 1 {
			// tr(P F) = Σᵢⱼ Pᵢⱼ Fⱼᵢ: no product is formed.
			fs := e.regroup(x[0].Args)
			if first := fs[0]; first.Op == derive.OpTranspose {
				// tr(Wᵀ P) = Σᵢⱼ Wᵢⱼ Pᵢⱼ: both read in storage order.
				p := e.fn.Graph.Mul(fs[1:]...)
				return e.accumulate(p.Shape, func(i, j jen.Code) jen.Code {
					return jen.Add(e.elem(first.Args[0], i, j)).Op("*").Add(e.elem(p, i, j))
				}, name)
			}
			p := e.fn.Graph.Mul(fs[:len(fs)-1]...)
			last := fs[len(fs)-1]
			return e.accumulate(p.Shape, func(i, j jen.Code) jen.Code {
				return jen.Add(e.elem(p, i, j)).Op("*").Add(e.elem(last, j, i))
			}, name)
		}
		return e.accumulate(derive.Col(x[0].Shape.Rows), func(i, _ jen.Code) jen.Code { return e.elem(x[0], i, i) }, name)
	case derive.OpNorm2:
		if x[0].Shape.IsVector() {
			return jen.Qual(blas64Path, "Nrm2").Call(e.operand(x[0]).v.id())
		}
		return jen.Qual(runtimePath, "Norm").Call(e.asGeneral(e.operand(x[0])).v.id())
	case derive.OpLogSumExp:
		v := e.asGeneral(e.operand(x[0])).v.id()
		if x[0].Shape.IsVector() {
			v = jen.Qual(runtimePath, "Column").Call(v)
		}
		return jen.Qual(runtimePath, "LogSumExp").Call(v)
	case derive.OpDet:
		return e.factorOf(x[0]).Dot("Det").Call()
	case derive.OpLogDet:
		f := e.factorOf(x[0])
		if e.facts[x[0]].spd {
			return f.Dot("LogDet").Call()
		}
		return f.Dot("LogAbsDet").Call()
	}
	panic("emit: no lowering for " + n.Op.Name + " " + n.Shape.String() + ": " + derive.Format(n, derive.Plain, nil))
}

// accumulate emits a loop summing term over shape into the new local acc.
func (e *function) accumulate(shape derive.Shape, term func(i, j jen.Code) jen.Code, acc string) jen.Code {
	var body jen.Code
	loop := e.loop(shape, func(i, j jen.Code) jen.Code {
		body = jen.Id(acc).Op("+=").Add(term(i, j))
		return body
	})
	e.stmt(jen.Id(acc).Op(":=").Lit(0.0))
	e.stmt(loop)
	return nil
}

// factorOf returns the workspace factorisation of the square node x:
// Cholesky for spd inputs, LU otherwise, computed once per call.
func (e *function) factorOf(x *derive.Node) *jen.Statement {
	if f, ok := e.facts[x]; ok {
		return jen.Id(e.wsName).Dot(f.field)
	}
	spd := x.Op == derive.OpVar && e.input(x.Name).Kind == spec.SPD
	f := &factor{spd: spd}
	if spd {
		f.field = e.scope.fresh("chol" + capitalise(e.localName(x)))
		e.work = append(e.work, workField{f.field, jen.Qual(runtimePath, "Cholesky")})
		e.stmt(jen.Id(e.wsName).Dot(f.field).Dot("Factorize").Call(jen.Id(x.Name).Dot("RawSymmetric").Call()))
	} else {
		a := e.asGeneral(e.operand(x))
		src := a.v.id()
		if a.trans {
			panic("emit: factorising a transpose")
		}
		f.field = e.scope.fresh("lu" + capitalise(e.localName(x)))
		e.work = append(e.work, workField{f.field, jen.Qual(runtimePath, "LU")})
		e.stmt(jen.Id(e.wsName).Dot(f.field).Dot("Factorize").Call(src))
	}
	e.facts[x] = f
	return jen.Id(e.wsName).Dot(f.field)
}

// writeGradient writes the gradient g of input w into the destination
// parameter d.
func (e *function) writeGradient(w *derive.Input, g *derive.Node, d string) {
	switch {
	case w.Kind == spec.Scalar:
		e.stmt(jen.Op("*").Id(d).Op("=").Add(e.scalar(g)))
		return
	case w.Shape.IsScalar(): // vector(1), matrix(1, 1)
		set := map[spec.TypeKind]string{spec.Vector: "SetVec", spec.Matrix: "Set", spec.Symmetric: "SetSym", spec.SPD: "SetSym"}[w.Kind]
		idx := []jen.Code{jen.Lit(0)}
		if w.Kind != spec.Vector {
			idx = append(idx, jen.Lit(0))
		}
		e.stmt(jen.Id(d).Dot(set).Call(append(idx, e.scalar(g))...))
		return
	}
	switch w.Kind {
	case spec.Symmetric, spec.SPD:
		if g == nil {
			e.stmt(jen.Id(d).Dot("Zero").Call())
			return
		}
		// The symmetric gradient (G + G')/2: form G, then symmetrise.
		full := g
		if g.Op == derive.OpScale && g.Args[0].IsConst(0.5) && g.Args[1].Op == derive.OpAdd && len(g.Args[1].Args) == 2 {
			full = g.Args[1].Args[0]
		}
		v := e.ensure(full)
		e.stmt(jen.Qual(runtimePath, "SymmetrizeTo").Call(jen.Id(d).Dot("RawSymmetric").Call(), v.id()))
		return
	}
	if g == nil {
		e.stmt(jen.Id(d).Dot("Zero").Call())
		return
	}
	dst := &val{name: e.scope.fresh(d + "Raw")}
	if w.Kind == spec.Vector {
		e.stmt(jen.Id(dst.name).Op(":=").Id(d).Dot("RawVector").Call())
	} else {
		e.stmt(jen.Id(dst.name).Op(":=").Id(d).Dot("RawMatrix").Call())
	}
	if v, ok := e.vals[g]; ok || g.Op == derive.OpVar || e.uses[g] > 1 {
		v = e.ensure(g)
		e.stmt(e.loop(g.Shape, func(i, j jen.Code) jen.Code {
			return jen.Add(e.read(g, dst, i, j)).Op("=").Add(e.read(g, v, i, j))
		}))
		return
	}
	e.writeNamed(g, dst, d)
	e.vals[g] = dst
}
