package plan

import "testing"

// TestFission checks where Fission may cut a loop body before a joint
// call (sp, sig := SoftplusSigmoid(buf[i])) and where it must refuse: the
// legal body stores buf[i] and accumulates and stores after the call; each
// mutation breaks one condition of its invariant.
func TestFission(t *testing.T) {
	for _, tt := range []struct {
		name string
		body func(f *fixture, sp, sig *Value) []Step
		k    int
		ok   bool
	}{
		{"stores before, the call, an accumulation and a store after", func(f *fixture, sp, sig *Value) []Step {
			return f.joint(sp, sig, nil, nil)
		}, 1, true},
		{"the call first: nothing before", func(f *fixture, sp, sig *Value) []Step {
			return f.joint(sp, sig, nil, nil)[1:]
		}, 0, true},
		{"a cut out of range", func(f *fixture, sp, sig *Value) []Step {
			return f.joint(sp, sig, nil, nil)
		}, 5, false},
		{"a local declared before the cut", func(f *fixture, sp, sig *Value) []Step {
			return f.joint(sp, sig, []Step{&Let{Vars: []*Value{f.t}, Value: Lit(1)}}, nil)
		}, 2, false},
		{"an accumulation before the cut", func(f *fixture, sp, sig *Value) []Step {
			return f.joint(sp, sig, []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: At{V: f.xRaw, I: Ref{f.i}}}}, nil)
		}, 2, false},
		{"a store at another entry before the cut", func(f *fixture, sp, sig *Value) []Step {
			return f.joint(sp, sig, []Step{&Set{To: At{V: f.buf2, I: IntLit(0)}, Op: "=", Value: Lit(1)}}, nil)
		}, 2, false},
		{"a read before the cut of what the steps after write", func(f *fixture, sp, sig *Value) []Step {
			return f.joint(sp, sig, []Step{&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: Ref{f.acc}}}, nil)
		}, 2, false},
		{"a later entry of a stored buffer read after the cut", func(f *fixture, sp, sig *Value) []Step {
			return f.joint(sp, sig, nil, []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: At{V: f.buf, I: Add(Ref{f.i}, IntLit(1))}}})
		}, 1, false},
		{"a stored buffer read whole after the cut", func(f *fixture, sp, sig *Value) []Step {
			return f.joint(sp, sig, nil, []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: Fn(RuntimePath, "Sum", Ref{f.buf})}})
		}, 1, false},
		{"a stored buffer written again after the cut", func(f *fixture, sp, sig *Value) []Step {
			return f.joint(sp, sig, nil, []Step{&Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: Lit(0)}})
		}, 1, false},
		{"entry i of a stored buffer read after the cut", func(f *fixture, sp, sig *Value) []Step {
			return f.joint(sp, sig, nil, []Step{&Set{To: Ref{f.acc}, Op: "+=", Value: At{V: f.buf, I: Ref{f.i}}}})
		}, 1, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			sp, sig := NewValue("sp", Scalar, Local), NewValue("sig", Scalar, Local)
			body := tt.body(f, sp, sig)
			before, after, ok := Fission(body, tt.k, f.i)
			if ok != tt.ok {
				t.Fatalf("Fission at %d = %v, want %v:\n%s", tt.k, ok, tt.ok, render(body))
			}
			if ok && (len(before) != tt.k || len(before)+len(after) != len(body)) {
				t.Fatalf("cut into %d and %d steps of %d, want at %d", len(before), len(after), len(body), tt.k)
			}
		})
	}
}

// joint returns a loop body over i: buf[i] = 2 x[i], then extra, then the
// joint call sp, sig := SoftplusSigmoid(buf[i]), acc += sp, buf2[i] = sig,
// then tail.
func (f *fixture) joint(sp, sig *Value, extra, tail []Step) []Step {
	body := []Step{&Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: Mul(Lit(2), At{V: f.xRaw, I: Ref{f.i}})}}
	body = append(body, extra...)
	body = append(body,
		&Let{Vars: []*Value{sp, sig}, Value: Fn(RuntimePath, "SoftplusSigmoid", At{V: f.buf, I: Ref{f.i}})},
		&Set{To: Ref{f.acc}, Op: "+=", Value: Ref{sp}},
		&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: Ref{sig}})
	return append(body, tail...)
}
