package plan

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
)

// rowsFixture is a loop over the entries (i, j) of an n×m matrix that
// writes B and reads A at (i, j), C transposed at (j, i), and D, whose
// shape does not say it has m columns, at (i, j).
func rowsFixture() (loop *Loop, a, b, c, d *Value) {
	n, m := derive.Dim{Name: "n"}, derive.Dim{Name: "m"}
	a = &Value{Name: "A", Kind: Matrix, Owner: Input, Shape: derive.Shape{Rows: n, Cols: m}}
	b = &Value{Name: "B", Kind: Matrix, Owner: Workspace, Shape: derive.Shape{Rows: n, Cols: m}}
	c = &Value{Name: "C", Kind: Matrix, Owner: Input, Shape: derive.Shape{Rows: m, Cols: n}}
	d = &Value{Name: "D", Kind: Matrix, Owner: Input}
	i, j := NewValue("i", Int, Index), NewValue("j", Int, Index)
	loop = &Loop{Shape: derive.Shape{Rows: n, Cols: m}, I: i, J: j, Rows: Ref{NewValue("n", Int, Local)}, Cols: Ref{NewValue("m", Int, Local)},
		Body: []Step{&Set{To: At{V: b, I: Ref{i}, J: Ref{j}}, Op: "=",
			Value: Add(Mul(At{V: a, I: Ref{i}, J: Ref{j}}, At{V: c, I: Ref{j}, J: Ref{i}}), At{V: d, I: Ref{i}, J: Ref{j}})}}}
	return loop, a, b, c, d
}

// TestRowViewsOf checks the views the pass gives a loop over a matrix's
// entries — one for each matrix whose entry (i, j) it reaches and whose
// shape has the loop's columns, in the order of their first entry, none
// for a transposed read or a matrix of unknown shape — and how the loop
// prints: the first view n long, the others as long as it, j ranging
// over it, the entries through the views, the rest indexed as before.
func TestRowViewsOf(t *testing.T) {
	loop, a, b, _, _ := rowsFixture()
	names := map[string]int{}
	fresh := func(base string) string {
		names[base]++
		if names[base] > 1 {
			return fmt.Sprint(base, names[base])
		}
		return base
	}
	out := RowViewsOf([]Step{loop}, fresh)
	got := out[0].(*Loop)
	if len(loop.RowViews) != 0 {
		t.Errorf("the pass changed the loop it was given")
	}
	var of []*Value
	for _, v := range got.RowViews {
		of = append(of, v.Of)
	}
	if len(of) != 2 || of[0] != b || of[1] != a {
		t.Fatalf("views of %v, want B then A", of)
	}
	printed := fmt.Sprintf("%#v", jen.Block(Go(out)...))
	for _, want := range []string{
		"BRow := runtime.RowSlice(B, i, m)",
		"ARow := runtime.RowSlice(A, i, len(BRow))",
		"for j := range BRow {",
		"BRow[j] = ARow[j]*C.Data[j*C.Stride+i] + D.Data[i*D.Stride+j]",
	} {
		if !strings.Contains(printed, want) {
			t.Errorf("the loop prints\n%s\nwithout %q", printed, want)
		}
	}
	if err := checkRowViews(out, nil, nil, nil); err != nil {
		t.Errorf("Check rejects the pass's own views: %v", err)
	}
	// The entries are the same (V, I, J) for the other checks.
	set := got.Body[0].(*Set)
	if at := set.To.(At); at.V != b || !isVar(at.I, loop.I) || !isVar(at.J, loop.J) {
		t.Errorf("the written entry became %v", at)
	}
}

// TestRowViewsRule breaks RuleRowViews: an entry spelt through a view of
// another matrix, of another row, outside the loop that declares it, and
// a loop with views that does not start at 0.
func TestRowViewsRule(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(l *Loop, a, b *Value) []Step
	}{
		{"an entry of one matrix through another's view", func(l *Loop, a, b *Value) []Step {
			set := l.Body[0].(*Set)
			at := set.To.(At)
			at.V = a
			l.Body[0] = &Set{To: at, Op: "=", Value: set.Value}
			return []Step{l}
		}},
		{"an entry of another row through a view", func(l *Loop, a, b *Value) []Step {
			set := l.Body[0].(*Set)
			at := set.To.(At)
			at.I = Ref{l.J}
			l.Body[0] = &Set{To: at, Op: "=", Value: set.Value}
			return []Step{l}
		}},
		{"an entry through a view outside its loop", func(l *Loop, a, b *Value) []Step {
			return append([]Step{l}, l.Body[0])
		}},
		{"a view of a row no loop runs over", func(l *Loop, a, b *Value) []Step {
			l.RowViews[0].I = NewValue("k", Int, Index)
			return []Step{l}
		}},
		{"a loop over columns with views from 1", func(l *Loop, a, b *Value) []Step {
			inner := &For{Var: l.J, From: IntLit(1), To: l.Cols, Body: l.Body, RowViews: l.RowViews}
			return []Step{&For{Var: l.I, From: IntLit(0), To: l.Rows, Body: []Step{inner}}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loop, a, b, _, _ := rowsFixture()
			l := RowViewsOf([]Step{loop}, func(s string) string { return s })[0].(*Loop)
			err := checkRowViews(tt.spoil(l, a, b), nil, nil, nil)
			var v *Violation
			if !errors.As(err, &v) || v.Rule != RuleRowViews {
				t.Errorf("checkRowViews = %v, want a violation of %q", err, RuleRowViews)
			}
		})
	}
}
