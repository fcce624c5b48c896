//go:build goexperiment.simd && amd64

package runtime

import (
	"math"
	"simd/archsimd"
)

// rowMax returns the first maximal entry of row and its index: the first
// NaN and its index if row has one, −Inf and −1 if every entry is −Inf or
// there are none. Where the vector kernels run, a row of rowMaxVectorMin
// or more entries is first read four lanes at a time for its largest value and
// whether it holds a NaN; then the first entry equal to that value is
// both the answer and where it is, the entry's own bits (of −0 and +0,
// whichever comes first), as rowMaxScalar finds them.
func rowMax(row []float64) (max float64, top int) {
	whole := len(row) &^ 3
	if !vectorised || whole < rowMaxVectorMin {
		return rowMaxScalar(row)
	}
	m := archsimd.BroadcastFloat64x4(math.Inf(-1))
	nan := m.IsNaN()
	for j := 0; j < whole; j += 4 {
		v := archsimd.LoadFloat64x4Slice(row[j:])
		m = m.Max(v)
		nan = nan.Or(v.IsNaN())
	}
	var l [4]float64
	m.Store(&l)
	if nan.ToBits() != 0 {
		archsimd.ClearAVXUpperBits()
		return rowMaxScalar(row)
	}
	best := l[0]
	for _, v := range l[1:] {
		if v > best {
			best = v
		}
	}
	for _, v := range row[whole:] {
		if v != v {
			archsimd.ClearAVXUpperBits()
			return rowMaxScalar(row)
		}
		if v > best {
			best = v
		}
	}
	if best == math.Inf(-1) {
		archsimd.ClearAVXUpperBits()
		return best, -1
	}
	// The first quad holding an entry equal to best, then the entry.
	b := archsimd.BroadcastFloat64x4(best)
	j := 0
	for j < whole && archsimd.LoadFloat64x4Slice(row[j:]).Equal(b).ToBits() == 0 {
		j += 4
	}
	archsimd.ClearAVXUpperBits()
	for ; j < len(row); j++ {
		if row[j] == best {
			return row[j], j
		}
	}
	panic("runtime: rowMax lost its maximum")
}

// addLanes adds e[j] to lane j mod 4 of l, for j in order; e's first entry
// is a row's term 0 or a later multiple of 4. Where the vector kernels run,
// from laneVectorMin terms the four lanes are one vector register and each
// step adds four terms: the same additions as addLanesScalar, in the same
// order.
func addLanes(l *expLanes, e []float64) {
	whole := len(e) &^ 3
	if !vectorised || whole < laneVectorMin {
		addLanesScalar(l, e)
		return
	}
	acc := archsimd.LoadFloat64x4((*[4]float64)(l))
	for j := 0; j < whole; j += 4 {
		acc = acc.Add(archsimd.LoadFloat64x4Slice(e[j:]))
	}
	acc.Store((*[4]float64)(l))
	archsimd.ClearAVXUpperBits()
	for k, v := range e[whole:] {
		l[k] += v
	}
}

// divideBy sets each d[j] to d[j]/s, four entries a step where the vector
// kernels run (the same correctly rounded quotients).
func divideBy(d []float64, s float64) {
	whole := len(d) &^ 3
	if !vectorised || whole < laneVectorMin {
		divideScalar(d, s)
		return
	}
	q := archsimd.BroadcastFloat64x4(s)
	for j := 0; j < whole; j += 4 {
		archsimd.LoadFloat64x4Slice(d[j:]).Div(q).StoreSlice(d[j:])
	}
	archsimd.ClearAVXUpperBits()
	divideScalar(d[whole:], s)
}

// absSum returns Σ|xᵢ|, in sixteen running sums where the vector kernels
// run (four quads, lane j of quad q summing the entries 16t + 4q + j),
// added up in a fixed order, then the entries past a multiple of 16;
// absSumScalar's four sums elsewhere and for fewer than 16 entries. The
// order differs from absSumScalar's, so the sums differ in rounding: they
// bound f read off the gradients (EulerLost), where rounding does not
// matter, and each is the same on every run. BenchmarkAbsSum (a 512×64
// matrix, the shape of B4's X, row by row; idle, 2026-12-07, three runs):
// 0.50 → 0.18 ns an entry.
func absSum(x []float64) float64 {
	whole := len(x) &^ 15
	if !vectorised || whole == 0 {
		return absSumScalar(x)
	}
	magnitude := loadBits(&signConstants.magnitude)
	z := load(&signConstants.zero)
	s0, s1, s2, s3 := z, z, z, z
	for i := 0; i < whole; i += 16 {
		b := (*[16]float64)(x[i:]) // one bounds check for the four loads
		s0 = s0.Add(archsimd.LoadFloat64x4((*[4]float64)(b[0:4])).AsUint64x4().And(magnitude).AsFloat64x4())
		s1 = s1.Add(archsimd.LoadFloat64x4((*[4]float64)(b[4:8])).AsUint64x4().And(magnitude).AsFloat64x4())
		s2 = s2.Add(archsimd.LoadFloat64x4((*[4]float64)(b[8:12])).AsUint64x4().And(magnitude).AsFloat64x4())
		s3 = s3.Add(archsimd.LoadFloat64x4((*[4]float64)(b[12:16])).AsUint64x4().And(magnitude).AsFloat64x4())
	}
	var l [4]float64
	s0.Add(s1).Add(s2.Add(s3)).Store(&l)
	archsimd.ClearAVXUpperBits()
	return ((l[0] + l[1]) + (l[2] + l[3])) + absSumScalar(x[whole:])
}
