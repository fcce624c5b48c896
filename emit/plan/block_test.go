package plan

import (
	"strings"
	"testing"

	"github.com/gradgen/gradgen/derive"
)

// TestBlockKernels checks the pass hands a function of a buffer's entries
// to its block kernel, whole or in place, only where the buffer is
// complete before the loop and read nowhere else, and that every plan it
// returns keeps the rules.
func TestBlockKernels(t *testing.T) {
	kernels := map[Qual]Qual{{Path: "math", Name: "Exp"}: {Path: RuntimePath, Name: "ExpTo"}}
	exp := func(x Expr) Expr { return Fn("math", "Exp", x) }
	one := func(f *fixture) Step { return &Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: Lit(1)} }
	tests := []struct {
		name  string
		body  func(f *fixture) []Step // of the loop after buf is filled
		after func(f *fixture) Expr   // added to the result
		want  string                  // in the printed plan; "" for no kernel
	}{
		{"whole", func(f *fixture) []Step {
			return []Step{&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: exp(At{V: f.buf, I: Ref{f.i}})}}
		}, nil, "runtime.ExpTo(buf2.Data, buf.Data)\nreturn"},
		{"in place", func(f *fixture) []Step {
			return []Step{one(f), &Set{To: Ref{f.acc}, Op: "+=", Value: Mul(Lit(2), exp(At{V: f.buf, I: Ref{f.i}}))}}
		}, nil, "// expBuf = exp(buf), in buf's storage\nexpBuf := buf\nruntime.ExpTo(expBuf.Data, buf.Data)\nfor i := 0; i < n; i++ {\n\tbuf2.Data[i] = 1.0\n\tacc += 2.0 * expBuf.Data[i]"},
		{"in place, read after the loop", func(f *fixture) []Step {
			return []Step{one(f), &Set{To: Ref{f.acc}, Op: "+=", Value: exp(At{V: f.buf, I: Ref{f.i}})}}
		}, func(f *fixture) Expr { return Fn(Blas64Path, "Asum", Ref{f.buf}) }, ""},
		{"in place, read bare in the loop", func(f *fixture) []Step {
			return []Step{one(f), &Set{To: Ref{f.acc}, Op: "+=", Value: Mul(At{V: f.buf, I: Ref{f.i}}, exp(At{V: f.buf, I: Ref{f.i}}))}}
		}, nil, ""},
		{"written in the loop", func(f *fixture) []Step {
			return []Step{
				&Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: Lit(1)},
				&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: exp(At{V: f.buf, I: Ref{f.i}})},
			}
		}, nil, ""},
		{"a compound argument", func(f *fixture) []Step {
			return []Step{&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: exp(Add(At{V: f.buf, I: Ref{f.i}}, Lit(1)))}}
		}, nil, ""},
		{"another entry", func(f *fixture) []Step {
			return []Step{&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: exp(At{V: f.buf, I: Sub(Ref{f.m}, Add(Ref{f.i}, IntLit(1)))})}}
		}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			steps := append(f.prologue(), f.fill()...)
			steps = append(steps, &Let{Vars: []*Value{f.acc}, Value: Const{V: 0.0}},
				&Let{Vars: []*Value{f.buf2}, Value: Fn(RuntimePath, "Vec", Ref{f.m}), Pure: true},
				&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: tt.body(f)})
			ret := Add(Ref{f.acc}, Fn(Blas64Path, "Asum", Ref{f.buf2}))
			if tt.after != nil {
				ret = Add(ret, tt.after(f))
			}
			steps = append(steps, &Return{Value: ret})
			if err := Check([]*Value{f.x, f.d}, steps, nil); err != nil {
				t.Fatalf("the plan before the pass breaks a rule: %v\n%s", err, render(steps))
			}
			got := BlockKernels(steps, kernels, nil, nil, nil)
			text := render(got)
			if tt.want == "" && strings.Contains(text, "ExpTo") || tt.want != "" && !strings.Contains(text, tt.want) {
				t.Errorf("want %q in\n%s", tt.want, text)
			}
			if err := Check([]*Value{f.x, f.d}, got, nil); err != nil {
				t.Errorf("the plan after the pass breaks a rule: %v\n%s", err, text)
			}
		})
	}
}

// TestBlockKernelsArgumentBuffer checks the pass gives a function's
// compound argument, or an input's entry, a buffer of its own filled in a
// loop before, and runs the kernel on it, only where the argument reads
// nothing the loop writes or declares and does read the loop's index; that
// the rewritten loop reads the kernel's values; and that every plan it
// returns keeps the rules.
func TestBlockKernelsArgumentBuffer(t *testing.T) {
	kernels := map[Qual]Qual{{Path: "math", Name: "Exp"}: {Path: RuntimePath, Name: "ExpTo"}, {Path: "math", Name: "Log"}: {Path: RuntimePath, Name: "LogTo"}}
	exp := func(x Expr) Expr { return Fn("math", "Exp", x) }
	log := func(x Expr) Expr { return Fn("math", "Log", x) }
	tests := []struct {
		name string
		body func(f *fixture) []Step // of the loop after buf is filled, after buf2[i] = 1
		want []string                // in the printed plan, in order; nil for no kernel
	}{
		{"a compound argument", func(f *fixture) []Step {
			return []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: exp(Add(At{V: f.buf, I: Ref{f.i}}, Lit(1)))}}
		}, []string{"expArg := runtime.Vec(n)", "expArg.Data[i] = buf.Data[i] + 1.0", "exp := expArg", "runtime.ExpTo(exp.Data, expArg.Data)", "acc += exp.Data[i]"}},
		{"an input's entry", func(f *fixture) []Step {
			return []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: Mul(Lit(2), exp(At{V: f.xRaw, I: Ref{f.i}}))}}
		}, []string{"expArg.Data[i] = xRaw.Data[i*xRaw.Inc]", "runtime.ExpTo(exp.Data, expArg.Data)", "acc += 2.0 * exp.Data[i]"}},
		{"nested, each call on a kernel", func(f *fixture) []Step {
			return []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: exp(Neg(exp(Add(At{V: f.buf, I: Ref{f.i}}, Lit(1)))))}}
		}, []string{"expArg.Data[i] = buf.Data[i] + 1.0", "runtime.ExpTo(exp.Data, expArg.Data)", "expArg2.Data[i] = -exp.Data[i]", "runtime.ExpTo(exp2.Data, expArg2.Data)", "acc += exp2.Data[i]"}},
		{"the same argument twice, one buffer", func(f *fixture) []Step {
			return []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: Mul(exp(Add(At{V: f.buf, I: Ref{f.i}}, Lit(1))), exp(Add(At{V: f.buf, I: Ref{f.i}}, Lit(1))))}}
		}, []string{"runtime.ExpTo(exp.Data, expArg.Data)", "acc += exp.Data[i] * exp.Data[i]"}},
		{"a buffer read bare too: the kernel's values in a buffer of their own", func(f *fixture) []Step {
			return []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: Mul(At{V: f.buf, I: Ref{f.i}}, exp(At{V: f.buf, I: Ref{f.i}}))}}
		}, []string{"expBuf := runtime.Vec(n)", "// expBuf = exp(buf)\nruntime.ExpTo(expBuf.Data, buf.Data)", "acc += buf.Data[i] * expBuf.Data[i]"}},
		{"two functions of one buffer: one in a buffer of its own, the other in place", func(f *fixture) []Step {
			return []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: Add(log(At{V: f.buf, I: Ref{f.i}}), exp(At{V: f.buf, I: Ref{f.i}}))}}
		}, []string{"runtime.LogTo(logBuf.Data, buf.Data)", "expBuf := buf", "runtime.ExpTo(expBuf.Data, buf.Data)", "acc += logBuf.Data[i] + expBuf.Data[i]"}},
		{"reads what the loop writes", func(f *fixture) []Step {
			return []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: exp(Add(At{V: f.buf2, I: Ref{f.i}}, Lit(1)))}}
		}, nil},
		{"reads the partial sum", func(f *fixture) []Step {
			return []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: exp(Add(At{V: f.buf, I: Ref{f.i}}, Ref{f.acc}))}}
		}, nil},
		{"reads a local of the loop", func(f *fixture) []Step {
			return []Step{
				&Let{Vars: []*Value{f.t}, Value: Mul(At{V: f.buf, I: Ref{f.i}}, Lit(2))},
				&Set{To: Ref{f.acc}, Op: "+=", Value: exp(Add(Ref{f.t}, Lit(1)))},
			}
		}, nil},
		{"the same every iteration", func(f *fixture) []Step {
			return []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: Mul(At{V: f.buf, I: Ref{f.i}}, exp(Ref{f.m}))}}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			steps := append(f.prologue(), f.fill()...)
			steps = append(steps, &Let{Vars: []*Value{f.acc}, Value: Const{V: 0.0}},
				&Let{Vars: []*Value{f.buf2}, Value: Fn(RuntimePath, "Vec", Ref{f.m}), Pure: true},
				&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: append([]Step{&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: Lit(1)}}, tt.body(f)...)},
				&Return{Value: Add(Ref{f.acc}, Fn(Blas64Path, "Asum", Ref{f.buf2}))})
			if err := Check([]*Value{f.x, f.d}, steps, nil); err != nil {
				t.Fatalf("the plan before the pass breaks a rule: %v\n%s", err, render(steps))
			}
			alloc := func(v *Value) Step {
				return &Let{Vars: []*Value{v}, Value: Fn(RuntimePath, "Vec", Ref{f.m}), Pure: true}
			}
			got := BlockKernels(steps, kernels, nil, alloc, nil)
			text := render(got)
			if tt.want == nil && strings.Contains(text, "ExpTo") {
				t.Errorf("want no kernel in\n%s", text)
			}
			rest := text
			for _, w := range tt.want {
				at := strings.Index(rest, w)
				if at < 0 {
					t.Fatalf("want %q (after the lines before it) in\n%s", w, text)
				}
				rest = rest[at+len(w):]
			}
			if err := Check([]*Value{f.x, f.d}, got, nil); err != nil {
				t.Errorf("the plan after the pass breaks a rule: %v\n%s", err, text)
			}
		})
	}
}

// TestBlockKernelsJoint checks the pass hands a joint kernel's call to its
// block kernel when the loop only stores both results, each whole into a
// buffer of its own that it refers to nowhere else, and leaves it in the
// loop otherwise; every plan it returns keeps the rules.
func TestBlockKernelsJoint(t *testing.T) {
	kernels := map[Qual]Qual{
		{Path: "math", Name: "Tanh"}:           {Path: RuntimePath, Name: "TanhTo"},
		{Path: RuntimePath, Name: "TanhDeriv"}: {Path: RuntimePath, Name: "TanhDerivTo"},
	}
	joints := map[Qual]Qual{{Path: RuntimePath, Name: "TanhTanhDeriv"}: {Path: RuntimePath, Name: "TanhTanhDerivTo"}}
	tests := []struct {
		name string
		// rest returns the loop's steps after the call and the stores,
		// given the results' locals and the third buffer.
		rest    func(f *fixture, tanh, deriv, buf3 *Value) []Step
		before  bool   // rest goes before the call
		unsaved bool   // deriv is not stored
		readBuf bool   // buf is read after the loop
		want    string // in the printed plan; "" for no joint block kernel
		alloc   bool   // the pass may declare buffers of its own
	}{
		{"a result read, not stored", func(f *fixture, tanh, deriv, buf3 *Value) []Step {
			return []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: Ref{deriv}}}
		}, false, true, false, "derivBuf := buf\n// derivBuf = TanhDeriv(buf) too, from the same exp (runtime.TanhTanhDerivTo)\nruntime.TanhTanhDerivTo(buf2.Data, derivBuf.Data, buf.Data)\nfor i := 0; i < n; i++ {\n\tacc += derivBuf.Data[i]", false},
		{"a result read, not stored, the argument read after the loop", func(f *fixture, tanh, deriv, buf3 *Value) []Step {
			return []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: Ref{deriv}}}
		}, false, true, true, "", false},
		{"a result read, not stored, the argument read after the loop: a buffer of its own", func(f *fixture, tanh, deriv, buf3 *Value) []Step {
			return []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: Ref{deriv}}}
		}, false, true, true, "derivBuf := runtime.Vec(n)\n// derivBuf = TanhDeriv(buf) too, from the same exp (runtime.TanhTanhDerivTo)\nruntime.TanhTanhDerivTo(buf2.Data, derivBuf.Data, buf.Data)\nfor i := 0; i < n; i++ {\n\tacc += derivBuf.Data[i]", true},
		{"a result neither stored nor read: the other's kernel alone", func(f *fixture, tanh, deriv, buf3 *Value) []Step {
			return nil
		}, false, true, false, "runtime.TanhTo(buf2.Data, buf.Data)\nreturn", true},
		{"a result read and stored: no buffer of its own", func(f *fixture, tanh, deriv, buf3 *Value) []Step {
			return []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: Ref{deriv}}}
		}, false, false, false, "", true},
		{"stores alone", func(f *fixture, tanh, deriv, buf3 *Value) []Step { return nil }, false, false, false,
			"runtime.TanhTanhDerivTo(buf2.Data, buf3.Data, buf.Data)\nreturn", false},
		{"other steps", func(f *fixture, tanh, deriv, buf3 *Value) []Step {
			return []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: At{V: f.buf, I: Ref{f.i}}}}
		}, false, false, false, "runtime.TanhTanhDerivTo(buf2.Data, buf3.Data, buf.Data)\nfor i := 0; i < n; i++ {\n\tacc += buf.Data[i]", false},
		{"a result read in the loop", func(f *fixture, tanh, deriv, buf3 *Value) []Step {
			return []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: Ref{deriv}}}
		}, false, false, false, "", false},
		{"a result's buffer read in the loop", func(f *fixture, tanh, deriv, buf3 *Value) []Step {
			return []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: At{V: buf3, I: Ref{f.i}}}}
		}, false, false, false, "", false},
		{"the argument written in the loop", func(f *fixture, tanh, deriv, buf3 *Value) []Step {
			return []Step{&Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: Lit(1)}}
		}, true, false, false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			buf3 := &Value{Name: "buf3", Kind: Vector, Owner: Workspace, Shape: derive.Col(f.n), Contiguous: true}
			tanh, deriv := NewValue("tanh", Scalar, Local), NewValue("deriv", Scalar, Local)
			arg := At{V: f.buf, I: Ref{f.i}}
			body := []Step{
				&Let{Vars: []*Value{tanh, deriv}, Value: Fn(RuntimePath, "TanhTanhDeriv", arg), Pure: true,
					Alone: []Expr{Fn("math", "Tanh", arg), Fn(RuntimePath, "TanhDeriv", arg)}},
				&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: Ref{tanh}},
			}
			if !tt.unsaved {
				body = append(body, &Set{To: At{V: buf3, I: Ref{f.i}}, Op: "=", Value: Ref{deriv}})
			}
			rest := tt.rest(f, tanh, deriv, buf3)
			if tt.before {
				body = append(rest, body...)
			} else {
				body = append(body, rest...)
			}
			// deriv read nowhere: a plan only DropUnread makes legal (it
			// spells the name _), so the plan before is not checked.
			dead := tt.unsaved && len(rest) == 0
			ret := Add(Ref{f.acc}, Fn(Blas64Path, "Asum", Ref{f.buf2}))
			if !tt.unsaved {
				ret = Add(ret, Fn(Blas64Path, "Asum", Ref{buf3}))
			}
			if tt.readBuf {
				ret = Add(ret, Fn(Blas64Path, "Asum", Ref{f.buf}))
			}
			steps := append(f.prologue(), f.fill()...)
			steps = append(steps, &Let{Vars: []*Value{f.acc}, Value: Const{V: 0.0}},
				&Let{Vars: []*Value{f.buf2}, Value: Fn(RuntimePath, "Vec", Ref{f.m}), Pure: true})
			if !tt.unsaved {
				steps = append(steps, &Let{Vars: []*Value{buf3}, Value: Fn(RuntimePath, "Vec", Ref{f.m}), Pure: true})
			}
			steps = append(steps,
				&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: body},
				&Return{Value: ret})
			if err := Check([]*Value{f.x, f.d}, steps, nil); err != nil && !dead {
				t.Fatalf("the plan before the pass breaks a rule: %v\n%s", err, render(steps))
			}
			var alloc Alloc
			if tt.alloc {
				alloc = func(v *Value) Step {
					return &Let{Vars: []*Value{v}, Value: Fn(RuntimePath, "Vec", Ref{f.m}), Pure: true}
				}
			}
			got := BlockKernels(steps, kernels, joints, alloc, nil)
			text := render(got)
			if tt.want == "" && strings.Contains(text, "TanhTanhDerivTo") || tt.want != "" && !strings.Contains(text, tt.want) {
				t.Errorf("want %q in\n%s", tt.want, text)
			}
			if err := Check([]*Value{f.x, f.d}, got, nil); err != nil {
				t.Errorf("the plan after the pass breaks a rule: %v\n%s", err, text)
			}
		})
	}
}
