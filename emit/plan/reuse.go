package plan

import "slices"

// ReuseStorage is the storage-reuse pass: a workspace buffer d whose first
// writer is a loop over its entries that reads, of another workspace
// buffer s of d's shape, only the entry it is about to write (before
// writing it), takes over s's storage when nothing reads s after that
// loop: softmax(Z) − Y is formed in softmax's storage. So does a buffer
// whose first writer is a call that may write in place (Do.InPlace) over
// an operand s of its shape, when nothing reads s after the call, or only
// sums that can move above it (hoist): the row softmax of Z in Z's
// storage, once Σ Y ⊙ Z is taken before it. It returns the steps and the
// buffers that no longer need workspace of their own.
//
// The invariant it relies on is RuleReuse, which Check verifies: once d
// is being written, s is read only at the entry d's loop has yet to write
// in this iteration, or by the call that writes d in place, and never
// after.
func ReuseStorage(steps []Step) ([]Step, []*Value) {
	var reused []*Value
	for k := 0; k < len(steps); k++ {
		let, ok := steps[k].(*Let)
		if !ok || len(let.Vars) != 1 || !ownBuffer(let.Vars[0]) || let.Vars[0].Of != nil {
			continue
		}
		d := let.Vars[0]
		first := slices.IndexFunc(steps[k+1:], func(s Step) bool { return slices.Contains(stepValues(s, false), d) })
		if first < 0 {
			continue
		}
		first += k + 1
		var s *Value
		switch w := steps[first].(type) {
		case *Loop:
			s = donor(w, d, steps[first+1:])
		case *Do:
			var hoisted []Step
			if s, hoisted = operand(w, d, steps, first); s != nil {
				steps = hoisted
				first = slices.Index(steps, Step(w))
			}
		}
		if s == nil {
			continue
		}
		d.Of, d.Reuse = s, true
		// d's declaration moves to the loop, where s is declared and
		// written, above the comments about the loop.
		at := first
		for at > k+1 && isComment(steps[at-1]) {
			at--
		}
		moved := []Step{
			&Comment{Text: s.Name + " is not read again: " + d.Name + " takes over its storage."},
			&Let{Vars: []*Value{d}, Value: Ref{s}, Pure: true},
		}
		steps = slices.Concat(steps[:k], steps[k+1:at], moved, steps[at:])
		reused = append(reused, d)
		k--
	}
	return steps, reused
}

// ownBuffer reports whether v is a workspace buffer of a vector or matrix
// laid out by its shape alone, or one that reuses such a buffer's storage.
func ownBuffer(v *Value) bool {
	return v.Owner == Workspace && v.Contiguous && (v.Kind == Vector || v.Kind == Matrix) && (v.Of == nil || v.Reuse)
}

// donor returns the buffer whose storage d can take over in loop, d's
// first writer, with after the steps that follow it, or nil: one of d's
// kind and shape that the loop reads only at the entry it writes into d,
// before that write, and whose storage it writes nowhere else, and that no
// later step refers to.
// The loop must run over d's shape and write d's entries at its own
// indices only; its body is statements, with no loop or block inside.
func donor(loop *Loop, d *Value, after []Step) *Value {
	if loop.Tiled || loop.Shape != d.Shape {
		return nil
	}
	key := ownKey(loop)
	var candidates []*Value
	barred := map[*Value]bool{}
	storage := map[*Value]bool{} // written in the loop by a buffer other than d
	written := false
	for _, s := range loop.Body {
		var reads []Expr
		switch s := s.(type) {
		case *Set:
			reads = []Expr{s.Value}
			if at, ok := s.To.(At); ok {
				reads = append(reads, at.I, at.J)
			} else {
				reads = append(reads, s.To)
			}
		case *Let:
			reads = []Expr{s.Value}
		case *Comment:
		default:
			return nil
		}
		for _, x := range reads {
			visitTree(x, func(x Expr) {
				if at, ok := x.(At); ok && at.V != d && at.V.Kind == d.Kind && at.V.Shape == d.Shape && ownBuffer(at.V) {
					if !written && indexKey(at) == key {
						if !slices.Contains(candidates, at.V) {
							candidates = append(candidates, at.V)
						}
					} else {
						barred[at.V] = true
					}
					Values(at.I, func(v *Value) { barred[v] = true })
					Values(at.J, func(v *Value) { barred[v] = true })
					return
				}
				Values(x, func(v *Value) { barred[v] = true })
			})
		}
		set, ok := s.(*Set)
		if !ok {
			continue
		}
		Values(set.To, func(v *Value) {
			if v != d {
				barred[v] = true
				storage[v.Root()] = true
			}
		})
		if at, ok := set.To.(At); ok && at.V == d {
			if set.Op != "=" || indexKey(at) != key {
				return nil
			}
			written = true
		}
	}
	if !written {
		return nil
	}
	for _, s := range candidates {
		if !barred[s] && !storage[s.Root()] && !referredTo(after, s) {
			return s
		}
	}
	return nil
}

// RefersTo reports whether a step of steps refers to s or to a view of it
// (not to a buffer that reuses its storage).
func RefersTo(steps []Step, s *Value) bool { return referredTo(steps, s) }

// referredTo reports whether a step of steps refers to s or to a view of
// it (not to a buffer that reuses its storage).
func referredTo(steps []Step, s *Value) bool {
	for _, step := range steps {
		for _, v := range stepValues(step, false) {
			for ; v != nil; v = v.Of {
				if v == s {
					return true
				}
				if v.Reuse {
					break // a buffer of its own
				}
			}
		}
	}
	return false
}

// operand returns the operand of the call w, steps[at], whose storage its
// result d can take over, and steps with the sums that read it after w
// moved above w; nil when there is none: w may write in place, d is its
// one result of d's shape (or one of a joint kernel's, whose other has
// not taken s), and s is a buffer of that shape it reads whole whose later
// readers can all move (hoist).
func operand(w *Do, d *Value, steps []Step, at int) (*Value, []Step) {
	if !w.InPlace {
		return nil, nil
	}
	// A joint kernel (Alone) may write either of its results in place,
	// but only one: the other must not have taken the operand already.
	joint := len(w.Alone) > 0
	for _, v := range w.Writes {
		if v != d && v.Shape == d.Shape && !joint {
			return nil, nil
		}
	}
	for _, x := range w.Call.Args {
		if f, ok := x.(Field); ok && f.Name == "Data" {
			x = f.X // a block kernel's slice of a buffer
		}
		r, ok := x.(Ref)
		if !ok || r.V == d || r.V.Kind != d.Kind || r.V.Shape != d.Shape || !ownBuffer(r.V) ||
			slices.ContainsFunc(w.Writes, func(v *Value) bool { return v.Reuse && v.Of == r.V }) {
			continue
		}
		if moved, ok := hoist(steps, at, r.V); ok {
			return r.V, moved
		}
	}
	return nil, nil
}

// hoist returns steps with every later reader of s after steps[at] moved
// above steps[at] and the comments over it, and true, or false when a
// reader cannot move. A reader that can move is a sum: a loop whose body
// only adds to scalars, with the declarations and comments right above
// it; it moves when no step it passes writes what it reads, or reads or
// writes what it writes.
func hoist(steps []Step, at int, s *Value) ([]Step, bool) {
	top := at
	for top > 0 && isComment(steps[top-1]) {
		top--
	}
	out := slices.Clone(steps)
	for j := at + 1; j < len(out); j++ {
		if !referredTo(out[j:j+1], s) {
			continue
		}
		l, ok := out[j].(*Loop)
		if !ok || !sums(l) {
			return nil, false
		}
		from := j
		for from > at+1 {
			if _, ok := out[from-1].(*Let); !ok && !isComment(out[from-1]) {
				break
			}
			from--
		}
		unit := out[from : j+1]
		reads, written := referred(unit), writes(unit)
		for _, p := range out[top:from] {
			for v := range writes([]Step{p}) {
				if reads[v] {
					return nil, false
				}
			}
			for v := range referred([]Step{p}) {
				if written[v.Root()] || written[v] {
					return nil, false
				}
			}
		}
		moved := slices.Concat(out[:top], unit, out[top:from], out[j+1:])
		out = moved
		top += len(unit)
		at += len(unit)
	}
	return out, true
}

// sums reports whether the loop's body only adds to scalars.
func sums(l *Loop) bool {
	for _, s := range l.Body {
		set, ok := s.(*Set)
		if !ok {
			return false
		}
		if r, ok := set.To.(Ref); !ok || set.Op != "+=" || r.V.Kind != Scalar {
			return false
		}
	}
	return true
}

// referred returns the values steps refer to, and their roots.
func referred(steps []Step) map[*Value]bool {
	out := map[*Value]bool{}
	for _, s := range steps {
		for _, v := range stepValues(s, false) {
			out[v], out[v.Root()] = true, true
		}
	}
	return out
}

// ownKey is the indices of the entry each iteration of l is over
// (indexKey): "[i, j]", "[i]" for a vector.
func ownKey(l *Loop) string {
	return indexKey(entryAt(l, nil))
}

// entryAt is v's entry each iteration of l is over: v[i, j], v[i] for a
// vector.
func entryAt(l *Loop, v *Value) At {
	own := At{V: v, I: Ref{l.I}}
	if l.J != nil {
		own.J = Ref{l.J}
	}
	return own
}
