package derive

import (
	"fmt"
	"math"
	"strings"

	"github.com/gradgen/gradgen/spec"
)

// Function is one spec function lowered to the IR and differentiated.
type Function struct {
	Spec   *spec.Function
	Graph  *Graph
	Inputs []*Input // spec order
	Value  *Node    // f
	Wrt    []*Input // wrt order
	Grads  []*Node  // ∂f/∂Wrt[i]; nil is a zero gradient
	// Names maps let intermediates to their names, for printing and for
	// naming generated locals.
	Names map[*Node]string
	Dims  []Dim // the named dimensions, in order of first appearance

	// Derivs holds dᵏf/dtᵏ, k = 1 … order, when wrt is one scalar t; nil
	// entries are zero.
	Derivs []*Node
	// For a vector- or matrix-valued f: JVPDirs are the direction inputs
	// dW of the JVP, one per wrt, JVP is Σ Df[dWᵢ], and Jacobians the
	// derivative with respect to each wrt.
	JVPDirs   []*Input
	JVP       *Node
	Jacobians []*Jacobian
	// With hessian: HessDirs are the direction inputs v of the
	// Hessian-vector product, one per wrt, and HessVec[i] the derivative
	// of Grads[i] in those directions. DenseHessian reports that every wrt
	// is a scalar or vector, so FHessian exists; HessBlocks are its blocks
	// and HessStructured whether all were read off their structure.
	HessDirs       []*Input
	HessVec        []*Node
	DenseHessian   bool
	HessBlocks     []*HessBlock
	HessStructured bool
}

// Input is a function input.
type Input struct {
	Name  string
	Kind  spec.TypeKind
	Shape Shape
	Node  *Node
	Pos   spec.Pos
}

// Build lowers and differentiates every function of file. The error is a
// *spec.Error naming the place.
func Build(file *spec.File) ([]*Function, error) {
	var out []*Function
	for _, sf := range file.Functions {
		f, err := buildFunction(sf)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

type builder struct {
	g     *Graph
	env   map[string]*Node
	dims  map[string]bool
	names []string // every identifier in scope, for suggestions
	lets  []*spec.Let
}

func buildFunction(sf *spec.Function) (f *Function, err error) {
	defer func() {
		if r := recover(); r != nil {
			big, ok := r.(tooLarge)
			if !ok {
				panic(r)
			}
			f, err = nil, spec.Errorf(sf.NamePos, "expression too large after differentiation: %d nodes, limit %d", big.nodes, maxNodes)
		}
	}()
	b := &builder{g: NewGraph(), env: map[string]*Node{}, dims: map[string]bool{}, lets: sf.Lets}
	b.g.limit = maxNodes
	defer func() { b.g.limit = 0 }()
	f = &Function{Spec: sf, Graph: b.g, Names: map[*Node]string{}}
	byName := map[string]*Input{}
	for _, in := range sf.Inputs {
		shape, dims := inputShape(in.Type)
		for _, d := range dims {
			if d.Name != "" && !b.dims[d.Name] {
				b.dims[d.Name] = true
				f.Dims = append(f.Dims, Dim{Name: d.Name})
			}
		}
		sym := in.Type.Kind == spec.Symmetric || in.Type.Kind == spec.SPD
		n := b.g.Var(in.Name, shape, sym)
		input := &Input{Name: in.Name, Kind: in.Type.Kind, Shape: shape, Node: n, Pos: in.Pos}
		f.Inputs = append(f.Inputs, input)
		byName[in.Name] = input
		b.env[in.Name] = n
		b.names = append(b.names, in.Name)
	}
	for _, let := range sf.Lets {
		if spellings[let.Name] != nil {
			return nil, spec.Errorf(let.Pos, "let %q shadows the built-in function %s", let.Name, let.Name)
		}
		if b.dims[let.Name] {
			return nil, spec.Errorf(let.Pos, "let %q has the name of a dimension", let.Name)
		}
		n, err := b.expr(let.Expr, nil)
		if err != nil {
			return nil, err
		}
		b.env[let.Name] = n
		b.names = append(b.names, let.Name)
		if _, named := f.Names[n]; !named && n.Op != OpVar && n.Op != OpConst {
			f.Names[n] = let.Name
		}
	}
	v, err := b.expr(sf.Expr, nil)
	if err != nil {
		return nil, err
	}
	f.Value = v
	var wrt []*Node
	for _, w := range sf.Wrt {
		in := byName[w.Name]
		if in == nil {
			return nil, spec.Errorf(w.At, "wrt: unknown input %q", w.Name)
		}
		f.Wrt = append(f.Wrt, in)
		wrt = append(wrt, in.Node)
	}
	if v.Shape.IsScalar() {
		f.Grads = b.g.Grad(v, wrt)
	}
	if err := f.buildHigher(sf); err != nil {
		return nil, err
	}
	return f, nil
}

func inputShape(t spec.Type) (Shape, []spec.Dim) {
	dim := func(d spec.Dim) Dim { return Dim{Name: d.Name, Size: d.Size} }
	switch t.Kind {
	case spec.Vector:
		return Col(dim(t.Dims[0])), t.Dims
	case spec.Matrix:
		return Shape{dim(t.Dims[0]), dim(t.Dims[1])}, t.Dims
	case spec.Symmetric, spec.SPD:
		return Square(dim(t.Dims[0])), t.Dims
	}
	return ScalarShape, nil
}

// hint is the shape a constant vector(c) or matrix(c) takes from where it
// is used; a dimension is known when its flag is set.
type hint struct {
	shape            Shape
	hasRows, hasCols bool
}

func (h *hint) t() *hint {
	if h == nil {
		return nil
	}
	return &hint{h.shape.T(), h.hasCols, h.hasRows}
}

// rows returns the part of h a left factor of a product can use: the
// product's rows are its rows (when it is not a scalar).
func (h *hint) rows() *hint {
	if h == nil || !h.hasRows {
		return nil
	}
	return &hint{shape: Shape{Rows: h.shape.Rows}, hasRows: true}
}

// cols returns the part of h a right factor of a product can use.
func (h *hint) cols() *hint {
	if h == nil || !h.hasCols {
		return nil
	}
	return &hint{shape: Shape{Cols: h.shape.Cols}, hasCols: true}
}

// leftFactor returns the hint of the left factor of x * y, where y has
// shape s and h is the product's hint.
func leftFactor(s Shape, h *hint) *hint {
	if s.IsScalar() {
		return h
	}
	l := h.rows()
	if l == nil {
		l = &hint{}
	}
	l.shape.Cols, l.hasCols = s.Rows, true
	return l
}

// rightFactor returns the hint of the right factor of x * y, where x has
// shape s and h is the product's hint.
func rightFactor(s Shape, h *hint) *hint {
	if s.IsScalar() {
		return h
	}
	r := h.cols()
	if r == nil {
		r = &hint{}
	}
	r.shape.Rows, r.hasRows = s.Cols, true
	return r
}

func (b *builder) expr(e spec.Expr, h *hint) (*Node, error) {
	switch e := e.(type) {
	case *spec.Number:
		return b.g.Const(e.Value), nil
	case *spec.Paren:
		return b.expr(e.X, h)
	case *spec.Ident:
		return b.ident(e)
	case *spec.Unary:
		x, err := b.expr(e.X, h)
		if err != nil {
			return nil, err
		}
		return b.orZero(b.g.Neg(x), x.Shape), nil
	case *spec.Transpose:
		x, err := b.expr(e.X, h.t())
		if err != nil {
			return nil, err
		}
		return b.g.T(x), nil
	case *spec.Binary:
		return b.binary(e, h)
	case *spec.Call:
		n, err := b.call(e, h)
		if err == nil && n == nil { // a scalar-valued call of a zero, dot(0 * a, b)
			n = b.g.Const(0)
		}
		return n, err
	}
	return nil, spec.Errorf(e.Pos(), "unsupported expression")
}

// orZero returns n, or the zero of shape when the simplifier has reduced n
// to zero (nil): the spec's own expressions keep their shapes, so later
// shape checks still see them.
func (b *builder) orZero(n *Node, shape Shape) *Node {
	if n != nil {
		return n
	}
	return b.g.Broadcast(b.g.Const(0), shape)
}

func (b *builder) ident(e *spec.Ident) (*Node, error) {
	if n, ok := b.env[e.Name]; ok {
		return n, nil
	}
	if b.dims[e.Name] {
		return nil, spec.Errorf(e.At, "dimension %s can only be used as the argument of eye", e.Name)
	}
	if spellings[e.Name] != nil {
		return nil, spec.Errorf(e.At, "function %s needs arguments: %s(…)", e.Name, e.Name)
	}
	for _, let := range b.lets {
		if let.Name == e.Name {
			return nil, spec.Errorf(e.At, "undefined: %s (the let %s is defined later, at %d:%d; a let may use only inputs and earlier lets)",
				e.Name, e.Name, let.Pos.Line, let.Pos.Col)
		}
	}
	if s := spec.Suggest(e.Name, b.names); s != "" {
		return nil, spec.Errorf(e.At, "undefined: %s (did you mean %q?)", e.Name, s)
	}
	return nil, spec.Errorf(e.At, "undefined: %s", e.Name)
}

// open reports whether e's shape comes from where it is used: a constant
// vector(c) or matrix(c), and what takes its shape from one (s * vector(1),
// vector(1) * b', exp(vector(0))), but not b * c' + vector(1) * c', whose
// shape is that of b * c'. The builder builds the operand that is not open
// first, so an open one can take its shape from it.
func (b *builder) open(e spec.Expr) bool {
	_, known := b.staticShape(e)
	return !known
}

// staticShape returns e's shape as far as its operands tell it, without
// building e, and whether they do. An ill-shaped e reports some shape;
// building it reports the error.
func (b *builder) staticShape(e spec.Expr) (Shape, bool) {
	switch e := e.(type) {
	case *spec.Ident:
		if n, ok := b.env[e.Name]; ok {
			return n.Shape, true
		}
	case *spec.Paren:
		return b.staticShape(e.X)
	case *spec.Unary:
		return b.staticShape(e.X)
	case *spec.Transpose:
		s, ok := b.staticShape(e.X)
		return s.T(), ok
	case *spec.Binary:
		return b.binaryShape(e)
	case *spec.Call:
		return b.callShape(e)
	}
	return ScalarShape, true
}

// binaryShape is staticShape for operators: products, elementwise
// operators with broadcasting, and those whose left operand gives the
// shape (/, ^, .^).
func (b *builder) binaryShape(e *spec.Binary) (Shape, bool) {
	x, xKnown := b.staticShape(e.X)
	switch e.Op {
	case spec.QUO, spec.POW, spec.EPOW:
		return x, xKnown
	}
	y, yKnown := b.staticShape(e.Y)
	if e.Op == spec.MUL {
		switch {
		case xKnown && x.IsScalar():
			return y, yKnown
		case yKnown && y.IsScalar():
			return x, xKnown
		}
		return Shape{x.Rows, y.Cols}, xKnown && yKnown
	}
	// Elementwise: the operand that is not a scalar gives the shape, the
	// matrix beside a vector it expands.
	switch {
	case xKnown && yKnown && Expands(x, y):
		return y, true
	case xKnown && !x.IsScalar():
		return x, true
	case yKnown && !y.IsScalar():
		return y, true
	}
	return ScalarShape, xKnown && yKnown
}

// callShape is staticShape for calls, by the function's shape rule.
func (b *builder) callShape(c *spec.Call) (Shape, bool) {
	fn := spellings[c.Fun.Name]
	if fn == nil {
		return ScalarShape, true
	}
	if fn.along != nil && len(c.Args) == fn.arity+1 {
		s, known := b.staticShape(c.Args[0])
		if dim, err := dimension(c); err == nil && !s.IsScalar() {
			return fn.alongShape(s, dim), known
		}
		return s, known
	}
	if len(c.Args) != fn.arity {
		return ScalarShape, true
	}
	return fn.shape(b, c)
}

// operands builds x and y of an elementwise operator, the one that is not
// open first: an open operand takes the other's shape, or, beside a
// scalar, the shape the whole takes from where it is used (h).
func (b *builder) operands(e *spec.Binary, h *hint) (x, y *Node, err error) {
	first, second := e.X, e.Y
	swapped := b.open(e.X) && !b.open(e.Y)
	if swapped {
		first, second = second, first
	}
	one, err := b.expr(first, h)
	if err != nil {
		return nil, nil, err
	}
	other, err := b.expr(second, besideOperand(one.Shape, h))
	if err != nil {
		return nil, nil, err
	}
	if swapped {
		return other, one, nil
	}
	return one, other, nil
}

// besideOperand returns the hint of an elementwise operand whose partner
// has shape s: s itself, or h when the partner is a scalar, which
// broadcasts, and s when h tells nothing either: a fill beside a 1×1
// partner (a scalar, a vector(1)) is then the scalar c.
func besideOperand(s Shape, h *hint) *hint {
	if s.IsScalar() && h != nil && (h.hasRows || h.hasCols) {
		return h
	}
	return known(s)
}

func known(s Shape) *hint { return &hint{s, true, true} }

func (b *builder) binary(e *spec.Binary, h *hint) (*Node, error) {
	switch e.Op {
	case spec.ADD, spec.SUB, spec.EMUL, spec.EQUO:
		x, y, err := b.operands(e, h)
		if err != nil {
			return nil, err
		}
		// A scalar broadcasts; a vector or row vector beside a matrix is
		// repeated across it (implicit expansion).
		switch {
		case x.Shape.IsScalar() || Expands(x.Shape, y.Shape):
			x = b.g.Expand(x, y.Shape)
		case y.Shape.IsScalar() || Expands(y.Shape, x.Shape):
			y = b.g.Expand(y, x.Shape)
		}
		if x.Shape != y.Shape {
			return nil, spec.Errorf(e.OpPos, "mismatched shapes for %s: %s and %s%s", e.Op, x.Shape, y.Shape, expansionHint(x.Shape, y.Shape))
		}
		switch e.Op {
		case spec.ADD:
			return b.orZero(b.g.Add(x, y), x.Shape), nil
		case spec.SUB:
			return b.orZero(b.g.Sub(x, y), x.Shape), nil
		case spec.EMUL:
			return b.orZero(b.g.Hadamard(x, y), x.Shape), nil
		}
		return b.orZero(b.g.Div(x, y), x.Shape), nil
	case spec.MUL:
		return b.product(e, h)
	case spec.QUO:
		x, err := b.expr(e.X, h)
		if err != nil {
			return nil, err
		}
		y, err := b.expr(e.Y, known(ScalarShape))
		if err != nil {
			return nil, err
		}
		if !y.Shape.IsScalar() {
			return nil, spec.Errorf(e.OpPos, "/ divides by a scalar, not by %s (use ./ for elementwise division)", y.Shape)
		}
		return b.orZero(b.g.Div(x, b.g.Broadcast(y, x.Shape)), x.Shape), nil
	case spec.POW, spec.EPOW:
		x, err := b.expr(e.X, h)
		if err != nil {
			return nil, err
		}
		if e.Op == spec.POW && !x.Shape.IsScalar() {
			return b.matrixPower(e, x)
		}
		p, err := b.expr(e.Y, known(ScalarShape))
		if err != nil {
			return nil, err
		}
		if !p.Shape.IsScalar() {
			return nil, spec.Errorf(e.OpPos, "the exponent of %s must be a scalar, not %s", e.Op, p.Shape)
		}
		return b.orZero(b.g.Pow(x, p), x.Shape), nil
	}
	return nil, spec.Errorf(e.OpPos, "unsupported operator %s", e.Op)
}

// expansionHint explains, for operands of shapes x and y that neither
// match nor expand, what implicit expansion would need; "" when neither is
// a vector beside a matrix.
func expansionHint(x, y Shape) string {
	if x.IsMatrix() {
		x, y = y, x
	}
	switch {
	case x.IsVector() && y.IsVector() && x.IsCol() != y.IsCol():
		return " (only a matrix expands a vector or row vector beside it; a vector beside a row vector is not expanded)"
	case !y.IsMatrix():
		return ""
	case x.IsCol():
		return fmt.Sprintf(" (a vector beside a matrix is repeated across its columns, so it needs the matrix's %s rows)", y.Rows)
	case x.IsRow():
		return fmt.Sprintf(" (a row vector beside a matrix is repeated down its rows, so it needs the matrix's %s columns)", y.Cols)
	}
	return ""
}

// matrixPower builds X ^ k for a square matrix X and a positive integer
// literal k: the product X X … X.
func (b *builder) matrixPower(e *spec.Binary, x *Node) (*Node, error) {
	if !x.Shape.IsMatrix() || !x.Shape.IsSquare() {
		return nil, spec.Errorf(e.OpPos, "^ raises scalars and square matrices, not %s (use .^ for an elementwise power)", x.Shape)
	}
	n, ok := number(e.Y)
	if !ok {
		return nil, spec.Errorf(e.Y.Pos(), "a matrix power X ^ k needs a positive integer literal k (use .^ for an elementwise power, inv(X) for the inverse)")
	}
	if n.Value != math.Trunc(n.Value) || n.Value < 1 || n.Value > maxMatrixPower {
		return nil, spec.Errorf(n.At, "a matrix power X ^ k needs a positive integer k up to %d, not %s (use .^ for an elementwise power)", maxMatrixPower, n.Text)
	}
	return b.orZero(b.g.MatPow(x, int(n.Value)), x.Shape), nil
}

// maxMatrixPower bounds k in X ^ k, whose product chain has k factors.
const maxMatrixPower = 64

// product builds x * y, the factor that is not open first. A scalar
// factor leaves the other with the product's own shape (h); a matrix
// factor gives the other its inner dimension, and the outer one comes
// from h: in X * W + vector(1) * b' the fill has X * W's rows.
func (b *builder) product(e *spec.Binary, h *hint) (*Node, error) {
	var x, y *Node
	var err error
	if b.open(e.X) && !b.open(e.Y) {
		if y, err = b.expr(e.Y, h.cols()); err != nil {
			return nil, err
		}
		if x, err = b.expr(e.X, leftFactor(y.Shape, h)); err != nil {
			return nil, err
		}
	} else {
		if x, err = b.expr(e.X, h.rows()); err != nil {
			return nil, err
		}
		if y, err = b.expr(e.Y, rightFactor(x.Shape, h)); err != nil {
			return nil, err
		}
	}
	if y.Shape.IsScalar() {
		return b.orZero(b.g.Scale(y, x), x.Shape), nil
	}
	if x.Shape.IsScalar() {
		return b.orZero(b.g.Scale(x, y), y.Shape), nil
	}
	if x.Shape.Cols != y.Shape.Rows {
		return nil, spec.Errorf(e.OpPos, "cannot multiply %s by %s: inner dimensions %s and %s differ%s",
			x.Shape, y.Shape, x.Shape.Cols, y.Shape.Rows, productHint(e, x.Shape, y.Shape))
	}
	return b.orZero(b.g.Mul(x, y), Shape{x.Shape.Rows, y.Shape.Cols}), nil
}

// productHint returns, for a product e = X * Y whose inner dimensions
// differ, the products of the same factors that are defined, as a
// suggestion ("; did you mean …?"), or "" when there is none: X' * Y when
// X and Y have as many rows, X * Y' when they have as many columns, X .* Y
// when they have one shape. For two column vectors these are the inner,
// outer and entrywise products, and are named so.
func productHint(e *spec.Binary, x, y Shape) string {
	vectors := x.IsCol() && y.IsCol()
	var options []string
	option := func(text, vectorName string) {
		if vectors {
			text += " (" + vectorName + ")"
		}
		options = append(options, text)
	}
	if x.Rows == y.Rows {
		option(operandText(e.X, true)+" * "+operandText(e.Y, false), "inner product")
	}
	if x == y {
		option(operandText(e.X, false)+" .* "+operandText(e.Y, false), "entrywise")
	}
	if x.Cols == y.Cols {
		option(operandText(e.X, false)+" * "+operandText(e.Y, true), "outer product")
	}
	switch len(options) {
	case 0:
		return ""
	case 1:
		return "; did you mean " + options[0] + "?"
	}
	return "; did you mean " + strings.Join(options[:len(options)-1], ", ") + " or " + options[len(options)-1] + "?"
}

// operandText returns a factor of a product as a suggestion spells it,
// transposed when transpose is set: an input or let by its name (x, x'),
// a transposed one likewise (x', x), anything else as (…).
func operandText(e spec.Expr, transpose bool) string {
	if t, ok := e.(*spec.Transpose); ok {
		if id, ok := t.X.(*spec.Ident); ok {
			if transpose {
				return id.Name
			}
			return id.Name + "'"
		}
	}
	text := "(…)"
	if id, ok := e.(*spec.Ident); ok {
		text = id.Name
	}
	if transpose {
		text += "'"
	}
	return text
}

func (b *builder) call(c *spec.Call, h *hint) (*Node, error) {
	name := c.Fun.Name
	fn := spellings[name]
	if fn == nil {
		if _, isVar := b.env[name]; isVar {
			return nil, spec.Errorf(c.Fun.At, "%s is not a function", name)
		}
		if s := spec.Suggest(name, FunctionNames()); s != "" {
			return nil, spec.Errorf(c.Fun.At, "unknown function %q (did you mean %q?)", name, s)
		}
		return nil, spec.Errorf(c.Fun.At, "unknown function %q", name)
	}
	if fn.along != nil && len(c.Args) == fn.arity+1 {
		return b.callAlong(fn, c)
	}
	if len(c.Args) != fn.arity {
		if fn.along != nil {
			return nil, spec.Errorf(c.Fun.At, "%s takes 1 or 2 arguments (%s(X) or %s(X, dim)), found %d", name, name, name, len(c.Args))
		}
		return nil, spec.Errorf(c.Fun.At, "%s takes %d argument%s, found %d", name, fn.arity, plural(fn.arity), len(c.Args))
	}
	if fn.leaf != nil {
		return fn.leaf(b, c, h)
	}
	var argHint *hint // an elementwise function's argument has its result's shape
	if fn.elementwise {
		argHint = h
	}
	// Arguments of one shape (dot): the one that is not open first, and
	// the other takes its shape.
	order := make([]int, len(c.Args))
	for i := range order {
		order[i] = i
	}
	if fn.sameShapeArgs && b.open(c.Args[0]) && !b.open(c.Args[1]) {
		order[0], order[1] = 1, 0
	}
	args := make([]*Node, len(c.Args))
	for _, i := range order {
		n, err := b.expr(c.Args[i], argHint)
		if err != nil {
			return nil, err
		}
		args[i] = n
		if fn.sameShapeArgs {
			argHint = known(n.Shape)
		}
	}
	return fn.build(b, c, args)
}

// callAlong builds a call f(X, dim) of a function along a dimension.
func (b *builder) callAlong(fn *spelling, c *spec.Call) (*Node, error) {
	dim, err := dimension(c)
	if err != nil {
		return nil, err
	}
	x, err := b.expr(c.Args[0], nil)
	if err != nil {
		return nil, err
	}
	return b.orZero(fn.along(b.g, x, dim), fn.alongShape(x.Shape, dim)), nil
}

// dimension returns the dimension of a call f(X, dim): the literal 1 (down
// each column) or 2 (along each row), as in MATLAB.
func dimension(c *spec.Call) (int, error) {
	arg := c.Args[len(c.Args)-1]
	if n, ok := number(arg); ok {
		if n.Value == 1 || n.Value == 2 {
			return int(n.Value), nil
		}
		return 0, spec.Errorf(arg.Pos(), "%s(…, %s): the dimension is 1 (down each column) or 2 (along each row), not %s",
			c.Fun.Name, n.Text, n.Text)
	}
	return 0, spec.Errorf(arg.Pos(), "the dimension of %s(…, dim) must be the literal 1 (down each column) or 2 (along each row)", c.Fun.Name)
}

// number returns the numeric literal e is, in parentheses or not, and
// whether it is one: a dimension or an exponent that must be written out.
func number(e spec.Expr) (*spec.Number, bool) {
	for {
		p, ok := e.(*spec.Paren)
		if !ok {
			break
		}
		e = p.X
	}
	n, ok := e.(*spec.Number)
	return n, ok
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (b *builder) eye(c *spec.Call) (*Node, error) {
	switch a := c.Args[0].(type) {
	case *spec.Ident:
		if b.dims[a.Name] {
			return b.g.Eye(Dim{Name: a.Name}), nil
		}
		return nil, spec.Errorf(a.At, "eye takes a dimension name or a positive integer; %s is not a dimension of this function", a.Name)
	case *spec.Number:
		if n := int(a.Value); float64(n) == a.Value && n > 0 {
			return b.g.Eye(Lit(n)), nil
		}
	}
	return nil, spec.Errorf(c.Args[0].Pos(), "eye takes a dimension name or a positive integer")
}

func (b *builder) fill(c *spec.Call, h *hint) (*Node, error) {
	v, err := b.expr(c.Args[0], known(ScalarShape))
	if err != nil {
		return nil, err
	}
	if !v.Shape.IsScalar() {
		return nil, spec.Errorf(c.Args[0].Pos(), "%s(c) takes a scalar c, not %s", c.Fun.Name, v.Shape)
	}
	// Beside a 1×1 operand (a scalar, a vector(1), a matrix(1, 1)) either
	// fill is 1×1 too: the scalar c, as any 1×1 value is a scalar.
	if h != nil && h.hasRows && h.hasCols && h.shape.IsScalar() {
		return v, nil
	}
	// vector(c) is a column as long as its operand's columns, beside a
	// vector or a matrix alike (beside an r×c matrix it broadcasts across
	// the columns, as an input vector(r) there does).
	if c.Fun.Name == "vector" {
		if h != nil && h.hasRows && !h.shape.Rows.IsOne() {
			return b.g.Broadcast(v, Col(h.shape.Rows)), nil
		}
		return nil, spec.Errorf(c.Fun.At, "cannot tell the length of vector(…) here; use it beside a vector or matrix of known shape")
	}
	// matrix(c) takes its operand's shape, a matrix's or a vector's.
	if h != nil && h.hasRows && h.hasCols {
		return b.g.Broadcast(v, h.shape), nil
	}
	return nil, spec.Errorf(c.Fun.At, "cannot tell the shape of matrix(…) here; use it beside a matrix of known shape")
}
