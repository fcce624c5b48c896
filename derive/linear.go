package derive

import (
	"strconv"
	"strings"
)

// A Jacobian is DF/DW for a vector- or matrix-valued F and one wrt input W,
// in the seed's block layout: block (k, l) holds ∂F/∂w_kl (a vector W
// counts as a row, a scalar as 1×1).
type Jacobian struct {
	Wrt *Input
	// Dir is the direction dW, a variable of W's shape, and Differential
	// dF in that direction.
	Dir, Differential *Node
	// Derivative is dF/dW for a scalar W: the Jacobian itself.
	Derivative *Node
	// Terms are the terms of Differential when each is linear in dW with
	// a structure the Jacobian can be filled from directly; Structured
	// reports whether all are (a nil Differential is structured and zero).
	Terms      []LinearTerm
	Structured bool
}

// A LinearTerm is one term Coef·Left·dW·Right of a differential (Trans:
// Coef·Left·dWᵀ·Right), or Coef·(Hadamard ⊙ dW). A nil Coef is 1 and an
// empty Left or Right the identity. Its block (k, l) of the Jacobian is
// Coef·Left[:, k]·Right[l, :] (Trans: Left[:, l]·Right[k, :]), or the one
// entry Coef·Hadamard_kl at (k, l).
type LinearTerm struct {
	Coef        *Node
	Left, Right []*Node
	Trans       bool
	Hadamard    *Node
	// LeftProduct and RightProduct are Left's and Right's products as
	// nodes, formed here so that code generation builds none; nil for an
	// empty side.
	LeftProduct, RightProduct *Node
}

// LinearTerms splits df, linear in the direction dw, into LinearTerms, and
// reports whether every term has one of their forms.
func (g *Graph) LinearTerms(df, dw *Node) ([]LinearTerm, bool) {
	if df == nil {
		return nil, true
	}
	terms := []*Node{df}
	if df.Op == OpAdd {
		terms = df.Args
	}
	var out []LinearTerm
	for _, t := range terms {
		var coef *Node
		for t.Op == OpScale && !Depends(t.Args[0], dw) {
			coef = g.timesScalar(coef, t.Args[0])
			t = t.Args[1]
		}
		term := LinearTerm{Coef: coef}
		switch {
		case t == dw:
		case t.Op == OpTranspose && t.Args[0] == dw:
			term.Trans = true
		case t.Op == OpMul:
			at := -1
			for k, a := range t.Args {
				if Depends(a, dw) {
					if at >= 0 {
						return nil, false
					}
					at = k
				}
			}
			a := t.Args[at]
			switch {
			case a == dw:
			case a.Op == OpTranspose && a.Args[0] == dw:
				term.Trans = true
			default:
				return nil, false
			}
			term.Left, term.Right = t.Args[:at], t.Args[at+1:]
		case t.Op == OpHadamard:
			h, ok := g.hadamardFactor(t, dw)
			if !ok {
				return nil, false
			}
			term.Hadamard = h
		default:
			return nil, false
		}
		out = append(out, term)
	}
	out = g.mergeHadamard(out)
	for k := range out {
		out[k].LeftProduct, out[k].RightProduct = g.sideProduct(out[k].Left), g.sideProduct(out[k].Right)
	}
	return out, true
}

// sideProduct returns the product of a term's side fs, nil for an empty
// side.
func (g *Graph) sideProduct(fs []*Node) *Node {
	if len(fs) == 0 {
		return nil
	}
	return g.Mul(fs...)
}

// mergeHadamard folds every Hadamard term into the first: Σ cᵢ (Hᵢ ⊙ dW)
// is (Σ cᵢ Hᵢ) ⊙ dW.
func (g *Graph) mergeHadamard(ts []LinearTerm) []LinearTerm {
	var out []LinearTerm
	first := -1
	for _, t := range ts {
		if t.Hadamard == nil {
			out = append(out, t)
			continue
		}
		h := t.Hadamard
		if t.Coef != nil {
			h = g.Scale(t.Coef, h)
		}
		if first < 0 {
			first = len(out)
			out = append(out, LinearTerm{Hadamard: h})
			continue
		}
		out[first].Hadamard = g.Add(out[first].Hadamard, h)
	}
	return out
}

// hadamardFactor returns H when t is H ⊙ dw, with H a product of factors
// that do not depend on dw, and reports whether it is.
func (g *Graph) hadamardFactor(t, dw *Node) (*Node, bool) {
	if t.Op != OpHadamard {
		return nil, false
	}
	a, b := t.Args[0], t.Args[1]
	if Depends(a, dw) {
		a, b = b, a
	}
	if Depends(a, dw) {
		return nil, false
	}
	if b == dw {
		return a, true
	}
	inner, ok := g.hadamardFactor(b, dw)
	if !ok {
		return nil, false
	}
	return g.Hadamard(a, inner), true
}

// timesScalar returns the product of the scalars a and b; a nil a is 1.
func (g *Graph) timesScalar(a, b *Node) *Node {
	if a == nil {
		return b
	}
	return g.Scale(a, b)
}

// A MapTerm is one term Coef·Left·diag(Diag)·Right of a matrix M with
// h = M v for a direction v: a nil Coef is 1, a nil Diag and an empty Left
// or Right the identity.
type MapTerm struct {
	Coef        *Node
	Left, Right []*Node
	Diag        *Node
	// LeftProduct and RightProduct are Left's and Right's products as
	// nodes (nil for an empty side), formed once the term is final
	// (withProducts) so that code generation builds none.
	LeftProduct, RightProduct *Node
}

// withProducts returns ts with each term's side products formed.
func (g *Graph) withProducts(ts []MapTerm) []MapTerm {
	for k := range ts {
		ts[k].LeftProduct, ts[k].RightProduct = g.sideProduct(ts[k].Left), g.sideProduct(ts[k].Right)
	}
	return ts
}

// prefix multiplies the term on the left by fs: into Right while the term
// has no diagonal factor (so a later Hadamard can still apply one), into
// Left after.
func (t *MapTerm) prefix(fs ...*Node) {
	if t.Diag == nil && len(t.Left) == 0 {
		t.Right = append(append([]*Node{}, fs...), t.Right...)
		return
	}
	t.Left = append(append([]*Node{}, fs...), t.Left...)
}

// HessBlock is block (Row, Col) of a dense Hessian over scalar and vector
// wrt inputs: ∂(∂f/∂w_Row)/∂w_Col. For a scalar w_Col it is the column
// Column; otherwise the sum of Terms.
type HessBlock struct {
	Row, Col int
	Column   *Node
	Terms    []MapTerm
}

// hessianBlocks returns every block of the dense Hessian of f, each read
// off the Hessian-vector product's structure; HessStructured reports
// whether all blocks have one.
func (f *Function) hessianBlocks() []*HessBlock {
	g := f.Graph
	f.HessStructured = true
	var blocks []*HessBlock
	for i := range f.Wrt {
		for j, wj := range f.Wrt {
			b := &HessBlock{Row: i, Col: j}
			if wj.IsScalarInput() {
				b.Column = g.Tangent(f.Grads[i], map[*Node]*Node{wj.Node: g.Const(1)})
			} else {
				v := f.HessDirs[j].Node
				terms, ok := g.linearMap(g.Tangent(f.Grads[i], map[*Node]*Node{wj.Node: v}), v)
				if !ok {
					f.HessStructured = false
				}
				b.Terms = g.withProducts(g.mergeTerms(terms))
			}
			blocks = append(blocks, b)
		}
	}
	return blocks
}

// mergeTerms adds up the coefficients of terms with the same factors, so
// 4 x xᵀ + 4 x xᵀ is formed once as 8 x xᵀ.
func (g *Graph) mergeTerms(ts []MapTerm) []MapTerm {
	key := func(t MapTerm) string {
		k := ""
		for _, side := range [][]*Node{t.Left, {t.Diag}, t.Right} {
			for _, n := range side {
				if n == nil {
					k += "-,"
				} else {
					k += strconv.Itoa(n.ID) + ","
				}
			}
			k += "|"
		}
		return k
	}
	var out []MapTerm
	at := map[string]int{}
	for _, t := range ts {
		k := key(t)
		if i, ok := at[k]; ok {
			c1, c2 := out[i].Coef, t.Coef
			if c1 == nil {
				c1 = g.Const(1)
			}
			if c2 == nil {
				c2 = g.Const(1)
			}
			out[i].Coef = g.Add(c1, c2)
			continue
		}
		at[k] = len(out)
		out = append(out, t)
	}
	return out
}

// linearMap writes x, linear in the column vector v, as M v with M a sum of
// MapTerms, and reports whether it could.
func (g *Graph) linearMap(x, v *Node) ([]MapTerm, bool) {
	if x == nil {
		return nil, true
	}
	m := &linearMapper{g: g, v: v, active: activeSet(postorder(x), []*Node{v}), memo: map[*Node]mapped{}}
	return m.terms(x)
}

// A linearMapper reads linear maps off one DAG for one direction. It
// visits each node once (memo) and merges the terms of a sum that differ
// only in their diagonal, so the number of terms stays bounded by the
// number of distinct product structures rather than doubling at every
// shared subexpression (a let chain l = sin(l) .* l).
type linearMapper struct {
	g      *Graph
	v      *Node
	active map[*Node]bool // the nodes that depend on v
	memo   map[*Node]mapped
}

// mapped is a memoised result of linearMapper.terms.
type mapped struct {
	terms []MapTerm
	ok    bool
}

// terms returns the MapTerms of x as a fresh slice the caller may modify.
func (m *linearMapper) terms(x *Node) ([]MapTerm, bool) {
	r, seen := m.memo[x]
	if !seen {
		r.terms, r.ok = m.compute(x)
		m.memo[x] = r
	}
	return append([]MapTerm(nil), r.terms...), r.ok
}

// compute is terms without the memo: x's MapTerms by its operator, or
// false when x is not linear in v in a form a MapTerm holds.
func (m *linearMapper) compute(x *Node) ([]MapTerm, bool) {
	switch {
	case x == nil:
		return nil, true
	case x == m.v:
		return []MapTerm{{}}, true
	case !m.active[x]:
		return nil, false // not linear
	case x.Op == OpAdd:
		var out []MapTerm
		for _, t := range x.Args {
			ts, ok := m.terms(t)
			if !ok {
				return nil, false
			}
			out = append(out, ts...)
		}
		return m.g.mergeDiagonals(out), true
	case x.Op == OpScale:
		return m.scaled(x)
	case x.Op == OpMul:
		return m.product(x)
	case x.Op == OpSum && x.Args[0].Shape.IsCol():
		// sum(y) = 1ᵀ y.
		ts, ok := m.terms(x.Args[0])
		ones := m.g.Broadcast(m.g.Const(1), Shape{Rows: Dim{Size: 1}, Cols: x.Args[0].Shape.Rows})
		for k := range ts {
			ts[k].prefix(ones)
		}
		return ts, ok
	case x.Op == OpHadamard:
		return m.hadamard(x)
	}
	return nil, false
}

// scaled is compute for c y: linear in v through y with c constant, or
// through the scalar c for a constant vector y.
func (m *linearMapper) scaled(x *Node) ([]MapTerm, bool) {
	c, y := x.Args[0], x.Args[1]
	if !m.active[c] {
		ts, ok := m.terms(y)
		for k := range ts {
			ts[k].Coef = m.g.timesScalar(ts[k].Coef, c)
		}
		return ts, ok
	}
	if m.active[y] || !y.Shape.IsCol() {
		return nil, false
	}
	// y (rᵀ v) with rᵀ the row of the scalar c: M = y rᵀ.
	ts, ok := m.terms(c)
	for k := range ts {
		ts[k].prefix(y)
	}
	return ts, ok
}

// product is compute for a matrix product with one factor that depends on
// v: the last, or either of a scalar aᵀb.
func (m *linearMapper) product(x *Node) ([]MapTerm, bool) {
	at := -1
	for k, a := range x.Args {
		if m.active[a] {
			if at >= 0 {
				return nil, false
			}
			at = k
		}
	}
	last := len(x.Args) - 1
	if at != last {
		if !x.Shape.IsScalar() || len(x.Args) != 2 {
			return nil, false
		}
		// A scalar aᵀb is bᵀa: a new node, so a mapper of its own.
		return m.g.linearMap(m.g.Mul(m.g.T(x.Args[1]), m.g.T(x.Args[0])), m.v)
	}
	ts, ok := m.terms(x.Args[at])
	for k := range ts {
		ts[k].prefix(x.Args[:at]...)
	}
	return ts, ok
}

// hadamard is compute for a ⊙ y with a constant and y a vector that
// depends on v: diag(a) y.
func (m *linearMapper) hadamard(x *Node) ([]MapTerm, bool) {
	a, y := x.Args[0], x.Args[1]
	if m.active[a] {
		a, y = y, a
	}
	if m.active[a] || !y.Shape.IsCol() {
		return nil, false
	}
	ts, ok := m.terms(y)
	for k := range ts {
		if len(ts[k].Left) > 0 {
			return nil, false
		}
		if ts[k].Diag == nil {
			ts[k].Diag = a
		} else {
			ts[k].Diag = m.g.Hadamard(a, ts[k].Diag)
		}
	}
	return ts, ok
}

// mergeDiagonals folds terms that differ only in their coefficient and
// diagonal into one: Σ cᵢ L diag(dᵢ) R is L diag(Σ cᵢ dᵢ) R. Terms without a
// diagonal are kept as they are (mergeTerms adds up their coefficients).
func (g *Graph) mergeDiagonals(ts []MapTerm) []MapTerm {
	var out []MapTerm
	at := map[string]int{}
	for _, t := range ts {
		if t.Diag == nil {
			out = append(out, t)
			continue
		}
		d := t.Diag
		if t.Coef != nil {
			d = g.Scale(t.Coef, d)
		}
		k := sidesKey(t.Left) + "|" + sidesKey(t.Right)
		if i, ok := at[k]; ok {
			out[i].Diag = g.Add(out[i].Diag, d)
			continue
		}
		at[k] = len(out)
		out = append(out, MapTerm{Left: t.Left, Right: t.Right, Diag: d})
	}
	return out
}

// sidesKey identifies a product of factors by their node IDs.
func sidesKey(fs []*Node) string {
	var b strings.Builder
	for _, n := range fs {
		b.WriteString(strconv.Itoa(n.ID))
		b.WriteByte(',')
	}
	return b.String()
}

// FormatBlock prints block (k, l) of a Jacobian term in l's style:
// c A[:,k] B[l,:] for c·A·dX·B, with I for an identity side.
func FormatBlock(t LinearTerm, l *Listing) string {
	coef := ""
	if t.Coef != nil {
		coef = formatFactor(t.Coef, l) + " "
	}
	if t.Hadamard != nil {
		return coef + formatFactor(t.Hadamard, l) + "[k,l] at entry (k, l)"
	}
	col, row := "k", "l"
	if t.Trans {
		col, row = "l", "k"
	}
	return coef + formatSide(t.LeftProduct, l) + "[:," + col + "] " + formatSide(t.RightProduct, l) + "[" + row + ",:]"
}

// FormatMap prints a MapTerm in l's style: c L diag(d) R.
func FormatMap(t MapTerm, l *Listing) string {
	var parts []string
	if t.Coef != nil {
		parts = append(parts, formatFactor(t.Coef, l))
	}
	if len(t.Left) > 0 {
		parts = append(parts, formatSide(t.LeftProduct, l))
	}
	if t.Diag != nil {
		parts = append(parts, "diag("+l.Format(t.Diag)+")")
	}
	if len(t.Right) > 0 {
		parts = append(parts, formatSide(t.RightProduct, l))
	}
	if len(parts) == 0 || (len(t.Left) == 0 && len(t.Right) == 0 && t.Diag == nil) {
		parts = append(parts, "I")
	}
	return strings.Join(parts, " ")
}

// formatSide prints a term's side, its product (formatFactor), and I for
// an empty side.
func formatSide(product *Node, l *Listing) string {
	if product == nil {
		return "I"
	}
	return formatFactor(product, l)
}

// formatFactor prints n, in parentheses unless it is a name or a constant.
func formatFactor(n *Node, l *Listing) string {
	if n.IsFill(1) && n.Shape.IsRow() {
		return map[Style]string{Plain: "1'", Unicode: "1ᵀ", LaTeX: `\mathbf{1}^\top`}[l.style]
	}
	s := l.Format(n)
	if _, named := l.names[n]; named || n.Op == OpVar || n.Op == OpConst || (n.Op == OpTranspose && n.Args[0].Op == OpVar) {
		return s
	}
	return "(" + s + ")"
}
