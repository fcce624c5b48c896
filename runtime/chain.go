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
	// sym is the factor that stands for M + Mᵀ and is multiplied in its two
	// terms (MulPlusTransposeTo), or -1.
	sym int
	// sum holds M + Mᵀ when MulPlusTransposeTo forms it, and ops and trans
	// the factors with it in M's place.
	sum   []float64
	ops   []blas64.General
	trans []bool
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
	c.shape("runtime.Chain.MulTo", dst, ops, trans)
	c.sym = -1
	c.plan(ops, trans, beta)
	c.next = 0
	c.product(ops, trans, dst, alpha, beta, 0, len(ops)-1)
}

// MulPlusTransposeTo is MulTo with factor s standing for ops[s] + ops[s]ᵀ
// (trans[s] is not read: the sum is its own transpose), where ops[s] is
// square. It takes the cheaper plan for the sizes of the call:
//   - the sum formed once (AddTransposeTo, into a buffer of the Chain's)
//     and the chain multiplied as MulTo does, or
//   - the sum never formed: the product that has factor s as an operand
//     made twice, with ops[s] and then with ops[s]ᵀ added (beta = 1).
//
// The second costs that product's multiplications again and saves the
// sum's write and its transposed read, which the plan counts as
// plusTransposeCost multiplications an entry: so (C + Cᵀ) X B Bᵀ with a
// narrow B, or (A + Aᵀ) x, never forms the sum, and (A + Aᵀ) W with a wide
// W does. Either plan is exact to rounding; for given sizes and backend it
// is always the same plan, so the same bits.
//
// MulPlusTransposeTo panics as MulTo does, and with a *ShapeError when
// ops[s] is not square.
func (c *Chain) MulPlusTransposeTo(dst blas64.General, alpha, beta float64, ops []blas64.General, trans []bool, s int) {
	c.shape("runtime.Chain.MulPlusTransposeTo", dst, ops, trans)
	if s < 0 || s >= len(ops) {
		panic("runtime: Chain.MulPlusTransposeTo of a factor index out of range")
	}
	n := ops[s].Rows
	CheckMatrix("runtime.Chain.MulPlusTransposeTo", "M", ops[s].Rows, ops[s].Cols, n, n, "n", "n")
	k := len(ops)
	c.sym = -1
	c.plan(ops, trans, beta)
	formed := c.cost[k-1] + plusTransposeCost()*n*n
	c.sym = s
	c.plan(ops, trans, beta)
	c.next = 0
	if c.cost[k-1] <= formed {
		c.product(ops, trans, dst, alpha, beta, 0, k-1)
		return
	}
	c.sym = -1
	sum := Mat(&c.sum, n, n)
	AddTransposeTo(sum, ops[s])
	c.ops = append(c.ops[:0], ops...)
	c.trans = append(c.trans[:0], trans...)
	c.ops[s], c.trans[s] = sum, false
	c.plan(c.ops, c.trans, beta)
	c.product(c.ops, c.trans, dst, alpha, beta, 0, k-1)
}

// plusTransposeCost is what MulPlusTransposeTo's plan counts forming
// M + Mᵀ at, in multiplications an entry: the transposed read and the
// write of the sum, against a product's multiply-adds, which the kernels
// run several to a cycle, fewer in pure Go than in a BLAS. B3's and B4's
// gradients on the Intel Xeon (2 cores, KVM; benchstat, 6 interleaved
// runs), where the sum is the only factor of its side: with OpenBLAS,
// (A + Aᵀ) W at n = 128, k = 32 (32 multiplications an entry again)
// 47.5 → 36.0 µs in two products, (C + Cᵀ)·(X B) at m = 512, p = 8 (8)
// 527 → 239 µs; in pure Go the first 56.6 → 66.5 µs (slower, so 16 here),
// the second 781 → 687 µs.
func plusTransposeCost() int {
	if pureGo(blas64.Implementation()) {
		return 16
	}
	return 64
}

// shape checks that the factors conform and dst is their product's shape,
// and fills c.dims.
func (c *Chain) shape(fn string, dst blas64.General, ops []blas64.General, trans []bool) {
	k := len(ops)
	if k < 2 || len(trans) != k {
		panic("runtime: Chain.MulTo needs two or more factors, each with its transpose flag")
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
}

// plan marks the symmetric pairs (gram) and fills the cost and split
// tables for the factors ops; a product with factor c.sym as an operand
// counts twice.
func (c *Chain) plan(ops []blas64.General, trans []bool, beta float64) {
	k := len(ops)
	c.gram = c.gram[:0]
	// Not when the pair is the whole chain and writes dst with beta ≠ 0:
	// Syrk's triangle would leave the other one unscaled.
	syrk := !vectorGonum() && (k > 2 || beta == 0)
	for i := 0; i+1 < k; i++ {
		big := c.dims[i]*c.dims[i+1]*c.dims[i+2] >= gramMin
		pair := syrk && big && trans[i] != trans[i+1] && sameMatrix(ops[i], ops[i+1])
		c.gram = append(c.gram, pair && i != c.sym && i+1 != c.sym)
	}
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
				mul := d[i] * d[s+1] * d[j+1]
				if c.twice(i, s, j) {
					mul *= 2
				}
				cost := c.cost[i*k+s] + c.cost[(s+1)*k+j] + mul
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

// twice reports whether the product of factors i..s and s+1..j has factor
// c.sym as an operand, so it is made twice.
func (c *Chain) twice(i, s, j int) bool {
	return c.sym >= 0 && (i == s && s == c.sym || s+1 == j && j == c.sym)
}

// operand returns factors i..j as one matrix and whether it is transposed:
// a single factor as given, a longer run multiplied into a buffer.
func (c *Chain) operand(ops []blas64.General, trans []bool, i, j int) (blas64.General, bool) {
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
	a, ta := c.operand(ops, trans, i, s)
	b, tb := c.operand(ops, trans, s+1, j)
	switch {
	case c.twice(i, s, j) && i == c.sym: // M + Mᵀ on the left
		c.gemm.Mul(blas.NoTrans, flag(tb), alpha, a, b, beta, dst)
		c.gemm.Mul(blas.Trans, flag(tb), alpha, a, b, 1, dst)
	case c.twice(i, s, j): // on the right
		c.gemm.Mul(flag(ta), blas.NoTrans, alpha, a, b, beta, dst)
		c.gemm.Mul(flag(ta), blas.Trans, alpha, a, b, 1, dst)
	default:
		c.gemm.Mul(flag(ta), flag(tb), alpha, a, b, beta, dst)
	}
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
