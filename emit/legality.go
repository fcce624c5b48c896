package emit

import (
	"fmt"
	"sort"

	"github.com/gradgen/gradgen/derive"
)

// Fusion legality. A loop body computes entry (i, j) of a value; fusion
// puts the bodies of several values, and the sums of them, into one pass,
// and a joint kernel or a row panel fills a second buffer on the side.
// That is right only under the rules below. The loop builders (loop,
// fusedLoop, joint, emitPanels) record what each body reads, sums and
// fills, plan so that no rule is broken, and check the rules on what they
// built: a violation is an internal error naming the rule, never code
// that runs and gives a wrong number.
const (
	// ruleReductionRead: a sum accumulated over a loop's iterations holds
	// a partial sum until the loop ends, so no body of that loop reads it.
	ruleReductionRead = "a reduction's result is never read in the loop that accumulates it"
	// ruleWrittenBeforeRead: a buffer a loop fills entry by entry is read
	// at an entry only after the statement that writes that entry, and
	// as a whole (by a BLAS call, say) only once its loop is built.
	ruleWrittenBeforeRead = "a buffer is written before it is read"
	// ruleDeclaredUsed: a name declared to hold a loop's result (a sum,
	// a buffer filled on the side) is read afterwards; one that is not is
	// work thrown away, or a reader looking at another name.
	ruleDeclaredUsed = "a declared name is used"
)

// illegal panics with the internal error for a broken rule.
func illegal(rule, detail string) {
	panic(fmt.Sprintf("emit: internal error: fusion legality: %s: %s", rule, detail))
}

// loopEffects is what the bodies of one loop do besides writing their own
// entry, recorded while they are built.
type loopEffects struct {
	reads       map[string]bool // stored values read
	accumulates map[string]bool // scalars summed over the iterations
	fills       map[*val]bool   // buffers written entry by entry
}

func newLoopEffects() *loopEffects {
	return &loopEffects{reads: map[string]bool{}, accumulates: map[string]bool{}, fills: map[*val]bool{}}
}

// merge adds the effects of o, a body joining the same loop.
func (fx *loopEffects) merge(o *loopEffects) {
	for k := range o.reads {
		fx.reads[k] = true
	}
	for k := range o.accumulates {
		fx.accumulates[k] = true
	}
	for v := range o.fills {
		fx.fills[v] = true
	}
}

// readsSumOf reports whether a body with effects fx reads a sum that the
// loop with effects loop accumulates: it may then not join that loop.
func (fx *loopEffects) readsSumOf(loop *loopEffects) bool {
	for k := range fx.reads {
		if loop.accumulates[k] {
			return true
		}
	}
	return false
}

// legality is a function's state for the rules: the loop body being
// built, the buffers whose filling loop is not built yet, and the names
// declared for loop results and those read.
type legality struct {
	body      *loopEffects
	unwritten map[*val]bool
	declared  []string
	read      map[string]bool
	inlined   map[*derive.Node]int // uses of a node consumed by computing it in place
}

// openBody starts recording the effects of a loop body; restore returns
// to the enclosing body, if any.
func (e *function) openBody() (fx *loopEffects, restore func()) {
	outer := e.legal.body
	fx = newLoopEffects()
	e.legal.body = fx
	return fx, func() { e.legal.body = outer }
}

// noteRead records that the code being built reads the stored value v.
func (e *function) noteRead(v *val) {
	if e.legal.read == nil {
		e.legal.read = map[string]bool{}
	}
	e.legal.read[v.Name] = true
	if e.legal.body != nil {
		e.legal.body.reads[v.Name] = true
	}
}

// readScalar returns the stored scalar v, recording the read.
func (e *function) readScalar(v *val) expr {
	e.noteRead(v)
	return ref(v)
}

// readStored returns entry (i, j) of the stored value v of n, recording
// the read; an entry of a buffer whose loop is not built yet is readable
// only in that loop, after the statement that writes it.
func (e *function) readStored(n *derive.Node, v *val, i, j expr) expr {
	e.noteRead(v)
	if e.legal.unwritten[v] && (e.legal.body == nil || !e.legal.body.fills[v]) {
		illegal(ruleWrittenBeforeRead, fmt.Sprintf("entry of %s read outside the loop that fills it", v.Name))
	}
	return e.read(n, v, i, j)
}

// readWhole records that v is read as a whole, which needs its filling
// loop built.
func (e *function) readWhole(v *val) {
	e.noteRead(v)
	if e.legal.unwritten[v] {
		illegal(ruleWrittenBeforeRead, fmt.Sprintf("%s read as a whole before the loop that fills it is built", v.Name))
	}
}

// fillBuffer declares a buffer of shape that a loop fills entry by entry
// (noteFill in its body). The declaration reads nothing a loop computes,
// so it goes above a loop just emitted, which the body filling the buffer
// may then still join.
func (e *function) fillBuffer(shape derive.Shape, base string) *val {
	v := e.buffer(shape, base)
	if p := e.pending; p != nil && p.at == len(e.body)-2 {
		decl := e.body[len(e.body)-1]
		copy(e.body[p.at+1:], e.body[p.at:len(e.body)-1])
		e.body[p.at] = decl
		p.at++
	}
	if e.legal.unwritten == nil {
		e.legal.unwritten = map[*val]bool{}
	}
	e.legal.unwritten[v] = true
	e.legal.declared = append(e.legal.declared, v.Name)
	return v
}

// noteFill records that the body being built writes its entry of v.
func (e *function) noteFill(v *val) {
	e.legal.body.fills[v] = true
}

// noteAccumulate records that the body being built adds to the sum acc.
func (e *function) noteAccumulate(acc *val) {
	e.legal.body.accumulates[acc.Name] = true
	e.legal.declared = append(e.legal.declared, acc.Name)
}

// closeLoop checks the loop whose bodies had effects fx, now built: no
// body reads a sum the loop accumulates, and the buffers it fills are
// readable as wholes from here on.
func (e *function) closeLoop(fx *loopEffects) {
	var partial []string
	for k := range fx.accumulates {
		if fx.reads[k] {
			partial = append(partial, k)
		}
	}
	if len(partial) > 0 {
		sort.Strings(partial)
		illegal(ruleReductionRead, fmt.Sprintf("the loop accumulating %v reads it", partial))
	}
	for v := range fx.fills {
		delete(e.legal.unwritten, v)
	}
}

// checkDeclaredUsed checks, once the body is complete, that every sum and
// loop-filled buffer declared is read and every such buffer written.
func (e *function) checkDeclaredUsed() {
	for v := range e.legal.unwritten {
		illegal(ruleWrittenBeforeRead, fmt.Sprintf("%s is declared and never written", v.Name))
	}
	for _, name := range e.legal.declared {
		if !e.legal.read[name] {
			illegal(ruleDeclaredUsed, fmt.Sprintf("%s is computed and never read", name))
		}
	}
}

// prepare computes, before a loop whose body reads entries of n is built,
// everything the body would otherwise emit while it is being built: the
// scalars it reads (sums among them) and the operands it reads stored
// rather than inline. A body then emits no statement ahead of its loop
// that could read a buffer the body fills (a joint kernel's partner) or
// see a sum half accumulated; it mirrors elem's choices.
func (e *function) prepare(n *derive.Node) {
	if _, ok := e.vals[n]; ok {
		return
	}
	switch {
	case n.Shape.IsScalar():
		e.scalar(n)
	case n.Op.Kind == derive.KindLayout || n.Op == derive.OpEye || e.inline(n):
		for _, a := range n.Args {
			e.prepare(a)
		}
	default:
		e.ensure(n)
	}
}

// noteInlined records that one use of n was consumed by computing n in
// place in a loop body.
func (e *function) noteInlined(n *derive.Node) {
	if e.legal.inlined == nil {
		e.legal.inlined = map[*derive.Node]int{}
	}
	e.legal.inlined[n]++
}

// readLater reports whether some use of n is still to be emitted: a
// buffer filled for n now has a reader (ruleDeclaredUsed).
func (e *function) readLater(n *derive.Node) bool {
	return e.uses[n] > e.legal.inlined[n]
}
