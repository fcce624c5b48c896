package higher

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestLogsumexpExtremes checks every derivative of logsumexp where
// exp(x − logsumexp(x)) rounds (x − logsumexp(x) is 0 in float64 at
// [1e17, 1e17]): the gradient, Hessian-vector product, Hessian and dᵏ/dtᵏ
// along a ray must all come from the max-shifted softmax. Under s =
// softmax(x + t d) the derivatives in t are the mean, variance and third
// central moment of d; the Hessian is diag(s) − s sᵀ.
func TestLogsumexpExtremes(t *testing.T) {
	close := func(got, want float64) bool { return math.Abs(got-want) <= 1e-14*math.Max(1, math.Abs(want)) }
	for _, c := range []float64{1e17, 1e300, -1e300, -1e17} {
		// Three equal entries and d = [3, 0, 0]: mean 1, variance 2, third
		// central moment 2.
		x, d := mat.NewVecDense(3, []float64{c, c, c}), mat.NewVecDense(3, []float64{3, 0, 0})
		var dt float64
		LseRayGrad(0, x, d, &dt)
		got := []float64{dt, LseRayDeriv(0, x, d), LseRayDeriv2(0, x, d), LseRayDeriv3(0, x, d)}
		for k, want := range []float64{1, 1, 2, 2} {
			if !close(got[k], want) {
				t.Errorf("x = %v: LseRay derivatives [Grad Deriv Deriv2 Deriv3] = %v, want [1 1 2 2]", c, got)
				break
			}
		}

		// A 2×2 matrix of equal entries: s = 1/4 each, the Hessian-vector
		// product s ⊙ (v − sum(s ⊙ v)).
		X := mat.NewDense(2, 2, []float64{c, c, c, c})
		dX := mat.NewDense(2, 2, nil)
		LseMatrixGrad(X, dX)
		if !mat.EqualApprox(dX, mat.NewDense(2, 2, []float64{0.25, 0.25, 0.25, 0.25}), 1e-15) {
			t.Errorf("X = %v: ∂/∂X = %v, want all 1/4", c, mat.Formatted(dX))
		}
		v := mat.NewDense(2, 2, []float64{1, 0, 0, 0})
		hX := mat.NewDense(2, 2, nil)
		LseMatrixHessVec(X, v, hX)
		if want := mat.NewDense(2, 2, []float64{0.1875, -0.0625, -0.0625, -0.0625}); !mat.EqualApprox(hX, want, 1e-15) {
			t.Errorf("X = %v: HessVec = %v, want %v", c, mat.Formatted(hX), mat.Formatted(want))
		}

		// logsumexp(A x) with A = I: the dense Hessian diag(s) − s sᵀ.
		A := mat.NewDense(2, 2, []float64{1, 0, 0, 1})
		H := mat.NewDense(2, 2, nil)
		FusionLseHessian(A, mat.NewVecDense(2, []float64{c, c}), H)
		if want := mat.NewDense(2, 2, []float64{0.25, -0.25, -0.25, 0.25}); !mat.EqualApprox(H, want, 1e-15) {
			t.Errorf("x = [%v %v]: Hessian = %v, want %v", c, c, mat.Formatted(H), mat.Formatted(want))
		}
	}
	// Mixed magnitudes: all the weight on the largest entry, so every
	// central moment is 0 and the mean is its d.
	x, d := mat.NewVecDense(3, []float64{1e300, 0, -1e300}), mat.NewVecDense(3, []float64{2, 5, 7})
	got := []float64{LseRayDeriv(0, x, d), LseRayDeriv2(0, x, d), LseRayDeriv3(0, x, d)}
	if got[0] != 2 || got[1] != 0 || got[2] != 0 {
		t.Errorf("x = [1e300 0 -1e300]: LseRay derivatives = %v, want [2 0 0]", got)
	}
}
