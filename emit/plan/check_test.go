package plan

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gradgen/gradgen/derive"
)

// fixture is the values of the small plans the checker tests build: an
// input x (n), a destination d (n) and its raw view, workspace buffers,
// scalars and loop indices.
type fixture struct {
	x, xRaw, d, dRaw, buf, buf2, acc, t, i, m *Value
	n                                         derive.Dim
}

func newFixture() *fixture {
	n := derive.Dim{Name: "n"}
	f := &fixture{n: n}
	f.x = &Value{Name: "x", Kind: Object, Owner: Input, Shape: derive.Col(n)}
	f.xRaw = &Value{Name: "xRaw", Kind: Vector, Owner: Input, Shape: derive.Col(n), Of: f.x}
	f.d = &Value{Name: "d", Kind: Object, Owner: Destination, Shape: derive.Col(n)}
	f.dRaw = &Value{Name: "dRaw", Kind: Vector, Owner: Destination, Shape: derive.Col(n), Of: f.d}
	f.buf = &Value{Name: "buf", Kind: Vector, Owner: Workspace, Shape: derive.Col(n), Contiguous: true}
	f.buf2 = &Value{Name: "buf2", Kind: Vector, Owner: Workspace, Shape: derive.Col(n), Contiguous: true}
	f.acc = NewValue("acc", Scalar, Local)
	f.t = NewValue("t", Scalar, Local)
	f.i = NewValue("i", Int, Index)
	f.m = NewValue("n", Int, Local)
	return f
}

// prologue declares n, the views and the buffer.
func (f *fixture) prologue() []Step {
	return []Step{
		&Let{Vars: []*Value{f.m}, Value: Method(Ref{f.x}, "Len")},
		&Let{Vars: []*Value{f.xRaw}, Value: Method(Ref{f.x}, "RawVector")},
		&Let{Vars: []*Value{f.dRaw}, Value: Method(Ref{f.d}, "RawVector")},
		&Let{Vars: []*Value{f.buf}, Value: Fn(RuntimePath, "Vec", Ref{f.m})},
	}
}

// fill is the loop buf[i] = x[i], then d = buf.
func (f *fixture) fill() []Step {
	return []Step{
		&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: []Step{
			&Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: At{V: f.xRaw, I: Ref{f.i}}},
		}},
		&Do{Call: Fn(Blas64Path, "Copy", Ref{f.buf}, Ref{f.dRaw}), Writes: []*Value{f.dRaw}},
	}
}

// TestCheckRules breaks each invariant on purpose and checks the checker
// names it; a plan that keeps them all passes.
func TestCheckRules(t *testing.T) {
	tests := []struct {
		name  string
		steps func(f *fixture) []Step
		rule  string // "" for a plan that keeps every rule
	}{
		{"a plan that keeps every rule", func(f *fixture) []Step {
			return append(f.prologue(), f.fill()...)
		}, ""},
		{"a value used before it is declared", func(f *fixture) []Step {
			return append([]Step{&Do{Call: Fn(RuntimePath, "Check", Ref{f.m})}}, append(f.prologue(), f.fill()...)...)
		}, RuleDeclared},
		{"a name declared twice", func(f *fixture) []Step {
			return append(append(f.prologue(), &Let{Vars: []*Value{NewValue("buf", Scalar, Local)}, Value: Lit(1)}), f.fill()...)
		}, RuleDeclared},
		{"a buffer read before it is written", func(f *fixture) []Step {
			return append(f.prologue(), &Do{Call: Fn(Blas64Path, "Copy", Ref{f.buf}, Ref{f.dRaw}), Writes: []*Value{f.dRaw}})
		}, RuleWrittenBeforeRead},
		{"an entry read before the statement that writes it", func(f *fixture) []Step {
			return append(f.prologue(),
				&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: []Step{
					&Set{To: At{V: f.dRaw, I: Ref{f.i}}, Op: "=", Value: At{V: f.buf, I: Ref{f.i}}},
					&Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: At{V: f.xRaw, I: Ref{f.i}}},
				}})
		}, RuleWrittenBeforeRead},
		{"an entry read in its loop where another iteration writes it", func(f *fixture) []Step {
			j := NewValue("j", Int, Index)
			m := &Value{Name: "M", Kind: Matrix, Owner: Workspace, Shape: derive.Square(f.n), Contiguous: true}
			d := &Value{Name: "D", Kind: Matrix, Owner: Workspace, Shape: derive.Square(f.n), Contiguous: true}
			steps := append(f.prologue(), f.fill()...)
			return append(steps,
				&Let{Vars: []*Value{m}, Value: Fn(RuntimePath, "Mat", Ref{f.m}, Ref{f.m})},
				&Let{Vars: []*Value{d}, Value: Fn(RuntimePath, "Mat", Ref{f.m}, Ref{f.m})},
				&Loop{Shape: derive.Square(f.n), I: f.i, J: j, Rows: Ref{f.m}, Cols: Ref{f.m}, Body: []Step{
					&Set{To: At{V: m, I: Ref{j}, J: Ref{f.i}}, Op: "=", Value: Lit(1)}, // filled at (j, i)
					&Set{To: At{V: d, I: Ref{f.i}, J: Ref{j}}, Op: "=", Value: At{V: m, I: Ref{f.i}, J: Ref{j}}},
				}},
				&Return{Value: Fn(RuntimePath, "Sum", Ref{d})})
		}, RuleWrittenBeforeRead},
		{"a filled buffer read whole in its loop", func(f *fixture) []Step {
			return append(f.prologue(),
				&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: []Step{
					&Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: At{V: f.xRaw, I: Ref{f.i}}},
					&Set{To: At{V: f.dRaw, I: Ref{f.i}}, Op: "=", Value: Fn(Blas64Path, "Asum", Ref{f.buf})},
				}})
		}, RuleWrittenBeforeRead},
		{"a sum read in the loop that accumulates it", func(f *fixture) []Step {
			return append(f.prologue(),
				&Let{Vars: []*Value{f.acc}, Value: Const{V: 0.0}},
				&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: []Step{
					&Set{To: Ref{f.acc}, Op: "+=", Value: At{V: f.xRaw, I: Ref{f.i}}},
					&Set{To: At{V: f.dRaw, I: Ref{f.i}}, Op: "=", Value: Mul(Ref{f.acc}, At{V: f.xRaw, I: Ref{f.i}})},
				}})
		}, RuleReductionRead},
		{"a destination never written", func(f *fixture) []Step {
			return append(f.prologue(), f.fill()[0], &Return{Value: Fn(Blas64Path, "Asum", Ref{f.buf})})
		}, RuleDestination},
		{"a destination written twice", func(f *fixture) []Step {
			return append(append(f.prologue(), f.fill()...), &Do{Call: Method(Ref{f.d}, "Zero"), Writes: []*Value{f.d}})
		}, RuleDestination},
		{"a destination added to before it is written", func(f *fixture) []Step {
			steps := append(f.prologue(), f.fill()[0])
			return append(steps, &Do{Call: Fn(Blas64Path, "Axpy", Const{V: 1}, Ref{f.buf}, Ref{f.dRaw}), Updates: []*Value{f.dRaw}})
		}, RuleDestination},
		{"an input written", func(f *fixture) []Step {
			return append(append(f.prologue(), f.fill()...), &Do{Call: Method(Ref{f.x}, "Zero"), Writes: []*Value{f.x}})
		}, RuleDestination},
		{"a declared name never read", func(f *fixture) []Step {
			return append(append(f.prologue(), &Let{Vars: []*Value{f.t}, Value: Lit(1)}), f.fill()...)
		}, RuleUsed},
		{"a buffer written and never read", func(f *fixture) []Step {
			steps := append(f.prologue(), &Let{Vars: []*Value{f.buf2}, Value: Fn(RuntimePath, "Vec", Ref{f.m})},
				&Do{Call: Fn(Blas64Path, "Copy", Ref{f.xRaw}, Ref{f.buf2}), Writes: []*Value{f.buf2}})
			return append(steps, f.fill()...)
		}, RuleUsed},
		{"a BLAS call whose shapes disagree", func(f *fixture) []Step {
			m := &Value{Name: "M", Kind: Matrix, Owner: Input, Shape: derive.Shape{Rows: derive.Dim{Name: "k"}, Cols: f.n}, Of: f.x}
			steps := append(f.prologue(), &Let{Vars: []*Value{m}, Value: Method(Ref{f.x}, "RawMatrix")})
			return append(steps, &Do{Call: Fn(Blas64Path, "Gemv", Ref{m}, Ref{f.xRaw}, Ref{f.dRaw}), Writes: []*Value{f.dRaw},
				Blas: &Blas{Routine: "Gemv", A: m, B: f.xRaw, C: f.dRaw}})
		}, RuleShapes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			err := Check([]*Value{f.x, f.d}, tt.steps(f), map[*Value]string{f.buf: "buf"})
			var v *Violation
			switch {
			case tt.rule == "" && err != nil:
				t.Fatalf("a plan that keeps every rule: %v\n%s", err, render(tt.steps(newFixture())))
			case tt.rule != "" && (!errors.As(err, &v) || v.Rule != tt.rule):
				t.Fatalf("got %v, want a violation of %q", err, tt.rule)
			}
		})
	}
	t.Run("two buffers in one workspace field", func(t *testing.T) {
		f := newFixture()
		err := Check([]*Value{f.x, f.d}, append(f.prologue(), f.fill()...), map[*Value]string{f.buf: "buf", f.buf2: "buf"})
		var v *Violation
		if !errors.As(err, &v) || v.Rule != RuleStorage {
			t.Fatalf("got %v, want a violation of %q", err, RuleStorage)
		}
	})
}

// render prints steps as Go, for failure messages.
func render(steps []Step) string {
	var b strings.Builder
	for _, c := range Go(steps) {
		fmt.Fprintf(&b, "%#v\n", c)
	}
	return b.String()
}

// TestDropDeadStores checks the pass drops a buffer nothing reads, with
// the loop statements and calls that only fill it and the comment about
// it, and keeps a buffer that is read.
func TestDropDeadStores(t *testing.T) {
	f := newFixture()
	steps := append(f.prologue(),
		&Let{Vars: []*Value{f.buf2}, Value: Fn(RuntimePath, "Vec", Ref{f.m})},
		&Comment{Text: "buf2 = 2 x", About: f.buf2},
		&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: []Step{
			&Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: At{V: f.xRaw, I: Ref{f.i}}},
			&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: Mul(Lit(2), At{V: f.xRaw, I: Ref{f.i}})},
		}},
		&Do{Call: Fn(Blas64Path, "Copy", Ref{f.buf}, Ref{f.dRaw}), Writes: []*Value{f.dRaw}},
	)
	got, dropped := DropDeadStores(steps)
	if len(dropped) != 1 || dropped[0] != f.buf2 {
		t.Fatalf("dropped %v, want buf2 alone", dropped)
	}
	text := render(got)
	if strings.Contains(text, "buf2") || !strings.Contains(text, "buf.Data[i] = xRaw") {
		t.Errorf("after the pass:\n%s", text)
	}
	if err := Check([]*Value{f.x, f.d}, got, nil); err != nil {
		t.Errorf("the plan after the pass breaks a rule: %v", err)
	}
}

// TestDropUnread checks the pass drops pure declarations nothing reads,
// transitively, and spells unread names of kept ones _.
func TestDropUnread(t *testing.T) {
	f := newFixture()
	rows, cols := NewValue("rows", Int, Local), NewValue("cols", Int, Local)
	view := &Value{Name: "view", Kind: Matrix, Owner: Input, Of: f.x}
	steps := []Step{
		&Let{Vars: []*Value{rows, cols}, Value: Method(Ref{f.x}, "Dims"), Pure: true},
		&Let{Vars: []*Value{view}, Value: Fn(RuntimePath, "View", Ref{cols}), Pure: true}, // unread: dropped, and cols with it
		&Return{Value: Ref{rows}},
	}
	text := render(DropUnread(steps))
	if want := "rows, _ := x.Dims()\nreturn rows\n"; text != want {
		t.Errorf("got\n%s\nwant\n%s", text, want)
	}
}
