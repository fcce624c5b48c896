package derive

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Node is one value of the expression DAG. Nodes are interned by their
// graph, so structurally equal expressions are the same *Node: a common
// subexpression is one node, found once.
type Node struct {
	ID    int     // creation order within the graph; deterministic
	Op    *Op     // the operator
	Args  []*Node // operands
	Shape Shape
	Value float64 // Const: the value
	Name  string  // Var: the input name
	Sym   bool    // known to be symmetric
}

// IsConst reports whether n is the constant v.
func (n *Node) IsConst(v float64) bool { return n != nil && n.Op == OpConst && n.Value == v }

// IsFill reports whether n is the constant v repeated over its shape, as
// vector(v) or matrix(v) are.
func (n *Node) IsFill(v float64) bool { return n != nil && n.Op == OpBroadcast && n.Args[0].IsConst(v) }

// maxNodes bounds a function's graph while Build derives: the expression
// and its derivatives. Derivation stays polynomial in the
// spec's size (shared subexpressions, Taylor mode), so only a spec that
// is itself very large reaches it; Build refuses it then, instead of
// growing without bound. A variable so that a test can lower it.
var maxNodes = 1 << 18

// tooLarge is the panic of a graph that reaches maxNodes; buildFunction
// recovers it as a positioned error.
type tooLarge struct{ nodes int }

// Graph owns and interns nodes. Its constructors simplify as they build,
// so derivatives come out in textbook form. A nil *Node is the zero of any
// shape; constructors accept it where zero makes sense.
type Graph struct {
	nodes []*Node
	index map[string]*Node
	limit int // the most nodes while Build derives (maxNodes); 0 after
}

// Len returns the number of nodes g holds. Code generation reads it before
// and after lowering a function, to check that lowering added none.
func (g *Graph) Len() int { return len(g.nodes) }

// NewGraph returns an empty graph.
func NewGraph() *Graph { return &Graph{index: make(map[string]*Node)} }

func (g *Graph) intern(op *Op, shape Shape, value float64, name string, sym bool, args ...*Node) *Node {
	k := key(op, shape, value, name, args...)
	if n, ok := g.index[k]; ok {
		return n
	}
	if g.limit > 0 && len(g.nodes) >= g.limit {
		panic(tooLarge{len(g.nodes) + 1})
	}
	n := &Node{ID: len(g.nodes), Op: op, Args: args, Shape: shape, Value: value, Name: name, Sym: sym}
	g.nodes = append(g.nodes, n)
	g.index[k] = n
	return n
}

// key is the interning key of a node.
func key(op *Op, shape Shape, value float64, name string, args ...*Node) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(op.id))
	b.WriteByte('|')
	b.WriteString(strconv.FormatUint(math.Float64bits(value), 16))
	b.WriteByte('|')
	b.WriteString(name)
	b.WriteByte('|')
	b.WriteString(shape.Rows.String() + "," + shape.Cols.String())
	for _, a := range args {
		b.WriteByte('|')
		b.WriteString(strconv.Itoa(a.ID))
	}
	return b.String()
}

// Const returns the scalar constant v.
func (g *Graph) Const(v float64) *Node {
	if v == 0 {
		v = 0 // fold -0 into 0
	}
	return g.intern(OpConst, ScalarShape, v, "", true)
}

// Var returns the input named name.
func (g *Graph) Var(name string, shape Shape, sym bool) *Node {
	return g.intern(OpVar, shape, 0, name, sym || shape.IsScalar())
}

// Eye returns the n×n identity; eye(1) is the scalar 1.
func (g *Graph) Eye(n Dim) *Node {
	if n.IsOne() {
		return g.Const(1)
	}
	return g.intern(OpEye, Square(n), 0, "", true)
}

// Broadcast returns the scalar s repeated over shape.
func (g *Graph) Broadcast(s *Node, shape Shape) *Node {
	if shape.IsScalar() || s == nil || !s.Shape.IsScalar() {
		return s
	}
	return g.intern(OpBroadcast, shape, 0, "", shape.IsSquare(), s)
}

// Neg returns -x.
func (g *Graph) Neg(x *Node) *Node { return g.Scale(g.Const(-1), x) }

// Sub returns x - y.
func (g *Graph) Sub(x, y *Node) *Node { return g.Add(x, g.Neg(y)) }

// coefficient splits n into a constant factor and the rest.
func coefficient(n *Node) (float64, *Node) {
	if n.Op == OpScale && n.Args[0].Op == OpConst {
		return n.Args[0].Value, n.Args[1]
	}
	if n.Op == OpConst {
		return n.Value, nil
	}
	return 1, n
}

// Scale returns the scalar s times x.
func (g *Graph) Scale(s, x *Node) *Node {
	switch {
	case s == nil || x == nil || s.IsConst(0) || x.IsConst(0):
		return nil
	case s.IsConst(1):
		return x
	case x.IsConst(1):
		return g.Broadcast(s, x.Shape)
	}
	if x.Op == OpConst && s.Op == OpConst {
		return g.Const(s.Value * x.Value)
	}
	if x.Op == OpConst { // scalar times scalar: the constant goes first
		s, x = x, s
	}
	if c, rest := coefficient(s); c != 1 && rest != nil {
		return g.Scale(g.Const(c), g.Scale(rest, x))
	}
	if c, rest := coefficient(x); c != 1 && rest != nil {
		if s.Op == OpConst {
			return g.Scale(g.Const(s.Value*c), rest)
		}
		return g.Scale(g.Const(c), g.Scale(s, rest))
	}
	if x.Op == OpBroadcast {
		return g.Broadcast(g.Scale(s, x.Args[0]), x.Shape)
	}
	if x.Shape.IsScalar() && s.Op != OpConst && x.ID < s.ID { // canonical order of scalar products
		s, x = x, s
	}
	return g.intern(OpScale, x.Shape, 0, "", x.Sym, s, x)
}

// Add returns the sum of terms, all of one shape. It folds constants,
// collects like terms and factors common left or right factors of
// products: A W + A' W becomes (A + A') W.
func (g *Graph) Add(terms ...*Node) *Node {
	// A nested sum is flattened into this one, unless it is scaled or given
	// more than once: r + r is 2 r, not 2 a - 2 b for r = a - b, so the
	// shared r is computed once.
	repeats := map[*Node]int{}
	for _, t := range terms {
		if t != nil {
			_, rest := coefficient(t)
			repeats[rest]++
		}
	}
	var flat []*Node
	var add func(n *Node, c float64)
	coefs := map[*Node]float64{}
	constant := 0.0
	add = func(n *Node, c float64) {
		if n == nil {
			return
		}
		k, rest := coefficient(n)
		if rest != nil && rest.Op == OpBroadcast && rest.Args[0].Op == OpConst {
			k, rest = k*rest.Args[0].Value, nil
		}
		if rest == nil {
			constant += c * k
			return
		}
		if rest.Op == OpAdd && k == 1 && repeats[rest] < 2 {
			for _, t := range rest.Args {
				add(t, c*k)
			}
			return
		}
		if _, seen := coefs[rest]; !seen {
			flat = append(flat, rest)
		}
		coefs[rest] += c * k
	}
	for _, t := range terms {
		add(t, 1)
	}
	// A scalar term of a non-scalar sum broadcasts over its shape.
	shape := ScalarShape
	for _, t := range terms {
		if t != nil && !t.Shape.IsScalar() {
			shape = t.Shape
		}
	}
	// c − c·op(x) in op's stable form (Op.oneMinus): 1 − σ(z) = σ(−z),
	// added to the coefficient σ(−z) has when the sum already holds it
	// (3 σ(−x) + 1 − σ(x) is 4 σ(−x)).
	for i, t := range flat {
		if t.Op.oneMinus != nil && constant != 0 && coefs[t] == -constant && t.Shape == shape {
			u := t.Op.oneMinus(g, t.Args[0])
			if u == nil {
				continue
			}
			if _, held := coefs[u]; held {
				flat = slices.Delete(flat, i, i+1)
			} else {
				flat[i] = u
			}
			coefs[u] += constant
			constant = 0
			delete(coefs, t)
			break
		}
	}
	var out []*Node
	for _, t := range flat {
		if c := coefs[t]; c != 0 {
			out = append(out, g.Broadcast(g.Scale(g.Const(c), t), shape))
		}
	}
	if constant != 0 {
		out = append(out, g.Broadcast(g.Const(constant), shape))
	}
	out = g.factor(out)
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	// Positive terms first, then by creation: A + A', H W2 - Y.
	sort.SliceStable(out, func(i, j int) bool {
		ni, nj := negative(out[i]), negative(out[j])
		if ni != nj {
			return nj
		}
		return baseID(out[i]) < baseID(out[j])
	})
	return g.intern(OpAdd, out[0].Shape, 0, "", sumIsSymmetric(g, out), out...)
}

// negative reports whether n carries a negative constant coefficient.
func negative(n *Node) bool {
	if n.Op == OpBroadcast {
		n = n.Args[0]
	}
	c, _ := coefficient(n)
	return c < 0
}

func baseID(n *Node) int {
	if _, rest := coefficient(n); rest != nil {
		return rest.ID
	}
	return n.ID
}

func sumIsSymmetric(g *Graph, terms []*Node) bool {
	in := map[*Node]bool{}
	for _, t := range terms {
		in[t] = true
	}
	for _, t := range terms {
		if !t.Sym && !in[g.T(t)] {
			return false
		}
	}
	return true
}

// factors returns n as a coefficient and a list of product factors.
func factors(n *Node) (*Node, []*Node) {
	var coef *Node
	if n.Op == OpScale {
		coef, n = n.Args[0], n.Args[1]
	}
	if n.Op == OpMul {
		return coef, n.Args
	}
	return coef, []*Node{n}
}

// factor merges pairs of terms that share a right (or left) run of product
// factors, repeatedly, longest shared run first.
func (g *Graph) factor(terms []*Node) []*Node {
	for {
		bi, bj, best, right := -1, -1, 0, true
		for i := range terms {
			for j := i + 1; j < len(terms); j++ {
				_, fi := factors(terms[i])
				_, fj := factors(terms[j])
				if terms[i].Shape.IsScalar() {
					continue
				}
				if k := sharedRun(fi, fj, true); k > best {
					bi, bj, best, right = i, j, k, true
				}
				if k := sharedRun(fi, fj, false); k > best {
					bi, bj, best, right = i, j, k, false
				}
			}
		}
		if best == 0 {
			return terms
		}
		ci, fi := factors(terms[bi])
		cj, fj := factors(terms[bj])
		var merged *Node
		if right {
			rest := g.Add(g.scaled(ci, g.Mul(fi[:len(fi)-best]...)), g.scaled(cj, g.Mul(fj[:len(fj)-best]...)))
			merged = g.Mul(append([]*Node{rest}, fi[len(fi)-best:]...)...)
		} else {
			rest := g.Add(g.scaled(ci, g.Mul(fi[best:]...)), g.scaled(cj, g.Mul(fj[best:]...)))
			merged = g.Mul(append(append([]*Node{}, fi[:best]...), rest)...)
		}
		next := []*Node{merged}
		for k, t := range terms {
			if k != bi && k != bj {
				next = append(next, t)
			}
		}
		terms = next
	}
}

func (g *Graph) scaled(c, x *Node) *Node {
	if c == nil {
		return x
	}
	return g.Scale(c, x)
}

// sharedRun returns how many factors a and b share at their right (or
// left) ends, leaving each at least one factor of its own.
func sharedRun(a, b []*Node, right bool) int {
	k := 0
	for k < len(a)-1 && k < len(b)-1 {
		x, y := a[k], b[k]
		if right {
			x, y = a[len(a)-1-k], b[len(b)-1-k]
		}
		if x != y {
			break
		}
		k++
	}
	return k
}

// Mul returns the matrix product of factors, flattened: scalar factors and
// constant coefficients move out in front, identities drop out.
func (g *Graph) Mul(fs ...*Node) *Node {
	var scalars, chain []*Node
	var walk func(n *Node) bool
	walk = func(n *Node) bool {
		switch {
		case n == nil, n.IsFill(0):
			return false // a zero factor: the product is zero
		case n.Shape.IsScalar():
			scalars = append(scalars, n)
		case n.Op == OpScale:
			scalars = append(scalars, n.Args[0])
			return walk(n.Args[1])
		case n.Op == OpMul:
			for _, a := range n.Args {
				walk(a)
			}
		default:
			chain = append(chain, n)
		}
		return true
	}
	for _, f := range fs {
		if !walk(f) {
			return nil
		}
	}
	var kept []*Node
	for _, f := range chain {
		if f.Op != OpEye {
			kept = append(kept, f)
		}
	}
	if len(kept) == 0 && len(chain) > 0 {
		kept = chain[:1]
	}
	kept, inner := g.innerProducts(kept)
	scalars = append(scalars, inner...)
	var out *Node
	switch len(kept) {
	case 0:
		if len(scalars) == 0 {
			return nil
		}
		out, scalars = scalars[len(scalars)-1], scalars[:len(scalars)-1]
	case 1:
		out = kept[0]
	default:
		shape := Shape{kept[0].Shape.Rows, kept[len(kept)-1].Shape.Cols}
		if len(kept) == 2 && isFill(kept[0]) && isFill(kept[1]) && kept[0].Shape.IsCol() {
			// The outer product of two fills, vector(a) vector(b)ᵀ, is the
			// fill a b: no sum over an inner dimension.
			out = g.Broadcast(g.Scale(kept[0].Args[0], kept[1].Args[0]), shape)
			break
		}
		out = g.intern(OpMul, shape, 0, "", g.palindrome(kept), kept...)
	}
	// A scaling that simplifies to zero makes the product zero; nil is
	// never taken for "no factor yet" (that read -b·0 as -1).
	for i := len(scalars) - 1; i >= 0 && out != nil; i-- {
		out = g.Scale(scalars[i], out)
	}
	return out
}

// isFill reports whether n is a scalar repeated over its shape.
func isFill(n *Node) bool { return n.Op == OpBroadcast }

// innerProducts takes out of the chain fs every run from a row to the next
// column (a 1×1 inner product, x x' y = (x' y) x) unless it is the whole
// chain, and returns the rest of the chain and the inner products, which
// are scalar factors.
func (g *Graph) innerProducts(fs []*Node) (rest, inner []*Node) {
	for i := 0; i < len(fs); i++ {
		if !fs[i].Shape.Rows.IsOne() {
			rest = append(rest, fs[i])
			continue
		}
		j := i
		for j < len(fs) && !fs[j].Shape.Cols.IsOne() {
			j++
		}
		if j == len(fs) || (i == 0 && j == len(fs)-1) {
			return append(rest, fs[i:]...), inner
		}
		inner = append(inner, g.Mul(fs[i:j+1]...))
		i = j
	}
	return rest, inner
}

// palindrome reports whether the product fs equals its own transpose.
func (g *Graph) palindrome(fs []*Node) bool {
	for i := 0; i <= (len(fs)-1)/2; i++ {
		j := len(fs) - 1 - i
		if i == j {
			if !fs[i].Sym {
				return false
			}
		} else if g.T(fs[i]) != fs[j] {
			return false
		}
	}
	return true
}

// T returns the transpose of x, pushed through products and scalings. It
// stays outside sums, so r' r reuses r = A x - b rather than forming x' A' - b'.
func (g *Graph) T(x *Node) *Node {
	switch {
	case x == nil:
		return nil
	case x.Shape.IsScalar() || x.Sym:
		return x
	}
	switch x.Op {
	case OpTranspose:
		return x.Args[0]
	case OpMul:
		fs := make([]*Node, len(x.Args))
		for i, f := range x.Args {
			fs[len(fs)-1-i] = g.T(f)
		}
		return g.Mul(fs...)
	case OpScale:
		return g.Scale(x.Args[0], g.T(x.Args[1]))
	case OpBroadcast:
		return g.Broadcast(x.Args[0], x.Shape.T())
	}
	return g.intern(OpTranspose, x.Shape.T(), 0, "", false, x)
}

// TransposeOf returns the transpose of x as a node of its own, not pushed
// into x: code generation uses it to name (X B)ᵀ as the transpose of a
// product it has formed, where T would give Bᵀ Xᵀ.
func (g *Graph) TransposeOf(x *Node) *Node {
	if x.Shape.IsScalar() || x.Sym {
		return x
	}
	if x.Op == OpTranspose {
		return x.Args[0]
	}
	return g.intern(OpTranspose, x.Shape.T(), 0, "", false, x)
}

// Hadamard returns the elementwise product x .* y (one shape, or a scalar).
func (g *Graph) Hadamard(x, y *Node) *Node {
	switch {
	case x == nil || y == nil:
		return nil
	case x.Shape.IsScalar():
		return g.Scale(x, y)
	case y.Shape.IsScalar():
		return g.Scale(y, x)
	case x.Op == OpBroadcast:
		return g.Scale(x.Args[0], y)
	case y.Op == OpBroadcast:
		return g.Scale(y.Args[0], x)
	}
	if cx, rx := coefficient(x); cx != 1 {
		return g.Scale(g.Const(cx), g.Hadamard(rx, y))
	}
	if cy, ry := coefficient(y); cy != 1 {
		return g.Scale(g.Const(cy), g.Hadamard(x, ry))
	}
	if y.ID < x.ID {
		x, y = y, x
	}
	return g.intern(OpHadamard, x.Shape, 0, "", x.Sym && y.Sym, x, y)
}

// Div returns the elementwise quotient x ./ y.
func (g *Graph) Div(x, y *Node) *Node {
	if x == nil {
		return nil
	}
	if y.IsConst(1) || y.IsFill(1) {
		return x
	}
	if x.Op == OpConst && y.Op == OpConst {
		return g.Const(x.Value / y.Value)
	}
	if x.Shape.IsScalar() && !y.Shape.IsScalar() {
		x = g.Broadcast(x, y.Shape)
	}
	if y.Op == OpConst {
		return g.Scale(g.Const(1/y.Value), x)
	}
	if c, rest := coefficient(x); c != 1 && rest != nil {
		return g.Scale(g.Const(c), g.Div(rest, y))
	}
	return g.intern(OpDiv, x.Shape, 0, "", x.Sym && y.Sym, x, y)
}

// Pow returns x .^ p for a scalar exponent p.
func (g *Graph) Pow(x, p *Node) *Node {
	switch {
	case p.IsConst(1):
		return x
	case p.IsConst(0):
		return g.Broadcast(g.Const(1), x.Shape)
	case x.Op == OpConst && p.Op == OpConst:
		return g.Const(math.Pow(x.Value, p.Value))
	}
	if p.IsConst(2) && x.Op == OpNorm2 {
		return g.Sum(g.Hadamard(x.Args[0], x.Args[0]))
	}
	return g.intern(OpPow, x.Shape, 0, "", x.Sym, x, p)
}

// Apply returns the elementwise function op applied to x.
func (g *Graph) Apply(op *Op, x *Node) *Node {
	if x.Op == OpConst {
		return g.Const(op.Scalar(x.Value))
	}
	if op.stable != nil {
		if n := op.stable(g, x); n != nil {
			return n
		}
	}
	return g.intern(op, x.Shape, 0, "", x.Sym, x)
}

// Find returns the node op(x) if the graph has it, nil otherwise; it
// creates nothing.
func (g *Graph) Find(op *Op, x *Node) *Node {
	return g.index[key(op, x.Shape, 0, "", x)]
}

// FindUnary returns the node op(x) of a one-argument structural operator
// (see Unary) if the graph has it, nil otherwise; it creates nothing.
func (g *Graph) FindUnary(op *Op, x *Node) *Node {
	return g.index[key(op, op.shapeOf(x.Shape), 0, "", x)]
}

// FindHadamard returns the node x ⊙ y if the graph has it, nil otherwise;
// it creates nothing.
func (g *Graph) FindHadamard(x, y *Node) *Node {
	if y.ID < x.ID {
		x, y = y, x
	}
	return g.index[key(OpHadamard, x.Shape, 0, "", x, y)]
}

// Sum returns the sum of all entries of x.
func (g *Graph) Sum(x *Node) *Node {
	if x != nil && x.Op == OpScale {
		return g.Scale(x.Args[0], g.Sum(x.Args[1]))
	}
	return g.Unary(OpSum, x)
}

// Tr returns the trace of the square x.
func (g *Graph) Tr(x *Node) *Node {
	if x != nil && x.Op == OpScale {
		return g.Scale(x.Args[0], g.Tr(x.Args[1]))
	}
	return g.Unary(OpTr, x)
}

// Unary returns op applied to x for a one-argument structural operator
// (sum, tr, det, logdet, inv, cofactor, diag, norm2, logsumexp): at a 1×1
// x its scalar rule, at x = Yᵀ its transpose rule when it has one.
func (g *Graph) Unary(op *Op, x *Node) *Node {
	if x == nil {
		return nil
	}
	if x.Shape.IsScalar() {
		return op.ofScalar(g, x)
	}
	if x.Op == OpTranspose && op.ofTranspose != nil {
		return op.ofTranspose(g, x.Args[0])
	}
	shape := op.shapeOf(x.Shape)
	sym := op.keepsSymmetry && x.Sym || shape.IsScalar() || op == OpDiagMat
	return g.intern(op, shape, 0, "", sym, x)
}
