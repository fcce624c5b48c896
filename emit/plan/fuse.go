package plan

// Fuse is the loop fusion pass: a fusible loop joins the fusible loop
// before it when they run over the same shape and only declarations and
// comments stand between them (those move above the joined loop), so work
// on the same entries is one pass over memory: a value formed entry by
// entry and its sum, softplus and the σ its gradient reads.
//
// Joining is legal when the later body, run in the same iteration right
// after the earlier one, computes what it computed after the whole earlier
// loop. fusible states the conditions; Check verifies the result.
//
// Two loops stay apart when BlockKernels, with kernels and joints (nil:
// none), would take more calls out of them apart than joined
// (kernelCalls): joined, a call of a function of what the first loop
// writes runs one entry at a time, where apart it goes to the kernel over
// the finished buffer (one more pass over it, against a vector function).
func Fuse(steps []Step, kernels, joints map[Qual]Qual) []Step {
	var out []Step
	last := -1 // index in out of the last fusible loop
	var between []Step
	flush := func() {
		out = append(out, between...)
		between = nil
	}
	for k, s := range steps {
		if l, ok := s.(*Loop); ok && l.Fusible {
			if last >= 0 {
				a := out[last].(*Loop)
				joined := *a
				joined.Body = append(append([]Step{}, a.Body...), l.Body...)
				after := steps[k+1:]
				if movable(between, a) && fusible(a, l) && (kernels == nil ||
					kernelCalls(&joined, after, kernels, joints) >= kernelCalls(a, append([]Step{l}, after...), kernels, joints)+kernelCalls(l, after, kernels, joints)) {
					// The declarations go above a's comments, the comments
					// about l's work below them: every comment about the
					// joined loop's work stays right above it.
					at := last
					for at > 0 && isComment(out[at-1]) {
						at--
					}
					var lets, notes []Step
					for _, s := range between {
						if isComment(s) {
							notes = append(notes, s)
						} else {
							lets = append(lets, s)
						}
					}
					head := append(append([]Step{}, out[:at]...), lets...)
					head = append(append(head, out[at:last]...), notes...)
					last = len(head)
					out = append(head, &joined)
					between = nil
					continue
				}
			}
			flush()
			out = append(out, l)
			last = len(out) - 1
			continue
		}
		if last >= 0 {
			between = append(between, s)
			continue
		}
		out = append(out, s)
	}
	flush()
	return out
}

// movable reports whether the steps between two loops can move above the
// first loop a: comments, and declarations whose values read nothing a
// writes (they are declared after a, so a cannot refer to them).
func movable(steps []Step, a *Loop) bool {
	w := writes(a.Body)
	for _, s := range steps {
		switch s := s.(type) {
		case *Comment:
		case *Let:
			reads := false
			Values(s.Value, func(v *Value) { reads = reads || w[v.Root()] })
			if reads {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// fusible reports whether loop b can run inside loop a, iteration by
// iteration: the same shape; b reads the entries a writes only at its own
// entry, where a writes them too (not transposed), a's sums not at all
// (they are partial until a ends) and nothing against the loop's order (a
// tiled body); and a refers to nothing b writes.
func fusible(a, b *Loop) bool {
	if a.Shape != b.Shape || b.Tiled {
		return false
	}
	aw, bw := writes(a.Body), writes(b.Body)
	skewed := skewedWrites(a.Body, a) // written at another iteration's entry
	for _, s := range a.Body {
		for _, v := range stepValues(s, false) {
			if bw[v.Root()] {
				return false
			}
		}
	}
	ok := true
	var visit func(x Expr)
	visit = func(x Expr) {
		switch x := x.(type) {
		case At:
			if aw[x.V.Root()] && (!ownEntry(x, b) || skewed[x.V.Root()]) {
				ok = false
			}
			visitTree(x.I, visit)
			visitTree(x.J, visit)
		default:
			Values(x, func(v *Value) {
				if aw[v.Root()] {
					ok = false // a sum, or a buffer read whole
				}
			})
		}
	}
	walkExprs(b.Body, func(x Expr) { visitTree(x, visit) })
	return ok
}

// skewedWrites returns the buffers (by root) that steps, the body of loop
// l, write at an entry other than the iteration's own: a body over aᵀ
// fills a joint kernel's partner at (j, i). A reader of such a buffer
// cannot join the loop: entry (i, j) is written in iteration (j, i), which
// may come later.
func skewedWrites(steps []Step, l *Loop) map[*Value]bool {
	out := map[*Value]bool{}
	var walk func(steps []Step)
	walk = func(steps []Step) {
		for _, s := range steps {
			if set, ok := s.(*Set); ok {
				if at, ok := set.To.(At); ok && !ownEntry(at, l) {
					out[at.V.Root()] = true
				}
			}
			walk(body(s))
		}
	}
	walk(steps)
	return out
}

// ownEntry reports whether the entry x is the one the loop l's iteration
// is at.
func ownEntry(x At, l *Loop) bool {
	isVar := func(e Expr, v *Value) bool {
		r, ok := e.(Ref)
		return ok && v != nil && r.V == v
	}
	isZero := func(e Expr) bool { z, ok := e.(IntLit); return ok && z == 0 }
	switch {
	case l.Shape.IsCol():
		return isVar(x.I, l.I) && (x.J == nil || isZero(x.J))
	case l.Shape.IsRow():
		return x.J == nil && isVar(x.I, l.I) || isZero(x.I) && isVar(x.J, l.I)
	}
	return isVar(x.I, l.I) && isVar(x.J, l.J)
}

// writes returns the values (by root) that steps assign or accumulate.
func writes(steps []Step) map[*Value]bool {
	w := map[*Value]bool{}
	var walk func(steps []Step)
	walk = func(steps []Step) {
		for _, s := range steps {
			switch s := s.(type) {
			case *Set:
				Values(s.To, func(v *Value) {
					if v.Owner != Index {
						w[v.Root()] = true
					}
				})
			case *Let:
				for _, v := range s.Vars {
					w[v] = true
				}
			case *Do:
				for _, v := range s.Changes() {
					w[v.Root()] = true
				}
			default:
				walk(body(s))
			}
		}
	}
	walk(steps)
	return w
}

// walkExprs calls f on every expression the steps read: values assigned,
// indices of targets, declarations' values, calls.
func walkExprs(steps []Step, f func(Expr)) {
	for _, s := range steps {
		switch s := s.(type) {
		case *Set:
			f(s.Value)
			if at, ok := s.To.(At); ok {
				f(at.I)
				if at.J != nil {
					f(at.J)
				}
			}
			if s.Op != "=" {
				f(s.To)
			}
		case *Let:
			f(s.Value)
		case *Do:
			f(s.Call)
		default:
			for _, x := range loopExprs(s) {
				if x != nil {
					f(x)
				}
			}
			walkExprs(body(s), f)
		}
	}
}

func isComment(s Step) bool {
	_, ok := s.(*Comment)
	return ok
}
