package runtime

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

func randomDense(rng *rand.Rand, r, c int) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := range m.RawMatrix().Data {
		m.RawMatrix().Data[i] = rng.NormFloat64()
	}
	return m
}

// naiveJacobian returns DF/DW in the block layout for F = L·W·R (L·Wᵀ·R
// when trans), entry by entry from the definition: block (k, l) is
// L E_kl R (L E_lk R), E the unit matrix of W's (Wᵀ's) shape.
func naiveJacobian(l, r *mat.Dense, wr, wc int, trans, vectorW bool) *mat.Dense {
	m, _ := l.Dims()
	_, n := r.Dims()
	p, q := wr, wc
	if vectorW {
		p, q = 1, wr
	}
	j := mat.NewDense(p*m, q*n, nil)
	for a := 0; a < wr; a++ {
		for b := 0; b < wc; b++ {
			var e *mat.Dense
			if trans {
				e = mat.NewDense(wc, wr, nil)
				e.Set(b, a, 1)
			} else {
				e = mat.NewDense(wr, wc, nil)
				e.Set(a, b, 1)
			}
			var le, ler mat.Dense
			le.Mul(l, e)
			ler.Mul(&le, r)
			k, c := a, b
			if vectorW {
				k, c = 0, a
			}
			j.Slice(k*m, k*m+m, c*n, c*n+n).(*mat.Dense).Copy(&ler)
		}
	}
	return j
}

// TestJacobianAddProduct checks AddProduct against the definition for
// general, identity and transposed factors, matrix and vector W.
func TestJacobianAddProduct(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	eye := func(n int) *mat.Dense {
		e := mat.NewDense(n, n, nil)
		for i := 0; i < n; i++ {
			e.Set(i, i, 1)
		}
		return e
	}
	for _, tt := range []struct {
		name              string
		m, wr, wc, n      int
		leftEye, rightEye bool
		trans, vectorW    bool
	}{
		{"L W R", 3, 2, 4, 5, false, false, false, false},
		{"W R", 2, 2, 3, 4, true, false, false, false},
		{"L W", 3, 2, 4, 4, false, true, false, false},
		{"W", 2, 2, 3, 3, true, true, false, false},
		{"L Wᵀ R", 3, 2, 4, 5, false, false, true, false},
		{"Wᵀ", 3, 2, 3, 2, true, true, true, false},
		{"A x (vector W)", 4, 3, 1, 1, false, true, false, true},
		{"x xᵀ, dx xᵀ part", 3, 3, 1, 3, true, false, false, true},
		{"x xᵀ, x dxᵀ part", 3, 3, 1, 3, false, true, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inner, outer := tt.wr, tt.wc
			if tt.trans {
				inner, outer = tt.wc, tt.wr
			}
			l, r := randomDense(rng, tt.m, inner), randomDense(rng, outer, tt.n)
			lArg, rArg := l.RawMatrix(), r.RawMatrix()
			if tt.leftEye {
				l, lArg = eye(tt.m), Identity
			}
			if tt.rightEye {
				r, rArg = eye(tt.n), Identity
			}
			want := naiveJacobian(l, r, tt.wr, tt.wc, tt.trans, tt.vectorW)
			rows, cols := want.Dims()
			got := randomDense(rng, rows, cols)
			j := NewJacobian("test", "J", got, tt.m, tt.n, tt.wr, tt.wc, tt.vectorW)
			j.Zero()
			j.AddProduct(2, lArg, rArg, tt.trans)
			want.Scale(2, want)
			if !mat.EqualApprox(got, want, 1e-13) {
				t.Errorf("got\n%v\nwant\n%v", mat.Formatted(got), mat.Formatted(want))
			}
		})
	}
}

// TestJacobianHadamardAndBlock checks AddHadamard (F = H ⊙ W: one entry
// per block) and AddBlock, and that NewJacobian panics on a wrong shape.
func TestJacobianHadamardAndBlock(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	h := randomDense(rng, 2, 3)
	got := randomDense(rng, 4, 9)
	j := Jacobian{J: got.RawMatrix(), FRows: 2, FCols: 3, WRows: 2, WCols: 3}
	j.Zero()
	j.AddHadamard(1, h.RawMatrix())
	for r := 0; r < 4; r++ {
		for c := 0; c < 9; c++ {
			k, i := r/2, r%2
			l, jj := c/3, c%3
			want := 0.0
			if k == i && l == jj {
				want = h.At(k, l)
			}
			if got.At(r, c) != want {
				t.Errorf("J[%d][%d] = %v, want %v", r, c, got.At(r, c), want)
			}
		}
	}
	d := randomDense(rng, 2, 3)
	scalar := mat.NewDense(2, 3, nil)
	sj := Jacobian{J: scalar.RawMatrix(), FRows: 2, FCols: 3, WRows: 1, WCols: 1}
	sj.AddBlock(0, 0, 1, d.RawMatrix())
	if !mat.Equal(scalar, d) {
		t.Errorf("AddBlock: got\n%v\nwant\n%v", mat.Formatted(scalar), mat.Formatted(d))
	}
	defer func() {
		if _, ok := recover().(*ShapeError); !ok {
			t.Error("NewJacobian of a 4×8 J for a 4×9 layout did not panic with a *ShapeError")
		}
	}()
	NewJacobian("test", "J", mat.NewDense(4, 8, nil), 2, 3, 2, 3, false)
}

// TestDiagProduct checks SandwichAdd (Syrk with weights of one sign, Gemm
// with mixed signs, nothing for zero weights) and Add with identities and
// a transposed left factor against gonum/mat, and that steady-state calls
// allocate nothing.
func TestDiagProduct(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	x := randomDense(rng, 6, 4)
	weights := map[string][]float64{
		"positive": {1, 2, 0.5, 3, 0.1, 4},
		"negative": {-1, -2, -0.5, -3, -0.1, -4},
		"mixed":    {1, -2, 0.5, -3, 0.1, 4},
		"zero":     {0, 0, 0, 0, 0, 0},
	}
	var p DiagProduct
	for name, w := range weights {
		for _, alpha := range []float64{1, -0.5} {
			d := mat.NewVecDense(6, w)
			var dx, want mat.Dense
			dx.Apply(func(i, j int, v float64) float64 { return w[i] * v }, x)
			want.Mul(x.T(), &dx)
			want.Scale(alpha, &want)
			base := randomDense(rng, 4, 4)
			want.Add(&want, base)
			got := mat.DenseCopyOf(base)
			p.SandwichAdd(got.RawMatrix(), alpha, x.RawMatrix(), d.RawVector())
			if !mat.EqualApprox(got, &want, 1e-12) {
				t.Errorf("%s, alpha %v: got\n%v\nwant\n%v", name, alpha, mat.Formatted(got), mat.Formatted(&want))
			}
			if allocs := testing.AllocsPerRun(5, func() { p.SandwichAdd(got.RawMatrix(), alpha, x.RawMatrix(), d.RawVector()) }); allocs != 0 {
				t.Errorf("%s: SandwichAdd allocates %v times", name, allocs)
			}
		}
	}
	// Add: L diag(d) R, Lᵀ diag(d) R, diag(d) R, L diag(d), and I.
	l, r := randomDense(rng, 3, 5), randomDense(rng, 5, 2)
	d := mat.NewVecDense(5, []float64{1, -1, 2, 0.5, 3})
	diag := mat.NewDiagDense(5, d.RawVector().Data)
	lt := mat.DenseCopyOf(l.T())
	for _, tt := range []struct {
		name   string
		dst    *mat.Dense
		l      blas64.General
		transL bool
		dv     blas64.Vector
		r      blas64.General
		want   func() *mat.Dense
	}{
		{"L diag R", mat.NewDense(3, 2, nil), l.RawMatrix(), false, d.RawVector(), r.RawMatrix(), func() *mat.Dense {
			var a, b mat.Dense
			a.Mul(l, diag)
			b.Mul(&a, r)
			return &b
		}},
		{"Lᵀ diag R", mat.NewDense(3, 2, nil), lt.RawMatrix(), true, d.RawVector(), r.RawMatrix(), func() *mat.Dense {
			var a, b mat.Dense
			a.Mul(l, diag)
			b.Mul(&a, r)
			return &b
		}},
		{"diag R", mat.NewDense(5, 2, nil), Identity, false, d.RawVector(), r.RawMatrix(), func() *mat.Dense {
			var a mat.Dense
			a.Mul(diag, r)
			return &a
		}},
		{"L diag", mat.NewDense(3, 5, nil), l.RawMatrix(), false, d.RawVector(), Identity, func() *mat.Dense {
			var a mat.Dense
			a.Mul(l, diag)
			return &a
		}},
		{"L R", mat.NewDense(3, 2, nil), l.RawMatrix(), false, blas64.Vector{}, r.RawMatrix(), func() *mat.Dense {
			var a mat.Dense
			a.Mul(l, r)
			return &a
		}},
	} {
		p.Add(tt.dst.RawMatrix(), 2, tt.l, tt.dv, tt.r, tt.transL)
		want := tt.want()
		want.Scale(2, want)
		if !mat.EqualApprox(tt.dst, want, 1e-12) {
			t.Errorf("%s: got\n%v\nwant\n%v", tt.name, mat.Formatted(tt.dst), mat.Formatted(want))
		}
	}
}

// TestSymmetrizeAndUpper checks SymmetrizeSquare and UpperTo.
func TestSymmetrizeAndUpper(t *testing.T) {
	a := mat.NewDense(3, 3, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9})
	SymmetrizeSquare(a.RawMatrix())
	want := mat.NewDense(3, 3, []float64{1, 3, 5, 3, 5, 7, 5, 7, 9})
	if !mat.Equal(a, want) {
		t.Errorf("SymmetrizeSquare: got\n%v", mat.Formatted(a))
	}
	s := mat.NewSymDense(3, nil)
	UpperTo(s.RawSymmetric(), a.RawMatrix())
	if !mat.Equal(s, want) {
		t.Errorf("UpperTo: got\n%v", mat.Formatted(s))
	}
}
