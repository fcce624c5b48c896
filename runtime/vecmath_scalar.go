//go:build !(goexperiment.simd && amd64)

package runtime

import "math"

// vectorised is false: this build has no vector block kernels (they need
// GOEXPERIMENT=simd on amd64).
const vectorised = false

// expInPlace sets b[i] = math.Exp(b[i]). Its callers run only where
// vectorised, never in this build; it keeps them building.
func expInPlace(b []float64) {
	for i, x := range b {
		b[i] = math.Exp(x)
	}
}
