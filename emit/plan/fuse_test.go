package plan

import (
	"strings"
	"testing"

	"github.com/gradgen/gradgen/derive"
)

// TestFuse checks when the fusion pass joins two loops and when it must
// not: each refusal is a case where joining would compute another number
// (or read a partial sum), and every result must pass Check.
func TestFuse(t *testing.T) {
	loop := func(f *fixture, body ...Step) *Loop {
		return &Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: body, Fusible: true}
	}
	entry := func(v *Value, f *fixture) At { return At{V: v, I: Ref{f.i}} }
	fillBuf := func(f *fixture) *Loop {
		return loop(f, &Set{To: entry(f.buf, f), Op: "=", Value: Mul(Lit(2), entry(f.xRaw, f))})
	}
	tests := []struct {
		name  string
		steps func(f *fixture) []Step
		loops int // loops left
	}{
		{"a reader of the same entries joins", func(f *fixture) []Step {
			return append(f.prologue(), fillBuf(f),
				&Comment{Text: "d = buf + 1"},
				loop(f, &Set{To: entry(f.dRaw, f), Op: "=", Value: Add(entry(f.buf, f), Lit(1))}))
		}, 1},
		{"a reader of another entry does not", func(f *fixture) []Step {
			other := At{V: f.buf, I: Sub(Sub(Ref{f.m}, Ref{f.i}), IntLit(1))}
			return append(f.prologue(), fillBuf(f),
				loop(f, &Set{To: entry(f.dRaw, f), Op: "=", Value: other}))
		}, 2},
		{"a reader of a sum does not", func(f *fixture) []Step {
			return append(f.prologue(), fillBuf(f), &Let{Vars: []*Value{f.acc}, Value: Const{V: 0.0}},
				loop(f, &Set{To: Ref{f.acc}, Op: "+=", Value: entry(f.buf, f)}),
				loop(f, &Set{To: entry(f.dRaw, f), Op: "=", Value: Mul(Ref{f.acc}, entry(f.xRaw, f))}))
		}, 2},
		{"a whole read of a filled buffer does not", func(f *fixture) []Step {
			return append(f.prologue(), fillBuf(f),
				loop(f, &Set{To: entry(f.dRaw, f), Op: "=", Value: Fn(Blas64Path, "Asum", Ref{f.buf})}))
		}, 2},
		{"a declaration reading what the first loop wrote stops it", func(f *fixture) []Step {
			return append(f.prologue(), fillBuf(f),
				&Let{Vars: []*Value{f.t}, Value: Fn(Blas64Path, "Asum", Ref{f.buf})},
				loop(f, &Set{To: entry(f.dRaw, f), Op: "=", Value: Mul(Ref{f.t}, entry(f.buf, f))}))
		}, 2},
		{"a call between stops it", func(f *fixture) []Step {
			return append(f.prologue(), fillBuf(f),
				&Do{Call: Fn(RuntimePath, "Touch", Ref{f.xRaw})},
				loop(f, &Set{To: entry(f.dRaw, f), Op: "=", Value: entry(f.buf, f)}))
		}, 2},
		{"a reader of a buffer the first loop fills at another iteration's entry does not", func(f *fixture) []Step {
			j := NewValue("j", Int, Index)
			m := &Value{Name: "M", Kind: Matrix, Owner: Workspace, Shape: derive.Square(f.n), Contiguous: true}
			d := &Value{Name: "D", Kind: Matrix, Owner: Workspace, Shape: derive.Square(f.n), Contiguous: true}
			sq := func(body ...Step) *Loop {
				return &Loop{Shape: derive.Square(f.n), I: f.i, J: j, Rows: Ref{f.m}, Cols: Ref{f.m}, Body: body, Fusible: true}
			}
			steps := append(f.prologue(), f.fill()...)
			return append(steps,
				&Let{Vars: []*Value{m}, Value: Fn(RuntimePath, "Mat", Ref{f.m}, Ref{f.m})},
				&Let{Vars: []*Value{d}, Value: Fn(RuntimePath, "Mat", Ref{f.m}, Ref{f.m})},
				sq(&Set{To: At{V: m, I: Ref{j}, J: Ref{f.i}}, Op: "=", Value: Lit(1)}), // a joint kernel's partner over aᵀ
				sq(&Set{To: At{V: d, I: Ref{f.i}, J: Ref{j}}, Op: "=", Value: At{V: m, I: Ref{f.i}, J: Ref{j}}}),
				&Return{Value: Fn(RuntimePath, "Sum", Ref{d})})
		}, 3},
		{"a reader calling a block-kernel function on what the first loop wrote does not", func(f *fixture) []Step {
			return append(f.prologue(), fillBuf(f),
				loop(f, &Set{To: entry(f.dRaw, f), Op: "=", Value: Fn("math", "Exp", Add(entry(f.buf, f), Lit(1)))}))
		}, 2},
		{"a reader calling a block-kernel function on what the first loop wrote and on its own local joins", func(f *fixture) []Step {
			return append(f.prologue(), fillBuf(f),
				loop(f, &Let{Vars: []*Value{f.t}, Value: Mul(Lit(2), entry(f.xRaw, f))},
					&Set{To: entry(f.dRaw, f), Op: "=", Value: Fn("math", "Exp", Add(entry(f.buf, f), Ref{f.t}))}))
		}, 1},
		{"a reader calling a block-kernel function on anything else joins", func(f *fixture) []Step {
			return append(f.prologue(), fillBuf(f),
				loop(f, &Set{To: entry(f.dRaw, f), Op: "=", Value: Add(entry(f.buf, f), Fn("math", "Exp", entry(f.xRaw, f)))}))
		}, 1},
		{"a loop that is not fusible does not join", func(f *fixture) []Step {
			l := loop(f, &Set{To: entry(f.dRaw, f), Op: "=", Value: entry(f.buf, f)})
			l.Fusible = false
			return append(f.prologue(), fillBuf(f), l)
		}, 2},
		{"a body reading against the loop's order does not join", func(f *fixture) []Step {
			l := loop(f, &Set{To: entry(f.dRaw, f), Op: "=", Value: entry(f.buf, f)})
			l.Tiled = true
			return append(f.prologue(), fillBuf(f), l)
		}, 2},
		{"a first loop reading what the second writes does not", func(f *fixture) []Step {
			return append(f.prologue(),
				&Do{Call: Fn(Blas64Path, "Copy", Ref{f.xRaw}, Ref{f.buf}), Writes: []*Value{f.buf}},
				loop(f, &Set{To: entry(f.dRaw, f), Op: "=", Value: At{V: f.buf, I: Sub(Sub(Ref{f.m}, Ref{f.i}), IntLit(1))}}),
				loop(f, &Set{To: entry(f.buf, f), Op: "=", Value: entry(f.dRaw, f)}),
				&Return{Value: Fn(Blas64Path, "Asum", Ref{f.buf})})
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			got := Fuse(tt.steps(f), map[Qual]Qual{{Path: "math", Name: "Exp"}: {Path: RuntimePath, Name: "ExpTo"}}, nil)
			loops := 0
			for _, s := range got {
				if _, ok := s.(*Loop); ok {
					loops++
				}
			}
			if loops != tt.loops {
				t.Errorf("%d loops after the pass, want %d:\n%s", loops, tt.loops, render(got))
			}
			if err := Check([]*Value{f.x, f.d}, got, nil); err != nil && !strings.Contains(tt.name, "first loop reading") {
				t.Errorf("the fused plan breaks a rule: %v\n%s", err, render(got))
			}
		})
	}
}

// TestFuseKeepsComments checks the comments about a joined loop's work end
// up right above it, the declarations between the loops above them.
func TestFuseKeepsComments(t *testing.T) {
	f := newFixture()
	steps := append(f.prologue(),
		&Comment{Text: "buf = 2 x"},
		&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Fusible: true, Body: []Step{
			&Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: Mul(Lit(2), At{V: f.xRaw, I: Ref{f.i}})}}},
		&Let{Vars: []*Value{f.acc}, Value: Const{V: 0.0}},
		&Comment{Text: "acc = sum(buf)"},
		&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Fusible: true, Body: []Step{
			&Set{To: Ref{f.acc}, Op: "+=", Value: At{V: f.buf, I: Ref{f.i}}}}},
	)
	text := render(Fuse(steps, nil, nil))
	want := "acc := 0.0\n// buf = 2 x\n// acc = sum(buf)\nfor i := 0; i < n; i++ {\n\tbuf.Data[i] = 2.0 * xRaw.Data[i*xRaw.Inc]\n\tacc += buf.Data[i]\n}\n"
	if !strings.HasSuffix(text, want) {
		t.Errorf("got\n%s\nwant it to end with\n%s", text, want)
	}
}
