package emit

import (
	"slices"
	"strings"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
)

// This file regroups product chains so that products are formed once.
// Lowering never adds a node to the derived graph: a run of factors it
// forms as a product of its own (the half of a palindrome) is a partial,
// and a chain is a list of links, each a node or a partial, either read
// transposed.

// link is one factor of a product chain as lowering regroups it: a node of
// the derived graph or a partial product, read transposed when trans is
// set.
type link struct {
	node  *derive.Node
	part  *partial
	trans bool
}

// partial is a product lowering has formed into a buffer from a run of a
// chain's factors; it has no node in the derived graph.
type partial struct {
	factors []link
	v       *val
	text    string // the product as comments write it: X B
}

// nodeLinks returns the chain of the factors fs.
func nodeLinks(fs []*derive.Node) []link {
	out := make([]link, len(fs))
	for k, f := range fs {
		out[k] = link{node: f}
	}
	return out
}

// shape is the shape of the value l reads.
func (l link) shape() derive.Shape {
	s := l.part.shape()
	if l.node != nil {
		s = l.node.Shape
	}
	if l.trans {
		return s.T()
	}
	return s
}

func (p *partial) shape() derive.Shape {
	if p == nil {
		return derive.Shape{}
	}
	return p.v.Shape
}

// transposed returns lᵀ.
func (l link) transposed() link {
	l.trans = !l.trans
	return l
}

// linksTranspose reports whether b is aᵀ: a partial read the other way, a
// node read the other way, or nodes that derive shows are transposes.
func linksTranspose(a, b link) bool {
	switch {
	case a.part != nil || b.part != nil:
		return a.part == b.part && a.trans != b.trans
	case a.trans == b.trans:
		return derive.Transposes(a.node, b.node)
	}
	return a.node == b.node
}

// chainShape is the shape of the product of the factors fs.
func chainShape(fs []*derive.Node) derive.Shape {
	return derive.Shape{Rows: fs[0].Shape.Rows, Cols: fs[len(fs)-1].Shape.Cols}
}

// linksShape is the shape of the product of the chain fs.
func linksShape(fs []link) derive.Shape {
	return derive.Shape{Rows: fs[0].shape().Rows, Cols: fs[len(fs)-1].shape().Cols}
}

// linkOperand returns l as an operand of a BLAS call, leaving a node that
// is an inverse used nowhere else to be applied by a solve (factor).
func (e *function) linkOperand(l link) operand {
	switch {
	case l.part != nil:
		return operand{v: l.part.v, trans: l.trans, shape: l.shape()}
	case l.trans:
		return operand{v: e.ensure(l.node), trans: true, shape: l.shape(), node: l.node}
	}
	return e.factor(l.node)
}

// linkName names what l holds, for the names of products formed from it.
func (e *function) linkName(l link) string {
	name := ""
	switch {
	case l.part != nil:
		name = l.part.v.Name
	case !l.trans:
		return e.localName(l.node)
	default:
		name = e.ensure(l.node).Name
	}
	if l.trans && !genericName.MatchString(name) {
		name += "T"
	}
	return name
}

// linkText prints l, the operand o, as a factor of a product in a comment.
func (e *function) linkText(l link, o operand) string {
	switch {
	case l.part == nil && !l.trans:
		return e.factorText(l.node, o)
	case l.part == nil:
		return "(" + e.factorText(l.node, operand{v: o.v}) + ")'"
	case l.trans:
		return "(" + l.part.text + ")'"
	}
	return l.part.text
}

// linkEntry returns entry (i, j) of the value l reads.
func (e *function) linkEntry(l link, i, j expr) expr {
	if l.trans {
		i, j = j, i
	}
	if l.part != nil {
		return e.readShaped(l.part.v.Shape, l.part.v, i, j)
	}
	return e.elem(l.node, i, j)
}

// untransposed returns X for a link that reads a transposed Xᵀ, and
// reports whether l does.
func untransposed(l link) (link, bool) {
	switch {
	case l.trans:
		return l.transposed(), true
	case l.node != nil && l.node.Op == derive.OpTranspose:
		return link{node: l.node.Args[0]}, true
	}
	return link{}, false
}

// linkNodes returns the nodes among ls, for the work (prepare) that reading
// their entries needs first.
func linkNodes(ls ...link) []*derive.Node {
	var out []*derive.Node
	for _, l := range ls {
		if l.node != nil {
			out = append(out, l.node)
		}
	}
	return out
}

// chainLink returns the chain fs as one link: its one factor, or its
// product formed (formed).
func (e *function) chainLink(fs []link) link {
	if len(fs) == 1 {
		return fs[0]
	}
	return e.formed(fs)
}

// formed returns the product of the run fs as one stored link: the graph's
// node for it when the graph has one (computed once, and shared with
// whatever else reads it), a partial formed before, or a partial formed
// now into a buffer of its own.
func (e *function) formed(fs []link) link {
	if l, ok := e.storedRun(fs); ok {
		return l
	}
	if nodes, ok := plainNodes(fs); ok {
		if m := e.fn.Graph.FindMul(nodes...); m != nil {
			e.ensure(m)
			return link{node: m}
		}
	}
	texts := make([]string, len(fs))
	name := ""
	for k, f := range fs {
		o := operand{}
		if f.part != nil {
			o.v = f.part.v
		} else if v, ok := e.vals[f.node]; ok {
			o.v = v
		}
		texts[k] = e.linkText(f, o)
		n := e.linkName(f)
		if n == "" || genericName.MatchString(n) {
			name = genericProduct
		} else if name != genericProduct {
			name += n
		}
	}
	if len(name) > maxNameLen {
		name = genericProduct
	}
	p := &partial{factors: fs, text: strings.Join(texts, " ")}
	p.v = e.buffer(linksShape(fs), name)
	e.productLinks(fs, nil, p.v, &plan.Comment{Text: e.label(p.v) + " = " + p.text, About: p.v}, false)
	e.parts = append(e.parts, p)
	return link{part: p}
}

// plainNodes returns the nodes of a chain of untransposed nodes, and
// reports whether fs is one.
func plainNodes(fs []link) ([]*derive.Node, bool) {
	out := make([]*derive.Node, len(fs))
	for k, f := range fs {
		if f.node == nil || f.trans {
			return nil, false
		}
		out[k] = f.node
	}
	return out, true
}

// storedRun returns the stored product of exactly the run fs, a node or
// a partial, and reports whether there is one.
func (e *function) storedRun(fs []link) (link, bool) {
	if nodes, ok := plainNodes(fs); ok {
		if m := e.fn.Graph.FindMul(nodes...); m != nil && e.vals[m] != nil {
			return link{node: m}, true
		}
	}
	for _, p := range e.parts {
		if slices.Equal(p.factors, fs) {
			return link{part: p}, true
		}
	}
	return link{}, false
}

// stored is a product computed already, as a candidate for reuse in a
// chain: its factors and the link that reads it.
type stored struct {
	factors []link
	product link
}

// storedProducts returns every product computed so far: the product
// nodes lowering has stored, in the graph's order, then the partials in
// the order formed.
func (e *function) storedProducts() []stored {
	var nodes []*derive.Node
	for m := range e.vals {
		if m.Op == derive.OpMul && len(m.Args) >= 2 {
			nodes = append(nodes, m)
		}
	}
	slices.SortFunc(nodes, func(a, b *derive.Node) int { return a.ID - b.ID })
	out := make([]stored, 0, len(nodes)+len(e.parts))
	for _, m := range nodes {
		out = append(out, stored{nodeLinks(m.Args), link{node: m}})
	}
	for _, p := range e.parts {
		out = append(out, stored{p.factors, link{part: p}})
	}
	return out
}

// regroup rewrites a product chain to reuse products: a palindrome
// Rᵀ M R (or Rᵀ R) becomes Yᵀ M Y with Y = R formed once, and a run of
// factors whose product is already computed becomes that value. So
// tr(Bᵀ Xᵀ C X B) forms X B once, and its gradient (C + Cᵀ) X B Bᵀ reuses
// it. The products it forms are partials (or the graph's own nodes for
// them): regrouping adds nothing to the derived graph.
func (e *function) regroup(fs []link) []link {
	k := len(fs)
	if k >= minSquaring && allSame(fs) {
		// A power X X … X of k identical factors, the whole chain (X ^ k),
		// by repeated squaring: Y = X X formed once, then the chain Y Y …
		// (and X when k is odd), itself regrouped so. It takes about log₂ k
		// + popcount(k) products instead of k − 1. Invariant: the factors
		// are the chain, so no cheaper order (a vector at an end, which
		// would make every product a matrix-vector one) is given up.
		y := e.formed(fs[:2])
		out := make([]link, 0, k/2+1)
		for i := 0; i+1 < k; i += 2 {
			out = append(out, y)
		}
		if k%2 == 1 {
			out = append(out, fs[0])
		}
		return e.regroup(out)
	}
	for h := k / 2; h >= 2; h-- {
		palindrome := true
		for i := 0; i < h && palindrome; i++ {
			palindrome = linksTranspose(fs[i], fs[k-1-i])
		}
		if palindrome {
			// Form the half that is already formed, if either is: X B for
			// both Bᵀ Xᵀ C X B and X B Bᵀ Xᵀ.
			if y, ok := e.storedRun(fs[:h]); ok {
				out := append([]link{y}, fs[h:k-h]...)
				return append(out, y.transposed())
			}
			y := e.formed(fs[k-h:])
			out := append([]link{y.transposed()}, fs[h:k-h]...)
			return append(out, y)
		}
	}
	// The longest run of factors (the leftmost of equal length) that is a
	// stored product or the transpose of one; ties go to the product
	// itself over a transpose, then to the product computed first. The
	// stored products are searched for in the chain, not every run formed
	// and looked up: that built O(k²) products of O(k) factors per chain.
	type match struct {
		at, length int
		transposed bool
		product    link
	}
	better := func(a, b match) bool {
		if a.length != b.length {
			return a.length > b.length
		}
		if a.at != b.at {
			return a.at < b.at
		}
		return !a.transposed && b.transposed
	}
	var best *match
	for _, s := range e.storedProducts() {
		n := len(s.factors)
		if n >= k || (best != nil && n < best.length) {
			continue
		}
		if i := indexRun(fs, s.factors, func(a, b link) bool { return a == b }); i >= 0 {
			if c := (match{i, n, false, s.product}); best == nil || better(c, *best) {
				best = &c
			}
		}
		if i := indexRun(fs, reversed(s.factors), linksTranspose); i >= 0 {
			if c := (match{i, n, true, s.product}); best == nil || better(c, *best) {
				best = &c
			}
		}
	}
	if best == nil {
		return fs
	}
	reuse := best.product
	if best.transposed {
		reuse = reuse.transposed()
	}
	out := append(append([]link{}, fs[:best.at]...), reuse)
	return e.regroup(append(out, fs[best.at+best.length:]...))
}

// minSquaring is the shortest power that repeated squaring makes cheaper:
// X X X X is (X X)(X X), two products instead of three.
const minSquaring = 4

// allSame reports whether every link of fs is the first.
func allSame(fs []link) bool {
	for _, f := range fs[1:] {
		if f != fs[0] {
			return false
		}
	}
	return true
}

// reversed returns fs in reverse order.
func reversed(fs []link) []link {
	out := slices.Clone(fs)
	slices.Reverse(out)
	return out
}

// indexRun returns the first i with match(fs[i+j], run[j]) for every j,
// or -1.
func indexRun(fs, run []link, match func(a, b link) bool) int {
	for i := 0; i+len(run) <= len(fs); i++ {
		if slices.EqualFunc(fs[i:i+len(run)], run, match) {
			return i
		}
	}
	return -1
}
