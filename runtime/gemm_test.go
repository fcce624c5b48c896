package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// paddedRandom returns an r×c matrix with stride c+3 whose entries are drawn
// from rng and whose padding holds pad.
func paddedRandom(rng *rand.Rand, r, c int, pad float64) blas64.General {
	g := blas64.General{Rows: r, Cols: c, Stride: c + 3, Data: make([]float64, r*(c+3))}
	for i := range g.Data {
		if i%g.Stride < c {
			g.Data[i] = rng.NormFloat64()
		} else {
			g.Data[i] = pad
		}
	}
	return g
}

// specialRandom returns paddedRandom(rng, r, c, pad) with about one entry
// in oneIn replaced by a special value: ±0, ±Inf, NaN, a huge or the
// smallest subnormal number.
func specialRandom(rng *rand.Rand, r, c int, pad float64, oneIn int) blas64.General {
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e308, 5e-324}
	g := paddedRandom(rng, r, c, pad)
	for i := range g.Data {
		if i%g.Stride < c && rng.IntN(oneIn) == 0 {
			g.Data[i] = special[rng.IntN(len(special))]
		}
	}
	return g
}

// naiveGemm returns alpha·op(a)·op(b) + beta·c by the triple loop (c's
// entries are not read when beta is 0), with a bound on each entry's
// rounding error: a few ulps of the sum of the terms' magnitudes.
func naiveGemm(tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General) (want, tol []float64) {
	at := func(x blas64.General, t blas.Transpose, i, j int) float64 {
		if t == blas.Trans {
			i, j = j, i
		}
		return x.Data[i*x.Stride+j]
	}
	k := a.Cols
	if tA == blas.Trans {
		k = a.Rows
	}
	want, tol = make([]float64, c.Rows*c.Cols), make([]float64, c.Rows*c.Cols)
	for i := 0; i < c.Rows; i++ {
		for j := 0; j < c.Cols; j++ {
			s, mag := 0.0, 0.0
			for l := 0; l < k; l++ {
				p := at(a, tA, i, l) * at(b, tB, l, j)
				s += p
				mag += math.Abs(p)
			}
			v, vmag := alpha*s, math.Abs(alpha)*mag
			if beta != 0 {
				v += beta * c.Data[i*c.Stride+j]
				vmag += math.Abs(beta * c.Data[i*c.Stride+j])
			}
			want[i*c.Cols+j], tol[i*c.Cols+j] = v, 1e-14*float64(k+2)*vmag
		}
	}
	return want, tol
}

// gemmCase is a product Gemm.Mul is checked on: op(a) m×k times op(b) k×n,
// and the orientation orient must choose for it.
type gemmCase struct {
	tA, tB  blas.Transpose
	m, n, k int
	want    orientation
}

// gemmCases covers every orientation from every pair of flags it applies
// to, on both sides of each threshold, and zero-size dimensions.
var gemmCases = []gemmCase{
	// Short inner dimension with b transposed: b copied.
	{blas.NoTrans, blas.Trans, 40, 30, 10, transposedB},
	{blas.NoTrans, blas.Trans, 40, 30, shortInner, transposedB},
	{blas.NoTrans, blas.Trans, 40, 30, shortInner + 1, direct},
	{blas.Trans, blas.Trans, 40, 30, 10, transposedB},
	{blas.NoTrans, blas.Trans, 50, 7, 1, transposedB},
	// Both transposed: (b a)ᵀ.
	{blas.Trans, blas.Trans, 40, 30, shortInner + 1, flipped},
	{blas.Trans, blas.Trans, 5, 60, 40, flipped},
	// Narrow c of a b: b copied, dots.
	{blas.NoTrans, blas.NoTrans, 40, 4, 30, transposedB},
	{blas.NoTrans, blas.NoTrans, 50, 1, 7, transposedB},
	{blas.NoTrans, blas.NoTrans, narrowCols + 1, narrowCols, 20, transposedB},
	{blas.NoTrans, blas.NoTrans, narrowCols, narrowCols, 20, direct},
	{blas.NoTrans, blas.NoTrans, 100, narrowCols + 1, 20, direct},
	// Narrow or wide c of aᵀ b: (bᵀ a)ᵀ.
	{blas.Trans, blas.NoTrans, 40, 4, 30, flipped},
	{blas.Trans, blas.NoTrans, narrowCols + 1, narrowCols + 1 + wideRatio*(narrowCols+1), 20, flipped},
	{blas.Trans, blas.NoTrans, narrowCols + 1, wideRatio * (narrowCols + 1), 20, transposedA},
	{blas.Trans, blas.NoTrans, narrowCols, 127, 20, transposedA},
	{blas.Trans, blas.NoTrans, 33, 20, 33, flipped},
	// Any other aᵀ b wider than a block of c: a copied.
	{blas.Trans, blas.NoTrans, 40, blockCols + 1, 20, transposedA},
	{blas.Trans, blas.NoTrans, 40, blockCols, 20, direct},
	{blas.Trans, blas.NoTrans, narrowCols, blockCols, 20, direct},
	// The rest as given.
	{blas.NoTrans, blas.Trans, 50, 4, 30, direct},
	{blas.NoTrans, blas.NoTrans, 3, 5, 4, direct},
	// Zero-size dimensions.
	{blas.Trans, blas.Trans, 0, 5, 4, direct},
	{blas.Trans, blas.NoTrans, 40, 0, 4, direct},
	{blas.NoTrans, blas.Trans, 40, 4, 0, direct},
	{blas.Trans, blas.Trans, 40, 30, 0, direct},
}

// TestGemm checks that orient chooses each case's orientation and that
// Gemm.Mul, and Gemm.run in every orientation, compute the product as the
// triple loop does, to rounding: strides wider
// than the columns (the padding of c left alone), alpha and beta including
// beta = 0 over a c of NaNs, zero-size dimensions; and that steady-state
// calls allocate nothing.
func TestGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	var g Gemm
	for _, tc := range gemmCases {
		name := fmt.Sprintf("%c%c/%dx%dx%d", tc.tA, tc.tB, tc.m, tc.n, tc.k)
		if tc.m > 0 && tc.n > 0 && tc.k > 0 {
			if got := orient(tc.tA, tc.tB, tc.m, tc.n, tc.k); got != tc.want {
				t.Errorf("%s: orient = %d, want %d", name, got, tc.want)
			}
		}
		ar, ac := tc.m, tc.k
		if tc.tA == blas.Trans {
			ar, ac = ac, ar
		}
		br, bc := tc.k, tc.n
		if tc.tB == blas.Trans {
			br, bc = bc, br
		}
		a, b := paddedRandom(rng, ar, ac, 7), paddedRandom(rng, br, bc, 7)
		for _, ab := range [][2]float64{{2, -0.5}, {1, 0}, {-0.5, 1}} {
			alpha, beta := ab[0], ab[1]
			c := paddedRandom(rng, tc.m, tc.n, 99)
			if beta == 0 {
				for i := range c.Data {
					if i%c.Stride < c.Cols {
						c.Data[i] = math.NaN()
					}
				}
			}
			want, tol := naiveGemm(tc.tA, tc.tB, alpha, a, b, beta, c)
			if tc.m > 0 && tc.n > 0 && tc.k > 0 {
				// Every orientation computes the product, chosen or not.
				for _, o := range []orientation{direct, transposedB, flipped, transposedA} {
					d := paddedRandom(rng, tc.m, tc.n, 99)
					copy(d.Data, c.Data)
					og := Gemm{order: o}
					og.Mul(tc.tA, tc.tB, alpha, a, b, beta, d)
					for i := 0; i < d.Rows; i++ {
						for j := 0; j < d.Cols; j++ {
							if got, w := d.Data[i*d.Stride+j], want[i*d.Cols+j]; !(math.Abs(got-w) <= tol[i*d.Cols+j]) {
								t.Fatalf("%s alpha=%v beta=%v orientation %d: c[%d][%d] = %v, want %v", name, alpha, beta, o, i, j, got, w)
							}
						}
					}
				}
			}
			g.Mul(tc.tA, tc.tB, alpha, a, b, beta, c)
			for i := 0; i < c.Rows; i++ {
				for j := 0; j < c.Stride; j++ {
					got := c.Data[i*c.Stride+j]
					if j >= c.Cols {
						if got != 99 {
							t.Fatalf("%s alpha=%v beta=%v: padding c[%d][%d] = %v, want 99", name, alpha, beta, i, j, got)
						}
						continue
					}
					if w := want[i*c.Cols+j]; !(math.Abs(got-w) <= tol[i*c.Cols+j]) {
						t.Fatalf("%s alpha=%v beta=%v: c[%d][%d] = %v, want %v", name, alpha, beta, i, j, got, w)
					}
				}
			}
			if allocs := testing.AllocsPerRun(5, func() {
				g.Mul(tc.tA, tc.tB, alpha, a, b, beta, c)
			}); allocs != 0 {
				t.Errorf("%s: %v allocs in steady state", name, allocs)
			}
		}
	}
}

// recordingBLAS is gonum's implementation under another type, as
// runtime/openblas's is, recording the flags of its last Dgemm call.
type recordingBLAS struct {
	gonum.Implementation
	tA, tB blas.Transpose
}

func (r *recordingBLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	r.tA, r.tB = tA, tB
	r.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// TestGemmOtherBLAS checks that with an implementation other than gonum's
// in blas64, Gemm.Mul passes every product through as given, and computes
// it right.
func TestGemmOtherBLAS(t *testing.T) {
	rec := &recordingBLAS{}
	defer blas64.Use(blas64.Implementation())
	blas64.Use(rec)
	rng := rand.New(rand.NewPCG(4, 4))
	var g Gemm
	for _, tc := range gemmCases {
		if tc.want == direct || tc.k == 0 {
			continue
		}
		name := fmt.Sprintf("%c%c/%dx%dx%d", tc.tA, tc.tB, tc.m, tc.n, tc.k)
		ar, ac := tc.m, tc.k
		if tc.tA == blas.Trans {
			ar, ac = ac, ar
		}
		br, bc := tc.k, tc.n
		if tc.tB == blas.Trans {
			br, bc = bc, br
		}
		a, b, c := paddedRandom(rng, ar, ac, 7), paddedRandom(rng, br, bc, 7), paddedRandom(rng, tc.m, tc.n, 99)
		want, tol := naiveGemm(tc.tA, tc.tB, 1.5, a, b, 0.5, c)
		g.Mul(tc.tA, tc.tB, 1.5, a, b, 0.5, c)
		if rec.tA != tc.tA || rec.tB != tc.tB {
			t.Errorf("%s: Dgemm(%c, %c), want the flags as given", name, rec.tA, rec.tB)
		}
		for i := 0; i < c.Rows; i++ {
			for j := 0; j < c.Cols; j++ {
				if got, w := c.Data[i*c.Stride+j], want[i*c.Cols+j]; !(math.Abs(got-w) <= tol[i*c.Cols+j]) {
					t.Fatalf("%s: c[%d][%d] = %v, want %v", name, i, j, got, w)
				}
			}
		}
	}
}

// TestGemmSmallBitIdentical checks that Gemm.Mul's own loop for the
// smallest products (smallMul) gives gonum's Dgemm results bit for bit,
// NoTrans·NoTrans and Trans·NoTrans, over every shape it takes, with padded
// strides, the special values of alpha and beta, and zeros, infinities,
// NaNs and −0 in the operands and in c: gonum skips a term whose
// alpha·op(a)ᵢₗ is zero, so an Inf in that row of b adds nothing and a −0
// in c stays −0, and so must smallMul. The padding of c stays untouched.
func TestGemmSmallBitIdentical(t *testing.T) {
	gonumArithmetic(t)
	rng := rand.New(rand.NewPCG(11, 12))
	draw := func(r, c int, pad float64) blas64.General { return specialRandom(rng, r, c, pad, 6) }
	var g Gemm
	var gonumImpl gonum.Implementation
	checked := 0
	for m := 1; m <= 9; m++ {
		for n := 4; n <= 9; n++ {
			for k := 1; k <= 9; k++ {
				if m*n*k > smallWork { // Mul's other paths
					continue
				}
				for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
					ar, ac := m, k
					if tA == blas.Trans {
						ar, ac = k, m
					}
					for _, ab := range [][2]float64{{1, 0}, {-2.5, 1}, {0, 1}, {0.5, -3}, {1, 0.0}, {math.NaN(), 0}, {2, math.Inf(1)}} {
						a, b := draw(ar, ac, 7), draw(k, n, 7)
						c := draw(m, n, 99)
						want := blas64.General{Rows: m, Cols: n, Stride: c.Stride, Data: append([]float64(nil), c.Data...)}
						gonumImpl.Dgemm(tA, blas.NoTrans, m, n, k, ab[0], a.Data, a.Stride, b.Data, b.Stride, ab[1], want.Data, want.Stride)
						g.Mul(tA, blas.NoTrans, ab[0], a, b, ab[1], c)
						for i, w := range want.Data {
							if got := c.Data[i]; math.Float64bits(got) != math.Float64bits(w) && !(math.IsNaN(got) && math.IsNaN(w)) {
								t.Fatalf("%dx%dx%d %c alpha=%v beta=%v: c.Data[%d] = %v (%#x), gonum %v (%#x)",
									m, n, k, tA, ab[0], ab[1], i, got, math.Float64bits(got), w, math.Float64bits(w))
							}
						}
						checked++
					}
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("checked %d products, want the small path's every shape", checked)
	}
}

// TestGemmTransposedABitIdentical checks the invariant transposedA relies
// on: gonum's Trans·NoTrans and NoTrans·NoTrans kernels add the same terms
// to each entry of c in the same order (ascending l, a term skipped when
// alpha·a is zero), so running aᵀ b on a copy of aᵀ gives blas64.Gemm's
// result bit for bit, whatever the block structure (outputs one to three
// blocks wide, inner dimensions across block edges), padding, special
// values and alpha, beta.
func TestGemmTransposedABitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	draw := func(r, c int, pad float64) blas64.General { return specialRandom(rng, r, c, pad, 50) }
	g := Gemm{order: transposedA}
	for _, s := range [][3]int{{1, 65, 1}, {65, 65, 64}, {70, 130, 65}, {130, 70, 129}, {33, 200, 7}, {200, 66, 300}} {
		m, n, k := s[0], s[1], s[2]
		for _, ab := range [][2]float64{{1, 0}, {-2.5, 1}, {0.5, -3}, {0, 1}, {2, math.Inf(1)}} {
			a, b, c := draw(k, m, 7), draw(k, n, 7), draw(m, n, 99)
			want := blas64.General{Rows: m, Cols: n, Stride: c.Stride, Data: append([]float64(nil), c.Data...)}
			blas64.Gemm(blas.Trans, blas.NoTrans, ab[0], a, b, ab[1], want)
			g.Mul(blas.Trans, blas.NoTrans, ab[0], a, b, ab[1], c)
			for i, w := range want.Data {
				if got := c.Data[i]; math.Float64bits(got) != math.Float64bits(w) && !(math.IsNaN(got) && math.IsNaN(w)) {
					t.Fatalf("%dx%dx%d alpha=%v beta=%v: c.Data[%d] = %v (%#x), blas64.Gemm %v (%#x)",
						m, n, k, ab[0], ab[1], i, got, math.Float64bits(got), w, math.Float64bits(w))
				}
			}
		}
	}
}

// TestGemmVectorBitIdentical checks vectorMul (set in a build with vector
// code on a CPU that runs it) against gonum's NoTrans·NoTrans and
// Trans·NoTrans kernels bit for bit, the padding of c untouched: every
// shape up to 9×9 with c 4 to 9 columns wide and the widths around the
// vector steps (12, 16, 20, 32 and 33–35, whose last block overlaps the one
// before it), larger shapes in one piece and split across the team, padded
// strides, infinities, NaNs and −0 in b and c, and the special alpha and
// beta. It must not write a. With a zero alpha·op(a)ᵢₗ it must return false
// and leave c alone; Gemm.Mul then runs gonum's kernels. Gemm.Mul with b
// transposed runs vectorMul on a copy of bᵀ: gonum's NoTrans·NoTrans on
// that copy, bit for bit.
func TestGemmVectorBitIdentical(t *testing.T) {
	gonumArithmetic(t)
	if vectorMul == nil {
		t.Skip("no vector kernels in this build or on this CPU")
	}
	rng := rand.New(rand.NewPCG(31, 32))
	var gonumImpl gonum.Implementation
	type shape struct{ m, n, k int }
	var shapes []shape
	for m := 1; m <= 9; m++ {
		for _, n := range []int{4, 5, 6, 7, 8, 9, 12, 16, 20, 32, 33, 34, 35} {
			for k := 1; k <= 9; k++ {
				shapes = append(shapes, shape{m, n, k})
			}
		}
	}
	// Inner dimensions past the vector kernels' panelSteps (128) run in
	// stretches: with c's last columns in an overlapping block, and with
	// rows past the last four.
	shapes = append(shapes, shape{64, 64, 64}, shape{67, 36, 70}, shape{130, 40, 60}, shape{13, 44, 300},
		shape{8, 35, 257}, shape{14, 6, 129}, shape{4, 12, 128})
	same := func(got, want []float64) int {
		for i, w := range want {
			if g := got[i]; math.Float64bits(g) != math.Float64bits(w) && !(math.IsNaN(g) && math.IsNaN(w)) {
				return i
			}
		}
		return -1
	}
	for _, splitMin := range []int{vectorSplitMin, 1} {
		defer func(old int) { vectorSplitMin = old }(vectorSplitMin)
		vectorSplitMin = splitMin
		for _, s := range shapes {
			m, n, k := s.m, s.n, s.k
			for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				ar, ac := m, k
				if tA == blas.Trans {
					ar, ac = k, m
				}
				for _, ab := range [][2]float64{{1, 0}, {-2.5, 1}, {0.5, -3}, {2, math.Inf(1)}, {math.NaN(), 0}} {
					a := paddedRandom(rng, ar, ac, 7) // no zeros: the vector path
					b, c := specialRandom(rng, k, n, 7, 6), specialRandom(rng, m, n, 99, 6)
					want := append([]float64(nil), c.Data...)
					gonumImpl.Dgemm(tA, blas.NoTrans, m, n, k, ab[0], a.Data, a.Stride, b.Data, b.Stride, ab[1], want, c.Stride)
					got := append([]float64(nil), c.Data...)
					aWas := append([]float64(nil), a.Data...)
					if !vectorMul(tA == blas.Trans, m, n, k, ab[0], a.Data, a.Stride, b.Data, b.Stride, ab[1], got, c.Stride) {
						t.Fatalf("%dx%dx%d %c alpha=%v: vectorMul declined an a without zeros", m, n, k, tA, ab[0])
					}
					if i := same(a.Data, aWas); i >= 0 {
						t.Fatalf("%dx%dx%d %c alpha=%v: vectorMul wrote a.Data[%d]", m, n, k, tA, ab[0], i)
					}
					if i := same(got, want); i >= 0 {
						t.Fatalf("split from %d, %dx%dx%d %c alpha=%v beta=%v: c.Data[%d] = %v (%#x), gonum %v (%#x)",
							splitMin, m, n, k, tA, ab[0], ab[1], i, got[i], math.Float64bits(got[i]), want[i], math.Float64bits(want[i]))
					}

					// b transposed, through Gemm.Mul.
					bt := blas64.General{Rows: n, Cols: k, Stride: k + 2, Data: make([]float64, n*(k+2))}
					for l := 0; l < k; l++ {
						for j := 0; j < n; j++ {
							bt.Data[j*bt.Stride+l] = b.Data[l*b.Stride+j]
						}
					}
					got = append(got[:0], c.Data...)
					var g Gemm
					g.Mul(tA, blas.Trans, ab[0], a, bt, ab[1], blas64.General{Rows: m, Cols: n, Stride: c.Stride, Data: got})
					if i := same(got, want); i >= 0 {
						t.Fatalf("Gemm.Mul, b transposed, %dx%dx%d %c alpha=%v beta=%v: c.Data[%d] = %v, gonum on bᵀ %v",
							m, n, k, tA, ab[0], ab[1], i, got[i], want[i])
					}

					// A zero alpha·op(a)ᵢₗ: declined, c untouched (alpha NaN
					// makes every product NaN, which gonum adds too).
					if math.IsNaN(ab[0]) {
						continue
					}
					a.Data[rng.IntN(ar)*a.Stride+rng.IntN(ac)] = 0
					got = append(got[:0], c.Data...)
					if vectorMul(tA == blas.Trans, m, n, k, ab[0], a.Data, a.Stride, b.Data, b.Stride, ab[1], got, c.Stride) {
						t.Fatalf("%dx%dx%d %c: vectorMul ran with a zero in a", m, n, k, tA)
					}
					if i := same(got, c.Data); i >= 0 {
						t.Fatalf("%dx%dx%d %c: vectorMul declined but wrote c.Data[%d]", m, n, k, tA, i)
					}
				}
			}
		}
	}
}

// gonumArithmetic keeps Gemm.Mul on gonum's arithmetic (vectorMul,
// smallMul, gonum's kernels) for the rest of the test, as the tests of its
// bits against gonum's need: under -tags gradgensplit fmaShape sends half
// the shapes, small ones included, to GemmFMA, and GemmNarrow takes
// products from 2¹⁴ multiply-adds.
func gonumArithmetic(t *testing.T) {
	saved, work := fmaHalfShapes, narrowMinWork
	fmaHalfShapes, narrowMinWork = false, math.MaxInt
	t.Cleanup(func() { fmaHalfShapes, narrowMinWork = saved, work })
}
