package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradgen/gradgen/derive"
)

// edit rewrites one generated file, as an emission bug would.
type edit func(t *testing.T, src string) string

// insertStmt inserts stmt as the first statement of the top-level
// function fn.
func insertStmt(fn, stmt string) edit {
	return func(t *testing.T, src string) string {
		t.Helper()
		start := strings.Index(src, "\nfunc "+fn+"(")
		if start < 0 {
			t.Fatalf("no function %s in:\n%s", fn, src)
		}
		body := start + strings.Index(src[start:], "{\n") + 2
		return src[:body] + "\t" + stmt + "\n" + src[body:]
	}
}

// replaceOnce replaces the first old by new.
func replaceOnce(old, new string) edit {
	return func(t *testing.T, src string) string {
		t.Helper()
		if !strings.Contains(src, old) {
			t.Fatalf("no %q in:\n%s", old, src)
		}
		return strings.Replace(src, old, new, 1)
	}
}

// position returns file:line:col of the first at in src.
func position(t *testing.T, file, src, at string) string {
	t.Helper()
	k := strings.Index(src, at)
	if k < 0 {
		t.Fatalf("no %q in the edited %s", at, file)
	}
	line := strings.Count(src[:k], "\n") + 1
	col := k - strings.LastIndex(src[:k], "\n")
	return fmt.Sprintf("%s:%d:%d", file, line, col)
}

// mangle makes the command apply e to its output file before checking
// it, for the rest of the test; it returns the edited source, once the
// command has run.
func mangle(t *testing.T, file string, e edit) func() string {
	t.Helper()
	var edited string
	mangleOutput = func(path string, data []byte) []byte {
		if path != file {
			return data
		}
		edited = e(t, string(data))
		return []byte(edited)
	}
	t.Cleanup(func() { mangleOutput = nil })
	return func() string {
		if edited == "" {
			t.Fatalf("the command generated no %s", file)
		}
		return edited
	}
}

// TestCompileErrors forces emission bugs, each an edit of one generated
// file before the command checks it: each run must exit 3 with an
// internal error naming the spec function whose code does not compile and
// the position of the error, print nothing on stdout, and write nothing:
// an existing output stays byte for byte as it was, no temporary file.
func TestCompileErrors(t *testing.T) {
	both := map[string]string{"loss.yaml": testdata(t, "bilinear.yaml"), "quad.yaml": testdata(t, "quad.yaml")}
	fresh := map[string]string{"loss.yaml": testdata(t, "bilinear.yaml"), "loss_grad.go": existing}
	tests := []struct {
		name  string
		files map[string]string // beside loss_grad.go holding existing
		args  []string
		file  string // the output edited
		edit  edit
		at    string // the error's position: the first of this text in the edited file
		msg   string // the type checker's message
		owner string // the function the error is attributed to
	}{
		{
			name: "a variable declared and not used in a gradient",
			args: []string{"-o", "loss_grad.go", "loss.yaml", "quad.yaml"}, files: both,
			file: "loss_grad.go", edit: insertStmt("QuadGrad", "unused := 0"),
			at: "unused", msg: "declared and not used: unused", owner: "Quad",
		},
		{
			name: "a call to an undefined function in the value",
			args: []string{"-o", "loss_grad.go", "loss.yaml"}, files: fresh,
			file: "loss_grad.go", edit: replaceOnce("blas64.Dot(", "blas64.Dott("),
			at: "Dott", msg: "undefined: blas64.Dott", owner: "Bilinear",
		},
		{
			name: "an argument of the wrong type in the optimize adapter",
			args: []string{"-o", "loss_grad.go", "loss.yaml"}, files: fresh,
			file: "loss_grad.go", edit: replaceOnce("return Bilinear(a, X, b)", "return Bilinear(X, a, b)"),
			at: "X, a, b)", msg: "cannot use X (variable of type *mat.Dense) as *mat.VecDense value in argument to Bilinear", owner: "Bilinear",
		},
		{
			name: "an undefined type in a workspace",
			args: []string{"-o", "loss_grad.go", "loss.yaml", "quad.yaml"}, files: both,
			file: "loss_grad.go", edit: replaceOnce("type quadGradWork struct {\n", "type quadGradWork struct {\n\tscratch undefinedType\n"),
			at: "undefinedType", msg: "undefined: undefinedType", owner: "Quad",
		},
		{
			name: "an import not used",
			args: []string{"-o", "loss_grad.go", "loss.yaml"}, files: fresh,
			file: "loss_grad.go", edit: replaceOnce("import (\n", "import (\n\t\"fmt\"\n"),
			at: `"fmt"`, msg: `"fmt" imported and not used`, owner: "loss_grad.go",
		},
		{
			name: "an import of a package that does not exist",
			args: []string{"-o", "loss_grad.go", "loss.yaml"}, files: fresh,
			file: "loss_grad.go", edit: replaceOnce("import (\n", "import (\n\t_ \"gradgen.example/nowhere\"\n"),
			at:  `"gradgen.example/nowhere"`,
			msg: "could not import gradgen.example/nowhere (no required module provides package gradgen.example/nowhere)", owner: "loss_grad.go",
		},
		{
			// Against gradgen's own runtime, a failing version check is
			// gradgen's bug, not the module's.
			name: "the runtime version check",
			args: []string{"-o", "loss_grad.go", "loss.yaml"}, files: fresh,
			file: "loss_grad.go", edit: replaceOnce("runtime.SupportsVersion14", "runtime.SupportsVersion0"),
			at: "SupportsVersion0", msg: "undefined: runtime.SupportsVersion0", owner: "loss_grad.go",
		},
		{
			name: "a syntax error",
			args: []string{"-o", "loss_grad.go", "loss.yaml", "quad.yaml"}, files: both,
			file: "loss_grad.go", edit: insertStmt("Quad", "x := ) // a syntax error"),
			at: ") // a syntax error", msg: "expected operand, found ')'", owner: "Quad",
		},
		{
			name: "the -test file, in the second function's checks",
			args: []string{"-test", "-o", "loss_grad.go", "loss.yaml", "quad.yaml"}, files: both,
			file: "loss_grad_test.go", edit: replaceOnce(`{"Quad", func(t *testing.T, rng *rand.Rand) bool {`+"\n", `{"Quad", func(t *testing.T, rng *rand.Rand) bool {`+"\n\t\tunused := 0\n"),
			at: "unused", msg: "declared and not used: unused", owner: "Quad",
		},
		{
			name: "-standalone: a copied runtime helper",
			args: []string{"-standalone", "-pkg", "loss", "-o", "loss_grad.go", "quad.yaml"}, files: both,
			file: "gradgen_runtime.go", edit: replaceOnce("func gradgenDims(r, c int) string {\n", "func gradgenDims(r, c int) string {\n\tunused := 0\n"),
			at: "unused", msg: "declared and not used: unused", owner: "the runtime helper gradgenDims",
		},
		{
			name: "-check: a regenerated output that does not compile is not compared",
			args: []string{"-check", "-o", "loss_grad.go", "loss.yaml"}, files: fresh,
			file: "loss_grad.go", edit: insertStmt("Bilinear", "unused := 0"),
			at: "unused", msg: "declared and not used: unused", owner: "Bilinear",
		},
		{
			name: "the second of two outputs: the first is not written either",
			args: []string{"loss.yaml", "sub/quad.yaml"},
			files: map[string]string{
				"loss.yaml": testdata(t, "bilinear.yaml"), "sub/quad.yaml": testdata(t, "quad.yaml"), "sub/quad_grad.go": existing,
			},
			file: filepath.Join("sub", "quad_grad.go"), edit: insertStmt("QuadGrad", "unused := 0"),
			at: "unused", msg: "declared and not used: unused", owner: "Quad",
		},
		{
			// go list fails there (the module requires no gonum); the
			// imports resolve in gradgen's own module.
			name: "in a module that does not require gonum",
			args: []string{"-o", "loss_grad.go", "loss.yaml"},
			files: map[string]string{
				"go.mod": "module example.com/m\n\ngo 1.22\n", "loss.yaml": testdata(t, "bilinear.yaml"), "loss_grad.go": existing,
			},
			file: "loss_grad.go", edit: insertStmt("BilinearGrad", "unused := 0"),
			at: "unused", msg: "declared and not used: unused", owner: "Bilinear",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"loss_grad.go": existing}
			for name, data := range tt.files {
				files[name] = data
			}
			dir := inTempDir(t, files)
			before := snapshot(t, dir)
			edited := mangle(t, tt.file, tt.edit)

			r := gradgen(t, tt.args...)

			if r.code != exitInternal {
				t.Errorf("exit code %d, want %d; stderr:\n%s", r.code, exitInternal, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout:\n%s", r.stdout)
			}
			want := fmt.Sprintf("gradgen: internal error: generated code for %s does not compile: %s: %s, please report it with the spec\n",
				tt.owner, position(t, tt.file, edited(), tt.at), tt.msg)
			if r.stderr != want {
				t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, want)
			}
			sameTree(t, dir, before)
		})
	}
}

// TestUncheckedOutput checks the one case where the output is written
// unchecked: its imports resolve neither in the output directory (outside
// any module here) nor in gradgen's module (absent here). The command
// says so and writes the output.
func TestUncheckedOutput(t *testing.T) {
	own := ownModule
	ownModule = ""
	t.Cleanup(func() { ownModule = own })
	dir := inTempDir(t, map[string]string{"loss.yaml": testdata(t, "bilinear.yaml")})
	r := gradgen(t, "-o", "loss_grad.go", "loss.yaml")
	want := "gradgen: warning: loss_grad.go not type-checked: cannot load its imports in " + dir +
		": it is outside any module; gradgen's own module is not on this machine\n"
	if r.code != exitOK || r.stderr != want {
		t.Errorf("exit code %d, stderr:\n%s\nwant exit code 0 and:\n%s", r.code, r.stderr, want)
	}
	checkGenerated(t, readFile(t, "loss_grad.go"), "loss")
}

// moduleTestRoot skips a test that runs the go command in new modules
// under -short or without a go command, and returns the repository's root.
func moduleTestRoot(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("loads packages in a new module with the go command")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestModuleImports checks that the imports resolve in the output
// directory's module, with the versions it requires: a module whose
// github.com/gradgen/gradgen is replaced by one with an incompatible
// runtime package gets exit 2 and a message saying so, and nothing
// written: its generated code would not build there. (TestEndToEnd checks
// that a module requiring the real gradgen resolves the imports itself.)
func TestModuleImports(t *testing.T) {
	root := moduleTestRoot(t)
	dir := inTempDir(t, map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.26\n\n" +
			"require (\n\tgithub.com/gradgen/gradgen v0.0.0\n\tgonum.org/v1/gonum v0.17.0\n)\n\n" +
			"replace github.com/gradgen/gradgen => ./old\n",
		"go.sum":            readFile(t, filepath.Join(root, "go.sum")),
		"old/go.mod":        "module github.com/gradgen/gradgen\n\ngo 1.26\n\nrequire gonum.org/v1/gonum v0.17.0\n",
		"old/runtime/rt.go": "// Package runtime is an old runtime.\npackage runtime\n\n// SupportsVersion0 is an older version.\nconst SupportsVersion0 = true\n",
		"loss.yaml":         testdata(t, "bilinear.yaml"),
		"loss_grad.go":      existing,
	})
	before := snapshot(t, dir)
	generated := mangle(t, "loss_grad.go", func(_ *testing.T, src string) string { return src })
	r := gradgen(t, "-o", "loss_grad.go", "loss.yaml")
	want := "gradgen: " + position(t, "loss_grad.go", generated(), "SupportsVersion14") + ": undefined: runtime.SupportsVersion14: " +
		"loss_grad.go builds with an incompatible github.com/gradgen/gradgen; run the gradgen of the version its module requires\n"
	if r.code != exitBad || r.stderr != want {
		t.Errorf("exit code %d, stderr:\n%s\nwant exit code 2 and:\n%s", r.code, r.stderr, want)
	}
	sameTree(t, dir, before)
}

// TestPrefetchedImports checks the load prefetch starts before
// generating: in a module it loads the imports of the file an output
// replaces, there (not of a file gradgen did not generate; close waits for
// it), and the type check uses it only when it covers the new
// output's imports. An earlier output that imports less than the new one
// (no optimize) or something the module cannot resolve still gives a
// checked, written output (in a new module whose go.mod go list finds
// wanting, where the check falls back to gradgen's module).
func TestPrefetchedImports(t *testing.T) {
	root := moduleTestRoot(t)
	module := map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.26\n\n" +
			"require (\n\tgithub.com/gradgen/gradgen v0.0.0\n\tgonum.org/v1/gonum v0.17.0\n)\n\n" +
			"replace github.com/gradgen/gradgen => " + root + "\n",
		"go.sum":    readFile(t, filepath.Join(root, "go.sum")),
		"loss.yaml": testdata(t, "bilinear.yaml"),
	}
	inTempDir(t, module)
	if r := gradgen(t, "-o", "loss_grad.go", "loss.yaml"); r.code != exitOK || r.stderr != "" {
		t.Fatalf("first run: exit code %d, stderr:\n%s", r.code, r.stderr)
	}
	generated := readFile(t, "loss_grad.go")

	// In a module whose requirements resolve (gradgen's own), a rerun
	// prefetches the earlier output's imports there, and they cover the
	// new one's.
	checkedIn := filepath.Join(root, "generated_test", "models_grad.go")
	outs := []*output{{path: checkedIn}}
	loads := newPrefetch()
	defer loads.close()
	loads.start(outs)
	if outs[0].imports == nil {
		t.Fatal("no load started for an output that replaces a generated file")
	}
	<-outs[0].imports.done
	if want := importPaths([]byte(readFile(t, checkedIn))); len(want) < 3 || !outs[0].imports.set.covers(want) {
		t.Fatalf("the prefetched load does not cover %v: %+v", want, outs[0].imports.set)
	}

	// An output not yet written prefetches every package it and its
	// -test file may import, which covers what they will import; the
	// -test file (no functions of its own) shares its folder's load.
	test := &output{path: filepath.Join(root, "generated_test", "higher", "not_yet_grad_test.go")}
	fresh := []*output{{path: filepath.Join(root, "generated_test", "higher", "not_yet_grad.go"), funcs: []*derive.Function{nil}, test: test}, test}
	loads.start(fresh)
	if fresh[0].imports == nil {
		t.Fatal("no load started for an output not yet written")
	}
	<-fresh[0].imports.done
	higher := filepath.Join(root, "generated_test", "higher")
	want := union(importPaths([]byte(readFile(t, filepath.Join(higher, "higher_grad.go")))), importPaths([]byte(readFile(t, filepath.Join(higher, "higher_grad_test.go")))))
	if !slices.Contains(want, "testing") || !fresh[0].imports.set.covers(want) {
		t.Fatalf("the load for a first generation does not cover %v: %+v", want, fresh[0].imports.set)
	}
	if test.imports != fresh[0].imports {
		t.Error("a -test file beside an output has a load of its own")
	}
	// Under -standalone a first generation prefetches nothing: its
	// helpers file imports what the runtime's source does.
	standalone := []*output{{path: filepath.Join(root, "generated_test", "not_yet_grad.go"), funcs: []*derive.Function{nil}, helpers: &output{}}}
	loads.start(standalone)
	if standalone[0].imports != nil {
		t.Error("a load started for a first -standalone generation")
	}

	// close waits for a load it cancels: no go list outlives the run.
	stopped := newPrefetch()
	outs = []*output{{path: checkedIn}}
	stopped.start(outs)
	stopped.close()
	select {
	case <-outs[0].imports.done:
	default:
		t.Fatal("close returned while its load was running")
	}

	// A file gradgen did not generate (replaced under -force) is not
	// read for imports.
	writeFile(t, "hand.go", "package loss\n\nimport \"math\"\n\nvar _ = math.Pi\n")
	outs = []*output{{path: "hand.go"}}
	loads.start(outs)
	if outs[0].imports != nil {
		t.Fatal("a load started for the imports of a hand-written file")
	}

	for name, old := range map[string]string{
		"fewer imports":                   strings.Replace(generated, "\t\"gonum.org/v1/gonum/optimize\"\n", "", 1),
		"an import that does not resolve": strings.Replace(generated, "import (\n", "import (\n\t_ \"example.com/m/nowhere\"\n", 1),
	} {
		t.Run(name, func(t *testing.T) {
			if old == generated {
				t.Fatal("the edit did not apply")
			}
			inTempDir(t, module)
			writeFile(t, "loss_grad.go", old)
			r := gradgen(t, "-o", "loss_grad.go", "loss.yaml")
			if r.code != exitOK || r.stderr != "" || readFile(t, "loss_grad.go") != generated {
				t.Errorf("exit code %d, stderr:\n%s\nwant exit code 0, no message and the output written", r.code, r.stderr)
			}
		})
	}
}
