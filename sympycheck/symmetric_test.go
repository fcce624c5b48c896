package sympycheck

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// symSq draws a symmetric n×n matrix with off-diagonal entries in
// (0.1, 1)/n and diagonal entries in (1.5, 2.5): diagonally dominant with a
// positive diagonal, so positive definite.
func (p *point) symSq(n int) *mat.SymDense {
	s := mat.NewSymDense(n, nil)
	for i := range n {
		s.SetSym(i, i, 1.5+p.rng.Float64())
		for jj := i + 1; jj < n; jj++ {
			s.SetSym(i, jj, (0.1+0.9*p.rng.Float64())/float64(n))
		}
	}
	return s
}

// symm is the symmetric part (G + Gᵀ)/2 of G: the gradient gradgen
// returns for a symmetric input whose unconstrained gradient is G.
func symm(g mat.Matrix) *mat.Dense { return scale(0.5, add(g, g.T())) }

// dsym is a symmetric n×n destination.
func dsym(n int) *mat.SymDense { return mat.NewSymDense(n, nil) }

// symmetricCases are SymPy's cases with the wrt matrix symmetric (spd for
// log det): SymPy's formula G, symmetrised.
var symmetricCases = []sympyCase{
	{"DetXSym", "test_matrix_derivative_of_determinant (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.symSq(k)
		d := dsym(k)
		DetXSymGrad(X, d)
		return d, symm(scale(det(X), inv(X.T())))
	}},
	{"LogDetXSym", "test_matrix_derivative_of_determinant (spd X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.symSq(k)
		d := dsym(k)
		LogDetXSymGrad(X, d)
		return d, symm(inv(X.T()))
	}},
	{"InvBilinearSym", "test_matrix_derivative_with_inverse (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, X, b := p.vec(k), p.symSq(k), p.vec(k)
		d := dsym(k)
		InvBilinearSymGrad(a, X, b, d)
		return d, symm(scale(-1, mul(inv(X).T(), a, b.T(), inv(X).T())))
	}},
	{"TrAInvXBSym", "test_matrix_derivative_with_inverse (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, B := p.mat(k, k), p.symSq(k), p.mat(k, k)
		d := dsym(k)
		TrAInvXBSymGrad(A, X, B, d)
		return d, symm(scale(-1, mul(inv(X), B, A, inv(X)).T()))
	}},
	{"TrInvXPlusASym", "test_matrix_derivative_with_inverse (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, A := p.symSq(k), p.mat(k, k)
		d := dsym(k)
		TrInvXPlusASymGrad(X, A, d)
		Mt := inv(add(X, A)).T()
		return d, symm(scale(-1, mul(Mt, Mt)))
	}},
	{"VecAtXbSym", "test_matrix_derivative_vectors_and_scalars (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, X, b := p.vec(k), p.sym(k), p.vec(k)
		d := dsym(k)
		VecAtXbSymGrad(a, X, b, d)
		return d, symm(mul(a, b.T()))
	}},
	{"VecBtXtXcSym", "test_matrix_derivative_vectors_and_scalars (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		b, X, c := p.vec(k), p.sym(k), p.vec(k)
		d := dsym(k)
		VecBtXtXcSymGrad(b, X, c, d)
		return d, symm(add(mul(X, b, c.T()), mul(X, c, b.T())))
	}},
	{"VecCookbook83Sym", "test_matrix_derivative_vectors_and_scalars (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, b, c, D := p.sym(k), p.vec(k), p.vec(k), p.mat(k, k)
		d := dsym(k)
		VecCookbook83SymGrad(X, b, c, D, d)
		Xbc := add(mul(X, b), c)
		return d, symm(add(mul(D, Xbc, b.T()), mul(D.T(), Xbc, b.T())))
	}},
	{"TrXASym", "test_matrix_derivatives_of_traces (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, A := p.sym(k), p.mat(k, k)
		d := dsym(k)
		TrXASymGrad(X, A, d)
		return d, symm(A.T())
	}},
	{"TrXSqBSym", "test_matrix_derivatives_of_traces (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, B := p.sym(k), p.mat(k, k)
		d := dsym(k)
		TrXSqBSymGrad(X, B, d)
		return d, symm(add(mul(X, B), mul(B, X)).T())
	}},
	{"TrXtBXSym", "test_matrix_derivatives_of_traces (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, B := p.sym(k), p.mat(k, k)
		d := dsym(k)
		TrXtBXSymGrad(X, B, d)
		return d, symm(add(mul(B, X), mul(B.T(), X)))
	}},
	{"TrAXBXSym", "test_matrix_derivatives_of_traces (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, B := p.mat(k, k), p.sym(k), p.mat(k, k)
		d := dsym(k)
		TrAXBXSymGrad(A, X, B, d)
		return d, symm(add(mul(A.T(), X.T(), B.T()), mul(B.T(), X.T(), A.T())))
	}},
	{"TrBtXtCXBSym", "test_matrix_derivatives_of_traces (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		B, X, C := p.mat(k, k), p.sym(k), p.mat(k, k)
		d := dsym(k)
		TrBtXtCXBSymGrad(B, X, C, d)
		return d, symm(add(mul(C.T(), X, B, B.T()), mul(C, X, B, B.T())))
	}},
	{"TrAXBCSqSym", "test_matrix_derivatives_of_traces (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, B, C := p.mat(k, k), p.sym(k), p.mat(k, k), p.mat(k, k)
		d := dsym(k)
		TrAXBCSqSymGrad(A, X, B, C, d)
		return d, symm(scale(2, mul(A.T(), add(mul(A, X, B), C), B.T())))
	}},
	{"TrCookbook123Sym", "test_matrix_derivatives_of_traces (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		B, X, C := p.mat(k, k), p.sym(k), p.mat(k, k)
		d := dsym(k)
		TrCookbook123SymGrad(B, X, C, d)
		Bt, Xt, Ct := B.T(), X.T(), C.T()
		return d, symm(add(
			mul(C, X, Xt, C, X, B, Bt),
			mul(Ct, X, B, Bt, Xt, Ct, X),
			mul(C, X, B, Bt, Xt, C, X),
			mul(Ct, X, Xt, Ct, X, B, Bt)))
	}},
	{"TrCookbook125Sym", "test_matrix_derivatives_of_traces (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X, C, A := p.symSq(k), p.sq(k), p.mat(k, k)
		d := dsym(k)
		TrCookbook125SymGrad(X, C, A, d)
		Xi, Ci := inv(X), inv(C)
		return d, symm(sub(scale(-1, mul(Xi.T(), A.T(), Xi, Ci.T(), Xi.T())), mul(Xi.T(), A, Xi, Ci, Xi.T())))
	}},
	{"TrCookbook127Sym", "test_matrix_derivatives_of_traces (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A, X, C, B := p.sq(k), p.sym(k), p.sq(k), p.mat(k, k)
		d := dsym(k)
		TrCookbook127SymGrad(A, X, C, B, d)
		return d, symm(cookbook127(A, X, C, B))
	}},
	{"ComplicatedSym", "test_derivatives_of_complicated_matrix_expr (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, A, X, B, b, C, D := p.vec(k), p.mat(k, k), p.sym(k), p.mat(k, k), p.vec(k), p.mat(k, k), p.mat(k, k)
		d := dsym(k)
		ComplicatedSymGrad(a, A, X, B, b, C, D, d)
		return d, symm(complicatedResult(a, A, mat.DenseCopyOf(X), B, b, C, D))
	}},
	{"NormSqrtTrXtXSym", "test_derivatives_matrix_norms (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		X := p.sym(k)
		d := dsym(k)
		NormSqrtTrXtXSymGrad(X, d)
		return d, symm(scale(1/math.Sqrt(tr(mul(X, X.T()))), X))
	}},
	{"ApplyAtSinXbSym", "test_derivatives_elementwise_applyfunc (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, X, b := p.vec(k), p.sym(k), p.vec(k)
		d := dsym(k)
		ApplyAtSinXbSymGrad(a, X, b, d)
		return d, symm(mul(diagMat(a), apply(math.Cos, X), diagMat(b)))
	}},
	{"ApplyAtSinAXBbSym", "test_derivatives_elementwise_applyfunc (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, A, X, B, b := p.vec(k), p.mat(k, k), p.sym(k), p.mat(k, k), p.vec(k)
		d := dsym(k)
		ApplyAtSinAXBbSymGrad(a, A, X, B, b, d)
		return d, symm(mul(A.T(), diagMat(a), apply(math.Cos, mul(A, X, B)), diagMat(b), B.T()))
	}},
	{"HadAtAXBbSym", "test_derivatives_of_hadamard_expressions (symmetric X)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		a, A, X, B, b := p.vec(k), p.mat(k, k), p.sym(k), p.mat(k, k), p.vec(k)
		d := dsym(k)
		HadAtAXBbSymGrad(a, A, X, B, b, d)
		return d, symm(had(mul(a, b.T()), A, B))
	}},
	{"Issue23492TrSqSym", "test_issue_23492 (symmetric A)", "", func(p *point) (mat.Matrix, mat.Matrix) {
		A := p.sym(3)
		d := dsym(3)
		Issue23492TrSqSymGrad(A, d)
		return d, symm(add(eye(3), scale(2, A.T())))
	}},
}
