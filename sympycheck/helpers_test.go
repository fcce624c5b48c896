package sympycheck

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Sizes of SymPy's symbolic dimensions at the test points: k for its k×k
// and k×1 matrices, j for the second dimension of the tall Z and X.
// TestSymPyFormulas sets them for each size it checks.
var k, j int

// point draws the inputs of one check.
type point struct{ rng *rand.Rand }

// mat draws an r×c matrix with entries in (0.1, 1): positive, so that the
// square roots and logarithms of SymPy's cases are defined.
func (p *point) mat(r, c int) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := range r {
		for j := range c {
			m.Set(i, j, 0.1+0.9*p.rng.Float64())
		}
	}
	return m
}

// sq draws an n×n matrix with off-diagonal entries in (0.1, 1)/n and
// diagonal entries in (1.5, 2.5): diagonally dominant with a positive
// diagonal, so invertible with a positive determinant of moderate size
// (det(X^5) stays finite at n = 40).
func (p *point) sq(n int) *mat.Dense {
	m := p.mat(n, n)
	m.Scale(1/float64(n), m)
	for i := range n {
		m.Set(i, i, 1.5+p.rng.Float64())
	}
	return m
}

// spd draws a symmetric positive definite n×n matrix.
func (p *point) spd(n int) *mat.SymDense {
	m := p.mat(n, n)
	s := mat.NewSymDense(n, nil)
	s.SymOuterK(1, m)
	for i := range n {
		s.SetSym(i, i, s.At(i, i)+1)
	}
	return s
}

// sym draws a symmetric n×n matrix.
func (p *point) sym(n int) *mat.SymDense {
	s := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			s.SetSym(i, j, 0.1+0.9*p.rng.Float64())
		}
	}
	return s
}

// vec draws a vector with entries in (0.1, 1).
func (p *point) vec(n int) *mat.VecDense {
	v := mat.NewVecDense(n, nil)
	for i := range n {
		v.SetVec(i, 0.1+0.9*p.rng.Float64())
	}
	return v
}

// scalar draws a number in (0.5, 1.5).
func (p *point) scalar() float64 { return 0.5 + p.rng.Float64() }

// mul is the product of its factors.
func mul(fs ...mat.Matrix) *mat.Dense {
	var acc mat.Dense
	acc.CloneFrom(fs[0])
	for _, f := range fs[1:] {
		var next mat.Dense
		next.Mul(&acc, f)
		acc = next
	}
	return &acc
}

// add is the sum of its terms.
func add(ts ...mat.Matrix) *mat.Dense {
	var acc mat.Dense
	acc.CloneFrom(ts[0])
	for _, t := range ts[1:] {
		acc.Add(&acc, t)
	}
	return &acc
}

// sub is a − b.
func sub(a, b mat.Matrix) *mat.Dense {
	var d mat.Dense
	d.Sub(a, b)
	return &d
}

// scale is s·m.
func scale(s float64, m mat.Matrix) *mat.Dense {
	var d mat.Dense
	d.Scale(s, m)
	return &d
}

// inv is the inverse of m.
func inv(m mat.Matrix) *mat.Dense {
	var d mat.Dense
	if err := d.Inverse(m); err != nil {
		panic(err)
	}
	return &d
}

// tr is the trace of m.
func tr(m mat.Matrix) float64 { return mat.Trace(m) }

// det is the determinant of m.
func det(m mat.Matrix) float64 { return mat.Det(m) }

// s1 is the one entry of a 1×1 matrix (SymPy's scalar-valued products).
func s1(m mat.Matrix) float64 {
	if r, c := m.Dims(); r != 1 || c != 1 {
		panic("s1 of a matrix that is not 1×1")
	}
	return m.At(0, 0)
}

// eye is the n×n identity.
func eye(n int) *mat.Dense {
	d := mat.NewDense(n, n, nil)
	for i := range n {
		d.Set(i, i, 1)
	}
	return d
}

// zeros is the r×c zero matrix.
func zeros(r, c int) *mat.Dense { return mat.NewDense(r, c, nil) }

// ones is the vector of n ones.
func ones(n int) *mat.Dense {
	d := mat.NewDense(n, 1, nil)
	for i := range n {
		d.Set(i, 0, 1)
	}
	return d
}

// had is the Hadamard (entrywise) product of its factors.
func had(fs ...mat.Matrix) *mat.Dense {
	var acc mat.Dense
	acc.CloneFrom(fs[0])
	for _, f := range fs[1:] {
		acc.MulElem(&acc, f)
	}
	return &acc
}

// apply is f applied to every entry of m (SymPy's applyfunc).
func apply(f func(float64) float64, m mat.Matrix) *mat.Dense {
	var d mat.Dense
	d.Apply(func(_, _ int, v float64) float64 { return f(v) }, m)
	return &d
}

// diagMat is SymPy's DiagMatrix(v): v on the diagonal.
func diagMat(v mat.Matrix) *mat.Dense {
	n, _ := v.Dims()
	d := mat.NewDense(n, n, nil)
	for i := range n {
		d.Set(i, i, v.At(i, 0))
	}
	return d
}

// num is a 1×1 matrix holding s, for scalar results.
func num(s float64) *mat.Dense { return mat.NewDense(1, 1, []float64{s}) }

// delta is Kronecker's delta.
func delta(a, b int) float64 {
	if a == b {
		return 1
	}
	return 0
}

// jacobian is gradgen's block layout (README, "The Jacobian layout") of
// the derivative of an fr×fc F with respect to a wr×wc w: entry
// (kk·fr + i, l·fc + jj) is ∂F_{i,jj}/∂w_{kk,l} = d(i, jj, kk, l). A vector
// w is a row (wr = 1), a vector F a column (fc = 1).
func jacobian(fr, fc, wr, wc int, d func(i, jj, kk, l int) float64) *mat.Dense {
	out := mat.NewDense(wr*fr, wc*fc, nil)
	for kk := range wr {
		for l := range wc {
			for i := range fr {
				for jj := range fc {
					out.Set(kk*fr+i, l*fc+jj, d(i, jj, kk, l))
				}
			}
		}
	}
	return out
}

// vecJacobian is the ordinary Jacobian of a vector F by a vector w from
// the matrix m, m_il = ∂F_i/∂w_l: the block layout's F-column, w-row case.
func vecJacobian(m mat.Matrix) *mat.Dense {
	r, c := m.Dims()
	return jacobian(r, 1, 1, c, func(i, _, _, l int) float64 { return m.At(i, l) })
}

// maxAbs is the largest magnitude of an entry of m.
func maxAbs(m mat.Matrix) float64 {
	r, c := m.Dims()
	var s float64
	for i := range r {
		for j := range c {
			s = math.Max(s, math.Abs(m.At(i, j)))
		}
	}
	return s
}
