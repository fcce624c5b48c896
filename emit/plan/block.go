package plan

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
)

// BlockKernels is the block-kernel pass: a loop statement that applies a
// scalar function with a block kernel (kernels maps math.Exp to
// runtime.ExpTo, …) to the entries of a buffer s becomes one kernel call
// over s's storage before the loop, which the kernel may run a vector at a
// time. When the statement writes the function of s[i, j] whole into a
// buffer d, the call writes d and the statement goes (the loop too, when
// nothing is left); when every read of s is the function's argument, the
// call writes a new buffer in s's storage (Value.Reuse), expS, and the
// loop reads its entries instead.
//
// A function's argument that is not such an entry (an expression of the
// loop's entries, an input's entry) becomes one, where it reads nothing
// the loop writes or declares and does read the loop's index: a new
// buffer (declared by alloc) that a loop of its own fills before
// (argumentBuffer), whose kernel call then goes as above; so a sum of
// softplus(-(y .* X w)) runs the vector softplus. Where s is read
// otherwise too, the kernel writes a buffer of its own (by alloc).
//
// A joint kernel's call (joints maps runtime.TanhTanhDeriv to
// runtime.TanhTanhDerivTo, …) whose two results the loop stores, each
// whole into a buffer of its own that the loop refers to nowhere else, or
// reads (then from a new buffer, in s's storage or by alloc), becomes one
// call of its block kernel writing both buffers before the loop; a result
// the loop neither stores nor reads is not formed (the other's kernel
// alone).
//
// The invariants it relies on: a kernel gives its scalar function's
// results to the bit (runtime/vecmath_test.go); s is complete before the
// loop, which does not write it; in place, nothing reads s but as the
// function's argument at the loop's own entry, in the loop and after it,
// which Check verifies (RuleReuse); a buffer a joint kernel fills is read
// nowhere in the loop, so that filling it before the loop changes no read;
// an argument filled before the loop reads nothing the loop changes.
func BlockKernels(steps []Step, kernels, joints map[Qual]Qual, alloc Alloc, take func(base string) string) []Step {
	p := &kernelPass{kernels: kernels, joints: joints, alloc: alloc, names: &namer{taken: map[string]bool{}, take: take}, args: map[*Value]bool{}}
	for _, s := range steps {
		for _, v := range stepValues(s, false) {
			p.names.taken[v.Name] = true
		}
	}
	var out []Step
	for k, s := range steps {
		l, ok := s.(*Loop)
		if !ok || l.Tiled {
			out = append(out, s)
			continue
		}
		out = p.loop(out, l, steps[k+1:])
	}
	return out
}

// Alloc declares a workspace buffer of its own for BlockKernels: it
// returns the step that declares v (v := runtime.Vec(&ws.v, n)), and the
// caller keeps its storage. A nil Alloc leaves every argument that is not
// a buffer's entry in its loop. BlockKernels's take, when not nil, names
// the values it adds where the plan is printed (a name free there, then
// taken).
type Alloc func(v *Value) Step

// kernelPass is one BlockKernels pass: its kernels, the allocator of
// argument buffers, the names taken and the argument buffers made.
type kernelPass struct {
	kernels, joints map[Qual]Qual
	alloc           Alloc
	names           *namer
	args            map[*Value]bool
}

// loop appends to out the steps of l with the calls its kernels take out
// of it before it (under the comments about it), and l when anything is
// left of it; after is what follows l.
func (p *kernelPass) loop(out []Step, l *Loop, after []Step) []Step {
	l = &Loop{Shape: l.Shape, I: l.I, J: l.J, Body: slices.Clone(l.Body), Fusible: l.Fusible, Rows: l.Rows, Cols: l.Cols}
	var calls []Step
	for {
		call, decl, fill := p.rewrite(l, after)
		if call == nil && fill == nil {
			break
		}
		if fill != nil {
			calls = p.loop(append(calls, decl...), fill, append([]Step{l}, after...))
			continue
		}
		calls = append(calls, call...)
	}
	if len(l.Body) == 0 {
		return append(out, calls...) // under the loop's comments
	}
	at := len(out)
	for at > 0 && isComment(out[at-1]) {
		at--
	}
	return slices.Concat(out[:at], calls, out[at:], []Step{l})
}

// rewrite applies to l the first rule that takes something out of it, in
// order: a joint kernel's call (jointBlockKernel), a single kernel's
// (blockKernel), an argument made a buffer (argumentBuffer, where alloc
// is set). It returns the kernel's call, or the argument buffer's
// declaration and the loop that fills it, or nothing when no rule
// applies; after is what follows l.
func (p *kernelPass) rewrite(l *Loop, after []Step) (call, decl []Step, fill *Loop) {
	if call = jointBlockKernel(l, p.kernels, p.joints, after, p.names, p.alloc); call != nil {
		return call, nil, nil
	}
	if call = blockKernel(l, p.kernels, after, p.names, p.args, p.alloc); call != nil {
		return call, nil, nil
	}
	if p.alloc != nil {
		decl, fill = argumentBuffer(l, p.kernels, p.alloc, p.names, p.args)
	}
	return nil, decl, fill
}

// kernelCalls counts the calls BlockKernels would take out of loop l
// (after is what follows it) into kernels, by its rules (rewrite) on a
// copy, with an allocator that declares nothing: Fuse keeps two loops
// apart when that takes more.
func kernelCalls(l *Loop, after []Step, kernels, joints map[Qual]Qual) int {
	if l.Tiled {
		return 0
	}
	p := &kernelPass{kernels: kernels, joints: joints, alloc: func(*Value) Step { return &Comment{} },
		names: &namer{taken: map[string]bool{}}, args: map[*Value]bool{}}
	l = &Loop{Shape: l.Shape, I: l.I, J: l.J, Body: slices.Clone(l.Body), Rows: l.Rows, Cols: l.Cols}
	n := 0
	for {
		call, _, fill := p.rewrite(l, after)
		if call == nil && fill == nil {
			return n
		}
		if call != nil {
			n++
		}
	}
}

// argumentBuffer makes the argument of a call in l of a function with a
// block kernel a buffer's entry, where it is not (an expression, or an
// input's entry, whose storage may be strided), so that the kernel can
// take the call over: the first such argument that reads nothing the loop
// writes or declares, and the loop's own index, becomes the entry of a
// new buffer (declared by alloc, and marked in args) that a loop of l's
// shape, returned, fills before l, and every call of the function with
// that argument in l reads it. It returns the buffer's declaration and the
// loop, or nil.
//
// The invariant: the argument, computed in a loop of its own over the
// same indices before l, has each entry's value l's iteration computed,
// as nothing it reads changes in l; so the calls' values, the kernel's to
// the bit, are the same.
func argumentBuffer(l *Loop, kernels map[Qual]Qual, alloc Alloc, nm *namer, args map[*Value]bool) ([]Step, *Loop) {
	key := ownKey(l)
	written := writes(l.Body)
	declared := map[*Value]bool{}
	for _, st := range l.Body {
		switch st := st.(type) {
		case *Let:
			for _, v := range st.Vars {
				declared[v] = true
			}
		case *Set, *Comment:
		default:
			return nil, nil // a body with more than statements of entries
		}
	}
	hoistable := func(x Expr) bool {
		indexed, ok := false, true
		Values(x, func(v *Value) {
			switch {
			case v == l.I || v == l.J:
				indexed = true
			case declared[v] || written[v.Root()]:
				ok = false
			}
		})
		return ok && indexed
	}
	var fn Qual
	var x Expr
	for _, st := range l.Body {
		if let, ok := st.(*Let); ok && len(let.Alone) > 0 {
			continue // a joint kernel's call: its results come in pairs
		}
		for _, e := range entryExprs(st) {
			walkExpr(e, func(y Expr) {
				c, ok := y.(Call)
				if x != nil || !ok || c.Recv != nil || len(c.Args) != 1 {
					return
				}
				if _, known := kernels[Qual{c.Path, c.Name}]; !known {
					return
				}
				if at, ok := c.Args[0].(At); ok && blockArgument(l, key, written, at) {
					return // blockKernel's
				}
				if hoistable(c.Args[0]) {
					fn, x = Qual{c.Path, c.Name}, c.Args[0]
				}
			})
		}
	}
	if x == nil {
		return nil, nil
	}
	word := kernelWord(kernels[fn])
	kind := Matrix
	if l.Shape.IsVector() {
		kind = Vector
	}
	arg := &Value{Name: nm.fresh(word + "Arg"), Kind: kind, Owner: Workspace, Shape: l.Shape, Contiguous: true}
	decl := alloc(arg)
	args[arg] = true
	text := exprKey(x)
	swap := func(y Expr) Expr {
		if c, ok := y.(Call); ok && c.Recv == nil && len(c.Args) == 1 && (Qual{c.Path, c.Name}) == fn && exprKey(c.Args[0]) == text {
			return Call{Path: c.Path, Name: c.Name, Args: []Expr{entryAt(l, arg)}}
		}
		return y
	}
	for k, st := range l.Body {
		l.Body[k] = rewriteEntries(st, swap, false)
	}
	fill := &Loop{Shape: l.Shape, I: l.I, J: l.J, Rows: l.Rows, Cols: l.Cols,
		Body: []Step{&Set{To: entryAt(l, arg), Op: "=", Value: x}}}
	return []Step{decl, &Comment{Text: arg.Name + " = " + word + "'s argument, entry by entry, for its block kernel"}}, fill
}

// blockKernel rewrites the first statement of l that a kernel can take
// over and returns the kernel's call (with the declaration of its result
// when it writes in place), or nil; after is what follows l, nm names
// what it adds, args the argument buffers (whose kernel's result in place
// is named by the function alone: exp(expArg) is exp). Where the buffer
// is read otherwise too, in the loop or after it, the kernel writes a
// buffer of its own, declared by alloc (none when alloc is nil).
func blockKernel(l *Loop, kernels map[Qual]Qual, after []Step, nm *namer, args map[*Value]bool, alloc Alloc) []Step {
	key := ownKey(l)
	written := writes(l.Body)
	data := func(v *Value) Expr { return Field{X: Ref{v}, Name: "Data"} }
	// applied returns the scalar function and the buffer of a call of x
	// that a kernel can take over: its argument the loop's own entry of a
	// buffer of the loop's shape, complete before the loop.
	applied := func(x Expr) (fn Qual, s *Value) {
		if c, ok := x.(Call); ok && c.Recv == nil && len(c.Args) == 1 {
			at, ok := c.Args[0].(At)
			if _, known := kernels[Qual{c.Path, c.Name}]; known && ok && blockArgument(l, key, written, at) {
				return Qual{c.Path, c.Name}, at.V
			}
		}
		return Qual{}, nil
	}
	for t, st := range l.Body {
		set, ok := st.(*Set)
		if !ok {
			continue
		}
		if to, ok := set.To.(At); ok && set.Op == "=" && indexKey(to) == key && ownBuffer(to.V) && to.V.Shape == l.Shape {
			if fn, s := applied(set.Value); s != nil && !slices.ContainsFunc(l.Body[:t], func(b Step) bool { return referredTo([]Step{b}, to.V) }) {
				l.Body = slices.Delete(l.Body, t, t+1)
				kernel := kernels[fn]
				return []Step{&Do{Call: Fn(kernel.Path, kernel.Name, data(to.V), data(s)), Writes: []*Value{to.V}, InPlace: true}}
			}
		}
		var fn Qual
		var s *Value
		walkExpr(set.Value, func(x Expr) {
			if s == nil {
				fn, s = applied(x)
			}
		})
		if s == nil {
			continue
		}
		kernel := kernels[fn]
		word := kernelWord(kernel)
		name := word + strings.ToUpper(s.Name[:1]) + s.Name[1:]
		if args[s] {
			name = word // an argument buffer's: exp(expArg) is exp
		}
		d := &Value{Name: nm.fresh(name), Kind: s.Kind, Owner: Workspace,
			Shape: s.Shape, Contiguous: true, Of: s, Reuse: true}
		if body, ok := withArgument(l.Body, fn, s, d, applied); ok && !referredTo(after, s) {
			l.Body = body
			return []Step{
				&Comment{Text: d.Name + " = " + word + "(" + s.Name + "), in " + s.Name + "'s storage"},
				&Let{Vars: []*Value{d}, Value: Ref{s}, Pure: true},
				&Do{Call: Fn(kernel.Path, kernel.Name, data(d), data(s)), Writes: []*Value{d}, InPlace: true},
			}
		}
		if alloc == nil {
			nm.drop(d.Name)
			continue
		}
		// s is read otherwise too, in l or after it: the kernel's values
		// go to a buffer of their own.
		d.Of, d.Reuse = nil, false
		l.Body, _ = withArgument(l.Body, fn, s, d, applied)
		decl := alloc(d)
		return []Step{decl,
			&Comment{Text: d.Name + " = " + word + "(" + s.Name + ")"},
			&Do{Call: Fn(kernel.Path, kernel.Name, data(d), data(s)), Writes: []*Value{d}, InPlace: true},
		}
	}
	return nil
}

// blockArgument reports whether a block kernel can take at, the argument
// of a call in l, over: the loop's own entry (key, ownKey(l)) of a buffer
// of the loop's shape that l does not write (written, writes(l.Body)), so
// complete before the loop.
func blockArgument(l *Loop, key string, written map[*Value]bool, at At) bool {
	return indexKey(at) == key && ownBuffer(at.V) && at.V.Shape == l.Shape && !written[at.V.Root()]
}

// jointBlockKernel rewrites the first joint kernel's call of l whose two
// results l stores whole, each into a buffer of its own that l refers to
// nowhere else, and returns the call of its block kernel writing both
// buffers, with each result's kernel alone (Do.Alone), or nil; a result l
// neither stores nor reads is not formed, the other's kernel running
// alone. A result
// l reads rather than stores goes into a new buffer, l reading its entry:
// the first in the storage of the call's argument s, when nothing else
// reads s, in l or after it (after); any other in a workspace buffer of
// its own, declared by alloc (none when alloc is nil); nm names what it
// adds.
func jointBlockKernel(l *Loop, kernels, joints map[Qual]Qual, after []Step, nm *namer, alloc Alloc) []Step {
	key := ownKey(l)
	written := writes(l.Body)
	data := func(v *Value) Expr { return Field{X: Ref{v}, Name: "Data"} }
	for t, st := range l.Body {
		let, ok := st.(*Let)
		if !ok || len(let.Vars) != 2 || len(let.Alone) != 2 {
			continue
		}
		c, ok := let.Value.(Call)
		if !ok || c.Recv != nil || len(c.Args) != 1 {
			continue
		}
		kernel, known := joints[Qual{c.Path, c.Name}]
		at, ok := c.Args[0].(At)
		if !known || !ok || !blockArgument(l, key, written, at) {
			continue
		}
		s := at.V
		// Each result's buffer: the one the loop stores it in, or a new
		// one, in s's storage (inS) or of its own (made); and the steps
		// without the call and the stores.
		rest := slices.Delete(slices.Clone(l.Body), t, t+1)
		outs := make([]*Value, 2)
		var inS *Value
		var made []*Value
		// A result the loop neither stores nor reads is not formed: the
		// other's kernel runs alone.
		dead := -1
		for k, v := range let.Vars {
			if !referredTo(rest, v) {
				dead = k
			}
		}
		for k, v := range let.Vars {
			if k == dead {
				continue
			}
			store := slices.IndexFunc(rest, func(b Step) bool {
				set, ok := b.(*Set)
				if !ok || set.Op != "=" {
					return false
				}
				to, ok := set.To.(At)
				r, isRef := set.Value.(Ref)
				return ok && isRef && r.V == v && indexKey(to) == key && ownBuffer(to.V) && to.V.Shape == l.Shape
			})
			if store >= 0 {
				outs[k] = rest[store].(*Set).To.(At).V
				rest = slices.Delete(rest, store, store+1)
				continue
			}
			buf := &Value{Name: nm.fresh(v.Name + strings.ToUpper(s.Name[:1]) + s.Name[1:]), Kind: s.Kind, Owner: Workspace,
				Shape: s.Shape, Contiguous: true}
			switch {
			case inS == nil && !referredTo(rest, s) && !referredTo(after, s):
				buf.Of, buf.Reuse = s, true
				inS = buf
			case alloc != nil:
				made = append(made, buf)
			default:
				nm.drop(buf.Name)
				continue
			}
			outs[k] = buf
			for j, b := range rest {
				rest[j] = rewriteEntries(b, func(x Expr) Expr {
					if r, ok := x.(Ref); ok && r.V == v {
						return entryAt(l, buf)
					}
					return x
				}, false)
			}
		}
		stored := func(v *Value) bool { return v != nil && v != inS && !slices.Contains(made, v) }
		missing := func(k int) bool { return k != dead && outs[k] == nil }
		if missing(0) || missing(1) || outs[0] == outs[1] || outs[0] == s || outs[1] == s ||
			referredTo(rest, let.Vars[0]) || referredTo(rest, let.Vars[1]) || stored(outs[0]) && referredTo(rest, outs[0]) || stored(outs[1]) && referredTo(rest, outs[1]) {
			for _, v := range append(made, inS) {
				if v != nil {
					nm.drop(v.Name)
				}
			}
			continue
		}
		var alone []*Do
		for k, x := range let.Alone {
			a, ok := x.(Call)
			single, known := kernels[Qual{a.Path, a.Name}]
			if !ok || !known {
				return nil
			}
			if k != dead {
				alone = append(alone, &Do{Call: Fn(single.Path, single.Name, data(outs[k]), data(s)), Writes: outs[k : k+1], InPlace: true})
			}
		}
		l.Body = rest
		partner := let.Alone[1].(Call)
		var steps []Step
		for _, v := range made {
			steps = append(steps, alloc(v))
		}
		if inS != nil {
			steps = append(steps, &Comment{Text: s.Name + " is not read again: " + inS.Name + " takes over its storage."},
				&Let{Vars: []*Value{inS}, Value: Ref{s}, Pure: true})
		}
		if dead >= 0 {
			live := alone[0]
			return append(steps, &Comment{Text: fmt.Sprintf("%s = %s(%s)", live.Writes[0].Name, let.Alone[1-dead].(Call).Name, s.Name)}, live)
		}
		return append(steps,
			&Comment{Text: fmt.Sprintf("%s = %s(%s) too, from the same exp (%s.%s)", outs[1].Name, partner.Name, s.Name, path.Base(kernel.Path), kernel.Name)},
			&Do{Call: Fn(kernel.Path, kernel.Name, data(outs[0]), data(outs[1]), data(s)), Writes: outs, InPlace: true, Alone: alone})
	}
	return nil
}

// kernelWord is the word the values of a block kernel's function are named
// by: its name without To, the first letter lowered (runtime.SigmoidDerivTo:
// sigmoidDeriv).
func kernelWord(kernel Qual) string {
	word := strings.TrimSuffix(kernel.Name, "To")
	return strings.ToLower(word[:1]) + word[1:]
}

// namer hands out the names of the values a pass adds: free among the
// plan's (taken) and, through take, where the plan is printed (the
// emitter's scope: an input no step reads is named there only).
type namer struct {
	taken map[string]bool
	take  func(base string) string
}

// fresh returns base, or base with the first number that makes it a name
// free for n, and takes it.
func (n *namer) fresh(base string) string {
	name := base
	if n.take != nil {
		name = n.take(base)
	}
	for k := 2; n.taken[name]; k++ {
		name = base + strconv.Itoa(k)
		if n.take != nil {
			name = n.take(base)
		}
	}
	n.taken[name] = true
	return name
}

// drop gives back a name fresh returned.
func (n *namer) drop(name string) { delete(n.taken, name) }

// withArgument returns body with each call of fn on s's entry replaced by
// d's entry, and true when that leaves no other read of s.
func withArgument(body []Step, fn Qual, s, d *Value, applied func(Expr) (Qual, *Value)) ([]Step, bool) {
	calls, reads := 0, 0
	swap := func(x Expr) Expr {
		if f, v := applied(x); v == s && f == fn {
			calls++
			at := x.(Call).Args[0].(At)
			return At{V: d, I: at.I, J: at.J}
		}
		return x
	}
	out := make([]Step, len(body))
	for k, st := range body {
		for _, v := range stepValues(st, false) {
			if v == s {
				reads++
			}
		}
		if let, ok := st.(*Let); ok {
			// A joint call's Alone expressions are rewritten too, so
			// their reads count: SoftplusSigmoid(s[i]) still reads s
			// when its Alone Softplus(s[i]) is a call of fn.
			for _, x := range let.Alone {
				Values(x, func(v *Value) {
					if v == s {
						reads++
					}
				})
			}
		}
		out[k] = rewriteEntries(st, swap, false)
	}
	return out, calls > 0 && calls == reads
}

// entryExprs returns the expressions of the Set or Let s, where a loop's
// entries are read and written: a Set's target and value, a Let's value
// and its Alone expressions; nil for any other step.
func entryExprs(s Step) []Expr {
	switch s := s.(type) {
	case *Set:
		return []Expr{s.To, s.Value}
	case *Let:
		return append([]Expr{s.Value}, s.Alone...)
	}
	return nil
}

// rewriteEntries returns the Set or Let s with its value and a Let's Alone
// expressions rebuilt by rewrite with swap, a Set's target too when
// target; any other step as it is.
func rewriteEntries(s Step, swap func(Expr) Expr, target bool) Step {
	switch s := s.(type) {
	case *Set:
		to := s.To
		if target {
			to = rewrite(s.To, swap)
		}
		return &Set{To: to, Op: s.Op, Value: rewrite(s.Value, swap)}
	case *Let:
		alone := make([]Expr, len(s.Alone))
		for i, x := range s.Alone {
			alone[i] = rewrite(x, swap)
		}
		return &Let{Vars: s.Vars, Value: rewrite(s.Value, swap), Pure: s.Pure, Alone: alone}
	}
	return s
}

// walkExpr calls f on x and on every expression inside it that rewrite
// can rebuild.
func walkExpr(x Expr, f func(Expr)) {
	rewrite(x, func(y Expr) Expr { f(y); return y })
}

// rewrite returns x with each subexpression y, innermost first, replaced
// by swap(y), through the operators, calls and disjunctions; other
// expressions are leaves.
func rewrite(x Expr, swap func(Expr) Expr) Expr {
	switch y := x.(type) {
	case binary:
		x = binary{y.op, rewrite(y.l, swap), rewrite(y.r, swap)}
	case unary:
		x = unary{y.op, rewrite(y.x, swap)}
	case Call:
		args := make([]Expr, len(y.Args))
		for k, a := range y.Args {
			args[k] = rewrite(a, swap)
		}
		c := Call{Path: y.Path, Name: y.Name, Recv: y.Recv, Args: args}
		x = c
	case AnyOf:
		terms := make(AnyOf, len(y))
		for k, t := range y {
			terms[k] = rewrite(t, swap)
		}
		x = terms
	case nil:
		return nil
	}
	return swap(x)
}
