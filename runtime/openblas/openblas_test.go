package openblas

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/netlib/blas/netlib"

	"github.com/gradgen/gradgen/runtime"
)

// TestOpenBLASBackend checks that importing the package installs netlib's OpenBLAS
// binding as blas64's implementation, and that the small calls kept in pure
// Go and the large ones sent to OpenBLAS agree with gonum.
func TestOpenBLASBackend(t *testing.T) {
	impl, ok := blas64.Implementation().(openBLAS)
	if !ok {
		t.Fatalf("blas64.Implementation() = %T, want openblas.openBLAS", blas64.Implementation())
	}
	var _ netlib.Implementation = impl.Implementation

	for _, n := range []int{3, 40} { // 27 < openBLASLevel3 <= 64000
		a, b := make([]float64, n*n), make([]float64, n*n)
		for i := range a {
			a[i], b[i] = math.Sin(float64(i)), math.Cos(float64(3*i))
		}
		got, want := make([]float64, n*n), make([]float64, n*n)
		blas64.Gemm(blas.Trans, blas.NoTrans, 1.5,
			blas64.General{Rows: n, Cols: n, Stride: n, Data: a},
			blas64.General{Rows: n, Cols: n, Stride: n, Data: b},
			0, blas64.General{Rows: n, Cols: n, Stride: n, Data: got})
		gonum.Implementation{}.Dgemm(blas.Trans, blas.NoTrans, n, n, n, 1.5, a, n, b, n, 0, want, n)
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-12*float64(n) {
				t.Fatalf("n=%d: Gemm[%d] = %v, gonum %v", n, i, got[i], want[i])
			}
		}
		x := blas64.Vector{N: n * n, Inc: 1, Data: a}
		if d, w := blas64.Dot(x, x), (gonum.Implementation{}).Ddot(n*n, a, 1, a, 1); math.Abs(d-w) > 1e-12*w {
			t.Fatalf("n=%d: Dot = %v, gonum %v", n, d, w)
		}
	}
	// Straight through netlib: [1 2; 3 4] * [5; 6] = [17; 39].
	y := make([]float64, 2)
	impl.Implementation.Dgemv(blas.NoTrans, 2, 2, 1, []float64{1, 2, 3, 4}, 2, []float64{5, 6}, 1, 0, y, 1)
	if y[0] != 17 || y[1] != 39 {
		t.Fatalf("netlib Dgemv = %v, want [17 39]", y)
	}
}

// TestSplitPanels checks that under -tags gradgensplit the row panels are
// the runtime's split ones (2 rows of 4 columns), not the 1 MiB panels
// this package's init sets: the oracle's OpenBLAS batches must loop over
// several panels as its other batches do.
func TestSplitPanels(t *testing.T) {
	if !thresholdsLowered {
		t.Skip("needs -tags gradgensplit")
	}
	if got := runtime.PanelRows(4); got != 2 {
		t.Errorf("PanelRows(4) = %d under -tags gradgensplit, want 2", got)
	}
}
