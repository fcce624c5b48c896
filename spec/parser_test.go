package spec

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// parenthesize prints x with every operation in parentheses, so that tests
// see the tree's structure. A Paren node prints as [x].
func parenthesize(x Expr) string {
	switch x := x.(type) {
	case *Number:
		return x.Text
	case *Ident:
		return x.Name
	case *Unary:
		return "(" + x.Op.String() + parenthesize(x.X) + ")"
	case *Binary:
		return "(" + parenthesize(x.X) + " " + x.Op.String() + " " + parenthesize(x.Y) + ")"
	case *Transpose:
		return "(" + parenthesize(x.X) + "')"
	case *Call:
		args := make([]string, len(x.Args))
		for i, arg := range x.Args {
			args[i] = parenthesize(arg)
		}
		return x.Fun.Name + "(" + strings.Join(args, ", ") + ")"
	case *Paren:
		return "[" + parenthesize(x.X) + "]"
	}
	panic(fmt.Sprintf("unexpected node %T", x))
}

var parseTests = []struct {
	text, want string
}{
	{"x", "x"},
	{"2", "2"},
	{"-x ^ 2", "(-(x ^ 2))"},
	{"x .^ -1", "(x .^ (-1))"},
	{"x ^ -1 * 2", "((x ^ (-1)) * 2)"},
	{"a' * X * b", "(((a') * X) * b)"},
	{"2^3^2", "(2 ^ (3 ^ 2))"},
	{"2 .^ 3 ^ 2", "(2 .^ (3 ^ 2))"},
	{"A * B + C .* D ./ E", "((A * B) + ((C .* D) ./ E))"},
	{"a - b - c", "((a - b) - c)"},
	{"a / b / c", "((a / b) / c)"},
	{"a + b * c", "(a + (b * c))"},
	{"(a + b) * c", "([(a + b)] * c)"},
	{"(A*B)'", "([(A * B)]')"},
	{"f(a, b)'", "(f(a, b)')"},
	{"inv(A)'", "(inv(A)')"},
	{"X''", "((X')')"},
	{"x^y'", "(x ^ (y'))"},
	{"-x'", "(-(x'))"},
	{"1 + exp(z)", "(1 + exp(z))"},
	{"-a * b", "((-a) * b)"},
	{"a - -b", "(a - (-b))"},
	{"a * -b", "(a * (-b))"},
	{"- - x", "(-(-x))"},
	{"2.*x", "(2 .* x)"},
	{"2./x", "(2 ./ x)"},
	{"2.^x", "(2 .^ x)"},
	{".5 * x", "(.5 * x)"},
	{"1e-3 + 2.5E+10", "(1e-3 + 2.5E+10)"},
	{"trace(X' * (A - B))", "trace(((X') * [(A - B)]))"},
	{"f(g(x), -y, 2)", "f(g(x), (-y), 2)"},
	{"a\n+\tb\r\n", "(a + b)"},
	{"λ * x_1", "(λ * x_1)"},
	{"_x", "_x"},
}

func TestParseExpr(t *testing.T) {
	for _, test := range parseTests {
		x, err := ParseExpr(test.text, Pos{File: "f", Line: 1, Col: 1})
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", test.text, err)
			continue
		}
		if got := parenthesize(x); got != test.want {
			t.Errorf("ParseExpr(%q) = %s, want %s", test.text, got, test.want)
		}
	}
}

func TestParseNumberValue(t *testing.T) {
	for text, want := range map[string]float64{"2": 2, "0.5": 0.5, ".5": 0.5, "1e-3": 1e-3, "2.5E+10": 2.5e10, "1e-400": 0} {
		x, err := ParseExpr(text, Pos{})
		if err != nil {
			t.Fatalf("ParseExpr(%q): %v", text, err)
		}
		if got := x.(*Number).Value; got != want {
			t.Errorf("ParseExpr(%q).Value = %v, want %v", text, got, want)
		}
	}
}

// spans prints the Pos and End columns of every node of x, in prefix
// order, as "node@pos-end" with line:col positions.
func spans(x Expr) []string {
	span := func(name string, x Expr) string {
		return fmt.Sprintf("%s@%d:%d-%d:%d", name, x.Pos().Line, x.Pos().Col, x.End().Line, x.End().Col)
	}
	switch x := x.(type) {
	case *Number:
		return []string{span(x.Text, x)}
	case *Ident:
		return []string{span(x.Name, x)}
	case *Unary:
		return append([]string{span("unary", x)}, spans(x.X)...)
	case *Binary:
		op := fmt.Sprintf("op%d:%d", x.OpPos.Line, x.OpPos.Col)
		out := []string{span("binary", x) + " " + op}
		return append(append(out, spans(x.X)...), spans(x.Y)...)
	case *Transpose:
		out := []string{span("transpose", x)}
		return append(out, spans(x.X)...)
	case *Call:
		out := []string{span("call", x)}
		out = append(out, spans(x.Fun)...)
		for _, arg := range x.Args {
			out = append(out, spans(arg)...)
		}
		return out
	case *Paren:
		return append([]string{span("paren", x)}, spans(x.X)...)
	}
	panic(fmt.Sprintf("unexpected node %T", x))
}

func TestParseExprPositions(t *testing.T) {
	tests := []struct {
		text  string
		start Pos
		want  string
	}{
		{"a' * X", Pos{Line: 1, Col: 1},
			"binary@1:1-1:7 op1:4 | transpose@1:1-1:3 | a@1:1-1:2 | X@1:6-1:7"},
		{"-x ^ 2.5", Pos{Line: 3, Col: 7},
			"unary@3:7-3:15 | binary@3:8-3:15 op3:10 | x@3:8-3:9 | 2.5@3:12-3:15"},
		{"f(a, (b))'", Pos{Line: 1, Col: 1},
			"transpose@1:1-1:11 | call@1:1-1:10 | f@1:1-1:2 | a@1:3-1:4 | paren@1:6-1:9 | b@1:7-1:8"},
		{"a +\n  bb", Pos{Line: 4, Col: 9},
			"binary@4:9-5:5 op4:11 | a@4:9-4:10 | bb@5:3-5:5"},
		{"x", Pos{}, "x@1:1-1:2"},
	}
	for _, test := range tests {
		x, err := ParseExpr(test.text, test.start)
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", test.text, err)
			continue
		}
		if got := strings.Join(spans(x), " | "); got != test.want {
			t.Errorf("ParseExpr(%q) spans:\n got %s\nwant %s", test.text, got, test.want)
		}
	}
}

var parseErrorTests = []struct {
	text string
	want string // the error as file:line:col: message
}{
	{"", "f:1:1: empty expression"},
	{"  \n ", "f:1:1: empty expression"},
	{"a +", "f:1:4: expected operand, found end of expression"},
	{"a + \n\n", "f:1:4: expected operand, found end of expression"},
	{"a + )", `f:1:5: expected operand, found ")"`},
	{"a * * b", `f:1:5: expected operand, found "*"`},
	{"f(a,)", `f:1:5: expected operand, found ")"`},
	{"'a", `f:1:1: expected operand, found "'"`},
	{"a b", `f:1:3: unexpected "b" after expression`},
	{"a, b", `f:1:2: unexpected "," after expression`},
	{"a)", `f:1:2: unexpected ")" with no matching "("`},
	{"(a", `f:1:3: missing ")" to close "(" at 1:1`},
	{"x + (a\n  * b", `f:2:6: missing ")" to close "(" at 1:5`},
	{"(a b)", `f:1:4: expected ")" to close "(" at 1:1, found "b"`},
	{"(a, b)", `f:1:3: expected ")" to close "(" at 1:1, found ","`},
	{"f(a", `f:1:4: missing ")" to close "(" at 1:2`},
	{"f(a b)", `f:1:5: expected "," or ")" to close "(" at 1:2, found "b"`},
	{"f()", "f:1:3: f() needs at least one argument"},
	{"f( )'", "f:1:4: f() needs at least one argument"},
	{"+x", `f:1:1: unary "+" is not allowed`},
	{"a * +x", `f:1:5: unary "+" is not allowed`},
	{"a @ b", "f:1:3: illegal character U+0040 '@'"},
	{"a\n  # b", "f:2:3: illegal character U+0023 '#'"},
	{"a . b", `f:1:3: unexpected "." (the element-wise operators are .* ./ .^)`},
	{"2x", `f:1:2: number 2 is followed directly by "x"`},
	{"1.5.3", `f:1:4: number 1.5 is followed directly by "."`},
	{"2.", `f:1:2: unexpected "." (the element-wise operators are .* ./ .^)`},
	{"1e", "f:1:2: exponent of number 1e has no digits"},
	{"1e+x", "f:1:2: exponent of number 1e+ has no digits"},
	{"1e999", "f:1:1: number 1e999 is too large"},
	{"a\xffb", "f:1:2: invalid UTF-8 encoding"},
	{"x\u00a0+ y", "f:1:2: illegal character U+00A0"},
}

func TestParseExprErrors(t *testing.T) {
	for _, test := range parseErrorTests {
		_, err := ParseExpr(test.text, Pos{File: "f", Line: 1, Col: 1})
		if err == nil {
			t.Errorf("ParseExpr(%q) succeeded, want %s", test.text, test.want)
			continue
		}
		if got := err.Error(); got != test.want {
			t.Errorf("ParseExpr(%q):\n got %s\nwant %s", test.text, got, test.want)
		}
	}
}

func TestParseExprErrorSource(t *testing.T) {
	tests := []struct {
		text       string
		start      Pos
		wantPos    string
		wantSource string
	}{
		{"a + )", Pos{File: "f", Line: 3, Col: 7}, "f:3:11", "      a + )"},
		{"a +\n  b c", Pos{File: "f", Line: 3, Col: 7}, "f:4:5", "  b c"},
		{"a +\r\n  b c\r\n", Pos{File: "f", Line: 1, Col: 1}, "f:2:5", "  b c"},
	}
	for _, test := range tests {
		_, err := ParseExpr(test.text, test.start)
		var specErr *Error
		if !errors.As(err, &specErr) {
			t.Fatalf("ParseExpr(%q) error %v is not an *Error", test.text, err)
		}
		if got := specErr.Pos.String(); got != test.wantPos {
			t.Errorf("ParseExpr(%q) error at %s, want %s", test.text, got, test.wantPos)
		}
		if specErr.Source != test.wantSource {
			t.Errorf("ParseExpr(%q) error Source %q, want %q", test.text, specErr.Source, test.wantSource)
		}
	}
}

func TestParseExprLimits(t *testing.T) {
	nested := func(open, close string, n int) string {
		return strings.Repeat(open, n) + "x" + strings.Repeat(close, n)
	}
	accepted := []string{
		nested("(", ")", maxNesting),
		nested("f(", ")", maxNesting),
		nested("-", "", maxNesting),
		nested("x^", "", maxNesting),
		strings.Repeat("x + ", 10000) + "x",
		strings.Repeat("x", maxExprBytes),
	}
	for _, text := range accepted {
		if _, err := ParseExpr(text, Pos{}); err != nil {
			t.Errorf("ParseExpr(%.20q...): %v", text, err)
		}
	}
	refused := []struct{ text, want string }{
		{nested("(", ")", maxNesting+1), "f:1:201: expression nested deeper than 200 levels"},
		{nested("f(", ")", maxNesting+1), "f:1:402: expression nested deeper than 200 levels"},
		{nested("-", "", maxNesting+1), "f:1:201: expression nested deeper than 200 levels"},
		{nested("x^", "", maxNesting+1), "f:1:402: expression nested deeper than 200 levels"},
		{nested("(-", ")", maxNesting/2+1), "f:1:201: expression nested deeper than 200 levels"},
		{strings.Repeat("(", maxExprBytes), "f:1:201: expression nested deeper than 200 levels"},
		{strings.Repeat("x", maxExprBytes+1), "f:1:1: expression is longer than 64 KiB"},
	}
	for _, test := range refused {
		_, err := ParseExpr(test.text, Pos{File: "f"})
		if err == nil || err.Error() != test.want {
			t.Errorf("ParseExpr(%.20q...) = %v, want %s", test.text, err, test.want)
		}
	}
}

// FuzzParseExpr checks that ParseExpr does not panic, that it fails only
// with a positioned *Error, and that the nodes it returns span valid,
// ordered positions.
func FuzzParseExpr(f *testing.F) {
	for _, test := range parseTests {
		f.Add(test.text)
	}
	for _, test := range parseErrorTests {
		f.Add(test.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		start := Pos{File: "fuzz", Line: 2, Col: 3}
		x, err := ParseExpr(text, start)
		if err != nil {
			var specErr *Error
			if !errors.As(err, &specErr) {
				t.Fatalf("error %v is %T, not *Error", err, err)
			}
			if !specErr.Pos.IsValid() || specErr.Pos.Col < 1 || specErr.Pos.File != "fuzz" {
				t.Fatalf("error %v has an invalid position", err)
			}
			if specErr.Pos.Line == start.Line && specErr.Pos.Col < start.Col {
				t.Fatalf("error %v is before the start", err)
			}
			return
		}
		for _, span := range allSpans(x) {
			if !span[0].IsValid() || span[0].Col < 1 || before(span[1], span[0]) {
				t.Fatalf("node %s spans %v to %v", parenthesize(x), span[0], span[1])
			}
		}
		for _, leaf := range leaves(x) {
			if got := textAt(text, start, leaf.Pos(), leaf.End()); got != parenthesize(leaf) {
				t.Fatalf("%s is at %v, where the text is %q", parenthesize(leaf), leaf.Pos(), got)
			}
		}
	})
}

// leaves returns the names and numbers of x.
func leaves(x Expr) []Expr {
	switch x := x.(type) {
	case *Unary:
		return leaves(x.X)
	case *Binary:
		return append(leaves(x.X), leaves(x.Y)...)
	case *Transpose:
		return leaves(x.X)
	case *Call:
		out := []Expr{x.Fun}
		for _, arg := range x.Args {
			out = append(out, leaves(arg)...)
		}
		return out
	case *Paren:
		return leaves(x.X)
	}
	return []Expr{x}
}

// textAt returns the bytes of text from pos to end, both on one line, where
// text starts at start.
func textAt(text string, start, pos, end Pos) string {
	lines := strings.Split(text, "\n")
	i := pos.Line - start.Line
	if i < 0 || i >= len(lines) || end.Line != pos.Line {
		return ""
	}
	from, to := pos.Col-1, end.Col-1
	if i == 0 {
		from, to = from-(start.Col-1), to-(start.Col-1)
	}
	if from < 0 || to > len(lines[i]) || from > to {
		return ""
	}
	return lines[i][from:to]
}

// allSpans returns the [Pos, End] of every node of x.
func allSpans(x Expr) [][2]Pos {
	out := [][2]Pos{{x.Pos(), x.End()}}
	switch x := x.(type) {
	case *Unary:
		out = append(out, allSpans(x.X)...)
	case *Binary:
		out = append(append(out, allSpans(x.X)...), allSpans(x.Y)...)
	case *Transpose:
		out = append(out, allSpans(x.X)...)
	case *Call:
		for _, arg := range x.Args {
			out = append(out, allSpans(arg)...)
		}
	case *Paren:
		out = append(out, allSpans(x.X)...)
	}
	return out
}

func before(a, b Pos) bool {
	return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
}
