//go:build gradgenpoison

package runtime

import (
	"math"
	"testing"
)

// TestPoisonedWorkspace checks that under gradgenpoison every buffer Vec
// and Mat hand out is all NaN, the first time and after it was written.
func TestPoisonedWorkspace(t *testing.T) {
	var buf []float64
	for call := range 2 {
		v := Vec(&buf, 5)
		m := Mat(&buf, 2, 2)
		for k, x := range append(append([]float64{}, v.Data...), m.Data...) {
			if !math.IsNaN(x) {
				t.Fatalf("call %d: entry %d of a poisoned buffer is %v", call, k, x)
			}
		}
		for k := range buf {
			buf[k] = 1
		}
	}
}
