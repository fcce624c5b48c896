package higher

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The seed's differentiation rules, checked as properties of the generated
// code: eq. 3 (sum rule), eq. 4 (scalar times matrix), eq. 5 (product
// rule), eq. 6 (chain rule through x = f(t)) and eq. 13 (the Jacobian of a
// sum is the sum of the Jacobians).

// forEachPoint runs check at every shape set and point with its own factory.
func forEachPoint(t *testing.T, test string, check func(t *testing.T, f *factory, set int, where string)) {
	for _, set := range shapeSets {
		for pt := 0; pt < pointsPerSet; pt++ {
			where := fmt.Sprintf("set %d pt %d", set, pt)
			t.Run(where, func(t *testing.T) {
				defer noPanic(t)
				check(t, newFactory(seedFor(test, set, pt), false), set, where)
			})
		}
	}
}

// denseOut calls g into a fresh NaN-filled r×c matrix and returns its entries.
func denseOut(r, c int, g func(dst *mat.Dense)) []float64 {
	dst := nanDense(r, c)
	g(dst)
	return flat(dst)
}

// vecOut calls g into a fresh NaN-filled n-vector and returns its entries.
func vecOut(n int, g func(dst *mat.VecDense)) []float64 {
	dst := mat.NewVecDense(n, nanSlice(n))
	g(dst)
	return flat(dst)
}

// TestRuleSum checks eq. 3, d/dx[A + B] = dA/dx + dB/dx, on the generated
// code: Curve = t²A + sin t·BB and Ray = eᵗx + t²d split into their terms
// by zeroing an input, and every derivative order and the JVP of the whole
// equals the sum of those of the parts; AffineJVP of b + Ax is the sum of
// its JVPs in each direction alone, each the hand term db, dA x, A dx; and
// QuarticGrad/QuarticHessVec of (xᵀx)² + Σ exp(Ax) split likewise;
// ProductPath = AC + tBC + t²AD + t³BD split into its four terms by zeroing
// inputs, every derivative order and the JVP likewise; and SandwichAllJVP
// in all three directions is the sum of its one-direction JVPs.
func TestRuleSum(t *testing.T) {
	forEachPoint(t, "rule-sum", func(t *testing.T, f *factory, set int, where string) {
		cv := newCurveIn(f, set)
		n := cv.n
		zero := mat.NewDense(n, n, nil)
		dt := f.normal()
		curveFns := []struct {
			name string
			fn   func(t float64, A, B, dst *mat.Dense)
		}{
			{"Curve", Curve}, {"CurveDeriv", CurveDeriv}, {"CurveDeriv2", CurveDeriv2}, {"CurveDeriv3", CurveDeriv3},
			{"CurveJVP", func(t float64, A, B, dst *mat.Dense) { CurveJVP(t, A, B, dt, dst) }},
		}
		for _, c := range curveFns {
			at := func(A, B *mat.Dense) []float64 {
				return denseOut(n, n, func(dst *mat.Dense) { c.fn(cv.t, A, B, dst) })
			}
			checkClose(t, where+": "+c.name+"(t²A + sin t·BB) vs sum over the terms",
				at(cv.A, cv.B), added(at(cv.A, zero), at(zero, cv.B)), roundTol)
		}

		ry := newRayIn(f, set)
		zv := mat.NewVecDense(ry.n, nil)
		rayFns := []struct {
			name string
			fn   func(t float64, x, d, dst *mat.VecDense)
		}{
			{"Ray", Ray}, {"RayDeriv", RayDeriv}, {"RayDeriv2", RayDeriv2},
			{"RayJVP", func(t float64, x, d, dst *mat.VecDense) { RayJVP(t, x, d, dt, dst) }},
		}
		for _, c := range rayFns {
			at := func(x, d *mat.VecDense) []float64 {
				return vecOut(ry.n, func(dst *mat.VecDense) { c.fn(ry.t, x, d, dst) })
			}
			checkClose(t, where+": "+c.name+"(eᵗx + t²d) vs sum over the terms",
				at(ry.x, ry.d), added(at(ry.x, zv), at(zv, ry.d)), roundTol)
		}

		af := newAffineIn(f, set)
		dA, dx, db := f.dense(af.m, af.n), f.vec(af.n), f.vec(af.m)
		zA, zx, zb := mat.NewDense(af.m, af.n, nil), mat.NewVecDense(af.n, nil), mat.NewVecDense(af.m, nil)
		jvp := func(dA *mat.Dense, dx, db *mat.VecDense) []float64 {
			return vecOut(af.m, func(dst *mat.VecDense) { AffineJVP(af.A, af.x, af.b, dA, dx, db, dst) })
		}
		inA, inX, inB := jvp(dA, zx, zb), jvp(zA, dx, zb), jvp(zA, zx, db)
		checkClose(t, where+": AffineJVP vs sum of one-direction JVPs", jvp(dA, dx, db), added(inA, inX, inB), roundTol)
		var dAx, Adx mat.VecDense
		dAx.MulVec(dA, af.x)
		Adx.MulVec(af.A, dx)
		checkClose(t, where+": AffineJVP in A vs dA x", inA, flat(&dAx), roundTol)
		checkClose(t, where+": AffineJVP in x vs A dx", inX, flat(&Adx), roundTol)
		checkEqual(t, where+": AffineJVP in b vs db", inB, flat(db))

		qr := newQuarticIn(f, set)
		zq := mat.NewDense(qr.m, qr.n, nil)
		vx := f.vec(qr.n)
		grad := func(A *mat.Dense) []float64 {
			return vecOut(qr.n, func(dst *mat.VecDense) { QuarticGrad(qr.x, A, dst) })
		}
		hv := func(A *mat.Dense) []float64 {
			return vecOut(qr.n, func(dst *mat.VecDense) { QuarticHessVec(qr.x, A, vx, dst) })
		}
		var ax mat.VecDense
		ax.MulVec(qr.A, qr.x)
		e := make([]float64, qr.m)
		for i := range e {
			e[i] = math.Exp(ax.AtVec(i))
		}
		var ate mat.VecDense
		ate.MulVec(qr.A.T(), mat.NewVecDense(qr.m, e))
		xx := mat.Dot(qr.x, qr.x)
		checkClose(t, where+": QuarticGrad with A = 0 vs 4(xᵀx)x", grad(zq), scaled(4*xx, flat(qr.x)), roundTol)
		checkClose(t, where+": QuarticGrad(A) − QuarticGrad(0) vs Aᵀexp(Ax)", axpy(grad(qr.A), -1, grad(zq)), flat(&ate), roundTol)
		var avx mat.VecDense
		avx.MulVec(qr.A, vx)
		for i := range e {
			e[i] *= avx.AtVec(i)
		}
		var data mat.VecDense
		data.MulVec(qr.A.T(), mat.NewVecDense(qr.m, e))
		checkClose(t, where+": QuarticHessVec(A) − QuarticHessVec(0) vs Aᵀ(exp(Ax) ⊙ A v)", axpy(hv(qr.A), -1, hv(zq)), flat(&data), roundTol)

		pp := newProductPathIn(f, set)
		zl, zr := mat.NewDense(pp.m, pp.p, nil), mat.NewDense(pp.p, pp.n, nil)
		ppFns := []struct {
			name string
			fn   func(t float64, A, B, C, D, dst *mat.Dense)
		}{
			{"ProductPath", ProductPath}, {"ProductPathDeriv", ProductPathDeriv},
			{"ProductPathDeriv2", ProductPathDeriv2}, {"ProductPathDeriv3", ProductPathDeriv3},
			{"ProductPathJVP", func(t float64, A, B, C, D, dst *mat.Dense) { ProductPathJVP(t, A, B, C, D, dt, dst) }},
		}
		for _, c := range ppFns {
			at := func(A, B, C, D *mat.Dense) []float64 {
				return denseOut(pp.m, pp.n, func(dst *mat.Dense) { c.fn(pp.t, A, B, C, D, dst) })
			}
			terms := added(at(pp.A, zl, pp.C, zr), at(zl, pp.B, pp.C, zr), at(pp.A, zl, zr, pp.D), at(zl, pp.B, zr, pp.D))
			checkClose(t, where+": "+c.name+"(AC + tBC + t²AD + t³BD) vs sum over the terms",
				at(pp.A, pp.B, pp.C, pp.D), terms, roundTol)
		}

		sa := newSandwichIn(f, set)
		vA, vX, vB := f.dense(sa.m, sa.p), f.dense(sa.p, sa.q), f.dense(sa.q, sa.n)
		oA, oX, oB := mat.NewDense(sa.m, sa.p, nil), mat.NewDense(sa.p, sa.q, nil), mat.NewDense(sa.q, sa.n, nil)
		sjvp := func(dA, dX, dB *mat.Dense) []float64 {
			return denseOut(sa.m, sa.n, func(dst *mat.Dense) { SandwichAllJVP(sa.A, sa.X, sa.B, dA, dX, dB, dst) })
		}
		checkClose(t, where+": SandwichAllJVP vs sum of one-direction JVPs",
			sjvp(vA, vX, vB), added(sjvp(vA, oX, oB), sjvp(oA, vX, oB), sjvp(oA, oX, vB)), roundTol)
	})
}

// TestRuleScalarTimesMatrix checks eq. 4, d/dx[k(x)A(x)] = k′A + kA′: for
// the terms of Curve (k = t², A const: 2tA, then 2A, then 0; k = sin t times
// the constant product B·B, where the product rule gives (B·B)′ = 0:
// cos t·BB, −sin t·BB, −cos t·BB), of Ray (eᵗx → eᵗx, t²d → 2td), of
// TraceScaled (k = tr X: D[V] = tr V·A) and ScalarCurve (eᵗ·aᵀAa); and with
// a varying A(t) = Curve(t), where k′A + kA′ built from Curve and
// CurveDeriv must match the central difference of sin t·Curve(t); and for
// the terms of ProductPath (k = 1, t, t², t³ times the constant products
// AC, BC, AD, BD), whose derivatives of order 1–3 are k′, k″, k‴ times the
// product, the vanishing ones exactly 0.
func TestRuleScalarTimesMatrix(t *testing.T) {
	forEachPoint(t, "rule-scalar", func(t *testing.T, f *factory, set int, where string) {
		cv := newCurveIn(f, set)
		n, tt := cv.n, cv.t
		zero := mat.NewDense(n, n, nil)
		bb := flat(mul(cv.B, cv.B))
		a := flat(cv.A)
		at := func(fn func(float64, *mat.Dense, *mat.Dense, *mat.Dense), A, B *mat.Dense) []float64 {
			return denseOut(n, n, func(dst *mat.Dense) { fn(tt, A, B, dst) })
		}
		checkClose(t, where+": d/dt(t²A) = 2tA", at(CurveDeriv, cv.A, zero), scaled(2*tt, a), roundTol)
		checkClose(t, where+": d²/dt²(t²A) = 2A", at(CurveDeriv2, cv.A, zero), scaled(2, a), roundTol)
		checkEqual(t, where+": d³/dt³(t²A) = 0", at(CurveDeriv3, cv.A, zero), make([]float64, n*n))
		checkClose(t, where+": d/dt(sin t·BB) = cos t·BB", at(CurveDeriv, zero, cv.B), scaled(math.Cos(tt), bb), roundTol)
		checkClose(t, where+": d²/dt²(sin t·BB) = −sin t·BB", at(CurveDeriv2, zero, cv.B), scaled(-math.Sin(tt), bb), roundTol)
		checkClose(t, where+": d³/dt³(sin t·BB) = −cos t·BB", at(CurveDeriv3, zero, cv.B), scaled(-math.Cos(tt), bb), roundTol)

		ry := newRayIn(f, set)
		zv := mat.NewVecDense(ry.n, nil)
		ray := func(x, d *mat.VecDense) []float64 {
			return vecOut(ry.n, func(dst *mat.VecDense) { RayDeriv(ry.t, x, d, dst) })
		}
		checkClose(t, where+": d/dt(eᵗx) = eᵗx", ray(ry.x, zv), scaled(math.Exp(ry.t), flat(ry.x)), roundTol)
		checkClose(t, where+": d/dt(t²d) = 2td", ray(zv, ry.d), scaled(2*ry.t, flat(ry.d)), roundTol)

		ts := newTraceScaledIn(f, set)
		v := f.dense(ts.n, ts.n)
		got := denseOut(ts.m, ts.p, func(dst *mat.Dense) { TraceScaledJVP(ts.X, ts.A, v, dst) })
		checkClose(t, where+": D[tr(X)·A][V] = tr(V)·A", got, scaled(trace(v), flat(ts.A)), roundTol)

		sc := newScalarCurveIn(f, set)
		q := func(A *mat.Dense) float64 { return ScalarCurveDeriv(sc.t, sc.a, A) }
		var av mat.VecDense
		av.MulVec(sc.A, sc.a)
		checkClose(t, where+": d/dt(eᵗ·aᵀAa) = eᵗ·aᵀAa",
			[]float64{q(sc.A) - q(mat.NewDense(sc.n, sc.n, nil))}, []float64{math.Exp(sc.t) * mat.Dot(sc.a, &av)}, roundTol)

		// k(t) = sin t, A(t) = Curve(t, A, B).
		curve := func(fn func(float64, *mat.Dense, *mat.Dense, *mat.Dense), s float64) []float64 {
			return denseOut(n, n, func(dst *mat.Dense) { fn(s, cv.A, cv.B, dst) })
		}
		rule := added(scaled(math.Cos(tt), curve(Curve, tt)), scaled(math.Sin(tt), curve(CurveDeriv, tt)))
		fdv := centralDir(n*n, fdStep*math.Max(1, math.Abs(tt)), func(s float64, y []float64) {
			copy(y, scaled(math.Sin(tt+s), curve(Curve, tt+s)))
		})
		checkClose(t, where+": d/dt[sin t·Curve(t)] = cos t·Curve + sin t·CurveDeriv", rule, fdv, fdTol)

		pp := newProductPathIn(f, set)
		tp := pp.t
		zl, zr := mat.NewDense(pp.m, pp.p, nil), mat.NewDense(pp.p, pp.n, nil)
		nought := make([]float64, pp.m*pp.n)
		bc, ad, bd := flat(mul(pp.B, pp.C)), flat(mul(pp.A, pp.D)), flat(mul(pp.B, pp.D))
		terms := []struct {
			name       string
			A, B, C, D *mat.Dense
			want       [3][]float64 // orders 1–3; nil: exactly 0
		}{
			{"AC", pp.A, zl, pp.C, zr, [3][]float64{}},
			{"t·BC", zl, pp.B, pp.C, zr, [3][]float64{bc}},
			{"t²·AD", pp.A, zl, zr, pp.D, [3][]float64{scaled(2*tp, ad), scaled(2, ad)}},
			{"t³·BD", zl, pp.B, zr, pp.D, [3][]float64{scaled(3*tp*tp, bd), scaled(6*tp, bd), scaled(6, bd)}},
		}
		derivs := []func(float64, *mat.Dense, *mat.Dense, *mat.Dense, *mat.Dense, *mat.Dense){
			ProductPathDeriv, ProductPathDeriv2, ProductPathDeriv3,
		}
		for _, c := range terms {
			for k, fn := range derivs {
				got := denseOut(pp.m, pp.n, func(dst *mat.Dense) { fn(tp, c.A, c.B, c.C, c.D, dst) })
				what := fmt.Sprintf("%s: d^%d/dt^%d(%s)", where, k+1, k+1, c.name)
				if c.want[k] == nil {
					checkEqual(t, what+" = 0", got, nought)
				} else {
					checkClose(t, what, got, c.want[k], roundTol)
				}
			}
		}
	})
}

// TestRuleProduct checks eq. 5, d/dx[A(x)B(x)] = A′B + AB′: OuterJVP of
// x xᵀ is v xᵀ + x vᵀ; ElemExpJVP of X ⊙ exp(X) is V ⊙ exp(X) + X ⊙ (exp(X) ⊙ V);
// SandwichJVP of A X B is A V B; the product rule on X·X⁻¹ = I gives
// V X⁻¹ + X·InverseJVP(X, V) = 0; and the product of two generated curves
// P(t) = Curve(t, A₁, B₁)·Curve(t, A₂, B₂) has P′ = C₁′C₂ + C₁C₂′ and
// P″ = C₁″C₂ + 2C₁′C₂′ + C₁C₂″ (checked against central differences of P
// and of that P′); differentiating M(t)·InvPath(t) = I with M = A + tB gives
// B·InvPath + M·InvPathDeriv = 0 and 2B·InvPathDeriv + M·InvPathDeriv2 = 0;
// ProductPath's derivatives are the Leibniz sums Σⱼ C(k, j) L⁽ʲ⁾R⁽ᵏ⁻ʲ⁾ of its
// factors L = A + tB and R = C + t²D, each itself computed by the generated
// ProductPath functions (L with C = I, D = 0; R with A = I, B = 0); and
// SandwichAllJVP in each direction alone is dA X B, A dX B, A X dB.
func TestRuleProduct(t *testing.T) {
	forEachPoint(t, "rule-product", func(t *testing.T, f *factory, set int, where string) {
		ou := newOuterIn(f, set)
		v := f.vec(ou.n)
		var vx, xv mat.Dense
		vx.Outer(1, v, ou.x)
		xv.Outer(1, ou.x, v)
		got := denseOut(ou.n, ou.n, func(dst *mat.Dense) { OuterJVP(ou.x, v, dst) })
		checkClose(t, where+": OuterJVP vs v xᵀ + x vᵀ", got, added(flat(&vx), flat(&xv)), roundTol)

		ee := newElemExpIn(f, set)
		vE := f.dense(ee.m, ee.n)
		want := make([]float64, 0, ee.m*ee.n)
		for i := 0; i < ee.m; i++ {
			for j := 0; j < ee.n; j++ {
				x, d := ee.X.At(i, j), vE.At(i, j)
				want = append(want, d*math.Exp(x)+x*(math.Exp(x)*d))
			}
		}
		got = denseOut(ee.m, ee.n, func(dst *mat.Dense) { ElemExpJVP(ee.X, vE, dst) })
		checkClose(t, where+": ElemExpJVP vs V ⊙ eˣ + X ⊙ (eˣ ⊙ V)", got, want, roundTol)

		sw := newSandwichIn(f, set)
		vS := f.dense(sw.p, sw.q)
		got = denseOut(sw.m, sw.n, func(dst *mat.Dense) { SandwichJVP(sw.A, sw.X, sw.B, vS, dst) })
		checkClose(t, where+": SandwichJVP vs A V B", got, flat(mul(sw.A, vS, sw.B)), roundTol)

		iv := newInverseIn(f, set)
		vI := f.dense(iv.n, iv.n)
		inv, dinv := nanDense(iv.n, iv.n), nanDense(iv.n, iv.n)
		Inverse(iv.X, inv)
		InverseJVP(iv.X, vI, dinv)
		checkClose(t, where+": V X⁻¹ + X·InverseJVP(X, V) vs 0",
			added(flat(mul(vI, inv)), flat(mul(iv.X, dinv))), make([]float64, iv.n*iv.n), roundTol)

		c1, c2 := newCurveIn(f, set), newCurveIn(f, set)
		n, tt := c1.n, c1.t
		at := func(c curveIn, fn func(float64, *mat.Dense, *mat.Dense, *mat.Dense), s float64) *mat.Dense {
			dst := nanDense(n, n)
			fn(s, c.A, c.B, dst)
			return dst
		}
		dP := func(s float64) []float64 {
			return added(flat(mul(at(c1, CurveDeriv, s), at(c2, Curve, s))), flat(mul(at(c1, Curve, s), at(c2, CurveDeriv, s))))
		}
		step := fdStep * math.Max(1, math.Abs(tt))
		fdP := centralDir(n*n, step, func(s float64, y []float64) {
			copy(y, flat(mul(at(c1, Curve, tt+s), at(c2, Curve, tt+s))))
		})
		checkClose(t, where+": (C₁C₂)′ = C₁′C₂ + C₁C₂′", dP(tt), fdP, fdTol)
		d2P := added(flat(mul(at(c1, CurveDeriv2, tt), at(c2, Curve, tt))),
			scaled(2, flat(mul(at(c1, CurveDeriv, tt), at(c2, CurveDeriv, tt)))),
			flat(mul(at(c1, Curve, tt), at(c2, CurveDeriv2, tt))))
		fdP2 := centralDir(n*n, step, func(s float64, y []float64) { copy(y, dP(tt+s)) })
		checkClose(t, where+": (C₁C₂)″ = C₁″C₂ + 2C₁′C₂′ + C₁C₂″", d2P, fdP2, fdTol)

		ip := newInvPathIn(f, set)
		ni := ip.n
		ipAt := func(fn func(float64, *mat.Dense, *mat.Dense, *mat.Dense)) *mat.Dense {
			dst := nanDense(ni, ni)
			fn(ip.t, ip.A, ip.B, dst)
			return dst
		}
		mt := ip.m(ip.t)
		f0, f1, f2 := ipAt(InvPath), ipAt(InvPathDeriv), ipAt(InvPathDeriv2)
		noughtI := make([]float64, ni*ni)
		checkClose(t, where+": (M·InvPath)′ = B·InvPath + M·InvPathDeriv vs 0",
			added(flat(mul(ip.B, f0)), flat(mul(mt, f1))), noughtI, roundTol)
		checkClose(t, where+": (M·InvPath)″ = 2B·InvPathDeriv + M·InvPathDeriv2 vs 0",
			added(scaled(2, flat(mul(ip.B, f1))), flat(mul(mt, f2))), noughtI, roundTol)

		pp := newProductPathIn(f, set)
		eye := mat.NewDense(pp.p, pp.p, nil)
		for i := 0; i < pp.p; i++ {
			eye.Set(i, i, 1)
		}
		zp := mat.NewDense(pp.p, pp.p, nil)
		ppChain := []func(float64, *mat.Dense, *mat.Dense, *mat.Dense, *mat.Dense, *mat.Dense){
			ProductPath, ProductPathDeriv, ProductPathDeriv2, ProductPathDeriv3,
		}
		var left, right []*mat.Dense // L⁽ʲ⁾ and R⁽ʲ⁾
		for _, fn := range ppChain {
			l, r := nanDense(pp.m, pp.p), nanDense(pp.p, pp.n)
			fn(pp.t, pp.A, pp.B, eye, zp, l)
			fn(pp.t, eye, zp, pp.C, pp.D, r)
			left, right = append(left, l), append(right, r)
		}
		binom := [][]float64{{1}, {1, 1}, {1, 2, 1}, {1, 3, 3, 1}}
		for k := 1; k < len(ppChain); k++ {
			leibniz := make([]float64, pp.m*pp.n)
			for j := 0; j <= k; j++ {
				leibniz = axpy(leibniz, binom[k][j], flat(mul(left[j], right[k-j])))
			}
			got := denseOut(pp.m, pp.n, func(dst *mat.Dense) { ppChain[k](pp.t, pp.A, pp.B, pp.C, pp.D, dst) })
			checkClose(t, fmt.Sprintf("%s: ProductPath order %d vs Σⱼ C(%d, j) L⁽ʲ⁾R⁽%d⁻ʲ⁾", where, k, k, k), got, leibniz, roundTol)
		}

		sa := newSandwichIn(f, set)
		vA, vX, vB := f.dense(sa.m, sa.p), f.dense(sa.p, sa.q), f.dense(sa.q, sa.n)
		oA, oX, oB := mat.NewDense(sa.m, sa.p, nil), mat.NewDense(sa.p, sa.q, nil), mat.NewDense(sa.q, sa.n, nil)
		sjvp := func(dA, dX, dB *mat.Dense) []float64 {
			return denseOut(sa.m, sa.n, func(dst *mat.Dense) { SandwichAllJVP(sa.A, sa.X, sa.B, dA, dX, dB, dst) })
		}
		checkClose(t, where+": SandwichAllJVP in A vs dA X B", sjvp(vA, oX, oB), flat(mul(vA, sa.X, sa.B)), roundTol)
		checkClose(t, where+": SandwichAllJVP in X vs A dX B", sjvp(oA, vX, oB), flat(mul(sa.A, vX, sa.B)), roundTol)
		checkClose(t, where+": SandwichAllJVP in B vs A X dB", sjvp(oA, oX, vB), flat(mul(sa.A, sa.X, vB)), roundTol)
		checkClose(t, where+": SandwichAllJVP vs dA X B + A dX B + A X dB", sjvp(vA, vX, vB),
			added(flat(mul(vA, sa.X, sa.B)), flat(mul(sa.A, vX, sa.B)), flat(mul(sa.A, sa.X, vB))), roundTol)
	})
}

// chainG is the inner function x = g(s) of the chain-rule tests, with its
// first three derivatives.
func chainG(s float64) (g, g1, g2, g3 float64) {
	return s*s/2 + math.Sin(s), s + math.Cos(s), 1 - math.Sin(s), -math.Cos(s)
}

// TestRuleChain checks eq. 6, d/ds A(g(s)) = g′(s)·dA/dx at x = g(s), with
// g(s) = s²/2 + sin s: for Ray and Curve (central difference of F(g(s))
// vs g′·FDeriv, and the second- and third-order chain rules g″F′ + g′²F″ and g‴F′ + 3g′g″F″ + g′³F‴ against
// central differences of the lower order), for ScalarCurve via
// fd.Derivative, for Inverse along X(s) = X₀ + sin s·V (cos s·InverseJVP),
// and in Jacobian form: d/ds F(X(s)) = Σ_kl X′(s)_kl·block_kl(FJacobian)
// for Sandwich with X(s) = X₀ + s²V and for Inverse. InvPath and
// ProductPath go through the same derivative-chain checks as Ray and Curve
// (ProductPath to third order); besides, InvPath is inv∘M with
// M(t) = A + tB, M′ = B, so InvPathDeriv = InverseJVP(M(t), B),
// InvPathJacobian = Σ B_kl·block_kl(InverseJacobian(M(t))) and InvPathDeriv2
// is the central difference in t of InverseJVP(M(t), B). SandwichAll along
// A(s) = A₀ + sin s·U_A, X(s) = X₀ + s²U_X, B(s) = B₀ + s·U_B has d/ds F =
// the sum of its three Jacobians contracted with A′, X′, B′, which is also
// SandwichAllJVP(A′, X′, B′).
func TestRuleChain(t *testing.T) {
	forEachPoint(t, "rule-chain", func(t *testing.T, f *factory, set int, where string) {
		s0 := f.uniform(-1.5, 1.5)
		g, g1, g2, g3 := chainG(s0)
		step := fdStep

		for _, b := range derivBuilders {
			c := b.build(f, set)
			d1 := c.at(1, g)
			d2 := c.at(2, g)
			fd1 := centralDir(c.size, step, func(s float64, y []float64) { c.chain[0](chainG2(s0+s), y) })
			checkClose(t, where+": "+b.name+": d/ds F(g(s)) = g′·FDeriv", scaled(g1, d1), fd1, fdTol)
			second := added(scaled(g2, d1), scaled(g1*g1, d2))
			fd2 := centralDir(c.size, step, func(s float64, y []float64) {
				_, h1, _, _ := chainG(s0 + s)
				copy(y, scaled(h1, c.at(1, chainG2(s0+s))))
			})
			checkClose(t, where+": "+b.name+": d²/ds² F(g(s)) = g″F′ + g′²F″", second, fd2, fdTol)
			if len(c.chain) > 3 {
				d3 := c.at(3, g)
				third := added(scaled(g3, d1), scaled(3*g1*g2, d2), scaled(g1*g1*g1, d3))
				fd3 := centralDir(c.size, step, func(s float64, y []float64) {
					x, h1, h2, _ := chainG(s0 + s)
					copy(y, added(scaled(h2, c.at(1, x)), scaled(h1*h1, c.at(2, x))))
				})
				checkClose(t, where+": "+b.name+": d³/ds³ F(g(s)) = g‴F′ + 3g′g″F″ + g′³F‴", third, fd3, fdTol)
			}
		}

		sc := newScalarCurveIn(f, set)
		chain := scalarCurveChain(sc)
		checkClose(t, where+": ScalarCurve: d/ds f(g(s)) = g′·f′",
			[]float64{g1 * chain[1](g)}, []float64{centralDeriv(func(s float64) float64 { return chain[0](chainG2(s)) }, s0)}, fdTol)
		checkClose(t, where+": ScalarCurve: d²/ds² f(g(s)) = g″f′ + g′²f″",
			[]float64{g2*chain[1](g) + g1*g1*chain[2](g)},
			[]float64{centralDeriv(func(s float64) float64 { _, h1, _, _ := chainG(s); return h1 * chain[1](chainG2(s)) }, s0)}, fdTol)

		iv := newInverseIn(f, set)
		n := iv.n
		v := f.denseFn(n, n, func(int, int) float64 { return 0.3 * f.normal() })
		xOf := func(s float64) *mat.Dense {
			x := mat.NewDense(n, n, nil)
			x.Scale(math.Sin(s), v)
			x.Add(x, iv.X)
			return x
		}
		fdI := centralDir(n*n, step, func(s float64, y []float64) { Inverse(xOf(s0+s), dn(n, n, y)) })
		jvpI := denseOut(n, n, func(dst *mat.Dense) { InverseJVP(xOf(s0), v, dst) })
		checkClose(t, where+": d/ds inv(X₀ + sin s·V) = cos s·InverseJVP", scaled(math.Cos(s0), jvpI), fdI, fdTol)
		jI := nanDense(n*n, n*n)
		InverseJacobian(xOf(s0), jI)
		checkClose(t, where+": d/ds inv(X(s)) = Σ X′_kl·block_kl(InverseJacobian)",
			contractBlocks(jI, n, n, scaled(math.Cos(s0), flat(v)), n, n), fdI, fdTol)

		sw := newSandwichIn(f, set)
		vS := f.dense(sw.p, sw.q)
		xS := func(s float64) *mat.Dense {
			x := mat.NewDense(sw.p, sw.q, nil)
			x.Scale(s*s, vS)
			x.Add(x, sw.X)
			return x
		}
		fdS := centralDir(sw.m*sw.n, step, func(s float64, y []float64) { Sandwich(sw.A, xS(s0+s), sw.B, dn(sw.m, sw.n, y)) })
		jS := nanDense(sw.p*sw.m, sw.q*sw.n)
		SandwichJacobian(sw.A, xS(s0), sw.B, jS)
		checkClose(t, where+": d/ds A X(s) B = Σ X′_kl·block_kl(SandwichJacobian)",
			contractBlocks(jS, sw.m, sw.n, scaled(2*s0, flat(vS)), sw.p, sw.q), fdS, fdTol)

		ip := newInvPathIn(f, set)
		ni := ip.n
		ipAt := func(fn func(float64, *mat.Dense, *mat.Dense, *mat.Dense)) []float64 {
			return denseOut(ni, ni, func(dst *mat.Dense) { fn(ip.t, ip.A, ip.B, dst) })
		}
		invJVP := func(tt float64) []float64 {
			return denseOut(ni, ni, func(dst *mat.Dense) { InverseJVP(ip.m(tt), ip.B, dst) })
		}
		d1 := ipAt(InvPathDeriv)
		checkClose(t, where+": InvPathDeriv = InverseJVP(A + tB, B)", d1, invJVP(ip.t), roundTol)
		jInv := nanDense(ni*ni, ni*ni)
		InverseJacobian(ip.m(ip.t), jInv)
		checkClose(t, where+": InvPathDeriv = Σ B_kl·block_kl(InverseJacobian(A + tB))",
			d1, contractBlocks(jInv, ni, ni, flat(ip.B), ni, ni), exactTol)
		jt := denseOut(ni, ni, func(j *mat.Dense) { InvPathJacobian(ip.t, ip.A, ip.B, j) })
		checkClose(t, where+": InvPathJacobian = Σ B_kl·block_kl(InverseJacobian(A + tB))",
			jt, contractBlocks(jInv, ni, ni, flat(ip.B), ni, ni), exactTol)
		fdJVP := centralDir(ni*ni, step, func(s float64, y []float64) { copy(y, invJVP(ip.t+s)) })
		checkClose(t, where+": InvPathDeriv2 = d/dt InverseJVP(A + tB, B)", ipAt(InvPathDeriv2), fdJVP, fdTol)

		sa := newSandwichIn(f, set)
		uA, uX, uB := f.dense(sa.m, sa.p), f.dense(sa.p, sa.q), f.dense(sa.q, sa.n)
		path := func(base, dir *mat.Dense, k float64) *mat.Dense {
			out := new(mat.Dense)
			out.Scale(k, dir)
			out.Add(base, out)
			return out
		}
		fAt := func(s float64, y []float64) {
			SandwichAll(path(sa.A, uA, math.Sin(s)), path(sa.X, uX, s*s), path(sa.B, uB, s), dn(sa.m, sa.n, y))
		}
		fdSA := centralDir(sa.m*sa.n, step, func(s float64, y []float64) { fAt(s0+s, y) })
		a0, x0, b0 := path(sa.A, uA, math.Sin(s0)), path(sa.X, uX, s0*s0), path(sa.B, uB, s0)
		da, dx, db := scaled(math.Cos(s0), flat(uA)), scaled(2*s0, flat(uX)), flat(uB)
		jA, jX, jB := nanDense(sa.m*sa.m, sa.p*sa.n), nanDense(sa.p*sa.m, sa.q*sa.n), nanDense(sa.q*sa.m, sa.n*sa.n)
		SandwichAllJacobian(a0, x0, b0, jA, jX, jB)
		viaJ := added(contractBlocks(jA, sa.m, sa.n, da, sa.m, sa.p),
			contractBlocks(jX, sa.m, sa.n, dx, sa.p, sa.q),
			contractBlocks(jB, sa.m, sa.n, db, sa.q, sa.n))
		checkClose(t, where+": d/ds A(s)X(s)B(s) = Σ over A, X, B of Σ w′_kl·block_kl(SandwichAllJacobian)", viaJ, fdSA, fdTol)
		viaJVP := denseOut(sa.m, sa.n, func(dst *mat.Dense) {
			SandwichAllJVP(a0, x0, b0, dn(sa.m, sa.p, da), dn(sa.p, sa.q, dx), dn(sa.q, sa.n, db), dst)
		})
		checkClose(t, where+": SandwichAllJVP(A′, X′, B′) vs the contracted Jacobians", viaJVP, viaJ, exactTol)
	})
}

// chainG2 is g(s) alone.
func chainG2(s float64) float64 { g, _, _, _ := chainG(s); return g }

// contractBlocks returns Σ_kl w_kl·block_kl(J) for J in the block layout
// of an fr×fc F and a p×q w (w flattened row-major).
func contractBlocks(j *mat.Dense, fr, fc int, w []float64, p, q int) []float64 {
	out := make([]float64, fr*fc)
	for k := 0; k < p; k++ {
		for l := 0; l < q; l++ {
			for i := 0; i < fr; i++ {
				for c := 0; c < fc; c++ {
					out[i*fc+c] += w[k*q+l] * j.At(k*fr+i, l*fc+c)
				}
			}
		}
	}
	return out
}

// TestRuleJacobianOfSum checks eq. 13, D(A + B)/DC = DA/DC + DB/DC, on the
// generated Jacobians: CurveJacobian and RayJacobian split over their terms;
// SandwichJacobian of (A₁ + A₂)XB and of AX(B₁ + B₂); TraceScaledJacobian
// of tr(X)(A₁ + A₂); and AffineJacobian of b + Ax, where D(b)/Dx = 0 and
// D(Ax)/Db = 0 make Jx exactly A, Jb exactly I and JA independent of A
// and b, and linear: JA in x, Jx in A. ProductPathJacobian splits over the four
// terms AC + tBC + t²AD + t³BD. SandwichAllJacobian of A X B, linear in each
// factor, has JA independent of A, JX of X and JB of B (exactly), and each
// Jacobian linear in the other two factors: JA in X and in B, JX in A and
// in B, JB in A and in X.
func TestRuleJacobianOfSum(t *testing.T) {
	forEachPoint(t, "rule-jacsum", func(t *testing.T, f *factory, set int, where string) {
		cv := newCurveIn(f, set)
		n := cv.n
		zero := mat.NewDense(n, n, nil)
		cj := func(A, B *mat.Dense) []float64 {
			return denseOut(n, n, func(j *mat.Dense) { CurveJacobian(cv.t, A, B, j) })
		}
		checkClose(t, where+": CurveJacobian of a sum", cj(cv.A, cv.B), added(cj(cv.A, zero), cj(zero, cv.B)), roundTol)

		ry := newRayIn(f, set)
		zv := mat.NewVecDense(ry.n, nil)
		rj := func(x, d *mat.VecDense) []float64 {
			return denseOut(ry.n, 1, func(j *mat.Dense) { RayJacobian(ry.t, x, d, j) })
		}
		checkClose(t, where+": RayJacobian of a sum", rj(ry.x, ry.d), added(rj(ry.x, zv), rj(zv, ry.d)), roundTol)

		sw := newSandwichIn(f, set)
		sj := func(A, B *mat.Dense) []float64 {
			return denseOut(sw.p*sw.m, sw.q*sw.n, func(j *mat.Dense) { SandwichJacobian(A, sw.X, B, j) })
		}
		a2, b2 := f.dense(sw.m, sw.p), f.dense(sw.q, sw.n)
		var aSum, bSum mat.Dense
		aSum.Add(sw.A, a2)
		bSum.Add(sw.B, b2)
		checkClose(t, where+": SandwichJacobian of (A₁ + A₂)XB", sj(&aSum, sw.B), added(sj(sw.A, sw.B), sj(a2, sw.B)), roundTol)
		checkClose(t, where+": SandwichJacobian of AX(B₁ + B₂)", sj(sw.A, &bSum), added(sj(sw.A, sw.B), sj(sw.A, b2)), roundTol)

		ts := newTraceScaledIn(f, set)
		a2t := f.dense(ts.m, ts.p)
		var tSum mat.Dense
		tSum.Add(ts.A, a2t)
		tj := func(A *mat.Dense) []float64 {
			return denseOut(ts.n*ts.m, ts.n*ts.p, func(j *mat.Dense) { TraceScaledJacobian(ts.X, A, j) })
		}
		checkClose(t, where+": TraceScaledJacobian of tr(X)(A₁ + A₂)", tj(&tSum), added(tj(ts.A), tj(a2t)), roundTol)

		af := newAffineIn(f, set)
		aj := func(A *mat.Dense, b *mat.VecDense) (ja, jx, jb []float64) {
			JA, Jx, Jb := nanDense(af.m*af.m, af.n), nanDense(af.m, af.n), nanDense(af.m, af.m)
			AffineJacobian(A, af.x, b, JA, Jx, Jb)
			return flat(JA), flat(Jx), flat(Jb)
		}
		ja, jx, jb := aj(af.A, af.b)
		ja0, jx0, _ := aj(af.A, mat.NewVecDense(af.m, nil))
		ja1, _, jb1 := aj(mat.NewDense(af.m, af.n, nil), af.b)
		eye := mat.NewDense(af.m, af.m, nil)
		for i := 0; i < af.m; i++ {
			eye.Set(i, i, 1)
		}
		checkEqual(t, where+": AffineJacobian Jx = D(Ax)/Dx + D(b)/Dx = A", jx, flat(af.A))
		checkEqual(t, where+": AffineJacobian Jx without b", jx0, jx)
		checkEqual(t, where+": AffineJacobian Jb = D(Ax)/Db + D(b)/Db = I", jb, flat(eye))
		checkEqual(t, where+": AffineJacobian Jb with A = 0", jb1, jb)
		checkEqual(t, where+": AffineJacobian JA without b", ja0, ja)
		checkEqual(t, where+": AffineJacobian JA with A = 0", ja1, ja)
		// Linearity: JA is linear in x, Jx in A.
		x2 := f.vec(af.n)
		var xSum mat.VecDense
		xSum.AddVec(af.x, x2)
		jaOf := func(x *mat.VecDense) []float64 {
			JA := nanDense(af.m*af.m, af.n)
			AffineJacobian(af.A, x, af.b, JA, nanDense(af.m, af.n), nanDense(af.m, af.m))
			return flat(JA)
		}
		checkClose(t, where+": AffineJacobian JA(x₁ + x₂) = JA(x₁) + JA(x₂)", jaOf(&xSum), added(jaOf(af.x), jaOf(x2)), roundTol)
		A2 := f.dense(af.m, af.n)
		var aSumAff mat.Dense
		aSumAff.Add(af.A, A2)
		_, jxSum, _ := aj(&aSumAff, af.b)
		_, jx2, _ := aj(A2, af.b)
		checkClose(t, where+": AffineJacobian Jx(A₁ + A₂) = Jx(A₁) + Jx(A₂)", jxSum, added(jx, jx2), roundTol)

		pp := newProductPathIn(f, set)
		zl, zr := mat.NewDense(pp.m, pp.p, nil), mat.NewDense(pp.p, pp.n, nil)
		pj := func(A, B, C, D *mat.Dense) []float64 {
			return denseOut(pp.m, pp.n, func(j *mat.Dense) { ProductPathJacobian(pp.t, A, B, C, D, j) })
		}
		checkClose(t, where+": ProductPathJacobian of a sum", pj(pp.A, pp.B, pp.C, pp.D),
			added(pj(pp.A, zl, pp.C, zr), pj(zl, pp.B, pp.C, zr), pj(pp.A, zl, zr, pp.D), pj(zl, pp.B, zr, pp.D)), roundTol)

		sa := newSandwichIn(f, set)
		saj := func(A, X, B *mat.Dense) [3][]float64 {
			jA, jX, jB := nanDense(sa.m*sa.m, sa.p*sa.n), nanDense(sa.p*sa.m, sa.q*sa.n), nanDense(sa.q*sa.m, sa.n*sa.n)
			SandwichAllJacobian(A, X, B, jA, jX, jB)
			return [3][]float64{flat(jA), flat(jX), flat(jB)}
		}
		otherA, otherX, otherB := f.dense(sa.m, sa.p), f.dense(sa.p, sa.q), f.dense(sa.q, sa.n)
		sum := func(a, b *mat.Dense) *mat.Dense {
			out := new(mat.Dense)
			out.Add(a, b)
			return out
		}
		base := saj(sa.A, sa.X, sa.B)
		checkEqual(t, where+": SandwichAllJacobian JA with another A", saj(otherA, sa.X, sa.B)[0], base[0])
		checkEqual(t, where+": SandwichAllJacobian JX with another X", saj(sa.A, otherX, sa.B)[1], base[1])
		checkEqual(t, where+": SandwichAllJacobian JB with another B", saj(sa.A, sa.X, otherB)[2], base[2])
		names := [3]string{"JA", "JX", "JB"}
		splits := []struct {
			name      string
			sum, part [3]*mat.Dense // (A, X, B) with one factor A₁ + A₂, and with A₂ alone
			skip      int           // the Jacobian that does not depend on the split factor
		}{
			{"A₁ + A₂", [3]*mat.Dense{sum(sa.A, otherA), sa.X, sa.B}, [3]*mat.Dense{otherA, sa.X, sa.B}, 0},
			{"X₁ + X₂", [3]*mat.Dense{sa.A, sum(sa.X, otherX), sa.B}, [3]*mat.Dense{sa.A, otherX, sa.B}, 1},
			{"B₁ + B₂", [3]*mat.Dense{sa.A, sa.X, sum(sa.B, otherB)}, [3]*mat.Dense{sa.A, sa.X, otherB}, 2},
		}
		for _, sp := range splits {
			js := saj(sp.sum[0], sp.sum[1], sp.sum[2])
			jp := saj(sp.part[0], sp.part[1], sp.part[2])
			for i := range names {
				if i == sp.skip {
					continue
				}
				checkClose(t, fmt.Sprintf("%s: SandwichAllJacobian %s(%s) = %s(…₁) + %s(…₂)", where, names[i], sp.name, names[i], names[i]),
					js[i], added(base[i], jp[i]), roundTol)
			}
		}
	})
}

// TestJacobianBlockStructure checks the Jacobians whose blocks have a
// closed form entry by entry: SandwichJacobian block (k, l) = A[:,k] B[l,:]
// exactly; AffineJacobian JA block (k, l) = e_k x_l exactly (Jx and Jb in
// TestRuleJacobianOfSum); OuterJacobian block (0, l) = e_l xᵀ + x e_lᵀ
// exactly; TraceScaledJacobian block (k, l) = δ_kl A exactly;
// ElemExpJacobian block (k, l) zero except (1 + x_kl) exp(x_kl) at (k, l);
// InverseJacobian block (k, l) = −X⁻¹[:,k] X⁻¹[l,:] with X⁻¹ from gonum;
// and the three Jacobians of SandwichAll = A X B: JA block (k, l) =
// e_k (XB)[l,:], JX block (k, l) = A[:,k] B[l,:] exactly (and exactly
// SandwichJacobian), JB block (k, l) = (AX)[:,k] e_lᵀ, with XB and AX from
// gonum and every structural zero exactly 0.
func TestJacobianBlockStructure(t *testing.T) {
	forEachPoint(t, "jac-structure", func(t *testing.T, f *factory, set int, where string) {
		sw := newSandwichIn(f, set)
		js := nanDense(sw.p*sw.m, sw.q*sw.n)
		SandwichJacobian(sw.A, sw.X, sw.B, js)
		want := mat.NewDense(sw.p*sw.m, sw.q*sw.n, nil)
		for k := 0; k < sw.p; k++ {
			for l := 0; l < sw.q; l++ {
				for i := 0; i < sw.m; i++ {
					for j := 0; j < sw.n; j++ {
						want.Set(k*sw.m+i, l*sw.n+j, sw.A.At(i, k)*sw.B.At(l, j))
					}
				}
			}
		}
		checkEqual(t, where+": SandwichJacobian blocks A[:,k] B[l,:]", flat(js), flat(want))

		af := newAffineIn(f, set)
		JA := nanDense(af.m*af.m, af.n)
		AffineJacobian(af.A, af.x, af.b, JA, nanDense(af.m, af.n), nanDense(af.m, af.m))
		want = mat.NewDense(af.m*af.m, af.n, nil)
		for k := 0; k < af.m; k++ {
			for l := 0; l < af.n; l++ {
				want.Set(k*af.m+k, l, af.x.AtVec(l))
			}
		}
		checkEqual(t, where+": AffineJacobian JA blocks e_k x_l", flat(JA), flat(want))

		ou := newOuterIn(f, set)
		jo := nanDense(ou.n, ou.n*ou.n)
		OuterJacobian(ou.x, jo)
		want = mat.NewDense(ou.n, ou.n*ou.n, nil)
		for l := 0; l < ou.n; l++ {
			for i := 0; i < ou.n; i++ {
				for j := 0; j < ou.n; j++ {
					v := 0.0
					if i == l {
						v += ou.x.AtVec(j)
					}
					if j == l {
						v += ou.x.AtVec(i)
					}
					want.Set(i, l*ou.n+j, v)
				}
			}
		}
		checkEqual(t, where+": OuterJacobian blocks e_l xᵀ + x e_lᵀ", flat(jo), flat(want))

		ts := newTraceScaledIn(f, set)
		jt := nanDense(ts.n*ts.m, ts.n*ts.p)
		TraceScaledJacobian(ts.X, ts.A, jt)
		want = mat.NewDense(ts.n*ts.m, ts.n*ts.p, nil)
		for k := 0; k < ts.n; k++ {
			want.Slice(k*ts.m, (k+1)*ts.m, k*ts.p, (k+1)*ts.p).(*mat.Dense).Copy(ts.A)
		}
		checkEqual(t, where+": TraceScaledJacobian blocks δ_kl A", flat(jt), flat(want))

		ee := newElemExpIn(f, set)
		je := nanDense(ee.m*ee.m, ee.n*ee.n)
		ElemExpJacobian(ee.X, je)
		want = mat.NewDense(ee.m*ee.m, ee.n*ee.n, nil)
		for k := 0; k < ee.m; k++ {
			for l := 0; l < ee.n; l++ {
				x := ee.X.At(k, l)
				want.Set(k*ee.m+k, l*ee.n+l, (1+x)*math.Exp(x))
			}
		}
		checkClose(t, where+": ElemExpJacobian blocks", flat(je), flat(want), roundTol)
		for i, v := range flat(je) {
			if flat(want)[i] == 0 && v != 0 {
				t.Errorf("%s: ElemExpJacobian entry %d is %v, want a structural 0", where, i, v)
				break
			}
		}

		iv := newInverseIn(f, set)
		ji := nanDense(iv.n*iv.n, iv.n*iv.n)
		InverseJacobian(iv.X, ji)
		var inv mat.Dense
		if err := inv.Inverse(iv.X); err != nil {
			t.Fatal(err)
		}
		want = mat.NewDense(iv.n*iv.n, iv.n*iv.n, nil)
		for k := 0; k < iv.n; k++ {
			for l := 0; l < iv.n; l++ {
				for i := 0; i < iv.n; i++ {
					for j := 0; j < iv.n; j++ {
						want.Set(k*iv.n+i, l*iv.n+j, -inv.At(i, k)*inv.At(l, j))
					}
				}
			}
		}
		checkClose(t, where+": InverseJacobian blocks −X⁻¹[:,k] X⁻¹[l,:]", flat(ji), flat(want), roundTol)

		sa := newSandwichIn(f, set)
		m, p, q, n := sa.m, sa.p, sa.q, sa.n
		jA, jX, jB := nanDense(m*m, p*n), nanDense(p*m, q*n), nanDense(q*m, n*n)
		SandwichAllJacobian(sa.A, sa.X, sa.B, jA, jX, jB)
		xb, ax := mul(sa.X, sa.B), mul(sa.A, sa.X)
		want = mat.NewDense(m*m, p*n, nil)
		for k := 0; k < m; k++ {
			for l := 0; l < p; l++ {
				for j := 0; j < n; j++ {
					want.Set(k*m+k, l*n+j, xb.At(l, j))
				}
			}
		}
		checkClose(t, where+": SandwichAllJacobian JA blocks e_k (XB)[l,:]", flat(jA), flat(want), roundTol)
		checkStructuralZeros(t, where+": SandwichAllJacobian JA", flat(jA), flat(want))
		want = mat.NewDense(p*m, q*n, nil)
		for k := 0; k < p; k++ {
			for l := 0; l < q; l++ {
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						want.Set(k*m+i, l*n+j, sa.A.At(i, k)*sa.B.At(l, j))
					}
				}
			}
		}
		checkEqual(t, where+": SandwichAllJacobian JX blocks A[:,k] B[l,:]", flat(jX), flat(want))
		jS := nanDense(p*m, q*n)
		SandwichJacobian(sa.A, sa.X, sa.B, jS)
		checkEqual(t, where+": SandwichAllJacobian JX vs SandwichJacobian", flat(jX), flat(jS))
		want = mat.NewDense(q*m, n*n, nil)
		for k := 0; k < q; k++ {
			for l := 0; l < n; l++ {
				for i := 0; i < m; i++ {
					want.Set(k*m+i, l*n+l, ax.At(i, k))
				}
			}
		}
		checkClose(t, where+": SandwichAllJacobian JB blocks (AX)[:,k] e_lᵀ", flat(jB), flat(want), roundTol)
		checkStructuralZeros(t, where+": SandwichAllJacobian JB", flat(jB), flat(want))
	})
}

// checkStructuralZeros reports an error unless got is exactly 0 wherever
// want is.
func checkStructuralZeros(t testing.TB, what string, got, want []float64) {
	t.Helper()
	for i, v := range got {
		if want[i] == 0 && v != 0 {
			t.Errorf("%s: entry %d of %d is %v, want a structural 0", what, i, len(got), v)
			return
		}
	}
}
