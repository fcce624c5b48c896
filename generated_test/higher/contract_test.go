package higher

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// snapshot returns the entries of each object.
func snapshot(objs []any) [][]float64 {
	out := make([][]float64, len(objs))
	for i, o := range objs {
		out[i] = flat(o)
	}
	return out
}

// sameBits reports whether a and b hold the same float64 bit patterns.
func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// safeCall calls in, turning a panic into a test error (ok false), so one
// broken function does not hide the results of the others.
func safeCall(t *testing.T, what string, in instance) (ret float64, ok bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: panicked: %v", what, r)
			ok = false
		}
	}()
	return in.call(), true
}

// TestRegistryComplete checks that the registry the contract tests run on
// lists every exported function of higher_grad.go (other than the
// Problem/Unpack helpers, which TestProblems covers), so a function added
// to the spec cannot escape the overwrite, allocation, concurrency and
// stride tests.
func TestRegistryComplete(t *testing.T) {
	file, err := parser.ParseFile(token.NewFileSet(), "higher_grad.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var have []string
	for _, e := range registry {
		have = append(have, e.name)
	}
	for _, d := range file.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || !fn.Name.IsExported() || fn.Recv != nil {
			continue // RunPart, a workspace's method, is not API
		}
		name := fn.Name.Name
		if strings.HasSuffix(name, "Problem") || strings.HasSuffix(name, "Unpack") {
			continue
		}
		if !slices.Contains(have, name) {
			t.Errorf("%s is not in the registry of inputs_test.go", name)
		}
	}
}

// TestOverwritesDestinations checks that every generated function
// overwrites every entry of every destination, structural zeros included:
// the destinations are pre-filled with NaN and then with huge garbage, and
// the results must equal, exactly, those of a call on zeroed destinations.
// It also checks that no input is modified.
func TestOverwritesDestinations(t *testing.T) {
	for _, e := range registry {
		for _, set := range shapeSets {
			f := newFactory(seedFor("overwrite/"+e.name, set, 0), false)
			in := e.make(f, set)
			if len(in.outs) == 0 {
				continue
			}
			inputs := snapshot(f.inputs)
			where := fmt.Sprintf("%s (set %d)", e.name, set)
			for _, o := range in.outs {
				fill(o, func() float64 { return 0 })
			}
			wantRet, ok := safeCall(t, where, in)
			if !ok {
				continue
			}
			want := snapshot(in.outs)
			for _, garbage := range []func() float64{
				math.NaN,
				func() float64 { return 1e300 * f.normal() },
			} {
				for _, o := range in.outs {
					fill(o, garbage)
				}
				ret, ok := safeCall(t, where, in)
				if !ok {
					break
				}
				if ret != wantRet {
					t.Errorf("%s: returns %v over garbage, %v over zeros", where, ret, wantRet)
				}
				for i, o := range in.outs {
					checkEqual(t, fmt.Sprintf("%s: destination %d over garbage", where, i), flat(o), want[i])
				}
			}
			for i, o := range f.inputs {
				if !sameBits(flat(o), inputs[i]) {
					t.Errorf("%s: input %d was modified", where, i)
				}
			}
		}
	}
}

// TestZeroAllocs checks that every generated function allocates nothing
// per call in steady state (after one warm-up call), on every shape set.
func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops entries at random under the race detector")
	}
	for _, e := range registry {
		for _, set := range shapeSets {
			in := e.make(newFactory(seedFor("allocs/"+e.name, set, 0), false), set)
			if _, ok := safeCall(t, fmt.Sprintf("%s (set %d)", e.name, set), in); !ok {
				continue
			}
			if a := testing.AllocsPerRun(100, func() { in.call() }); a != 0 {
				t.Errorf("%s (set %d): %v allocations per call, want 0", e.name, set, a)
			}
		}
	}
}

// TestConcurrentUse runs every generated function (Jacobians, Hessians and
// Hessian-vector products among them) from many goroutines at once, on
// different inputs of every shape set so the pooled workspaces change size
// between calls, and checks every result against the sequential one bit
// for bit. Run it with -race.
func TestConcurrentUse(t *testing.T) {
	const goroutines, rounds = 8, 40
	type job struct {
		name string
		in   instance
		want [][]float64
		ret  float64
	}
	var jobs []job
	for _, e := range registry {
		for g := 0; g < goroutines; g++ {
			set := shapeSets[g%len(shapeSets)]
			name := fmt.Sprintf("%s (goroutine %d)", e.name, g)
			in := e.make(newFactory(seedFor("concurrent/"+e.name, set, g), false), set)
			ret, ok := safeCall(t, name, in)
			if !ok {
				break
			}
			jobs = append(jobs, job{name: name, in: in, want: snapshot(in.outs), ret: ret})
		}
	}
	for _, j := range jobs {
		for _, o := range j.in.outs {
			fill(o, math.NaN)
		}
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() {
			for r := 0; r < rounds; r++ {
				ret := j.in.call()
				if math.Float64bits(ret) != math.Float64bits(j.ret) {
					t.Errorf("%s: returned %v concurrently, %v sequentially", j.name, ret, j.ret)
					return
				}
				for i, o := range j.in.outs {
					if !sameBits(flat(o), j.want[i]) {
						t.Errorf("%s: destination %d differs from the sequential result", j.name, i)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

// TestStridedViews calls every generated function on views (matrices with
// a row stride wider than their width, vectors with increment 3, symmetric
// matrices whose unowned lower triangle is NaN) and checks that the results
// match those on contiguous operands and that nothing outside the views is
// written.
func TestStridedViews(t *testing.T) {
	for _, e := range registry {
		for _, set := range shapeSets {
			seed := seedFor("strided/"+e.name, set, 0)
			plain := e.make(newFactory(seed, false), set)
			wantRet, ok := safeCall(t, fmt.Sprintf("%s (set %d) on contiguous operands", e.name, set), plain)
			if !ok {
				continue
			}
			want := snapshot(plain.outs)

			f := newFactory(seed, true)
			in := e.make(f, set)
			ret, ok := safeCall(t, fmt.Sprintf("%s (set %d) on strided operands", e.name, set), in)
			if !ok {
				continue
			}
			checkClose(t, fmt.Sprintf("%s (set %d): strided result", e.name, set), []float64{ret}, []float64{wantRet}, roundTol)
			for i, o := range in.outs {
				checkClose(t, fmt.Sprintf("%s (set %d): strided destination %d", e.name, set, i), flat(o), want[i], roundTol)
			}
			for pi, p := range f.pads {
				for k, v := range p.data {
					if !p.in[k] && !math.IsNaN(v) {
						t.Errorf("%s (set %d): wrote %v outside view %d (backing index %d)", e.name, set, v, pi, k)
						break
					}
				}
			}
		}
	}
}

// TestShapePanics checks that wrong destination shapes (and a few wrong
// input shapes) panic with a *runtime.ShapeError, for the value functions,
// derivatives, JVPs, Jacobians — including Jacobians in a transposed or
// flattened layout — Hessian-vector products and Hessians.
func TestShapePanics(t *testing.T) {
	f := newFactory(1, false)
	cv := newCurveIn(f, 0) // n = 3
	sw := newSandwichIn(f, 0)
	lr := newLogRegIn(f, 0)
	af := newAffineIn(f, 0) // m = 3, n = 5
	ou := newOuterIn(f, 0)
	ee := newElemExpIn(f, 0) // 2×3
	iv := newInverseIn(f, 0)
	ts := newTraceScaledIn(f, 0)
	ry := newRayIn(f, 0)
	sc := newScalarCurveIn(f, 0)
	qt := newQuadTraceIn(f, 0) // n = 3, k = 2
	gs := newGaussIn(f, 0)
	qr := newQuarticIn(f, 0)
	tl := newTwoLayerIn(f, 0)    // m = 4, k = 3, n = 2
	ip := newInvPathIn(f, 0)     // n = 3
	pp := newProductPathIn(f, 0) // m = 2, p = 3, n = 4
	n := cv.n
	d := func(r, c int) *mat.Dense { return mat.NewDense(r, c, nil) }
	v := func(k int) *mat.VecDense { return mat.NewVecDense(k, nil) }
	s := func(k int) *mat.SymDense { return mat.NewSymDense(k, nil) }
	var hb float64
	cases := []struct {
		name string
		call func()
	}{
		{"Curve dst", func() { Curve(cv.t, cv.A, cv.B, d(n+1, n)) }},
		{"Curve B", func() { Curve(cv.t, cv.A, d(n, n+1), d(n, n)) }},
		{"CurveDeriv dst", func() { CurveDeriv(cv.t, cv.A, cv.B, d(n, n+1)) }},
		{"CurveDeriv2 dst", func() { CurveDeriv2(cv.t, cv.A, cv.B, d(n+1, n+1)) }},
		{"CurveDeriv3 dst", func() { CurveDeriv3(cv.t, cv.A, cv.B, d(1, n)) }},
		{"CurveJVP dst", func() { CurveJVP(cv.t, cv.A, cv.B, 1, d(n, 1)) }},
		{"CurveJacobian Jt", func() { CurveJacobian(cv.t, cv.A, cv.B, d(n, n+1)) }},
		{"CurveJacobian Jt flattened", func() { CurveJacobian(cv.t, cv.A, cv.B, d(n*n, 1)) }},
		{"Sandwich dst", func() { Sandwich(sw.A, sw.X, sw.B, d(sw.m, sw.n+1)) }},
		{"Sandwich X", func() { Sandwich(sw.A, d(sw.q, sw.p), sw.B, d(sw.m, sw.n)) }},
		{"SandwichJVP dX", func() { SandwichJVP(sw.A, sw.X, sw.B, d(sw.q, sw.p), d(sw.m, sw.n)) }},
		{"SandwichJVP dst", func() { SandwichJVP(sw.A, sw.X, sw.B, d(sw.p, sw.q), d(sw.n, sw.m)) }},
		{"SandwichJacobian JX transposed", func() { SandwichJacobian(sw.A, sw.X, sw.B, d(sw.q*sw.m, sw.p*sw.n)) }},
		{"SandwichJacobian JX flattened", func() { SandwichJacobian(sw.A, sw.X, sw.B, d(sw.m*sw.n, sw.p*sw.q)) }},
		{"LogRegN w", func() { LogRegN(lr.X, lr.y, v(lr.d+1)) }},
		{"LogRegNGrad dw", func() { LogRegNGrad(lr.X, lr.y, lr.w, v(lr.d+1)) }},
		{"LogRegNHessVec vw", func() { LogRegNHessVec(lr.X, lr.y, lr.w, v(lr.d-1), v(lr.d)) }},
		{"LogRegNHessVec hw", func() { LogRegNHessVec(lr.X, lr.y, lr.w, v(lr.d), v(lr.n)) }},
		{"LogRegNHessian H", func() { LogRegNHessian(lr.X, lr.y, lr.w, d(lr.d+1, lr.d+1)) }},
		{"LogRegNHessian H non-square", func() { LogRegNHessian(lr.X, lr.y, lr.w, d(lr.d, lr.d+1)) }},
		{"Affine dst", func() { Affine(af.A, af.x, af.b, v(af.n)) }},
		{"AffineJVP dx", func() { AffineJVP(af.A, af.x, af.b, d(af.m, af.n), v(af.m), v(af.m), v(af.m)) }},
		{"AffineJVP dst", func() { AffineJVP(af.A, af.x, af.b, d(af.m, af.n), v(af.n), v(af.m), v(af.n)) }},
		{"AffineJacobian JA transposed", func() { AffineJacobian(af.A, af.x, af.b, d(af.n*af.m, af.m), d(af.m, af.n), d(af.m, af.m)) }},
		{"AffineJacobian Jx transposed", func() { AffineJacobian(af.A, af.x, af.b, d(af.m*af.m, af.n), d(af.n, af.m), d(af.m, af.m)) }},
		{"AffineJacobian Jb", func() { AffineJacobian(af.A, af.x, af.b, d(af.m*af.m, af.n), d(af.m, af.n), d(af.m, af.m+1)) }},
		{"Outer dst", func() { Outer(ou.x, d(ou.n, ou.n+1)) }},
		{"OuterJVP dx", func() { OuterJVP(ou.x, v(ou.n+1), d(ou.n, ou.n)) }},
		{"OuterJacobian Jx as column", func() { OuterJacobian(ou.x, d(ou.n*ou.n, ou.n)) }},
		{"ElemExp dst", func() { ElemExp(ee.X, d(ee.n, ee.m)) }},
		{"ElemExpJVP dst", func() { ElemExpJVP(ee.X, d(ee.m, ee.n), d(ee.n, ee.m)) }},
		{"ElemExpJacobian JX transposed", func() { ElemExpJacobian(ee.X, d(ee.n*ee.m, ee.m*ee.n)) }},
		{"Inverse X non-square", func() { Inverse(d(iv.n, iv.n+1), d(iv.n, iv.n)) }},
		{"Inverse dst", func() { Inverse(iv.X, d(iv.n+1, iv.n+1)) }},
		{"InverseJVP dX", func() { InverseJVP(iv.X, d(iv.n+1, iv.n), d(iv.n, iv.n)) }},
		{"InverseJacobian JX", func() { InverseJacobian(iv.X, d(iv.n*iv.n, iv.n)) }},
		{"TraceScaled dst", func() { TraceScaled(ts.X, ts.A, d(ts.p, ts.m)) }},
		{"TraceScaledJVP dst", func() { TraceScaledJVP(ts.X, ts.A, d(ts.n, ts.n), d(ts.p, ts.m)) }},
		{"TraceScaledJacobian JX transposed", func() { TraceScaledJacobian(ts.X, ts.A, d(ts.n*ts.p, ts.n*ts.m)) }},
		{"Ray dst", func() { Ray(ry.t, ry.x, ry.d, v(ry.n+1)) }},
		{"RayDeriv dst", func() { RayDeriv(ry.t, ry.x, ry.d, v(ry.n-1)) }},
		{"RayDeriv2 dst", func() { RayDeriv2(ry.t, ry.x, ry.d, v(ry.n+1)) }},
		{"RayJVP dst", func() { RayJVP(ry.t, ry.x, ry.d, 1, v(ry.n+1)) }},
		{"RayJacobian Jt as row", func() { RayJacobian(ry.t, ry.x, ry.d, d(1, ry.n)) }},
		{"ScalarCurve A", func() { ScalarCurve(sc.t, sc.a, d(sc.n, sc.n+1)) }},
		{"ScalarCurveDeriv4 A", func() { ScalarCurveDeriv4(sc.t, sc.a, d(sc.n+1, sc.n)) }},
		{"LogRegBiasHessian H without b", func() { LogRegBiasHessian(lr.X, lr.y, lr.w, lr.b, lr.lambda, d(lr.d, lr.d)) }},
		{"LogRegBiasHessVec hw", func() {
			LogRegBiasHessVec(lr.X, lr.y, lr.w, lr.b, lr.lambda, v(lr.d), 1, v(lr.d+1), &hb)
		}},
		{"LogRegBiasGrad dw", func() { LogRegBiasGrad(lr.X, lr.y, lr.w, lr.b, lr.lambda, v(lr.d+1), &hb) }},
		{"QuadTraceGrad dW", func() { QuadTraceGrad(qt.A, qt.W, d(qt.k, qt.n)) }},
		{"QuadTraceHessVec vW", func() { QuadTraceHessVec(qt.A, qt.W, d(qt.k, qt.n), d(qt.n, qt.k)) }},
		{"QuadTraceHessVec hW", func() { QuadTraceHessVec(qt.A, qt.W, d(qt.n, qt.k), d(qt.k, qt.n)) }},
		{"GaussNLLGrad dS", func() { GaussNLLGrad(gs.S, gs.C, s(gs.n+1)) }},
		{"GaussNLLHessVec vS", func() { GaussNLLHessVec(gs.S, gs.C, s(gs.n+1), s(gs.n)) }},
		{"GaussNLLHessVec hS", func() { GaussNLLHessVec(gs.S, gs.C, s(gs.n), s(gs.n-1)) }},
		{"QuarticGrad dx", func() { QuarticGrad(qr.x, qr.A, v(qr.n+1)) }},
		{"QuarticHessVec hx", func() { QuarticHessVec(qr.x, qr.A, v(qr.n), v(qr.m)) }},
		{"QuarticHessian H", func() { QuarticHessian(qr.x, qr.A, d(qr.m, qr.m)) }},
		{"TwoLayer x", func() { TwoLayer(tl.A, tl.B, v(tl.k), tl.c) }},
		{"TwoLayerGrad dx", func() { TwoLayerGrad(tl.A, tl.B, tl.x, tl.c, v(tl.n+1), &hb) }},
		{"TwoLayerHessVec vx", func() { TwoLayerHessVec(tl.A, tl.B, tl.x, tl.c, v(tl.k), 1, v(tl.n), &hb) }},
		{"TwoLayerHessVec hx", func() { TwoLayerHessVec(tl.A, tl.B, tl.x, tl.c, v(tl.n), 1, v(tl.n+1), &hb) }},
		{"TwoLayerHessian H without c", func() { TwoLayerHessian(tl.A, tl.B, tl.x, tl.c, d(tl.n, tl.n)) }},
		{"TwoLayerHessian H", func() { TwoLayerHessian(tl.A, tl.B, tl.x, tl.c, d(tl.n+2, tl.n+2)) }},
		{"InvPath A non-square", func() { InvPath(ip.t, d(ip.n, ip.n+1), ip.B, d(ip.n, ip.n)) }},
		{"InvPath B", func() { InvPath(ip.t, ip.A, d(ip.n+1, ip.n), d(ip.n, ip.n)) }},
		{"InvPath dst", func() { InvPath(ip.t, ip.A, ip.B, d(ip.n, ip.n+1)) }},
		{"InvPathDeriv dst", func() { InvPathDeriv(ip.t, ip.A, ip.B, d(ip.n+1, ip.n)) }},
		{"InvPathDeriv2 B", func() { InvPathDeriv2(ip.t, ip.A, d(ip.n, ip.n-1), d(ip.n, ip.n)) }},
		{"InvPathDeriv2 dst", func() { InvPathDeriv2(ip.t, ip.A, ip.B, d(ip.n+1, ip.n+1)) }},
		{"InvPathJVP dst", func() { InvPathJVP(ip.t, ip.A, ip.B, 1, d(ip.n, 1)) }},
		{"InvPathJacobian Jt", func() { InvPathJacobian(ip.t, ip.A, ip.B, d(ip.n, ip.n+1)) }},
		{"InvPathJacobian Jt flattened", func() { InvPathJacobian(ip.t, ip.A, ip.B, d(ip.n*ip.n, 1)) }},
		{"ProductPath B transposed", func() { ProductPath(pp.t, pp.A, d(pp.p, pp.m), pp.C, pp.D, d(pp.m, pp.n)) }},
		{"ProductPath C", func() { ProductPath(pp.t, pp.A, pp.B, d(pp.p+1, pp.n), pp.D, d(pp.m, pp.n)) }},
		{"ProductPath D", func() { ProductPath(pp.t, pp.A, pp.B, pp.C, d(pp.p, pp.n+1), d(pp.m, pp.n)) }},
		{"ProductPath dst transposed", func() { ProductPath(pp.t, pp.A, pp.B, pp.C, pp.D, d(pp.n, pp.m)) }},
		{"ProductPathDeriv dst", func() { ProductPathDeriv(pp.t, pp.A, pp.B, pp.C, pp.D, d(pp.m, pp.n+1)) }},
		{"ProductPathDeriv2 D", func() { ProductPathDeriv2(pp.t, pp.A, pp.B, pp.C, d(pp.p+1, pp.n), d(pp.m, pp.n)) }},
		{"ProductPathDeriv2 dst", func() { ProductPathDeriv2(pp.t, pp.A, pp.B, pp.C, pp.D, d(pp.m+1, pp.n)) }},
		{"ProductPathDeriv3 D", func() { ProductPathDeriv3(pp.t, pp.A, pp.B, pp.C, d(pp.n, pp.p), d(pp.m, pp.n)) }},
		{"ProductPathDeriv3 dst", func() { ProductPathDeriv3(pp.t, pp.A, pp.B, pp.C, pp.D, d(pp.m, pp.p)) }},
		{"ProductPathJVP dst", func() { ProductPathJVP(pp.t, pp.A, pp.B, pp.C, pp.D, 1, d(pp.n, pp.m)) }},
		{"ProductPathJacobian Jt transposed", func() { ProductPathJacobian(pp.t, pp.A, pp.B, pp.C, pp.D, d(pp.n, pp.m)) }},
		{"ProductPathJacobian Jt flattened", func() { ProductPathJacobian(pp.t, pp.A, pp.B, pp.C, pp.D, d(pp.m*pp.n, 1)) }},
		{"SandwichAll X", func() { SandwichAll(sw.A, d(sw.q, sw.p), sw.B, d(sw.m, sw.n)) }},
		{"SandwichAll B", func() { SandwichAll(sw.A, sw.X, d(sw.n, sw.q), d(sw.m, sw.n)) }},
		{"SandwichAll dst", func() { SandwichAll(sw.A, sw.X, sw.B, d(sw.n, sw.m)) }},
		{"SandwichAllJVP dA", func() {
			SandwichAllJVP(sw.A, sw.X, sw.B, d(sw.p, sw.m), d(sw.p, sw.q), d(sw.q, sw.n), d(sw.m, sw.n))
		}},
		{"SandwichAllJVP dX", func() {
			SandwichAllJVP(sw.A, sw.X, sw.B, d(sw.m, sw.p), d(sw.q, sw.p), d(sw.q, sw.n), d(sw.m, sw.n))
		}},
		{"SandwichAllJVP dB", func() {
			SandwichAllJVP(sw.A, sw.X, sw.B, d(sw.m, sw.p), d(sw.p, sw.q), d(sw.n, sw.q), d(sw.m, sw.n))
		}},
		{"SandwichAllJVP dst", func() {
			SandwichAllJVP(sw.A, sw.X, sw.B, d(sw.m, sw.p), d(sw.p, sw.q), d(sw.q, sw.n), d(sw.m, sw.n+1))
		}},
		{"SandwichAllJacobian JA transposed", func() {
			SandwichAllJacobian(sw.A, sw.X, sw.B, d(sw.p*sw.m, sw.m*sw.n), d(sw.p*sw.m, sw.q*sw.n), d(sw.q*sw.m, sw.n*sw.n))
		}},
		{"SandwichAllJacobian JX flattened", func() {
			SandwichAllJacobian(sw.A, sw.X, sw.B, d(sw.m*sw.m, sw.p*sw.n), d(sw.m*sw.n, sw.p*sw.q), d(sw.q*sw.m, sw.n*sw.n))
		}},
		{"SandwichAllJacobian JB transposed", func() {
			SandwichAllJacobian(sw.A, sw.X, sw.B, d(sw.m*sw.m, sw.p*sw.n), d(sw.p*sw.m, sw.q*sw.n), d(sw.n*sw.m, sw.q*sw.n))
		}},
	}
	for _, c := range cases {
		expectShapePanic(t, c.name, c.call)
	}
}
