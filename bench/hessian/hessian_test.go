package hessian

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/gradgen/gradgen/runtime"
)

// sizes are the feature counts d of the fixtures; each has n = 4d samples.
var sizes = []int{16, 128, 512}

const (
	// lambda is the ridge penalty of every fixture.
	lambda = 0.1
	// fdStep is the step h of the central differences of the gradient.
	fdStep = 1e-5
	// wScale is the standard deviation of the weights w.
	wScale = 0.3
)

// fixture is one L2-regularised logistic-regression problem: X n×d,
// labels y ∈ {−1, +1}ⁿ and weights w ∈ ℝᵈ.
type fixture struct {
	n, d int
	X    *mat.Dense
	y, w *mat.VecDense
}

// newFixture draws a problem with d features and n = 4d samples from rng:
// X has N(0, 1)/√d entries (so Xw is O(|w|)), y is ±1 with equal
// probability and w has N(0, wScale²) entries.
func newFixture(rng *rand.Rand, d int) *fixture {
	n := 4 * d
	X := mat.NewDense(n, d, nil)
	sd := 1 / math.Sqrt(float64(d))
	for i := range n {
		for j := range d {
			X.Set(i, j, rng.NormFloat64()*sd)
		}
	}
	y := mat.NewVecDense(n, nil)
	for i := range n {
		y.SetVec(i, float64(2*rng.IntN(2)-1))
	}
	w := mat.NewVecDense(d, nil)
	for j := range d {
		w.SetVec(j, wScale*rng.NormFloat64())
	}
	return &fixture{n: n, d: d, X: X, y: y, w: w}
}

// fixtures returns one fixture per entry of sizes, drawn once from a fixed
// seed and shared by the tests and benchmarks.
var fixtures = sync.OnceValue(func() []*fixture {
	rng := rand.New(rand.NewPCG(20240607, 1))
	fs := make([]*fixture, len(sizes))
	for k, d := range sizes {
		fs[k] = newFixture(rng, d)
	}
	return fs
})

// builder holds the scratch space for forming the Hessian column by column
// without the generated LogRegHHessian, allocated once per size so that the
// loops below allocate nothing.
type builder struct {
	e      *mat.VecDense // unit direction e_j for the HVPs
	hv     *mat.VecDense // contiguous HVP result, copied into the column
	col    mat.VecDense  // strided view of one column of the destination
	wp     *mat.VecDense // w shifted along e_j for the finite differences
	gp, gm *mat.VecDense // gradients at w + h e_j and w − h e_j
}

// newBuilder returns a builder for d weights.
func newBuilder(d int) *builder {
	return &builder{
		e:  mat.NewVecDense(d, nil),
		hv: mat.NewVecDense(d, nil),
		wp: mat.NewVecDense(d, nil),
		gp: mat.NewVecDense(d, nil),
		gm: mat.NewVecDense(d, nil),
	}
}

// column points b.col at column j of H (stride H's row stride) and returns
// it; no allocation.
func (b *builder) column(H *mat.Dense, j int) *mat.VecDense {
	raw := H.RawMatrix()
	b.col.SetRawVector(blas64.Vector{N: raw.Rows, Inc: raw.Stride, Data: raw.Data[j:]})
	return &b.col
}

// hvps writes f's Hessian into H by d calls of LogRegHHessVec, column j
// being the product with the unit vector e_j. Each product goes into a
// contiguous scratch vector and is then copied into the column: passing
// the strided column view as the destination makes the Xᵀ·(…) Gemv scatter
// every one of its n row updates across d cache lines, about 10× slower at
// d = 128 and 512, which would time the memory layout rather than the HVPs.
func (b *builder) hvps(f *fixture, H *mat.Dense) {
	for j := range f.d {
		b.e.SetVec(j, 1)
		LogRegHHessVec(f.X, f.y, f.w, lambda, b.e, b.hv)
		b.e.SetVec(j, 0)
		b.column(H, j).CopyVec(b.hv)
	}
}

// fdGrad writes f's Hessian into H by central differences of LogRegHGrad,
// 2d gradients: column j is (g(w + h e_j) − g(w − h e_j)) / 2h, divided by
// the step actually taken in floating point.
func (b *builder) fdGrad(f *fixture, H *mat.Dense) {
	b.wp.CopyVec(f.w)
	for j := range f.d {
		wj := f.w.AtVec(j)
		plus, minus := wj+fdStep, wj-fdStep
		b.wp.SetVec(j, plus)
		LogRegHGrad(f.X, f.y, b.wp, lambda, b.gp)
		b.wp.SetVec(j, minus)
		LogRegHGrad(f.X, f.y, b.wp, lambda, b.gm)
		b.wp.SetVec(j, wj)
		step := plus - minus
		for i := range f.d {
			H.Set(i, j, (b.gp.AtVec(i)-b.gm.AtVec(i))/step)
		}
	}
}

// handHessian returns Xᵀ diag(s ⊙ (1 − s)) X + λI written with gonum/mat,
// s = σ(−y ⊙ Xw); the y ⊙ y factor of the derivation is 1 for ±1 labels.
func handHessian(f *fixture) *mat.Dense {
	var Xw mat.VecDense
	Xw.MulVec(f.X, f.w)
	scaled := mat.DenseCopyOf(f.X) // diag(s ⊙ (1 − s)) X
	for i := range f.n {
		s := 1 / (1 + math.Exp(f.y.AtVec(i)*Xw.AtVec(i)))
		row := scaled.RawRowView(i)
		for j := range row {
			row[j] *= s * (1 - s)
		}
	}
	H := mat.NewDense(f.d, f.d, nil)
	H.Mul(f.X.T(), scaled)
	for j := range f.d {
		H.Set(j, j, H.At(j, j)+lambda)
	}
	return H
}

// nanDense returns an r×c matrix of NaNs, so that an entry a function
// fails to write makes the comparison fail.
func nanDense(r, c int) *mat.Dense {
	H := mat.NewDense(r, c, nil)
	for i := range r {
		for j := range c {
			H.Set(i, j, math.NaN())
		}
	}
	return H
}

// relDiff returns max |A − B| / max |B|, or +Inf if the shapes differ or
// any entry of either is NaN.
func relDiff(A, B mat.Matrix) float64 {
	r, c := A.Dims()
	if br, bc := B.Dims(); br != r || bc != c {
		return math.Inf(1)
	}
	var diff, scale float64
	for i := range r {
		for j := range c {
			a, b := A.At(i, j), B.At(i, j)
			if math.IsNaN(a) || math.IsNaN(b) {
				return math.Inf(1)
			}
			diff = max(diff, math.Abs(a-b))
			scale = max(scale, math.Abs(b))
		}
	}
	return diff / scale
}

// TestRelDiff checks the comparison the other tests rely on: it sees a
// perturbation of one entry, a NaN and a shape mismatch.
func TestRelDiff(t *testing.T) {
	B := mat.NewDense(2, 2, []float64{4, 1, 1, 2})
	tests := []struct {
		name string
		A    *mat.Dense
		want float64
	}{
		{"equal", mat.NewDense(2, 2, []float64{4, 1, 1, 2}), 0},
		{"one entry", mat.NewDense(2, 2, []float64{4, 1, 1, 2 + 1e-9}), 1e-9 / 4},
		{"NaN", mat.NewDense(2, 2, []float64{4, math.NaN(), 1, 2}), math.Inf(1)},
		{"shape", mat.NewDense(1, 2, []float64{4, 1}), math.Inf(1)},
	}
	for _, tt := range tests {
		// 2 + 1e-9 is not exact in float64: compare to 1e-6 relative.
		if got := relDiff(tt.A, B); got != tt.want && !(math.Abs(got-tt.want) <= 1e-6*tt.want) {
			t.Errorf("%s: relDiff = %g, want %g", tt.name, got, tt.want)
		}
	}
}

// TestHessianAgree checks, at every size, that LogRegHHessian is exactly
// symmetric and matches the Hessian built from d HVPs, from central finite
// differences of the gradient and from Xᵀ diag(s(1−s)) X + λI computed by
// hand. Each reference starts as NaNs, so an entry left unwritten fails.
// The run is under ~2 s, d = 512 being most of it.
func TestHessianAgree(t *testing.T) {
	for _, f := range fixtures() {
		t.Run(fmt.Sprintf("d=%d", f.d), func(t *testing.T) {
			H := nanDense(f.d, f.d)
			LogRegHHessian(f.X, f.y, f.w, lambda, H)

			for i := range f.d {
				for j := range i {
					if H.At(i, j) != H.At(j, i) {
						t.Fatalf("H[%d,%d] = %v, H[%d,%d] = %v: not symmetric", i, j, H.At(i, j), j, i, H.At(j, i))
					}
				}
			}
			// The data term must matter off the diagonal, or agreeing with
			// λI would pass.
			var off float64
			for i := range f.d {
				for j := range i {
					off = max(off, math.Abs(H.At(i, j)))
				}
			}
			if off < 1e-3 {
				t.Fatalf("max off-diagonal |H| = %g: fixture too degenerate to test", off)
			}

			b := newBuilder(f.d)
			refs := []struct {
				name  string
				build func() *mat.Dense
				tol   float64
			}{
				{"HVPs", func() *mat.Dense { R := nanDense(f.d, f.d); b.hvps(f, R); return R }, 1e-10},
				{"fd-grad", func() *mat.Dense { R := nanDense(f.d, f.d); b.fdGrad(f, R); return R }, 1e-6},
				{"hand", func() *mat.Dense { return handHessian(f) }, 1e-12},
			}
			for _, ref := range refs {
				R := ref.build()
				if got := relDiff(H, R); got > ref.tol {
					t.Errorf("FHessian vs %s: max|ΔH|/max|H| = %.3g > %g", ref.name, got, ref.tol)
				} else {
					t.Logf("FHessian vs %s: max|ΔH|/max|H| = %.3g", ref.name, got)
				}
			}
		})
	}
}

// TestHessianAllocs checks that LogRegHHessian, LogRegHHessVec and the
// HVP column loop of the benchmark allocate nothing once warmed up, at the
// two smaller sizes (the d = 512 Hessian costs ~10⁹ flops a call).
func TestHessianAllocs(t *testing.T) {
	for _, f := range fixtures() {
		if f.d > 128 {
			continue
		}
		H := mat.NewDense(f.d, f.d, nil)
		b := newBuilder(f.d)
		v := mat.NewVecDense(f.d, nil)
		v.SetVec(0, 1)
		hv := mat.NewVecDense(f.d, nil)
		calls := []struct {
			name string
			fn   func()
		}{
			{"LogRegHHessian", func() { LogRegHHessian(f.X, f.y, f.w, lambda, H) }},
			{"LogRegHHessVec", func() { LogRegHHessVec(f.X, f.y, f.w, lambda, v, hv) }},
			{"HVPs", func() { b.hvps(f, H) }},
		}
		for _, c := range calls {
			c.fn() // warm up the scratch pools
			if got := testing.AllocsPerRun(20, c.fn); got != 0 {
				t.Errorf("d=%d %s: %v allocs/op, want 0", f.d, c.name, got)
			}
		}
	}
}

// BenchmarkHessian times the three ways of forming the d×d Hessian at each
// size: d=<d>/FHessian (LogRegHHessian, one Syrk), d=<d>/HVPs (d calls of
// LogRegHHessVec, each copied into its column; see builder.hvps) and
// d=<d>/fd-grad (2d calls of LogRegHGrad, central differences), each into
// a preallocated matrix.
func BenchmarkHessian(b *testing.B) {
	for _, f := range fixtures() {
		b.Run(fmt.Sprintf("d=%d", f.d), func(b *testing.B) {
			H := mat.NewDense(f.d, f.d, nil)
			bld := newBuilder(f.d)
			variants := []struct {
				name string
				fn   func()
			}{
				{"FHessian", func() { LogRegHHessian(f.X, f.y, f.w, lambda, H) }},
				{"HVPs", func() { bld.hvps(f, H) }},
				{"fd-grad", func() { bld.fdGrad(f, H) }},
			}
			for _, v := range variants {
				b.Run(v.name, func(b *testing.B) {
					for b.Loop() {
						runtime.CleanVectorState() // see bench's loop
						v.fn()
					}
				})
			}
		})
	}
}
