package oracle

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/spec"
)

// shape is a value's shape in the generator: dimension names, "1" for a
// literal one.
type shape struct{ r, c string }

var scalarShape = shape{"1", "1"}

func (s shape) isScalar() bool { return s.r == "1" && s.c == "1" }
func (s shape) isCol() bool    { return s.c == "1" && s.r != "1" }
func (s shape) isRow() bool    { return s.r == "1" && s.c != "1" }
func (s shape) square() bool   { return s.r == s.c && s.r != "1" }
func (s shape) t() shape       { return shape{s.c, s.r} }

// expr is a generated expression: a tree the shrinker can cut, printed
// with parentheses around every compound operand.
type expr struct {
	kind  string // "in", "num", "fill", "eye", "call", "bin", "neg", "t"
	name  string // input or let name, number, function or operator
	args  []*expr
	shape shape
}

func (e *expr) String() string {
	switch e.kind {
	case "in", "num":
		return e.name
	case "fill":
		return e.name + "(" + e.args[0].name + ")"
	case "eye":
		return "eye(" + e.shape.r + ")"
	case "call":
		parts := make([]string, len(e.args))
		for i, a := range e.args {
			parts[i] = a.String()
		}
		return e.name + "(" + strings.Join(parts, ", ") + ")"
	case "bin":
		return operand(e.args[0]) + " " + e.name + " " + operand(e.args[1])
	case "neg":
		return "-" + operand(e.args[0])
	case "t":
		return operand(e.args[0]) + "'"
	}
	panic("oracle: unknown expression kind " + e.kind)
}

func operand(e *expr) string {
	switch e.kind {
	case "bin", "neg", "t":
		return "(" + e.String() + ")"
	case "num":
		if strings.HasPrefix(e.name, "-") {
			return "(" + e.name + ")"
		}
	}
	return e.String()
}

// size counts the nodes of e, for shrinking.
func (e *expr) size() int {
	n := 1
	for _, a := range e.args {
		n += a.size()
	}
	return n
}

// input is one spec input.
type input struct {
	name  string
	kind  string // scalar, vector, matrix, symmetric, spd
	shape shape
}

func (in input) typ() string {
	switch in.kind {
	case "scalar":
		return "scalar"
	case "vector":
		return "vector(" + in.shape.r + ")"
	case "matrix":
		return "matrix(" + in.shape.r + ", " + in.shape.c + ")"
	}
	return in.kind + "(" + in.shape.r + ")"
}

// let is one named intermediate.
type let struct {
	name string
	e    *expr
}

// Case is one generated spec function with the point it is checked at.
type Case struct {
	Name    string
	Inputs  []input
	Lets    []let
	Expr    *expr
	Wrt     []string // nil: no wrt key (every input)
	Order   int
	Hessian bool
	// Text overrides the spec text (regression rows come as text).
	Text string
	// PointSeed, when nonzero, seeds the point; else the name does. A
	// shrunk candidate keeps its original's point.
	PointSeed uint64
}

func (c *Case) pointSeed() uint64 {
	if c.PointSeed != 0 {
		return c.PointSeed
	}
	h := fnv.New64a()
	h.Write([]byte(c.Name))
	return h.Sum64()
}

// YAML returns the case as one entry of a spec's functions list.
func (c *Case) YAML() string {
	if c.Text != "" {
		return c.Text
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  - name: %s\n    inputs:\n", c.Name)
	for _, in := range c.Inputs {
		fmt.Fprintf(&b, "      %s: %q\n", in.name, in.typ())
	}
	if len(c.Lets) > 0 {
		b.WriteString("    let:\n")
		for _, l := range c.Lets {
			fmt.Fprintf(&b, "      %s: %q\n", l.name, l.e.String())
		}
	}
	fmt.Fprintf(&b, "    expr: %q\n", c.Expr.String())
	if c.Wrt != nil {
		fmt.Fprintf(&b, "    wrt: [%s]\n", strings.Join(c.Wrt, ", "))
	}
	if c.Order > 0 {
		fmt.Fprintf(&b, "    order: %d\n", c.Order)
	}
	if c.Hessian {
		b.WriteString("    hessian: true\n")
	}
	return b.String()
}

// specText returns a spec file holding cases.
func specText(cases []*Case) string {
	var b strings.Builder
	b.WriteString("package: main\nfunctions:\n")
	for _, c := range cases {
		b.WriteString(c.YAML())
	}
	return b.String()
}

// callable is a function of the language as the operator table defines
// it, learnt by probing derive with every class of argument: for each
// argument class it accepts, the class of its result.
type callable struct {
	name   string
	arity  int
	arg    string // argument class: scalar, col, row, square, rect
	result string // result class, in the argument's dimensions
	// elementwise is set for a function of each entry (its result has its
	// argument's shape); partner names the function a joint kernel
	// computes with it, if any and a spec can call it.
	elementwise bool
	partner     string
}

var (
	probeOnce sync.Once
	callables []callable
)

// classes of arguments to probe with: the spec input types and the
// expression of that class over dimensions n and m.
var probeClasses = []struct{ class, expr string }{
	{"scalar", "s"}, {"col", "x"}, {"row", "x'"}, {"square", "A"}, {"rect", "R"},
}

// table returns the callables of the language, probed once from derive's
// function table: an operator added there is generated with no edit here.
func table() []callable {
	probeOnce.Do(func() {
		for _, name := range derive.FunctionNames() {
			for _, pc := range probeClasses {
				for arity := 1; arity <= 2; arity++ {
					args := []string{pc.expr}
					if arity == 2 {
						args = append(args, pc.expr)
					}
					src := fmt.Sprintf("functions:\n  - name: P\n    inputs: {s: scalar, x: vector(n), A: \"matrix(n, n)\", R: \"matrix(n, m)\"}\n    expr: \"%s(%s)\"\n    wrt: [s]\n",
						name, strings.Join(args, ", "))
					f, err := spec.Load("probe.yaml", []byte(src))
					if err != nil {
						continue
					}
					fns, err := derive.Build(f)
					if err != nil {
						continue
					}
					c := callable{name: name, arity: arity, arg: pc.class, result: classOf(fns[0].Value.Shape)}
					if op := fns[0].Value.Op; op.Kind == derive.KindElementwise && arity == 1 {
						c.elementwise = true
						if op.Joint != nil && op.Joint.With.Spec {
							// A partner a spec cannot call (tanh's,
							// dtanh) comes from the derivatives alone.
							c.partner = op.Joint.With.Name
						}
					}
					callables = append(callables, c)
				}
			}
		}
		sort.Slice(callables, func(i, j int) bool {
			a, b := callables[i], callables[j]
			return a.name+a.arg < b.name+b.arg
		})
	})
	return callables
}

// classOf names a probed result shape by class.
func classOf(s derive.Shape) string {
	r, c := s.Rows.String(), s.Cols.String()
	switch {
	case r == "1" && c == "1":
		return "scalar"
	case c == "1" && r == "n":
		return "col"
	case r == "1" && c == "n":
		return "row"
	case r == "n" && c == "n":
		return "square"
	case r == "n" && c == "m":
		return "rect"
	case r == "m" && c == "n":
		return "rectT"
	case r == "m" && c == "m":
		return "squareM"
	}
	return "other:" + r + "," + c
}

// argShape returns the argument shape of class for a result of shape s,
// and whether class can give s as res.
func argShape(class, res string, s shape, fresh func() string) (shape, bool) {
	// n and m are the argument's dimensions; bind them from s.
	var n, m string
	switch res {
	case "scalar":
		if !s.isScalar() {
			return shape{}, false
		}
		n, m = fresh(), fresh()
	case "col":
		if !s.isCol() {
			return shape{}, false
		}
		n, m = s.r, fresh()
	case "row":
		if !s.isRow() {
			return shape{}, false
		}
		n, m = s.c, fresh()
	case "square":
		if !s.square() {
			return shape{}, false
		}
		n, m = s.r, fresh()
	case "rect":
		if s.r == "1" || s.c == "1" || s.r == s.c {
			return shape{}, false
		}
		n, m = s.r, s.c
	case "rectT":
		if s.r == "1" || s.c == "1" || s.r == s.c {
			return shape{}, false
		}
		n, m = s.c, s.r
	default:
		return shape{}, false
	}
	switch class {
	case "scalar":
		return scalarShape, true
	case "col":
		return shape{n, "1"}, true
	case "row":
		return shape{"1", n}, true
	case "square":
		return shape{n, n}, true
	case "rect":
		if n == m {
			return shape{}, false
		}
		return shape{n, m}, true
	}
	return shape{}, false
}

// Generator draws random well-typed spec functions.
type Generator struct {
	r      *rand.Rand
	inputs []input
	lets   []let
	dims   []string
	drawn  []*expr // the calls and products drawn so far, for Shared
	// MaxDepth bounds the expression depth.
	MaxDepth int
	// Forms weighs the forms the probe of derive's table cannot find.
	Forms Forms
}

// Forms weighs the forms of the language that probing derive's function
// table cannot find — calls whose second argument is a literal dimension,
// and operators with shape rules of their own — against the 12 shares of
// a draw the generator's other forms have; a zero weight turns one off.
type Forms struct {
	// Reduce draws sum(A, k) and mean(A, k): a 1×c row (k = 1) or an
	// r-vector (k = 2) from an r×c matrix, a vector or a row vector.
	Reduce int
	// LogSumExp draws logsumexp(A, k), shaped as sum(A, k).
	LogSumExp int
	// Softmax draws softmax(A, k), of A's shape (softmax(x) of a vector
	// is probed from the table).
	Softmax int
	// Expand draws implicit expansion: an r×c matrix beside an r-vector
	// or a 1×c row vector in + - .* ./, either operand first.
	Expand int
	// MatrixPower draws X ^ k for a square X and a literal k in 1..4.
	MatrixPower int
	// Shared draws a call or product drawn before in the same function
	// again: itself, its transpose, or another elementwise function of
	// its argument (sigmoid(Z) beside softplus(Z): a joint kernel and its
	// partner), so one value has readers in several places and shapes;
	// or a joint kernel's pair of one argument side by side.
	Shared int
}

// DefaultForms is the weighting NewGenerator starts with.
var DefaultForms = Forms{Reduce: 2, LogSumExp: 1, Softmax: 1, Expand: 2, MatrixPower: 2, Shared: 2}

func (f Forms) total() int {
	return f.Reduce + f.LogSumExp + f.Softmax + f.Expand + f.MatrixPower + f.Shared
}

// NewGenerator returns a generator seeded by seed.
func NewGenerator(seed uint64) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), MaxDepth: 4, Forms: DefaultForms}
}

var dimNames = []string{"n", "m", "p", "q", "k"}

// dim returns an existing dimension or a new one.
func (g *Generator) dim() string {
	if len(g.dims) > 0 && (len(g.dims) == len(dimNames) || g.r.IntN(3) > 0) {
		return g.dims[g.r.IntN(len(g.dims))]
	}
	d := dimNames[len(g.dims)]
	// One new dimension in eight is a literal size, fixed by the spec
	// (vector(3), matrix(2, n)): the generated code checks it against a
	// constant and divides by it as one (mean).
	if lit := []string{"2", "3"}[g.r.IntN(2)]; g.r.IntN(8) == 0 && !slices.Contains(g.dims, lit) {
		d = lit
	}
	g.dims = append(g.dims, d)
	return d
}

var inputNames = "abcdefghjuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ" // no dimension names

// leaf returns an input (or its transpose, a let, a constant) of shape s.
func (g *Generator) leaf(s shape) *expr {
	var cands []*expr
	for _, l := range g.lets {
		if l.e.shape == s {
			cands = append(cands, &expr{kind: "in", name: l.name, shape: s})
		}
	}
	for _, in := range g.inputs {
		if in.shape == s {
			cands = append(cands, &expr{kind: "in", name: in.name, shape: s})
			// A square input transposed is as good a leaf: lowerings that
			// pass an operand on as stored must not drop its transpose
			// (d cof(X)[Cᵀ] was computed as d cof(X)[C]).
			if s.square() {
				cands = append(cands, &expr{kind: "t", args: []*expr{{kind: "in", name: in.name, shape: s}}, shape: s})
			}
		} else if in.shape == s.t() && !s.isScalar() {
			cands = append(cands, &expr{kind: "t", args: []*expr{{kind: "in", name: in.name, shape: in.shape}}, shape: s})
		}
	}
	switch k := g.r.IntN(10); {
	case s.isScalar() && k == 0:
		return &expr{kind: "num", name: []string{"2", "0.5", "3", "1.5", "-1"}[g.r.IntN(5)], shape: s}
	case s.square() && k == 0 && g.declared(s.r):
		return &expr{kind: "eye", shape: s}
	case len(cands) > 0 && k < 7:
		return cands[g.r.IntN(len(cands))]
	}
	return g.newInput(s)
}

// declared reports whether an input has dimension d.
func (g *Generator) declared(d string) bool {
	for _, in := range g.inputs {
		if in.shape.r == d || in.shape.c == d {
			return true
		}
	}
	return false
}

// newInput declares an input of shape s (or of its transpose) and
// returns it as an expression of shape s.
func (g *Generator) newInput(s shape) *expr {
	name := string(inputNames[len(g.inputs)%len(inputNames)])
	if len(g.inputs) >= len(inputNames) {
		name += fmt.Sprint(len(g.inputs) / len(inputNames))
	}
	// Now and then a scalar, column or row is declared as the matrix of
	// its shape (matrix(1, 1), matrix(n, 1), matrix(1, n)), whose Go type
	// is a *mat.Dense, and a scalar as a vector(1): code that took every
	// column-shaped value for a *mat.VecDense did not compile
	// (ColumnPanel in generated_test), and a parallel loop that read a
	// 1×1 input panicked the generator (OneByOnePanel).
	asMatrix := g.r.IntN(6) == 0
	switch {
	case s.isScalar() && asMatrix:
		g.inputs = append(g.inputs, input{name, []string{"matrix", "vector"}[g.r.IntN(2)], s})
	case s.isScalar():
		g.inputs = append(g.inputs, input{name, "scalar", s})
	case (s.isCol() || s.isRow()) && asMatrix:
		g.inputs = append(g.inputs, input{name, "matrix", s})
	case s.isCol():
		g.inputs = append(g.inputs, input{name, "vector", s})
	case s.isRow():
		g.inputs = append(g.inputs, input{name, "vector", s.t()})
		return &expr{kind: "t", args: []*expr{{kind: "in", name: name, shape: s.t()}}, shape: s}
	case s.square():
		kind := []string{"matrix", "matrix", "symmetric", "spd"}[g.r.IntN(4)]
		g.inputs = append(g.inputs, input{name, kind, s})
	default:
		g.inputs = append(g.inputs, input{name, "matrix", s})
	}
	return &expr{kind: "in", name: name, shape: s}
}

// gen returns a random expression of shape s.
func (g *Generator) gen(s shape, depth int) *expr {
	if depth <= 0 || g.r.IntN(10) < 2 {
		return g.leaf(s)
	}
	d := depth - 1
	for {
		k := g.r.IntN(12 + g.Forms.total())
		if k >= 12 {
			if e := g.form(k-12, s, d); e != nil {
				return e
			}
			continue
		}
		switch k {
		case 0, 1: // a function of the table whose result has shape s
			if e := g.call(s, d); e != nil {
				return e
			}
		case 2: // + or -
			return g.elementwise([]string{"+", "-"}, s, d)
		case 3: // .* or ./
			return g.elementwise([]string{".*", "./"}, s, d)
		case 4: // a product
			return g.product(s, d)
		case 5: // scaling
			k := g.gen(scalarShape, d)
			x := g.gen(s, d)
			switch g.r.IntN(3) {
			case 0:
				return bin("*", k, x, s)
			case 1:
				return bin("*", x, k, s)
			}
			return bin("/", x, k, s)
		case 6: // powers
			var p *expr
			if g.r.IntN(3) == 0 {
				p = g.gen(scalarShape, d-1)
			} else {
				p = &expr{kind: "num", name: []string{"2", "3", "0.5", "-1", "1.5", "-2"}[g.r.IntN(6)], shape: scalarShape}
			}
			op := ".^"
			if s.isScalar() && g.r.IntN(2) == 0 {
				op = "^"
			}
			return bin(op, g.gen(s, d), p, s)
		case 7:
			if !s.isScalar() {
				return &expr{kind: "t", args: []*expr{g.gen(s.t(), d)}, shape: s}
			}
		case 8:
			return &expr{kind: "neg", args: []*expr{g.gen(s, d)}, shape: s}
		default:
			if e := g.call(s, d); e != nil {
				return e
			}
		}
	}
}

// form returns the expression of shape s of the Forms entry that share
// k of Forms.total() falls in, or nil when that form has no result of
// shape s.
func (g *Generator) form(k int, s shape, d int) *expr {
	f := g.Forms
	switch {
	case k < f.Reduce:
		return g.along([]string{"sum", "sum", "mean"}[g.r.IntN(3)], s, d)
	case k < f.Reduce+f.LogSumExp:
		return g.along("logsumexp", s, d)
	case k < f.Reduce+f.LogSumExp+f.Softmax:
		return g.softmax(s, d)
	case k < f.Reduce+f.LogSumExp+f.Softmax+f.Expand:
		return g.expand(s, d)
	case k < f.Reduce+f.LogSumExp+f.Softmax+f.Expand+f.MatrixPower:
		return g.matrixPower(s, d)
	}
	if g.r.IntN(4) == 0 {
		return g.jointPair(s, d)
	}
	return g.shared(s)
}

// jointPair returns f(Z) ∘ g(Z) of shape s for a function f whose joint
// kernel computes g too (softplus and sigmoid, in either order), ∘ one of
// + - .* ./, Z drawn of shape s; for a square s, g(Z) is read transposed a
// third of the time, and f(Z) is squared a third of the time.
func (g *Generator) jointPair(s shape, d int) *expr {
	names, partners := elementwiseFunctions()
	var pairs [][2]string
	for _, f := range names {
		if p := partners[f]; p != "" {
			pairs = append(pairs, [2]string{f, p})
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	p := pairs[g.r.IntN(len(pairs))]
	if g.r.IntN(2) == 0 {
		p[0], p[1] = p[1], p[0]
	}
	z := g.gen(s, d)
	x := &expr{kind: "call", name: p[0], args: []*expr{z}, shape: s}
	y := &expr{kind: "call", name: p[1], args: []*expr{z.clone()}, shape: s}
	if s.square() && g.r.IntN(3) == 0 {
		y = &expr{kind: "t", args: []*expr{y}, shape: s}
	}
	g.drawn = append(g.drawn, x, y)
	if g.r.IntN(3) == 0 {
		// An operator on the joint call's local: its square reads the
		// local twice (RegSquareJointLocal).
		op := ".^"
		if s.isScalar() {
			op = "^"
		}
		x = bin(op, x, &expr{kind: "num", name: "2", shape: scalarShape}, s)
	}
	return bin([]string{"+", "-", ".*", "./"}[g.r.IntN(4)], x, y, s)
}

// shared returns a copy of a call or product drawn before of shape s, the
// transpose of one of shape sᵀ, or another elementwise function (its
// joint kernel's partner half the time) of the argument of an elementwise
// call drawn before, transposed to s if need be; nil when none fits.
func (g *Generator) shared(s shape) *expr {
	var cands []*expr
	fit := func(e *expr) {
		switch {
		case e.shape == s:
			cands = append(cands, e)
		case e.shape == s.t() && !s.isScalar():
			cands = append(cands, &expr{kind: "t", args: []*expr{e}, shape: s})
		}
	}
	names, partners := elementwiseFunctions()
	for _, e := range g.drawn {
		fit(e)
		partner, ok := partners[e.name]
		if e.kind != "call" || !ok {
			continue
		}
		f := names[g.r.IntN(len(names))]
		if partner != "" && g.r.IntN(2) == 0 {
			f = partner
		}
		fit(&expr{kind: "call", name: f, args: e.args, shape: e.shape})
	}
	if len(cands) == 0 {
		return nil
	}
	return cands[g.r.IntN(len(cands))].clone()
}

// elementwiseFunctions returns, sorted, the functions of the table that
// are elementwise at every argument class they take (norm1 of a scalar is
// abs, but norm1 is no elementwise function), and for each its joint
// kernel's partner or "". It is worked out once, from table().
var elementwiseFunctions = sync.OnceValues(func() ([]string, map[string]string) {
	partners := map[string]string{}
	not := map[string]bool{}
	for _, c := range table() {
		if c.arity != 1 {
			continue
		}
		if !c.elementwise {
			not[c.name] = true
		}
		partners[c.name] = c.partner
	}
	var names []string
	for name := range partners {
		if not[name] {
			delete(partners, name)
		} else {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, partners
})

// clone returns a deep copy of e: a shared draw is a tree of its own, which
// the shrinker cuts apart from the original.
func (e *expr) clone() *expr {
	c := *e
	c.args = make([]*expr, len(e.args))
	for i, a := range e.args {
		c.args[i] = a.clone()
	}
	return &c
}

func num(v string) *expr { return &expr{kind: "num", name: v, shape: scalarShape} }

// along returns name(A, k) of shape s, a reduction along dimension k: k =
// 1 sums down each column of an r×c A to a 1×c row, k = 2 along each row
// to an r-vector; nil when s is a matrix. One time in six the reduced
// dimension is 1: sum(x', 1) is x', sum(x, 1) is sum(x), sum(s, 2) is s.
func (g *Generator) along(name string, s shape, d int) *expr {
	var ks []string
	if s.r == "1" {
		ks = append(ks, "1")
	}
	if s.c == "1" {
		ks = append(ks, "2")
	}
	if len(ks) == 0 {
		return nil
	}
	k := ks[g.r.IntN(len(ks))]
	reduced := g.dim()
	if g.r.IntN(6) == 0 {
		reduced = "1"
	}
	a := shape{reduced, s.c}
	if k == "2" {
		a = shape{s.r, reduced}
	}
	return &expr{kind: "call", name: name, args: []*expr{g.gen(a, d), num(k)}, shape: s}
}

// softmax returns softmax(A, k) of shape s, mostly along a vector's
// length: softmax(x, 2) of an n-vector is all ones, and so (drawn one
// time in four it could be) is softmax(s, k) of a scalar.
func (g *Generator) softmax(s shape, d int) *expr {
	if s.isScalar() && g.r.IntN(4) > 0 {
		return nil
	}
	k := []string{"1", "2"}[g.r.IntN(2)]
	if g.r.IntN(4) > 0 {
		switch {
		case s.isCol():
			k = "1"
		case s.isRow():
			k = "2"
		}
	}
	return &expr{kind: "call", name: "softmax", args: []*expr{g.gen(s, d), num(k)}, shape: s}
}

// expand returns M op v of the matrix shape s, v an r-vector repeated
// across M's columns or a 1×c row vector repeated across its rows, for
// op one of + - .* ./ and either operand first; nil when s is not a
// matrix.
func (g *Generator) expand(s shape, d int) *expr {
	if s.r == "1" || s.c == "1" {
		return nil
	}
	v := shape{s.r, "1"}
	if g.r.IntN(2) == 0 {
		v = shape{"1", s.c}
	}
	x, y := g.gen(s, d), g.gen(v, d)
	if g.r.IntN(2) == 0 {
		x, y = y, x
	}
	return bin([]string{"+", "-", ".*", "./"}[g.r.IntN(4)], x, y, s)
}

// matrixPower returns X ^ k of the square shape s for a literal k in
// 1..4, or nil when s is not square.
func (g *Generator) matrixPower(s shape, d int) *expr {
	if !s.square() {
		return nil
	}
	return bin("^", g.gen(s, d), num([]string{"1", "2", "3", "4"}[g.r.IntN(4)]), s)
}

// elementwise returns x op y for one of ops, of shape s: operands of
// shape s, a scalar broadcast on either side, or a fill beside an operand
// whose shape it takes.
func (g *Generator) elementwise(ops []string, s shape, d int) *expr {
	x, y := g.gen(s, d), g.gen(s, d)
	if !s.isScalar() && g.r.IntN(4) == 0 {
		y = g.gen(scalarShape, d)
		if g.r.IntN(2) == 0 {
			x, y = y, x
		}
	} else if !s.isScalar() && !s.isRow() && g.r.IntN(6) == 0 {
		y = g.fill(s)
	}
	return bin(ops[g.r.IntN(len(ops))], x, y, s)
}

func bin(op string, x, y *expr, s shape) *expr {
	return &expr{kind: "bin", name: op, args: []*expr{x, y}, shape: s}
}

// fill returns vector(v) or matrix(v) of shape s (its size comes from
// the other operand); beside a matrix, half the time vector(v), the column
// of s's rows that broadcasts across its columns.
func (g *Generator) fill(s shape) *expr {
	v := &expr{kind: "num", name: []string{"1", "0.5", "2"}[g.r.IntN(3)], shape: scalarShape}
	if s.isCol() {
		return &expr{kind: "fill", name: "vector", args: []*expr{v}, shape: s}
	}
	if g.r.IntN(2) == 0 {
		return &expr{kind: "fill", name: "vector", args: []*expr{v}, shape: shape{s.r, "1"}}
	}
	return &expr{kind: "fill", name: "matrix", args: []*expr{v}, shape: s}
}

// product returns a product of shape s: matrix·matrix, matrix·vector,
// inner and outer products, transposes on either side.
func (g *Generator) product(s shape, d int) *expr {
	k := g.dim()
	if g.r.IntN(5) == 0 {
		k = "1" // an outer product (or a scalar times a scalar)
	}
	if k == s.r && k == s.c && s.isScalar() {
		k = g.dim()
	}
	x, y := g.gen(shape{s.r, k}, d), g.gen(shape{k, s.c}, d)
	e := bin("*", x, y, s)
	if g.r.IntN(4) == 0 { // a chain of three
		k2 := g.dim()
		x2 := g.gen(shape{s.r, k2}, d-1)
		y2 := g.gen(shape{k2, s.c}, d-1)
		mid := g.gen(shape{k2, k2}, d-1)
		e = bin("*", bin("*", x2, mid, shape{s.r, k2}), y2, s)
	}
	g.drawn = append(g.drawn, e)
	return e
}

// call returns a call of a table function with result shape s, or nil.
func (g *Generator) call(s shape, d int) *expr {
	var fits []callable
	var shapes []shape
	for _, c := range table() {
		a, ok := argShape(c.arg, c.result, s, g.dim)
		if ok {
			fits = append(fits, c)
			shapes = append(shapes, a)
		}
	}
	if len(fits) == 0 {
		return nil
	}
	i := g.r.IntN(len(fits))
	c, a := fits[i], shapes[i]
	args := []*expr{g.gen(a, d)}
	if c.arity == 2 {
		args = append(args, g.gen(a, d))
	}
	e := &expr{kind: "call", name: c.name, args: args, shape: s}
	g.drawn = append(g.drawn, e)
	return e
}

// Mode is what a generated function asks for.
type Mode int

// The modes: a scalar F with its gradient, with hessian: true, a vector
// or matrix F with its Jacobian, and dᵏF/dtᵏ.
const (
	ModeGrad Mode = iota
	ModeHessian
	ModeJacobian
	ModeOrder
)

// Case draws one function named name.
func (g *Generator) Case(name string) *Case {
	g.inputs, g.lets, g.dims, g.drawn = nil, nil, nil, nil
	mode := []Mode{ModeGrad, ModeGrad, ModeGrad, ModeHessian, ModeHessian, ModeHessian, ModeJacobian, ModeJacobian, ModeOrder, ModeOrder}[g.r.IntN(10)]
	c := &Case{Name: name}
	if (mode == ModeGrad || mode == ModeHessian) && g.r.IntN(4) == 0 {
		g.rowLoss(c)
		c.Inputs, c.Hessian = g.inputs, mode == ModeHessian
		return c
	}
	var t *expr
	if mode == ModeOrder {
		t = g.newInput(scalarShape)
		g.inputs[len(g.inputs)-1].kind = "scalar" // order's t is a scalar, not a matrix(1, 1)
	}
	out := scalarShape
	if mode == ModeJacobian || (mode == ModeOrder && g.r.IntN(2) == 0) {
		out = g.outShape()
	}
	for i := g.r.IntN(3); i > 0 && g.r.IntN(2) == 0; i-- {
		s := g.anyShape()
		e := g.gen(s, g.MaxDepth-1)
		g.lets = append(g.lets, let{fmt.Sprintf("l%d", len(g.lets)+1), e})
	}
	c.Expr = g.gen(out, g.MaxDepth)
	if mode == ModeOrder {
		if !mentions(c, t.name) {
			f := []string{"sin", "exp", "tanh", "sqrt"}[g.r.IntN(4)]
			c.Expr = bin("*", &expr{kind: "call", name: f, args: []*expr{{kind: "num", name: "1", shape: scalarShape}}, shape: scalarShape}, c.Expr, out)
			c.Expr.args[0].args[0] = bin("+", t, &expr{kind: "num", name: "2", shape: scalarShape}, scalarShape)
		}
		c.Wrt, c.Order = []string{t.name}, 1+g.r.IntN(4)
	}
	if len(g.inputs) == 0 { // a constant expression: add an input to it
		a := g.newInput(out)
		c.Expr = bin("+", c.Expr, a, out)
	}
	c.Inputs, c.Lets = g.inputs, g.lets
	if mode != ModeOrder {
		c.Wrt = g.wrt(c, mode == ModeJacobian)
		if c.Wrt != nil && len(c.Wrt) == 0 { // only symmetric inputs: ask for the gradient of their sum instead
			c.Expr = &expr{kind: "call", name: "sum", args: []*expr{c.Expr}, shape: scalarShape}
			mode, c.Wrt = ModeGrad, nil
		}
	}
	c.Hessian = mode == ModeHessian
	return c
}

// mentions reports whether the case uses input name.
func mentions(c *Case, name string) bool {
	var walk func(e *expr) bool
	walk = func(e *expr) bool {
		if e.kind == "in" && e.name == name {
			return true
		}
		for _, a := range e.args {
			if walk(a) {
				return true
			}
		}
		return false
	}
	for _, l := range c.Lets {
		if walk(l.e) {
			return true
		}
	}
	return walk(c.Expr)
}

// wrt draws a nonempty subset of the inputs in random order (nil, the
// default of every input, one time in six). A Jacobian is not taken with
// respect to a symmetric input.
func (g *Generator) wrt(c *Case, jacobian bool) []string {
	var names []string
	for _, in := range c.Inputs {
		if jacobian && (in.kind == "symmetric" || in.kind == "spd") {
			continue
		}
		names = append(names, in.name)
	}
	if len(names) == len(c.Inputs) && g.r.IntN(6) == 0 {
		return nil
	}
	g.r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	if len(names) == 0 {
		return []string{}
	}
	return names[:1+g.r.IntN(len(names))]
}

func (g *Generator) outShape() shape {
	switch g.r.IntN(4) {
	case 0:
		return shape{g.dim(), "1"}
	case 1:
		return shape{"1", g.dim()}
	case 2:
		n := g.dim()
		return shape{n, n}
	}
	return shape{g.dim(), g.dim()}
}

func (g *Generator) anyShape() shape {
	if g.r.IntN(2) == 0 {
		return scalarShape
	}
	return g.outShape()
}

// rowLoss draws a data-heavy loss of the family FGrad runs over row panels
// of X in parts (emit/panels.go, runtime.Parts), which the draws of gen
// almost never hit: f = Σ sums (or means, maybe scaled) of row-local
// functions of u = X w — elementwise in u, in vectors of X's row count and
// in scalars — plus a regulariser of w, with respect to w alone.
func (g *Generator) rowLoss(c *Case) {
	n, d := g.dim(), g.dim()
	for n == d && len(g.dims) < len(dimNames) {
		d = g.dim()
	}
	x := g.newInput(shape{n, d})
	w := g.newInput(shape{d, "1"})
	col := shape{n, "1"}
	u := bin("*", x, w, col)
	names, _ := elementwiseFunctions()
	var local func(depth int) *expr
	local = func(depth int) *expr {
		if depth == 0 || g.r.IntN(4) == 0 {
			if g.r.IntN(3) > 0 {
				return u.clone()
			}
			return g.leaf(col)
		}
		switch g.r.IntN(5) {
		case 0, 1:
			return &expr{kind: "call", name: names[g.r.IntN(len(names))], args: []*expr{local(depth - 1)}, shape: col}
		case 2:
			return bin([]string{"+", "-", ".*", "./"}[g.r.IntN(4)], local(depth-1), local(depth-1), col)
		case 3:
			return &expr{kind: "neg", args: []*expr{local(depth - 1)}, shape: col}
		}
		return bin("*", g.leaf(scalarShape), local(depth-1), col)
	}
	var f *expr
	// One sum of a function of a row-local vector, mostly: a loss whose
	// gradient has two terms Xᵀ r (sum(X w) is one) runs unfused.
	for k := 1 + g.r.IntN(4)/3; k > 0; k-- {
		r := &expr{kind: "call", name: names[g.r.IntN(len(names))], args: []*expr{local(2)}, shape: col}
		t := &expr{kind: "call", name: []string{"sum", "sum", "mean"}[g.r.IntN(3)], args: []*expr{r}, shape: scalarShape}
		if g.r.IntN(3) == 0 {
			t = bin("*", g.leaf(scalarShape), t, scalarShape)
		}
		if f == nil {
			f = t
		} else {
			f = bin([]string{"+", "-"}[g.r.IntN(2)], f, t, scalarShape)
		}
	}
	switch g.r.IntN(4) {
	case 0: // λ/2 wᵀ w
		wtw := bin("*", &expr{kind: "t", args: []*expr{w.clone()}, shape: shape{"1", d}}, w.clone(), scalarShape)
		f = bin("+", f, bin("*", bin("/", g.leaf(scalarShape), num("2"), scalarShape), wtw, scalarShape), scalarShape)
	case 1: // an elementwise function of w, summed
		f = bin("+", f, &expr{kind: "call", name: "sum", args: []*expr{{kind: "call", name: names[g.r.IntN(len(names))], args: []*expr{w.clone()}, shape: w.shape}}, shape: scalarShape}, scalarShape)
	}
	c.Expr, c.Wrt = f, []string{w.name}
}
