package higher

import (
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gradgen/gradgen/runtime"
)

// TestZeroSize checks that an empty dimension — the zero values
// &mat.Dense{} and &mat.VecDense{}, the only empty gonum values, or an int
// dimension of 0 — panics with a *runtime.ShapeError naming the dimension
// in every role, never inside BLAS ("blas: zero x index increment").
func TestZeroSize(t *testing.T) {
	X, y, w := mat.NewDense(3, 2, nil), mat.NewVecDense(3, nil), mat.NewVecDense(2, nil)
	x, b := mat.NewVecDense(2, nil), mat.NewVecDense(3, nil)
	nx, d := mat.NewVecDense(3, nil), mat.NewVecDense(3, nil)
	noDense, noVec := &mat.Dense{}, &mat.VecDense{}
	for _, test := range []struct {
		name string
		call func()
		want string
	}{
		{"F", func() { LogRegN(noDense, y, w) }, "LogRegN: dimension n is 0 (from X), want ≥ 1"},
		{"FGrad", func() { LogRegNGrad(X, y, noVec, mat.NewVecDense(2, nil)) }, "LogRegNGrad: w has length 0, want d = 2"},
		{"FGrad all empty", func() { LogRegNGrad(noDense, noVec, noVec, noVec) }, "LogRegNGrad: dimension n is 0 (from X), want ≥ 1"},
		{"FHessVec", func() { LogRegNHessVec(noDense, noVec, noVec, noVec, noVec) }, "LogRegNHessVec: dimension n is 0 (from X), want ≥ 1"},
		{"FHessian", func() { LogRegNHessian(noDense, noVec, noVec, noDense) }, "LogRegNHessian: dimension n is 0 (from X), want ≥ 1"},
		{"FJVP", func() { AffineJVP(noDense, noVec, noVec, noDense, noVec, noVec, noVec) }, "AffineJVP: dimension m is 0 (from A), want ≥ 1"},
		{"FJacobian", func() { AffineJacobian(noDense, noVec, noVec, noDense, noDense, noDense) }, "AffineJacobian: dimension m is 0 (from A), want ≥ 1"},
		{"FJVP vector", func() { RayJVP(0, noVec, noVec, 1, noVec) }, "RayJVP: dimension n is 0 (from x), want ≥ 1"},
		{"FJacobian vector", func() { RayJacobian(0, noVec, noVec, noDense) }, "RayJacobian: dimension n is 0 (from x), want ≥ 1"},
		{"FDeriv", func() { LseRayDeriv(0, noVec, noVec) }, "LseRayDeriv: dimension n is 0 (from x), want ≥ 1"},
		{"FDeriv2", func() { LseRayDeriv2(0, noVec, d) }, "LseRayDeriv2: dimension n is 0 (from x), want ≥ 1"},
		{"FDeriv3", func() { LseRayDeriv3(0, nx, noVec) }, "LseRayDeriv3: d has length 0, want n = 3"},
		{"F symmetric", func() { GaussNLL(&mat.SymDense{}, &mat.SymDense{}) }, "GaussNLL: dimension n is 0 (from S), want ≥ 1"},
		{"FHessVec symmetric", func() { GaussNLLHessVec(&mat.SymDense{}, &mat.SymDense{}, &mat.SymDense{}, &mat.SymDense{}) }, "GaussNLLHessVec: dimension n is 0 (from S), want ≥ 1"},
		{"FDeriv matrix", func() { CurveDeriv(0, noDense, noDense, noDense) }, "CurveDeriv: dimension n is 0 (from A), want ≥ 1"},
		{"F matrix-valued", func() { Affine(noDense, x, b, noVec) }, "Affine: dimension m is 0 (from A), want ≥ 1"},
		{"FProblem", func() { LogRegNProblem(noDense, noVec).Func(nil) }, "LogRegNUnpack: dimension d is 0 (from X), want ≥ 1"},
		{"FProblem int dimension", func() { QuadTraceProblem(mat.NewDense(2, 2, nil), 0).Func(nil) }, "QuadTraceUnpack: dimension k is 0, want ≥ 1"},
		{"FProblem negative dimension", func() { QuadTraceProblem(mat.NewDense(2, 2, nil), -1).Grad(nil, nil) }, "QuadTraceUnpack: dimension k is -1, want ≥ 1"},
		{"FUnpack", func() { LogRegNUnpack(nil, noDense, noVec) }, "LogRegNUnpack: dimension d is 0 (from X), want ≥ 1"},
		// m n = 2⁶⁴ wrapped to 0 = len(x) before the packed length was
		// summed without overflow.
		{"FUnpack dimensions past int", func() { LseMatrixUnpack(nil, 1<<32, 1<<32) }, "LseMatrixUnpack: x has length 0, want a total size past the largest int"},
		{"FProblem dimension past int", func() { QuadTraceProblem(mat.NewDense(2, 2, nil), 1<<62).Func(nil) }, "QuadTraceUnpack: x has length 0, want a total size past the largest int"},
	} {
		func() {
			defer func() {
				r := recover()
				se, ok := r.(*runtime.ShapeError)
				if !ok {
					t.Errorf("%s: panic %v (%T), want a *runtime.ShapeError %q", test.name, r, r, test.want)
					return
				}
				if se.Error() != test.want {
					t.Errorf("%s: panic %q, want %q", test.name, se.Error(), test.want)
				}
			}()
			test.call()
		}()
	}
}
