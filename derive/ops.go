package derive

import (
	"math"
	"sort"

	"github.com/gradgen/gradgen/spec"
)

// Kind groups operators by how emit lowers them.
type Kind int

// The operator kinds.
const (
	KindLeaf        Kind = iota // Const, Var, Eye
	KindElementwise             // entry by entry: fused into loops
	KindReduce                  // all entries to one scalar
	KindProduct                 // matrix products
	KindLinalg                  // factorisation-based: det, logdet, inv
	KindLayout                  // transpose, broadcast, diag
	KindKernel                  // computed whole by one runtime kernel: softmax
)

// Op is one operator, defined in one place: how it prints, how it
// evaluates (the reference used by tests), its derivative rules and
// whether and how a spec calls it. The table below, with the few spellings
// that are not operators of their own (sugar, at the end of this file), is
// the whole language; TestOperatorTable checks each entry. How an operator is written in Go is
// not here: package emit registers each operator's lowering in its own
// table (emit/lowering.go), so derive knows the mathematics only.
type Op struct {
	Name string // the spec spelling for functions; an internal name otherwise
	Kind Kind
	// Spec reports that a spec may call the operator by Name, on one
	// operand (its spelling, see operatorSpelling): squareArg that the
	// operand must be a square matrix or a scalar; build, when set, how
	// the call builds the operator (Graph.Sum, which takes a scale out),
	// else Graph.Apply for an elementwise function and Graph.Unary for a
	// structural one.
	Spec      bool
	squareArg bool
	build     func(g *Graph, x *Node) *Node
	// LaTeX is the LaTeX command of a function LaTeX knows by name (\exp,
	// \det); a call of any other prints as \operatorname{Name}.
	LaTeX string

	// Elementwise unary functions: the scalar function (the reference: it
	// never calls package runtime, which generated code calls) and its
	// derivative as an expression in x and y = f(x).
	Scalar func(x float64) float64
	Deriv  func(g *Graph, x, y *Node) *Node
	// Joint, when set, names a kernel that computes this function and
	// another of the same argument together for the price of one
	// (softplus and its derivative σ share one exp).
	Joint *Joint

	// Tangent returns the differential of n given the differentials d of
	// its arguments (forward mode; nil entries are zero): the rules of the
	// matrix differential, d(XY) = dX Y + X dY and so on.
	Tangent func(g *Graph, n *Node, d []*Node) *Node

	// Taylor mode (Graph.Derivatives) carries every derivative order
	// through the operator at once. Linear marks an operator linear in its
	// arguments jointly: its derivatives are its Tangent rule applied to
	// theirs. Bilinear, when set, builds the operator of two arguments for
	// an operator linear in each argument separately (products): Leibniz's
	// rule. Any other operator differentiates its Tangent rule's result.
	// Taylor, when set, is the operator's own rule for its m-th
	// derivative, given deriv(x, i), the i-th derivative of any node
	// (division: the quotient rule, as its Tangent rule is not defined at
	// a numerator that itself carries derivatives).
	Linear   bool
	Bilinear func(g *Graph, x, y *Node) *Node
	Taylor   func(g *Graph, n *Node, m int, deriv func(x *Node, i int) *Node) *Node

	// Adjoint returns the contributions to the adjoints of n's arguments,
	// given the adjoint adj of n (reverse mode: the transpose of the
	// differential rule). Nil entries are zero.
	Adjoint func(g *Graph, n, adj *Node) []*Node

	// Degree returns the degree of homogeneity of n from its arguments'
	// degrees, and whether n is homogeneous (see the function Degree); nil
	// means homogeneous only when every argument is constant (degree 0).
	Degree func(n *Node, args []int) (int, bool)

	// Eval evaluates n from its evaluated arguments (reference semantics).
	Eval func(e *Evaluator, n *Node, args []value) value

	// Print renders n; prec is the binding strength of the result.
	Print func(p *printer, n *Node) (s string, prec int)

	// One-argument structural operators (reductions, det, logdet, inv,
	// diag), which Graph.Unary builds: the result shape; the operator at a
	// 1×1 argument, in scalar terms (sum(s) = s, norm2(s) = |s|, inv(s) =
	// 1/s), which every such operator must have, so no later phase sees a
	// reduction or factorisation of a scalar; and, when it has one, the
	// operator at Xᵀ in terms of X (det(Xᵀ) = det(X), inv(Xᵀ) = inv(X)ᵀ).
	shapeOf       func(Shape) Shape
	ofScalar      func(g *Graph, s *Node) *Node
	ofTranspose   func(g *Graph, x *Node) *Node
	keepsSymmetry bool // a symmetric argument gives a symmetric result
}

// Joint is a kernel that returns an elementwise function and With, of
// one argument, in one call. Derive only names it; emit's lowering table
// says which Go call computes the pair.
type Joint struct {
	With *Op // the partner function, computed by the same call
}

// Leaves and structure.
var (
	OpConst     = &Op{Name: "const", Kind: KindLeaf}
	OpVar       = &Op{Name: "var", Kind: KindLeaf}
	OpEye       = &Op{Name: "eye", Kind: KindLeaf}
	OpBroadcast = &Op{Name: "broadcast", Kind: KindLayout}
	OpTranspose = &Op{Name: "transpose", Kind: KindLayout}
	OpAdd       = &Op{Name: "add", Kind: KindElementwise}
	OpScale     = &Op{Name: "scale", Kind: KindElementwise}
	OpHadamard  = &Op{Name: "hadamard", Kind: KindElementwise}
	OpDiv       = &Op{Name: "div", Kind: KindElementwise}
	OpPow       = &Op{Name: "pow", Kind: KindElementwise}
	OpMul       = &Op{Name: "mul", Kind: KindProduct}
	OpSum       = &Op{Name: "sum", Kind: KindReduce, Spec: true, shapeOf: toScalar}
	OpTr        = &Op{Name: "tr", Kind: KindReduce, Spec: true, squareArg: true, shapeOf: toScalar}
	OpNorm2     = &Op{Name: "norm2", Kind: KindReduce, Spec: true, shapeOf: toScalar}
	OpLogSumExp = &Op{Name: "logsumexp", Kind: KindReduce, Spec: true, shapeOf: toScalar}
	// OpSoftmax is exp(X − m) ⊘ sum(exp(X − m)) for m the largest entry of
	// X: logsumexp's derivative, formed from max-shifted exponentials.
	OpSoftmax  = &Op{Name: "softmax", Kind: KindKernel, shapeOf: same, keepsSymmetry: true}
	OpDet      = &Op{Name: "det", Kind: KindLinalg, Spec: true, squareArg: true, LaTeX: `\det`, shapeOf: toScalar}
	OpLogDet   = &Op{Name: "logdet", Kind: KindLinalg, Spec: true, squareArg: true, shapeOf: toScalar}
	OpInv      = &Op{Name: "inv", Kind: KindLinalg, Spec: true, squareArg: true, shapeOf: same, keepsSymmetry: true}
	OpCofactor = &Op{Name: "cofactor", Kind: KindLinalg, shapeOf: same, keepsSymmetry: true}
	OpDiagMat  = &Op{Name: "diagm", Kind: KindLayout, shapeOf: func(s Shape) Shape { return Square(s.Rows) }}
	OpDiagVec  = &Op{Name: "diagv", Kind: KindLayout, shapeOf: func(s Shape) Shape { return Col(s.Rows) }}
)

func toScalar(Shape) Shape { return ScalarShape }
func same(s Shape) Shape   { return s }

// Ops lists every operator: the whole language and the internal operators
// its derivatives need, for code that iterates over the table.
var Ops = append([]*Op{OpConst, OpVar, OpEye, OpBroadcast, OpTranspose, OpAdd, OpScale, OpHadamard,
	OpDiv, OpPow, OpMul, OpSum, OpTr, OpNorm2, OpLogSumExp, OpSoftmax, OpDet, OpLogDet, OpInv, OpCofactor,
	OpDiagMat, OpDiagVec, OpRecip0, OpStep, OpSinh}, Elementwise...)

// Rules for a structural operator at a scalar or transposed argument.
func itself(_ *Graph, x *Node) *Node { return x }

func sameAtTranspose(op *Op) func(g *Graph, x *Node) *Node {
	return func(g *Graph, x *Node) *Node { return g.Unary(op, x) }
}

func transposedAtTranspose(op *Op) func(g *Graph, x *Node) *Node {
	return func(g *Graph, x *Node) *Node { return g.T(g.Unary(op, x)) }
}

// Elementwise unary functions of the language, and the internal ones their
// derivatives need.
var (
	OpExp = elementwise("exp", `\exp`, math.Exp,
		func(g *Graph, x, y *Node) *Node { return y })
	OpLog = elementwise("log", `\log`, math.Log,
		func(g *Graph, x, y *Node) *Node { return g.Div(g.Const(1), x) })
	OpSin = elementwise("sin", `\sin`, math.Sin, nil) // derivative set in init: cos
	OpCos = elementwise("cos", `\cos`, math.Cos,
		func(g *Graph, x, y *Node) *Node { return g.Neg(g.Apply(OpSin, x)) })
	OpTan = elementwise("tan", `\tan`, math.Tan,
		func(g *Graph, x, y *Node) *Node { return g.Add(g.Const(1), g.Hadamard(y, y)) })
	OpArcsin = elementwise("arcsin", `\arcsin`, math.Asin,
		func(g *Graph, x, y *Node) *Node {
			return g.Div(g.Const(1), g.Apply(OpSqrt, g.Sub(g.Const(1), g.Hadamard(x, x))))
		})
	OpArccos = elementwise("arccos", `\arccos`, math.Acos,
		func(g *Graph, x, y *Node) *Node {
			return g.Div(g.Const(-1), g.Apply(OpSqrt, g.Sub(g.Const(1), g.Hadamard(x, x))))
		})
	OpArctan = elementwise("arctan", `\arctan`, math.Atan,
		func(g *Graph, x, y *Node) *Node { return g.Div(g.Const(1), g.Add(g.Const(1), g.Hadamard(x, x))) })
	OpTanh = elementwise("tanh", `\tanh`, math.Tanh,
		func(g *Graph, x, y *Node) *Node { return g.Sub(g.Const(1), g.Hadamard(y, y)) })
	OpCosh = elementwise("cosh", `\cosh`, math.Cosh,
		func(g *Graph, x, y *Node) *Node { return g.Apply(OpSinh, x) })
	OpSigmoid = elementwise("sigmoid", "", sigmoidReference,
		func(g *Graph, x, y *Node) *Node { return g.Hadamard(y, g.Sub(g.Const(1), y)) })
	OpSoftplus = elementwise("softplus", "", softplusReference,
		func(g *Graph, x, y *Node) *Node { return g.Apply(OpSigmoid, x) })
	OpSqrt = elementwise("sqrt", "", math.Sqrt,
		func(g *Graph, x, y *Node) *Node { return g.Div(g.Const(0.5), y) })
	OpAbs = elementwise("abs", "", math.Abs,
		func(g *Graph, x, y *Node) *Node { return g.Apply(OpSign, x) })
	OpSign = elementwise("sign", "", signReference,
		func(g *Graph, x, y *Node) *Node { return nil })
	OpRelu = elementwise("relu", "", reluReference,
		func(g *Graph, x, y *Node) *Node { return g.Apply(OpStep, x) })
	// OpRecip0 is 1/x, taken as 0 at 0: the gradient of norm2 at 0.
	OpRecip0 = internal(elementwise("recip0", "", recip0Reference,
		func(g *Graph, x, y *Node) *Node { return g.Neg(g.Hadamard(y, y)) }))
	// OpStep is relu's derivative: 1 where x > 0, else 0.
	OpStep = internal(elementwise("step", "", stepReference,
		func(g *Graph, x, y *Node) *Node { return nil }))
	// OpSinh is cosh's derivative.
	OpSinh = internal(elementwise("sinh", `\sinh`, math.Sinh, nil)) // derivative set in init: cosh
)

// Elementwise lists the elementwise unary functions callable from a spec.
var Elementwise = []*Op{OpExp, OpLog, OpSin, OpCos, OpTan, OpArcsin, OpArccos, OpArctan,
	OpTanh, OpCosh, OpSigmoid, OpSoftplus, OpSqrt, OpAbs, OpSign, OpRelu}

// internal marks op as an operator that only derivatives use, not
// callable from a spec.
func internal(op *Op) *Op { op.Spec = false; return op }

// elementwise returns the entry of an elementwise function: its name, its
// LaTeX command if LaTeX has one ("" otherwise), its scalar reference and
// its derivative.
func elementwise(name, latex string, f func(float64) float64, deriv func(g *Graph, x, y *Node) *Node) *Op {
	op := &Op{Name: name, Kind: KindElementwise, Spec: true, LaTeX: latex, Scalar: f, Deriv: deriv, keepsSymmetry: true}
	// dσ(X) = σ'(X) ⊙ dX.
	op.Tangent = func(g *Graph, n *Node, d []*Node) *Node { return g.Hadamard(op.Deriv(g, n.Args[0], n), d[0]) }
	op.Adjoint = func(g *Graph, n, adj *Node) []*Node {
		return []*Node{g.Hadamard(adj, op.Deriv(g, n.Args[0], n))}
	}
	op.Eval = func(e *Evaluator, n *Node, a []value) value { return a[0].apply(f) }
	op.Print = printCall(op)
	return op
}

// printCall prints a node of op as a call of op's name: sum(X), and in
// LaTeX \exp\left(x\right) or \operatorname{sum}\left(X\right).
func printCall(op *Op) func(p *printer, n *Node) (string, int) {
	return func(p *printer, n *Node) (string, int) { return p.call(op.Name, op.LaTeX, n.Args...), precAtom }
}

// Degree rules shared by several operators.
func sameDegree(_ *Node, args []int) (int, bool) { return args[0], true }

func sumOfDegrees(_ *Node, args []int) (int, bool) {
	d := 0
	for _, a := range args {
		d += a
	}
	return d, true
}

// The rules below refer to the operators themselves, so they are set
// once every operator exists.
func init() {
	OpSoftplus.Joint = &Joint{With: OpSigmoid}
	// Derivatives that are another function of the table, which an entry
	// cannot name without an initialisation cycle (sin ↔ cos).
	for op, deriv := range map[*Op]*Op{OpSin: OpCos, OpSinh: OpCosh} {
		op.Deriv = func(g *Graph, x, _ *Node) *Node { return g.Apply(deriv, x) }
	}
	homogeneity()
	scalarAndTransposeRules()
	leavesAndLayout()
	arithmetic()
	matrixProduct()
	reductions()
	linearAlgebra()
	diagonals()
}

// homogeneity sets the degree rules of Degree.
func homogeneity() {
	// A variable has degree 1 (set in Degree), constants 0;
	// linear maps keep the degree, products add degrees, a quotient
	// subtracts them, |x|, relu and norm2 are positively homogeneous.
	for _, op := range []*Op{OpBroadcast, OpTranspose, OpSum, OpTr, OpDiagMat, OpDiagVec, OpNorm2, OpAbs, OpRelu} {
		op.Degree = sameDegree
	}
	for _, op := range []*Op{OpScale, OpMul, OpHadamard} {
		op.Degree = sumOfDegrees
	}
	OpConst.Degree = func(*Node, []int) (int, bool) { return 0, true }
	OpEye.Degree = OpConst.Degree
	OpSign.Degree = OpConst.Degree
	OpAdd.Degree = func(_ *Node, args []int) (int, bool) {
		for _, a := range args[1:] {
			if a != args[0] {
				return 0, false
			}
		}
		return args[0], true
	}
	OpDiv.Degree = func(_ *Node, args []int) (int, bool) { return args[0] - args[1], true }
	OpInv.Degree = func(_ *Node, args []int) (int, bool) { return -args[0], true }
	OpPow.Degree = func(n *Node, args []int) (int, bool) {
		p := n.Args[1]
		switch {
		case args[1] != 0:
			return 0, false
		case p.Op == OpConst && p.Value == float64(int(p.Value)):
			return args[0] * int(p.Value), true
		}
		return 0, args[0] == 0
	}
}

// scalarAndTransposeRules sets the one-argument structural operators'
// rules at a scalar and at a transpose.
func scalarAndTransposeRules() {
	// A 1×1 argument is its one entry: sum(s) = tr(s) = det(s) = diag(s) =
	// logsumexp(s) = s, norm2(s) = |s|, logdet(s) = log|s|, inv(s) = 1/s
	// and the cofactor and softmax of a 1×1 matrix are 1.
	for _, op := range []*Op{OpSum, OpTr, OpLogSumExp, OpDet, OpDiagMat, OpDiagVec} {
		op.ofScalar = itself
	}
	OpNorm2.ofScalar = func(g *Graph, s *Node) *Node { return g.Apply(OpAbs, s) }
	OpLogDet.ofScalar = func(g *Graph, s *Node) *Node { return g.Apply(OpLog, g.Apply(OpAbs, s)) }
	OpInv.ofScalar = func(g *Graph, s *Node) *Node { return g.Div(g.Const(1), s) }
	OpCofactor.ofScalar = func(g *Graph, _ *Node) *Node { return g.Const(1) }
	OpSoftmax.ofScalar = OpCofactor.ofScalar
	// Sums over all entries, the diagonal and the determinant do not see a
	// transpose; the inverse, cofactor and softmax of Xᵀ are those of X,
	// transposed.
	for _, op := range []*Op{OpSum, OpTr, OpNorm2, OpLogSumExp, OpDet, OpLogDet, OpDiagVec} {
		op.ofTranspose = sameAtTranspose(op)
	}
	for _, op := range []*Op{OpInv, OpCofactor, OpSoftmax} {
		op.ofTranspose = transposedAtTranspose(op)
	}
}

// leavesAndLayout sets the rules of the leaves, broadcast, transpose and
// sums.
func leavesAndLayout() {
	OpConst.Eval = func(e *Evaluator, n *Node, _ []value) value { return scalarValue(n.Value) }
	OpConst.Print = func(p *printer, n *Node) (string, int) { return p.number(n.Value) }

	OpVar.Eval = func(e *Evaluator, n *Node, _ []value) value { return e.input(n.Name) }
	OpVar.Print = func(p *printer, n *Node) (string, int) { return n.Name, precAtom }

	OpEye.Eval = func(e *Evaluator, n *Node, _ []value) value { return e.eye(n.Shape) }
	OpEye.Print = func(p *printer, n *Node) (string, int) {
		return "eye(" + n.Shape.Rows.String() + ")", precAtom
	}

	// d(s 1) = ds 1: the adjoint of a broadcast scalar is the sum.
	OpBroadcast.Linear = true
	OpBroadcast.Tangent = func(g *Graph, n *Node, d []*Node) *Node { return g.Broadcast(d[0], n.Shape) }
	OpBroadcast.Adjoint = func(g *Graph, n, adj *Node) []*Node { return []*Node{g.Sum(adj)} }
	OpBroadcast.Eval = func(e *Evaluator, n *Node, a []value) value { return e.fill(n.Shape, a[0].scalar()) }
	OpBroadcast.Print = func(p *printer, n *Node) (string, int) { return p.broadcast(n) }

	// d(Xᵀ) = (dX)ᵀ.
	OpTranspose.Linear = true
	OpTranspose.Tangent = func(g *Graph, n *Node, d []*Node) *Node { return g.T(d[0]) }
	OpTranspose.Adjoint = func(g *Graph, n, adj *Node) []*Node { return []*Node{g.T(adj)} }
	OpTranspose.Eval = func(e *Evaluator, n *Node, a []value) value { return a[0].t() }
	OpTranspose.Print = func(p *printer, n *Node) (string, int) { return p.transpose(n.Args[0]), precPostfix }

	// d(X + Y) = dX + dY.
	OpAdd.Linear = true
	OpAdd.Tangent = func(g *Graph, n *Node, d []*Node) *Node { return g.Add(d...) }
	OpAdd.Adjoint = func(g *Graph, n, adj *Node) []*Node {
		out := make([]*Node, len(n.Args))
		for i := range out {
			out[i] = adj
		}
		return out
	}
	OpAdd.Eval = func(e *Evaluator, n *Node, a []value) value { return sumValues(a) }
	OpAdd.Print = func(p *printer, n *Node) (string, int) { return p.sum(n.Args), precAdd }
}

// arithmetic sets the rules of scaling, the elementwise product and
// quotient, and powers.
func arithmetic() {
	// d(s X) = ds X + s dX; tr(Gᵀ ds X) = ds sum(G ⊙ X).
	OpScale.Bilinear = func(g *Graph, s, x *Node) *Node { return g.Scale(s, x) }
	OpScale.Tangent = func(g *Graph, n *Node, d []*Node) *Node {
		return g.Add(g.Scale(d[0], n.Args[1]), g.Scale(n.Args[0], d[1]))
	}
	OpScale.Adjoint = func(g *Graph, n, adj *Node) []*Node {
		s, x := n.Args[0], n.Args[1]
		return []*Node{g.Sum(g.Hadamard(adj, x)), g.Scale(s, adj)}
	}
	OpScale.Eval = func(e *Evaluator, n *Node, a []value) value { return a[1].scale(a[0].scalar()) }
	OpScale.Print = func(p *printer, n *Node) (string, int) { return p.scale(n.Args[0], n.Args[1]) }

	// d(X ⊙ Y) = dX ⊙ Y + X ⊙ dY; tr(Gᵀ(dX ⊙ Y)) = tr((G ⊙ Y)ᵀ dX).
	OpHadamard.Bilinear = func(g *Graph, x, y *Node) *Node { return g.Hadamard(x, y) }
	OpHadamard.Tangent = func(g *Graph, n *Node, d []*Node) *Node {
		return g.Add(g.Hadamard(d[0], n.Args[1]), g.Hadamard(n.Args[0], d[1]))
	}
	OpHadamard.Adjoint = func(g *Graph, n, adj *Node) []*Node {
		x, y := n.Args[0], n.Args[1]
		return []*Node{g.Hadamard(adj, y), g.Hadamard(adj, x)}
	}
	OpHadamard.Eval = func(e *Evaluator, n *Node, a []value) value {
		return a[0].zip(a[1], func(x, y float64) float64 { return x * y })
	}
	OpHadamard.Print = func(p *printer, n *Node) (string, int) { return p.infix(n.Args[0], ".*", n.Args[1], precMul), precMul }

	// d(X ⊘ Y) = dX ⊘ Y − (X ⊘ Y) ⊙ dY ⊘ Y.
	OpDiv.Tangent = func(g *Graph, n *Node, d []*Node) *Node {
		y := n.Args[1]
		return g.Sub(g.Div(d[0], y), g.Div(g.Hadamard(n, d[1]), y))
	}
	// q = x ⊘ y: q⁽ᵐ⁾ = (x⁽ᵐ⁾ − Σᵢ₌₁ᵐ C(m, i) y⁽ⁱ⁾ ⊙ q⁽ᵐ⁻ⁱ⁾) ⊘ y.
	OpDiv.Taylor = func(g *Graph, n *Node, m int, deriv func(*Node, int) *Node) *Node {
		x, y := n.Args[0], n.Args[1]
		terms := []*Node{deriv(x, m)}
		binomial := 1.0 // C(m, i)
		for i := 1; i <= m; i++ {
			binomial = binomial * float64(m-i+1) / float64(i)
			if dy, dq := deriv(y, i), deriv(n, m-i); dy != nil && dq != nil {
				terms = append(terms, g.Scale(g.Const(-binomial), g.Hadamard(dy, dq)))
			}
		}
		return g.Div(g.Add(terms...), y)
	}
	OpDiv.Adjoint = func(g *Graph, n, adj *Node) []*Node {
		y := n.Args[1]
		return []*Node{g.Div(adj, y), g.Neg(g.Div(g.Hadamard(adj, n), y))}
	}
	OpDiv.Eval = func(e *Evaluator, n *Node, a []value) value {
		return a[0].zip(a[1], func(x, y float64) float64 { return x / y })
	}
	OpDiv.Print = func(p *printer, n *Node) (string, int) { return p.div(n.Args[0], n.Args[1]), precMul }

	// d(X^p) = p X^(p−1) ⊙ dX + X^p ⊙ log(X) dp.
	OpPow.Tangent = func(g *Graph, n *Node, d []*Node) *Node {
		x, p := n.Args[0], n.Args[1]
		dx := g.Hadamard(g.Scale(p, g.Pow(x, g.Add(p, g.Const(-1)))), d[0])
		var dp *Node
		if d[1] != nil {
			dp = g.Scale(d[1], g.Hadamard(n, g.Apply(OpLog, x)))
		}
		return g.Add(dx, dp)
	}
	OpPow.Adjoint = func(g *Graph, n, adj *Node) []*Node {
		x, p := n.Args[0], n.Args[1]
		dx := g.Hadamard(adj, g.Scale(p, g.Pow(x, g.Add(p, g.Const(-1)))))
		var dp *Node
		if p.Op != OpConst {
			dp = g.Sum(g.Hadamard(adj, g.Hadamard(n, g.Apply(OpLog, x))))
		}
		return []*Node{dx, dp}
	}
	OpPow.Eval = func(e *Evaluator, n *Node, a []value) value {
		p := a[1].scalar()
		return a[0].apply(func(x float64) float64 { return math.Pow(x, p) })
	}
	OpPow.Print = func(p *printer, n *Node) (string, int) { return p.pow(n.Args[0], n.Args[1]), precPow }
}

// matrixProduct sets the rules of the matrix product.
func matrixProduct() {
	// d(A₁⋯Aₖ) = Σᵢ A₁⋯dAᵢ⋯Aₖ; tr(Gᵀ P dAᵢ S) = tr((Pᵀ G Sᵀ)ᵀ dAᵢ).
	OpMul.Bilinear = func(g *Graph, x, y *Node) *Node { return g.Mul(x, y) }
	OpMul.Tangent = func(g *Graph, n *Node, d []*Node) *Node {
		var terms []*Node
		for i, di := range d {
			if di != nil {
				fs := append(append(append([]*Node{}, n.Args[:i]...), di), n.Args[i+1:]...)
				terms = append(terms, g.Mul(fs...))
			}
		}
		return g.Add(terms...)
	}
	OpMul.Adjoint = func(g *Graph, n, adj *Node) []*Node {
		out := make([]*Node, len(n.Args))
		for i := range n.Args {
			var fs []*Node
			if i > 0 {
				fs = append(fs, g.T(g.Mul(n.Args[:i]...)))
			}
			fs = append(fs, adj)
			if i+1 < len(n.Args) {
				fs = append(fs, g.T(g.Mul(n.Args[i+1:]...)))
			}
			out[i] = g.Mul(fs...)
		}
		return out
	}
	OpMul.Eval = func(e *Evaluator, n *Node, a []value) value { return product(a) }
	OpMul.Print = func(p *printer, n *Node) (string, int) { return p.product(n.Args), precMul }
}

// reductions sets the rules of sum, tr, norm2, logsumexp and softmax.
func reductions() {
	// A spec call of sum or tr takes a scale out: sum(s X) = s sum(X).
	OpSum.build = (*Graph).Sum
	OpTr.build = (*Graph).Tr

	// d sum(X) = sum(dX) = tr(1ᵀ dX).
	OpSum.Linear = true
	OpSum.Tangent = func(g *Graph, n *Node, d []*Node) *Node { return g.Sum(d[0]) }
	OpSum.Adjoint = func(g *Graph, n, adj *Node) []*Node { return []*Node{g.Broadcast(adj, n.Args[0].Shape)} }
	OpSum.Eval = func(e *Evaluator, n *Node, a []value) value { return scalarValue(a[0].sum()) }
	OpSum.Print = printCall(OpSum)

	// d tr(X) = tr(dX) = tr(Iᵀ dX).
	OpTr.Linear = true
	OpTr.Tangent = func(g *Graph, n *Node, d []*Node) *Node { return g.Tr(d[0]) }
	OpTr.Adjoint = func(g *Graph, n, adj *Node) []*Node {
		return []*Node{g.Scale(adj, g.Eye(n.Args[0].Shape.Rows))}
	}
	OpTr.Eval = func(e *Evaluator, n *Node, a []value) value { return scalarValue(a[0].trace()) }
	OpTr.Print = printCall(OpTr)

	// d‖X‖ = tr((X/‖X‖)ᵀ dX), taken as 0 at X = 0.
	OpNorm2.Tangent = func(g *Graph, n *Node, d []*Node) *Node {
		return g.Scale(g.Apply(OpRecip0, n), g.Sum(g.Hadamard(n.Args[0], d[0])))
	}
	OpNorm2.Adjoint = func(g *Graph, n, adj *Node) []*Node {
		return []*Node{g.Scale(g.Scale(adj, g.Apply(OpRecip0, n)), n.Args[0])}
	}
	OpNorm2.Eval = func(e *Evaluator, n *Node, a []value) value { return scalarValue(a[0].norm2()) }
	OpNorm2.Print = printCall(OpNorm2)

	// d logsumexp(X) = tr(softmax(X)ᵀ dX). The softmax is its own node, formed
	// from max-shifted exponentials, never exp(X − logsumexp(X)): at X =
	// [1e17, 1e17] the argument X − logsumexp(X) rounds to 0 and the
	// gradient would be [1, 1], not [½, ½].
	OpLogSumExp.Tangent = func(g *Graph, n *Node, d []*Node) *Node {
		return g.Sum(g.Hadamard(g.Unary(OpSoftmax, n.Args[0]), d[0]))
	}
	OpLogSumExp.Adjoint = func(g *Graph, n, adj *Node) []*Node {
		return []*Node{g.Scale(adj, g.Unary(OpSoftmax, n.Args[0]))}
	}
	OpLogSumExp.Eval = func(e *Evaluator, n *Node, a []value) value { return scalarValue(a[0].logSumExp()) }
	OpLogSumExp.Print = printCall(OpLogSumExp)

	// d softmax(X) = S ⊙ (dX − sum(S ⊙ dX)) for S = softmax(X): its Jacobian
	// diag(s) − s sᵀ (on the entries in any order) is symmetric, so the
	// adjoint has the same form. Every derivative of logsumexp beyond the
	// first is built from S itself and so stays exact where X is large.
	OpSoftmax.Tangent = func(g *Graph, n *Node, d []*Node) *Node {
		return g.Hadamard(n, g.Sub(d[0], g.Broadcast(g.Sum(g.Hadamard(n, d[0])), n.Shape)))
	}
	OpSoftmax.Adjoint = func(g *Graph, n, adj *Node) []*Node {
		return []*Node{g.Hadamard(n, g.Sub(adj, g.Broadcast(g.Sum(g.Hadamard(n, adj)), n.Shape)))}
	}
	OpSoftmax.Eval = func(e *Evaluator, n *Node, a []value) value { return a[0].softmax() }
	OpSoftmax.Print = printCall(OpSoftmax)
}

// linearAlgebra sets the rules of det, logdet, the cofactor matrix and inv.
func linearAlgebra() {
	// d|X| = |X| tr(X⁻¹ dX) = tr(cof(X)ᵀ dX): the cofactor matrix |X| X⁻ᵀ,
	// which stays finite where X is singular.
	OpDet.Tangent = func(g *Graph, n *Node, d []*Node) *Node {
		return g.Scale(n, g.Tr(g.Mul(g.Unary(OpInv, n.Args[0]), d[0])))
	}
	OpDet.Adjoint = func(g *Graph, n, adj *Node) []*Node {
		return []*Node{g.Scale(adj, g.Unary(OpCofactor, n.Args[0]))}
	}
	OpDet.Eval = func(e *Evaluator, n *Node, a []value) value { return scalarValue(a[0].det()) }
	OpDet.Print = printCall(OpDet)

	// d log|X| = tr(X⁻¹ dX).
	OpLogDet.Tangent = func(g *Graph, n *Node, d []*Node) *Node {
		return g.Tr(g.Mul(g.Unary(OpInv, n.Args[0]), d[0]))
	}
	OpLogDet.Adjoint = func(g *Graph, n, adj *Node) []*Node {
		return []*Node{g.Scale(adj, g.T(g.Unary(OpInv, n.Args[0])))}
	}
	OpLogDet.Eval = func(e *Evaluator, n *Node, a []value) value { return scalarValue(a[0].logAbsDet()) }
	OpLogDet.Print = printCall(OpLogDet)

	// The cofactor matrix appears only in gradients; it prints as the
	// textbook |X| X⁻ᵀ and evaluates (reference) as exactly that.
	OpCofactor.Tangent = func(g *Graph, n *Node, d []*Node) *Node {
		x := n.Args[0]
		inv := g.Unary(OpInv, x)
		return g.Sub(g.Scale(g.Tr(g.Mul(inv, d[0])), n), g.Scale(g.Unary(OpDet, x), g.T(g.Mul(inv, d[0], inv))))
	}
	OpCofactor.Eval = func(e *Evaluator, n *Node, a []value) value { return a[0].inverse().t().scale(a[0].det()) }
	OpCofactor.Print = func(p *printer, n *Node) (string, int) {
		return p.call(OpDet.Name, OpDet.LaTeX, n.Args[0]) + " " + p.transpose(&Node{Op: OpInv, Args: n.Args, Shape: n.Shape}), precMul
	}

	// d(X⁻¹) = −X⁻¹ dX X⁻¹; tr(Gᵀ X⁻¹ dX X⁻¹) = tr((X⁻ᵀ G X⁻ᵀ)ᵀ dX).
	OpInv.Tangent = func(g *Graph, n *Node, d []*Node) *Node { return g.Neg(g.Mul(n, d[0], n)) }
	OpInv.Adjoint = func(g *Graph, n, adj *Node) []*Node {
		return []*Node{g.Neg(g.Mul(g.T(n), adj, g.T(n)))}
	}
	OpInv.Eval = func(e *Evaluator, n *Node, a []value) value { return a[0].inverse() }
	OpInv.Print = func(p *printer, n *Node) (string, int) { return p.inverse(n.Args[0]), precAtom }
}

// diagonals sets the rules of diag in both directions.
func diagonals() {
	// diag(v) and diag(A) are each other's adjoints.
	OpDiagMat.Linear = true
	OpDiagMat.Tangent = func(g *Graph, n *Node, d []*Node) *Node { return g.Unary(OpDiagMat, d[0]) }
	OpDiagMat.Adjoint = func(g *Graph, n, adj *Node) []*Node { return []*Node{g.Unary(OpDiagVec, adj)} }
	OpDiagMat.Eval = func(e *Evaluator, n *Node, a []value) value { return a[0].diagMatrix() }
	OpDiagMat.Print = func(p *printer, n *Node) (string, int) { return p.call("diag", "", n.Args...), precAtom }
	OpDiagVec.Linear = true
	OpDiagVec.Tangent = func(g *Graph, n *Node, d []*Node) *Node { return g.Unary(OpDiagVec, d[0]) }
	OpDiagVec.Adjoint = func(g *Graph, n, adj *Node) []*Node { return []*Node{g.Unary(OpDiagMat, adj)} }
	OpDiagVec.Eval = func(e *Evaluator, n *Node, a []value) value { return a[0].diagVector() }
	OpDiagVec.Print = func(p *printer, n *Node) (string, int) { return p.call("diag", "", n.Args...), precAtom }
}

// A spelling is a name a spec may call and how a call of it builds the
// IR. Every operator of the table marked Spec is one (operatorSpelling);
// the names in sugar are the others. Together they are every function of
// the language: FunctionNames and the builder read them, nothing else.
type spelling struct {
	name  string
	arity int
	// build builds the call from its built arguments.
	build func(b *builder, c *spec.Call, args []*Node) (*Node, error)
	// leaf, instead of build, builds a call whose argument is a dimension
	// or a fill value, not an operand (eye, vector, matrix), given the
	// shape the call takes from where it is used.
	leaf func(b *builder, c *spec.Call, h *hint) (*Node, error)
	// shape returns the call's shape as far as its arguments tell it
	// without building them (builder.staticShape), and whether they do.
	shape func(b *builder, c *spec.Call) (Shape, bool)
	// elementwise reports that the result has the argument's shape, so a
	// fill argument takes the shape of where the call is used;
	// sameShapeArgs that the arguments have one shape, so a fill argument
	// takes the other's (dot(x, vector(1))).
	elementwise, sameShapeArgs bool
}

// operatorSpelling returns the spelling of an operator called by its
// name on one operand (Op.Spec).
func operatorSpelling(op *Op) *spelling {
	return &spelling{
		name: op.Name, arity: 1, elementwise: op.Kind == KindElementwise,
		build: func(b *builder, c *spec.Call, a []*Node) (*Node, error) {
			if op.squareArg {
				if err := square(c, a[0]); err != nil {
					return nil, err
				}
			}
			switch {
			case op.build != nil:
				return op.build(b.g, a[0]), nil
			case op.Kind == KindElementwise:
				return b.g.Apply(op, a[0]), nil
			}
			return b.g.Unary(op, a[0]), nil
		},
		shape: func(b *builder, c *spec.Call) (Shape, bool) {
			if op.shapeOf == nil { // elementwise: the argument's shape
				return b.staticShape(c.Args[0])
			}
			if scalarValued(op) {
				return ScalarShape, true
			}
			s, known := b.staticShape(c.Args[0])
			return op.shapeOf(s), known
		},
	}
}

// scalarValued reports that a one-argument structural operator returns a
// scalar whatever its argument (the reductions, det, logdet).
func scalarValued(op *Op) bool { return op.shapeOf(Square(Dim{Name: "n"})).IsScalar() }

// sugar holds the functions a spec may call that are not operators of
// their own: norm1 is sum(abs(X)), dot is aᵀb or sum(A ⊙ B), diag is
// diagm or diagv by its argument's shape, and eye, vector and matrix are
// leaves whose argument is a dimension or a fill value.
var sugar = []*spelling{
	{name: "norm1", arity: 1, shape: scalarCall,
		build: func(b *builder, c *spec.Call, a []*Node) (*Node, error) { return b.g.Sum(b.g.Apply(OpAbs, a[0])), nil }},
	{name: "dot", arity: 2, sameShapeArgs: true, shape: scalarCall, build: dot},
	{name: "diag", arity: 1, shape: diagShape, build: diag},
	{name: "eye", arity: 1, shape: eyeShape,
		leaf: func(b *builder, c *spec.Call, _ *hint) (*Node, error) { return b.eye(c) }},
	{name: "vector", arity: 1, shape: fillShape, leaf: (*builder).fill},
	{name: "matrix", arity: 1, shape: fillShape, leaf: (*builder).fill},
}

// spellings maps each name a spec may call to its spelling.
var spellings = map[string]*spelling{}

func init() {
	for _, op := range Ops {
		if op.Spec {
			spellings[op.Name] = operatorSpelling(op)
		}
	}
	for _, s := range sugar {
		spellings[s.name] = s
	}
}

func scalarCall(*builder, *spec.Call) (Shape, bool) { return ScalarShape, true }

// fillShape is the shape of vector(c) and matrix(c): none of their own.
func fillShape(*builder, *spec.Call) (Shape, bool) { return Shape{}, false }

func eyeShape(b *builder, c *spec.Call) (Shape, bool) {
	if n, err := b.eye(c); err == nil {
		return n.Shape, true
	}
	return ScalarShape, true
}

func diagShape(b *builder, c *spec.Call) (Shape, bool) {
	s, known := b.staticShape(c.Args[0])
	if s.IsCol() {
		return Square(s.Rows), known
	}
	return Col(s.Rows), known
}

// dot is aᵀb for vectors and sum(A ⊙ B) otherwise.
func dot(b *builder, c *spec.Call, a []*Node) (*Node, error) {
	if a[0].Shape != a[1].Shape {
		return nil, spec.Errorf(c.Fun.At, "dot needs operands of one shape, not %s and %s", a[0].Shape, a[1].Shape)
	}
	if a[0].Shape.IsCol() {
		return b.g.Mul(b.g.T(a[0]), a[1]), nil
	}
	return b.g.Sum(b.g.Hadamard(a[0], a[1])), nil
}

// diag is the diagonal matrix of a vector, the diagonal of a square matrix.
func diag(b *builder, c *spec.Call, a []*Node) (*Node, error) {
	switch s := a[0].Shape; {
	case s.IsCol():
		return b.g.Unary(OpDiagMat, a[0]), nil
	case s.IsMatrix() && s.IsSquare():
		return b.g.Unary(OpDiagVec, a[0]), nil
	}
	return nil, spec.Errorf(c.Fun.At, "diag takes a vector or a square matrix, not %s", a[0].Shape)
}

func square(c *spec.Call, x *Node) error {
	if x.Shape.IsScalar() || (x.Shape.IsMatrix() && x.Shape.IsSquare()) {
		return nil
	}
	return spec.Errorf(c.Fun.At, "%s needs a square matrix, not %s", c.Fun.Name, x.Shape)
}

// FunctionNames returns the names of the functions a spec may call, sorted.
func FunctionNames() []string {
	names := make([]string, 0, len(spellings))
	for name := range spellings {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
