package higher

import (
	"testing"

	"gonum.org/v1/gonum/mat"

	gg "github.com/gradgen/gradgen/runtime"
)

// destinationCase calls one generated function on fixed random inputs,
// its destinations made by dest (sized, zero-value or nil), and returns
// what it wrote, flattened.
type destinationCase struct {
	name string
	call func(f *factory, dest destMaker) []float64
	// nilPanics is the panic message when the k-th destination is nil.
	nilPanics []string
}

// destMaker makes the destinations of a call: sized (gonum's New…),
// zero-value (&mat.Dense{}…) or nil.
type destMaker interface {
	dense(r, c int) *mat.Dense
	vec(n int) *mat.VecDense
	sym(n int) *mat.SymDense
	scalar() *float64
}

type sizedDests struct{}

func (sizedDests) dense(r, c int) *mat.Dense { return mat.NewDense(r, c, nil) }
func (sizedDests) vec(n int) *mat.VecDense   { return mat.NewVecDense(n, nil) }
func (sizedDests) sym(n int) *mat.SymDense   { return mat.NewSymDense(n, nil) }
func (sizedDests) scalar() *float64          { return new(float64) }

type zeroDests struct{}

func (zeroDests) dense(int, int) *mat.Dense { return &mat.Dense{} }
func (zeroDests) vec(int) *mat.VecDense     { return &mat.VecDense{} }
func (zeroDests) sym(int) *mat.SymDense     { return &mat.SymDense{} }
func (zeroDests) scalar() *float64          { return new(float64) }

// nilDests makes the destination numbered only (in the order they are
// made) nil, and the others sized.
type nilDests struct {
	only int
	seen *int
}

func (d nilDests) isNil() bool {
	k := *d.seen
	*d.seen++
	return d.only == k
}
func (d nilDests) dense(r, c int) *mat.Dense {
	if d.isNil() {
		return nil
	}
	return mat.NewDense(r, c, nil)
}
func (d nilDests) vec(n int) *mat.VecDense {
	if d.isNil() {
		return nil
	}
	return mat.NewVecDense(n, nil)
}
func (d nilDests) sym(n int) *mat.SymDense {
	if d.isNil() {
		return nil
	}
	return mat.NewSymDense(n, nil)
}
func (d nilDests) scalar() *float64 {
	if d.isNil() {
		return nil
	}
	return new(float64)
}

// rnd returns an r×c matrix of standard normal entries.
func (f *factory) rnd(r, c int) *mat.Dense {
	a := mat.NewDense(r, c, nil)
	fill(a, f.normal)
	return a
}

// rndVec returns a vector of n standard normal entries.
func (f *factory) rndVec(n int) *mat.VecDense {
	v := mat.NewVecDense(n, nil)
	fill(v, f.normal)
	return v
}

// written flattens what a call wrote.
func written(outs ...any) []float64 {
	var all []float64
	for _, o := range outs {
		switch v := o.(type) {
		case float64:
			all = append(all, v)
		case *float64:
			all = append(all, *v)
		case mat.Matrix:
			r, c := v.Dims()
			for i := 0; i < r; i++ {
				for j := 0; j < c; j++ {
					all = append(all, v.At(i, j))
				}
			}
		}
	}
	return all
}

// destinationCases covers every kind of destination: matrix, vector,
// symmetric and scalar, of FGrad, FDeriv, FHessVec, FHessian and
// FJacobian (block and vector-W layouts).
var destinationCases = []destinationCase{
	{"QuadTraceGrad dW", func(f *factory, d destMaker) []float64 {
		A, W := f.rnd(3, 3), f.rnd(3, 2)
		dW := d.dense(3, 2)
		return written(QuadTraceGrad(A, W, dW), dW)
	}, []string{"QuadTraceGrad: dW is nil, want n×k = 3×2"}},
	{"GaussNLLGrad dS", func(f *factory, d destMaker) []float64 {
		S, C := f.spd(3), f.spd(3)
		dS := d.sym(3)
		return written(GaussNLLGrad(S, C, dS), dS)
	}, []string{"GaussNLLGrad: dS is nil, want n×n = 3×3"}},
	{"TwoLayerGrad dx dc", func(f *factory, d destMaker) []float64 {
		A, B, x, c := f.rnd(2, 3), f.rnd(3, 4), f.rndVec(4), f.normal()
		dx, dc := d.vec(4), d.scalar()
		return written(TwoLayerGrad(A, B, x, c, dx, dc), dx, dc)
	}, []string{"TwoLayerGrad: dx is nil, want length n = 4", "TwoLayerGrad: dc is nil, want a *float64"}},
	{"CurveDeriv dst", func(f *factory, d destMaker) []float64 {
		t, A, B := f.normal(), f.rnd(3, 3), f.rnd(3, 3)
		dst := d.dense(3, 3)
		CurveDeriv(t, A, B, dst)
		return written(dst)
	}, []string{"CurveDeriv: dst is nil, want n×n = 3×3"}},
	{"RayDeriv dst", func(f *factory, d destMaker) []float64 {
		t, x, dir := f.normal(), f.rndVec(4), f.rndVec(4)
		dst := d.vec(4)
		RayDeriv(t, x, dir, dst)
		return written(dst)
	}, []string{"RayDeriv: dst is nil, want length n = 4"}},
	{"QuadTraceHessVec hW", func(f *factory, d destMaker) []float64 {
		A, W, vW := f.rnd(3, 3), f.rnd(3, 2), f.rnd(3, 2)
		hW := d.dense(3, 2)
		QuadTraceHessVec(A, W, vW, hW)
		return written(hW)
	}, []string{"QuadTraceHessVec: hW is nil, want n×k = 3×2"}},
	{"GaussNLLHessVec hS", func(f *factory, d destMaker) []float64 {
		S, C, vS := f.spd(3), f.spd(3), f.spd(3)
		hS := d.sym(3)
		GaussNLLHessVec(S, C, vS, hS)
		return written(hS)
	}, []string{"GaussNLLHessVec: hS is nil, want n×n = 3×3"}},
	{"TwoLayerHessian H", func(f *factory, d destMaker) []float64 {
		A, B, x, c := f.rnd(2, 3), f.rnd(3, 4), f.rndVec(4), f.normal()
		H := d.dense(5, 5)
		TwoLayerHessian(A, B, x, c, H)
		return written(H)
	}, []string{"TwoLayerHessian: H is nil, want size×size = 5×5"}},
	{"SandwichJacobian JX", func(f *factory, d destMaker) []float64 {
		A, X, B := f.rnd(2, 3), f.rnd(3, 4), f.rnd(4, 5)
		JX := d.dense(3*2, 4*5)
		SandwichJacobian(A, X, B, JX)
		return written(JX)
	}, []string{"SandwichJacobian: JX is nil, want 6×20"}},
	{"AffineJacobian JA Jx Jb", func(f *factory, d destMaker) []float64 {
		A, x, b := f.rnd(2, 3), f.rndVec(3), f.rndVec(2)
		JA, Jx, Jb := d.dense(2*2, 3*1), d.dense(2, 3*1), d.dense(2, 2*1)
		AffineJacobian(A, x, b, JA, Jx, Jb)
		return written(JA, Jx, Jb)
	}, []string{"AffineJacobian: JA is nil, want 4×3", "AffineJacobian: Jx is nil, want 2×3", "AffineJacobian: Jb is nil, want 2×2"}},
}

// TestZeroValueDestinations checks that zero-value destinations are sized
// as gonum's receivers are and receive the very numbers sized ones do.
func TestZeroValueDestinations(t *testing.T) {
	for _, c := range destinationCases {
		t.Run(c.name, func(t *testing.T) {
			want := c.call(newFactory(seedFor(c.name, 0, 0), false), sizedDests{})
			var got []float64
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("zero-value destinations panicked: %v", r)
					}
				}()
				got = c.call(newFactory(seedFor(c.name, 0, 0), false), zeroDests{})
			}()
			if len(got) != len(want) {
				t.Fatalf("got %d numbers, want %d", len(got), len(want))
			}
			for k := range want {
				if got[k] != want[k] {
					t.Fatalf("number %d: got %v, want %v (sized destinations)", k, got[k], want[k])
				}
			}
		})
	}
}

// panicMessage returns the message of the *runtime.ShapeError f panics
// with, or a description of what else happened.
func panicMessage(f func()) (msg string) {
	defer func() {
		switch r := recover().(type) {
		case nil:
			msg = "no panic"
		case *gg.ShapeError:
			msg = r.Error()
		default:
			msg = "not a *ShapeError: " + func() string {
				if e, ok := r.(error); ok {
					return e.Error()
				}
				return "non-error panic"
			}()
		}
	}()
	f()
	return ""
}

// TestNilDestinations checks that each nil destination, in turn, panics
// with a *ShapeError naming the function and the parameter, not with a nil
// dereference.
func TestNilDestinations(t *testing.T) {
	for _, c := range destinationCases {
		for only, want := range c.nilPanics {
			got := panicMessage(func() {
				c.call(newFactory(seedFor(c.name, 0, 0), false), nilDests{only: only, seen: new(int)})
			})
			if got != want {
				t.Errorf("%s, destination %d nil: panic %q, want %q", c.name, only, got, want)
			}
		}
	}
}

// TestProblemArguments checks FProblem's closures against gonum/optimize's
// conventions: a grad of the wrong length is named as grad of
// FProblem.Grad (not as FUnpack's x), a hess of the wrong size as hess of
// FProblem.Hess, a nil hess says so, and a zero-value hess is sized and
// filled as a sized one is.
func TestProblemArguments(t *testing.T) {
	f := newFactory(seedFor("TestProblemArguments", 0, 0), false)
	X, y := f.rnd(5, 3), f.rndVec(5)
	p := LogRegBiasProblem(X, y, 0.5)
	x := []float64{0.1, -0.2, 0.3, 0.4} // w, then b
	for _, c := range []struct {
		name, want string
		call       func()
	}{
		{"short grad", "LogRegBiasProblem.Grad: grad has length 3, want len(x) = 4", func() { p.Grad(make([]float64, 3), x) }},
		{"long grad", "LogRegBiasProblem.Grad: grad has length 5, want len(x) = 4", func() { p.Grad(make([]float64, 5), x) }},
		{"short x", "LogRegBiasUnpack: x has length 3, want 4", func() { p.Grad(make([]float64, 4), x[:3]) }},
		{"small hess", "LogRegBiasProblem.Hess: hess is 3×3, want len(x)×len(x) = 4×4", func() { p.Hess(mat.NewSymDense(3, nil), x) }},
		{"nil hess", "LogRegBiasProblem.Hess: hess is nil, want len(x)×len(x) = 4×4", func() { p.Hess(nil, x) }},
	} {
		if got := panicMessage(c.call); got != c.want {
			t.Errorf("%s: panic %q, want %q", c.name, got, c.want)
		}
	}
	sized, zero := mat.NewSymDense(4, nil), &mat.SymDense{}
	p.Hess(sized, x)
	p.Hess(zero, x)
	if !mat.Equal(sized, zero) {
		t.Errorf("Hess into a zero-value SymDense:\n%v\nwant (sized)\n%v", mat.Formatted(zero), mat.Formatted(sized))
	}
}
