//go:build goexperiment.simd && amd64

package runtime

import (
	"math"
	"sync"
)

// narrowPlusTranspose sets the m×n c to (a + aᵀ)·op(b), a m×m and n at most
// plusTransposeCols, on AVX-512 vectors without forming a + aᵀ, and reports
// whether it did (it declines, writing nothing, where that kernel does not
// run and for the shapes narrowShape does not take). Each entry of c is one
// chain of fused multiply-adds in the order of the inner dimension from
// zero, over the entries of a + aᵀ formed as AddTransposeTo forms them (a's
// entry first, rounded once): the bits GemmFMA gives the formed sum with
// alpha 1 and beta 0. How: op(b) is copied into rows of 8 (zeros past n),
// and the team takes parts of plusTransposeGroups groups of eight rows; for
// each group plusTransposeNarrowAsm forms the group's rows of a + aᵀ in 4×4
// blocks (four rows of a, and four of its columns transposed in registers,
// read eight at a time, one cache line: a's rows are often a multiple of 4
// KiB apart, so that a column's lines evict each other from the caches) and
// multiplies them into the group's 8×8 entries of c in registers. The steps
// past a multiple of 4, and the rows past a multiple of 8, run one entry at
// a time, with math.FMA, continuing the same chains. a is read twice, once
// by rows and once by columns, and nothing of the size of a is written,
// where forming the sum writes m² entries and the product reads them back.
// The caller has checked the shapes and slices (MulPlusTranspose).
func narrowPlusTranspose(transB bool, m, n int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) bool {
	if !wideVectors || !narrowShape(m, n) {
		return false
	}
	g := narrowCalls.Get().(*narrowCall)
	*g = narrowCall{m: m, n: n, a: a, c: c, lda: lda, ldc: ldc, y: g.y}
	y := grow(&g.y, m*plusTransposeCols)
	for l := range m {
		row := y[l*plusTransposeCols : (l+1)*plusTransposeCols]
		clear(row[n:])
		if transB {
			for j := range n {
				row[j] = b[j*ldb+l]
			}
		} else {
			copy(row[:n], b[l*ldb:l*ldb+n])
		}
	}
	groups := m / 8
	Parts((groups+plusTransposeGroups-1)/plusTransposeGroups, g)
	for i := groups * 8; i < m; i++ {
		var z [plusTransposeCols]float64
		g.continueRow(z[:n], i, 0)
		copy(c[i*ldc:i*ldc+n], z[:n])
	}
	*g = narrowCall{y: g.y}
	narrowCalls.Put(g)
	return true
}

// narrowCall is one narrowPlusTranspose call as its parts see it: a, c,
// and op(b) copied into rows of 8 (y).
type narrowCall struct {
	m, n     int
	a, c, y  []float64
	lda, ldc int
}

var narrowCalls = sync.Pool{New: func() any { return new(narrowCall) }}

// RunPart computes the rows of c of part q, plusTransposeGroups groups of
// eight rows; Parts calls it.
func (g *narrowCall) RunPart(q int) {
	var s [32]float64
	var z [8 * plusTransposeCols]float64
	m, steps := g.m, g.m&^3
	for group := q * plusTransposeGroups; group < min((q+1)*plusTransposeGroups, m/8); group++ {
		i := 8 * group
		if !inside(g.a, g.lda, i+7, m-1) || !inside(g.a, g.lda, m-1, i+7) || len(g.y) < m*plusTransposeCols {
			panic("runtime: narrowPlusTranspose outside its matrix")
		}
		plusTransposeNarrowAsm(steps/4, &g.a[i*g.lda], &g.a[i], g.lda, &g.y[0], &s[0], &z[0])
		for r := range 8 {
			zr := z[r*plusTransposeCols : r*plusTransposeCols+g.n]
			g.continueRow(zr, i+r, steps)
			copy(g.c[(i+r)*g.ldc:(i+r)*g.ldc+g.n], zr)
		}
	}
}

// continueRow goes on with row i's chains z (its n entries of c) over the
// steps from l0 to m, one entry at a time: z_j = fma(a[i][l] + a[l][i],
// y_lj, z_j), the sum's entry a's first, as the kernel forms it.
func (g *narrowCall) continueRow(z []float64, i, l0 int) {
	for l := l0; l < g.m; l++ {
		v := g.a[i*g.lda+l] + g.a[l*g.lda+i]
		for j := range z {
			z[j] = math.FMA(v, g.y[l*plusTransposeCols+j], z[j])
		}
	}
}

// plusTransposeNarrowAsm is narrowPlusTranspose's kernel, in
// gemm_fma_amd64.s: the eight rows of c from row i over 4·blocks steps of
// a + aᵀ, r at a's entry (i, 0), t at (0, i), y the copy of op(b), s 32
// entries of scratch, z the 8×8 result, on unchecked pointers.
//
//go:noescape
func plusTransposeNarrowAsm(blocks int, r, t *float64, lda int, y, s, z *float64)
