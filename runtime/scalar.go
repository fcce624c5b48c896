package runtime

import "math"

// Sigmoid returns the logistic function 1/(1+e^-x), computed without overflow
// for any x. Sigmoid(+Inf) = 1, Sigmoid(-Inf) = 0 and Sigmoid(NaN) = NaN.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	// Also reached for NaN, which propagates through Exp.
	e := math.Exp(x)
	return e / (1 + e)
}

// SigmoidDeriv returns σ′(x) = σ(x) σ(−x) = e/(1+e)² with e = e^-|x|, the
// derivative of Sigmoid, to a few ulps for every x: σ(x)(1 − σ(x)) would
// lose every digit where σ(x) rounds near 1 (and be 0 from x ≈ 37).
// SigmoidDeriv(±Inf) = 0 and SigmoidDeriv(NaN) = NaN.
func SigmoidDeriv(x float64) float64 {
	e := math.Exp(-math.Abs(x))
	d := 1 + e
	return e / (d * d)
}

// TanhDeriv returns tanh′(x) = 1 − tanh²(x), the derivative of math.Tanh,
// to a few ulps for every x, as TanhTanhDeriv computes it: 1 − tanh²(x)
// from a rounded tanh would lose every digit where it rounds near ±1 (and
// be 0 from |x| ≈ 19). TanhDeriv(±Inf) = 0 and TanhDeriv(NaN) = NaN.
func TanhDeriv(x float64) float64 {
	_, d := TanhTanhDeriv(x)
	return d
}

// TanhTanhDeriv returns math.Tanh(x), equal to it to the last bit, and
// TanhDeriv(x) from the same exp and division: generated code uses it
// where a loop needs tanh and its derivative of the same argument. For
// |x| ≥ 0.625 math.Tanh is ±(1 − q) with q = 2/(e^2|x| + 1), and
// 1 − tanh² = q·(2 − q) (each of q, 2 − q and the product within an ulp
// or two, and 2 − q ≥ 1.55: about 3 ulps in all); where e^2|x| overflows
// (|x| > 354.9) q is 0, and the derivative is 4e^−2|x|, to which 4e/(1+e)²
// rounds there. Below 0.625, where math.Tanh is a rational function and
// tanh² ≤ 0.31, 1 − tanh² in one fused multiply-add loses nothing
// (within 1.5 ulps).
func TanhTanhDeriv(x float64) (tanh, deriv float64) {
	z := math.Abs(x)
	if !(z >= tanhMidFrom) { // NaN too
		tanh = math.Tanh(x)
		return tanh, math.FMA(-tanh, tanh, 1)
	}
	s := math.Exp(z + z)
	q := 2 / (s + 1)
	tanh = 1 - q
	if z > tanhBigAbove {
		tanh = 1
	}
	if x < 0 {
		tanh = -tanh
	}
	if q == 0 {
		return tanh, 4 * math.Exp(-(z + z))
	}
	return tanh, q * (2 - q)
}

// math.Tanh's branch points: from tanhMidFrom it is ±(1 − 2/(e^2|x| + 1)),
// past tanhBigAbove (MAXLOG/2, MAXLOG = log 2¹²⁷) ±1.
const (
	tanhMidFrom  = 0.625
	tanhBigAbove = 0.5 * 8.8029691931113054295988e+01
)

// Softplus returns log(1+e^x), computed as max(x,0)+log1p(e^-|x|) so that it
// neither overflows for large x nor loses precision for very negative x.
// Softplus(+Inf) = +Inf, Softplus(-Inf) = 0 and Softplus(NaN) = NaN.
func Softplus(x float64) float64 {
	return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

// SoftplusSigmoid returns Softplus(x) and Sigmoid(x), equal to theirs to the
// last bit, from one exp(-|x|): generated code uses it where a loop needs
// softplus and its derivative σ of the same argument.
func SoftplusSigmoid(x float64) (softplus, sigmoid float64) {
	e := math.Exp(-math.Abs(x))
	softplus = math.Max(x, 0) + math.Log1p(e)
	if x >= 0 {
		return softplus, 1 / (1 + e)
	}
	// Also reached for NaN, which propagates through Exp.
	return softplus, e / (1 + e)
}

// Sign returns -1 for x < 0, 1 for x > 0, 0 for x = ±0 and NaN for NaN.
func Sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	case x == 0:
		return 0
	}
	return x // NaN
}

// Relu returns max(x, 0). Relu(-0) = +0 and Relu(NaN) = NaN.
func Relu(x float64) float64 {
	if x > 0 || x != x {
		return x
	}
	return 0
}

// Step returns the derivative of Relu: 1 for x > 0 and 0 otherwise, taking
// the subgradient 0 at x = 0. Step(NaN) = NaN.
func Step(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x != x:
		return x
	}
	return 0
}

// Square returns x·x, the correctly rounded x². Generated code writes x .^ 2
// of an operand that is neither stored nor cheap to repeat as Square(x)
// rather than math.Pow(x, 2): the same value wherever x² is a normal
// number, and correctly rounded where math.Pow rounds twice (a subnormal
// x²), at the cost of one multiply instead of a call.
func Square(x float64) float64 {
	return x * x
}
