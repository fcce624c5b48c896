package emit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
	"github.com/gradgen/gradgen/spec"
)

// This file fuses the forward and backward passes of data-heavy losses
// over the rows of their data matrix. A loss like Σ softplus(−y ⊙ X w) +
// λ/2 wᵀw reads X twice: X w forward, Xᵀ r backward. When everything
// between the two is row by row, FGrad instead walks X in panels of rows
// that fit in cache: X_b w, the loss terms and r_b, then X_bᵀ r_b
// accumulated into the gradient while the panel is still in cache, so X
// comes from memory once.

// panelPlan is a loss whose FGrad runs over row panels of x.
type panelPlan struct {
	x, w, u *derive.Node   // the data matrix X (n×d), the vector w, u = X w
	v       *derive.Node   // the row-local vector r of the gradient term Xᵀ r
	alphas  []*derive.Node // the scalar coefficients of Xᵀ r, outermost first; none for 1
	rest    []*derive.Node // the gradient's other terms, free of u
	sums    []*derive.Node // the sums of row-local vectors in f
	local   map[*derive.Node]bool
}

// panels returns the plan for FGrad when it has the shape above: one
// gradient, a sum whose one term with u is Xᵀ r, r and the summands of f
// computed entry by entry from u, inputs of X's row count and scalars
// free of u. It returns nil otherwise.
func (e *function) panels() *panelPlan {
	if e.role != roleGrad || len(e.outs) != 1 || e.outs[0].node == nil || !e.outs[0].to.Shape.IsCol() {
		return nil
	}
	g := e.outs[0].node
	terms := []*derive.Node{g}
	if g.Op == derive.OpAdd {
		terms = g.Args
	}
	p := &panelPlan{local: map[*derive.Node]bool{}}
	for _, t := range terms {
		// t = α₁ (α₂ (… (Xᵀ r))), each node read by t alone.
		var alphas []*derive.Node
		m, once := t, e.uses[t] <= 1
		for m.Op == derive.OpScale && m.Args[0].Shape.IsScalar() {
			alphas, m = append(alphas, m.Args[0]), m.Args[1]
			once = once && e.uses[m] <= 1
		}
		if p.v == nil && m.Op == derive.OpMul && len(m.Args) == 2 && m.Args[0].Op == derive.OpTranspose && once {
			x := m.Args[0].Args[0]
			if x.Op == derive.OpVar && e.input(x.Name).Kind == spec.Matrix && m.Args[1].Shape.IsCol() {
				p.x, p.v, p.alphas = x, m.Args[1], alphas
				continue
			}
		}
		p.rest = append(p.rest, t)
	}
	if p.v == nil {
		return nil
	}
	for _, a := range p.alphas {
		if derive.Depends(a, p.x) {
			return nil
		}
	}
	// u = X w, the one product with X.
	for _, n := range derive.Postorder(p.v) {
		if n.Op == derive.OpMul && len(n.Args) == 2 && n.Args[0] == p.x && n.Args[1].Op == derive.OpVar && n.Args[1].Shape.IsCol() {
			p.u, p.w = n, n.Args[1]
		}
	}
	if p.u == nil || !e.rowLocal(p, p.v) {
		return nil
	}
	for _, t := range p.rest {
		if derive.Depends(t, p.x) {
			return nil
		}
	}
	// f: terms free of X, and sums (maybe scaled or divided by scalars free
	// of X) of row-local vectors.
	fterms := []*derive.Node{e.ret}
	if e.ret.Op == derive.OpAdd {
		fterms = e.ret.Args
	}
	for _, t := range fterms {
		if !derive.Depends(t, p.x) {
			continue
		}
		for { // c · (Σ …) / n and the like: scalars free of X around the sum
			if t.Op == derive.OpScale && !derive.Depends(t.Args[0], p.x) {
				t = t.Args[1]
			} else if t.Op == derive.OpDiv && t.Args[1].Shape.IsScalar() && !derive.Depends(t.Args[1], p.x) {
				t = t.Args[0]
			} else {
				break
			}
		}
		if t.Op != derive.OpSum || !e.rowLocal(p, t.Args[0]) {
			return nil
		}
		if !slices.Contains(p.sums, t) { // Σ g + c·Σ g: one sum, read twice
			p.sums = append(p.sums, t)
		}
	}
	// Nothing else may read u or X.
	for _, n := range derive.Postorder(e.roots()...) {
		for _, a := range n.Args {
			if (a == p.u && !p.local[n]) || (a == p.x && n != p.u && n.Op != derive.OpTranspose) {
				return nil
			}
		}
	}
	return p
}

// rowLocal reports whether entry i of the column vector n depends only on
// entry i of u and of inputs with X's row count, and on scalars free of X;
// it records the nodes that depend on u.
func (e *function) rowLocal(p *panelPlan, n *derive.Node) bool {
	if n == p.u {
		return true
	}
	if !derive.Depends(n, p.x) {
		return n.Shape.IsScalar() || (n.Shape.IsCol() && n.Shape.Rows == p.x.Shape.Rows)
	}
	if !n.Shape.IsCol() || n.Shape.Rows != p.x.Shape.Rows || n.Op.Kind != derive.KindElementwise {
		return false
	}
	for _, a := range n.Args {
		if !e.rowLocal(p, a) {
			return false
		}
	}
	p.local[n] = true
	return true
}

// emitPanels writes FGrad by the plan and returns the expression of f.
func (e *function) emitPanels(p *panelPlan) expr {
	o := e.outs[0]
	rows := p.x.Shape.Rows
	// The gradient starts as its terms free of X; the panels add Xᵀ r.
	// The destination's storage as any gradient's (storage): a vector, or
	// the column of a matrix(d, 1).
	dst := &val{Name: e.scope.fresh(o.param + "Raw"), Kind: storageKind(o.to.Kind, o.to.Shape), Owner: plan.Destination, Shape: o.to.Shape, Of: o.arg}
	e.stmt(&plan.Let{Vars: []*val{dst}, Value: e.storage(o.arg, o.to.Kind, o.to.Shape)})
	if len(p.rest) == 0 {
		e.zero(dst, true)
	} else {
		e.writeTerms(p.rest, dst)
	}
	xv, wv := e.ensure(p.x), e.ensure(p.w)
	// The panel loop fills u, r and the row-local values read more than
	// once entry by entry, and sums the loss terms; its legality rests on
	// each entry being read after it is written in the same iteration, no
	// sum being read in the loop, and Xᵀ r reading the buffer r was
	// written to, which may be one a joint kernel filled (plan.Check).
	u := e.buffer(p.u.Shape, e.localName(p.u))
	e.store(p.u, u)
	alpha := expr(one)
	for k, a := range p.alphas {
		if k == 0 {
			alpha = coefficient(e.scalar(a))
		} else {
			alpha = plan.Mul(alpha, e.scalar(a))
		}
	}
	index := func(base string) *val { return plan.NewValue(e.scope.fresh(base), plan.Int, plan.Local) }
	// The rows are cut into parts that run at once (runtime.Parts), each
	// adding its loss terms into a sum of its own and its Xᵀ r into an
	// accumulator of its own: the destination for part 0, a zeroed piece
	// of spare for the others; the parts are added in part order after.
	// The parts and their rows depend on X's shape alone, so the result is
	// the same bit for bit however they are scheduled (runtime.Parts).
	parts := index("parts")
	e.stmt(&plan.Let{Vars: []*val{parts}, Value: plan.Fn(runtimePath, "PanelParts", e.dim(rows), e.dim(p.x.Shape.Cols))})
	partDim := derive.Dim{Name: parts.Name}
	partSums := make([]*val, len(p.sums))
	for k, s := range p.sums {
		partSums[k] = e.partBuffer(e.localName(s)+"Parts", partDim, ref(parts))
	}
	// spare is Local to the checker: PartAccumulator zeroes each piece
	// before its part adds to it.
	spare := &val{Name: e.scope.fresh(o.param + "Parts"), Kind: plan.Vector, Owner: plan.Local, Contiguous: true}
	e.declare(plan.Fn(runtimePath, "Vec", plan.Addr(e.workField(spare.Name)), plan.Mul(plan.Sub(ref(parts), plan.IntLit(1)), e.dim(p.x.Shape.Cols))), spare)
	e.work = append(e.work, workField{spare.Name, jen.Index().Float64()})
	part, lo, hi := index("part"), index("lo"), index("hi")
	panel, r0, r1 := index("panel"), index("r0"), index("r1")
	panelRows := derive.Dim{Name: r0.Name + "…" + r1.Name} // the rows of a panel, for the shape checks (and RuleParallel)
	xp := &val{Name: e.scope.fresh("Xp"), Kind: plan.Matrix, Owner: plan.Input, Shape: derive.Shape{Rows: panelRows, Cols: p.x.Shape.Cols}, Of: xv, Part: true}
	acc := &val{Name: e.scope.fresh("acc"), Kind: plan.Vector, Owner: plan.Local, Shape: o.to.Shape, Of: dst, Part: true}
	partAccs := make([]*val, len(p.sums))
	for k, s := range p.sums {
		partAccs[k] = plan.NewValue(e.scope.fresh(e.localName(s)+"Part"), plan.Scalar, plan.Local)
	}
	// Written once r's buffer has its name.
	about := &plan.Comment{}
	e.stmt(about)
	entry := e.panelEntry(p, partAccs)
	r := e.vals[p.v]
	n := e.dim(rows)
	sub := func(v *val) *val {
		return &val{Name: v.Name, Kind: plan.Vector, Owner: v.Owner, Shape: derive.Col(panelRows), Of: v, Part: true}
	}
	subVector := func(v *val) expr { return plan.Fn(runtimePath, "SubVector", ref(v), ref(r0), ref(r1)) }
	// The panel's entries of u are written by its X_b w before the loop
	// over the panel reads them, and r's by that loop before X_bᵀ r_b.
	about.Text = fmt.Sprintf("%s = %s, %s and the loss terms in row panels of %s, each still in cache for %s' %s: %s is read once. The parts of %s's rows run at once, each adding into its own sums and %s, added in part order after.",
		u.Name, e.formula(p.u), r.Name, p.x.Name, p.x.Name, r.Name, p.x.Name, p.x.Name, o.param)
	panelSlice := fmt.Sprintf("[%s:%s]", r0.Name, r1.Name)
	xT := fmt.Sprintf("%s'", xp.Name)
	if len(p.alphas) == 1 && p.alphas[0].IsConst(-1) {
		xT = "-" + xT
	} else {
		for k := len(p.alphas) - 1; k >= 0; k-- {
			xT = derive.FormatFactor(p.alphas[k], derive.Plain, e.fn.Names) + " " + xT
		}
	}
	rowLoops := []plan.Step{&plan.For{Var: e.i, From: ref(r0), To: ref(r1), Body: entry}}
	if steps := e.panelJointKernel(entry, r0, r1, sub, panelSlice); steps != nil {
		rowLoops = steps
	}
	body := []plan.Step{
		&plan.Let{Vars: []*val{acc}, Value: plan.Fn(runtimePath, "PartAccumulator", ref(dst), ref(spare), ref(part))},
	}
	for _, a := range partAccs {
		body = append(body, &plan.Let{Vars: []*val{a}, Value: plan.Const{V: 0.0}})
	}
	body = append(body,
		&plan.Let{Vars: []*val{panel}, Value: plan.Fn(runtimePath, "PartPanelRows", e.dim(p.x.Shape.Cols), ref(parts))},
		&plan.For{Var: r0, From: ref(lo), To: ref(hi), Step: ref(panel), Body: slices.Concat([]plan.Step{
			&plan.Let{Vars: []*val{r1}, Value: plan.Add(ref(r0), ref(panel))},
			&plan.Clamp{V: r1, Max: ref(hi)},
			&plan.Let{Vars: []*val{xp}, Value: plan.Fn(runtimePath, "RowPanel", ref(xv), ref(r0), ref(r1))},
			&plan.Comment{Text: fmt.Sprintf("%s%s = %s %s", u.Name, panelSlice, xp.Name, p.w.Name)},
			// PanelGemv is Gemv(NoTrans, 1, xp, w, 0, u[r0:r1]), but the
			// panel is read from memory here: it streams the rows when X is
			// larger than the caches.
			&plan.Do{Call: plan.Fn(runtimePath, "PanelGemv", ref(xv), ref(r0), ref(r1), ref(wv), subVector(u)),
				Writes: []*val{u}, Blas: &plan.Blas{Routine: "Gemv", A: xp, B: wv, C: sub(u)}},
		}, rowLoops, []plan.Step{
			&plan.Comment{Text: fmt.Sprintf("%s += %s %s%s", acc.Name, xT, r.Name, panelSlice)},
			&plan.Do{Call: plan.Fn(runtimePath, "Gemv", transFlag(true), alpha, ref(xp), subVector(r), plan.Const{V: 1}, ref(acc)),
				Updates: []*val{acc}, Blas: &plan.Blas{Routine: "Gemv", A: xp, TransA: true, B: sub(r), C: acc}},
		})})
	for k, a := range partAccs {
		body = append(body, &plan.Set{To: plan.At{V: partSums[k], I: ref(part)}, Op: "=", Value: ref(a)})
	}
	typ := e.top.fresh(lowerFirst(e.name)+"Parts", e.scope)
	field := e.scope.fresh("shared")
	e.work = append(e.work, workField{field, jen.Id(typ)})
	e.stmt(&plan.For{Var: part, From: plan.IntLit(0), To: ref(parts), Body: body, Parallel: &plan.Parallel{
		Lo: lo, Hi: hi, Rows: n, Workspace: e.ws, Field: field, Type: typ, Loop: "row panels"}})
	e.stmt(&plan.Comment{Text: fmt.Sprintf("%s += the parts' %s, in part order", o.param, o.param)})
	e.stmt(&plan.Do{Call: plan.Fn(runtimePath, "AddParts", ref(dst), ref(spare)), Updates: []*val{dst}})
	for k, s := range p.sums {
		total := plan.NewValue(e.scope.fresh(e.localName(s)), plan.Scalar, plan.Local)
		e.stmt(&plan.Comment{Text: total.Name + " = " + e.formula(s), About: total})
		e.stmt(&plan.Let{Vars: []*val{total}, Value: plan.Fn(runtimePath, "SumParts", ref(partSums[k]))})
		e.store(s, total)
	}
	return e.scalar(e.ret)
}

// panelEntry returns the body of the loop over the rows of a panel, entry
// i: the row-local values read more than once, each stored in a buffer of
// its own (or by a joint kernel), the loss terms added to their part's
// sums accs, and r, the vector of the gradient term Xᵀ r.
func (e *function) panelEntry(p *panelPlan, accs []*val) []plan.Step {
	var stored []*derive.Node
	for _, n := range derive.Postorder(append([]*derive.Node{p.v}, p.sums...)...) {
		if p.local[n] && e.uses[n] > 1 {
			stored = append(stored, n)
		}
	}
	i, first := ref(e.i), plan.IntLit(0)
	outerEntry := e.entry
	e.entry = outerEntry.inner(p.v.Shape, i, first)
	defer func() { e.entry = outerEntry }()
	var entry []plan.Step
	flush := func(s plan.Step) {
		entry = append(entry, e.pre...)
		e.pre = nil
		entry = append(entry, s)
	}
	e.pre = nil
	// store writes entry i of n into a buffer of its own, unless a joint
	// kernel has stored it already.
	store := func(n *derive.Node) {
		if e.vals[n] != nil {
			return
		}
		x := e.expand(n, i, first)
		buf := e.buffer(n.Shape, e.localName(n))
		flush(&plan.Set{To: e.read(n, buf, i, first), Op: "=", Value: x})
		e.store(n, buf)
	}
	for _, n := range stored {
		store(n)
	}
	for k, s := range p.sums {
		flush(&plan.Set{To: ref(accs[k]), Op: "+=", Value: e.elem(s.Args[0], i, first)})
	}
	store(p.v)
	return entry
}

// partBuffer declares a workspace vector of one entry a part, the count
// of parts, of the dimension parts (a parallel loop's count) for the
// checks.
func (e *function) partBuffer(base string, parts derive.Dim, count expr) *val {
	v, let := e.partBufferLet(base, parts, count)
	e.stmt(let)
	return v
}

// partBufferLet returns partBuffer's vector and its declaration, for a
// pass to place.
func (e *function) partBufferLet(base string, parts derive.Dim, count expr) (*val, *plan.Let) {
	v := &val{Name: e.scope.fresh(base), Kind: plan.Vector, Owner: plan.Workspace, Shape: derive.Col(parts), Contiguous: true}
	e.work = append(e.work, workField{v.Name, jen.Index().Float64()})
	e.fields[v] = v.Name
	return v, &plan.Let{Vars: []*val{v}, Value: plan.Fn(runtimePath, "Vec", plan.Addr(e.workField(v.Name)), count), Pure: true}
}

// panelJointKernel cuts the loop over a row panel's rows at its joint
// kernel's call (softplus and σ of one argument, lowering.jointBlock)
// when plan.Fission finds the cut changes no result: the steps before the
// call over the panel's rows, then the call's block kernel over the
// panel's entries r0…r1−1 of its argument's buffer, writing each result
// into the buffer the loop stored it in (storedBy) or else into one of its
// own, then the rest of the steps over the rows, reading the results at
// their entry. The block kernel gives the
// scalar call's results to the bit, four lanes at a time. It returns nil
// when the loop has no such call or the cut is not safe.
func (e *function) panelJointKernel(entry []plan.Step, r0, r1 *val, sub func(*val) *val, panelSlice string) []plan.Step {
	for k, s := range entry {
		let, ok := s.(*plan.Let)
		if !ok || len(let.Vars) != 2 {
			continue
		}
		call, ok := let.Value.(plan.Call)
		if !ok || call.Recv != nil || len(call.Args) != 1 {
			continue
		}
		kernel, ok := jointBlockKernel(plan.Qual{Path: call.Path, Name: call.Name})
		if !ok {
			continue
		}
		// The argument: entry i of a buffer of the workspace, whose
		// Data[r0:r1] are the panel's entries.
		at, ok := call.Args[0].(plan.At)
		if !ok || at.J != nil || at.V.Kind != plan.Vector || at.V.Owner != plan.Workspace || !at.V.Contiguous || at.V.Of != nil {
			return nil
		}
		if i, ok := at.I.(plan.Ref); !ok || i.V != e.i {
			return nil
		}
		before, after, ok := plan.Fission(entry, k, e.i)
		if !ok {
			return nil
		}
		rest := after[1:]
		panel := func(v *val) expr {
			return plan.Slice{X: plan.Field{X: ref(v), Name: "Data"}, Lo: ref(r0), Hi: ref(r1)}
		}
		var outs, views []*val
		var reads []plan.Step
		for _, v := range let.Vars {
			buf, pos := e.storedBy(rest, v, at.V.Shape)
			if buf != nil && !slices.Contains(outs, buf) {
				rest = slices.Delete(slices.Clone(rest), pos, pos+1)
			} else {
				buf = e.buffer(at.V.Shape, v.Name+"Rows")
			}
			outs, views = append(outs, buf), append(views, sub(buf))
			if plan.RefersTo(rest, v) {
				// Pure: DropDeadStores may drop the only step reading v
				// (a store of −softplus nothing reads), and DropUnread
				// then drops v.
				reads = append(reads, &plan.Let{Vars: []*val{v}, Value: plan.At{V: buf, I: ref(e.i)}, Pure: true})
			}
		}
		// doc describes the block kernel fn writing outs' panels.
		doc := func(fn string, outs ...*val) *plan.Comment {
			names := make([]string, len(outs))
			for k, o := range outs {
				names[k] = o.Name + panelSlice
			}
			return &plan.Comment{Text: fmt.Sprintf("%s = %s(%s%s), entry by entry, by the block kernel",
				strings.Join(names, ", "), fn, at.V.Name, panelSlice)}
		}
		// Each result's block kernel by itself, for DropDeadStores to use
		// when it drops the other's buffer.
		var alone []*plan.Do
		for k, x := range let.Alone {
			c, ok := x.(plan.Call)
			if !ok || c.Recv != nil {
				return nil
			}
			kernel, ok := blockKernels()[plan.Qual{Path: c.Path, Name: c.Name}]
			if !ok {
				return nil
			}
			alone = append(alone, &plan.Do{
				Call:   plan.Fn(kernel.Path, kernel.Name, panel(outs[k]), panel(at.V)),
				Writes: outs[k : k+1], Panel: views[k : k+1], Doc: doc(c.Name, outs[k]),
			})
		}
		if len(alone) != len(outs) {
			return nil
		}
		joint := &plan.Do{Call: plan.Fn(kernel.Path, kernel.Name, panel(outs[0]), panel(outs[1]), panel(at.V)), Writes: outs, Panel: views, Alone: alone,
			Doc: doc(call.Name, outs...)}
		var steps []plan.Step
		if len(before) > 0 {
			steps = append(steps, &plan.For{Var: e.i, From: ref(r0), To: ref(r1), Body: before})
		}
		steps = append(steps, joint.Doc, joint,
			&plan.For{Var: e.i, From: ref(r0), To: ref(r1), Body: append(reads, rest...)})
		return steps
	}
	return nil
}

// storedBy returns the buffer that the step steps[k] stores the local v
// into at the loop's entry (buf[i] = v), when it is a workspace vector of
// the given shape that no other step refers to: the block kernel can write
// it in that step's stead.
func (e *function) storedBy(steps []plan.Step, v *val, shape derive.Shape) (*val, int) {
	for k, s := range steps {
		set, ok := s.(*plan.Set)
		if !ok || set.Op != "=" {
			continue
		}
		to, ok := set.To.(plan.At)
		r, isRef := set.Value.(plan.Ref)
		i, isIndex := to.I.(plan.Ref)
		if !ok || !isRef || r.V != v || !isIndex || i.V != e.i || to.J != nil {
			continue
		}
		w := to.V
		others := slices.Delete(slices.Clone(steps), k, k+1)
		if w.Kind != plan.Vector || w.Owner != plan.Workspace || !w.Contiguous || w.Of != nil || w.Reuse || w.Shape != shape || plan.RefersTo(others, w) {
			return nil, 0
		}
		return w, k
	}
	return nil, 0
}
