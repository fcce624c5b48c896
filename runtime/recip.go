package runtime

import "math"

// Log0 returns log x, or 0 when x is 0: the factor of the derivative of
// x^p in p, x^p·log0(x), which is then 0 at x = 0, its limit for p > 0,
// rather than 0·(−∞) = NaN.
func Log0(x float64) float64 {
	if x == 0 {
		return 0
	}
	return math.Log(x)
}

// Recip0 returns 1/x, or 0 when x is 0: the factor of the gradient of a
// Euclidean norm, which is taken as 0 at the origin.
func Recip0(x float64) float64 {
	if x == 0 {
		return 0
	}
	return 1 / x
}
