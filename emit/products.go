package emit

import (
	"math"
	"slices"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
	"github.com/gradgen/gradgen/spec"
)

// operand is a factor of a product as BLAS sees it: a stored value and
// whether it is used transposed.
type operand struct {
	v     *val
	trans bool
	shape derive.Shape
	inv   *derive.Node // when set, the operand is inv(inv) (or its transpose), applied by solving
	node  *derive.Node // the stored node v holds, or the inverse inv(inv) to form if it must be stored
	// name and text say what the operand is, for the name and comment of
	// a partial product formed from it: XW, "X W".
	name, text string
}

// factor returns the operand n of a product, leaving an inverse that is
// used nowhere else to be applied by a solve.
func (e *function) factor(n *derive.Node) operand {
	inv, trans := n, false
	if n.Op == derive.OpTranspose {
		inv, trans = n.Args[0], true
	}
	if _, stored := e.vals[inv]; inv.Op == derive.OpInv && !stored && e.uses[inv] == 1 {
		return operand{trans: trans, shape: n.Shape, inv: inv.Args[0], node: inv}
	}
	return e.operand(n)
}

// stored returns o as a stored value, forming an inverse it would solve with.
func (e *function) stored(o operand) operand {
	if o.inv == nil {
		return o
	}
	return operand{v: e.ensure(o.node), trans: o.trans, shape: o.shape, node: o.node}
}

func (e *function) operand(n *derive.Node) operand {
	if n.Op == derive.OpTranspose {
		return operand{v: e.ensure(n.Args[0]), trans: true, shape: n.Shape, node: n.Args[0]}
	}
	return operand{v: e.ensure(n), shape: n.Shape, node: n}
}

func transFlag(t bool) expr {
	if t {
		return plan.Qual{Path: blasPath, Name: "Trans"}
	}
	return plan.Qual{Path: blasPath, Name: "NoTrans"}
}

// product computes alpha times the product of fs into dst (a stored value,
// or nil for a scalar result, which it returns).
func (e *function) product(fs []*derive.Node, alpha expr, dst *val, note plan.Step) expr {
	return e.productInto(fs, alpha, dst, note, false)
}

// productInto is product; with accumulate set it adds the product to dst
// (BLAS beta = 1) instead of overwriting it.
func (e *function) productInto(fs []*derive.Node, alpha expr, dst *val, note plan.Step, accumulate bool) expr {
	return e.productLinks(nodeLinks(fs), alpha, dst, note, accumulate)
}

// productLinks is productInto for a chain of links.
func (e *function) productLinks(fs []link, alpha expr, dst *val, note plan.Step, accumulate bool) expr {
	if alpha == nil {
		alpha = one
	}
	fs = e.regroup(fs)
	if e.plusTransposeProduct(fs, alpha, dst, note, accumulate) {
		return nil
	}
	ops := make([]operand, len(fs))
	for k, l := range fs {
		ops[k] = e.linkOperand(l)
		ops[k].name, ops[k].text = e.linkName(l), e.linkText(l, ops[k])
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
	// every intermediate is a vector; otherwise from the left. A row times
	// a column inside a longer chain (xᵀ x in x xᵀ x, or the row xᵀ A
	// times y in xᵀ A y zᵀ) is a scalar: its dot product scales the rest,
	// so no product has a 1×1 operand.
	fromRight := fs[len(fs)-1].shape().IsCol()
	for len(ops) > 2 {
		if k := rowThenColumn(ops); k >= 0 {
			dot := plan.NewValue(e.scope.fresh(partialName(ops[k], ops[k+1], "dot")), plan.Scalar, plan.Local)
			e.declare(e.pair(ops[k], ops[k+1], one, nil, false), dot)
			alpha = scaled(alpha, ref(dot))
			ops = append(ops[:k], ops[k+2:]...)
			continue
		}
		var l, r operand
		if fromRight {
			l, r = ops[len(ops)-2], ops[len(ops)-1]
		} else {
			l, r = ops[0], ops[1]
		}
		shape := derive.Shape{Rows: l.shape.Rows, Cols: r.shape.Cols}
		tmp := e.buffer(shape, partialName(l, r, genericProduct))
		e.comment(tmp.Name + " = " + l.text + " " + r.text)
		e.pair(l, r, one, tmp, false)
		next := operand{v: tmp, shape: shape, name: tmp.Name, text: l.text + " " + r.text}
		if fromRight {
			ops = append(ops[:len(ops)-2], next)
		} else {
			ops = append([]operand{next}, ops[2:]...)
		}
	}
	if len(ops) == 1 {
		e.scaledCopy(e.stored(ops[0]), alpha, dst, accumulate)
		return nil
	}
	return e.pair(ops[0], ops[1], alpha, dst, accumulate)
}

// partialName names the product of l and r after theirs (XW for X W),
// or fallback when that is too long to read.
func partialName(l, r operand, fallback string) string {
	name := l.name + r.name
	if l.name == "" || r.name == "" || genericName.MatchString(l.name) || genericName.MatchString(r.name) || len(name) > maxNameLen {
		return fallback
	}
	return name
}

// maxFactorNodes bounds the formula of a factor in the comment of a
// partial product; a longer one is named by the Go value that holds it.
const maxFactorNodes = 12

// factorText prints the factor f of a product, the operand o, for a
// comment: its formula, in parentheses when it is a sum or another compound
// of entries, or the name of the value holding it when the formula is
// long.
func (e *function) factorText(f *derive.Node, o operand) string {
	if derive.Exceeds(f, e.fn.Names, maxFactorNodes) && o.v != nil {
		if o.trans {
			return o.v.Name + "'"
		}
		return o.v.Name
	}
	text := derive.Format(f, derive.Plain, e.fn.Names)
	if f.Op.Kind == derive.KindElementwise && (len(f.Args) > 1 || f.Op.Scalar == nil) {
		return "(" + text + ")"
	}
	return text
}

// rowThenColumn returns the index of the first row operand followed by a
// column, -1 for none.
func rowThenColumn(ops []operand) int {
	for k := 0; k+1 < len(ops); k++ {
		if ops[k].shape.IsRow() && ops[k+1].shape.IsCol() {
			return k
		}
	}
	return -1
}

// scaledCopy writes alpha·o into dst, or adds it with accumulate set.
func (e *function) scaledCopy(o operand, alpha expr, dst *val, accumulate bool) {
	op := "="
	if accumulate {
		op = "+="
	}
	e.stmt(e.loop(o.shape, func(i, j expr) plan.Step {
		if o.trans {
			return &plan.Set{To: e.readShaped(o.shape, dst, i, j), Op: op, Value: scaled(alpha, e.readShaped(o.shape.T(), o.v, j, i))}
		}
		return &plan.Set{To: e.readShaped(o.shape, dst, i, j), Op: op, Value: scaled(alpha, e.readShaped(o.shape, o.v, i, j))}
	}))
}

// scaled returns alpha·x, just x when alpha is 1.
func scaled(alpha, x expr) expr {
	if alpha == one || alpha == plan.Lit(1) {
		return x
	}
	return plan.Mul(alpha, x)
}

// spdSandwich emits Rᵀ C R for an spd input C through C's Cholesky factor
// (runtime.Cholesky.SandwichTo: a triangular multiply and a rank-k update,
// half the flops of two products); it reports whether fs had that form.
func (e *function) spdSandwich(fs []link, alpha expr, dst *val, accumulate bool) bool {
	c, r := fs[1], fs[2]
	if c.node == nil || c.trans || c.node.Op != derive.OpVar || e.input(c.node.Name).Kind != spec.SPD || !linksTranspose(fs[0], r) || !r.shape().IsMatrix() {
		return false
	}
	o := e.asGeneral(e.stored(e.linkOperand(r)))
	if o.trans {
		return false
	}
	f := e.factorOf(c.node)
	e.stmt(blasEffect(&plan.Do{Call: plan.Method(f, "SandwichTo", ref(dst), coefficient(alpha), ref(o.v), beta(accumulate))}, dst, accumulate))
	return true
}

// chainAtRunTime emits a product of three or more matrices through
// runtime.Chain, which picks the cheapest order for the sizes of the call;
// it reports whether it did.
func (e *function) chainAtRunTime(ops []operand, alpha expr, dst *val, accumulate bool) bool {
	for _, o := range ops {
		if o.inv != nil || !o.shape.IsMatrix() {
			return false
		}
	}
	call := e.chainCall("MulTo", ops, dst, alpha, accumulate)
	e.comment("Multiply in the cheapest order for these sizes.")
	e.stmt(blasEffect(&plan.Do{Call: call}, dst, accumulate))
	return true
}

// chainCall returns the call of method ("MulTo", "MulPlusTransposeTo") on a
// new runtime.Chain of the workspace for the product of the matrices ops,
// into dst, with extra arguments after the factors and their flags; the
// steps that store the operands (a symmetric one expanded) come first.
func (e *function) chainCall(method string, ops []operand, dst *val, alpha expr, accumulate bool, extra ...expr) plan.Call {
	var mats, trans []expr
	for i := range ops {
		o := e.asGeneral(e.stored(ops[i]))
		mats = append(mats, ref(o.v))
		trans = append(trans, plan.Const{V: o.trans})
	}
	field := e.scope.fresh("chain")
	e.work = append(e.work, workField{field, jen.Qual(runtimePath, "Chain")})
	args := append([]expr{ref(dst), coefficient(alpha), beta(accumulate),
		plan.Composite{Slice: true, Type: plan.Qual{Path: blas64Path, Name: "General"}, Elems: mats},
		plan.Composite{Slice: true, Type: plan.Qual{Name: "bool"}, Elems: trans}}, extra...)
	return plan.Method(e.workField(field), method, args...)
}

// pair emits the one BLAS call (or solve) for alpha·l·r into dst, or
// added to dst when accumulate is set.
func (e *function) pair(l, r operand, alpha expr, dst *val, accumulate bool) expr {
	if !accumulate && e.solve(l, r, alpha, dst) {
		return nil
	}
	b := beta(accumulate)
	alpha = coefficient(alpha)
	l, r = e.stored(l), e.stored(r)
	if e.symmetricProduct(l, r, alpha, b, dst, accumulate) {
		return nil
	}
	l, r = e.asGeneral(l), e.asGeneral(r)
	ls, rs := l.shape, r.shape
	blas := func(info *plan.Blas, call plan.Call) {
		e.stmt(blasEffect(&plan.Do{Call: call, Blas: info}, dst, accumulate))
	}
	switch {
	case ls.IsRow() && rs.IsCol():
		dot := plan.Fn(blas64Path, "Dot", ref(l.v), ref(r.v))
		if dst == nil {
			if alpha == one {
				return dot
			}
			return plan.Mul(alpha, dot)
		}
		e.stmt(&plan.Set{To: plan.Elem{X: plan.Field{X: ref(dst), Name: "Data"}, I: plan.IntLit(0)}, Op: "=", Value: plan.Mul(alpha, dot)})
	case ls.IsMatrix() && rs.IsCol():
		blas(&plan.Blas{Routine: "Gemv", A: l.v, TransA: l.trans, B: r.v, C: dst},
			plan.Fn(runtimePath, "Gemv", transFlag(l.trans), alpha, ref(l.v), ref(r.v), b, ref(dst)))
	case ls.IsRow() && rs.IsMatrix():
		blas(&plan.Blas{Routine: "Gemv", A: r.v, TransA: !r.trans, B: l.v, C: dst},
			plan.Fn(runtimePath, "Gemv", transFlag(!r.trans), alpha, ref(r.v), ref(l.v), b, ref(dst)))
	case ls.IsCol() && rs.IsRow() && accumulate:
		e.stmt(&plan.Do{Call: plan.Fn(blas64Path, "Ger", alpha, ref(l.v), ref(r.v), ref(dst)), Updates: []*val{dst},
			Blas: &plan.Blas{Routine: "Ger", A: l.v, B: r.v, C: dst}})
	case ls.IsCol() && rs.IsRow():
		// Each entry written once, not cleared and then updated by Ger
		// (whose shape rule the plan checks).
		e.stmt(&plan.Do{Call: plan.Fn(runtimePath, "OuterTo", ref(dst), alpha, ref(l.v), ref(r.v)), Writes: []*val{dst},
			Blas: &plan.Blas{Routine: "Ger", A: l.v, B: r.v, C: dst}})
	default:
		// runtime.Gemm is blas64.Gemm run in the orientation gonum's kernels
		// are fastest in for the shapes of the call (narrow outputs, both
		// operands transposed).
		blas(&plan.Blas{Routine: "Gemm", A: l.v, TransA: l.trans, B: r.v, TransB: r.trans, C: dst},
			plan.Method(e.workField(e.gemmField()), "Mul", transFlag(l.trans), transFlag(r.trans), alpha, ref(l.v), ref(r.v), b, ref(dst)))
	}
	return nil
}

// plusTransposeProduct emits a product of matrices with a factor A + Aᵀ
// stored nowhere and read by nothing else without forming the sum where
// the product runs on gradgen's fused multiply-add kernels: (A + Aᵀ) B as
// one runtime.Gemm.MulPlusTranspose call, a longer chain as one
// runtime.Chain.MulPlusTransposeTo call, which multiplies the sum by
// MulPlusTranspose where its order puts the sum alone on the left of a
// product. A workspace buffer named after the sum is the call's scratch
// (plan.Do.Scratch), where it forms the sum anywhere else. It reports
// whether it emitted the product. Invariant: every way forms each entry
// of the sum as AddTransposeTo does, A's entry plus Aᵀ's, rounded once,
// and multiplies the sum as a product's operand, so the result differs
// from that of the formed sum only by the product's rounding on the
// kernels (runtime.TestMulPlusTransposeBits, TestChainPlusTranspose); the
// lowering only chooses the call.
func (e *function) plusTransposeProduct(fs []link, alpha expr, dst *val, note plan.Step, accumulate bool) bool {
	k := slices.IndexFunc(fs, func(l link) bool {
		n := l.node
		return l.part == nil && n != nil && n.Op == derive.OpAdd && isPlusTranspose(n.Args) && e.vals[n] == nil && e.uses[n] <= 1
	})
	if k < 0 || dst == nil || slices.ContainsFunc(fs, func(l link) bool { return !l.shape().IsMatrix() }) || len(fs) == 2 && k != 0 {
		return false
	}
	n := fs[k].node
	a := n.Args[0]
	if a.Op == derive.OpTranspose {
		a = n.Args[1]
	}
	ops := make([]operand, len(fs))
	for i, l := range fs {
		if i == k {
			ops[i] = e.asGeneral(e.operand(a))
			continue
		}
		ops[i] = e.linkOperand(l)
		if ops[i].inv != nil && len(fs) > 2 {
			return false // a solve is no factor of a chain (chainAtRunTime)
		}
	}
	if ops[k].trans {
		return false
	}
	if note != nil {
		e.stmt(note)
	}
	sum := e.buffer(n.Shape, e.localName(n))
	text := e.formula(n) + " in " + sum.Name + ", unless the product runs on gradgen's FMA kernels, which sum it as they read " + e.formula(a)
	var call plan.Call
	var info *plan.Blas
	if len(fs) == 2 {
		r := e.asGeneral(e.stored(ops[1]))
		e.comment(text + " (runtime.Gemm.MulPlusTranspose)")
		call = plan.Method(e.workField(e.gemmField()), "MulPlusTranspose", transFlag(r.trans), coefficient(alpha), ref(ops[0].v), ref(r.v), beta(accumulate), ref(dst), ref(sum))
		info = &plan.Blas{Routine: "Gemm", A: ops[0].v, B: r.v, TransB: r.trans, C: dst}
	} else {
		call = e.chainCall("MulPlusTransposeTo", ops, dst, alpha, accumulate, plan.IntLit(k), ref(sum))
		e.comment("Multiply in the cheapest order for these sizes; " + text + " (runtime.Chain.MulPlusTransposeTo)")
	}
	d := blasEffect(&plan.Do{Call: call, Blas: info}, dst, accumulate)
	d.Scratch = []*val{sum}
	e.stmt(d)
	return true
}

// gemmField returns the name of the workspace's runtime.Gemm, adding it on
// first use.
func (e *function) gemmField() string {
	if e.gemm == "" {
		e.gemm = e.scope.fresh("gemm")
		e.work = append(e.work, workField{e.gemm, jen.Qual(runtimePath, "Gemm")})
	}
	return e.gemm
}

// symmetricProduct emits alpha·l·r with Symm or Symv when one factor is a
// symmetric input (its stored triangle, no expansion) and the other a
// plain matrix or vector; it reports whether it did.
func (e *function) symmetricProduct(l, r operand, alpha, beta expr, dst *val, accumulate bool) bool {
	call := func(info *plan.Blas, args ...expr) bool {
		e.stmt(blasEffect(&plan.Do{Call: plan.Fn(blas64Path, info.Routine, args...), Blas: info}, dst, accumulate))
		return true
	}
	lsym, rsym := l.v.Kind == plan.Symmetric, r.v.Kind == plan.Symmetric
	switch {
	case lsym && !rsym && r.shape.IsCol():
		return call(&plan.Blas{Routine: "Symv", A: l.v, B: r.v, C: dst}, alpha, ref(l.v), ref(r.v), beta, ref(dst))
	case rsym && !lsym && l.shape.IsRow():
		return call(&plan.Blas{Routine: "Symv", A: r.v, B: l.v, C: dst}, alpha, ref(r.v), ref(l.v), beta, ref(dst))
	case lsym && !rsym && r.shape.IsMatrix() && !r.trans:
		return call(&plan.Blas{Routine: "Symm", A: l.v, B: r.v, C: dst}, plan.Qual{Path: blasPath, Name: "Left"}, alpha, ref(l.v), ref(r.v), beta, ref(dst))
	case rsym && !lsym && l.shape.IsMatrix() && !l.trans:
		return call(&plan.Blas{Routine: "Symm", A: l.v, B: r.v, C: dst}, plan.Qual{Path: blasPath, Name: "Right"}, alpha, ref(r.v), ref(l.v), beta, ref(dst))
	}
	return false
}

// beta is a product's β: 0 to overwrite, 1 to accumulate.
func beta(accumulate bool) expr {
	if accumulate {
		return plan.IntLit(1)
	}
	return plan.IntLit(0)
}

// coefficient spells alpha as the float64 argument of a call: an integral
// constant as an integer (1, -1, 2), as hand-written gonum code writes α.
// Only for arguments: in an expression an integer constant could make the
// arithmetic an integer's.
func coefficient(alpha expr) expr {
	if a, ok := alpha.(plan.Lit); ok && float64(a) == math.Trunc(float64(a)) && math.Abs(float64(a)) < 1<<31 {
		return plan.IntLit(int(a))
	}
	return alpha
}

// blasEffect sets what a product call into dst does to it: overwrites it,
// or adds to it when accumulate is set.
func blasEffect(d *plan.Do, dst *val, accumulate bool) *plan.Do {
	if accumulate {
		d.Updates = []*val{dst}
	} else {
		d.Writes = []*val{dst}
	}
	return d
}

// asGeneral returns o with a symmetric input expanded to a general matrix.
func (e *function) asGeneral(o operand) operand {
	if o.v.Kind == plan.Symmetric {
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
func (e *function) solve(l, r operand, alpha expr, dst *val) bool {
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
	args := []expr{ref(dst)}
	if !e.facts[a].spd {
		args = append(args, plan.Const{V: trans})
	}
	args = append(args, ref(b.v))
	method := "SolveTo"
	if b.shape.IsVector() {
		method = "SolveVecTo"
	}
	e.stmt(&plan.Do{Call: plan.Method(f, method, args...), Writes: []*val{dst}})
	if alpha != one {
		e.scaleInPlace(dst, b.shape, alpha)
	}
	return true
}

// scaleInPlace multiplies the stored value dst by alpha.
func (e *function) scaleInPlace(dst *val, shape derive.Shape, alpha expr) {
	if shape.IsVector() {
		e.stmt(&plan.Do{Call: plan.Fn(blas64Path, "Scal", alpha, ref(dst)), Updates: []*val{dst}})
		return
	}
	e.stmt(forRange(e.i, plan.Field{X: ref(dst), Name: "Rows"}, forRange(e.j, plan.Field{X: ref(dst), Name: "Cols"},
		&plan.Set{To: plan.At{V: dst, I: ref(e.i), J: ref(e.j)}, Op: "*=", Value: alpha})))
}

// one is the coefficient of a plain product.
const one = plan.IntLit(1)
