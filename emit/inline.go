package emit

import "github.com/gradgen/gradgen/derive"

// Inlining bookkeeping. A use of an elementwise node may be consumed by
// computing the node in place in a loop body (elem); a joint kernel that
// would fill a buffer for the node's partner does so only if some use is
// still to be emitted (joint), so no buffer is filled that nothing reads.
// The rules loop bodies keep once fused (package plan's invariants) are
// checked on the finished plan by plan.Check.

// noteInlined records that one use of n was consumed by computing n in
// place in a loop body.
func (e *function) noteInlined(n *derive.Node) {
	if e.inlined == nil {
		e.inlined = map[*derive.Node]int{}
	}
	e.inlined[n]++
}

// readLater reports whether some use of n is still to be emitted: a
// buffer filled for n now has a reader.
func (e *function) readLater(n *derive.Node) bool {
	return e.uses[n] > e.inlined[n]
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
	case n.Op.Kind == derive.KindLayout || n.Op == derive.OpEye || e.inline(n) || outer(n):
		for _, a := range n.Args {
			e.prepare(a)
		}
	default:
		e.ensure(n)
	}
}
