package emit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/emit/plan"
)

// This file cuts large elementwise loops into parts of their rows that run
// at once on the team. A loop that writes each entry (i, j) from entries
// of row i of what it writes (and from anything it does not write) gives
// the same results whatever order its rows run in, and at once: its parts
// neither write the same storage nor read what another writes. So the
// results are those of the one loop, bit for bit, in any number of parts.
// A loop with a sum (+= into a scalar) stays one loop: its parts would add
// in another order.

// parallelLoops returns the steps of F or FGrad (the functions a training
// loop calls) with each elementwise loop whose rows may run at once
// (rowParallel) cut into parts: the count of parts for its
// shape (runtime.LoopParts, one part below a size where the team gains),
// then a parallel loop over the parts, each running its rows.
func (e *function) parallelLoops(steps []plan.Step) []plan.Step {
	out := make([]plan.Step, 0, len(steps))
	if e.role != roleValue && e.role != roleGrad {
		return steps
	}
	for _, s := range steps {
		l, ok := s.(*plan.Loop)
		if !ok || !rowParallel(l) {
			out = append(out, s)
			continue
		}
		out = append(out, e.partLoop(l)...)
	}
	return out
}

// rowParallel reports whether the rows of the loop l may run at once: an
// untiled loop over a matrix whose body declares
// locals and writes entries, no scalar declared outside it; every entry it
// writes, and every entry it reads of storage it writes, is in row i of a
// value that views no part of another (whose row i is row i of its
// storage). plan.Check verifies the same of the parts (RuleParallel).
func rowParallel(l *plan.Loop) bool {
	if l.Tiled || l.Shape.IsVector() {
		return false
	}
	inRow := func(x plan.At) bool {
		i, ok := x.I.(plan.Ref)
		if !ok || i.V != l.I {
			return false
		}
		for v := x.V; v != nil; v = v.Of {
			if v.Part {
				return false
			}
		}
		return true
	}
	written := map[*plan.Value]bool{}
	for _, s := range l.Body {
		switch s := s.(type) {
		case *plan.Let, *plan.Comment:
		case *plan.Set:
			to, ok := s.To.(plan.At)
			if !ok || !inRow(to) {
				return false
			}
			written[root(to.V)] = true
		default:
			return false
		}
	}
	ok := true
	for _, s := range l.Body {
		var xs []plan.Expr
		switch s := s.(type) {
		case *plan.Let:
			xs = []plan.Expr{s.Value}
		case *plan.Set:
			xs = []plan.Expr{s.To, s.Value}
		}
		for _, x := range xs {
			plan.Leaves(x, func(leaf plan.Expr) {
				if at, isAt := leaf.(plan.At); isAt {
					ok = ok && (!written[root(at.V)] || inRow(at))
					return
				}
				plan.Values(leaf, func(v *plan.Value) { ok = ok && !written[root(v)] })
			})
		}
	}
	return ok
}

// root returns the value whose storage v is.
func root(v *plan.Value) *plan.Value {
	for v.Of != nil {
		v = v.Of
	}
	return v
}

// partLoop returns the steps of the loop l cut into parts: parts :=
// runtime.LoopParts(rows, cols), then the loop over the parts, part k
// running rows lo … hi−1 of l (runtime.PartRows) in the method RunPart of
// a struct type of the loop's own, whose values travel in a workspace
// field of that type. It returns l alone when the body shares a value
// that cannot travel in a struct field (a value of no blas64 kind).
func (e *function) partLoop(l *plan.Loop) []plan.Step {
	index := func() *val { return plan.NewValue("", plan.Int, plan.Local) }
	parts, part, lo, hi := index(), index(), index(), index()
	cols, rows := plan.Expr(plan.IntLit(1)), l.Rows
	body := l.Body
	if !l.Shape.IsCol() {
		cols = l.Cols
		body = []plan.Step{&plan.For{Var: l.J, From: plan.IntLit(0), To: l.Cols, Body: body}}
	}
	p := &plan.Parallel{Lo: lo, Hi: hi, Rows: rows, Workspace: e.ws}
	f := &plan.For{Var: part, From: plan.IntLit(0), To: ref(parts), Parallel: p,
		Body: []plan.Step{&plan.For{Var: l.I, From: ref(lo), To: ref(hi), Body: body}}}
	for _, v := range plan.Shared(f) {
		if v.Kind == plan.Object {
			return []plan.Step{l}
		}
	}
	parts.Name, part.Name, lo.Name, hi.Name = e.scope.fresh("parts"), e.scope.fresh("part"), e.scope.fresh("lo"), e.scope.fresh("hi")
	var names []string
	for _, s := range l.Body {
		if set, ok := s.(*plan.Set); ok {
			if name := set.To.(plan.At).V.Name; !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	p.Type = e.top.fresh(lowerFirst(e.name)+"Loop", e.scope)
	p.Field = e.scope.fresh("loop")
	p.Loop = "loop over the entries of " + strings.Join(names, ", ")
	e.work = append(e.work, workField{p.Field, jen.Id(p.Type)})
	return []plan.Step{
		&plan.Comment{Text: fmt.Sprintf("by %s.%s, in parts of the rows that run at once when there are many entries (runtime.LoopParts)", p.Type, partMethodName)},
		&plan.Let{Vars: []*val{parts}, Value: plan.Fn(runtimePath, "LoopParts", rows, cols)},
		f,
	}
}
