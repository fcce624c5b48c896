package derive

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"

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
// whether and how a spec calls it. The table below, one entry per
// operator (see define; an elementwise function is one elementwise(…)
// call), with the few spellings that are not operators of their own
// (sugar, at the end of this file), is the whole language;
// TestOperatorTable checks each entry. How an operator is written in Go is
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
	// a numerator that itself carries derivatives; det from the third
	// on along a straight path, see OpDetTaylor); it
	// reports false for an order it leaves to the rules above.
	Linear   bool
	Bilinear func(g *Graph, x, y *Node) *Node
	Taylor   func(g *Graph, n *Node, m int, deriv func(x *Node, i int) *Node) (d *Node, ok bool)

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
	// stable, when set, returns a form of op(x) that keeps its digits where
	// op(x) as written would not (log σ(z) = −softplus(−z)), or nil to keep
	// op(x); Graph.Apply builds it instead. oneMinus, when set, is 1 − op(x)
	// in such a form (σ: σ(−x)), or nil to keep it; Graph.Add uses it for
	// c − c·op(x).
	stable   func(g *Graph, x *Node) *Node
	oneMinus func(g *Graph, x *Node) *Node

	// along, when set, builds a spec call with a dimension, f(X, 1) or f(X,
	// 2) (see along.go): a reduction along one dimension.
	along func(g *Graph, x *Node, dim int) *Node

	// id is the operator's place in Ops: what interning keys a node by, as
	// two operators may share a Name (softmax(X) and softmax(X, 2)).
	id int
}

// Joint is a kernel that returns an elementwise function and With, of
// one argument, in one call. Derive only names it; emit's lowering table
// says which Go call computes the pair.
type Joint struct {
	With *Op // the partner function, computed by the same call
}

// Ops lists every operator: the whole language and the internal operators
// its derivatives need, for code that iterates over the table. define
// fills it, in the order the entries are defined; no user depends on that
// order.
var Ops []*Op

// define makes op the operator entry describes and lists it in Ops.
//
// A structural operator is one entry: its var, and an init function that
// defines it, every rule in one literal. The rules cannot sit in the var's
// initialiser: they build nodes through Graph's constructors, and those
// name the operators (OpSum's Tangent calls Graph.Sum, which builds an
// OpSum node), which Go rejects as an initialisation cycle. Every var is
// set before any init function runs, so an entry may name any operator,
// itself included.
func define(op *Op, entry Op) {
	*op = entry
	op.id = len(Ops)
	Ops = append(Ops, op)
}

// Shape rules of the one-argument structural operators.
func toScalar(Shape) Shape { return ScalarShape }
func same(s Shape) Shape   { return s }

// Rules for a structural operator at a scalar or transposed argument.
func itself(_ *Graph, x *Node) *Node { return x }

func one(g *Graph, _ *Node) *Node { return g.Const(1) }

func sameAtTranspose(op *Op) func(g *Graph, x *Node) *Node {
	return func(g *Graph, x *Node) *Node { return g.Unary(op, x) }
}

func transposedAtTranspose(op *Op) func(g *Graph, x *Node) *Node {
	return func(g *Graph, x *Node) *Node { return g.T(g.Unary(op, x)) }
}

// Degree rules shared by several operators: a variable has degree 1 (set
// in Degree), constants 0; linear maps and positively homogeneous
// functions (|x|, relu, norm2) keep the degree, products add degrees.
func constantDegree(*Node, []int) (int, bool) { return 0, true }

func sameDegree(_ *Node, args []int) (int, bool) { return args[0], true }

func sumOfDegrees(_ *Node, args []int) (int, bool) {
	d := 0
	for _, a := range args {
		d += a
	}
	return d, true
}

// printCall prints a node of op as a call of op's name: sum(X), and in
// LaTeX \exp\left(x\right) or \operatorname{sum}\left(X\right).
func printCall(op *Op) func(p *printer, n *Node) (string, int) {
	return func(p *printer, n *Node) (string, int) { return p.call(op.Name, op.LaTeX, n.Args...), precAtom }
}

// OpConst is a constant scalar, Node.Value.
var OpConst = new(Op)

func init() {
	define(OpConst, Op{Name: "const", Kind: KindLeaf,
		Degree: constantDegree,
		Eval:   func(e *Evaluator, n *Node, _ []value) value { return scalarValue(n.Value) },
		Print:  func(p *printer, n *Node) (string, int) { return p.number(n.Value) },
	})
}

// OpVar is an input, named Node.Name.
var OpVar = new(Op)

func init() {
	define(OpVar, Op{Name: "var", Kind: KindLeaf,
		Eval:  func(e *Evaluator, n *Node, _ []value) value { return e.input(n.Name) },
		Print: func(p *printer, n *Node) (string, int) { return p.ident(n.Name), precAtom },
	})
}

// OpEye is the identity matrix of its shape.
var OpEye = new(Op)

func init() {
	define(OpEye, Op{Name: "eye", Kind: KindLeaf,
		Degree: constantDegree,
		Eval:   func(e *Evaluator, n *Node, _ []value) value { return e.eye(n.Shape) },
		Print: func(p *printer, n *Node) (string, int) {
			return "eye(" + n.Shape.Rows.String() + ")", precAtom
		},
	})
}

// OpBroadcast is a scalar repeated over its node's shape.
var OpBroadcast = new(Op)

func init() {
	define(OpBroadcast, Op{Name: "broadcast", Kind: KindLayout,
		Degree: sameDegree,
		// d(s 1) = ds 1: the adjoint of a broadcast scalar is the sum.
		Linear:  true,
		Tangent: func(g *Graph, n *Node, d []*Node) *Node { return g.Broadcast(d[0], n.Shape) },
		Adjoint: func(g *Graph, n, adj *Node) []*Node { return []*Node{g.Sum(adj)} },
		Eval:    func(e *Evaluator, n *Node, a []value) value { return e.fill(n.Shape, a[0].scalar()) },
		Print:   func(p *printer, n *Node) (string, int) { return p.broadcast(n) },
	})
}

// OpTranspose is Xᵀ.
var OpTranspose = new(Op)

func init() {
	define(OpTranspose, Op{Name: "transpose", Kind: KindLayout,
		Degree: sameDegree,
		// d(Xᵀ) = (dX)ᵀ.
		Linear:  true,
		Tangent: func(g *Graph, n *Node, d []*Node) *Node { return g.T(d[0]) },
		Adjoint: func(g *Graph, n, adj *Node) []*Node { return []*Node{g.T(adj)} },
		Eval:    func(e *Evaluator, n *Node, a []value) value { return a[0].t() },
		Print:   func(p *printer, n *Node) (string, int) { return p.transpose(n.Args[0]), p.superscript(precPostfix) },
	})
}

// OpAdd is the sum of its arguments, all of one shape.
var OpAdd = new(Op)

func init() {
	define(OpAdd, Op{Name: "add", Kind: KindElementwise,
		// Homogeneous when every term has one degree.
		Degree: func(_ *Node, args []int) (int, bool) {
			for _, a := range args[1:] {
				if a != args[0] {
					return 0, false
				}
			}
			return args[0], true
		},
		// d(X + Y) = dX + dY.
		Linear:  true,
		Tangent: func(g *Graph, n *Node, d []*Node) *Node { return g.Add(d...) },
		Adjoint: func(g *Graph, n, adj *Node) []*Node {
			out := make([]*Node, len(n.Args))
			for i := range out {
				out[i] = adj
			}
			return out
		},
		Eval:  func(e *Evaluator, n *Node, a []value) value { return sumValues(a) },
		Print: func(p *printer, n *Node) (string, int) { return p.sum(n.Args), precAdd },
	})
}

// OpScale is s X, a scalar times a scalar, vector or matrix.
var OpScale = new(Op)

func init() {
	define(OpScale, Op{Name: "scale", Kind: KindElementwise,
		Degree: sumOfDegrees,
		// d(s X) = ds X + s dX; tr(Gᵀ ds X) = ds sum(G ⊙ X).
		Bilinear: func(g *Graph, s, x *Node) *Node { return g.Scale(s, x) },
		Tangent: func(g *Graph, n *Node, d []*Node) *Node {
			return g.Add(g.Scale(d[0], n.Args[1]), g.Scale(n.Args[0], d[1]))
		},
		Adjoint: func(g *Graph, n, adj *Node) []*Node {
			s, x := n.Args[0], n.Args[1]
			return []*Node{g.Sum(g.Hadamard(adj, x)), g.Scale(s, adj)}
		},
		Eval:  func(e *Evaluator, n *Node, a []value) value { return a[1].scale(a[0].scalar()) },
		Print: func(p *printer, n *Node) (string, int) { return p.scale(n.Args[0], n.Args[1]) },
	})
}

// OpHadamard is X ⊙ Y, the elementwise product.
var OpHadamard = new(Op)

func init() {
	define(OpHadamard, Op{Name: "hadamard", Kind: KindElementwise,
		Degree: sumOfDegrees,
		// d(X ⊙ Y) = dX ⊙ Y + X ⊙ dY; tr(Gᵀ(dX ⊙ Y)) = tr((G ⊙ Y)ᵀ dX).
		Bilinear: func(g *Graph, x, y *Node) *Node { return g.Hadamard(x, y) },
		Tangent: func(g *Graph, n *Node, d []*Node) *Node {
			return g.Add(g.Hadamard(d[0], n.Args[1]), g.Hadamard(n.Args[0], d[1]))
		},
		Adjoint: func(g *Graph, n, adj *Node) []*Node {
			x, y := n.Args[0], n.Args[1]
			return []*Node{g.Hadamard(adj, y), g.Hadamard(adj, x)}
		},
		Eval: func(e *Evaluator, n *Node, a []value) value {
			return a[0].zip(a[1], func(x, y float64) float64 { return x * y })
		},
		Print: func(p *printer, n *Node) (string, int) { return p.infix(n.Args[0], ".*", n.Args[1], precMul), precMul },
	})
}

// OpDiv is X ⊘ Y, the elementwise quotient.
var OpDiv = new(Op)

func init() {
	define(OpDiv, Op{Name: "div", Kind: KindElementwise,
		// A quotient subtracts the degrees.
		Degree: func(_ *Node, args []int) (int, bool) { return args[0] - args[1], true },
		// d(X ⊘ Y) = dX ⊘ Y − (X ⊘ Y) ⊙ dY ⊘ Y.
		Tangent: func(g *Graph, n *Node, d []*Node) *Node {
			y := n.Args[1]
			return g.Sub(g.Div(d[0], y), g.Div(g.Hadamard(n, d[1]), y))
		},
		// q = x ⊘ y: q⁽ᵐ⁾ = (x⁽ᵐ⁾ − Σᵢ₌₁ᵐ C(m, i) y⁽ⁱ⁾ ⊙ q⁽ᵐ⁻ⁱ⁾) ⊘ y.
		Taylor: func(g *Graph, n *Node, m int, deriv func(*Node, int) *Node) (*Node, bool) {
			x, y := n.Args[0], n.Args[1]
			terms := []*Node{deriv(x, m)}
			binomial := 1.0 // C(m, i)
			for i := 1; i <= m; i++ {
				binomial = binomial * float64(m-i+1) / float64(i)
				if dy, dq := deriv(y, i), deriv(n, m-i); dy != nil && dq != nil {
					terms = append(terms, g.Scale(g.Const(-binomial), g.Hadamard(dy, dq)))
				}
			}
			return g.Div(g.Add(terms...), y), true
		},
		Adjoint: func(g *Graph, n, adj *Node) []*Node {
			y := n.Args[1]
			return []*Node{g.Div(adj, y), g.Neg(g.Div(g.Hadamard(adj, n), y))}
		},
		Eval: func(e *Evaluator, n *Node, a []value) value {
			return a[0].zip(a[1], func(x, y float64) float64 { return x / y })
		},
		Print: func(p *printer, n *Node) (string, int) { return p.div(n.Args[0], n.Args[1]), precMul },
	})
}

// OpPow is X^p, the elementwise power by the scalar p.
var OpPow = new(Op)

func init() {
	define(OpPow, Op{Name: "pow", Kind: KindElementwise,
		// Homogeneous at a constant integer exponent.
		Degree: func(n *Node, args []int) (int, bool) {
			p := n.Args[1]
			switch {
			case args[1] != 0:
				return 0, false
			case p.Op == OpConst && p.Value == float64(int(p.Value)):
				return args[0] * int(p.Value), true
			}
			return 0, args[0] == 0
		},
		// d(X^p) = p X^(p−1) ⊙ dX + X^p ⊙ log(X) dp, the logarithm taken
		// as 0 where X is 0 (OpLog0).
		Tangent: func(g *Graph, n *Node, d []*Node) *Node {
			x, p := n.Args[0], n.Args[1]
			dx := g.Hadamard(g.Scale(p, g.Pow(x, g.Add(p, g.Const(-1)))), d[0])
			var dp *Node
			if d[1] != nil {
				dp = g.Scale(d[1], g.Hadamard(n, g.Apply(OpLog0, x)))
			}
			return g.Add(dx, dp)
		},
		Adjoint: func(g *Graph, n, adj *Node) []*Node {
			x, p := n.Args[0], n.Args[1]
			dx := g.Hadamard(adj, g.Scale(p, g.Pow(x, g.Add(p, g.Const(-1)))))
			var dp *Node
			if p.Op != OpConst {
				dp = g.Sum(g.Hadamard(adj, g.Hadamard(n, g.Apply(OpLog0, x))))
			}
			return []*Node{dx, dp}
		},
		Eval: func(e *Evaluator, n *Node, a []value) value {
			p := a[1].scalar()
			return a[0].apply(func(x float64) float64 { return math.Pow(x, p) })
		},
		Print: func(p *printer, n *Node) (string, int) { return p.pow(n.Args[0], n.Args[1]), p.superscript(precPow) },
	})
}

// OpMul is the matrix product A₁⋯Aₖ of its arguments.
var OpMul = new(Op)

func init() {
	define(OpMul, Op{Name: "mul", Kind: KindProduct,
		Degree: sumOfDegrees,
		// d(A₁⋯Aₖ) = Σᵢ A₁⋯dAᵢ⋯Aₖ; tr(Gᵀ P dAᵢ S) = tr((Pᵀ G Sᵀ)ᵀ dAᵢ).
		Bilinear: func(g *Graph, x, y *Node) *Node { return g.Mul(x, y) },
		Tangent: func(g *Graph, n *Node, d []*Node) *Node {
			var terms []*Node
			for i, di := range d {
				if di != nil {
					fs := append(append(append([]*Node{}, n.Args[:i]...), di), n.Args[i+1:]...)
					terms = append(terms, g.Mul(fs...))
				}
			}
			return g.Add(terms...)
		},
		Adjoint: func(g *Graph, n, adj *Node) []*Node {
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
		},
		Eval:  func(e *Evaluator, n *Node, a []value) value { return product(a) },
		Print: func(p *printer, n *Node) (string, int) { return p.product(n.Args), precMul },
	})
}

// OpSum is sum(X), the sum of all entries.
var OpSum = new(Op)

func init() {
	define(OpSum, Op{Name: "sum", Kind: KindReduce, Spec: true,
		// A spec call takes a scale out: sum(s X) = s sum(X).
		build:   (*Graph).Sum,
		along:   (*Graph).SumAlong,
		shapeOf: toScalar, ofScalar: itself, ofTranspose: sameAtTranspose(OpSum),
		Degree: sameDegree,
		// d sum(X) = sum(dX) = tr(1ᵀ dX).
		Linear:  true,
		Tangent: func(g *Graph, n *Node, d []*Node) *Node { return g.Sum(d[0]) },
		Adjoint: func(g *Graph, n, adj *Node) []*Node { return []*Node{g.Broadcast(adj, n.Args[0].Shape)} },
		Eval:    func(e *Evaluator, n *Node, a []value) value { return scalarValue(a[0].sum()) },
		Print:   printCall(OpSum),
	})
}

// OpTr is tr(X), the trace of a square matrix.
var OpTr = new(Op)

func init() {
	define(OpTr, Op{Name: "tr", Kind: KindReduce, Spec: true, squareArg: true,
		// A spec call takes a scale out: tr(s X) = s tr(X).
		build:   (*Graph).Tr,
		shapeOf: toScalar, ofScalar: itself, ofTranspose: sameAtTranspose(OpTr),
		Degree: sameDegree,
		// d tr(X) = tr(dX) = tr(Iᵀ dX).
		Linear:  true,
		Tangent: func(g *Graph, n *Node, d []*Node) *Node { return g.Tr(d[0]) },
		Adjoint: func(g *Graph, n, adj *Node) []*Node {
			return []*Node{g.Scale(adj, g.Eye(n.Args[0].Shape.Rows))}
		},
		Eval:  func(e *Evaluator, n *Node, a []value) value { return scalarValue(a[0].trace()) },
		Print: printCall(OpTr),
	})
}

// OpNorm2 is norm2(X) = ‖X‖, the Euclidean or Frobenius norm.
var OpNorm2 = new(Op)

func init() {
	define(OpNorm2, Op{Name: "norm2", Kind: KindReduce, Spec: true,
		shapeOf: toScalar, ofTranspose: sameAtTranspose(OpNorm2),
		ofScalar: func(g *Graph, s *Node) *Node { return g.Apply(OpAbs, s) }, // norm2(s) = |s|
		Degree:   sameDegree,                                                 // positively homogeneous
		// d‖X‖ = tr((X/‖X‖)ᵀ dX), taken as 0 at X = 0.
		Tangent: func(g *Graph, n *Node, d []*Node) *Node {
			return g.Scale(g.Apply(OpRecip0, n), g.Sum(g.Hadamard(n.Args[0], d[0])))
		},
		Adjoint: func(g *Graph, n, adj *Node) []*Node {
			return []*Node{g.Scale(g.Scale(adj, g.Apply(OpRecip0, n)), n.Args[0])}
		},
		Eval:  func(e *Evaluator, n *Node, a []value) value { return scalarValue(a[0].norm2()) },
		Print: printCall(OpNorm2),
	})
}

// OpSumSq is sumsq(X) = Σᵢⱼ Xᵢⱼ², the squared Frobenius norm (xᵀx for a
// vector x): smooth where norm2 is not, and free of its square root.
var OpSumSq = new(Op)

func init() {
	define(OpSumSq, Op{Name: "sumsq", Kind: KindReduce, Spec: true,
		shapeOf: toScalar, ofTranspose: sameAtTranspose(OpSumSq),
		ofScalar: func(g *Graph, s *Node) *Node { return g.Hadamard(s, s) }, // sumsq(s) = s²
		Degree:   func(_ *Node, args []int) (int, bool) { return 2 * args[0], true },
		// d sumsq(X) = 2 sum(X ⊙ dX) = tr((2 X)ᵀ dX).
		Tangent: func(g *Graph, n *Node, d []*Node) *Node {
			return g.Scale(g.Const(2), g.Sum(g.Hadamard(n.Args[0], d[0])))
		},
		Adjoint: func(g *Graph, n, adj *Node) []*Node {
			return []*Node{g.Scale(g.Const(2), g.Scale(adj, n.Args[0]))}
		},
		Eval: func(e *Evaluator, n *Node, a []value) value {
			return scalarValue(a[0].zip(a[0], func(x, y float64) float64 { return x * y }).sum())
		},
		Print: printCall(OpSumSq),
	})
}

// OpLogSumExp is logsumexp(X) = log Σᵢⱼ exp(Xᵢⱼ), evaluated stably.
var OpLogSumExp = new(Op)

func init() {
	define(OpLogSumExp, Op{Name: "logsumexp", Kind: KindReduce, Spec: true,
		along:   (*Graph).LogSumExpAlong,
		shapeOf: toScalar, ofScalar: itself, ofTranspose: sameAtTranspose(OpLogSumExp),
		// d logsumexp(X) = tr(softmax(X)ᵀ dX). The softmax is its own node, formed
		// from max-shifted exponentials, never exp(X − logsumexp(X)): at X =
		// [1e17, 1e17] the argument X − logsumexp(X) rounds to 0 and the
		// gradient would be [1, 1], not [½, ½].
		Tangent: func(g *Graph, n *Node, d []*Node) *Node {
			return g.Sum(g.Hadamard(g.Unary(OpSoftmax, n.Args[0]), d[0]))
		},
		Adjoint: func(g *Graph, n, adj *Node) []*Node {
			return []*Node{g.Scale(adj, g.Unary(OpSoftmax, n.Args[0]))}
		},
		Eval:  func(e *Evaluator, n *Node, a []value) value { return scalarValue(a[0].logSumExp()) },
		Print: printCall(OpLogSumExp),
	})
}

// OpSoftmax is exp(X − m) ⊘ sum(exp(X − m)) for m the largest entry of
// X: logsumexp's derivative, formed from max-shifted exponentials.
var OpSoftmax = new(Op)

func init() {
	define(OpSoftmax, Op{Name: "softmax", Kind: KindKernel,
		shapeOf: same, keepsSymmetry: true,
		ofScalar: one, ofTranspose: transposedAtTranspose(OpSoftmax), // the softmax of a 1×1 matrix is 1
		// d softmax(X) = S ⊙ (dX − sum(S ⊙ dX)) for S = softmax(X): its Jacobian
		// diag(s) − s sᵀ (on the entries in any order) is symmetric, so the
		// adjoint has the same form. Every derivative of logsumexp beyond the
		// first is built from S itself and so stays exact where X is large.
		Tangent: func(g *Graph, n *Node, d []*Node) *Node {
			return g.Hadamard(n, g.Sub(d[0], g.Broadcast(g.Sum(g.Hadamard(n, d[0])), n.Shape)))
		},
		Adjoint: func(g *Graph, n, adj *Node) []*Node {
			return []*Node{g.Hadamard(n, g.Sub(adj, g.Broadcast(g.Sum(g.Hadamard(n, adj)), n.Shape)))}
		},
		Eval:  func(e *Evaluator, n *Node, a []value) value { return a[0].softmax() },
		Print: printCall(OpSoftmax),
	})
}

// OpLogSumExpRows is logsumexp(X, 2), the log-sum-exp of each row of a
// matrix X: a vector, each entry max-shifted as logsumexp is. The builder
// makes the other cases from it (Graph.LogSumExpAlong):
// logsumexp(X, 1) is logsumexp(Xᵀ, 2)ᵀ, and a vector's rows are its
// entries.
var OpLogSumExpRows = new(Op)

func init() {
	define(OpLogSumExpRows, Op{Name: "logsumexp", Kind: KindKernel,
		shapeOf:  func(s Shape) Shape { return Col(s.Rows) },
		ofScalar: itself,
		// d logsumexp(X, 2) = (S ⊙ dX) 1 for S = softmax(X, 2): each row's
		// softmax-weighted sum; the adjoint spreads a row's weight over it,
		// S ⊙ (a 1ᵀ).
		Tangent: func(g *Graph, n *Node, d []*Node) *Node {
			return g.SumAlong(g.Hadamard(g.Unary(OpSoftmaxRows, n.Args[0]), d[0]), 2)
		},
		Adjoint: func(g *Graph, n, adj *Node) []*Node {
			x := n.Args[0]
			return []*Node{g.Hadamard(g.Unary(OpSoftmaxRows, x), g.Expand(adj, x.Shape))}
		},
		Eval:  func(e *Evaluator, n *Node, a []value) value { return a[0].logSumExpRows() },
		Print: func(p *printer, n *Node) (string, int) { return p.callAlong("logsumexp", n.Args[0], 2), precAtom },
	})
}

// OpSoftmaxRows is softmax(X, 2), the softmax of each row of a matrix X,
// max-shifted: logsumexp(X, 2)'s derivative.
var OpSoftmaxRows = new(Op)

func init() {
	define(OpSoftmaxRows, Op{Name: "softmax", Kind: KindKernel,
		shapeOf: same, ofScalar: one,
		// d softmax(X, 2) = S ⊙ (dX − ((S ⊙ dX) 1) 1ᵀ): the softmax rule row by
		// row; each row's Jacobian is symmetric, so the adjoint has the same
		// form.
		Tangent: func(g *Graph, n *Node, d []*Node) *Node { return g.softmaxRowsRule(n, d[0]) },
		Adjoint: func(g *Graph, n, adj *Node) []*Node { return []*Node{g.softmaxRowsRule(n, adj)} },
		Eval:    func(e *Evaluator, n *Node, a []value) value { return a[0].softmaxRows() },
		Print:   func(p *printer, n *Node) (string, int) { return p.callAlong("softmax", n.Args[0], 2), precAtom },
	})
}

// OpSize is the size of the dimension Node.Name as a number (mean's
// divisor): a constant of the call, known when it runs.
var OpSize = new(Op)

func init() {
	define(OpSize, Op{Name: "size", Kind: KindLeaf,
		Degree: constantDegree,
		Eval:   func(e *Evaluator, n *Node, _ []value) value { return scalarValue(float64(e.size(Dim{Name: n.Name}))) },
		Print:  func(p *printer, n *Node) (string, int) { return p.ident(n.Name), precAtom },
	})
}

// OpDet is det(X), the determinant of a square matrix.
var OpDet = new(Op)

func init() {
	define(OpDet, Op{Name: "det", Kind: KindLinalg, Spec: true, squareArg: true, LaTeX: `\det`,
		shapeOf: toScalar, ofScalar: itself, ofTranspose: sameAtTranspose(OpDet),
		// d|X| = |X| tr(X⁻¹ dX) = tr(cof(X)ᵀ dX): the cofactor matrix |X| X⁻ᵀ,
		// which stays finite where X is singular, in both modes.
		Tangent: func(g *Graph, n *Node, d []*Node) *Node {
			return g.Tr(g.Mul(g.T(g.Unary(OpCofactor, n.Args[0])), d[0]))
		},
		Adjoint: func(g *Graph, n, adj *Node) []*Node {
			return []*Node{g.Scale(adj, g.Unary(OpCofactor, n.Args[0]))}
		},
		// Taylor mode: the first two orders by the Tangent rule (the
		// cofactor and its derivative); along a straight path every
		// later one from X and X' (OpDetTaylor), not through X⁻¹.
		Taylor: func(g *Graph, n *Node, m int, deriv func(*Node, int) *Node) (*Node, bool) {
			if m < 3 {
				return nil, false
			}
			return g.DetTaylor(n.Args[0], m, deriv)
		},
		Eval:  func(e *Evaluator, n *Node, a []value) value { return scalarValue(a[0].det()) },
		Print: printCall(OpDet),
	})
}

// OpLogDet is logdet(X) = log|det(X)|.
var OpLogDet = new(Op)

func init() {
	define(OpLogDet, Op{Name: "logdet", Kind: KindLinalg, Spec: true, squareArg: true,
		shapeOf: toScalar, ofTranspose: sameAtTranspose(OpLogDet),
		ofScalar: func(g *Graph, s *Node) *Node { return g.Apply(OpLog, g.Apply(OpAbs, s)) }, // logdet(s) = log|s|
		// d log|X| = tr(X⁻¹ dX).
		Tangent: func(g *Graph, n *Node, d []*Node) *Node {
			return g.Tr(g.Mul(g.Unary(OpInv, n.Args[0]), d[0]))
		},
		Adjoint: func(g *Graph, n, adj *Node) []*Node {
			return []*Node{g.Scale(adj, g.T(g.Unary(OpInv, n.Args[0])))}
		},
		Eval:  func(e *Evaluator, n *Node, a []value) value { return scalarValue(a[0].logAbsDet()) },
		Print: printCall(OpLogDet),
	})
}

// OpCofactor is the cofactor matrix |X| X⁻ᵀ. It appears only in
// derivatives of det; it prints as the textbook |X| X⁻ᵀ and evaluates
// (reference) as exactly that.
var OpCofactor = new(Op)

func init() {
	define(OpCofactor, Op{Name: "cofactor", Kind: KindLinalg,
		shapeOf: same, keepsSymmetry: true,
		ofScalar: one, ofTranspose: transposedAtTranspose(OpCofactor), // the cofactor of a 1×1 matrix is 1
		// d cof(X) is its own operator, finite where X is singular, as
		// cof(X) is; tr(X⁻¹ dX) |X| X⁻ᵀ − |X| X⁻ᵀ dXᵀ X⁻ᵀ is not.
		Tangent: func(g *Graph, n *Node, d []*Node) *Node { return g.CofactorDerivative(n.Args[0], d[0]) },
		Eval:    func(e *Evaluator, n *Node, a []value) value { return a[0].inverse().t().scale(a[0].det()) },
		Print: func(p *printer, n *Node) (string, int) {
			return p.call(OpDet.Name, OpDet.LaTeX, n.Args[0]) + " " + p.transpose(&Node{Op: OpInv, Args: n.Args, Shape: n.Shape}), precMul
		},
	})
}

// OpCofactorDeriv is d cof(X)[H], the derivative of the cofactor matrix at
// X in the direction H (Graph.CofactorDerivative): tr(X⁻¹ H) |X| X⁻ᵀ −
// |X| X⁻ᵀ Hᵀ X⁻ᵀ where X is nonsingular, a polynomial in X's entries
// everywhere, which the generated code evaluates from X's SVD
// (runtime.Cofactor.DerivativeTo), finite where X is singular. It appears
// only in forward-mode derivatives of det; it prints as the textbook
// formula and evaluates (reference) as exactly that.
var OpCofactorDeriv = new(Op)

func init() {
	define(OpCofactorDeriv, Op{Name: "dcofactor", Kind: KindLinalg,
		// Linear in H; in X, K = dX, the tangent of the textbook formula
		// T = |X| (tr(X⁻¹H) X⁻ᵀ − X⁻ᵀ Hᵀ X⁻ᵀ) with every term from one
		// inverse and |X| (so that their rounding errors cancel as the
		// terms do where X is ill-conditioned; a d cof from the runtime
		// beside them did not): |X| tr(X⁻¹K) (tr(X⁻¹H) X⁻ᵀ − X⁻ᵀ Hᵀ X⁻ᵀ)
		// − |X| tr(X⁻¹ K X⁻¹ H) X⁻ᵀ − |X| tr(X⁻¹H) X⁻ᵀ Kᵀ X⁻ᵀ
		// + |X| X⁻ᵀ Kᵀ X⁻ᵀ Hᵀ X⁻ᵀ + |X| X⁻ᵀ Hᵀ X⁻ᵀ Kᵀ X⁻ᵀ. Only third and
		// higher derivatives of det reach it, and they are defined by X⁻¹:
		// NaN at a zero pivot, rounding noise where X is singular otherwise.
		Tangent: func(g *Graph, n *Node, d []*Node) *Node {
			x, h := n.Args[0], n.Args[1]
			var terms []*Node
			if d[1] != nil {
				terms = append(terms, g.CofactorDerivative(x, d[1]))
			}
			if k := d[0]; k != nil {
				inv := g.Unary(OpInv, x)
				it := g.T(inv)
				det := g.Unary(OpDet, x)
				trH, trK := g.Tr(g.Mul(inv, h)), g.Tr(g.Mul(inv, k))
				textbook := g.Sub(g.Scale(trH, it), g.Mul(it, g.T(h), it))
				terms = append(terms,
					g.Scale(det, g.Scale(trK, textbook)),
					g.Neg(g.Scale(det, g.Scale(g.Tr(g.Mul(inv, k, inv, h)), it))),
					g.Neg(g.Scale(det, g.Scale(trH, g.Mul(it, g.T(k), it)))),
					g.Scale(det, g.Mul(it, g.T(k), it, g.T(h), it)),
					g.Scale(det, g.Mul(it, g.T(h), it, g.T(k), it)))
			}
			if len(terms) == 0 {
				return nil
			}
			return g.Add(terms...)
		},
		// Taylor mode: the argument H is a derivative the jet carries, so
		// the operator is rebuilt on its arguments' values (m = 0) and its
		// m-th derivative is the (m−1)-th of its Tangent rule at theirs.
		Taylor: func(g *Graph, n *Node, m int, deriv func(*Node, int) *Node) (*Node, bool) {
			x, h := n.Args[0], n.Args[1]
			if m == 0 {
				return g.CofactorDerivative(deriv(x, 0), deriv(h, 0)), true
			}
			return deriv(n.Op.Tangent(g, n, []*Node{deriv(x, 1), deriv(h, 1)}), m-1), true
		},
		Eval: func(e *Evaluator, n *Node, a []value) value {
			x, h := a[0].m, a[1].m
			inv := a[0].inverse().m
			var xh, t, out mat.Dense
			xh.Mul(inv, h)
			t.Mul(inv.T(), h.T())
			out.Mul(&t, inv.T())
			out.Scale(-1, &out)
			var first mat.Dense
			first.Scale(mat.Trace(&xh), inv.T())
			out.Add(&out, &first)
			out.Scale(mat.Det(x), &out)
			return value{&out}
		},
		Print: func(p *printer, n *Node) (string, int) {
			x, h := n.Args[0], n.Args[1]
			shape, scalar := x.Shape, ScalarShape
			inv := &Node{Op: OpInv, Args: []*Node{x}, Shape: shape}
			it := &Node{Op: OpTranspose, Args: []*Node{inv}, Shape: shape}
			tr := &Node{Op: OpTr, Args: []*Node{{Op: OpMul, Args: []*Node{inv, h}, Shape: shape}}, Shape: scalar}
			first := &Node{Op: OpScale, Args: []*Node{tr, {Op: OpCofactor, Args: []*Node{x}, Shape: shape}}, Shape: shape}
			second := &Node{Op: OpScale, Args: []*Node{{Op: OpDet, Args: []*Node{x}, Shape: scalar},
				{Op: OpMul, Args: []*Node{it, {Op: OpTranspose, Args: []*Node{h}, Shape: h.Shape}, it}, Shape: shape}}, Shape: shape}
			minus := &Node{Op: OpScale, Args: []*Node{{Op: OpConst, Value: -1, Shape: scalar}, second}, Shape: shape}
			return p.node(&Node{Op: OpAdd, Args: []*Node{first, minus}, Shape: shape})
		},
	})
}

// CofactorDerivative returns d cof(x)[h], the derivative of the cofactor
// matrix at x in the direction h; nil (zero) for a nil h or a 1×1 x, whose
// cofactor is the constant 1.
func (g *Graph) CofactorDerivative(x, h *Node) *Node {
	if h == nil || x.Shape.IsScalar() {
		return nil
	}
	return g.intern(OpCofactorDeriv, x.Shape, 0, "", x.Sym && h.Sym, x, h)
}

// OpInv is inv(X) = X⁻¹.
var OpInv = new(Op)

func init() {
	define(OpInv, Op{Name: "inv", Kind: KindLinalg, Spec: true, squareArg: true,
		shapeOf: same, keepsSymmetry: true,
		ofScalar:    func(g *Graph, s *Node) *Node { return g.Div(g.Const(1), s) }, // inv(s) = 1/s
		ofTranspose: transposedAtTranspose(OpInv),                                  // inv(Xᵀ) = inv(X)ᵀ
		Degree:      func(_ *Node, args []int) (int, bool) { return -args[0], true },
		// d(X⁻¹) = −X⁻¹ dX X⁻¹; tr(Gᵀ X⁻¹ dX X⁻¹) = tr((X⁻ᵀ G X⁻ᵀ)ᵀ dX).
		Tangent: func(g *Graph, n *Node, d []*Node) *Node { return g.Neg(g.Mul(n, d[0], n)) },
		Adjoint: func(g *Graph, n, adj *Node) []*Node {
			return []*Node{g.Neg(g.Mul(g.T(n), adj, g.T(n)))}
		},
		Eval:  func(e *Evaluator, n *Node, a []value) value { return a[0].inverse() },
		Print: func(p *printer, n *Node) (string, int) { return p.inverse(n.Args[0]), p.superscript(precAtom) },
	})
}

// OpDiagMat is diag(v), the diagonal matrix of a vector; OpDiagVec its
// adjoint.
var OpDiagMat = new(Op)

func init() {
	define(OpDiagMat, Op{Name: "diagm", Kind: KindLayout,
		shapeOf:  func(s Shape) Shape { return Square(s.Rows) },
		ofScalar: itself,
		Degree:   sameDegree,
		// diag(v) and diag(A) are each other's adjoints.
		Linear:  true,
		Tangent: func(g *Graph, n *Node, d []*Node) *Node { return g.Unary(OpDiagMat, d[0]) },
		Adjoint: func(g *Graph, n, adj *Node) []*Node { return []*Node{g.Unary(OpDiagVec, adj)} },
		Eval:    func(e *Evaluator, n *Node, a []value) value { return a[0].diagMatrix() },
		Print:   func(p *printer, n *Node) (string, int) { return p.call("diag", "", n.Args...), precAtom },
	})
}

// OpDiagVec is diag(A), the diagonal of a square matrix as a vector;
// OpDiagMat its adjoint.
var OpDiagVec = new(Op)

func init() {
	define(OpDiagVec, Op{Name: "diagv", Kind: KindLayout,
		shapeOf:  func(s Shape) Shape { return Col(s.Rows) },
		ofScalar: itself, ofTranspose: sameAtTranspose(OpDiagVec),
		Degree: sameDegree,
		// diag(A) and diag(v) are each other's adjoints.
		Linear:  true,
		Tangent: func(g *Graph, n *Node, d []*Node) *Node { return g.Unary(OpDiagVec, d[0]) },
		Adjoint: func(g *Graph, n, adj *Node) []*Node { return []*Node{g.Unary(OpDiagMat, adj)} },
		Eval:    func(e *Evaluator, n *Node, a []value) value { return a[0].diagVector() },
		Print:   func(p *printer, n *Node) (string, int) { return p.call("diag", "", n.Args...), precAtom },
	})
}

// Elementwise unary functions of the language, and the internal ones their
// derivatives need: one elementwise(…) entry each.
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
	// tanh′ = 1 − tanh², computed from x (OpTanhDeriv): 1 − y ⊙ y loses
	// every digit where tanh(x) rounds near ±1 (0 from |x| ≈ 19). tanh
	// and tanh′ share one exp and one division.
	OpTanh = computedWith(OpTanhDeriv, elementwise("tanh", `\tanh`, math.Tanh,
		func(g *Graph, x, y *Node) *Node { return g.Apply(OpTanhDeriv, x) }))
	OpCosh = elementwise("cosh", `\cosh`, math.Cosh,
		func(g *Graph, x, y *Node) *Node { return g.Apply(OpSinh, x) })
	OpSinh = elementwise("sinh", `\sinh`, math.Sinh, nil) // derivative set in init: cosh
	// log1p(x) = log(1 + x) and expm1(x) = exp(x) − 1, exact near x = 0.
	OpLog1p = elementwise("log1p", "", math.Log1p,
		func(g *Graph, x, y *Node) *Node { return g.Div(g.Const(1), g.Add(g.Const(1), x)) })
	OpExpm1 = elementwise("expm1", "", math.Expm1,
		func(g *Graph, x, y *Node) *Node { return g.Apply(OpExp, x) })
	// erf′(x) = (2/√π)·exp(−x²).
	OpErf = elementwise("erf", "", math.Erf,
		func(g *Graph, x, y *Node) *Node {
			return g.Scale(g.Const(2/math.SqrtPi), g.Apply(OpExp, g.Neg(g.Hadamard(x, x))))
		})
	// σ′ = σ (1 − σ), computed from x (OpSigmoidDeriv): y ⊙ (1 − y) loses
	// every digit where σ(x) rounds near 1 (0 from x ≈ 37).
	OpSigmoid = elementwise("sigmoid", "", sigmoidReference,
		func(g *Graph, x, y *Node) *Node { return g.Apply(OpSigmoidDeriv, x) })
	// softplus and its derivative σ share one exp.
	OpSoftplus = computedWith(OpSigmoid, elementwise("softplus", "", softplusReference,
		func(g *Graph, x, y *Node) *Node { return g.Apply(OpSigmoid, x) }))
	OpSqrt = elementwise("sqrt", "", math.Sqrt,
		func(g *Graph, x, y *Node) *Node { return g.Div(g.Const(0.5), y) })
	// |x| is positively homogeneous.
	OpAbs = withDegree(sameDegree, elementwise("abs", "", math.Abs,
		func(g *Graph, x, y *Node) *Node { return g.Apply(OpSign, x) }))
	OpSign = withDegree(constantDegree, elementwise("sign", "", signReference,
		func(g *Graph, x, y *Node) *Node { return nil }))
	// relu is positively homogeneous.
	OpRelu = withDegree(sameDegree, elementwise("relu", "", reluReference,
		func(g *Graph, x, y *Node) *Node { return g.Apply(OpStep, x) }))
	// OpRecip0 is 1/x, taken as 0 at 0: the gradient of norm2 at 0.
	OpRecip0 = internal(elementwise("recip0", "", recip0Reference,
		func(g *Graph, x, y *Node) *Node { return g.Neg(g.Hadamard(y, y)) }))
	// OpLog0 is log x, taken as 0 at 0: the factor of X^p's derivative in
	// p, X^p ⊙ log0(X), which is then 0 where an entry of X is 0, its
	// limit for p > 0 (and what PyTorch gives), where X^p ⊙ log(X) is
	// 0·(−∞) = NaN.
	OpLog0 = internal(elementwise("log0", "", log0Reference,
		func(g *Graph, x, y *Node) *Node { return g.Apply(OpRecip0, x) }))
	// OpTanhDeriv is tanh′(x) = 1 − tanh²(x) = sech²(x), from x, exact to
	// a few ulps for every x; its derivative −2 tanh(x) tanh′(x) is set in
	// init (it names tanh back).
	OpTanhDeriv = internal(elementwise("dtanh", "", dtanhReference, nil))
	// OpSigmoidDeriv is σ′(x) = σ(x) σ(−x), from x, exact to a few ulps for
	// every x; σ″ = σ′ (1 − 2σ) = −σ′ ⊙ tanh(x/2), without the cancellation
	// of 1 − 2σ near 0.
	OpSigmoidDeriv = internal(elementwise("dsigmoid", "", dsigmoidReference,
		func(g *Graph, x, y *Node) *Node {
			return g.Neg(g.Hadamard(y, g.Apply(OpTanh, g.Scale(g.Const(0.5), x))))
		}))
	// OpStep is relu's derivative: 1 where x > 0, else 0.
	OpStep = internal(elementwise("step", "", stepReference,
		func(g *Graph, x, y *Node) *Node { return nil }))
)

// Derivatives that are another function of the table whose own derivative
// names them back (sin ↔ cos, sinh ↔ cosh, tanh ↔ tanh′): an entry cannot
// name its partner without an initialisation cycle.
func init() {
	for op, deriv := range map[*Op]*Op{OpSin: OpCos, OpSinh: OpCosh} {
		op.Deriv = func(g *Graph, x, _ *Node) *Node { return g.Apply(deriv, x) }
	}
	// tanh″ = −2 tanh ⊙ tanh′.
	OpTanhDeriv.Deriv = func(g *Graph, x, y *Node) *Node {
		return g.Scale(g.Const(-2), g.Hadamard(g.Apply(OpTanh, x), y))
	}
}

// The stable forms of the textbook spellings of log-likelihoods (Op.stable,
// Op.oneMinus), set here as they name operators that name Graph.Apply:
// log σ(z) = −softplus(−z) (log σ(z) is log 0 from z ≈ −745 and loses
// digits where σ(z) rounds near 1), 1 − σ(z) = σ(−z), and log(1 + eᵘ) =
// log1p(eᵘ) = softplus(u) (eᵘ overflows from u ≈ 709.8). So
// −Σ y log p + (1 − y) log(1 − p) with p = σ(X w) is the stable
// Σ y softplus(−X w) + (1 − y) softplus(X w).
func init() {
	// −z is nil, the graph's zero, when z is a fill of zeros ((a·b) − (a·b)
	// cancelled): σ(0) and log σ(0) are then kept as written, which is
	// exact, since Apply cannot take a zero without its shape.
	OpSigmoid.oneMinus = func(g *Graph, x *Node) *Node {
		if neg := g.Neg(x); neg != nil {
			return g.Apply(OpSigmoid, neg)
		}
		return nil
	}
	OpLog.stable = func(g *Graph, x *Node) *Node {
		if x.Op == OpSigmoid {
			if neg := g.Neg(x.Args[0]); neg != nil {
				return g.Neg(g.Apply(OpSoftplus, neg))
			}
			return nil
		}
		if x.Op != OpAdd || len(x.Args) != 2 {
			return nil
		}
		for k, one := range x.Args {
			if one.Op == OpBroadcast {
				one = one.Args[0]
			}
			if e := x.Args[1-k]; one.IsConst(1) && e.Op == OpExp {
				return g.Apply(OpSoftplus, e.Args[0])
			}
		}
		return nil
	}
	OpLog1p.stable = func(g *Graph, x *Node) *Node {
		if x.Op == OpExp {
			return g.Apply(OpSoftplus, x.Args[0])
		}
		return nil
	}
}

// elementwise defines an elementwise function: its name, its LaTeX
// command if LaTeX has one ("" otherwise), its scalar reference and its
// derivative; it is callable from a spec unless marked internal.
func elementwise(name, latex string, f func(float64) float64, deriv func(g *Graph, x, y *Node) *Node) *Op {
	op := new(Op)
	define(op, Op{Name: name, Kind: KindElementwise, Spec: true, LaTeX: latex, Scalar: f, Deriv: deriv, keepsSymmetry: true,
		// dσ(X) = σ'(X) ⊙ dX.
		Tangent: func(g *Graph, n *Node, d []*Node) *Node { return g.Hadamard(op.Deriv(g, n.Args[0], n), d[0]) },
		Adjoint: func(g *Graph, n, adj *Node) []*Node {
			return []*Node{g.Hadamard(adj, op.Deriv(g, n.Args[0], n))}
		},
		Eval:  func(e *Evaluator, n *Node, a []value) value { return a[0].apply(f) },
		Print: printCall(op),
	})
	return op
}

// internal marks op as an operator that only derivatives use, not
// callable from a spec.
func internal(op *Op) *Op { op.Spec = false; return op }

// withDegree gives op the degree rule degree.
func withDegree(degree func(n *Node, args []int) (int, bool), op *Op) *Op {
	op.Degree = degree
	return op
}

// computedWith marks op as computed together with partner by one joint
// kernel.
func computedWith(partner, op *Op) *Op {
	op.Joint = &Joint{With: partner}
	return op
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
	// along, when set, builds a call with one more argument, the literal
	// dimension 1 or 2 along which the function works (sum(X, 2)); such a
	// call has the shape alongShape returns.
	along      func(g *Graph, x *Node, dim int) *Node
	alongShape func(s Shape, dim int) Shape
}

// reducedShape is the shape of a reduction along dim: a row vector of the
// column sums for 1, a vector of the row sums for 2.
func reducedShape(s Shape, dim int) Shape {
	if dim == 1 {
		return Shape{Lit(1), s.Cols}
	}
	return Col(s.Rows)
}

// keptShape is the shape of a function along a dimension that keeps its
// argument's shape (softmax).
func keptShape(s Shape, _ int) Shape { return s }

// operatorSpelling returns the spelling of an operator called by its
// name on one operand (Op.Spec).
func operatorSpelling(op *Op) *spelling {
	sp := &spelling{
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
	if op.along != nil {
		sp.along, sp.alongShape = op.along, reducedShape
	}
	return sp
}

// scalarValued reports that a one-argument structural operator returns a
// scalar whatever its argument (the reductions, det, logdet).
func scalarValued(op *Op) bool { return op.shapeOf(Square(Dim{Name: "n"})).IsScalar() }

// sugar holds the functions a spec may call that are not operators of
// their own: norm1 is sum(abs(X)), dot is aᵀb or sum(A ⊙ B), diag is
// diagm or diagv by its argument's shape, mean is a sum divided by a
// count, softmax is OpSoftmax of a vector or, along a dimension,
// OpSoftmaxRows, and eye, vector and matrix are leaves whose argument is
// a dimension or a fill value.
var sugar = []*spelling{
	{name: "mean", arity: 1, shape: scalarCall,
		build: func(b *builder, c *spec.Call, a []*Node) (*Node, error) { return b.g.MeanAlong(a[0], 0), nil },
		along: (*Graph).MeanAlong, alongShape: reducedShape},
	{name: "softmax", arity: 1, shape: softmaxShape, build: softmax,
		along: (*Graph).SoftmaxAlong, alongShape: keptShape},
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

func softmaxShape(b *builder, c *spec.Call) (Shape, bool) { return b.staticShape(c.Args[0]) }

// softmax is softmax(x) of a vector; a matrix needs its dimension.
func softmax(b *builder, c *spec.Call, a []*Node) (*Node, error) {
	if a[0].Shape.IsMatrix() {
		return nil, spec.Errorf(c.Fun.At, "softmax of a matrix needs the dimension it normalises along: softmax(…, 1) down each column or softmax(…, 2) along each row")
	}
	return b.g.SoftmaxAlong(a[0], 0), nil
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

// diag is the diagonal matrix of a vector, the diagonal of a square matrix;
// of a 1×1 value (a vector(1), a matrix(1, 1)), both are that value.
func diag(b *builder, c *spec.Call, a []*Node) (*Node, error) {
	switch s := a[0].Shape; {
	case s.IsScalar():
		return a[0], nil
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
