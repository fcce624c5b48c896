package runtime

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// TestChain checks Chain.MulTo against left-to-right gonum/mat products for
// chains of 2 to 5 factors of uneven sizes, with transposes, alpha and beta,
// and that the plan picks the cheap order for a thin middle.
func TestChain(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	random := func(r, c int) *mat.Dense {
		m := mat.NewDense(r, c, nil)
		for i := range m.RawMatrix().Data {
			m.RawMatrix().Data[i] = rng.NormFloat64()
		}
		return m
	}
	var chain Chain
	for _, dims := range [][]int{{3, 4, 5}, {50, 2, 40, 3}, {7, 1, 9, 2, 6}, {2, 30, 30, 30, 2, 5}} {
		k := len(dims) - 1
		var ops []blas64.General
		var trans []bool
		var want *mat.Dense
		for i := 0; i < k; i++ {
			m := random(dims[i], dims[i+1])
			tr := rng.IntN(2) == 0
			stored := m
			if tr {
				stored = mat.DenseCopyOf(m.T())
			}
			ops, trans = append(ops, stored.RawMatrix()), append(trans, tr)
			if i == 0 {
				want = m
			} else {
				var next mat.Dense
				next.Mul(want, m)
				want = &next
			}
		}
		dst := random(dims[0], dims[k])
		var expect mat.Dense
		expect.Scale(0.5, dst)
		expect.Add(&expect, scaled(2, want))
		chain.MulTo(dst.RawMatrix(), 2, 0.5, ops, trans)
		if !mat.EqualApprox(dst, &expect, 1e-10) {
			t.Errorf("dims %v: got\n%v\nwant\n%v", dims, mat.Formatted(dst), mat.Formatted(&expect))
		}
		if allocs := testing.AllocsPerRun(5, func() { chain.MulTo(dst.RawMatrix(), 1, 0, ops, trans) }); allocs != 0 {
			t.Errorf("dims %v: %v allocs in steady state", dims, allocs)
		}
	}
	chain.dims = []int{512, 512, 64, 8}
	chain.plan(3)
	if s := chain.split[0*3+2]; s != 0 {
		t.Errorf("512×512 · 512×64 · 64×8 splits after factor %d, want 0: A (B C)", s)
	}
}

func scaled(s float64, m mat.Matrix) *mat.Dense {
	var out mat.Dense
	out.Scale(s, m)
	return &out
}

// sandwichOperands returns a random n×n spd A, factorized, and a random
// n×q r, the operands of the Cholesky sandwich tests.
func sandwichOperands(t testing.TB, rng *rand.Rand, n, q int) (*mat.SymDense, *mat.Dense, *Cholesky) {
	t.Helper()
	b := mat.NewDense(n, n, nil)
	r := mat.NewDense(n, q, nil)
	for i := range b.RawMatrix().Data {
		b.RawMatrix().Data[i] = rng.NormFloat64()
	}
	for i := range r.RawMatrix().Data {
		r.RawMatrix().Data[i] = rng.NormFloat64()
	}
	a := mat.NewSymDense(n, nil)
	a.SymOuterK(1, b)
	for i := 0; i < n; i++ {
		a.SetSym(i, i, a.At(i, i)+float64(n))
	}
	c := new(Cholesky)
	if !c.Factorize(a.RawSymmetric()) {
		t.Fatal("not positive definite")
	}
	return a, r, c
}

// TestSandwichBlocked checks SandwichTo at orders where the factor's
// product runs by row blocks (factorTimes, under pure Go with the vector
// kernels), around the block size and the threshold, against rᵀ A r
// formed with gonum/mat; the factor's storage below the diagonal holds NaN,
// which must never be read.
func TestSandwichBlocked(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{factorBlock + 1, blockedMin - 1, blockedMin, blockedMin + 1, 3*factorBlock + 17, 5 * factorBlock} {
		for _, q := range []int{1, 5, n + 3} {
			a, r, _ := sandwichOperands(t, rng, n, q)
			c := &Cholesky{t: make([]float64, n*n)}
			for i := range c.t {
				c.t[i] = math.NaN()
			}
			if !c.Factorize(a.RawSymmetric()) {
				t.Fatal("not positive definite")
			}
			var ar, want mat.Dense
			ar.Mul(a, r)
			want.Mul(r.T(), &ar)
			got := mat.NewDense(q, q, nil)
			c.SandwichTo(got.RawMatrix(), 1, r.RawMatrix(), 0)
			scale := mat.Norm(&want, math.Inf(1))
			var diff mat.Dense
			diff.Sub(got, &want)
			if d := mat.Norm(&diff, math.Inf(1)); !(d <= 1e-13*scale) {
				t.Errorf("n = %d, q = %d: |got − rᵀAr|∞ = %g, |rᵀAr|∞ = %g", n, q, d, scale)
			}
		}
	}
}

// TestSandwich checks Cholesky.SandwichTo against rᵀ A r formed with
// gonum/mat, with alpha and beta, and that it allocates nothing when warm.
func TestSandwich(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	const q = 4
	a, r, c := sandwichOperands(t, rng, 6, q)
	dst := mat.NewDense(q, q, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	var ar, want mat.Dense
	ar.Mul(a, r)
	want.Mul(r.T(), &ar)
	want.Scale(-2, &want)
	want.Add(&want, scaled(0.5, dst))
	c.SandwichTo(dst.RawMatrix(), -2, r.RawMatrix(), 0.5)
	if !mat.EqualApprox(dst, &want, 1e-10) {
		t.Errorf("got\n%v\nwant\n%v", mat.Formatted(dst), mat.Formatted(&want))
	}
	// beta = 0 into a strided view of NaN: dst is not read, every entry
	// written, the padding untouched.
	big := mat.NewDense(q+1, q+2, nil)
	for i := range big.RawMatrix().Data {
		big.RawMatrix().Data[i] = math.NaN()
	}
	view := big.Slice(1, q+1, 1, q+1).(*mat.Dense)
	c.SandwichTo(view.RawMatrix(), 3, r.RawMatrix(), 0)
	want.Mul(r.T(), &ar)
	want.Scale(3, &want)
	if !mat.EqualApprox(view, &want, 1e-10) {
		t.Errorf("beta = 0, strided: got\n%v\nwant\n%v", mat.Formatted(view), mat.Formatted(&want))
	}
	for i := 0; i < q+1; i++ {
		if !math.IsNaN(big.At(i, 0)) || !math.IsNaN(big.At(i, q+1)) || i == 0 && !math.IsNaN(big.At(0, 1)) {
			t.Errorf("beta = 0, strided: padding of row %d written", i)
		}
	}
	if allocs := testing.AllocsPerRun(5, func() { c.SandwichTo(dst.RawMatrix(), 1, r.RawMatrix(), 0) }); allocs != 0 {
		t.Errorf("%v allocs in steady state", allocs)
	}
}

// TestFactorTimesNonFinite checks that the blocked U r (factorTimes) spreads
// Inf and NaN in r as gonum's Trmm does, with the factor of a
// block-diagonal matrix, whose zeros gonum's kernels skip (0·Inf would be
// NaN): the same entries infinite, with the same signs, and NaN; the
// finite entries to rounding.
func TestFactorTimesNonFinite(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{blockedMin, 3*factorBlock + 1, 257} {
		a := mat.NewSymDense(n, nil)
		for i := 0; i < n; i++ {
			for j := i; j < n && j/50 == i/50; j++ {
				a.SetSym(i, j, rng.NormFloat64())
			}
			a.SetSym(i, i, float64(n))
		}
		c := new(Cholesky)
		if !c.Factorize(a.RawSymmetric()) {
			t.Fatal("not positive definite")
		}
		for _, q := range []int{1, 3, 4, 5, 17, 40} {
			r := blas64.General{Rows: n, Cols: q, Stride: q + 1, Data: make([]float64, n*(q+1))}
			for i := range r.Data {
				r.Data[i] = rng.NormFloat64()
			}
			for _, k := range []int{7, 60, 100, n - 1} {
				r.Data[k*r.Stride+k%q] = []float64{math.Inf(1), math.Inf(-1), math.NaN()}[k%3]
			}
			want := blas64.General{Rows: n, Cols: q, Stride: q, Data: make([]float64, n*q)}
			copyGeneral(want, r)
			blas64.Trmm(blas.Left, blas.NoTrans, 1, c.factor(), want)
			got := c.factorTimes(r)
			for i := 0; i < n; i++ {
				for j := 0; j < q; j++ {
					g, w := got.Data[i*got.Stride+j], want.Data[i*q+j]
					finite := !math.IsNaN(w) && !math.IsInf(w, 0)
					if finite && !(math.Abs(g-w) <= 1e-13*math.Max(1, math.Abs(w))) || !finite && !sameBits(g, w) && !(math.IsNaN(g) && math.IsNaN(w)) {
						t.Fatalf("n = %d, q = %d: (U r)[%d][%d] = %v, Trmm gives %v", n, q, i, j, g, w)
					}
				}
			}
		}
	}
}

// TestChainGramPair checks chains holding a matrix beside its own
// transpose (M Mᵀ, Mᵀ M): the product against gonum/mat to rounding and
// exactly symmetric where Syrk forms it, the pair counted at half its
// multiplications where Syrk is used (not under gonum with vector code)
// and only for one matrix, not for an equal copy, never for a two-factor
// chain with beta ≠ 0, nor below gramMin.
func TestChainGramPair(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	random := func(r, c int) *mat.Dense {
		m := mat.NewDense(r, c, nil)
		for i := range m.RawMatrix().Data {
			m.RawMatrix().Data[i] = rng.NormFloat64()
		}
		return m
	}
	syrk := !vectorGonum()
	m := random(48, 32) // M Mᵀ and Mᵀ M above gramMin
	copyOfM := mat.DenseCopyOf(m)
	a, b := random(30, 48), random(48, 7)
	aT := mat.DenseCopyOf(a.T())
	small := random(12, 12) // below gramMin
	cases := []struct {
		name     string
		ops      []*mat.Dense
		trans    []bool
		beta     float64
		wantGram []bool
	}{
		{"M Mᵀ", []*mat.Dense{m, m}, []bool{false, true}, 0, []bool{syrk}},
		{"Mᵀ M", []*mat.Dense{m, m}, []bool{true, false}, 0, []bool{syrk}},
		{"M Mᵀ, beta", []*mat.Dense{m, m}, []bool{false, true}, 0.5, []bool{false}},
		{"M copyᵀ", []*mat.Dense{m, copyOfM}, []bool{false, true}, 0, []bool{false}},
		{"A M Mᵀ B", []*mat.Dense{a, m, m, b}, []bool{false, false, true, false}, 0.5, []bool{false, syrk, false}},
		{"Aᵀᵀ Aᵀ", []*mat.Dense{aT, aT}, []bool{true, false}, 0, []bool{syrk}},
		{"small M Mᵀ", []*mat.Dense{small, small}, []bool{false, true}, 0, []bool{false}},
	}
	var chain Chain
	for _, c := range cases {
		var ops []blas64.General
		var want *mat.Dense
		for i, op := range c.ops {
			ops = append(ops, op.RawMatrix())
			var f mat.Matrix = op
			if c.trans[i] {
				f = op.T()
			}
			if i == 0 {
				want = mat.DenseCopyOf(f)
				continue
			}
			var next mat.Dense
			next.Mul(want, f)
			want = &next
		}
		r, col := want.Dims()
		dst := random(r, col)
		var expect mat.Dense
		expect.Scale(c.beta, dst)
		expect.Add(&expect, scaled(2, want))
		chain.MulTo(dst.RawMatrix(), 2, c.beta, ops, c.trans)
		if !mat.EqualApprox(dst, &expect, 1e-10) {
			t.Errorf("%s: got\n%v\nwant\n%v", c.name, mat.Formatted(dst), mat.Formatted(&expect))
		}
		k := len(c.ops)
		for i, g := range c.wantGram {
			if chain.gram[i] != g {
				t.Errorf("%s: factors %d and %d taken as one matrix and its transpose: %v, want %v", c.name, i, i+1, chain.gram[i], g)
			}
			full := chain.dims[i] * chain.dims[i+1] * chain.dims[i+2]
			if want := map[bool]int{false: full, true: full / 2}[g]; chain.cost[i*k+i+1] != want {
				t.Errorf("%s: factors %d and %d cost %d multiplications in the plan, want %d", c.name, i, i+1, chain.cost[i*k+i+1], want)
			}
		}
		if len(c.ops) == 2 && c.wantGram[0] && !mat.Equal(dst, dst.T()) {
			t.Errorf("%s: product formed from one triangle is not symmetric", c.name)
		}
		if allocs := testing.AllocsPerRun(5, func() { chain.MulTo(dst.RawMatrix(), 1, 0, ops, c.trans) }); allocs != 0 {
			t.Errorf("%s: %v allocs in steady state", c.name, allocs)
		}
	}
}

// TestChainPlusTranspose checks MulPlusTransposeTo against MulTo of the
// formed sum: the same bits where the sum is not the left factor of a
// product run on the fused multiply-add kernels (then it is formed, as
// MulTo's operand is), within rounding where it is, and the sum's
// workspace untouched there: the narrow kernel's (C + Cᵀ)(X B) Bᵀ, B4's
// at m = 512, n = 64, p = 8, and (A + Aᵀ)(Aᵀ X), whose factor next to its
// own storage transposed is not taken for a Gram pair; GemmFMA's where
// fmaShape takes the product.
func TestChainPlusTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	kernel := fmaKernelRuns()
	type factor struct {
		rows, cols int
		trans      bool
		same       int // ≥ 0: the storage of that factor
	}
	for _, tc := range []struct {
		name    string
		factors []factor
		sym     int
		fused   bool // the sum is multiplied, alone, from the left on the kernels
	}{
		{"(C + Cᵀ) (X B) Bᵀ, narrow", []factor{{512, 512, false, -1}, {512, 64, false, -1}, {64, 8, false, -1}, {8, 64, true, 2}}, 0, true},
		{"(A B) (C + Cᵀ), formed", []factor{{5, 40, false, -1}, {40, 40, false, -1}, {40, 40, false, -1}}, 2, false},
		{"(A + Aᵀ) (Aᵀ X), narrow", []factor{{300, 300, false, -1}, {300, 300, true, 0}, {300, 6, false, -1}}, 0, true},
		{"(C + Cᵀ) (X Y), wide", []factor{{300, 300, false, -1}, {300, 300, false, -1}, {300, 50, false, -1}}, 0, fmaShape(300, 50, 300)},
	} {
		var ops, formedOps []blas64.General
		var trans []bool
		for i, f := range tc.factors {
			r, c := f.rows, f.cols
			if f.trans {
				r, c = c, r
			}
			g := paddedRandom(rng, r, c, 0)
			if f.same >= 0 {
				g = ops[f.same]
			}
			ops, trans = append(ops, g), append(trans, f.trans)
			if i == tc.sym {
				s := blas64.General{Rows: r, Cols: r, Stride: r, Data: make([]float64, r*r)}
				AddTransposeTo(s, g)
				g = s
			}
			formedOps = append(formedOps, g)
		}
		rows, cols := tc.factors[0].rows, tc.factors[len(tc.factors)-1].cols
		want := blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: make([]float64, rows*cols)}
		got := blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: make([]float64, rows*cols)}
		n := ops[tc.sym].Rows
		sum := blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
		for i := range sum.Data {
			sum.Data[i] = math.Inf(1)
		}
		var a, b Chain
		a.MulTo(want, 1, 0, formedOps, trans)
		b.MulPlusTransposeTo(got, 1, 0, ops, trans, tc.sym, sum)
		fused := tc.fused && kernel
		for i, v := range got.Data {
			w := want.Data[i]
			if !fused && !sameBits(v, w) || fused && math.Abs(v-w) > 1e-12*(1+math.Abs(w)) {
				t.Fatalf("%s: entry %d is %v, MulTo of the formed sum gives %v", tc.name, i, v, w)
			}
		}
		if untouched := !slices.ContainsFunc(sum.Data, func(v float64) bool { return !math.IsInf(v, 1) }); untouched != fused {
			t.Errorf("%s: the sum's workspace untouched: %v, want %v", tc.name, untouched, fused)
		}
		// gonum's Dgemm allocates when it splits a product (the formed way
		// in a build without the kernels); the kernels never do.
		if allocs := testing.AllocsPerRun(5, func() { b.MulPlusTransposeTo(got, 1, 0, ops, trans, tc.sym, sum) }); fused && allocs != 0 {
			t.Errorf("%s: %v allocs in steady state", tc.name, allocs)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic for the sum's factor flagged transposed", tc.name)
				}
			}()
			flagged := slices.Clone(trans)
			flagged[tc.sym] = true
			b.MulPlusTransposeTo(got, 1, 0, ops, flagged, tc.sym, sum)
		}()
	}
}
