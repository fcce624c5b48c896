package derive

import (
	"strconv"
	"strings"
)

// Explain returns the derivation of each gradient of fn the way the matrix
// differential method does it: the differential df expanded by the rules,
// each term brought to the trace form tr(Gᵀ dX) by the trace tricks, the
// terms collected, and the gradient read off as ∂f/∂X = G.
//
// For the derivatives beyond the gradient it shows dᵏf/dtᵏ order by order
// (Taylor mode: see Graph.Derivatives); for a vector- or matrix-valued f
// the differential dF in each wrt input and the Jacobian's block (k, l)
// read off its structure; and with hessian the Hessian-vector product and
// the Hessian's blocks.
func (fn *Function) Explain(style Style) string {
	var b strings.Builder
	if note := fn.wrtNote(); note != "" {
		if style == LaTeX {
			b.WriteString("**" + fn.Spec.Name + "**: " + note + "\n")
		} else {
			b.WriteString(fn.Spec.Name + ": " + note + "\n")
		}
	}
	for k, w := range fn.Wrt {
		if fn.Grads == nil {
			break
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fn.explainOne(&b, w, fn.Grads[k], style)
	}
	fn.explainHigher(&b, style)
	return b.String()
}

// wrtNote returns, when fn's spec has no wrt key and more than one input,
// the note that every input is differentiated, data included ("wrt
// omitted: differentiating every input: a, X, b"); otherwise "".
func (fn *Function) wrtNote() string {
	if fn.Spec.WrtGiven || len(fn.Spec.Inputs) < 2 {
		return ""
	}
	var names []string
	for _, w := range fn.Wrt {
		names = append(names, w.Name)
	}
	return "wrt omitted: differentiating every input: " + strings.Join(names, ", ")
}

// explainHigher writes the derivation of the derivatives beyond the
// gradient, one block of lines per derivative.
func (fn *Function) explainHigher(b *strings.Builder, style Style) {
	nt := notations[style]
	l := NewFunctionListing(fn, style)
	format := l.Format
	section := func(title string, lines []string) {
		for _, d := range l.Definitions() {
			lines = append(lines, d.Name+nt.eq+d.Text)
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		if style == LaTeX {
			b.WriteString("**" + fn.Spec.Name + "**, " + title + "\n\n" + nt.begin + strings.Join(lines, nt.nl) + nt.end)
			return
		}
		b.WriteString(fn.Spec.Name + ": " + title + "\n")
		for _, l := range lines {
			b.WriteString("  " + l + "\n")
		}
	}
	if len(fn.Derivs) > 0 {
		t := fn.Wrt[0].Name
		lines := []string{"f" + nt.eq + format(fn.Value)}
		for k, d := range fn.Derivs {
			lines = append(lines, DerivativeLabel(style, t, k+1)+nt.eq+format(d))
		}
		section("derivatives with respect to "+t+", every order carried through each operator (Taylor mode)", lines)
	}
	for _, jac := range fn.Jacobians {
		w := jac.Wrt.Name
		section("Jacobian with respect to "+w+" (block (k, l) holds ∂F/∂"+w+"_kl)", fn.jacobianLines(jac, l, style))
	}
	if fn.Spec.Hessian {
		section("Hessian-vector product (forward over reverse) and Hessian", fn.hessianLines(l, style))
	}
}

// jacobianLines returns the lines of jac's derivation: the differential
// dF, and the Jacobian whole, by blocks or as filled from JVPs.
func (fn *Function) jacobianLines(jac *Jacobian, l *Listing, style Style) []string {
	nt := notations[style]
	w := jac.Wrt.Name
	jacobianOf := "DF/D" + w
	if style == LaTeX {
		jacobianOf = `\frac{\mathrm{D}F}{\mathrm{D}` + latexName(w) + "}"
	}
	lines := []string{nt.d("F") + nt.eq + l.Format(jac.Differential)}
	switch {
	case jac.Derivative != nil || jac.Differential == nil:
		lines = append(lines, jacobianOf+nt.eq+l.Format(jac.Derivative))
	case jac.Structured:
		var parts []string
		for _, t := range jac.Terms {
			parts = append(parts, FormatBlock(t, l))
		}
		lines = append(lines, jacobianOf+", block (k, l)"+nt.eq+strings.Join(parts, " + "))
	default:
		lines = append(lines, jacobianOf+": no product or elementwise structure; filled column block by column block from JVPs")
	}
	return lines
}

// hessianLines returns the lines of the Hessian's derivation: each
// Hessian-vector product, then the Hessian's blocks when they are read
// off their structure.
func (fn *Function) hessianLines(l *Listing, style Style) []string {
	nt := notations[style]
	var lines []string
	for k, w := range fn.Wrt {
		lines = append(lines, "d(∂f/∂"+w.Name+")["+dirNames(fn.HessDirs)+"]"+nt.eq+l.Format(fn.HessVec[k]))
	}
	if !fn.DenseHessian {
		if k := fn.noDenseHessian(); k >= 0 {
			lines = append(lines, "Hessian: not generated: "+fn.Spec.Name+"Hessian needs every wrt a scalar or a vector, and "+fn.Wrt[k].Name+" is "+fn.Wrt[k].Kind.String())
		}
		return lines
	}
	if !fn.HessStructured {
		return append(lines, "Hessian: no structure to read it off; assembled from one Hessian-vector product per column")
	}
	for _, blk := range fn.HessBlocks {
		lhs := "∂²f/∂" + fn.Wrt[blk.Row].Name + "∂" + fn.Wrt[blk.Col].Name
		if blk.Column != nil {
			lines = append(lines, lhs+nt.eq+l.Format(blk.Column))
			continue
		}
		var parts []string
		for _, t := range blk.Terms {
			parts = append(parts, FormatMap(t, l))
		}
		if len(parts) == 0 {
			parts = []string{"0"}
		}
		lines = append(lines, lhs+nt.eq+strings.Join(parts, " + "))
	}
	return lines
}

// DerivativeLabel writes dᵏf/dtᵏ in the style: df/dt, d²f/dt², … (LaTeX:
// a \frac).
func DerivativeLabel(style Style, t string, k int) string {
	if style == LaTeX {
		if k == 1 {
			return `\frac{\mathrm{d}f}{\mathrm{d}` + latexName(t) + "}"
		}
		return `\frac{\mathrm{d}^{` + strconv.Itoa(k) + `}f}{\mathrm{d}` + latexName(t) + "^{" + strconv.Itoa(k) + "}}"
	}
	if k == 1 {
		return "df/d" + t
	}
	sup := superscripts(k)
	return "d" + sup + "f/d" + t + sup
}

// superscripts writes k in superscript digits.
func superscripts(k int) string {
	digits := []rune("⁰¹²³⁴⁵⁶⁷⁸⁹")
	var out []rune
	for _, c := range strconv.Itoa(k) {
		out = append(out, digits[c-'0'])
	}
	return string(out)
}

// dirNames joins the names of direction inputs.
func dirNames(ds []*Input) string {
	var names []string
	for _, d := range ds {
		names = append(names, d.Name)
	}
	return strings.Join(names, ", ")
}

// notation holds the pieces of one style's derivation layout.
type notation struct {
	d, partial          func(x string) string
	trOpen, trClose     string
	begin, eq, next, nl string
	end                 string
}

var notations = map[Style]notation{
	Plain: {
		d:       func(x string) string { return "d" + x },
		partial: func(x string) string { return "df/d" + x },
		trOpen:  "tr(", trClose: ")",
		eq: " = ", next: "   = ", nl: "\n",
	},
	Unicode: {
		d:       func(x string) string { return "d" + x },
		partial: func(x string) string { return "∂f/∂" + x },
		trOpen:  "tr(", trClose: ")",
		eq: " = ", next: "   = ", nl: "\n",
	},
	LaTeX: {
		d:       func(x string) string { return `\mathrm{d}` + latexName(x) },
		partial: func(x string) string { return `\frac{\partial f}{\partial ` + latexName(x) + "}" },
		trOpen:  `\operatorname{tr}\left(`, trClose: `\right)`,
		begin: "$$\n\\begin{aligned}\n", eq: " &= ", next: " &= ", nl: ` \\` + "\n",
		end: "\n\\end{aligned}\n$$\n",
	},
}

// latexName is the name x in LaTeX, as expressions print it (printer.ident).
func latexName(x string) string { return (&printer{style: LaTeX}).ident(x) }

// explainOne writes the derivation of grad, the gradient of fn with
// respect to w.
func (fn *Function) explainOne(b *strings.Builder, w *Input, grad *Node, style Style) {
	nt := notations[style]
	// The differential is a variable of its own, not symmetric even for a
	// symmetric input: the symmetric gradient is the last step.
	dx := fn.Graph.Var("d"+w.Name, w.Shape, false)
	l := NewFunctionListing(fn, style)
	l.Bind(dx, nt.d(w.Name))
	format := l.Format

	title := fn.Spec.Name + ": f = " + format(fn.Value) + ", gradient with respect to " + w.Name
	if style == LaTeX {
		title = "**" + fn.Spec.Name + "**, $" + nt.partial(w.Name) + "$, for $f = " + format(fn.Value) + "$"
	}
	b.WriteString(title + "\n")
	if style == LaTeX {
		b.WriteString("\n")
	}
	b.WriteString(nt.begin)

	lines := fn.differentialSteps(w, dx, l, style)
	result := nt.partial(w.Name) + nt.eq + format(grad)
	if w.Node.Sym && !w.Shape.IsScalar() {
		result = nt.partial(w.Name) + nt.eq + symmetricNote(style) + format(grad)
	}
	lines = append(lines, result)
	for _, d := range l.Definitions() {
		lines = append(lines, d.Name+nt.eq+d.Text)
	}
	if style == LaTeX {
		b.WriteString(strings.Join(lines, nt.nl) + nt.end)
		return
	}
	for i, l := range lines {
		if i > 0 && !strings.HasPrefix(l, nt.next) {
			b.WriteString("\n")
		}
		b.WriteString("  " + l + "\n")
	}
}

// differentialSteps returns the lines of a gradient's derivation before
// the gradient itself: the differential df term by term, each term brought
// to the trace form tr(Gᵀ dX), and the terms collected into one.
func (fn *Function) differentialSteps(w *Input, dx *Node, l *Listing, style Style) []string {
	g, nt, format := fn.Graph, notations[style], l.Format
	// traceForm writes a term's contribution as tr(Gᵀ dX); for a vector
	// it is the inner product Gᵀ dx, for a scalar G dx.
	traceForm := func(gr *Node) string {
		switch {
		case w.Shape.IsScalar():
			return format(g.Mul(gr, dx))
		case w.Shape.IsCol():
			return format(g.Mul(g.T(gr), dx))
		}
		return nt.trOpen + format(g.Mul(g.T(gr), dx)) + nt.trClose
	}
	// signed writes terms as a sum, a negative coefficient as a minus.
	signed := func(grads []*Node) string {
		var b strings.Builder
		for i, gr := range grads {
			if gr == nil { // terms that cancel: tr(B) − sum(eye(n) .* B)
				writeSign(&b, i, false)
				b.WriteString("0")
				continue
			}
			c, rest := coefficient(gr)
			neg := c < 0 && rest != nil
			if neg {
				gr = g.Scale(g.Const(-c), rest)
			}
			writeSign(&b, i, neg)
			b.WriteString(traceForm(gr))
		}
		return b.String()
	}

	df := g.Differential(fn.Value, w.Node, dx)
	var terms []*Node
	if df != nil {
		terms = g.expandTerms(df)
	}
	lines := []string{nt.d("f") + nt.eq + format(display(terms))}
	if df == nil {
		return lines
	}
	var grads []*Node
	for _, t := range terms {
		grads = append(grads, g.Grad(t, []*Node{dx})[0])
	}
	step := signed(grads)
	if step != format(display(terms)) {
		lines = append(lines, nt.next+step)
	}
	if len(terms) > 1 {
		if combined := signed([]*Node{g.Add(grads...)}); combined != step {
			lines = append(lines, nt.next+combined)
		}
	}
	return lines
}

// symmetricNote marks the symmetric gradient (G + Gᵀ)/2 of a symmetric input.
func symmetricNote(style Style) string {
	switch style {
	case LaTeX:
		return `\tfrac{1}{2}\left(G + G^\top\right) = `
	case Unicode:
		return "(G + Gᵀ)/2 = "
	}
	return "(G + G')/2 = "
}

// maxExpandedTerms bounds expandTerms: a differential that would expand
// to more terms is shown as it is, unexpanded.
const maxExpandedTerms = 64

// expandTerms writes n as a sum of terms, distributing products, traces,
// sums, transposes and scalings over sums: the differential as the rules
// give it, term by term, before the trace tricks collect it again. Past
// maxExpandedTerms terms it returns n alone.
func (g *Graph) expandTerms(n *Node) []*Node {
	memo := map[*Node][]*Node{}
	if out, ok := g.expand(n, memo); ok {
		return out
	}
	return []*Node{n}
}

// expand is expandTerms over memo; it reports false past maxExpandedTerms.
func (g *Graph) expand(n *Node, memo map[*Node][]*Node) ([]*Node, bool) {
	if out, seen := memo[n]; seen {
		return out, out != nil
	}
	memo[n] = nil // a cycle cannot happen; nil marks "too many" until set
	var out []*Node
	switch n.Op {
	case OpAdd:
		for _, a := range n.Args {
			ts, ok := g.expand(a, memo)
			if !ok || len(out)+len(ts) > maxExpandedTerms {
				return nil, false
			}
			out = append(out, ts...)
		}
	case OpTr, OpSum, OpTranspose:
		ts, ok := g.expand(n.Args[0], memo)
		if !ok {
			return nil, false
		}
		for _, t := range ts {
			switch n.Op {
			case OpTr:
				out = append(out, g.Tr(t))
			case OpSum:
				out = append(out, g.Sum(t))
			default:
				out = append(out, g.T(t))
			}
		}
	case OpScale:
		ts, ok := g.expand(n.Args[1], memo)
		if !ok {
			return nil, false
		}
		for _, t := range ts {
			out = append(out, g.Scale(n.Args[0], t))
		}
	case OpMul, OpHadamard:
		products := [][]*Node{nil}
		for _, a := range n.Args {
			ts, ok := g.expand(a, memo)
			if !ok || len(products)*len(ts) > maxExpandedTerms {
				return nil, false
			}
			var next [][]*Node
			for _, p := range products {
				for _, t := range ts {
					next = append(next, append(append([]*Node{}, p...), t))
				}
			}
			products = next
		}
		for _, p := range products {
			if n.Op == OpMul {
				out = append(out, g.Mul(p...))
			} else {
				out = append(out, g.Hadamard(p[0], p[1]))
			}
		}
	default:
		out = []*Node{n}
	}
	memo[n] = out
	return out, true
}

// display returns a sum of terms for printing only: it is not interned,
// so nothing collects or factors it.
func display(terms []*Node) *Node {
	switch len(terms) {
	case 0:
		return nil
	case 1:
		return terms[0]
	}
	return &Node{Op: OpAdd, Args: terms, Shape: terms[0].Shape}
}
