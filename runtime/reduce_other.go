//go:build !(goexperiment.simd && amd64)

package runtime

// addLanes adds e[j] to lane j mod 4 of l, for j in order; e's first entry
// is a row's term 0 or a later multiple of 4.
func addLanes(l *expLanes, e []float64) { addLanesScalar(l, e) }

// rowMax returns the first maximal entry of row and its index: the first
// NaN and its index if row has one, −Inf and −1 if every entry is −Inf or
// there are none.
func rowMax(row []float64) (max float64, top int) { return rowMaxScalar(row) }

// divideBy sets each d[j] to d[j]/s.
func divideBy(d []float64, s float64) { divideScalar(d, s) }

// absSum returns Σ|xᵢ| (absSumScalar).
func absSum(x []float64) float64 { return absSumScalar(x) }
