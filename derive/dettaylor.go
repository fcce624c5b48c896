package derive

import (
	"math/big"
	"strconv"
)

// OpDetTaylor is dᵏ/dsᵏ det(P(s)) at s = 0 for the matrix polynomial
// P(s) = Σᵢ Xᵢ sⁱ/i! of its arguments X₀ … Xₚ (Node.Value holds k): det's
// k-th derivative along a path X(t), given X's derivatives Xᵢ = X⁽ⁱ⁾ at
// t, for k ≥ 3 (det's Taylor rule). The textbook k-th derivative, det(X)
// times traces of products of X⁻¹ with X's derivatives, loses about
// ε·|det X|·‖X⁻¹X'‖ᵏ to rounding: wherever X is singular, ill-conditioned
// or merely small against X' (d⁴/dt⁴ det(10⁻⁵ + t) came out 1, not 0).
// The generated code computes this operator without dividing by X
// (runtime.DetTaylor: a pencil of P, rotated into Hessenberg-triangular
// form), exactly 0 beyond P's degree. It appears only in Taylor mode,
// which never differentiates it (det's rule gives every order from X's
// derivatives), so it has no Tangent or Adjoint rule; the reference
// evaluates it in exact rational arithmetic.
var OpDetTaylor = new(Op)

func init() {
	define(OpDetTaylor, Op{Name: "dkdet", Kind: KindLinalg,
		Eval: func(e *Evaluator, n *Node, a []value) value {
			return scalarValue(exactDetTaylor(a, int(n.Value)))
		},
		Print: printDetTaylor,
	})
}

// DetTaylor returns dᵏ det(X(t))/dtᵏ from deriv(x, i), the derivatives of
// X = x: an OpDetTaylor node of X and its derivatives up to the first
// that is zero (then all later ones are: they are derivatives of it) or
// the k-th; nil (zero) when X does not move.
func (g *Graph) DetTaylor(x *Node, k int, deriv func(*Node, int) *Node) *Node {
	args := []*Node{deriv(x, 0)}
	for i := 1; i <= k; i++ {
		d := deriv(x, i)
		if d == nil {
			break
		}
		args = append(args, d)
	}
	if len(args) == 1 {
		return nil
	}
	return g.intern(OpDetTaylor, ScalarShape, float64(k), "", false, args...)
}

// printDetTaylor prints dᵏ/dsᵏ det(X₀ + s X₁ + s² X₂/2 + …)|ₛ₌₀, with s
// a name that none of the operands uses.
func printDetTaylor(p *printer, n *Node) (string, int) {
	s := &Node{Op: OpVar, Name: freshName("s", n.Args), Shape: ScalarShape}
	terms := []*Node{n.Args[0]}
	factorial := 1.0
	for i, x := range n.Args[1:] {
		power := s
		if i > 0 {
			factorial *= float64(i + 1)
			power = &Node{Op: OpDiv, Args: []*Node{
				{Op: OpPow, Args: []*Node{s, {Op: OpConst, Value: float64(i + 1), Shape: ScalarShape}}, Shape: ScalarShape},
				{Op: OpConst, Value: factorial, Shape: ScalarShape}}, Shape: ScalarShape}
		}
		terms = append(terms, &Node{Op: OpScale, Args: []*Node{power, x}, Shape: x.Shape})
	}
	path := p.call(OpDet.Name, OpDet.LaTeX, &Node{Op: OpAdd, Args: terms, Shape: n.Args[0].Shape})
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
// coefficient of sᵏ in det(Σᵢ xᵢ sⁱ/i!), in exact rational arithmetic
// from the float64 entries. det(P(s)) is a polynomial of degree at most
// p·n: it is evaluated at s = 0 … p·n by Gaussian elimination over the
// rationals, and its coefficient of sᵏ read off those values by Newton's
// divided differences.
func exactDetTaylor(x []value, k int) float64 {
	n, _ := x[0].m.Dims()
	degree := (len(x) - 1) * n
	if k > degree {
		return 0
	}
	at := make([]*big.Rat, degree+1)
	for pt := range at {
		m := make([][]*big.Rat, n)
		for r := range m {
			m[r] = make([]*big.Rat, n)
			for c := range m[r] {
				entry, power := new(big.Rat), big.NewRat(1, 1) // Σᵢ xᵢ ptⁱ/i!
				for i, xi := range x {
					if i > 0 {
						power.Mul(power, big.NewRat(int64(pt), int64(i)))
					}
					term := new(big.Rat).SetFloat64(xi.m.At(r, c))
					entry.Add(entry, term.Mul(term, power))
				}
				m[r][c] = entry
			}
		}
		at[pt] = rationalDet(m)
	}
	// Divided differences: at[i] becomes f[0, …, i], the coefficient of
	// the Newton basis polynomial Π_{j<i} (s − j).
	for j := 1; j <= degree; j++ {
		for i := degree; i >= j; i-- {
			at[i].Sub(at[i], at[i-1])
			at[i].Quo(at[i], big.NewRat(int64(j), 1))
		}
	}
	// Σᵢ at[i]·Π_{j<i} (s − j) in powers of s, the basis polynomial
	// kept as its coefficients.
	coef := make([]*big.Rat, degree+1)
	basis := make([]*big.Rat, degree+2)
	for i := range basis {
		basis[i] = new(big.Rat)
		if i < len(coef) {
			coef[i] = new(big.Rat)
		}
	}
	basis[0].SetInt64(1)
	for i := 0; i <= degree; i++ {
		for e := 0; e <= i; e++ {
			coef[e].Add(coef[e], new(big.Rat).Mul(at[i], basis[e]))
		}
		// basis ·= (s − i)
		for e := i + 1; e >= 0; e-- {
			v := new(big.Rat).Mul(basis[e], big.NewRat(-int64(i), 1))
			if e > 0 {
				v.Add(v, basis[e-1])
			}
			basis[e] = v
		}
	}
	out := coef[k]
	for i := 2; i <= k; i++ {
		out.Mul(out, big.NewRat(int64(i), 1))
	}
	f, _ := out.Float64()
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
