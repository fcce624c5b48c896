package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// catchPanic runs f and returns its panic value formatted, or "" if none.
func catchPanic(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// TestGemmBadTransposePanics: blas64.Gemm (Dgemm) panics on a
// transpose flag that is neither NoTrans, Trans nor ConjTrans; Mul must too
// ("Mul panics as blas64.Gemm does"), on every path.
func TestGemmBadTransposePanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tA := range []blas.Transpose{0, 'X'} {
		a, b, c := paddedRandom(rng, 4, 4, 0), paddedRandom(rng, 4, 4, 0), paddedRandom(rng, 4, 4, 0)
		want := catchPanic(func() { blas64.Gemm(tA, blas.NoTrans, 1, a, b, 0, c) })
		var g Gemm
		got := catchPanic(func() { g.Mul(tA, blas.NoTrans, 1, a, b, 0, c) })
		if got != want {
			t.Errorf("tA=%d: Mul panics %q, blas64.Gemm %q", tA, got, want)
		}
	}
}

// TestGemmConjTrans: blas64.Gemm treats ConjTrans as Trans (real
// matrices), and so must Mul when it takes m and k from a.
func TestGemmConjTrans(t *testing.T) {
	gonumArithmetic(t)
	rng := rand.New(rand.NewPCG(7, 8))
	// op(a) = aᵀ is 3×5 (a 5×3), b 5×4: c 3×4.
	a, b := paddedRandom(rng, 5, 3, 0), paddedRandom(rng, 5, 4, 0)
	c := paddedRandom(rng, 3, 4, 0)
	want := blas64.General{Rows: 3, Cols: 4, Stride: c.Stride, Data: append([]float64(nil), c.Data...)}
	wantP := catchPanic(func() { blas64.Gemm(blas.ConjTrans, blas.NoTrans, 1, a, b, 0, want) })
	var g Gemm
	gotP := catchPanic(func() { g.Mul(blas.ConjTrans, blas.NoTrans, 1, a, b, 0, c) })
	if gotP != wantP {
		t.Fatalf("ConjTrans: Mul panics %q, blas64.Gemm %q", gotP, wantP)
	}
	for i := range c.Data {
		if c.Data[i] != want.Data[i] {
			t.Fatalf("ConjTrans: c.Data[%d] = %v, blas64.Gemm %v", i, c.Data[i], want.Data[i])
		}
	}
}

// TestGemmCShapeIgnored: blas64.Gemm takes m from a and n from b and
// reads only c.Data and c.Stride, so a c declared one row short (its Data
// long enough for the product) gets all m rows; so must it from Mul in
// every orientation (the flipped one once added cᵀ back over c.Rows×c.Cols
// only).
func TestGemmCShapeIgnored(t *testing.T) {
	gonumArithmetic(t)
	rng := rand.New(rand.NewPCG(9, 10))
	for _, o := range []orientation{measured, direct, transposedB, flipped, transposedA} {
		// aᵀ b with a 64×40 → m = 40 (≥ narrowCols), b 64×10: c 40×10, narrow → flipped.
		a, b := paddedRandom(rng, 64, 40, 0), paddedRandom(rng, 64, 10, 0)
		full := paddedRandom(rng, 40, 10, 0)
		c := full
		c.Rows = 39
		want := append([]float64(nil), c.Data...)
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, a, b, 0, blas64.General{Rows: 39, Cols: 10, Stride: c.Stride, Data: want})
		g := Gemm{order: o}
		if p := catchPanic(func() { g.Mul(blas.Trans, blas.NoTrans, 1, a, b, 0, c) }); p != "" {
			t.Errorf("order %d: Mul panics %q, blas64.Gemm does not", o, p)
			continue
		}
		for i := range want {
			if c.Data[i] != want[i] {
				t.Errorf("order %d: c.Data[%d] = %v, blas64.Gemm %v", o, i, c.Data[i], want[i])
				break
			}
		}
	}
}

// TestGemmMalformedLikeBlas64 draws small products, either flag on b too,
// with short strides and short slices (the Rows and Cols of a, b and c
// conforming to m, n, k) and checks that Mul panics exactly when
// blas64.Gemm does, with the same message, and otherwise writes the same
// entries (padding included). Disagreements are tallied by the path Mul
// would take for well-formed operands of those shapes.
func TestGemmMalformedLikeBlas64(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	mk := func(r, c int) blas64.General {
		stride := max(c+rng.IntN(3)-1, 0)
		n := 0
		if r > 0 {
			n = (r-1)*stride + c
		}
		n = max(n+rng.IntN(3)-1, 0)
		x := blas64.General{Rows: r, Cols: c, Stride: stride, Data: make([]float64, n)}
		for i := range x.Data {
			x.Data[i] = rng.NormFloat64()
		}
		return x
	}
	names := map[orientation]string{measured: "small", direct: "direct", transposedB: "transposedB", flipped: "flipped", transposedA: "transposedA"}
	type tally struct{ panics, messages, values int }
	tallies := map[string]*tally{}
	first := map[string]string{}
	var g Gemm
	for trial := 0; trial < 20000; trial++ {
		m, n, k := rng.IntN(9), rng.IntN(10), rng.IntN(9)
		tA, tB := blas.NoTrans, blas.NoTrans
		ar, ac := m, k
		if rng.IntN(2) == 0 {
			tA, ar, ac = blas.Trans, k, m
		}
		br, bc := k, n
		if rng.IntN(3) == 0 {
			tB, br, bc = blas.Trans, n, k
		}
		a, b, c := mk(ar, ac), mk(br, bc), mk(m, n)
		path := "direct"
		if m > 0 && n > 0 && k > 0 {
			if vectorMul != nil && n >= 4 {
				path = "vector" // or gonum's kernels, for a zero in a
			} else if tB == blas.NoTrans && n >= 4 && m*n*k <= smallWork {
				path = "small"
			} else {
				path = names[orient(tA, tB, m, n, k)]
			}
		}
		want := blas64.General{Rows: m, Cols: n, Stride: c.Stride, Data: append([]float64(nil), c.Data...)}
		wantP := catchPanic(func() { blas64.Gemm(tA, tB, 1.5, a, b, 0.5, want) })
		gotP := catchPanic(func() { g.Mul(tA, tB, 1.5, a, b, 0.5, c) })
		desc := fmt.Sprintf("%dx%dx%d %c%c strides %d %d %d lens %d %d %d: Mul panics %q, blas64.Gemm %q", m, n, k, tA, tB,
			a.Stride, b.Stride, c.Stride, len(a.Data), len(b.Data), len(c.Data), gotP, wantP)
		if tallies[path] == nil {
			tallies[path] = &tally{}
		}
		switch {
		case (gotP != "") != (wantP != ""):
			tallies[path].panics++
		case gotP != wantP:
			tallies[path].messages++
		case wantP == "":
			for i := range c.Data {
				if math.Abs(c.Data[i]-want.Data[i]) > 1e-12*(1+math.Abs(want.Data[i])) {
					tallies[path].values++
					break
				}
			}
			continue
		default:
			continue
		}
		if first[path] == "" {
			first[path] = desc
		}
	}
	for path, n := range tallies {
		if *n != (tally{}) {
			t.Errorf("path %s: %d calls disagree on panicking, %d on the panic's message, %d on values; e.g. %s", path, n.panics, n.messages, n.values, first[path])
		}
	}
}

// TestGemmConjTransSquare: with a square a, Mul's small path must run
// ConjTrans as Trans (it once ran it as NoTrans, a·b for aᵀ·b).
func TestGemmConjTransSquare(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	a, b := paddedRandom(rng, 4, 4, 0), paddedRandom(rng, 4, 4, 0)
	c := paddedRandom(rng, 4, 4, 0)
	want := blas64.General{Rows: 4, Cols: 4, Stride: c.Stride, Data: append([]float64(nil), c.Data...)}
	blas64.Gemm(blas.ConjTrans, blas.NoTrans, 1, a, b, 0, want)
	var g Gemm
	g.Mul(blas.ConjTrans, blas.NoTrans, 1, a, b, 0, c)
	for i := range c.Data {
		if math.Abs(c.Data[i]-want.Data[i]) > 1e-12 {
			t.Fatalf("ConjTrans 4×4: c.Data[%d] = %v, blas64.Gemm %v", i, c.Data[i], want.Data[i])
		}
	}
}

// TestGemmHugeStridePanics: a stride so large that (rows−1)·stride wraps
// around must not pass the checks in front of the vector kernels' assembly
// (which would then read or write far outside the slice); Mul and Gemv
// panic as blas64 does instead (helper-52's reproducers).
func TestGemmHugeStridePanics(t *testing.T) {
	const s = 6148914691236517206 // 3·s wraps to 2
	ones := func(r, c int) blas64.General {
		g := blas64.General{Rows: r, Cols: c, Stride: c, Data: make([]float64, r*c)}
		for i := range g.Data {
			g.Data[i] = 1
		}
		return g
	}
	var g Gemm
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"c stride", func() {
			g.Mul(blas.NoTrans, blas.NoTrans, 1, ones(4, 1), ones(1, 16), 0, blas64.General{Rows: 4, Cols: 16, Stride: s, Data: make([]float64, 18)})
		}},
		{"b stride", func() {
			g.Mul(blas.NoTrans, blas.NoTrans, 1, ones(4, 4), blas64.General{Rows: 4, Cols: 16, Stride: s, Data: make([]float64, 18)}, 0, ones(4, 16))
		}},
	} {
		if catchPanic(tc.f) == "" {
			t.Errorf("%s: no panic", tc.name)
		}
	}
	// Gemv leaves such a product to the BLAS (gonum's own Dgemv then
	// faults on it: its checks wrap around too).
	a := blas64.General{Rows: 4, Cols: 256, Stride: s, Data: make([]float64, 258)}
	x4, x256 := blas64.Vector{N: 4, Inc: 1, Data: make([]float64, 4)}, blas64.Vector{N: 256, Inc: 1, Data: make([]float64, 256)}
	if gemvTOperands(blas.Trans, 1, a, x4, x256) || gemvOperands(1, a, x256, x4) {
		t.Errorf("Gemv's own kernels take an a whose stride wraps around")
	}
}

// TestGemmTransposedBDeclaredWidth: with B transposed, Dgemm reads k
// columns of b whatever b.Cols says; Mul's copies of bᵀ (for the vector
// kernels and gonum's transposed orientation) must hold all k of them, no
// more and no fewer (helper-52: b.Cols > k indexed past the copy, b.Cols <
// k left scratch in it).
func TestGemmTransposedBDeclaredWidth(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, cols := range []int{2, 3, 5} {
		for _, m := range []int{4, 40} {
			const n, k = 6, 3
			a := paddedRandom(rng, m, k, 0)
			b := blas64.General{Rows: n, Cols: cols, Stride: 5, Data: make([]float64, n*5)}
			for i := range b.Data {
				b.Data[i] = rng.NormFloat64()
			}
			c := blas64.General{Rows: m, Cols: n, Stride: n, Data: make([]float64, m*n)}
			var g Gemm
			g.Mul(blas.NoTrans, blas.Trans, 1, a, b, 0, c)
			for i := range m {
				for j := range n {
					want := 0.0
					for l := range k {
						want += a.Data[i*a.Stride+l] * b.Data[j*b.Stride+l]
					}
					if got := c.Data[i*n+j]; math.Abs(got-want) > 1e-12*(1+math.Abs(want)) {
						t.Fatalf("b.Cols=%d m=%d: c[%d,%d] = %v, want %v", cols, m, i, j, got, want)
					}
				}
			}
		}
	}
}
