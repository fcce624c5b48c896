package runtime

import (
	"math"
	"math/rand/v2"
	"testing"
)

// blockKernel is one exported block kernel with one output, and the scalar
// function whose results it must reproduce.
type blockKernel struct {
	name   string
	block  func(dst, src []float64)
	scalar func(float64) float64
	// fusable marks a scalar function in portable Go, whose multiply-adds
	// a GOAMD64=v3 build may fuse (see scalarMayFuse).
	fusable bool
}

// maxULP returns the largest distance from the scalar function allowed.
func (k blockKernel) maxULP() uint64 { return allowedULP(k.fusable) }

// allowedULP returns the largest distance from a scalar function allowed: 0,
// the same bits, except 1 where the scalar code is fusable and may be fused.
func allowedULP(fusable bool) uint64 {
	if fusable && scalarMayFuse {
		return 1
	}
	return 0
}

// The SoftplusSigmoidTo and TanhTanhDerivTo outputs, one at a time, as
// single-output kernels.
func softplusOfPair(dst, src []float64)  { SoftplusSigmoidTo(dst, make([]float64, len(src)), src) }
func sigmoidOfPair(dst, src []float64)   { SoftplusSigmoidTo(make([]float64, len(src)), dst, src) }
func tanhOfPair(dst, src []float64)      { TanhTanhDerivTo(dst, make([]float64, len(src)), src) }
func tanhDerivOfPair(dst, src []float64) { TanhTanhDerivTo(make([]float64, len(src)), dst, src) }

var blockKernelCases = []blockKernel{
	{"ExpTo", ExpTo, math.Exp, false},
	{"LogTo", LogTo, math.Log, false},
	{"TanhTo", TanhTo, math.Tanh, true},
	{"SigmoidTo", SigmoidTo, Sigmoid, false},
	{"SoftplusTo", SoftplusTo, Softplus, true},
	{"SigmoidDerivTo", SigmoidDerivTo, SigmoidDeriv, false},
	{"TanhDerivTo", TanhDerivTo, TanhDeriv, true},
	{"SoftplusSigmoidTo/softplus", softplusOfPair, func(x float64) float64 { sp, _ := SoftplusSigmoid(x); return sp }, true},
	{"SoftplusSigmoidTo/sigmoid", sigmoidOfPair, func(x float64) float64 { _, sig := SoftplusSigmoid(x); return sig }, false},
	{"TanhTanhDerivTo/tanh", tanhOfPair, math.Tanh, true},
	{"TanhTanhDerivTo/deriv", tanhDerivOfPair, TanhDeriv, true},
}

// ulpDistance returns how many float64 values lie between a and b, counting
// one of them (0 for equal values, +0 and -0 included); 0 when both are NaN,
// and the largest uint64 when one alone is.
func ulpDistance(a, b float64) uint64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		if math.IsNaN(a) && math.IsNaN(b) {
			return 0
		}
		return math.MaxUint64
	}
	// Map the bits to integers ordered as the values are.
	ordered := func(x float64) int64 {
		b := int64(math.Float64bits(x))
		if b < 0 {
			return math.MinInt64 - b
		}
		return b
	}
	d := ordered(a) - ordered(b)
	if d < 0 {
		d = -d
	}
	return uint64(d)
}

// blockInputs returns the inputs every kernel is tested on: the special
// values (±0, ±Inf, NaN of both signs, subnormals, the largest and smallest
// numbers), a neighbourhood of 64 values on each side of every threshold
// where a function or its scalar code changes branch (exp's overflow and
// underflow limits and denormal range, log's √2/2 split and 1, tanh's
// 0.625 and 44.01, softplus's log1p splits), random bit patterns (all
// exponents, both signs) and random values of moderate size.
func blockInputs() []float64 {
	xs := []float64{
		0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), -math.NaN(),
		math.Float64frombits(0x7FF0000000000001), math.Float64frombits(0xFFF8000000000123),
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 0x1p-1022, 0x1p-1022 - 0x1p-1074,
		1e-310, -1e-310, math.MaxFloat64, -math.MaxFloat64, 1, -1, 2, 0.5, 1e-300, 1e300,
	}
	thresholds := []float64{
		// exp: the overflow constant, where n reaches 1024, the denormal
		// and underflow ranges, where the scalar code gives up on n.
		7.09782712893384e+02, 709.78271289338397, 1024 / math.Log2E, 1023.5 / math.Log2E,
		-708.3964185322641, -1022.5 / math.Log2E, -745.1332191019411, -745.1332191019412,
		-1074.5 / math.Log2E, -1075.5 / math.Log2E, -1e9, 1e9, 0x1p31 / math.Log2E, -0x1p31 / math.Log2E,
		// log: √2/2, 1, 2 and the top of the range.
		7.07106781186547524401e-01, 1, 2, math.MaxFloat64,
		// tanh: its branch points.
		0.625, 0.5 * 8.8029691931113054295988e+01,
		// softplus and σ of x through u = e^-|x|: u = √2-1, u near 1 (x near
		// 0, 1+u near 2), u = 2^-29 and 2^-54.
		-math.Log(math.Sqrt2 - 1), 1e-16, 3e-16, 29 * math.Ln2, 54 * math.Ln2,
	}
	for _, t := range thresholds {
		for _, sign := range []float64{1, -1} {
			x := sign * t
			up, down := x, x
			for range 64 {
				xs = append(xs, up, down)
				up, down = math.Nextafter(up, math.Inf(1)), math.Nextafter(down, math.Inf(-1))
			}
		}
	}
	rng := rand.New(rand.NewPCG(15, 2))
	for range 1 << 15 {
		xs = append(xs, math.Float64frombits(rng.Uint64()))
	}
	for range 1 << 15 {
		xs = append(xs, (rng.Float64()*2-1)*800)
	}
	for range 1 << 13 {
		xs = append(xs, (rng.Float64()*2-1)*2, (rng.Float64()*2-1)*1e-15)
	}
	// Subnormals of every size.
	for range 1 << 12 {
		xs = append(xs, math.Float64frombits(rng.Uint64()&0x800FFFFFFFFFFFFF))
	}
	return xs
}

// TestBlockKernelsMatchScalar pins each block kernel to its scalar function
// over the full input range: the same bits (a NaN for a NaN; 1 ulp where
// the scalar side may be fused), whichever implementation runs.
func TestBlockKernelsMatchScalar(t *testing.T) {
	t.Logf("vector block kernels: %v", VectorisedBlocks())
	xs := blockInputs()
	for _, k := range blockKernelCases {
		t.Run(k.name, func(t *testing.T) {
			got := make([]float64, len(xs))
			k.block(got, xs)
			var worst uint64
			failures := 0
			for i, x := range xs {
				want := k.scalar(x)
				d := ulpDistance(got[i], want)
				worst = max(worst, d)
				if d > k.maxULP() && failures < 10 {
					failures++
					t.Errorf("%s(%v [%#016x]) = %v [%#016x], scalar %v [%#016x]: %d ulp apart, at most %d allowed",
						k.name, x, math.Float64bits(x), got[i], math.Float64bits(got[i]), want, math.Float64bits(want), d, k.maxULP())
				}
			}
			t.Logf("%d inputs, max distance from the scalar function %d ulp", len(xs), worst)
		})
	}
}

// TestBlockKernelsPositionIndependent checks the tail handling and in-place
// use: every element of a result, whatever the slice's length and offset,
// and computed in place, has the bits of the kernel applied to that element
// alone.
func TestBlockKernelsPositionIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 3))
	long := make([]float64, 1031)
	for i := range long {
		long[i] = (rng.Float64()*2 - 1) * 40
	}
	long[5], long[6], long[1030] = math.NaN(), math.Inf(-1), 0x1p-1060
	for _, k := range blockKernelCases {
		alone := make([]float64, len(long))
		for i := range long {
			k.block(alone[i:i+1], long[i:i+1])
		}
		for _, off := range []int{0, 1, 2, 3} {
			for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 1027} {
				src := long[off : off+n]
				got := make([]float64, n)
				k.block(got, src)
				inPlace := append([]float64(nil), src...)
				k.block(inPlace, inPlace)
				for i := range n {
					want := math.Float64bits(alone[off+i])
					if math.Float64bits(got[i]) != want || math.Float64bits(inPlace[i]) != want {
						t.Fatalf("%s on long[%d:%d]: element %d (%v) is %v, in place %v; alone %v",
							k.name, off, off+n, i, src[i], got[i], inPlace[i], alone[off+i])
					}
				}
			}
		}
	}
}

// TestPairKernelsInPlace checks the kernels of two results with src as
// either result's buffer: the scalar function's bits (1 ulp where it may
// be fused).
func TestPairKernelsInPlace(t *testing.T) {
	src := []float64{-800, -3, -0.625, -0.5, 0, 0.25, 1, 7, 40, 360, 800, math.NaN(), math.Inf(1)}
	for _, k := range []struct {
		name    string
		to      func(a, b, src []float64)
		scalar  func(float64) (float64, float64)
		fusable [2]bool
	}{
		{"SoftplusSigmoidTo", SoftplusSigmoidTo, SoftplusSigmoid, [2]bool{true, false}},
		{"TanhTanhDerivTo", TanhTanhDerivTo, TanhTanhDeriv, [2]bool{true, true}},
	} {
		for _, firstIsSrc := range []bool{true, false} {
			in := append([]float64(nil), src...)
			other := make([]float64, len(src))
			a, b := in, other
			if !firstIsSrc {
				a, b = other, in
			}
			k.to(a, b, in)
			for i, x := range src {
				wantA, wantB := k.scalar(x)
				if ulpDistance(a[i], wantA) > allowedULP(k.fusable[0]) || ulpDistance(b[i], wantB) > allowedULP(k.fusable[1]) {
					t.Errorf("%s, first result in src: %v: (%v) = %v, %v; want %v, %v", k.name, firstIsSrc, x, a[i], b[i], wantA, wantB)
				}
			}
		}
	}
}

func TestBlockKernelsLengthMismatch(t *testing.T) {
	for _, test := range []struct {
		name string
		call func()
		want string
	}{
		{"ExpTo", func() { ExpTo(make([]float64, 3), make([]float64, 4)) }, "runtime.ExpTo: len(dst) = 3, len(src) = 4: lengths differ"},
		{"LogTo", func() { LogTo(make([]float64, 5), nil) }, "runtime.LogTo: len(dst) = 5, len(src) = 0: lengths differ"},
		{"TanhTo", func() { TanhTo(nil, make([]float64, 1)) }, "runtime.TanhTo: len(dst) = 0, len(src) = 1: lengths differ"},
		{"SigmoidTo", func() { SigmoidTo(make([]float64, 2), make([]float64, 1)) }, "runtime.SigmoidTo: len(dst) = 2, len(src) = 1: lengths differ"},
		{"SoftplusTo", func() { SoftplusTo(make([]float64, 8), make([]float64, 9)) }, "runtime.SoftplusTo: len(dst) = 8, len(src) = 9: lengths differ"},
		{"SoftplusSigmoidTo sp", func() { SoftplusSigmoidTo(make([]float64, 2), make([]float64, 3), make([]float64, 3)) },
			"runtime.SoftplusSigmoidTo: len(sp) = 2, len(sig) = 3, len(src) = 3: lengths differ"},
		{"SoftplusSigmoidTo sig", func() { SoftplusSigmoidTo(make([]float64, 3), make([]float64, 4), make([]float64, 3)) },
			"runtime.SoftplusSigmoidTo: len(sp) = 3, len(sig) = 4, len(src) = 3: lengths differ"},
		{"TanhTanhDerivTo", func() { TanhTanhDerivTo(make([]float64, 3), make([]float64, 3), make([]float64, 2)) },
			"runtime.TanhTanhDerivTo: len(t) = 3, len(d) = 3, len(src) = 2: lengths differ"},
	} {
		t.Run(test.name, func(t *testing.T) {
			defer func() {
				if got := recover(); got != test.want {
					t.Errorf("panic %v, want %q", got, test.want)
				}
			}()
			test.call()
		})
	}
}

// TestBlockKernelsEmpty checks that empty and nil slices are accepted.
func TestBlockKernelsEmpty(t *testing.T) {
	for _, k := range blockKernelCases {
		k.block(nil, nil)
		k.block([]float64{}, []float64{})
	}
}

// TestBlockKernelsSpecialValues pins the special cases by value, not only
// by agreement with the scalar functions: infinities exact, NaN for NaN,
// the signs of zeros, and the limits of exp.
func TestBlockKernelsSpecialValues(t *testing.T) {
	negZero := math.Copysign(0, -1)
	for _, test := range []struct {
		kernel string
		block  func(dst, src []float64)
		x      float64
		want   float64 // compared bit for bit; NaN matches any NaN
	}{
		{"ExpTo", ExpTo, math.Inf(1), math.Inf(1)},
		{"ExpTo", ExpTo, math.Inf(-1), 0},
		{"ExpTo", ExpTo, math.NaN(), math.NaN()},
		{"ExpTo", ExpTo, 0, 1},
		{"ExpTo", ExpTo, negZero, 1},
		{"ExpTo", ExpTo, 709, 8.218407461554972e+307},
		{"ExpTo", ExpTo, 710, math.Inf(1)},
		{"ExpTo", ExpTo, -745.1332191019411, 5e-324},
		{"ExpTo", ExpTo, -746, 0},
		{"LogTo", LogTo, 0, math.Inf(-1)},
		{"LogTo", LogTo, negZero, math.Inf(-1)},
		{"LogTo", LogTo, -1, math.NaN()},
		{"LogTo", LogTo, math.Inf(-1), math.NaN()},
		{"LogTo", LogTo, math.Inf(1), math.Inf(1)},
		{"LogTo", LogTo, math.NaN(), math.NaN()},
		{"LogTo", LogTo, 1, 0},
		{"TanhTo", TanhTo, math.Inf(1), 1},
		{"TanhTo", TanhTo, math.Inf(-1), -1},
		{"TanhTo", TanhTo, negZero, negZero},
		{"TanhTo", TanhTo, math.NaN(), math.NaN()},
		{"SigmoidTo", SigmoidTo, math.Inf(1), 1},
		{"SigmoidTo", SigmoidTo, math.Inf(-1), 0},
		{"SigmoidTo", SigmoidTo, 0, 0.5},
		{"SigmoidTo", SigmoidTo, -800, 0},
		{"SigmoidTo", SigmoidTo, math.NaN(), math.NaN()},
		{"SoftplusTo", SoftplusTo, math.Inf(1), math.Inf(1)},
		{"SoftplusTo", SoftplusTo, math.Inf(-1), 0},
		{"SoftplusTo", SoftplusTo, 0, math.Ln2},
		{"SoftplusTo", SoftplusTo, 800, 800},
		{"SoftplusTo", SoftplusTo, -800, 0},
		{"SoftplusTo", SoftplusTo, math.NaN(), math.NaN()},
	} {
		got := []float64{0}
		test.block(got, []float64{test.x})
		if math.IsNaN(test.want) && math.IsNaN(got[0]) || math.Float64bits(got[0]) == math.Float64bits(test.want) {
			continue
		}
		t.Errorf("%s(%v) = %v, want %v", test.kernel, test.x, got[0], test.want)
	}
}
