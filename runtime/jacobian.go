package runtime

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Identity is the stand-in for an identity matrix in Jacobian.AddProduct
// and DiagProduct.Add: a General with no data, whose size the call
// implies.
var Identity = blas64.General{}

func isIdentity(a blas64.General) bool { return a.Data == nil }

// Jacobian is the derivative DF/DW of an FRows×FCols matrix F with respect
// to a WRows×WCols matrix W in the block layout: J is (p·m)×(q·n) for W
// p×q and F m×n, and its block (k, l), rows k·m … k·m+m−1 and columns
// l·n … l·n+n−1, holds ∂F/∂w_kl. A vector W (VectorW, stored WRows×1)
// counts as a row, so its blocks run along one block row.
type Jacobian struct {
	J            blas64.General
	FRows, FCols int
	WRows, WCols int
	VectorW      bool
}

// NewJacobian returns the layout of the destination j, the parameter param
// of fn, for the derivative of an fRows×fCols F with respect to a
// wRows×wCols W (a vector W when vectorW), after readying j as DestMatrix
// does: a zero-value j is sized to the layout's shape, and a nil j or one
// of another shape panics with a *ShapeError.
func NewJacobian(fn, param string, j *mat.Dense, fRows, fCols, wRows, wCols int, vectorW bool) Jacobian {
	p, q := wRows, wCols
	if vectorW {
		p, q = 1, wRows
	}
	DestMatrix(fn, param, j, p*fRows, q*fCols, "", "")
	return Jacobian{J: j.RawMatrix(), FRows: fRows, FCols: fCols, WRows: wRows, WCols: wCols, VectorW: vectorW}
}

// Zero sets every entry of J to zero.
func (j Jacobian) Zero() { ZeroMatrix(j.J) }

// Block returns the view of the block of J that holds ∂F/∂w_rc, for the
// entry (r, c) of W as stored.
func (j Jacobian) Block(r, c int) blas64.General {
	k, l := r, c
	if j.VectorW {
		k, l = 0, r
	}
	return blas64.General{Rows: j.FRows, Cols: j.FCols, Stride: j.J.Stride,
		Data: j.J.Data[k*j.FRows*j.J.Stride+l*j.FCols:]}
}

// AddProduct adds to J the derivative of alpha·L·W·R (alpha·L·Wᵀ·R when
// trans) with respect to W: block (r, c) gains alpha·L[:, r]·R[c, :]
// (trans: alpha·L[:, c]·R[r, :]). L or R may be Identity. The work is
// O(size of J), less for identities.
func (j Jacobian) AddProduct(alpha float64, l, r blas64.General, trans bool) {
	for wr := 0; wr < j.WRows; wr++ {
		for wc := 0; wc < j.WCols; wc++ {
			a, b := wr, wc
			if trans {
				a, b = wc, wr
			}
			blk := j.Block(wr, wc)
			switch {
			case isIdentity(l) && isIdentity(r):
				if a < blk.Rows && b < blk.Cols {
					blk.Data[a*blk.Stride+b] += alpha
				}
			case isIdentity(l):
				if a < blk.Rows {
					row := blk.Data[a*blk.Stride : a*blk.Stride+blk.Cols]
					for jj, v := range r.Data[b*r.Stride : b*r.Stride+blk.Cols] {
						row[jj] += alpha * v
					}
				}
			case isIdentity(r):
				if b < blk.Cols {
					for i := 0; i < blk.Rows; i++ {
						blk.Data[i*blk.Stride+b] += alpha * l.Data[i*l.Stride+a]
					}
				}
			default:
				src := r.Data[b*r.Stride : b*r.Stride+blk.Cols]
				for i := 0; i < blk.Rows; i++ {
					s := alpha * l.Data[i*l.Stride+a]
					if s == 0 {
						continue
					}
					row := blk.Data[i*blk.Stride : i*blk.Stride+blk.Cols]
					for jj, v := range src {
						row[jj] += s * v
					}
				}
			}
		}
	}
}

// AddHadamard adds to J the derivative of alpha·(H ⊙ W) with respect to W,
// F and W of one shape: block (r, c) gains alpha·H[r, c] at its entry
// (r, c).
func (j Jacobian) AddHadamard(alpha float64, h blas64.General) {
	for wr := 0; wr < j.WRows; wr++ {
		for wc := 0; wc < j.WCols; wc++ {
			blk := j.Block(wr, wc)
			blk.Data[wr*blk.Stride+wc] += alpha * h.Data[wr*h.Stride+wc]
		}
	}
}

// Block returns the rows×cols view of a at (r0, c0).
func Block(a blas64.General, r0, c0, rows, cols int) blas64.General {
	return blas64.General{Rows: rows, Cols: cols, Stride: a.Stride, Data: a.Data[r0*a.Stride+c0:]}
}

// DiagProduct adds products L·diag(d)·R into a destination, the form
// Hessians of data-fitting losses take (Xᵀ diag(s ⊙ (1 − s)) X for
// logistic regression). Its zero value is ready; it keeps scratch between
// calls, so steady-state calls allocate nothing.
type DiagProduct struct {
	buf, sq []float64
	gemm    Gemm
}

// SandwichAdd adds alpha·Xᵀ diag(d) X to the n×n dst, X k×n: with one
// symmetric rank-k update (Syrk on diag(√|alpha·d|) X) when every
// alpha·dᵢ has one sign, else with one Gemm on diag(d) X.
func (p *DiagProduct) SandwichAdd(dst blas64.General, alpha float64, x blas64.General, d blas64.Vector) {
	k, n := x.Rows, x.Cols
	CheckMatrix("runtime.DiagProduct.SandwichAdd", "dst", dst.Rows, dst.Cols, n, n, "n", "n")
	CheckVector("runtime.DiagProduct.SandwichAdd", "d", d.N, k, "k")
	sign := 0.0
	for i := 0; i < k; i++ {
		s := alpha * d.Data[i*d.Inc]
		switch {
		case s > 0 && sign >= 0:
			sign = 1
		case s < 0 && sign <= 0:
			sign = -1
		case s != 0 || math.IsNaN(s):
			sign = math.NaN()
		}
	}
	if math.IsNaN(sign) {
		p.Add(dst, alpha, x, d, x, true)
		return
	}
	if sign == 0 {
		return
	}
	scaled := Mat(&p.buf, k, n)
	for i := 0; i < k; i++ {
		s := math.Sqrt(math.Abs(alpha * d.Data[i*d.Inc]))
		row := scaled.Data[i*n : i*n+n]
		for j, v := range x.Data[i*x.Stride : i*x.Stride+n] {
			row[j] = s * v
		}
	}
	sq := blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: grow(&p.sq, n*n)}
	blas64.Syrk(blas.Trans, sign, scaled, 0, sq)
	for i := 0; i < n; i++ {
		dst.Data[i*dst.Stride+i] += sq.Data[i*n+i]
		for j := i + 1; j < n; j++ {
			v := sq.Data[i*n+j]
			dst.Data[i*dst.Stride+j] += v
			dst.Data[j*dst.Stride+i] += v
		}
	}
}

// Add adds alpha·op(L)·diag(d)·R to dst, op(L) = Lᵀ when transL. L or R
// may be Identity, and d with no data is the identity.
func (p *DiagProduct) Add(dst blas64.General, alpha float64, l blas64.General, d blas64.Vector, r blas64.General, transL bool) {
	rows, cols := dst.Rows, dst.Cols
	mid := rows
	if !isIdentity(r) {
		mid = r.Rows
	} else if !isIdentity(l) {
		mid = l.Cols
		if transL {
			mid = l.Rows
		}
	}
	// scaled = diag(d)·R, mid×cols.
	scaled := Mat(&p.buf, mid, cols)
	for i := 0; i < mid; i++ {
		s := 1.0
		if d.Data != nil {
			s = d.Data[i*d.Inc]
		}
		row := scaled.Data[i*cols : i*cols+cols]
		if isIdentity(r) {
			clear(row)
			if i < cols {
				row[i] = s
			}
			continue
		}
		for j, v := range r.Data[i*r.Stride : i*r.Stride+cols] {
			row[j] = s * v
		}
	}
	if isIdentity(l) {
		for i := 0; i < rows; i++ {
			out := dst.Data[i*dst.Stride : i*dst.Stride+cols]
			for j, v := range scaled.Data[i*cols : i*cols+cols] {
				out[j] += alpha * v
			}
		}
		return
	}
	tl := blas.NoTrans
	if transL {
		tl = blas.Trans
	}
	p.gemm.Mul(tl, blas.NoTrans, alpha, l, scaled, 1, dst)
}

// SymmetrizeSquare sets the square matrix a to (a + aᵀ)/2 in place, so a
// Hessian assembled from blocks is symmetric to the last bit.
func SymmetrizeSquare(a blas64.General) {
	CheckMatrix("runtime.SymmetrizeSquare", "a", a.Rows, a.Cols, a.Rows, a.Rows, "n", "n")
	for i := 0; i < a.Rows; i++ {
		for j := i + 1; j < a.Cols; j++ {
			v := (a.Data[i*a.Stride+j] + a.Data[j*a.Stride+i]) / 2
			a.Data[i*a.Stride+j] = v
			a.Data[j*a.Stride+i] = v
		}
	}
}

// AddBlock adds alpha·v to the block of J that holds ∂F/∂w_rc; v is
// FRows×FCols.
func (j Jacobian) AddBlock(r, c int, alpha float64, v blas64.General) {
	blk := j.Block(r, c)
	for i := 0; i < blk.Rows; i++ {
		row := blk.Data[i*blk.Stride : i*blk.Stride+blk.Cols]
		for jj, x := range v.Data[i*v.Stride : i*v.Stride+blk.Cols] {
			row[jj] += alpha * x
		}
	}
}

// Row returns the contiguous vector v (Inc 1) as a 1×N matrix view.
func Row(v blas64.Vector) blas64.General {
	if v.Inc != 1 && v.N > 1 {
		panic("runtime: Row needs a contiguous vector")
	}
	return blas64.General{Rows: 1, Cols: v.N, Stride: max(v.N, 1), Data: v.Data}
}

// ColumnOf returns the m×1 matrix a as a vector view.
func ColumnOf(a blas64.General) blas64.Vector {
	return blas64.Vector{N: a.Rows, Inc: a.Stride, Data: a.Data}
}

// UpperTo copies the upper triangle of the n×n matrix a into the triangle
// of dst that dst.Uplo selects (transposed for blas.Lower), for handing a
// Hessian to gonum/optimize.
func UpperTo(dst blas64.Symmetric, a blas64.General) {
	CheckMatrix("runtime.UpperTo", "a", a.Rows, a.Cols, dst.N, dst.N, "n", "n")
	upper := isUpper("runtime.UpperTo", dst.Uplo)
	for i := 0; i < dst.N; i++ {
		for j := i; j < dst.N; j++ {
			if upper {
				dst.Data[i*dst.Stride+j] = a.Data[i*a.Stride+j]
			} else {
				dst.Data[j*dst.Stride+i] = a.Data[i*a.Stride+j]
			}
		}
	}
}
