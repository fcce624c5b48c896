package main

import (
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestSiblingDeclarations checks that an output declaring a name another
// Go file of its package declares is refused, naming both (its package
// would not compile), and that files of other packages, constrained files
// and this run's own outputs do not count; that the imports of generated
// code avoid the names the other files declare, and that where they
// cannot (the -standalone helpers file) or a generated function is named
// as another file's import, the output is refused.
func TestSiblingDeclarations(t *testing.T) {
	const a = "package: p\nfunctions:\n  - {name: F, inputs: {x: vector(n)}, expr: \"sum(x .* x)\"}\n"
	const sortFn = "package: p\nfunctions:\n  - {name: sort, inputs: {x: vector(n)}, expr: \"sum(x .* x)\"}\n"
	for _, tt := range []struct {
		name   string
		files  map[string]string
		before []string // a run before the one checked
		args   []string
		code   int
		stderr string
		// imports are import specs the output a_grad.go (and its -test
		// file, with -test) must hold.
		imports []string
	}{
		{"a hand-written function of the same name",
			map[string]string{"a.yaml": a, "other.go": "package p\n\nfunc FGrad() {}\n"}, nil,
			[]string{"a.yaml"}, exitBad,
			"gradgen: output a_grad.go declares FGrad, which other.go of package p declares too; rename the function or generate into another package\n", nil},
		{"another spec's output declaring the same function",
			map[string]string{"a.yaml": a, "b.yaml": "package: p\nfunctions:\n  - {name: FGrad, inputs: {x: vector(n)}, expr: \"sum(x)\"}\n"},
			[]string{"a.yaml"}, []string{"b.yaml"}, exitBad,
			"gradgen: output b_grad.go declares FGrad, which a_grad.go of package p declares too; rename the function or generate into another package\n", nil},
		{"a variable",
			map[string]string{"a.yaml": a, "other.go": "package p\n\nvar FProblem, FUnpack = 1, 2\n"}, nil,
			[]string{"a.yaml"}, exitBad,
			"gradgen: output a_grad.go declares FProblem, FUnpack, which other.go of package p declares too; rename the function or generate into another package\n", nil},
		{"an in-package test file",
			map[string]string{"a.yaml": a, "x_test.go": "package p\n\nvar F = 1\n"}, nil,
			[]string{"a.yaml"}, exitBad,
			"gradgen: output a_grad.go declares F, which x_test.go of package p declares too; rename the function or generate into another package\n", nil},
		{"an external test package", map[string]string{"a.yaml": a, "x_test.go": "package p_test\n\nvar F = 1\n"}, nil, []string{"a.yaml"}, exitOK, "", nil},
		{"a constrained file", map[string]string{"a.yaml": a, "gen.go": "//go:build ignore\n\npackage p\n\nfunc F() {}\n"}, nil, []string{"a.yaml"}, exitOK, "", nil},
		{"files the go command ignores", map[string]string{"a.yaml": a, "_old.go": "package p\n\nfunc FGrad() {}\n", ".x.go": "package p\n\nvar F = 1\n"}, nil, []string{"a.yaml"}, exitOK, "", nil},
		{"a function named C beside a cgo file",
			map[string]string{"a.yaml": strings.Replace(a, "name: F,", "name: C,", 1), "cg.go": "package p\n\n// int two(void) { return 2; }\nimport \"C\"\n\nvar Two = C.two()\n"}, nil,
			[]string{"a.yaml"}, exitOK, "", nil},
		{"the run's own output, replaced", map[string]string{"a.yaml": a}, []string{"a.yaml"}, []string{"a.yaml"}, exitOK, "", nil},
		{"hand-written names of the packages generated code imports",
			map[string]string{"a.yaml": a, "other.go": "package p\n\nfunc optimize() {}\n\nvar runtime, rand = 0, 0\n"}, nil,
			[]string{"-test", "a.yaml"}, exitOK, "",
			[]string{`ggoptimize "gonum.org/v1/gonum/optimize"`, `ggruntime "github.com/gradgen/gradgen/runtime"`, `ggrand "math/rand/v2"`}},
		{"a hand-written name of a package the -standalone helpers import",
			map[string]string{"a.yaml": a, "other.go": "package p\n\nvar fmt = 1\n"}, nil,
			[]string{"-standalone", "a.yaml"}, exitBad,
			"gradgen: output gradgen_runtime.go imports packages as fmt, which other.go of package p declares; rename them there or generate into another package\n", nil},
		{"a function named as another file's import",
			map[string]string{"a.yaml": sortFn, "other.go": "package p\n\nimport \"sort\"\n\nvar _ = sort.Ints\n"}, nil,
			[]string{"a.yaml"}, exitBad,
			"gradgen: output a_grad.go declares sort, which other.go of package p imports a package as; rename the function or generate into another package\n", nil},
		{"a function named as another file's import of a major version",
			map[string]string{"a.yaml": strings.Replace(sortFn, "sort", "lib", 1), "other_test.go": "package p\n\nimport \"example.com/lib/v3\"\n\nvar _ = lib.V\n"}, nil,
			[]string{"a.yaml"}, exitBad,
			"gradgen: output a_grad.go declares lib, which other_test.go of package p imports a package as; rename the function or generate into another package\n", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inTempDir(t, tt.files)
			if tt.before != nil {
				if r := gradgen(t, tt.before...); r.code != exitOK {
					t.Fatalf("run before: exit %d, %s", r.code, r.stderr)
				}
			}
			r := gradgen(t, tt.args...)
			if r.code != tt.code || r.stderr != tt.stderr {
				t.Errorf("exit %d, stderr %q; want %d, %q", r.code, r.stderr, tt.code, tt.stderr)
			}
			var specs []string
			for _, path := range []string{"a_grad.go", "a_grad_test.go"} {
				if src, err := os.ReadFile(path); err == nil {
					specs = append(specs, importSpecs(t, path, src)...)
				}
			}
			for _, want := range tt.imports {
				if !strings.Contains(strings.Join(specs, "\n"), want) {
					t.Errorf("no import %s among\n%s", want, strings.Join(specs, "\n"))
				}
			}
		})
	}
}

// importSpecs returns the import specs of src as written.
func importSpecs(t *testing.T, path string, src []byte) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var specs []string
	for _, im := range f.Imports {
		specs = append(specs, string(src[fset.Position(im.Pos()).Offset:fset.Position(im.End()).Offset]))
	}
	return specs
}

// TestImportName checks the names parseNames gives imports without one.
func TestImportName(t *testing.T) {
	for _, tt := range []struct{ spec, want string }{
		{`"fmt"`, "fmt"},
		{`"gonum.org/v1/gonum/blas/blas64"`, "blas64"},
		{`"math/rand/v2"`, "rand"},
		{`r "math/rand/v2"`, "r"},
		{`_ "embed"`, "_"},
		{`"gopkg.in/yaml.v3"`, ""},
		{`"github.com/a/go-b"`, ""},
		{`"v2"`, "v2"},
	} {
		f, err := parser.ParseFile(token.NewFileSet(), "x.go", "package p\nimport "+tt.spec+"\n", parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		if got := importName(f.Imports[0]); got != tt.want {
			t.Errorf("importName(%s) = %q, want %q", tt.spec, got, tt.want)
		}
	}
}
