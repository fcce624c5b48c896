package runtime

import (
	"math"
	"math/rand/v2"
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
	// The same values in a view and in a copy give the same bits.
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100 {
		r, c := 1+rng.IntN(20), 1+rng.IntN(20)
		big := mat.NewDense(r+1, c+3, nil)
		other := mat.NewDense(r+1, c+3, nil)
		for i := range big.RawMatrix().Data {
			big.RawMatrix().Data[i] = rng.NormFloat64()
			other.RawMatrix().Data[i] = rng.NormFloat64()
		}
		x, y := big.Slice(1, r+1, 2, c+2).(*mat.Dense), other.Slice(1, r+1, 2, c+2).(*mat.Dense)
		xc, yc := mat.DenseCopyOf(x), mat.DenseCopyOf(y)
		if got, want := MatrixDot(x.RawMatrix(), y.RawMatrix()), MatrixDot(xc.RawMatrix(), yc.RawMatrix()); got != want {
			t.Fatalf("%d×%d: MatrixDot of views %v, of copies %v", r, c, got, want)
		}
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

// TestSymmetricDotTriangles checks SymmetricDot on every pairing of stored
// triangles, strided, with NaN in the triangle not stored (never read),
// against Σᵢⱼ aᵢⱼ bᵢⱼ of the full matrices, and Upper's view of a general
// matrix.
func TestSymmetricDotTriangles(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{1, 2, 5, 37} {
		full := func() *mat.SymDense {
			s := mat.NewSymDense(n, nil)
			for i := 0; i < n; i++ {
				for j := i; j < n; j++ {
					s.SetSym(i, j, rng.NormFloat64())
				}
			}
			return s
		}
		a, b := full(), full()
		var want float64
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				want += a.At(i, j) * b.At(i, j)
			}
		}
		// stored returns s in the triangle uplo of an n×n array of stride
		// n+3, the rest NaN.
		stored := func(s *mat.SymDense, uplo blas.Uplo) blas64.Symmetric {
			stride := n + 3
			data := make([]float64, n*stride)
			for k := range data {
				data[k] = math.NaN()
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
		for _, uplos := range [][2]blas.Uplo{{blas.Upper, blas.Upper}, {blas.Lower, blas.Lower}, {blas.Upper, blas.Lower}, {blas.Lower, blas.Upper}} {
			got := SymmetricDot(stored(a, uplos[0]), stored(b, uplos[1]))
			if math.Abs(got-want) > 1e-13*float64(n*n) {
				t.Errorf("n = %d, triangles %c %c: SymmetricDot = %v, want %v", n, uplos[0], uplos[1], got, want)
			}
		}
		g := stored(a, blas.Upper)
		general := blas64.General{Rows: n, Cols: n, Stride: g.Stride, Data: g.Data}
		if got := SymmetricDot(Upper(general), stored(b, blas.Upper)); math.Abs(got-want) > 1e-13*float64(n*n) {
			t.Errorf("n = %d: SymmetricDot(Upper(g), b) = %v, want %v", n, got, want)
		}
	}
	defer func() {
		if _, ok := recover().(*ShapeError); !ok {
			t.Error("Upper of a 2×3 matrix did not panic with a *ShapeError")
		}
	}()
	Upper(blas64.General{Rows: 2, Cols: 3, Stride: 3, Data: make([]float64, 6)})
}

// TestAbsSum checks absSum, the vector sums where they run, against the
// sum of the magnitudes in order, to rounding (within n ulps of the sum:
// every term is positive, so no sum loses more), at every length up to 70
// (the vector sums' tail and whole blocks) and at 1000; and its special
// values: a NaN anywhere gives NaN, an infinity of either sign +Inf,
// both NaN.
func TestAbsSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, n := range append(rangeInts(71), 1000) {
		x := make([]float64, n)
		want := 0.0
		for i := range x {
			x[i] = (rng.Float64()*2 - 1) * math.Exp(rng.Float64()*20-10)
			want += math.Abs(x[i])
		}
		if got := absSum(x); math.Abs(got-want) > float64(n)*0x1p-52*want {
			t.Errorf("n = %d: absSum = %v, the sum in order %v", n, got, want)
		}
		if n == 0 {
			continue
		}
		for _, c := range []struct {
			special []float64
			want    float64
		}{
			{[]float64{math.NaN()}, math.NaN()},
			{[]float64{math.Inf(-1)}, math.Inf(1)},
			{[]float64{math.Inf(1)}, math.Inf(1)},
			{[]float64{math.Inf(1), math.NaN()}, math.NaN()},
		} {
			y := append([]float64(nil), x...)
			for _, v := range c.special {
				y[rng.IntN(n)] = v
			}
			if got := absSum(y); !sameBits(got, c.want) && !(math.IsNaN(got) && math.IsNaN(c.want)) {
				t.Errorf("n = %d with %v: absSum = %v, want %v", n, c.special, got, c.want)
			}
		}
	}
}

// TestMatrixAbsSumViewAndCopy checks that MatrixAbsSum gives a strided
// view and a contiguous copy of a matrix the same bits (review 69: one
// sum over a contiguous matrix did not).
func TestMatrixAbsSumViewAndCopy(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for range 200 {
		rows, cols := 1+rng.IntN(9), 1+rng.IntN(70)
		view := blas64.General{Rows: rows, Cols: cols, Stride: cols + 1 + rng.IntN(5)}
		view.Data = make([]float64, (rows-1)*view.Stride+cols)
		dense := blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: make([]float64, rows*cols)}
		for i := range rows {
			for j := range cols {
				v := (rng.Float64() - 0.5) * math.Exp(rng.Float64()*80-40)
				view.Data[i*view.Stride+j], dense.Data[i*cols+j] = v, v
			}
		}
		if a, b := MatrixAbsSum(view), MatrixAbsSum(dense); math.Float64bits(a) != math.Float64bits(b) {
			t.Fatalf("%d×%d: the view sums to %v, the copy to %v", rows, cols, a, b)
		}
	}
}

// rangeInts returns 0, 1, …, n−1.
func rangeInts(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// BenchmarkAbsSum times MatrixAbsSum on a 512×64 matrix (the shape of
// B4's X; small integers, not B4's values), in ns an entry.
func BenchmarkAbsSum(b *testing.B) {
	a := blas64.General{Rows: 512, Cols: 64, Stride: 64, Data: make([]float64, 512*64)}
	for i := range a.Data {
		a.Data[i] = float64(i%7) - 3
	}
	for b.Loop() {
		MatrixAbsSum(a)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(a.Data)), "ns/entry")
}

// TestEulerLost checks EulerLost's bound and the absolute sums it is given.
func TestEulerLost(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	for _, c := range []struct {
		f, absSum float64
		lost      bool
	}{
		{1, 1, false},
		{1e-300, 1e300, true}, // 2⁻¹⁰²²·1e300 > 1e−300
		{1, 1e300, false},
		{0, 0, false},
		{math.Copysign(0, -1), 1, true}, // f read as −0 off an underflowed gradient
		{inf, 1, true},
		{-inf, 1, true},
		{nan, 1, true},
		{1, nan, true},
		{1, inf, true},
		{0x1p-1022, 1, false},
		{0x1p-1023, 1, true},
	} {
		if got := EulerLost(c.f, c.absSum); got != c.lost {
			t.Errorf("EulerLost(%v, %v) = %v, want %v", c.f, c.absSum, got, c.lost)
		}
	}
	a := blas64.General{Rows: 2, Cols: 5, Stride: 7, Data: []float64{1, -2, 3, -4, 5, 99, 99, -6, 7, -8, 9, -10, 99}}
	if got := MatrixAbsSum(a); got != 55 {
		t.Errorf("MatrixAbsSum = %v, want 55 (padding not read)", got)
	}
	// The stored triangles of [[1, -2, 3], [-2, 4, -5], [3, -5, 6]], the
	// other triangle holding 99s: twice 21.
	for _, s := range []blas64.Symmetric{
		{Uplo: blas.Upper, N: 3, Stride: 4, Data: []float64{1, -2, 3, 99, 99, 4, -5, 99, 99, 99, 6}},
		{Uplo: blas.Lower, N: 3, Stride: 4, Data: []float64{1, 99, 99, 99, -2, 4, 99, 99, 3, -5, 6}},
	} {
		if got := SymmetricAbsSum(s); got != 42 {
			t.Errorf("SymmetricAbsSum(%c) = %v, want 42", s.Uplo, got)
		}
	}
}
