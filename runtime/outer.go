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
// are independent, so large outputs are split across the worker team
// (split.go) bit-identically. Below outerMinCols columns, or with a
// strided y, it is a cleared dst and Ger. It panics if the shapes disagree.
func OuterTo(dst blas64.General, alpha float64, x, y blas64.Vector) {
	if x.N != dst.Rows || y.N != dst.Cols {
		panic("runtime: OuterTo of vectors whose lengths are not the destination's dimensions")
	}
	if alpha == 0 {
		ZeroMatrix(dst)
		return
	}
	if y.Inc != 1 || dst.Cols < outerMinCols {
		ZeroMatrix(dst)
		blas64.Ger(alpha, x, y, dst)
		return
	}
	split(outerRows, kernelArgs{v: x, w: y, g: dst, alpha: alpha}, dst.Rows, dst.Cols)
}

// outerMinCols is the fewest columns OuterTo writes row by row: below, a
// call per row costs more than clearing dst and one Ger, which runs over
// four rows at a time (BenchmarkOuterTo on a loaded machine: even at 32×32,
// Ger 1.6× faster at 16×16, OuterTo 1.2× at 64×64 and 1.4–2.5× from
// 128×128 on).
const outerMinCols = 32

// outerRows writes rows [lo, hi) of OuterTo's result.
func outerRows(args kernelArgs, lo, hi int) {
	dst, x, n := args.g, args.v, args.g.Cols
	y := args.w.Data[:n]
	for i := lo; i < hi; i++ {
		floats.ScaleTo(dst.Data[i*dst.Stride:i*dst.Stride+n], args.alpha*x.Data[i*x.Inc], y)
	}
}
