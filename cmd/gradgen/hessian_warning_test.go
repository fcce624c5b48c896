package main

import (
	"os"
	"testing"
)

// TestHessianWarning checks the command's warnings (derive's Warnings):
// hessian: true with a wrt that is neither a scalar nor a vector is never
// silent: the output is written, with FHessVec but no FHessian, and a
// positioned warning says so; a spec whose FHessian is generated gets
// none, nor does -check. A wrt input f does not depend on is warned of
// too.
func TestHessianWarning(t *testing.T) {
	const matrixWrt = "package: h\nfunctions:\n  - name: H\n    inputs:\n      X: matrix(n, n)\n      y: vector(n)\n    expr: sum(X .* X) + y' * y\n    wrt: [y, X]\n    hessian: true\n"
	const vectorWrt = "package: h\nfunctions:\n  - name: H\n    inputs:\n      X: matrix(n, n)\n      y: vector(n)\n    expr: sum(X .* X) + y' * y\n    wrt: [y]\n    hessian: true\n"
	tests := []struct {
		name   string
		spec   string
		args   []string
		stderr string
	}{
		{
			name: "matrix wrt", spec: matrixWrt, args: []string{"h.yaml"},
			stderr: "h.yaml:8:14: warning: hessian: true with the matrix input X in wrt gives HHessVec only: HHessian and the Hess of HProblem need every wrt a scalar or a vector; to have them, make X a vector input (its entries vectorised)\n" +
				"\t    wrt: [y, X]\n\t             ^\n",
		},
		{
			name: "matrix wrt, wrt omitted", spec: "package: h\nfunctions:\n  - name: H\n    inputs:\n      S: spd(n)\n    expr: logdet(S)\n    hessian: true\n", args: []string{"h.yaml"},
			stderr: "h.yaml:5:7: warning: hessian: true with the spd input S in wrt gives HHessVec only: HHessian and the Hess of HProblem need every wrt a scalar or a vector; to have them, make S a vector input (its entries vectorised)\n" +
				"\t      S: spd(n)\n\t      ^\n",
		},
		{name: "vector wrt", spec: vectorWrt, args: []string{"h.yaml"}},
		{
			name: "a wrt input f does not depend on", spec: "package: h\nfunctions:\n  - name: H\n    inputs: {x: vector(n), y: vector(n)}\n    expr: x' * x + sum(y - y)\n    wrt: [x, y]\n", args: []string{"h.yaml"},
			stderr: "h.yaml:6:14: warning: H does not depend on y, which wrt lists: its derivative with respect to y is zero\n" +
				"\t    wrt: [x, y]\n\t             ^\n",
		},
		{name: "an input outside wrt, unused", spec: "package: h\nfunctions:\n  - name: H\n    inputs: {x: vector(n), y: vector(n)}\n    expr: x' * x\n    wrt: [x]\n", args: []string{"h.yaml"}},
		{name: "under -check", spec: matrixWrt, args: []string{"-check", "h.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inTempDir(t, map[string]string{"h.yaml": tt.spec})
			if tt.args[0] == "-check" {
				if r := gradgen(t, "h.yaml"); r.code != exitOK {
					t.Fatalf("exit code %d; stderr:\n%s", r.code, r.stderr)
				}
			}
			r := gradgen(t, tt.args...)
			if r.code != exitOK {
				t.Errorf("exit code %d, want 0", r.code)
			}
			if r.stderr != tt.stderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, tt.stderr)
			}
			if _, err := os.Stat("h_grad.go"); err != nil {
				t.Errorf("no output: %v", err)
			}
		})
	}
}
