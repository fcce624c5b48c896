package emit

import (
	"strings"
	"unicode/utf8"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/spec"
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
	var intro string
	switch e.role {
	case roleValue:
		if e.returns() {
			intro = e.name + " returns f = " + call + "."
		} else {
			intro = e.name + " writes f = " + call + " into " + params[0] + ", overwriting it."
		}
	case roleGrad:
		var ds []string
		for _, w := range fn.Wrt {
			ds = append(ds, "∂f/∂"+w.Name)
		}
		intro = e.name + " returns f = " + call + " and writes " + strings.Join(ds, ", ") + " into " + strings.Join(params, ", ") +
			", overwriting them; each has the shape of its input (denominator layout)."
		if len(params) == 1 {
			intro = e.name + " returns f = " + call + " and writes " + ds[0] + " into " + params[0] +
				", overwriting it; it has the shape of " + fn.Wrt[0].Name + " (denominator layout)."
		}
	case roleDeriv:
		what := derivName(fn.Wrt[0].Name, e.order)
		if e.returns() {
			intro = e.name + " returns " + what + " of f = " + call + "."
		} else {
			intro = e.name + " writes " + what + " of f = " + call + " into " + params[0] + ", overwriting it; it has the shape of f."
		}
	case roleJVP:
		intro = e.name + " writes the directional derivative of f = " + call + " in the directions " + dirs + " into " + params[0] +
			" (Σ Df[" + dirs + "], no Jacobian formed), overwriting it."
	case roleHessVec:
		intro = e.name + " writes the Hessian-vector product of f = " + call + ", the derivative of its gradient in the directions " +
			dirs + ", into " + strings.Join(params, ", ") + ", overwriting " + pronoun(len(params)) + " (forward over reverse; no Hessian is formed)."
	}
	lines = append(lines, wrap(intro, 77)...)
	if e.role != roleValue {
		lines = append(lines, wrtDoc(fn)...)
	}
	lines = append(lines, specDoc(fn)...)
	var roots []*derive.Node
	switch e.role {
	case roleGrad:
		roots = fn.Grads
	case roleDeriv:
		roots = fn.Derivs[:e.order]
	case roleJVP:
		roots = []*derive.Node{fn.JVP}
	case roleHessVec:
		roots = fn.HessVec
	}
	doc := newDocFormulas(fn, roots...)
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
	var kinds []spec.TypeKind
	for _, o := range e.outs {
		kinds = append(kinds, o.to.Kind)
	}
	return append(lines, destinationsDoc(kinds...)...)
}

// zeroValues spells the zero value of the destination of each kind.
var zeroValues = map[spec.TypeKind]string{
	spec.Vector: "&mat.VecDense{}", spec.Matrix: "&mat.Dense{}", spec.Symmetric: "&mat.SymDense{}", spec.SPD: "&mat.SymDense{}",
}

// destinationsDoc returns the closing paragraph of a doc comment: how
// destinations of the kinds given are readied, and when the function
// panics. A zero-value destination is sized as gonum's receivers are
// (runtime.DestMatrix); a nil one panics.
func destinationsDoc(kinds ...spec.TypeKind) []string {
	if len(kinds) == 0 {
		return []string{"", "It panics if the shapes disagree."}
	}
	var zeros []string
	seen := map[string]bool{}
	for _, k := range kinds {
		if zero := zeroValues[k]; zero != "" && !seen[zero] {
			seen[zero] = true
			zeros = append(zeros, zero)
		}
	}
	text := ""
	if len(zeros) > 0 {
		text = "A zero-value destination (" + strings.Join(zeros, ", ") + ") is sized first, as gonum's receivers are. "
	}
	text += "It panics if a destination is nil, the shapes disagree or a destination shares memory with an input."
	return append([]string{""}, wrap(text, 77)...)
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

// newDocFormulas returns the formula block of fn, whose formulas will
// print f, the lets and the nodes roots: what they have in common is named
// once for all of them (derive.Listing.ShareAcross).
func newDocFormulas(fn *derive.Function, roots ...*derive.Node) *docFormulas {
	d := &docFormulas{fn: fn, l: derive.NewFunctionListing(fn, derive.Plain)}
	all := append([]*derive.Node{fn.Value}, d.letNodes()...)
	d.l.ShareAcross(append(all, roots...)...)
	return d
}

// letNodes returns the nodes of the lets, in spec order.
func (d *docFormulas) letNodes() []*derive.Node {
	var out []*derive.Node
	for _, let := range d.fn.Spec.Lets {
		for n, name := range d.fn.Names {
			if name == let.Name {
				out = append(out, n)
			}
		}
	}
	return out
}

// show adds the formula "label = n".
func (d *docFormulas) show(label string, n *derive.Node) { d.formula(label, d.l.Format(n)) }

// formula adds the formula "label = text", wrapped by wrapFormula.
func (d *docFormulas) formula(label, text string) {
	d.lines = append(d.lines, wrapFormula("\t", label+" = ", text)...)
}

// line adds a line of its own: a tab-indented one wrapped as a formula
// after its first " = " or " += ".
func (d *docFormulas) line(s string) {
	indent := s[:len(s)-len(strings.TrimLeft(s, "\t"))]
	rest := s[len(indent):]
	if indent != "" {
		for _, op := range []string{" = ", " += "} {
			if k := strings.Index(rest, op); k >= 0 {
				d.lines = append(d.lines, wrapFormula(indent, rest[:k+len(op)], rest[k+len(op):])...)
				return
			}
		}
	}
	d.lines = append(d.lines, s)
}

// lets adds the definition of each let, in spec order.
func (d *docFormulas) lets() {
	for _, n := range d.letNodes() {
		d.formula(d.fn.Names[n], d.l.Spell(n))
	}
}

// finish returns the lines, the shared subexpressions' definitions last.
func (d *docFormulas) finish() []string {
	for _, def := range d.l.Definitions() {
		d.formula(def.Name, def.Text)
	}
	return d.lines
}

// wrtDoc returns, after a blank line, the remark that every input is
// differentiated when the spec omits wrt and fn has more than one input:
// data such as X and y then get derivatives too, which a reader should
// not have to infer from the parameter list; nothing otherwise.
func wrtDoc(fn *derive.Function) []string {
	if fn.Spec.WrtGiven || len(fn.Inputs) < 2 {
		return nil
	}
	return append([]string{""}, wrap("The spec gives no wrt, so every input ("+strings.Join(wrtNames(fn), ", ")+
		") is differentiated, data included; a wrt key names the variables to differentiate by.", 77)...)
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
	lines := wrap(e.name+" writes the Hessian of f = "+call+" with respect to "+strings.Join(wrtNames(fn), ", ")+" into "+h+
		", overwriting it: "+h+" is N×N, N the total size of the wrt variables packed in wrt order (the packing of "+
		roleName(fn.Spec.Name, roleProblem, 0)+"), and symmetric to the last bit.", 77)
	lines = append(lines, wrtDoc(fn)...)
	lines = append(lines, specDoc(fn)...)
	var roots []*derive.Node
	if fn.HessStructured {
		for _, b := range fn.HessBlocks {
			roots = append(roots, b.Column)
			for _, t := range b.Terms {
				roots = append(roots, t.Coef, t.LeftProduct, t.Diag, t.RightProduct)
			}
		}
	}
	doc := newDocFormulas(fn, roots...)
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
			doc.formula("∂²f/∂"+wi+"∂"+wj, strings.Join(parts, " + "))
		}
	}
	lines = append(lines, "")
	lines = append(lines, doc.finish()...)
	if !fn.HessStructured {
		lines = append(append(lines, ""), wrap("The Hessian-vector product has no structure to read the Hessian off, so "+
			e.name+" assembles it from one "+roleName(fn.Spec.Name, roleHessVec, 0)+" per column.", 77)...)
	}
	return append(lines, destinationsDoc(spec.Matrix)...)
}

// formulaWidth is the most columns a formula line of a doc comment takes
// after its indentation, unless one unbreakable piece is longer.
const formulaWidth = 96

// wrapFormula returns the lines of the formula head+text (head is "label
// = "), each indent-prefixed and at most formulaWidth columns (runes)
// after indent. Lines break only at spaces, which never fall inside an
// identifier or a number: preferably before a + or - between terms,
// at the shallowest parenthesis depth in the second half of the line,
// else at the shallowest space that fits. Continuation lines align with
// the start of text (four spaces when head is long), so a sum reads as a
// column of terms.
func wrapFormula(indent, head, text string) []string {
	cont := strings.Repeat(" ", utf8.RuneCountInString(head))
	if len(cont) > 24 {
		cont = "    "
	}
	var lines []string
	line, rest := head, []rune(text)
	for {
		room := formulaWidth - utf8.RuneCountInString(line)
		if len(rest) <= room {
			return append(lines, indent+line+string(rest))
		}
		cut := breakAt(rest, room)
		if cut < 0 {
			return append(lines, indent+line+string(rest))
		}
		lines = append(lines, indent+line+string(rest[:cut]))
		line, rest = cont, rest[cut+1:]
	}
}

// breakAt returns the index of the space in r at which to end a line of
// at most room runes (see wrapFormula), or the first space past room when
// none fits; -1 when r has no space at depth it can use.
func breakAt(r []rune, room int) int {
	best, bestScore := -1, 0
	depth := 0
	for i, c := range r {
		switch c {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case ' ':
			if i == 0 {
				continue
			}
			if i > room {
				if best < 0 {
					return i
				}
				return best
			}
			score := 4 * depth
			if i+2 < len(r) && (r[i+1] == '+' || r[i+1] == '-') && r[i+2] == ' ' {
				score -= 2 // between terms
			}
			if 2*i < room {
				score += 1000 // a short line only when nothing longer will do
			}
			if best < 0 || score <= bestScore {
				best, bestScore = i, score
			}
		}
	}
	return best
}

// pronoun is what a doc comment calls n destinations: it or them.
func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
