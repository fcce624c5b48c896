package higher

import (
	"gonum.org/v1/gonum/mat"
)

// Inputs of every spec function, for shape sets 0–3 (see shapeSets).

// languageIn serves the functions of issue 14's language: reductions and
// softmax along a dimension, implicit expansion and matrix powers.
type languageIn struct {
	n, k, d int
	t       float64
	A, B    *mat.Dense // n×k, or n×n for MatrixPowerCurve
	P, Q    *mat.Dense // n×n
	X       *mat.Dense // n×d
	Y       *mat.Dense // n×k
	w       *mat.VecDense
	a, b    *mat.VecDense // k
}

func newLanguageIn(f *factory, set int) languageIn {
	s := [][3]int{{4, 3, 2}, {2, 5, 3}, {1, 3, 2}, {3, 1, 1}}[set]
	in := languageIn{n: s[0], k: s[1], d: s[2], t: f.uniform(-1, 1)}
	in.A, in.B = f.dense(in.n, in.k), f.dense(in.n, in.k)
	in.P, in.Q = f.dense(in.n, in.n), f.dense(in.n, in.n)
	in.X, in.Y = f.dense(in.n, in.d), f.dense(in.n, in.k)
	in.w, in.a, in.b = f.vec(in.d), f.vec(in.k), f.vec(in.k)
	return in
}

type curveIn struct {
	n    int
	t    float64
	A, B *mat.Dense
}

func newCurveIn(f *factory, set int) curveIn {
	n := []int{3, 5, 1, 2}[set]
	return curveIn{n: n, t: f.uniform(-2, 2), A: f.dense(n, n), B: f.dense(n, n)}
}

type sandwichIn struct {
	m, p, q, n int
	A, X, B    *mat.Dense
}

func newSandwichIn(f *factory, set int) sandwichIn {
	d := [][4]int{{2, 3, 4, 5}, {5, 4, 3, 2}, {1, 3, 1, 4}, {4, 1, 3, 1}}[set]
	in := sandwichIn{m: d[0], p: d[1], q: d[2], n: d[3]}
	in.A, in.X, in.B = f.dense(in.m, in.p), f.dense(in.p, in.q), f.dense(in.q, in.n)
	return in
}

// logRegIn serves LogRegN and LogRegBias. The labels are real numbers of
// either sign and magnitude 0.5–1.5, not ±1, so a missing y² factor in a
// Hessian shows.
type logRegIn struct {
	n, d      int
	X         *mat.Dense
	y, w      *mat.VecDense
	b, lambda float64
}

func newLogRegIn(f *factory, set int) logRegIn {
	d := [][2]int{{12, 3}, {7, 5}, {1, 4}, {5, 1}}[set]
	in := logRegIn{n: d[0], d: d[1]}
	in.X = f.dense(in.n, in.d)
	in.y = f.vecFn(in.n, func(int) float64 {
		s := 0.5 + f.r.Float64()
		if f.r.IntN(2) == 0 {
			s = -s
		}
		return s
	})
	in.w = f.vecFn(in.d, func(int) float64 { return 0.7 * f.normal() })
	in.b = f.uniform(-1, 1)
	in.lambda = f.uniform(0.1, 2)
	return in
}

type affineIn struct {
	m, n int
	A    *mat.Dense
	x, b *mat.VecDense
}

func newAffineIn(f *factory, set int) affineIn {
	d := [][2]int{{3, 5}, {4, 2}, {1, 4}, {4, 1}}[set]
	in := affineIn{m: d[0], n: d[1]}
	in.A, in.x, in.b = f.dense(in.m, in.n), f.vec(in.n), f.vec(in.m)
	return in
}

type outerIn struct {
	n int
	x *mat.VecDense
}

func newOuterIn(f *factory, set int) outerIn {
	n := []int{3, 5, 1, 2}[set]
	return outerIn{n: n, x: f.vec(n)}
}

type elemExpIn struct {
	m, n int
	X    *mat.Dense
}

func newElemExpIn(f *factory, set int) elemExpIn {
	d := [][2]int{{2, 3}, {4, 4}, {1, 4}, {4, 1}}[set]
	return elemExpIn{m: d[0], n: d[1], X: f.dense(d[0], d[1])}
}

// inverseIn's X is 3·I plus a small random part: well conditioned.
type inverseIn struct {
	n int
	X *mat.Dense
}

func newInverseIn(f *factory, set int) inverseIn {
	n := []int{3, 5, 1, 2}[set]
	return inverseIn{n: n, X: f.denseFn(n, n, func(i, j int) float64 {
		v := 0.4 * f.normal()
		if i == j {
			v += 3
		}
		return v
	})}
}

type traceScaledIn struct {
	n, m, p int
	X, A    *mat.Dense
}

func newTraceScaledIn(f *factory, set int) traceScaledIn {
	d := [][3]int{{2, 3, 4}, {4, 3, 2}, {1, 3, 1}, {3, 1, 3}}[set]
	in := traceScaledIn{n: d[0], m: d[1], p: d[2]}
	in.X, in.A = f.dense(in.n, in.n), f.dense(in.m, in.p)
	return in
}

type rayIn struct {
	n    int
	t    float64
	x, d *mat.VecDense
}

func newRayIn(f *factory, set int) rayIn {
	n := []int{3, 5, 1, 2}[set]
	return rayIn{n: n, t: f.uniform(-2, 2), x: f.vec(n), d: f.vec(n)}
}

type scalarCurveIn struct {
	n int
	t float64
	a *mat.VecDense
	A *mat.Dense
}

func newScalarCurveIn(f *factory, set int) scalarCurveIn {
	n := []int{3, 5, 1, 2}[set]
	return scalarCurveIn{n: n, t: f.uniform(-1.5, 1.5), a: f.vec(n), A: f.dense(n, n)}
}

type quadTraceIn struct {
	n, k int
	A, W *mat.Dense
}

func newQuadTraceIn(f *factory, set int) quadTraceIn {
	d := [][2]int{{3, 2}, {5, 4}, {3, 1}, {1, 3}}[set]
	in := quadTraceIn{n: d[0], k: d[1]}
	in.A, in.W = f.dense(in.n, in.n), f.dense(in.n, in.k)
	return in
}

type gaussIn struct {
	n    int
	S, C *mat.SymDense
}

func newGaussIn(f *factory, set int) gaussIn {
	n := []int{3, 5, 1, 2}[set]
	return gaussIn{n: n, S: f.spd(n), C: f.spd(n)}
}

// quarticIn keeps A x moderate so exp(A x) stays O(1).
type quarticIn struct {
	n, m int
	x    *mat.VecDense
	A    *mat.Dense
}

func newQuarticIn(f *factory, set int) quarticIn {
	d := [][2]int{{3, 4}, {5, 2}, {1, 3}, {4, 1}}[set]
	in := quarticIn{n: d[0], m: d[1]}
	in.x = f.vecFn(in.n, func(int) float64 { return 0.6 * f.normal() })
	in.A = f.denseFn(in.m, in.n, func(int, int) float64 { return 0.5 * f.normal() })
	return in
}

type twoLayerIn struct {
	m, k, n int
	A, B    *mat.Dense
	x       *mat.VecDense
	c       float64
}

func newTwoLayerIn(f *factory, set int) twoLayerIn {
	d := [][3]int{{4, 3, 2}, {3, 5, 4}, {1, 4, 1}, {3, 1, 2}}[set]
	in := twoLayerIn{m: d[0], k: d[1], n: d[2]}
	in.A = f.denseFn(in.m, in.k, func(int, int) float64 { return 0.8 * f.normal() })
	in.B = f.denseFn(in.k, in.n, func(int, int) float64 { return 0.8 * f.normal() })
	in.x = f.vec(in.n)
	in.c = f.uniform(-1.5, 1.5)
	return in
}

// invPathIn's A is 2·I plus σ = 0.5/(n + 2) times a standard normal matrix
// and B is σ times one, so that inv(A + tB) and its derivatives are O(1)
// and A + tB stays well conditioned (smallest singular value ≳ 0.5,
// condition number ≲ 4) not only at its own small t but for every t in
// [−1, 2.2], the range of g(s) at which TestRuleChain evaluates the
// derivatives.
type invPathIn struct {
	n    int
	t    float64
	A, B *mat.Dense
}

func newInvPathIn(f *factory, set int) invPathIn {
	n := []int{3, 5, 1, 2}[set]
	in := invPathIn{n: n, t: f.uniform(-0.5, 0.5)}
	sigma := 0.5 / float64(n+2)
	in.A = f.denseFn(n, n, func(i, j int) float64 {
		v := sigma * f.normal()
		if i == j {
			v += 2
		}
		return v
	})
	in.B = f.denseFn(n, n, func(int, int) float64 { return sigma * f.normal() })
	return in
}

// m returns A + tB, computed by gonum.
func (in invPathIn) m(t float64) *mat.Dense {
	var m mat.Dense
	m.Scale(t, in.B)
	m.Add(in.A, &m)
	return &m
}

// productPathIn holds ProductPath's (A + tB)(C + t²D): A, B m×p, C, D p×n.
type productPathIn struct {
	m, p, n    int
	t          float64
	A, B, C, D *mat.Dense
}

func newProductPathIn(f *factory, set int) productPathIn {
	d := [][3]int{{2, 3, 4}, {5, 4, 2}, {1, 4, 1}, {3, 1, 2}}[set]
	in := productPathIn{m: d[0], p: d[1], n: d[2], t: f.uniform(-2, 2)}
	in.A, in.B = f.dense(in.m, in.p), f.dense(in.m, in.p)
	in.C, in.D = f.dense(in.p, in.n), f.dense(in.p, in.n)
	return in
}

// SandwichAll takes the inputs of Sandwich (sandwichIn).

// instance is one ready call of a generated function: call writes into
// outs (and returns the function's float64 result, or 0).
type instance struct {
	outs []any
	call func() float64
}

// fusionIn serves the fusion legality rows: x, y of length n and A m×n
// (FusionSubSum uses x and y, FusionLse A and x, FusionNorm2 x).
type fusionIn struct {
	n, m int
	x, y *mat.VecDense
	A    *mat.Dense
}

func newFusionIn(f *factory, set int) fusionIn {
	d := [][2]int{{4, 3}, {6, 5}, {1, 2}, {3, 1}}[set]
	in := fusionIn{n: d[0], m: d[1]}
	in.x, in.y = f.vec(in.n), f.vec(in.n)
	in.A = f.dense(in.m, in.n)
	return in
}

// entry makes an instance of one generated function.
type entry struct {
	name string
	make func(f *factory, set int) instance
}

func inst(call func() float64, outs ...any) instance { return instance{outs: outs, call: call} }

// registry holds every generated function of higher_grad.go except the
// Problem/Unpack helpers (TestProblems); TestRegistryComplete keeps it so.
var registry = []entry{
	// Curve
	{"Curve", func(f *factory, set int) instance {
		in := newCurveIn(f, set)
		dst := f.out(in.n, in.n)
		return inst(func() float64 { Curve(in.t, in.A, in.B, dst); return 0 }, dst)
	}},
	{"CurveDeriv", func(f *factory, set int) instance {
		in := newCurveIn(f, set)
		dst := f.out(in.n, in.n)
		return inst(func() float64 { CurveDeriv(in.t, in.A, in.B, dst); return 0 }, dst)
	}},
	{"CurveDeriv2", func(f *factory, set int) instance {
		in := newCurveIn(f, set)
		dst := f.out(in.n, in.n)
		return inst(func() float64 { CurveDeriv2(in.t, in.A, in.B, dst); return 0 }, dst)
	}},
	{"CurveDeriv3", func(f *factory, set int) instance {
		in := newCurveIn(f, set)
		dst := f.out(in.n, in.n)
		return inst(func() float64 { CurveDeriv3(in.t, in.A, in.B, dst); return 0 }, dst)
	}},
	{"CurveJVP", func(f *factory, set int) instance {
		in := newCurveIn(f, set)
		dt := f.normal()
		dst := f.out(in.n, in.n)
		return inst(func() float64 { CurveJVP(in.t, in.A, in.B, dt, dst); return 0 }, dst)
	}},
	{"CurveJacobian", func(f *factory, set int) instance {
		in := newCurveIn(f, set)
		jt := f.out(in.n, in.n)
		return inst(func() float64 { CurveJacobian(in.t, in.A, in.B, jt); return 0 }, jt)
	}},
	// Sandwich
	{"Sandwich", func(f *factory, set int) instance {
		in := newSandwichIn(f, set)
		dst := f.out(in.m, in.n)
		return inst(func() float64 { Sandwich(in.A, in.X, in.B, dst); return 0 }, dst)
	}},
	{"SandwichJVP", func(f *factory, set int) instance {
		in := newSandwichIn(f, set)
		dX := f.dense(in.p, in.q)
		dst := f.out(in.m, in.n)
		return inst(func() float64 { SandwichJVP(in.A, in.X, in.B, dX, dst); return 0 }, dst)
	}},
	{"SandwichJacobian", func(f *factory, set int) instance {
		in := newSandwichIn(f, set)
		jX := f.out(in.p*in.m, in.q*in.n)
		return inst(func() float64 { SandwichJacobian(in.A, in.X, in.B, jX); return 0 }, jX)
	}},
	// LogRegN
	{"LogRegN", func(f *factory, set int) instance {
		in := newLogRegIn(f, set)
		return inst(func() float64 { return LogRegN(in.X, in.y, in.w) })
	}},
	{"LogRegNGrad", func(f *factory, set int) instance {
		in := newLogRegIn(f, set)
		dw := f.outVec(in.d)
		return inst(func() float64 { return LogRegNGrad(in.X, in.y, in.w, dw) }, dw)
	}},
	{"LogRegNHessVec", func(f *factory, set int) instance {
		in := newLogRegIn(f, set)
		vw := f.vec(in.d)
		hw := f.outVec(in.d)
		return inst(func() float64 { LogRegNHessVec(in.X, in.y, in.w, vw, hw); return 0 }, hw)
	}},
	{"LogRegNHessian", func(f *factory, set int) instance {
		in := newLogRegIn(f, set)
		h := f.out(in.d, in.d)
		return inst(func() float64 { LogRegNHessian(in.X, in.y, in.w, h); return 0 }, h)
	}},
	// Affine
	{"Affine", func(f *factory, set int) instance {
		in := newAffineIn(f, set)
		dst := f.outVec(in.m)
		return inst(func() float64 { Affine(in.A, in.x, in.b, dst); return 0 }, dst)
	}},
	{"AffineJVP", func(f *factory, set int) instance {
		in := newAffineIn(f, set)
		dA, dx, db := f.dense(in.m, in.n), f.vec(in.n), f.vec(in.m)
		dst := f.outVec(in.m)
		return inst(func() float64 { AffineJVP(in.A, in.x, in.b, dA, dx, db, dst); return 0 }, dst)
	}},
	{"AffineJacobian", func(f *factory, set int) instance {
		in := newAffineIn(f, set)
		jA, jx, jb := f.out(in.m*in.m, in.n), f.out(in.m, in.n), f.out(in.m, in.m)
		return inst(func() float64 { AffineJacobian(in.A, in.x, in.b, jA, jx, jb); return 0 }, jA, jx, jb)
	}},
	// Outer
	{"Outer", func(f *factory, set int) instance {
		in := newOuterIn(f, set)
		dst := f.out(in.n, in.n)
		return inst(func() float64 { Outer(in.x, dst); return 0 }, dst)
	}},
	{"OuterJVP", func(f *factory, set int) instance {
		in := newOuterIn(f, set)
		dx := f.vec(in.n)
		dst := f.out(in.n, in.n)
		return inst(func() float64 { OuterJVP(in.x, dx, dst); return 0 }, dst)
	}},
	{"OuterJacobian", func(f *factory, set int) instance {
		in := newOuterIn(f, set)
		jx := f.out(in.n, in.n*in.n)
		return inst(func() float64 { OuterJacobian(in.x, jx); return 0 }, jx)
	}},
	// ElemExp
	{"ElemExp", func(f *factory, set int) instance {
		in := newElemExpIn(f, set)
		dst := f.out(in.m, in.n)
		return inst(func() float64 { ElemExp(in.X, dst); return 0 }, dst)
	}},
	{"ElemExpJVP", func(f *factory, set int) instance {
		in := newElemExpIn(f, set)
		dX := f.dense(in.m, in.n)
		dst := f.out(in.m, in.n)
		return inst(func() float64 { ElemExpJVP(in.X, dX, dst); return 0 }, dst)
	}},
	{"ElemExpJacobian", func(f *factory, set int) instance {
		in := newElemExpIn(f, set)
		jX := f.out(in.m*in.m, in.n*in.n)
		return inst(func() float64 { ElemExpJacobian(in.X, jX); return 0 }, jX)
	}},
	// Inverse
	{"Inverse", func(f *factory, set int) instance {
		in := newInverseIn(f, set)
		dst := f.out(in.n, in.n)
		return inst(func() float64 { Inverse(in.X, dst); return 0 }, dst)
	}},
	{"InverseJVP", func(f *factory, set int) instance {
		in := newInverseIn(f, set)
		dX := f.dense(in.n, in.n)
		dst := f.out(in.n, in.n)
		return inst(func() float64 { InverseJVP(in.X, dX, dst); return 0 }, dst)
	}},
	{"InverseJacobian", func(f *factory, set int) instance {
		in := newInverseIn(f, set)
		jX := f.out(in.n*in.n, in.n*in.n)
		return inst(func() float64 { InverseJacobian(in.X, jX); return 0 }, jX)
	}},
	// TraceScaled
	{"TraceScaled", func(f *factory, set int) instance {
		in := newTraceScaledIn(f, set)
		dst := f.out(in.m, in.p)
		return inst(func() float64 { TraceScaled(in.X, in.A, dst); return 0 }, dst)
	}},
	{"TraceScaledJVP", func(f *factory, set int) instance {
		in := newTraceScaledIn(f, set)
		dX := f.dense(in.n, in.n)
		dst := f.out(in.m, in.p)
		return inst(func() float64 { TraceScaledJVP(in.X, in.A, dX, dst); return 0 }, dst)
	}},
	{"TraceScaledJacobian", func(f *factory, set int) instance {
		in := newTraceScaledIn(f, set)
		jX := f.out(in.n*in.m, in.n*in.p)
		return inst(func() float64 { TraceScaledJacobian(in.X, in.A, jX); return 0 }, jX)
	}},
	// Ray
	{"Ray", func(f *factory, set int) instance {
		in := newRayIn(f, set)
		dst := f.outVec(in.n)
		return inst(func() float64 { Ray(in.t, in.x, in.d, dst); return 0 }, dst)
	}},
	{"RayDeriv", func(f *factory, set int) instance {
		in := newRayIn(f, set)
		dst := f.outVec(in.n)
		return inst(func() float64 { RayDeriv(in.t, in.x, in.d, dst); return 0 }, dst)
	}},
	{"RayDeriv2", func(f *factory, set int) instance {
		in := newRayIn(f, set)
		dst := f.outVec(in.n)
		return inst(func() float64 { RayDeriv2(in.t, in.x, in.d, dst); return 0 }, dst)
	}},
	{"RayJVP", func(f *factory, set int) instance {
		in := newRayIn(f, set)
		dt := f.normal()
		dst := f.outVec(in.n)
		return inst(func() float64 { RayJVP(in.t, in.x, in.d, dt, dst); return 0 }, dst)
	}},
	{"RayJacobian", func(f *factory, set int) instance {
		in := newRayIn(f, set)
		jt := f.out(in.n, 1)
		return inst(func() float64 { RayJacobian(in.t, in.x, in.d, jt); return 0 }, jt)
	}},
	// ScalarCurve
	{"ScalarCurve", func(f *factory, set int) instance {
		in := newScalarCurveIn(f, set)
		return inst(func() float64 { return ScalarCurve(in.t, in.a, in.A) })
	}},
	{"ScalarCurveGrad", func(f *factory, set int) instance {
		in := newScalarCurveIn(f, set)
		dt := new(float64)
		return inst(func() float64 { return ScalarCurveGrad(in.t, in.a, in.A, dt) }, dt)
	}},
	{"ScalarCurveDeriv", func(f *factory, set int) instance {
		in := newScalarCurveIn(f, set)
		return inst(func() float64 { return ScalarCurveDeriv(in.t, in.a, in.A) })
	}},
	{"ScalarCurveDeriv2", func(f *factory, set int) instance {
		in := newScalarCurveIn(f, set)
		return inst(func() float64 { return ScalarCurveDeriv2(in.t, in.a, in.A) })
	}},
	{"ScalarCurveDeriv3", func(f *factory, set int) instance {
		in := newScalarCurveIn(f, set)
		return inst(func() float64 { return ScalarCurveDeriv3(in.t, in.a, in.A) })
	}},
	{"ScalarCurveDeriv4", func(f *factory, set int) instance {
		in := newScalarCurveIn(f, set)
		return inst(func() float64 { return ScalarCurveDeriv4(in.t, in.a, in.A) })
	}},
	// LogRegBias
	{"LogRegBias", func(f *factory, set int) instance {
		in := newLogRegIn(f, set)
		return inst(func() float64 { return LogRegBias(in.X, in.y, in.w, in.b, in.lambda) })
	}},
	{"LogRegBiasGrad", func(f *factory, set int) instance {
		in := newLogRegIn(f, set)
		dw, db := f.outVec(in.d), new(float64)
		return inst(func() float64 { return LogRegBiasGrad(in.X, in.y, in.w, in.b, in.lambda, dw, db) }, dw, db)
	}},
	{"LogRegBiasHessVec", func(f *factory, set int) instance {
		in := newLogRegIn(f, set)
		vw, vb := f.vec(in.d), f.normal()
		hw, hb := f.outVec(in.d), new(float64)
		return inst(func() float64 {
			LogRegBiasHessVec(in.X, in.y, in.w, in.b, in.lambda, vw, vb, hw, hb)
			return 0
		}, hw, hb)
	}},
	{"LogRegBiasHessian", func(f *factory, set int) instance {
		in := newLogRegIn(f, set)
		h := f.out(in.d+1, in.d+1)
		return inst(func() float64 { LogRegBiasHessian(in.X, in.y, in.w, in.b, in.lambda, h); return 0 }, h)
	}},
	// QuadTrace
	{"QuadTrace", func(f *factory, set int) instance {
		in := newQuadTraceIn(f, set)
		return inst(func() float64 { return QuadTrace(in.A, in.W) })
	}},
	{"QuadTraceGrad", func(f *factory, set int) instance {
		in := newQuadTraceIn(f, set)
		dW := f.out(in.n, in.k)
		return inst(func() float64 { return QuadTraceGrad(in.A, in.W, dW) }, dW)
	}},
	{"QuadTraceHessVec", func(f *factory, set int) instance {
		in := newQuadTraceIn(f, set)
		vW := f.dense(in.n, in.k)
		hW := f.out(in.n, in.k)
		return inst(func() float64 { QuadTraceHessVec(in.A, in.W, vW, hW); return 0 }, hW)
	}},
	// GaussNLL
	{"GaussNLL", func(f *factory, set int) instance {
		in := newGaussIn(f, set)
		return inst(func() float64 { return GaussNLL(in.S, in.C) })
	}},
	{"GaussNLLGrad", func(f *factory, set int) instance {
		in := newGaussIn(f, set)
		dS := f.outSym(in.n)
		return inst(func() float64 { return GaussNLLGrad(in.S, in.C, dS) }, dS)
	}},
	{"GaussNLLHessVec", func(f *factory, set int) instance {
		in := newGaussIn(f, set)
		vS := f.sym(in.n)
		hS := f.outSym(in.n)
		return inst(func() float64 { GaussNLLHessVec(in.S, in.C, vS, hS); return 0 }, hS)
	}},
	// Quartic
	{"Quartic", func(f *factory, set int) instance {
		in := newQuarticIn(f, set)
		return inst(func() float64 { return Quartic(in.x, in.A) })
	}},
	{"QuarticGrad", func(f *factory, set int) instance {
		in := newQuarticIn(f, set)
		dx := f.outVec(in.n)
		return inst(func() float64 { return QuarticGrad(in.x, in.A, dx) }, dx)
	}},
	{"QuarticHessVec", func(f *factory, set int) instance {
		in := newQuarticIn(f, set)
		vx := f.vec(in.n)
		hx := f.outVec(in.n)
		return inst(func() float64 { QuarticHessVec(in.x, in.A, vx, hx); return 0 }, hx)
	}},
	{"QuarticHessian", func(f *factory, set int) instance {
		in := newQuarticIn(f, set)
		h := f.out(in.n, in.n)
		return inst(func() float64 { QuarticHessian(in.x, in.A, h); return 0 }, h)
	}},
	// TwoLayer
	{"TwoLayer", func(f *factory, set int) instance {
		in := newTwoLayerIn(f, set)
		return inst(func() float64 { return TwoLayer(in.A, in.B, in.x, in.c) })
	}},
	{"TwoLayerGrad", func(f *factory, set int) instance {
		in := newTwoLayerIn(f, set)
		dx, dc := f.outVec(in.n), new(float64)
		return inst(func() float64 { return TwoLayerGrad(in.A, in.B, in.x, in.c, dx, dc) }, dx, dc)
	}},
	{"TwoLayerHessVec", func(f *factory, set int) instance {
		in := newTwoLayerIn(f, set)
		vx, vc := f.vec(in.n), f.normal()
		hx, hc := f.outVec(in.n), new(float64)
		return inst(func() float64 { TwoLayerHessVec(in.A, in.B, in.x, in.c, vx, vc, hx, hc); return 0 }, hx, hc)
	}},
	{"TwoLayerHessian", func(f *factory, set int) instance {
		in := newTwoLayerIn(f, set)
		h := f.out(in.n+1, in.n+1)
		return inst(func() float64 { TwoLayerHessian(in.A, in.B, in.x, in.c, h); return 0 }, h)
	}},
	// InvPath
	{"InvPath", func(f *factory, set int) instance {
		in := newInvPathIn(f, set)
		dst := f.out(in.n, in.n)
		return inst(func() float64 { InvPath(in.t, in.A, in.B, dst); return 0 }, dst)
	}},
	{"InvPathDeriv", func(f *factory, set int) instance {
		in := newInvPathIn(f, set)
		dst := f.out(in.n, in.n)
		return inst(func() float64 { InvPathDeriv(in.t, in.A, in.B, dst); return 0 }, dst)
	}},
	{"InvPathDeriv2", func(f *factory, set int) instance {
		in := newInvPathIn(f, set)
		dst := f.out(in.n, in.n)
		return inst(func() float64 { InvPathDeriv2(in.t, in.A, in.B, dst); return 0 }, dst)
	}},
	{"InvPathJVP", func(f *factory, set int) instance {
		in := newInvPathIn(f, set)
		dt := f.normal()
		dst := f.out(in.n, in.n)
		return inst(func() float64 { InvPathJVP(in.t, in.A, in.B, dt, dst); return 0 }, dst)
	}},
	{"InvPathJacobian", func(f *factory, set int) instance {
		in := newInvPathIn(f, set)
		jt := f.out(in.n, in.n)
		return inst(func() float64 { InvPathJacobian(in.t, in.A, in.B, jt); return 0 }, jt)
	}},
	// ProductPath
	{"ProductPath", func(f *factory, set int) instance {
		in := newProductPathIn(f, set)
		dst := f.out(in.m, in.n)
		return inst(func() float64 { ProductPath(in.t, in.A, in.B, in.C, in.D, dst); return 0 }, dst)
	}},
	{"ProductPathDeriv", func(f *factory, set int) instance {
		in := newProductPathIn(f, set)
		dst := f.out(in.m, in.n)
		return inst(func() float64 { ProductPathDeriv(in.t, in.A, in.B, in.C, in.D, dst); return 0 }, dst)
	}},
	{"ProductPathDeriv2", func(f *factory, set int) instance {
		in := newProductPathIn(f, set)
		dst := f.out(in.m, in.n)
		return inst(func() float64 { ProductPathDeriv2(in.t, in.A, in.B, in.C, in.D, dst); return 0 }, dst)
	}},
	{"ProductPathDeriv3", func(f *factory, set int) instance {
		in := newProductPathIn(f, set)
		dst := f.out(in.m, in.n)
		return inst(func() float64 { ProductPathDeriv3(in.t, in.A, in.B, in.C, in.D, dst); return 0 }, dst)
	}},
	{"ProductPathJVP", func(f *factory, set int) instance {
		in := newProductPathIn(f, set)
		dt := f.normal()
		dst := f.out(in.m, in.n)
		return inst(func() float64 { ProductPathJVP(in.t, in.A, in.B, in.C, in.D, dt, dst); return 0 }, dst)
	}},
	{"ProductPathJacobian", func(f *factory, set int) instance {
		in := newProductPathIn(f, set)
		jt := f.out(in.m, in.n)
		return inst(func() float64 { ProductPathJacobian(in.t, in.A, in.B, in.C, in.D, jt); return 0 }, jt)
	}},
	// SandwichAll
	{"SandwichAll", func(f *factory, set int) instance {
		in := newSandwichIn(f, set)
		dst := f.out(in.m, in.n)
		return inst(func() float64 { SandwichAll(in.A, in.X, in.B, dst); return 0 }, dst)
	}},
	{"SandwichAllJVP", func(f *factory, set int) instance {
		in := newSandwichIn(f, set)
		dA, dX, dB := f.dense(in.m, in.p), f.dense(in.p, in.q), f.dense(in.q, in.n)
		dst := f.out(in.m, in.n)
		return inst(func() float64 { SandwichAllJVP(in.A, in.X, in.B, dA, dX, dB, dst); return 0 }, dst)
	}},
	{"SandwichAllJacobian", func(f *factory, set int) instance {
		in := newSandwichIn(f, set)
		jA, jX, jB := f.out(in.m*in.m, in.p*in.n), f.out(in.p*in.m, in.q*in.n), f.out(in.q*in.m, in.n*in.n)
		return inst(func() float64 { SandwichAllJacobian(in.A, in.X, in.B, jA, jX, jB); return 0 }, jA, jX, jB)
	}},
	// fusion legality
	{"FusionSubSum", func(f *factory, set int) instance {
		in := newFusionIn(f, set)
		dst := f.outVec(in.n)
		return inst(func() float64 { FusionSubSum(in.x, in.y, dst); return 0 }, dst)
	}},
	{"FusionSubSumJVP", func(f *factory, set int) instance {
		in := newFusionIn(f, set)
		dx, dy := f.vec(in.n), f.vec(in.n)
		dst := f.outVec(in.n)
		return inst(func() float64 { FusionSubSumJVP(in.x, in.y, dx, dy, dst); return 0 }, dst)
	}},
	{"FusionSubSumJacobian", func(f *factory, set int) instance {
		in := newFusionIn(f, set)
		jx, jy := f.out(in.n, in.n), f.out(in.n, in.n)
		return inst(func() float64 { FusionSubSumJacobian(in.x, in.y, jx, jy); return 0 }, jx, jy)
	}},
	{"FusionLse", func(f *factory, set int) instance {
		in := newFusionIn(f, set)
		return inst(func() float64 { return FusionLse(in.A, in.x) })
	}},
	{"FusionLseGrad", func(f *factory, set int) instance {
		in := newFusionIn(f, set)
		dx := f.outVec(in.n)
		return inst(func() float64 { return FusionLseGrad(in.A, in.x, dx) }, dx)
	}},
	{"FusionLseHessVec", func(f *factory, set int) instance {
		in := newFusionIn(f, set)
		vx, hx := f.vec(in.n), f.outVec(in.n)
		return inst(func() float64 { FusionLseHessVec(in.A, in.x, vx, hx); return 0 }, hx)
	}},
	{"FusionLseHessian", func(f *factory, set int) instance {
		in := newFusionIn(f, set)
		H := f.out(in.n, in.n)
		return inst(func() float64 { FusionLseHessian(in.A, in.x, H); return 0 }, H)
	}},
	{"FusionNorm2", func(f *factory, set int) instance {
		in := newFusionIn(f, set)
		return inst(func() float64 { return FusionNorm2(in.x) })
	}},
	{"FusionNorm2Grad", func(f *factory, set int) instance {
		in := newFusionIn(f, set)
		dx := f.outVec(in.n)
		return inst(func() float64 { return FusionNorm2Grad(in.x, dx) }, dx)
	}},
	{"FusionNorm2HessVec", func(f *factory, set int) instance {
		in := newFusionIn(f, set)
		vx, hx := f.vec(in.n), f.outVec(in.n)
		return inst(func() float64 { FusionNorm2HessVec(in.x, vx, hx); return 0 }, hx)
	}},
	{"FusionNorm2Hessian", func(f *factory, set int) instance {
		in := newFusionIn(f, set)
		H := f.out(in.n, in.n)
		return inst(func() float64 { FusionNorm2Hessian(in.x, H); return 0 }, H)
	}},
	// LseRay (rayIn: t, x, d) and LseMatrix
	{"LseRay", func(f *factory, set int) instance {
		in := newRayIn(f, set)
		return inst(func() float64 { return LseRay(in.t, in.x, in.d) })
	}},
	{"LseRayGrad", func(f *factory, set int) instance {
		in := newRayIn(f, set)
		dt := new(float64)
		return inst(func() float64 { return LseRayGrad(in.t, in.x, in.d, dt) }, dt)
	}},
	{"LseRayDeriv", func(f *factory, set int) instance {
		in := newRayIn(f, set)
		return inst(func() float64 { return LseRayDeriv(in.t, in.x, in.d) })
	}},
	{"LseRayDeriv2", func(f *factory, set int) instance {
		in := newRayIn(f, set)
		return inst(func() float64 { return LseRayDeriv2(in.t, in.x, in.d) })
	}},
	{"LseRayDeriv3", func(f *factory, set int) instance {
		in := newRayIn(f, set)
		return inst(func() float64 { return LseRayDeriv3(in.t, in.x, in.d) })
	}},
	{"LseMatrix", func(f *factory, set int) instance {
		in := newSandwichIn(f, set)
		return inst(func() float64 { return LseMatrix(in.X) })
	}},
	{"LseMatrixGrad", func(f *factory, set int) instance {
		in := newSandwichIn(f, set)
		dX := f.out(in.p, in.q)
		return inst(func() float64 { return LseMatrixGrad(in.X, dX) }, dX)
	}},
	{"LseMatrixHessVec", func(f *factory, set int) instance {
		in := newSandwichIn(f, set)
		vX, hX := f.dense(in.p, in.q), f.out(in.p, in.q)
		return inst(func() float64 { LseMatrixHessVec(in.X, vX, hX); return 0 }, hX)
	}},
	// SoftmaxRowsCurve
	{"SoftmaxRowsCurve", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		dst := f.out(in.n, in.k)
		return inst(func() float64 { SoftmaxRowsCurve(in.t, in.A, in.B, in.b, dst); return 0 }, dst)
	}},
	{"SoftmaxRowsCurveDeriv", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		dst := f.out(in.n, in.k)
		return inst(func() float64 { SoftmaxRowsCurveDeriv(in.t, in.A, in.B, in.b, dst); return 0 }, dst)
	}},
	{"SoftmaxRowsCurveDeriv2", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		dst := f.out(in.n, in.k)
		return inst(func() float64 { SoftmaxRowsCurveDeriv2(in.t, in.A, in.B, in.b, dst); return 0 }, dst)
	}},
	{"SoftmaxRowsCurveDeriv3", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		dst := f.out(in.n, in.k)
		return inst(func() float64 { SoftmaxRowsCurveDeriv3(in.t, in.A, in.B, in.b, dst); return 0 }, dst)
	}},
	{"SoftmaxRowsCurveJVP", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		dt := f.normal()
		dst := f.out(in.n, in.k)
		return inst(func() float64 { SoftmaxRowsCurveJVP(in.t, in.A, in.B, in.b, dt, dst); return 0 }, dst)
	}},
	{"SoftmaxRowsCurveJacobian", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		jt := f.out(in.n, in.k)
		return inst(func() float64 { SoftmaxRowsCurveJacobian(in.t, in.A, in.B, in.b, jt); return 0 }, jt)
	}},
	// LogSumExpColumns
	{"LogSumExpColumns", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		dst := f.out(1, in.k)
		return inst(func() float64 { LogSumExpColumns(in.A, in.a, dst); return 0 }, dst)
	}},
	{"LogSumExpColumnsJVP", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		dX, dst := f.dense(in.n, in.k), f.out(1, in.k)
		return inst(func() float64 { LogSumExpColumnsJVP(in.A, in.a, dX, dst); return 0 }, dst)
	}},
	{"LogSumExpColumnsJacobian", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		jX := f.out(in.n, in.k*in.k)
		return inst(func() float64 { LogSumExpColumnsJacobian(in.A, in.a, jX); return 0 }, jX)
	}},
	// MatrixPowerCurve
	{"MatrixPowerCurve", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		dst := f.out(in.n, in.n)
		return inst(func() float64 { MatrixPowerCurve(in.t, in.P, in.Q, dst); return 0 }, dst)
	}},
	{"MatrixPowerCurveDeriv", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		dst := f.out(in.n, in.n)
		return inst(func() float64 { MatrixPowerCurveDeriv(in.t, in.P, in.Q, dst); return 0 }, dst)
	}},
	{"MatrixPowerCurveDeriv2", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		dst := f.out(in.n, in.n)
		return inst(func() float64 { MatrixPowerCurveDeriv2(in.t, in.P, in.Q, dst); return 0 }, dst)
	}},
	{"MatrixPowerCurveJVP", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		dt := f.normal()
		dst := f.out(in.n, in.n)
		return inst(func() float64 { MatrixPowerCurveJVP(in.t, in.P, in.Q, dt, dst); return 0 }, dst)
	}},
	{"MatrixPowerCurveJacobian", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		jt := f.out(in.n, in.n)
		return inst(func() float64 { MatrixPowerCurveJacobian(in.t, in.P, in.Q, jt); return 0 }, jt)
	}},
	// SoftmaxJacobian
	{"SoftmaxJacobian", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		dst := f.out(in.n, in.k)
		return inst(func() float64 { SoftmaxJacobian(in.A, dst); return 0 }, dst)
	}},
	{"SoftmaxJacobianJVP", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		dX, dst := f.dense(in.n, in.k), f.out(in.n, in.k)
		return inst(func() float64 { SoftmaxJacobianJVP(in.A, dX, dst); return 0 }, dst)
	}},
	{"SoftmaxJacobianJacobian", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		jX := f.out(in.n*in.n, in.k*in.k)
		return inst(func() float64 { SoftmaxJacobianJacobian(in.A, jX); return 0 }, jX)
	}},
	// BiasLayerHessian
	{"BiasLayerHessian", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		return inst(func() float64 { return BiasLayerHessian(in.X, in.w, in.b, in.Y) })
	}},
	{"BiasLayerHessianGrad", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		dw, db := f.outVec(in.d), f.outVec(in.k)
		return inst(func() float64 { return BiasLayerHessianGrad(in.X, in.w, in.b, in.Y, dw, db) }, dw, db)
	}},
	{"BiasLayerHessianHessVec", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		vw, vb := f.vec(in.d), f.vec(in.k)
		hw, hb := f.outVec(in.d), f.outVec(in.k)
		return inst(func() float64 { BiasLayerHessianHessVec(in.X, in.w, in.b, in.Y, vw, vb, hw, hb); return 0 }, hw, hb)
	}},
	{"BiasLayerHessianHessian", func(f *factory, set int) instance {
		in := newLanguageIn(f, set)
		h := f.out(in.d+in.k, in.d+in.k)
		return inst(func() float64 { BiasLayerHessianHessian(in.X, in.w, in.b, in.Y, h); return 0 }, h)
	}},
}
