//go:build !(goexperiment.simd && amd64)

package runtime

// CleanVectorState leaves the upper halves of the vector registers clean
// in a GOEXPERIMENT=simd build on amd64 (see upper_simd.go); here it does
// nothing: without the experiment Go restores only the XMM registers after
// an asynchronous preemption, which leaves no dirty upper halves.
func CleanVectorState() {}
