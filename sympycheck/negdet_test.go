package sympycheck

import "gonum.org/v1/gonum/mat"

// negSq draws sq(n) with its first two rows swapped (for n ≥ 2): a
// determinant below zero, where det, 1/det and logdet = log|det| keep
// SymPy's formulas.
func (p *point) negSq(n int) *mat.Dense {
	X := p.sq(n)
	if n < 2 {
		X.Scale(-1, X)
		return X
	}
	r0 := mat.Row(nil, 0, X)
	r1 := mat.Row(nil, 1, X)
	X.SetRow(0, r1)
	X.SetRow(1, r0)
	return X
}

// negativeDetCases are the determinant cases at a matrix whose determinant
// is negative (log(det(X)) is then undefined: only logdet is checked).
var negativeDetCases = []sympyCase{
	{"DetX", "test_matrix_derivative_of_determinant (det X < 0)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.negSq(k)
		d := dmat(k, k)
		DetXGrad(X, d)
		return d, scale(det(X), inv(X.T()))
	}},
	{"LogdetX", "test_matrix_derivative_of_determinant (det X < 0)", "logdet is log|det X|: the gradient is still X.T.inv()", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.negSq(k)
		d := dmat(k, k)
		LogdetXGrad(X, d)
		return d, inv(X.T())
	}},
	{"DetXPow3", "test_matrix_derivative_of_determinant (det X < 0)", "X**j with j = 3", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.negSq(k)
		d := dmat(k, k)
		DetXPow3Grad(X, d)
		return d, scale(3*det(mul(X, X, X)), inv(X).T())
	}},
	{"Issue28838InvDet", "test_issue_28838_det_in_non_matrix_expr (det X < 0)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.negSq(k)
		d := dmat(k, k)
		Issue28838InvDetGrad(X, d)
		return d, scale(-1/det(X), inv(X.T()))
	}},
	{"DetInvX", "test_matrix_derivative_with_inverse (det X < 0)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.negSq(k)
		d := dmat(k, k)
		DetInvXGrad(X, d)
		return d, scale(-det(inv(X)), inv(X).T())
	}},
	{"DetAXB", "test_matrix_derivative_of_determinant (det X < 0)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, B := p.sq(k), p.negSq(k), p.sq(k)
		d := dmat(k, k)
		DetAXBGrad(A, X, B, d)
		return d, scale(det(mul(A, X, B)), inv(X.T()))
	}},
}
