package emit

import (
	"fmt"
	"slices"
	"testing"

	"github.com/gradgen/gradgen/derive"
)

// TestLoweringTable is the lowering table's meta-test: every operator of
// derive.Ops has the Go lowering its kind needs, so adding an operator
// without one fails here, not in some user's generated code. Its printing,
// spec name, rules and corpus row are derive's TestOperatorTable's. Each
// row is one requirement, checked for every operator.
func TestLoweringTable(t *testing.T) {
	for _, tt := range []struct {
		rule  string
		check func(op *derive.Op) error
	}{
		{"an operator has the Go lowering its kind needs (emit/lowering.go)", func(op *derive.Op) error {
			l, ok := lowerings[op]
			n, err := sampleNode(op)
			switch {
			case op == derive.OpVar:
				if ok {
					return fmt.Errorf("an input is read as a value, not lowered as an operator")
				}
				return nil
			case !ok:
				return fmt.Errorf("no entry in lowerings")
			case err != nil:
				return err
			case op.Kind == derive.KindElementwise && l.entry == nil:
				return fmt.Errorf("an elementwise operator without entry")
			case (op.Kind == derive.KindLayout || op.Kind == derive.KindLeaf) && l.at == nil:
				return fmt.Errorf("a layout operator or leaf without at")
			case op.Kind == derive.KindElementwise || op.Kind == derive.KindLayout || op.Kind == derive.KindLeaf:
				return nil
			case n.Shape.IsScalar() && l.scalar == nil:
				return fmt.Errorf("a scalar-valued %v operator without scalar", op.Kind)
			case !n.Shape.IsScalar() && l.into == nil:
				return fmt.Errorf("a matrix-valued %v operator without into", op.Kind)
			}
			return nil
		}},
		{"an operator has a joint kernel's Go call exactly when derive names the kernel", func(op *derive.Op) error {
			if (op.Joint != nil) != (lowerings[op].joint != nil) {
				return fmt.Errorf("derive names a joint kernel: %t; emit has its Go call: %t", op.Joint != nil, lowerings[op].joint != nil)
			}
			if (lowerings[op].joint != nil) != (lowerings[op].jointBlock != nil) {
				return fmt.Errorf("a joint kernel's Go call: %t; its block kernel: %t", lowerings[op].joint != nil, lowerings[op].jointBlock != nil)
			}
			return nil
		}},
	} {
		for _, op := range derive.Ops {
			if err := tt.check(op); err != nil {
				t.Errorf("%s: %s: %v", op.Name, tt.rule, err)
			}
		}
	}
	for op := range lowerings {
		if !slices.Contains(derive.Ops, op) {
			t.Errorf("lowerings holds %s, which is not in derive.Ops", op.Name)
		}
	}
}

// sampleNode builds op applied to sample arguments: square matrices X
// and Y, a vector v and a scalar s over the dimension n.
func sampleNode(op *derive.Op) (n *derive.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("building a sample panics: %v", r)
		}
	}()
	g := derive.NewGraph()
	dim := derive.Dim{Name: "n"}
	x, y := g.Var("X", derive.Square(dim), false), g.Var("Y", derive.Square(dim), false)
	v, s := g.Var("v", derive.Col(dim), false), g.Var("s", derive.ScalarShape, false)
	switch op {
	case derive.OpConst:
		n = g.Const(2.5)
	case derive.OpVar:
		n = x
	case derive.OpEye:
		n = g.Eye(dim)
	case derive.OpSize:
		n = g.Size(dim)
	case derive.OpBroadcast:
		n = g.Broadcast(s, x.Shape)
	case derive.OpTranspose:
		n = g.T(x)
	case derive.OpAdd:
		n = g.Add(x, y)
	case derive.OpScale:
		n = g.Scale(s, x)
	case derive.OpHadamard:
		n = g.Hadamard(x, y)
	case derive.OpDiv:
		n = g.Div(x, y)
	case derive.OpPow:
		n = g.Pow(x, g.Const(3))
	case derive.OpMul:
		n = g.Mul(x, y)
	case derive.OpDiagMat:
		n = g.Unary(op, v)
	case derive.OpCofactorDeriv:
		n = g.CofactorDerivative(x, y)
	case derive.OpDetTaylor:
		n, _ = g.DetTaylor(x, 3, func(_ *derive.Node, i int) *derive.Node { return []*derive.Node{x, y, nil, nil}[i] })
	default:
		if op.Scalar != nil {
			n = g.Apply(op, x)
		} else {
			n = g.Unary(op, x) // the one-argument structural operators
		}
	}
	if n == nil || n.Op != op {
		return nil, fmt.Errorf("the sample builds %v, not %s: add a case to sampleNode", n, op.Name)
	}
	return n, nil
}
