package runtime

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// triangleOf returns the symmetric s stored in the triangle uplo of an
// n×n array of stride n+2, the rest (the other triangle, the padding)
// sentinel.
func triangleOf(s mat.Symmetric, uplo blas.Uplo, sentinel float64) blas64.Symmetric {
	n := s.SymmetricDim()
	stride := n + 2
	data := make([]float64, n*stride)
	for k := range data {
		data[k] = sentinel
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if (uplo == blas.Upper) == (j >= i) || i == j {
				data[i*stride+j] = s.At(i, j)
			}
		}
	}
	return blas64.Symmetric{Uplo: uplo, N: n, Stride: stride, Data: data}
}

// checkTriangle reports entries of got's stored triangle that differ from
// want by more than tol, and any other entry that is not sentinel.
func checkTriangle(t *testing.T, name string, got blas64.Symmetric, want mat.Matrix, tol, sentinel float64) {
	t.Helper()
	for i := 0; i < got.N; i++ {
		for j := 0; j < got.Stride; j++ {
			v := got.Data[i*got.Stride+j]
			stored := j < got.N && ((got.Uplo == blas.Upper) == (j >= i) || i == j)
			switch {
			case stored && math.Abs(v-want.At(i, j)) > tol*math.Max(1, math.Abs(want.At(i, j))):
				t.Errorf("%s: entry (%d, %d) = %v, want %v", name, i, j, v, want.At(i, j))
			case !stored && v != sentinel && !(math.IsNaN(v) && math.IsNaN(sentinel)):
				t.Errorf("%s: entry (%d, %d) outside the stored triangle written: %v", name, i, j, v)
			}
		}
	}
}

func randomSym(rng *rand.Rand, n int) *mat.SymDense {
	s := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			s.SetSym(i, j, rng.NormFloat64())
		}
	}
	return s
}

// TestAddSymmetricTo checks alpha·src + beta·dst on every pairing of
// stored triangles, beta = 0 into NaN (dst not read), the other triangle
// and the padding untouched.
func TestAddSymmetricTo(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	uplos := []blas.Uplo{blas.Upper, blas.Lower}
	for _, n := range []int{1, 4, 9} {
		src, old := randomSym(rng, n), randomSym(rng, n)
		for _, du := range uplos {
			for _, su := range uplos {
				for _, beta := range []float64{0, 1, -0.5} {
					var want mat.Dense
					want.Scale(-2, src)
					if beta != 0 {
						var b mat.Dense
						b.Scale(beta, old)
						want.Add(&want, &b)
					}
					sentinel := 7.5
					init := old
					if beta == 0 {
						init, sentinel = mat.NewSymDense(n, nil), math.NaN()
					}
					dst := triangleOf(init, du, sentinel)
					if beta == 0 {
						fillTriangleNaN(dst, du == blas.Upper)
					}
					AddSymmetricTo(dst, -2, triangleOf(src, su, math.NaN()), beta)
					checkTriangle(t, "AddSymmetricTo", dst, &want, 1e-15, sentinel)
				}
			}
		}
	}
	defer func() {
		if _, ok := recover().(*ShapeError); !ok {
			t.Error("sizes 2 and 3 did not panic with a *ShapeError")
		}
	}()
	AddSymmetricTo(triangleOf(mat.NewSymDense(2, nil), blas.Upper, 0), 1, triangleOf(mat.NewSymDense(3, nil), blas.Upper, 0), 0)
}

// TestSandwichSymTo checks rᵀ A r on dst's triangle, both triangles,
// with beta 0 (dst NaN, not read) and 1, against gonum/mat and against
// SandwichTo; NaN on a triangle for A not positive definite.
func TestSandwichSymTo(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, q = 7, 5
	a, r, c := sandwichOperands(t, rng, n, q)
	var ar, rar mat.Dense
	ar.Mul(a, r)
	rar.Mul(r.T(), &ar)
	old := randomSym(rng, q)
	for _, uplo := range []blas.Uplo{blas.Upper, blas.Lower} {
		for _, beta := range []float64{0, 1} {
			var want mat.Dense
			want.Scale(-1.5, &rar)
			sentinel := 3.25
			init := old
			if beta == 0 {
				init, sentinel = mat.NewSymDense(q, nil), math.NaN()
			} else {
				want.Add(&want, old)
			}
			dst := triangleOf(init, uplo, sentinel)
			if beta == 0 {
				fillTriangleNaN(dst, uplo == blas.Upper)
			}
			c.SandwichSymTo(dst, -1.5, r.RawMatrix(), beta)
			checkTriangle(t, "SandwichSymTo", dst, &want, 1e-12, sentinel)
		}
	}
	// The same as SandwichTo's full result, on the triangle.
	full := mat.NewDense(q, q, nil)
	c.SandwichTo(full.RawMatrix(), 2, r.RawMatrix(), 0)
	dst := triangleOf(mat.NewSymDense(q, nil), blas.Upper, 0)
	c.SandwichSymTo(dst, 2, r.RawMatrix(), 0)
	checkTriangle(t, "SandwichSymTo against SandwichTo", dst, full, 1e-14, 0)
	if allocs := testing.AllocsPerRun(5, func() { c.SandwichSymTo(dst, 1, r.RawMatrix(), 1) }); allocs != 0 {
		t.Errorf("%v allocs in steady state", allocs)
	}
	// Not positive definite: NaN on the triangle.
	notPD := mat.NewSymDense(n, nil)
	notPD.SetSym(0, 0, -1)
	var bad Cholesky
	if bad.Factorize(notPD.RawSymmetric()) {
		t.Fatal("an indefinite matrix factorized")
	}
	nan := triangleOf(mat.NewSymDense(q, nil), blas.Lower, 0)
	bad.SandwichSymTo(nan, 1, r.RawMatrix(), 0)
	for i := 0; i < q; i++ {
		for j := 0; j <= i; j++ {
			if !math.IsNaN(nan.Data[i*nan.Stride+j]) {
				t.Errorf("not positive definite: entry (%d, %d) = %v, want NaN", i, j, nan.Data[i*nan.Stride+j])
			}
		}
		for j := i + 1; j < nan.Stride; j++ {
			if nan.Data[i*nan.Stride+j] != 0 {
				t.Errorf("not positive definite: entry (%d, %d) outside the triangle written", i, j)
			}
		}
	}
}
