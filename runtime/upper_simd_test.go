//go:build goexperiment.simd && amd64

package runtime

import (
	goruntime "runtime"
	"simd/archsimd"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// dirtyUpper adds two vectors and leaves the upper halves of the YMM
// registers dirty, as code compiled from archsimd does without
// ClearAVXUpperBits, and as Go's asyncPreempt leaves them.
//
//go:noinline
func dirtyUpper(s *[4]float64) {
	archsimd.LoadFloat64x4(s).Add(archsimd.LoadFloat64x4(s)).Store(s)
}

// upperRecorder is a loop whose part k records whether it started with
// dirty upper halves, then leaves them dirty for whatever runs next on its
// thread.
type upperRecorder struct{ dirty []bool }

func (r *upperRecorder) RunPart(k int) {
	r.dirty[k], _ = upperStateInUse()
	var s [4]float64
	dirtyUpper(&s)
}

// TestCleanUpperState checks that the runtime's work starts with the upper
// halves clean however the thread left them (upper_simd.go): each part of
// a loop, on the caller and on the team, and the gonum kernels Gemm.Mul
// and Gemv may run. Without CleanVectorState the second round of parts
// starts on the threads the first round left dirty.
func TestCleanUpperState(t *testing.T) {
	if !hasAVX {
		t.Skip("no AVX")
	}
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	var s [4]float64
	dirtyUpper(&s)
	if inUse, known := upperStateInUse(); !known || !inUse {
		t.Skip("this CPU does not report the upper state (XGETBV 1)")
	}
	for _, parts := range []int{1, 16} {
		r := &upperRecorder{dirty: make([]bool, parts)}
		for round := range 3 {
			Parts(parts, r)
			for k, dirty := range r.dirty {
				if dirty {
					t.Errorf("Parts(%d), round %d: part %d started with dirty upper halves", parts, round, k)
				}
			}
		}
	}
	// A product and a matrix-vector product with a zero in a, which the
	// vector kernels leave to gonum's SSE code.
	a := blas64.General{Rows: 3, Cols: 3, Stride: 3, Data: []float64{0, 1, 2, 3, 4, 5, 6, 7, 8}}
	b := blas64.General{Rows: 3, Cols: 4, Stride: 4, Data: make([]float64, 12)}
	c := blas64.General{Rows: 3, Cols: 4, Stride: 4, Data: make([]float64, 12)}
	x := blas64.Vector{N: 3, Inc: 1, Data: []float64{1, 2, 3}}
	y := blas64.Vector{N: 3, Inc: 1, Data: make([]float64, 3)}
	var g Gemm
	for _, call := range []struct {
		name string
		run  func()
	}{
		{"Gemm.Mul", func() { g.Mul(blas.NoTrans, blas.NoTrans, 1, a, b, 0, c) }},
		{"Gemv", func() { Gemv(blas.NoTrans, 1, a, x, 0, y) }},
	} {
		dirtyUpper(&s)
		call.run()
		if inUse, _ := upperStateInUse(); inUse {
			t.Errorf("%s left the upper halves dirty: it ran gonum's SSE code so", call.name)
		}
	}
}
