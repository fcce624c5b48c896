//go:build !(goexperiment.simd && amd64)

package runtime

import "math"

// vectorised is false: this build has no vector block kernels (they need
// GOEXPERIMENT=simd on amd64).
const vectorised = false

// expInPlace sets b[i] = math.Exp(b[i]): the exp block kernel, called
// directly so that a caller's stack buffer stays on its stack.
func expInPlace(b []float64) {
	for i, x := range b {
		b[i] = math.Exp(x)
	}
}
