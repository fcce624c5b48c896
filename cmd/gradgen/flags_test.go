package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestExplain checks -explain prints each derivation in the chosen
// notation, writes nothing, and refuses an unknown -format.
func TestExplain(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want []string // substrings of stdout
	}{
		{"unicode", []string{"-explain", "bilinear.yaml"}, 0,
			[]string{"df = aᵀ dX b", "= tr(b aᵀ dX)", "∂f/∂X = a bᵀ"}},
		{"latex", []string{"-explain", "-format=latex", "bilinear.yaml"}, 0,
			[]string{`\begin{aligned}`, `\mathrm{d}f &= a^\top \mathrm{d}X b`, `\frac{\partial f}{\partial X} &= a b^\top`, "$$"}},
		{"plain", []string{"-explain", "-format=plain", "bilinear.yaml"}, 0,
			[]string{"df = a' dX b", "df/dX = a b'"}},
		{"quadratic trace", []string{"-explain", "quad.yaml"}, 0, []string{"gradient with respect to"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inTempDir(t, map[string]string{"bilinear.yaml": testdata(t, "bilinear.yaml"), "quad.yaml": testdata(t, "quad.yaml")})
			r := gradgen(t, tt.args...)
			if r.code != tt.code || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			entries, _ := os.ReadDir(".")
			if len(entries) != 2 {
				t.Errorf("-explain wrote files: %v", entries)
			}
		})
	}
	t.Run("bad format", func(t *testing.T) {
		inTempDir(t, map[string]string{"bilinear.yaml": testdata(t, "bilinear.yaml")})
		r := gradgen(t, "-explain", "-format=html", "bilinear.yaml")
		if r.code != exitBad || !strings.Contains(r.stderr, `-format "html": want unicode, latex or plain`) {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
}

// TestPlan checks -plan prints every generated function's plan at each
// stage, the checked plan last, and writes nothing.
func TestPlan(t *testing.T) {
	inTempDir(t, map[string]string{"quad.yaml": testdata(t, "quad.yaml")})
	r := gradgen(t, "-plan", "quad.yaml")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, w := range []string{
		"== QuadGrad: lowered\n",
		"== QuadGrad: after DropDeadStores",
		"== QuadGrad: after Fuse",
		"== QuadGrad: with the checks and the workspace, after DropUnread: the plan checked and printed\n",
		"gemv    runtime.Gemv(blas.NoTrans, 1, APlusAT, xRaw, 0, dxRaw)   ; APlusAT (n×n) times xRaw (vector(n)) into dxRaw (vector(n)); writes dxRaw\n",
	} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "== QuadProblem") {
		t.Errorf("the optimize adapter, written whole, has no plan:\n%s", r.stdout)
	}
	if entries, _ := os.ReadDir("."); len(entries) != 1 {
		t.Errorf("-plan wrote files: %v", entries)
	}
}

// TestTestFlag checks -test writes the output's _test.go beside it, in the
// same package, and that -check reports it when missing or stale.
func TestTestFlag(t *testing.T) {
	inTempDir(t, map[string]string{"bilinear.yaml": testdata(t, "bilinear.yaml")})
	if r := gradgen(t, "-test", "-pkg", "loss", "-o", "loss_grad.go", "bilinear.yaml"); r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	src, err := os.ReadFile("loss_grad_test.go")
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "loss_grad_test.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	if !ast.IsGenerated(f) || f.Name.Name != "loss" {
		t.Errorf("test file: generated %v, package %s", ast.IsGenerated(f), f.Name.Name)
	}
	if !strings.Contains(string(src), "func TestGradgenLossGrad(t *testing.T)") {
		t.Errorf("test file lacks TestGradgenLossGrad:\n%s", src)
	}
	if r := gradgen(t, "-check", "-test", "-pkg", "loss", "-o", "loss_grad.go", "bilinear.yaml"); r.code != exitOK {
		t.Errorf("-check after -test: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	if err := os.Remove("loss_grad_test.go"); err != nil {
		t.Fatal(err)
	}
	r := gradgen(t, "-check", "-test", "-pkg", "loss", "-o", "loss_grad.go", "bilinear.yaml")
	if r.code != exitStale || !strings.Contains(r.stdout, "loss_grad_test.go: missing") {
		t.Errorf("-check with the test file missing: exit %d, stdout %q", r.code, r.stdout)
	}
}

// TestStandaloneModule writes -standalone output, with its -test file, into
// a fresh module that requires only gonum, then a second -standalone output
// into the same package (both share gradgen_runtime.go), checks both with
// -check, and vets, builds and tests the package there.
func TestStandaloneModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a module with the go command")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	goSum := readFile(t, filepath.Join(root, "go.sum"))
	spec := `functions:
  - name: Fit
    inputs:
      S: spd(n)
      C: spd(n)
      X: matrix(m, n)
      w: vector(n)
      y: vector(m)
    expr: logdet(S) + tr(inv(S) * C) + sum(softplus(-y .* (X * w))) + norm2(w) ^ 2
    wrt: [S, w]
  - name: Warp
    inputs:
      A: matrix(m, n)
      X: matrix(n, n)
      t: scalar
    expr: A * inv(X) * t^2 + A * exp(X)
    wrt: [X, t]
  - name: LogReg
    inputs: {X: "matrix(m, n)", y: vector(m), w: vector(n)}
    expr: sum(softplus(-y .* (X * w)))
    wrt: [w]
    hessian: true
  - name: Quad
    inputs: {A: "matrix(n, n)", W: "matrix(n, k)"}
    expr: tr(W' * A * W)
    wrt: [W]
`
	dir := inTempDir(t, map[string]string{
		"go.mod":   "module example.com/vendored\n\ngo 1.26\n\nrequire gonum.org/v1/gonum v0.17.0\n",
		"go.sum":   goSum,
		"fit.yaml": spec,
	})
	if r := gradgen(t, "-standalone", "-test", "-pkg", "fit", "-o", "fit_grad.go", "fit.yaml"); r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if out := readFile(t, "fit_grad.go"); strings.Contains(out, `"github.com/gradgen/gradgen/runtime"`) {
		t.Fatalf("standalone output imports the runtime:\n%s", out)
	}
	// A second -standalone output of the package, generated by another run
	// as a second //go:generate line would: it shares gradgen_runtime.go.
	if err := os.WriteFile("soft.yaml", []byte("functions:\n  - {name: Soft, inputs: {X: \"matrix(m, n)\", w: vector(n)}, expr: \"sum(softplus(X * w)) + logdet(X' * X)\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := gradgen(t, "-standalone", "-pkg", "fit", "soft.yaml"); r.code != exitOK {
		t.Fatalf("second standalone output: exit %d: %s", r.code, r.stderr)
	}
	for _, args := range [][]string{
		{"-check", "-standalone", "-test", "-pkg", "fit", "-o", "fit_grad.go", "fit.yaml"},
		{"-check", "-standalone", "-pkg", "fit", "soft.yaml"},
	} {
		if r := gradgen(t, args...); r.code != exitOK {
			t.Errorf("gradgen %s: exit %d: %s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
	goCmd := func(args ...string) string { return goIn(t, goTool, dir, args...) }
	goCmd("mod", "tidy")
	if mod := readFile(t, "go.mod"); strings.Contains(mod, "gradgen") {
		t.Errorf("go.mod requires gradgen after go mod tidy:\n%s", mod)
	}
	goCmd("vet", "./...")
	if out := goCmd("test", "-count=1", "-v", "./..."); !strings.Contains(out, "--- PASS: TestGradgenFitGrad") {
		t.Errorf("the generated test did not run:\n%s", out)
	}
}

// TestStandaloneHelpersFile checks which gradgen_runtime.go each output of
// a -standalone run shares: one per folder of outputs, none for -test files.
func TestStandaloneHelpersFile(t *testing.T) {
	tests := []struct {
		name    string
		outputs []string // code outputs; a "_test.go" one is a -test file
		want    []string // each output's helpers file, "" for none
		files   int      // helpers files added
	}{
		{"one output", []string{"a_grad.go"}, []string{"gradgen_runtime.go"}, 1},
		{"two outputs of one folder share one", []string{"a_grad.go", "b_grad.go"}, []string{"gradgen_runtime.go", "gradgen_runtime.go"}, 1},
		{"the same folder spelled two ways", []string{"a_grad.go", "./sub/../b_grad.go"}, []string{"gradgen_runtime.go", "gradgen_runtime.go"}, 1},
		{"two folders, one each", []string{"x/a_grad.go", "y/b_grad.go", "x/c_grad.go"}, []string{"x/gradgen_runtime.go", "y/gradgen_runtime.go", "x/gradgen_runtime.go"}, 2},
		{"a -test file has none", []string{"a_grad.go", "a_grad_test.go"}, []string{"gradgen_runtime.go", ""}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var outs []*output
			for _, p := range tt.outputs {
				o := &output{path: p}
				if !strings.HasSuffix(p, "_test.go") {
					o.specs = []*loaded{{path: "s.yaml"}}
				}
				outs = append(outs, o)
			}
			all := withStandaloneHelpers(outs)
			if got := len(all) - len(outs); got != tt.files {
				t.Errorf("%d helpers files added, want %d", got, tt.files)
			}
			for i, o := range outs {
				got := ""
				if o.helpers != nil {
					got = filepath.ToSlash(o.helpers.path)
				}
				if got != tt.want[i] {
					t.Errorf("%s: helpers file %q, want %q", o.path, got, tt.want[i])
				}
			}
		})
	}
}

// TestStandaloneHelpersSafety checks that gradgen_runtime.go follows the
// rules of every output: a hand-written file of that name is not replaced
// without -force, nothing is written then, and -check reports a missing or
// stale one.
func TestStandaloneHelpersSafety(t *testing.T) {
	spec := "functions:\n  - {name: F, inputs: {x: vector(n)}, expr: \"sum(softplus(x))\"}\n"
	handWritten := "package p\n\nfunc helper() {}\n"
	inTempDir(t, map[string]string{"s.yaml": spec, "gradgen_runtime.go": handWritten})
	r := gradgen(t, "-standalone", "-pkg", "p", "s.yaml")
	if r.code != exitBad || !strings.Contains(r.stderr, "output gradgen_runtime.go exists and was not generated") {
		t.Errorf("over a hand-written gradgen_runtime.go: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat("s_grad.go"); err == nil {
		t.Errorf("s_grad.go written although the run failed")
	}
	if readFile(t, "gradgen_runtime.go") != handWritten {
		t.Errorf("the hand-written gradgen_runtime.go was changed")
	}
	if err := os.Remove("gradgen_runtime.go"); err != nil {
		t.Fatal(err)
	}
	if r := gradgen(t, "-standalone", "-pkg", "p", "s.yaml"); r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	writeFile(t, "gradgen_runtime.go", readFile(t, "gradgen_runtime.go")+"\n// edited\n")
	if r := gradgen(t, "-check", "-standalone", "-pkg", "p", "s.yaml"); r.code != exitStale || !strings.Contains(r.stdout, "--- gradgen_runtime.go (checked in)\n+++ gradgen_runtime.go (gradgen output)\n") || !strings.Contains(r.stdout, "-// edited\n") {
		t.Errorf("-check with an edited gradgen_runtime.go: exit %d, stdout %q", r.code, r.stdout)
	}
	if err := os.Remove("gradgen_runtime.go"); err != nil {
		t.Fatal(err)
	}
	if r := gradgen(t, "-check", "-standalone", "-pkg", "p", "s.yaml"); r.code != exitStale || !strings.Contains(r.stdout, "gradgen_runtime.go: missing") {
		t.Errorf("-check without gradgen_runtime.go: exit %d, stdout %q", r.code, r.stdout)
	}
}
