// Package sympycheck checks gradgen's generated derivatives against the
// derivatives SymPy's matrix-derivative test suite states
// (sympy/matrices/expressions/tests/test_derivatives.py): sympy.yaml holds
// one spec function per expressible SymPy case, sympy_grad.go its generated
// code, and sympy_test.go evaluates SymPy's formula by hand with gonum/mat
// and compares. README.md lists the cases gradgen cannot express.
package sympycheck

//go:generate go run ../cmd/gradgen -o sympy_grad.go sympy.yaml
