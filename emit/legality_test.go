package emit

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
	"github.com/gradgen/gradgen/spec"
)

// emitter returns the emitter of role for the one function of src, ready
// to lower nodes, and that function.
func emitter(t *testing.T, src string, r role) (*function, *derive.Function) {
	t.Helper()
	file, err := spec.Load("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	fns, err := derive.Build(file)
	if err != nil {
		t.Fatal(err)
	}
	e := newFunc(fns[0], r, 0, newScope())
	e.countUses()
	e.planDims()
	return e, fns[0]
}

// find returns the first node of n's graph with operator op.
func find(t *testing.T, n *derive.Node, op *derive.Op) *derive.Node {
	t.Helper()
	for _, m := range derive.Postorder(n) {
		if m.Op == op {
			return m
		}
	}
	t.Fatalf("no %s in %s", op.Name, derive.Format(n, derive.Plain, nil))
	return nil
}

// mustBreak runs f and checks it panics with the internal error of rule.
func mustBreak(t *testing.T, rule string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if msg := fmt.Sprint(r); r == nil || !strings.Contains(msg, "internal error") || !strings.Contains(msg, rule) {
			t.Errorf("got panic %v, want the internal error %q", r, rule)
		}
	}()
	f()
}

const subSumSpec = "functions:\n  - {name: F, inputs: {x: vector(n), y: vector(n)}, expr: \"x - sum(y)\"}\n"

// TestLegalityRules breaks each fusion rule on purpose, by doing what the
// planning never does, and checks the always-on check fires.
func TestLegalityRules(t *testing.T) {
	t.Run("a sum read in the loop that accumulates it", func(t *testing.T) {
		e, fn := emitter(t, subSumSpec, roleValue)
		sum := find(t, fn.Value, derive.OpSum)
		e.scalar(sum) // the loop summing y, left pending
		_, _, fx := e.loopBody(fn.Value.Shape, func(i, j expr) plan.Step { return &plan.Return{Value: e.elem(fn.Value, i, j)} })
		if !fx.readsSumOf(e.pending.fx) {
			t.Fatal("the body of x - sum(y) does not record that it reads sum(y)")
		}
		joined := e.pending.fx
		joined.merge(fx) // what fusedLoop did before the rule: join anyway
		mustBreak(t, ruleReductionRead, func() { e.closeLoop(joined) })
	})
	t.Run("a filled buffer read as a whole before its loop is built", func(t *testing.T) {
		e, fn := emitter(t, subSumSpec, roleValue)
		buf := e.fillBuffer(fn.Value.Shape, "buf")
		mustBreak(t, ruleWrittenBeforeRead, func() { e.readWhole(buf) })
	})
	t.Run("a filled buffer's entry read outside its loop", func(t *testing.T) {
		e, fn := emitter(t, subSumSpec, roleValue)
		x := fn.Inputs[0].Node
		buf := e.fillBuffer(fn.Value.Shape, "buf")
		mustBreak(t, ruleWrittenBeforeRead, func() {
			e.loop(fn.Value.Shape, func(i, j expr) plan.Step { return &plan.Return{Value: e.readStored(x, buf, i, j)} })
		})
	})
	t.Run("a buffer declared and never written", func(t *testing.T) {
		e, fn := emitter(t, subSumSpec, roleValue)
		e.fillBuffer(fn.Value.Shape, "buf")
		mustBreak(t, ruleWrittenBeforeRead, e.checkDeclaredUsed)
	})
	t.Run("a buffer filled and never read", func(t *testing.T) {
		e, fn := emitter(t, subSumSpec, roleValue)
		x := fn.Inputs[0].Node
		buf := e.fillBuffer(fn.Value.Shape, "buf")
		e.stmt(e.loop(fn.Value.Shape, func(i, j expr) plan.Step {
			e.noteFill(buf)
			return &plan.Set{To: e.read(x, buf, i, j), Op: "=", Value: plan.Lit(1)}
		}))
		mustBreak(t, ruleDeclaredUsed, e.checkDeclaredUsed)
	})
	t.Run("a sum computed and never read", func(t *testing.T) {
		e, fn := emitter(t, subSumSpec, roleValue)
		y := fn.Inputs[1].Node
		e.accumulate(y.Shape, func(i, j expr) expr { return e.elem(y, i, j) }, plan.NewValue("unread", plan.Scalar, plan.Local))
		mustBreak(t, ruleDeclaredUsed, e.checkDeclaredUsed)
	})
}

// TestLegalityPlanning checks the planning keeps the rules and still
// fuses: a reader of a sum starts a loop after the sum's, work on the same
// entries shares one loop, and a filled buffer is read within its loop.
func TestLegalityPlanning(t *testing.T) {
	tests := []struct {
		name, inputs, expr, fn string
		want, not              []string
	}{
		{"x - sum(y) sums y first", "{x: vector(n), y: vector(n)}", "x - sum(y)", "F",
			[]string{`(?s)sumY \+= [^\n]*\n\s*\}\n\s*// dst = x - sum\(y\)\n\s*for i := 0; i < n; i\+\+ \{\n\s*dstRaw[^\n]*- sumY\n`}, nil},
		{"norm2's HVP sums x .* v before reading it", "{x: vector(n)}, hessian: true", "norm2(x)", "FHessVec",
			[]string{`(?s)sum \+= [^\n]*\n\s*\}\n\s*// hx = `}, nil},
		{"a sum and the value it sums share a loop", "{x: vector(n)}", "sum(exp(x) .* exp(x)) + sum(exp(x))", "F",
			[]string{`(?s)for i := 0; i < n; i\+\+ \{\s*expX\.Data\[i\] = [^\n]*\n\s*sum \+= [^\n]*\n\s*sumExpX \+= `}, []string{`(?s)for i := 0; i < n.*for i := 0; i < n`}},
		{"a sum of a joint kernel's partner is formed before the loop, and the partner is not stored", "{x: vector(n)}", "softplus(x) - sum(sigmoid(x))", "F",
			[]string{`(?s)sumSigmoidX \+= runtime\.Sigmoid[^\n]*\n\s*\}\n\s*// dst = `}, []string{`SoftplusSigmoid`, `runtime\.Vec\(`}},
		{"the joint kernel fills the buffer the panel's Xᵀ r reads", "{X: \"matrix(n, d)\", w: vector(d)}, wrt: [w]", "sum(softplus(X * w))", "FGrad",
			[]string{`sigmoidXw\.Data\[i\] = sigmoid`, `runtime\.SubVector\(sigmoidXw, r0, r1\), 1, dwRaw\)`}, []string{`sigmoidXw2`}},
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
	exps := regexp.MustCompile(`math\.Exp\(([^()]|\([^()]*\))*\)`).FindAllString(code, -1)
	if len(exps) == 0 {
		t.Fatal("no exponentials")
	}
	shifted := regexp.MustCompile(`^math\.Exp\(.+ ?- ?(f|logsumexp\w*)\)$`)
	for _, x := range exps {
		if !shifted.MatchString(x) {
			t.Errorf("%s is not shifted by the logsumexp", x)
		}
	}
}
