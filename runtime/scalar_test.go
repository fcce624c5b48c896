package runtime

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

var (
	inf = math.Inf(1)
	nan = math.NaN()
)

// same reports whether got and want agree: both NaN, equal (including
// infinities), or within tol relative to max(1, |want|).
func same(got, want, tol float64) bool {
	switch {
	case math.IsNaN(got) || math.IsNaN(want):
		return math.IsNaN(got) && math.IsNaN(want)
	case math.IsInf(got, 0) || math.IsInf(want, 0):
		return got == want
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func TestScalarKernels(t *testing.T) {
	naiveSigmoid := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	// log1p(exp(x)) is accurate as long as exp(x) does not overflow.
	naiveSoftplus := func(x float64) float64 { return math.Log1p(math.Exp(x)) }
	for _, test := range []struct {
		name    string
		fn      func(float64) float64
		x, want float64
		tol     float64
	}{
		{name: "Sigmoid", fn: Sigmoid, x: 0, want: 0.5},
		{name: "Sigmoid", fn: Sigmoid, x: 1, want: naiveSigmoid(1), tol: 1e-15},
		{name: "Sigmoid", fn: Sigmoid, x: -1, want: naiveSigmoid(-1), tol: 1e-15},
		{name: "Sigmoid", fn: Sigmoid, x: 20, want: naiveSigmoid(20), tol: 1e-15},
		{name: "Sigmoid", fn: Sigmoid, x: -20, want: naiveSigmoid(-20), tol: 1e-15},
		{name: "Sigmoid", fn: Sigmoid, x: -700, want: naiveSigmoid(-700), tol: 1e-14},
		{name: "Sigmoid", fn: Sigmoid, x: 1e3, want: 1},
		{name: "Sigmoid", fn: Sigmoid, x: -1e3, want: 0},
		{name: "Sigmoid", fn: Sigmoid, x: 1e300, want: 1},
		{name: "Sigmoid", fn: Sigmoid, x: -1e300, want: 0},
		{name: "Sigmoid", fn: Sigmoid, x: inf, want: 1},
		{name: "Sigmoid", fn: Sigmoid, x: -inf, want: 0},
		{name: "Sigmoid", fn: Sigmoid, x: nan, want: nan},

		{name: "Softplus", fn: Softplus, x: 0, want: math.Ln2, tol: 1e-16},
		{name: "Softplus", fn: Softplus, x: 1, want: naiveSoftplus(1), tol: 1e-15},
		{name: "Softplus", fn: Softplus, x: -1, want: naiveSoftplus(-1), tol: 1e-15},
		{name: "Softplus", fn: Softplus, x: 30, want: naiveSoftplus(30), tol: 1e-15},
		{name: "Softplus", fn: Softplus, x: -30, want: naiveSoftplus(-30), tol: 1e-15},
		{name: "Softplus", fn: Softplus, x: -700, want: naiveSoftplus(-700), tol: 1e-15},
		{name: "Softplus", fn: Softplus, x: 700, want: 700},
		{name: "Softplus", fn: Softplus, x: 1e3, want: 1e3},
		{name: "Softplus", fn: Softplus, x: -1e3, want: 0},
		{name: "Softplus", fn: Softplus, x: 1e300, want: 1e300},
		{name: "Softplus", fn: Softplus, x: inf, want: inf},
		{name: "Softplus", fn: Softplus, x: -inf, want: 0},
		{name: "Softplus", fn: Softplus, x: nan, want: nan},

		{name: "Sign", fn: Sign, x: 2.5, want: 1},
		{name: "Sign", fn: Sign, x: -1e-300, want: -1},
		{name: "Sign", fn: Sign, x: 0, want: 0},
		{name: "Sign", fn: Sign, x: math.Copysign(0, -1), want: 0},
		{name: "Sign", fn: Sign, x: inf, want: 1},
		{name: "Sign", fn: Sign, x: -inf, want: -1},
		{name: "Sign", fn: Sign, x: nan, want: nan},

		{name: "Relu", fn: Relu, x: 2.5, want: 2.5},
		{name: "Relu", fn: Relu, x: -2.5, want: 0},
		{name: "Relu", fn: Relu, x: 0, want: 0},
		{name: "Relu", fn: Relu, x: math.Copysign(0, -1), want: 0},
		{name: "Relu", fn: Relu, x: inf, want: inf},
		{name: "Relu", fn: Relu, x: -inf, want: 0},
		{name: "Relu", fn: Relu, x: nan, want: nan},

		{name: "Step", fn: Step, x: 2.5, want: 1},
		{name: "Step", fn: Step, x: 1e-300, want: 1},
		{name: "Step", fn: Step, x: -2.5, want: 0},
		{name: "Step", fn: Step, x: 0, want: 0},
		{name: "Step", fn: Step, x: math.Copysign(0, -1), want: 0},
		{name: "Step", fn: Step, x: inf, want: 1},
		{name: "Step", fn: Step, x: -inf, want: 0},
		{name: "Step", fn: Step, x: nan, want: nan},
	} {
		got := test.fn(test.x)
		if !same(got, test.want, test.tol) {
			t.Errorf("%s(%v) = %v, want %v", test.name, test.x, got, test.want)
		}
		if got == 0 && math.Signbit(got) {
			t.Errorf("%s(%v) = -0, want +0", test.name, test.x)
		}
	}
}

// TestSoftplusSigmoid checks that the joint kernel equals Softplus and
// Sigmoid to the last bit, specials included.
func TestSoftplusSigmoid(t *testing.T) {
	xs := []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, 0.5, -0.5, 3, -3, 40, -40, 710, -710, 1e308, -1e308,
		math.Inf(1), math.Inf(-1), math.NaN()}
	for i := -2000; i <= 2000; i++ {
		xs = append(xs, float64(i)/37)
	}
	same := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
	}
	for _, x := range xs {
		sp, s := SoftplusSigmoid(x)
		if !same(sp, Softplus(x)) || !same(s, Sigmoid(x)) {
			t.Errorf("SoftplusSigmoid(%v) = %v, %v; want %v, %v", x, sp, s, Softplus(x), Sigmoid(x))
		}
	}
}

// TestSquare pins Square against math.Pow(x, 2), which generated code
// called before: bit-identical wherever x² is normal, and correctly rounded
// (math/big) where it is subnormal, overflows or x is special.
func TestSquare(t *testing.T) {
	exact := func(x float64) float64 {
		b := new(big.Float).SetPrec(2000).SetFloat64(x)
		v, _ := b.Mul(b, b).Float64()
		return v
	}
	xs := []float64{0, math.Copysign(0, -1), 1, -1, 3, 1.5, math.Pi, -math.E, 1e154, 1.4e154, -1e155,
		1e-154, 1.5e-154, 1e-160, 3e-162, -7.3e-162, 1e-200, 1.1689457051755244e-154, -1.2612419642993112e-154, math.SmallestNonzeroFloat64, math.MaxFloat64, inf, -inf}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		xs = append(xs, math.Float64frombits(rng.Uint64()))
	}
	powDiffers := 0
	for _, x := range xs {
		got := Square(x)
		if math.IsNaN(x) {
			if !math.IsNaN(got) {
				t.Errorf("Square(%v) = %v, want NaN", x, got)
			}
			continue
		}
		if want := exact(x); got != want || math.Signbit(got) != math.Signbit(want) {
			t.Errorf("Square(%v) = %v, want the correctly rounded %v", x, got, want)
		}
		if pow := math.Pow(x, 2); pow != got {
			if got >= 0x1p-1022 && !math.IsInf(got, 0) {
				t.Errorf("Square(%v) = %v, math.Pow gives %v for a normal square", x, got, pow)
			}
			powDiffers++
		}
	}
	if powDiffers == 0 {
		t.Error("math.Pow(x, 2) = x·x everywhere, including 1.1689457051755244e-154, whose subnormal square it rounds twice: Square's doc is wrong")
	}
}

// TestDerivKernels checks SigmoidDeriv and TanhDeriv against values of
// σ(x)σ(−x) and sech²(x) to 20 digits (mpmath at 60 digits, at the
// float64 x), within 8 ulps
// or 4 of the smallest subnormal: across the range where 1 − σ and 1 − tanh²
// of a rounded σ or tanh lose every digit (x = 10 … 40), on each side of
// TanhTanhDeriv's branch points, and into the subnormals. (Against about
// 300,000 such values, review 70, TanhDeriv was within 3.2 ulps, at
// 354.5 < |x| < 354.9 where q = 2/(e^2|x| + 1) is subnormal, and within
// 2.4 below 44; the 4e/(1+e)² it replaced within 3.3.)
func TestDerivKernels(t *testing.T) {
	close := func(got, want float64) bool {
		return math.Abs(got-want) <= 8*0x1p-52*math.Abs(want)+4*0x1p-1074
	}
	for _, test := range []struct {
		name    string
		fn      func(float64) float64
		x, want float64
	}{
		{"SigmoidDeriv", SigmoidDeriv, 0, 0.25},
		{"SigmoidDeriv", SigmoidDeriv, 1e-300, 0.25},
		{"SigmoidDeriv", SigmoidDeriv, 1e-8, 2.4999999999999999375e-1},
		{"SigmoidDeriv", SigmoidDeriv, 0.5, 2.3500371220159448907e-1},
		{"SigmoidDeriv", SigmoidDeriv, 1, 1.9661193324148185254e-1},
		{"SigmoidDeriv", SigmoidDeriv, -1, 1.9661193324148185254e-1},
		{"SigmoidDeriv", SigmoidDeriv, 5, 6.648056670790154914e-3},
		{"SigmoidDeriv", SigmoidDeriv, 10, 4.5395807735951671032e-5},
		{"SigmoidDeriv", SigmoidDeriv, -10, 4.5395807735951671032e-5},
		{"SigmoidDeriv", SigmoidDeriv, 20, 2.0611536139418493437e-9},
		{"SigmoidDeriv", SigmoidDeriv, 36.8, 1.0422287905595918034e-16},
		{"SigmoidDeriv", SigmoidDeriv, 37, 8.533047625744064338e-17},
		{"SigmoidDeriv", SigmoidDeriv, -40, 4.2483542552915889592e-18},
		{"SigmoidDeriv", SigmoidDeriv, 100, 3.720075976020835963e-44},
		{"SigmoidDeriv", SigmoidDeriv, 700, 9.8596765437597708567e-305},
		{"SigmoidDeriv", SigmoidDeriv, 710, 4.4762862256751299561e-309},
		{"SigmoidDeriv", SigmoidDeriv, -745, 5e-324},
		{"SigmoidDeriv", SigmoidDeriv, 1e300, 0},
		{"SigmoidDeriv", SigmoidDeriv, inf, 0},
		{"SigmoidDeriv", SigmoidDeriv, -inf, 0},
		{"SigmoidDeriv", SigmoidDeriv, nan, nan},

		{"TanhDeriv", TanhDeriv, 0, 1},
		{"TanhDeriv", TanhDeriv, 1e-300, 1},
		{"TanhDeriv", TanhDeriv, 1e-8, 9.999999999999999e-1},
		{"TanhDeriv", TanhDeriv, 0.5, 7.8644773296592741015e-1},
		{"TanhDeriv", TanhDeriv, 1, 4.1997434161402606939e-1},
		{"TanhDeriv", TanhDeriv, -1, 4.1997434161402606939e-1},
		{"TanhDeriv", TanhDeriv, 5, 1.8158323094380668413e-4},
		{"TanhDeriv", TanhDeriv, 10, 8.2446144557673973746e-9},
		{"TanhDeriv", TanhDeriv, -10, 8.2446144557673973746e-9},
		{"TanhDeriv", TanhDeriv, 19, 1.2556531168192117727e-16},
		{"TanhDeriv", TanhDeriv, 20, 1.6993417021166355837e-17},
		{"TanhDeriv", TanhDeriv, -40, 7.2194055513816606892e-35},
		{"TanhDeriv", TanhDeriv, 100, 5.5355861069469501226e-87},
		{"TanhDeriv", TanhDeriv, 354, 1.3230212014553631985e-307},
		{"TanhDeriv", TanhDeriv, 360, 8.1289232096971726115e-313},
		{"TanhDeriv", TanhDeriv, 0.1, 9.9006629084743977725e-1},
		{"TanhDeriv", TanhDeriv, 0.3, 9.1513696182662920906e-1},
		{"TanhDeriv", TanhDeriv, 0.6, 7.1157776258722282573e-1},
		{"TanhDeriv", TanhDeriv, 0.6249999999999999, 6.924191479699881549e-1}, // the last below math.Tanh's 0.625
		{"TanhDeriv", TanhDeriv, 0.625, 6.9241914796998806963e-1},
		{"TanhDeriv", TanhDeriv, 0.6250000000000001, 6.9241914796998798436e-1},
		{"TanhDeriv", TanhDeriv, 0.7, 6.3473958998245862144e-1},
		{"TanhDeriv", TanhDeriv, 2, 7.0650824853164465686e-2},
		{"TanhDeriv", TanhDeriv, 18.5, 3.4132190502976257352e-16},
		{"TanhDeriv", TanhDeriv, 44.01, 2.3738850981091328221e-38}, // math.Tanh is ±1 from 44.0149
		{"TanhDeriv", TanhDeriv, 44.02, 2.326879023749224834e-38},
		{"TanhDeriv", TanhDeriv, 200, 7.6606783868560227801e-174},
		{"TanhDeriv", TanhDeriv, 354.8, 2.6711337380693728086e-308},
		{"TanhDeriv", TanhDeriv, 354.9, 2.1869393369416915152e-308}, // e^2|x| overflows from 354.891
		{"TanhDeriv", TanhDeriv, 355, 1.7905144902700519824e-308},
		{"TanhDeriv", TanhDeriv, 370, 1.6754959520192195758e-321},
		{"TanhDeriv", TanhDeriv, 372.5, 1.1289402921887748305e-323},
		{"TanhDeriv", TanhDeriv, 373, 4.1531392380633129577e-324},
		{"TanhDeriv", TanhDeriv, 700, 0},
		{"TanhDeriv", TanhDeriv, inf, 0},
		{"TanhDeriv", TanhDeriv, -inf, 0},
		{"TanhDeriv", TanhDeriv, nan, nan},
	} {
		got := test.fn(test.x)
		if math.IsNaN(test.want) {
			if !math.IsNaN(got) {
				t.Errorf("%s(%v) = %v, want NaN", test.name, test.x, got)
			}
			continue
		}
		if !close(got, test.want) {
			t.Errorf("%s(%v) = %v, want %v", test.name, test.x, got, test.want)
		}
	}
}
