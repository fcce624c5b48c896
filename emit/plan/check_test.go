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
		{"a call's scratch buffer, read by the call alone", func(f *fixture) []Step {
			steps := append(f.prologue(), &Let{Vars: []*Value{f.buf2}, Value: Fn(RuntimePath, "Vec", Ref{f.m})})
			return append(steps, f.fill()[0],
				&Do{Call: Fn(RuntimePath, "Scaled", Ref{f.buf}, Ref{f.dRaw}, Ref{f.buf2}), Writes: []*Value{f.dRaw}, Scratch: []*Value{f.buf2}})
		}, ""},
		{"an input as a call's scratch", func(f *fixture) []Step {
			return append(append(f.prologue(), f.fill()[0]),
				&Do{Call: Fn(RuntimePath, "Scaled", Ref{f.buf}, Ref{f.dRaw}, Ref{f.xRaw}), Writes: []*Value{f.dRaw}, Scratch: []*Value{f.xRaw}})
		}, RuleDeclared},
		{"a call's operand as its own scratch", func(f *fixture) []Step {
			return append(append(f.prologue(), f.fill()[0]),
				&Do{Call: Fn(RuntimePath, "Scaled", Ref{f.buf}, Ref{f.dRaw}, Ref{f.buf}), Writes: []*Value{f.dRaw}, Scratch: []*Value{f.buf}})
		}, RuleWrittenBeforeRead},
		{"a call's result as its own scratch", func(f *fixture) []Step {
			steps := append(f.prologue(), &Let{Vars: []*Value{f.buf2}, Value: Fn(RuntimePath, "Vec", Ref{f.m})})
			return append(steps, f.fill()[0],
				&Do{Call: Fn(RuntimePath, "Scaled", Ref{f.buf}, Ref{f.buf2}), Writes: []*Value{f.buf2}, Scratch: []*Value{f.buf2}},
				&Do{Call: Fn(Blas64Path, "Copy", Ref{f.buf}, Ref{f.dRaw}), Writes: []*Value{f.dRaw}})
		}, RuleWrittenBeforeRead},
		{"a scratch buffer read after the call", func(f *fixture) []Step {
			steps := append(f.prologue(), &Let{Vars: []*Value{f.buf2}, Value: Fn(RuntimePath, "Vec", Ref{f.m})})
			return append(steps, f.fill()[0],
				&Do{Call: Fn(RuntimePath, "Scaled", Ref{f.buf}, Ref{f.dRaw}, Ref{f.buf2}), Writes: []*Value{f.dRaw}, Scratch: []*Value{f.buf2}},
				&Return{Value: Fn(Blas64Path, "Asum", Ref{f.buf2})})
		}, RuleWrittenBeforeRead},
		{"a buffer reusing the storage of one read only at the entry it is about to write", func(f *fixture) []Step {
			return f.reuse(func(r *Value) []Step {
				return []Step{&Set{To: At{V: r, I: Ref{f.i}}, Op: "=", Value: Mul(Lit(2), At{V: f.buf, I: Ref{f.i}})}}
			}, nil)
		}, ""},
		{"a reused buffer read after the loop", func(f *fixture) []Step {
			return f.reuse(func(r *Value) []Step {
				return []Step{&Set{To: At{V: r, I: Ref{f.i}}, Op: "=", Value: Mul(Lit(2), At{V: f.buf, I: Ref{f.i}})}}
			}, &Return{Value: Fn(Blas64Path, "Asum", Ref{f.buf})})
		}, RuleReuse},
		{"a reused buffer's entry read after the reusing one wrote it", func(f *fixture) []Step {
			return f.reuse(func(r *Value) []Step {
				return []Step{
					&Set{To: At{V: r, I: Ref{f.i}}, Op: "=", Value: Mul(Lit(2), At{V: f.xRaw, I: Ref{f.i}})},
					&Set{To: At{V: f.dRaw, I: Ref{f.i}}, Op: "=", Value: At{V: f.buf, I: Ref{f.i}}},
				}
			}, nil)
		}, RuleReuse},
		{"a reused buffer's entry read that another iteration writes", func(f *fixture) []Step {
			return f.reuse(func(r *Value) []Step {
				last := Sub(Ref{f.m}, Add(Ref{f.i}, IntLit(1)))
				return []Step{&Set{To: At{V: r, I: Ref{f.i}}, Op: "=", Value: At{V: f.buf, I: last}}}
			}, nil)
		}, RuleReuse},
		{"a reusing buffer written by a call that reads the buffer it reuses", func(f *fixture) []Step {
			r := &Value{Name: "r", Kind: Vector, Owner: Workspace, Shape: derive.Col(f.n), Contiguous: true, Of: f.buf, Reuse: true}
			steps := append(f.prologue(), f.fill()...)
			return append(steps, &Let{Vars: []*Value{r}, Value: Ref{f.buf}, Pure: true},
				&Do{Call: Fn(Blas64Path, "Copy", Ref{f.buf}, Ref{r}), Writes: []*Value{r}},
				&Return{Value: Fn(Blas64Path, "Asum", Ref{r})})
		}, RuleReuse},
		{"a reusing buffer written in place by a call that may", func(f *fixture) []Step {
			r := &Value{Name: "r", Kind: Vector, Owner: Workspace, Shape: derive.Col(f.n), Contiguous: true, Of: f.buf, Reuse: true}
			steps := append(f.prologue(), f.fill()...)
			return append(steps, &Let{Vars: []*Value{r}, Value: Ref{f.buf}, Pure: true},
				&Do{Call: Fn(RuntimePath, "SoftmaxTo", Ref{r}, Ref{f.buf}), Writes: []*Value{r}, InPlace: true},
				&Return{Value: Fn(Blas64Path, "Asum", Ref{r})})
		}, ""},
		{"two buffers in one storage filled by one loop", func(f *fixture) []Step {
			return f.reuse(func(r *Value) []Step {
				return []Step{
					&Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: At{V: f.xRaw, I: Ref{f.i}}},
					&Set{To: At{V: r, I: Ref{f.i}}, Op: "=", Value: Mul(Lit(2), At{V: f.buf, I: Ref{f.i}})},
				}
			}, nil)
		}, RuleReuse},
		{"a check run only when its condition holds", func(f *fixture) []Step {
			data := func(v *Value) Expr { return Field{X: Method(Ref{v}, "RawVector"), Name: "Data"} }
			cond := AnyOf{Not(Fn(RuntimePath, "Apart", data(f.x), data(f.d)))}
			steps := append(f.prologue(), &Block{If: cond, Body: []Step{&Do{Call: Fn(RuntimePath, "CheckNoAlias", Ref{f.x}, Ref{f.d})}}})
			return append(steps, f.fill()...)
		}, ""},
		{"a buffer written only when a condition holds", func(f *fixture) []Step {
			steps := append(f.prologue(), &Block{If: Ref{f.t}, Body: f.fill()})
			return append([]Step{&Let{Vars: []*Value{f.t}, Value: Const{V: true}}}, steps...)
		}, RuleWrittenBeforeRead},
		{"a loop that writes only the diagonal of the matrix it fills", func(f *fixture) []Step {
			m := &Value{Name: "M", Kind: Matrix, Owner: Workspace, Shape: derive.Square(f.n), Contiguous: true}
			steps := append(f.prologue(), f.fill()...)
			return append(steps,
				&Let{Vars: []*Value{m}, Value: Fn(RuntimePath, "Mat", Ref{f.m}, Ref{f.m})},
				&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: []Step{
					&Set{To: At{V: m, I: Ref{f.i}, J: Ref{f.i}}, Op: "=", Value: At{V: f.xRaw, I: Ref{f.i}}},
				}},
				&Return{Value: Fn(RuntimePath, "Sum", Ref{m})})
		}, RuleWrittenBeforeRead},
		{"a loop over another dimension than the buffer it fills", func(f *fixture) []Step {
			k := NewValue("k", Int, Local)
			return append(append(f.prologue(), &Let{Vars: []*Value{k}, Value: Lit(3)}),
				&Loop{Shape: derive.Col(derive.Dim{Name: "k"}), I: f.i, Rows: Ref{k}, Body: []Step{
					&Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: Lit(1)},
				}},
				&Do{Call: Fn(Blas64Path, "Copy", Ref{f.buf}, Ref{f.dRaw}), Writes: []*Value{f.dRaw}})
		}, RuleWrittenBeforeRead},
		{"a buffer filled in row panels", func(f *fixture) []Step {
			return append(f.prologue(), f.panels(true)...)
		}, ""},
		{"row panels whose last end is not clamped to the rows", func(f *fixture) []Step {
			return append(f.prologue(), f.panels(false)...)
		}, RuleWrittenBeforeRead},
		{"a buffer filled and a sum formed in parts run at once", func(f *fixture) []Step {
			return append(f.prologue(), f.parallel("")...)
		}, ""},
		{"parts that add into one scalar", func(f *fixture) []Step {
			return append(f.prologue(), f.parallel("shared sum")...)
		}, RuleParallel},
		{"parts that write an entry outside their rows", func(f *fixture) []Step {
			return append(f.prologue(), f.parallel("entry 0")...)
		}, RuleParallel},
		{"parts that write a buffer whole by BLAS", func(f *fixture) []Step {
			return append(f.prologue(), f.parallel("whole")...)
		}, RuleParallel},
		{"parts that run a block kernel over their panel's rows of a buffer", func(f *fixture) []Step {
			return append(f.prologue(), f.parallel("panel kernel")...)
		}, ""},
		{"parts that run a block kernel on a buffer with no view of their panel", func(f *fixture) []Step {
			return append(f.prologue(), f.parallel("panel kernel without its view")...)
		}, RuleParallel},
		{"parts that read, outside their rows, what a kernel of theirs writes", func(f *fixture) []Step {
			return append(f.prologue(), f.parallel("kernel read at 0")...)
		}, RuleParallel},
		{"a destination filled twice by two loops in one loop", func(f *fixture) []Step {
			r := NewValue("r", Int, Index)
			fill := func() Step {
				return &Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: []Step{
					&Set{To: At{V: f.dRaw, I: Ref{f.i}}, Op: "=", Value: At{V: f.xRaw, I: Ref{f.i}}},
				}}
			}
			return append(f.prologue()[:3], &For{Var: r, From: IntLit(0), To: IntLit(1), Body: []Step{fill(), fill()}})
		}, RuleDestination},
		{"a matrix filled entry by entry in parts of its rows", func(f *fixture) []Step {
			return append(f.prologue()[:3], f.rowParts("")...)
		}, ""},
		{"parts that write a matrix at rows other parts run", func(f *fixture) []Step {
			return append(f.prologue()[:3], f.rowParts("transposed")...)
		}, RuleParallel},
		{"parts that write a matrix through a view of part of it", func(f *fixture) []Step {
			return append(f.prologue()[:3], f.rowParts("part view")...)
		}, RuleParallel},
		{"parts that run a block kernel whose panel view is of another buffer", func(f *fixture) []Step {
			return append(f.prologue(), f.parallel("panel kernel on a view of another")...)
		}, RuleParallel},
		{"a parallel loop that skips part 0", func(f *fixture) []Step {
			return append(f.prologue(), f.parallel("from 1")...)
		}, RuleParallel},
		{"panels of a part clamped to all the rows, not the part's", func(f *fixture) []Step {
			return append(f.prologue(), f.parallel("clamp n")...)
		}, RuleWrittenBeforeRead},
		{"panels of a part from its first row to its first row", func(f *fixture) []Step {
			return append(f.prologue(), f.parallel("panels lo…lo")...)
		}, RuleWrittenBeforeRead},
		{"parts that write at an index computed from the part", func(f *fixture) []Step {
			return append(f.prologue(), f.parallel("index from the part")...)
		}, RuleParallel},
		{"parts that add into a buffer through a copy of its view", func(f *fixture) []Step {
			return append(f.prologue(), f.parallel("alias")...)
		}, RuleParallel},
		{"a sum read in its loop, a scalar of its name declared in an inner block", func(f *fixture) []Step {
			inner := f.acc // declared again in the block, as Go allows
			return append(f.prologue(),
				&Let{Vars: []*Value{f.acc}, Value: Lit(0)},
				&Let{Vars: []*Value{f.t}, Value: Lit(0)},
				&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: []Step{
					&Block{Body: []Step{
						&Let{Vars: []*Value{inner}, Value: Lit(0)},
						&Set{To: Ref{inner}, Op: "+=", Value: Lit(1)},
						&Set{To: Ref{f.t}, Op: "+=", Value: Ref{inner}},
					}},
					&Set{To: Ref{f.acc}, Op: "+=", Value: At{V: f.xRaw, I: Ref{f.i}}},
					&Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: Ref{f.acc}},
				}},
				&Do{Call: Fn(Blas64Path, "Copy", Ref{f.buf}, Ref{f.dRaw}), Writes: []*Value{f.dRaw}},
				&Return{Value: Add(Ref{f.acc}, Ref{f.t})})
		}, RuleReductionRead},
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

// panels fills buf in row panels of 8, for r0 := 0; r0 < n; r0 += 8,
// each from r0 to r1 = r0 + 8, clamped to n when clamped, then d = buf.
func (f *fixture) panels(clamped bool) []Step {
	r0, r1 := NewValue("r0", Int, Index), NewValue("r1", Int, Local)
	body := []Step{&Let{Vars: []*Value{r1}, Value: Add(Ref{r0}, IntLit(8))}}
	if clamped {
		body = append(body, &Clamp{V: r1, Max: Ref{f.m}})
	}
	body = append(body, &For{Var: f.i, From: Ref{r0}, To: Ref{r1}, Body: []Step{
		&Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: At{V: f.xRaw, I: Ref{f.i}}},
	}})
	return []Step{
		&For{Var: r0, From: IntLit(0), To: Ref{f.m}, Step: IntLit(8), Body: body},
		&Do{Call: Fn(Blas64Path, "Copy", Ref{f.buf}, Ref{f.dRaw}), Writes: []*Value{f.dRaw}},
	}
}

// parallel fills buf and sums x in parts run at once, each over panels
// of 8 of its rows lo … hi−1 (a parallel For), then d = buf, t = the
// sum of the parts' sums; mutation breaks it: "shared sum" adds into a
// scalar declared outside, "entry 0" writes buf[0] too, "index from the
// part" writes buf[lo·0], "alias" adds to buf2 through a copy of it,
// "whole" copies into buf whole, "from 1" starts at part 1, "clamp n"
// clamps a panel's end to n, "panels lo…lo" runs panels from lo to lo.
func (f *fixture) parallel(mutation string) []Step {
	parts, part := NewValue("parts", Int, Local), NewValue("part", Int, Index)
	lo, hi := NewValue("lo", Int, Local), NewValue("hi", Int, Local)
	ws := NewValue("ws", Object, Local)
	sums := &Value{Name: "sums", Kind: Vector, Owner: Workspace, Shape: derive.Col(derive.Dim{Name: "parts"}), Contiguous: true}
	r0, r1 := NewValue("r0", Int, Index), NewValue("r1", Int, Local)
	sumPart, total := NewValue("sumPart", Scalar, Local), NewValue("total", Scalar, Local)
	bound := Expr(Ref{hi})
	if mutation == "clamp n" {
		bound = Ref{f.m}
	}
	into := sumPart
	if mutation == "shared sum" {
		into = f.t
	}
	inner := []Step{
		&Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: At{V: f.xRaw, I: Ref{f.i}}},
		&Set{To: Ref{into}, Op: "+=", Value: At{V: f.xRaw, I: Ref{f.i}}},
	}
	j := NewValue("j", Int, Local)
	switch mutation {
	case "entry 0":
		inner = append(inner, &Set{To: At{V: f.buf, I: IntLit(0)}, Op: "=", Value: Lit(1)})
	case "index from the part":
		inner = append(inner, &Let{Vars: []*Value{j}, Value: Mul(Ref{lo}, IntLit(0))},
			&Set{To: At{V: f.buf, I: Ref{j}}, Op: "=", Value: Lit(1)})
	case "kernel read at 0":
		inner = append(inner, &Set{To: Ref{sumPart}, Op: "+=", Value: At{V: f.buf2, I: IntLit(0)}})
	case "alias":
		alias := NewValue("alias", Vector, Local)
		inner = append(inner, &Let{Vars: []*Value{alias}, Value: Ref{f.buf2}},
			&Set{To: Elem{X: Field{X: Ref{alias}, Name: "Data"}, I: IntLit(0)}, Op: "+=", Value: Lit(1)})
	}
	panel := []Step{
		&Let{Vars: []*Value{r1}, Value: Add(Ref{r0}, IntLit(8))},
		&Clamp{V: r1, Max: bound},
	}
	if mutation == "kernel read at 0" {
		// buf2's rows of the panel, exp of x's, by a block kernel.
		view := &Value{Name: f.buf2.Name, Kind: Vector, Owner: Workspace, Shape: derive.Col(derive.Dim{Name: "r0…r1"}), Of: f.buf2, Part: true}
		rows := func(v *Value) Expr { return Slice{X: Field{X: Ref{v}, Name: "Data"}, Lo: Ref{r0}, Hi: Ref{r1}} }
		panel = append(panel, &Do{Call: Fn(RuntimePath, "ExpTo", rows(f.buf2), rows(f.xRaw)), Writes: []*Value{f.buf2}, Panel: []*Value{view}})
	}
	panel = append(panel, &For{Var: f.i, From: Ref{r0}, To: Ref{r1}, Body: inner})
	switch mutation {
	case "whole":
		panel = append(panel, &Do{Call: Fn(Blas64Path, "Copy", Ref{f.xRaw}, Ref{f.buf}), Writes: []*Value{f.buf}})
	case "panel kernel", "panel kernel without its view", "panel kernel on a view of another":
		// exp of the panel's entries of buf, in place, by a block kernel.
		rows := Slice{X: Field{X: Ref{f.buf}, Name: "Data"}, Lo: Ref{r0}, Hi: Ref{r1}}
		of := f.buf
		if mutation == "panel kernel on a view of another" {
			of = f.xRaw
		}
		view := &Value{Name: f.buf.Name, Kind: Vector, Owner: Workspace, Shape: derive.Col(derive.Dim{Name: "r0…r1"}), Of: of, Part: true}
		do := &Do{Call: Fn(RuntimePath, "ExpTo", rows, rows), Writes: []*Value{f.buf}, Panel: []*Value{view}}
		if mutation == "panel kernel without its view" {
			do.Panel = nil
		}
		panel = append(panel, do)
	}
	panelsTo := hi
	if mutation == "panels lo…lo" {
		panelsTo = lo
		bound = Ref{lo}
	}
	from := Expr(IntLit(0))
	if mutation == "from 1" {
		from = IntLit(1)
	}
	var before []Step
	if mutation == "kernel read at 0" {
		before = []Step{&Let{Vars: []*Value{f.buf2}, Value: Fn(RuntimePath, "Vec", Ref{f.m})}}
	}
	if mutation == "alias" {
		before = []Step{
			&Let{Vars: []*Value{f.buf2}, Value: Fn(RuntimePath, "Vec", Ref{f.m})},
			&Do{Call: Fn(Blas64Path, "Copy", Ref{f.xRaw}, Ref{f.buf2}), Writes: []*Value{f.buf2}},
		}
	}
	return append(before,
		&Let{Vars: []*Value{ws}, Value: Fn(RuntimePath, "Get")},
		&Let{Vars: []*Value{f.t}, Value: Lit(0)},
		&Let{Vars: []*Value{parts}, Value: Fn(RuntimePath, "PanelParts", Ref{f.m}, IntLit(1))},
		&Let{Vars: []*Value{sums}, Value: Fn(RuntimePath, "Vec", Ref{parts})},
		&For{Var: part, From: from, To: Ref{parts}, Parallel: &Parallel{Lo: lo, Hi: hi, Rows: Ref{f.m}, Workspace: ws, Field: "shared", Type: "shared"},
			Body: []Step{
				&Let{Vars: []*Value{sumPart}, Value: Lit(0)},
				&For{Var: r0, From: Ref{lo}, To: Ref{panelsTo}, Step: IntLit(8), Body: panel},
				&Set{To: At{V: sums, I: Ref{part}}, Op: "=", Value: Ref{sumPart}},
			}},
		&Do{Call: Fn(Blas64Path, "Copy", Ref{f.buf}, Ref{f.dRaw}), Writes: []*Value{f.dRaw}},
		&Let{Vars: []*Value{total}, Value: Add(Ref{f.t}, Fn(RuntimePath, "SumParts", Ref{sums}))},
		&Return{Value: Ref{total}},
	)
}

// rowParts fills the n×n matrix M, M[i, j] = x[i]·x[j], in parts of its
// rows run at once, as emit's parallelLoops prints an elementwise loop,
// then returns its sum; mutation breaks it: "transposed" writes M[j, i],
// "part view" writes through a view of rows of M.
func (f *fixture) rowParts(mutation string) []Step {
	parts, part := NewValue("parts", Int, Local), NewValue("part", Int, Index)
	lo, hi := NewValue("lo", Int, Local), NewValue("hi", Int, Local)
	ws := NewValue("ws", Object, Local)
	j := NewValue("j", Int, Index)
	m := &Value{Name: "M", Kind: Matrix, Owner: Workspace, Shape: derive.Square(f.n), Contiguous: true}
	to := At{V: m, I: Ref{f.i}, J: Ref{j}}
	switch mutation {
	case "transposed":
		to = At{V: m, I: Ref{j}, J: Ref{f.i}}
	}
	steps := []Step{
		&Let{Vars: []*Value{ws}, Value: Fn(RuntimePath, "Get")},
		&Let{Vars: []*Value{m}, Value: Fn(RuntimePath, "Mat", Ref{f.m}, Ref{f.m})},
	}
	if mutation == "part view" {
		// Rows 1 … n of M (of n+1 rows): its row i is M's row i+1.
		to.V = &Value{Name: "below", Kind: Matrix, Owner: Workspace, Shape: derive.Square(f.n), Of: m, Part: true}
		m.Shape = derive.Shape{Rows: derive.Dim{Name: "n+1"}, Cols: f.n}
		steps[1] = &Let{Vars: []*Value{m}, Value: Fn(RuntimePath, "Mat", Add(Ref{f.m}, IntLit(1)), Ref{f.m})}
		steps = append(steps, &Do{Call: Fn(RuntimePath, "ZeroMatrix", Ref{m}), Writes: []*Value{m}},
			&Let{Vars: []*Value{to.V}, Value: Fn(RuntimePath, "RowPanel", Ref{m}, IntLit(1), Add(Ref{f.m}, IntLit(1)))})
	}
	return append(steps,
		&Let{Vars: []*Value{parts}, Value: Fn(RuntimePath, "LoopParts", Ref{f.m}, Ref{f.m})},
		&For{Var: part, From: IntLit(0), To: Ref{parts}, Parallel: &Parallel{Lo: lo, Hi: hi, Rows: Ref{f.m}, Workspace: ws, Field: "loop", Type: "loop"},
			Body: []Step{&For{Var: f.i, From: Ref{lo}, To: Ref{hi}, Body: []Step{
				&For{Var: j, From: IntLit(0), To: Ref{f.m}, Body: []Step{
					&Set{To: to, Op: "=", Value: Mul(At{V: f.xRaw, I: Ref{f.i}}, At{V: f.xRaw, I: Ref{j}})},
				}},
			}}}},
		&Do{Call: Fn(Blas64Path, "Copy", Ref{f.xRaw}, Ref{f.dRaw}), Writes: []*Value{f.dRaw}},
		&Return{Value: Fn(RuntimePath, "Sum", Ref{to.V})},
	)
}

// reuse is the plan: fill buf, d = buf, then r (in buf's storage) filled
// by a loop with body over r, then last when set, else return sum(r).
func (f *fixture) reuse(body func(r *Value) []Step, last Step) []Step {
	r := &Value{Name: "r", Kind: Vector, Owner: Workspace, Shape: derive.Col(f.n), Contiguous: true, Of: f.buf, Reuse: true}
	steps := append(f.prologue(), f.fill()...)
	steps = append(steps, &Let{Vars: []*Value{r}, Value: Ref{f.buf}, Pure: true},
		&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: body(r)})
	if last == nil {
		last = &Return{Value: Fn(Blas64Path, "Asum", Ref{r})}
	}
	return append(steps, last)
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

// TestDropDeadStoresJointKernel checks the pass on a joint block kernel
// (softplus into sp, σ into sig): a pure local read only by a dead store
// goes with it, then the result's buffer, and the kernel of the other
// result alone (Do.Alone) takes the joint call's place with its comment;
// with both results read the call stays, with neither it goes, comment
// and all. Each case's plan keeps every rule after the pass.
func TestDropDeadStoresJointKernel(t *testing.T) {
	tests := []struct {
		name          string
		readSp, readG bool
		want, absent  []string
	}{
		{"softplus dropped", false, true, []string{"runtime.SigmoidTo(sig.Data, xRaw.Data)", "// sig = Sigmoid(x)"}, []string{"sp", "SoftplusSigmoid", "neg"}},
		{"sigmoid dropped", true, false, []string{"runtime.SoftplusTo(sp.Data, xRaw.Data)", "// sp = Softplus(x)"}, []string{"sig", "SoftplusSigmoid", "neg"}},
		{"both read", true, true, []string{"runtime.SoftplusSigmoidTo(sp.Data, sig.Data, xRaw.Data)", "// sp, sig = SoftplusSigmoid(x)"}, []string{"neg"}},
		{"neither read", false, false, nil, []string{"sp", "sig", "SoftplusSigmoid", "SigmoidTo", "SoftplusTo", "neg", "x)"}},
		// sp unread from the start, sig's one reader dead a round later:
		// σ's kernel alone replaces the joint one, then goes too.
		{"sigmoid dropped later", false, false, nil, []string{"sp", "sig", "SoftplusSigmoid", "SigmoidTo", "SoftplusTo", "neg", "x)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			buffer := func(name string) *Value {
				return &Value{Name: name, Kind: Vector, Owner: Workspace, Shape: derive.Col(f.n), Contiguous: true}
			}
			sp, sig, neg := buffer("sp"), buffer("sig"), buffer("neg")
			spEntry, sigEntry := NewValue("spEntry", Scalar, Local), NewValue("sigEntry", Scalar, Local)
			data := func(v *Value) Expr { return Field{X: Ref{v}, Name: "Data"} }
			kernel := func(doc, name string, outs ...*Value) *Do {
				args := []Expr{}
				for _, o := range outs {
					args = append(args, data(o))
				}
				return &Do{Call: Fn(RuntimePath, name, append(args, data(f.xRaw))...), Writes: outs, Doc: &Comment{Text: doc}}
			}
			joint := kernel("sp, sig = SoftplusSigmoid(x)", "SoftplusSigmoidTo", sp, sig)
			joint.Alone = []*Do{kernel("sp = Softplus(x)", "SoftplusTo", sp), kernel("sig = Sigmoid(x)", "SigmoidTo", sig)}
			body := []Step{
				&Let{Vars: []*Value{spEntry}, Value: At{V: sp, I: Ref{f.i}}, Pure: true},
				&Let{Vars: []*Value{sigEntry}, Value: At{V: sig, I: Ref{f.i}}, Pure: true},
				&Set{To: At{V: neg, I: Ref{f.i}}, Op: "=", Value: Neg(Ref{spEntry})},
				&Set{To: At{V: neg, I: Ref{f.i}}, Op: "=", Value: Neg(Ref{sigEntry})},
			}
			neg2 := buffer("neg2")
			if tt.name == "sigmoid dropped later" {
				// Round 1 drops neg2's store and sp, round 2 neg's store,
				// round 3 sigEntry, round 4 sig and its kernel.
				body = []Step{
					&Let{Vars: []*Value{sigEntry}, Value: At{V: sig, I: Ref{f.i}}, Pure: true},
					&Set{To: At{V: neg, I: Ref{f.i}}, Op: "=", Value: Neg(Ref{sigEntry})},
					&Set{To: At{V: neg2, I: Ref{f.i}}, Op: "=", Value: At{V: neg, I: Ref{f.i}}},
				}
			}
			value := Expr(At{V: f.xRaw, I: Ref{f.i}})
			if tt.readSp {
				value = Add(value, Ref{spEntry})
			}
			if tt.readG {
				value = Add(value, Ref{sigEntry})
			}
			body = append(body, &Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: value})
			steps := append(f.prologue(),
				&Let{Vars: []*Value{sp}, Value: Fn(RuntimePath, "Vec", Ref{f.m})},
				&Let{Vars: []*Value{sig}, Value: Fn(RuntimePath, "Vec", Ref{f.m})},
				&Let{Vars: []*Value{neg}, Value: Fn(RuntimePath, "Vec", Ref{f.m})},
				&Let{Vars: []*Value{neg2}, Value: Fn(RuntimePath, "Vec", Ref{f.m})},
				joint.Doc, joint,
				&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: body},
				&Do{Call: Fn(Blas64Path, "Copy", Ref{f.buf}, Ref{f.dRaw}), Writes: []*Value{f.dRaw}},
			)
			got, _ := DropDeadStores(steps)
			text := render(got)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("no %q after the pass:\n%s", w, text)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(text, a) {
					t.Errorf("%q left after the pass:\n%s", a, text)
				}
			}
			if err := Check([]*Value{f.x, f.d}, DropUnread(got), nil); err != nil {
				t.Errorf("the plan after the pass breaks a rule: %v\n%s", err, text)
			}
		})
	}
}

// TestDropUnread checks the pass drops pure declarations nothing reads,
// transitively and at any depth, spells unread names of kept ones _, and
// drops the loops it leaves empty; a dropped Let, a kept name or a blank
// one in the wrong place changes the text.
func TestDropUnread(t *testing.T) {
	f := newFixture()
	rows, cols := NewValue("rows", Int, Local), NewValue("cols", Int, Local)
	view := &Value{Name: "view", Kind: Matrix, Owner: Input, Of: f.x}
	sp, sig := NewValue("sp", Scalar, Local), NewValue("sig", Scalar, Local)
	joint := func() *Let {
		return &Let{Vars: []*Value{sp, sig}, Value: Fn(RuntimePath, "SoftplusSigmoid", At{V: f.xRaw, I: Ref{f.i}}), Pure: true}
	}
	loop := func(body ...Step) Step {
		return &Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: body}
	}
	tests := []struct {
		name  string
		steps []Step
		want  string
	}{
		{"top level, transitively", []Step{
			&Let{Vars: []*Value{rows, cols}, Value: Method(Ref{f.x}, "Dims"), Pure: true},
			&Let{Vars: []*Value{view}, Value: Fn(RuntimePath, "View", Ref{cols}), Pure: true}, // unread: dropped, and cols with it
			&Return{Value: Ref{rows}},
		}, "rows, _ := x.Dims()\nreturn rows\n"},
		{"in a loop, one result read", []Step{
			loop(joint(), &Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: Ref{sig}}),
		}, "for i := 0; i < n; i++ {\n\t_, sig := runtime.SoftplusSigmoid(xRaw.Data[i*xRaw.Inc])\n\tbuf.Data[i] = sig\n}\n"},
		{"in a loop, one result read, each result's call alone known: that call", []Step{
			loop(func() Step {
				l := joint()
				x := At{V: f.xRaw, I: Ref{f.i}}
				l.Alone = []Expr{Fn(RuntimePath, "Softplus", x), Fn(RuntimePath, "Sigmoid", x)}
				return l
			}(), &Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: Ref{sig}}),
		}, "for i := 0; i < n; i++ {\n\tsig := runtime.Sigmoid(xRaw.Data[i*xRaw.Inc])\n\tbuf.Data[i] = sig\n}\n"},
		{"in a loop, neither result read: the loop goes too", []Step{
			loop(joint()),
			&Return{Value: Ref{f.acc}},
		}, "return acc\n"},
		{"a bound only a dropped loop read goes with it", []Step{
			&Let{Vars: []*Value{rows}, Value: Method(Ref{f.x}, "Len"), Pure: true},
			&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{rows}, Body: []Step{joint()}},
			&Return{Value: Ref{f.acc}},
		}, "return acc\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if text := render(DropUnread(tt.steps)); text != tt.want {
				t.Errorf("got\n%s\nwant\n%s", text, tt.want)
			}
		})
	}
}

// TestReuseStorage checks the pass gives a buffer the storage of one its
// first writer reads only at the entry it writes, before writing it, and
// read by nothing after, and no other; every plan it returns keeps the
// rules.
func TestReuseStorage(t *testing.T) {
	tests := []struct {
		name  string
		body  func(f *fixture) []Step // of the loop that writes buf2
		after func(f *fixture) Step
		reuse bool
	}{
		{"the entry it writes, read before the write", func(f *fixture) []Step {
			return []Step{&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: Mul(Lit(2), At{V: f.buf, I: Ref{f.i}})}}
		}, nil, true},
		{"read again after the loop", func(f *fixture) []Step {
			return []Step{&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: Mul(Lit(2), At{V: f.buf, I: Ref{f.i}})}}
		}, func(f *fixture) Step {
			return &Return{Value: Add(Fn(Blas64Path, "Asum", Ref{f.buf2}), Fn(Blas64Path, "Asum", Ref{f.buf}))}
		}, false},
		{"read after the write in the same iteration", func(f *fixture) []Step {
			return []Step{
				&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: Mul(Lit(2), At{V: f.xRaw, I: Ref{f.i}})},
				&Set{To: Ref{f.acc}, Op: "+=", Value: At{V: f.buf, I: Ref{f.i}}},
			}
		}, nil, false},
		{"read at another entry", func(f *fixture) []Step {
			return []Step{&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: At{V: f.buf, I: Sub(Ref{f.m}, Add(Ref{f.i}, IntLit(1)))}}}
		}, nil, false},
		{"read whole", func(f *fixture) []Step {
			return []Step{&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: Mul(At{V: f.buf, I: Ref{f.i}}, Fn(Blas64Path, "Asum", Ref{f.buf}))}}
		}, nil, false},
		{"written in the loop", func(f *fixture) []Step {
			return []Step{
				&Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: Lit(0)},
				&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: At{V: f.buf, I: Ref{f.i}}},
			}
		}, nil, false},
		{"an input, not a buffer", func(f *fixture) []Step {
			return []Step{&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: At{V: f.xRaw, I: Ref{f.i}}}}
		}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			steps := append(f.prologue(), f.fill()...)
			steps = append(steps, &Let{Vars: []*Value{f.acc}, Value: Const{V: 0.0}},
				&Let{Vars: []*Value{f.buf2}, Value: Fn(RuntimePath, "Vec", Ref{f.m}), Pure: true},
				&Comment{Text: "buf2 = …"},
				&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: tt.body(f)})
			last := Step(&Return{Value: Add(Ref{f.acc}, Fn(Blas64Path, "Asum", Ref{f.buf2}))})
			if tt.after != nil {
				last = &Return{Value: Add(Ref{f.acc}, tt.after(f).(*Return).Value)}
			}
			steps = append(steps, last)
			got, reused := ReuseStorage(steps)
			if want := tt.reuse; (len(reused) == 1 && reused[0] == f.buf2 && f.buf2.Of == f.buf && f.buf2.Reuse) != want {
				t.Fatalf("reused %v (buf2 of %v), want reuse %v\n%s", reused, f.buf2.Of, want, render(got))
			}
			text := render(got)
			if tt.reuse && !strings.Contains(text, "// buf is not read again: buf2 takes over its storage.\nbuf2 := buf\n// buf2 = …\nfor") {
				t.Errorf("the declaration is not above the loop's comment:\n%s", text)
			}
			if err := Check([]*Value{f.x, f.d}, got, nil); err != nil {
				t.Errorf("the plan after the pass breaks a rule: %v\n%s", err, text)
			}
		})
	}
}

// TestReuseStorageOnceALoop checks that of two buffers one loop fills,
// each from the entry of the other it is about to write after, only the
// first takes over storage: the second would share it with the first.
func TestReuseStorageOnceALoop(t *testing.T) {
	f := newFixture()
	buf3 := &Value{Name: "buf3", Kind: Vector, Owner: Workspace, Shape: derive.Col(f.n), Contiguous: true}
	steps := append(f.prologue(), f.fill()...)
	steps = append(steps, &Let{Vars: []*Value{f.acc}, Value: Const{V: 0.0}},
		&Let{Vars: []*Value{f.buf2}, Value: Fn(RuntimePath, "Vec", Ref{f.m}), Pure: true},
		&Let{Vars: []*Value{buf3}, Value: Fn(RuntimePath, "Vec", Ref{f.m}), Pure: true},
		&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: []Step{
			&Set{To: At{V: f.buf2, I: Ref{f.i}}, Op: "=", Value: Fn("math", "Exp", At{V: f.buf, I: Ref{f.i}})},
			&Set{To: Ref{f.acc}, Op: "+=", Value: At{V: f.buf2, I: Ref{f.i}}},
			&Set{To: At{V: buf3, I: Ref{f.i}}, Op: "=", Value: Sub(Lit(1), At{V: f.buf2, I: Ref{f.i}})},
		}},
		&Return{Value: Add(Ref{f.acc}, Fn(Blas64Path, "Asum", Ref{buf3}))})
	got, reused := ReuseStorage(steps)
	if len(reused) != 1 || reused[0] != f.buf2 || buf3.Reuse {
		t.Fatalf("reused %v, want buf2 alone\n%s", reused, render(got))
	}
	if err := Check([]*Value{f.x, f.d}, got, nil); err != nil {
		t.Errorf("the plan after the pass breaks a rule: %v\n%s", err, render(got))
	}
}

// TestReuseStorageInPlace checks a call that may write in place takes
// over its operand's storage once the sums that read the operand after it
// move above it, and not when a later reader is not such a sum or a step
// the sum would pass writes what it reads.
func TestReuseStorageInPlace(t *testing.T) {
	tests := []struct {
		name   string
		middle func(f *fixture) []Step // between the call and the sum over buf
		after  func(f *fixture) Expr   // returned with acc and sum(buf2)
		reuse  bool
	}{
		{"a sum moved above the call", func(f *fixture) []Step { return nil }, nil, true},
		{"a sum that cannot pass a write of what it reads", func(f *fixture) []Step {
			return []Step{&Set{To: At{V: f.buf, I: IntLit(0)}, Op: "=", Value: Lit(1)}}
		}, nil, false},
		{"a reader that is not a sum", func(f *fixture) []Step { return nil }, func(f *fixture) Expr {
			return Fn(Blas64Path, "Asum", Ref{f.buf})
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			steps := append(f.prologue(), f.fill()...)
			steps = append(steps, &Let{Vars: []*Value{f.buf2}, Value: Fn(RuntimePath, "Vec", Ref{f.m}), Pure: true},
				&Comment{Text: "buf2 = softmax(buf)"},
				&Do{Call: Fn(RuntimePath, "SoftmaxTo", Ref{f.buf2}, Ref{f.buf}), Writes: []*Value{f.buf2}, InPlace: true})
			steps = append(steps, tt.middle(f)...)
			steps = append(steps, &Let{Vars: []*Value{f.acc}, Value: Const{V: 0.0}},
				&Comment{Text: "acc = sum(buf)"},
				&Loop{Shape: derive.Col(f.n), I: f.i, Rows: Ref{f.m}, Body: []Step{
					&Set{To: Ref{f.acc}, Op: "+=", Value: At{V: f.buf, I: Ref{f.i}}},
				}})
			ret := Add(Ref{f.acc}, Fn(Blas64Path, "Asum", Ref{f.buf2}))
			if tt.after != nil {
				ret = Add(ret, tt.after(f))
			}
			steps = append(steps, &Return{Value: ret})
			got, reused := ReuseStorage(steps)
			if (len(reused) == 1 && f.buf2.Of == f.buf) != tt.reuse {
				t.Fatalf("reused %v, want reuse %v\n%s", reused, tt.reuse, render(got))
			}
			text := render(got)
			if tt.reuse && !strings.Contains(text, "acc := 0.0\n// acc = sum(buf)\nfor i := 0; i < n; i++ {\n\tacc += buf.Data[i]\n}\n// buf is not read again: buf2 takes over its storage.\nbuf2 := buf\n// buf2 = softmax(buf)\nruntime.SoftmaxTo(buf2, buf)") {
				t.Errorf("the sum is not above the call:\n%s", text)
			}
			if err := Check([]*Value{f.x, f.d}, got, nil); err != nil {
				t.Errorf("the plan after the pass breaks a rule: %v\n%s", err, text)
			}
		})
	}
}

// partsOver is rowParts's plan with the parts' body chosen by the test:
// M (n×n workspace), written first in full by a Do when prefill is set,
// then parts over its rows, then M's sum.
func (f *fixture) partsOver(body func(m, lo, hi, j *Value) []Step, prefill bool) []Step {
	parts, part := NewValue("parts", Int, Local), NewValue("part", Int, Index)
	lo, hi := NewValue("lo", Int, Local), NewValue("hi", Int, Local)
	ws := NewValue("ws", Object, Local)
	j := NewValue("j", Int, Index)
	m := &Value{Name: "M", Kind: Matrix, Owner: Workspace, Shape: derive.Square(f.n), Contiguous: true}
	steps := append(f.prologue()[:3],
		&Let{Vars: []*Value{ws}, Value: Fn(RuntimePath, "Get")},
		&Let{Vars: []*Value{m}, Value: Fn(RuntimePath, "Mat", Ref{f.m}, Ref{f.m})},
	)
	if prefill {
		steps = append(steps, &Do{Call: Fn(RuntimePath, "FillMatrix", Ref{m}), Writes: []*Value{m}})
	}
	return append(steps,
		&Let{Vars: []*Value{parts}, Value: Fn(RuntimePath, "LoopParts", Ref{f.m}, Ref{f.m})},
		&For{Var: part, From: IntLit(0), To: Ref{parts}, Parallel: &Parallel{Lo: lo, Hi: hi, Rows: Ref{f.m}, Workspace: ws, Field: "loop", Type: "loop"},
			Body: body(m, lo, hi, j)},
		&Do{Call: Fn(Blas64Path, "Copy", Ref{f.xRaw}, Ref{f.dRaw}), Writes: []*Value{f.dRaw}},
		&Return{Value: Fn(RuntimePath, "Sum", Ref{m})},
	)
}

// TestCheckPartReads checks that the parts of a parallel loop read nothing
// another part writes (RuleParallel), whole or entry by entry, and cannot
// move their rows (the cases of review 40).
func TestCheckPartReads(t *testing.T) {
	rowLoop := func(f *fixture, lo, hi, j *Value, inner ...Step) Step {
		return &For{Var: f.i, From: Ref{lo}, To: Ref{hi}, Body: []Step{&For{Var: j, From: IntLit(0), To: Ref{f.m}, Body: inner}}}
	}
	tests := []struct {
		name  string
		steps func(f *fixture) []Step
		rule  string
	}{
		{"parts write M[i, j] = x[i]", func(f *fixture) []Step {
			return f.partsOver(func(m, lo, hi, j *Value) []Step {
				return []Step{rowLoop(f, lo, hi, j, &Set{To: At{V: m, I: Ref{f.i}, J: Ref{j}}, Op: "=", Value: At{V: f.xRaw, I: Ref{f.i}}})}
			}, false)
		}, ""},
		{"parts read all of M by a call while other parts write its rows", func(f *fixture) []Step {
			return f.partsOver(func(m, lo, hi, j *Value) []Step {
				s := NewValue("s", Scalar, Local)
				return []Step{rowLoop(f, lo, hi, j,
					&Let{Vars: []*Value{s}, Value: Fn(RuntimePath, "Sum", Ref{m})},
					&Set{To: At{V: m, I: Ref{f.i}, J: Ref{j}}, Op: "=", Value: Ref{s}})}
			}, true)
		}, RuleParallel},
		{"parts fill their rows of M, then read all of M (other parts' rows unfinished)", func(f *fixture) []Step {
			return f.partsOver(func(m, lo, hi, j *Value) []Step {
				s := NewValue("s", Scalar, Local)
				return []Step{rowLoop(f, lo, hi, j, &Set{To: At{V: m, I: Ref{f.i}, J: Ref{j}}, Op: "=", Value: At{V: f.xRaw, I: Ref{f.i}}}),
					&Let{Vars: []*Value{s}, Value: Fn(RuntimePath, "Sum", Ref{m})},
					rowLoop(f, lo, hi, j, &Set{To: At{V: m, I: Ref{f.i}, J: Ref{j}}, Op: "+=", Value: Ref{s}})}
			}, false)
		}, RuleParallel},
		{"parts read M.Data[0] while part 0 writes it", func(f *fixture) []Step {
			return f.partsOver(func(m, lo, hi, j *Value) []Step {
				return []Step{rowLoop(f, lo, hi, j,
					&Set{To: At{V: m, I: Ref{f.i}, J: Ref{j}}, Op: "=", Value: Elem{X: Field{X: Ref{m}, Name: "Data"}, I: IntLit(0)}})}
			}, true)
		}, RuleParallel},
		{"parts that clamp their first row to 0 and write rows of other parts", func(f *fixture) []Step {
			return f.partsOver(func(m, lo, hi, j *Value) []Step {
				return []Step{&Clamp{V: lo, Max: IntLit(0)},
					rowLoop(f, lo, hi, j, &Set{To: At{V: m, I: Ref{f.i}, J: Ref{j}}, Op: "=", Value: At{V: f.xRaw, I: Ref{f.i}}})}
			}, false)
		}, RuleParallel},
		{"a block kernel with a view of its panel that reads all of a buffer other parts write", func(f *fixture) []Step {
			steps := append(f.prologue(), f.parallel("panel kernel")...)
			walkSteps(steps, func(s Step) {
				if do, ok := s.(*Do); ok && do.Call.Name == "ExpTo" {
					do.Call.Args[1] = Field{X: Ref{f.buf}, Name: "Data"} // all of buf, not its panel's rows
				}
			})
			return steps
		}, RuleParallel},
		{"parts that move their first row to 0 and write rows of other parts", func(f *fixture) []Step {
			return f.partsOver(func(m, lo, hi, j *Value) []Step {
				return []Step{&Set{To: Ref{lo}, Op: "=", Value: IntLit(0)},
					rowLoop(f, lo, hi, j, &Set{To: At{V: m, I: Ref{f.i}, J: Ref{j}}, Op: "=", Value: At{V: f.xRaw, I: Ref{f.i}}})}
			}, false)
		}, RuleParallel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			err := Check([]*Value{f.x, f.d}, tt.steps(f), nil)
			var v *Violation
			switch {
			case tt.rule == "" && err != nil:
				t.Fatalf("unexpected: %v", err)
			case tt.rule != "" && (!errors.As(err, &v) || v.Rule != tt.rule):
				t.Errorf("got %v, want a violation of %q", err, tt.rule)
			}
		})
	}
}

// TestCheckPartIndexedView checks that parts may not write entry part of
// a view of other storage: here M's row 0 (M[0, part]), whose entries
// part 0 writes too as its rows of M (review 41).
func TestCheckPartIndexedView(t *testing.T) {
	f := newFixture()
	parts, part := NewValue("parts", Int, Local), NewValue("part", Int, Index)
	lo, hi := NewValue("lo", Int, Local), NewValue("hi", Int, Local)
	ws := NewValue("ws", Object, Local)
	j := NewValue("j", Int, Index)
	m := &Value{Name: "M", Kind: Matrix, Owner: Workspace, Shape: derive.Square(f.n), Contiguous: true}
	row := &Value{Name: "row0", Kind: Vector, Owner: Workspace, Shape: derive.Col(f.n), Of: m, Part: true}
	steps := append(f.prologue()[:3],
		&Let{Vars: []*Value{ws}, Value: Fn(RuntimePath, "Get")},
		&Let{Vars: []*Value{m}, Value: Fn(RuntimePath, "Mat", Ref{f.m}, Ref{f.m})},
		&Do{Call: Fn(RuntimePath, "FillMatrix", Ref{m}), Writes: []*Value{m}},
		&Let{Vars: []*Value{row}, Value: Fn(RuntimePath, "RowView", Ref{m}, IntLit(0))},
		&Let{Vars: []*Value{parts}, Value: Fn(RuntimePath, "LoopParts", Ref{f.m}, Ref{f.m})},
		&For{Var: part, From: IntLit(0), To: Ref{parts}, Parallel: &Parallel{Lo: lo, Hi: hi, Rows: Ref{f.m}, Workspace: ws, Field: "loop", Type: "loop"},
			Body: []Step{
				&For{Var: f.i, From: Ref{lo}, To: Ref{hi}, Body: []Step{&For{Var: j, From: IntLit(0), To: Ref{f.m}, Body: []Step{
					&Set{To: At{V: m, I: Ref{f.i}, J: Ref{j}}, Op: "=", Value: At{V: f.xRaw, I: Ref{f.i}}}}}}},
				&Set{To: At{V: row, I: Ref{part}}, Op: "=", Value: Lit(1)},
			}},
		&Do{Call: Fn(Blas64Path, "Copy", Ref{f.xRaw}, Ref{f.dRaw}), Writes: []*Value{f.dRaw}},
		&Return{Value: Add(Fn(RuntimePath, "Sum", Ref{m}), Fn(RuntimePath, "Sum", Ref{row}))},
	)
	err := Check([]*Value{f.x, f.d}, steps, nil)
	var v *Violation
	if !errors.As(err, &v) || v.Rule != RuleParallel {
		t.Errorf("got %v, want a violation of %q", err, RuleParallel)
	}
}
