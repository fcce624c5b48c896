package sympycheck

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// sympyCase is one case of SymPy's matrix-derivative tests: run draws a
// point, calls the generated derivative and returns it with SymPy's stated
// derivative evaluated by hand, in gradgen's layout.
type sympyCase struct {
	name  string // the spec function
	sympy string // the SymPy test function it comes from
	// note says where want is not SymPy's own stated formula: "hand" for
	// a case SymPy states no (or a wrong, "TODO") result for, "cookbook"
	// for the Matrix Cookbook's formula SymPy comments out, "layout" where
	// gradgen's layout is the transpose of SymPy's.
	note string
	run  func(p *point) (got, want mat.Matrix)
}

// Shorthands for destinations.
func dmat(r, c int) *mat.Dense { return mat.NewDense(r, c, nil) }
func dvec(n int) *mat.VecDense { return mat.NewVecDense(n, nil) }

var sympyCases = []sympyCase{
	// ---- test_matrix_derivative_by_scalar ----
	{"ByScalarConstA", "test_matrix_derivative_by_scalar", "", func(p *point) (mat.Matrix, mat.Matrix) {
		d := dmat(k, k)
		ByScalarConstADeriv(p.scalar(), p.mat(k, k), d)
		return d, zeros(k, k)
	}},
	{"ByScalarConstAXBc", "test_matrix_derivative_by_scalar", "", func(p *point) (mat.Matrix, mat.Matrix) {
		d := dvec(k)
		ByScalarConstAXBcDeriv(p.scalar(), p.mat(k, k), p.mat(k, k), p.mat(k, k), p.vec(k), d)
		return d, zeros(k, 1)
	}},
	{"ByScalarConstX", "test_matrix_derivative_by_scalar", "", func(p *point) (mat.Matrix, mat.Matrix) {
		d := dvec(k)
		ByScalarConstXDeriv(p.scalar(), p.vec(k), d)
		return d, zeros(k, 1)
	}},
	{"ByScalarConstInner", "test_matrix_derivative_by_scalar", "", func(p *point) (mat.Matrix, mat.Matrix) {
		return num(ByScalarConstInnerDeriv(p.scalar(), p.vec(k), p.vec(k))), zeros(1, 1)
	}},
	{"ByScalarConstOuter", "test_matrix_derivative_by_scalar", "", func(p *point) (mat.Matrix, mat.Matrix) {
		d := dmat(k, k)
		ByScalarConstOuterDeriv(p.scalar(), p.vec(k), d)
		return d, zeros(k, k)
	}},
	{"ByScalarConstSum", "test_matrix_derivative_by_scalar", "", func(p *point) (mat.Matrix, mat.Matrix) {
		d := dvec(k)
		ByScalarConstSumDeriv(p.scalar(), p.vec(k), p.vec(k), d)
		return d, zeros(k, 1)
	}},
	{"ByScalarConstHadPow", "test_matrix_derivative_by_scalar", "", func(p *point) (mat.Matrix, mat.Matrix) {
		d := dvec(k)
		ByScalarConstHadPowDeriv(p.scalar(), p.vec(k), d)
		return d, zeros(k, 1)
	}},
	{"ByScalarHadPowI", "test_matrix_derivative_by_scalar", "", func(p *point) (mat.Matrix, mat.Matrix) {
		i, x := p.scalar(), p.vec(k)
		d := dvec(k)
		ByScalarHadPowIDeriv(i, x, d)
		return d, had(apply(math.Log, x), apply(func(v float64) float64 { return math.Pow(v, i) }, x))
	}},
	{"ByScalarConstHad", "test_matrix_derivative_by_scalar", "", func(p *point) (mat.Matrix, mat.Matrix) {
		d := dvec(k)
		ByScalarConstHadDeriv(p.scalar(), p.vec(k), p.vec(k), d)
		return d, zeros(k, 1)
	}},
	{"ByScalarOnesHad", "test_matrix_derivative_by_scalar", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x, y := p.vec(k), p.vec(k)
		d := dvec(k)
		ByScalarOnesHadDeriv(p.scalar(), x, y, d)
		return d, had(x, y)
	}},
	{"ByScalarTimesX", "test_matrix_derivative_by_scalar", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x := p.vec(k)
		d := dvec(k)
		ByScalarTimesXDeriv(p.scalar(), x, d)
		return d, x
	}},
	{"ByScalarSinABx", "test_matrix_derivative_by_scalar", "", func(p *point) (mat.Matrix, mat.Matrix) {
		i, A, B, x := p.scalar(), p.mat(k, k), p.mat(k, k), p.vec(k)
		d := dvec(k)
		ByScalarSinABxDeriv(i, A, B, x, d)
		return d, scale(math.Cos(i), mul(A, B, x))
	}},
	{"ByScalarConstSinX", "test_matrix_derivative_by_scalar", "", func(p *point) (mat.Matrix, mat.Matrix) {
		d := dvec(k)
		ByScalarConstSinXDeriv(p.scalar(), p.vec(k), d)
		return d, zeros(k, 1)
	}},
	{"ByScalarTrace", "test_matrix_derivative_by_scalar", "", func(p *point) (mat.Matrix, mat.Matrix) {
		i, X := p.scalar(), p.mat(k, k)
		return num(ByScalarTraceDeriv(i, X)), num(2 * i * tr(X))
	}},
	{"ByScalarMuX", "test_matrix_derivative_by_scalar", "", func(p *point) (mat.Matrix, mat.Matrix) {
		mu := p.scalar()
		J := dmat(k, k)
		ByScalarMuXJacobian(mu, p.vec(k), J)
		return J, vecJacobian(scale(2*mu, eye(k)))
	}},

	// ---- test_one_matrix ----
	{"OneMatrix", "test_one_matrix", "", func(p *point) (mat.Matrix, mat.Matrix) {
		d := dvec(k)
		OneMatrixGrad(p.vec(k), d)
		return d, ones(k)
	}},

	// ---- test_matrix_derivative_non_matrix_result ----
	{"NonMatA", "test_matrix_derivative_non_matrix_result", "", func(p *point) (mat.Matrix, mat.Matrix) {
		J := dmat(k*k, k*k)
		NonMatAJacobian(p.mat(k, k), J)
		return J, jacobian(k, k, k, k, func(i, jj, m, n int) float64 { return delta(i, m) * delta(jj, n) })
	}},
	{"NonMatAT", "test_matrix_derivative_non_matrix_result", "", func(p *point) (mat.Matrix, mat.Matrix) {
		J := dmat(k*k, k*k)
		NonMatATJacobian(p.mat(k, k), J)
		return J, jacobian(k, k, k, k, func(i, jj, m, n int) float64 { return delta(jj, m) * delta(i, n) })
	}},
	{"NonMat2A", "test_matrix_derivative_non_matrix_result", "", func(p *point) (mat.Matrix, mat.Matrix) {
		J := dmat(k*k, k*k)
		NonMat2AJacobian(p.mat(k, k), J)
		return J, jacobian(k, k, k, k, func(i, jj, m, n int) float64 { return 2 * delta(i, m) * delta(jj, n) })
	}},
	{"NonMatAPlusA", "test_matrix_derivative_non_matrix_result", "", func(p *point) (mat.Matrix, mat.Matrix) {
		J := dmat(k*k, k*k)
		NonMatAPlusAJacobian(p.mat(k, k), J)
		return J, jacobian(k, k, k, k, func(i, jj, m, n int) float64 { return 2 * delta(i, m) * delta(jj, n) })
	}},
	{"NonMatAPlusB", "test_matrix_derivative_non_matrix_result", "", func(p *point) (mat.Matrix, mat.Matrix) {
		J := dmat(k*k, k*k)
		NonMatAPlusBJacobian(p.mat(k, k), p.mat(k, k), J)
		return J, jacobian(k, k, k, k, func(i, jj, m, n int) float64 { return delta(i, m) * delta(jj, n) })
	}},
	{"NonMatA", "test_arrayexpr_derivatives1 (array_derive(X, X))", "", func(p *point) (mat.Matrix, mat.Matrix) {
		J := dmat(k*k, k*k)
		NonMatAJacobian(p.mat(k, k), J)
		return J, jacobian(k, k, k, k, func(i, jj, m, n int) float64 { return delta(i, m) * delta(jj, n) })
	}},

	// ---- test_matrix_derivative_trivial_cases ----
	{"TrivialXByA", "test_matrix_derivative_trivial_cases", "SymPy leaves ArrayDerivative(X, A) unevaluated: the zero array", func(p *point) (mat.Matrix, mat.Matrix) {
		J := dmat(k*k, k*k)
		TrivialXByAJacobian(p.mat(k, k), p.mat(k, k), J)
		return J, zeros(k*k, k*k)
	}},

	// ---- test_matrix_derivative_of_determinant ----
	{"DetX", "test_matrix_derivative_of_determinant", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.sq(k)
		d := dmat(k, k)
		DetXGrad(X, d)
		return d, scale(det(X), inv(X.T()))
	}},
	{"DetAXB", "test_matrix_derivative_of_determinant", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, B := p.sq(k), p.sq(k), p.sq(k)
		d := dmat(k, k)
		DetAXBGrad(A, X, B, d)
		return d, scale(det(mul(A, X, B)), inv(X.T()))
	}},
	{"DetXtAX", "test_matrix_derivative_of_determinant", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, A := p.sq(k), p.sq(k)
		d := dmat(k, k)
		DetXtAXGrad(X, A, d)
		return d, scale(2*det(X)*det(X)*det(A), inv(X.T()))
	}},
	{"DetZtAZ", "test_matrix_derivative_of_determinant", "", func(p *point) (mat.Matrix, mat.Matrix) {
		Z, A := p.mat(k, j), p.sq(k)
		d := dmat(k, j)
		DetZtAZGrad(Z, A, d)
		ZtAZ := mul(Z.T(), A, Z)
		return d, scale(det(ZtAZ), add(mul(A, Z, inv(ZtAZ)), mul(A.T(), Z, inv(mul(Z.T(), A.T(), Z)))))
	}},
	{"LogDetXtX", "test_matrix_derivative_of_determinant", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.sq(k)
		d := dmat(k, k)
		LogDetXtXGrad(X, d)
		return d, scale(2, inv(X.T()))
	}},
	{"LogDetX", "test_matrix_derivative_of_determinant", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.sq(k)
		d := dmat(k, k)
		LogDetXGrad(X, d)
		return d, inv(X.T())
	}},
	{"LogdetX", "test_matrix_derivative_of_determinant", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.sq(k)
		d := dmat(k, k)
		LogdetXGrad(X, d)
		return d, inv(X.T())
	}},
	{"DetXPow3", "test_matrix_derivative_of_determinant", "X**j with j = 3", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.sq(k)
		d := dmat(k, k)
		DetXPow3Grad(X, d)
		return d, scale(3*det(mul(X, X, X)), inv(X).T())
	}},
	{"DetXPow5", "test_matrix_derivative_of_determinant", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.sq(k)
		d := dmat(k, k)
		DetXPow5Grad(X, d)
		return d, scale(5*det(mul(X, X, X, X, X)), inv(X).T())
	}},

	// ---- test_issue_28708 ----
	{"Issue28708DetInv", "test_issue_28708", "X**-1 written inv(X)", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.sq(k)
		d := dmat(k, k)
		Issue28708DetInvGrad(X, d)
		return d, scale(-1/det(X), inv(X.T()))
	}},

	// ---- test_issue_28838_det_in_non_matrix_expr ----
	{"Issue28838KDet", "test_issue_28838_det_in_non_matrix_expr", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.sq(k)
		d := dmat(k, k)
		Issue28838KDetGrad(X, d)
		return d, scale(float64(k)*det(X), inv(X.T()))
	}},
	{"Issue28838InvDet", "test_issue_28838_det_in_non_matrix_expr", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.sq(k)
		d := dmat(k, k)
		Issue28838InvDetGrad(X, d)
		return d, scale(-1/det(X), inv(X.T()))
	}},
	{"Issue28838KInvDet", "test_issue_28838_det_in_non_matrix_expr", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.sq(k)
		d := dmat(k, k)
		Issue28838KInvDetGrad(X, d)
		return d, scale(-float64(k)/det(X), inv(X.T()))
	}},

	// ---- test_matrix_derivative_with_inverse ----
	{"InvBilinear", "test_matrix_derivative_with_inverse", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, X, b := p.vec(k), p.sq(k), p.vec(k)
		d := dmat(k, k)
		InvBilinearGrad(a, X, b, d)
		return d, scale(-1, mul(inv(X).T(), a, b.T(), inv(X).T()))
	}},
	{"DetInvX", "test_matrix_derivative_with_inverse", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.sq(k)
		d := dmat(k, k)
		DetInvXGrad(X, d)
		return d, scale(-det(inv(X)), inv(X).T())
	}},
	{"TrAInvXB", "test_matrix_derivative_with_inverse", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, B := p.mat(k, k), p.sq(k), p.mat(k, k)
		d := dmat(k, k)
		TrAInvXBGrad(A, X, B, d)
		return d, scale(-1, mul(inv(X), B, A, inv(X)).T())
	}},
	{"TrInvXPlusA", "test_matrix_derivative_with_inverse", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, A := p.sq(k), p.mat(k, k)
		d := dmat(k, k)
		TrInvXPlusAGrad(X, A, d)
		Mt := inv(add(X, A)).T()
		return d, scale(-1, mul(Mt, Mt))
	}},

	// ---- test_matrix_derivative_vectors_and_scalars ----
	{"VecX", "test_matrix_derivative_vectors_and_scalars", "", func(p *point) (mat.Matrix, mat.Matrix) {
		J := dmat(k, k)
		VecXJacobian(p.vec(k), J)
		return J, vecJacobian(eye(k))
	}},
	{"VecXT", "test_matrix_derivative_vectors_and_scalars", "", func(p *point) (mat.Matrix, mat.Matrix) {
		J := dmat(1, k*k)
		VecXTJacobian(p.vec(k), J)
		I := eye(k)
		return J, jacobian(1, k, 1, k, func(_, jj, _, l int) float64 { return I.At(l, jj) })
	}},
	{"VecXtA", "test_matrix_derivative_vectors_and_scalars", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x, a := p.vec(k), p.vec(k)
		d := dvec(k)
		VecXtAGrad(x, a, d)
		return d, a
	}},
	{"VecAtX", "test_matrix_derivative_vectors_and_scalars", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, x := p.vec(k), p.vec(k)
		d := dvec(k)
		VecAtXGrad(a, x, d)
		return d, a
	}},
	{"VecAtXb", "test_matrix_derivative_vectors_and_scalars", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, X, b := p.vec(k), p.mat(k, k), p.vec(k)
		d := dmat(k, k)
		VecAtXbGrad(a, X, b, d)
		return d, mul(a, b.T())
	}},
	{"VecAtXTb", "test_matrix_derivative_vectors_and_scalars", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, X, b := p.vec(k), p.mat(k, k), p.vec(k)
		d := dmat(k, k)
		VecAtXTbGrad(a, X, b, d)
		return d, mul(b, a.T())
	}},
	{"VecAtXa", "test_matrix_derivative_vectors_and_scalars", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, X := p.vec(k), p.mat(k, k)
		d := dmat(k, k)
		VecAtXaGrad(a, X, d)
		return d, mul(a, a.T())
	}},
	{"VecAtXTa", "test_matrix_derivative_vectors_and_scalars", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, X := p.vec(k), p.mat(k, k)
		d := dmat(k, k)
		VecAtXTaGrad(a, X, d)
		return d, mul(a, a.T())
	}},
	{"VecBtXtXc", "test_matrix_derivative_vectors_and_scalars", "", func(p *point) (mat.Matrix, mat.Matrix) {
		b, X, c := p.vec(k), p.mat(k, k), p.vec(k)
		d := dmat(k, k)
		VecBtXtXcGrad(b, X, c, d)
		return d, add(mul(X, b, c.T()), mul(X, c, b.T()))
	}},
	{"VecCookbook78", "test_matrix_derivative_vectors_and_scalars", "", func(p *point) (mat.Matrix, mat.Matrix) {
		B, x, b, C, D, dd := p.mat(k, k), p.vec(k), p.vec(k), p.mat(k, k), p.mat(k, k), p.vec(k)
		g := dvec(k)
		VecCookbook78Grad(B, x, b, C, D, dd, g)
		return g, add(mul(B.T(), C, add(mul(D, x), dd)), mul(D.T(), C.T(), add(mul(B, x), b)))
	}},
	{"VecXtBx", "test_matrix_derivative_vectors_and_scalars", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x, B := p.vec(k), p.mat(k, k)
		d := dvec(k)
		VecXtBxGrad(x, B, d)
		return d, add(mul(B, x), mul(B.T(), x))
	}},
	{"VecBtXtDXc", "test_matrix_derivative_vectors_and_scalars", "", func(p *point) (mat.Matrix, mat.Matrix) {
		b, X, D, c := p.vec(k), p.mat(k, k), p.mat(k, k), p.vec(k)
		d := dmat(k, k)
		VecBtXtDXcGrad(b, X, D, c, d)
		return d, add(mul(D.T(), X, b, c.T()), mul(D, X, c, b.T()))
	}},
	{"VecCookbook83", "test_matrix_derivative_vectors_and_scalars", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, b, c, D := p.mat(k, k), p.vec(k), p.vec(k), p.mat(k, k)
		d := dmat(k, k)
		VecCookbook83Grad(X, b, c, D, d)
		Xbc := add(mul(X, b), c)
		return d, add(mul(D, Xbc, b.T()), mul(D.T(), Xbc, b.T()))
	}},
	{"VecXXtX", "test_matrix_derivative_vectors_and_scalars", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x := p.vec(k)
		J := dmat(k, k)
		VecXXtXJacobian(x, J)
		// KroneckerProduct(I, x.T*x) + 2*x*x.T
		return J, vecJacobian(add(scale(s1(mul(x.T(), x)), eye(k)), scale(2, mul(x, x.T()))))
	}},

	// ---- test_matrix_derivatives_of_traces ----
	{"TrAA", "test_matrix_derivatives_of_traces", "", trAACase},
	{"TrX", "test_matrix_derivatives_of_traces", "", trXCase},
	{"TrXA", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, A := p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrXAGrad(X, A, d)
		return d, A.T()
	}},
	{"TrAXB", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, B := p.mat(k, k), p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrAXBGrad(A, X, B, d)
		return d, mul(A.T(), B.T())
	}},
	{"TrAXTB", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, B := p.mat(k, k), p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrAXTBGrad(A, X, B, d)
		return d, mul(B, A)
	}},
	{"TrXTA", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, A := p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrXTAGrad(X, A, d)
		return d, A
	}},
	{"TrAXT", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X := p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrAXTGrad(A, X, d)
		return d, A
	}},
	{"TrXSq", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.mat(k, k)
		d := dmat(k, k)
		TrXSqGrad(X, d)
		return d, scale(2, X.T())
	}},
	{"TrXSqB", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, B := p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrXSqBGrad(X, B, d)
		return d, add(mul(X, B), mul(B, X)).T()
	}},
	{"TrXXB", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, B := p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrXXBGrad(X, B, d)
		return d, add(mul(X, B), mul(B, X)).T()
	}},
	{"TrXtBX", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, B := p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrXtBXGrad(X, B, d)
		return d, add(mul(B, X), mul(B.T(), X))
	}},
	{"TrBXXt", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		B, X := p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrBXXtGrad(B, X, d)
		return d, add(mul(B, X), mul(B.T(), X))
	}},
	{"TrXXtB", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, B := p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrXXtBGrad(X, B, d)
		return d, add(mul(B, X), mul(B.T(), X))
	}},
	{"TrXBXt", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, B := p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrXBXtGrad(X, B, d)
		return d, add(mul(X, B.T()), mul(X, B))
	}},
	{"TrBXtX", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		B, X := p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrBXtXGrad(B, X, d)
		return d, add(mul(X, B.T()), mul(X, B))
	}},
	{"TrXtXB", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, B := p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrXtXBGrad(X, B, d)
		return d, add(mul(X, B.T()), mul(X, B))
	}},
	{"TrAXBX", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, B := p.mat(k, k), p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrAXBXGrad(A, X, B, d)
		return d, add(mul(A.T(), X.T(), B.T()), mul(B.T(), X.T(), A.T()))
	}},
	{"TrXtX", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.mat(k, k)
		d := dmat(k, k)
		TrXtXGrad(X, d)
		return d, scale(2, X)
	}},
	{"TrXXt", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.mat(k, k)
		d := dmat(k, k)
		TrXXtGrad(X, d)
		return d, scale(2, X)
	}},
	{"TrBtXtCXB", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		B, X, C := p.mat(k, k), p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrBtXtCXBGrad(B, X, C, d)
		return d, add(mul(C.T(), X, B, B.T()), mul(C, X, B, B.T()))
	}},
	{"TrXtBXC", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, B, C := p.mat(k, k), p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrXtBXCGrad(X, B, C, d)
		return d, add(mul(B, X, C), mul(B.T(), X, C.T()))
	}},
	{"TrAXBXtC", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, B, C := p.mat(k, k), p.mat(k, k), p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrAXBXtCGrad(A, X, B, C, d)
		return d, add(mul(A.T(), C.T(), X, B.T()), mul(C, A, X, B))
	}},
	{"TrAXBCSq", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, B, C := p.mat(k, k), p.mat(k, k), p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrAXBCSqGrad(A, X, B, C, d)
		return d, scale(2, mul(A.T(), add(mul(A, X, B), C), B.T()))
	}},
	{"TrKronAX", "test_matrix_derivatives_of_traces", "cookbook 105, commented out in SymPy: Trace(A)*Identity(k)", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X := p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrKronAXGrad(A, X, d)
		return d, scale(tr(A), eye(k))
	}},
	{"TrKronXX", "test_matrix_derivatives_of_traces", "cookbook 120, commented out in SymPy: 2*Trace(X)*Identity(k)", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.mat(k, k)
		d := dmat(k, k)
		TrKronXXGrad(X, d)
		return d, scale(2*tr(X), eye(k))
	}},
	{"TrXPow3", "test_matrix_derivatives_of_traces", "cookbook: SymPy comments out k*(X**(k-1)).T; k = 3", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.mat(k, k)
		d := dmat(k, k)
		TrXPow3Grad(X, d)
		return d, scale(3, mul(X, X).T())
	}},
	{"TrAXPow3", "test_matrix_derivatives_of_traces", "cookbook 122: SymPy states none; k = 3", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X := p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrAXPow3Grad(A, X, d)
		return d, add(mul(A, X, X).T(), mul(X, A, X).T(), mul(X, X, A).T())
	}},
	{"TrCookbook123", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		B, X, C := p.mat(k, k), p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		TrCookbook123Grad(B, X, C, d)
		Bt, Xt, Ct := B.T(), X.T(), C.T()
		return d, add(
			mul(C, X, Xt, C, X, B, Bt),
			mul(Ct, X, B, Bt, Xt, Ct, X),
			mul(C, X, B, Bt, Xt, C, X),
			mul(Ct, X, Xt, Ct, X, B, Bt))
	}},
	{"TrAXInvB", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, B := p.mat(k, k), p.sq(k), p.mat(k, k)
		d := dmat(k, k)
		TrAXInvBGrad(A, X, B, d)
		Xit := inv(X).T()
		return d, scale(-1, mul(Xit, A.T(), B.T(), Xit))
	}},
	{"TrCookbook125", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, C, A := p.sq(k), p.sq(k), p.mat(k, k)
		d := dmat(k, k)
		TrCookbook125Grad(X, C, A, d)
		Xi := inv(X)
		Ci := inv(C)
		return d, sub(scale(-1, mul(Xi.T(), A.T(), Xi, Ci.T(), Xi.T())), mul(Xi.T(), A, Xi, Ci, Xi.T()))
	}},
	{"TrCookbook125Tall", "test_matrix_derivatives_of_traces", "cookbook 125 for a tall X, symmetric C", func(p *point) (mat.Matrix, mat.Matrix) {
		X, C, A := p.mat(k, j), p.spd(k), p.mat(j, j)
		d := dmat(k, j)
		TrCookbook125TallGrad(X, C, A, d)
		Mi := inv(mul(X.T(), C, X))
		return d, scale(-1, mul(C, X, Mi, add(A, A.T()), Mi))
	}},
	{"TrCookbook126", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, C, B := p.sq(k), p.sq(k), p.mat(k, k)
		d := dmat(k, k)
		TrCookbook126Grad(X, C, B, d)
		Mi := inv(mul(X.T(), C, X))
		return d, add(scale(-2, mul(C, X, Mi, X.T(), B, X, Mi)), scale(2, mul(B, X, Mi)))
	}},
	{"TrCookbook126Tall", "test_matrix_derivatives_of_traces", "SymPy's formula for a tall X, symmetric B and C", func(p *point) (mat.Matrix, mat.Matrix) {
		X, C, B := p.mat(k, j), p.spd(k), p.sym(k)
		d := dmat(k, j)
		TrCookbook126TallGrad(X, C, B, d)
		Mi := inv(mul(X.T(), C, X))
		return d, add(scale(-2, mul(C, X, Mi, X.T(), B, X, Mi)), scale(2, mul(B, X, Mi)))
	}},
	{"TrCookbook127", "test_matrix_derivatives_of_traces", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, C, B := p.sq(k), p.mat(k, k), p.sq(k), p.mat(k, k)
		d := dmat(k, k)
		TrCookbook127Grad(A, X, C, B, d)
		return d, cookbook127(A, X, C, B)
	}},
	{"TrCookbook127Tall", "test_matrix_derivatives_of_traces", "SymPy's formula for a tall X", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, C, B := p.sq(j), p.mat(k, j), p.sq(k), p.mat(k, k)
		d := dmat(k, j)
		TrCookbook127TallGrad(A, X, C, B, d)
		return d, cookbook127(A, X, C, B)
	}},

	// ---- test_derivatives_of_complicated_matrix_expr ----
	{"Complicated", "test_derivatives_of_complicated_matrix_expr", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, A, X, B, b, C, D := p.vec(k), p.mat(k, k), p.mat(k, k), p.mat(k, k), p.vec(k), p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		ComplicatedGrad(a, A, X, B, b, C, D, d)
		return d, complicatedResult(a, A, X, B, b, C, D)
	}},

	// ---- test_mixed_deriv_mixed_expressions ----
	{"Mixed3TrA", "test_mixed_deriv_mixed_expressions", "", func(p *point) (mat.Matrix, mat.Matrix) {
		d := dmat(k, k)
		Mixed3TrAGrad(p.mat(k, k), d)
		return d, scale(3, eye(k))
	}},
	{"MixedConstK", "test_mixed_deriv_mixed_expressions", "", func(p *point) (mat.Matrix, mat.Matrix) {
		d := dmat(k, k)
		MixedConstKGrad(p.mat(k, k), d)
		return d, zeros(k, k)
	}},
	{"MixedTrASq", "test_mixed_deriv_mixed_expressions", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A := p.mat(k, k)
		d := dmat(k, k)
		MixedTrASqGrad(A, d)
		return d, scale(2*tr(A), eye(k))
	}},
	{"TrAA", "test_mixed_deriv_mixed_expressions", "", trAACase},
	{"MixedTrTrAA", "test_mixed_deriv_mixed_expressions", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A := p.mat(k, k)
		d := dmat(k, k)
		MixedTrTrAAGrad(A, d)
		return d, scale(2*tr(A), eye(k))
	}},
	{"MixedTrTrTrAAA", "test_mixed_deriv_mixed_expressions", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A := p.mat(k, k)
		d := dmat(k, k)
		MixedTrTrTrAAAGrad(A, d)
		return d, scale(3*tr(A)*tr(A), eye(k))
	}},

	// ---- test_derivatives_matrix_norms ----
	{"NormInner", "test_derivatives_matrix_norms", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x, y := p.vec(k), p.vec(k)
		d := dvec(k)
		NormInnerGrad(x, y, d)
		return d, y
	}},
	{"NormSqrtInner", "test_derivatives_matrix_norms", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x, y := p.vec(k), p.vec(k)
		d := dvec(k)
		NormSqrtInnerGrad(x, y, d)
		return d, scale(1/(2*math.Sqrt(s1(mul(x.T(), y)))), y)
	}},
	{"NormSqrtXtX", "test_derivatives_matrix_norms", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x := p.vec(k)
		d := dvec(k)
		NormSqrtXtXGrad(x, d)
		return d, scale(math.Pow(s1(mul(x.T(), x)), -0.5), x)
	}},
	{"NormSqrtCaxb", "test_derivatives_matrix_norms", "", func(p *point) (mat.Matrix, mat.Matrix) {
		c, a, x, b := p.vec(k), p.vec(k), p.vec(k), p.vec(k)
		d := dvec(k)
		NormSqrtCaxbGrad(c, a, x, b, d)
		return d, scale(1/math.Sqrt(s1(mul(c.T(), a, x.T(), b)))/2, mul(b, a.T(), c))
	}},
	{"NormCbrtCaxb", "test_derivatives_matrix_norms", "", func(p *point) (mat.Matrix, mat.Matrix) {
		c, a, x, b := p.vec(k), p.vec(k), p.vec(k), p.vec(k)
		d := dvec(k)
		NormCbrtCaxbGrad(c, a, x, b, d)
		return d, scale(math.Pow(s1(mul(c.T(), a, x.T(), b)), -2.0/3)/3, mul(b, a.T(), c))
	}},
	{"NormSqrtAtXb", "test_derivatives_matrix_norms", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, X, b := p.vec(k), p.mat(k, k), p.vec(k)
		d := dmat(k, k)
		NormSqrtAtXbGrad(a, X, b, d)
		return d, scale(1/(2*math.Sqrt(s1(mul(a.T(), X, b)))), mul(a, b.T()))
	}},
	{"NormDxSqrtYc", "test_derivatives_matrix_norms", "", func(p *point) (mat.Matrix, mat.Matrix) {
		dd, x, a, X, b, y, c := p.vec(k), p.vec(k), p.vec(k), p.mat(k, k), p.vec(k), p.vec(k), p.vec(k)
		g := dmat(k, k)
		NormDxSqrtYcGrad(dd, x, a, X, b, y, c, g)
		return g, scale(1/(2*math.Sqrt(s1(mul(b.T(), X.T(), a)))), mul(a, x.T(), dd, y.T(), c, b.T()))
	}},
	{"NormSqrtTrXtX", "test_derivatives_matrix_norms", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.mat(k, k)
		d := dmat(k, k)
		NormSqrtTrXtXGrad(X, d)
		return d, scale(1/math.Sqrt(tr(mul(X, X.T()))), X)
	}},

	// ---- test_derivatives_elementwise_applyfunc ----
	{"ApplyTanX", "test_derivatives_elementwise_applyfunc", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x := p.vec(k)
		J := dmat(k, k)
		ApplyTanXJacobian(x, J)
		return J, vecJacobian(diagMat(apply(func(v float64) float64 { return math.Tan(v)*math.Tan(v) + 1 }, x)))
	}},
	{"ApplySinI2X", "test_derivatives_elementwise_applyfunc", "", func(p *point) (mat.Matrix, mat.Matrix) {
		i, x := p.scalar(), p.vec(k)
		d := dvec(k)
		ApplySinI2XDeriv(i, x, d)
		return d, had(scale(2*i, x), apply(math.Cos, scale(i*i, x)))
	}},
	{"ApplySinLogIAB", "test_derivatives_elementwise_applyfunc", "", func(p *point) (mat.Matrix, mat.Matrix) {
		i, A, B := p.scalar(), p.mat(k, k), p.mat(k, k)
		d := dmat(k, k)
		ApplySinLogIABDeriv(i, A, B, d)
		return d, had(scale(1/i, mul(A, B)), apply(math.Cos, scale(math.Log(i), mul(A, B))))
	}},
	{"ApplyAExpX", "test_derivatives_elementwise_applyfunc", "layout: SymPy's TODO result DiagMatrix(exp(x))*A.T is the transpose of gradgen's Jacobian", func(p *point) (mat.Matrix, mat.Matrix) {
		A, x := p.mat(k, k), p.vec(k)
		J := dmat(k, k)
		ApplyAExpXJacobian(A, x, J)
		return J, vecJacobian(mul(diagMat(apply(math.Exp, x)), A.T()).T())
	}},
	{"ApplyXtAxKSinY", "test_derivatives_elementwise_applyfunc", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x, A, y := p.vec(k), p.mat(k, k), p.vec(k)
		d := dvec(k)
		ApplyXtAxKSinYGrad(x, A, y, d)
		return d, add(mul(A.T(), x), mul(A, x), scale(float64(k), apply(math.Sin, y)))
	}},
	{"ApplySinXtY", "test_derivatives_elementwise_applyfunc", "SymPy's TODO result DiagMatrix(cos(x))*y", func(p *point) (mat.Matrix, mat.Matrix) {
		x, y := p.vec(k), p.vec(k)
		d := dvec(k)
		ApplySinXtYGrad(x, y, d)
		return d, mul(diagMat(apply(math.Cos, x)), y)
	}},
	{"ApplySinAtXb", "test_derivatives_elementwise_applyfunc", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, X, b := p.vec(k), p.mat(k, k), p.vec(k)
		d := dmat(k, k)
		ApplySinAtXbGrad(a, X, b, d)
		return d, mul(a, apply(math.Cos, mul(a.T(), X, b)), b.T())
	}},
	{"ApplyAtSinXb", "test_derivatives_elementwise_applyfunc", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, X, b := p.vec(k), p.mat(k, k), p.vec(k)
		d := dmat(k, k)
		ApplyAtSinXbGrad(a, X, b, d)
		return d, mul(diagMat(a), apply(math.Cos, X), diagMat(b))
	}},
	{"ApplyAtSinAXBb", "test_derivatives_elementwise_applyfunc", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, A, X, B, b := p.vec(k), p.mat(k, k), p.mat(k, k), p.mat(k, k), p.vec(k)
		d := dmat(k, k)
		ApplyAtSinAXBbGrad(a, A, X, B, b, d)
		return d, mul(A.T(), diagMat(a), apply(math.Cos, mul(A, X, B)), diagMat(b), B.T())
	}},
	{"ApplyAtSinAXbbT", "test_derivatives_elementwise_applyfunc", "hand: SymPy says TODO, not implemented", func(p *point) (mat.Matrix, mat.Matrix) {
		a, A, X, b := p.vec(k), p.mat(k, k), p.mat(k, k), p.vec(k)
		J := dmat(k, k*k)
		ApplyAtSinAXbbTJacobian(a, A, X, b, J)
		// F = s b' with s = a' sin(A X b); ∂s/∂X = A' (a .* cos(A X b)) b'
		G := mul(A.T(), had(a, apply(math.Cos, mul(A, X, b))), b.T())
		return J, jacobian(1, k, k, k, func(_, jj, m, n int) float64 { return b.AtVec(jj) * G.At(m, n) })
	}},
	{"ApplyAtASinXBb", "test_derivatives_elementwise_applyfunc", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, A, X, B, b := p.vec(k), p.mat(k, k), p.mat(k, k), p.mat(k, k), p.vec(k)
		d := dmat(k, k)
		ApplyAtASinXBbGrad(a, A, X, B, b, d)
		return d, had(mul(A.T(), a, b.T(), B.T()), apply(math.Cos, X))
	}},
	{"ApplyAtLogASinXBb", "test_derivatives_elementwise_applyfunc", "hand: SymPy's result is marked TODO, wrong", func(p *point) (mat.Matrix, mat.Matrix) {
		a, A, X, B, b := p.vec(k), p.mat(k, k), p.mat(k, k), p.mat(k, k), p.vec(k)
		d := dmat(k, k)
		ApplyAtLogASinXBbGrad(a, A, X, B, b, d)
		M := mul(A, apply(math.Sin, X), B)
		var GM mat.Dense
		GM.DivElem(mul(a, b.T()), M)
		return d, had(mul(A.T(), &GM, B.T()), apply(math.Cos, X))
	}},
	{"ApplyAtLogSinXb", "test_derivatives_elementwise_applyfunc", "hand: SymPy's result is marked TODO, wrong", func(p *point) (mat.Matrix, mat.Matrix) {
		a, X, b := p.vec(k), p.mat(k, k), p.vec(k)
		d := dmat(k, k)
		ApplyAtLogSinXbGrad(a, X, b, d)
		return d, had(mul(a, b.T()), apply(func(v float64) float64 { return math.Cos(v) / math.Sin(v) }, X))
	}},

	// ---- test_derivatives_of_hadamard_expressions ----
	{"HadAXB", "test_derivatives_of_hadamard_expressions", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, x, b := p.vec(k), p.vec(k), p.vec(k)
		J := dmat(k, k)
		HadAXBJacobian(a, x, b, J)
		return J, vecJacobian(diagMat(had(b, a)))
	}},
	{"HadAtAXBb", "test_derivatives_of_hadamard_expressions", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, A, X, B, b := p.vec(k), p.mat(k, k), p.mat(k, k), p.mat(k, k), p.vec(k)
		d := dmat(k, k)
		HadAtAXBbGrad(a, A, X, B, b, d)
		return d, had(mul(a, b.T()), A, B)
	}},
	{"HadPow2", "test_derivatives_of_hadamard_expressions", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x := p.vec(k)
		J := dmat(k, k)
		HadPow2Jacobian(x, J)
		return J, vecJacobian(scale(2, diagMat(x)))
	}},
	{"HadPow2T", "test_derivatives_of_hadamard_expressions", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x := p.vec(k)
		J := dmat(1, k*k)
		HadPow2TJacobian(x, J)
		D := scale(2, diagMat(x))
		return J, jacobian(1, k, 1, k, func(_, jj, _, l int) float64 { return D.At(l, jj) })
	}},
	{"HadPowHalf", "test_derivatives_of_hadamard_expressions", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x := p.vec(k)
		J := dmat(k, k)
		HadPowHalfJacobian(x, J)
		return J, vecJacobian(scale(0.5, diagMat(apply(func(v float64) float64 { return math.Pow(v, -0.5) }, x))))
	}},
	{"HadPowAtXb2", "test_derivatives_of_hadamard_expressions", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, X, b := p.vec(k), p.mat(k, k), p.vec(k)
		d := dmat(k, k)
		HadPowAtXb2Grad(a, X, b, d)
		return d, scale(2, mul(a, a.T(), X, b, b.T()))
	}},
	{"HadPowAtXbHalf", "test_derivatives_of_hadamard_expressions", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, X, b := p.vec(k), p.mat(k, k), p.vec(k)
		d := dmat(k, k)
		HadPowAtXbHalfGrad(a, X, b, d)
		return d, scale(1/(2*math.Sqrt(s1(mul(a.T(), X, b)))), mul(a, b.T()))
	}},

	// ---- test_fix_issue_24021 ----
	{"Issue24021", "test_fix_issue_24021", "", func(p *point) (mat.Matrix, mat.Matrix) {
		E := p.mat(3, 3)
		d := dmat(3, 3)
		Issue24021Grad(E, d)
		return d, add(scale(2*tr(E), eye(3)), scale(2, E))
	}},

	// ---- test_fix_issue_on_stackoverflow ----
	{"StackOverflow", "test_fix_issue_on_stackoverflow", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x := p.vec(2)
		m1 := mat.NewDense(2, 2, []float64{1, 2, 4, 7})
		m3 := mat.NewVecDense(2, []float64{3, 5})
		d := dvec(2)
		StackOverflowGrad(x, m1, m3, d)
		return d, add(mul(m1, x), mul(m1.T(), x), m3)
	}},

	// ---- test_issue_25118 ----
	{"Issue25118TrMinus1", "test_issue_25118", "", func(p *point) (mat.Matrix, mat.Matrix) {
		d := dmat(3, 3)
		Issue25118TrMinus1Grad(p.mat(3, 3), d)
		return d, eye(3)
	}},
	{"Issue25118TrFtFMinus3", "test_issue_25118", "", func(p *point) (mat.Matrix, mat.Matrix) {
		F := p.mat(3, 3)
		d := dmat(3, 3)
		Issue25118TrFtFMinus3Grad(F, d)
		return d, scale(2, F)
	}},

	// ---- test_issue_24725 ----
	{"Issue24725M", "test_issue_24725", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x, m := p.vec(k), p.scalar()
		var dm float64
		Issue24725MGrad(x, m, &dm)
		one := ones(k)
		// -Trace(((-m)*one.T + x.T)*one) - Trace(one.T*((-m)*one + x))
		return num(dm), num(-tr(mul(add(scale(-m, one.T()), x.T()), one)) - tr(mul(one.T(), add(scale(-m, one), x))))
	}},
	{"Issue24725W", "test_issue_24725", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x, w, b := p.vec(k), p.vec(k), p.scalar()
		d := dvec(k)
		Issue24725WGrad(x, w, b, d)
		return d, x
	}},

	// ---- test_issue_23492 ----
	{"Issue23492Tr", "test_issue_23492", "", func(p *point) (mat.Matrix, mat.Matrix) {
		d := dmat(3, 3)
		Issue23492TrGrad(p.mat(3, 3), d)
		return d, eye(3)
	}},
	{"Issue23492TrSq", "test_issue_23492", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A := p.mat(3, 3)
		d := dmat(3, 3)
		Issue23492TrSqGrad(A, d)
		return d, add(eye(3), scale(2, A.T()))
	}},

	// ---- test_issue_23364 ----
	{"Issue23364", "test_issue_23364", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x, F := p.scalar(), p.mat(3, 3)
		d := dmat(3, 3)
		Issue23364Deriv(x, F, d)
		return d, scale(2*x, mul(F, F))
	}},

	// ---- test_issue_21597 ----
	{"Issue21597", "test_issue_21597", "", func(p *point) (mat.Matrix, mat.Matrix) {
		J := dmat(3, 3)
		Issue21597Jacobian(p.vec(3), p.mat(3, 3), p.vec(3), J)
		return J, vecJacobian(eye(3))
	}},

	// ---- test_issue_23931 ----
	{"Issue23931InvTr", "test_issue_23931", "", func(p *point) (mat.Matrix, mat.Matrix) {
		F := p.mat(3, 3)
		d := dmat(3, 3)
		Issue23931InvTrGrad(F, d)
		return d, scale(-1/(tr(F)*tr(F)), eye(3))
	}},
	{"Issue23931XOverTr", "test_issue_23931", "", func(p *point) (mat.Matrix, mat.Matrix) {
		x := p.vec(k)
		J := dmat(k, k)
		Issue23931XOverTrJacobian(x, J)
		t := tr(mul(x, x.T()))
		return J, vecJacobian(add(scale(-2/(t*t), mul(x, x.T())), scale(1/t, eye(k))))
	}},

	// ---- test_issue_15651 ----
	{"Issue15651", "test_issue_15651", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.mat(3, 3)
		J := dmat(9, 9)
		Issue15651Jacobian(X, J)
		// the two terms of SymPy's ArrayAdd: E_mn X and X E_mn
		return J, jacobian(3, 3, 3, 3, func(i, jj, m, n int) float64 {
			return delta(i, m)*X.At(n, jj) + X.At(i, m)*delta(jj, n)
		})
	}},
	{"TrAA", "test_issue_15667", "", trAACase},

	// ---- test_matpow_derivative ----
	{"MatPowDiag", "test_matpow_derivative", "", func(p *point) (mat.Matrix, mat.Matrix) {
		m := p.scalar()
		d := dmat(2, 2)
		MatPowDiagDeriv(m, d)
		return d, mat.NewDense(2, 2, []float64{2 * m, 0, 0, 2 * m})
	}},
	{"MatPowCube", "test_matpow_derivative", "", func(p *point) (mat.Matrix, mat.Matrix) {
		m, n := p.scalar(), p.scalar()
		d := dmat(2, 2)
		MatPowCubeDeriv(m, n, unit(2, 0, 1), unit(2, 1, 0), d)
		return d, mat.NewDense(2, 2, []float64{0, 2 * m * n, n * n, 0})
	}},
	{"MatPowInv", "test_matpow_derivative", "hand: SymPy leaves it unevaluated", func(p *point) (mat.Matrix, mat.Matrix) {
		m, n := p.scalar(), p.scalar()
		d := dmat(2, 2)
		MatPowInvDeriv(m, n, unit(2, 0, 1), unit(2, 1, 0), d)
		Mi := inv(mat.NewDense(2, 2, []float64{0, m, n, 0}))
		return d, scale(-1, mul(Mi, unit(2, 0, 1), Mi))
	}},

	// ---- test_matexpr_derivative_by_matrix_element ----
	{"ByElementXPlusAY", "test_matexpr_derivative_by_matrix_element", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, a, Y := p.mat(2, 2), p.scalar(), p.mat(2, 2)
		d := dmat(2, 2)
		ByElementXPlusAYDeriv(X, a, Y, d)
		return d, Y
	}},

	// ---- test_arrayexpr_derivatives.py ----
	{"TrX", "test_arrayexpr_derivatives1 (ArrayContraction(X, (0, 1)))", "", trXCase},
	{"ArrayDiagX", "test_arrayexpr_derivatives1", "", func(p *point) (mat.Matrix, mat.Matrix) {
		J := dmat(k*k, k)
		ArrayDiagXJacobian(p.mat(k, k), J)
		return J, jacobian(k, 1, k, k, func(i, _, m, n int) float64 { return delta(i, m) * delta(i, n) })
	}},
	{"ArraySinX", "test_arrayexpr_derivatives1", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.mat(k, k)
		J := dmat(k*k, k*k)
		ArraySinXJacobian(X, J)
		return J, jacobian(k, k, k, k, func(i, jj, m, n int) float64 {
			return delta(i, m) * delta(jj, n) * math.Cos(X.At(i, jj))
		})
	}},
	{"ArraySinX", "test_arrayexpr_derivatives1 (ArrayElementwiseApplyFunc)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.mat(k, k)
		J := dmat(k*k, k*k)
		ArraySinXJacobian(X, J)
		return J, jacobian(k, k, k, k, func(i, jj, m, n int) float64 {
			return delta(i, m) * delta(jj, n) * math.Cos(X.At(i, jj))
		})
	}},
	{"NonMatA", "test_array_derive_with_common_matrices (M by M)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		J := dmat(k*k, k*k)
		NonMatAJacobian(p.mat(k, k), J)
		return J, jacobian(k, k, k, k, func(i, jj, m, n int) float64 { return delta(i, m) * delta(jj, n) })
	}},
	{"ArrayCommonMatrix", "test_array_derive_with_common_matrices", "", func(p *point) (mat.Matrix, mat.Matrix) {
		t := p.scalar()
		d := dmat(2, 2)
		ArrayCommonMatrixDeriv(t, unit(2, 0, 0), unit(2, 0, 1), unit(2, 1, 0), unit(2, 1, 1), d)
		return d, mat.NewDense(2, 2, []float64{1, 2 * t, math.Cos(t), math.Exp(t)})
	}},
}

// unit is the n×n matrix with a one at (r, c), SymPy's MatrixUnit.
func unit(n, r, c int) *mat.Dense {
	d := mat.NewDense(n, n, nil)
	d.Set(r, c, 1)
	return d
}

// trAACase is (Trace(A)*A).diff(A) == ArrayAdd(ArrayTensorProduct(I, A),
// PermuteDims(ArrayTensorProduct(Trace(A)*I, I), Permutation(3)(1, 2))),
// whose entry (i, j, m, n) SymPy's test also states:
// KDelta(i, m)*KDelta(j, n)*Trace(A) + KDelta(m, n)*A[i, j].
func trAACase(p *point) (mat.Matrix, mat.Matrix) {
	A := p.mat(k, k)
	J := dmat(k*k, k*k)
	TrAAJacobian(A, J)
	t := tr(A)
	return J, jacobian(k, k, k, k, func(i, jj, m, n int) float64 {
		return delta(i, m)*delta(jj, n)*t + delta(m, n)*A.At(i, jj)
	})
}

// trXCase is Cookbook 99: Trace(X).diff(X) == Identity(k).
func trXCase(p *point) (mat.Matrix, mat.Matrix) {
	d := dmat(k, k)
	TrXGrad(p.mat(k, k), d)
	return d, eye(k)
}

// cookbook127 is SymPy's result for Cookbook 127, Trace((A +
// X.T*C*X).inv()*(X.T*B*X)).diff(X).
func cookbook127(A, X, C, B mat.Matrix) *mat.Dense {
	Mi := inv(add(A, mul(X.T(), C, X)))
	Mti := inv(add(A.T(), mul(mul(C, X).T(), X)))
	return add(
		mul(B, X, Mi),
		scale(-1, mul(C, X, Mi, X.T(), B, X, Mi)),
		scale(-1, mul(C.T(), X, Mti, X.T(), B.T(), X, Mti)),
		mul(B.T(), X, Mti))
}

// complicatedResult is SymPy's stated result of
// test_derivatives_of_complicated_matrix_expr, term by term.
func complicatedResult(a *mat.VecDense, A, X, B *mat.Dense, b *mat.VecDense, C, D *mat.Dense) *mat.Dense {
	at, bt := a.T(), b.T()
	At, Bt, Xt, Ct, Dt := A.T(), B.T(), X.T(), C.T(), D.T()
	B2, B3 := mul(B, B), mul(B, B, B)
	Bt2, Bt3 := mul(Bt, Bt), mul(Bt, Bt, Bt)
	X42 := add(scale(42, X), scale(42, Xt))
	first := mul(
		add(
			mul(B, add(mul(B, A, X, At), scale(-3, mul(X, D)), mul(X, Dt))),
			mul(a, bt, add(mul(X, add(mul(A, X), mul(Xt, B)), D, B), mul(X, D, Xt), scale(-1, mul(Xt, Ct, A))), B)),
		B, b, at, Bt)
	return add(
		first,
		mul(B2, b, at, Bt, Xt, a, bt, X, D),
		scale(42, mul(A, X, Bt, Xt, a, bt)),
		mul(B, D, B3, b, at, Bt, Xt, a, bt, X),
		mul(B, b, at, A, X),
		mul(a, bt, X42, A, X, Bt),
		mul(b, at, X, B, a, bt, Bt2, X, Dt),
		mul(b, at, X, B, a, bt, Bt3, Dt, add(mul(Bt, X), mul(Xt, At))),
		scale(42, mul(b, at, X, B, Xt, At)),
		mul(At, X42, b, at, X, B),
		mul(At, Bt2, X, B, a, bt, Bt, A),
		mul(At, a, bt, add(mul(At, Xt), mul(Bt, X))),
		mul(At, Xt, b, at, X, B, a, bt, Bt3, Dt),
		mul(Bt, X, B, a, bt, Bt, D),
		scale(-3, mul(Bt, X, B, a, bt, Bt, Dt)),
		scale(-1, mul(Ct, A, B2, b, at, Bt, Xt, a, bt)),
		mul(Xt, At, a, bt, At))
}

// TestSymPyFormulas compares each generated derivative with the derivative
// SymPy's test suite states, at three random points per case, at small
// sizes and at sizes past the generated code's kernel thresholds (blocked
// and split loops, row panels). Not parallel: the sizes are package state.
func TestSymPyFormulas(t *testing.T) {
	const tol = 1e-9
	sizes := []struct{ k, j, m int }{{4, 3, 2}, {37, 5, 70}, {6, 5, 40}, {17, 2, 33}, {1, 1, 1}, {2, 1, 3}}
	if testing.Short() {
		sizes = sizes[:1]
	}
	for _, size := range sizes {
		k, j, m = size.k, size.j, size.m
		for n, c := range allCases() {
			t.Run(fmt.Sprintf("k=%d,j=%d,m=%d/%s/%s", k, j, m, c.sympy, c.name), func(t *testing.T) {
				for trial := range 3 {
					p := &point{rng: rand.New(rand.NewPCG(uint64(n), uint64(trial)))}
					got, want := c.run(p)
					gr, gc := got.Dims()
					wr, wc := want.Dims()
					if gr != wr || gc != wc {
						t.Fatalf("%s: got %d×%d, SymPy's formula %d×%d", c.name, gr, gc, wr, wc)
					}
					scale := math.Max(1, math.Max(maxAbs(want), maxAbs(got)))
					for i := range gr {
						for jj := range gc {
							if g, w := got.At(i, jj), want.At(i, jj); !(math.Abs(g-w) <= tol*scale) {
								t.Fatalf("%s (%s) trial %d: entry (%d, %d) = %.17g, SymPy's formula %.17g (scale %.3g)\ngot  %v\nwant %v",
									c.name, c.sympy, trial, i, jj, g, w, scale,
									mat.Formatted(got, mat.Squeeze()), mat.Formatted(want, mat.Squeeze()))
							}
						}
					}
				}
			})
		}
	}
}

// allCases is every table: SymPy's cases, then the symmetric, rectangular
// and negative-determinant variants.
func allCases() []sympyCase {
	var all []sympyCase
	for _, cs := range [][]sympyCase{sympyCases, symmetricCases, rectCases, negativeDetCases} {
		all = append(all, cs...)
	}
	return all
}
