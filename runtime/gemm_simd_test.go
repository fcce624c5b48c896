//go:build goexperiment.simd && amd64

package runtime

import (
	"fmt"
	"math"
	"testing"
)

// TestZeroProduct checks vecMul's scan for a zero alpha·x: a zero at every
// position of matrices stored with and without gaps (so the contiguous
// matrix scanned as one row, the steps of sixteen and four and the last
// overlapping vector all meet one), a product that underflows to zero, no
// zero at all, and zeros in the gaps between rows, which are not entries
// and must not count.
func TestZeroProduct(t *testing.T) {
	for rows := 1; rows <= 4; rows++ {
		for cols := 1; cols <= 37; cols++ {
			for _, gap := range []int{0, 3} {
				lda := cols + gap
				a := make([]float64, (rows-1)*lda+cols)
				fill := func() {
					for i := range a {
						a[i] = 0 // the gaps
						if i%lda < cols {
							a[i] = 1 + float64(i%5)
						}
					}
				}
				name := fmt.Sprintf("%dx%d lda=%d", rows, cols, lda)
				fill()
				if zeroProduct(-2, a, lda, rows, cols) {
					t.Fatalf("%s: a zero found in a matrix without one (gaps of zeros)", name)
				}
				for i := 0; i < rows; i++ {
					for j := 0; j < cols; j++ {
						fill()
						a[i*lda+j] = math.Copysign(0, float64(j%2)-0.5)
						if !zeroProduct(-2, a, lda, rows, cols) {
							t.Fatalf("%s: the zero at (%d, %d) not found", name, i, j)
						}
						fill()
						a[i*lda+j] = 1e-300
						if !zeroProduct(1e-300, a, lda, rows, cols) {
							t.Fatalf("%s: 1e-300·1e-300 at (%d, %d), which underflows to 0, not found", name, i, j)
						}
					}
				}
			}
		}
	}
}
