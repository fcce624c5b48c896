//go:build goexperiment.simd && amd64

package runtime

import "simd/archsimd"

// outerVecMinCols is the fewest columns OuterTo writes with outerRowsVec:
// a row of four is one multiply and one store.
const outerVecMinCols = 4

// outerRowsVec is outerRows four columns to a vector: each entry is
// round(round(alpha xᵢ) yⱼ), the same two multiplies in a lane, so its bits
// are outerRows's. alpha xᵢ is a vector multiply too: with no scalar (SSE)
// instruction inside the loop, one VZEROUPPER at the end suffices, where a
// VZEROUPPER per row, around a scalar alpha xᵢ, made the Gemv that follows
// OuterTo in B1 slower (BenchmarkOuterToAfterGemv: 16×16 Gemv and OuterTo
// 93 ns that way, 83–87 this way, 101–105 with a cleared dst and Ger). The
// loop runs sixteen columns a step through array pointers (one bounds check
// a step; at four a step the checks and loop control cost more than the
// multiplies and stores: 78 against 34 ns at 16×16), then four. The last
// one to three columns of every row follow in scalar code after the
// VZEROUPPER: a masked load or store of a short slice is what the race
// detector's pointer checks reject (a *[4]float64 that may straddle the end
// of the allocation).
func outerRowsVec(dst []float64, stride, rows int, alpha float64, x []float64, incX int, y []float64) {
	n := len(y)
	whole := n &^ 3
	a := archsimd.BroadcastFloat64x4(alpha)
	for i := 0; i < rows; i++ {
		t := a.Mul(archsimd.BroadcastFloat64x4(x[i*incX]))
		row := dst[i*stride : i*stride+whole]
		j := 0
		for ; j+16 <= whole; j += 16 {
			r, v := (*[16]float64)(row[j:j+16]), (*[16]float64)(y[j:j+16])
			t.Mul(archsimd.LoadFloat64x4((*[4]float64)(v[0:4]))).Store((*[4]float64)(r[0:4]))
			t.Mul(archsimd.LoadFloat64x4((*[4]float64)(v[4:8]))).Store((*[4]float64)(r[4:8]))
			t.Mul(archsimd.LoadFloat64x4((*[4]float64)(v[8:12]))).Store((*[4]float64)(r[8:12]))
			t.Mul(archsimd.LoadFloat64x4((*[4]float64)(v[12:16]))).Store((*[4]float64)(r[12:16]))
		}
		for ; j < whole; j += 4 {
			t.Mul(archsimd.LoadFloat64x4((*[4]float64)(y[j : j+4]))).Store((*[4]float64)(row[j : j+4]))
		}
	}
	archsimd.ClearAVXUpperBits()
	if whole < n {
		outerRows(dst[whole:], stride, rows, alpha, x, incX, y[whole:])
	}
}
