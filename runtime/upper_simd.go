//go:build goexperiment.simd && amd64

package runtime

import "simd/archsimd"

// Go 1.26 built with GOEXPERIMENT=simd restores the full YMM or ZMM
// registers when a goroutine resumes from an asynchronous preemption (the
// signal the scheduler and the garbage collector use to stop a goroutine
// in a loop without calls: runtime.asyncPreempt) and does not end with
// VZEROUPPER. The thread is then in the processor's dirty-upper state,
// and every legacy-SSE instruction it runs (Go's scalar float64 code,
// math's assembly, gonum's pure-Go kernels) is slow until something
// clears it: math.Exp over 1,024 values took 1.2 ms instead of 5.4 µs
// after one runtime.GC (2-core Xeon, KVM, 2026-12-07; builds without the
// experiment restore only the XMM registers and are unaffected). Any
// goroutine may resume so at any time, gradgen's team helpers included,
// and stay slow for the rest of the call. So the upper halves are cleared
// where work starts (CleanVectorState): by every generated function
// before its computation, and in the runtime before each chunk a member of
// the team runs, before each part of a loop, and on entry to Gemm.Mul and
// Gemv, which may run gonum's SSE kernels. VZEROUPPER costs about a cycle.

// hasAVX reports whether the CPU has AVX, so that VZEROUPPER exists (and
// asyncPreempt restores YMM or ZMM registers).
var hasAVX = archsimd.X86.AVX()

// CleanVectorState leaves the upper halves of the vector registers clean
// (VZEROUPPER) on the calling thread, where the CPU has them. The runtime
// calls it where its work starts; code that times or runs its own scalar
// float64 work in a GOEXPERIMENT=simd build may call it too (gradgen's
// benchmarks do, before each timed call). It does nothing in other builds.
func CleanVectorState() {
	if hasAVX {
		archsimd.ClearAVXUpperBits()
	}
}

// upperStateInUse reports whether the upper halves of the YMM registers
// are dirty on this thread, where the CPU can tell (known): the tests'
// check of CleanVectorState.
//
//go:noescape
func upperStateInUse() (inUse, known bool)
