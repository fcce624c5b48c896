package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

func TestSymmetricToGeneral(t *testing.T) {
	full := [][]float64{{1, 2, 3}, {2, 4, 5}, {3, 5, 6}}
	for _, test := range []struct {
		name string
		uplo blas.Uplo
		// stored triangle, other triangle NaN
		rows [][]float64
	}{
		{"upper", blas.Upper, [][]float64{{1, 2, 3}, {nan, 4, 5}, {nan, nan, 6}}},
		{"lower", blas.Lower, [][]float64{{1, nan, nan}, {2, 4, nan}, {3, 5, 6}}},
	} {
		g := view(4, test.rows...)
		s := blas64.Symmetric{Uplo: test.uplo, N: 3, Stride: g.Stride, Data: g.Data}
		dst := view(5, make([]float64, 3), make([]float64, 3), make([]float64, 3))
		SymmetricToGeneral(dst, s)
		checkGeneral(t, test.name, dst, full, 0)

		// In place, sharing the storage of s.
		SymmetricToGeneral(g, s)
		checkGeneral(t, test.name+" in place", g, full, 0)
	}

	// From a *mat.SymDense, as generated code does.
	sd := mat.NewSymDense(3, []float64{1, 2, 3, 2, 4, 5, 3, 5, 6})
	dst := view(3, make([]float64, 3), make([]float64, 3), make([]float64, 3))
	SymmetricToGeneral(dst, sd.RawSymmetric())
	checkGeneral(t, "SymDense", dst, full, 0)

	checkPanic(t, "shape", "runtime.SymmetricToGeneral: dst is 2×3, want n×n = 3×3",
		func() { SymmetricToGeneral(view(3, make([]float64, 3), make([]float64, 3)), sd.RawSymmetric()) })
}

func TestSymmetrizeTo(t *testing.T) {
	rows := [][]float64{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
	sym := [][]float64{{1, 3, 5}, {3, 5, 7}, {5, 7, 9}}
	for _, test := range []struct {
		name string
		uplo blas.Uplo
		want [][]float64
	}{
		{"upper", blas.Upper, [][]float64{{1, 3, 5}, {-1, 5, 7}, {-1, -1, 9}}},
		{"lower", blas.Lower, [][]float64{{1, -1, -1}, {3, 5, -1}, {5, 7, 9}}},
	} {
		g := view(4, rows...)
		d := view(3, []float64{-1, -1, -1}, []float64{-1, -1, -1}, []float64{-1, -1, -1})
		SymmetrizeTo(blas64.Symmetric{Uplo: test.uplo, N: 3, Stride: d.Stride, Data: d.Data}, g)
		checkGeneral(t, test.name, d, test.want, 0)
		checkGeneral(t, test.name+" input", g, rows, 0)

		// In place, sharing the storage of g.
		SymmetrizeTo(blas64.Symmetric{Uplo: test.uplo, N: 3, Stride: g.Stride, Data: g.Data}, g)
		for i := range 3 {
			for j := range 3 {
				if stored(test.uplo, i, j) {
					if got := g.Data[i*g.Stride+j]; got != sym[i][j] {
						t.Errorf("%s in place: [%d][%d] = %v, want %v", test.name, i, j, got, sym[i][j])
					}
				}
			}
		}
	}

	// Into a *mat.SymDense, as generated code does.
	sd := mat.NewSymDense(3, nil)
	SymmetrizeTo(sd.RawSymmetric(), view(3, rows...))
	if !mat.Equal(sd, mat.NewSymDense(3, []float64{1, 3, 5, 3, 5, 7, 5, 7, 9})) {
		t.Errorf("SymDense: got %v", mat.Formatted(sd))
	}

	checkPanic(t, "shape", "runtime.SymmetrizeTo: g is 3×2, want n×n = 3×3",
		func() { SymmetrizeTo(sd.RawSymmetric(), view(2, []float64{1, 2}, []float64{1, 2}, []float64{1, 2})) })
}

// TestAddTransposeTo checks a + aᵀ against gonum/mat on sizes around the
// tile edge and with odd and even numbers of tile rows, in one piece and
// split (every call from 16 entries), and the shape panic.
func TestAddTransposeTo(t *testing.T) {
	for _, split := range []bool{false, true} {
		if split {
			withSplitMin(t, 16, func() { testAddTransposeTo(t) })
		} else {
			testAddTransposeTo(t)
		}
	}
	defer func() {
		if _, ok := recover().(*ShapeError); !ok {
			t.Error("a 2×3 a did not panic with a *ShapeError")
		}
	}()
	AddTransposeTo(mat.NewDense(2, 2, nil).RawMatrix(), mat.NewDense(2, 3, nil).RawMatrix())
}

func testAddTransposeTo(t *testing.T) {
	for _, n := range []int{1, 5, 31, 32, 33, 70, 97, 130} {
		a := mat.NewDense(n, n, nil)
		for i := range a.RawMatrix().Data {
			a.RawMatrix().Data[i] = float64(i%13) - 0.5*float64(i%7)
		}
		var want mat.Dense
		want.Add(a, a.T())
		got := mat.NewDense(n, n, nil)
		AddTransposeTo(got.RawMatrix(), a.RawMatrix())
		if !mat.Equal(got, &want) {
			t.Errorf("n=%d: got\n%v\nwant\n%v", n, mat.Formatted(got), mat.Formatted(&want))
		}
		// Strided views, dst NaN first: every entry written, the
		// padding untouched.
		big := mat.NewDense(n+2, n+3, nil)
		big.Slice(1, n+1, 2, n+2).(*mat.Dense).Copy(a)
		out := mat.NewDense(n+1, n+2, nil)
		for i := range out.RawMatrix().Data {
			out.RawMatrix().Data[i] = math.NaN()
		}
		view := out.Slice(1, n+1, 1, n+1).(*mat.Dense)
		AddTransposeTo(view.RawMatrix(), big.Slice(1, n+1, 2, n+2).(*mat.Dense).RawMatrix())
		if !mat.Equal(view, &want) {
			t.Errorf("n=%d, strided: got\n%v\nwant\n%v", n, mat.Formatted(view), mat.Formatted(&want))
		}
		for j := 0; j < n+2; j++ {
			if !math.IsNaN(out.At(0, j)) {
				t.Errorf("n=%d, strided: padding (0, %d) written", n, j)
			}
		}
		for i := 1; i <= n; i++ {
			if !math.IsNaN(out.At(i, 0)) || !math.IsNaN(out.At(i, n+1)) {
				t.Errorf("n=%d, strided: padding of row %d written", n, i)
			}
		}
	}
}

// TestAddTransposeToBits checks that AddTransposeTo (the 4×4 register
// transposes of a GOEXPERIMENT=simd build, or the scalar loop) gives each
// entry the bits of the scalar a[i][j] + a[j][i], row entry first, over
// entries that include NaNs with payloads, ±0, ±Inf, subnormals and the
// largest finite numbers (whose sums overflow), every entry distinct
// otherwise, at sizes with and without a remainder of 4 and at strides
// with either tile size.
func TestAddTransposeToBits(t *testing.T) {
	special := []float64{
		math.Float64frombits(0x7ff8_0000_0000_0123), math.Float64frombits(0xfff0_0000_0000_4567),
		0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1),
		math.SmallestNonzeroFloat64, -3 * math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64,
	}
	rng := rand.New(rand.NewPCG(15, 7))
	for _, n := range []int{3, 4, 8, 16, 17, 35, 64, 67, 130} {
		for _, stride := range []int{n, n + 1, 512} {
			a := blas64.General{Rows: n, Cols: n, Stride: stride, Data: make([]float64, (n-1)*stride+n)}
			for k := range a.Data {
				a.Data[k] = float64(k) + 0.5/float64(k+3)
				if rng.IntN(5) == 0 {
					a.Data[k] = special[rng.IntN(len(special))]
				}
			}
			want := blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
			addTransposeScalar(want, a, 0, n, 0, n)
			got := blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
			AddTransposeTo(got, a)
			for k := range got.Data {
				if math.Float64bits(got.Data[k]) != math.Float64bits(want.Data[k]) {
					t.Errorf("n=%d, stride %d: entry (%d, %d) %v (%#x), want %v (%#x)", n, stride,
						k/n, k%n, got.Data[k], math.Float64bits(got.Data[k]), want.Data[k], math.Float64bits(want.Data[k]))
				}
			}
		}
	}
}

// TestAddTransposeToHugeStridePanics: a stride so large that 3·stride
// wraps around must not pass the checks in front of the assembly, which
// would then read or write far outside the slice (review 66's reproducer
// faulted on the store); AddTransposeTo panics as the scalar loop does.
func TestAddTransposeToHugeStridePanics(t *testing.T) {
	const s = 6148914691236517206 // 3·s wraps to 2
	for _, n := range []int{4, 8, 40} {
		ok := blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
		huge := blas64.General{Rows: n, Cols: n, Stride: s, Data: make([]float64, n*n+2)}
		if catchPanic(func() { AddTransposeTo(huge, ok) }) == "" {
			t.Errorf("n=%d: dst's huge stride did not panic", n)
		}
		if catchPanic(func() { AddTransposeTo(ok, huge) }) == "" {
			t.Errorf("n=%d: a's huge stride did not panic", n)
		}
	}
}

// BenchmarkAddTransposeTo times a + aᵀ of an n×n matrix (B4's C + Cᵀ at
// m = 512).
func BenchmarkAddTransposeTo(b *testing.B) {
	for _, n := range []int{16, 128, 512, 1000, 1024} {
		a := mat.NewDense(n, n, nil)
		for i := range a.RawMatrix().Data {
			a.RawMatrix().Data[i] = float64(i % 11)
		}
		dst := mat.NewDense(n, n, nil)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				AddTransposeTo(dst.RawMatrix(), a.RawMatrix())
			}
		})
	}
}

// TestMirrorUpper checks that mirrorUpper copies the strict upper triangle
// onto the lower one and touches nothing else (the upper triangle, the
// padding past each row), at sizes around the tiles' edges and at strides
// with either tile size.
func TestMirrorUpper(t *testing.T) {
	for _, n := range []int{0, 1, 2, 15, 16, 17, 31, 32, 33, 70} {
		for _, pad := range []int{0, 3, 512 - 70} {
			stride := max(n+pad, 1)
			g := blas64.General{Rows: n, Cols: n, Stride: stride, Data: make([]float64, n*stride)}
			for k := range g.Data {
				g.Data[k] = float64(k)
			}
			mirrorUpper(g)
			for i := 0; i < n; i++ {
				for j := 0; j < stride; j++ {
					want := float64(i*stride + j) // upper triangle, diagonal, padding
					if j < i {
						want = float64(j*stride + i)
					}
					if got := g.Data[i*stride+j]; got != want {
						t.Fatalf("n = %d, stride = %d: entry (%d, %d) = %v, want %v", n, stride, i, j, got, want)
					}
				}
			}
		}
	}
}
