package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// checkGeneral checks that g equals want entrywise within tol as in same.
func checkGeneral(t *testing.T, name string, g blas64.General, want [][]float64, tol float64) {
	t.Helper()
	if g.Rows != len(want) || (g.Rows > 0 && g.Cols != len(want[0])) {
		t.Fatalf("%s: got %d×%d, want %d rows", name, g.Rows, g.Cols, len(want))
	}
	for i, row := range want {
		for j, w := range row {
			if got := g.Data[i*g.Stride+j]; !same(got, w, tol) {
				t.Errorf("%s: [%d][%d] = %v, want %v", name, i, j, got, w)
			}
		}
	}
}

// checkAllNaN checks that every entry of g is NaN.
func checkAllNaN(t *testing.T, name string, g blas64.General) {
	t.Helper()
	for i := 0; i < g.Rows; i++ {
		for j := 0; j < g.Cols; j++ {
			if v := g.Data[i*g.Stride+j]; !math.IsNaN(v) {
				t.Errorf("%s: [%d][%d] = %v, want NaN", name, i, j, v)
			}
		}
	}
}

// rows returns the entries of m as a slice of rows.
func rows(m mat.Matrix) [][]float64 {
	r, c := m.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = make([]float64, c)
		for j := range out[i] {
			out[i][j] = m.At(i, j)
		}
	}
	return out
}

// strided returns an r×c general matrix with stride c+2 holding m, with NaN
// padding.
func strided(m mat.Matrix) blas64.General {
	return view(colsOf(m)+2, rows(m)...)
}

func colsOf(m mat.Matrix) int { _, c := m.Dims(); return c }

// randDense returns an r×c matrix with entries uniform in [-1, 1).
func randDense(rnd *rand.Rand, r, c int) *mat.Dense {
	d := mat.NewDense(r, c, nil)
	for i := range r {
		for j := range c {
			d.Set(i, j, 2*rnd.Float64()-1)
		}
	}
	return d
}

// randSPD returns a random symmetric positive definite n×n matrix.
func randSPD(rnd *rand.Rand, n int) *mat.SymDense {
	b := randDense(rnd, n, n)
	s := mat.NewSymDense(n, nil)
	s.SymOuterK(1, b)
	for i := range n {
		s.SetSym(i, i, s.At(i, i)+1)
	}
	return s
}

// stored reports whether entry i, j is in the triangle selected by uplo.
func stored(uplo blas.Uplo, i, j int) bool {
	if uplo == blas.Upper {
		return j >= i
	}
	return j <= i
}

// vec returns data as a vector with increment inc and NaN padding.
func vec(inc int, data ...float64) blas64.Vector {
	v := blas64.Vector{N: len(data), Inc: inc, Data: make([]float64, len(data)*inc)}
	for i := range v.Data {
		v.Data[i] = nan
	}
	for i, x := range data {
		v.Data[i*inc] = x
	}
	return v
}

// vecRows returns the elements of v as an n×1 slice of rows.
func vecRows(v blas64.Vector) [][]float64 {
	out := make([][]float64, v.N)
	for i := range out {
		out[i] = []float64{v.Data[i*v.Inc]}
	}
	return out
}

const tol = 1e-12

var sizes = []int{1, 2, 3, 7}

func TestLU(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	var f LU // reused across sizes, growing and shrinking
	for _, n := range append(sizes, 3, 1) {
		for _, k := range []int{1, 3} {
			a := randDense(rnd, n, n)
			b := randDense(rnd, n, k)
			av := strided(a)
			if !f.Factorize(av) {
				t.Fatalf("n=%d: Factorize reported singular", n)
			}
			checkGeneral(t, "input unchanged", av, rows(a), 0)

			var ref mat.LU
			ref.Factorize(a)
			logdet, _ := ref.LogDet()
			if got := f.LogAbsDet(); !same(got, logdet, tol) {
				t.Errorf("n=%d: LogAbsDet = %v, want %v", n, got, logdet)
			}
			if got, want := f.Det(), mat.Det(a); !same(got, want, tol) {
				t.Errorf("n=%d: Det = %v, want %v", n, got, want)
			}

			var inv mat.Dense
			if err := inv.Inverse(a); err != nil {
				t.Fatalf("n=%d: %v", n, err)
			}
			dst := strided(mat.NewDense(n, n, nil))
			f.InverseTo(dst)
			checkGeneral(t, "InverseTo", dst, rows(&inv), tol)

			for _, trans := range []bool{false, true} {
				var x mat.Dense
				if err := ref.SolveTo(&x, trans, b); err != nil {
					t.Fatalf("n=%d: %v", n, err)
				}
				dst := strided(mat.NewDense(n, k, nil))
				bv := strided(b)
				f.SolveTo(dst, trans, bv)
				checkGeneral(t, "SolveTo", dst, rows(&x), tol)
				checkGeneral(t, "SolveTo b unchanged", bv, rows(b), 0)
				f.SolveTo(bv, trans, bv)
				checkGeneral(t, "SolveTo in place", bv, rows(&x), tol)

				if k == 1 {
					bvec := vec(2, b.RawMatrix().Data...)
					dvec := vec(3, make([]float64, n)...)
					f.SolveVecTo(dvec, trans, bvec)
					checkGeneral(t, "SolveVecTo", view(1, vecRows(dvec)...), rows(&x), tol)
					f.SolveVecTo(bvec, trans, bvec)
					checkGeneral(t, "SolveVecTo in place", view(1, vecRows(bvec)...), rows(&x), tol)
				}
			}
		}
	}
}

func TestLUSingular(t *testing.T) {
	for _, test := range []struct {
		name   string
		a      *mat.Dense
		logdet float64
		det    float64
	}{
		{"zero 1×1", mat.NewDense(1, 1, nil), -inf, 0},
		{"zero 3×3", mat.NewDense(3, 3, nil), -inf, 0},
		{"rank 2", mat.NewDense(3, 3, []float64{1, 2, 3, 2, 4, 6, 1, 0, 1}), -inf, 0},
		{"rank 1", mat.NewDense(2, 2, []float64{1, 2, 2, 4}), -inf, 0},
		{"zero column", mat.NewDense(3, 3, []float64{1, 0, 3, 2, 0, 6, 1, 0, 2}), -inf, 0},
		{"NaN", mat.NewDense(2, 2, []float64{1, nan, 3, 4}), nan, nan},
		{"Inf", mat.NewDense(2, 2, []float64{inf, 1, 3, 4}), nan, nan},
		{"-Inf", mat.NewDense(2, 2, []float64{1, 2, 3, -inf}), nan, nan},
	} {
		var f LU
		n, _ := test.a.Dims()
		checkNoPanic(t, test.name, func() {
			ok := f.Factorize(test.a.RawMatrix())
			if ok {
				t.Errorf("%s: Factorize = %v", test.name, ok)
			}
			if got := f.LogAbsDet(); !same(got, test.logdet, 0) {
				t.Errorf("%s: LogAbsDet = %v, want %v", test.name, got, test.logdet)
			}
			if got := f.Det(); !same(got, test.det, 0) {
				t.Errorf("%s: Det = %v, want %v", test.name, got, test.det)
			}
			dst := strided(mat.NewDense(n, n, nil))
			f.InverseTo(dst)
			checkAllNaN(t, test.name+" InverseTo", dst)
			for _, trans := range []bool{false, true} {
				dst := strided(mat.NewDense(n, 2, nil))
				f.SolveTo(dst, trans, strided(mat.NewDense(n, 2, nil)))
				checkAllNaN(t, test.name+" SolveTo", dst)
				v := vec(2, make([]float64, n)...)
				f.SolveVecTo(v, trans, v)
				checkAllNaN(t, test.name+" SolveVecTo", view(1, vecRows(v)...))
			}
		})
	}
}

func TestLUEmptyAndPanics(t *testing.T) {
	var f LU
	checkPanic(t, "before Factorize", "runtime.LU.Det: called before Factorize", func() { f.Det() })
	if !f.Factorize(blas64.General{}) {
		t.Errorf("0×0: Factorize = false")
	}
	if f.LogAbsDet() != 0 || f.Det() != 1 {
		t.Errorf("0×0: LogAbsDet = %v, Det = %v, want 0, 1", f.LogAbsDet(), f.Det())
	}
	checkNoPanic(t, "0×0", func() {
		f.InverseTo(blas64.General{})
		f.SolveTo(blas64.General{}, false, blas64.General{})
		f.SolveVecTo(blas64.Vector{Inc: 1}, true, blas64.Vector{Inc: 1})
	})

	a := mat.NewDense(2, 2, []float64{1, 2, 3, 4}).RawMatrix()
	checkPanic(t, "nonsquare", "runtime.LU.Factorize: a is 2×3, want square",
		func() { f.Factorize(mat.NewDense(2, 3, nil).RawMatrix()) })
	f.Factorize(a)
	checkPanic(t, "InverseTo", "runtime.LU.InverseTo: dst is 3×3, want n×n = 2×2",
		func() { f.InverseTo(mat.NewDense(3, 3, nil).RawMatrix()) })
	checkPanic(t, "SolveTo b", "runtime.LU.SolveTo: b is 3×1, want n×k = 2×1",
		func() { f.SolveTo(mat.NewDense(3, 1, nil).RawMatrix(), false, mat.NewDense(3, 1, nil).RawMatrix()) })
	checkPanic(t, "SolveTo dst", "runtime.LU.SolveTo: dst is 2×2, want 2×1",
		func() { f.SolveTo(a, false, mat.NewDense(2, 1, nil).RawMatrix()) })
	checkPanic(t, "SolveVecTo", "runtime.LU.SolveVecTo: dst has length 3, want n = 2",
		func() { f.SolveVecTo(vec(1, 0, 0, 0), false, vec(1, 0, 0)) })
}

func TestCholesky(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	var c Cholesky
	for _, n := range append(sizes, 3, 1) {
		for _, uplo := range []blas.Uplo{blas.Upper, blas.Lower} {
			a := randSPD(rnd, n)
			b := randDense(rnd, n, 2)

			// Store only the triangle selected by uplo, NaN elsewhere.
			av := strided(a)
			for i := range n {
				for j := range n {
					if !stored(uplo, i, j) {
						av.Data[i*av.Stride+j] = nan
					}
				}
			}
			if !c.Factorize(blas64.Symmetric{Uplo: uplo, N: n, Stride: av.Stride, Data: av.Data}) {
				t.Fatalf("n=%d: Factorize reported not positive definite", n)
			}

			var ref mat.Cholesky
			ref.Factorize(a)
			if got, want := c.LogDet(), ref.LogDet(); !same(got, want, tol) {
				t.Errorf("n=%d: LogDet = %v, want %v", n, got, want)
			}
			if got, want := c.Det(), mat.Det(a); !same(got, want, tol) {
				t.Errorf("n=%d: Det = %v, want %v", n, got, want)
			}

			var inv mat.Dense
			if err := inv.Inverse(a); err != nil {
				t.Fatal(err)
			}
			dst := strided(mat.NewDense(n, n, nil))
			c.InverseTo(dst)
			checkGeneral(t, "InverseTo", dst, rows(&inv), tol)

			var x mat.Dense
			if err := ref.SolveTo(&x, b); err != nil {
				t.Fatal(err)
			}
			dst = strided(mat.NewDense(n, 2, nil))
			bv := strided(b)
			c.SolveTo(dst, bv)
			checkGeneral(t, "SolveTo", dst, rows(&x), tol)
			c.SolveTo(bv, bv)
			checkGeneral(t, "SolveTo in place", bv, rows(&x), tol)

			var xv mat.VecDense
			bcol := b.ColView(0)
			if err := ref.SolveVecTo(&xv, bcol); err != nil {
				t.Fatal(err)
			}
			bvec := vec(2, rows(bcol.T())[0]...)
			dvec := vec(3, make([]float64, n)...)
			c.SolveVecTo(dvec, bvec)
			checkGeneral(t, "SolveVecTo", view(1, vecRows(dvec)...), rows(&xv), tol)
			c.SolveVecTo(bvec, bvec)
			checkGeneral(t, "SolveVecTo in place", view(1, vecRows(bvec)...), rows(&xv), tol)
		}
	}
}

func TestCholeskyNotPD(t *testing.T) {
	for _, test := range []struct {
		name string
		a    *mat.SymDense
	}{
		{"zero", mat.NewSymDense(3, nil)},
		{"semidefinite", mat.NewSymDense(2, []float64{1, 1, 1, 1})},
		{"indefinite", mat.NewSymDense(2, []float64{1, 2, 2, 1})},
		{"negative definite", mat.NewSymDense(2, []float64{-2, 0, 0, -1})},
		{"NaN", mat.NewSymDense(2, []float64{1, 0, 0, nan})},
		{"Inf", mat.NewSymDense(2, []float64{inf, 0, 0, 1})},
	} {
		var c Cholesky
		n := test.a.SymmetricDim()
		checkNoPanic(t, test.name, func() {
			if c.Factorize(test.a.RawSymmetric()) {
				t.Errorf("%s: Factorize = true", test.name)
			}
			if got := c.LogDet(); !math.IsNaN(got) {
				t.Errorf("%s: LogDet = %v, want NaN", test.name, got)
			}
			if got := c.Det(); !math.IsNaN(got) {
				t.Errorf("%s: Det = %v, want NaN", test.name, got)
			}
			dst := strided(mat.NewDense(n, n, nil))
			c.InverseTo(dst)
			checkAllNaN(t, test.name+" InverseTo", dst)
			dst = strided(mat.NewDense(n, 2, nil))
			c.SolveTo(dst, strided(mat.NewDense(n, 2, nil)))
			checkAllNaN(t, test.name+" SolveTo", dst)
			v := vec(2, make([]float64, n)...)
			c.SolveVecTo(v, v)
			checkAllNaN(t, test.name+" SolveVecTo", view(1, vecRows(v)...))
		})
	}
}

func TestCholeskyEmptyAndPanics(t *testing.T) {
	var c Cholesky
	checkPanic(t, "before Factorize", "runtime.Cholesky.LogDet: called before Factorize", func() { c.LogDet() })
	if !c.Factorize(blas64.Symmetric{Uplo: blas.Upper}) {
		t.Errorf("0×0: Factorize = false")
	}
	if c.LogDet() != 0 || c.Det() != 1 {
		t.Errorf("0×0: LogDet = %v, Det = %v, want 0, 1", c.LogDet(), c.Det())
	}
	c.Factorize(mat.NewSymDense(2, []float64{2, 1, 1, 2}).RawSymmetric())
	checkPanic(t, "InverseTo", "runtime.Cholesky.InverseTo: dst is 2×3, want n×n = 2×2",
		func() { c.InverseTo(mat.NewDense(2, 3, nil).RawMatrix()) })
	checkPanic(t, "SolveVecTo", "runtime.Cholesky.SolveVecTo: b has length 1, want n = 2",
		func() { c.SolveVecTo(vec(1, 0, 0), vec(1, 0)) })
}

// bruteCofactor returns the cofactor matrix of a from determinants of minors.
func bruteCofactor(a *mat.Dense) [][]float64 {
	n, _ := a.Dims()
	out := make([][]float64, n)
	for i := range n {
		out[i] = make([]float64, n)
		for j := range n {
			if n == 1 {
				out[i][j] = 1
				continue
			}
			minor := mat.NewDense(n-1, n-1, nil)
			for r, mr := 0, 0; r < n; r++ {
				if r == i {
					continue
				}
				for c, mc := 0, 0; c < n; c++ {
					if c == j {
						continue
					}
					minor.Set(mr, mc, a.At(r, c))
					mc++
				}
				mr++
			}
			out[i][j] = mat.Det(minor)
			if (i+j)%2 == 1 {
				out[i][j] = -out[i][j]
			}
		}
	}
	return out
}

func TestCofactor(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	var w Cofactor
	for _, n := range append(sizes, 3, 1) {
		a := randDense(rnd, n, n)
		// det(A)·A⁻ᵀ
		var want mat.Dense
		if err := want.Inverse(a.T()); err != nil {
			t.Fatal(err)
		}
		want.Scale(mat.Det(a), &want)

		av := strided(a)
		dst := strided(mat.NewDense(n, n, nil))
		w.CofactorTo(dst, av)
		checkGeneral(t, "CofactorTo", dst, rows(&want), tol)
		checkGeneral(t, "CofactorTo brute", dst, bruteCofactor(a), tol)
		checkGeneral(t, "input unchanged", av, rows(a), 0)

		w.CofactorTo(av, av)
		checkGeneral(t, "CofactorTo in place", av, rows(&want), tol)
	}

	for _, test := range []struct {
		name string
		a    *mat.Dense
		want [][]float64
	}{
		{"1×1", mat.NewDense(1, 1, []float64{5}), [][]float64{{1}}},
		{"zero 1×1", mat.NewDense(1, 1, nil), [][]float64{{1}}},
		{"negative 1×1", mat.NewDense(1, 1, []float64{-3}), [][]float64{{1}}},
		{"rank 1 2×2", mat.NewDense(2, 2, []float64{1, 2, 2, 4}),
			[][]float64{{4, -2}, {-2, 1}}},
		{"rank 1 nonsymmetric 2×2", mat.NewDense(2, 2, []float64{1, 3, 2, 6}),
			[][]float64{{6, -2}, {-3, 1}}},
		{"zero 2×2", mat.NewDense(2, 2, nil), [][]float64{{0, 0}, {0, 0}}},
		{"rank 2 3×3", mat.NewDense(3, 3, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}),
			[][]float64{{-3, 6, -3}, {6, -12, 6}, {-3, 6, -3}}},
		{"rank 2 zero column 3×3", mat.NewDense(3, 3, []float64{1, 0, 3, 2, 0, 6, 1, 0, 2}),
			[][]float64{{0, 2, 0}, {0, -1, 0}, {0, 0, 0}}},
		{"rank 1 3×3", mat.NewDense(3, 3, []float64{1, 2, 3, 2, 4, 6, 3, 6, 9}),
			[][]float64{{0, 0, 0}, {0, 0, 0}, {0, 0, 0}}},
		{"zero 3×3", mat.NewDense(3, 3, nil), [][]float64{{0, 0, 0}, {0, 0, 0}, {0, 0, 0}}},
	} {
		n, _ := test.a.Dims()
		dst := strided(mat.NewDense(n, n, nil))
		w.CofactorTo(dst, test.a.RawMatrix())
		checkGeneral(t, test.name, dst, test.want, 1e-13)
		checkGeneral(t, test.name+" brute", dst, bruteCofactor(test.a), 1e-13)
	}

	for _, a := range []*mat.Dense{
		mat.NewDense(2, 2, []float64{1, nan, 3, 4}),
		mat.NewDense(2, 2, []float64{1, 2, inf, 4}),
	} {
		dst := strided(mat.NewDense(2, 2, nil))
		checkNoPanic(t, "non-finite", func() { w.CofactorTo(dst, a.RawMatrix()) })
		checkAllNaN(t, "non-finite", dst)
	}

	checkNoPanic(t, "0×0", func() { w.CofactorTo(blas64.General{}, blas64.General{}) })
	checkPanic(t, "nonsquare", "runtime.Cofactor.CofactorTo: a is 2×3, want square",
		func() { w.CofactorTo(mat.NewDense(2, 3, nil).RawMatrix(), mat.NewDense(2, 3, nil).RawMatrix()) })
	checkPanic(t, "dst", "runtime.Cofactor.CofactorTo: dst is 3×3, want 2×2",
		func() { w.CofactorTo(mat.NewDense(3, 3, nil).RawMatrix(), mat.NewDense(2, 2, nil).RawMatrix()) })
}

// TestCofactorDerivative checks Cofactor.DerivativeTo against central
// differences of the cofactor matrix from determinants of minors (a
// polynomial in the step, so the differences are exact to O(t²)) at
// matrices of every rank from n down to n−3, and against the textbook
// tr(a⁻¹h)·det(a)·a⁻ᵀ − det(a)·a⁻ᵀhᵀa⁻ᵀ where a is nonsingular.
func TestCofactorDerivative(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 10))
	var w Cofactor
	const step = 1e-4
	for _, n := range []int{1, 2, 3, 4, 5, 6, 70} {
		for rank := n; rank >= max(n-3, 0); rank-- {
			if n == 70 && rank < n-1 {
				break // the minors' determinants cost n⁵ at this size
			}
			a := mat.NewDense(n, n, nil)
			if rank > 0 {
				a.Mul(randDense(rnd, n, rank), randDense(rnd, rank, n))
			}
			h := randDense(rnd, n, n)
			name := fmt.Sprintf("n = %d, rank %d", n, rank)
			dst := strided(mat.NewDense(n, n, nil))
			w.DerivativeTo(dst, strided(a), strided(h))

			var plus, minus mat.Dense
			plus.Add(a, scaled(step, h))
			minus.Add(a, scaled(-step, h))
			bp, bm := bruteCofactor(&plus), bruteCofactor(&minus)
			want := make([][]float64, n)
			scale := 0.0
			for i := range want {
				want[i] = make([]float64, n)
				for j := range want[i] {
					want[i][j] = (bp[i][j] - bm[i][j]) / (2 * step)
					scale = math.Max(scale, math.Abs(want[i][j]))
				}
			}
			if n > 1 && rank >= n-2 && scale < 1e-3 {
				t.Fatalf("%s: the derivative is %g at most, want a nonzero one to check", name, scale)
			}
			checkGeneral(t, name, dst, want, 1e-6*math.Max(scale, 1))

			if rank == n {
				var inv, textbook, aht mat.Dense
				if err := inv.Inverse(a); err != nil {
					t.Fatal(err)
				}
				aht.Mul(inv.T(), h.T())
				textbook.Mul(&aht, inv.T())
				textbook.Scale(-1, &textbook)
				var tr mat.Dense
				tr.Mul(&inv, h)
				textbook.Add(&textbook, scaled(mat.Trace(&tr), inv.T()))
				textbook.Scale(mat.Det(a), &textbook)
				checkGeneral(t, name+" textbook", dst, rows(&textbook), 1e-9*math.Max(scale, 1))
			}
		}
	}

	// dst may be a or h.
	a, h := randDense(rnd, 3, 3), randDense(rnd, 3, 3)
	want := strided(mat.NewDense(3, 3, nil))
	w.DerivativeTo(want, a.RawMatrix(), h.RawMatrix())
	av, hv := strided(a), strided(h)
	w.DerivativeTo(av, av, strided(h))
	checkGeneral(t, "dst = a", av, generalRows(want), 0)
	w.DerivativeTo(hv, strided(a), hv)
	checkGeneral(t, "dst = h", hv, generalRows(want), 0)

	nanA := mat.NewDense(2, 2, []float64{1, nan, 3, 4})
	dst := strided(mat.NewDense(2, 2, nil))
	w.DerivativeTo(dst, nanA.RawMatrix(), randDense(rnd, 2, 2).RawMatrix())
	checkAllNaN(t, "non-finite a", dst)
	checkNoPanic(t, "0×0", func() { w.DerivativeTo(blas64.General{}, blas64.General{}, blas64.General{}) })
	checkPanic(t, "h", "runtime.Cofactor.DerivativeTo: h is 3×3, want 2×2",
		func() {
			w.DerivativeTo(mat.NewDense(2, 2, nil).RawMatrix(), mat.NewDense(2, 2, nil).RawMatrix(), mat.NewDense(3, 3, nil).RawMatrix())
		})
	big := randDense(rnd, 70, 70).RawMatrix()
	out := mat.NewDense(70, 70, nil).RawMatrix()
	w.DerivativeTo(out, big, big)
	if got := testing.AllocsPerRun(5, func() { w.DerivativeTo(out, big, big) }); got != 0 {
		t.Errorf("DerivativeTo allocates %v times a call, want 0", got)
	}
}

// generalRows returns g's entries as a slice of rows.
func generalRows(g blas64.General) [][]float64 {
	out := make([][]float64, g.Rows)
	for i := range out {
		out[i] = append([]float64(nil), g.Data[i*g.Stride:i*g.Stride+g.Cols]...)
	}
	return out
}

// TestCofactorPaths checks that the two ways CofactorTo and DerivativeTo
// compute, from an LU factorization where a is well conditioned and from
// the SVD elsewhere, agree where both apply, so that the switch at
// minRcond changes results by rounding only: each forced in turn (minRcond
// 0 takes the LU factors whenever they exist, 2 never, a reciprocal
// condition number being at most 1).
func TestCofactorPaths(t *testing.T) {
	defer func(old float64) { minRcond = old }(minRcond)
	rnd := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{2, 3, 7, 70} {
		a, h := randDense(rnd, n, n).RawMatrix(), randDense(rnd, n, n).RawMatrix()
		var w Cofactor
		results := map[float64][2]blas64.General{}
		for _, threshold := range []float64{0, 2} {
			minRcond = threshold
			cof, dcof := strided(mat.NewDense(n, n, nil)), strided(mat.NewDense(n, n, nil))
			w.CofactorTo(cof, a)
			w.DerivativeTo(dcof, a, h)
			results[threshold] = [2]blas64.General{cof, dcof}
		}
		for k, name := range []string{"CofactorTo", "DerivativeTo"} {
			lu, svd := results[0][k], results[2][k]
			scale := 0.0
			for _, row := range generalRows(svd) {
				for _, x := range row {
					scale = math.Max(scale, math.Abs(x))
				}
			}
			checkGeneral(t, fmt.Sprintf("n = %d: %s from the LU factors against the SVD", n, name), lu, generalRows(svd), 1e-10*math.Max(scale, 1))
		}
	}
}

// TestCofactorScaled checks the cofactor matrix and its derivative of
// s·I₃ and s·M where det overflows (s = 1e103: det 1e309) or underflows
// (s = 1e-110: det 1e-330) while the cofactor (s² entries) is a normal
// float64: the LU path, which forms det, must give way to the SVD.
func TestCofactorScaled(t *testing.T) {
	defer func(old float64) { minRcond = old }(minRcond)
	m := mat.NewDense(3, 3, []float64{2, 1, 0, 1, 3, 1, 0, 1, 4})
	h := mat.NewDense(3, 3, []float64{1, 2, 3, 4, 5, 6, 7, 8, 10})
	for _, scale := range []float64{1e103, 1e-110, 1e-103} {
		for _, base := range []*mat.Dense{eye3(), m} {
			var a mat.Dense
			a.Scale(scale, base)
			var w Cofactor
			got, gotD := mat.NewDense(3, 3, nil).RawMatrix(), mat.NewDense(3, 3, nil).RawMatrix()
			w.CofactorTo(got, a.RawMatrix())
			w.DerivativeTo(gotD, a.RawMatrix(), h.RawMatrix())
			// The cofactor of s·M is s²·cof(M), its derivative in h s·d cof(M)[h].
			want, wantD := mat.NewDense(3, 3, nil).RawMatrix(), mat.NewDense(3, 3, nil).RawMatrix()
			w.CofactorTo(want, base.RawMatrix())
			w.DerivativeTo(wantD, base.RawMatrix(), h.RawMatrix())
			for i := range got.Data {
				got.Data[i] /= scale * scale // s² is a normal float64 at every s here
				gotD.Data[i] /= scale
			}
			name := fmt.Sprintf("%g·%v", scale, mat.Formatted(base, mat.Squeeze()))
			checkGeneral(t, name+": CofactorTo / s²", got, generalRows(want), 1e-12)
			checkGeneral(t, name+": DerivativeTo / s", gotD, generalRows(wantD), 1e-12)
		}
	}
}

// TestCofactorSpreadScales checks the SVD path's products of singular values
// where a partial product leaves float64's range but the cofactors do not:
// diag(1e200, 1e200, 1e−200, 1e−200) has det 1 and cofactor
// diag(1e−200, 1e−200, 1e200, 1e200), though σ₀σ₁ = 1e400 (every entry
// was NaN, helper-61); its derivative in the direction e₀e₀ᵀ is
// diag(0, 0, 1, 1) (q₁₀ = σ₂σ₃ = 1e−400 underflows to 0, q₂₀ = q₃₀ = 1).
func TestCofactorSpreadScales(t *testing.T) {
	a := mat.NewDense(4, 4, nil)
	for i, d := range []float64{1e200, 1e200, 1e-200, 1e-200} {
		a.Set(i, i, d)
	}
	var w Cofactor
	got := mat.NewDense(4, 4, nil).RawMatrix()
	w.CofactorTo(got, a.RawMatrix())
	want := mat.NewDense(4, 4, nil)
	for i, d := range []float64{1e-200, 1e-200, 1e200, 1e200} {
		want.Set(i, i, d)
	}
	checkGeneral(t, "CofactorTo", got, generalRows(want.RawMatrix()), 1e-15)
	h := mat.NewDense(4, 4, nil)
	h.Set(0, 0, 1)
	gotD := mat.NewDense(4, 4, nil).RawMatrix()
	w.DerivativeTo(gotD, a.RawMatrix(), h.RawMatrix())
	wantD := mat.NewDense(4, 4, nil)
	wantD.Set(2, 2, 1)
	wantD.Set(3, 3, 1)
	checkGeneral(t, "DerivativeTo", gotD, generalRows(wantD.RawMatrix()), 1e-15)
}

func eye3() *mat.Dense { return mat.NewDense(3, 3, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}) }

func TestLinalgAllocs(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{1, 7, 70, 128} {
		a := randDense(rnd, n, n).RawMatrix()
		spd := randSPD(rnd, n).RawSymmetric()
		b := randDense(rnd, n, 3).RawMatrix()
		x := mat.NewDense(n, 3, nil).RawMatrix()
		inv := mat.NewDense(n, n, nil).RawMatrix()
		bv := blas64.Vector{N: n, Inc: 3, Data: b.Data}
		xv := blas64.Vector{N: n, Inc: 3, Data: x.Data}

		var f LU
		f.Factorize(a) // warm up: allocate storage for n
		if got := testing.AllocsPerRun(10, func() {
			f.Factorize(a)
			f.LogAbsDet()
			f.Det()
			f.SolveTo(x, true, b)
			f.SolveVecTo(xv, false, bv)
			f.InverseTo(inv)
		}); got != 0 {
			t.Errorf("n=%d: LU allocates %v times per run, want 0", n, got)
		}

		var c Cholesky
		c.Factorize(spd)
		if got := testing.AllocsPerRun(10, func() {
			c.Factorize(spd)
			c.LogDet()
			c.Det()
			c.SolveTo(x, b)
			c.SolveVecTo(xv, bv)
			c.InverseTo(inv)
		}); got != 0 {
			t.Errorf("n=%d: Cholesky allocates %v times per run, want 0", n, got)
		}

		var w Cofactor
		w.CofactorTo(inv, a)
		if got := testing.AllocsPerRun(10, func() { w.CofactorTo(inv, a) }); got != 0 {
			t.Errorf("n=%d: Cofactor allocates %v times per run, want 0", n, got)
		}
	}
}

// TestCholeskyNonFiniteEverywhere checks that Factorize refuses a matrix
// with one non-finite entry in its stored triangle, from either triangle:
// every position of an otherwise positive definite 9×9 matrix, diagonal
// (4I) and dense (MᵀM + nI), and of a dense 70×70 one, which gonum's
// Potrf factorizes in blocks, the diagonal, the last column and a fifth of
// the rest. Potrf itself fails on all of them but +Inf on the diagonal,
// which only the look at the factor's diagonal refuses (finiteDiagonal).
func TestCholeskyNonFiniteEverywhere(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 10))
	for _, tc := range []struct {
		name  string
		n     int
		dense bool
	}{{"diagonal", 9, false}, {"dense", 9, true}, {"blocked", 70, true}} {
		base := make([]float64, tc.n*tc.n) // row-major, symmetric
		for k := 0; k < tc.n; k++ {
			base[k*tc.n+k] = 4
		}
		if tc.dense {
			m := mat.NewDense(tc.n, tc.n, nil)
			for k := range tc.n * tc.n {
				m.RawMatrix().Data[k] = rnd.NormFloat64()
			}
			var a mat.Dense
			a.Mul(m.T(), m)
			for k := 0; k < tc.n; k++ {
				a.Set(k, k, a.At(k, k)+float64(tc.n))
			}
			copy(base, a.RawMatrix().Data)
		}
		for _, uplo := range []blas.Uplo{blas.Upper, blas.Lower} {
			for _, bad := range []float64{math.Inf(1), math.Inf(-1), math.NaN()} {
				for i := 0; i < tc.n; i++ {
					for j := 0; j < tc.n; j++ {
						if (j >= i) != (uplo == blas.Upper) && i != j {
							continue
						}
						if tc.n > 9 && i != j && max(i, j) != tc.n-1 && (i*tc.n+j)%5 != 0 {
							continue
						}
						a := blas64.Symmetric{Uplo: uplo, N: tc.n, Stride: tc.n + 1, Data: make([]float64, tc.n*(tc.n+1))}
						for r := 0; r < tc.n; r++ {
							copy(a.Data[r*a.Stride:r*a.Stride+tc.n], base[r*tc.n:r*tc.n+tc.n])
						}
						var c Cholesky
						if !c.Factorize(a) {
							t.Fatalf("%s %c: the base matrix does not factorize", tc.name, uplo)
						}
						a.Data[i*a.Stride+j] = bad
						if c.Factorize(a) {
							t.Errorf("%s %c: %v at (%d, %d): Factorize = true", tc.name, uplo, bad, i, j)
						}
						if got := c.LogDet(); !math.IsNaN(got) {
							t.Errorf("%s %c: %v at (%d, %d): LogDet = %v, want NaN", tc.name, uplo, bad, i, j, got)
						}
					}
				}
			}
		}
	}
}

// BenchmarkCholeskyFactorize times Factorize of a dense spd matrix, as B6's
// functions call it once or twice per call.
func BenchmarkCholeskyFactorize(b *testing.B) {
	rnd := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{16, 128} {
		m := mat.NewDense(n, n, nil)
		for k := range n * n {
			m.RawMatrix().Data[k] = rnd.NormFloat64()
		}
		var a mat.SymDense
		a.SymOuterK(1, m)
		for k := 0; k < n; k++ {
			a.SetSym(k, k, a.At(k, k)+float64(n))
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			var c Cholesky
			for b.Loop() {
				if !c.Factorize(a.RawSymmetric()) {
					b.Fatal("not positive definite")
				}
			}
		})
	}
}

// TestCholeskyBlocked checks the blocked factorization potrf runs from
// blockedMin (under pure Go with the vector kernels) against
// lapack64.Potrf: the same factor to rounding at orders around the block
// boundaries, the same refusal of a matrix whose pivot fails in the first,
// a middle or the last block, and the refusal of a non-finite entry at the
// block edges (finiteDiagonal's argument).
func TestCholeskyBlocked(t *testing.T) {
	rnd := rand.New(rand.NewPCG(13, 14))
	spd := func(n int) []float64 {
		m := mat.NewDense(n, n, nil)
		for k := range n * n {
			m.RawMatrix().Data[k] = rnd.NormFloat64()
		}
		var a mat.Dense
		a.Mul(m.T(), m)
		for k := 0; k < n; k++ {
			a.Set(k, k, a.At(k, k)+float64(n))
		}
		return a.RawMatrix().Data
	}
	factor := func(n int, data []float64) (*Cholesky, bool) {
		c := new(Cholesky)
		ok := c.Factorize(blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: slices.Clone(data)})
		return c, ok
	}
	for _, n := range []int{blockedMin - 1, blockedMin, blockedMin + 1, 3*factorBlock + 5, 300} {
		a := spd(n)
		c, ok := factor(n, a)
		want := blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: slices.Clone(a)}
		if _, wantOK := lapack64.Potrf(want); !ok || !wantOK {
			t.Fatalf("n = %d: Factorize %v, Potrf %v, want both true", n, ok, wantOK)
		}
		var worst, scale float64
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				worst = max(worst, math.Abs(c.t[i*n+j]-want.Data[i*n+j]))
				scale = max(scale, math.Abs(want.Data[i*n+j]))
			}
		}
		if !(worst <= 1e-13*scale) {
			t.Errorf("n = %d: factor differs from Potrf's by %g (largest entry %g)", n, worst, scale)
		}
		for _, k := range []int{1, n / 2, n - 1} {
			bad := slices.Clone(a)
			bad[k*n+k] = -1
			if _, ok := factor(n, bad); ok {
				t.Errorf("n = %d: a negative pivot at %d factorized", n, k)
			}
		}
	}
	const n = 2*factorBlock + 2
	a := spd(n)
	edges := []int{0, factorBlock - 1, factorBlock, factorBlock + 1, 2*factorBlock - 1, 2 * factorBlock, n - 1}
	for _, i := range edges {
		for _, j := range edges {
			if j < i {
				continue
			}
			for _, v := range []float64{math.Inf(1), math.Inf(-1), math.NaN()} {
				bad := slices.Clone(a)
				bad[i*n+j] = v
				if c, ok := factor(n, bad); ok || !math.IsNaN(c.LogDet()) {
					t.Errorf("%v at (%d, %d): Factorize = %v, LogDet %v, want false and NaN", v, i, j, ok, c.LogDet())
				}
			}
		}
	}
}

// BenchmarkCofactor times CofactorTo and DerivativeTo on random (well
// conditioned) matrices by each path, path=lu (the LU factors, what such
// a matrix takes) and path=svd (forced, what a singular one takes).
func BenchmarkCofactor(b *testing.B) {
	defer func(old float64) { minRcond = old }(minRcond)
	rnd := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{8, 64, 256} {
		a, h := randDense(rnd, n, n).RawMatrix(), randDense(rnd, n, n).RawMatrix()
		dst := mat.NewDense(n, n, nil).RawMatrix()
		var w Cofactor
		for _, path := range []struct {
			name      string
			threshold float64
		}{{"lu", 0}, {"svd", 2}} {
			b.Run(fmt.Sprintf("CofactorTo/n=%d/path=%s", n, path.name), func(b *testing.B) {
				minRcond = path.threshold
				for b.Loop() {
					w.CofactorTo(dst, a)
				}
			})
			b.Run(fmt.Sprintf("DerivativeTo/n=%d/path=%s", n, path.name), func(b *testing.B) {
				minRcond = path.threshold
				for b.Loop() {
					w.DerivativeTo(dst, a, h)
				}
			})
		}
	}
}

// TestWorkspaceAlternatingOrders checks that LU and Cofactor allocate only
// when the order exceeds every previous one, as their documentation says:
// calls alternating between orders 5, 0 and 3 (gonum's LAPACK workspace
// queries allocate, and were repeated at every change of order) allocate
// nothing once 5 has been seen, and still compute (an empty workspace
// left by order 0 would fail Getri at 3).
func TestWorkspaceAlternatingOrders(t *testing.T) {
	defer func(old float64) { minRcond = old }(minRcond)
	rnd := rand.New(rand.NewPCG(15, 16))
	a3, a5 := randDense(rnd, 3, 3).RawMatrix(), randDense(rnd, 5, 5).RawMatrix()
	d3, d5 := mat.NewDense(3, 3, nil).RawMatrix(), mat.NewDense(5, 5, nil).RawMatrix()
	var empty blas64.General
	var lu LU
	var w Cofactor
	round := func() {
		lu.Factorize(a5)
		lu.InverseTo(d5)
		lu.Factorize(empty)
		lu.Factorize(a3)
		lu.InverseTo(d3)
		w.CofactorTo(d5, a5)
		w.DerivativeTo(d5, a5, a5)
		w.CofactorTo(d3, a3)
		w.DerivativeTo(d3, a3, a3)
	}
	for _, threshold := range []float64{1e-6, 2} { // the LU path, then the SVD
		minRcond = threshold
		round()
		if got := testing.AllocsPerRun(5, round); got != 0 {
			t.Errorf("minRcond %g: %v allocations a round of orders 5, 0, 3, want 0", threshold, got)
		}
	}
	var inv mat.Dense
	if err := inv.Inverse(mat.NewDense(3, 3, a3.Data)); err != nil {
		t.Fatal(err)
	}
	lu.Factorize(a5)
	lu.Factorize(empty)
	lu.Factorize(a3)
	lu.InverseTo(d3)
	checkGeneral(t, "InverseTo at order 3 after 5 and 0", d3, rows(&inv), 1e-12)
}

// TestDetExactProducts checks LU.Det, LU.LogAbsDet and Cholesky's Det and
// LogDet on matrices whose determinant is a product of pivots known
// exactly: the product of the pivots, not exp(Σ log|pᵢ|), which is 107
// ulps off at 1e300 and cannot give a subnormal; and logs of subnormal
// pivots scaled into the normals (amd64's math.Log is wrong there).
func TestDetExactProducts(t *testing.T) {
	for _, test := range []struct {
		name        string
		diag        []float64
		det, logdet float64
	}{
		{"1e300", []float64{1e300}, 1e300, math.Log(1e300)},
		{"1e100·I₃", []float64{1e100, 1e100, 1e100}, 1e100 * 1e100 * 1e100, 3 * math.Log(1e100)},
		{"3", []float64{3}, 3, math.Log(3)},
		{"5e-324", []float64{5e-324}, 5e-324, -744.4400719213812},
		{"1e-310", []float64{1e-310}, 1e-310, -713.80137882815404},
		{"1e200·1e-200", []float64{1e200, 1e-200, 1e200, 1e-200}, 1e200 * 1e-200 * 1e200 * 1e-200, 0},
		{"overflow", []float64{1e200, 1e200}, math.Inf(1), 2 * math.Log(1e200)},
		{"underflow", []float64{1e-200, 1e-200}, 0, 2 * math.Log(1e-200)},
	} {
		n := len(test.diag)
		for _, sign := range []float64{1, -1} {
			a := mat.NewDense(n, n, nil)
			for i, d := range test.diag {
				a.Set(i, i, d)
			}
			a.Set(0, 0, sign*test.diag[0])
			var f LU
			f.Factorize(a.RawMatrix())
			if got := f.Det(); got != sign*test.det {
				t.Errorf("%s, sign %v: LU.Det = %v, want %v", test.name, sign, got, sign*test.det)
			}
			if got := f.LogAbsDet(); math.Abs(got-test.logdet) > 1e-15*math.Max(1, math.Abs(test.logdet)) {
				t.Errorf("%s: LU.LogAbsDet = %v, want %v", test.name, got, test.logdet)
			}
		}
	}
	// spd: A = diag(dᵢ²), each dᵢ² exact, det = Π dᵢ².
	for _, test := range []struct {
		name        string
		diag        []float64
		det, logdet float64
	}{
		{"Inf", []float64{2e150, 2e150}, math.Inf(1), 2 * math.Log(2e150*2e150)},
		{"2⁻¹⁰⁷⁴", []float64{0x1p-537}, 0x1p-1074, -1074 * math.Ln2},
		{"2⁻¹⁰²⁴", []float64{0x1p-512, 0x1p-512, 0x1p511, 2}, 0x1p-1024, -1024 * math.Ln2},
	} {
		n := len(test.diag)
		a := blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: make([]float64, n*n)}
		for i, d := range test.diag {
			a.Data[i*n+i] = d * d
		}
		var c Cholesky
		c.Factorize(a)
		if got := c.Det(); got != test.det {
			t.Errorf("%s: Cholesky.Det = %v, want %v", test.name, got, test.det)
		}
		if got := c.LogDet(); math.Abs(got-test.logdet) > 1e-15*math.Max(1, math.Abs(test.logdet)) {
			t.Errorf("%s: Cholesky.LogDet = %v, want %v", test.name, got, test.logdet)
		}
	}
}
