package plan

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
)

// RowViewsOf gives every loop over the entries of a matrix, not tiled, a
// view of its current row (RowView) of each matrix whose entry (i, j) —
// the loop's own variables — a Set or a Let of its body reads or writes,
// and spells those entries through the views. fresh names a view after
// its matrix. The invariant the spelling relies on: a view holds every
// entry the loop reaches in its row, which holds when the matrix has as
// many columns as the loop runs over (its Value's Shape.Cols the loop's);
// a matrix whose shape does not say so keeps its indexed entries. Check
// verifies the views again (RuleRowViews).
func RowViewsOf(steps []Step, fresh func(base string) string) []Step {
	out := make([]Step, len(steps))
	for k, s := range steps {
		switch s := s.(type) {
		case *Loop:
			l := *s
			l.Body = RowViewsOf(s.Body, fresh)
			if !l.Tiled && l.J != nil && !l.Shape.IsCol() && !l.Shape.IsRow() {
				l.Body, l.RowViews = rowViews(l.Body, l.I, l.J, l.Shape.Cols, fresh)
			}
			out[k] = &l
		case *For:
			f := *s
			f.Body = RowViewsOf(s.Body, fresh)
			out[k] = &f
		case *Block:
			out[k] = &Block{If: s.If, Body: RowViewsOf(s.Body, fresh)}
		default:
			out[k] = s
		}
	}
	return out
}

// rowViews returns body with the entries (i, j) of matrices of cols
// columns spelt through views of row i, and the views, in the order of
// their first entry.
func rowViews(body []Step, i, j *Value, cols derive.Dim, fresh func(string) string) ([]Step, []RowView) {
	var views []RowView
	rowOf := map[*Value]*Value{}
	swap := func(x Expr) Expr {
		at, ok := x.(At)
		if !ok || at.Row != nil || !isVar(at.I, i) || !isVar(at.J, j) || at.V.Kind != Matrix || at.V.Shape.Cols != cols {
			return x
		}
		row := rowOf[at.V]
		if row == nil {
			row = NewValue(fresh(at.V.Name+"Row"), Object, Local)
			rowOf[at.V] = row
			views = append(views, RowView{Row: row, Of: at.V, I: i})
		}
		at.Row = row
		return at
	}
	out := make([]Step, len(body))
	for k, s := range body {
		out[k] = rewriteEntries(s, swap, true)
	}
	return out, views
}

// isVar reports whether x is the variable v itself.
func isVar(x Expr, v *Value) bool {
	r, ok := x.(Ref)
	return ok && r.V == v
}

// RuleRowViews: an entry spelt through a row view (At.Row) is inside the
// loop over the columns that declares the view, of the view's matrix, in
// the view's row (its I the row variable of an enclosing loop, its J the
// loop's own variable); the loop runs from 0 by 1.
const RuleRowViews = "an entry spelt through a row view is in that row, inside the loop that declares it"

// checkRowViews verifies RuleRowViews on steps, inside loops whose
// variables are in rows (the row variables of the enclosing loops) and
// whose views are in views, for the loop over columns j.
func checkRowViews(steps []Step, rows map[*Value]bool, views map[*Value]RowView, j *Value) error {
	var err error
	entry := func(x Expr) {
		walkExpr(x, func(y Expr) {
			at, ok := y.(At)
			if !ok || at.Row == nil || err != nil {
				return
			}
			v, ok := views[at.Row]
			if !ok || v.Of != at.V || !isVar(at.I, v.I) || !isVar(at.J, j) {
				err = &Violation{RuleRowViews, fmt.Sprintf("entry of %s spelt through %s outside the loop and row it views", at.V.Name, at.Row.Name)}
			}
		})
	}
	// declare returns the views of a loop over the columns col, each of a
	// row rows holds, by name.
	declare := func(vs []RowView, rows map[*Value]bool, col *Value, from, step Expr) (map[*Value]RowView, error) {
		inner := map[*Value]RowView{}
		for _, v := range vs {
			if !rows[v.I] || v.Of.Kind != Matrix {
				return nil, &Violation{RuleRowViews, fmt.Sprintf("%s views a row of %s that is not the enclosing loop's row", v.Row.Name, v.Of.Name)}
			}
			inner[v.Row] = v
		}
		if len(vs) > 0 && (exprKey(from) != "0" || step != nil) {
			return nil, &Violation{RuleRowViews, fmt.Sprintf("the loop over %s with row views does not run from 0 by 1", col.Name)}
		}
		return inner, nil
	}
	for _, s := range steps {
		for _, x := range entryExprs(s) {
			entry(x)
		}
		switch s := s.(type) {
		case *Do:
			entry(s.Call)
		case *Loop:
			// A loop over the entries of a matrix: I its rows, J its columns.
			rowsIn := with(rows, s.I)
			inner, e := declare(s.RowViews, rowsIn, s.J, IntLit(0), nil)
			if e != nil {
				return e
			}
			if e := checkRowViews(s.Body, rowsIn, inner, s.J); e != nil {
				return e
			}
		case *For:
			inner, e := declare(s.RowViews, rows, s.Var, s.From, s.Step)
			if e != nil {
				return e
			}
			if e := checkRowViews(s.Body, with(rows, s.Var), inner, s.Var); e != nil {
				return e
			}
		case *Block:
			if e := checkRowViews(s.Body, rows, views, j); e != nil {
				return e
			}
		}
		if err != nil {
			return err
		}
	}
	return err
}

// with returns set and v, a new set.
func with(set map[*Value]bool, v *Value) map[*Value]bool {
	out := make(map[*Value]bool, len(set)+1)
	for k := range set {
		out[k] = true
	}
	out[v] = true
	return out
}

// goRowLoop prints the loop over the n columns of a row, j its variable,
// with the row views declared first: the first n long, the others as long
// as the first, so that the compiler knows j is below every length, then
// for j := range the first.
func goRowLoop(views []RowView, j *Value, n Expr, body []jen.Code) []jen.Code {
	first := views[0].Row
	var out []jen.Code
	for k, v := range views {
		length := n.Code()
		if k > 0 {
			length = jen.Len(jen.Id(first.Name))
		}
		out = append(out, jen.Id(v.Row.Name).Op(":=").Qual(RuntimePath, "RowSlice").Call(jen.Id(v.Of.Name), jen.Id(v.I.Name), length))
	}
	return append(out, jen.For(jen.Id(j.Name).Op(":=").Range().Id(first.Name)).Block(body...))
}

// DropUnusedRowViews returns steps without the row views no entry is
// spelt through any more (DropUnread may have dropped the declaration
// that read one): Go rejects a variable declared and not used.
func DropUnusedRowViews(steps []Step) []Step {
	out := make([]Step, len(steps))
	for k, s := range steps {
		switch s := s.(type) {
		case *Loop:
			l := *s
			l.Body = DropUnusedRowViews(s.Body)
			l.RowViews = usedRowViews(s.RowViews, l.Body)
			out[k] = &l
		case *For:
			f := *s
			f.Body = DropUnusedRowViews(s.Body)
			f.RowViews = usedRowViews(s.RowViews, f.Body)
			out[k] = &f
		case *Block:
			out[k] = &Block{If: s.If, Body: DropUnusedRowViews(s.Body)}
		default:
			out[k] = s
		}
	}
	return out
}

// usedRowViews returns the views some entry of body is spelt through, nil
// for none.
func usedRowViews(views []RowView, body []Step) []RowView {
	if len(views) == 0 {
		return nil
	}
	used := map[*Value]bool{}
	see := func(x Expr) {
		walkExpr(x, func(y Expr) {
			if at, ok := y.(At); ok && at.Row != nil {
				used[at.Row] = true
			}
		})
	}
	for _, s := range body {
		for _, x := range entryExprs(s) {
			see(x)
		}
	}
	var out []RowView
	for _, v := range views {
		if used[v.Row] {
			out = append(out, v)
		}
	}
	return out
}
