package derive

import "math"

// The reference evaluator's own scalar functions. Generated code calls
// package runtime for these; the reference evaluator (Op.Scalar, Op.Eval)
// must not, so that a bug in a runtime kernel shows up as a disagreement
// instead of being copied into the oracle. Each is written from its
// definition, in a different form from the runtime's, and is stable where
// the README promises stability (sigmoid and softplus for any |x|).

// sigmoidReference returns σ(x) = 1/(1 + e^−x) as (1 + tanh(x/2))/2, which
// neither overflows nor divides by infinity for any x.
func sigmoidReference(x float64) float64 { return 0.5 * (1 + math.Tanh(0.5*x)) }

// softplusReference returns log(1 + e^x): for x > 0 as x + log(1 + e^−x),
// so e^x never overflows, and as log1p(e^x) otherwise, exact for very
// negative x.
func softplusReference(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// signReference returns −1, 0 or 1 as x is negative, zero or positive, and
// NaN for NaN.
func signReference(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case x == 0:
		return 0
	}
	return math.Copysign(1, x)
}

// reluReference returns max(x, 0), NaN for NaN.
func reluReference(x float64) float64 {
	if math.IsNaN(x) {
		return x
	}
	return math.Max(x, 0)
}

// stepReference returns relu's derivative: 1 for x > 0, 0 for x ≤ 0 (the
// subgradient 0 at 0), NaN for NaN.
func stepReference(x float64) float64 {
	if math.IsNaN(x) {
		return x
	}
	if x > 0 {
		return 1
	}
	return 0
}

// log0Reference returns log x, and 0 at x = 0 (see OpLog0).
func log0Reference(x float64) float64 {
	if x == 0 {
		return 0
	}
	return math.Log(x)
}

// dtanhReference returns tanh′(x) = sech²(x) as (1/cosh x)², squared after
// the division so that it reaches the subnormals before cosh overflows.
func dtanhReference(x float64) float64 {
	r := 1 / math.Cosh(x)
	return r * r
}

// dsigmoidReference returns σ′(x) = σ(x) σ(−x) = sech²(x/2)/4 as
// (0.5/cosh(x/2))².
func dsigmoidReference(x float64) float64 {
	r := 0.5 / math.Cosh(0.5*x)
	return r * r
}

// recip0Reference returns 1/x, and 0 at x = 0 (the gradient of norm2 at 0).
func recip0Reference(x float64) float64 {
	if x == 0 {
		return 0
	}
	return 1 / x
}
