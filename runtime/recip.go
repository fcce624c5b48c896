package runtime

// Recip0 returns 1/x, or 0 when x is 0: the factor of the gradient of a
// Euclidean norm, which is taken as 0 at the origin.
func Recip0(x float64) float64 {
	if x == 0 {
		return 0
	}
	return 1 / x
}
