package higher

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// hessCase is a scalar generated function at a base point, as closures
// over its wrt variables (flattened; a symmetric n×n variable as all n²
// entries, read through its symmetric part (W + Wᵀ)/2 so that central
// differences give the symmetric gradient): f is F, grad is FGrad (writes
// the gradients into g, returns f), hessVec FHessVec at the base (nil if
// the spec has none), hessian FHessian at the base (nil if none).
type hessCase struct {
	wrt     []wrtVar
	f       func(w [][]float64) float64
	grad    func(w [][]float64, g [][]float64) float64
	hessVec func(v [][]float64, h [][]float64)
	hessian func(H *mat.Dense)
}

// symOf returns the SymDense with the symmetric part of the row-major n×n a.
func symOf(n int, a []float64) *mat.SymDense {
	s := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			s.SetSym(i, j, (a[i*n+j]+a[j*n+i])/2)
		}
	}
	return s
}

func (c hessCase) size() int {
	n := 0
	for _, w := range c.wrt {
		n += w.size()
	}
	return n
}

// unpack splits a packed vector (wrt order) into per-variable views.
func (c hessCase) unpack(x []float64) [][]float64 {
	out := make([][]float64, len(c.wrt))
	off := 0
	for i, w := range c.wrt {
		out[i] = x[off : off+w.size() : off+w.size()]
		off += w.size()
	}
	return out
}

func pack(ws [][]float64) []float64 {
	var out []float64
	for _, w := range ws {
		out = append(out, w...)
	}
	return out
}

func (c hessCase) newGrads() [][]float64 { return c.unpack(nanSlice(c.size())) }

// hv returns FHessVec at the base in the packed direction v, packed.
func (c hessCase) hv(v []float64) []float64 {
	h := c.newGrads()
	c.hessVec(c.unpack(v), h)
	return pack(h)
}

// direction is a random packed direction (symmetric for symmetric variables).
func (c hessCase) direction(f *factory) []float64 {
	var v []float64
	for _, w := range c.wrt {
		v = append(v, w.direction(f)...)
	}
	return v
}

var hessBuilders = []struct {
	name  string
	build func(f *factory, set int) hessCase
}{
	{"LogRegN", func(f *factory, set int) hessCase {
		in := newLogRegIn(f, set)
		return hessCase{
			wrt:  []wrtVar{vecVar("w", in.w)},
			f:    func(w [][]float64) float64 { return LogRegN(in.X, in.y, vn(w[0])) },
			grad: func(w, g [][]float64) float64 { return LogRegNGrad(in.X, in.y, vn(w[0]), vn(g[0])) },
			hessVec: func(v, h [][]float64) {
				LogRegNHessVec(in.X, in.y, in.w, vn(v[0]), vn(h[0]))
			},
			hessian: func(H *mat.Dense) { LogRegNHessian(in.X, in.y, in.w, H) },
		}
	}},
	{"LogRegBias", func(f *factory, set int) hessCase {
		in := newLogRegIn(f, set)
		return hessCase{
			wrt: []wrtVar{vecVar("w", in.w), scalarVar("b", in.b)},
			f:   func(w [][]float64) float64 { return LogRegBias(in.X, in.y, vn(w[0]), w[1][0], in.lambda) },
			grad: func(w, g [][]float64) float64 {
				return LogRegBiasGrad(in.X, in.y, vn(w[0]), w[1][0], in.lambda, vn(g[0]), &g[1][0])
			},
			hessVec: func(v, h [][]float64) {
				LogRegBiasHessVec(in.X, in.y, in.w, in.b, in.lambda, vn(v[0]), v[1][0], vn(h[0]), &h[1][0])
			},
			hessian: func(H *mat.Dense) { LogRegBiasHessian(in.X, in.y, in.w, in.b, in.lambda, H) },
		}
	}},
	{"QuadTrace", func(f *factory, set int) hessCase {
		in := newQuadTraceIn(f, set)
		n, k := in.n, in.k
		return hessCase{
			wrt:     []wrtVar{matVar("W", in.W)},
			f:       func(w [][]float64) float64 { return QuadTrace(in.A, dn(n, k, w[0])) },
			grad:    func(w, g [][]float64) float64 { return QuadTraceGrad(in.A, dn(n, k, w[0]), dn(n, k, g[0])) },
			hessVec: func(v, h [][]float64) { QuadTraceHessVec(in.A, in.W, dn(n, k, v[0]), dn(n, k, h[0])) },
		}
	}},
	{"GaussNLL", func(f *factory, set int) hessCase {
		in := newGaussIn(f, set)
		n := in.n
		return hessCase{
			wrt: []wrtVar{symVar("S", in.S)},
			f:   func(w [][]float64) float64 { return GaussNLL(symOf(n, w[0]), in.C) },
			grad: func(w, g [][]float64) float64 {
				dS := mat.NewSymDense(n, nil)
				r := GaussNLLGrad(symOf(n, w[0]), in.C, dS)
				copy(g[0], flat(dS))
				return r
			},
			hessVec: func(v, h [][]float64) {
				hS := mat.NewSymDense(n, nil)
				GaussNLLHessVec(in.S, in.C, symOf(n, v[0]), hS)
				copy(h[0], flat(hS))
			},
		}
	}},
	{"Quartic", func(f *factory, set int) hessCase {
		in := newQuarticIn(f, set)
		return hessCase{
			wrt:     []wrtVar{vecVar("x", in.x)},
			f:       func(w [][]float64) float64 { return Quartic(vn(w[0]), in.A) },
			grad:    func(w, g [][]float64) float64 { return QuarticGrad(vn(w[0]), in.A, vn(g[0])) },
			hessVec: func(v, h [][]float64) { QuarticHessVec(in.x, in.A, vn(v[0]), vn(h[0])) },
			hessian: func(H *mat.Dense) { QuarticHessian(in.x, in.A, H) },
		}
	}},
	{"TwoLayer", func(f *factory, set int) hessCase {
		in := newTwoLayerIn(f, set)
		return hessCase{
			wrt: []wrtVar{vecVar("x", in.x), scalarVar("c", in.c)},
			f:   func(w [][]float64) float64 { return TwoLayer(in.A, in.B, vn(w[0]), w[1][0]) },
			grad: func(w, g [][]float64) float64 {
				return TwoLayerGrad(in.A, in.B, vn(w[0]), w[1][0], vn(g[0]), &g[1][0])
			},
			hessVec: func(v, h [][]float64) {
				TwoLayerHessVec(in.A, in.B, in.x, in.c, vn(v[0]), v[1][0], vn(h[0]), &h[1][0])
			},
			hessian: func(H *mat.Dense) { TwoLayerHessian(in.A, in.B, in.x, in.c, H) },
		}
	}},
	{"ScalarCurve", func(f *factory, set int) hessCase {
		in := newScalarCurveIn(f, set)
		return hessCase{
			wrt:  []wrtVar{scalarVar("t", in.t)},
			f:    func(w [][]float64) float64 { return ScalarCurve(w[0][0], in.a, in.A) },
			grad: func(w, g [][]float64) float64 { return ScalarCurveGrad(w[0][0], in.a, in.A, &g[0][0]) },
		}
	}},
	// fusion legality
	{"FusionLse", func(f *factory, set int) hessCase {
		in := newFusionIn(f, set)
		return hessCase{
			wrt:     []wrtVar{vecVar("x", in.x)},
			f:       func(w [][]float64) float64 { return FusionLse(in.A, vn(w[0])) },
			grad:    func(w, g [][]float64) float64 { return FusionLseGrad(in.A, vn(w[0]), vn(g[0])) },
			hessVec: func(v, h [][]float64) { FusionLseHessVec(in.A, in.x, vn(v[0]), vn(h[0])) },
			hessian: func(H *mat.Dense) { FusionLseHessian(in.A, in.x, H) },
		}
	}},
	{"FusionNorm2", func(f *factory, set int) hessCase {
		in := newFusionIn(f, set)
		return hessCase{
			wrt:     []wrtVar{vecVar("x", in.x)},
			f:       func(w [][]float64) float64 { return FusionNorm2(vn(w[0])) },
			grad:    func(w, g [][]float64) float64 { return FusionNorm2Grad(vn(w[0]), vn(g[0])) },
			hessVec: func(v, h [][]float64) { FusionNorm2HessVec(in.x, vn(v[0]), vn(h[0])) },
			hessian: func(H *mat.Dense) { FusionNorm2Hessian(in.x, H) },
		}
	}},
}

// forEachHessCase runs check on every hessBuilder (with a HessVec when
// needHV, with a dense Hessian when needH), shape set and random point.
func forEachHessCase(t *testing.T, test string, needHV, needH bool, check func(t *testing.T, c hessCase, f *factory)) {
	for _, b := range hessBuilders {
		for _, set := range shapeSets {
			for pt := 0; pt < pointsPerSet; pt++ {
				f := newFactory(seedFor(test+"/"+b.name, set, pt), false)
				c := b.build(f, set)
				if needHV && c.hessVec == nil || needH && c.hessian == nil {
					continue
				}
				t.Run(fmt.Sprintf("%s/set%d/pt%d", b.name, set, pt), func(t *testing.T) {
					defer noPanic(t)
					check(t, c, f)
				})
			}
		}
	}
}

// TestGradAgainstCentralDifferences checks every FGrad against
// fd.Gradient of F (central), over all wrt variables packed in wrt order,
// and its returned f against F.
func TestGradAgainstCentralDifferences(t *testing.T) {
	forEachHessCase(t, "grad-fd", false, false, func(t *testing.T, c hessCase, f *factory) {
		x := pack(bases(c.wrt))
		g := c.newGrads()
		fv := c.grad(c.unpack(append([]float64(nil), x...)), g)
		checkClose(t, "f from FGrad vs F", []float64{fv}, []float64{c.f(c.unpack(x))}, roundTol)
		want := fd.Gradient(nil, func(x []float64) float64 { return c.f(c.unpack(x)) }, x,
			&fd.Settings{Formula: fd.Central, Step: fdStep})
		checkClose(t, "gradient vs fd.Gradient", pack(g), want, fdTol)
	})
}

// TestHessVecAgainstCentralDifferences checks every FHessVec, in random
// directions (symmetric ones for GaussNLL's spd S), against the central
// difference of FGrad along the direction.
func TestHessVecAgainstCentralDifferences(t *testing.T) {
	forEachHessCase(t, "hv-fd", true, false, func(t *testing.T, c hessCase, f *factory) {
		v := c.direction(f)
		base := pack(bases(c.wrt))
		want := centralDir(c.size(), fdStep, func(s float64, y []float64) {
			g := c.unpack(y)
			c.grad(c.unpack(axpy(base, s, v)), g)
		})
		checkClose(t, "HessVec vs central difference of the gradient", c.hv(v), want, fdTol)
	})
}

// TestHessVecSelfAdjoint checks ⟨H v₁, v₂⟩ = ⟨v₁, H v₂⟩ for every FHessVec
// (the Hessian is a symmetric bilinear form; for GaussNLL with the
// Frobenius product of symmetric matrices), and linearity
// H(2v₁ − 3v₂) = 2Hv₁ − 3Hv₂.
func TestHessVecSelfAdjoint(t *testing.T) {
	forEachHessCase(t, "hv-adjoint", true, false, func(t *testing.T, c hessCase, f *factory) {
		v1, v2 := c.direction(f), c.direction(f)
		h1, h2 := c.hv(v1), c.hv(v2)
		a, b := floats.Dot(h1, v2), floats.Dot(v1, h2)
		checkClose(t, "⟨Hv₁, v₂⟩ vs ⟨v₁, Hv₂⟩", []float64{a}, []float64{b}, exactTol)
		checkClose(t, "H(2v₁ − 3v₂)", c.hv(added(scaled(2, v1), scaled(-3, v2))), added(scaled(2, h1), scaled(-3, h2)), exactTol)
	})
}

// TestHessianAgainstHessVec checks every column j of every FHessian
// against FHessVec in the unit direction e_j of the packed variables.
func TestHessianAgainstHessVec(t *testing.T) {
	forEachHessCase(t, "h-hv", true, true, func(t *testing.T, c hessCase, f *factory) {
		n := c.size()
		h := nanDense(n, n)
		c.hessian(h)
		want := nanDense(n, n)
		for j := 0; j < n; j++ {
			e := make([]float64, n)
			e[j] = 1
			want.SetCol(j, c.hv(e))
		}
		checkClose(t, "Hessian vs unit HessVecs", flat(h), flat(want), exactTol)
	})
}

// TestHessianAgainstCentralDifferences checks every FHessian against the
// central-difference Jacobian of the packed FGrad.
func TestHessianAgainstCentralDifferences(t *testing.T) {
	forEachHessCase(t, "h-fd", false, true, func(t *testing.T, c hessCase, f *factory) {
		n := c.size()
		h := nanDense(n, n)
		c.hessian(h)
		want := centralJac(n, pack(bases(c.wrt)), fdStep, func(y, x []float64) {
			c.grad(c.unpack(x), c.unpack(y))
		})
		checkClose(t, "Hessian vs central differences of the gradient", flat(h), flat(want), fdTol)
	})
}

// TestHessianExactlySymmetric checks H[i][j] == H[j][i] bit for bit for
// every FHessian.
func TestHessianExactlySymmetric(t *testing.T) {
	forEachHessCase(t, "h-sym", false, true, func(t *testing.T, c hessCase, f *factory) {
		n := c.size()
		h := nanDense(n, n)
		c.hessian(h)
		for i := 0; i < n; i++ {
			for j := 0; j < i; j++ {
				if a, b := h.At(i, j), h.At(j, i); math.Float64bits(a) != math.Float64bits(b) {
					t.Errorf("H[%d][%d] = %.17g but H[%d][%d] = %.17g", i, j, a, j, i, b)
				}
			}
		}
	})
}

// sigmoid is 1/(1 + e^{−z}).
func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// logRegCurvature returns y² s(1−s), s = sigmoid(−y ⊙ (X w + b)), by hand,
// with 1 − s as sigmoid(y ⊙ (X w + b)): 1 − s of a rounded s loses every
// digit where s rounds near 1 (TestLogRegLargeMargins's rows).
func logRegCurvature(in logRegIn, b float64) []float64 {
	d := make([]float64, in.n)
	for i := 0; i < in.n; i++ {
		z := b
		for j := 0; j < in.d; j++ {
			z += in.X.At(i, j) * in.w.AtVec(j)
		}
		y := in.y.AtVec(i)
		d[i] = y * y * sigmoid(-y*z) * sigmoid(y*z)
	}
	return d
}

// TestLogRegNHessianFormula checks LogRegNHessian against
// Xᵀ diag(y² s(1−s)) X computed by hand, s = sigmoid(−y ⊙ Xw), and
// LogRegNHessVec against that matrix times v.
func TestLogRegNHessianFormula(t *testing.T) {
	for _, set := range shapeSets {
		for pt := 0; pt < pointsPerSet; pt++ {
			f := newFactory(seedFor("logregn-formula", set, pt), false)
			in := newLogRegIn(f, set)
			d := logRegCurvature(in, 0)
			want := mat.NewDense(in.d, in.d, nil)
			for j := 0; j < in.d; j++ {
				for k := 0; k < in.d; k++ {
					s := 0.0
					for i := 0; i < in.n; i++ {
						s += in.X.At(i, j) * d[i] * in.X.At(i, k)
					}
					want.Set(j, k, s)
				}
			}
			h := nanDense(in.d, in.d)
			LogRegNHessian(in.X, in.y, in.w, h)
			what := fmt.Sprintf("set %d pt %d: LogRegNHessian vs Xᵀ diag(y² s(1−s)) X", set, pt)
			checkClose(t, what, flat(h), flat(want), roundTol)

			v := f.vec(in.d)
			hv := mat.NewVecDense(in.d, nanSlice(in.d))
			LogRegNHessVec(in.X, in.y, in.w, v, hv)
			var wantHV mat.VecDense
			wantHV.MulVec(want, v)
			checkClose(t, fmt.Sprintf("set %d pt %d: LogRegNHessVec vs Xᵀ diag(y² s(1−s)) X v", set, pt), flat(hv), flat(&wantHV), roundTol)
		}
	}
}

// TestLogRegBiasHessianFormula checks LogRegBiasHessian block by block
// against the hand formulas with d = y² s(1−s), s = sigmoid(−y ⊙ (Xw + b)):
// H_ww = λI + Xᵀ diag(d) X, H_wb = H_bwᵀ = Xᵀ d, H_bb = Σ d; and that
// H(λ) − H(0) is exactly λ on the w diagonal and zero elsewhere (the ridge
// term's Hessian adds, eq. 3).
func TestLogRegBiasHessianFormula(t *testing.T) {
	for _, set := range shapeSets {
		for pt := 0; pt < pointsPerSet; pt++ {
			f := newFactory(seedFor("logregbias-formula", set, pt), false)
			in := newLogRegIn(f, set)
			dd := logRegCurvature(in, in.b)
			n := in.d + 1
			want := mat.NewDense(n, n, nil)
			for j := 0; j < n; j++ {
				for k := 0; k < n; k++ {
					s := 0.0
					for i := 0; i < in.n; i++ {
						xj, xk := 1.0, 1.0
						if j < in.d {
							xj = in.X.At(i, j)
						}
						if k < in.d {
							xk = in.X.At(i, k)
						}
						s += xj * dd[i] * xk
					}
					if j == k && j < in.d {
						s += in.lambda
					}
					want.Set(j, k, s)
				}
			}
			h := nanDense(n, n)
			LogRegBiasHessian(in.X, in.y, in.w, in.b, in.lambda, h)
			checkClose(t, fmt.Sprintf("set %d pt %d: LogRegBiasHessian vs hand formula", set, pt), flat(h), flat(want), roundTol)

			h0 := nanDense(n, n)
			LogRegBiasHessian(in.X, in.y, in.w, in.b, 0, h0)
			diff := mat.NewDense(n, n, nil)
			diff.Sub(h, h0)
			ridge := mat.NewDense(n, n, nil)
			for j := 0; j < in.d; j++ {
				ridge.Set(j, j, in.lambda)
			}
			checkClose(t, fmt.Sprintf("set %d pt %d: H(λ) − H(0) vs λ I_w", set, pt), flat(diff), flat(ridge), roundTol)
		}
	}
}

// TestQuarticHessianFormula checks QuarticHessian against
// Aᵀ diag(exp(Ax)) A + 8 x xᵀ + 4 (xᵀx) I computed with gonum, and its
// additivity (eq. 3): H(x, A) − H(x, 0) = Aᵀ diag(exp(Ax)) A.
func TestQuarticHessianFormula(t *testing.T) {
	for _, set := range shapeSets {
		for pt := 0; pt < pointsPerSet; pt++ {
			f := newFactory(seedFor("quartic-formula", set, pt), false)
			in := newQuarticIn(f, set)
			var ax mat.VecDense
			ax.MulVec(in.A, in.x)
			e := make([]float64, in.m)
			for i := range e {
				e[i] = math.Exp(ax.AtVec(i))
			}
			data := mul(in.A.T(), mat.NewDiagDense(in.m, e), in.A)
			xx := mat.Dot(in.x, in.x)
			rest := mat.NewDense(in.n, in.n, nil)
			for i := 0; i < in.n; i++ {
				for j := 0; j < in.n; j++ {
					v := 8 * in.x.AtVec(i) * in.x.AtVec(j)
					if i == j {
						v += 4 * xx
					}
					rest.Set(i, j, v)
				}
			}
			want := mat.NewDense(in.n, in.n, nil)
			want.Add(data, rest)
			h := nanDense(in.n, in.n)
			QuarticHessian(in.x, in.A, h)
			checkClose(t, fmt.Sprintf("set %d pt %d: QuarticHessian vs formula", set, pt), flat(h), flat(want), roundTol)

			h0 := nanDense(in.n, in.n)
			QuarticHessian(in.x, mat.NewDense(in.m, in.n, nil), h0)
			checkClose(t, fmt.Sprintf("set %d pt %d: QuarticHessian with A = 0", set, pt), flat(h0), flat(rest), roundTol)
			diff := mat.NewDense(in.n, in.n, nil)
			diff.Sub(h, h0)
			checkClose(t, fmt.Sprintf("set %d pt %d: H(x, A) − H(x, 0)", set, pt), flat(diff), flat(data), roundTol)
		}
	}
}

// TestQuadTraceHessVecFormula checks QuadTraceHessVec(A, W, V) = (A + Aᵀ) V,
// independent of W.
func TestQuadTraceHessVecFormula(t *testing.T) {
	for _, set := range shapeSets {
		f := newFactory(seedFor("quadtrace-formula", set, 0), false)
		in := newQuadTraceIn(f, set)
		v := f.dense(in.n, in.k)
		var sum mat.Dense
		sum.Add(in.A, in.A.T())
		want := mul(&sum, v)
		for _, w := range []*mat.Dense{in.W, f.dense(in.n, in.k)} {
			h := nanDense(in.n, in.k)
			QuadTraceHessVec(in.A, w, v, h)
			checkClose(t, fmt.Sprintf("set %d: QuadTraceHessVec vs (A + Aᵀ) V", set), flat(h), flat(want), roundTol)
		}
	}
}

// TestGaussNLLHessVecSymmetric checks GaussNLLHessVec at S = A Aᵀ + n·I in
// random symmetric directions V against the central difference
// (G(S+hV) − G(S−hV))/2h of GaussNLLGrad, written out by hand, and against
// the hand derivative of G = S⁻¹ − S⁻¹CS⁻¹:
// S⁻¹(−V + V S⁻¹C + C S⁻¹V)S⁻¹.
func TestGaussNLLHessVecSymmetric(t *testing.T) {
	const h = 1e-6
	for _, set := range shapeSets {
		for pt := 0; pt < pointsPerSet; pt++ {
			f := newFactory(seedFor("gauss-hv", set, pt), false)
			in := newGaussIn(f, set)
			n := in.n
			v := f.sym(n)
			got := mat.NewSymDense(n, nanSlice(n*n))
			GaussNLLHessVec(in.S, in.C, v, got)

			plus, minus := mat.NewSymDense(n, nil), mat.NewSymDense(n, nil)
			plus.AddSym(in.S, scaledSym(h, v))
			minus.AddSym(in.S, scaledSym(-h, v))
			gp, gm := mat.NewSymDense(n, nil), mat.NewSymDense(n, nil)
			GaussNLLGrad(plus, in.C, gp)
			GaussNLLGrad(minus, in.C, gm)
			fdv := scaled(1/(2*h), added(flat(gp), scaled(-1, flat(gm))))
			checkClose(t, fmt.Sprintf("set %d pt %d: GaussNLLHessVec vs (G(S+hV) − G(S−hV))/2h", set, pt), flat(got), fdv, fdTol)

			var si mat.Dense
			if err := si.Inverse(in.S); err != nil {
				t.Fatal(err)
			}
			inner := mat.NewDense(n, n, nil)
			inner.Scale(-1, v)
			inner.Add(inner, mul(v, &si, in.C))
			inner.Add(inner, mul(in.C, &si, v))
			want := mul(&si, inner, &si)
			checkClose(t, fmt.Sprintf("set %d pt %d: GaussNLLHessVec vs S⁻¹(−V + VS⁻¹C + CS⁻¹V)S⁻¹", set, pt), flat(got), flat(want), 1e-11)
		}
	}
}

func scaledSym(s float64, a *mat.SymDense) *mat.SymDense {
	out := mat.NewSymDense(a.SymmetricDim(), nil)
	out.ScaleSym(s, a)
	return out
}

// TestLogRegLargeMargins checks LogRegNHessian and LogRegBiasHessian where
// |y ⊙ (Xw + b)| reaches hundreds, so s = sigmoid(−y ⊙ (Xw + b)) is within
// e⁻¹⁰⁰ of 0 or 1 for most rows: entries finite, exactly symmetric, and
// equal to the hand formula relative to the Hessian's own size.
func TestLogRegLargeMargins(t *testing.T) {
	for _, set := range shapeSets {
		f := newFactory(seedFor("large-margins", set, 0), false)
		in := newLogRegIn(f, set)
		in.w.ScaleVec(300, in.w)
		// Row 0 keeps a moderate margin, so the Hessian is not all underflow.
		for j := 0; j < in.d; j++ {
			in.X.Set(0, j, in.X.At(0, j)/300)
		}
		for _, bias := range []bool{false, true} {
			n, b := in.d, 0.0
			if bias {
				n, b = in.d+1, 0.5
			}
			h := nanDense(n, n)
			if bias {
				LogRegBiasHessian(in.X, in.y, in.w, b, 0, h)
			} else {
				LogRegNHessian(in.X, in.y, in.w, h)
			}
			dd := logRegCurvature(in, b)
			want := mat.NewDense(n, n, nil)
			scale := 0.0
			for j := 0; j < n; j++ {
				for k := 0; k < n; k++ {
					s := 0.0
					for i := 0; i < in.n; i++ {
						xj, xk := 1.0, 1.0
						if j < in.d {
							xj = in.X.At(i, j)
						}
						if k < in.d {
							xk = in.X.At(i, k)
						}
						s += xj * dd[i] * xk
					}
					want.Set(j, k, s)
					scale = math.Max(scale, math.Abs(s))
				}
			}
			where := fmt.Sprintf("set %d bias %v", set, bias)
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					if v := h.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) || v != h.At(j, i) {
						t.Fatalf("%s: H[%d][%d] = %v, H[%d][%d] = %v", where, i, j, v, j, i, h.At(j, i))
					}
				}
			}
			if scale == 0 {
				checkEqual(t, where+": Hessian", flat(h), flat(want))
				continue
			}
			checkClose(t, where+": Hessian / max|H| vs hand formula", scaled(1/scale, flat(h)), scaled(1/scale, flat(want)), roundTol)
		}
	}
}

// TestLogRegSaturatedCurvature checks LogRegNHessian on one row with
// margins 20, 37 and 40, where σ rounds to 1: the curvature σ′ from the
// argument (dsigmoid), within 8 ulps of σ(z)σ(−z) (mpmath, 60 digits),
// where s(1 − s) of the rounded s was 1.6·10⁸ ulps off at 20 and 0 from 37.
func TestLogRegSaturatedCurvature(t *testing.T) {
	for _, c := range []struct{ z, want float64 }{
		{20, 2.0611536139418493437e-9}, {37, 8.533047625744064338e-17}, {40, 4.2483542552915889592e-18},
	} {
		// f = softplus(−y x w) with x = 1, y = 1, w = −z: f″ = σ′(z).
		X := mat.NewDense(1, 1, []float64{1})
		y := mat.NewVecDense(1, []float64{1})
		w := mat.NewVecDense(1, []float64{-c.z})
		h := mat.NewDense(1, 1, nil)
		LogRegNHessian(X, y, w, h)
		if got := h.At(0, 0); math.Abs(got-c.want) > 8*0x1p-52*c.want {
			t.Errorf("margin %v: Hessian = %v, want %v", c.z, got, c.want)
		}
	}
}
