package emit

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gradgen/gradgen/derive"
)

// TestLoweringTable is the operator table's meta-test: every operator of
// derive.Ops has what emit and the tools around it need, so adding an
// operator without its lowering, printing or tests fails here, not in
// some user's generated code. Each row is one requirement, checked for
// every operator.
func TestLoweringTable(t *testing.T) {
	corpus := corpusCalls(t, "../generated_test")
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
			return nil
		}},
		{"an operator prints in every notation", func(op *derive.Op) error {
			n, err := sampleNode(op)
			if err != nil {
				return err
			}
			for _, notation := range []struct {
				name  string
				style derive.Style
			}{{"plain", derive.Plain}, {"Unicode", derive.Unicode}, {"LaTeX", derive.LaTeX}} {
				s, err := formatSafely(n, notation.style)
				switch {
				case err != nil:
					return fmt.Errorf("%s: %v", notation.name, err)
				case s == "":
					return fmt.Errorf("%s prints nothing", notation.name)
				case notation.style == derive.Plain && op.Spec && !strings.Contains(s, op.Name+"("):
					return fmt.Errorf("the plain notation %q does not spell the call %s(…)", s, op.Name)
				}
			}
			return nil
		}},
		{"a spec-callable operator is in the spec's function names (which the oracle probes)", func(op *derive.Op) error {
			if op.Spec && !slices.Contains(derive.FunctionNames(), op.Name) {
				return fmt.Errorf("not in derive.FunctionNames")
			}
			return nil
		}},
		{"a spec-callable operator is called in a corpus spec under generated_test/", func(op *derive.Op) error {
			if op.Spec && !corpus(op.Name) {
				return fmt.Errorf("no %s( in generated_test/**/*.yaml", op.Name)
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

// formatSafely prints n in style, reporting a panic of a Print rule (a missing
// one included) as an error.
func formatSafely(n *derive.Node, style derive.Style) (s string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("printing panics: %v", r)
		}
	}()
	return derive.Format(n, style, nil), nil
}

// corpusCalls returns whether a function is called, as name(, in a spec
// of the corpus under root.
func corpusCalls(t *testing.T, root string) func(name string) bool {
	t.Helper()
	var text strings.Builder
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".yaml" {
			return err
		}
		b, err := os.ReadFile(path)
		text.Write(b)
		text.WriteByte('\n')
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	specs := text.String()
	return func(name string) bool {
		return regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\(`).MatchString(specs)
	}
}
