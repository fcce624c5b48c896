package runtime

import (
	"math"

	"gonum.org/v1/gonum/blas/blas64"
)

// LogSumExp returns log(Σ exp(a[i][j])) over all entries of the matrix view
// a, honouring a.Stride. It shifts by the maximum entry so that it does not
// overflow for large entries.
//
// Special cases are:
//
//	any entry NaN            → NaN
//	any entry +Inf           → +Inf
//	all entries -Inf         → -Inf
//	a empty (Rows or Cols 0) → -Inf
//
// Entries equal to -Inf otherwise contribute nothing to the sum.
func LogSumExp(a blas64.General) float64 {
	return logSumExpOf(shiftedExp(blas64.General{}, a))
}

// logSumExpOf returns LogSumExp from shiftedExp's maximum and sum.
func logSumExpOf(max, s float64) float64 {
	if s != s || math.IsInf(max, 0) {
		return max
	}
	return max + math.Log1p(s)
}

// SoftmaxTo sets dst to the softmax of a, dst[i][j] = exp(a[i][j] −
// LogSumExp(a)), which is the gradient of LogSumExp at a. The entries of dst
// sum to 1 unless a contains NaN. dst must have the shape of a, and may be a
// itself but must not otherwise share memory with it.
//
// Special cases follow the shift invariance softmax(a) = softmax(a + c):
//
//	any entry NaN    → every entry of dst is NaN
//	k entries +Inf   → those entries are 1/k, all others 0
//	all entries -Inf → every entry is 1/(Rows·Cols), the limit of
//	                   softmax(c, …, c) as c → -Inf
//
// Entries equal to -Inf otherwise get 0.
//
// SoftmaxTo panics with a *ShapeError if dst and a have different shapes.
func SoftmaxTo(dst, a blas64.General) {
	checkSameShape("runtime.SoftmaxTo", "dst", dst, a)
	max, s := shiftedExp(dst, a)
	normalise(dst, a, max, s)
}

// normalise finishes SoftmaxTo once shiftedExp has written exp(v−max) into
// dst and returned max and s: it divides by 1+s, or writes the special
// cases.
func normalise(dst, a blas64.General, max, s float64) {
	switch {
	case s != s:
		fillNaN(dst)
		return
	case math.IsInf(max, 0):
		// Share 1 equally among the entries equal to the maximum.
		var k int
		for i := 0; i < a.Rows; i++ {
			for _, v := range a.Data[i*a.Stride : i*a.Stride+a.Cols] {
				if v == max {
					k++
				}
			}
		}
		p := 1 / float64(k)
		for i := 0; i < a.Rows; i++ {
			row := dst.Data[i*dst.Stride : i*dst.Stride+dst.Cols]
			for j, v := range a.Data[i*a.Stride : i*a.Stride+a.Cols] {
				if v == max {
					row[j] = p
				} else {
					row[j] = 0
				}
			}
		}
		return
	}
	// exp(v−max)/(1+s) is more accurate than exp(v−LogSumExp(a)), whose
	// argument suffers from cancellation when max is large.
	s++
	for i := 0; i < dst.Rows; i++ {
		divideBy(dst.Data[i*dst.Stride:i*dst.Stride+dst.Cols], s)
	}
}

// shiftedExp returns the maximum entry max of a and the sum s of exp(v−max)
// over all entries v but one maximal one, which would contribute exactly 1.
// s is NaN if an entry is NaN, and 0 if max is infinite or a is empty, in
// which case max is -Inf. When dst has data (the shape of a, or a itself)
// and s is finite with max finite, it also writes exp(v−max) into dst, 1
// at the maximal entry, so one pass serves log-sum-exp and softmax. Each
// row's exps are summed as rowExpSum sums them, and the rows' sums added
// in order, so that a one-row matrix gives rowShiftedExp's bits.
func shiftedExp(dst, a blas64.General) (max, s float64) {
	max = math.Inf(-1)
	mi, mj := -1, -1
	for i := 0; i < a.Rows; i++ {
		switch v, j := rowMax(a.Data[i*a.Stride : i*a.Stride+a.Cols]); {
		case v != v:
			return v, v
		case v > max:
			max, mi, mj = v, i, j
		}
	}
	if mi < 0 || math.IsInf(max, 1) {
		// All entries are -Inf (or there are none), or one is +Inf.
		return max, 0
	}
	for i := 0; i < a.Rows; i++ {
		skip := -1
		if i == mi {
			skip = mj
		}
		var d []float64
		if dst.Data != nil {
			d = dst.Data[i*dst.Stride : i*dst.Stride+a.Cols]
		}
		s += rowExpSum(d, a.Data[i*a.Stride:i*a.Stride+a.Cols], max, skip)
	}
	return max, s
}

// LogSumExpRowsTo sets dst[i] to LogSumExp of row i of a, with its special
// cases, each row max-shifted on its own: the log-sum-exp along each row,
// logsumexp(A, 2). Each row is read twice while it is in cache, once for
// its maximum and once for its exponentials.
//
// LogSumExpRowsTo panics with a *ShapeError if dst.N is not a.Rows.
func LogSumExpRowsTo(dst blas64.Vector, a blas64.General) {
	CheckVector("runtime.LogSumExpRowsTo", "dst", dst.N, a.Rows, "")
	split(logSumExpRows, kernelArgs{v: dst, g: a}, a.Rows, a.Cols)
}

// logSumExpRows is LogSumExpRowsTo(k.v, k.g) on rows lo to hi.
func logSumExpRows(k kernelArgs, lo, hi int) {
	dst, a := k.v, k.g
	if vectorised && a.Cols > 0 && a.Cols < blockRowMin {
		logSumExpShortRows(dst, a, lo, hi)
		return
	}
	for i := lo; i < hi; i++ {
		dst.Data[i*dst.Inc] = logSumExpOf(rowShiftedExp(nil, a.Data[i*a.Stride:i*a.Stride+a.Cols]))
	}
}

// logSumExpShortRows is logSumExpRows for rows shorter than blockRowMin,
// in logSumExpSoftmaxShortRows's chunks, the shifted entries and their
// exps in a buffer on the stack: the row-by-row bits, a chunk with a
// special row row by row.
func logSumExpShortRows(dst blas64.Vector, a blas64.General, lo, hi int) {
	cols := a.Cols
	var buf [shortRowsChunk * (blockRowMin - 1)]float64
	var maxes [shortRowsChunk]float64
	var tops [shortRowsChunk]int
	for r0 := lo; r0 < hi; r0 += shortRowsChunk {
		r1 := min(r0+shortRowsChunk, hi)
		if shortRowsMax(a, r0, r1, &maxes, &tops) {
			for i := r0; i < r1; i++ {
				dst.Data[i*dst.Inc] = logSumExpOf(rowShiftedExp(nil, a.Data[i*a.Stride:i*a.Stride+cols]))
			}
			continue
		}
		b := buf[:(r1-r0)*cols]
		for i := r0; i < r1; i++ {
			m := maxes[i-r0]
			for j, v := range a.Data[i*a.Stride : i*a.Stride+cols] {
				b[(i-r0)*cols+j] = v - m
			}
		}
		expInPlace(b) // not kernels.exp, through which buf would escape to the heap
		for i := r0; i < r1; i++ {
			e := b[(i-r0)*cols : (i-r0+1)*cols]
			dst.Data[i*dst.Inc] = logSumExpOf(maxes[i-r0], sumWithout(e, tops[i-r0]))
		}
	}
}

// shortRowsMax sets maxes and tops to rowMaxScalar's maximum and its
// entry for rows r0 to r1 of a (at most shortRowsChunk), and reports
// whether a row is one of rowShiftedExp's special cases (a NaN, a +Inf,
// no entry above −Inf), which the short-row kernels leave to the
// row-by-row path.
func shortRowsMax(a blas64.General, r0, r1 int, maxes *[shortRowsChunk]float64, tops *[shortRowsChunk]int) bool {
	special := false
	for i := r0; i < r1; i++ {
		m, top := rowMaxScalar(a.Data[i*a.Stride : i*a.Stride+a.Cols])
		maxes[i-r0], tops[i-r0] = m, top
		special = special || m != m || top < 0 || math.IsInf(m, 1)
	}
	return special
}

// sumWithout returns rowExpSum's sum of a row's exps e, in its lanes,
// without e[top], the maximum's exp(0), which it leaves 0 (adding +0 to a
// lane changes nothing).
func sumWithout(e []float64, top int) float64 {
	e[top] = 0
	var l expLanes
	addLanesScalar(&l, e)
	return l.total()
}

// SoftmaxRowsTo sets each row of dst to the softmax of that row of a, as
// SoftmaxTo does for a whole matrix: softmax(A, 2). dst must have the shape
// of a, and may be a itself but must not otherwise share memory with it.
//
// SoftmaxRowsTo panics with a *ShapeError if dst and a have different
// shapes.
func SoftmaxRowsTo(dst, a blas64.General) {
	checkSameShape("runtime.SoftmaxRowsTo", "dst", dst, a)
	split(softmaxRows, kernelArgs{g: dst, h: a}, a.Rows, a.Cols)
}

// softmaxRows is SoftmaxRowsTo(k.g, k.h) on rows lo to hi.
func softmaxRows(k kernelArgs, lo, hi int) {
	dst, a := k.g, k.h
	for i := lo; i < hi; i++ {
		d, r := dst.Data[i*dst.Stride:i*dst.Stride+a.Cols], a.Data[i*a.Stride:i*a.Stride+a.Cols]
		max, s := rowShiftedExp(d, r)
		normaliseRow(d, r, max, s)
	}
}

// LogSumExpSoftmaxRowsTo does LogSumExpRowsTo(lse, a) and
// SoftmaxRowsTo(dst, a) in one pass over a, one exp per entry, with the
// same results to the bit: what a log-sum-exp along rows and its gradient
// need together.
//
// dst may be a itself but must not otherwise share memory with it.
//
// LogSumExpSoftmaxRowsTo panics with a *ShapeError if lse.N is not a.Rows
// or dst and a have different shapes.
func LogSumExpSoftmaxRowsTo(lse blas64.Vector, dst, a blas64.General) {
	CheckVector("runtime.LogSumExpSoftmaxRowsTo", "lse", lse.N, a.Rows, "")
	checkSameShape("runtime.LogSumExpSoftmaxRowsTo", "dst", dst, a)
	split(logSumExpSoftmaxRows, kernelArgs{v: lse, g: dst, h: a}, a.Rows, a.Cols)
}

// logSumExpSoftmaxRows is LogSumExpSoftmaxRowsTo(k.v, k.g, k.h) on rows lo
// to hi.
func logSumExpSoftmaxRows(k kernelArgs, lo, hi int) {
	lse, dst, a := k.v, k.g, k.h
	if vectorised && a.Cols > 0 && a.Cols < blockRowMin && dst.Stride == a.Cols {
		logSumExpSoftmaxShortRows(lse, dst, a, lo, hi)
		return
	}
	for i := lo; i < hi; i++ {
		logSumExpSoftmaxRow(lse, dst, a, i)
	}
}

// logSumExpSoftmaxRow is LogSumExpSoftmaxRowsTo on row i alone.
func logSumExpSoftmaxRow(lse blas64.Vector, dst, a blas64.General, i int) {
	d, r := dst.Data[i*dst.Stride:i*dst.Stride+a.Cols], a.Data[i*a.Stride:i*a.Stride+a.Cols]
	max, s := rowShiftedExp(d, r)
	lse.Data[i*lse.Inc] = logSumExpOf(max, s)
	normaliseRow(d, r, max, s)
}

// logSumExpSoftmaxShortRows is logSumExpSoftmaxRows for rows shorter than
// blockRowMin, where each row alone would take its exps one math.Exp at a
// time (rowExpSum), into a dst whose rows lie end to end: a chunk of rows
// at once, each row's entries shifted by its maximum into dst, then one
// block-kernel call over the chunk's exps, which gives math.Exp's bits,
// then each row's sum in rowExpSum's lanes, the maximum's entry out of it
// (0 in the lanes, then 1), and the division. The bits are the row-by-row
// path's. A chunk with a row of rowShiftedExp's special cases (a NaN, a
// +Inf, no entry above −Inf) goes row by row, before anything is written,
// so that normaliseRow still reads such a row in place. B8's FGrad at
// n = 64, k = 4 spent 40 % of its time in the scalar exps and log1ps.
func logSumExpSoftmaxShortRows(lse blas64.Vector, dst, a blas64.General, lo, hi int) {
	cols := a.Cols
	var maxes [shortRowsChunk]float64
	var tops [shortRowsChunk]int
	for r0 := lo; r0 < hi; r0 += shortRowsChunk {
		r1 := min(r0+shortRowsChunk, hi)
		if shortRowsMax(a, r0, r1, &maxes, &tops) {
			for i := r0; i < r1; i++ {
				logSumExpSoftmaxRow(lse, dst, a, i)
			}
			continue
		}
		for i := r0; i < r1; i++ {
			d, r := dst.Data[i*cols:i*cols+cols], a.Data[i*a.Stride:i*a.Stride+cols]
			m := maxes[i-r0]
			for j, v := range r {
				d[j] = v - m
			}
		}
		block := dst.Data[r0*cols : r1*cols]
		kernels.exp(block, block)
		for i := r0; i < r1; i++ {
			d := dst.Data[i*cols : i*cols+cols]
			s := sumWithout(d, tops[i-r0])
			d[tops[i-r0]] = 1
			lse.Data[i*lse.Inc] = logSumExpOf(maxes[i-r0], s)
			divideScalar(d, s+1)
		}
	}
}

// shortRowsChunk is the most rows logSumExpSoftmaxShortRows takes at once:
// at most 7 entries each, a chunk's exps stay within the first-level cache.
const shortRowsChunk = 64

// rowShiftedExp is shiftedExp of one row, in loops over slices: the
// row kernels call it once per row, so with short rows its per-call cost
// is the kernel's. It gives shiftedExp's bits for the row as a
// 1×len(row) matrix. dst is nil, or as long as row (and may be row itself).
func rowShiftedExp(dst, row []float64) (max, s float64) {
	var top int
	if len(row) < rowMaxVectorMin {
		max, top = rowMaxScalar(row) // inlined: short rows pay no call
	} else {
		max, top = rowMax(row)
	}
	if max != max {
		return max, max
	}
	if top < 0 || math.IsInf(max, 1) {
		return max, 0
	}
	return max, rowExpSum(dst, row, max, top)
}

// rowMaxVectorMin is the shortest row rowMax reads four lanes at a time
// (where the vector kernels run); shorter ones go one entry at a time.
const rowMaxVectorMin = 16

// rowMaxScalar is rowMax one entry at a time.
func rowMaxScalar(row []float64) (max float64, top int) {
	max, top = math.Inf(-1), -1
	for j, v := range row {
		if v > max {
			max, top = v, j
		} else if v != v {
			return v, j
		}
	}
	return max, top
}

// rowExpSum returns the sum of exp(v−max) over the entries v of row but
// row[skip] (skip −1: none), added in four lanes (expLanes), and, when
// dst is not nil, writes each exp(v−max) into dst, as long as row (and
// may be row itself). row[skip] is max, so dst[skip] = exp(0) = 1.
//
// Rows of at least blockRowMin entries take their exps from the block
// kernel where the vector kernels run, which gives math.Exp's bits: into
// dst, or a chunk at a time into a buffer on the stack when dst is nil,
// for the log-sum-exps that keep no exponentials (B8's F at 1024×256,
// 262,144 exps, spent 40 % of its time in the scalar math.Exp). Shorter
// rows, and every row without the vector kernels, call math.Exp entry by
// entry.
func rowExpSum(dst, row []float64, max float64, skip int) float64 {
	var l expLanes
	if !vectorised || len(row) < blockRowMin {
		if dst != nil {
			dst = dst[:len(row)]
		}
		for j, v := range row {
			if j == skip { // exp(0), out of the sum
				if dst != nil {
					dst[j] = 1
				}
				continue
			}
			e := math.Exp(v - max)
			if dst != nil {
				dst[j] = e
			}
			l[j&3] += e
		}
		return l.total()
	}
	if dst != nil {
		dst = dst[:len(row)]
		for j, v := range row {
			dst[j] = v - max
		}
		kernels.exp(dst, dst)
		if skip >= 0 {
			dst[skip] = 0 // out of the sum: adding +0 to a lane changes nothing
			addLanes(&l, dst)
			dst[skip] = 1
		} else {
			addLanes(&l, dst)
		}
		return l.total()
	}
	var buf [shiftedExpChunk]float64
	for lo := 0; lo < len(row); lo += len(buf) {
		chunk := row[lo:min(lo+len(buf), len(row))]
		b := buf[:len(chunk)]
		for j, v := range chunk {
			b[j] = v - max
		}
		expInPlace(b)
		if k := skip - lo; k >= 0 && k < len(b) {
			b[k] = 0
		}
		addLanes(&l, b)
	}
	return l.total()
}

// expLanes is a sum of non-negative terms in four lanes: term j of a row
// goes to lane j mod 4, each lane adds its terms in order, and the total
// is (l0 + l1) + (l2 + l3). Four running sums let the CPU overlap their
// additions, where one waits out each addition's latency; the
// GOEXPERIMENT=simd build adds four terms at once (addLanes), with the
// same bits.
type expLanes [4]float64

// total returns the lanes' sum, (l0 + l1) + (l2 + l3).
func (l *expLanes) total() float64 { return (l[0] + l[1]) + (l[2] + l[3]) }

// addLanesScalar adds e[j] to lane j mod 4 of l, for j in order; e's
// first entry is a row's term 0 or a later multiple of 4.
func addLanesScalar(l *expLanes, e []float64) {
	l0, l1, l2, l3 := l[0], l[1], l[2], l[3]
	j := 0
	for ; j+4 <= len(e); j += 4 {
		l0 += e[j]
		l1 += e[j+1]
		l2 += e[j+2]
		l3 += e[j+3]
	}
	l[0], l[1], l[2], l[3] = l0, l1, l2, l3
	for k, v := range e[j:] {
		l[k] += v
	}
}

// laneVectorMin is the fewest entries addLanes and divideBy take four at a
// time in a vector register (where the vector kernels run): below it the
// switch to and from vector code costs more than it saves (rows of 10,
// LogSumExpSoftmaxRowsTo on one core: 12 % slower than the scalar loops),
// and normaliseRow does not even call divideBy.
const laneVectorMin = 16

// divideScalar sets each d[j] to d[j]/s.
func divideScalar(d []float64, s float64) {
	for j := range d {
		d[j] /= s
	}
}

// shiftedExpChunk is the length of rowExpSum's buffer: 1 KiB, long
// enough that a chunk's call costs nothing beside its exps; a multiple of
// 4, so that each chunk starts at lane 0.
const shiftedExpChunk = 128

// blockRowMin is the shortest row whose exps rowExpSum computes with the
// block kernel: on shorter rows the call costs more than it saves (B8
// FGrad with rows of 4: 24 % slower through the kernel; rows of 10: 24 %
// faster, GOEXPERIMENT=simd). The row kernels of log-sum-exp take such
// rows a chunk at a time instead (logSumExpShortRows,
// logSumExpSoftmaxShortRows), one kernel call for many rows.
const blockRowMin = 8

// normaliseRow is normalise for one row.
func normaliseRow(dst, row []float64, max, s float64) {
	switch {
	case s != s:
		for j := range dst {
			dst[j] = math.NaN()
		}
		return
	case math.IsInf(max, 0):
		var k int
		for _, v := range row {
			if v == max {
				k++
			}
		}
		p := 1 / float64(k)
		for j, v := range row {
			if v == max {
				dst[j] = p
			} else {
				dst[j] = 0
			}
		}
		return
	}
	if len(dst) < laneVectorMin {
		divideScalar(dst, s+1) // inlined: short rows pay no call
		return
	}
	divideBy(dst, s+1)
}
