package runtime

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Chain multiplies a chain of three or more matrices in the order that
// costs the fewest multiplications for the sizes of the call, chosen by
// the classic dynamic programme over split points. Its zero value is
// ready; it keeps its tables and intermediate products between calls, so
// steady-state calls allocate nothing.
type Chain struct {
	dims []int // factor i is dims[i]×dims[i+1], transposes applied
	// gram[i] marks factors i and i+1 as one matrix and its transpose,
	// whose symmetric product symmetricPair forms from one triangle.
	gram  []bool
	cost  []int // cost[i*k+j]: multiplications for factors i..j
	split []int // split[i*k+j]: the last factor of the left part
	bufs  [][]float64
	next  int // next buffer to hand out in one MulTo
	gemm  Gemm
	// sym is the factor that stands for ops[sym] + ops[sym]ᵀ, formed in
	// sum where it is not multiplied by Gemm.MulPlusTranspose
	// (MulPlusTransposeTo); −1 in MulTo.
	sym int
	sum blas64.General
}

// MulTo sets dst = alpha·op(A₁)·…·op(Aₖ) + beta·dst, where op(Aᵢ) is Aᵢᵀ
// when trans[i] is set. dst must not share memory with any factor.
//
// Two neighbouring factors that are one matrix and its transpose, M Mᵀ or
// Mᵀ M (the same storage, see sameMatrix), make a symmetric product: where
// Syrk is cheaper than a full product (gram's rule: any BLAS but gonum's
// with vector code) and the product is not small (gramMin), the plan
// counts it at half its multiplications and symmetricPair forms it by
// Syrk on one triangle, mirrored.
//
// MulTo panics with a *ShapeError when consecutive factors do not conform
// or dst has the wrong shape, and if fewer than two factors are given.
func (c *Chain) MulTo(dst blas64.General, alpha, beta float64, ops []blas64.General, trans []bool) {
	c.sym, c.sum = -1, blas64.General{}
	c.mul("runtime.Chain.MulTo", dst, alpha, beta, ops, trans)
}

// MulPlusTransposeTo sets dst = alpha·F₁·…·Fₖ + beta·dst as MulTo does,
// where factor sym stands for ops[sym] + ops[sym]ᵀ (a square matrix, given
// as stored: trans[sym] must be false, the sum being its own transpose)
// and sum is a workspace of its shape. The order is MulTo's for the same sizes. Where
// the plan multiplies the sum, alone, from the left, Gemm.MulPlusTranspose
// runs that product, which forms the sum in sum only where the product
// does not run on gradgen's fused multiply-add kernels; anywhere else the
// sum is formed in sum by AddTransposeTo and multiplied as a factor.
// Invariant: each entry of the sum is formed as AddTransposeTo forms it
// either way, so the result is MulTo's of the formed sum but for the
// product MulPlusTranspose runs on those kernels (TestChainPlusTranspose).
// The factor is never half of a Gram pair (M Mᵀ by Syrk), since it is not
// the matrix ops[sym] it is given as.
//
// MulPlusTransposeTo panics as MulTo does, with a *ShapeError when
// ops[sym] is not square or sum is not its shape, and when trans[sym] is
// set.
func (c *Chain) MulPlusTransposeTo(dst blas64.General, alpha, beta float64, ops []blas64.General, trans []bool, sym int, sum blas64.General) {
	const fn = "runtime.Chain.MulPlusTransposeTo"
	if sym < 0 || sym >= len(ops) || sym >= len(trans) {
		panic(fn + ": the factor that stands for a sum is not one of the chain's")
	}
	if trans[sym] {
		panic(fn + ": the factor that stands for a sum is flagged transposed")
	}
	n := ops[sym].Rows
	CheckMatrix(fn, "factor", ops[sym].Rows, ops[sym].Cols, n, n, "n", "n")
	CheckMatrix(fn, "sum", sum.Rows, sum.Cols, n, n, "n", "n")
	c.sym, c.sum = sym, sum
	c.mul(fn, dst, alpha, beta, ops, trans)
	c.sum = blas64.General{}
}

// mul is MulTo and MulPlusTransposeTo, fn naming the method for its
// panics.
func (c *Chain) mul(fn string, dst blas64.General, alpha, beta float64, ops []blas64.General, trans []bool) {
	k := len(ops)
	if k < 2 || len(trans) != k {
		panic(fn + " needs two or more factors, each with its transpose flag")
	}
	c.dims = c.dims[:0]
	for i, a := range ops {
		r, col := a.Rows, a.Cols
		if trans[i] {
			r, col = col, r
		}
		if i == 0 {
			c.dims = append(c.dims, r)
		} else if r != c.dims[i] {
			CheckMatrix(fn, "factor", r, col, c.dims[i], col, "", "")
		}
		c.dims = append(c.dims, col)
	}
	CheckMatrix(fn, "dst", dst.Rows, dst.Cols, c.dims[0], c.dims[k], "", "")
	c.gram = c.gram[:0]
	// Not when the pair is the whole chain and writes dst with beta ≠ 0:
	// Syrk's triangle would leave the other one unscaled.
	syrk := !vectorGonum() && (k > 2 || beta == 0)
	for i := 0; i+1 < k; i++ {
		big := c.dims[i]*c.dims[i+1]*c.dims[i+2] >= gramMin
		sum := i == c.sym || i+1 == c.sym
		c.gram = append(c.gram, syrk && big && !sum && trans[i] != trans[i+1] && sameMatrix(ops[i], ops[i+1]))
	}
	c.plan(k)
	c.next = 0
	c.product(ops, trans, dst, alpha, beta, 0, k-1)
}

// plan fills the cost and split tables for k factors.
func (c *Chain) plan(k int) {
	if cap(c.cost) < k*k {
		c.cost = make([]int, k*k)
		c.split = make([]int, k*k)
	}
	c.cost, c.split = c.cost[:k*k], c.split[:k*k]
	d := c.dims
	for i := 0; i < k; i++ {
		c.cost[i*k+i] = 0
	}
	for length := 2; length <= k; length++ {
		for i := 0; i+length <= k; i++ {
			j := i + length - 1
			best, at := -1, i
			for s := i; s < j; s++ {
				cost := c.cost[i*k+s] + c.cost[(s+1)*k+j] + d[i]*d[s+1]*d[j+1]
				if length == 2 && c.gram[i] {
					cost /= 2 // one triangle
				}
				if best < 0 || cost < best {
					best, at = cost, s
				}
			}
			c.cost[i*k+j], c.split[i*k+j] = best, at
		}
	}
}

// operand returns factors i..j as one matrix and whether it is transposed:
// a single factor as given, a longer run multiplied into a buffer.
func (c *Chain) operand(ops []blas64.General, trans []bool, i, j int) (blas64.General, bool) {
	if i == j && i == c.sym {
		AddTransposeTo(c.sum, ops[i])
		return c.sum, false
	}
	if i == j {
		return ops[i], trans[i]
	}
	r, col := c.dims[i], c.dims[j+1]
	if c.next == len(c.bufs) {
		c.bufs = append(c.bufs, nil)
	}
	buf := Mat(&c.bufs[c.next], r, col)
	c.next++
	c.product(ops, trans, buf, 1, 0, i, j)
	return buf, false
}

// product sets dst = alpha·(factors i..j) + beta·dst, splitting where the
// plan says.
func (c *Chain) product(ops []blas64.General, trans []bool, dst blas64.General, alpha, beta float64, i, j int) {
	if j == i+1 && c.gram[i] {
		symmetricPair(dst, alpha, ops[i], trans[i])
		return
	}
	s := c.split[i*len(ops)+j]
	if s == i && i == c.sym {
		b, tb := c.operand(ops, trans, s+1, j)
		c.gemm.MulPlusTranspose(flag(tb), alpha, ops[i], b, beta, dst, c.sum)
		return
	}
	a, ta := c.operand(ops, trans, i, s)
	b, tb := c.operand(ops, trans, s+1, j)
	c.gemm.Mul(flag(ta), flag(tb), alpha, a, b, beta, dst)
}

// gramMin is the fewest multiply-adds of M Mᵀ in full from which Chain
// forms it by Syrk on one triangle: below, the Syrk call and the mirror
// cost more than the half product saves. X M Mᵀ, all n×n, with OpenBLAS
// (2 CPUs, idle, 2026-12-06), Syrk against two products: n = 8 591 against
// 344 ns, 16 1134 against 848, 32 4.13 against 4.80 µs, 64 23.6 against
// 26.9, 128 156 against 188.
const gramMin = 32 * 32 * 32

// symmetricPair sets the square dst to alpha·op(m)·op(m)ᵀ, op(m) = mᵀ when
// trans: Syrk writes the upper triangle, which is then mirrored into the
// lower (dst's old entries are not read). The product is symmetric because
// its two factors are one matrix, which MulTo checked (sameMatrix).
func symmetricPair(dst blas64.General, alpha float64, m blas64.General, trans bool) {
	blas64.Syrk(flag(trans), alpha, m, 0, blas64.Symmetric{Uplo: blas.Upper, N: dst.Rows, Stride: dst.Stride, Data: dst.Data})
	mirrorUpper(dst)
}

// sameMatrix reports whether a and b are one matrix: the same first
// element, shape and stride.
func sameMatrix(a, b blas64.General) bool {
	return a.Rows == b.Rows && a.Cols == b.Cols && a.Stride == b.Stride &&
		len(a.Data) > 0 && len(b.Data) > 0 && &a.Data[0] == &b.Data[0]
}

func flag(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}
