package generated

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/gradgen/gradgen/derive"
)

// pack lays out the wrt inputs of p as FProblem does: in wrt order,
// matrices row-major, symmetric matrices as all n² entries.
func pack(fn *derive.Function, p *point) []float64 {
	var x []float64
	for _, w := range fn.Wrt {
		switch a := p.args[inputIndex(fn, w.Name)].(type) {
		case float64:
			x = append(x, a)
		case *mat.VecDense:
			x = append(x, a.RawVector().Data...)
		case *mat.Dense:
			x = append(x, a.RawMatrix().Data...)
		case *mat.SymDense:
			x = append(x, mat.DenseCopyOf(a).RawMatrix().Data...)
		}
	}
	return x
}

// TestProblem checks FProblem's Func equals F at the packed variables and
// its Grad equals central finite differences of Func.
func TestProblem(t *testing.T) {
	forEachPoint(t, func(t *testing.T, fn *derive.Function, e entry, p *point) {
		prob := e.problem(p.args, p.dims)
		x := pack(fn, p)
		if got, want := prob.Func(x), e.f(p.args); !near(got, want, 1e-12) {
			t.Errorf("Func = %v, F = %v", got, want)
		}
		grad := make([]float64, len(x))
		prob.Grad(grad, x)
		numeric := fd.Gradient(nil, prob.Func, x, &fd.Settings{Formula: fd.Central})
		for i := range grad {
			if !near(grad[i], numeric[i], 2e-5) {
				t.Errorf("Grad[%d] = %v, finite differences %v", i, grad[i], numeric[i])
			}
		}
	})
}

// TestProblemWrapsSlice checks FUnpack views the slice rather than copying.
func TestProblemWrapsSlice(t *testing.T) {
	x := []float64{1, 2, 3}
	w, lambda := LogRegUnpack(x, mat.NewDense(4, 2, nil), mat.NewVecDense(4, nil))
	w.SetVec(1, 7)
	*lambda = 9
	if x[1] != 7 || x[2] != 9 {
		t.Errorf("x = %v after writing through the views, want [1 7 9]", x)
	}
}

// TestLBFGSLeastSquares minimises a generated least-squares loss with
// LBFGS and compares with the normal-equations solution.
func TestLBFGSLeastSquares(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const m, n = 30, 6
	A := randDense(rng, m, n)
	b := randVec(rng, m)
	result, err := optimize.Minimize(LeastSquaresProblem(A, b), make([]float64, n),
		&optimize.Settings{GradientThreshold: 1e-9}, &optimize.LBFGS{})
	if err != nil {
		t.Fatal(err)
	}
	var ata mat.Dense
	ata.Mul(A.T(), A)
	var atb, want mat.VecDense
	atb.MulVec(A.T(), b)
	if err := want.SolveVec(&ata, &atb); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if d := result.X[i] - want.AtVec(i); d > 1e-8 || d < -1e-8 {
			t.Errorf("x[%d] = %v, normal equations give %v", i, result.X[i], want.AtVec(i))
		}
	}
}
