package plan

import "slices"

// Blank is the blank identifier, for a declared name nothing reads.
var Blank = &Value{Name: "_", Kind: Object, Owner: Local}

// DropUnread returns steps without the pure declarations (Let.Pure) none
// of whose names another step reads, at any depth, dropped until none is
// left (a dropped view may leave the dimension it read unread, a dropped
// call in a loop the entry it read), with each name no step reads in a
// kept pure declaration spelled _, and without the loops and blocks left
// empty. It is the pass that keeps RuleUsed for declarations made on
// speculation: the view of every input, the binding of every dimension,
// both results of a joint kernel's call when a later pass (DropDeadStores)
// removed the only reader of one (then the other's call alone).
func DropUnread(steps []Step) []Step {
	count := map[*Value]int{}
	var droppable []Step         // pure Lets, loops and blocks, inner ones first
	reads := map[Step][]*Value{} // what each reads: a loop, its header
	var walk func(steps []Step)
	walk = func(steps []Step) {
		for _, s := range steps {
			var vs []*Value
			switch st := s.(type) {
			case *Let:
				vs = stepValues(st, true)
				if st.Pure {
					droppable = append(droppable, st)
				}
			case *Loop, *For, *Block:
				walk(body(st))
				vs = stepValues(header(st), false)
				droppable = append(droppable, st)
			default:
				vs = stepValues(st, false)
			}
			reads[s] = vs
			for _, v := range vs {
				count[v]++
			}
		}
	}
	walk(steps)
	dropped := map[Step]bool{}
	// unneeded reports whether s may go: a pure Let none of whose names is
	// read, a loop or block all of whose steps have gone.
	unneeded := func(s Step) bool {
		if let, ok := s.(*Let); ok {
			for _, v := range let.Vars {
				if count[v] > 0 {
					return false
				}
			}
			return true
		}
		for _, b := range body(s) {
			if !dropped[b] {
				return false
			}
		}
		return true
	}
	for changed := true; changed; {
		changed = false
		for _, s := range droppable {
			if dropped[s] || !unneeded(s) {
				continue
			}
			dropped[s], changed = true, true
			for _, v := range reads[s] {
				count[v]--
			}
		}
	}
	var rebuild func(steps []Step) []Step
	rebuild = func(steps []Step) []Step {
		var out []Step
		for _, s := range steps {
			if dropped[s] {
				continue
			}
			switch st := s.(type) {
			case *Let:
				if st.Pure {
					s = withoutUnread(st, count)
				}
			case *Loop, *For, *Block:
				s = withBody(st, rebuild(body(st)))
			}
			out = append(out, s)
		}
		return out
	}
	return rebuild(steps)
}

// withoutUnread returns the pure declaration let with each name count
// says nothing reads spelled _, or, when one name of several is read and
// let has its expression alone (Let.Alone), the declaration of that name
// alone.
func withoutUnread(let *Let, count map[*Value]int) *Let {
	vars := make([]*Value, len(let.Vars))
	read := -1
	for i, v := range let.Vars {
		vars[i] = v
		if count[v] == 0 {
			vars[i] = Blank
		} else if read == -1 {
			read = i
		} else {
			read = -2 // several
		}
	}
	if read >= 0 && len(let.Vars) > 1 && len(let.Alone) == len(let.Vars) {
		return &Let{Vars: []*Value{let.Vars[read]}, Value: let.Alone[read], Pure: true}
	}
	return &Let{Vars: vars, Value: let.Value, Pure: true, Alone: let.Alone}
}

// header returns a loop or block without its body: the step whose values
// are those its header refers to.
func header(s Step) Step {
	return withBody(s, nil)
}

// withBody returns a copy of the loop or block s running b.
func withBody(s Step, b []Step) Step {
	switch s := s.(type) {
	case *Loop:
		c := *s
		c.Body = b
		return &c
	case *For:
		c := *s
		c.Body = b
		return &c
	case *Block:
		c := *s
		c.Body = b
		return &c
	}
	return s
}

// stepValues returns the values step s refers to, once per occurrence: for
// a top-level Let (top set) those its value reads, for any other step
// every value anywhere in it.
func stepValues(s Step, top bool) []*Value {
	var out []*Value
	add := func(v *Value) { out = append(out, v) }
	expr := func(xs ...Expr) {
		for _, x := range xs {
			Values(x, add)
		}
	}
	body := func(steps []Step) {
		for _, b := range steps {
			out = append(out, stepValues(b, false)...)
		}
	}
	switch s := s.(type) {
	case *Let:
		if !top {
			out = append(out, s.Vars...)
		}
		expr(s.Value)
	case *Set:
		expr(s.To, s.Value)
	case *Do:
		expr(s.Call)
	case *Loop:
		for _, v := range []*Value{s.I, s.J} {
			if v != nil {
				add(v)
			}
		}
		if s.Tiles != nil {
			out = append(out, s.Tiles.I, s.Tiles.J, s.Tiles.IEnd, s.Tiles.JEnd)
		}
		expr(s.Rows, s.Cols)
		body(s.Body)
	case *For:
		add(s.Var)
		expr(s.From, s.To, s.Step)
		if p := s.Parallel; p != nil {
			out = append(out, p.Lo, p.Hi, p.Workspace)
			expr(p.Rows)
		}
		body(s.Body)
	case *Block:
		expr(s.If)
		body(s.Body)
	case *Clamp:
		add(s.V)
		expr(s.Max)
	case *Return:
		expr(s.Value)
	case *Defer:
		expr(s.Call)
	}
	return out
}

// DropDeadStores returns steps without the workspace buffers nothing
// reads: their declarations, the statements that only fill them (entry
// assignments in loops, calls whose one effect is to write them) and the
// comments about them, until none is left (a dropped store may leave the
// buffers it read unread). A pure declaration of a local scalar nothing
// reads goes too (v := buf[i], read only by a dropped store), and a joint
// block kernel one of whose results goes is replaced by the other's
// kernel alone (Do.Alone). It returns the buffers dropped. A buffer can be
// stored and never read when every reader reads past it: a sum's term
// −1·t is subtracted as t, so the buffer of −1·t is left unread.
func DropDeadStores(steps []Step) ([]Step, []*Value) {
	var dropped []*Value
	for {
		reads := map[*Value]int{}
		var declared, scalars []*Value
		countReads(steps, reads, &declared, &scalars)
		dead := map[*Value]bool{}
		for _, v := range declared {
			if reads[v] == 0 {
				dead[v] = true
				dropped = append(dropped, v)
			}
		}
		for _, v := range scalars {
			if reads[v] == 0 {
				dead[v] = true
			}
		}
		if len(dead) == 0 {
			return steps, dropped
		}
		steps = withoutStores(steps, dead)
	}
}

// countReads counts the reads of each value in steps, a store into a
// workspace buffer not counting as a read of it, and lists the workspace
// buffers declared and the local scalars of pure single declarations
// (which a dropped store may leave unread: v := buf[i] read only by the
// store of −v).
func countReads(steps []Step, reads map[*Value]int, declared, scalars *[]*Value) {
	count := func(x Expr) { Values(x, func(v *Value) { reads[v]++ }) }
	for _, s := range steps {
		switch s := s.(type) {
		case *Let:
			for _, v := range s.Vars {
				if v.Owner == Workspace && v.Of == nil {
					*declared = append(*declared, v)
				}
			}
			if v := s.Vars[0]; len(s.Vars) == 1 && s.Pure && v.Owner == Local && v.Kind == Scalar {
				*scalars = append(*scalars, v)
			}
			count(s.Value)
		case *Set:
			if v := storeTarget(s); v != nil {
				count(s.To.(At).I)
				count(s.To.(At).J)
			} else {
				count(s.To)
			}
			count(s.Value)
		case *Do:
			if onlyWrites(s) != nil || len(s.Alone) > 0 {
				// A call whose one effect is to write a buffer (whole, or
				// through a view of its rows: v.Data[r0:r1]), or a joint
				// kernel's, reads none of the buffers it writes, which go
				// when nothing else reads them.
				Values(s.Call, func(v *Value) {
					if !slices.Contains(s.Writes, v) {
						reads[v]++
					}
				})
				continue
			}
			count(s.Call)
		case *Loop, *For, *Block:
			countReads(body(s), reads, declared, scalars)
			for _, x := range loopExprs(s) {
				count(x)
			}
		default:
			for _, v := range stepValues(s, true) {
				reads[v]++
			}
		}
	}
}

// body returns the steps nested in a loop or block.
func body(s Step) []Step {
	switch s := s.(type) {
	case *Loop:
		return s.Body
	case *For:
		return s.Body
	case *Block:
		return s.Body
	}
	return nil
}

// loopExprs returns the expressions of a loop's header.
func loopExprs(s Step) []Expr {
	switch s := s.(type) {
	case *Loop:
		return []Expr{s.Rows, s.Cols}
	case *For:
		if p := s.Parallel; p != nil {
			return []Expr{s.From, s.To, s.Step, p.Rows, Ref{p.Workspace}}
		}
		return []Expr{s.From, s.To, s.Step}
	case *Block:
		return []Expr{s.If}
	}
	return nil
}

// storeTarget returns the workspace buffer whose entry s overwrites, or
// nil.
func storeTarget(s *Set) *Value {
	if at, ok := s.To.(At); ok && s.Op == "=" && at.V.Owner == Workspace && at.V.Of == nil {
		return at.V
	}
	return nil
}

// onlyWrites returns the workspace buffer that is the one effect of the
// call s, or nil.
func onlyWrites(s *Do) *Value {
	if len(s.Writes) == 1 && len(s.Updates) == 0 && s.Writes[0].Owner == Workspace && s.Writes[0].Of == nil {
		return s.Writes[0]
	}
	return nil
}

// withoutJointResults appends the joint kernel s to out, without the
// results dead: whole when none is, not at all (nor its comment) when
// both are, else the other result's call by itself (Do.Alone).
func withoutJointResults(out []Step, s *Do, dead map[*Value]bool) []Step {
	var live []int
	for k, w := range s.Writes {
		if !dead[w] {
			live = append(live, k)
		}
	}
	if len(live) == len(s.Writes) {
		return append(out, s)
	}
	out = withoutDoc(out, s)
	if len(live) == 0 {
		return out
	}
	if len(live) != 1 || len(s.Alone) != len(s.Writes) {
		panic("plan: a joint kernel not of two results, each with its call alone")
	}
	alone := s.Alone[live[0]]
	if alone.Doc != nil {
		out = append(out, alone.Doc)
	}
	return append(out, alone)
}

// withoutDoc returns out without its last step when that is s's comment
// (Do.Doc), as s goes.
func withoutDoc(out []Step, s *Do) []Step {
	if n := len(out); s.Doc != nil && n > 0 && out[n-1] == s.Doc {
		return out[:n-1]
	}
	return out
}

// withoutStores returns steps without the declarations of, the stores
// into and the comments about the buffers dead; a loop left empty goes
// too.
func withoutStores(steps []Step, dead map[*Value]bool) []Step {
	var out []Step
	for _, s := range steps {
		switch s := s.(type) {
		case *Let:
			if len(s.Vars) == 1 && dead[s.Vars[0]] {
				continue
			}
		case *Set:
			if v := storeTarget(s); v != nil && dead[v] {
				continue
			}
		case *Do:
			if v := onlyWrites(s); v != nil && dead[v] {
				out = withoutDoc(out, s)
				continue
			}
			if len(s.Alone) > 0 {
				out = withoutJointResults(out, s, dead)
				continue
			}
		case *Comment:
			if s.About != nil && dead[s.About] {
				continue
			}
		case *Loop:
			l := *s
			if l.Body = withoutStores(s.Body, dead); len(l.Body) == 0 {
				continue
			}
			out = append(out, &l)
			continue
		case *For:
			f := *s
			if f.Body = withoutStores(s.Body, dead); len(f.Body) == 0 {
				continue
			}
			out = append(out, &f)
			continue
		case *Block:
			out = append(out, &Block{If: s.If, Body: withoutStores(s.Body, dead)})
			continue
		}
		out = append(out, s)
	}
	return out
}
