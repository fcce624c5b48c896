package runtime

import (
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
)

// TestRowSlice checks RowSlice: entries 0 … n−1 of row i of a strided
// matrix, the matrix's own storage (a write through the slice is a write
// to the matrix), and empty for n = 0, also of an empty matrix past its
// storage.
func TestRowSlice(t *testing.T) {
	g := blas64.General{Rows: 3, Cols: 2, Stride: 4, Data: []float64{
		0, 1, 90, 91,
		10, 11, 92, 93,
		20, 21}}
	for _, tt := range []struct {
		g    blas64.General
		i, n int
		want []float64
	}{
		{g, 0, 2, []float64{0, 1}},
		{g, 1, 2, []float64{10, 11}},
		{g, 2, 2, []float64{20, 21}},
		{g, 2, 1, []float64{20}},
		{g, 1, 0, nil},
		{blas64.General{Rows: 3, Cols: 0, Stride: 1}, 2, 0, nil},
	} {
		got := RowSlice(tt.g, tt.i, tt.n)
		if len(got) != len(tt.want) {
			t.Fatalf("RowSlice(i = %d, n = %d) has %d entries, want %d", tt.i, tt.n, len(got), len(tt.want))
		}
		for k := range got {
			if got[k] != tt.want[k] {
				t.Errorf("RowSlice(i = %d, n = %d)[%d] = %v, want %v", tt.i, tt.n, k, got[k], tt.want[k])
			}
		}
	}
	RowSlice(g, 1, 2)[1] = -1
	if g.Data[1*4+1] != -1 {
		t.Errorf("a write through RowSlice did not reach the matrix")
	}
}
