package derive

import (
	"strings"
)

// Explain returns the derivation of each gradient of fn the way the matrix
// differential method does it: the differential df expanded by the rules,
// each term brought to the trace form tr(Gᵀ dX) by the trace tricks, the
// terms collected, and the gradient read off as ∂f/∂X = G.
func (fn *Function) Explain(style Style) string {
	var b strings.Builder
	for k, w := range fn.Wrt {
		if k > 0 {
			b.WriteString("\n")
		}
		fn.explainOne(&b, w, fn.Grads[k], style)
	}
	return b.String()
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

func latexName(x string) string {
	if len(x) > 1 {
		return `\mathit{` + x + "}"
	}
	return x
}

func (fn *Function) explainOne(b *strings.Builder, w *Input, grad *Node, style Style) {
	g := fn.Graph
	nt := notations[style]
	// The differential is a variable of its own, not symmetric even for a
	// symmetric input: the symmetric gradient is the last step.
	dx := g.Var("d"+w.Name, w.Shape, false)
	names := map[*Node]string{}
	for n, name := range fn.Names {
		names[n] = name
	}
	names[dx] = nt.d(w.Name)
	format := func(n *Node) string { return Format(n, style, names) }
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

	title := fn.Spec.Name + ": f = " + Format(fn.Value, style, fn.Names) + ", gradient with respect to " + w.Name
	if style == LaTeX {
		title = "**" + fn.Spec.Name + "**, $" + nt.partial(w.Name) + "$, for $f = " + Format(fn.Value, style, fn.Names) + "$"
	}
	b.WriteString(title + "\n")
	if style == LaTeX {
		b.WriteString("\n")
	}
	b.WriteString(nt.begin)

	df := g.Differential(fn.Value, w.Node, dx)
	var terms []*Node
	if df != nil {
		terms = g.expandTerms(df)
	}
	lines := []string{nt.d("f") + nt.eq + format(display(terms))}
	if df != nil {
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
	}
	result := nt.partial(w.Name) + nt.eq + format(grad)
	if w.Node.Sym && !w.Shape.IsScalar() {
		result = nt.partial(w.Name) + nt.eq + symmetricNote(style) + format(grad)
	}
	lines = append(lines, result)
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

// expandTerms writes n as a sum of terms, distributing products, traces,
// sums, transposes and scalings over sums: the differential as the rules
// give it, term by term, before the trace tricks collect it again.
func (g *Graph) expandTerms(n *Node) []*Node {
	switch n.Op {
	case OpAdd:
		var out []*Node
		for _, a := range n.Args {
			out = append(out, g.expandTerms(a)...)
		}
		return out
	case OpTr, OpSum, OpTranspose:
		var out []*Node
		for _, t := range g.expandTerms(n.Args[0]) {
			switch n.Op {
			case OpTr:
				out = append(out, g.Tr(t))
			case OpSum:
				out = append(out, g.Sum(t))
			default:
				out = append(out, g.T(t))
			}
		}
		return out
	case OpScale:
		var out []*Node
		for _, t := range g.expandTerms(n.Args[1]) {
			out = append(out, g.Scale(n.Args[0], t))
		}
		return out
	case OpMul, OpHadamard:
		products := [][]*Node{nil}
		for _, a := range n.Args {
			var next [][]*Node
			for _, p := range products {
				for _, t := range g.expandTerms(a) {
					next = append(next, append(append([]*Node{}, p...), t))
				}
			}
			products = next
		}
		out := make([]*Node, len(products))
		for i, p := range products {
			if n.Op == OpMul {
				out[i] = g.Mul(p...)
			} else {
				out[i] = g.Hadamard(p[0], p[1])
			}
		}
		return out
	}
	return []*Node{n}
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
