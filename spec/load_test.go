package spec

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const bilinearSpec = `package: loss
functions:
  - name: Bilinear
    doc: |
      The bilinear form a'Xb.
    inputs:
      a: vector(m)
      X: matrix( m , n )
      b: vector(n)
    let:
      Xb: X * b
    expr: a' * Xb
    wrt: [X, b]
  - name: "Quad"
    inputs:
      S: spd(3)
      x: vector(3)
      c: scalar
    expr: c * x' * S * x
`

func TestLoad(t *testing.T) {
	f, err := Load("s.yaml", []byte(bilinearSpec))
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "s.yaml" || f.Package != "loss" || f.PackagePos.String() != "s.yaml:1:10" {
		t.Errorf("file %q, package %q at %v", f.Name, f.Package, f.PackagePos)
	}
	if len(f.Functions) != 2 {
		t.Fatalf("got %d functions, want 2", len(f.Functions))
	}
	got := []string{describeFunction(f.Functions[0]), describeFunction(f.Functions[1])}
	want := []string{
		`Bilinear@3:11 doc="The bilinear form a'Xb." ` +
			`inputs=[a@7:7 vector(m@7:17)@7:10 X@8:7 matrix(m@8:18,n@8:22)@8:10 b@9:7 vector(n@9:17)@9:10] ` +
			`lets=[Xb@11:7=(X * b)@11:11] expr=(((a') * Xb))@12:11 wrt(given)=[X@13:11 b@13:14]`,
		`Quad@14:12 doc="" ` +
			`inputs=[S@16:7 spd(3@16:14)@16:10 x@17:7 vector(3@17:17)@17:10 c@18:7 scalar()@18:10] ` +
			`lets=[] expr=((((c * (x')) * S) * x))@19:11 wrt(default)=[S@16:7 x@17:7 c@18:7]`,
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("function %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

// describeFunction prints fn with the line:col of each name, type,
// dimension and expression.
func describeFunction(fn *Function) string {
	at := func(p Pos) string { return fmt.Sprintf("@%d:%d", p.Line, p.Col) }
	var inputs, lets, wrt []string
	for _, in := range fn.Inputs {
		var dims []string
		for _, d := range in.Type.Dims {
			dims = append(dims, d.String()+at(d.Pos))
		}
		inputs = append(inputs, fmt.Sprintf("%s%s %s(%s)%s", in.Name, at(in.Pos), in.Type.Kind, strings.Join(dims, ","), at(in.Type.Pos)))
	}
	for _, let := range fn.Lets {
		lets = append(lets, fmt.Sprintf("%s%s=%s%s", let.Name, at(let.Pos), parenthesize(let.Expr), at(let.Expr.Pos())))
	}
	for _, w := range fn.Wrt {
		wrt = append(wrt, w.Name+at(w.At))
	}
	given := "default"
	if fn.WrtGiven {
		given = "given"
	}
	return fmt.Sprintf("%s%s doc=%q inputs=[%s] lets=[%s] expr=(%s)%s wrt(%s)=[%s]",
		fn.Name, at(fn.NamePos), fn.Doc, strings.Join(inputs, " "), strings.Join(lets, " "),
		parenthesize(fn.Expr), at(fn.Expr.Pos()), given, strings.Join(wrt, " "))
}

// function wraps the lines of one function's mapping (without the leading
// "- ") into a spec file whose function starts on line 2, column 5.
func function(lines ...string) string {
	return "functions:\n  - " + strings.Join(lines, "\n    ") + "\n"
}

// TestLoadExprPositions checks where the nodes of an expression land, for
// each YAML scalar style, through the position of a deliberate error and of
// the expression's nodes.
func TestLoadExprPositions(t *testing.T) {
	tests := []struct {
		name, spec, want string
	}{
		{"plain", function("name: F", "inputs: {x: scalar}", "expr: x + y @"),
			"s.yaml:4:17: illegal character U+0040 '@'"},
		{"plain after non-ASCII", "functions:\n  - {name: F, inputs: {é: scalar}, expr: é + @}\n",
			"s.yaml:2:48: illegal character U+0040 '@'"},
		{"double-quoted", function("name: F", "inputs: {x: scalar}", `expr: "x + @"`),
			"s.yaml:4:16: illegal character U+0040 '@'"},
		{"single-quoted with ''", function("name: F", "inputs: {x: scalar}", `expr: 'x'' + @'`),
			"s.yaml:4:18: illegal character U+0040 '@'"},
		{"tagged and anchored", function("name: F", "inputs: {x: scalar}", `expr: !!str &e "x + @"`),
			"s.yaml:4:25: illegal character U+0040 '@'"},
		{"literal block", function("name: F", "inputs: {x: scalar}", "expr: |  # comment", "  x +", "    y + @"),
			"s.yaml:6:13: illegal character U+0040 '@'"},
		{"folded block", function("name: F", "inputs: {x: scalar}", "expr: >-", "  x +", "", "  y + @"),
			"s.yaml:7:11: illegal character U+0040 '@'"},
		{"multi-line plain", function("name: F", "inputs: {x: scalar}", "expr: x +", "   y +", "      @"),
			"s.yaml:6:11: illegal character U+0040 '@'"},
		{"missing operand at the end", function("name: F", "inputs: {x: scalar}", "expr: |", "  x +", ""),
			"s.yaml:5:10: expected operand, found end of expression"},
		// The value is "x + @": positions after the escape \x78 are counted
		// as if it were one byte long.
		{"escape ends exact positions", function("name: F", "inputs: {x: scalar}", `expr: "\x78 + @"`),
			"s.yaml:4:16: illegal character U+0040 '@'"},
		{"type", function("name: F", "inputs: {x: \"matrix(n,\n       @)\"}", "expr: x"),
			"s.yaml:4:8: illegal character U+0040 '@'"},
	}
	for _, test := range tests {
		_, err := Load("s.yaml", []byte(test.spec))
		if err == nil || err.Error() != test.want {
			t.Errorf("%s: Load(%q):\n got %v\nwant %s", test.name, test.spec, err, test.want)
		}
	}
}

// TestLoadLeafPositions checks the position of every name and number in
// the expressions of leafPositionSpecs.
func TestLoadLeafPositions(t *testing.T) {
	for name, spec := range leafPositionSpecs {
		f, err := Load("s.yaml", []byte(spec))
		if err != nil {
			t.Errorf("%s: Load(%q): %v", name, spec, err)
			continue
		}
		t.Run(name, func(t *testing.T) { checkLeafPositions(t, []byte(spec), f) })
	}
}

// leafPositionSpecs are valid specs that write expressions in each YAML
// scalar style, with each kind of line break.
var leafPositionSpecs = map[string]string{
	"plain":            function("name: F", "inputs: {x: scalar, é: scalar}", "let: {z: 2*x'}", "expr: é + 10.5 * f(x, z)"),
	"multi-line plain": function("name: F", "inputs: {x: scalar}", "expr: 1 + x", "  * f(x,", "  \t2.5e3)"),
	"flow":             "functions: [{name: F, inputs: {x: scalar}, expr: x + 1, let: {y: \"x ^\n  -3\"}}]\n",
	"quoted":           function("name: F", "inputs: {x: scalar}", "let: {y: 'x'' * x', z: \"y\n\n    + x\"}", "expr: ' 2 *  x '"),
	"literal":          function("name: F", "inputs: {x: scalar}", "expr: |2-", "     x", "    + y(x)", "", "      * 3"),
	"folded":           function("name: F", "inputs: {x: scalar}", "expr: >+ # the sum", "  x", "     + 2", "", "  + x ^ 2"),
	"tagged":           function("name: F", "inputs: {x: scalar}", "let: {z: &z !!str", "    x + 1}", "expr: *z"),
	"CRLF":             strings.ReplaceAll(function("name: F", "inputs: {x: scalar}", "expr: x +", "  f(x)", "  * 2"), "\n", "\r\n"),
	"CR":               strings.ReplaceAll(function("name: F", "inputs: {x: scalar}", "expr: |", "  x +", "  f(x)"), "\n", "\r"),
	"NEL":              strings.ReplaceAll(function("name: F", "inputs: {x: scalar}", "expr: x +", "  f(x)"), "\n", "\u0085"),
	"BOM":              "\uFEFF" + function("name: F", "inputs: {x: scalar}", "expr: x + 1"),
}

func TestLoadErrorSource(t *testing.T) {
	spec := function("name: F", "inputs: {x: scalar}", "expr: |", "  x +", "    y + @")
	_, err := Load("s.yaml", []byte(spec))
	var specErr *Error
	if !errors.As(err, &specErr) {
		t.Fatalf("Load: %v is not an *Error", err)
	}
	if want := "        y + @"; specErr.Source != want || specErr.Source[specErr.Pos.Col-1] != '@' {
		t.Errorf("error %v has Source %q, want %q with '@' at the column", err, specErr.Source, want)
	}
}

var loadErrorTests = []struct {
	name, spec, want string
}{
	// The file as a whole.
	{"empty", "", "s.yaml:1:1: spec file is empty"},
	{"comments only", "# nothing\n", "s.yaml:1:1: spec file is empty"},
	{"not UTF-8", "functions:\n  - \xff\n", "s.yaml:2:5: spec file is not valid UTF-8"},
	{"control character", "functions:\n  - a\x07\n", "s.yaml:2:6: character U+0007 is not allowed in YAML"},
	{"YAML syntax", "functions:\n  - [a\n", "s.yaml:2:5: invalid YAML: unclosed flow sequence: the [ here has no matching ]"},
	{"YAML syntax of no known cause", "functions:\n  - a\n  b: c\n", "s.yaml:2:1: invalid YAML: did not find expected '-' indicator"},
	{"unknown anchor", "package: x\nfunctions: *fns\n", "s.yaml:2:12: invalid YAML: unknown anchor 'fns' referenced"},
	{"colon in a plain value", function("name: F", "doc: Logistic loss: with a ridge.", "inputs: {x: scalar}", "expr: x"),
		`s.yaml:3:23: invalid YAML: the value of doc holds a colon and a space, which YAML reads as a second key; quote the value (doc: "…")`},
	{"colon in a plain value after a tab", function("name: F", "doc:\tLoss: ridge", "inputs: {x: scalar}", "expr: x"),
		`s.yaml:3:14: invalid YAML: the value of doc holds a colon and a space, which YAML reads as a second key; quote the value (doc: "…")`},
	{"colon in a plain expr", function("name: F", "inputs: {x: scalar}", "expr: x' * x: 2"),
		`s.yaml:4:17: invalid YAML: the value of expr holds a colon and a space, which YAML reads as a second key; quote the value (expr: "…")`},
	{"two documents", "functions: []\n---\nfunctions: []\n", "s.yaml:2:1: spec file holds more than one YAML document"},
	{"top level not a mapping", "- a\n", `s.yaml:1:1: the spec file must be a mapping with keys package and functions, found a list`},
	{"top level scalar", "hello\n", `s.yaml:1:1: the spec file must be a mapping with keys package and functions, found "hello"`},
	{"unknown top-level key", "packages: x\nfunctions: []\n", `s.yaml:1:1: unknown key "packages" (did you mean "package"?)`},
	{"unknown key without suggestion", "functions: []\nzzz: 1\n", `s.yaml:2:1: unknown key "zzz" (keys are package, functions)`},
	{"long key", "functions: []\n" + strings.Repeat("é", 30) + ": 1\n", `s.yaml:2:1: unknown key "` + strings.Repeat("é", 20) + `"... (keys are package, functions)`},
	{"duplicate top-level key", "functions: []\nfunctions: []\n", `s.yaml:2:1: duplicate key "functions" (first at 1:1)`},
	{"missing functions", "package: x\n", `s.yaml:1:1: missing key "functions"`},
	{"merge key", "<<: {package: x}\nfunctions: []\n", "s.yaml:1:1: YAML merge keys (<<) are not supported"},
	{"mapping as key", "? [a]\n: b\n", "s.yaml:1:3: key must be a name, found a list"},

	// package and functions.
	{"package keyword", "package: func\nfunctions: []\n", `s.yaml:1:10: "func" is a Go keyword`},
	{"package not identifier", "package: my-pkg\nfunctions: []\n", `s.yaml:1:10: package name "my-pkg" is not a Go identifier`},
	{"package blank", "package: _\nfunctions: []\n", `s.yaml:1:10: package name cannot be "_"`},
	{"package empty", "package:\nfunctions: []\n", `s.yaml:1:9: package name is empty`},
	{"package documentation", "package: documentation\nfunctions: []\n", `s.yaml:1:10: package name "documentation" is ignored by go build, which keeps it for documentation-only files; choose another`},
	{"package list", "package: [a]\nfunctions: []\n", `s.yaml:1:10: package name must be a string, found a list`},
	{"functions not a list", "functions: {a: 1}\n", "s.yaml:1:12: functions must be a list, found a mapping"},
	{"functions empty", "functions: []\n", "s.yaml:1:12: functions must not be empty"},
	{"function not a mapping", "functions:\n  - F\n", `s.yaml:2:5: a function must be a mapping with keys name, inputs and expr, found "F"`},
	{"duplicate function", "functions:\n  - {name: F, inputs: {x: scalar}, expr: x}\n  - {name: F, inputs: {x: scalar}, expr: x}\n",
		`s.yaml:3:12: duplicate function name "F" (first at 2:12)`},

	// Function keys.
	{"unknown function key", function("name: F", "inputs: {x: scalar}", "exp: x"), `s.yaml:4:5: unknown key "exp" (did you mean "expr"?)`},
	{"unknown key listed", function("name: F", "inputs: {x: scalar}", "expr: x", "gradient: true"),
		`s.yaml:5:5: unknown key "gradient" (keys are name, doc, inputs, let, expr, wrt, order, hessian)`},
	{"duplicate function key", function("name: F", "inputs: {x: scalar}", "expr: x", "expr: x"), `s.yaml:5:5: duplicate key "expr" (first at 4:5)`},
	{"missing name", function("inputs: {x: scalar}", "expr: x"), `s.yaml:2:5: missing key "name"`},
	{"missing inputs", function("name: F", "expr: x"), `s.yaml:2:5: missing key "inputs"`},
	{"missing expr", function("name: F", "inputs: {x: scalar}"), `s.yaml:2:5: missing key "expr"`},
	{"name keyword", function("name: func", "inputs: {x: scalar}", "expr: x"), `s.yaml:2:11: "func" is a Go keyword`},
	{"name not identifier", function("name: 2F", "inputs: {x: scalar}", "expr: x"), `s.yaml:2:11: function name "2F" is not a Go identifier`},
	{"quoted name", function(`name: "a b"`, "inputs: {x: scalar}", "expr: x"), `s.yaml:2:12: function name "a b" is not a Go identifier`},
	{"name null", function("name: ~", "inputs: {x: scalar}", "expr: x"), `s.yaml:2:11: function name is empty`},
	{"doc list", function("name: F", "doc: [a]", "inputs: {x: scalar}", "expr: x"), `s.yaml:3:10: doc must be a string, found a list`},

	// Inputs and types.
	{"inputs not a mapping", function("name: F", "inputs: [x]", "expr: x"), "s.yaml:3:13: inputs must be a mapping"},
	{"inputs empty", function("name: F", "inputs: {}", "expr: x"), "s.yaml:3:13: inputs must not be empty"},
	{"inputs null", function("name: F", "inputs:", "expr: x"), "s.yaml:3:12: inputs must be a mapping"},
	{"duplicate input", function("name: F", "inputs:", "  x: scalar", "  x: scalar", "expr: x"), `s.yaml:5:7: duplicate input "x" (first at 4:7)`},
	{"input keyword", function("name: F", "inputs: {range: scalar}", "expr: x"), `s.yaml:3:14: "range" is a Go keyword`},
	{"input not identifier", function("name: F", "inputs: {x.y: scalar}", "expr: x"), `s.yaml:3:14: input name "x.y" is not a Go identifier`},
	{"input type list", function("name: F", "inputs: {x: [1]}", "expr: x"), `s.yaml:3:17: the type of input "x" must be a string such as matrix(m, n), found a list`},
	{"input type empty", function("name: F", "inputs: {x: }", "expr: x"), `s.yaml:3:17: input "x" has no type`},
	{"unknown type", function("name: F", "inputs: {x: matirx(m, n)}", "expr: x"), `s.yaml:3:17: unknown type "matirx" (did you mean "matrix"?)`},
	{"unknown type listed", function("name: F", "inputs: {x: tensor(m)}", "expr: x"),
		`s.yaml:3:17: unknown type "tensor" (types are scalar, vector(n), matrix(r, c), symmetric(n), spd(n))`},
	{"type not a name", function("name: F", "inputs: {x: (m)}", "expr: x"), `s.yaml:3:17: expected a type such as matrix(m, n), found "("`},
	{"too few dimensions", function("name: F", "inputs: {x: matrix(m)}", "expr: x"), "s.yaml:3:17: matrix takes 2 dimensions, found 1"},
	{"too many dimensions", function("name: F", "inputs: {x: 'vector(m, n)'}", "expr: x"), "s.yaml:3:18: vector takes 1 dimension, found 2"},
	{"dimensions missing", function("name: F", "inputs: {x: spd}", "expr: x"), "s.yaml:3:17: spd takes 1 dimension, found 0"},
	{"scalar with dimension", function("name: F", "inputs: {x: scalar(n)}", "expr: x"), "s.yaml:3:17: scalar takes no dimensions, found 1"},
	{"empty dimensions", function("name: F", "inputs: {x: symmetric()}", "expr: x"), `s.yaml:3:27: expected a dimension (a name or a positive integer), found ")"`},
	{"zero dimension", function("name: F", "inputs: {x: vector(0)}", "expr: x"), "s.yaml:3:24: dimension must be a positive integer, found 0"},
	{"negative dimension", function("name: F", "inputs: {x: vector(-2)}", "expr: x"), "s.yaml:3:24: dimension must be a positive integer, found -2"},
	{"fractional dimension", function("name: F", "inputs: {x: vector(2.5)}", "expr: x"), "s.yaml:3:24: dimension must be a positive integer, found 2.5"},
	{"exponent dimension", function("name: F", "inputs: {x: vector(1e3)}", "expr: x"), "s.yaml:3:24: dimension must be a positive integer, found 1e3"},
	{"huge dimension", function("name: F", "inputs: {x: vector(99999999999999999999)}", "expr: x"), "s.yaml:3:24: dimension 99999999999999999999 is too large (at most 1048576)"},
	{"max int dimension", function("name: F", "inputs: {x: vector(9223372036854775807)}", "expr: x"), "s.yaml:3:24: dimension 9223372036854775807 is too large (at most 1048576)"},
	{"dimension over MaxDim", function("name: F", "inputs: {x: 'matrix(2, 1048577)'}", "expr: x"), "s.yaml:3:28: dimension 1048577 is too large (at most 1048576)"},

	// Names generated code needs for itself (spec.Reserved) and doc text.
	{"function init", function("name: init", "inputs: {x: scalar}", "expr: x"), `s.yaml:2:11: function name "init" is reserved by Go for a function without parameters; rename it`},
	{"function main", function("name: main", "inputs: {x: scalar}", "expr: x"), `s.yaml:2:11: function name "main" is reserved by Go for a function without parameters; rename it`},
	{"function import name", function("name: math", "inputs: {x: scalar}", "expr: x"), `s.yaml:2:11: function name "math" is the name of a package generated code imports, which would clash with that import in the package's other files; rename it`},
	{"function predeclared", function("name: float64", "inputs: {x: scalar}", "expr: x"), `s.yaml:2:11: function name "float64" is a predeclared Go identifier, which generated code uses; rename it`},
	{"function helper prefix", function("name: gradgenLU", "inputs: {x: scalar}", "expr: x"), `s.yaml:2:11: function name "gradgenLU" starts with "gradgen", which gradgen keeps for its own helpers; rename it`},
	{"input predeclared type", function("name: F", "inputs: {float64: scalar}", "expr: float64"), `s.yaml:3:14: input name "float64" is a predeclared Go identifier, which generated code uses; rename it`},
	{"input predeclared function", function("name: F", "inputs: {x: scalar, len: scalar}", "expr: x"), `s.yaml:3:25: input name "len" is a predeclared Go identifier, which generated code uses; rename it`},
	{"input nil", function("name: F", "inputs: {nil: scalar}", "expr: x"), `s.yaml:3:14: input name "nil" is a predeclared Go identifier, which generated code uses; rename it`},
	{"input true", function("name: F", "inputs: {'true': scalar}", "expr: x"), `s.yaml:3:15: input name "true" is a predeclared Go identifier, which generated code uses; rename it`},
	{"input helper prefix", function("name: F", "inputs: {gradgenVector: scalar}", "expr: x"), `s.yaml:3:14: input name "gradgenVector" starts with "gradgen", which gradgen keeps for its own helpers; rename it`},
	{"dimension predeclared", function("name: F", "inputs: {x: vector(int)}", "expr: x"), `s.yaml:3:24: dimension name "int" is a predeclared Go identifier, which generated code uses; rename it`},
	{"dimension copy", function("name: F", "inputs: {x: 'matrix(n, copy)'}", "expr: x"), `s.yaml:3:28: dimension name "copy" is a predeclared Go identifier, which generated code uses; rename it`},
	{"dimension helper prefix", function("name: F", "inputs: {x: vector(gradgenN)}", "expr: x"), `s.yaml:3:24: dimension name "gradgenN" starts with "gradgen", which gradgen keeps for its own helpers; rename it`},
	{"doc NUL", function("name: F", `doc: "a\0b"`, "inputs: {x: scalar}", "expr: x"), "s.yaml:3:12: doc holds U+0000, which Go source cannot hold"},
	{"doc BOM", function("name: F", `doc: "a\uFEFFb"`, "inputs: {x: scalar}", "expr: x"), "s.yaml:3:12: doc holds U+FEFF, which Go source cannot hold"},
	{"doc raw BOM", function("name: F", "doc: a\uFEFFb", "inputs: {x: scalar}", "expr: x"), "s.yaml:3:11: doc holds U+FEFF, which Go source cannot hold"},
	{"doc carriage return", function("name: F", `doc: "a\r//go:generate x"`, "inputs: {x: scalar}", "expr: x"),
		"s.yaml:3:12: doc holds U+000D, a control, format or line-separating character, which generated comments do not carry"},
	{"doc bidi override", function("name: F", `doc: "a\u202Eb"`, "inputs: {x: scalar}", "expr: x"),
		"s.yaml:3:12: doc holds U+202E, a control, format or line-separating character, which generated comments do not carry"},
	{"doc line separator", function("name: F", `doc: "a\u2028b"`, "inputs: {x: scalar}", "expr: x"),
		"s.yaml:3:12: doc holds U+2028, a control, format or line-separating character, which generated comments do not carry"},
	{"doc next line", function("name: F", `doc: "a\Nb"`, "inputs: {x: scalar}", "expr: x"),
		"s.yaml:3:12: doc holds U+0085, a control, format or line-separating character, which generated comments do not carry"},
	{"doc escape", function("name: F", `doc: "a\x1bb"`, "inputs: {x: scalar}", "expr: x"),
		"s.yaml:3:12: doc holds U+001B, a control, format or line-separating character, which generated comments do not carry"},
	{"doc later line", function("name: F", "doc: |", "  fine", "  a\u200Bb", "inputs: {x: scalar}", "expr: x"),
		"s.yaml:5:8: doc holds U+200B, a control, format or line-separating character, which generated comments do not carry"},
	{"dimension keyword", function("name: F", "inputs: {x: vector(type)}", "expr: x"), `s.yaml:3:24: "type" is a Go keyword`},
	{"dimension blank", function("name: F", "inputs: {x: vector(_)}", "expr: x"), `s.yaml:3:24: dimension name cannot be "_"`},
	{"unclosed dimensions", function("name: F", "inputs: {x: 'matrix(m, n'}", "expr: x"), `s.yaml:3:29: missing ")" to close "(" at 3:24`},
	{"type cut at a comma", function("name: F", "inputs: {t: scalar, A: matrix(n, n), B: matrix(n, n)}", "expr: t * A"),
		`s.yaml:3:28: the type of input "A" is cut at a comma: in a {…} mapping a comma ends the entry; quote the type: A: "matrix(n, n)"`},
	{"type cut at a comma, distinct dimensions", function("name: F", "inputs: {A: matrix(m, n), x: vector(n)}", "expr: A * x"),
		`s.yaml:3:17: the type of input "A" is cut at a comma: in a {…} mapping a comma ends the entry; quote the type: A: "matrix(m, n)"`},
	{"type left open, no comma", function("name: F", "inputs: {x: vector(n}", "expr: x"), `s.yaml:3:25: missing ")" to close "(" at 3:23`},
	{"dimension separator", function("name: F", "inputs: {x: 'matrix(m n)'}", "expr: x"), `s.yaml:3:27: expected "," or ")" to close "(" at 3:24, found "n"`},
	{"text after type", function("name: F", "inputs: {x: 'vector(n) x'}", "expr: x"), `s.yaml:3:28: unexpected "x" after type`},
	{"dimension named like input", function("name: F", "inputs:", "  n: scalar", "  x: vector(n)", "expr: x"), `s.yaml:5:17: dimension "n" is also the name of the input at 4:7`},
	{"dimension named like let", function("name: F", "inputs: {x: vector(n)}", "let: {n: x}", "expr: x"), `s.yaml:3:24: dimension "n" is also the name of the let at 4:11`},

	// Lets and expressions.
	{"let not a mapping", function("name: F", "inputs: {x: scalar}", "let: [a]", "expr: x"), "s.yaml:4:10: let must be a mapping"},
	{"let named like input", function("name: F", "inputs: {x: scalar}", "let: {x: 2}", "expr: x"), `s.yaml:4:11: let "x" is also the name of the input at 3:14`},
	{"duplicate let", function("name: F", "inputs: {x: scalar}", "let:", "  y: x", "  y: 2*x", "expr: x"), `s.yaml:6:7: duplicate let "y" (first at 5:7)`},
	{"let keyword", function("name: F", "inputs: {x: scalar}", "let: {go: x}", "expr: x"), `s.yaml:4:11: "go" is a Go keyword`},
	{"let not a string", function("name: F", "inputs: {x: scalar}", "let: {y: [x]}", "expr: x"), `s.yaml:4:14: let "y" must be an expression string, found a list`},
	{"let empty", function("name: F", "inputs: {x: scalar}", "let: {y: ''}", "expr: x"), `s.yaml:4:14: let "y" is empty`},
	{"let syntax", function("name: F", "inputs: {x: scalar}", "let: {y: x +}", "expr: x"), `s.yaml:4:17: expected operand, found end of expression`},
	{"expr empty", function("name: F", "inputs: {x: scalar}", "expr:"), "s.yaml:4:10: expr is empty"},
	{"expr mapping", function("name: F", "inputs: {x: scalar}", "expr: {a: b}"), "s.yaml:4:11: expr must be an expression string, found a mapping"},
	{"expr syntax", function("name: F", "inputs: {x: scalar}", "expr: f()"), "s.yaml:4:13: f() needs at least one argument"},
	{"expr unclosed", function("name: F", "inputs: {x: scalar}", "expr: (x"), `s.yaml:4:13: missing ")" to close "(" at 4:11`},

	// wrt.
	{"wrt scalar", function("name: F", "inputs: {X: scalar}", "expr: X", "wrt: X"), "s.yaml:5:10: wrt must be a list of input names"},
	{"wrt entry list", function("name: F", "inputs: {X: scalar}", "expr: X", "wrt: [[X]]"), "s.yaml:5:11: wrt must be a list of input names"},
	{"wrt empty", function("name: F", "inputs: {X: scalar}", "expr: X", "wrt: []"), "s.yaml:5:10: wrt must not be empty"},
	{"wrt unknown", function("name: F", "inputs: {Xs: scalar}", "expr: Xs", "wrt: [Ys]"), `s.yaml:5:11: wrt: unknown input "Ys" (did you mean "Xs"?)`},
	{"wrt unknown one letter", function("name: F", "inputs: {X: scalar}", "expr: X", "wrt: [Y]"), `s.yaml:5:11: wrt: unknown input "Y"`},
	{"wrt unknown far", function("name: F", "inputs: {X: scalar}", "expr: X", "wrt: [alpha]"), `s.yaml:5:11: wrt: unknown input "alpha"`},
	{"wrt let", function("name: F", "inputs: {X: scalar}", "let: {Y: 2*X}", "expr: Y", "wrt: [Y]"), `s.yaml:6:11: wrt: "Y" is a let, not an input`},
	{"wrt duplicate", function("name: F", "inputs: {X: scalar}", "expr: X", "wrt: [X, X]"), `s.yaml:5:14: wrt: duplicate input "X" (first at 5:11)`},

	// Aliases.
	{"alias cycle", "functions: &f\n  - *f\n", "s.yaml:2:5: YAML alias *f is inside the node it refers to"},
	{"alias to document", "a: &a {b: *a}\nfunctions: []\n", "s.yaml:1:11: YAML alias *a is inside the node it refers to"},
}

func TestLoadErrors(t *testing.T) {
	for _, test := range loadErrorTests {
		_, err := Load("s.yaml", []byte(test.spec))
		if err == nil {
			t.Errorf("%s: Load(%q) succeeded, want %s", test.name, test.spec, test.want)
			continue
		}
		if got := err.Error(); got != test.want {
			t.Errorf("%s: Load(%q):\n got %s\nwant %s", test.name, test.spec, got, test.want)
		}
		var specErr *Error
		if !errors.As(err, &specErr) {
			t.Errorf("%s: error %v is %T, not *Error", test.name, err, err)
		}
	}
}

func TestLoadAliases(t *testing.T) {
	spec := `functions:
  - {name: F, inputs: &shared {x: vector(n), y: vector(n)}, expr: x' * y}
  - {name: G, inputs: *shared, expr: &e x' * x}
  - {name: H, inputs: *shared, expr: *e}
`
	f, err := Load("s.yaml", []byte(spec))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := `H@4:12 doc="" inputs=[x@2:32 vector(n@2:42)@2:35 y@2:46 vector(n@2:56)@2:49] ` +
		`lets=[] expr=(((x') * x))@3:41 wrt(default)=[x@2:32 y@2:46]`
	if got := describeFunction(f.Functions[2]); got != want {
		t.Errorf("function H:\n got %s\nwant %s", got, want)
	}
}

func TestLoadLimits(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for _, name := range "bcdefghijklmnopqrstuvwxyz" {
		prev := string(name - 1)
		bomb += fmt.Sprintf("%c: &%c [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n", name, name, prev, prev, prev, prev, prev, prev, prev, prev, prev, prev)
	}
	bomb += "functions: *z\n"
	deepFlow := "functions: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n"
	deepExpr := function("name: F", "inputs: {x: scalar}", "expr: "+strings.Repeat("(", 60000))
	tests := []struct{ name, spec, want string }{
		{"billion laughs", bomb, "s.yaml:4:36: YAML aliases expand beyond 10000 nodes"},
		{"over 1 MiB", "functions: []\n" + strings.Repeat("#", 1<<20), "s.yaml:1:1: spec file is larger than 1 MiB"},
		{"deep YAML", deepFlow, "s.yaml:1:1: invalid YAML: exceeded max depth of 10000"},
		{"deep expression", deepExpr, "s.yaml:4:211: expression nested deeper than 200 levels"},
		{"long expression", function("name: F", "inputs: {x: scalar}", "expr: "+strings.Repeat("x", maxExprBytes+1)),
			"s.yaml:4:11: expression is longer than 64 KiB"},
	}
	for _, test := range tests {
		_, err := Load("s.yaml", []byte(test.spec))
		if err == nil || err.Error() != test.want {
			t.Errorf("%s: Load: %v, want %s", test.name, err, test.want)
		}
	}
}

// checkLeafPositions checks that each name and number of the expressions
// of f is at its text in data.
func checkLeafPositions(t *testing.T, data []byte, f *File) {
	t.Helper()
	src := newSource(f.Name, data)
	for _, fn := range f.Functions {
		exprs := []Expr{fn.Expr}
		for _, let := range fn.Lets {
			exprs = append(exprs, let.Expr)
		}
		for _, x := range exprs {
			for _, leaf := range leaves(x) {
				pos, want := leaf.Pos(), parenthesize(leaf)
				line := src.line(pos.Line)
				if pos.Col-1+len(want) > len(line) || line[pos.Col-1:pos.Col-1+len(want)] != want {
					t.Errorf("%s is at %v, on line %q", want, pos, line)
				}
			}
		}
	}
}

// FuzzLoad checks that Load does not panic, that it fails only with an
// *Error positioned on a line of the file, and that expression positions
// are exact.
func FuzzLoad(f *testing.F) {
	f.Add(bilinearSpec)
	for _, spec := range leafPositionSpecs {
		f.Add(spec)
	}
	for _, test := range loadErrorTests {
		f.Add(test.spec)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		f, err := Load("fuzz.yaml", []byte(spec))
		if err == nil {
			// Positions are exact but after an escape of a double-quoted scalar.
			if !strings.Contains(spec, "\\") {
				checkLeafPositions(t, []byte(spec), f)
			}
			return
		}
		var specErr *Error
		if !errors.As(err, &specErr) {
			t.Fatalf("error %v is %T, not *Error", err, err)
		}
		lines := strings.Count(spec, "\n") + strings.Count(spec, "\r") + strings.Count(spec, "\u0085") +
			strings.Count(spec, "\u2028") + strings.Count(spec, "\u2029") + 1
		pos := specErr.Pos
		if pos.File != "fuzz.yaml" || pos.Line < 1 || pos.Line > lines || pos.Col < 1 {
			t.Fatalf("error %v is outside the file", err)
		}
	})
}
