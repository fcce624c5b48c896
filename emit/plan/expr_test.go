package plan

import (
	"fmt"
	"go/ast"
	"go/parser"
	"math"
	"strconv"
	"testing"
)

// printed renders x as gofmt writes it.
func printed(x Expr) string { return fmt.Sprintf("%#v", x.Code()) }

// expr, ident, add, sub, mul and div spell the trees of the tests briefly.
type expr = Expr

func ident(s string) Expr { return Ref{NewValue(s, Scalar, Local)} }
func add(l, r Expr) Expr  { return Add(l, r) }
func sub(l, r Expr) Expr  { return Sub(l, r) }
func mul(l, r Expr) Expr  { return Mul(l, r) }
func div(l, r Expr) Expr  { return Div(l, r) }

// TestScalarExprPrint pins the printed form of expressions: parentheses
// exactly where Go would otherwise group differently, none elsewhere.
func TestScalarExprPrint(t *testing.T) {
	a, b, c, d := ident("a"), ident("b"), ident("c"), ident("d")
	tests := []struct {
		name string
		x    expr
		want string
	}{
		// A left operand is bracketed only when it binds more loosely.
		{"sum plus", add(add(a, b), c), "a + b + c"},
		{"sum minus", sub(add(a, b), c), "a + b - c"},
		{"sum times", mul(add(a, b), c), "(a + b) * c"},
		{"sum over", div(add(a, b), c), "(a + b) / c"},
		{"difference plus", add(sub(a, b), c), "a - b + c"},
		{"difference minus", sub(sub(a, b), c), "a - b - c"},
		{"difference times", mul(sub(a, b), c), "(a - b) * c"},
		{"difference over", div(sub(a, b), c), "(a - b) / c"},
		{"product plus", add(mul(a, b), c), "a*b + c"},
		{"product minus", sub(mul(a, b), c), "a*b - c"},
		{"product times", mul(mul(a, b), c), "a * b * c"},
		{"product over", div(mul(a, b), c), "a * b / c"},
		{"quotient plus", add(div(a, b), c), "a/b + c"},
		{"quotient minus", sub(div(a, b), c), "a/b - c"},
		{"quotient times", mul(div(a, b), c), "a / b * c"},
		{"quotient over", div(div(a, b), c), "a / b / c"},
		// A right operand is bracketed when it binds as loosely or more:
		// floating point + and * are not associative either.
		{"plus sum", add(a, add(b, c)), "a + (b + c)"},
		{"plus difference", add(a, sub(b, c)), "a + (b - c)"},
		{"plus product", add(a, mul(b, c)), "a + b*c"},
		{"plus quotient", add(a, div(b, c)), "a + b/c"},
		{"minus sum", sub(a, add(b, c)), "a - (b + c)"},
		{"minus difference", sub(a, sub(b, c)), "a - (b - c)"},
		{"minus product", sub(a, mul(b, c)), "a - b*c"},
		{"minus quotient", sub(a, div(b, c)), "a - b/c"},
		{"times sum", mul(a, add(b, c)), "a * (b + c)"},
		{"times difference", mul(a, sub(b, c)), "a * (b - c)"},
		{"times product", mul(a, mul(b, c)), "a * (b * c)"},
		{"times quotient", mul(a, div(b, c)), "a * (b / c)"},
		{"over sum", div(a, add(b, c)), "a / (b + c)"},
		{"over difference", div(a, sub(b, c)), "a / (b - c)"},
		{"over product", div(a, mul(b, c)), "a / (b * c)"},
		{"over quotient", div(a, div(b, c)), "a / (b / c)"},
		// Unary minus and negative literals.
		{"negated name", Neg(a), "-a"},
		{"negated sum", Neg(add(a, b)), "-(a + b)"},
		{"negated product", Neg(mul(a, b)), "-(a * b)"},
		{"negated negation", Neg(Neg(a)), "-(-a)"},
		{"negated negative literal", Neg(Lit(-1)), "-(-1.0)"},
		{"negation in a product", mul(Neg(a), b), "-a * b"},
		{"product by a negation", mul(a, Neg(b)), "a * -b"},
		// Disjunctions of negated calls: one operand per line past two.
		{"two alternatives", AnyOf{Not(Fn("", "p", a)), Not(Fn("", "q", b))}, "!p(a) || !q(b)"},
		{"three alternatives", AnyOf{Not(Fn("", "p", a)), Not(Fn("", "q", b)), Not(Fn("", "r", c))}, "!p(a) ||\n\t!q(b) ||\n\t!r(c)"},
		{"minus a negative literal", sub(a, Lit(-1)), "a - -1.0"},
		{"plus a negative literal", add(a, Lit(-2.5)), "a + -2.5"},
		{"negative literal times", mul(Lit(-2), add(a, b)), "-2.0 * (a + b)"},
		{"over a negative literal", div(a, Lit(-2)), "a / -2.0"},
		{"minus infinity", sub(a, Lit(math.Inf(-1))), "a - math.Inf(-1)"},
		{"negative zero keeps its sign", mul(a, Lit(math.Copysign(0, -1))), "a * math.Copysign(0, -1)"},
		// A constant zero divisor does not compile: x / ±0 is x · ±Inf.
		{"over zero", div(a, Lit(0)), "a * math.Inf(1)"},
		{"over negated zero", div(add(a, b), Neg(Lit(0))), "(a + b) * math.Inf(-1)"},
		{"over negative zero", div(a, Lit(math.Copysign(0, -1))), "a / math.Copysign(0, -1)"},
		{"quotient over zero", div(div(a, b), Lit(0)), "a / b * math.Inf(1)"},
		// Division of products and by products.
		{"product over product", div(mul(a, b), mul(c, d)), "a * b / (c * d)"},
		{"sum of quotients", add(div(a, b), div(c, d)), "a/b + c/d"},
		{"quotient of sums", div(add(a, b), add(c, d)), "(a + b) / (c + d)"},
		{"the issue's s / c^2", div(ident("s"), mul(c, c)), "s / (c * c)"},
		// Pointers, calls and index arithmetic.
		{"dereference times", mul(Deref(ident("g")), ident("x")), "*g * x"},
		{"call operands", mul(Fn("", "f", add(a, b)), c), "f(a+b) * c"},
		{"row-major entry", add(mul(ident("i"), ident("stride")), ident("j")), "i*stride + j"},
		{"row of a sum", add(mul(add(ident("o"), ident("i")), ident("stride")), ident("j")), "(o+i)*stride + j"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := printed(tt.x); got != tt.want {
				t.Errorf("printed %q, want %q", got, tt.want)
			}
		})
	}
}

// TestScalarExprGrouping parses what the printer writes for every tree of
// depth three over + - * /, unary minus and negative literals, and checks
// Go reads it as the tree: no operand regrouped, none split.
func TestScalarExprGrouping(t *testing.T) {
	leaves := []expr{ident("a"), Lit(2), Lit(-1), IntLit(-3)}
	ops := []func(l, r expr) expr{add, sub, mul, div}
	build := func(from []expr) []expr {
		var out []expr
		for _, x := range from {
			out = append(out, Neg(x))
			for _, y := range leaves {
				for _, op := range ops {
					out = append(out, op(x, y), op(y, x))
				}
			}
		}
		return out
	}
	depth2 := build(leaves)
	var trees []expr
	for _, x := range depth2 {
		for _, y := range depth2 {
			for _, op := range ops {
				trees = append(trees, op(x, y))
			}
		}
	}
	trees = append(trees, build(depth2)...)
	for _, x := range trees {
		src := printed(x)
		parsed, err := parser.ParseExpr(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if got, want := grouping(t, parsed), treeGrouping(x); got != want {
			t.Fatalf("%s reads as %s, want %s", src, got, want)
		}
	}
}

// treeGrouping writes x with every operation bracketed.
func treeGrouping(x expr) string {
	switch x := x.(type) {
	case binary:
		return "(" + treeGrouping(x.l) + x.op + treeGrouping(x.r) + ")"
	case unary:
		return "(" + x.op + treeGrouping(x.x) + ")"
	case Lit:
		if x < 0 {
			return "(-" + strconv.FormatFloat(-float64(x), 'g', -1, 64) + ")"
		}
		return strconv.FormatFloat(float64(x), 'g', -1, 64)
	case IntLit:
		if x < 0 {
			return "(-" + strconv.Itoa(-int(x)) + ")"
		}
		return strconv.Itoa(int(x))
	}
	return fmt.Sprintf("%#v", x.Code())
}

// grouping writes the parsed expression with every operation bracketed,
// as treeGrouping does.
func grouping(t *testing.T, x ast.Expr) string {
	switch x := x.(type) {
	case *ast.ParenExpr:
		return grouping(t, x.X)
	case *ast.BinaryExpr:
		return "(" + grouping(t, x.X) + x.Op.String() + grouping(t, x.Y) + ")"
	case *ast.UnaryExpr:
		return "(" + x.Op.String() + grouping(t, x.X) + ")"
	case *ast.Ident:
		return x.Name
	case *ast.BasicLit:
		v, err := strconv.ParseFloat(x.Value, 64)
		if err != nil {
			t.Fatal(err)
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	t.Fatalf("unexpected %T", x)
	return ""
}
