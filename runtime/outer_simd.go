//go:build goexperiment.simd && amd64

package runtime

import "simd/archsimd"

// outerVecMinCols is the fewest columns OuterTo writes with outerRowsVec:
// a row of four is one multiply and one store.
const outerVecMinCols = 4

// outerRowsVec is outerRows four columns to a vector: each entry is
// round(round(alpha xᵢ) yⱼ), the same two multiplies in a lane, so its bits
// are outerRows's. alpha xᵢ is a vector multiply too: with no scalar (SSE)
// instruction inside the loops, one VZEROUPPER at the end suffices, where a
// VZEROUPPER per row, around a scalar alpha xᵢ, made the Gemv that follows
// OuterTo in B1 slower. The last one to three columns of every row follow
// in scalar code after the VZEROUPPER: a masked load or store of a short
// slice is what the race detector's pointer checks reject (a *[4]float64
// that may straddle the end of the allocation).
//
// A small destination (outerColumnOrderMax entries at most) or one of
// sixteen columns at most is written in column panels (outerPanelsVec),
// larger ones row by row (outerRowByRowVec).
func outerRowsVec(dst []float64, stride, rows int, alpha float64, x []float64, incX int, y []float64) {
	n := len(y)
	whole := n &^ 3
	if whole <= 16 || rows*whole <= outerColumnOrderMax {
		outerPanelsVec(dst, stride, rows, alpha, x, incX, y[:whole])
	} else {
		outerRowByRowVec(dst, stride, rows, alpha, x, incX, y[:whole])
	}
	archsimd.ClearAVXUpperBits()
	if whole < n {
		outerRows(dst[whole:], stride, rows, alpha, x, incX, y[whole:])
	}
}

// outerColumnOrderMax is the most entries outerRowsVec writes in column
// panels. A panel holds its sixteen entries of y in four registers down all
// the rows, where the row-by-row loop loads them again for every row. The
// two kernels called directly on the Intel Xeon (AVX-512, KVM; a
// throwaway benchmark, 2 runs), panels against rows: 16×16 30 against
// 73–75 ns, 32×32 111–116 against 215–217, 64×64 420–423 against 651–755,
// 128×128 3.3–3.4 against 3.2 µs and 512×512 113–114 against 72–75 µs (the
// panels pass over the rows once per sixteen columns, which costs once
// dst leaves the L1 and L2 caches). BenchmarkOuterTo at 16×16: 77 → 35–37
// ns.
const outerColumnOrderMax = 64 * 64

// outerPanelsVec writes the first len(y) columns (a multiple of four) of
// outerRowsVec's rows, sixteen columns down all the rows at a time, then
// four.
func outerPanelsVec(dst []float64, stride, rows int, alpha float64, x []float64, incX int, y []float64) {
	whole := len(y)
	a := archsimd.BroadcastFloat64x4(alpha)
	j := 0
	for ; j+16 <= whole; j += 16 {
		v := (*[16]float64)(y[j : j+16])
		y0 := archsimd.LoadFloat64x4((*[4]float64)(v[0:4]))
		y1 := archsimd.LoadFloat64x4((*[4]float64)(v[4:8]))
		y2 := archsimd.LoadFloat64x4((*[4]float64)(v[8:12]))
		y3 := archsimd.LoadFloat64x4((*[4]float64)(v[12:16]))
		for i := 0; i < rows; i++ {
			t := a.Mul(archsimd.BroadcastFloat64x4(x[i*incX]))
			r := (*[16]float64)(dst[i*stride+j : i*stride+j+16])
			t.Mul(y0).Store((*[4]float64)(r[0:4]))
			t.Mul(y1).Store((*[4]float64)(r[4:8]))
			t.Mul(y2).Store((*[4]float64)(r[8:12]))
			t.Mul(y3).Store((*[4]float64)(r[12:16]))
		}
	}
	for ; j < whole; j += 4 {
		y0 := archsimd.LoadFloat64x4((*[4]float64)(y[j : j+4]))
		for i := 0; i < rows; i++ {
			t := a.Mul(archsimd.BroadcastFloat64x4(x[i*incX]))
			t.Mul(y0).Store((*[4]float64)(dst[i*stride+j : i*stride+j+4]))
		}
	}
}

// outerRowByRowVec writes the first len(y) columns (a multiple of four) of
// outerRowsVec's rows one row at a time, sixteen columns a step through
// array pointers (one bounds check a step; at four a step the checks and
// loop control cost more than the multiplies and stores), then four.
func outerRowByRowVec(dst []float64, stride, rows int, alpha float64, x []float64, incX int, y []float64) {
	whole := len(y)
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
}
