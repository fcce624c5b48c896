package derive

// Operations along one dimension of a matrix, and implicit expansion, in
// MATLAB's numbering: dimension 1 runs down each column (sum(X, 1) is a
// row vector, as x' is), dimension 2 along each row (sum(X, 2) is a
// vector). Sums along a dimension and expansions are products with a
// vector of ones, 1ᵀ X, X 1 and v 1ᵀ, so every derivative rule, Taylor
// rule and lowering of a product serves them; the log-sum-exp and softmax
// along rows are operators of their own (OpLogSumExpRows, OpSoftmaxRows),
// and along columns the same of Xᵀ.

// Ones returns the vector of n ones, vector(1); the scalar 1 when n is 1.
func (g *Graph) Ones(n Dim) *Node { return g.Broadcast(g.Const(1), Col(n)) }

// SumAlong returns sum(x, dim): for dim 1, 1ᵀ x, the sum down each column
// (a row vector); for dim 2, x 1, the sum along each row (a vector). A
// dimension of one entry sums to itself, and a vector summed along its
// length is sum(x).
func (g *Graph) SumAlong(x *Node, dim int) *Node {
	if x == nil {
		return nil
	}
	return g.alongRows(x, dim, func(x *Node) *Node { return x }, g.Sum,
		func(x *Node) *Node { return g.Mul(x, g.Ones(x.Shape.Cols)) })
}

// alongRows applies a function along dimension dim given its rules along
// rows: along dimension 1 it is the function of xᵀ along rows, transposed.
// Rows of one entry take oneEntry, a single row (a row vector) whole, and
// any other matrix rows.
func (g *Graph) alongRows(x *Node, dim int, oneEntry, whole, rows func(*Node) *Node) *Node {
	if dim == 1 {
		return g.T(g.alongRows(g.T(x), 2, oneEntry, whole, rows))
	}
	switch {
	case x.Shape.Cols.IsOne():
		return oneEntry(x)
	case x.Shape.Rows.IsOne():
		return whole(x)
	}
	return rows(x)
}

// Size returns the size of the dimension d as a scalar: a constant when d
// is a number, else an OpSize leaf, known when the function runs.
func (g *Graph) Size(d Dim) *Node {
	if d.Name == "" {
		return g.Const(float64(d.Size))
	}
	return g.intern(OpSize, ScalarShape, 0, d.Name, true)
}

// MeanAlong returns mean(x, dim), sum(x, dim) divided by the size of the
// dimension summed; dim 0 is mean(x), divided by the number of entries.
func (g *Graph) MeanAlong(x *Node, dim int) *Node {
	var sum, count *Node
	switch dim {
	case 0:
		sum, count = g.Sum(x), g.Scale(g.Size(x.Shape.Rows), g.Size(x.Shape.Cols))
	case 1:
		sum, count = g.SumAlong(x, 1), g.Size(x.Shape.Rows)
	default:
		sum, count = g.SumAlong(x, 2), g.Size(x.Shape.Cols)
	}
	if sum == nil {
		return nil
	}
	return g.Div(sum, g.Broadcast(count, sum.Shape))
}

// Expand returns x repeated to shape, MATLAB's and numpy's implicit
// expansion: a scalar broadcast, a vector (r×1) repeated across shape's
// columns, x 1ᵀ, a row vector (1×c) down its rows, 1 x. x's shape must
// be shape or one of these; the builder checks.
func (g *Graph) Expand(x *Node, shape Shape) *Node {
	switch {
	case x == nil || x.Shape == shape:
		return x
	case x.Shape.IsScalar():
		return g.Broadcast(x, shape)
	case x.Op == OpBroadcast: // a fill expands to a fill
		return g.Broadcast(x.Args[0], shape)
	case x.Shape.Cols.IsOne():
		return g.Mul(x, g.T(g.Ones(shape.Cols)))
	}
	return g.Mul(g.Ones(shape.Rows), x)
}

// Expands reports whether an operand of shape x is implicitly expanded
// beside one of shape to (see Expand): a vector beside a matrix of its
// rows, a row vector beside a matrix of its columns.
func Expands(x, to Shape) bool {
	if !to.IsMatrix() {
		return false
	}
	return x == Col(to.Rows) || x == (Shape{Lit(1), to.Cols})
}

// LogSumExpAlong returns logsumexp(x, dim): per row for dim 2, per column
// (logsumexp(xᵀ, 2)ᵀ) for dim 1. A row of one entry is that entry, and a
// vector along its length is logsumexp(x).
func (g *Graph) LogSumExpAlong(x *Node, dim int) *Node {
	return g.alongRows(x, dim, func(x *Node) *Node { return x },
		func(x *Node) *Node { return g.Unary(OpLogSumExp, x) },
		func(x *Node) *Node { return g.Unary(OpLogSumExpRows, x) })
}

// SoftmaxAlong returns softmax(x, dim), per row for dim 2, per column for
// dim 1, and softmax(x) over every entry for dim 0. A row of one entry
// has softmax 1.
func (g *Graph) SoftmaxAlong(x *Node, dim int) *Node {
	if dim == 0 {
		return g.Unary(OpSoftmax, x)
	}
	return g.alongRows(x, dim, func(x *Node) *Node { return g.Broadcast(g.Const(1), x.Shape) },
		func(x *Node) *Node { return g.Unary(OpSoftmax, x) },
		func(x *Node) *Node { return g.Unary(OpSoftmaxRows, x) })
}

// softmaxRowsRule returns S ⊙ (d − ((S ⊙ d) 1) 1ᵀ) for S = n =
// softmax(X, 2): softmax's tangent at d, and its adjoint at d.
func (g *Graph) softmaxRowsRule(n, d *Node) *Node {
	if d == nil {
		return nil
	}
	return g.Hadamard(n, g.Sub(d, g.Expand(g.SumAlong(g.Hadamard(n, d), 2), n.Shape)))
}

// MatPow returns the matrix power x^k, k ≥ 1, as the product x x … x, so
// the product rule gives d(X^k) = Σ_{i<k} X^i dX X^(k−1−i).
func (g *Graph) MatPow(x *Node, k int) *Node {
	fs := make([]*Node, k)
	for i := range fs {
		fs[i] = x
	}
	return g.Mul(fs...)
}
