package emit

import (
	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
)

// expr is a Go expression of package plan.
type expr = plan.Expr

// negated reports whether t is -1 times rest.
func negated(t *derive.Node) (bool, *derive.Node) {
	if t.Op == derive.OpBroadcast {
		t = t.Args[0]
	}
	if t.Op == derive.OpScale && t.Args[0].IsConst(-1) {
		return true, t.Args[1]
	}
	return false, nil
}

// cheap reports whether n reads as a plain name or entry, so repeating it
// costs nothing.
func cheap(n *derive.Node) bool {
	return n.Op == derive.OpVar || n.Op == derive.OpConst || n.Op.Kind == derive.KindProduct || n.Op.Kind == derive.KindReduce
}

// inline reports whether the elementwise node n is computed inside the
// loop of its only consumer rather than stored.
func (e *function) inline(n *derive.Node) bool {
	return n.Op.Kind == derive.KindElementwise && e.uses[n] <= 1 && !n.Shape.IsScalar()
}

// elem returns the expression of entry (i, j) of n; vectors use i when
// they are columns and j when rows.
func (e *function) elem(n *derive.Node, i, j expr) expr {
	if n.Shape.IsScalar() {
		return e.scalar(n)
	}
	if v, ok := e.vals[n]; ok {
		// A buffer the loop being built is filling (a joint kernel's
		// partner) holds only the entries of the iterations so far: its
		// entry of this iteration is the call's local, any other is
		// computed in place.
		at, filling := e.entry.filled[n]
		switch {
		case !filling:
			return e.read(n, v, i, j)
		case at.i == i && at.j == j:
			return ref(at.local)
		}
		e.noteInlined(n)
		return e.expand(n, i, j)
	}
	if n.Op.Kind == derive.KindLayout || n.Op == derive.OpEye || e.inline(n) || outer(n) {
		e.noteInlined(n)
		return e.expand(n, i, j)
	}
	return e.read(n, e.ensure(n), i, j)
}

// outer reports whether n is an outer product u vᵀ, a column times a row
// (an expansion a 1ᵀ or 1 bᵀ among them): a loop reads its entry (i, j) as
// uᵢ vⱼ and never forms it, one multiply per entry where a stored product
// would cost a buffer, a Ger and a read.
func outer(n *derive.Node) bool {
	return n.Op == derive.OpMul && len(n.Args) == 2 && n.Args[0].Shape.IsCol() && n.Args[1].Shape.IsRow()
}

// outerEntry returns entry (i, j) of the outer product n = u vᵀ, uᵢ vⱼ, or
// the one factor's entry when the other is a vector of ones (an
// expansion).
func (e *function) outerEntry(n *derive.Node, i, j expr) expr {
	u, v := n.Args[0], n.Args[1]
	switch {
	case ones(u):
		return e.elem(v, i, j)
	case ones(v):
		return e.elem(u, i, j)
	}
	return plan.Mul(e.elem(u, i, j), e.elem(v, i, j))
}

// ones reports whether n is vector(1) or its transpose.
func ones(n *derive.Node) bool {
	if n.Op == derive.OpTranspose {
		n = n.Args[0]
	}
	return n.IsFill(1)
}

// expand returns entry (i, j) of n computed from its operands' entries.
func (e *function) expand(n *derive.Node, i, j expr) expr {
	if outer(n) {
		return e.outerEntry(n, i, j)
	}
	if l := lowerings[n.Op]; l.at != nil {
		return l.at(e, n, i, j)
	}
	if x := e.joint(n, i, j); x != nil {
		return x
	}
	return e.combine(n, func(a *derive.Node) expr { return e.elem(a, i, j) })
}

// kronecker returns δᵢⱼ.
func kronecker(i, j expr) expr {
	return plan.Fn(runtimePath, "Kronecker", i, j)
}

// read returns entry (i, j) of the stored value v of n.
func (e *function) read(n *derive.Node, v *val, i, j expr) expr {
	return e.readShaped(n.Shape, v, i, j)
}

// readShaped returns entry (i, j) of the stored value v of shape s.
func (e *function) readShaped(s derive.Shape, v *val, i, j expr) expr {
	if v.Kind == plan.Symmetric {
		return plan.At{V: v, I: i, J: j}
	}
	if i == e.loopJ && !s.IsVector() {
		e.transposed = true // read against the loop's order
	}
	if s.IsVector() {
		k := i
		if s.IsRow() {
			k = j
		}
		return plan.At{V: v, I: k}
	}
	return plan.At{V: v, I: i, J: j}
}

// loop returns a loop over the entries of shape; body gets the indices.
// A matrix loop that reads a stored matrix transposed runs over tiles
// (plan.TileSize), so both access orders stay in cache.
func (e *function) loop(shape derive.Shape, body func(i, j expr) plan.Step) plan.Step {
	inner, transposed := e.loopBody(shape, body)
	return e.loopOver(shape, transposed, inner...)
}

// loopBody builds the body of a loop over shape, and reports whether it
// reads a stored matrix against the loop's order.
func (e *function) loopBody(shape derive.Shape, body func(i, j expr) plan.Step) ([]plan.Step, bool) {
	i, j := ref(e.i), ref(e.j)
	outerPre, outerEntry := e.pre, e.entry
	e.pre, e.entry = nil, outerEntry.inner(shape, i, j)
	defer func() { e.pre, e.entry = outerPre, outerEntry }()
	switch {
	case shape.IsCol():
		return e.withPre(body(i, plan.IntLit(0))), false
	case shape.IsRow():
		return e.withPre(body(plan.IntLit(0), i)), false
	}
	outerJ, outerTransposed := e.loopJ, e.transposed
	e.loopJ, e.transposed = j, false
	inner := e.withPre(body(i, j))
	transposed := e.transposed
	e.loopJ, e.transposed = outerJ, outerTransposed
	return inner, transposed
}

// withPre returns inner preceded by the statements the body asked to run
// first in each iteration (a joint kernel's call).
func (e *function) withPre(inner plan.Step) []plan.Step {
	return append(append([]plan.Step{}, e.pre...), inner)
}

// joint returns entry (i, j) of the elementwise node n when its operator
// has a joint kernel and the partner function of the same argument has
// readers still to come: one call computes both, and the partner's entry
// is stored for them (for a kernel used only as a block kernel,
// lowering.jointBlockOnly, where the argument is a workspace buffer). It returns nil otherwise. The partner's buffer is
// filled by the loop being built, so a reader reads an entry after the
// call, in this loop, or the whole once the loop is built
// (ruleWrittenBeforeRead); loop bodies compute their operands first
// (prepare), so no reader is emitted ahead of this loop.
func (e *function) joint(n *derive.Node, i, j expr) expr {
	jt := n.Op.Joint
	if jt == nil || n.Shape.IsScalar() {
		return nil
	}
	partner := e.fn.Graph.Find(jt.With, n.Args[0])
	if partner == nil || !e.readLater(partner) || e.vals[partner] != nil || !e.entry.fills(partner.Shape, i, j) {
		return nil
	}
	if arg := e.vals[n.Args[0]]; lowerings[n.Op].jointBlockOnly && (arg == nil || arg.Owner != plan.Workspace || !arg.Contiguous) {
		return nil
	}
	buf := e.buffer(partner.Shape, e.localName(partner))
	e.store(partner, buf)
	x := e.elem(n.Args[0], i, j)
	mine := plan.NewValue(e.scope.fresh(n.Op.Name), plan.Scalar, plan.Local)
	theirs := plan.NewValue(e.scope.fresh(jt.With.Name), plan.Scalar, plan.Local)
	e.pre = append(e.pre,
		&plan.Let{Vars: []*val{mine, theirs}, Value: lowerings[n.Op].joint(x), Pure: true, Alone: []expr{
			lowerings[n.Op].entry(e, n, func(*derive.Node) expr { return x }),
			lowerings[partner.Op].entry(e, partner, func(*derive.Node) expr { return x })}},
		&plan.Set{To: e.read(partner, buf, i, j), Op: "=", Value: ref(theirs)})
	e.entry.filled[partner] = filledEntry{i: i, j: j, local: theirs}
	return ref(mine)
}

// loopEntry is a loop being built: the shape it runs over, the indices
// of its iteration's entry, (i, 0) over a column, (0, i) over a row, and
// the buffers it fills as it goes (a joint kernel's partner), each with
// the one entry an iteration may read: the one it has just written.
type loopEntry struct {
	shape  derive.Shape
	i, j   expr
	filled map[*derive.Node]filledEntry
}

// filledEntry is the entry (i, j) of a buffer a loop's iteration writes,
// and the local it writes there: a reader in the same iteration reads the
// local (elem), so a buffer read nowhere else is dropped
// (plan.DropDeadStores). A zero filledEntry, in a loop nested in the
// filling one, matches no entry.
type filledEntry struct {
	i, j  expr
	local *val
}

// inner returns the entry of a loop over shape with indices (i, j) built
// inside l: the buffers l is filling are read in it at no entry, since
// while it runs l has written them only up to l's current iteration.
func (l loopEntry) inner(shape derive.Shape, i, j expr) loopEntry {
	filled := map[*derive.Node]filledEntry{}
	for n := range l.filled {
		filled[n] = filledEntry{}
	}
	return loopEntry{shape: shape, i: i, j: j, filled: filled}
}

// fills reports whether writing entry (i, j) of a buffer of shape s in
// every iteration of the loop writes all of it: the loop runs over s with
// (i, j) its own entry, or over sᵀ with (i, j) its entry transposed. A
// loop over a trace's diagonal, or over a matrix for a vector's entries,
// does not (plan.Check's RuleWrittenBeforeRead).
func (l loopEntry) fills(s derive.Shape, i, j expr) bool {
	switch {
	case l.shape.IsCol() && s.IsCol():
		return s == l.shape && i == l.i
	case l.shape.IsRow() && s.IsRow():
		return s == l.shape && j == l.i
	case l.shape.IsMatrix() && s.IsMatrix():
		return s == l.shape && i == l.i && j == l.j || s == l.shape.T() && i == l.j && j == l.i
	}
	return false
}

// loopOver returns the loop over the entries of shape running inner, in
// tiles when tiled.
func (e *function) loopOver(shape derive.Shape, tiled bool, inner ...plan.Step) plan.Step {
	l := &plan.Loop{Shape: shape, I: e.i, Body: inner}
	switch {
	case shape.IsCol():
		l.Rows = e.dim(shape.Rows)
		return l
	case shape.IsRow():
		l.Cols = e.dim(shape.Cols)
		return l
	}
	l.J, l.Rows, l.Cols, l.Tiled = e.j, e.dim(shape.Rows), e.dim(shape.Cols), tiled
	if tiled {
		if e.tiles == nil {
			index := func(base string) *val { return plan.NewValue(e.scope.fresh(base), plan.Int, plan.Index) }
			e.tiles = &plan.TileVars{I: index("ii"), J: index("jj"), IEnd: index("iEnd"), JEnd: index("jEnd")}
		}
		l.Tiles = e.tiles
	}
	return l
}

// fusedLoop emits pre and then a loop over shape that the loop fusion pass
// (plan.Fuse) may join with the loop before it, so work on the same
// entries is one pass: a value formed entry by entry and a sum of it, say.
func (e *function) fusedLoop(shape derive.Shape, pre []plan.Step, body func(i, j expr) plan.Step) {
	inner, transposed := e.loopBody(shape, body)
	e.body = append(e.body, pre...)
	l := e.loopOver(shape, transposed, inner...).(*plan.Loop)
	l.Fusible = true
	e.body = append(e.body, l)
}

// forRange returns the loop for v := 0; v < n; v++ { body }.
func forRange(v *val, n expr, body ...plan.Step) plan.Step {
	return &plan.For{Var: v, From: plan.IntLit(0), To: n, Body: body}
}
