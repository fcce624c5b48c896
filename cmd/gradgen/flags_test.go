package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
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
