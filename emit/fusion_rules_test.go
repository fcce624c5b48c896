package emit

import (
	"regexp"
	"strings"
	"testing"
)

// TestLegalityPlanning checks lowering and plan.Fuse keep the rules and
// still fuse: a reader of a sum starts a loop after the sum's, work on the same
// entries shares one loop, and a filled buffer is read within its loop.
func TestLegalityPlanning(t *testing.T) {
	tests := []struct {
		name, inputs, expr, fn string
		want, not              []string
	}{
		{"x - sum(y) sums y first", "{x: vector(n), y: vector(n)}", "x - sum(y)", "F",
			[]string{`(?s)sumY \+= [^\n]*\n\s*\}\n\s*// dst = x - sum\(y\)\n\s*for i := 0; i < n; i\+\+ \{\n\s*dstRaw[^\n]*- sumY\n`}, nil},
		{"norm2's HVP sums x .* v before reading it", "{x: vector(n)}, hessian: true", "norm2(x)", "FHessVec",
			[]string{`(?s)sum\w* \+= [^\n]*\n\s*\}\n\s*// hx = `}, nil},
		{"a sum and the value it sums share a loop", "{x: vector(n)}", "sum(sin(x) .* sin(x)) + sum(sin(x))", "F",
			[]string{`(?s)for i := 0; i < n; i\+\+ \{\s*sinX\.Data\[i\] = [^\n]*\n\s*sum \+= [^\n]*\n\s*sumSinX \+= `}, []string{`(?s)for i := 0; i < n.*for i := 0; i < n`}},
		{"sums of a block kernel's values share the loop after the kernel", "{x: vector(n)}", "sum(exp(x) .* exp(x)) + sum(exp(x))", "F",
			[]string{`(?s)runtime\.ExpTo\(expX\.Data, expArg\.Data\)\n.*for i := 0; i < n; i\+\+ \{\s*sum \+= expX\.Data\[i\] \* expX\.Data\[i\]\n\s*sumExpX \+= expX\.Data\[i\]\n\s*\}`}, []string{`math\.Exp`}},
		{"a sum of a joint kernel's partner is formed before the loop, and the partner is not stored", "{x: vector(n)}", "softplus(x) - sum(sigmoid(x))", "F",
			[]string{`(?s)sumSigmoidX \+= sigmoid\.Data\[i\]\n\s*\}\n.*// dst = `}, []string{`SoftplusSigmoid`}},
		{"the joint kernel fills the buffer the panel's Xᵀ r reads", "{X: \"matrix(n, d)\", w: vector(d)}, wrt: [w]", "sum(softplus(X * w))", "FGrad",
			[]string{`runtime\.SoftplusSigmoidTo\(softplusRows\.Data\[r0:r1\], sigmoidXw\.Data\[r0:r1\], Xw\.Data\[r0:r1\]\)`, `runtime\.SubVector\(sigmoidXw, r0, r1\), 1, acc\)`}, []string{`sigmoidXw2`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := body(t, generate(t, "functions:\n  - {name: F, inputs: "+tt.inputs+", expr: \""+tt.expr+"\"}\n"), tt.fn)
			for _, w := range tt.want {
				if !regexp.MustCompile(w).MatchString(code) {
					t.Errorf("missing %s in\n%s", w, code)
				}
			}
			for _, n := range tt.not {
				if regexp.MustCompile(n).MatchString(code) {
					t.Errorf("unexpected %s in\n%s", n, code)
				}
			}
		})
	}
}

// TestBlockKernelNames checks that the values BlockKernels adds take names
// free in the function's scope: an input nothing reads, named as a
// kernel's value would be, does not clash (review 72: THessVec did not
// compile).
func TestBlockKernelNames(t *testing.T) {
	for _, name := range []string{"exp", "expArg", "log", "tanh", "sigmoid"} {
		fn := strings.TrimSuffix(name, "Arg")
		src := "functions:\n  - {name: F, inputs: {x: vector(n), " + name + ": scalar}, expr: \"sum(" + fn + "(x + 1)) + " + name + "\", wrt: [x], hessian: true}\n"
		fns := buildSpec(t, src)
		out, err := Generate(fns, Options{Package: "p"})
		if err != nil {
			t.Fatal(err)
		}
		if err := TypeCheck(fns, []Source{{Path: "gen.go", Data: out}}, SourceImporter); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if !strings.Contains(string(out), "runtime."+strings.ToUpper(fn[:1])+fn[1:]+"To(") {
			t.Errorf("%s: no block kernel in\n%s", name, out)
		}
	}
}

// TestSoftmaxShifted checks every exponential in the derivatives of
// logsumexp is shifted by the logsumexp (exp(z − lse(z)) ≤ 1), so large z
// never overflows; TestFusionNumbers checks the numbers at |z| ~ 1e3.
func TestSoftmaxShifted(t *testing.T) {
	src := "functions:\n" +
		"  - {name: V, inputs: {x: vector(n)}, expr: \"logsumexp(x)\", hessian: true}\n" +
		"  - {name: P, inputs: {A: \"matrix(m, n)\", x: vector(n)}, expr: \"logsumexp(A * x)\", wrt: [x], hessian: true}\n" +
		"  - {name: M, inputs: {X: \"matrix(m, n)\"}, expr: \"logsumexp(X)\"}\n" +
		"  - {name: S, inputs: {x: vector(n)}, expr: \"exp(x - logsumexp(x))\"}\n" +
		"  - {name: C, inputs: {x: vector(n), y: vector(n)}, expr: \"logsumexp(x .* y) * logsumexp(x)\", wrt: [x], hessian: true}\n"
	code := generate(t, src)
	// An exponential is a call of math.Exp or an entry of an argument
	// buffer of runtime.ExpTo (expArg).
	exps := regexp.MustCompile(`math\.Exp\(([^()]|\([^()]*\))*\)|expArg\w*(\.Data\[[^]]*\]|Row\[j\]) = [^\n]*`).FindAllString(code, -1)
	if len(exps) == 0 {
		t.Fatal("no exponentials")
	}
	shifted := regexp.MustCompile(`^(math\.Exp\(.+ ?- ?(f|logsumexp\w*)\)|expArg\w*(\.Data\[[^]]*\]|Row\[j\]) = .+ ?- ?(f|logsumexp\w*))$`)
	for _, x := range exps {
		if !shifted.MatchString(x) {
			t.Errorf("%s is not shifted by the logsumexp", x)
		}
	}
}
