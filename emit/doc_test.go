package emit

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestWrapFormula pins how a long formula breaks: between the terms of the
// outermost sum first, continuation lines aligned under the right-hand
// side, never inside a name or a call's argument when a shallower break
// fits.
func TestWrapFormula(t *testing.T) {
	long := "4 ell sum(R / (2 ell^2) .* (exp(-(R / (2 ell^2))) .* (sf^2 (-sn inv(K) inv(K) - 0.5 (-2 sn inv(K) inv(K) y y' inv(K) - 2 sn inv(K) y y' inv(K) inv(K))))) / (2 ell^2))"
	for _, c := range []struct {
		name, head, text string
		want             []string
	}{
		{"short", "f = ", "x' y", []string{"\tf = x' y"}},
		{"terms", "f = ", strings.Repeat("alpha beta gamma + ", 12) + "omega", []string{
			"\tf = alpha beta gamma + alpha beta gamma + alpha beta gamma + alpha beta gamma + alpha beta gamma",
			"\t    + alpha beta gamma + alpha beta gamma + alpha beta gamma + alpha beta gamma",
			"\t    + alpha beta gamma + alpha beta gamma + alpha beta gamma + omega",
		}},
		{"nested", "∂²f/∂ell∂sn = ", long, []string{
			"\t∂²f/∂ell∂sn = 4 ell sum(R / (2 ell^2) .* (exp(-(R / (2 ell^2))) .*",
			"\t              (sf^2 (-sn inv(K) inv(K) - 0.5 (-2 sn inv(K) inv(K) y y' inv(K)",
			"\t              - 2 sn inv(K) y y' inv(K) inv(K))))) / (2 ell^2))",
		}},
		{"unbreakable", "f = ", strings.Repeat("x", 120), []string{"\tf = " + strings.Repeat("x", 120)}},
	} {
		got := wrapFormula("\t", c.head, c.text)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s: got\n%s\nwant\n%s", c.name, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
		if strings.Join(strings.Fields(strings.Join(got, " ")), " ") != strings.Join(strings.Fields(c.head+c.text), " ") {
			t.Errorf("%s: wrapping changed the text", c.name)
		}
	}
}

// maxDocColumns is the most columns a doc-comment line of checked-in
// generated code may take, a tab counted as 4.
const maxDocColumns = 110

// TestGeneratedDocWidth scans every checked-in generated file and fails on
// a top-level (doc) comment line wider than maxDocColumns: formulas are wrapped, prose is
// wrapped, whatever the number of inputs or the order of the derivative.
func TestGeneratedDocWidth(t *testing.T) {
	files, err := filepath.Glob("../*/*_grad.go")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../*/*/*_grad.go")
	files = append(files, more...)
	if len(files) < 10 {
		t.Fatalf("found only %d generated files: %v", len(files), files)
	}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if !strings.HasPrefix(line, "//") { // doc comments start at column 0
				continue
			}
			if w := utf8.RuneCountInString(strings.ReplaceAll(line, "\t", "    ")); w > maxDocColumns {
				t.Errorf("%s:%d: comment line of %d columns, want ≤ %d: %.60s…", path, n, w, maxDocColumns, line)
			}
		}
		f.Close()
	}
}

// TestWrtOmittedDoc checks that a doc comment says every input is
// differentiated exactly when the spec omits wrt and there is more than
// one input, in every role that differentiates.
func TestWrtOmittedDoc(t *testing.T) {
	const remark = "The spec gives no wrt, so every input"
	for _, c := range []struct {
		name, fn string
		want     map[string]bool // function → whether its doc has the remark
	}{
		{"omitted", "{name: L, inputs: {X: \"matrix(n, d)\", y: vector(n), w: vector(d)}, hessian: true, expr: \"sumsq(X * w - y)\"}",
			map[string]bool{"L": false, "LGrad": true, "LHessVec": true}},
		{"hessian", "{name: L, inputs: {y: vector(n), w: vector(n)}, hessian: true, expr: \"sumsq(w - y)\"}",
			map[string]bool{"LGrad": true, "LHessian": true}},
		{"given", "{name: L, inputs: {X: \"matrix(n, d)\", y: vector(n), w: vector(d)}, wrt: [w], hessian: true, expr: \"sumsq(X * w - y)\"}",
			map[string]bool{"L": false, "LGrad": false, "LHessVec": false, "LHessian": false}},
		{"one input", "{name: L, inputs: {w: vector(d)}, hessian: true, expr: \"sumsq(w)\"}",
			map[string]bool{"LGrad": false, "LHessVec": false}},
		{"jacobian", "{name: L, inputs: {A: \"matrix(m, n)\", x: vector(n)}, expr: \"A * x\"}",
			map[string]bool{"LJacobian": true, "LJVP": true}},
	} {
		code := generate(t, "functions:\n  - "+c.fn+"\n")
		for name, want := range c.want {
			start := strings.Index(code, "\n// "+name+" ")
			end := strings.Index(code, "\nfunc "+name+"(")
			if start < 0 || end < start {
				t.Errorf("%s: no doc comment of %s", c.name, name)
				continue
			}
			if got := strings.Contains(code[start:end], remark); got != want {
				t.Errorf("%s: %s's doc has the remark: %v, want %v\n%s", c.name, name, got, want, code[start:end])
			}
		}
	}
}
