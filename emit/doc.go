package emit

import (
	"strings"

	"github.com/gradgen/gradgen/derive"
)

// This file writes the doc comments of generated functions: what each
// computes, the spec's doc, and the derived formulas.

// doc returns the doc comment: what the function computes, the spec's doc,
// and the formulas.
func (e *function) doc(names []string) []string {
	fn := e.fn
	var lines []string
	call := fn.Spec.Name + "(" + strings.Join(names[:len(fn.Inputs)], ", ") + ")"
	var params []string
	for _, o := range e.outs {
		params = append(params, o.param)
	}
	dirs := strings.Join(names[len(fn.Inputs):], ", ")
	switch e.role {
	case roleValue:
		if e.returns() {
			lines = append(lines, e.name+" returns f = "+call+".")
		} else {
			lines = append(lines, e.name+" writes f = "+call+" into "+params[0]+", overwriting it.")
		}
	case roleGrad:
		var ds []string
		for _, w := range fn.Wrt {
			ds = append(ds, "∂f/∂"+w.Name)
		}
		lines = append(lines, e.name+" returns f = "+call+" and writes "+strings.Join(ds, ", ")+" into "+strings.Join(params, ", ")+",")
		lines = append(lines, "overwriting them; each has the shape of its input (denominator layout).")
	case roleDeriv:
		what := derivName(fn.Wrt[0].Name, e.order)
		if e.returns() {
			lines = append(lines, e.name+" returns "+what+" of f = "+call+".")
		} else {
			lines = append(lines, e.name+" writes "+what+" of f = "+call+" into "+params[0]+",")
			lines = append(lines, "overwriting it; it has the shape of f.")
		}
	case roleJVP:
		lines = append(lines, e.name+" writes the directional derivative of f = "+call+" in the")
		lines = append(lines, "directions "+dirs+" into "+params[0]+" (Σ Df["+dirs+"], no Jacobian formed), overwriting it.")
	case roleHessVec:
		lines = append(lines, e.name+" writes the Hessian-vector product of f = "+call+",")
		lines = append(lines, "the derivative of its gradient in the directions "+dirs+", into "+strings.Join(params, ", ")+",")
		lines = append(lines, "overwriting them (forward over reverse; no Hessian is formed).")
	}
	lines = append(lines, specDoc(fn)...)
	doc := newDocFormulas(fn)
	doc.show("f", fn.Value)
	doc.lets()
	switch e.role {
	case roleGrad:
		for k, w := range fn.Wrt {
			doc.show("∂f/∂"+w.Name, fn.Grads[k])
		}
	case roleDeriv:
		for k := 1; k <= e.order; k++ {
			doc.show(derivName(fn.Wrt[0].Name, k), fn.Derivs[k-1])
		}
	case roleJVP:
		doc.show("df", fn.JVP)
	case roleHessVec:
		for k, w := range fn.Wrt {
			doc.show("d(∂f/∂"+w.Name+")", fn.HessVec[k])
		}
	}
	lines = append(lines, "")
	lines = append(lines, doc.finish()...)
	if e.role == roleGrad && hasSymmetric(fn.Wrt) {
		lines = append(lines, "", "Gradients of symmetric inputs are the symmetric gradients (G + G')/2.")
	}
	panics := "It panics if the shapes disagree"
	if len(e.outs) > 0 {
		panics += " or a destination shares memory with an input"
	}
	lines = append(lines, "", panics+".")
	return lines
}

// derivName is df/dt, d²f/dt², … for order k.
func derivName(t string, k int) string { return derive.DerivativeLabel(derive.Plain, t, k) }

// docFormulas is the formula block of a doc comment: one line per formula,
// the lets, and the shared subexpressions they name (derive.Listing), each
// tab-indented so godoc shows them as code.
type docFormulas struct {
	fn    *derive.Function
	l     *derive.Listing
	lines []string
}

func newDocFormulas(fn *derive.Function) *docFormulas {
	return &docFormulas{fn: fn, l: derive.NewFunctionListing(fn, derive.Plain)}
}

// show adds the line "label = n".
func (d *docFormulas) show(label string, n *derive.Node) {
	d.lines = append(d.lines, "\t"+label+" = "+d.l.Format(n))
}

// line adds a line of its own.
func (d *docFormulas) line(s string) { d.lines = append(d.lines, s) }

// lets adds the definition of each let, in spec order.
func (d *docFormulas) lets() {
	for _, let := range d.fn.Spec.Lets {
		for n, name := range d.fn.Names {
			if name == let.Name {
				d.lines = append(d.lines, "\t"+name+" = "+d.l.Spell(n))
			}
		}
	}
}

// finish returns the lines, the shared subexpressions' definitions last.
func (d *docFormulas) finish() []string {
	for _, def := range d.l.Definitions() {
		d.lines = append(d.lines, "\t"+def.Name+" = "+def.Text)
	}
	return d.lines
}

// specDoc returns the spec's doc text as comment lines, after a blank line;
// nothing when there is none.
func specDoc(fn *derive.Function) []string {
	if fn.Spec.Doc == "" {
		return nil
	}
	lines := []string{""}
	for _, l := range strings.Split(strings.TrimRight(fn.Spec.Doc, "\n"), "\n") {
		lines = append(lines, wrap(l, 77)...)
	}
	return lines
}

// hessianDoc returns FHessian's doc comment, H named h.
func (e *function) hessianDoc(names []string, h string) []string {
	fn := e.fn
	call := fn.Spec.Name + "(" + strings.Join(names, ", ") + ")"
	lines := []string{
		e.name + " writes the Hessian of f = " + call + " with respect to " + strings.Join(wrtNames(fn), ", ") + " into " + h + ",",
		"overwriting it: " + h + " is N×N, N the total size of the wrt variables packed in wrt order",
		"(the packing of " + roleName(fn.Spec.Name, roleProblem, 0) + "), and symmetric to the last bit.",
	}
	lines = append(lines, specDoc(fn)...)
	doc := newDocFormulas(fn)
	doc.show("f", fn.Value)
	doc.lets()
	if fn.HessStructured {
		for _, b := range fn.HessBlocks {
			wi, wj := fn.Wrt[b.Row].Name, fn.Wrt[b.Col].Name
			if b.Column != nil {
				doc.show("∂²f/∂"+wi+"∂"+wj, b.Column)
				continue
			}
			var parts []string
			for _, t := range b.Terms {
				parts = append(parts, derive.FormatMap(t, doc.l))
			}
			if len(parts) == 0 {
				parts = []string{"0"}
			}
			doc.line("\t∂²f/∂" + wi + "∂" + wj + " = " + strings.Join(parts, " + "))
		}
	}
	lines = append(lines, "")
	lines = append(lines, doc.finish()...)
	if !fn.HessStructured {
		lines = append(lines, "", "The Hessian-vector product has no structure to read the Hessian off, so", e.name+" assembles it from one "+roleName(fn.Spec.Name, roleHessVec, 0)+" per column.")
	}
	return append(lines, "", "It panics if the shapes disagree or "+h+" shares memory with an input.")
}
