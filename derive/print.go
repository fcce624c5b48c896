package derive

import (
	"strconv"
	"strings"
)

// Style selects a notation for printed expressions.
type Style int

// The notations.
const (
	Plain   Style = iota // the spec's own syntax, products by juxtaposition: (A + A') W
	Unicode              // (A + Aᵀ) W, a ⊙ exp(X b)
	LaTeX                // (A + A^\top) W
)

// Binding strengths of printed forms, loosest first.
const (
	precAdd = iota + 1
	precMul
	precNeg
	precPow
	precPostfix
	precSup
	precAtom
)

// superscript returns the binding strength of a form printed with a
// superscript (Xᵀ, X⁻¹, x^p) that binds as prec in the spec's syntax: in
// LaTeX precSup, since a superscripted base takes no second superscript
// (A^{-1}^\top is a LaTeX error), so superscriptBase parenthesises it.
func (p *printer) superscript(prec int) int {
	if p.style == LaTeX {
		return precSup
	}
	return prec
}

// superscriptBase prints the base of a superscript form, parenthesised
// when it binds looser than prec, in LaTeX when it is not an atom.
func (p *printer) superscriptBase(x *Node, prec int) string {
	if p.style == LaTeX {
		prec = precAtom
	}
	return p.operand(x, prec)
}

type printer struct {
	style Style
	names map[*Node]string
}

// Format prints n in style. Nodes in names print as those names (let
// intermediates). A nil node prints as 0.
func Format(n *Node, style Style, names map[*Node]string) string {
	p := &printer{style: style, names: names}
	s, _ := p.node(n)
	return s
}

// FormatFactor prints n in style as a factor of a product by
// juxtaposition: parenthesised when it binds looser than a product
// ((c + 1) X', not c + 1 X').
func FormatFactor(n *Node, style Style, names map[*Node]string) string {
	p := &printer{style: style, names: names}
	return p.operand(n, precMul)
}

// FormatSum prints the sum of terms in style, as Format prints a sum
// node: for the terms of a sum that has no node of its own.
func FormatSum(terms []*Node, style Style, names map[*Node]string) string {
	p := &printer{style: style, names: names}
	return p.sum(terms)
}

func (p *printer) node(n *Node) (string, int) {
	if n == nil {
		return "0", precAtom
	}
	if name, ok := p.names[n]; ok {
		return p.ident(name), precAtom
	}
	return n.Op.Print(p, n)
}

// operand prints n, parenthesised when it binds looser than prec.
func (p *printer) operand(n *Node, prec int) string {
	s, q := p.node(n)
	if q < prec {
		return p.paren(s)
	}
	return s
}

func (p *printer) paren(s string) string {
	if p.style == LaTeX {
		return `\left(` + s + `\right)`
	}
	return "(" + s + ")"
}

func (p *printer) ident(name string) string {
	if p.style == LaTeX && len(name) > 1 && !strings.Contains(name, `\`) {
		if greek[name] {
			return `\` + name
		}
		return `\mathit{` + name + `}`
	}
	return name
}

// greek lists the names LaTeX spells as Greek letters.
var greek = map[string]bool{}

func init() {
	for _, name := range strings.Fields(`alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi
		pi rho sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega`) {
		greek[name] = true
	}
}

func (p *printer) number(v float64) (string, int) {
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if p.style == LaTeX {
		if m, e, ok := strings.Cut(s, "e"); ok {
			s = m + `\cdot 10^{` + strings.TrimPrefix(e, "+") + "}"
		}
	}
	if v < 0 {
		return s, precNeg
	}
	return s, precAtom
}

// call prints name(args), in LaTeX as the command latex or, when latex is
// "", as \operatorname{name}. Each argument is printed once: printing one
// twice doubles the work at every level of a nested call.
func (p *printer) call(name, latex string, args ...*Node) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i], _ = p.node(a)
	}
	inner := strings.Join(parts, ", ")
	if p.style == LaTeX {
		if latex == "" {
			latex = `\operatorname{` + name + "}"
		}
		return latex + p.paren(inner)
	}
	return name + "(" + inner + ")"
}

// callAlong prints name(x, dim), a function along a dimension.
func (p *printer) callAlong(name string, x *Node, dim int) string {
	s, _ := p.node(x)
	s += ", " + strconv.Itoa(dim)
	if p.style == LaTeX {
		return `\operatorname{` + name + "}" + p.paren(s)
	}
	return name + "(" + s + ")"
}

// inverse prints the inverse of x: X⁻¹, X^{-1}, and inv(X) in the spec's
// own syntax.
func (p *printer) inverse(x *Node) string {
	switch p.style {
	case LaTeX:
		return p.superscriptBase(x, precAtom) + "^{-1}"
	case Unicode:
		return p.operand(x, precAtom) + "⁻¹"
	}
	return p.call(OpInv.Name, OpInv.LaTeX, x)
}

func (p *printer) transpose(x *Node) string {
	s := p.superscriptBase(x, precPostfix)
	switch p.style {
	case Unicode:
		return s + "ᵀ"
	case LaTeX:
		return s + `^\top`
	}
	return s + "'"
}

func (p *printer) infix(x *Node, op string, y *Node, prec int) string {
	switch p.style {
	case Unicode:
		op = map[string]string{".*": "⊙", "./": "⊘"}[op]
	case LaTeX:
		op = map[string]string{".*": `\odot`, "./": `\oslash`}[op]
	}
	return p.operand(unbroadcast(x), prec) + " " + op + " " + p.operand(unbroadcast(y), prec+1)
}

// unbroadcast returns the scalar of a broadcast operand: in an elementwise
// operation a scalar broadcasts, so it prints as itself.
func unbroadcast(n *Node) *Node {
	if n != nil && n.Op == OpBroadcast {
		return n.Args[0]
	}
	return n
}

func (p *printer) div(x, y *Node) string {
	if y.Op == OpBroadcast || y.Shape.IsScalar() {
		if y.Op == OpBroadcast {
			y = y.Args[0]
		}
		if p.style == LaTeX {
			a, _ := p.node(x)
			b, _ := p.node(y)
			return `\frac{` + a + "}{" + b + "}"
		}
		return p.operand(x, precMul) + " / " + p.operand(y, precMul+1)
	}
	return p.infix(x, "./", y, precMul)
}

func (p *printer) pow(x, e *Node) string {
	base := p.superscriptBase(x, precPow+1)
	exp := p.operand(e, precPow)
	if p.style == LaTeX {
		return base + "^{" + exp + "}"
	}
	if x.Shape.IsScalar() || p.style == Unicode {
		return base + "^" + exp
	}
	return base + " .^ " + exp
}

func (p *printer) product(fs []*Node) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = p.operand(f, precPow)
	}
	return strings.Join(parts, " ")
}

func (p *printer) scale(s, x *Node) (string, int) {
	if s.IsConst(-1) {
		return "-" + p.operand(x, precNeg+1), precNeg
	}
	if s.Op == OpRecip0 { // the norm2 gradient: x / ‖x‖
		return p.div(x, s.Args[0]), precMul
	}
	if s.Op == OpScale && s.Args[0].Op == OpRecip0 {
		return p.div(p.scaleNode(s.Args[1], x), s.Args[0].Args[0]), precMul
	}
	sep := " "
	if p.style == LaTeX {
		sep = `\,`
	}
	// A negation after a juxtaposed factor would read as a subtraction:
	// s -X is s (-X), and t -1 / s is t (-1 / s), a quotient whose
	// numerator is negative (review 57).
	right, q := p.node(x)
	if q < precMul || q == precNeg || strings.HasPrefix(right, "-") {
		right = p.paren(right)
	}
	return p.operand(s, precPow) + sep + right, precMul
}

// scaleNode is a display-only product node for printing s x.
func (p *printer) scaleNode(s, x *Node) *Node {
	return &Node{Op: OpScale, Args: []*Node{s, x}, Shape: x.Shape}
}

func (p *printer) sum(terms []*Node) string {
	var b strings.Builder
	for i, t := range terms {
		neg := false
		if t.Op == OpBroadcast {
			t = t.Args[0] // a scalar term broadcasts: it prints as the scalar
		}
		if c, rest := coefficient(t); c < 0 && rest != nil {
			neg = true
			if c == -1 {
				t = rest
			} else {
				t = p.scaleNode(&Node{Op: OpConst, Value: -c, Shape: ScalarShape}, rest)
			}
		} else if t.Op == OpConst && t.Value < 0 {
			neg = true
			t = &Node{Op: OpConst, Value: -t.Value, Shape: ScalarShape}
		}
		writeSign(&b, i, neg)
		if neg {
			b.WriteString(p.operand(t, precMul))
		} else {
			b.WriteString(p.operand(t, precAdd))
		}
	}
	return b.String()
}

// writeSign writes the separator before term i of a sum: " + ", " - ", or
// a leading "-" for a negative first term.
func writeSign(b *strings.Builder, i int, neg bool) {
	switch {
	case i == 0 && neg:
		b.WriteString("-")
	case neg:
		b.WriteString(" - ")
	case i > 0:
		b.WriteString(" + ")
	}
}

func (p *printer) broadcast(n *Node) (string, int) {
	s := n.Args[0]
	if s.Op == OpConst {
		kind := "matrix"
		if n.Shape.IsVector() {
			kind = "vector"
		}
		v, _ := p.number(s.Value)
		if n.Shape.IsRow() { // a row of c's is the transpose of vector(c)
			return p.transpose(&Node{Op: OpBroadcast, Args: n.Args, Shape: n.Shape.T()}), p.superscript(precPostfix)
		}
		return kind + "(" + v + ")", precAtom
	}
	// s times the fill of ones: a bare s would read as a scalar where
	// the value is a vector or matrix (a factor of a product, an argument
	// of sum, tr, diag or an elementwise function; t B' for the gradient
	// t matrix(1) B' of t sum(A B), review 57). Sums, elementwise
	// products and quotients print the bare scalar, which broadcasts
	// against their other operand there (unbroadcast).
	ones := &Node{Op: OpBroadcast, Args: []*Node{{Op: OpConst, Value: 1, Shape: ScalarShape}}, Shape: n.Shape}
	return p.scale(s, ones)
}
