package runtime

import (
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// TestDots checks MatrixDot and SymmetricDot against gonum/mat, on a
// strided view and on both stored triangles.
func TestDots(t *testing.T) {
	a := mat.NewDense(3, 4, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	b := mat.NewDense(3, 4, []float64{2, 0, 1, 1, 3, 1, 0, 2, 1, 1, 1, 1})
	var prod mat.Dense
	prod.MulElem(a, b)
	want := mat.Sum(&prod)
	av := a.Slice(0, 3, 0, 3).(*mat.Dense).RawMatrix()
	bv := b.Slice(0, 3, 0, 3).(*mat.Dense).RawMatrix()
	prod.Reset()
	prod.MulElem(a.Slice(0, 3, 0, 3), b.Slice(0, 3, 0, 3))
	if got := MatrixDot(a.RawMatrix(), b.RawMatrix()); got != want {
		t.Errorf("MatrixDot = %v, want %v", got, want)
	}
	if got, want := MatrixDot(av, bv), mat.Sum(&prod); got != want {
		t.Errorf("MatrixDot of views = %v, want %v", got, want)
	}
	s := mat.NewSymDense(3, []float64{1, 2, 3, 2, 4, 5, 3, 5, 6})
	u := mat.NewSymDense(3, []float64{2, 1, 0, 1, 3, 1, 0, 1, 1})
	prod.Reset()
	prod.MulElem(s, u)
	lower := u.RawSymmetric()
	lower.Uplo = blas.Lower
	lower.Data = []float64{2, 9, 9, 1, 3, 9, 0, 1, 1}
	if got, want := SymmetricDot(s.RawSymmetric(), u.RawSymmetric()), mat.Sum(&prod); got != want {
		t.Errorf("SymmetricDot = %v, want %v", got, want)
	}
	if got, want := SymmetricDot(s.RawSymmetric(), blas64.Symmetric(lower)), mat.Sum(&prod); got != want {
		t.Errorf("SymmetricDot with a lower triangle = %v, want %v", got, want)
	}
}
