package emit

import (
	"fmt"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
)

// lowering is how one operator of derive's table (derive.Ops) is written
// in Go. It is registered here, beside the code that uses it, as JAX
// registers a primitive's lowering with the lowering code, so that derive
// knows the mathematics only and never imports jennifer. Which fields an
// operator needs follows from its kind (TestLoweringTable).
type lowering struct {
	// entry returns the expression of one entry of an elementwise node n
	// from the expressions of its operands' entries, which arg returns.
	entry func(e *function, n *derive.Node, arg func(*derive.Node) expr) expr
	// at returns entry (i, j) of a layout node or a leaf (a transpose, a
	// broadcast, a diagonal, eye, a constant) from its operand's entries.
	at func(e *function, n *derive.Node, i, j expr) expr
	// scalar returns the value of a scalar-valued structural node (a
	// reduction, det, logdet, a dot product), or nil when it has summed it
	// in a loop into the new local acc.
	scalar func(e *function, n *derive.Node, acc *val) expr
	// into writes a vector- or matrix-valued structural node whole into
	// dst (products, inverses, cofactors, softmax; sums that have their
	// own way), after the comment note; it reports false when the node is
	// to be written entry by entry after all.
	into func(e *function, n *derive.Node, dst *val, note plan.Step) bool
	// joint, for an operator with a joint kernel (derive.Op.Joint), is
	// the Go call at x that returns the operator's value and its partner's,
	// in that order.
	joint func(x expr) expr
	// jointBlock is that call's function and the runtime kernel that
	// applies it to a whole buffer, writing the two results into two
	// buffers with the same results to the bit (runtime.SoftplusSigmoidTo
	// for runtime.SoftplusSigmoid), for the row panels' loops and
	// plan.BlockKernels.
	jointBlock *blockKernel
	// jointBlockOnly, for an operator with a joint kernel, says the kernel
	// is used only where its block kernel can run (its argument a buffer
	// of the workspace, plan.BlockKernels): tanh's, whose call in a scalar
	// loop over an argument that is not would store tanh′ for a later
	// loop, where tanh′ was computed in that loop's place.
	jointBlockOnly bool
	// block, for an operator whose entry is a call of one scalar
	// function, is that function and the runtime kernel that applies it
	// to a whole buffer with the same results to the bit (runtime.ExpTo
	// for math.Exp), for plan.BlockKernels.
	block *blockKernel
}

// blockKernel is a scalar function and its block kernel.
type blockKernel struct{ fn, kernel plan.Qual }

// blocked returns the lowering of an operator whose entry is the call of
// the function name of the package at path, with the block kernel
// runtime.kernel.
func blocked(path, name, kernel string) lowering {
	return lowering{entry: call(path, name), block: &blockKernel{plan.Qual{Path: path, Name: name}, plan.Qual{Path: runtimePath, Name: kernel}}}
}

// withJoint returns l with the joint kernel, the function name of package
// runtime, and its block kernel runtime.kernel.
func (l lowering) withJoint(name, kernel string) lowering {
	l.joint = qualCall(runtimePath, name)
	l.jointBlock = &blockKernel{plan.Qual{Path: runtimePath, Name: name}, plan.Qual{Path: runtimePath, Name: kernel}}
	return l
}

// blockOnly returns l with jointBlockOnly set.
func (l lowering) blockOnly() lowering {
	l.jointBlockOnly = true
	return l
}

// jointBlockKernel returns the block kernel of the joint kernel fn
// (lowering.jointBlock), or false when it has none.
func jointBlockKernel(fn plan.Qual) (plan.Qual, bool) {
	for _, l := range lowerings {
		if l.jointBlock != nil && l.jointBlock.fn == fn {
			return l.jointBlock.kernel, true
		}
	}
	return plan.Qual{}, false
}

// jointBlockKernels maps each joint kernel with a block kernel to the
// block kernel (lowering.jointBlock), for plan.BlockKernels.
func jointBlockKernels() map[plan.Qual]plan.Qual {
	return kernelMap(func(l lowering) *blockKernel { return l.jointBlock })
}

// blockKernels maps each scalar function with a block kernel to the
// kernel (lowering.block), for plan.BlockKernels.
func blockKernels() map[plan.Qual]plan.Qual {
	return kernelMap(func(l lowering) *blockKernel { return l.block })
}

// kernelMap maps the function of each lowering's kernel that field
// returns to the kernel.
func kernelMap(field func(lowering) *blockKernel) map[plan.Qual]plan.Qual {
	out := map[plan.Qual]plan.Qual{}
	for _, l := range lowerings {
		if k := field(l); k != nil {
			out[k.fn] = k.kernel
		}
	}
	return out
}

// lowerings holds the lowering of every operator, one entry each. It is
// filled by init, as its entries call methods that read it.
// TestLoweringTable checks it against derive.Ops.
var lowerings map[*derive.Op]lowering

func init() {
	lowerings = map[*derive.Op]lowering{
		derive.OpConst: {at: func(_ *function, n *derive.Node, _, _ expr) expr { return plan.Lit(n.Value) }},
		derive.OpEye:   {at: func(_ *function, _ *derive.Node, i, j expr) expr { return kronecker(i, j) }},
		derive.OpSize: {at: func(e *function, n *derive.Node, _, _ expr) expr {
			return plan.Fn("", "float64", e.dim(derive.Dim{Name: n.Name}))
		}},
		derive.OpBroadcast: {at: func(e *function, n *derive.Node, _, _ expr) expr { return e.scalar(n.Args[0]) }},
		derive.OpTranspose: {at: func(e *function, n *derive.Node, i, j expr) expr { return e.elem(n.Args[0], j, i) }},
		derive.OpDiagMat: {at: func(e *function, n *derive.Node, i, j expr) expr {
			return plan.Mul(kronecker(i, j), e.elem(n.Args[0], i, plan.IntLit(0)))
		}},
		derive.OpDiagVec: {at: func(e *function, n *derive.Node, i, _ expr) expr { return e.elem(n.Args[0], i, i) }},

		derive.OpAdd:      {entry: addEntry, into: (*function).sumInto},
		derive.OpScale:    {entry: scaleEntry, into: (*function).scaledProductInto},
		derive.OpHadamard: {entry: hadamardEntry},
		derive.OpDiv:      {entry: divEntry},
		derive.OpPow:      {entry: (*function).powEntry},

		derive.OpMul:           {scalar: (*function).dotProduct, into: (*function).productNodeInto},
		derive.OpSum:           {scalar: (*function).sumOf},
		derive.OpTr:            {scalar: (*function).traceOf},
		derive.OpNorm2:         {scalar: (*function).norm2Of},
		derive.OpSumSq:         {scalar: (*function).sumSquaresOf},
		derive.OpLogSumExp:     {scalar: (*function).logSumExpOf},
		derive.OpDet:           {scalar: (*function).detOf},
		derive.OpLogDet:        {scalar: (*function).logDetOf},
		derive.OpInv:           {into: (*function).inverseInto},
		derive.OpCofactor:      {into: (*function).cofactorInto},
		derive.OpCofactorDeriv: {into: (*function).cofactorDerivativeInto},
		derive.OpDetTaylor:     {scalar: (*function).detTaylorOf},
		derive.OpSoftmax:       {into: (*function).softmaxInto},
		derive.OpLogSumExpRows: {into: (*function).rowsInto},
		derive.OpSoftmaxRows:   {into: (*function).rowsInto},

		derive.OpExp:          blocked(mathPath, "Exp", "ExpTo"),
		derive.OpLog:          blocked(mathPath, "Log", "LogTo"),
		derive.OpSin:          {entry: call(mathPath, "Sin")},
		derive.OpCos:          {entry: call(mathPath, "Cos")},
		derive.OpTan:          {entry: call(mathPath, "Tan")},
		derive.OpArcsin:       {entry: call(mathPath, "Asin")},
		derive.OpArccos:       {entry: call(mathPath, "Acos")},
		derive.OpArctan:       {entry: call(mathPath, "Atan")},
		derive.OpTanh:         blocked(mathPath, "Tanh", "TanhTo").withJoint("TanhTanhDeriv", "TanhTanhDerivTo").blockOnly(),
		derive.OpCosh:         {entry: call(mathPath, "Cosh")},
		derive.OpSinh:         {entry: call(mathPath, "Sinh")},
		derive.OpLog1p:        {entry: call(mathPath, "Log1p")},
		derive.OpExpm1:        {entry: call(mathPath, "Expm1")},
		derive.OpErf:          {entry: call(mathPath, "Erf")},
		derive.OpSigmoid:      blocked(runtimePath, "Sigmoid", "SigmoidTo"),
		derive.OpSoftplus:     blocked(runtimePath, "Softplus", "SoftplusTo").withJoint("SoftplusSigmoid", "SoftplusSigmoidTo"),
		derive.OpSigmoidDeriv: blocked(runtimePath, "SigmoidDeriv", "SigmoidDerivTo"),
		derive.OpTanhDeriv:    blocked(runtimePath, "TanhDeriv", "TanhDerivTo"),
		derive.OpSqrt:         {entry: call(mathPath, "Sqrt")},
		derive.OpAbs:          {entry: call(mathPath, "Abs")},
		derive.OpSign:         {entry: call(runtimePath, "Sign")},
		derive.OpRelu:         {entry: call(runtimePath, "Relu")},
		derive.OpRecip0:       {entry: call(runtimePath, "Recip0")},
		derive.OpLog0:         {entry: call(runtimePath, "Log0")},
		derive.OpStep:         {entry: call(runtimePath, "Step")},
	}
}

// sumSquaresOf is xᵀx by blas64.Dot for a vector and Σᵢⱼ Xᵢⱼ² summed in
// a loop for a matrix. The loop reads each entry twice, so an argument
// that would be computed inline in it (an elementwise node used once) is
// stored first: read twice, it would be computed twice.
func (e *function) sumSquaresOf(n *derive.Node, acc *val) expr {
	x := n.Args[0]
	if x.Shape.IsVector() {
		v := ref(e.operand(x).v)
		return plan.Fn(blas64Path, "Dot", v, v)
	}
	if e.inline(x) {
		e.ensure(x)
	}
	return e.accumulate(n, x.Shape, func(i, j expr) expr { return plan.Mul(e.elem(x, i, j), e.elem(x, i, j)) }, acc, x)
}

// combine returns the expression of the elementwise node n from the
// expressions of its operands, by n's lowering.
func (e *function) combine(n *derive.Node, arg func(*derive.Node) expr) expr {
	l := lowerings[n.Op]
	if l.entry == nil {
		panic(fmt.Sprintf("emit: internal error: the operator %s has no Go lowering (emit/lowering.go)", n.Op.Name))
	}
	return l.entry(e, n, arg)
}

// call lowers an elementwise function of one argument to the Go function
// name of the package at path.
func call(path, name string) func(e *function, n *derive.Node, arg func(*derive.Node) expr) expr {
	goCall := qualCall(path, name)
	return func(_ *function, n *derive.Node, arg func(*derive.Node) expr) expr {
		return goCall(arg(n.Args[0]))
	}
}

// qualCall returns the Go call of the function name of the package at
// path on one argument.
func qualCall(path, name string) func(x expr) expr {
	return func(x expr) expr { return plan.Fn(path, name, x) }
}

// addEntry writes a sum, a term −1·t as a subtraction.
func addEntry(_ *function, n *derive.Node, arg func(*derive.Node) expr) expr {
	return sumEntries(n.Args, arg)
}

// sumEntries writes the sum of the terms' entries, a negated term
// subtracted.
func sumEntries(terms []*derive.Node, arg func(*derive.Node) expr) expr {
	x := arg(terms[0])
	for _, t := range terms[1:] {
		if c, rest := negated(t); c {
			x = plan.Sub(x, arg(rest))
		} else {
			x = plan.Add(x, arg(t))
		}
	}
	return x
}

// scaleEntry writes s·x, and −1·x as a negation.
func scaleEntry(_ *function, n *derive.Node, arg func(*derive.Node) expr) expr {
	if n.Args[0].IsConst(-1) {
		return plan.Neg(arg(n.Args[1]))
	}
	return plan.Mul(arg(n.Args[0]), arg(n.Args[1]))
}

// hadamardEntry writes the product of two entries.
func hadamardEntry(_ *function, n *derive.Node, arg func(*derive.Node) expr) expr {
	return plan.Mul(arg(n.Args[0]), arg(n.Args[1]))
}

// divEntry writes the quotient of two entries.
func divEntry(_ *function, n *derive.Node, arg func(*derive.Node) expr) expr {
	return plan.Div(arg(n.Args[0]), arg(n.Args[1]))
}

// powEntry writes x^p as math.Pow, and x² as x*x when x is stored or
// cheap to repeat (a name or an entry read), runtime.Square(x) otherwise: one multiply, correctly
// rounded, where math.Pow is a call (and rounds a subnormal x² twice).
func (e *function) powEntry(n *derive.Node, arg func(*derive.Node) expr) expr {
	x, p := n.Args[0], n.Args[1]
	base := arg(x)
	if p.IsConst(2) {
		if _, stored := e.vals[x]; stored || cheap(x) {
			return plan.Mul(base, arg(x))
		}
		// base itself, not arg(x) again: a second arg(x) need not read the
		// same value (a joint kernel's local is x's entry only once; then
		// x is formed whole, possibly over an operand still to be read).
		if readsEntry(base) {
			return plan.Mul(base, base)
		}
		return plan.Fn(runtimePath, "Square", base)
	}
	return plan.Fn(mathPath, "Pow", base, e.scalar(p))
}

// readsEntry reports whether x is a name or the read of one entry, which
// costs no more to repeat than to name.
func readsEntry(x expr) bool {
	switch x.(type) {
	case plan.Ref, plan.At:
		return true
	}
	return false
}
