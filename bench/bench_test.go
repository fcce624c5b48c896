package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	gradgen "github.com/gradgen/gradgen/runtime"
)

// The suite: eight cases, each at the sizes of the table in the package
// documentation. An instance holds one case's inputs at one size, drawn
// once, and closures calling the generated and the hand-written code on
// them; the closures allocate nothing themselves, so benchmarks and
// AllocsPerRun measure only the code under test.

type tier int

const (
	small tier = iota
	medium
	large
)

type instance struct {
	genF, genGrad, handF, handGrad func() float64
	// genG and handG are the gradient destinations that genGrad and
	// handGrad write, in wrt order.
	genG, handG []mat.Matrix
	// problem and x0 are the generated FProblem and the packed wrt
	// variables, for the finite-difference gradient.
	problem optimize.Problem
	x0      []float64
	// flopsF and flopsGrad count the floating-point operations of the
	// matrix products the hand-written F and FGrad need (2mnk per m×k by
	// k×n product); zero for the cases not bound by Gemm.
	flopsF, flopsGrad float64
}

type size struct {
	label string // the sub-benchmark name, "n=128" or "n=4096,d=128"
	tier  tier
	// tested marks the sizes the tests use besides the small one; for B7,
	// which has two sizes, that is the large one.
	tested bool
	make   func(r *rand.Rand) *instance
}

type benchCase struct {
	name  string
	sizes []size
}

var cases = []benchCase{
	{"B1Bilinear", []size{
		{"n=16", small, true, func(r *rand.Rand) *instance { return newB1(r, 16) }},
		{"n=128", medium, true, func(r *rand.Rand) *instance { return newB1(r, 128) }},
		{"n=1024", large, false, func(r *rand.Rand) *instance { return newB1(r, 1024) }},
	}},
	{"B2ExpMix", []size{
		{"n=16", small, true, func(r *rand.Rand) *instance { return newB2(r, 16) }},
		{"n=128", medium, true, func(r *rand.Rand) *instance { return newB2(r, 128) }},
		{"n=1024", large, false, func(r *rand.Rand) *instance { return newB2(r, 1024) }},
	}},
	{"B3QuadTrace", []size{
		b3Size(16, small, true),
		b3Size(128, medium, true),
		b3Size(1024, large, false),
	}},
	{"B4Sandwich", []size{
		b4Size(16, 16, 16, small, true),
		b4Size(128, 128, 128, medium, true),
		b4Size(512, 512, 512, large, false),
		b4Size(512, 64, 8, medium, true),
	}},
	{"B5LogReg", []size{
		b5Size(64, 16, small, true),
		b5Size(4096, 128, medium, true),
		b5Size(65536, 256, large, false),
	}},
	{"B6GaussNLL", []size{
		{"n=16", small, true, func(r *rand.Rand) *instance { return newB6(r, 16) }},
		{"n=128", medium, true, func(r *rand.Rand) *instance { return newB6(r, 128) }},
		{"n=512", large, false, func(r *rand.Rand) *instance { return newB6(r, 512) }},
	}},
	{"B7MLP", []size{
		b7Size(32, 16, 32, 4, small, true),
		b7Size(1024, 256, 256, 10, large, true),
	}},
	{"B8Softmax", []size{
		b8Size(64, 16, 4, small, true),
		b8Size(4096, 128, 10, medium, true),
		b8Size(1024, 64, 256, medium, true),
	}},
}

func b3Size(n int, t tier, tested bool) size {
	k := max(4, n/4)
	return size{fmt.Sprintf("n=%d,k=%d", n, k), t, tested, func(r *rand.Rand) *instance { return newB3(r, n, k) }}
}

func b4Size(m, n, p int, t tier, tested bool) size {
	return size{fmt.Sprintf("m=%d,n=%d,p=%d", m, n, p), t, tested, func(r *rand.Rand) *instance { return newB4(r, m, n, p) }}
}

func b5Size(n, d int, t tier, tested bool) size {
	return size{fmt.Sprintf("n=%d,d=%d", n, d), t, tested, func(r *rand.Rand) *instance { return newB5(r, n, d) }}
}

func b7Size(n, d, h, o int, t tier, tested bool) size {
	return size{fmt.Sprintf("n=%d,d=%d,h=%d,o=%d", n, d, h, o), t, tested, func(r *rand.Rand) *instance { return newB7(r, n, d, h, o) }}
}

func b8Size(n, d, k int, t tier, tested bool) size {
	return size{fmt.Sprintf("n=%d,d=%d,k=%d", n, d, k), t, tested, func(r *rand.Rand) *instance { return newB8(r, n, d, k) }}
}

// Flop counts of the products in the hand-written code, the work a Gemm-bound
// case cannot avoid.
func b3Flops(n, k int) (fF, fGrad float64) {
	g := 2 * float64(n) * float64(n) * float64(k) // one n×n by n×k product
	return g, g
}

// B4's gradient (C + Cᵀ) X B Bᵀ costs the fewer of the hand-written order,
// (C + Cᵀ)(X B) then Bᵀ, and the order through the symmetric B Bᵀ, one
// triangle of it (Syrk, n²p flops), as runtime.Chain takes it with a BLAS
// that has a faster Syrk than its Dgemm: at m = n = p 2.5 products, not 3.
func b4Flops(m, n, p int) (fF, fGrad float64) {
	fm, fn, fp := float64(m), float64(n), float64(p)
	xb := 2 * fm * fn * fp // Bᵀ Xᵀ, and G Bᵀ
	cy := 2 * fm * fm * fp // Yᵀ C, or Yᵀ (C + Cᵀ)
	gram := fn*fn*fp + 2*fm*fn*fn + 2*fm*fm*fn
	return xb + cy, min(2*xb+cy, gram)
}

func b7Flops(n, d, h, o int) (fF, fGrad float64) {
	xw := 2 * float64(n) * float64(d) * float64(h) // X W1, and Xᵀ D
	hw := 2 * float64(n) * float64(h) * float64(o) // H W2, Rᵀ H and R W2ᵀ
	return xw + hw, 2*xw + 3*hw
}

// Random inputs: normal entries scaled so that products like X b stay of
// order one; spd inputs are B Bᵀ + n I.

func randVec(r *rand.Rand, n int, scale float64) *mat.VecDense {
	v := mat.NewVecDense(n, nil)
	for i := 0; i < n; i++ {
		v.SetVec(i, scale*r.NormFloat64())
	}
	return v
}

func randMat(r *rand.Rand, rows, cols int, scale float64) *mat.Dense {
	d := make([]float64, rows*cols)
	for i := range d {
		d[i] = scale * r.NormFloat64()
	}
	return mat.NewDense(rows, cols, d)
}

func randSPD(r *rand.Rand, n int) *mat.SymDense {
	b := randMat(r, n, n, 1)
	s := mat.NewSymDense(n, nil)
	s.SymOuterK(1, b)
	for i := 0; i < n; i++ {
		s.SetSym(i, i, s.At(i, i)+float64(n))
	}
	// Both triangles, so that the raw data is the full matrix (FUnpack's
	// packing for the finite-difference gradient).
	full := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			full[i*n+j] = s.At(i, j)
		}
	}
	return mat.NewSymDense(n, full)
}

func pack(ms ...[]float64) []float64 {
	var x []float64
	for _, m := range ms {
		x = append(x, m...)
	}
	return x
}

func newB1(r *rand.Rand, n int) *instance {
	m := n
	a, X, b := randVec(r, m, 1), randMat(r, m, n, 1), randVec(r, n, 1)
	gX, hX := mat.NewDense(m, n, nil), mat.NewDense(m, n, nil)
	h := new(B1BilinearHand)
	return &instance{
		genF:     func() float64 { return B1Bilinear(a, X, b) },
		genGrad:  func() float64 { return B1BilinearGrad(a, X, b, gX) },
		handF:    func() float64 { return h.F(a, X, b) },
		handGrad: func() float64 { return h.FGrad(a, X, b, hX) },
		genG:     []mat.Matrix{gX}, handG: []mat.Matrix{hX},
		problem: B1BilinearProblem(a, b), x0: pack(X.RawMatrix().Data),
	}
}

func newB2(r *rand.Rand, n int) *instance {
	m := n
	a, X, b := randVec(r, m, 1), randMat(r, m, n, 1), randVec(r, n, 1/math.Sqrt(float64(n)))
	gX, hX := mat.NewDense(m, n, nil), mat.NewDense(m, n, nil)
	h := new(B2ExpMixHand)
	return &instance{
		genF:     func() float64 { return B2ExpMix(a, X, b) },
		genGrad:  func() float64 { return B2ExpMixGrad(a, X, b, gX) },
		handF:    func() float64 { return h.F(a, X, b) },
		handGrad: func() float64 { return h.FGrad(a, X, b, hX) },
		genG:     []mat.Matrix{gX}, handG: []mat.Matrix{hX},
		problem: B2ExpMixProblem(a, b), x0: pack(X.RawMatrix().Data),
	}
}

func newB3(r *rand.Rand, n, k int) *instance {
	A, W := randMat(r, n, n, 1), randMat(r, n, k, 1)
	gW, hW := mat.NewDense(n, k, nil), mat.NewDense(n, k, nil)
	h := new(B3QuadTraceHand)
	fF, fG := b3Flops(n, k)
	return &instance{
		genF:     func() float64 { return B3QuadTrace(A, W) },
		genGrad:  func() float64 { return B3QuadTraceGrad(A, W, gW) },
		handF:    func() float64 { return h.F(A, W) },
		handGrad: func() float64 { return h.FGrad(A, W, hW) },
		genG:     []mat.Matrix{gW}, handG: []mat.Matrix{hW},
		problem: B3QuadTraceProblem(A, k), x0: pack(W.RawMatrix().Data),
		flopsF: fF, flopsGrad: fG,
	}
}

func newB4(r *rand.Rand, m, n, p int) *instance {
	B, X, C := randMat(r, n, p, 1), randMat(r, m, n, 1), randMat(r, m, m, 1)
	gX, hX := mat.NewDense(m, n, nil), mat.NewDense(m, n, nil)
	h := new(B4SandwichHand)
	fF, fG := b4Flops(m, n, p)
	return &instance{
		genF:     func() float64 { return B4Sandwich(B, X, C) },
		genGrad:  func() float64 { return B4SandwichGrad(B, X, C, gX) },
		handF:    func() float64 { return h.F(B, X, C) },
		handGrad: func() float64 { return h.FGrad(B, X, C, hX) },
		genG:     []mat.Matrix{gX}, handG: []mat.Matrix{hX},
		problem: B4SandwichProblem(B, C), x0: pack(X.RawMatrix().Data),
		flopsF: fF, flopsGrad: fG,
	}
}

func newB5(r *rand.Rand, n, d int) *instance {
	X, w := randMat(r, n, d, 1), randVec(r, d, 1/math.Sqrt(float64(d)))
	y := mat.NewVecDense(n, nil)
	for i := 0; i < n; i++ {
		y.SetVec(i, float64(2*r.IntN(2)-1))
	}
	const lambda = 0.1
	gw, hw := mat.NewVecDense(d, nil), mat.NewVecDense(d, nil)
	h := new(B5LogRegHand)
	return &instance{
		genF:     func() float64 { return B5LogReg(X, y, w, lambda) },
		genGrad:  func() float64 { return B5LogRegGrad(X, y, w, lambda, gw) },
		handF:    func() float64 { return h.F(X, y, w, lambda) },
		handGrad: func() float64 { return h.FGrad(X, y, w, lambda, hw) },
		genG:     []mat.Matrix{gw}, handG: []mat.Matrix{hw},
		problem: B5LogRegProblem(X, y, lambda), x0: pack(w.RawVector().Data),
	}
}

func newB6(r *rand.Rand, n int) *instance {
	S, C := randSPD(r, n), randSPD(r, n)
	gS, hS := mat.NewSymDense(n, nil), mat.NewSymDense(n, nil)
	h := new(B6GaussNLLHand)
	return &instance{
		genF:     func() float64 { return B6GaussNLL(S, C) },
		genGrad:  func() float64 { return B6GaussNLLGrad(S, C, gS) },
		handF:    func() float64 { return h.F(S, C) },
		handGrad: func() float64 { return h.FGrad(S, C, hS) },
		genG:     []mat.Matrix{gS}, handG: []mat.Matrix{hS},
		problem: B6GaussNLLProblem(C), x0: pack(S.RawSymmetric().Data),
	}
}

func newB7(r *rand.Rand, n, d, hid, o int) *instance {
	X := randMat(r, n, d, 1)
	W1 := randMat(r, d, hid, 1/math.Sqrt(float64(d)))
	W2 := randMat(r, hid, o, 1/math.Sqrt(float64(hid)))
	Y := randMat(r, n, o, 1)
	gW1, hW1 := mat.NewDense(d, hid, nil), mat.NewDense(d, hid, nil)
	gW2, hW2 := mat.NewDense(hid, o, nil), mat.NewDense(hid, o, nil)
	h := new(B7MLPHand)
	fF, fG := b7Flops(n, d, hid, o)
	return &instance{
		genF:     func() float64 { return B7MLP(X, W1, W2, Y) },
		genGrad:  func() float64 { return B7MLPGrad(X, W1, W2, Y, gW1, gW2) },
		handF:    func() float64 { return h.F(X, W1, W2, Y) },
		handGrad: func() float64 { return h.FGrad(X, W1, W2, Y, hW1, hW2) },
		genG:     []mat.Matrix{gW1, gW2}, handG: []mat.Matrix{hW1, hW2},
		problem: B7MLPProblem(X, Y, hid), x0: pack(W1.RawMatrix().Data, W2.RawMatrix().Data),
		flopsF: fF, flopsGrad: fG,
	}
}

// newB8 draws softmax-regression inputs: X with normal entries, W and b
// scaled so that the logits are of order one, and one-hot rows of Y whose
// class is the largest logit under other random weights, so that the loss
// is neither saturated nor uniform.
func newB8(r *rand.Rand, n, d, k int) *instance {
	X := randMat(r, n, d, 1)
	W := randMat(r, d, k, 1/math.Sqrt(float64(d)))
	b := randVec(r, k, 1)
	truth := randMat(r, d, k, 1)
	var scores mat.Dense
	scores.Mul(X, truth)
	Y := mat.NewDense(n, k, nil)
	for i := 0; i < n; i++ {
		Y.Set(i, argmax(scores.RawRowView(i)), 1)
	}
	gW, hW := mat.NewDense(d, k, nil), mat.NewDense(d, k, nil)
	gb, hb := mat.NewVecDense(k, nil), mat.NewVecDense(k, nil)
	h := new(B8SoftmaxHand)
	return &instance{
		genF:     func() float64 { return B8Softmax(X, Y, W, b) },
		genGrad:  func() float64 { return B8SoftmaxGrad(X, Y, W, b, gW, gb) },
		handF:    func() float64 { return h.F(X, Y, W, b) },
		handGrad: func() float64 { return h.FGrad(X, Y, W, b, hW, hb) },
		genG:     []mat.Matrix{gW, gb}, handG: []mat.Matrix{hW, hb},
		problem: B8SoftmaxProblem(X, Y), x0: pack(W.RawMatrix().Data, b.RawVector().Data),
	}
}

// argmax returns the index of the largest entry of x, the first on ties.
func argmax(x []float64) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

func seed(name, label string) *rand.Rand {
	var h uint64 = 14695981039346656037
	for _, c := range name + "/" + label {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return rand.New(rand.NewPCG(h, 1))
}

// testedSizes calls fn for every case at its small and its tested medium
// sizes, skipping the largest sizes under -short.
func testedSizes(t *testing.T, fn func(t *testing.T, in *instance)) {
	for _, c := range cases {
		for _, s := range c.sizes {
			if s.tier != small && !s.tested {
				continue
			}
			t.Run(c.name+"/"+s.label, func(t *testing.T) {
				if s.tier == large && testing.Short() {
					t.Skip("largest size; skipped under -short")
				}
				fn(t, s.make(seed(c.name, s.label)))
			})
		}
	}
}

const tol = 1e-10

// near reports whether got agrees with want to tol relative to want, with
// scale as the floor of |want|: a gradient entry that is a sum cancelling
// to near zero is judged against the size of the entries around it.
func near(got, want, scale float64) bool {
	return math.Abs(got-want) <= tol*max(math.Abs(want), scale)
}

// TestHandMatchesGenerated checks, for every case at its small and medium
// sizes, that the generated F and FGrad equal the hand-written ones: F,
// FGrad's value and every gradient entry, to 1e-10 relative (an entry is
// compared relative to itself, floored at 1% of the gradient's largest
// entry). It also checks that F equals FGrad's value in both.
func TestHandMatchesGenerated(t *testing.T) {
	testedSizes(t, func(t *testing.T, in *instance) {
		gf, gg, hf, hg := in.genF(), in.genGrad(), in.handF(), in.handGrad()
		for _, v := range []struct {
			name      string
			got, want float64
		}{{"gen F", gf, hf}, {"gen FGrad", gg, hf}, {"hand FGrad", hg, hf}} {
			if !near(v.got, v.want, 0) || math.IsNaN(v.got) {
				t.Errorf("%s = %.17g, hand F = %.17g (rel err %.2g)", v.name, v.got, v.want, math.Abs(v.got-v.want)/math.Abs(v.want))
			}
		}
		for k := range in.genG {
			g, h := in.genG[k], in.handG[k]
			r, c := h.Dims()
			if gr, gc := g.Dims(); gr != r || gc != c {
				t.Fatalf("gradient %d: generated %d×%d, hand %d×%d", k, gr, gc, r, c)
			}
			scale := 0.01 * maxAbs(h)
			bad := 0
			for i := 0; i < r; i++ {
				for j := 0; j < c; j++ {
					if gv, hv := g.At(i, j), h.At(i, j); !near(gv, hv, scale) || math.IsNaN(gv) {
						if bad++; bad <= 3 {
							t.Errorf("gradient %d [%d,%d]: generated %.17g, hand %.17g", k, i, j, gv, hv)
						}
					}
				}
			}
			if bad > 3 {
				t.Errorf("gradient %d: %d entries differ", k, bad)
			}
		}
	})
}

func maxAbs(m mat.Matrix) float64 {
	r, c := m.Dims()
	s := 0.0
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			s = max(s, math.Abs(m.At(i, j)))
		}
	}
	return s
}

// serialGemm is gonum's BLAS with Dgemm split into tiles small enough (at
// most 64×192 of the result) that gonum runs each serially. gonum's
// parallel Dgemm allocates a channel and a goroutine per 64×64 block on
// every call; that is gonum's cost, paid equally by any caller, and would
// hide the allocations of the code under test.
type serialGemm struct{ gonum.Implementation }

func (s serialGemm) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	const tm, tn = 64, 192
	if (m <= tm && n <= tn) || k == 0 {
		s.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	for i := 0; i < m; i += tm {
		ai := a[i:] // columns i… of A, for Aᵀ
		if tA == blas.NoTrans {
			ai = a[i*lda:] // rows i… of A
		}
		for j := 0; j < n; j += tn {
			bj := b[j:] // columns j… of B
			if tB != blas.NoTrans {
				bj = b[j*ldb:] // rows j… of B, for Bᵀ
			}
			s.Implementation.Dgemm(tA, tB, min(tm, m-i), min(tn, n-j), k, alpha, ai, lda, bj, ldb, beta, c[i*ldc+j:], ldc)
		}
	}
}

// TestAllocs checks that the generated F and FGrad and the hand-written ones
// allocate nothing in steady state, for every case at its small and medium
// sizes, with gonum's Dgemm run serially (see serialGemm).
func TestAllocs(t *testing.T) {
	prev := blas64.Implementation()
	blas64.Use(serialGemm{})
	t.Cleanup(func() { blas64.Use(prev) })
	testedSizes(t, func(t *testing.T, in *instance) {
		runs := 20
		if in.flopsGrad > 1e8 {
			runs = 2
		}
		for _, f := range []struct {
			name string
			fn   func() float64
		}{{"gen F", in.genF}, {"gen FGrad", in.genGrad}, {"hand F", in.handF}, {"hand FGrad", in.handGrad}} {
			if a := testing.AllocsPerRun(runs, func() { f.fn() }); a != 0 {
				t.Errorf("%s: %v allocs per call, want 0", f.name, a)
			}
		}
	})
}

// TestSerialGemm checks serialGemm against gonum's Dgemm for every
// transpose combination on shapes that need several tiles.
func TestSerialGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
		for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			m, n, k := 150, 400, 7
			ar, ac := m, k
			if tA != blas.NoTrans {
				ar, ac = k, m
			}
			br, bc := k, n
			if tB != blas.NoTrans {
				br, bc = n, k
			}
			a, b := randMat(r, ar, ac, 1).RawMatrix(), randMat(r, br, bc, 1).RawMatrix()
			c0 := randMat(r, m, n, 1).RawMatrix()
			want := mat.DenseCopyOf(mat.NewDense(m, n, c0.Data)).RawMatrix()
			got := mat.DenseCopyOf(mat.NewDense(m, n, c0.Data)).RawMatrix()
			gonum.Implementation{}.Dgemm(tA, tB, m, n, k, 1.5, a.Data, a.Stride, b.Data, b.Stride, 0.5, want.Data, want.Stride)
			serialGemm{}.Dgemm(tA, tB, m, n, k, 1.5, a.Data, a.Stride, b.Data, b.Stride, 0.5, got.Data, got.Stride)
			if !mat.EqualApprox(mat.NewDense(m, n, got.Data), mat.NewDense(m, n, want.Data), 1e-12) {
				t.Errorf("tA=%c tB=%c: serialGemm differs from Dgemm", tA, tB)
			}
		}
	}
}

var sink float64

// loop times fn with b.Loop and, when flops > 0, reports the rate of the
// useful product work as GFLOP/s (flops per ns) and the count as flop/op.
// Where the process CPU time can be read it also reports cpu-ns/op, the
// CPU time (all threads, user and system) per call: on a machine shared
// with other work, wall time per call grows with the load while CPU time
// per call stays close to the unloaded time, so gen/hand ratios of
// cpu-ns/op are the steadier figure there.
func loop(b *testing.B, fn func() float64, flops float64) {
	b.ReportAllocs()
	cpu0, cpuOK := processCPU()
	n := 0
	for b.Loop() {
		// A goroutine resuming from an asynchronous preemption in a
		// GOEXPERIMENT=simd build leaves its thread's vector registers
		// dirty, and the scalar code after it up to 200× slower until
		// something clears them (runtime/upper_simd.go): each call starts
		// clean, the generated and the hand-written code alike.
		gradgen.CleanVectorState()
		sink = fn()
		n++
	}
	if cpu1, ok := processCPU(); ok && cpuOK && n > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(n), "cpu-ns/op")
	}
	if flops > 0 && b.Elapsed() > 0 {
		b.ReportMetric(flops*float64(n)/float64(b.Elapsed().Nanoseconds()), "GFLOP/s")
		b.ReportMetric(flops, "flop/op")
	}
}

// runCase runs one case's benchmarks: for every size gen-F, gen-FGrad,
// hand-FGrad and hand-F, and at the small size fd-grad, the gradient by
// central finite differences of the generated F (through FProblem).
// Inputs are drawn once per size, outside the timed loops.
func runCase(b *testing.B, name string) {
	for _, c := range cases {
		if c.name != name {
			continue
		}
		for _, s := range c.sizes {
			b.Run(s.label, func(b *testing.B) {
				in := s.make(seed(c.name, s.label))
				b.Run("gen-F", func(b *testing.B) { loop(b, in.genF, in.flopsF) })
				b.Run("gen-FGrad", func(b *testing.B) { loop(b, in.genGrad, in.flopsGrad) })
				b.Run("hand-FGrad", func(b *testing.B) { loop(b, in.handGrad, in.flopsGrad) })
				b.Run("hand-F", func(b *testing.B) { loop(b, in.handF, in.flopsF) })
				if s.tier == small {
					b.Run("fd-grad", func(b *testing.B) {
						grad := make([]float64, len(in.x0))
						settings := &fd.Settings{Formula: fd.Central}
						loop(b, func() float64 {
							fd.Gradient(grad, in.problem.Func, in.x0, settings)
							return grad[0]
						}, 0)
					})
				}
			})
		}
	}
}

func BenchmarkB1Bilinear(b *testing.B)  { runCase(b, "B1Bilinear") }
func BenchmarkB2ExpMix(b *testing.B)    { runCase(b, "B2ExpMix") }
func BenchmarkB3QuadTrace(b *testing.B) { runCase(b, "B3QuadTrace") }
func BenchmarkB4Sandwich(b *testing.B)  { runCase(b, "B4Sandwich") }
func BenchmarkB5LogReg(b *testing.B)    { runCase(b, "B5LogReg") }
func BenchmarkB6GaussNLL(b *testing.B)  { runCase(b, "B6GaussNLL") }
func BenchmarkB7MLP(b *testing.B)       { runCase(b, "B7MLP") }
func BenchmarkB8Softmax(b *testing.B)   { runCase(b, "B8Softmax") }

// BenchmarkGemmReference times blas64.Gemm on square n×n products whose
// flop count 2n³ matches the product work of FGrad of each Gemm-bound case
// at its largest size (B3 n=1024,k=256; B4 m=n=p=512; B7
// n=1024,d=256,h=256,o=10), so a report can compare those cases' GFLOP/s
// with what the backend's own Gemm reaches on the same amount of work
// (gonum's, or OpenBLAS on its own threads: backendOwnRate). Each reports
// GFLOP/s and flop/op (2n³ for the rounded n).
func BenchmarkGemmReference(b *testing.B) {
	_, f3 := b3Flops(1024, 256)
	_, f4 := b4Flops(512, 512, 512)
	_, f7 := b7Flops(1024, 256, 256, 10)
	for _, flops := range []float64{f3, f4, f7} {
		n := int(math.Round(math.Cbrt(flops / 2)))
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(uint64(n), 3))
			x, y := randMat(r, n, n, 1).RawMatrix(), randMat(r, n, n, 1).RawMatrix()
			z := mat.NewDense(n, n, nil).RawMatrix()
			backendOwnRate(func() {
				loop(b, func() float64 {
					blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, x, y, 0, z)
					return z.Data[0]
				}, 2*float64(n)*float64(n)*float64(n))
			})
		})
	}
}

// softmaxLoss is a plain reference for B8: per row, the max-shifted
// log-sum-exp of the logits X W + b minus the logit of the row's Y weights,
// and its gradient softmax − Y, in loops over mat's At.
func softmaxLoss(X, Y, W *mat.Dense, b *mat.VecDense) (f float64, dW *mat.Dense, db *mat.VecDense) {
	n, d := X.Dims()
	_, k := W.Dims()
	G := mat.NewDense(n, k, nil)
	z := make([]float64, k)
	for i := 0; i < n; i++ {
		m := math.Inf(-1)
		for j := range z {
			z[j] = b.AtVec(j)
			for l := 0; l < d; l++ {
				z[j] += X.At(i, l) * W.At(l, j)
			}
			m = max(m, z[j])
		}
		s := 0.0
		for j := range z {
			s += math.Exp(z[j] - m)
			f -= Y.At(i, j) * z[j]
		}
		f += m + math.Log(s)
		for j := range z {
			G.Set(i, j, math.Exp(z[j]-m)/s-Y.At(i, j))
		}
	}
	dW, db = mat.NewDense(d, k, nil), mat.NewVecDense(k, nil)
	dW.Mul(X.T(), G)
	for j := 0; j < k; j++ {
		db.SetVec(j, mat.Sum(G.ColView(j)))
	}
	return f, dW, db
}

// TestB8SoftmaxLargeWeights checks the generated and hand-written softmax
// regression at weights of magnitude 1e3, whose logits (thousands) overflow
// a naive exp: F and FGrad must be finite and equal the plain reference,
// value and gradient. At moderate weights the hand-written gradient must
// also match central finite differences of its F.
func TestB8SoftmaxLargeWeights(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 1))
	n, d, k := 50, 6, 5
	X := randMat(r, n, d, 1)
	Y := mat.NewDense(n, k, nil)
	for i := 0; i < n; i++ {
		Y.Set(i, r.IntN(k), 1)
	}
	W, b := mat.NewDense(d, k, nil), mat.NewVecDense(k, nil)
	for i := 0; i < d; i++ {
		for j := 0; j < k; j++ {
			W.Set(i, j, float64(2*r.IntN(2)-1)*1e3)
		}
	}
	for j := 0; j < k; j++ {
		b.SetVec(j, float64(2*r.IntN(2)-1)*1e3)
	}
	want, wantW, wantb := softmaxLoss(X, Y, W, b)
	if math.IsNaN(want) || math.IsInf(want, 0) || want < 1e3 {
		t.Fatalf("reference loss %v: the weights do not test large logits", want)
	}
	h := new(B8SoftmaxHand)
	gW, gb := mat.NewDense(d, k, nil), mat.NewVecDense(k, nil)
	hW, hb := mat.NewDense(d, k, nil), mat.NewVecDense(k, nil)
	for _, v := range []struct {
		name string
		got  float64
	}{
		{"gen F", B8Softmax(X, Y, W, b)},
		{"gen FGrad", B8SoftmaxGrad(X, Y, W, b, gW, gb)},
		{"hand F", h.F(X, Y, W, b)},
		{"hand FGrad", h.FGrad(X, Y, W, b, hW, hb)},
	} {
		if !near(v.got, want, 0) {
			t.Errorf("%s = %.17g, reference %.17g", v.name, v.got, want)
		}
	}
	for _, g := range []struct {
		name      string
		got, want mat.Matrix
	}{{"gen dW", gW, wantW}, {"gen db", gb, wantb}, {"hand dW", hW, wantW}, {"hand db", hb, wantb}} {
		scale := 0.01 * maxAbs(g.want)
		r, c := g.want.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				if gv, wv := g.got.At(i, j), g.want.At(i, j); !near(gv, wv, scale) || math.IsNaN(gv) {
					t.Errorf("%s[%d,%d] = %.17g, reference %.17g", g.name, i, j, gv, wv)
				}
			}
		}
	}

	// Finite differences at moderate weights.
	W.Scale(1e-3, W)
	b.ScaleVec(1e-3, b)
	x0 := pack(mat.DenseCopyOf(W).RawMatrix().Data, mat.VecDenseCopyOf(b).RawVector().Data)
	fdGrad := fd.Gradient(nil, func(x []float64) float64 {
		return h.F(X, Y, mat.NewDense(d, k, x[:d*k]), mat.NewVecDense(k, x[d*k:]))
	}, x0, &fd.Settings{Formula: fd.Central})
	h.FGrad(X, Y, W, b, hW, hb)
	got := pack(hW.RawMatrix().Data, hb.RawVector().Data)
	for i := range fdGrad {
		if math.Abs(got[i]-fdGrad[i]) > 1e-6*max(1, math.Abs(fdGrad[i])) {
			t.Errorf("hand gradient entry %d = %.10g, finite differences %.10g", i, got[i], fdGrad[i])
		}
	}
}
