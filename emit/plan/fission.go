package plan

// Fission cuts the body of a loop over i (i = lo … hi−1) at its step k so
// that the loop can run as two, the steps before k over the whole range,
// then the steps from k on: a block kernel can then take over step k, a
// call of a function of a buffer's entry i, between the two loops. It
// returns the two bodies, or ok false when the cut could change a result.
//
// The invariant it relies on, checked here: the steps before k are stores
// of entry i of buffers (Set At(i) =) and nothing else, so they declare no
// local the others could read and accumulate nothing; they read nothing
// that the steps from k on write, so running all of them first reads the
// same values; and the steps from k on read the buffers the steps before k
// write only at entry i, which the first loop has written by then as it
// had before. The steps from k on keep their order, and every accumulation
// in them its order over i.
func Fission(body []Step, k int, i *Value) (before, after []Step, ok bool) {
	if k < 0 || k >= len(body) {
		return nil, nil, false
	}
	before, after = body[:k], body[k:]
	own := func(x Expr) bool {
		r, ok := x.(Ref)
		return ok && r.V == i
	}
	stored := map[*Value]bool{}
	for _, s := range before {
		set, ok := s.(*Set)
		if !ok {
			return nil, nil, false
		}
		to, ok := set.To.(At)
		if !ok || set.Op != "=" || !own(to.I) || to.J != nil {
			return nil, nil, false
		}
		stored[to.V.Root()] = true
	}
	later := writes(after)
	var reads []Expr
	walkExprs(before, func(x Expr) { reads = append(reads, x) })
	for _, x := range reads {
		clash := false
		Values(x, func(v *Value) { clash = clash || later[v.Root()] })
		if clash {
			return nil, nil, false
		}
	}
	for v := range stored {
		if later[v] {
			return nil, nil, false
		}
	}
	// Entries of the stored buffers read after the cut: entry i only.
	fine := true
	var check func(x Expr)
	check = func(x Expr) {
		visitTree(x, func(y Expr) {
			switch y := y.(type) {
			case At:
				if stored[y.V.Root()] && (!own(y.I) || y.J != nil) {
					fine = false
				}
				check(y.I)
				if y.J != nil {
					check(y.J)
				}
			case Ref:
				if stored[y.V.Root()] {
					fine = false // the whole buffer
				}
			}
		})
	}
	walkExprs(after, check)
	if !fine {
		return nil, nil, false
	}
	return before, after, true
}
