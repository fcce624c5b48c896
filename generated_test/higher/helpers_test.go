package higher

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"

	gg "github.com/gradgen/gradgen/runtime"
)

// Tolerances. Central differences with step h have truncation error
// O(h²) and rounding error O(ε/h) ≈ 2e-10 relative, so fdTol leaves a wide
// margin while still catching any wrong term. exactTol is for identities
// between two generated functions that compute the same quantity by
// different routes (a Jacobian column and a JVP, a Hessian column and a
// Hessian-vector product); roundTol for sums and hand formulas that differ
// only in the order of a few roundings.
const (
	fdStep   = 1e-6
	fdTol    = 1e-6
	exactTol = 1e-10
	roundTol = 1e-12
)

// shapeSets are the shape sets every function is checked on (see the
// new…In constructors for the sizes): 0 and 1 differ in every dimension and
// are non-square wherever the spec allows; 2 and 3 are edge cases with
// dimensions of 1 (row and column vectors, 1×1 matrices). pointsPerSet is
// the number of random points per set.
var shapeSets = []int{0, 1, 2, 3}

const pointsPerSet = 4

// seedFor gives every (test, function, shape set, point) its own fixed seed.
func seedFor(name string, set, point int) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64() ^ uint64(set)<<40 ^ uint64(point)<<48
}

// factory makes the inputs and destinations of one call. With strided set,
// every matrix, vector and symmetric matrix is a view into a larger
// NaN-filled backing array (row stride wider than the column count, vector
// increment > 1), and pads records the backing arrays so a test can check
// that nothing outside the views was touched.
type factory struct {
	r       *rand.Rand
	strided bool
	pads    []pad
	inputs  []any
}

// pad is the backing array of a strided view; in marks the entries the view
// may own.
type pad struct {
	data []float64
	in   []bool
}

func newFactory(seed uint64, strided bool) *factory {
	return &factory{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), strided: strided}
}

func (f *factory) normal() float64                { return f.r.NormFloat64() }
func (f *factory) uniform(lo, hi float64) float64 { return lo + (hi-lo)*f.r.Float64() }

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

func (f *factory) newDense(m, n int) *mat.Dense {
	if !f.strided {
		return mat.NewDense(m, n, nil)
	}
	stride := n + 3
	data := nanSlice((m + 2) * stride)
	in := make([]bool, len(data))
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			in[(i+1)*stride+2+j] = true
		}
	}
	f.pads = append(f.pads, pad{data, in})
	return mat.NewDense(m+2, stride, data).Slice(1, 1+m, 2, 2+n).(*mat.Dense)
}

func (f *factory) newVec(n int) *mat.VecDense {
	if !f.strided {
		return mat.NewVecDense(n, nil)
	}
	data := nanSlice((n + 2) * 3)
	in := make([]bool, len(data))
	for i := 0; i < n; i++ {
		in[(i+1)*3+1] = true
	}
	f.pads = append(f.pads, pad{data, in})
	return mat.NewDense(n+2, 3, data).ColView(1).(*mat.VecDense).SliceVec(1, 1+n).(*mat.VecDense)
}

// newSym returns an n×n SymDense. Strided, its lower triangle (which a
// SymDense does not own) is NaN, so code that reads it shows up.
func (f *factory) newSym(n int) *mat.SymDense {
	if !f.strided {
		return mat.NewSymDense(n, nil)
	}
	stride := n + 2
	data := nanSlice(stride * stride)
	in := make([]bool, len(data))
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			in[(i+1)*stride+1+j] = true
		}
	}
	f.pads = append(f.pads, pad{data, in})
	return mat.NewSymDense(stride, data).SliceSym(1, 1+n).(*mat.SymDense)
}

// denseFn is an m×n input with entries g(i, j).
func (f *factory) denseFn(m, n int, g func(i, j int) float64) *mat.Dense {
	d := f.newDense(m, n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			d.Set(i, j, g(i, j))
		}
	}
	f.inputs = append(f.inputs, d)
	return d
}

// dense is an m×n input with standard normal entries.
func (f *factory) dense(m, n int) *mat.Dense {
	return f.denseFn(m, n, func(int, int) float64 { return f.normal() })
}

func (f *factory) vecFn(n int, g func(i int) float64) *mat.VecDense {
	v := f.newVec(n)
	for i := 0; i < n; i++ {
		v.SetVec(i, g(i))
	}
	f.inputs = append(f.inputs, v)
	return v
}

func (f *factory) vec(n int) *mat.VecDense {
	return f.vecFn(n, func(int) float64 { return f.normal() })
}

func (f *factory) symFrom(a mat.Symmetric) *mat.SymDense {
	n := a.SymmetricDim()
	s := f.newSym(n)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			s.SetSym(i, j, a.At(i, j))
		}
	}
	f.inputs = append(f.inputs, s)
	return s
}

// sym is a random symmetric n×n input (a symmetric direction).
func (f *factory) sym(n int) *mat.SymDense {
	a := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			a.SetSym(i, j, f.normal())
		}
	}
	return f.symFrom(a)
}

// spd is A Aᵀ + n·I for a random n×n A.
func (f *factory) spd(n int) *mat.SymDense {
	a := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			a.Set(i, j, f.normal())
		}
	}
	s := mat.NewSymDense(n, nil)
	s.SymOuterK(1, a)
	for i := 0; i < n; i++ {
		s.SetSym(i, i, s.At(i, i)+float64(n))
	}
	return f.symFrom(s)
}

// out, outVec and outSym are destinations, zero-filled (NaN-filled when
// strided, which an overwriting function must not mind).
func (f *factory) out(m, n int) *mat.Dense {
	d := f.newDense(m, n)
	if !f.strided {
		return d
	}
	fill(d, func() float64 { return 0 })
	return d
}

func (f *factory) outVec(n int) *mat.VecDense { return f.newVec(n) }
func (f *factory) outSym(n int) *mat.SymDense { return f.newSym(n) }

// flat returns the entries of a destination or input, row-major; a
// symmetric matrix gives all n² entries.
func flat(o any) []float64 {
	switch v := o.(type) {
	case *mat.Dense:
		r, c := v.Dims()
		out := make([]float64, 0, r*c)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				out = append(out, v.At(i, j))
			}
		}
		return out
	case *mat.SymDense:
		n := v.SymmetricDim()
		out := make([]float64, 0, n*n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				out = append(out, v.At(i, j))
			}
		}
		return out
	case *mat.VecDense:
		out := make([]float64, v.Len())
		for i := range out {
			out[i] = v.AtVec(i)
		}
		return out
	case *float64:
		return []float64{*v}
	}
	panic("flat: unsupported type")
}

// fill sets every entry a function may own (the upper triangle of a
// symmetric matrix) to g().
func fill(o any, g func() float64) {
	switch v := o.(type) {
	case *mat.Dense:
		r, c := v.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				v.Set(i, j, g())
			}
		}
	case *mat.SymDense:
		n := v.SymmetricDim()
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				v.SetSym(i, j, g())
			}
		}
	case *mat.VecDense:
		for i := 0; i < v.Len(); i++ {
			v.SetVec(i, g())
		}
	case *float64:
		*v = g()
	default:
		panic("fill: unsupported type")
	}
}

func nanDense(m, n int) *mat.Dense {
	return mat.NewDense(m, n, nanSlice(m*n))
}

// checkClose reports an error unless |got−want| ≤ tol·max(1, max|want|)
// entrywise (NaN and Inf fail). It names the worst entry.
func checkClose(t testing.TB, what string, got, want []float64, tol float64) bool {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d entries, want %d", what, len(got), len(want))
		return false
	}
	scale := 1.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	worst, at := 0.0, -1
	for i := range got {
		d := math.Abs(got[i] - want[i])
		if !(d <= tol*scale) && (at < 0 || !(d <= worst)) {
			worst, at = d, i
		}
	}
	if at >= 0 {
		t.Errorf("%s: entry %d of %d: got %.17g, want %.17g (|diff| %.3g > %.0e·%.3g)",
			what, at, len(got), got[at], want[at], worst, tol, scale)
		return false
	}
	return true
}

// checkEqual reports an error unless got and want are equal entry for
// entry, exactly.
func checkEqual(t testing.TB, what string, got, want []float64) bool {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d entries, want %d", what, len(got), len(want))
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s: entry %d of %d: got %.17g, want exactly %.17g", what, i, len(got), got[i], want[i])
			return false
		}
	}
	return true
}

// centralDir returns the central difference at s = 0 of s ↦ eval(s), a
// size-vector, computed by fd.Jacobian over the single variable s.
func centralDir(size int, step float64, eval func(s float64, y []float64)) []float64 {
	j := mat.NewDense(size, 1, nil)
	fd.Jacobian(j, func(y, x []float64) { eval(x[0], y) }, []float64{0},
		&fd.JacobianSettings{Formula: fd.Central, Step: step})
	return flat(j)
}

// centralJac returns the m×len(x) central-difference Jacobian of eval at x.
func centralJac(m int, x []float64, step float64, eval func(y, x []float64)) *mat.Dense {
	j := mat.NewDense(m, len(x), nil)
	fd.Jacobian(j, eval, x, &fd.JacobianSettings{Formula: fd.Central, Step: step})
	return j
}

// centralDeriv is fd.Derivative with the central formula and a step scaled
// to |t|.
func centralDeriv(g func(float64) float64, t float64) float64 {
	return fd.Derivative(g, t, &fd.Settings{Formula: fd.Central, Step: fdStep * math.Max(1, math.Abs(t))})
}

// noPanic turns a panic of the calling test body into a test error, so a
// broken function does not abort the whole test binary; defer it.
func noPanic(t testing.TB) {
	if r := recover(); r != nil {
		t.Helper()
		t.Errorf("panicked: %v", r)
	}
}

// expectShapePanic fails unless call panics with a *runtime.ShapeError.
func expectShapePanic(t *testing.T, name string, call func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Errorf("%s: no panic, want a *runtime.ShapeError", name)
			return
		}
		if _, ok := r.(*gg.ShapeError); !ok {
			t.Errorf("%s: panicked with %v (%T), want a *runtime.ShapeError", name, r, r)
		}
	}()
	call()
}

// axpy returns a + s·b.
func axpy(a []float64, s float64, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] + s*b[i]
	}
	return out
}

// scaled returns s·a.
func scaled(s float64, a []float64) []float64 { return axpy(make([]float64, len(a)), s, a) }

// added returns the entrywise sum of the slices.
func added(a ...[]float64) []float64 {
	out := make([]float64, len(a[0]))
	for _, s := range a {
		for i := range s {
			out[i] += s[i]
		}
	}
	return out
}

// mul returns the product of the matrices, via gonum.
func mul(ms ...mat.Matrix) *mat.Dense {
	acc := mat.DenseCopyOf(ms[0])
	for _, m := range ms[1:] {
		next := new(mat.Dense)
		next.Mul(acc, m)
		acc = next
	}
	return acc
}

// trace returns the trace of a square matrix.
func trace(a mat.Matrix) float64 {
	n, _ := a.Dims()
	s := 0.0
	for i := 0; i < n; i++ {
		s += a.At(i, i)
	}
	return s
}
