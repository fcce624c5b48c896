package emit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/runtime"
	"github.com/gradgen/gradgen/spec"
)

// TestCommentLine pins how a line of text becomes a comment: never a
// directive, a build constraint or a block comment, whatever it holds.
func TestCommentLine(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"plain text", "// plain text"},
		{"", "//"},
		{"\tf = x", "// \tf = x"},
		{"//go:generate touch PWNED", "// //go:generate touch PWNED"},
		{"\t//go:generate touch PWNED", "// \t//go:generate touch PWNED"},
		{"//go:build ignore", "// //go:build ignore"},
		{"//line a.go:1", "// //line a.go:1"},
		{"//export F", "// //export F"},
		{"//extern F", "// //extern F"},
		{"/* open", "// /* open"},
		{"close */ func X() {}", "// close */ func X() {}"},
		{"+build ignore", "// `+build ignore`"},
		{"  go:build ignore", "// `go:build ignore`"},
		{"a\nb", "// a b"},
		{"a\r//go:generate x", "// a //go:generate x"},
	} {
		var b strings.Builder
		if err := jen.Add(commentLine(tt.text)).Render(&b); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); got != tt.want {
			t.Errorf("commentLine(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestTestName checks that test names are identifiers Go's test runner
// accepts, and that no two file names of one folder share one.
func TestTestName(t *testing.T) {
	for _, tt := range []struct{ path, want string }{
		{"loss_grad.go", "TestGradgenLossGrad"},
		{"dir/higher_grad.go", "TestGradgenHigherGrad"},
		{"s-grad.go", "TestGradgen_s_2d_grad"},
		{"s_grad.go", "TestGradgenSGrad"},
		{"sGrad.go", "TestGradgen_sGrad"},
		{"s__grad.go", "TestGradgen_s____grad"},
		{"my grad.go", "TestGradgen_my_20_grad"},
		{"a.b.go", "TestGradgen_a_2e_b"},
		{"x2_1a.go", "TestGradgen_x2__1a"},
		{"Loss.go", "TestGradgen_Loss"},
		{"gradé.go", "TestGradgen_gradé"},
		{"bad\xffname.go", "TestGradgen_bad_xff_name"},
	} {
		if got := TestName(tt.path); got != tt.want {
			t.Errorf("TestName(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
	seen := map[string]string{}
	for _, base := range []string{"s_grad", "s-grad", "s.grad", "s grad", "sGrad", "SGrad", "s__grad", "s_Grad", "s_2d_grad", "_s_grad", "s_grad_",
		"a_1", "a1", "a_b1", "ab_1", "x_x2d_", "x-", "xe\u0301", "xé", "x_e9_", "xe_301_", "a\xff", "a\xfe", "a_xff_"} {
		name := TestName(base + ".go")
		if !token.IsIdentifier(name) || !regexp.MustCompile(`^Test[^a-z]`).MatchString(name) {
			t.Errorf("TestName(%q) = %q: not a test name", base, name)
		}
		if other, ok := seen[name]; ok {
			t.Errorf("TestName(%q) = TestName(%q) = %s", base, other, name)
		}
		seen[name] = base
	}
}

// namesCases are specs whose names or text broke the generated code or
// test before the names were kept apart (README "Names and text"); each
// must generate, with -test and -standalone, code that type-checks.
var namesCases = []struct{ name, file, spec string }{
	{"an input and a dimension named as the parallel loops' method", "s_grad.go", `functions:
  - {name: F, inputs: {X: "matrix(m, n)", RunPart: scalar, RunPart_: scalar}, expr: "sum(exp(RunPart * X + RunPart_))"}
  - {name: G, inputs: {Y: "matrix(RunPart, n)"}, expr: "sum(exp(Y))"}
`},
	{"test locals as inputs", "s_grad.go", `functions:
  - name: F
    inputs: {t: vector(n), rng: scalar, tests: scalar, tt: scalar, trial: scalar}
    expr: rng * tests * tt * trial * sum(exp(t))
    hessian: true
`},
	{"function named like the test's T", "s_grad.go", `functions:
  - name: t
    inputs: {x: vector(n), f: scalar}
    expr: f * sum(exp(x))
    hessian: true
`},
	{"test imports as inputs", "s_grad.go", `functions:
  - name: F
    inputs: {fd: vector(n), rand: vector(n), testing: scalar, mat: "matrix(n, n)"}
    expr: testing * fd' * mat * rand
    hessian: true
`},
	{"lets named like predeclared names and helpers", "s_grad.go", `functions:
  - name: F
    inputs: {A: "matrix(n, n)", x: vector(n)}
    let: {float64: inv(A) * x, len: float64 .* float64, gradgenLU: sum(len) + det(A), ggmath: exp(gradgenLU)}
    expr: ggmath + logdet(A' * A)
    hessian: true
`},
	{"inputs named like workspaces of other roles", "s_grad.go", `functions:
  - name: F
    inputs: {fGradWork: "matrix(n, n)", fHessVecPool: vector(n), fWork: vector(n), ws: scalar}
    expr: ws * fHessVecPool' * inv(fGradWork) * fWork
    hessian: true
`},
	{"names of a loop in parts: its method, fields, variables and type", "s_grad.go", `functions:
  - name: F
    inputs: {X: "matrix(n, d)", part: vector(n), parts: scalar, lo: scalar, hi: scalar, acc: vector(d), shared: scalar}
    let: {RunPart: X * acc, fGradParts: softplus(-part .* RunPart)}
    expr: sum(fGradParts) + (parts + lo * hi * shared) / 2 * acc' * acc
    wrt: [acc]
`},
	{"dimension named like a workspace", "s_grad.go", `functions:
  - name: F
    inputs: {A: "matrix(fGradWork, fGradPool)", x: vector(fGradPool)}
    expr: sum(exp(A * x))
`},
	{"locals named like functions of the file", "s_grad.go", `functions:
  - name: F
    inputs: {x: vector(n)}
    let: {f: exp(x), xRaw: f .* x}
    expr: sum(xRaw)
  - name: f
    inputs: {y: vector(n)}
    expr: sum(exp(y))
  - name: ws
    inputs: {y: vector(n)}
    expr: sum(log(1 + y .* y))
  - name: i
    inputs: {z: vector(n)}
    expr: sum(exp(z))
`},
	{"file name that is no identifier", "my grad-1.go", `functions:
  - name: F
    inputs: {x: vector(n)}
    expr: sum(exp(x))
`},
	{"doc with directives", "s_grad.go", `functions:
  - name: F
    doc: |
      //go:generate touch PWNED
        //go:build ignore
      +build ignore
      /* open
      close */ func X() {}
      //line x.go:1
    inputs: {x: vector(n)}
    expr: sum(exp(x))
`},
}

// TestNamesCompile generates each of namesCases with its test, and as a
// standalone file, and type-checks them; the files declare only the
// generated functions, their workspaces and the test.
func TestNamesCompile(t *testing.T) {
	for _, tt := range namesCases {
		t.Run(tt.name, func(t *testing.T) {
			if !checkNames(t, tt.spec, tt.file, true) {
				t.Fatalf("the spec does not load or build:\n%s", tt.spec)
			}
		})
	}
}

// checkNames generates the spec src into file, with its test, type-checks
// both, standalone too when standalone is set, and checks what they
// declare and that their comments are only comments. It returns false
// when the spec does not load or build.
func checkNames(t *testing.T, src, file string, standalone bool) bool {
	t.Helper()
	sf, err := spec.Load("s.yaml", []byte(src))
	if err != nil {
		return false
	}
	fns, err := derive.Build(sf)
	if err != nil {
		return false
	}
	code, err := Generate(fns, Options{Package: "p", Sources: []string{"s.yaml"}})
	if err != nil {
		if _, ok := err.(*spec.Error); ok {
			return false // a refusal, positioned
		}
		t.Fatalf("Generate: %v\n%s", err, src)
	}
	name := TestName(file)
	test, err := GenerateTest(fns, TestOptions{Package: "p", Name: name, Source: file})
	if err != nil {
		t.Fatalf("GenerateTest: %v\n%s", err, src)
	}
	// Each variant: the output, and the files type-checked with it.
	type variant struct {
		out   []byte
		files []Source
	}
	variants := []variant{{code, []Source{{Path: file, Data: code}, {Path: "s_test.go", Data: test}}}}
	if standalone {
		alone, err := Standalone(code)
		if err != nil {
			t.Fatalf("Standalone: %v\n%s", err, src)
		}
		helpers, err := StandaloneRuntime("p", "")
		if err != nil {
			t.Fatalf("StandaloneRuntime: %v", err)
		}
		variants = append(variants, variant{alone, []Source{{Path: file, Data: alone}, {Path: "s_test.go", Data: test}, {Path: StandaloneRuntimeFile, Data: helpers}}})
	}
	for _, v := range variants {
		if err := TypeCheck(fns, v.files, SourceImporter); err != nil {
			t.Fatalf("%v\n%s\n%s", err, src, v.out)
		}
		checkDeclarations(t, fns, v.out, src)
	}
	checkTestDeclarations(t, test, name, src)
	return true
}

// generatedNames returns the names of the functions generated for fns.
func generatedNames(fns []*derive.Function) map[string]bool {
	names := map[string]bool{}
	for _, fn := range fns {
		for _, g := range generated(fn) {
			names[g.name] = true
		}
	}
	return names
}

// workspaceName matches the unexported workspace types and pools, and the
// types of the values a loop in parts shares (row panels, elementwise
// loops).
var workspaceName = regexp.MustCompile(`^[\p{Ll}_].*(Work|Pool|Parts|Loop)[0-9]*$`)

// checkDeclarations checks that code declares the generated functions,
// their workspace types and pools, and nothing else (a -standalone output
// declares no runtime helper: StandaloneRuntime's file does), and that every comment after the header is a line comment
// "//" or "// …": no directive, no block comment, no build constraint.
func checkDeclarations(t *testing.T, fns []*derive.Function, code []byte, src string) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "gen.go", code, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	want := generatedNames(fns)
	for _, name := range declared(f) {
		switch {
		case want[name]:
			delete(want, name)
		case name == "_", workspaceName.MatchString(name):
		default:
			t.Errorf("declares %s\n%s", name, src)
		}
	}
	for name := range want {
		t.Errorf("does not declare %s\n%s", name, src)
	}
	checkComments(t, f, fset, src)
}

// checkTestDeclarations checks that a generated test declares its test
// function only, and that its comments are only comments.
func checkTestDeclarations(t *testing.T, code []byte, name, src string) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "s_test.go", code, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	if got := declared(f); !slices.Equal(got, []string{name}) {
		t.Errorf("the test declares %v, want %s\n%s", got, name, src)
	}
	checkComments(t, f, fset, src)
}

// declared returns the top-level names f declares, in order.
func declared(f *ast.File) []string {
	var names []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				names = append(names, d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					names = append(names, s.Name.Name)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	return names
}

// checkComments checks that the comments before the package clause are
// the header's, and that those after it outside copied runtime helpers
// are "//" or start "// " or "//" and a tab, and none holds a build constraint word first.
func checkComments(t *testing.T, f *ast.File, fset *token.FileSet, src string) {
	t.Helper()
	helpers := fset.Position(f.End()).Offset + 1
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && strings.HasPrefix(fd.Name.Name, spec.HelperPrefix) {
			helpers = min(helpers, fset.Position(fd.Pos()).Offset)
		}
	}
	for _, g := range f.Comments {
		for _, c := range g.List {
			text := c.Text
			if c.Pos() < f.Package {
				if !strings.HasPrefix(text, "// Code generated by gradgen") && !strings.HasPrefix(text, "// Source: ") {
					t.Errorf("comment %q before the package clause\n%s", text, src)
				}
				continue
			}
			if fset.Position(c.Pos()).Offset >= helpers {
				continue
			}
			rest, ok := strings.CutPrefix(text, "// ")
			if !ok {
				rest, ok = strings.CutPrefix(text, "//\t") // gofmt's code block in a doc comment
			}
			if text != "//" && !ok {
				t.Errorf("comment %q is not a plain line comment\n%s", text, src)
			}
			rest = strings.TrimSpace(rest)
			if strings.HasPrefix(rest, "+build") || strings.HasPrefix(rest, "go:build") {
				t.Errorf("comment %q holds a build constraint\n%s", text, src)
			}
		}
	}
}

// FuzzNames generates a function whose doc text, function name, input
// names, dimension names and let name are fuzzed, and checks that it is
// refused with a positioned error, or generates code and a test that
// type-check, declare only what is expected, and carry the doc only in
// plain line comments.
func FuzzNames(f *testing.F) {
	for _, c := range []struct{ doc, fn, a, b, dim, let string }{
		{"x\n\t//go:generate touch PWNED", "F", "x", "y", "n", "z"},
		{"  //go:build ignore\n/* open\n*/ close", "F", "x", "y", "n", "z"},
		{"+build ignore", "t", "rng", "tests", "tt", "trial"},
		{"go:build linux\n//line a.go:1", "Loss", "fd", "rand", "testing", "f"},
		{"a\x00b", "F", "float64", "len", "F", "FGrad"},
		{"\ufeff", "init", "x", "y", "n", "z"},
		{"", "main", "FUnpack", "FProblem", "fWork", "fGradPool"},
		{"doc", "f", "ws", "i", "j", "dst"},
		{"doc", "F", "math", "ggmath", "mat", "gradgenLU"},
		{"doc", "F", "fGradWork", "fGradPool", "fHessVecWork", "copy"},
		{"doc", "math", "x", "y", "n", "z"},
		{"doc", "gradgenX", "x", "y", "n", "z"},
		{"\u202e reversed \u2028", "F", "x", "y", "n", "z"},
		{"doc", "F", "x", "y", "fJVPWork", "make"},
	} {
		f.Add(c.doc, c.fn, c.a, c.b, c.dim, c.let)
	}
	f.Fuzz(func(t *testing.T, doc, fn, a, b, dim, let string) {
		// Keep only what an identifier may hold, so that most mutations
		// still give names: the loader's refusal of the others is spec's
		// own tests' business.
		names := []*string{&fn, &a, &b, &dim, &let}
		for _, name := range names {
			*name = strings.Map(func(r rune) rune {
				if r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) {
					return r
				}
				return -1
			}, *name)
			if !token.IsIdentifier(*name) {
				return
			}
		}
		quoted := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(doc)
		src := "functions:\n  - name: " + fn + "\n    doc: \"" + quoted + "\"\n" +
			"    inputs: {" + a + ": \"matrix(" + dim + ", " + dim + ")\", " + b + ": vector(" + dim + ")}\n" +
			"    let: {" + let + ": inv(" + a + ") * " + b + "}\n" +
			"    expr: sum(exp(" + let + ")) + " + b + "' * " + a + " * " + b + "\n    hessian: true\n"
		checkNames(t, src, "s_grad.go", false)
	})
}

// TestInternalErrorsOneLine checks that a failure of the generator is one
// line that asks for a report and holds no generated source.
func TestInternalErrorsOneLine(t *testing.T) {
	fns := buildSpec(t, "functions:\n  - name: F\n    inputs: {x: vector(n)}\n    expr: sum(exp(x))\n")
	_, genErr := Generate(fns, Options{Package: "not a package"}) // -pkg and the package key are checked before
	_, testErr := GenerateTest(fns, TestOptions{Package: "not a package", Name: "TestGradgenS", Source: "s.go"})
	_, aloneErr := Standalone([]byte("package p\n\nfunc F( {\n\treturn\n}\n"))
	for _, err := range []error{genErr, testErr, aloneErr} {
		if err == nil {
			t.Fatal("no error")
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") || !strings.Contains(msg, "internal error") || !strings.Contains(msg, "please report it") || strings.Contains(msg, "func ") {
			t.Errorf("error %q: want one line asking for a report, without source", msg)
		}
	}
	if msg := genErr.Error(); !strings.Contains(msg, "code generated for F ") {
		t.Errorf("error %q does not name F", msg)
	}
}

// TestSourceHeader checks that spec file names that could break the
// header comment are quoted there, and that the header stays two lines.
func TestSourceHeader(t *testing.T) {
	fns := buildSpec(t, "functions:\n  - name: F\n    inputs: {x: vector(n)}\n    expr: sum(exp(x))\n")
	for _, tt := range []struct{ name, want string }{
		{"s.yaml", "// Source: s.yaml"},
		{"my spec.yaml", "// Source: my spec.yaml"},
		{"a\nb.yaml", `// Source: "a\nb.yaml"`},
		{"a\x00b.yaml", `// Source: "a\x00b.yaml"`},
		{"\ufeffs.yaml", `// Source: "\ufeffs.yaml"`},
		{"a\xffb.yaml", `// Source: "a\xffb.yaml"`},
		{"a\u202eb.yaml", `// Source: "a\u202eb.yaml"`},
	} {
		code, err := Generate(fns, Options{Package: "p", Sources: []string{tt.name}})
		if err != nil {
			t.Fatalf("%q: %v", tt.name, err)
		}
		lines := strings.SplitN(string(code), "\n", 4)
		if lines[0] != Header("", nil) || lines[1] != tt.want || lines[2] != "" || !strings.HasPrefix(lines[3], "package p\n") {
			t.Errorf("%q: header\n%s", tt.name, strings.Join(lines[:3], "\n"))
		}
		test, err := GenerateTest(fns, TestOptions{Package: "p", Name: "TestGradgenS", Source: tt.name})
		if err != nil {
			t.Fatalf("%q: test: %v", tt.name, err)
		}
		if _, err := parser.ParseFile(token.NewFileSet(), "s_test.go", test, parser.ParseComments); err != nil {
			t.Errorf("%q: test: %v", tt.name, err)
		}
	}
}

// FuzzDoc fuzzes the doc text alone, without type-checking (so it runs
// fast): the text is refused with a position, or the generated code and
// test parse, declare only what is expected, and carry the doc only in
// plain line comments after the package clause.
func FuzzDoc(f *testing.F) {
	for _, doc := range []string{
		"x\n\t//go:generate touch PWNED", "  //go:build ignore", "/* open\nx\n*/ func X() {}", "//line a.go:1",
		"//export F\n//extern F", "+build ignore", "\tgo:build linux", "a\x00b", "\ufeff", "a\u202eb", "a\rb", "a\u2028b",
		"a\x85b", "// +build ignore", "*/", "/*", "# Heading\n- list\n\tcode", strings.Repeat("word ", 40) + "+build x",
	} {
		f.Add(doc)
	}
	fns := func(doc string) ([]*derive.Function, error) {
		quoted := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(doc)
		file, err := spec.Load("s.yaml", []byte("functions:\n  - name: F\n    doc: \""+quoted+"\"\n    inputs: {x: vector(n)}\n    expr: sum(exp(x))\n    hessian: true\n"))
		if err != nil {
			return nil, err
		}
		return derive.Build(file)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		built, err := fns(doc)
		if err != nil {
			if _, ok := err.(*spec.Error); !ok {
				t.Fatalf("%q: not a positioned error: %v", doc, err)
			}
			return
		}
		code, err := Generate(built, Options{Package: "p"})
		if err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		checkDeclarations(t, built, code, doc)
		test, err := GenerateTest(built, TestOptions{Package: "p", Name: "TestGradgenS", Source: "s_grad.go"})
		if err != nil {
			t.Fatalf("%q: test: %v", doc, err)
		}
		checkTestDeclarations(t, test, "TestGradgenS", doc)
	})
}

// TestImportNamesComplete checks that spec.ImportNames, the one list of
// package names generated files may import, holds every package generated
// code, generated tests and the copied runtime helpers import.
func TestImportNamesComplete(t *testing.T) {
	var names []string
	for name := range testImports {
		names = append(names, name)
	}
	files, err := fs.Glob(runtime.Source, "*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		data, err := runtime.Source.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, data, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(file, "_test.go") || file == "source.go" || hasBuildConstraint(f) {
			continue // never copied: tests, the embedding, the openblas build
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			elems := strings.Split(p, "/")
			name := elems[len(elems)-1]
			if regexp.MustCompile(`^v[0-9]+$`).MatchString(name) {
				name = elems[len(elems)-2] // math/rand/v2
			}
			names = append(names, name)
		}
	}
	for _, name := range names {
		if !slices.Contains(spec.ImportNames, name) {
			t.Errorf("package %s is imported by generated code but not in spec.ImportNames", name)
		}
	}
}

// hasBuildConstraint reports whether f starts with a //go:build line.
func hasBuildConstraint(f *ast.File) bool {
	for _, g := range f.Comments {
		for _, c := range g.List {
			if c.Pos() < f.Package && strings.HasPrefix(c.Text, "//go:build") {
				return true
			}
		}
	}
	return false
}

// TestHeader checks the first line of generated code and tests: the
// version and flags it records, Go's form for generated code kept
// (go/ast.IsGenerated) through Standalone, and version or flag words that
// would break the line refused.
func TestHeader(t *testing.T) {
	fns := buildSpec(t, "functions:\n  - name: F\n    inputs: {A: \"matrix(n, n)\"}\n    expr: logdet(A)\n")
	tests := []struct {
		name       string
		version    string
		flags      []string
		standalone bool
		want       string // "" for an error
	}{
		{"no version", "", nil, false, "// Code generated by gradgen. DO NOT EDIT."},
		{"devel", "devel", nil, false, "// Code generated by gradgen devel. DO NOT EDIT."},
		{"release", "v1.2.3", nil, false, "// Code generated by gradgen v1.2.3. DO NOT EDIT."},
		{"test", "v1.2.3", []string{"-test"}, false, "// Code generated by gradgen v1.2.3 (-test). DO NOT EDIT."},
		{"standalone", "devel", []string{"-standalone"}, true, "// Code generated by gradgen devel (-standalone). DO NOT EDIT."},
		{"both", "v0.0.0-20261203150834-dc63194b1ed9+dirty", []string{"-standalone", "-test"}, true, "// Code generated by gradgen v0.0.0-20261203150834-dc63194b1ed9+dirty (-standalone -test). DO NOT EDIT."},
		{"version with a newline", "v1\npackage x", nil, false, ""},
		{"version with a space", "v1 x", nil, false, ""},
		{"empty flag", "v1", []string{""}, false, ""},
		{"flag ending the comment", "v1", []string{"-x\r"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, err := Generate(fns, Options{Package: "p", Version: tt.version, Flags: tt.flags})
			if err == nil && tt.standalone {
				code, err = Standalone(code)
			}
			test, testErr := GenerateTest(fns, TestOptions{Package: "p", Name: "TestGradgenF", Source: "f_grad.go", Version: tt.version, Flags: tt.flags})
			if tt.want == "" {
				if err == nil || testErr == nil {
					t.Fatalf("no error for version %q and flags %q (code %v, test %v)", tt.version, tt.flags, err, testErr)
				}
				return
			}
			if err != nil || testErr != nil {
				t.Fatalf("code: %v; test: %v", err, testErr)
			}
			for _, out := range []struct {
				what string
				src  []byte
			}{{"code", code}, {"test", test}} {
				if first, _, _ := strings.Cut(string(out.src), "\n"); first != tt.want {
					t.Errorf("%s: first line %q, want %q", out.what, first, tt.want)
				}
				f, err := parser.ParseFile(token.NewFileSet(), "f.go", out.src, parser.PackageClauseOnly|parser.ParseComments)
				if err != nil || !ast.IsGenerated(f) {
					t.Errorf("%s: not generated code by Go's convention (%v)", out.what, err)
				}
			}
		})
	}
}
