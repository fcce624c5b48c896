package bench

// Expert hand-written gonum implementations of the suite's eight functions,
// the baseline the generated code is measured against.
//
// Each case is a struct that holds its scratch buffers; the buffers grow to
// the largest shape seen and are reused, so after the first call at a size
// nothing is allocated. A struct is not safe for concurrent use (one per
// goroutine). F returns f; FGrad returns f and overwrites the gradient
// destinations, in the order and shapes of the generated FGrad.
//
// The implementations use what an engineer who knows the algebra and gonum
// would use: transpose flags instead of transposes, one BLAS call per
// product, tr(AB) as a sum of elementwise products, the symmetric parts
// A + Aᵀ formed once, Cholesky for spd matrices and the factor of C to turn
// S⁻¹CS⁻¹ into a rank-n Syrk, and fused elementwise loops that evaluate
// each transcendental once.

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// grow returns (*buf)[:n], reallocating only when the capacity is short.
func grow(buf *[]float64, n int) []float64 {
	if cap(*buf) < n {
		*buf = make([]float64, n)
	}
	return (*buf)[:n]
}

// general returns an r×c matrix, stride c, backed by *buf.
func general(buf *[]float64, r, c int) blas64.General {
	return blas64.General{Rows: r, Cols: c, Stride: max(c, 1), Data: grow(buf, r*c)}
}

// vector returns a contiguous vector of length n backed by *buf.
func vector(buf *[]float64, n int) blas64.Vector {
	return blas64.Vector{N: n, Inc: 1, Data: grow(buf, n)}
}

func checkShape(fn, arg string, r, c, wantR, wantC int) {
	if r != wantR || c != wantC {
		panic(fmt.Sprintf("bench: %s: %s is %d×%d, want %d×%d", fn, arg, r, c, wantR, wantC))
	}
}

// sumProd returns Σᵢⱼ aᵢⱼ bᵢⱼ = tr(aᵀb) for two matrices of the same shape.
func sumProd(a, b blas64.General) float64 {
	s := 0.0
	for i := 0; i < a.Rows; i++ {
		ar := a.Data[i*a.Stride : i*a.Stride+a.Cols]
		br := b.Data[i*b.Stride : i*b.Stride+a.Cols]
		for j, v := range ar {
			s += v * br[j]
		}
	}
	return s
}

// symPartTo sets the n×n matrix dst to a + aᵀ, row by row within 32×32
// tiles so that the column reads of aᵀ stay in cache.
func symPartTo(dst, a blas64.General) {
	const tile = 32
	n := a.Rows
	for i0 := 0; i0 < n; i0 += tile {
		i1 := min(i0+tile, n)
		for j0 := 0; j0 < n; j0 += tile {
			j1 := min(j0+tile, n)
			for i := i0; i < i1; i++ {
				d := dst.Data[i*dst.Stride+j0 : i*dst.Stride+j1]
				r := a.Data[i*a.Stride+j0 : i*a.Stride+j1]
				col := a.Data[j0*a.Stride+i:]
				for j := range d {
					d[j] = r[j] + col[j*a.Stride]
				}
			}
		}
	}
}

// outerTo sets the m×n matrix dst to u vᵀ: a memclr of dst and one Ger
// (an assembly Axpy per row).
func outerTo(dst blas64.General, u, v blas64.Vector) {
	if dst.Stride == dst.Cols {
		clear(dst.Data[:dst.Rows*dst.Cols])
	} else {
		for i := 0; i < dst.Rows; i++ {
			clear(dst.Data[i*dst.Stride : i*dst.Stride+dst.Cols])
		}
	}
	blas64.Ger(1, u, v, dst)
}

// B1BilinearHand computes the bilinear form
//
//	f = aᵀ X b,  ∂f/∂X = a bᵀ
//
// with one Gemv and a Dot for f and a memclr and a Ger for the outer
// product.
type B1BilinearHand struct {
	xb []float64
}

// F returns aᵀXb.
func (h *B1BilinearHand) F(a *mat.VecDense, X *mat.Dense, b *mat.VecDense) float64 {
	m, n := X.Dims()
	checkShape("B1BilinearHand.F", "a, b", a.Len(), b.Len(), m, n)
	xb := vector(&h.xb, m)
	blas64.Gemv(blas.NoTrans, 1, X.RawMatrix(), b.RawVector(), 0, xb)
	return blas64.Dot(a.RawVector(), xb)
}

// FGrad returns aᵀXb and sets dX = a bᵀ.
func (h *B1BilinearHand) FGrad(a *mat.VecDense, X *mat.Dense, b *mat.VecDense, dX *mat.Dense) float64 {
	f := h.F(a, X, b)
	r, c := dX.Dims()
	checkShape("B1BilinearHand.FGrad", "dX", r, c, a.Len(), b.Len())
	outerTo(dX.RawMatrix(), a.RawVector(), b.RawVector())
	return f
}

// B2ExpMixHand computes the exponential mixture
//
//	f = aᵀ exp(X b),  ∂f/∂X = (a ⊙ exp(X b)) bᵀ
//
// with one Gemv, one fused loop computing u = a ⊙ exp(Xb) and f = Σ u, and
// a memclr and a Ger for the outer product u bᵀ.
type B2ExpMixHand struct {
	u []float64
}

// F returns aᵀ exp(Xb).
func (h *B2ExpMixHand) F(a *mat.VecDense, X *mat.Dense, b *mat.VecDense) float64 {
	m, n := X.Dims()
	checkShape("B2ExpMixHand.F", "a, b", a.Len(), b.Len(), m, n)
	return h.value(a, X, b)
}

// value sets h.u to a ⊙ exp(Xb) and returns its sum.
func (h *B2ExpMixHand) value(a *mat.VecDense, X *mat.Dense, b *mat.VecDense) float64 {
	m, _ := X.Dims()
	u := vector(&h.u, m)
	blas64.Gemv(blas.NoTrans, 1, X.RawMatrix(), b.RawVector(), 0, u)
	ar := a.RawVector()
	f := 0.0
	for i, z := range u.Data {
		v := ar.Data[i*ar.Inc] * math.Exp(z)
		u.Data[i] = v
		f += v
	}
	return f
}

// FGrad returns aᵀ exp(Xb) and sets dX = (a ⊙ exp(Xb)) bᵀ.
func (h *B2ExpMixHand) FGrad(a *mat.VecDense, X *mat.Dense, b *mat.VecDense, dX *mat.Dense) float64 {
	m, n := X.Dims()
	checkShape("B2ExpMixHand.FGrad", "a, b", a.Len(), b.Len(), m, n)
	r, c := dX.Dims()
	checkShape("B2ExpMixHand.FGrad", "dX", r, c, m, n)
	f := h.value(a, X, b)
	outerTo(dX.RawMatrix(), vector(&h.u, m), b.RawVector())
	return f
}

// B3QuadTraceHand computes the quadratic trace, A n×n, W n×k,
//
//	f = tr(Wᵀ A W),  ∂f/∂W = (A + Aᵀ) W
//
// on the transpose Wᵀ (k×n, a cheap copy), so that gonum's Gemm kernels run
// along rows of length n rather than k. F is one Gemm P = Wᵀ A and
// f = Σ P ⊙ Wᵀ. FGrad forms S = A + Aᵀ once, one Gemm Gᵀ = Wᵀ S, and reads
// f off the gradient: tr(Wᵀ S W) = 2f, so f = ½ Σ Gᵀ ⊙ Wᵀ, no second
// product; dW is Gᵀ transposed.
type B3QuadTraceHand struct {
	wt, p, s []float64
}

// transposed checks the shapes and returns Wᵀ in h.wt.
func (h *B3QuadTraceHand) transposed(fn string, A, W *mat.Dense) blas64.General {
	n, k := W.Dims()
	r, c := A.Dims()
	checkShape(fn, "A", r, c, n, n)
	w, wt := W.RawMatrix(), general(&h.wt, k, n)
	for i := 0; i < n; i++ {
		for j, v := range w.Data[i*w.Stride : i*w.Stride+k] {
			wt.Data[j*wt.Stride+i] = v
		}
	}
	return wt
}

// F returns tr(WᵀAW).
func (h *B3QuadTraceHand) F(A, W *mat.Dense) float64 {
	wt := h.transposed("B3QuadTraceHand.F", A, W)
	p := general(&h.p, wt.Rows, wt.Cols)
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, wt, A.RawMatrix(), 0, p)
	return sumProd(wt, p)
}

// FGrad returns tr(WᵀAW) and sets dW = (A + Aᵀ)W.
func (h *B3QuadTraceHand) FGrad(A, W, dW *mat.Dense) float64 {
	wt := h.transposed("B3QuadTraceHand.FGrad", A, W)
	k, n := wt.Rows, wt.Cols
	r, c := dW.Dims()
	checkShape("B3QuadTraceHand.FGrad", "dW", r, c, n, k)
	s, gt := general(&h.s, n, n), general(&h.p, k, n)
	symPartTo(s, A.RawMatrix())
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, wt, s, 0, gt)
	g := dW.RawMatrix()
	for i := 0; i < n; i++ {
		row := g.Data[i*g.Stride : i*g.Stride+k]
		for j := range row {
			row[j] = gt.Data[j*gt.Stride+i]
		}
	}
	return 0.5 * sumProd(wt, gt)
}

// B4SandwichHand computes the sandwich trace, B n×p, X m×n, C m×m,
//
//	f = tr(Bᵀ Xᵀ C X B),  ∂f/∂X = (C + Cᵀ) X B Bᵀ
//
// through the thin factor both need, kept as its transpose Yᵀ = Bᵀ Xᵀ
// (p×m): f = tr(Yᵀ C Y) = Σ Yᵀ ⊙ (Yᵀ C), and with Gᵀ = Yᵀ (C + Cᵀ),
// ∂f/∂X = G Bᵀ and f = ½ Σ Yᵀ ⊙ Gᵀ. F is two Gemms (2mnp + 2m²p flops),
// FGrad three (4mnp + 2m²p) plus the m² pass forming C + Cᵀ. The
// orientation keeps gonum's Gemm kernels on long rows when p is small: Yᵀ
// as Bᵀ·Xᵀ with Bᵀ copied (p×n, cheap) and X by its transpose flag, never
// Gemm(Trans, Trans), which gonum runs an order of magnitude slower.
type B4SandwichHand struct {
	bt, yt, zt, s []float64
}

// thin checks the shapes and sets h.yt = Yᵀ = Bᵀ Xᵀ, returning Bᵀ and Yᵀ.
func (h *B4SandwichHand) thin(fn string, B, X, C *mat.Dense) (bt, yt blas64.General) {
	m, n := X.Dims()
	r, p := B.Dims()
	checkShape(fn, "B", r, p, n, p)
	r, c := C.Dims()
	checkShape(fn, "C", r, c, m, m)
	braw := B.RawMatrix()
	bt = general(&h.bt, p, n)
	for i := 0; i < n; i++ {
		for j, v := range braw.Data[i*braw.Stride : i*braw.Stride+p] {
			bt.Data[j*bt.Stride+i] = v
		}
	}
	yt = general(&h.yt, p, m)
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, bt, X.RawMatrix(), 0, yt)
	return bt, yt
}

// F returns tr(BᵀXᵀCXB).
func (h *B4SandwichHand) F(B, X, C *mat.Dense) float64 {
	_, yt := h.thin("B4SandwichHand.F", B, X, C)
	zt := general(&h.zt, yt.Rows, yt.Cols)
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, yt, C.RawMatrix(), 0, zt)
	return sumProd(yt, zt)
}

// FGrad returns tr(BᵀXᵀCXB) and sets dX = (C + Cᵀ)XBBᵀ.
func (h *B4SandwichHand) FGrad(B, X, C, dX *mat.Dense) float64 {
	bt, yt := h.thin("B4SandwichHand.FGrad", B, X, C)
	m, n := X.Dims()
	r, c := dX.Dims()
	checkShape("B4SandwichHand.FGrad", "dX", r, c, m, n)
	s, gt := general(&h.s, m, m), general(&h.zt, yt.Rows, m)
	symPartTo(s, C.RawMatrix())
	// Gᵀ = Yᵀ S = Yᵀ Sᵀ: S is symmetric, and the transposed form runs as dots.
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, yt, s, 0, gt)
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, gt, bt, 0, dX.RawMatrix())
	return 0.5 * sumProd(yt, gt)
}

// B5LogRegHand computes the L2-regularised logistic loss, X n×d,
//
//	f = Σᵢ softplus(−yᵢ zᵢ) + λ/2 wᵀw,  z = X w
//	∂f/∂w = λ w − Xᵀ (y ⊙ σ(−y ⊙ z))
//
// with a Gemv for z, one fused loop that computes e = exp(−|t|) once per
// sample for both the stable softplus(t) = max(t, 0) + log1p(e) and the
// stable σ(t), and a Gemv with Trans accumulating onto λw.
type B5LogRegHand struct {
	z []float64
}

// F returns the loss.
func (h *B5LogRegHand) F(X *mat.Dense, y, w *mat.VecDense, lambda float64) float64 {
	n, d := X.Dims()
	checkShape("B5LogRegHand.F", "y, w", y.Len(), w.Len(), n, d)
	z := vector(&h.z, n)
	wr := w.RawVector()
	blas64.Gemv(blas.NoTrans, 1, X.RawMatrix(), wr, 0, z)
	yr := y.RawVector()
	f := 0.0
	for i, zi := range z.Data {
		t := -yr.Data[i*yr.Inc] * zi
		f += max(t, 0) + math.Log1p(math.Exp(-math.Abs(t)))
	}
	return f + 0.5*lambda*blas64.Dot(wr, wr)
}

// FGrad returns the loss and sets dw = λw − Xᵀ(y ⊙ σ(−y ⊙ Xw)).
func (h *B5LogRegHand) FGrad(X *mat.Dense, y, w *mat.VecDense, lambda float64, dw *mat.VecDense) float64 {
	n, d := X.Dims()
	checkShape("B5LogRegHand.FGrad", "y, w", y.Len(), w.Len(), n, d)
	checkShape("B5LogRegHand.FGrad", "dw", dw.Len(), 1, d, 1)
	z := vector(&h.z, n)
	xr, wr, yr := X.RawMatrix(), w.RawVector(), y.RawVector()
	blas64.Gemv(blas.NoTrans, 1, xr, wr, 0, z)
	f := 0.0
	for i, zi := range z.Data {
		yi := yr.Data[i*yr.Inc]
		t := -yi * zi
		e := math.Exp(-math.Abs(t))
		f += max(t, 0) + math.Log1p(e)
		s := 1 / (1 + e) // σ(t) for t ≥ 0
		if t < 0 {
			s = e * s
		}
		z.Data[i] = -yi * s // the residual ∂f/∂zᵢ, in place of zᵢ
	}
	dwr := dw.RawVector()
	for j := 0; j < d; j++ {
		dwr.Data[j*dwr.Inc] = lambda * wr.Data[j*wr.Inc]
	}
	blas64.Gemv(blas.Trans, 1, xr, z, 1, dwr)
	return f + 0.5*lambda*blas64.Dot(wr, wr)
}

// B6GaussNLLHand computes the Gaussian negative log-likelihood, S and C spd
// n×n,
//
//	f = logdet(S) + tr(S⁻¹ C),  ∂f/∂S = S⁻¹ − S⁻¹ C S⁻¹  (symmetric)
//
// S = UᵀU by Potrf gives logdet(S) = 2 Σ log Uᵢᵢ and Potri gives S⁻¹; the
// trace of a product of symmetric matrices is Σ over the upper triangles
// (off-diagonal terms twice). For the gradient, C = VᵀV by Potrf turns
// S⁻¹CS⁻¹ into G Gᵀ with G = S⁻¹Vᵀ: one Trmm (n³ flops) and one Syrk
// (n³) instead of two n×n Gemms (4n³). If C is not numerically positive
// definite, two Symm products are used instead. A non-positive-definite S
// gives f = NaN and an all-NaN gradient.
type B6GaussNLLHand struct {
	inv, v, g, q []float64
}

// factorInverse sets h.inv's upper triangle to S⁻¹ and returns logdet(S),
// or NaN if S is not positive definite.
func (h *B6GaussNLLHand) factorInverse(S *mat.SymDense) (blas64.Symmetric, float64) {
	n := S.SymmetricDim()
	inv := blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: max(n, 1), Data: grow(&h.inv, n*n)}
	copyUpper(inv, S.RawSymmetric())
	t, ok := lapack64.Potrf(inv)
	if !ok {
		return inv, math.NaN()
	}
	logdet := 0.0
	for i := 0; i < n; i++ {
		logdet += math.Log(t.Data[i*t.Stride+i])
	}
	if _, ok := lapack64.Potri(t); !ok {
		return inv, math.NaN()
	}
	return inv, 2 * logdet
}

// copyUpper copies the upper triangle of the symmetric src into dst's.
func copyUpper(dst, src blas64.Symmetric) {
	if src.Uplo != blas.Upper {
		panic("bench: symmetric matrix not stored in its upper triangle")
	}
	for i := 0; i < src.N; i++ {
		copy(dst.Data[i*dst.Stride+i:i*dst.Stride+src.N], src.Data[i*src.Stride+i:i*src.Stride+src.N])
	}
}

// traceSym returns tr(A B) = Σᵢⱼ Aᵢⱼ Bᵢⱼ for symmetric A and B, reading
// only their upper triangles.
func traceSym(a, b blas64.Symmetric) float64 {
	diag, off := 0.0, 0.0
	for i := 0; i < a.N; i++ {
		ar := a.Data[i*a.Stride+i : i*a.Stride+a.N]
		br := b.Data[i*b.Stride+i : i*b.Stride+a.N]
		diag += ar[0] * br[0]
		for j := 1; j < len(ar); j++ {
			off += ar[j] * br[j]
		}
	}
	return diag + 2*off
}

// F returns logdet(S) + tr(S⁻¹C).
func (h *B6GaussNLLHand) F(S, C *mat.SymDense) float64 {
	checkShape("B6GaussNLLHand.F", "C", C.SymmetricDim(), C.SymmetricDim(), S.SymmetricDim(), S.SymmetricDim())
	inv, logdet := h.factorInverse(S)
	if math.IsNaN(logdet) {
		return logdet
	}
	return logdet + traceSym(inv, C.RawSymmetric())
}

// FGrad returns logdet(S) + tr(S⁻¹C) and sets the upper triangle of dS to
// S⁻¹ − S⁻¹CS⁻¹.
func (h *B6GaussNLLHand) FGrad(S, C, dS *mat.SymDense) float64 {
	n := S.SymmetricDim()
	checkShape("B6GaussNLLHand.FGrad", "C", C.SymmetricDim(), C.SymmetricDim(), n, n)
	checkShape("B6GaussNLLHand.FGrad", "dS", dS.SymmetricDim(), dS.SymmetricDim(), n, n)
	out := dS.RawSymmetric()
	inv, logdet := h.factorInverse(S)
	if math.IsNaN(logdet) {
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				out.Data[i*out.Stride+j] = math.NaN()
			}
		}
		return logdet
	}
	craw := C.RawSymmetric()
	f := logdet + traceSym(inv, craw)

	// G = S⁻¹ in full.
	st := max(n, 1)
	g := blas64.General{Rows: n, Cols: n, Stride: st, Data: grow(&h.g, n*n)}
	for i := 0; i < n; i++ {
		copy(g.Data[i*st+i:i*st+n], inv.Data[i*st+i:i*st+n])
		for j := i + 1; j < n; j++ {
			g.Data[j*st+i] = inv.Data[i*st+j]
		}
	}
	q := blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: st, Data: grow(&h.q, n*n)}
	v := blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: st, Data: grow(&h.v, n*n)}
	copyUpper(v, craw)
	if t, ok := lapack64.Potrf(v); ok {
		// G = S⁻¹ Vᵀ, Q = G Gᵀ = S⁻¹ Vᵀ V S⁻¹ = S⁻¹ C S⁻¹ (upper triangle).
		blas64.Trmm(blas.Right, blas.Trans, 1, t, g)
		blas64.Syrk(blas.NoTrans, 1, g, 0, q)
	} else {
		// P = C S⁻¹ into v (as a general matrix), Q = S⁻¹ P.
		p := blas64.General{Rows: n, Cols: n, Stride: st, Data: v.Data}
		blas64.Symm(blas.Left, 1, craw, g, 0, p)
		blas64.Symm(blas.Left, 1, inv, p, 0, blas64.General{Rows: n, Cols: n, Stride: st, Data: q.Data})
	}
	for i := 0; i < n; i++ {
		ir := inv.Data[i*st+i : i*st+n]
		qr := q.Data[i*st+i : i*st+n]
		or := out.Data[i*out.Stride+i : i*out.Stride+n]
		for j, x := range ir {
			or[j] = x - qr[j]
		}
	}
	return f
}

// B7MLPHand computes the squared error of a one-hidden-layer tanh network,
// X n×d, W1 d×h, W2 h×o, Y n×o,
//
//	H = tanh(X W1),  R = H W2 − Y,  f = ½ Σ R ⊙ R
//	∂f/∂W2 = Hᵀ R,  ∂f/∂W1 = Xᵀ ((R W2ᵀ) ⊙ (1 − H ⊙ H))
//
// with four Gemms in the gradient, transpose flags for Hᵀ, W2ᵀ and Xᵀ,
// tanh applied in place, R − Y and f in one loop, and the tanh derivative
// applied in place. The products with the narrow output dimension o are
// oriented so that gonum's kernels run along the long dimension: H W2 as
// dots against a copy of W2ᵀ (o×h, cheap), and Hᵀ R as (Rᵀ H)ᵀ.
type B7MLPHand struct {
	h, r, d, w2t, g2t []float64
}

// forward sets h.h = H and h.r = R = H W2 − Y and returns f = ½ Σ R ⊙ R.
func (m *B7MLPHand) forward(fn string, X, W1, W2, Y *mat.Dense) (H, R blas64.General, f float64) {
	n, d := X.Dims()
	r, h := W1.Dims()
	checkShape(fn, "W1", r, h, d, h)
	r, o := W2.Dims()
	checkShape(fn, "W2", r, o, h, o)
	r, c := Y.Dims()
	checkShape(fn, "Y", r, c, n, o)
	H, R = general(&m.h, n, h), general(&m.r, n, o)
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, X.RawMatrix(), W1.RawMatrix(), 0, H)
	for i, v := range H.Data {
		H.Data[i] = math.Tanh(v)
	}
	w2, w2t := W2.RawMatrix(), general(&m.w2t, o, h)
	for i := 0; i < h; i++ {
		for j, v := range w2.Data[i*w2.Stride : i*w2.Stride+o] {
			w2t.Data[j*w2t.Stride+i] = v
		}
	}
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, H, w2t, 0, R)
	y := Y.RawMatrix()
	s := 0.0
	for i := 0; i < n; i++ {
		rr := R.Data[i*R.Stride : i*R.Stride+o]
		yr := y.Data[i*y.Stride : i*y.Stride+o]
		for j, v := range rr {
			e := v - yr[j]
			rr[j] = e
			s += e * e
		}
	}
	return H, R, 0.5 * s
}

// F returns ½ Σ (tanh(X W1) W2 − Y)².
func (m *B7MLPHand) F(X, W1, W2, Y *mat.Dense) float64 {
	_, _, f := m.forward("B7MLPHand.F", X, W1, W2, Y)
	return f
}

// FGrad returns the loss and sets dW1 and dW2.
func (m *B7MLPHand) FGrad(X, W1, W2, Y, dW1, dW2 *mat.Dense) float64 {
	H, R, f := m.forward("B7MLPHand.FGrad", X, W1, W2, Y)
	d, h := W1.Dims()
	_, o := W2.Dims()
	r, c := dW1.Dims()
	checkShape("B7MLPHand.FGrad", "dW1", r, c, d, h)
	r, c = dW2.Dims()
	checkShape("B7MLPHand.FGrad", "dW2", r, c, h, o)
	// dW2 = Hᵀ R = (Rᵀ H)ᵀ.
	g2t := general(&m.g2t, o, h)
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, R, H, 0, g2t)
	g2 := dW2.RawMatrix()
	for i := 0; i < h; i++ {
		row := g2.Data[i*g2.Stride : i*g2.Stride+o]
		for j := range row {
			row[j] = g2t.Data[j*g2t.Stride+i]
		}
	}
	// D = (R W2ᵀ) ⊙ (1 − H ⊙ H), dW1 = Xᵀ D.
	D := general(&m.d, H.Rows, h)
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, R, W2.RawMatrix(), 0, D)
	for i, t := range H.Data {
		D.Data[i] *= 1 - t*t
	}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, X.RawMatrix(), D, 0, dW1.RawMatrix())
	return f
}

// B8SoftmaxHand computes the multinomial logistic (softmax regression) loss,
// X n×d, Y n×k, W d×k, b of length k,
//
//	Z = X W + 1 bᵀ,  f = Σᵢ logsumexp(Zᵢ,:) − Σ Y ⊙ Z
//	G = softmax(Z) − Y (row-wise),  ∂f/∂W = Xᵀ G,  ∂f/∂b = Gᵀ 1
//
// with one Gemm for Z and one for Xᵀ G; Z is the only n×k temporary and G
// overwrites it. Each row is finished while it is in cache: one sweep adds
// b, takes the row maximum and Σ Yᵢⱼ Zᵢⱼ, a second replaces Zᵢⱼ by
// exp(Zᵢⱼ − max) and sums them (the stable log-sum-exp), and for the
// gradient a third scales the exponentials by 1/Σ, subtracts Y and adds
// the row to ∂f/∂b. The products are oriented as gonum's kernels run
// fastest (measured): with fewer classes than features (k < d) X W as dots
// along d against a copy of Wᵀ (k×d, cheap), else as it is; Xᵀ G always as
// (Gᵀ X)ᵀ, a k×d product transposed into dW.
type B8SoftmaxHand struct {
	z, wt, gt []float64
}

// logits checks the shapes and sets h.z = X W (without b), returning it.
func (h *B8SoftmaxHand) logits(fn string, X, Y, W *mat.Dense, b *mat.VecDense) blas64.General {
	n, d := X.Dims()
	r, k := W.Dims()
	checkShape(fn, "W", r, k, d, k)
	r, c := Y.Dims()
	checkShape(fn, "Y", r, c, n, k)
	checkShape(fn, "b", b.Len(), 1, k, 1)
	Z, w := general(&h.z, n, k), W.RawMatrix()
	if k >= d {
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, X.RawMatrix(), w, 0, Z)
		return Z
	}
	wt := general(&h.wt, k, d)
	for i := 0; i < d; i++ {
		for j, v := range w.Data[i*w.Stride : i*w.Stride+k] {
			wt.Data[j*wt.Stride+i] = v
		}
	}
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, X.RawMatrix(), wt, 0, Z)
	return Z
}

// shiftedExp adds b to the logit row z, replaces it by exp(z − max z), and
// returns logsumexp(z) − y·z and Σ exp(z − max z).
func shiftedExp(z, y []float64, b blas64.Vector) (term, sum float64) {
	m, yz := math.Inf(-1), 0.0
	for j := range z {
		v := z[j] + b.Data[j*b.Inc]
		z[j] = v
		m = max(m, v)
		yz += y[j] * v
	}
	for j, v := range z {
		e := math.Exp(v - m)
		z[j] = e
		sum += e
	}
	return m + math.Log(sum) - yz, sum
}

// F returns Σᵢ logsumexp((X W + 1 bᵀ)ᵢ,:) − Σ Y ⊙ (X W + 1 bᵀ).
func (h *B8SoftmaxHand) F(X, Y, W *mat.Dense, b *mat.VecDense) float64 {
	Z := h.logits("B8SoftmaxHand.F", X, Y, W, b)
	y, br := Y.RawMatrix(), b.RawVector()
	f := 0.0
	for i := 0; i < Z.Rows; i++ {
		t, _ := shiftedExp(Z.Data[i*Z.Stride:i*Z.Stride+Z.Cols], y.Data[i*y.Stride:i*y.Stride+Z.Cols], br)
		f += t
	}
	return f
}

// FGrad returns the loss and sets dW = Xᵀ (softmax(Z) − Y) and
// db = (softmax(Z) − Y)ᵀ 1.
func (h *B8SoftmaxHand) FGrad(X, Y, W *mat.Dense, b *mat.VecDense, dW *mat.Dense, db *mat.VecDense) float64 {
	Z := h.logits("B8SoftmaxHand.FGrad", X, Y, W, b)
	n, d := X.Dims()
	k := Z.Cols
	r, c := dW.Dims()
	checkShape("B8SoftmaxHand.FGrad", "dW", r, c, d, k)
	checkShape("B8SoftmaxHand.FGrad", "db", db.Len(), 1, k, 1)
	y, br, dbr := Y.RawMatrix(), b.RawVector(), db.RawVector()
	for j := 0; j < k; j++ {
		dbr.Data[j*dbr.Inc] = 0
	}
	f := 0.0
	for i := 0; i < n; i++ {
		z, yi := Z.Data[i*Z.Stride:i*Z.Stride+k], y.Data[i*y.Stride:i*y.Stride+k]
		t, s := shiftedExp(z, yi, br)
		f += t
		inv := 1 / s
		for j, e := range z {
			g := e*inv - yi[j]
			z[j] = g
			dbr.Data[j*dbr.Inc] += g
		}
	}
	// dW = Xᵀ G = (Gᵀ X)ᵀ.
	gt := general(&h.gt, k, d)
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, Z, X.RawMatrix(), 0, gt)
	g := dW.RawMatrix()
	for i := 0; i < d; i++ {
		row := g.Data[i*g.Stride : i*g.Stride+k]
		for j := range row {
			row[j] = gt.Data[j*gt.Stride+i]
		}
	}
	return f
}
