package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gradgen/gradgen/derive"
)

// entry is one file of a tree as a run may change it: its type and
// permission bits, and its contents (a symbolic link's target; "" for a
// folder).
type entry struct {
	mode fs.FileMode
	data string
}

// tree returns every file under dir, relative path → entry, without
// following symbolic links.
func tree(t *testing.T, dir string) map[string]entry {
	t.Helper()
	files := map[string]entry{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		e := entry{mode: info.Mode()}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			e.data, err = os.Readlink(path)
		case info.Mode().IsRegular():
			var data []byte
			data, err = os.ReadFile(path)
			e.data = string(data)
		}
		files[rel] = e
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// hand is a hand-written Go file: no generated-code line.
const hand = "// Package loss is written by hand.\npackage loss\n"

// TestOutputFiles runs the command where its outputs are unusual: one of
// them is a spec, a link, a folder, a hand-written or read-only file, in
// a missing folder, or a write fails half-way. A refused run exits 2 with
// the message and leaves every file exactly as it was (bytes, mode, links)
// and no temporary; a run that succeeds changes exactly the files it
// names, through links, keeping their mode.
func TestOutputFiles(t *testing.T) {
	spec := testdata(t, "bilinear.yaml") // package loss
	tests := []struct {
		name  string
		files map[string]string // written with mode 0644
		setup func(t *testing.T)
		args  []string
		code  int
		// stderr is the exact stderr; "" for none.
		stderr string
		// written maps each file a successful run writes to its mode
		// afterwards; every other file must be as it was.
		written map[string]fs.FileMode
	}{
		{
			name:   "the output is the spec",
			files:  map[string]string{"s.yaml": spec},
			args:   []string{"-o", "s.yaml", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output s.yaml is the spec s.yaml; choose another output name\n",
		},
		{
			name:   "the output is the spec, under -check",
			files:  map[string]string{"s.yaml": spec},
			args:   []string{"-check", "-o", "./s.yaml", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output ./s.yaml is the spec s.yaml; choose another output name\n",
		},
		{
			name:   "the output is a hard link to the spec",
			files:  map[string]string{"s.yaml": spec},
			setup:  func(t *testing.T) { must(t, os.Link("s.yaml", "h.go")) },
			args:   []string{"-o", "h.go", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output h.go is the spec s.yaml (through a link); choose another output name\n",
		},
		{
			name:   "the default output is a symbolic link to the spec",
			files:  map[string]string{"s.yaml": spec},
			setup:  func(t *testing.T) { must(t, os.Symlink("s.yaml", "s_grad.go")) },
			args:   []string{"s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output s_grad.go is the spec s.yaml (through a link); choose another output name\n",
		},
		{
			name:   "the -test file is the spec",
			files:  map[string]string{"s_test.go": spec},
			args:   []string{"-test", "-o", "s.go", "s_test.go"},
			code:   exitBad,
			stderr: "gradgen: output s_test.go is the spec s_test.go; choose another output name\n",
		},
		{
			name:  "two outputs are one file through a linked folder",
			files: map[string]string{"a/s.yaml": spec, "a/s.yml": spec},
			setup: func(t *testing.T) {
				must(t, os.Symlink("a", "b"))
			},
			args:   []string{"a/s.yaml", "b/s.yml"},
			code:   exitBad,
			stderr: "gradgen: outputs a/s_grad.go and b/s_grad.go are the same file (through a link)\n",
		},
		{
			name:  "one spec twice through a linked folder",
			files: map[string]string{"a/s.yaml": spec},
			setup: func(t *testing.T) {
				must(t, os.Symlink("a", "b"))
			},
			args:   []string{"a/s.yaml", "b/s.yaml"},
			code:   exitBad,
			stderr: "gradgen: spec b/s.yaml is given twice (also as a/s.yaml); name each spec once\n",
		},
		{
			name:   "two new outputs are one file, named relative and absolute",
			files:  map[string]string{"s.yaml": spec, "s.yml": spec},
			args:   []string{"s.yaml", "$DIR/s.yml"},
			code:   exitBad,
			stderr: "gradgen: outputs s_grad.go and $DIR/s_grad.go are the same file\n",
		},
		{
			name:   "the output is a folder, under -check",
			files:  map[string]string{"s.yaml": spec, "s_grad.go/keep": "x"},
			args:   []string{"-check", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output s_grad.go is a folder\n",
		},
		{
			name:   "the -test file is a folder: the output is not replaced",
			files:  map[string]string{"s.yaml": spec, "s_grad.go": existing, "s_grad_test.go/keep": "x"},
			args:   []string{"-test", "-o", "s_grad.go", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output s_grad_test.go is a folder\n",
		},
		{
			name:   "the output is a folder",
			files:  map[string]string{"s.yaml": spec, "out.go/keep": "x"},
			args:   []string{"-o", "out.go", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output out.go is a folder\n",
		},
		{
			name:   "the output folder is missing",
			files:  map[string]string{"s.yaml": spec},
			args:   []string{"-o", "nodir/s_grad.go", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output folder nodir does not exist\n",
		},
		{
			name:   "the output folder is a file",
			files:  map[string]string{"s.yaml": spec, "file": "x"},
			args:   []string{"-o", "file/s_grad.go", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output folder file is not a folder\n",
		},
		{
			name:   "the output links into a missing folder",
			files:  map[string]string{"s.yaml": spec},
			setup:  func(t *testing.T) { must(t, os.Symlink("nodir/t_grad.go", "s_grad.go")) },
			args:   []string{"s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output folder nodir does not exist\n",
		},
		{
			name:   "a hand-written output",
			files:  map[string]string{"s.yaml": spec, "s_grad.go": hand},
			args:   []string{"s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output s_grad.go exists and was not generated (no \"// Code generated … DO NOT EDIT.\" line before its package clause); use -force to overwrite it\n",
		},
		{
			name:   "a hand-written file after the generated-code line is not generated",
			files:  map[string]string{"s.yaml": spec, "s_grad.go": hand + "// Code generated by gradgen. DO NOT EDIT.\n"},
			args:   []string{"s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output s_grad.go exists and was not generated (no \"// Code generated … DO NOT EDIT.\" line before its package clause); use -force to overwrite it\n",
		},
		{
			name:   "a Go file whose generated-code line follows a package clause after a comment",
			files:  map[string]string{"s.yaml": spec, "o.go": "/* x */ package p\n\nfunc X() {}\n// Code generated by x. DO NOT EDIT.\n"},
			args:   []string{"-o", "o.go", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output o.go exists and was not generated (no \"// Code generated … DO NOT EDIT.\" line before its package clause); use -force to overwrite it\n",
		},
		{
			name:   "a Go file with a byte order mark and the generated-code line after its package clause",
			files:  map[string]string{"s.yaml": spec, "o.go": "\uFEFFpackage p\n// Code generated by x. DO NOT EDIT.\n"},
			args:   []string{"-o", "o.go", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output o.go exists and was not generated (no \"// Code generated … DO NOT EDIT.\" line before its package clause); use -force to overwrite it\n",
		},
		{
			name:   "a file that is not Go, with a generated-code line",
			files:  map[string]string{"s.yaml": spec, "notes.md": "# Notes\n// Code generated by gradgen. DO NOT EDIT.\nmore\n"},
			args:   []string{"-o", "notes.md", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output notes.md exists and is not Go source (it does not parse as a Go file up to its package clause); use -force to overwrite it\n",
		},
		{
			name:    "a generated Go file with a byte order mark and line comments before its header is replaced",
			files:   map[string]string{"s.yaml": spec, "s_grad.go": "\uFEFF// Copyright.\r\n\r\n// Code generated by gradgen. DO NOT EDIT.\r\n\r\npackage loss\r\n"},
			args:    []string{"s.yaml"},
			code:    exitOK,
			written: map[string]fs.FileMode{"s_grad.go": 0o644},
		},
		{
			name:   "a hand-written -test file: the output is not replaced",
			files:  map[string]string{"s.yaml": spec, "s_grad.go": existing, "s_grad_test.go": hand},
			args:   []string{"-test", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output s_grad_test.go exists and was not generated (no \"// Code generated … DO NOT EDIT.\" line before its package clause); use -force to overwrite it\n",
		},
		{
			name:   "a hand-written output of the second spec: the first's is not written",
			files:  map[string]string{"a.yaml": spec, "b.yaml": testdata(t, "quad.yaml"), "b_grad.go": hand},
			args:   []string{"-pkg", "loss", "a.yaml", "b.yaml"},
			code:   exitBad,
			stderr: "gradgen: output b_grad.go exists and was not generated (no \"// Code generated … DO NOT EDIT.\" line before its package clause); use -force to overwrite it\n",
		},
		{
			name:   "another generator's output is not replaced",
			files:  map[string]string{"s.yaml": spec, "color_string.go": "// Code generated by \"stringer -type=Color\"; DO NOT EDIT.\n\npackage loss\n"},
			args:   []string{"-o", "color_string.go", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output color_string.go exists and was generated by another tool (its \"// Code generated … DO NOT EDIT.\" line is not gradgen's); use -force to overwrite it\n",
		},
		{
			name:   "a generator whose name starts with gradgen's is another tool",
			files:  map[string]string{"s.yaml": spec, "o.go": "// Code generated by gradgen-fork v1. DO NOT EDIT.\n\npackage loss\n"},
			args:   []string{"-o", "o.go", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: output o.go exists and was generated by another tool (its \"// Code generated … DO NOT EDIT.\" line is not gradgen's); use -force to overwrite it\n",
		},
		{
			name:    "after --, a spec may be named like a flag",
			files:   map[string]string{"-o": spec},
			args:    []string{"-o", "o.go", "--", "-o"},
			code:    exitOK,
			written: map[string]fs.FileMode{"o.go": 0o644},
		},
		{
			name:   "a flag after the spec",
			files:  map[string]string{"s.yaml": spec},
			args:   []string{"s.yaml", "-o", "o.go"},
			code:   exitBad,
			stderr: "gradgen: flag -o after the spec s.yaml: flags go before the spec files\n",
		},
		{
			name:    "-force overwrites a hand-written output",
			files:   map[string]string{"s.yaml": spec, "s_grad.go": hand},
			args:    []string{"-force", "s.yaml"},
			code:    exitOK,
			written: map[string]fs.FileMode{"s_grad.go": 0o644},
		},
		{
			name:    "an empty output is replaced",
			files:   map[string]string{"s.yaml": spec, "s_grad.go": ""},
			args:    []string{"s.yaml"},
			code:    exitOK,
			written: map[string]fs.FileMode{"s_grad.go": 0o644},
		},
		{
			name:  "a symbolic link is written through, its target keeping its mode",
			files: map[string]string{"s.yaml": spec, "real/t_grad.go": existing},
			setup: func(t *testing.T) {
				must(t, os.Chmod("real/t_grad.go", 0o600))
				must(t, os.Symlink("real/t_grad.go", "s_grad.go"))
			},
			args:    []string{"s.yaml"},
			code:    exitOK,
			written: map[string]fs.FileMode{"real/t_grad.go": 0o600},
		},
		{
			name:    "a link to the previous output, of another package, does not decide the package",
			files:   map[string]string{"out/x.yaml": spec, "old/t.go": "// Code generated by gradgen. DO NOT EDIT.\n\npackage old\n"},
			setup:   func(t *testing.T) { must(t, os.Symlink("../old/t.go", "out/x_grad.go")) },
			args:    []string{"out/x.yaml"},
			code:    exitOK,
			written: map[string]fs.FileMode{"old/t.go": 0o644},
		},
		{
			name:  "a chain of links into a linked folder",
			files: map[string]string{"s.yaml": spec, "real/t_grad.go": existing},
			setup: func(t *testing.T) {
				must(t, os.Symlink("real", "alias"))
				must(t, os.Symlink("../alias/t_grad.go", "real/u_grad.go"))
				must(t, os.Symlink("alias/u_grad.go", "s_grad.go"))
			},
			args:    []string{"s.yaml"},
			code:    exitOK,
			written: map[string]fs.FileMode{"real/t_grad.go": 0o644},
		},
		{
			name:    "a dangling link gets its target",
			files:   map[string]string{"s.yaml": spec, "real/keep": ""},
			setup:   func(t *testing.T) { must(t, os.Symlink("real/t_grad.go", "s_grad.go")) },
			args:    []string{"s.yaml"},
			code:    exitOK,
			written: map[string]fs.FileMode{"real/t_grad.go": 0o644},
		},
		{
			name:    "a read-only output stays read-only",
			files:   map[string]string{"s.yaml": spec, "s_grad.go": existing},
			setup:   func(t *testing.T) { must(t, os.Chmod("s_grad.go", 0o444)) },
			args:    []string{"s.yaml"},
			code:    exitOK,
			written: map[string]fs.FileMode{"s_grad.go": 0o444},
		},
		{
			name:  "-test outputs keep their modes",
			files: map[string]string{"s.yaml": spec, "s_grad.go": existing, "s_grad_test.go": existing},
			setup: func(t *testing.T) {
				must(t, os.Chmod("s_grad.go", 0o600))
				must(t, os.Chmod("s_grad_test.go", 0o640))
			},
			args:    []string{"-test", "s.yaml"},
			code:    exitOK,
			written: map[string]fs.FileMode{"s_grad.go": 0o600, "s_grad_test.go": 0o640},
		},
		{
			name:  "the second rename fails: the first output is put back",
			files: map[string]string{"s.yaml": spec, "s_grad.go": existing, "s_grad_test.go": existing},
			setup: func(t *testing.T) {
				must(t, os.Chmod("s_grad.go", 0o640))
				failRename(t, 2)
			},
			args:   []string{"-test", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: writing s_grad_test.go: invalid cross-device link; no output changed\n",
		},
		{
			name:  "the second rename fails: the first output, new, is removed",
			files: map[string]string{"s.yaml": spec, "s_grad_test.go": existing},
			setup: func(t *testing.T) {
				failRename(t, 2)
			},
			args:   []string{"-test", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: writing s_grad_test.go: invalid cross-device link; no output changed\n",
		},
		{
			name:  "the second rename fails, and so does putting back the first",
			files: map[string]string{"s.yaml": spec, "s_grad.go": existing, "s_grad_test.go": existing},
			setup: func(t *testing.T) {
				must(t, os.Chmod("s_grad.go", 0o640))
				failRename(t, 2, 3)
			},
			args:    []string{"-test", "s.yaml"},
			code:    exitBad,
			stderr:  "gradgen: writing s_grad_test.go: invalid cross-device link; putting back the outputs written before it failed: s_grad.go: invalid cross-device link\n",
			written: map[string]fs.FileMode{"s_grad.go": 0o640},
		},
		{
			name:    "-test with an output name that is no identifier: its test name is escaped (emit.TestName)",
			files:   map[string]string{"s.yaml": spec},
			args:    []string{"-test", "-o", "my grad.go", "s.yaml"},
			code:    exitOK,
			written: map[string]fs.FileMode{"my grad.go": 0o644, "my grad_test.go": 0o644},
		},
		{
			name:    "an output name with a space, without -test",
			files:   map[string]string{"s.yaml": spec},
			args:    []string{"-o", "my grad.go", "s.yaml"},
			code:    exitOK,
			written: map[string]fs.FileMode{"my grad.go": 0o644},
		},
		{
			name:   "-check -explain",
			files:  map[string]string{"s.yaml": spec},
			args:   []string{"-check", "-explain", "-o", "missing.go", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: -explain cannot be combined with -check: -explain prints derivations and writes nothing\n",
		},
		{
			name:   "-explain -test",
			files:  map[string]string{"s.yaml": spec},
			args:   []string{"-explain", "-test", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: -explain cannot be combined with -test: -explain prints derivations and writes nothing\n",
		},
		{
			name:   "-explain -o",
			files:  map[string]string{"s.yaml": spec},
			args:   []string{"-o", "x.go", "-explain", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: -explain cannot be combined with -o: -explain prints derivations and writes nothing\n",
		},
		{
			name:   "-plan -o",
			files:  map[string]string{"s.yaml": spec},
			args:   []string{"-plan", "-o", "x.go", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: -plan cannot be combined with -o: -plan prints lowering plans and writes nothing\n",
		},
		{
			name:   "-explain -plan",
			files:  map[string]string{"s.yaml": spec},
			args:   []string{"-explain", "-plan", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: -explain cannot be combined with -plan: -explain prints derivations and writes nothing\n",
		},
		{
			name:   "-check -force",
			files:  map[string]string{"s.yaml": spec},
			args:   []string{"-check", "-force", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: -check cannot be combined with -force: -check writes nothing\n",
		},
		{
			name:   "-format without -explain",
			files:  map[string]string{"s.yaml": spec},
			args:   []string{"-check", "-format=latex", "s.yaml"},
			code:   exitBad,
			stderr: "gradgen: -format applies only to -explain\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := inTempDir(t, tt.files)
			if tt.setup != nil {
				tt.setup(t)
			}
			before := tree(t, dir)
			var args []string
			for _, arg := range tt.args {
				args = append(args, strings.ReplaceAll(arg, "$DIR", dir))
			}
			r := gradgen(t, args...)
			if r.code != tt.code {
				t.Errorf("exit code %d, want %d", r.code, tt.code)
			}
			if want := strings.ReplaceAll(tt.stderr, "$DIR", dir); r.stderr != want {
				t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, want)
			}
			if r.stdout != "" {
				t.Errorf("stdout:\n%s", r.stdout)
			}
			after := tree(t, dir)
			for name, e := range before {
				if _, ok := tt.written[name]; ok {
					continue
				}
				switch got, ok := after[name]; {
				case !ok:
					t.Errorf("%s was removed", name)
				case got.mode != e.mode:
					t.Errorf("%s: mode %v, was %v", name, got.mode, e.mode)
				case got.data != e.data:
					t.Errorf("%s was changed:\n%s", name, got.data)
				}
			}
			for name, mode := range tt.written {
				got, ok := after[name]
				if !ok {
					t.Errorf("%s was not written", name)
					continue
				}
				if got.mode != mode {
					t.Errorf("%s: mode %v, want %v", name, got.mode, mode)
				}
				if !strings.HasSuffix(name, "_test.go") {
					checkGenerated(t, got.data, "loss")
				}
			}
			for name := range after {
				if _, ok := before[name]; !ok && tt.written[name] == 0 {
					t.Errorf("%s was left behind", name)
				}
			}
		})
	}
}

// TestSourceLineQuoted checks that a spec name with a line break reaches
// the header as one quoted line.
func TestSourceLineQuoted(t *testing.T) {
	inTempDir(t, map[string]string{"a\nb\u202e.yaml": testdata(t, "bilinear.yaml")})
	if r := gradgen(t, "-o", "s_grad.go", "a\nb\u202e.yaml"); r.code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", r.code, r.stderr)
	}
	out := readFile(t, "s_grad.go")
	checkGenerated(t, out, "loss")
	if line := strings.Split(out, "\n")[1]; line != `// Source: "a\nb\u202e.yaml"` {
		t.Errorf("second line %q", line)
	}
}

// must fails the test on an error of its set-up.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// failRename makes the given renames of the command (1 for the first)
// fail, as a rename across devices does, for the rest of the test.
func failRename(t *testing.T, nth ...int) {
	calls := 0
	rename = func(from, to string) error {
		calls++
		if slices.Contains(nth, calls) {
			return &os.LinkError{Op: "rename", Old: from, New: to, Err: syscall.EXDEV}
		}
		return os.Rename(from, to)
	}
	t.Cleanup(func() { rename = os.Rename })
}

// TestInternalErrorOneLine checks that an emission failure on a valid spec
// is told in one line naming the function whose code fails, never with
// the generated source the error may hold.
func TestInternalErrorOneLine(t *testing.T) {
	inTempDir(t, map[string]string{
		"loss.yaml": testdata(t, "bilinear.yaml"),
		"quad.yaml": testdata(t, "quad.yaml"),
	})
	cfg := config{specs: []string{"loss.yaml", "quad.yaml"}, out: "all_grad.go", explain: true}
	loads := newPrefetch()
	defer loads.close()
	outs, err := generate(loads, cfg)
	if err != nil {
		t.Fatal(err)
	}
	source := "emit: rendering generated code: 12:3: expected ';' while formatting source:\n" +
		strings.Repeat("func Quad(W *mat.Dense) float64 {\n", 100)
	failsQuad := func(funcs []*derive.Function) error {
		for _, fn := range funcs {
			if fn.Spec.Name == "Quad" {
				return errors.New(source)
			}
		}
		return nil
	}
	err = outs[0].emitError(errors.New(source), failsQuad)
	want := "internal error generating Quad for all_grad.go: emit: rendering generated code: 12:3: expected ';' while formatting source; please report it with the spec"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
	long := errors.New("x" + strings.Repeat("é", maxErrorLine)) // the limit falls inside a character
	if got := oneLine(long); len(got) > maxErrorLine+len("…") || !strings.HasSuffix(got, "…") || !utf8.ValidString(got) {
		t.Errorf("oneLine of a long error: %q", got)
	}
}

// TestOutputTooLarge checks that an output past maxOutputBytes is refused
// at the first function's name, with nothing written.
func TestOutputTooLarge(t *testing.T) {
	defer func(n int) { maxOutputBytes = n }(maxOutputBytes)
	maxOutputBytes = 1000
	dir := t.TempDir()
	specPath := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(specPath, []byte("package: p\nfunctions:\n  - {name: F, inputs: {x: vector(n)}, expr: \"sum(exp(x))\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := gradgen(t, specPath)
	if r.code != 2 || !strings.Contains(r.stderr, "s.yaml:3:12: generated code too large: ") || !strings.Contains(r.stderr, " bytes, limit 1000; split the spec into several files") {
		t.Errorf("exit %d, stderr %q; want exit 2 and the refusal at 3:12", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d files, want only the spec", len(entries))
	}
}

// TestUnchangedOutputKept checks that a run whose output would hold the
// bytes its file already holds leaves the file alone, modification time
// included (make-style builds see nothing new), while one that changes it
// writes it.
func TestUnchangedOutputKept(t *testing.T) {
	inTempDir(t, map[string]string{"q.yaml": testdata(t, "quad.yaml")})
	if r := gradgen(t, "-test", "-pkg", "quad", "q.yaml"); r.code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", r.code, r.stderr)
	}
	past := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, name := range []string{"q_grad.go", "q_grad_test.go"} {
		must(t, os.Chtimes(name, past, past))
	}
	if r := gradgen(t, "-test", "-pkg", "quad", "q.yaml"); r.code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", r.code, r.stderr)
	}
	for _, name := range []string{"q_grad.go", "q_grad_test.go"} {
		if info, err := os.Stat(name); err != nil || !info.ModTime().Equal(past) {
			t.Errorf("%s rewritten by a run that does not change it (%v)", name, err)
		}
	}
	writeFile(t, "q.yaml", strings.Replace(testdata(t, "quad.yaml"), "doc:", "doc: Changed.", 1))
	if r := gradgen(t, "-test", "-pkg", "quad", "q.yaml"); r.code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", r.code, r.stderr)
	}
	if info, err := os.Stat("q_grad.go"); err != nil || info.ModTime().Equal(past) {
		t.Errorf("q_grad.go not rewritten by a run that changes it (%v)", err)
	}
}
