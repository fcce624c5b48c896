package derive

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// withoutDerivatives lists the operators that have no Tangent and no
// Adjoint rule, and why; withoutAdjoint those that have a Tangent rule
// only. Every other operator must have both.
var (
	withoutDerivatives = map[*Op]string{
		OpConst: "a leaf: its differential is zero",
		OpVar:   "a leaf: its differential is the seed of the direction or adjoint",
		OpEye:   "a leaf: its differential is zero",
		OpSize:  "a leaf: its differential is zero",
		OpDetTaylor: "appears only as a derivative of det in Taylor mode, which never differentiates it: det's rule " +
			"gives every order from det's argument's derivatives",
	}
	withoutAdjoint = map[*Op]string{
		OpCofactor:      "appears only in gradients (of det), which forward mode differentiates, never reverse mode",
		OpCofactorDeriv: "appears only in forward-mode derivatives of det, never differentiated in reverse mode",
	}
)

// TestOperatorTable is derive's meta-test of the operator table: every
// operator of Ops, and every name a spec may call, has what the rest of
// gradgen relies on, so adding an operator without one of its rules fails
// here. Each row is one requirement, checked for every operator; the
// numerical rows check the rules on sample arguments, not only that they
// are set.
func TestOperatorTable(t *testing.T) {
	corpus, err := os.ReadFile("../generated_test/ops.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		rule  string
		check func(op *Op) error
	}{
		{"an operator prints in plain, Unicode and LaTeX notation", printsInEveryNotation},
		{"an operator evaluates (the reference semantics)", func(op *Op) error {
			if op.Eval == nil {
				return fmt.Errorf("no Eval")
			}
			return nil
		}},
		{"an operator has Tangent and Adjoint rules unless listed in withoutDerivatives or withoutAdjoint", func(op *Op) error {
			if _, none := withoutDerivatives[op]; none {
				return nil
			}
			if op.Tangent == nil {
				return fmt.Errorf("no Tangent")
			}
			if _, none := withoutAdjoint[op]; !none && op.Adjoint == nil {
				return fmt.Errorf("no Adjoint")
			}
			return nil
		}},
		{"an elementwise function has a scalar reference and a derivative that matches its finite differences", elementwiseDerivative},
		{"a Tangent rule matches central differences of the operator's evaluation, and its Adjoint rule is its transpose", tangentAndAdjoint},
		{"a linear or bilinear operator has a Degree rule, and every Degree rule holds at 2× its arguments", homogeneous},
		{"a one-argument structural operator has a scalar rule that agrees with its evaluation at a 1×1 argument", scalarRule},
		{"a transpose rule agrees with the operator's evaluation at Xᵀ", transposeRule},
		{"a callable operator is a function name of the spec and its plain printing spells the call", func(op *Op) error {
			if !op.Spec {
				return nil
			}
			if !slices.Contains(FunctionNames(), op.Name) {
				return fmt.Errorf("not in FunctionNames")
			}
			if n := sampleOf(op); !strings.Contains(Format(n, Plain, nil), op.Name+"(") {
				return fmt.Errorf("prints as %q in plain notation, not as a call of %s", Format(n, Plain, nil), op.Name)
			}
			return nil
		}},
	} {
		for _, op := range Ops {
			if err := tt.check(op); err != nil {
				t.Errorf("%s: %s: %v", op.Name, tt.rule, err)
			}
		}
	}
	for _, name := range FunctionNames() {
		if !regexp.MustCompile(`\b` + name + `\(`).Match(corpus) {
			t.Errorf("%s: a function the spec may call has no row calling %s(…) in generated_test/ops.yaml", name, name)
		}
	}
	seen := map[*Op]bool{}
	for _, op := range Ops {
		if seen[op] {
			t.Errorf("%s: Ops lists it twice", op.Name)
		}
		seen[op] = true
	}
}

// The sample arguments: square matrices X and Y (entries in (0, 1),
// diagonally dominant), a vector v and scalars s and one, over the
// dimension n of size 3.
var sampleInputs = map[string]*mat.Dense{
	"X": mat.NewDense(3, 3, []float64{0.9, 0.2, 0.1, 0.3, 0.8, 0.2, 0.1, 0.4, 0.7}),
	"Y": mat.NewDense(3, 3, []float64{0.6, 0.1, 0.3, 0.2, 0.7, 0.1, 0.3, 0.2, 0.5}),
	"v": mat.NewDense(3, 1, []float64{0.5, 0.3, 0.7}),
	"s": mat.NewDense(1, 1, []float64{-0.6}),
}

var sampleDim = Dim{Name: "n"}

// sampleGraph returns a graph with the sample inputs.
func sampleGraph() (g *Graph, x, y, v, s *Node) {
	g = NewGraph()
	return g, g.Var("X", Square(sampleDim), false), g.Var("Y", Square(sampleDim), false),
		g.Var("v", Col(sampleDim), false), g.Var("s", ScalarShape, false)
}

// sampleOf returns op applied to sample arguments, or nil when the case
// below does not build a node of op.
func sampleOf(op *Op) *Node {
	_, n := sample(op)
	return n
}

// sample is sampleOf, with the graph of the node.
func sample(op *Op) (*Graph, *Node) {
	g, x, y, v, s := sampleGraph()
	var n *Node
	switch op {
	case OpConst:
		n = g.Const(2.5)
	case OpVar:
		n = x
	case OpEye:
		n = g.Eye(sampleDim)
	case OpSize:
		n = g.Size(sampleDim)
	case OpBroadcast:
		n = g.Broadcast(s, x.Shape)
	case OpTranspose:
		n = g.T(x)
	case OpAdd:
		n = g.Add(x, y)
	case OpScale:
		n = g.Scale(s, x)
	case OpHadamard:
		n = g.Hadamard(x, y)
	case OpDiv:
		n = g.Div(x, y)
	case OpPow:
		n = g.Pow(x, g.Const(3))
	case OpMul:
		n = g.Mul(x, y)
	case OpDiagMat:
		n = g.Unary(op, v)
	case OpCofactorDeriv:
		n = g.CofactorDerivative(x, y)
	case OpDetTaylor: // d³/ds³ det(X + s Y)
		n, _ = g.DetTaylor(x, 3, func(_ *Node, i int) *Node { return []*Node{x, y, nil, nil}[i] })
	default:
		if op.Kind == KindElementwise {
			n = g.Apply(op, x)
		} else {
			n = g.Unary(op, x)
		}
	}
	if n == nil || n.Op != op {
		return g, nil
	}
	return g, n
}

func evaluate(n *Node, inputs map[string]*mat.Dense) (m *mat.Dense, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("evaluating %s panics: %v", n.Op.Name, r)
		}
	}()
	return NewEvaluator(inputs, map[string]int{"n": 3}).Eval(n), nil
}

func printsInEveryNotation(op *Op) (err error) {
	n := sampleOf(op)
	if n == nil {
		return fmt.Errorf("sampleOf builds no node of it: add a case")
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("printing panics: %v", r)
		}
	}()
	for _, style := range []Style{Plain, Unicode, LaTeX} {
		s := Format(n, style, nil)
		// The sample's operands are named; a printing that shows none of
		// them (an empty string, a placeholder) does not print the node.
		if n.Op != OpConst && n.Op != OpEye && n.Op != OpSize && !strings.ContainsAny(s, "XYvs") {
			return fmt.Errorf("notation %d prints %q, which shows no operand", style, s)
		}
		if s == "" {
			return fmt.Errorf("notation %d prints nothing", style)
		}
	}
	return nil
}

func elementwiseDerivative(op *Op) error {
	if op.Kind != KindElementwise || len(sampleOf(op).Args) != 1 {
		return nil // the arithmetic operators have Tangent rules of their own
	}
	if op.Scalar == nil || op.Deriv == nil {
		return fmt.Errorf("Scalar or Deriv is nil")
	}
	g := NewGraph()
	x := g.Var("x", ScalarShape, false)
	d := op.Deriv(g, x, g.Apply(op, x))
	for _, at := range []float64{-0.7, 0.3, 0.8} {
		const h = 1e-6
		want := (op.Scalar(at+h) - op.Scalar(at-h)) / (2 * h)
		if math.IsNaN(want) {
			continue // outside the domain (log, sqrt of a negative)
		}
		got := 0.0
		if d != nil {
			m, err := evaluate(d, map[string]*mat.Dense{"x": mat.NewDense(1, 1, []float64{at})})
			if err != nil {
				return err
			}
			got = m.At(0, 0)
		}
		if math.Abs(got-want) > 1e-6*(1+math.Abs(want)) {
			return fmt.Errorf("at %g the derivative is %g, finite differences give %g", at, got, want)
		}
	}
	return nil
}

func homogeneous(op *Op) error {
	if (op.Linear || op.Bilinear != nil) && op.Degree == nil {
		return fmt.Errorf("linear, but no Degree rule")
	}
	if op.Degree == nil {
		return nil
	}
	n := sampleOf(op)
	d, ok := Degree(n, variables(n))
	if !ok {
		return fmt.Errorf("the sample %s is not homogeneous by its Degree rule", Format(n, Unicode, nil))
	}
	at, err := evaluate(n, sampleInputs)
	if err != nil {
		return err
	}
	doubled := map[string]*mat.Dense{}
	for name, m := range sampleInputs {
		var twice mat.Dense
		twice.Scale(2, m)
		doubled[name] = &twice
	}
	atDoubled, err := evaluate(n, doubled)
	if err != nil {
		return err
	}
	var want mat.Dense
	want.Scale(math.Pow(2, float64(d)), at)
	if !mat.EqualApprox(atDoubled, &want, 1e-12) {
		return fmt.Errorf("degree %d, but f(2·args) = %v, 2^%d f(args) = %v", d, mat.Formatted(atDoubled), d, mat.Formatted(&want))
	}
	return nil
}

// variables returns the inputs n depends on.
func variables(n *Node) []*Node {
	if n.Op == OpVar {
		return []*Node{n}
	}
	var vars []*Node
	for _, a := range n.Args {
		vars = append(vars, variables(a)...)
	}
	return vars
}

// scalarRule compares Graph.Unary's result at a scalar s (the scalar
// rule) with the operator's own evaluation at the 1×1 matrix s.
func scalarRule(op *Op) error {
	if op.shapeOf == nil {
		return nil
	}
	if op.ofScalar == nil {
		return fmt.Errorf("no scalar rule (ofScalar)")
	}
	g, _, _, _, s := sampleGraph()
	direct := &Node{Op: op, Args: []*Node{s}, Shape: op.shapeOf(ScalarShape)}
	return sameValue(g.Unary(op, s), direct)
}

// transposeRule compares Graph.Unary's result at Xᵀ (the transpose rule)
// with the operator's own evaluation at Xᵀ.
func transposeRule(op *Op) error {
	if op.ofTranspose == nil {
		return nil
	}
	g, x, _, _, _ := sampleGraph()
	xt := g.T(x)
	direct := &Node{Op: op, Args: []*Node{xt}, Shape: op.shapeOf(xt.Shape)}
	return sameValue(g.Unary(op, xt), direct)
}

func sameValue(byRule, direct *Node) error {
	got, err := evaluate(byRule, sampleInputs)
	if err != nil {
		return err
	}
	want, err := evaluate(direct, sampleInputs)
	if err != nil {
		return err
	}
	if !mat.EqualApprox(got, want, 1e-12) {
		return fmt.Errorf("the rule gives %s = %v, the operator %v", Format(byRule, Unicode, nil), mat.Formatted(got), mat.Formatted(want))
	}
	return nil
}

// tangentAndAdjoint checks an operator's derivative rules numerically at
// the sample arguments: its Tangent rule in a direction D (one per
// argument that is an input) against the central difference of its
// evaluation along D, and its Adjoint rule against the Tangent rule by
// the duality ⟨A, T(D)⟩ = Σᵢ ⟨Adjointᵢ(A), Dᵢ⟩ for an adjoint A.
func tangentAndAdjoint(op *Op) error {
	g, n := sample(op)
	if n == nil || op.Tangent == nil {
		return nil
	}
	dirs := make([]*Node, len(n.Args))
	inputs := map[string]*mat.Dense{}
	for name, m := range sampleInputs {
		inputs[name] = m
	}
	seen := map[string]bool{}
	for i, a := range n.Args {
		if a.Op != OpVar || seen[a.Name] {
			continue // a constant argument, or an input already given a direction
		}
		seen[a.Name] = true
		name := fmt.Sprintf("D%d", i)
		dirs[i] = g.Var(name, a.Shape, false)
		inputs[name] = sampleMatrix(a.Shape, float64(i+1))
	}
	adjoint := g.Var("A", n.Shape, false)
	inputs["A"] = sampleMatrix(n.Shape, 7)
	tangent := op.Tangent(g, n, dirs)
	got, err := evaluateAt(tangent, n.Shape, inputs)
	if err != nil {
		return err
	}
	const h = 1e-5
	moved := func(t float64) map[string]*mat.Dense {
		at := map[string]*mat.Dense{}
		for name, m := range inputs {
			at[name] = m
		}
		for i, a := range n.Args {
			if dirs[i] != nil {
				var x mat.Dense
				x.Scale(t, inputs[dirs[i].Name])
				x.Add(&x, inputs[a.Name])
				at[a.Name] = &x
			}
		}
		return at
	}
	plus, err := evaluateAt(n, n.Shape, moved(h))
	if err != nil {
		return err
	}
	minus, err := evaluateAt(n, n.Shape, moved(-h))
	if err != nil {
		return err
	}
	var fd mat.Dense
	fd.Sub(plus, minus)
	fd.Scale(1/(2*h), &fd)
	if !mat.EqualApprox(got, &fd, 1e-6*(1+mat.Norm(&fd, math.Inf(1)))) {
		return fmt.Errorf("Tangent gives %v, central differences %v", mat.Formatted(got), mat.Formatted(&fd))
	}
	if op.Adjoint == nil {
		return nil
	}
	left := mat.Sum(elementwiseProduct(inputs["A"], got))
	right := 0.0
	for i, adj := range op.Adjoint(g, n, adjoint) {
		if dirs[i] == nil || adj == nil {
			continue
		}
		a, err := evaluateAt(adj, dirs[i].Shape, inputs)
		if err != nil {
			return err
		}
		right += mat.Sum(elementwiseProduct(a, inputs[dirs[i].Name]))
	}
	if math.Abs(left-right) > 1e-9*(1+math.Abs(left)) {
		return fmt.Errorf("⟨A, Tangent(D)⟩ = %v but Σ ⟨Adjoint(A), D⟩ = %v", left, right)
	}
	return nil
}

// evaluateAt evaluates n at inputs; nil, the zero of shape, is zeros.
func evaluateAt(n *Node, shape Shape, inputs map[string]*mat.Dense) (*mat.Dense, error) {
	if n == nil {
		r, c := shape.Rows.Size, shape.Cols.Size
		if shape.Rows.Name != "" {
			r = 3
		}
		if shape.Cols.Name != "" {
			c = 3
		}
		return mat.NewDense(r, c, nil), nil
	}
	return evaluate(n, inputs)
}

// sampleMatrix returns a matrix of shape (n = 3) with entries that differ
// from one another and from other seeds'.
func sampleMatrix(shape Shape, seed float64) *mat.Dense {
	r, c := 1, 1
	if shape.Rows.Name != "" {
		r = 3
	}
	if shape.Cols.Name != "" {
		c = 3
	}
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, math.Sin(seed*float64(1+3*i+j)))
		}
	}
	return m
}

func elementwiseProduct(a, b *mat.Dense) *mat.Dense {
	var p mat.Dense
	p.MulElem(a, b)
	return &p
}
