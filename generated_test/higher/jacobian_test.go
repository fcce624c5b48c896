package higher

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// wrtVar is a variable a derivative is taken with respect to, flattened
// row-major: stored rows×cols (a vector is rows×1, a scalar 1×1), at base.
// sym marks a symmetric matrix variable, whose directions are symmetric.
type wrtVar struct {
	name       string
	rows, cols int
	vector     bool
	sym        bool
	base       []float64
}

func scalarVar(name string, t float64) wrtVar {
	return wrtVar{name: name, rows: 1, cols: 1, base: []float64{t}}
}

func vecVar(name string, v *mat.VecDense) wrtVar {
	return wrtVar{name: name, rows: v.Len(), cols: 1, vector: true, base: flat(v)}
}

func matVar(name string, a *mat.Dense) wrtVar {
	r, c := a.Dims()
	return wrtVar{name: name, rows: r, cols: c, base: flat(a)}
}

func symVar(name string, s *mat.SymDense) wrtVar {
	n := s.SymmetricDim()
	return wrtVar{name: name, rows: n, cols: n, sym: true, base: flat(s)}
}

func (w wrtVar) size() int { return w.rows * w.cols }

// layout is the p×q shape the block layout gives the variable: a vector
// counts as a row.
func (w wrtVar) layout() (p, q int) {
	if w.vector {
		return 1, w.rows
	}
	return w.rows, w.cols
}

// block is the block (k, l) of the layout that holds the derivative with
// respect to flat entry idx.
func (w wrtVar) block(idx int) (k, l int) {
	if w.vector {
		return 0, idx
	}
	return idx / w.cols, idx % w.cols
}

// direction is a random direction for w (symmetric for a symmetric w).
func (w wrtVar) direction(f *factory) []float64 {
	v := make([]float64, w.size())
	for i := range v {
		v[i] = f.normal()
	}
	if w.sym {
		symmetrize(v, w.rows)
	}
	return v
}

// symmetrize sets the row-major n×n a to (a + aᵀ)/2.
func symmetrize(a []float64, n int) {
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			m := (a[i*n+j] + a[j*n+i]) / 2
			a[i*n+j], a[j*n+i] = m, m
		}
	}
}

func bases(ws []wrtVar) [][]float64 {
	out := make([][]float64, len(ws))
	for i, w := range ws {
		out[i] = w.base
	}
	return out
}

// jacCase is a matrix- or vector-valued generated function F (fRows×fCols;
// a vector F is fRows×1) at a base point, as closures over its wrt
// variables: eval writes F at w, jvp the FJVP at the base in directions v,
// jacobian the FJacobian at the base into J (one per wrt variable).
type jacCase struct {
	fRows, fCols int
	wrt          []wrtVar
	eval         func(w [][]float64, y []float64)
	jvp          func(v [][]float64, y []float64)
	jacobian     func(J []*mat.Dense)
}

func (c jacCase) fSize() int { return c.fRows * c.fCols }

// newJacobians returns NaN-filled destinations of the block-layout shapes.
func (c jacCase) newJacobians() []*mat.Dense {
	js := make([]*mat.Dense, len(c.wrt))
	for i, w := range c.wrt {
		p, q := w.layout()
		js[i] = nanDense(p*c.fRows, q*c.fCols)
	}
	return js
}

// toBlock turns an ordinary Jacobian (row = F entry row-major, column = w
// entry row-major) into the block layout of w.
func (c jacCase) toBlock(w wrtVar, flatJ *mat.Dense) *mat.Dense {
	p, q := w.layout()
	out := nanDense(p*c.fRows, q*c.fCols)
	for idx := 0; idx < w.size(); idx++ {
		k, l := w.block(idx)
		for i := 0; i < c.fRows; i++ {
			for j := 0; j < c.fCols; j++ {
				out.Set(k*c.fRows+i, l*c.fCols+j, flatJ.At(i*c.fCols+j, idx))
			}
		}
	}
	return out
}

// unitJVP returns the JVP of c in direction e_idx of variable i, zero in the
// others.
func (c jacCase) unitJVP(i, idx int) []float64 {
	v := make([][]float64, len(c.wrt))
	for k, w := range c.wrt {
		v[k] = make([]float64, w.size())
	}
	v[i][idx] = 1
	y := make([]float64, c.fSize())
	c.jvp(v, y)
	return y
}

func dn(r, c int, data []float64) *mat.Dense { return mat.NewDense(r, c, data) }
func vn(data []float64) *mat.VecDense        { return mat.NewVecDense(len(data), data) }

// jacBuilders build a jacCase for every function with a JVP and Jacobian.
var jacBuilders = []struct {
	name  string
	build func(f *factory, set int) jacCase
}{
	{"Curve", func(f *factory, set int) jacCase {
		in := newCurveIn(f, set)
		n := in.n
		return jacCase{
			fRows: n, fCols: n, wrt: []wrtVar{scalarVar("t", in.t)},
			eval:     func(w [][]float64, y []float64) { Curve(w[0][0], in.A, in.B, dn(n, n, y)) },
			jvp:      func(v [][]float64, y []float64) { CurveJVP(in.t, in.A, in.B, v[0][0], dn(n, n, y)) },
			jacobian: func(J []*mat.Dense) { CurveJacobian(in.t, in.A, in.B, J[0]) },
		}
	}},
	{"Sandwich", func(f *factory, set int) jacCase {
		in := newSandwichIn(f, set)
		return jacCase{
			fRows: in.m, fCols: in.n, wrt: []wrtVar{matVar("X", in.X)},
			eval: func(w [][]float64, y []float64) { Sandwich(in.A, dn(in.p, in.q, w[0]), in.B, dn(in.m, in.n, y)) },
			jvp: func(v [][]float64, y []float64) {
				SandwichJVP(in.A, in.X, in.B, dn(in.p, in.q, v[0]), dn(in.m, in.n, y))
			},
			jacobian: func(J []*mat.Dense) { SandwichJacobian(in.A, in.X, in.B, J[0]) },
		}
	}},
	{"Affine", func(f *factory, set int) jacCase {
		in := newAffineIn(f, set)
		m, n := in.m, in.n
		return jacCase{
			fRows: m, fCols: 1, wrt: []wrtVar{matVar("A", in.A), vecVar("x", in.x), vecVar("b", in.b)},
			eval: func(w [][]float64, y []float64) { Affine(dn(m, n, w[0]), vn(w[1]), vn(w[2]), vn(y)) },
			jvp: func(v [][]float64, y []float64) {
				AffineJVP(in.A, in.x, in.b, dn(m, n, v[0]), vn(v[1]), vn(v[2]), vn(y))
			},
			jacobian: func(J []*mat.Dense) { AffineJacobian(in.A, in.x, in.b, J[0], J[1], J[2]) },
		}
	}},
	{"Outer", func(f *factory, set int) jacCase {
		in := newOuterIn(f, set)
		n := in.n
		return jacCase{
			fRows: n, fCols: n, wrt: []wrtVar{vecVar("x", in.x)},
			eval:     func(w [][]float64, y []float64) { Outer(vn(w[0]), dn(n, n, y)) },
			jvp:      func(v [][]float64, y []float64) { OuterJVP(in.x, vn(v[0]), dn(n, n, y)) },
			jacobian: func(J []*mat.Dense) { OuterJacobian(in.x, J[0]) },
		}
	}},
	{"ElemExp", func(f *factory, set int) jacCase {
		in := newElemExpIn(f, set)
		m, n := in.m, in.n
		return jacCase{
			fRows: m, fCols: n, wrt: []wrtVar{matVar("X", in.X)},
			eval:     func(w [][]float64, y []float64) { ElemExp(dn(m, n, w[0]), dn(m, n, y)) },
			jvp:      func(v [][]float64, y []float64) { ElemExpJVP(in.X, dn(m, n, v[0]), dn(m, n, y)) },
			jacobian: func(J []*mat.Dense) { ElemExpJacobian(in.X, J[0]) },
		}
	}},
	{"Inverse", func(f *factory, set int) jacCase {
		in := newInverseIn(f, set)
		n := in.n
		return jacCase{
			fRows: n, fCols: n, wrt: []wrtVar{matVar("X", in.X)},
			eval:     func(w [][]float64, y []float64) { Inverse(dn(n, n, w[0]), dn(n, n, y)) },
			jvp:      func(v [][]float64, y []float64) { InverseJVP(in.X, dn(n, n, v[0]), dn(n, n, y)) },
			jacobian: func(J []*mat.Dense) { InverseJacobian(in.X, J[0]) },
		}
	}},
	{"TraceScaled", func(f *factory, set int) jacCase {
		in := newTraceScaledIn(f, set)
		n, m, p := in.n, in.m, in.p
		return jacCase{
			fRows: m, fCols: p, wrt: []wrtVar{matVar("X", in.X)},
			eval:     func(w [][]float64, y []float64) { TraceScaled(dn(n, n, w[0]), in.A, dn(m, p, y)) },
			jvp:      func(v [][]float64, y []float64) { TraceScaledJVP(in.X, in.A, dn(n, n, v[0]), dn(m, p, y)) },
			jacobian: func(J []*mat.Dense) { TraceScaledJacobian(in.X, in.A, J[0]) },
		}
	}},
	{"Ray", func(f *factory, set int) jacCase {
		in := newRayIn(f, set)
		n := in.n
		return jacCase{
			fRows: n, fCols: 1, wrt: []wrtVar{scalarVar("t", in.t)},
			eval:     func(w [][]float64, y []float64) { Ray(w[0][0], in.x, in.d, vn(y)) },
			jvp:      func(v [][]float64, y []float64) { RayJVP(in.t, in.x, in.d, v[0][0], vn(y)) },
			jacobian: func(J []*mat.Dense) { RayJacobian(in.t, in.x, in.d, J[0]) },
		}
	}},
	{"InvPath", func(f *factory, set int) jacCase {
		in := newInvPathIn(f, set)
		n := in.n
		return jacCase{
			fRows: n, fCols: n, wrt: []wrtVar{scalarVar("t", in.t)},
			eval:     func(w [][]float64, y []float64) { InvPath(w[0][0], in.A, in.B, dn(n, n, y)) },
			jvp:      func(v [][]float64, y []float64) { InvPathJVP(in.t, in.A, in.B, v[0][0], dn(n, n, y)) },
			jacobian: func(J []*mat.Dense) { InvPathJacobian(in.t, in.A, in.B, J[0]) },
		}
	}},
	{"ProductPath", func(f *factory, set int) jacCase {
		in := newProductPathIn(f, set)
		m, n := in.m, in.n
		return jacCase{
			fRows: m, fCols: n, wrt: []wrtVar{scalarVar("t", in.t)},
			eval: func(w [][]float64, y []float64) { ProductPath(w[0][0], in.A, in.B, in.C, in.D, dn(m, n, y)) },
			jvp: func(v [][]float64, y []float64) {
				ProductPathJVP(in.t, in.A, in.B, in.C, in.D, v[0][0], dn(m, n, y))
			},
			jacobian: func(J []*mat.Dense) { ProductPathJacobian(in.t, in.A, in.B, in.C, in.D, J[0]) },
		}
	}},
	{"SandwichAll", func(f *factory, set int) jacCase {
		in := newSandwichIn(f, set)
		m, p, q, n := in.m, in.p, in.q, in.n
		return jacCase{
			fRows: m, fCols: n, wrt: []wrtVar{matVar("A", in.A), matVar("X", in.X), matVar("B", in.B)},
			eval: func(w [][]float64, y []float64) {
				SandwichAll(dn(m, p, w[0]), dn(p, q, w[1]), dn(q, n, w[2]), dn(m, n, y))
			},
			jvp: func(v [][]float64, y []float64) {
				SandwichAllJVP(in.A, in.X, in.B, dn(m, p, v[0]), dn(p, q, v[1]), dn(q, n, v[2]), dn(m, n, y))
			},
			jacobian: func(J []*mat.Dense) { SandwichAllJacobian(in.A, in.X, in.B, J[0], J[1], J[2]) },
		}
	}},
	// fusion legality
	{"FusionSubSum", func(f *factory, set int) jacCase {
		in := newFusionIn(f, set)
		n := in.n
		return jacCase{
			fRows: n, fCols: 1, wrt: []wrtVar{vecVar("x", in.x), vecVar("y", in.y)},
			eval:     func(w [][]float64, y []float64) { FusionSubSum(vn(w[0]), vn(w[1]), vn(y)) },
			jvp:      func(v [][]float64, y []float64) { FusionSubSumJVP(in.x, in.y, vn(v[0]), vn(v[1]), vn(y)) },
			jacobian: func(J []*mat.Dense) { FusionSubSumJacobian(in.x, in.y, J[0], J[1]) },
		}
	}},
}

// forEachJacCase runs check on every jacBuilder, shape set and random
// point, each a subtest with its own factory.
func forEachJacCase(t *testing.T, test string, check func(t *testing.T, c jacCase, f *factory)) {
	for _, b := range jacBuilders {
		for _, set := range shapeSets {
			for pt := 0; pt < pointsPerSet; pt++ {
				t.Run(fmt.Sprintf("%s/set%d/pt%d", b.name, set, pt), func(t *testing.T) {
					defer noPanic(t)
					f := newFactory(seedFor(test+"/"+b.name, set, pt), false)
					check(t, b.build(f, set), f)
				})
			}
		}
	}
}

// TestJVPAgainstCentralDifferences checks every FJVP, in random directions
// of all wrt variables at once (Σ DF[vᵢ]), against the central difference
// of F along that direction.
func TestJVPAgainstCentralDifferences(t *testing.T) {
	forEachJacCase(t, "jvp-fd", func(t *testing.T, c jacCase, f *factory) {
		v := make([][]float64, len(c.wrt))
		for i, w := range c.wrt {
			v[i] = w.direction(f)
		}
		got := make([]float64, c.fSize())
		c.jvp(v, got)
		want := centralDir(c.fSize(), fdStep, func(s float64, y []float64) {
			w := make([][]float64, len(c.wrt))
			for i, wv := range c.wrt {
				w[i] = axpy(wv.base, s, v[i])
			}
			c.eval(w, y)
		})
		checkClose(t, "JVP vs central difference of F", got, want, fdTol)
	})
}

// TestJacobianAgainstJVP checks every block of every FJacobian against the
// FJVP in the corresponding unit direction (an exact identity up to
// rounding), which pins down the block layout: block (k, l) is ∂F/∂w_kl,
// a vector w counting as a row.
func TestJacobianAgainstJVP(t *testing.T) {
	forEachJacCase(t, "jac-jvp", func(t *testing.T, c jacCase, f *factory) {
		js := c.newJacobians()
		c.jacobian(js)
		for i, w := range c.wrt {
			p, q := w.layout()
			want := nanDense(p*c.fRows, q*c.fCols)
			for idx := 0; idx < w.size(); idx++ {
				k, l := w.block(idx)
				y := c.unitJVP(i, idx)
				want.Slice(k*c.fRows, (k+1)*c.fRows, l*c.fCols, (l+1)*c.fCols).(*mat.Dense).
					Copy(dn(c.fRows, c.fCols, y))
			}
			checkClose(t, "J"+w.name+" vs unit JVPs", flat(js[i]), flat(want), exactTol)
		}
	})
}

// TestJacobianAgainstCentralDifferences checks every FJacobian against the
// central-difference Jacobian of F (fd.Jacobian over the flattened wrt
// variable), rearranged into the block layout.
func TestJacobianAgainstCentralDifferences(t *testing.T) {
	forEachJacCase(t, "jac-fd", func(t *testing.T, c jacCase, f *factory) {
		js := c.newJacobians()
		c.jacobian(js)
		for i, w := range c.wrt {
			step := fdStep
			if w.size() == 1 {
				step *= math.Max(1, math.Abs(w.base[0]))
			}
			flatJ := centralJac(c.fSize(), w.base, step, func(y, x []float64) {
				ws := bases(c.wrt)
				ws[i] = x
				c.eval(ws, y)
			})
			checkClose(t, "J"+w.name+" vs central differences", flat(js[i]), flat(c.toBlock(w, flatJ)), fdTol)
		}
	})
}
