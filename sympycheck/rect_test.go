package sympycheck

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// m is the third dimension of the rectangular variants (the …Rect
// functions of sympy.yaml); TestSymPyFormulas sets it with k and j.
var m int

// rectCases are SymPy's formulas at shapes where k, j and m differ.
var rectCases = []sympyCase{
	{"TrAXBRect", "test_matrix_derivatives_of_traces (rectangular)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, B := p.mat(m, k), p.mat(k, j), p.mat(j, m)
		d := dmat(k, j)
		TrAXBRectGrad(A, X, B, d)
		return d, mul(A.T(), B.T())
	}},
	{"TrAXTBRect", "test_matrix_derivatives_of_traces (rectangular)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, B := p.mat(m, j), p.mat(k, j), p.mat(k, m)
		d := dmat(k, j)
		TrAXTBRectGrad(A, X, B, d)
		return d, mul(B, A)
	}},
	{"TrXtBXRect", "test_matrix_derivatives_of_traces (rectangular)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, B := p.mat(k, j), p.mat(k, k)
		d := dmat(k, j)
		TrXtBXRectGrad(X, B, d)
		return d, add(mul(B, X), mul(B.T(), X))
	}},
	{"TrXBXtRect", "test_matrix_derivatives_of_traces (rectangular)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, B := p.mat(k, j), p.mat(j, j)
		d := dmat(k, j)
		TrXBXtRectGrad(X, B, d)
		return d, add(mul(X, B.T()), mul(X, B))
	}},
	{"TrBtXtCXBRect", "test_matrix_derivatives_of_traces (rectangular)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		B, X, C := p.mat(j, m), p.mat(k, j), p.mat(k, k)
		d := dmat(k, j)
		TrBtXtCXBRectGrad(B, X, C, d)
		return d, add(mul(C.T(), X, B, B.T()), mul(C, X, B, B.T()))
	}},
	{"TrXtBXCRect", "test_matrix_derivatives_of_traces (rectangular)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, B, C := p.mat(k, j), p.mat(k, k), p.mat(j, j)
		d := dmat(k, j)
		TrXtBXCRectGrad(X, B, C, d)
		return d, add(mul(B, X, C), mul(B.T(), X, C.T()))
	}},
	{"TrAXBXtCRect", "test_matrix_derivatives_of_traces (rectangular)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, B, C := p.mat(m, k), p.mat(k, j), p.mat(j, j), p.mat(k, m)
		d := dmat(k, j)
		TrAXBXtCRectGrad(A, X, B, C, d)
		return d, add(mul(A.T(), C.T(), X, B.T()), mul(C, A, X, B))
	}},
	{"TrAXBCSqRect", "test_matrix_derivatives_of_traces (rectangular)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, B, C := p.mat(m, k), p.mat(k, j), p.mat(j, m), p.mat(m, m)
		d := dmat(k, j)
		TrAXBCSqRectGrad(A, X, B, C, d)
		return d, scale(2, mul(A.T(), add(mul(A, X, B), C), B.T()))
	}},
	{"TrCookbook123Rect", "test_matrix_derivatives_of_traces (rectangular)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		B, X, C := p.mat(j, m), p.mat(k, j), p.mat(k, k)
		d := dmat(k, j)
		TrCookbook123RectGrad(B, X, C, d)
		Bt, Xt, Ct := B.T(), X.T(), C.T()
		return d, add(
			mul(C, X, Xt, C, X, B, Bt),
			mul(Ct, X, B, Bt, Xt, Ct, X),
			mul(C, X, B, Bt, Xt, C, X),
			mul(Ct, X, Xt, Ct, X, B, Bt))
	}},
	{"VecBtXtXcRect", "test_matrix_derivative_vectors_and_scalars (rectangular)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		b, X, c := p.vec(j), p.mat(k, j), p.vec(j)
		d := dmat(k, j)
		VecBtXtXcRectGrad(b, X, c, d)
		return d, add(mul(X, b, c.T()), mul(X, c, b.T()))
	}},
	{"VecBtXtDXcRect", "test_matrix_derivative_vectors_and_scalars (rectangular)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		b, X, D, c := p.vec(j), p.mat(k, j), p.mat(k, k), p.vec(j)
		d := dmat(k, j)
		VecBtXtDXcRectGrad(b, X, D, c, d)
		return d, add(mul(D.T(), X, b, c.T()), mul(D, X, c, b.T()))
	}},
	{"VecCookbook83Rect", "test_matrix_derivative_vectors_and_scalars (rectangular)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, b, c, D := p.mat(k, j), p.vec(j), p.vec(k), p.mat(k, k)
		d := dmat(k, j)
		VecCookbook83RectGrad(X, b, c, D, d)
		Xbc := add(mul(X, b), c)
		return d, add(mul(D, Xbc, b.T()), mul(D.T(), Xbc, b.T()))
	}},
	{"ApplyAtSinAXBbRect", "test_derivatives_elementwise_applyfunc (rectangular)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, A, X, B, b := p.vec(m), p.mat(m, k), p.mat(k, j), p.mat(j, m), p.vec(m)
		d := dmat(k, j)
		ApplyAtSinAXBbRectGrad(a, A, X, B, b, d)
		return d, mul(A.T(), diagMat(a), apply(math.Cos, mul(A, X, B)), diagMat(b), B.T())
	}},
	{"HadAtAXBbRect", "test_derivatives_of_hadamard_expressions (rectangular)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, A, X, B, b := p.vec(k), p.mat(k, j), p.mat(k, j), p.mat(k, j), p.vec(j)
		d := dmat(k, j)
		HadAtAXBbRectGrad(a, A, X, B, b, d)
		return d, had(mul(a, b.T()), A, B)
	}},
}
