package emit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
)

// This file cuts large elementwise loops into parts of their rows that run
// at once on the team. A loop that writes each entry (i, j) from entries
// of row i of what it writes (and from anything it does not write) gives
// the same results whatever order its rows run in, and at once: its parts
// neither write the same storage nor read what another writes. So the
// entries it writes are those of the one loop, bit for bit, in any number
// of parts. A sum it forms (+= into a scalar declared before it) each part
// forms over its own rows, and the parts' sums are added in part order
// after: the same terms in another grouping, which depends on the shape
// alone (runtime.LoopParts), so a function returns the same bits for the
// same inputs however the parts run, and in one part (a loop below
// LoopParts's threshold) the one loop's bits when the sum starts at zero.

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
// untiled loop over a matrix whose body declares locals, writes entries
// and adds into scalars (its sums); every entry it writes, and every entry
// it reads of storage it writes, is in row i of a value that views no part
// of another (whose row i is row i of its storage), and it reads no sum it
// forms. plan.Check verifies the same of the parts (RuleParallel,
// RuleReductionRead).
func rowParallel(l *plan.Loop) bool {
	if l.Tiled || l.Shape.IsVector() {
		return false
	}
	inRow := func(x plan.At) bool {
		i, ok := x.I.(plan.Ref)
		return ok && i.V == l.I && !x.V.ViewsPart()
	}
	written := map[*plan.Value]bool{}
	sums := loopSums(l)
	for _, s := range l.Body {
		switch s := s.(type) {
		case *plan.Let, *plan.Comment:
		case *plan.Set:
			if r, ok := s.To.(plan.Ref); ok && sums[r.V] {
				if s.Op != "+=" { // a sum assigned or scaled in the loop: no sum
					return false
				}
				continue
			}
			to, ok := s.To.(plan.At)
			if !ok || !inRow(to) {
				return false
			}
			written[to.V.Root()] = true
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
			if r, isRef := s.To.(plan.Ref); isRef && sums[r.V] {
				xs = xs[1:]
			}
		}
		for _, x := range xs {
			plan.Leaves(x, func(leaf plan.Expr) {
				if at, isAt := leaf.(plan.At); isAt {
					ok = ok && (!written[at.V.Root()] || inRow(at))
					return
				}
				plan.Values(leaf, func(v *plan.Value) { ok = ok && !written[v.Root()] && !sums[v] })
			})
		}
	}
	return ok
}

// loopSums returns the sums the loop l forms: the scalars declared before
// it that its body adds into (+=).
func loopSums(l *plan.Loop) map[*plan.Value]bool {
	own := map[*plan.Value]bool{}
	for _, s := range l.Body {
		if let, ok := s.(*plan.Let); ok {
			for _, v := range let.Vars {
				own[v] = true
			}
		}
	}
	sums := map[*plan.Value]bool{}
	for _, s := range l.Body {
		if set, ok := s.(*plan.Set); ok && set.Op == "+=" {
			if r, ok := set.To.(plan.Ref); ok && r.V.Kind == plan.Scalar && !own[r.V] {
				sums[r.V] = true
			}
		}
	}
	return sums
}

// partLoop returns the steps of the loop l cut into parts: parts :=
// runtime.LoopParts(rows, cols), a workspace vector of one entry a part
// for each sum, then the loop over the parts, part k running rows lo …
// hi−1 of l (runtime.PartRows) into sums of its own, stored at entry k, in
// the method RunPart of a struct type of the loop's own, whose values
// travel in a workspace field of that type; then each sum adds its parts'
// sums in part order (runtime.SumParts). It returns l alone when the body
// shares a value that cannot travel in a struct field (a value of no
// blas64 kind).
func (e *function) partLoop(l *plan.Loop) []plan.Step {
	index := func() *val { return plan.NewValue("", plan.Int, plan.Local) }
	parts, part, lo, hi := index(), index(), index(), index()
	rows, cols := l.Rows, l.Cols
	// Each sum s the loop forms: the part's sum sPart (a local of RunPart)
	// and the parts' sums sParts (a workspace vector).
	sums := loopSums(l)
	var order, partSums []*val
	partOf := map[*val]*val{}
	body := make([]plan.Step, len(l.Body))
	for k, s := range l.Body {
		body[k] = s
		set, ok := s.(*plan.Set)
		if !ok {
			continue
		}
		r, ok := set.To.(plan.Ref)
		if !ok || !sums[r.V] {
			continue
		}
		if partOf[r.V] == nil {
			partOf[r.V] = plan.NewValue("", plan.Scalar, plan.Local)
			order = append(order, r.V)
		}
		body[k] = &plan.Set{To: ref(partOf[r.V]), Op: "+=", Value: set.Value}
	}
	rowsLoop := &plan.For{Var: l.I, From: ref(lo), To: ref(hi), Body: []plan.Step{
		&plan.For{Var: l.J, From: plan.IntLit(0), To: cols, Body: body, RowViews: l.RowViews}}}
	p := &plan.Parallel{Lo: lo, Hi: hi, Rows: rows, Workspace: e.ws}
	f := &plan.For{Var: part, From: plan.IntLit(0), To: ref(parts), Parallel: p, Body: []plan.Step{rowsLoop}}
	for _, v := range plan.Shared(f) {
		if v.Kind == plan.Object {
			return []plan.Step{l}
		}
	}
	parts.Name, part.Name, lo.Name, hi.Name = e.scope.fresh("parts"), e.scope.fresh("part"), e.scope.fresh("lo"), e.scope.fresh("hi")
	p.Type = e.top.fresh(lowerFirst(e.name)+"Loop", e.scope)
	p.Field = e.scope.fresh("loop")
	e.work = append(e.work, workField{p.Field, jen.Id(p.Type)})
	steps := []plan.Step{
		&plan.Comment{Text: fmt.Sprintf("by %s.%s, in parts of the rows that run at once when there are many entries (runtime.LoopParts)", p.Type, plan.PartMethod)},
		&plan.Let{Vars: []*val{parts}, Value: plan.Fn(runtimePath, "LoopParts", rows, cols)},
	}
	var starts, stores []plan.Step
	for _, s := range order {
		sPart := partOf[s]
		sPart.Name = e.scope.fresh(s.Name + "Part")
		sParts, let := e.partBufferLet(s.Name+"Parts", derive.Dim{Name: parts.Name}, ref(parts))
		partSums = append(partSums, sParts)
		steps = append(steps, let)
		starts = append(starts, &plan.Let{Vars: []*val{sPart}, Value: plan.Const{V: 0.0}})
		stores = append(stores, &plan.Set{To: plan.At{V: sParts, I: ref(part)}, Op: "=", Value: ref(sPart)})
	}
	f.Body = slices.Concat(starts, f.Body, stores)
	var names []string
	for _, s := range l.Body {
		if set, ok := s.(*plan.Set); ok {
			if at, ok := set.To.(plan.At); ok && !slices.Contains(names, at.V.Name) {
				names = append(names, at.V.Name)
			}
		}
	}
	var does []string // what the loop does, for the comments: "fills tmp and sums f"
	if len(names) > 0 {
		does = append(does, "fills "+strings.Join(names, ", "))
	}
	if len(order) > 0 {
		var sumNames []string
		for _, s := range order {
			sumNames = append(sumNames, s.Name)
		}
		does = append(does, "sums "+strings.Join(sumNames, ", "))
	}
	p.Loop = "loop that " + strings.Join(does, " and ")
	steps = append(steps, f)
	for k, s := range order {
		steps = append(steps,
			&plan.Comment{Text: fmt.Sprintf("%s += the parts' sums, in part order", s.Name)},
			&plan.Set{To: ref(s), Op: "+=", Value: plan.Fn(runtimePath, "SumParts", ref(partSums[k]))})
	}
	return steps
}
