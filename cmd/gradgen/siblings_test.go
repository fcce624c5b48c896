package main

import "testing"

// TestSiblingDeclarations checks that an output declaring a name another
// Go file of its package declares is refused, naming both (its package
// would not compile), and that files of other packages, constrained files
// and this run's own outputs do not count.
func TestSiblingDeclarations(t *testing.T) {
	const a = "package: p\nfunctions:\n  - {name: F, inputs: {x: vector(n)}, expr: \"sum(x .* x)\"}\n"
	for _, tt := range []struct {
		name   string
		files  map[string]string
		before []string // a run before the one checked
		args   []string
		code   int
		stderr string
	}{
		{"a hand-written function of the same name",
			map[string]string{"a.yaml": a, "other.go": "package p\n\nfunc FGrad() {}\n"}, nil,
			[]string{"a.yaml"}, exitBad,
			"gradgen: output a_grad.go declares FGrad, which other.go of package p declares too; rename the function or generate into another package\n"},
		{"another spec's output declaring the same function",
			map[string]string{"a.yaml": a, "b.yaml": "package: p\nfunctions:\n  - {name: FGrad, inputs: {x: vector(n)}, expr: \"sum(x)\"}\n"},
			[]string{"a.yaml"}, []string{"b.yaml"}, exitBad,
			"gradgen: output b_grad.go declares FGrad, which a_grad.go of package p declares too; rename the function or generate into another package\n"},
		{"a variable",
			map[string]string{"a.yaml": a, "other.go": "package p\n\nvar FProblem, FUnpack = 1, 2\n"}, nil,
			[]string{"a.yaml"}, exitBad,
			"gradgen: output a_grad.go declares FProblem, FUnpack, which other.go of package p declares too; rename the function or generate into another package\n"},
		{"an in-package test file",
			map[string]string{"a.yaml": a, "x_test.go": "package p\n\nvar F = 1\n"}, nil,
			[]string{"a.yaml"}, exitBad,
			"gradgen: output a_grad.go declares F, which x_test.go of package p declares too; rename the function or generate into another package\n"},
		{"an external test package", map[string]string{"a.yaml": a, "x_test.go": "package p_test\n\nvar F = 1\n"}, nil, []string{"a.yaml"}, exitOK, ""},
		{"a constrained file", map[string]string{"a.yaml": a, "gen.go": "//go:build ignore\n\npackage p\n\nfunc F() {}\n"}, nil, []string{"a.yaml"}, exitOK, ""},
		{"the run's own output, replaced", map[string]string{"a.yaml": a}, []string{"a.yaml"}, []string{"a.yaml"}, exitOK, ""},
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
		})
	}
}
