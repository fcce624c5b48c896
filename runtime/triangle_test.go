package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
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
	// A src whose data stops short of its last row is not read past its
	// length, whatever its capacity.
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a src of 3 entries for a 2×2 triangle, stride 2, did not panic")
			}
		}()
		short := blas64.Symmetric{Uplo: blas.Upper, N: 2, Stride: 2, Data: []float64{1, 2, 0, 99}[:3]}
		AddSymmetricTo(blas64.Symmetric{Uplo: blas.Upper, N: 2, Stride: 2, Data: make([]float64, 4)}, 1, short, 0)
	}()
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

// TestSandwichBackends checks SandwichTo and SandwichSymTo on both of
// gram's paths, one product on Gemm under gonum's implementation (in a
// build with vector code; Syrk without) and Syrk under any other (gonum's under another type, as runtime/openblas's is),
// at sizes from gonum's scalar loops to the vector kernel split across the
// team: within 4n·ε of the sum of the terms' magnitudes (|r|ᵀ|Uᵀ||U||r|,
// with beta's) of rᵀ A r formed with gonum/mat, SandwichTo's result exactly
// symmetric, and SandwichSymTo's triangle (beta = 0) the bits of
// SandwichTo's on the same path.
func TestSandwichBackends(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, backend := range []struct {
		name string
		impl blas.Float64
	}{{"gonum", gonum.Implementation{}}, {"other", &recordingBLAS{}}} {
		for _, sz := range [][2]int{{6, 4}, {16, 16}, {40, 33}, {130, 70}} {
			n, q := sz[0], sz[1]
			name := fmt.Sprintf("%s/n=%d,q=%d", backend.name, n, q)
			a, r, c := sandwichOperands(t, rng, n, q)
			var ar, want mat.Dense
			ar.Mul(a, r)
			want.Mul(r.T(), &ar)
			old := mat.NewDense(q, q, nil)
			for i := range old.RawMatrix().Data {
				old.RawMatrix().Data[i] = rng.NormFloat64()
			}
			var chol mat.Cholesky
			if !chol.Factorize(a) {
				t.Fatal("not positive definite")
			}
			var u mat.TriDense
			chol.UTo(&u)
			var ur, terms mat.Dense
			ur.Mul(absOf(&u), absOf(r))
			terms.Mul(ur.T(), &ur)
			func() {
				defer blas64.Use(blas64.Implementation())
				blas64.Use(backend.impl)
				got := mat.DenseCopyOf(old)
				c.SandwichTo(got.RawMatrix(), -1.5, r.RawMatrix(), 2)
				for i := 0; i < q; i++ {
					for j := 0; j < q; j++ {
						w := -1.5*want.At(i, j) + 2*old.At(i, j)
						tol := 4 * float64(n) * 0x1p-52 * (1.5*terms.At(i, j) + 2*math.Abs(old.At(i, j)))
						if d := math.Abs(got.At(i, j) - w); !(d <= tol) {
							t.Errorf("%s: SandwichTo (%d, %d) = %v, want %v ± %.3g", name, i, j, got.At(i, j), w, tol)
						}
					}
				}
				full := mat.NewDense(q, q, nil)
				c.SandwichTo(full.RawMatrix(), 0.75, r.RawMatrix(), 0)
				for _, uplo := range []blas.Uplo{blas.Upper, blas.Lower} {
					dst := triangleOf(mat.NewSymDense(q, nil), uplo, 3.25)
					fillTriangleNaN(dst, uplo == blas.Upper)
					c.SandwichSymTo(dst, 0.75, r.RawMatrix(), 0)
					checkTriangle(t, name+": SandwichSymTo against SandwichTo", dst, full, 0, 3.25)
				}
				for i := 0; i < q; i++ {
					for j := 0; j < i; j++ {
						if full.At(i, j) != full.At(j, i) {
							t.Errorf("%s: SandwichTo not exactly symmetric at (%d, %d): %v against %v", name, i, j, full.At(i, j), full.At(j, i))
						}
					}
				}
			}()
		}
	}
}

// absOf returns the entrywise absolute value of m.
func absOf(m mat.Matrix) *mat.Dense {
	var d mat.Dense
	d.Apply(func(_, _ int, v float64) float64 { return math.Abs(v) }, m)
	return &d
}

// BenchmarkSandwichSymTo times rᵀ A r into a symmetric destination, n = q,
// as B6GaussNLL's gradient forms it, on gram's two paths: impl=gonum (the
// product on Gemm) and impl=other (gonum's implementation under another
// type: Dsyrk). Compare with
//
//	benchstat -col /impl
func BenchmarkSandwichSymTo(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, n := range []int{16, 128, 512} {
		_, r, c := sandwichOperands(b, rng, n, n)
		dst := mat.NewSymDense(n, nil)
		for _, impl := range []struct {
			name string
			impl blas.Float64
		}{{"gonum", gonum.Implementation{}}, {"other", &recordingBLAS{}}} {
			b.Run(fmt.Sprintf("n=%d/impl=%s", n, impl.name), func(b *testing.B) {
				defer blas64.Use(blas64.Implementation())
				blas64.Use(impl.impl)
				for b.Loop() {
					c.SandwichSymTo(dst.RawSymmetric(), -1, r.RawMatrix(), 1)
				}
			})
		}
	}
}
