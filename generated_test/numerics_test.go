package generated

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gradgen/gradgen/runtime"
)

func finite(t *testing.T, name string, xs ...float64) {
	t.Helper()
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.Errorf("%s: %v is not finite", name, x)
		}
	}
}

// TestStableForms checks the stable forms of softplus, sigmoid and
// logsumexp at large arguments and −Inf entries.
func TestStableForms(t *testing.T) {
	X := mat.NewDense(3, 2, []float64{1e3, -1e3, -1e3, 1e3, 5e2, 5e2})
	y := mat.NewVecDense(3, []float64{1, -1, 1})
	w := mat.NewVecDense(2, []float64{1, 1})
	dw := mat.NewVecDense(2, nil)
	var dl float64
	f := LogRegGrad(X, y, w, 0, dw, &dl)
	finite(t, "LogReg", f, dw.AtVec(0), dw.AtVec(1), dl)

	x := mat.NewVecDense(3, []float64{1e3, 1e3 + math.Log(3), math.Inf(-1)})
	dx := mat.NewVecDense(3, nil)
	if got, want := OpLogsumexpGrad(x, dx), 1e3+math.Log(4); math.Abs(got-want) > 1e-12 {
		t.Errorf("logsumexp = %v, want %v", got, want)
	}
	if got := []float64{dx.AtVec(0), dx.AtVec(1), dx.AtVec(2)}; math.Abs(got[0]-0.25) > 1e-12 || math.Abs(got[1]-0.75) > 1e-12 || got[2] != 0 {
		t.Errorf("softmax = %v, want [0.25 0.75 0]", got)
	}
}

// TestSaturatedDerivatives checks the gradients of sum(tanh(X)) and
// sum(sigmoid(x)) where tanh and σ round to ±1 or 1: dtanh and dsigmoid
// from the argument, within 8 ulps of sech²(x) and σ(x)σ(−x) (mpmath, 60
// digits), where 1 − y² and y(1 − y) were off by up to 10¹² ulps and 0
// from |x| ≈ 19 (tanh) and x ≈ 37 (σ).
func TestSaturatedDerivatives(t *testing.T) {
	near := func(got, want float64) bool {
		return math.Abs(got-want) <= 8*0x1p-52*math.Abs(want)+4*0x1p-1074
	}
	tanhAt := []struct{ x, want float64 }{
		{5, 1.8158323094380668413e-4}, {10, 8.2446144557673973746e-9}, {19, 1.2556531168192117727e-16},
		{20, 1.6993417021166355837e-17}, {-40, 7.2194055513816606892e-35}, {100, 5.5355861069469501226e-87},
	}
	X := mat.NewDense(2, 3, nil)
	for i, c := range tanhAt {
		X.Set(i/3, i%3, c.x)
	}
	dX := mat.NewDense(2, 3, nil)
	OpTanhGrad(X, dX)
	for i, c := range tanhAt {
		if got := dX.At(i/3, i%3); !near(got, c.want) {
			t.Errorf("d/dx sum(tanh(x)) at %v = %v, want %v", c.x, got, c.want)
		}
	}
	sigmoidAt := []struct{ x, want float64 }{
		{10, 4.5395807735951671032e-5}, {20, 2.0611536139418493437e-9}, {37, 8.533047625744064338e-17},
		{-40, 4.2483542552915889592e-18}, {100, 3.720075976020835963e-44}, {700, 9.8596765437597708567e-305},
	}
	x := mat.NewVecDense(len(sigmoidAt), nil)
	for i, c := range sigmoidAt {
		x.SetVec(i, c.x)
	}
	dx := mat.NewVecDense(len(sigmoidAt), nil)
	OpSigmoidGrad(x, dx)
	for i, c := range sigmoidAt {
		if got := dx.AtVec(i); !near(got, c.want) {
			t.Errorf("d/dx sum(sigmoid(x)) at %v = %v, want %v", c.x, got, c.want)
		}
	}
}

// TestEulerValueLost checks that TraceInvSCGrad, which reads f = tr(S⁻¹C)
// off its gradient (degree −1), returns f itself where the gradient
// underflows or overflows: at S = 1e300 the gradient −1e−600 is −0 and f
// read off it was −0 (helper-61), at S = 1e−160 it overflows and f was
// +Inf or NaN.
func TestEulerValueLost(t *testing.T) {
	C3 := []float64{1, 2, 0, -1, 3, 1, 0.5, 0, 2}
	for _, c := range []struct {
		name string
		s    float64
		n    int
		c    []float64
	}{
		{"1e300", 1e300, 1, []float64{1}},
		{"max", 1.797e308, 1, []float64{1}},
		{"1e-160", 1e-160, 1, []float64{1}},
		{"1e-160·I₃", 1e-160, 3, C3},
		{"1e150·I₃", 1e150, 3, C3},
		{"moderate", 2, 3, C3},
	} {
		S := mat.NewSymDense(c.n, nil)
		for i := 0; i < c.n; i++ {
			S.SetSym(i, i, c.s)
		}
		C := mat.NewDense(c.n, c.n, c.c)
		want := TraceInvSC(S, C)
		got := TraceInvSCGrad(S, C, &mat.SymDense{})
		if math.IsNaN(got) || math.IsInf(got, 0) || math.Abs(got-want) > 4e-16*math.Abs(want) || math.Signbit(got) != math.Signbit(want) {
			t.Errorf("%s: TraceInvSCGrad's f = %v, TraceInvSC = %v", c.name, got, want)
		}
	}
}

// TestStableSpellings checks the textbook spellings of log-likelihoods at
// logits where they overflow or lose every digit as written: log σ(z),
// log(1 − σ(z)), log(1 + eᶻ), log1p(eᶻ) and the cross-entropy of σ(X w)
// are built as softplus, exact here; as written they gave −Inf, NaN or 0
// (helper-60, helper-61).
func TestStableSpellings(t *testing.T) {
	near := func(got, want float64) bool { return math.Abs(got-want) <= 4e-16*math.Abs(want) }
	check := func(name string, got, want float64) {
		t.Helper()
		if !near(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	z := mat.NewVecDense(3, []float64{-800, 800, 0})
	dz := mat.NewVecDense(3, nil)
	check("LogSigmoid", LogSigmoidGrad(z, dz), -800-math.Ln2)
	for i, want := range []float64{1, 0, 0.5} {
		check("∂LogSigmoid", dz.AtVec(i), want)
	}
	z = mat.NewVecDense(3, []float64{800, -800, 0})
	check("LogOneMinusSigmoid", LogOneMinusSigmoidGrad(z, dz), -800-math.Ln2)
	for i, want := range []float64{-1, 0, -0.5} {
		check("∂LogOneMinusSigmoid", dz.AtVec(i), want)
	}
	z = mat.NewVecDense(2, []float64{800, -40})
	dz = mat.NewVecDense(2, nil)
	// softplus(−40) + softplus(−80) = e⁻⁴⁰ + e⁻⁸⁰ to rounding.
	check("LogOnePlusExp", LogOnePlusExpGrad(z, dz), 2400+4.248354255291589e-18)
	check("∂LogOnePlusExp at 800", dz.AtVec(0), 3)
	check("∂LogOnePlusExp at −40", dz.AtVec(1), 4.2483542552915889592e-18)
	// 3 σ(−x) + 1 − σ(x) = 4 σ(−x): at x = 0, 2 and gradient −1 (4 σ′(0)).
	x := mat.NewVecDense(1, []float64{0})
	dx := mat.NewVecDense(1, nil)
	check("OneMinusSigmoidBeside", OneMinusSigmoidBesideGrad(x, dx), 2)
	check("∂OneMinusSigmoidBeside", dx.AtVec(0), -1)
	// One sample with logit 40: label 1 has loss softplus(−40) ≈ e⁻⁴⁰ and
	// gradient −σ(−40); label 0 loss softplus(40) and gradient σ(40) = 1
	// to rounding.
	X := mat.NewDense(1, 1, []float64{1})
	w := mat.NewVecDense(1, []float64{40})
	dw := mat.NewVecDense(1, nil)
	check("CrossEntropy y=1", CrossEntropyGrad(X, mat.NewVecDense(1, []float64{1}), w, dw), 4.2483542552915889e-18)
	check("∂CrossEntropy y=1", dw.AtVec(0), -4.2483542552915890e-18)
	check("CrossEntropy y=0", CrossEntropyGrad(X, mat.NewVecDense(1, []float64{0}), w, dw), 40)
	check("∂CrossEntropy y=0", dw.AtVec(0), 1)
}

// TestNorm2AtZero checks the gradient of norm2 is 0 at 0, not NaN.
func TestNorm2AtZero(t *testing.T) {
	x := mat.NewVecDense(3, nil)
	dx := mat.NewVecDense(3, []float64{7, 7, 7})
	if f := OpNorm2Grad(x, dx); f != 0 {
		t.Errorf("norm2(0) = %v", f)
	}
	for i := 0; i < 3; i++ {
		if dx.AtVec(i) != 0 {
			t.Errorf("∂norm2/∂x at 0 = %v, want 0", mat.Formatted(dx.T()))
		}
	}
}

// TestPowerAtZero checks the generated derivative of sum(X .^ p) in p at
// an entry x = 0 of X: 0, the limit of x^p·log x for p > 0 (and what
// PyTorch gives), not 0·(−∞) = NaN; the others add x^p·log x.
func TestPowerAtZero(t *testing.T) {
	X := mat.NewDense(2, 2, []float64{0, 0.5, 0.25, 1})
	const p = 0.7
	dX := mat.NewDense(2, 2, nil)
	var dp float64
	OpElementwisePowerGrad(X, p, dX, &dp)
	want := 0.0
	for _, x := range []float64{0.5, 0.25, 1} {
		want += math.Pow(x, p) * math.Log(x)
	}
	if !(math.Abs(dp-want) <= 1e-15) {
		t.Errorf("∂f/∂p = %v, want %v", dp, want)
	}
	var ds, dq float64
	if OpScalarPowerGrad(0, p, &ds, &dq); dq != 0 {
		t.Errorf("∂(s^p + 1/s)/∂p at s = 0: %v, want 0", dq)
	}
}

// TestSingular checks singular matrices never panic and never give a
// wrong finite number, and that det's gradient is the finite cofactor
// matrix.
func TestSingular(t *testing.T) {
	A := mat.NewDense(2, 2, []float64{1, 2, 2, 4}) // rank 1
	dA := mat.NewDense(2, 2, nil)
	if f := OpDetGrad(A, dA); f != 0 {
		t.Errorf("det = %v, want 0", f)
	}
	// cof([[a b] [c d]]) = [[d -c] [-b a]].
	want := mat.NewDense(2, 2, []float64{4, -2, -2, 1})
	if !mat.EqualApprox(dA, want, 1e-12) {
		t.Errorf("∂det/∂A = %v, want %v", mat.Formatted(dA), mat.Formatted(want))
	}
	if f := OpLogdet(A); !math.IsInf(f, -1) {
		t.Errorf("logdet of a singular matrix = %v, want -Inf", f)
	}
	B := mat.NewDense(2, 2, []float64{1, 0, 0, 1})
	if f := OpInv(A, B); !math.IsNaN(f) {
		t.Errorf("tr(inv(A) B) of a singular A = %v, want NaN", f)
	}
}

// TestShapePanics checks mismatched shapes and aliased destinations panic
// with messages that name the function, argument and dimensions.
func TestShapePanics(t *testing.T) {
	a, b := mat.NewVecDense(3, nil), mat.NewVecDense(4, nil)
	tests := []struct {
		name string
		call func()
		want string
	}{
		{"shape", func() { Bilinear(a, mat.NewDense(3, 5, nil), b) }, "Bilinear: b has length 4, want n = 5"},
		{"grad shape", func() { BilinearGrad(a, mat.NewDense(3, 4, nil), b, mat.NewDense(4, 3, nil)) }, "BilinearGrad: dX is 4×3, want m×n = 3×4"},
		{"alias", func() {
			X := mat.NewDense(3, 4, nil)
			BilinearGrad(a, X, b, X)
		}, "BilinearGrad: gradient dX shares memory with input X"},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				r := recover()
				err, ok := r.(error)
				if !ok || err.Error() != tt.want {
					t.Errorf("%s: panic %v, want %q", tt.name, r, tt.want)
				}
				var se *runtime.ShapeError
				var ae *runtime.AliasError
				if _, isShape := r.(*runtime.ShapeError); !isShape && tt.name != "alias" {
					t.Errorf("%s: panic is %T, want %T", tt.name, r, se)
				}
				if _, isAlias := r.(*runtime.AliasError); !isAlias && tt.name == "alias" {
					t.Errorf("%s: panic is %T, want %T", tt.name, r, ae)
				}
			}()
			tt.call()
		}()
	}
}
