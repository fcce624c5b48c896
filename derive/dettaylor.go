package derive

import (
	"math/big"
	"strconv"
)

// OpDetTaylor is dᵏ/dsᵏ det(X + s X') at s = 0 for its arguments X and
// X' (Node.Value holds k): det's k-th derivative along a straight path,
// one whose second derivative is zero, from its value X and direction X'
// (det's Taylor rule, for k ≥ 3). The textbook k-th derivative, det(X)
// times traces of products of X⁻¹ with X', loses about
// ε·|det X|·‖X⁻¹X'‖ᵏ to rounding: wherever X is singular, ill-conditioned
// or merely small against X' (d⁴/dt⁴ det(10⁻⁵ + t) came out 1, not 0).
// The generated code computes this operator without dividing by X
// (runtime.DetTaylor: the pencil X + s X' rotated into
// triangular-Hessenberg form), exactly 0 beyond degree n. Along a curved
// path the textbook rule stays: the pencil of a matrix polynomial of
// higher degree mixes its coefficients' rows, and lost every digit where
// X was 10⁸ times its derivatives (review 56). The operator appears only
// in Taylor mode, which never differentiates it (det's rule gives every
// order from X and X'), so it has no Tangent or Adjoint rule; the
// reference evaluates it in exact rational arithmetic.
var OpDetTaylor = new(Op)

func init() {
	define(OpDetTaylor, Op{Name: "dkdet", Kind: KindLinalg,
		Eval: func(e *Evaluator, n *Node, a []value) value {
			return scalarValue(exactDetTaylor(a[0], a[1], int(n.Value)))
		},
		Print: printDetTaylor,
	})
}

// DetTaylor returns dᵏ det(X(t))/dtᵏ for k ≥ 3 from deriv(x, i), the
// derivatives of X = x, when X moves along a straight line (X⁽²⁾ is zero):
// an OpDetTaylor node of X and X'; nil and false along a curved path, and
// nil and true (zero) where X does not move.
func (g *Graph) DetTaylor(x *Node, k int, deriv func(*Node, int) *Node) (*Node, bool) {
	if deriv(x, 2) != nil {
		return nil, false
	}
	d := deriv(x, 1)
	if d == nil {
		return nil, true
	}
	return g.intern(OpDetTaylor, ScalarShape, float64(k), "", false, deriv(x, 0), d), true
}

// printDetTaylor prints dᵏ/dsᵏ det(X + s X')|ₛ₌₀, with s a name that
// neither operand uses.
func printDetTaylor(p *printer, n *Node) (string, int) {
	s := &Node{Op: OpVar, Name: freshName("s", n.Args), Shape: ScalarShape}
	x, d := n.Args[0], n.Args[1]
	line := &Node{Op: OpAdd, Args: []*Node{x, {Op: OpScale, Args: []*Node{s, d}, Shape: d.Shape}}, Shape: x.Shape}
	path := p.call(OpDet.Name, OpDet.LaTeX, line)
	k := int(n.Value)
	if p.style == LaTeX {
		return `\left.\frac{\mathrm{d}^{` + strconv.Itoa(k) + `}}{\mathrm{d}` + s.Name + `^{` + strconv.Itoa(k) + `}}` + path + `\right|_{` + s.Name + `=0}`, precMul
	}
	sup := superscripts(k)
	return "d" + sup + "/d" + s.Name + sup + " " + path + "|" + s.Name + "=0", precMul
}

// freshName returns name, or name followed by enough underscores, so that
// no variable below the nodes has it.
func freshName(name string, nodes []*Node) string {
	used := map[string]bool{}
	seen := map[*Node]bool{}
	var walk func(n *Node)
	walk = func(n *Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		if n.Op == OpVar {
			used[n.Name] = true
		}
		for _, a := range n.Args {
			walk(a)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	for used[name] {
		name += "_"
	}
	return name
}

// exactDetTaylor is the reference value of OpDetTaylor: k! times the
// coefficient of sᵏ in det(x + s·d), in exact rational arithmetic from
// the float64 entries. det is linear in each column, so that coefficient
// is the sum, over the sets of k columns, of det(x with those columns
// taken from d).
func exactDetTaylor(x, d value, k int) float64 {
	n, _ := x.m.Dims()
	sum := new(big.Rat)
	fromD := make([]bool, n)
	var choose func(col, left int)
	choose = func(col, left int) {
		if left == 0 {
			m := make([][]*big.Rat, n)
			for r := range m {
				m[r] = make([]*big.Rat, n)
				for c := range m[r] {
					src := x
					if fromD[c] {
						src = d
					}
					m[r][c] = new(big.Rat).SetFloat64(src.m.At(r, c))
				}
			}
			sum.Add(sum, rationalDet(m))
			return
		}
		for c := col; c <= n-left; c++ {
			fromD[c] = true
			choose(c+1, left-1)
			fromD[c] = false
		}
	}
	if k <= n {
		choose(0, k)
	}
	for i := 2; i <= k; i++ {
		sum.Mul(sum, big.NewRat(int64(i), 1))
	}
	f, _ := sum.Float64()
	return f
}

// rationalDet is the determinant of the square m by Gaussian elimination
// over the rationals; m is destroyed.
func rationalDet(m [][]*big.Rat) *big.Rat {
	det := big.NewRat(1, 1)
	for c := range m {
		pivot := c
		for pivot < len(m) && m[pivot][c].Sign() == 0 {
			pivot++
		}
		if pivot == len(m) {
			return new(big.Rat)
		}
		if pivot != c {
			m[c], m[pivot] = m[pivot], m[c]
			det.Neg(det)
		}
		det.Mul(det, m[c][c])
		for r := c + 1; r < len(m); r++ {
			f := new(big.Rat).Quo(m[r][c], m[c][c])
			for j := c; j < len(m); j++ {
				m[r][j].Sub(m[r][j], new(big.Rat).Mul(f, m[c][j]))
			}
		}
	}
	return det
}
