package runtime

import (
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// OuterTo sets dst = alpha x yᵀ, writing each entry once: where a cleared
// dst and blas64.Ger read and write dst again, each row here is one scaled
// copy of y (gonum's ScalUnitaryTo), the memory traffic of dst halved. Its
// entries are Ger's, round(round(alpha xᵢ) yⱼ), except that a product −0 stays
// −0 (Ger adds it to +0); alpha = 0 gives zeros, as Ger leaves them. Rows
// are independent, so outputs of memorySplitMin entries and more are split
// across the worker team (split.go) bit-identically. The rows are written
// by kernels.outer: outerRows, or with vector code outerRowsVec (the same
// bits). Below its kernels.outerMinCols columns (32 scalar, 4 vector), or
// with a strided y, it is a cleared dst and Ger. It panics if the shapes
// disagree.
//
// The small path reads dst, x and y field by field: handing the structs on
// to an inlined helper (ZeroMatrix, blas64.Ger) copies them from where the
// register arguments were spilled, 8 bytes stored and 16 loaded, which
// stalls store-to-load forwarding — 13 ns of a 16×16 call (BenchmarkOuterTo).
func OuterTo(dst blas64.General, alpha float64, x, y blas64.Vector) {
	rows, cols, stride := dst.Rows, dst.Cols, dst.Stride
	if x.N != rows || y.N != cols {
		panic("runtime: OuterTo of vectors whose lengths are not the destination's dimensions")
	}
	if rows == 0 {
		return
	}
	if alpha != 0 && y.Inc == 1 && cols >= kernels.outerMinCols {
		if rows*cols < memorySplitMin {
			kernels.outer(dst.Data, stride, rows, alpha, x.Data, x.Inc, y.Data[:cols])
			return
		}
		split(outerPart, kernelArgs{v: x, w: y, g: dst, alpha: alpha}, rows, cols)
		return
	}
	if stride == cols {
		clear(dst.Data[:rows*cols])
	} else {
		for i := 0; i < rows; i++ {
			clear(dst.Data[i*stride : i*stride+cols])
		}
	}
	if alpha != 0 {
		blas64.Implementation().Dger(rows, cols, alpha, x.Data, x.Inc, y.Data, y.Inc, dst.Data, stride)
	}
}

// outerMinCols is the fewest columns OuterTo writes row by row: below, a
// call per row costs more than clearing dst and one Ger, which runs over
// four rows at a time (BenchmarkOuterTo on a loaded machine: even at 32×32,
// Ger 1.6× faster at 16×16, OuterTo 1.2× at 64×64 and 1.4–2.5× from
// 128×128 on).
const outerMinCols = 32

// outerPart writes rows [lo, hi) of OuterTo's result, a part of split.
func outerPart(args kernelArgs, lo, hi int) {
	dst, x := args.g, args.v
	kernels.outer(dst.Data[lo*dst.Stride:], dst.Stride, hi-lo, args.alpha, x.Data[lo*x.Inc:], x.Inc, args.w.Data[:dst.Cols])
}

// outerRows sets row i of dst (stride apart, len(y) columns) to
// round(alpha xᵢ) y for i < rows, xᵢ = x[i·incX]: a scaled copy of y per row
// (gonum's ScalUnitaryTo).
func outerRows(dst []float64, stride, rows int, alpha float64, x []float64, incX int, y []float64) {
	n := len(y)
	for i := 0; i < rows; i++ {
		floats.ScaleTo(dst[i*stride:i*stride+n], alpha*x[i*incX], y)
	}
}
