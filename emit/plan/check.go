package plan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gradgen/gradgen/derive"
)

// The invariants every plan keeps. Check verifies them on the finished
// plan of each function, before it is printed; a plan that breaks one is
// an internal error naming the function and the rule, never code that
// runs and gives a wrong number.
const (
	// RuleDeclared: every value a step refers to is a parameter or was
	// declared by an earlier step (a Let, a loop), and no name is declared
	// twice in one scope.
	RuleDeclared = "every value is declared once before it is used"
	// RuleWrittenBeforeRead: a buffer is read only once it is written: as
	// a whole after the step or loop that fills it, an entry inside the
	// filling loop only after the statement that writes it. A loop fills
	// a buffer only if its iterations write every entry: the indices of a
	// write are distinct loop variables, each running over the whole of
	// the buffer's dimension it indexes.
	RuleWrittenBeforeRead = "a buffer is written before it is read"
	// RuleReductionRead: a sum accumulated over a loop's iterations holds
	// a partial sum until the loop ends, so nothing in that loop reads it.
	RuleReductionRead = "a reduction's result is never read in the loop that accumulates it"
	// RuleDestination: a destination is overwritten once in full (or in
	// parts through views of it) before anything adds to it, and nothing
	// overwrites it again.
	RuleDestination = "a destination is written exactly once in full, or zeroed first"
	// RuleUsed: every declared name is read; a workspace buffer written
	// and never read is work thrown away, or a reader looking elsewhere.
	RuleUsed = "every declared name is used"
	// RuleStorage: no two buffers share workspace storage.
	RuleStorage = "no two live buffers share storage"
	// RuleReuse: a buffer that takes over another's storage (Value.Reuse)
	// begins to be written only once the other is read no more, but for
	// the entry the loop that fills it is about to write, read before that
	// write in the same iteration, and the operand of a call that may
	// write in place (Do.InPlace).
	RuleReuse = "a buffer whose storage is reused is never read again"
	// RuleShapes: the operands of every BLAS call have agreeing shapes.
	RuleShapes = "the shapes of every BLAS call agree with its operands"
	// RuleParallel: the parts of a parallel loop run at once, so each
	// writes storage of its own and reads none another part writes: the
	// loop runs from 0 to its count of parts by 1; its body writes nothing
	// declared outside it but entries indexed by the part (of a vector of
	// its own) or whose row is a variable of a loop over the part's rows,
	// BLAS and block-kernel results that are views of rows of a panel of
	// the part, and views it declares from the part (its accumulator); it
	// assigns no int and clamps only ints it declares; and it reads what
	// it writes only in its rows: entry by entry there, and in calls only
	// through views of a panel's rows (panelView).
	RuleParallel = "the parts of a parallel loop write storage of their own"
)

// Violation is a broken invariant.
type Violation struct {
	Rule   string
	Detail string
}

func (v *Violation) Error() string { return v.Rule + ": " + v.Detail }

// Check verifies the invariants on steps, the whole body of a function
// whose parameters are params, and returns the first violation, or nil.
// Workspace values are declared by Lets; fields is the name of each
// buffer's workspace field, for the storage rule.
func Check(params []*Value, steps []Step, fields map[*Value]string) error {
	c := &checker{declared: map[*Value]bool{}, written: map[*Value]bool{}, fullWrites: map[*Value]int{},
		reads: map[*Value]int{}, names: map[string]*Value{}, holder: map[*Value]*Value{},
		spans: map[*Value]string{}, panels: map[*Value]panelVar{}, parts: map[*Value]string{},
		partEnd: map[*Value]*Value{}, partRows: map[*Value]bool{}}
	for _, p := range params {
		c.declared[p] = true
		if p.Owner == Input {
			c.written[p] = true
		}
	}
	if err := c.storage(fields); err != nil {
		return err
	}
	if err := checkRowViews(steps, nil, nil, nil); err != nil {
		return err
	}
	if err := c.steps(steps, nil); err != nil {
		return err
	}
	return c.finish(params)
}

type checker struct {
	declared   map[*Value]bool
	written    map[*Value]bool // by root: storage holding a complete value
	fullWrites map[*Value]int  // by root, destinations: whole overwrites
	partial    map[*Value]bool // by root, destinations: written through views of parts
	reads      map[*Value]int
	names      map[string]*Value // declared names, for duplicates
	lets       []*Value          // declared by Lets, in order
	holder     map[*Value]*Value // by root: the buffer written last into its storage
	depth      int               // of nested blocks and loops
	// spans is, for each loop variable, the Go text of n when the variable
	// runs over all of 0, …, n-1 (span).
	spans map[*Value]string
	// panels is, for each variable of a loop over row panels (r0 += panel,
	// r0 < n) and each panel end (r1 = min(r0 + panel, n)), the panel's
	// start variable and n, the loop's bound.
	panels map[*Value]panelVar
	// parts is, for the first and last row variables of the part of a
	// parallel loop, the Go text of the rows all parts cover; partEnd is,
	// for the first, the last.
	parts   map[*Value]string
	partEnd map[*Value]*Value
	// partRows holds the variables of loops over the rows of a part of a
	// parallel loop: its first row to its last, one by one, or r0 to r1 of
	// a loop from the first to the last by panels, r1 clamped to the last.
	partRows map[*Value]bool
}

// panelVar is a variable of a loop over panels: the start of a panel, or
// its end when start is set. The panels cover 0, …, n-1, the ends clamped
// to bound (n, or the last row of a part of n rows).
type panelVar struct {
	start          *Value
	n, step, bound string
	clamped        bool
	part           bool // a panel of the rows of a part of a parallel loop
}

// loopState is what the loops enclosing a step fill and accumulate.
type loopState struct {
	outer *loopState
	fills map[*Value]bool // buffers whose entries the loop writes
	sets  map[string]bool // of those, the entries written so far in this iteration (entryKey)
	sums  map[*Value]*Set // scalars the loop accumulates, with their update
	// at is, for each buffer the loop fills, the indices of the entry
	// its iteration writes (indexKey), "" when it writes more than one.
	at map[*Value]string
	// whole holds the buffers some write in the loop covers entirely over
	// the loop's iterations (covers); views holds those written through a
	// view of a part, which the destination rule follows instead.
	whole, views map[*Value]bool
	// nested holds the destinations a loop in this one's body has
	// filled: the outermost loop that fills a destination counts its
	// write, and a second nested loop filling it again overwrites it.
	nested map[*Value]bool
}

// newLoopState returns the state of a loop inside outer.
func newLoopState(outer *loopState) *loopState {
	return &loopState{outer: outer, fills: map[*Value]bool{}, sets: map[string]bool{}, sums: map[*Value]*Set{}, at: map[*Value]string{},
		whole: map[*Value]bool{}, views: map[*Value]bool{}, nested: map[*Value]bool{}}
}

// entryKey names the entry x: its buffer and its index expressions as
// written, so a read matches the write of the same entry in the same
// iteration — (j, i) for a body over aᵀ — and no other.
func entryKey(x At) string {
	return x.V.buffer().Name + indexKey(x)
}

// indexKey is the indices of the entry x as written: "[i, j]".
func indexKey(x At) string {
	key := "[" + exprKey(x.I)
	if x.J != nil {
		key += ", " + exprKey(x.J)
	}
	return key + "]"
}

func (c *checker) fail(rule, format string, args ...any) error {
	return &Violation{Rule: rule, Detail: fmt.Sprintf(format, args...)}
}

// storage checks that no two buffers are one workspace field.
func (c *checker) storage(fields map[*Value]string) error {
	owner := map[string]*Value{}
	for v, f := range fields {
		if o, ok := owner[f]; ok {
			a, b := o.Name, v.Name
			if a > b {
				a, b = b, a
			}
			return c.fail(RuleStorage, "%s and %s are both the workspace field %s", a, b, f)
		}
		owner[f] = v
	}
	return nil
}

func (c *checker) declare(v *Value) error {
	if c.declared[v] {
		return c.fail(RuleDeclared, "%s is declared twice", v.Name)
	}
	if o, ok := c.names[v.Name]; ok && o != v && v.Name != "_" {
		return c.fail(RuleDeclared, "two values are named %s", v.Name)
	}
	c.declared[v], c.names[v.Name] = true, v
	return nil
}

// read checks a read of x: of whole values, and of entries (At) inside
// loops that fill them. skip is a reduction's own update, whose target
// the update reads.
func (c *checker) read(x Expr, loop *loopState, skip *Value) error {
	var err error
	var visit func(x Expr)
	visit = func(x Expr) {
		if err != nil || x == nil {
			return
		}
		switch x := x.(type) {
		case At:
			if err = c.use(x.V, loop, &x, skip); err == nil {
				err = c.entryRead(x, loop)
			}
			if err == nil {
				visit(x.I)
				visit(x.J)
			}
			return
		case Ref:
			err = c.use(x.V, loop, nil, skip)
			return
		case Field:
			if r, ok := x.X.(Ref); ok && layoutFields[x.Name] {
				// The size or layout of a view, not its entries.
				if !c.declared[r.V] {
					err = c.fail(RuleDeclared, "%s is used before it is declared", r.V.Name)
				}
				c.reads[r.V]++
				return
			}
		}
		x.values(func(v *Value) {
			if err == nil {
				err = c.use(v, loop, nil, skip)
			}
		})
	}
	visitTree(x, visit)
	return err
}

// layoutFields are the fields of blas64 values that describe their
// layout: reading them reads no entry.
var layoutFields = map[string]bool{"N": true, "Inc": true, "Rows": true, "Cols": true, "Stride": true}

// Leaves calls visit on the leaves of x: its outermost Ref and At values
// and the layout fields it reads (visitTree).
func Leaves(x Expr, visit func(Expr)) { visitTree(x, visit) }

// visitTree calls visit on x's outermost Ref and At leaves through the
// operators that merely combine them.
func visitTree(x Expr, visit func(Expr)) {
	switch y := x.(type) {
	case binary:
		visitTree(y.l, visit)
		visitTree(y.r, visit)
	case unary:
		visitTree(y.x, visit)
	case Call:
		if y.Recv != nil {
			visitTree(y.Recv, visit)
		}
		for _, a := range y.Args {
			visitTree(a, visit)
		}
	case Field:
		if _, ok := y.X.(Ref); ok && layoutFields[y.Name] {
			visit(x)
			return
		}
		visitTree(y.X, visit)
	case Elem:
		visitTree(y.X, visit)
		visitTree(y.I, visit)
	case Slice:
		visitTree(y.X, visit)
		visitTree(y.Lo, visit)
		visitTree(y.Hi, visit)
	case Spelt:
		for _, r := range y.Reads {
			visitTree(r, visit)
		}
	case Composite:
		for _, f := range y.Fields {
			visitTree(f.Value, visit)
		}
		for _, e := range y.Elems {
			visitTree(e, visit)
		}
	default:
		visit(x)
	}
}

// entryRead checks a read of the entry x inside the loop that fills x's
// buffer: the iteration has written that entry already. An entry another
// iteration writes may not be written yet (a loop over aᵀ fills (j, i)
// in iteration (i, j)).
func (c *checker) entryRead(x At, loop *loopState) error {
	r := x.V.buffer()
	for l := loop; l != nil; l = l.outer {
		if !l.fills[r] {
			continue
		}
		if !l.sets[entryKey(x)] {
			return c.fail(RuleWrittenBeforeRead, "an entry of %s is read in the loop that fills it, not where this iteration has written", x.V.Name)
		}
		return nil
	}
	return nil
}

// use checks one read of v, of the entry at when at is set.
func (c *checker) use(v *Value, loop *loopState, at *At, skip *Value) error {
	if !c.declared[v] {
		return c.fail(RuleDeclared, "%s is used before it is declared", v.Name)
	}
	c.reads[v]++
	if v.Owner == Index {
		return nil
	}
	for l := loop; l != nil; l = l.outer {
		if s := l.sums[v]; s != nil && v != skip {
			return c.fail(RuleReductionRead, "%s is read in the loop that accumulates it", v.Name)
		}
	}
	if err := c.reused(v, loop, at); err != nil {
		return err
	}
	entry := at != nil
	r := v.buffer()
	if c.written[r] || v.Kind == Int || v.Kind == Object && r.Owner != Workspace {
		return nil
	}
	for l := loop; l != nil; l = l.outer {
		if l.fills[r] {
			if entry {
				return nil // entryRead decides
			}
			return c.fail(RuleWrittenBeforeRead, "%s is read as a whole inside the loop that fills it", v.Name)
		}
	}
	if v.Owner == Destination || v.Owner == Workspace || v.Kind == Scalar {
		return c.fail(RuleWrittenBeforeRead, "%s is read before it is written", v.Name)
	}
	return nil
}

// reused checks a read of v (of the entry at when set) against the buffer
// that holds v's storage now: v's own, or one that reused it, read only at
// the entry the loop that fills it has yet to write in this iteration.
func (c *checker) reused(v *Value, loop *loopState, at *At) error {
	h := c.holder[v.Root()]
	if h == nil || h == v.buffer() {
		return nil
	}
	for l := loop; l != nil; l = l.outer {
		if !l.fills[h] {
			continue
		}
		if at != nil && l.at[h] == indexKey(*at) && !l.sets[h.Name+indexKey(*at)] {
			return nil
		}
		break
	}
	return c.fail(RuleReuse, "%s is read after %s took over its storage", v.Name, h.Name)
}

// write records a whole overwrite of v.
func (c *checker) write(v *Value) error {
	r := v.buffer()
	c.holder[v.Root()] = r
	if r.Owner == Input {
		return c.fail(RuleDestination, "%s, an input, is written", r.Name)
	}
	if r.Owner == Destination {
		if v.Part {
			if c.partial == nil {
				c.partial = map[*Value]bool{}
			}
			c.partial[r] = true
			c.written[r] = true
			return nil
		}
		if c.fullWrites[r] > 0 || c.partial[r] {
			return c.fail(RuleDestination, "%s is overwritten after it was written", r.Name)
		}
		c.fullWrites[r]++
	}
	c.written[r] = true
	return nil
}

// update records a read-modify-write of v.
func (c *checker) update(v *Value, loop *loopState) error {
	r := v.buffer()
	if !c.written[r] {
		if r.Owner == Destination {
			return c.fail(RuleDestination, "%s is added to before it is written or zeroed", r.Name)
		}
		return c.fail(RuleWrittenBeforeRead, "%s is updated before it is written", v.Name)
	}
	return nil
}

func (c *checker) steps(steps []Step, loop *loopState) error {
	for _, s := range steps {
		if err := c.one(s, loop); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) one(s Step, loop *loopState) error {
	switch s.(type) {
	case *Block, *Loop, *For:
		c.depth++
		defer func() { c.depth-- }()
	}
	switch s := s.(type) {
	case *Let:
		if err := c.read(s.Value, loop, nil); err != nil {
			return err
		}
		c.panelEnd(s)
		for _, v := range s.Vars {
			if v.Name == "_" {
				continue
			}
			if c.declared[v] && c.depth > 0 {
				continue // declared again in another block's scope
			}
			if err := c.declare(v); err != nil {
				return err
			}
			c.lets = append(c.lets, v)
			if v.Reuse {
				if v.Owner != Workspace || v.Of == nil || v.Of.Owner != Workspace {
					return c.fail(RuleReuse, "%s reuses storage that is not a workspace buffer's", v.Name)
				}
				continue // holding nothing until it is written
			}
			if v.Owner != Workspace || v.Of != nil {
				c.written[v.buffer()] = c.written[v.buffer()] || v.Of == nil || v.Owner != Destination
			}
		}
	case *Set:
		return c.set(s, loop)
	case *Do:
		return c.do(s, loop)
	case *Loop:
		inner := newLoopState(loop)
		for _, v := range []*Value{s.I, s.J} {
			if v != nil {
				c.declared[v] = true
			}
		}
		if s.Tiles != nil {
			for _, v := range []*Value{s.Tiles.I, s.Tiles.J, s.Tiles.IEnd, s.Tiles.JEnd} {
				c.declared[v] = true
			}
		}
		for _, b := range []Expr{s.Rows, s.Cols} {
			if err := c.read(b, loop, nil); err != nil {
				return err
			}
		}
		delete(c.partRows, s.I)
		delete(c.partRows, s.J)
		switch {
		case s.Shape.IsCol():
			c.spans[s.I] = exprKey(s.Rows)
		case s.Shape.IsRow():
			c.spans[s.I] = exprKey(s.Cols)
		default:
			c.spans[s.I], c.spans[s.J] = exprKey(s.Rows), exprKey(s.Cols)
		}
		return c.loop(s.Body, inner)
	case *For:
		for _, b := range []Expr{s.From, s.To, s.Step} {
			if err := c.read(b, loop, nil); err != nil {
				return err
			}
		}
		if s.Parallel != nil {
			if err := c.parallelHeader(s, loop); err != nil {
				return err
			}
		}
		c.declared[s.Var] = true
		c.forSpan(s)
		inner := newLoopState(loop)
		if err := c.loop(s.Body, inner); err != nil || s.Parallel == nil {
			return err
		}
		return c.parallelWrites(s)
	case *Block:
		if s.If != nil {
			if err := c.read(s.If, loop, nil); err != nil {
				return err
			}
			var names []string
			for v := range writes(s.Body) {
				names = append(names, v.Name)
			}
			if len(names) > 0 {
				slices.Sort(names)
				return c.fail(RuleWrittenBeforeRead, "%s written only when a condition holds", strings.Join(names, ", "))
			}
		}
		return c.steps(s.Body, loop)
	case *Clamp:
		if p, ok := c.panels[s.V]; ok && p.start != nil && exprKey(s.Max) == p.bound {
			p.clamped = true
			c.panels[s.V] = p
		}
		return c.read(s.Max, loop, nil)
	case *Return:
		return c.read(s.Value, loop, nil)
	case *Defer:
		return c.read(s.Call, loop, nil)
	}
	return nil
}

// loop checks a loop body: the buffers it fills entry by entry are
// complete once it ends, and marked as filled (readable entry by entry
// after their write) while it runs.
func (c *checker) loop(body []Step, l *loopState) error {
	markFills(body, l)
	// A scalar the body declares (at its top level) starts again each
	// iteration: it sums over an inner loop, not over this one's
	// iterations.
	for _, s := range body {
		if let, ok := s.(*Let); ok {
			for _, v := range let.Vars {
				delete(l.sums, v)
			}
		}
	}
	before := map[*Value]bool{}
	for v := range l.fills {
		before[v] = c.written[v]
		if h := c.holder[v.Root()]; h != nil && h != v && l.fills[h] {
			a, b := h.Name, v.Name
			if a > b {
				a, b = b, a
			}
			return c.fail(RuleReuse, "%s and %s share storage and are filled by one loop", a, b)
		}
		c.holder[v.Root()] = v
	}
	if err := c.steps(body, l); err != nil {
		return err
	}
	for v := range l.fills {
		if !before[v] && !l.whole[v] && !l.views[v] && !fills(l.outer, v) {
			return c.fail(RuleWrittenBeforeRead, "the loop that first writes %s writes only some of its entries", v.Name)
		}
		c.written[v] = true
		if v.Owner == Destination && fills(l.outer, v) { // the loop around counts the write
			if l.outer.nested[v] {
				return c.fail(RuleDestination, "%s is overwritten after it was written", v.Name)
			}
			l.outer.nested[v] = true
			continue
		}
		if v.Owner == Destination {
			if c.fullWrites[v] > 0 {
				return c.fail(RuleDestination, "%s is overwritten after it was written", v.Name)
			}
			c.fullWrites[v]++
		}
	}
	return nil
}

// fills reports whether loop or a loop around it fills the buffer v.
func fills(loop *loopState, v *Value) bool {
	for l := loop; l != nil; l = l.outer {
		if l.fills[v] {
			return true
		}
	}
	return false
}

// partOf reports whether v is, or views, a view of part of the buffer r.
func partOf(v, r *Value) bool {
	for ; v != nil && v != r; v = v.Of {
		if v.Part {
			return true
		}
	}
	return false
}

// covers reports whether the loops around the write of the entry x write
// every entry of x's value over their iterations: each index is a loop
// variable of its own that spans the dimension it indexes.
func (c *checker) covers(x At) bool {
	s := x.V.Shape
	isZero := func(e Expr) bool { z, ok := e.(IntLit); return ok && z == 0 }
	var index []Expr
	var dims []derive.Dim
	switch {
	case s.IsCol():
		index, dims = []Expr{x.I}, []derive.Dim{s.Rows}
		if x.J != nil && !isZero(x.J) {
			return false
		}
	case s.IsRow():
		index, dims = []Expr{x.I}, []derive.Dim{s.Cols}
		if x.J != nil {
			if !isZero(x.I) {
				return false
			}
			index[0] = x.J
		}
	default:
		index, dims = []Expr{x.I, x.J}, []derive.Dim{s.Rows, s.Cols}
	}
	seen := map[*Value]bool{}
	for k, e := range index {
		r, ok := e.(Ref)
		if !ok || seen[r.V] || c.spans[r.V] != dimText(dims[k]) {
			return false
		}
		seen[r.V] = true
	}
	return true
}

// dimText is the Go text of the size of d: its name, or its literal.
func dimText(d derive.Dim) string {
	if d.Name != "" {
		return d.Name
	}
	return strconv.Itoa(d.Size)
}

// forSpan records what the variable of the counted loop f spans: all of
// 0, …, n-1 for a loop from 0 to n by 1, the starts of panels for a loop
// by a step, and the same as the panel loop around it for a loop over one
// panel, r0 to r1 = min(r0 + step, n).
func (c *checker) forSpan(f *For) {
	delete(c.partRows, f.Var) // a variable of an earlier loop over a part's rows
	from, to := exprKey(f.From), exprKey(f.To)
	switch {
	case from == "0" && f.Step == nil:
		c.spans[f.Var] = to
	case from == "0":
		c.panels[f.Var] = panelVar{n: to, step: exprKey(f.Step), bound: to}
	default:
		r0, ok0 := f.From.(Ref)
		r1, ok1 := f.To.(Ref)
		if ok0 && ok1 && f.Step == nil && c.partEnd[r0.V] == r1.V {
			// The rows of a part of a parallel loop, one by one: all
			// parts' rows cover the rows.
			c.spans[f.Var], c.partRows[f.Var] = c.parts[r0.V], true
			return
		}
		if ok0 && ok1 && f.Step != nil && c.partEnd[r0.V] == r1.V {
			// The panels of a part of a parallel loop, from its first row
			// to its last: all parts' panels cover the rows.
			c.panels[f.Var] = panelVar{n: c.parts[r0.V], step: exprKey(f.Step), bound: to, part: true}
			return
		}
		if !ok0 || !ok1 || f.Step != nil {
			return
		}
		if end := c.panels[r1.V]; end.start == r0.V && end.clamped {
			c.spans[f.Var] = end.n
			c.partRows[f.Var] = end.part
		}
	}
}

// panelEnd records the Let r1 := r0 + step of a panel's end, for a start
// r0 of a loop over panels by step.
func (c *checker) panelEnd(s *Let) {
	b, ok := s.Value.(binary)
	if !ok || len(s.Vars) != 1 || b.op != "+" {
		return
	}
	r0, ok := b.l.(Ref)
	if !ok {
		return
	}
	if start, ok := c.panels[r0.V]; ok && start.start == nil && exprKey(b.r) == start.step {
		c.panels[s.Vars[0]] = panelVar{start: r0.V, n: start.n, step: start.step, bound: start.bound, part: start.part}
	}
}

// markFills records the buffers whose entries body overwrites (Set "="
// to an entry of a value not yet written), and the scalars it sums.
func markFills(body []Step, l *loopState) {
	for _, s := range body {
		switch s := s.(type) {
		case *Set:
			if at, ok := s.To.(At); ok && s.Op == "=" {
				b := at.V.buffer()
				if k, seen := l.at[b]; !l.fills[b] || seen && k == indexKey(at) {
					l.at[b] = indexKey(at)
				} else {
					l.at[b] = ""
				}
				l.fills[b] = true
			}
			if r, ok := s.To.(Ref); ok && s.Op == "+=" && r.V.Kind == Scalar {
				l.sums[r.V] = s
			}
		case *Block:
			markFills(s.Body, l)
		case *Loop:
			markFills(s.Body, l)
		case *For:
			markFills(s.Body, l)
		}
	}
}

func (c *checker) set(s *Set, loop *loopState) error {
	var self *Value
	if r, ok := s.To.(Ref); ok && s.Op == "+=" {
		self = r.V
	}
	if err := c.read(s.Value, loop, self); err != nil {
		return err
	}
	switch to := s.To.(type) {
	case At:
		if err := c.read(to.I, loop, nil); err != nil {
			return err
		}
		if err := c.read(to.J, loop, nil); err != nil {
			return err
		}
		if !c.declared[to.V] {
			return c.fail(RuleDeclared, "%s is written before it is declared", to.V.Name)
		}
		r := to.V.buffer()
		if s.Op != "=" {
			return c.update(to.V, loop)
		}
		if fills(loop, r) {
			whole, view := c.covers(to), partOf(to.V, r)
			for l := loop; l != nil; l = l.outer {
				if l.fills[r] {
					l.sets[entryKey(to)] = true
					l.whole[r] = l.whole[r] || whole
					l.views[r] = l.views[r] || view
				}
			}
			return nil
		}
		return c.write(to.V) // one entry of a 1×1 value
	case Ref:
		if !c.declared[to.V] {
			return c.fail(RuleDeclared, "%s is written before it is declared", to.V.Name)
		}
		if s.Op != "=" {
			c.reads[to.V]++
			return c.update(to.V, loop)
		}
		return c.write(to.V)
	}
	if el, ok := s.To.(Elem); ok {
		return c.entry(el, s, loop)
	}
	target := firstValue(s.To)
	if target == nil || !c.declared[target] {
		return c.fail(RuleDeclared, "an assignment writes nothing declared")
	}
	if s.Op != "=" {
		return c.update(target, loop)
	}
	return c.write(target)
}

func (c *checker) do(s *Do, loop *loopState) error {
	out := map[*Value]bool{}
	for _, v := range s.Writes {
		out[v] = true
	}
	for _, v := range s.Scratch {
		if v.Owner != Workspace {
			return c.fail(RuleDeclared, "%s, the scratch of a call, is not a workspace buffer", v.Name)
		}
		refs := 0
		visitTree(s.Call, func(x Expr) {
			if r, ok := x.(Ref); ok && r.V.Root() == v.Root() {
				refs++
			}
		})
		if refs != 1 || slices.ContainsFunc(append(slices.Clone(s.Writes), s.Updates...), func(w *Value) bool { return w.Root() == v.Root() }) {
			return c.fail(RuleWrittenBeforeRead, "%s, the scratch of a call, is also one of its operands or results", v.Name)
		}
		out[v] = true
		c.reads[v]++ // by the call itself
	}
	for _, v := range s.Updates {
		if err := c.update(v, loop); err != nil {
			return err
		}
	}
	for _, v := range s.Writes {
		if v.Reuse && !s.InPlace {
			// Only a call that may write in place reads the buffer its
			// result takes the storage of.
			c.holder[v.Root()] = v
		}
	}
	// The call's arguments are read, except what it only writes.
	var err error
	visitTree(s.Call, func(x Expr) {
		if err != nil {
			return
		}
		if r, ok := x.(Ref); ok && out[r.V] {
			if !c.declared[r.V] {
				err = c.fail(RuleDeclared, "%s is written before it is declared", r.V.Name)
			}
			return
		}
		if at, ok := x.(At); ok && out[at.V] {
			return
		}
		if r, ok := x.(Ref); ok && slices.Contains(s.Views, r.V) {
			c.reads[r.V]++
			return
		}
		err = c.read(x, loop, nil)
	})
	if err != nil {
		return err
	}
	if s.Blas != nil {
		if err := s.Blas.check(); err != nil {
			return err
		}
	}
	for _, v := range s.Writes {
		if err := c.write(v); err != nil {
			return err
		}
	}
	for _, v := range s.Scratch {
		c.written[v.buffer()] = false // what the call leaves there is no one's to read
	}
	return nil
}

// finish checks, once the body is complete, that every destination is
// written and every declared name read.
func (c *checker) finish(params []*Value) error {
	for _, p := range params {
		if p.Owner == Destination && !c.written[p] {
			return c.fail(RuleDestination, "%s is never written", p.Name)
		}
	}
	var unread []string
	for _, v := range c.lets {
		if c.reads[v] == 0 && v.Owner != Destination {
			unread = append(unread, v.Name)
		}
	}
	if len(unread) > 0 {
		return c.fail(RuleUsed, "%s declared and never read", strings.Join(unread, ", "))
	}
	return nil
}

// entry checks a write of one element of a slice (Data[0], an entry of
// packed storage): it writes part of what holds the slice.
func (c *checker) entry(el Elem, s *Set, loop *loopState) error {
	if err := c.read(el.I, loop, nil); err != nil {
		return err
	}
	target := firstValue(el.X)
	if target == nil || !c.declared[target] {
		return c.fail(RuleDeclared, "an assignment writes nothing declared")
	}
	r := target.buffer()
	if s.Op != "=" {
		return c.update(target, loop)
	}
	if r.Owner == Input {
		return c.fail(RuleDestination, "%s, an input, is written", r.Name)
	}
	if r.Owner == Destination && c.fullWrites[r] == 0 {
		if c.partial == nil {
			c.partial = map[*Value]bool{}
		}
		c.partial[r] = true
	}
	c.written[r] = true
	return nil
}

// firstValue returns the first value x refers to, the one an assignment
// to x writes (p of *p, the slice of s[i]), or nil.
func firstValue(x Expr) *Value {
	var first *Value
	Values(x, func(v *Value) {
		if first == nil {
			first = v
		}
	})
	return first
}

// parallelHeader checks a parallel loop's header (RuleParallel) and
// declares the part's rows.
func (c *checker) parallelHeader(f *For, loop *loopState) error {
	p := f.Parallel
	if exprKey(f.From) != "0" || f.Step != nil {
		return c.fail(RuleParallel, "the parallel loop over %s does not run from 0 to its count of parts by 1", f.Var.Name)
	}
	for _, x := range []Expr{p.Rows, Ref{p.Workspace}} {
		if err := c.read(x, loop, nil); err != nil {
			return err
		}
	}
	c.declared[p.Lo], c.declared[p.Hi] = true, true
	c.parts[p.Lo], c.parts[p.Hi], c.partEnd[p.Lo] = exprKey(p.Rows), exprKey(p.Rows), p.Hi
	return nil
}

// parallelWrites checks, once the body of the parallel loop f is checked
// (its loops' spans known), that each part writes storage of its own
// (RuleParallel): a scalar or int the body declares; an entry of a buffer
// declared outside it indexed by the part or by the variable of a loop
// over the rows of a panel of the part; the part's accumulator (a view the
// body declares as runtime.PartAccumulator(…, part)); a BLAS result, or a
// block kernel's (Do.Panel), that is a view of a buffer over the rows
// r0…r1 of a panel of the part.
func (c *checker) parallelWrites(f *For) error {
	p := f.Parallel
	own := map[*Value]bool{f.Var: true, p.Lo: true, p.Hi: true}
	declaredIn(f.Body, own)
	accs := map[*Value]bool{}
	fail := func(format string, args ...any) error {
		return c.fail(RuleParallel, "in the parts of %s: "+format, append([]any{f.Var.Name}, args...)...)
	}
	// A part's locals: its scalars (its sums); not its rows' bounds, nor
	// any int.
	local := func(v *Value) bool { return own[v] && v.Of == nil && v.Kind == Scalar }
	lets := map[*Value]bool{} // what the body declares by Let: not its rows' bounds
	walkSteps(f.Body, func(s Step) {
		if let, ok := s.(*Let); ok {
			for _, v := range let.Vars {
				lets[v] = true
			}
		}
	})
	var walk func(steps []Step) error
	walk = func(steps []Step) error {
		for _, s := range steps {
			switch s := s.(type) {
			case *Let:
				if len(s.Vars) == 1 && c.partAccumulator(s, f.Var) {
					accs[s.Vars[0]] = true
				}
			case *Clamp:
				if !lets[s.V] {
					return fail("%s, which the part does not declare, is clamped", s.V.Name)
				}
			case *Set:
				switch to := s.To.(type) {
				case At:
					if own[to.V] || !c.partEntry(to, f.Var) {
						return fail("%s is written at entries other parts may write", to.V.Name)
					}
				default:
					if v := firstValue(s.To); v == nil || !local(v) {
						return fail("%s, declared outside the part or no scalar of its own, is written by every part", firstValue(s.To).Name)
					}
				}
			case *Do:
				for _, v := range s.Changes() {
					if accs[v] {
						continue
					}
					views := slices.Clone(s.Panel)
					if s.Blas != nil {
						views = append(views, s.Blas.C)
					}
					if own[v] || !slices.ContainsFunc(views, func(p *Value) bool {
						return p.Of == v && p.Part && c.panelOfPart(p.Shape.Rows)
					}) {
						return fail("%s is written outside the rows of the part's panel", v.Name)
					}
				}
			}
			if err := walk(body(s)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(f.Body); err != nil {
		return err
	}
	return c.partReads(f, own)
}

// panelView reports whether x is a view of the rows r0 … r1−1 of a panel
// of a part of a parallel loop: v.Data[r0:r1], runtime.SubVector(v, r0,
// r1), runtime.RowPanel(v, r0, r1), or a value declared as a view over a
// panel's rows (a Part value of the panel's rows r0…r1).
func (c *checker) panelView(x Expr) bool {
	rows := func(lo, hi Expr) bool {
		r0, ok0 := lo.(Ref)
		r1, ok1 := hi.(Ref)
		return ok0 && ok1 && c.panelOfPart(derive.Dim{Name: r0.V.Name + "…" + r1.V.Name})
	}
	isRef := func(x Expr) bool { _, ok := x.(Ref); return ok }
	switch x := x.(type) {
	case Slice:
		data, ok := x.X.(Field)
		return ok && data.Name == "Data" && isRef(data.X) && rows(x.Lo, x.Hi)
	case Call:
		return x.Path == RuntimePath && (x.Name == "SubVector" || x.Name == "RowPanel") && len(x.Args) == 3 && isRef(x.Args[0]) && rows(x.Args[1], x.Args[2])
	case Ref:
		return x.V.Part && c.panelOfPart(x.V.Shape.Rows)
	}
	return false
}

// partAccumulator reports whether s declares the accumulator of a part
// of the parallel loop over part: runtime.PartAccumulator(dst, spare,
// part), dst itself for part 0, else a piece of spare of its own.
func (c *checker) partAccumulator(s *Let, part *Value) bool {
	call, ok := s.Value.(Call)
	return ok && call.Path == RuntimePath && call.Name == "PartAccumulator" && len(call.Args) == 3 && exprKey(call.Args[2]) == part.Name
}

// partEntry reports whether the entry x lies in the rows of one part of
// the parallel loop over part: an entry of a vector indexed by part, or an
// entry whose row is a variable of a loop over the part's rows, of a value
// that views no part of another (so that its rows are those of the
// storage it views).
func (c *checker) partEntry(x At, part *Value) bool {
	i, ok := x.I.(Ref)
	if !ok {
		return false
	}
	if x.J == nil && i.V == part {
		return x.V.Of == nil // a vector of its own, not a view of other storage
	}
	return c.partRows[i.V] && !x.V.ViewsPart()
}

// partReads checks that the body of the parallel loop f reads what it
// writes only in the rows of its part (RuleParallel), but for values the
// body declares (own: its accumulator, its locals): every entry of storage
// the body writes, entry by entry or by a call, that a Let or Set reads is
// a part's entry (partEntry), and they read no such storage whole; a call
// refers to such storage only through views of it over the rows of a
// panel of the part (panelView), whether it reads or writes them.
func (c *checker) partReads(f *For, own map[*Value]bool) error {
	written := map[*Value]bool{}
	walkSteps(f.Body, func(s Step) {
		switch s := s.(type) {
		case *Set:
			if to, ok := s.To.(At); ok {
				written[to.V.Root()] = true
			}
		case *Do:
			for _, v := range s.Changes() {
				written[v.Root()] = true
			}
		}
	})
	var err error
	fail := func(v *Value, how string) {
		if err == nil {
			err = c.fail(RuleParallel, "in the parts of %s: %s is read %s", f.Var.Name, v.Name, how)
		}
	}
	walkSteps(f.Body, func(s Step) {
		if do, ok := s.(*Do); ok {
			// What the call refers to of such storage, outside views of
			// the rows of the part's panel.
			var visit func(x Expr)
			visit = func(x Expr) {
				if x == nil || c.panelView(x) {
					return
				}
				if call, ok := x.(Call); ok {
					visit(call.Recv)
					for _, a := range call.Args {
						visit(a)
					}
					return
				}
				Values(x, func(v *Value) {
					if !own[v] && written[v.Root()] {
						fail(v, "by a call outside the rows of the part's panel")
					}
				})
			}
			visit(do.Call)
			return
		}
		if let, ok := s.(*Let); ok && len(let.Vars) == 1 && c.partAccumulator(let, f.Var) {
			return // a view of the part's own piece (parallelWrites)
		}
		for _, x := range stepExprs(s) {
			visitTree(x, func(x Expr) {
				switch x := x.(type) {
				case At:
					if !own[x.V] && written[x.V.Root()] && !c.partEntry(x, f.Var) {
						fail(x.V, "at entries other parts may write")
					}
				case Field: // a layout field: no entry
				default:
					Values(x, func(v *Value) {
						if !own[v] && written[v.Root()] {
							fail(v, "whole, with rows other parts write")
						}
					})
				}
			})
		}
	})
	return err
}

// walkSteps calls visit on each of steps and on the steps nested in them,
// outer first.
func walkSteps(steps []Step, visit func(Step)) {
	for _, s := range steps {
		visit(s)
		walkSteps(body(s), visit)
	}
}

// stepExprs returns the expressions a step reads, but for those of a
// loop's header: a Set's target too, read by an update.
func stepExprs(s Step) []Expr {
	switch s := s.(type) {
	case *Let:
		return []Expr{s.Value}
	case *Set:
		return []Expr{s.To, s.Value}
	case *Do:
		return []Expr{s.Call}
	case *Clamp:
		return []Expr{s.Max}
	case *Return:
		return []Expr{s.Value}
	}
	return nil
}

// panelOfPart reports whether the rows d of a view are those of a panel of
// a part: the dimension "r0…r1" of emit's panel loops, r0 the variable of
// a loop over the panels of a part and r1 its end, clamped to the part's
// last row.
func (c *checker) panelOfPart(d derive.Dim) bool {
	lo, hi, ok := strings.Cut(d.Name, "…")
	if !ok {
		return false
	}
	r1 := c.names[hi] // declared by a Let; r0, a loop variable, is its start
	if r1 == nil {
		return false
	}
	end := c.panels[r1]
	if end.start == nil || end.start.Name != lo || !end.clamped {
		return false
	}
	start := c.panels[end.start]
	return start.part && start.start == nil
}
