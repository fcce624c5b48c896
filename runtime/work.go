package runtime

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
)

// Vec returns a contiguous vector of length n backed by *buf, growing
// *buf only when it is too short: generated code keeps its scratch space
// in pooled workspaces, so steady-state calls allocate nothing. The
// contents are not cleared.
func Vec(buf *[]float64, n int) blas64.Vector {
	return blas64.Vector{N: n, Inc: 1, Data: grow(buf, n)}
}

// Mat returns a contiguous r×c matrix backed by *buf, as Vec does.
func Mat(buf *[]float64, r, c int) blas64.General {
	return blas64.General{Rows: r, Cols: c, Stride: c, Data: grow(buf, r*c)}
}

func grow(buf *[]float64, n int) []float64 {
	if cap(*buf) < n {
		*buf = make([]float64, n)
	}
	*buf = (*buf)[:n]
	if poisonWorkspace {
		for k := range *buf {
			(*buf)[k] = math.NaN()
		}
	}
	return *buf
}

// poisonWorkspace makes Vec and Mat fill every buffer they hand out with
// NaN, so that a read of an entry generated code has not written in this
// call shows as NaN in its results. The gradgenpoison build tag sets it
// (poison.go); the differential oracle builds with it.
var poisonWorkspace bool

// Column returns the vector v as an n×1 matrix view.
func Column(v blas64.Vector) blas64.General {
	return blas64.General{Rows: v.N, Cols: 1, Stride: v.Inc, Data: v.Data}
}

// ZeroMatrix sets every entry of a to zero.
func ZeroMatrix(a blas64.General) {
	if a.Stride == a.Cols {
		clear(a.Data[:a.Rows*a.Cols])
		return
	}
	for i := 0; i < a.Rows; i++ {
		row := a.Data[i*a.Stride : i*a.Stride+a.Cols]
		for j := range row {
			row[j] = 0
		}
	}
}

// Norm returns the Frobenius norm of a without undue overflow.
func Norm(a blas64.General) float64 {
	norm := 0.0
	for i := 0; i < a.Rows; i++ {
		row := blas64.Vector{N: a.Cols, Inc: 1, Data: a.Data[i*a.Stride:]}
		norm = math.Hypot(norm, blas64.Nrm2(row))
	}
	return norm
}

// Upper returns the upper triangle of the n×n matrix g as a symmetric
// matrix, sharing g's storage: the view of a value known to be symmetric
// that reads one triangle. It panics with a *ShapeError if g is not square.
func Upper(g blas64.General) blas64.Symmetric {
	CheckSquare("runtime.Upper", "g", g.Rows, g.Cols)
	return blas64.Symmetric{Uplo: blas.Upper, N: g.Rows, Stride: g.Stride, Data: g.Data}
}

// Kronecker returns 1 when i == j and 0 otherwise: the entries of an
// identity matrix.
func Kronecker(i, j int) float64 {
	if i == j {
		return 1
	}
	return 0
}

// SymAt returns entry (i, j) of the symmetric matrix s, reading the stored
// triangle.
func SymAt(s blas64.Symmetric, i, j int) float64 {
	if (i > j) == (s.Uplo == blas.Upper) {
		i, j = j, i
	}
	return s.Data[i*s.Stride+j]
}

// MatrixDot returns Σᵢⱼ aᵢⱼ bᵢⱼ for matrices of one shape: a dot product of
// each row, added in row order, so the bits do not depend on the strides
// (a view and a copy of the same values give the same sum). It calls
// gonum's assembly dot directly: through the BLAS interface each call cost
// more than a short row's work (B3QuadTrace's FGrad at n = 16, k = 4
// spent 113 of its 600 ns in sixteen blas64.Dot calls of four entries
// each, on the OpenBLAS backend; 525 ns calling the assembly dot per row,
// 480 ns with one dot of the whole data where no row has a gap after it,
// whose bits then differed between a view and a copy).
func MatrixDot(a, b blas64.General) float64 {
	if b.Rows != a.Rows || b.Cols != a.Cols {
		panic("runtime: MatrixDot of matrices of different shapes")
	}
	s := 0.0
	for i := 0; i < a.Rows; i++ {
		s += floats.Dot(a.Data[i*a.Stride:i*a.Stride+a.Cols], b.Data[i*b.Stride:i*b.Stride+a.Cols])
	}
	return s
}

// MatrixAbsSum returns Σᵢⱼ |aᵢⱼ|, row by row, so that a view and a copy of
// a matrix give the same bits (review 69).
func MatrixAbsSum(a blas64.General) float64 {
	s := 0.0
	for i := 0; i < a.Rows; i++ {
		s += absSum(a.Data[i*a.Stride : i*a.Stride+a.Cols])
	}
	return s
}

// absSumScalar returns Σ|xᵢ| in four running sums, which do not wait on
// each other's additions.
func absSumScalar(x []float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += math.Abs(x[i])
		s1 += math.Abs(x[i+1])
		s2 += math.Abs(x[i+2])
		s3 += math.Abs(x[i+3])
	}
	for ; i < len(x); i++ {
		s0 += math.Abs(x[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// SymmetricAbsSum returns twice the sum of |aᵢⱼ| over a's stored triangle,
// at least Σᵢⱼ |aᵢⱼ| over all n² entries.
func SymmetricAbsSum(a blas64.Symmetric) float64 {
	upper := isUpper("runtime.SymmetricAbsSum", a.Uplo)
	s := 0.0
	for i := 0; i < a.N; i++ {
		lo, hi := triangleRow(i, a.N, upper)
		s += absSum(a.Data[i*a.Stride+lo : i*a.Stride+hi])
	}
	return 2 * s
}

// EulerLost reports whether f, read off its gradients by Euler's theorem
// (f = (1/d) Σ ⟨∂f/∂w, w⟩, generated FGrads of homogeneous functions), may
// be wrong beyond rounding: when f is not finite (an entry of a gradient
// overflowed) or |f| < 2⁻¹⁰²² Σ|w|, inputsAbs the sum of |w| over the
// inputs w, where gradient entries that underflow, each off by up to
// 2⁻¹⁰⁷⁴, add up to more than an ulp of f. The generated FGrad then
// computes f directly.
func EulerLost(f, inputsAbs float64) bool {
	return math.IsNaN(f) || math.IsInf(f, 0) || !(math.Abs(f) >= 0x1p-1022*inputsAbs)
}

// SymmetricDot returns Σᵢⱼ aᵢⱼ bᵢⱼ over all n² entries of two symmetric
// matrices, reading their stored triangles: tr(A B), since B = Bᵀ. Two
// triangles stored alike are read row by row, a dot product of each row's
// part; others entry by entry.
func SymmetricDot(a, b blas64.Symmetric) float64 {
	diag, off := 0.0, 0.0
	if a.Uplo == b.Uplo && (a.Uplo == blas.Upper || a.Uplo == blas.Lower) {
		for i := 0; i < a.N; i++ {
			ra, rb := a.Data[i*a.Stride:], b.Data[i*b.Stride:]
			diag += ra[i] * rb[i]
			if a.Uplo == blas.Upper {
				off += floats.Dot(ra[i+1:a.N], rb[i+1:a.N])
			} else {
				off += floats.Dot(ra[:i], rb[:i])
			}
		}
		return diag + 2*off
	}
	for i := 0; i < a.N; i++ {
		diag += SymAt(a, i, i) * SymAt(b, i, i)
		for j := i + 1; j < a.N; j++ {
			off += SymAt(a, i, j) * SymAt(b, i, j)
		}
	}
	return diag + 2*off
}

// panelElems is the number of matrix entries in one row panel: 256 KiB of
// float64, which stays in a 512 KiB L2 cache with room for the vectors.
// A BLAS backend raises it through SetPanelElems (runtime/openblas does) so
// that a panel's Gemv is large enough to go to the backend and its threads.
var panelElems = 1 << 15

// SetPanelElems sets the number of matrix entries in one row panel of the
// row-panel products (PanelRows), 1<<15 by default. It is the hook of BLAS
// backends such as github.com/gradgen/gradgen/runtime/openblas, which call it
// from their init function next to blas64.Use; it must not run concurrently
// with generated code. It panics if n < 1.
func SetPanelElems(n int) {
	if n < 1 {
		panic("runtime: SetPanelElems needs a positive number of entries")
	}
	panelElems = n
}

// panelMinRows is the fewest rows a row panel has (PanelRows).
var panelMinRows = 8

// PanelRows returns how many rows of a matrix with cols columns make one
// panel of about 256 KiB, at least 8.
func PanelRows(cols int) int {
	return max(panelMinRows, panelElems/max(cols, 1))
}

// RowPanel returns the view of rows r0 … r1−1 of a.
func RowPanel(a blas64.General, r0, r1 int) blas64.General {
	if r1 == r0 {
		return blas64.General{Rows: 0, Cols: a.Cols, Stride: a.Stride}
	}
	return blas64.General{Rows: r1 - r0, Cols: a.Cols, Stride: a.Stride, Data: a.Data[r0*a.Stride:]}
}

// SubVector returns the view of entries r0 … r1−1 of v.
func SubVector(v blas64.Vector, r0, r1 int) blas64.Vector {
	if r1 == r0 {
		return blas64.Vector{N: 0, Inc: v.Inc}
	}
	return blas64.Vector{N: r1 - r0, Inc: v.Inc, Data: v.Data[r0*v.Inc:]}
}
