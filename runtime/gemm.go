package runtime

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// narrowCols is the widest output for which Gemm.Mul reorients a product:
// gonum's pure-Go kernels for NoTrans·NoTrans and Trans·NoTrans run
// axpys along the output's rows, which are slow when the rows are short,
// while NoTrans·Trans runs dots along the inner dimension. Measured on a
// 2-core AMD EPYC (BenchmarkGemm), reorienting wins 1.6–3.5× for
// outputs 4 to 32 columns wide and nothing at 64.
const narrowCols = 32

// Gemm computes general matrix products like blas64.Gemm, in the
// orientation gonum's kernels run fastest for the shapes of the call. Its
// zero value is ready; it keeps its scratch between calls, so steady-state
// calls allocate nothing. A Gemm must not be used by two goroutines at once.
type Gemm struct {
	buf []float64
}

// Mul sets c = alpha·op(a)·op(b) + beta·c, where op(x) is xᵀ when its flag
// is blas.Trans. c must not share memory with a or b. For an output at
// most narrowCols wide and taller than wide it transposes the small
// operand into scratch so that the kernel runs dots; both operands
// transposed run as (b·a)ᵀ. Otherwise it is one blas64.Gemm call.
//
// Mul panics as blas64.Gemm does when the shapes do not conform.
func (g *Gemm) Mul(tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	narrow := c.Cols <= narrowCols && c.Cols < c.Rows
	switch {
	case tA == blas.Trans && tB == blas.Trans:
		// aᵀ bᵀ = (b a)ᵀ: gonum's Gemm is far slower with both transposed.
		t := Mat(&g.buf, c.Cols, c.Rows)
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, b, a, 0, t)
		addTransposed(c, alpha, t, beta)
	case narrow && tA == blas.NoTrans && tB == blas.NoTrans:
		// a b with b narrow: a (bᵀ)ᵀ runs as dots of a's rows and bᵀ's rows.
		bt := Mat(&g.buf, b.Cols, b.Rows)
		transposeTo(bt, b)
		blas64.Gemm(blas.NoTrans, blas.Trans, alpha, a, bt, beta, c)
	case narrow && tA == blas.Trans && tB == blas.NoTrans:
		// aᵀ b = (bᵀ a)ᵀ: bᵀ a is wide, so its axpys are long.
		t := Mat(&g.buf, c.Cols, c.Rows)
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, b, a, 0, t)
		addTransposed(c, alpha, t, beta)
	default:
		blas64.Gemm(tA, tB, alpha, a, b, beta, c)
	}
}

// transposeTo sets dst = srcᵀ; dst is src.Cols×src.Rows.
func transposeTo(dst, src blas64.General) {
	for i := 0; i < src.Rows; i++ {
		for j, v := range src.Data[i*src.Stride : i*src.Stride+src.Cols] {
			dst.Data[j*dst.Stride+i] = v
		}
	}
}

// addTransposed sets c = alpha·tᵀ + beta·c.
func addTransposed(c blas64.General, alpha float64, t blas64.General, beta float64) {
	for i := 0; i < c.Rows; i++ {
		row := c.Data[i*c.Stride : i*c.Stride+c.Cols]
		for j := range row {
			v := alpha * t.Data[j*t.Stride+i]
			if beta != 0 {
				v += beta * row[j]
			}
			row[j] = v
		}
	}
}
