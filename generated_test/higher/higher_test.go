package higher

// The tests of the generated higher-order derivatives, by file:
//
//	higher_test.go    dᵏF/dtᵏ against central differences of order k−1, JVPs and Jacobians in t
//	jacobian_test.go  FJVP and FJacobian against central differences of F and unit JVPs
//	hessian_test.go   FGrad, FHessVec and FHessian against central differences of the order below; hand formulas
//	rules_test.go     the seed's rules (eqs. 3, 4, 5, 6, 13) and closed-form Jacobian blocks
//	problem_test.go   FProblem (Func, Grad, Hess) and FUnpack
//	contract_test.go  overwriting, zero allocations, concurrency, strided views, shape panics
//	inputs_test.go    the inputs of every function on every shape set, and the registry of all functions
//	helpers_test.go   operand factory, comparisons, finite-difference wrappers

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// derivChain is a function of one scalar t with its generated derivatives:
// chain[k](t, y) writes dᵏF/dtᵏ flattened into y; jvp and jacobian are the
// FJVP (direction dt) and FJacobian with respect to t.
type derivChain struct {
	size     int
	t        float64
	chain    []func(t float64, y []float64)
	jvp      func(dt float64, y []float64)
	jacobian func(y []float64)
}

var derivBuilders = []struct {
	name  string
	build func(f *factory, set int) derivChain
}{
	{"Curve", func(f *factory, set int) derivChain {
		in := newCurveIn(f, set)
		n := in.n
		wrap := func(g func(float64, *mat.Dense, *mat.Dense, *mat.Dense)) func(float64, []float64) {
			return func(t float64, y []float64) { g(t, in.A, in.B, dn(n, n, y)) }
		}
		return derivChain{
			size: n * n, t: in.t,
			chain:    []func(float64, []float64){wrap(Curve), wrap(CurveDeriv), wrap(CurveDeriv2), wrap(CurveDeriv3)},
			jvp:      func(dt float64, y []float64) { CurveJVP(in.t, in.A, in.B, dt, dn(n, n, y)) },
			jacobian: func(y []float64) { CurveJacobian(in.t, in.A, in.B, dn(n, n, y)) },
		}
	}},
	{"Ray", func(f *factory, set int) derivChain {
		in := newRayIn(f, set)
		wrap := func(g func(float64, *mat.VecDense, *mat.VecDense, *mat.VecDense)) func(float64, []float64) {
			return func(t float64, y []float64) { g(t, in.x, in.d, vn(y)) }
		}
		return derivChain{
			size: in.n, t: in.t,
			chain:    []func(float64, []float64){wrap(Ray), wrap(RayDeriv), wrap(RayDeriv2)},
			jvp:      func(dt float64, y []float64) { RayJVP(in.t, in.x, in.d, dt, vn(y)) },
			jacobian: func(y []float64) { RayJacobian(in.t, in.x, in.d, dn(in.n, 1, y)) },
		}
	}},
	{"InvPath", func(f *factory, set int) derivChain {
		in := newInvPathIn(f, set)
		n := in.n
		wrap := func(g func(float64, *mat.Dense, *mat.Dense, *mat.Dense)) func(float64, []float64) {
			return func(t float64, y []float64) { g(t, in.A, in.B, dn(n, n, y)) }
		}
		return derivChain{
			size: n * n, t: in.t,
			chain:    []func(float64, []float64){wrap(InvPath), wrap(InvPathDeriv), wrap(InvPathDeriv2)},
			jvp:      func(dt float64, y []float64) { InvPathJVP(in.t, in.A, in.B, dt, dn(n, n, y)) },
			jacobian: func(y []float64) { InvPathJacobian(in.t, in.A, in.B, dn(n, n, y)) },
		}
	}},
	{"ProductPath", func(f *factory, set int) derivChain {
		in := newProductPathIn(f, set)
		m, n := in.m, in.n
		wrap := func(g func(float64, *mat.Dense, *mat.Dense, *mat.Dense, *mat.Dense, *mat.Dense)) func(float64, []float64) {
			return func(t float64, y []float64) { g(t, in.A, in.B, in.C, in.D, dn(m, n, y)) }
		}
		return derivChain{
			size: m * n, t: in.t,
			chain: []func(float64, []float64){
				wrap(ProductPath), wrap(ProductPathDeriv), wrap(ProductPathDeriv2), wrap(ProductPathDeriv3),
			},
			jvp:      func(dt float64, y []float64) { ProductPathJVP(in.t, in.A, in.B, in.C, in.D, dt, dn(m, n, y)) },
			jacobian: func(y []float64) { ProductPathJacobian(in.t, in.A, in.B, in.C, in.D, dn(m, n, y)) },
		}
	}},
}

func (c derivChain) at(k int, t float64) []float64 {
	y := nanSlice(c.size)
	c.chain[k](t, y)
	return y
}

// TestDerivAgainstCentralDifferences checks FDeriv, FDeriv2, … of the
// matrix-valued Curve, InvPath and ProductPath and the vector-valued Ray
// each against the central difference in t of the next-lower order (FDeriv
// against F).
func TestDerivAgainstCentralDifferences(t *testing.T) {
	for _, b := range derivBuilders {
		for _, set := range shapeSets {
			for pt := 0; pt < pointsPerSet; pt++ {
				c := b.build(newFactory(seedFor("deriv-fd/"+b.name, set, pt), false), set)
				step := fdStep * math.Max(1, math.Abs(c.t))
				for k := 1; k < len(c.chain); k++ {
					want := centralDir(c.size, step, func(s float64, y []float64) { c.chain[k-1](c.t+s, y) })
					checkClose(t, fmt.Sprintf("%s set %d pt %d: order %d vs central difference of order %d", b.name, set, pt, k, k-1),
						c.at(k, c.t), want, fdTol)
				}
			}
		}
	}
}

// TestDerivMatchesJVPAndJacobian checks, for wrt one scalar t, that
// FJVP(dt) = dt·FDeriv and that FJacobian, (1·m)×(1·n), is dF/dt itself.
func TestDerivMatchesJVPAndJacobian(t *testing.T) {
	for _, b := range derivBuilders {
		for _, set := range shapeSets {
			for pt := 0; pt < pointsPerSet; pt++ {
				f := newFactory(seedFor("deriv-jvp/"+b.name, set, pt), false)
				c := b.build(f, set)
				d1 := c.at(1, c.t)
				dt := f.normal()
				got := nanSlice(c.size)
				c.jvp(dt, got)
				checkClose(t, fmt.Sprintf("%s set %d pt %d: JVP(dt) vs dt·Deriv", b.name, set, pt), got, scaled(dt, d1), roundTol)
				jac := nanSlice(c.size)
				c.jacobian(jac)
				checkClose(t, fmt.Sprintf("%s set %d pt %d: Jacobian vs Deriv", b.name, set, pt), jac, d1, roundTol)
			}
		}
	}
}

// scalarCurveChain returns ScalarCurve and its derivatives of order 1–4.
func scalarCurveChain(in scalarCurveIn) []func(float64) float64 {
	return []func(float64) float64{
		func(t float64) float64 { return ScalarCurve(t, in.a, in.A) },
		func(t float64) float64 { return ScalarCurveDeriv(t, in.a, in.A) },
		func(t float64) float64 { return ScalarCurveDeriv2(t, in.a, in.A) },
		func(t float64) float64 { return ScalarCurveDeriv3(t, in.a, in.A) },
		func(t float64) float64 { return ScalarCurveDeriv4(t, in.a, in.A) },
	}
}

// TestScalarCurveDerivs checks ScalarCurveDeriv … ScalarCurveDeriv4 (which
// return float64) each against fd.Derivative (central) of the next-lower
// order, against the hand formulas eᵗ q + (t³)⁽ᵏ⁾ with q = aᵀAa, and
// ScalarCurveGrad's ∂f/∂t against ScalarCurveDeriv.
func TestScalarCurveDerivs(t *testing.T) {
	for _, set := range shapeSets {
		for pt := 0; pt < pointsPerSet; pt++ {
			in := newScalarCurveIn(newFactory(seedFor("scalarcurve", set, pt), false), set)
			chain := scalarCurveChain(in)
			for k := 1; k < len(chain); k++ {
				checkClose(t, fmt.Sprintf("set %d pt %d: order %d vs fd.Derivative of order %d", set, pt, k, k-1),
					[]float64{chain[k](in.t)}, []float64{centralDeriv(chain[k-1], in.t)}, fdTol)
			}
			var av mat.VecDense
			av.MulVec(in.A, in.a)
			q := math.Exp(in.t) * mat.Dot(in.a, &av)
			tt := in.t
			hand := []float64{q + tt*tt*tt, q + 3*tt*tt, q + 6*tt, q + 6, q}
			for k, g := range chain {
				checkClose(t, fmt.Sprintf("set %d pt %d: order %d vs hand formula", set, pt, k),
					[]float64{g(in.t)}, []float64{hand[k]}, roundTol)
			}
			dt := math.NaN()
			fv := ScalarCurveGrad(in.t, in.a, in.A, &dt)
			checkClose(t, fmt.Sprintf("set %d pt %d: ScalarCurveGrad ∂f/∂t vs Deriv", set, pt),
				[]float64{dt}, []float64{chain[1](in.t)}, roundTol)
			checkClose(t, fmt.Sprintf("set %d pt %d: ScalarCurveGrad f vs ScalarCurve", set, pt),
				[]float64{fv}, []float64{chain[0](in.t)}, roundTol)
		}
	}
}

// TestCurveDerivFormulas checks Curve's derivatives against the hand
// formulas 2tA + cos t·BB, 2A − sin t·BB and −cos t·BB (d³/dt³ of t²A is
// zero), with BB computed by gonum, and that CurveDeriv3 does not depend
// on A at all.
func TestCurveDerivFormulas(t *testing.T) {
	for _, set := range shapeSets {
		for pt := 0; pt < pointsPerSet; pt++ {
			f := newFactory(seedFor("curve-formulas", set, pt), false)
			in := newCurveIn(f, set)
			n, tt := in.n, in.t
			bb := mul(in.B, in.B)
			lin := func(a float64, x *mat.Dense, b float64, y *mat.Dense) []float64 {
				out := mat.NewDense(n, n, nil)
				out.Scale(a, x)
				var s mat.Dense
				s.Scale(b, y)
				out.Add(out, &s)
				return flat(out)
			}
			cases := []struct {
				name string
				fn   func(float64, *mat.Dense, *mat.Dense, *mat.Dense)
				want []float64
			}{
				{"Curve = t²A + sin t·BB", Curve, lin(tt*tt, in.A, math.Sin(tt), bb)},
				{"CurveDeriv = 2tA + cos t·BB", CurveDeriv, lin(2*tt, in.A, math.Cos(tt), bb)},
				{"CurveDeriv2 = 2A − sin t·BB", CurveDeriv2, lin(2, in.A, -math.Sin(tt), bb)},
				{"CurveDeriv3 = −cos t·BB", CurveDeriv3, lin(0, in.A, -math.Cos(tt), bb)},
			}
			for _, c := range cases {
				dst := nanDense(n, n)
				c.fn(tt, in.A, in.B, dst)
				checkClose(t, fmt.Sprintf("set %d pt %d: %s", set, pt, c.name), flat(dst), c.want, roundTol)
			}
			d3a, d3b := nanDense(n, n), nanDense(n, n)
			CurveDeriv3(tt, in.A, in.B, d3a)
			CurveDeriv3(tt, f.dense(n, n), in.B, d3b)
			checkEqual(t, fmt.Sprintf("set %d pt %d: CurveDeriv3 with another A", set, pt), flat(d3b), flat(d3a))
		}
	}
}

// TestRayDerivFormulas checks Ray's derivatives against eᵗx + 2t d and
// 2d + eᵗx.
func TestRayDerivFormulas(t *testing.T) {
	for _, set := range shapeSets {
		for pt := 0; pt < pointsPerSet; pt++ {
			in := newRayIn(newFactory(seedFor("ray-formulas", set, pt), false), set)
			et, tt := math.Exp(in.t), in.t
			x, d := flat(in.x), flat(in.d)
			cases := []struct {
				name string
				fn   func(float64, *mat.VecDense, *mat.VecDense, *mat.VecDense)
				want []float64
			}{
				{"Ray = eᵗx + t²d", Ray, added(scaled(et, x), scaled(tt*tt, d))},
				{"RayDeriv = eᵗx + 2t d", RayDeriv, added(scaled(et, x), scaled(2*tt, d))},
				{"RayDeriv2 = eᵗx + 2d", RayDeriv2, added(scaled(et, x), scaled(2, d))},
			}
			for _, c := range cases {
				dst := mat.NewVecDense(in.n, nanSlice(in.n))
				c.fn(in.t, in.x, in.d, dst)
				checkClose(t, fmt.Sprintf("set %d pt %d: %s", set, pt, c.name), flat(dst), c.want, roundTol)
			}
		}
	}
}

// TestInvPathDerivFormulas checks InvPath's derivatives against the closed
// forms of d/dt inv(M(t)) with M(t) = A + tB, M′ = B: M⁻¹, −M⁻¹BM⁻¹ and
// 2M⁻¹BM⁻¹BM⁻¹, with M⁻¹ from gonum (which also reports an ill-conditioned
// M, so the inputs are checked to be as well conditioned as intended).
func TestInvPathDerivFormulas(t *testing.T) {
	for _, set := range shapeSets {
		for pt := 0; pt < pointsPerSet; pt++ {
			in := newInvPathIn(newFactory(seedFor("invpath-formulas", set, pt), false), set)
			n := in.n
			var inv mat.Dense
			if err := inv.Inverse(in.m(in.t)); err != nil {
				t.Fatalf("set %d pt %d: A + tB: %v", set, pt, err)
			}
			mbm := mul(&inv, in.B, &inv)
			cases := []struct {
				name string
				fn   func(float64, *mat.Dense, *mat.Dense, *mat.Dense)
				want []float64
			}{
				{"InvPath = M⁻¹", InvPath, flat(&inv)},
				{"InvPathDeriv = −M⁻¹BM⁻¹", InvPathDeriv, scaled(-1, flat(mbm))},
				{"InvPathDeriv2 = 2M⁻¹BM⁻¹BM⁻¹", InvPathDeriv2, scaled(2, flat(mul(mbm, in.B, &inv)))},
			}
			for _, c := range cases {
				dst := nanDense(n, n)
				c.fn(in.t, in.A, in.B, dst)
				checkClose(t, fmt.Sprintf("set %d pt %d: %s", set, pt, c.name), flat(dst), c.want, roundTol)
			}
		}
	}
}

// TestProductPathDerivFormulas checks ProductPath's derivatives against
// the hand formulas (A + tB)(C + t²D), B(C + t²D) + 2t(A + tB)D,
// 2AD + 6tBD and 6BD, with the products computed by gonum, and that
// ProductPathDeriv3 depends on neither t, A nor C.
func TestProductPathDerivFormulas(t *testing.T) {
	for _, set := range shapeSets {
		for pt := 0; pt < pointsPerSet; pt++ {
			f := newFactory(seedFor("productpath-formulas", set, pt), false)
			in := newProductPathIn(f, set)
			m, n, tt := in.m, in.n, in.t
			lin := func(a float64, x *mat.Dense, b float64, y *mat.Dense) *mat.Dense {
				out := new(mat.Dense)
				out.Scale(a, x)
				var s mat.Dense
				s.Scale(b, y)
				out.Add(out, &s)
				return out
			}
			left, right := lin(1, in.A, tt, in.B), lin(1, in.C, tt*tt, in.D)
			ad, bd := flat(mul(in.A, in.D)), flat(mul(in.B, in.D))
			cases := []struct {
				name string
				fn   func(float64, *mat.Dense, *mat.Dense, *mat.Dense, *mat.Dense, *mat.Dense)
				want []float64
			}{
				{"ProductPath = (A + tB)(C + t²D)", ProductPath, flat(mul(left, right))},
				{"ProductPathDeriv = B(C + t²D) + 2t(A + tB)D", ProductPathDeriv,
					added(flat(mul(in.B, right)), scaled(2*tt, flat(mul(left, in.D))))},
				{"ProductPathDeriv2 = 2AD + 6tBD", ProductPathDeriv2, added(scaled(2, ad), scaled(6*tt, bd))},
				{"ProductPathDeriv3 = 6BD", ProductPathDeriv3, scaled(6, bd)},
			}
			for _, c := range cases {
				dst := nanDense(m, n)
				c.fn(tt, in.A, in.B, in.C, in.D, dst)
				checkClose(t, fmt.Sprintf("set %d pt %d: %s", set, pt, c.name), flat(dst), c.want, roundTol)
			}
			d3a, d3b := nanDense(m, n), nanDense(m, n)
			ProductPathDeriv3(tt, in.A, in.B, in.C, in.D, d3a)
			ProductPathDeriv3(f.uniform(-2, 2), f.dense(m, in.p), in.B, f.dense(in.p, n), in.D, d3b)
			checkEqual(t, fmt.Sprintf("set %d pt %d: ProductPathDeriv3 with another t, A and C", set, pt), flat(d3b), flat(d3a))
		}
	}
}
