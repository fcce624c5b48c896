package main

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// reference computes the loss and its gradient by hand, row by row in
// float64: the logits z = xᵢ W + b, their maximum m, the log-sum-exp as
// m + log1p(Σ_{j≠argmax} exp(zⱼ − m)) (the largest term, exactly 1, kept
// out of the sum), minus Σ Yᵢⱼ zⱼ; the gradient of the row's loss with
// respect to z is softmax(z) − Yᵢ, which gives dW = Σᵢ xᵢᵀ gᵢ and db = Σᵢ gᵢ.
func reference(X, Y, W *mat.Dense, b *mat.VecDense) (f float64, dW *mat.Dense, db *mat.VecDense) {
	rows, cols := X.Dims()
	_, classes := W.Dims()
	dW, db = mat.NewDense(cols, classes, nil), mat.NewVecDense(classes, nil)
	z, g := make([]float64, classes), make([]float64, classes)
	for i := 0; i < rows; i++ {
		top := 0
		for j := range z {
			z[j] = b.AtVec(j)
			for l := 0; l < cols; l++ {
				z[j] += X.At(i, l) * W.At(l, j)
			}
			if z[j] > z[top] {
				top = j
			}
		}
		m, rest := z[top], 0.0
		for j := range z {
			if j != top {
				rest += math.Exp(z[j] - m)
			}
		}
		f += m + math.Log1p(rest)
		for j := range z {
			f -= Y.At(i, j) * z[j]
			g[j] = math.Exp(z[j]-m)/(1+rest) - Y.At(i, j)
			db.SetVec(j, db.AtVec(j)+g[j])
			for l := 0; l < cols; l++ {
				dW.Set(l, j, dW.At(l, j)+X.At(i, l)*g[j])
			}
		}
	}
	return f, dW, db
}

// randomWeights returns W d×k and b with entries scale·(±1) (signs drawn
// from rng) or, with signsOnly false, scale·N(0, 1).
func randomWeights(rng *rand.Rand, scale float64, signsOnly bool) (*mat.Dense, *mat.VecDense) {
	draw := func() float64 {
		if signsOnly {
			return scale * float64(2*rng.IntN(2)-1)
		}
		return scale * rng.NormFloat64()
	}
	W, b := mat.NewDense(d, k, nil), mat.NewVecDense(k, nil)
	for i := 0; i < d; i++ {
		for j := 0; j < k; j++ {
			W.Set(i, j, draw())
		}
	}
	for j := 0; j < k; j++ {
		b.SetVec(j, draw())
	}
	return W, b
}

// closeTo reports whether got is within rel of want, relative to
// max(|want|, floor).
func closeTo(got, want, rel, floor float64) bool {
	return math.Abs(got-want) <= rel*math.Max(math.Abs(want), floor)
}

// TestLargeWeights evaluates the loss and its gradient at weights and
// biases of ±1e3, where the logits are thousands and exp of them overflows:
// Loss and LossGrad must be finite and equal the hand-computed reference.
func TestLargeWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	X, Y := synthetic(40, rng)
	W, b := randomWeights(rng, 1e3, true)
	want, wantW, wantb := reference(X, Y, W, b)
	var Z mat.Dense
	Z.Mul(X, W)
	if !math.IsInf(math.Exp(mat.Max(&Z)+mat.Max(b)), 1) || want < 1e3 {
		t.Fatalf("the logits (largest %g) do not overflow exp: not a test of large weights", mat.Max(&Z))
	}
	dW, db := mat.NewDense(d, k, nil), mat.NewVecDense(k, nil)
	f := LossGrad(X, Y, W, b, dW, db)
	for _, v := range []struct {
		name string
		got  float64
	}{{"Loss", Loss(X, Y, W, b)}, {"LossGrad", f}} {
		if math.IsNaN(v.got) || math.IsInf(v.got, 0) || !closeTo(v.got, want, 1e-12, 0) {
			t.Errorf("%s = %.17g, reference %.17g", v.name, v.got, want)
		}
	}
	for _, g := range []struct {
		name      string
		got, want mat.Matrix
	}{{"dW", dW, wantW}, {"db", db, wantb}} {
		r, c := g.want.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				// Entries are sums of X's entries (order 1) over rows.
				if gv, wv := g.got.At(i, j), g.want.At(i, j); math.IsNaN(gv) || !closeTo(gv, wv, 1e-12, 1) {
					t.Errorf("%s[%d,%d] = %.17g, reference %.17g", g.name, i, j, gv, wv)
				}
			}
		}
	}
}

// TestGradFiniteDifferences checks the generated gradient against the
// hand-computed reference and central finite differences of Loss at
// random weights of order one.
func TestGradFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	X, Y := synthetic(40, rng)
	W, b := randomWeights(rng, 1, false)
	dW, db := mat.NewDense(d, k, nil), mat.NewVecDense(k, nil)
	f := LossGrad(X, Y, W, b, dW, db)
	want, wantW, wantb := reference(X, Y, W, b)
	if !closeTo(f, want, 1e-12, 0) {
		t.Errorf("LossGrad = %.17g, reference %.17g", f, want)
	}
	x0 := append(append([]float64(nil), W.RawMatrix().Data...), b.RawVector().Data...)
	p := LossProblem(X, Y)
	numeric := fd.Gradient(nil, p.Func, x0, &fd.Settings{Formula: fd.Central})
	got := append(append([]float64(nil), dW.RawMatrix().Data...), db.RawVector().Data...)
	ref := append(append([]float64(nil), wantW.RawMatrix().Data...), wantb.RawVector().Data...)
	for i := range numeric {
		if !closeTo(got[i], numeric[i], 1e-6, 1) {
			t.Errorf("gradient entry %d = %.10g, finite differences %.10g", i, got[i], numeric[i])
		}
		if !closeTo(got[i], ref[i], 1e-12, 1) {
			t.Errorf("gradient entry %d = %.17g, reference %.17g", i, got[i], ref[i])
		}
	}
}

// TestTrain minimises the loss with LBFGS to a vanishing gradient and
// checks that the classifier fits the synthetic data well and beats the
// loss at zero weights (n log k) by a wide margin.
func TestTrain(t *testing.T) {
	X, Y := synthetic(n, rand.New(rand.NewPCG(1, 2)))
	W, b, res, err := train(X, Y)
	if err != nil {
		t.Fatal(err)
	}
	grad := make([]float64, len(res.X))
	LossProblem(X, Y).Grad(grad, res.X)
	if norm := floats.Norm(grad, 2); norm >= 1e-6 {
		t.Errorf("LBFGS stopped (%v) at |grad| = %.3g, want < 1e-6", res.Status, norm)
	}
	if start := n * math.Log(k); !(res.F < start/2) {
		t.Errorf("loss %v after training, %v at zero weights", res.F, start)
	}
	if acc := accuracy(X, Y, W, b); acc < 0.9 {
		t.Errorf("training accuracy %.1f%%, want ≥ 90%%", 100*acc)
	}
	t.Logf("LBFGS: %v after %d iterations, loss %.9f, |grad| %.2e", res.Status, res.Stats.MajorIterations, res.F, floats.Norm(grad, 2))
}
