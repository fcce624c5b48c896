//go:build !(goexperiment.simd && amd64)

package runtime

// vectorised is false: this build has no vector block kernels (they need
// GOEXPERIMENT=simd on amd64).
const vectorised = false
