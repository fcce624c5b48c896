package runtime

import (
	"math"
	"strconv"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// SymmetricToGeneral fills the n×n general matrix dst with the full
// symmetric matrix s, read from the triangle of s selected by s.Uplo. dst may
// use the storage of s with the same stride, in which case the other
// triangle is filled in place; it must not otherwise overlap s.
//
// SymmetricToGeneral panics with a *ShapeError if dst is not s.N×s.N, and
// panics if s.Uplo is neither blas.Upper nor blas.Lower.
func SymmetricToGeneral(dst blas64.General, s blas64.Symmetric) {
	CheckMatrix("runtime.SymmetricToGeneral", "dst", dst.Rows, dst.Cols, s.N, s.N, "n", "n")
	upper := isUpper("runtime.SymmetricToGeneral", s.Uplo)
	for i := 0; i < s.N; i++ {
		for j := i; j < s.N; j++ {
			v := s.Data[j*s.Stride+i]
			if upper {
				v = s.Data[i*s.Stride+j]
			}
			dst.Data[i*dst.Stride+j] = v
			dst.Data[j*dst.Stride+i] = v
		}
	}
}

// SymmetrizeTo sets dst to the symmetric part (g + gᵀ)/2 of the n×n general
// matrix g, writing only the triangle of dst selected by dst.Uplo (generated
// code uses blas.Upper, as *mat.SymDense does). This is the gradient with
// respect to a symmetric input given the gradient g with respect to the full
// matrix. dst may use the storage of g with the same stride; it must not
// otherwise overlap g.
//
// SymmetrizeTo panics with a *ShapeError if g is not dst.N×dst.N, and panics
// if dst.Uplo is neither blas.Upper nor blas.Lower.
func SymmetrizeTo(dst blas64.Symmetric, g blas64.General) {
	CheckMatrix("runtime.SymmetrizeTo", "g", g.Rows, g.Cols, dst.N, dst.N, "n", "n")
	upper := isUpper("runtime.SymmetrizeTo", dst.Uplo)
	for i := 0; i < dst.N; i++ {
		for j := i; j < dst.N; j++ {
			v := (g.Data[i*g.Stride+j] + g.Data[j*g.Stride+i]) / 2
			if upper {
				dst.Data[i*dst.Stride+j] = v
			} else {
				dst.Data[j*dst.Stride+i] = v
			}
		}
	}
}

// isUpper reports whether uplo is blas.Upper, and panics unless it is
// blas.Upper or blas.Lower.
func isUpper(fn string, uplo blas.Uplo) bool {
	switch uplo {
	case blas.Upper:
		return true
	case blas.Lower:
		return false
	}
	panic(fn + ": bad Uplo " + strconv.Itoa(int(uplo)))
}

// copyGeneral copies src into dst, which must have the same shape. dst may
// be src itself.
func copyGeneral(dst, src blas64.General) {
	for i := 0; i < src.Rows; i++ {
		copy(dst.Data[i*dst.Stride:i*dst.Stride+dst.Cols], src.Data[i*src.Stride:i*src.Stride+src.Cols])
	}
}

// allFinite reports whether every entry of a is finite.
func allFinite(a blas64.General) bool {
	for i := 0; i < a.Rows; i++ {
		for _, v := range a.Data[i*a.Stride : i*a.Stride+a.Cols] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
	}
	return true
}

// fillNaN sets every entry of a to NaN.
func fillNaN(a blas64.General) {
	nan := math.NaN()
	for i := 0; i < a.Rows; i++ {
		row := a.Data[i*a.Stride : i*a.Stride+a.Cols]
		for j := range row {
			row[j] = nan
		}
	}
}

// vecAsGeneral returns the n-vector v as an n×1 general matrix sharing its
// storage. It panics if v.Inc is not positive.
func vecAsGeneral(fn string, v blas64.Vector) blas64.General {
	if v.Inc <= 0 {
		panic(fn + ": non-positive vector increment")
	}
	return blas64.General{Rows: v.N, Cols: 1, Stride: v.Inc, Data: v.Data}
}

// transposeTile is the side of the square tiles a transposed read of a
// matrix of the given stride runs in: 32, or 16 when rows are a multiple
// of 4 KiB apart, where the 32 column reads of a tile fall in one set of an
// 8-way L1 cache and evict each other. BenchmarkAddTransposeTo (2-core AMD
// EPYC, 2026-12-04, interleaved): 16 against 32 −30 % at n = 512, −23 % at
// 1024, but +35 % at 1000 and +20 % at 128, whose rows are not so spaced;
// this rule against the constant 32: −28 % at 512, −23 % at 1024, ~ at 16
// and 1000, +9 % at 128 (the tile no longer a constant).
func transposeTile(stride int) int {
	if stride%512 == 0 {
		return 16
	}
	return 32
}

// mirrorUpper copies the strict upper triangle of the n×n g into its lower
// triangle, in square tiles (transposeTile) so that the column writes stay
// in cache: a tile below the diagonal is the transpose of its mirror above
// it, a diagonal tile mirrors itself.
func mirrorUpper(g blas64.General) {
	n, tile := g.Rows, transposeTile(g.Stride)
	for i0 := 0; i0 < n; i0 += tile {
		i1 := min(i0+tile, n)
		for j0 := i0; j0 < n; j0 += tile {
			j1 := min(j0+tile, n)
			for i := i0; i < i1; i++ {
				lo := max(j0, i+1)
				if lo >= j1 {
					continue
				}
				col := g.Data[lo*g.Stride+i:]
				for k, v := range g.Data[i*g.Stride+lo : i*g.Stride+j1] {
					col[k*g.Stride] = v
				}
			}
		}
	}
}

// AddTransposeTo sets the n×n matrix dst to a + aᵀ, the symmetric part of a
// times two, in square tiles so that the column reads of aᵀ stay in cache
// (where the vector kernels run, GOEXPERIMENT=simd on a CPU with AVX2 and
// FMA, each tile in 4×4 blocks transposed in registers: addTransposeTile).
// dst must not share memory with a. Each entry is written once, from a's
// row and a's column, so from transposeSplitMin entries the rows of tiles
// run on the team, changing no bit. (Writing each sum to both (i, j) and
// (j, i) reads a once but writes columns, and was slower: 8.4 → 12.8 µs at
// n = 128, BenchmarkAddTransposeTo.)
//
// AddTransposeTo panics with a *ShapeError if a is not square or dst is not
// its shape.
func AddTransposeTo(dst, a blas64.General) {
	n := a.Rows
	CheckMatrix("runtime.AddTransposeTo", "a", a.Rows, a.Cols, n, n, "n", "n")
	CheckMatrix("runtime.AddTransposeTo", "dst", dst.Rows, dst.Cols, n, n, "n", "n")
	tile := transposeTile(a.Stride)
	tiles := (n + tile - 1) / tile
	args := kernelArgs{g: dst, h: a}
	if n*n < transposeSplitMin {
		addTransposeRows(args, 0, tiles)
		return
	}
	split(addTransposeRows, args, tiles, tile*n)
}

// transposeSplitMin is the least number of entries from which
// AddTransposeTo runs on the team: memorySplitMin's default, which a BLAS
// backend does not raise, since C + Cᵀ comes before the products it feeds.
// BenchmarkAddTransposeTo, split against one piece (idle, 2026-12-05, 3
// runs): n = 512 234 → 136 µs, 1024 1037 → 625 µs; B4's FGrad at m = 512,
// n = 64, p = 8 with OpenBLAS 543 → 292 µs (split from 2²¹, as OuterTo
// there, it stayed at 537 µs).
var transposeSplitMin = 1 << 18

// addTransposeRows writes the rows of tiles [lo, hi) of AddTransposeTo's
// dst.
func addTransposeRows(args kernelArgs, lo, hi int) {
	dst, a := args.g, args.h
	n := a.Rows
	tile := transposeTile(a.Stride)
	for i0 := lo * tile; i0 < min(hi*tile, n); i0 += tile {
		i1 := min(i0+tile, n)
		for j0 := 0; j0 < n; j0 += tile {
			addTransposeTile(dst, a, i0, i1, j0, min(j0+tile, n))
		}
	}
}

// addTransposeScalar sets dst[i][j] = a[i][j] + a[j][i] for i in [i0, i1)
// and j in [j0, j1), one entry at a time; an empty range writes nothing.
func addTransposeScalar(dst, a blas64.General, i0, i1, j0, j1 int) {
	if j0 >= j1 {
		return
	}
	for i := i0; i < i1; i++ {
		d := dst.Data[i*dst.Stride+j0 : i*dst.Stride+j1]
		row := a.Data[i*a.Stride+j0 : i*a.Stride+j1]
		col := a.Data[j0*a.Stride+i:]
		for j := range d {
			d[j] = row[j] + col[j*a.Stride]
		}
	}
}

// AddSymmetricTo sets dst's stored triangle to alpha·src + beta·dst, src
// read from its own stored triangle: the symmetric gradient of a sum of
// symmetric terms, written on one triangle. beta = 0 does not read dst.
// dst must not share memory with src unless they are the same matrix.
//
// AddSymmetricTo panics with a *ShapeError if src is not dst's size.
func AddSymmetricTo(dst blas64.Symmetric, alpha float64, src blas64.Symmetric, beta float64) {
	CheckSymmetric("runtime.AddSymmetricTo", "src", src.N, dst.N, "n")
	upper := isUpper("runtime.AddSymmetricTo", dst.Uplo)
	same := src.Uplo == dst.Uplo
	data := src.Data[:len(src.Data):len(src.Data)] // rows sliced within its length, not its capacity
	for i := 0; i < dst.N; i++ {
		lo, hi := triangleRow(i, dst.N, upper)
		row := dst.Data[i*dst.Stride+lo : i*dst.Stride+hi]
		if same {
			// Row i of dst's triangle is row i of src's.
			combineRow(row, data[i*src.Stride+lo:i*src.Stride+hi], alpha, beta)
			continue
		}
		for k := range row {
			row[k] = combine(alpha, SymAt(src, i, lo+k), beta, row[k])
		}
	}
}

// combineRow sets dst[k] = alpha·src[k] + beta·dst[k] (combine's value)
// for every k of dst, src as long, not reading dst when beta is 0; the
// beta = 0 loop has no branch per entry.
func combineRow(dst, src []float64, alpha, beta float64) {
	src = src[:len(dst)]
	if beta == 0 {
		for k, x := range src {
			dst[k] = alpha * x
		}
		return
	}
	for k, x := range src {
		dst[k] = combine(alpha, x, beta, dst[k])
	}
}

// combine returns alpha·x + beta·y, not reading y when beta is 0 (y may be
// NaN there, in a destination not yet written).
func combine(alpha, x, beta, y float64) float64 {
	v := alpha * x
	if beta != 0 {
		v += beta * y
	}
	return v
}

// triangleRow returns the columns [lo, hi) of row i of an n×n matrix's
// stored triangle, the upper one when upper is set.
func triangleRow(i, n int, upper bool) (lo, hi int) {
	if upper {
		return i, n
	}
	return 0, i + 1
}
