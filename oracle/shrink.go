package oracle

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Shrink reduces a failing case to a small one that still fails with the
// class of its first failure: each step tries every one-step reduction
// (a subexpression replaced by an operand or a leaf of its shape, a let
// inlined, a wrt entry, the hessian key or an order dropped) as one
// batch, and keeps the smallest that still fails that way.
func Shrink(ctx context.Context, o *Outcome, opts Options, steps int) *Outcome {
	if len(o.Failures) == 0 || o.Case.Text != "" {
		return o
	}
	class := o.Failures[0].Class()
	opts.Test = opts.Test || strings.HasSuffix(class, "/test-output")
	best := o
	for step := 0; step < steps; step++ {
		cands := reductions(best.Case)
		if len(cands) == 0 {
			break
		}
		for i, c := range cands {
			c.Name = fmt.Sprintf("%s_%d", o.Case.Name, step*1000+i)
			c.PointSeed = o.Case.pointSeed()
		}
		outs := RunBatch(ctx, cands, opts)
		var found *Outcome
		for _, r := range outs {
			if fails(r, class) && (found == nil || weight(r.Case) < weight(found.Case)) {
				found = r
			}
		}
		if found == nil || weight(found.Case) >= weight(best.Case) {
			break
		}
		best = found
	}
	return best
}

func fails(o *Outcome, class string) bool {
	for _, f := range o.Failures {
		if f.Class() == class {
			return true
		}
	}
	return false
}

// weight orders cases by size: expression nodes, lets, wrt, inputs, keys.
func weight(c *Case) int {
	w := c.Expr.size() + 2*len(c.Inputs) + len(c.Wrt) + c.Order
	for _, l := range c.Lets {
		w += 3 + l.e.size()
	}
	if c.Hessian {
		w++
	}
	return w
}

// reductions returns the cases one step smaller than c.
func reductions(c *Case) []*Case {
	var out []*Case
	seen := map[string]bool{c.YAML(): true}
	add := func(d *Case) {
		d.Inputs = usedInputs(d)
		key := d.YAML()
		// A function of no input is not a spec.
		if len(d.Inputs) > 0 && !seen[key] {
			seen[key] = true
			out = append(out, d)
		}
	}
	// Subexpressions of the expression and of each let.
	for _, r := range replacements(c, c.Expr) {
		d := *c
		d.Expr = r
		add(&d)
	}
	for i, l := range c.Lets {
		for _, r := range replacements(c, l.e) {
			d := *c
			d.Lets = append([]let(nil), c.Lets...)
			d.Lets[i] = let{l.name, r}
			add(&d)
		}
		// Inline the let.
		d := *c
		d.Lets = append(append([]let(nil), c.Lets[:i]...), c.Lets[i+1:]...)
		d.Expr = substitute(c.Expr, l.name, l.e)
		for j := range d.Lets {
			d.Lets[j].e = substitute(d.Lets[j].e, l.name, l.e)
		}
		add(&d)
	}
	if len(c.Wrt) > 1 {
		for i := range c.Wrt {
			d := *c
			d.Wrt = append(append([]string(nil), c.Wrt[:i]...), c.Wrt[i+1:]...)
			add(&d)
		}
	}
	if c.Hessian {
		d := *c
		d.Hessian = false
		add(&d)
	}
	if c.Order > 1 {
		d := *c
		d.Order--
		add(&d)
	}
	sort.SliceStable(out, func(i, j int) bool { return weight(out[i]) < weight(out[j]) })
	if len(out) > 60 {
		out = out[:60]
	}
	return out
}

// replacements returns e with one subexpression replaced by one of its
// operands of the same shape, or by a leaf of its shape. A literal (a
// dimension, an exponent) stays as it is, and a fill, sized by the
// operand beside it, never stands alone.
func replacements(c *Case, e *expr) []*expr {
	var out []*expr
	var walk func(n *expr, rebuild func(*expr) *expr)
	walk = func(n *expr, rebuild func(*expr) *expr) {
		for _, a := range n.args {
			if a.shape == n.shape && a.kind != "num" && a.kind != "fill" {
				out = append(out, rebuild(a))
			}
		}
		if n.kind != "in" && n.kind != "num" {
			for _, l := range leavesOf(c, n.shape) {
				out = append(out, rebuild(l))
			}
		}
		for i, a := range n.args {
			i := i
			walk(a, func(r *expr) *expr {
				cp := *n
				cp.args = append([]*expr(nil), n.args...)
				cp.args[i] = r
				return rebuild(&cp)
			})
		}
	}
	walk(e, func(r *expr) *expr { return r })
	return out
}

// leavesOf returns the inputs of shape s (and a constant for a scalar).
func leavesOf(c *Case, s shape) []*expr {
	var out []*expr
	if s.isScalar() {
		out = append(out, &expr{kind: "num", name: "2", shape: s})
	}
	for _, in := range c.Inputs {
		if in.shape == s {
			out = append(out, &expr{kind: "in", name: in.name, shape: s})
		}
	}
	return out
}

func substitute(e *expr, name string, by *expr) *expr {
	if e.kind == "in" && e.name == name {
		return by
	}
	cp := *e
	cp.args = make([]*expr, len(e.args))
	for i, a := range e.args {
		cp.args[i] = substitute(a, name, by)
	}
	return &cp
}

// usedInputs drops the inputs the case no longer mentions and does not
// differentiate by, but keeps one declaring each dimension an eye(…)
// names.
func usedInputs(c *Case) []input {
	var keep []input
	declared := map[string]bool{}
	for _, in := range c.Inputs {
		if mentions(c, in.name) || contains(c.Wrt, in.name) {
			keep = append(keep, in)
			declared[in.shape.r], declared[in.shape.c] = true, true
		}
	}
	for _, d := range eyeDims(c) {
		for _, in := range c.Inputs {
			if !declared[d] && (in.shape.r == d || in.shape.c == d) {
				keep = append(keep, in)
				declared[in.shape.r], declared[in.shape.c] = true, true
			}
		}
	}
	return keep
}

// eyeDims returns the dimensions of the case's eye(…) calls.
func eyeDims(c *Case) []string {
	var dims []string
	var walk func(e *expr)
	walk = func(e *expr) {
		if e.kind == "eye" {
			dims = append(dims, e.shape.r)
		}
		for _, a := range e.args {
			walk(a)
		}
	}
	for _, l := range c.Lets {
		walk(l.e)
	}
	walk(c.Expr)
	return dims
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// regressionRow returns the case as a row of testdata/regressions.yaml,
// with the failure it reproduced as a comment.
func regressionRow(o *Outcome, name string) string {
	c := *o.Case
	c.Name = name
	var b strings.Builder
	for _, f := range o.Failures[:1] {
		fmt.Fprintf(&b, "  # %s: %s\n", f.Class(), strings.ReplaceAll(truncate(f.Msg, 160), "\n", " "))
	}
	b.WriteString(c.YAML())
	return b.String()
}
