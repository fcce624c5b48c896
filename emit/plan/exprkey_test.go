package plan

import (
	"testing"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
)

// TestSpeltBoundCovers: a loop whose bound is spelt as emit's packed
// offsets spell a single size (Spelt{jen.Id("n")}, the Go text of Ref{n})
// fills every entry of buf as the loop bounded by Ref{n} does, and Check
// accepts it (helper-35's review: a structural key told the two apart).
func TestSpeltBoundCovers(t *testing.T) {
	for _, form := range []string{"Loop", "For"} {
		f := newFixture()
		bound := Spelt{X: jen.Id("n"), Reads: []Expr{Ref{f.m}}}
		body := []Step{&Set{To: At{V: f.buf, I: Ref{f.i}}, Op: "=", Value: At{V: f.xRaw, I: Ref{f.i}}}}
		var loop Step = &Loop{Shape: derive.Col(f.n), I: f.i, Rows: bound, Body: body}
		if form == "For" {
			loop = &For{Var: f.i, From: IntLit(0), To: bound, Body: body}
		}
		steps := append(f.prologue(), loop,
			&Do{Call: Fn(Blas64Path, "Copy", Ref{f.buf}, Ref{f.dRaw}), Writes: []*Value{f.dRaw}})
		if err := Check([]*Value{f.x, f.d}, steps, nil); err != nil {
			t.Errorf("%s bounded by Spelt n: %v", form, err)
		}
	}
}

// TestExprKeySameText: expressions of different kinds that print the same
// Go text have the same key.
func TestExprKeySameText(t *testing.T) {
	n := NewValue("n", Int, Local)
	pairs := [][2]Expr{
		{Ref{n}, Spelt{X: jen.Id("n")}},
		{IntLit(2), Spelt{X: jen.Lit(2)}},
		{IntLit(-1), Neg(IntLit(1))},
		{Add(Ref{n}, IntLit(1)), Spelt{X: jen.Id("n").Op("+").Lit(1)}},
	}
	for _, p := range pairs {
		if goText(p[0].Code()) != goText(p[1].Code()) {
			t.Fatalf("%#v and %#v print differently", p[0].Code(), p[1].Code())
		}
		if a, b := exprKey(p[0]), exprKey(p[1]); a != b {
			t.Errorf("%T and %T both print %q; keys %q and %q", p[0], p[1], goText(p[0].Code()), a, b)
		}
	}
}
