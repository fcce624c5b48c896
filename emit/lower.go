package emit

import (
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
	"github.com/gradgen/gradgen/spec"
)

// scalar returns a Go expression for the scalar node n, emitting the
// statements that compute it first.
func (e *function) scalar(n *derive.Node) expr {
	if n == nil {
		return plan.Lit(0)
	}
	if v, ok := e.vals[n]; ok {
		return ref(v)
	}
	switch n.Op {
	case derive.OpConst, derive.OpSize:
		return lowerings[n.Op].at(e, n, nil, nil)
	case derive.OpVar:
		arg := ref(e.param(n.Name))
		var entry expr
		switch e.input(n.Name).Kind {
		case spec.Vector:
			entry = plan.Method(arg, "AtVec", plan.IntLit(0))
		case spec.Matrix, spec.Symmetric, spec.SPD:
			entry = plan.Method(arg, "At", plan.IntLit(0), plan.IntLit(0))
		default:
			return arg
		}
		// A vector(1) or matrix(1, 1) input is 1×1: its one entry, read
		// once into a scalar local, which a loop body reads (and a
		// parallel loop shares) as it does a scalar input.
		v, ok := e.entries[n.Name]
		if !ok {
			v = plan.NewValue(e.scope.fresh(n.Name+"Entry"), plan.Scalar, plan.Local)
			e.declare(entry, v)
			e.entries[n.Name] = v
		}
		return ref(v)
	}
	v := plan.NewValue("", plan.Scalar, plan.Local)
	if n.Op.Kind == derive.KindElementwise {
		x := e.combine(n, e.scalar)
		if e.uses[n] <= 1 && !e.isRoot(n) {
			return x
		}

		v.Name = e.scope.fresh(e.localName(n))
		e.declare(x, v)
	} else {
		v.Name = e.scope.fresh(e.localName(n))
		if x := e.reduce(n, v); x != nil {
			e.declare(x, v)
		}
	}
	e.store(n, v)
	return ref(v)
}

// isRoot reports whether n is the function's value.
func (e *function) isRoot(n *derive.Node) bool { return n == e.fn.Value }

// localName suggests the name of the local holding n: f for the value,
// else n spelled from its operands (nodeName), values already stored by
// their names, so (H W2 − Y) W2ᵀ is HW2MinusYW2T once H W2 − Y is stored.
func (e *function) localName(n *derive.Node) string {
	if e.isRoot(n) {
		return "f"
	}
	return nodeName(n, e.spelt)
}

// store records that v holds n, and v's name, unless generic, for spelling
// the names of values formed from n (localName); a let's own name takes
// precedence.
func (e *function) store(n *derive.Node, v *val) {
	e.vals[n] = v
	if _, named := e.fn.Names[n]; named || n.Op == derive.OpVar {
		return
	}
	if genericName.MatchString(v.Name) {
		delete(e.spelt, n)
	} else {
		e.spelt[n] = v.Name
	}
}

// buffer declares a workspace-backed value of n's shape.
func (e *function) buffer(shape derive.Shape, base string) *val {
	v := &val{Name: e.scope.fresh(base), Kind: plan.Matrix, Owner: plan.Workspace, Shape: shape, Contiguous: true}
	if shape.IsVector() {
		v.Kind = plan.Vector
	}
	e.stmt(e.workBuffer(v))
	return v
}

// workBuffer gives the workspace buffer v (a vector or matrix of its
// shape) a field of the workspace and returns its declaration, v :=
// runtime.Vec(&ws.v, n) or runtime.Mat(&ws.v, r, c); plan.BlockKernels's
// Alloc.
func (e *function) workBuffer(v *val) plan.Step {
	field := plan.Addr(e.workField(v.Name))
	e.work = append(e.work, workField{v.Name, jen.Index().Float64()})
	e.fields[v] = v.Name
	if v.Kind == plan.Vector {
		return &plan.Let{Vars: []*val{v}, Value: plan.Fn(runtimePath, "Vec", field, e.dim(v.Shape.Len())), Pure: true}
	}
	return &plan.Let{Vars: []*val{v}, Value: plan.Fn(runtimePath, "Mat", field, e.dim(v.Shape.Rows), e.dim(v.Shape.Cols)), Pure: true}
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
	e.store(n, v)
	return v
}

// view returns the blas64 view of an input.
func (e *function) view(n *derive.Node) *val {
	in, arg := e.input(n.Name), e.param(n.Name)
	v := &val{Name: e.scope.fresh(n.Name + "Raw"), Kind: storageKind(in.Kind, in.Shape), Owner: plan.Input, Shape: in.Shape, Of: arg}
	e.declare(e.storage(arg, in.Kind, in.Shape), v)
	return v
}

func (e *function) input(name string) *derive.Input {
	for _, in := range e.ins {
		if in.Name == name {
			return in
		}
	}
	panic("emit: no input " + name)
}

// label is the name comments give dst: a destination's parameter (dw,
// not its view dwRaw), else its own name.
func (e *function) label(dst *val) string {
	if dst.Owner == plan.Destination && dst.Of != nil {
		return dst.Of.Name
	}
	return dst.Name
}

// maxCommentNodes bounds a statement comment's formula: past it, the
// values the code has already stored print by their Go names.
const maxCommentNodes = 48

// formula prints n for a statement comment, spelling out n itself even
// when it is a named let. A formula that would print more than
// maxCommentNodes nodes refers instead to the values already stored by
// their Go names, and what it still repeats follows as "; where t1 = …"
// (derive.Listing), so a comment stays proportional to the code it
// describes.
func (e *function) formula(n *derive.Node) string {
	if !derive.Exceeds(n, e.fn.Names, maxCommentNodes) {
		return derive.Format(n, derive.Plain, without(e.fn.Names, n))
	}
	l := e.commentListing(n)
	return withDefinitions(l.Spell(n), l)
}

// formulaOfSum is formula for the sum of terms, a sum with no node of its
// own.
func (e *function) formulaOfSum(terms []*derive.Node) string {
	long := false
	for _, t := range terms {
		long = long || derive.Exceeds(t, e.fn.Names, maxCommentNodes)
	}
	if !long {
		return derive.FormatSum(terms, derive.Plain, e.fn.Names)
	}
	l := e.commentListing(nil)
	return withDefinitions(l.SpellSum(terms), l)
}

// commentListing returns a listing for a long formula in a comment, with
// every value computed so far but n spelt by its Go name.
func (e *function) commentListing(n *derive.Node) *derive.Listing {
	l := derive.NewFunctionListing(e.fn, derive.Plain)
	for m, v := range e.vals {
		if m != n && m.Op != derive.OpVar {
			l.Bind(m, v.Name)
		}
	}
	return l
}

// formulaMap prints the Hessian term t for a statement comment, as formula
// does a node.
func (e *function) formulaMap(t derive.MapTerm) string {
	l := derive.NewFunctionListing(e.fn, derive.Plain)
	return withDefinitions(derive.FormatMap(t, l), l)
}

// withDefinitions appends the definitions l has made to text: "; where
// t1 = …, t2 = …".
func withDefinitions(text string, l *derive.Listing) string {
	if defs := l.Definitions(); len(defs) > 0 {
		parts := make([]string, len(defs))
		for i, d := range defs {
			parts[i] = d.Name + " = " + d.Text
		}
		text += "; where " + strings.Join(parts, ", ")
	}
	return text
}

// writeInto computes the non-scalar node n into the stored value dst. Its
// comment is written last, once every value n's code reads is stored, so a
// long formula can refer to them by name (formula).
func (e *function) writeInto(n *derive.Node, dst *val) {
	label := e.label(dst)
	note := &plan.Comment{}
	if dst.Owner == plan.Workspace {
		note.About = dst
	}
	defer func() { note.Text = label + " = " + e.formula(n) }()
	if _, stored := e.vals[n]; stored || n.Op == derive.OpVar { // computed already or an input: copy it
		v := e.ensure(n)
		e.stmt(note)
		e.stmt(e.loop(n.Shape, func(i, j expr) plan.Step {
			return &plan.Set{To: e.read(n, dst, i, j), Op: "=", Value: e.read(n, v, i, j)}
		}))
		return
	}
	if l := lowerings[n.Op]; l.into != nil && l.into(e, n, dst, note) {
		return
	}
	for _, a := range n.Args {
		e.prepare(a)
	}
	e.fusedLoop(n.Shape, []plan.Step{note}, func(i, j expr) plan.Step {
		return &plan.Set{To: e.read(n, dst, i, j), Op: "=", Value: e.expand(n, i, j)}
	})
}

// isPlusTranspose reports whether the sum of terms is A + Aᵀ for a matrix
// A that is not itself a transpose.
func isPlusTranspose(terms []*derive.Node) bool {
	if len(terms) != 2 {
		return false
	}
	a, b := terms[0], terms[1]
	if a.Op == derive.OpTranspose {
		a, b = b, a
	}
	return a.Op != derive.OpTranspose && b.Op == derive.OpTranspose && b.Args[0] == a && a.Shape.IsMatrix()
}

// sumWithProducts writes a sum that has product terms used nowhere else:
// the other terms in one loop, then each product added by its BLAS call
// with beta = 1, so no product needs a buffer of its own. It reports
// whether n had such terms.
func (e *function) sumWithProducts(terms []*derive.Node, dst *val, note plan.Step) bool {
	type term struct {
		product *derive.Node // the product, t or t's scaled operand
		alpha   expr
		node    *derive.Node
	}
	var products []term
	var rest []*derive.Node
	for _, t := range terms {
		switch {
		case t.Op == derive.OpMul && e.uses[t] <= 1:
			products = append(products, term{t, nil, t})
		case t.Op == derive.OpScale && t.Args[1].Op == derive.OpMul && e.uses[t] <= 1 && e.uses[t.Args[1]] <= 1:
			products = append(products, term{t.Args[1], e.scalar(t.Args[0]), t})
		default:
			rest = append(rest, t)
		}
	}
	if len(products) == 0 {
		return false
	}
	e.stmt(note)
	accumulate := len(rest) > 0
	if accumulate {
		e.writeTerms(rest, dst)
	}
	for _, p := range products {
		op := " = "
		if accumulate {
			op = " += "
		}
		note := &plan.Comment{Text: e.label(dst) + op + e.formula(p.node)}
		if broadcast(p.product) && dst.Kind == plan.Matrix {
			e.broadcastInto(p.product, p.alpha, dst, note, accumulate)
		} else {
			e.productInto(p.product.Args, p.alpha, dst, note, accumulate)
		}
		accumulate = true
	}
	return true
}

// broadcast reports whether n is an outer product one of whose factors is
// a vector of ones: a row or column repeated, a bias b added to every row
// of X W as 1 bᵀ.
func broadcast(n *derive.Node) bool {
	return outer(n) && (ones(n.Args[0]) || ones(n.Args[1]))
}

// broadcastInto writes alpha·n into dst, or adds it with accumulate set,
// for the broadcast n (broadcast): a loop that reads the repeated vector's
// entry for each entry of dst, which plan.Fuse may join with a loop over
// the same entries after it. Ger with a stored vector of ones, the BLAS
// way, wrote the ones first and read dst in a pass of its own; the sums
// are the same, alpha·1·bⱼ being alpha·bⱼ (but where alpha is 0: Ger skips
// the row, the loop adds 0·bⱼ, NaN for an infinite bⱼ, as the formula
// says).
func (e *function) broadcastInto(n *derive.Node, alpha expr, dst *val, note plan.Step, accumulate bool) {
	e.prepare(n)
	op := "="
	if accumulate {
		op = "+="
	}
	e.fusedLoop(n.Shape, []plan.Step{note}, func(i, j expr) plan.Step {
		v := e.outerEntry(n, i, j)
		if alpha != nil && alpha != one {
			v = plan.Mul(alpha, v)
		}
		return &plan.Set{To: e.readShaped(n.Shape, dst, i, j), Op: op, Value: v}
	})
}

// zero clears dst.
func (e *function) zero(dst *val, vector bool) {
	if vector {
		e.stmt(&plan.For{Var: e.i, From: plan.IntLit(0), To: e.dim(dst.Shape.Len()), Body: []plan.Step{
			&plan.Set{To: plan.At{V: dst, I: ref(e.i)}, Op: "=", Value: plan.IntLit(0)}}})
		return
	}
	e.stmt(&plan.Do{Call: plan.Fn(runtimePath, "ZeroMatrix", ref(dst)), Writes: []*val{dst}})
}

// general returns the value of the matrix node n as a blas64.General,
// expanding a symmetric input into a workspace matrix the first time a
// kernel needs both triangles.
func (e *function) general(n *derive.Node) *val {
	v := e.ensure(n)
	if v.Kind != plan.Symmetric {
		return v
	}
	if full, ok := e.fulls[n]; ok {
		return full
	}
	full := e.buffer(n.Shape, n.Name+"Full")
	e.stmt(&plan.Do{Call: plan.Fn(runtimePath, "SymmetricToGeneral", ref(full), ref(v)), Writes: []*val{full}})
	e.fulls[n] = full
	return full
}

// reduce returns the expression of a scalar-valued non-elementwise node,
// or nil when it has summed it in a loop into the local acc, by the node's
// lowering.
func (e *function) reduce(n *derive.Node, acc *val) expr {
	l := lowerings[n.Op]
	if l.scalar == nil {
		panic("emit: internal error: no scalar lowering for " + n.Op.Name + " " + n.Shape.String() + ": " + derive.Format(n, derive.Plain, nil))
	}
	return l.scalar(e, n, acc)
}

// dotProduct lowers a product with a scalar value: summed from a ⊙ b when
// that is formed anyway (countUsesFrom), else by its BLAS calls.
func (e *function) dotProduct(n *derive.Node, acc *val) expr {
	if h := e.dotSums[n]; h != nil {
		return e.accumulate(n, h.Shape, func(i, j expr) expr { return e.elem(h, i, j) }, acc, h)
	}
	return e.product(n.Args, nil, nil, nil)
}

// sumOf sums the entries of sum's argument in a loop, or sum(A .* B) of
// two symmetric factors from one triangle of each, as traceOf does
// tr(A B).
func (e *function) sumOf(n *derive.Node, acc *val) expr {
	x := n.Args[0]
	if a, b, ok := e.symmetricPair(x, derive.OpHadamard); ok {
		return e.symmetricDot(n, a, b, acc)
	}
	return e.accumulate(n, x.Shape, func(i, j expr) expr { return e.elem(x, i, j) }, acc, x)
}

// traceOf sums the diagonal, or tr(P F) = Σᵢⱼ Pᵢⱼ Fⱼᵢ without forming the
// product when it is used nowhere else.
func (e *function) traceOf(n *derive.Node, acc *val) expr {
	x := n.Args[0]
	if a, b, ok := e.symmetricPair(x, derive.OpMul); ok {
		return e.symmetricDot(n, a, b, acc) // tr(A B) = Σᵢⱼ Aᵢⱼ Bᵢⱼ
	}
	if x.Op == derive.OpMul && e.uses[x] <= 1 {
		fs := e.regroup(nodeLinks(x.Args))
		if w, ok := untransposed(fs[0]); ok {
			// tr(Wᵀ P) = Σᵢⱼ Wᵢⱼ Pᵢⱼ: both read in storage order.
			p := e.chainLink(fs[1:])
			return e.accumulate(n, p.shape(), func(i, j expr) expr {
				return plan.Mul(e.linkEntry(w, i, j), e.linkEntry(p, i, j))
			}, acc, linkNodes(w, p)...)
		}
		p, last := e.chainLink(fs[:len(fs)-1]), fs[len(fs)-1]
		return e.accumulate(n, p.shape(), func(i, j expr) expr {
			return plan.Mul(e.linkEntry(p, i, j), e.linkEntry(last, j, i))
		}, acc, linkNodes(p, last)...)
	}
	return e.accumulate(n, derive.Col(x.Shape.Rows), func(i, _ expr) expr { return e.elem(x, i, i) }, acc, x)
}

// norm2Of is Nrm2 for a vector, runtime.Norm for a matrix.
func (e *function) norm2Of(n *derive.Node, _ *val) expr {
	x := n.Args[0]
	if x.Shape.IsVector() {
		return plan.Fn(blas64Path, "Nrm2", ref(e.operand(x).v))
	}
	return plan.Fn(runtimePath, "Norm", ref(e.asGeneral(e.operand(x)).v))
}

// logSumExpOf is runtime.LogSumExp, a vector taken as a column.
func (e *function) logSumExpOf(n *derive.Node, _ *val) expr {
	x := n.Args[0]
	v := ref(e.asGeneral(e.operand(x)).v)
	if x.Shape.IsVector() {
		v = plan.Fn(runtimePath, "Column", v)
	}
	return plan.Fn(runtimePath, "LogSumExp", v)
}

// detOf reads det off the argument's factorisation.
func (e *function) detOf(n *derive.Node, _ *val) expr {
	return plan.Method(e.factorOf(n.Args[0]), "Det")
}

// logDetOf reads logdet off the argument's factorisation: log det for a
// Cholesky factor, log |det| for LU.
func (e *function) logDetOf(n *derive.Node, _ *val) expr {
	f := e.factorOf(n.Args[0])
	if e.facts[n.Args[0]].spd {
		return plan.Method(f, "LogDet")
	}
	return plan.Method(f, "LogAbsDet")
}

// productNodeInto writes a product by its BLAS calls.
func (e *function) productNodeInto(n *derive.Node, dst *val, note plan.Step) bool {
	e.product(n.Args, nil, dst, note)
	return true
}

// scaledProductInto writes s·(A B …) by the product's BLAS calls with
// α = s, when the product is used nowhere else.
func (e *function) scaledProductInto(n *derive.Node, dst *val, note plan.Step) bool {
	if n.Args[1].Op != derive.OpMul || e.uses[n.Args[1]] > 1 {
		return false
	}
	e.product(n.Args[1].Args, e.scalar(n.Args[0]), dst, note)
	return true
}

// cofactorInto writes the cofactor matrix by runtime.Cofactor, which
// takes no transpose flag: its argument is passed as it is (general).
func (e *function) cofactorInto(n *derive.Node, dst *val, note plan.Step) bool {
	a := e.general(n.Args[0])
	e.stmt(note)
	e.stmt(&plan.Do{Call: plan.Method(e.runtimeWork("Cofactor", "cof", n.Args[0]), "CofactorTo", ref(dst), ref(a)), Writes: []*val{dst}})
	return true
}

// cofactorDerivativeInto writes d cof(X)[H], the cofactor matrix's
// derivative, by runtime.Cofactor.DerivativeTo (finite where X is
// singular), which takes no transpose flag: X and H are passed as they
// are (general), a transposed one formed. Passed as the matrix it
// transposes, as an operand of a product is, H = Cᵀ gave d cof(X)[C]:
// the second derivatives of det(A + t Cᵀ) and det(Aᵀ + B) were wrong.
func (e *function) cofactorDerivativeInto(n *derive.Node, dst *val, note plan.Step) bool {
	a, h := e.general(n.Args[0]), e.general(n.Args[1])
	e.stmt(note)
	e.stmt(&plan.Do{Call: plan.Method(e.runtimeWork("Cofactor", "dcof", n.Args[0]), "DerivativeTo", ref(dst), ref(a), ref(h)), Writes: []*val{dst}})
	return true
}

// runtimeWork adds a workspace field of the runtime type typ, named prefix
// and x's local name, and returns it.
func (e *function) runtimeWork(typ, prefix string, x *derive.Node) expr {
	field := e.scope.fresh(prefix + capitalise(e.localName(x)))
	e.work = append(e.work, workField{field, jen.Qual(runtimePath, typ)})
	return e.workField(field)
}

// detTaylorOf writes dᵏ/dtᵏ det(X) from X's derivatives by
// runtime.DetTaylor.Derivative, which takes no transpose flags: each is
// passed as it is (general), a transposed one formed.
func (e *function) detTaylorOf(n *derive.Node, _ *val) expr {
	args := []expr{plan.IntLit(int(n.Value))}
	for _, x := range n.Args {
		args = append(args, ref(e.general(x)))
	}
	return plan.Method(e.runtimeWork("DetTaylor", "dkdet", n.Args[0]), "Derivative", args...)
}

// softmaxInto writes the max-shifted softmax by runtime.SoftmaxTo.
func (e *function) softmaxInto(n *derive.Node, dst *val, note plan.Step) bool {
	// Entries in any order: a vector, row or column, is a column. SoftmaxTo
	// takes no transpose flag: the argument as it is (general).
	src, to := ref(e.general(n.Args[0])), ref(dst)
	if n.Shape.IsVector() {
		src, to = plan.Fn(runtimePath, "Column", src), plan.Fn(runtimePath, "Column", to)
	}
	e.stmt(note)
	e.stmt(&plan.Do{Call: plan.Fn(runtimePath, "SoftmaxTo", to, src), Writes: []*val{dst}})
	return true
}

// rowsInto writes logsumexp(x, 2) or softmax(x, 2), n, by its runtime
// kernel (LogSumExpRowsTo, SoftmaxRowsTo); when the other of the two of
// the same x is read later and not yet stored, one call of
// LogSumExpSoftmaxRowsTo writes both, one exp per entry and bit for bit
// what the two kernels give, and stores the other for its readers (the
// invariant: it is filled before any reader and never written twice).
func (e *function) rowsInto(n *derive.Node, dst *val, note plan.Step) bool {
	x, kernel, other := n.Args[0], "LogSumExpRowsTo", derive.OpSoftmaxRows
	if n.Op == derive.OpSoftmaxRows {
		kernel, other = "SoftmaxRowsTo", derive.OpLogSumExpRows
	}
	partner := e.fn.Graph.FindUnary(other, x)
	if partner == nil || !e.readLater(partner) || e.vals[partner] != nil {
		src := e.rowsOf(x)
		e.stmt(note)
		e.stmt(&plan.Do{Call: plan.Fn(runtimePath, kernel, ref(dst), src), Writes: []*val{dst}, InPlace: kernel == "SoftmaxRowsTo"})
		return true
	}
	theirs := e.buffer(partner.Shape, e.localName(partner))
	lse, soft := dst, theirs
	if n.Op == derive.OpSoftmaxRows {
		lse, soft = theirs, dst
	}
	src := e.rowsOf(x)
	e.store(partner, theirs)
	e.stmt(note)
	e.stmt(&plan.Comment{Text: e.label(theirs) + " = " + e.formula(partner) + ", by the same call", About: theirs})
	e.stmt(&plan.Do{Call: plan.Fn(runtimePath, "LogSumExpSoftmaxRowsTo", ref(lse), ref(soft), src), Writes: []*val{lse, soft}, InPlace: true})
	return true
}

// rowsOf returns the matrix x in storage order as a blas64.General, for a
// kernel that reads its rows: a transpose (logsumexp(X, 1) is
// logsumexp(Xᵀ, 2)ᵀ) is formed, not read as the operand it transposes,
// which is stored the other way, and a symmetric input is expanded to
// both triangles.
func (e *function) rowsOf(x *derive.Node) expr { return ref(e.general(x)) }

// inverseInto writes the inverse from the argument's factorisation.
func (e *function) inverseInto(n *derive.Node, dst *val, note plan.Step) bool {
	f := e.factorOf(n.Args[0])
	e.stmt(note)
	e.stmt(&plan.Do{Call: plan.Method(f, "InverseTo", ref(dst)), Writes: []*val{dst}})
	return true
}

// sumInto writes a sum node by writeSum.
func (e *function) sumInto(n *derive.Node, dst *val, note plan.Step) bool {
	return e.writeSum(n.Args, dst, note)
}

// writeSum writes A + Aᵀ by runtime.AddTransposeTo, and a sum with product
// terms by sumWithProducts; it reports false for any other sum.
func (e *function) writeSum(terms []*derive.Node, dst *val, note plan.Step) bool {
	if isPlusTranspose(terms) {
		a := e.asGeneral(e.operand(terms[0]))
		e.stmt(note)
		e.stmt(&plan.Do{Call: plan.Fn(runtimePath, "AddTransposeTo", ref(dst), ref(a.v)), Writes: []*val{dst}})
		return true
	}
	return e.sumWithProducts(terms, dst, note)
}

// writeTerms writes the sum of terms into dst as writeInto writes a sum
// node, for the terms of a sum that has no node of its own (the terms left
// after sumWithProducts takes the products, the gradient terms the row
// panels do not add).
func (e *function) writeTerms(terms []*derive.Node, dst *val) {
	if len(terms) == 1 {
		e.writeInto(terms[0], dst)
		return
	}
	note := &plan.Comment{Text: e.label(dst) + " = " + e.formulaOfSum(terms)}
	if dst.Owner == plan.Workspace {
		note.About = dst
	}
	if e.writeSum(terms, dst, note) {
		return
	}
	for _, t := range terms {
		e.prepare(t)
	}
	shape := terms[0].Shape
	e.fusedLoop(shape, []plan.Step{note}, func(i, j expr) plan.Step {
		return &plan.Set{To: e.readShaped(shape, dst, i, j), Op: "=", Value: sumEntries(terms, func(t *derive.Node) expr { return e.elem(t, i, j) })}
	})
}

// dotSum returns a ⊙ b when n is a dot product aᵀ b that can be summed
// from it because it is needed anyway (the gradient of aᵀ exp(X b) is
// (a ⊙ exp(X b)) bᵀ): one loop then forms a ⊙ b and sums it, instead of a
// Dot and a second pass. It returns nil otherwise. It reads the use counts
// of the counting in progress (countUsesFrom).
func (e *function) dotSum(n *derive.Node) *derive.Node {
	if n.Op != derive.OpMul || !n.Shape.IsScalar() || len(n.Args) != 2 || n.Args[0].Op != derive.OpTranspose || !n.Args[1].Shape.IsCol() || !n.Args[0].Args[0].Shape.IsCol() {
		return nil
	}
	h := e.fn.Graph.FindHadamard(n.Args[0].Args[0], n.Args[1])
	if h == nil || e.uses[h] == 0 {
		return nil
	}
	return h
}

// accumulate emits a loop summing term, which reads entries of operands,
// over shape into the new local acc, the value of n. The operands' own
// work comes first (prepare), and acc holds a partial sum until the loop
// ends: fusedLoop keeps every reader of acc out of it (ruleReductionRead).
func (e *function) accumulate(n *derive.Node, shape derive.Shape, term func(i, j expr) expr, acc *val, operands ...*derive.Node) expr {
	for _, o := range operands {
		e.prepare(o)
	}
	pre := []plan.Step{
		&plan.Let{Vars: []*val{acc}, Value: plan.Const{V: 0.0}},
		&plan.Comment{Text: acc.Name + " = " + e.formula(n), About: acc},
	}
	e.fusedLoop(shape, pre, func(i, j expr) plan.Step {
		return &plan.Set{To: ref(acc), Op: "+=", Value: term(i, j)}
	})
	return nil
}

// factorOf returns the workspace factorisation of the square node x:
// Cholesky for spd inputs, LU otherwise, computed once per call.
func (e *function) factorOf(x *derive.Node) expr {
	if f, ok := e.facts[x]; ok {
		return e.workField(f.field)
	}
	spd := x.Op == derive.OpVar && e.input(x.Name).Kind == spec.SPD
	f := &factor{spd: spd}
	if spd {
		f.field = e.scope.fresh("chol" + capitalise(e.localName(x)))
		e.work = append(e.work, workField{f.field, jen.Qual(runtimePath, "Cholesky")})
		e.stmt(&plan.Do{Call: plan.Method(e.workField(f.field), "Factorize", plan.Method(ref(e.param(x.Name)), "RawSymmetric"))})
	} else {
		a := e.asGeneral(e.operand(x))
		src := ref(a.v)
		if a.trans {
			panic("emit: factorising a transpose")
		}
		f.field = e.scope.fresh("lu" + capitalise(e.localName(x)))
		e.work = append(e.work, workField{f.field, jen.Qual(runtimePath, "LU")})
		e.stmt(&plan.Do{Call: plan.Method(e.workField(f.field), "Factorize", src)})
	}
	e.facts[x] = f
	return e.workField(f.field)
}

// symmetrisedFrom returns G when g is (G + Gᵀ)/2, the symmetric part
// derive forms for a symmetric input, and nil otherwise. Half a sum of two
// terms is that only when the terms are each other's transposes: 0.5 (A − B)
// is not, and symmetrising A alone would drop B and the factor.
func (e *function) symmetrisedFrom(g *derive.Node) *derive.Node {
	if g.Op != derive.OpScale || !g.Args[0].IsConst(0.5) {
		return nil
	}
	sum := g.Args[1]
	if sum.Op != derive.OpAdd || len(sum.Args) != 2 || !derive.Transposes(sum.Args[0], sum.Args[1]) {
		return nil
	}
	return sum.Args[0]
}

// writeGradient writes the gradient g of input w into the destination
// parameter d.
func (e *function) writeGradient(w *derive.Input, g *derive.Node, d *val) {
	do := func(call plan.Call) { e.stmt(&plan.Do{Call: call, Writes: []*val{d}}) }
	switch {
	case w.Kind == spec.Scalar:
		e.stmt(&plan.Set{To: plan.Deref(ref(d)), Op: "=", Value: e.scalar(g)})
		return
	case w.Shape.IsScalar(): // vector(1), matrix(1, 1)
		set := map[spec.TypeKind]string{spec.Vector: "SetVec", spec.Matrix: "Set", spec.Symmetric: "SetSym", spec.SPD: "SetSym"}[w.Kind]
		idx := []expr{plan.IntLit(0)}
		if w.Kind != spec.Vector {
			idx = append(idx, plan.IntLit(0))
		}
		do(plan.Method(ref(d), set, append(idx, e.scalar(g))...))
		return
	}
	switch w.Kind {
	case spec.Symmetric, spec.SPD:
		if g == nil {
			do(plan.Method(ref(d), "Zero"))
			return
		}
		// The symmetric gradient (G + G')/2: form G, then symmetrise. Any
		// other g is formed whole; symmetrising it changes no exact value.
		full := g
		if half := e.symmetrisedFrom(g); half != nil {
			full = half
		}
		if full.Op == derive.OpVar && full.Sym { // a symmetric input, already symmetric
			do(plan.Method(ref(d), "CopySym", ref(e.param(full.Name))))
			return
		}
		if e.symmetricInto(full, d) {
			return
		}
		v := e.ensure(full)
		do(plan.Fn(runtimePath, "SymmetrizeTo", plan.Method(ref(d), "RawSymmetric"), ref(v)))
		return
	}
	if g == nil {
		do(plan.Method(ref(d), "Zero"))
		return
	}
	dst := &val{Name: e.scope.fresh(d.Name + "Raw"), Kind: storageKind(w.Kind, w.Shape), Owner: plan.Destination, Shape: w.Shape, Of: d}
	e.stmt(&plan.Let{Vars: []*val{dst}, Value: e.storage(d, w.Kind, w.Shape)})
	if v, ok := e.vals[g]; ok || g.Op == derive.OpVar || e.uses[g] > 1 {
		v = e.ensure(g)
		e.stmt(e.loop(g.Shape, func(i, j expr) plan.Step {
			return &plan.Set{To: e.read(g, dst, i, j), Op: "=", Value: e.read(g, v, i, j)}
		}))
		return
	}
	e.writeInto(g, dst)
	e.store(g, dst)
}
