package runtime

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
)

// view returns rows as an r×c general matrix with the given stride, whose
// padding entries are NaN so that ignoring the stride shows up in results.
func view(stride int, rows ...[]float64) blas64.General {
	g := blas64.General{Rows: len(rows), Stride: stride}
	if len(rows) > 0 {
		g.Cols = len(rows[0])
	}
	g.Data = make([]float64, len(rows)*stride)
	for i := range g.Data {
		g.Data[i] = nan
	}
	for i, row := range rows {
		copy(g.Data[i*stride:], row)
	}
	return g
}

func TestLogSumExp(t *testing.T) {
	naive := func(xs ...float64) float64 {
		var s float64
		for _, x := range xs {
			s += math.Exp(x)
		}
		return math.Log(s)
	}
	for _, test := range []struct {
		name string
		a    blas64.General
		want float64
	}{
		{"1×1", view(1, []float64{0}), 0},
		{"row", view(3, []float64{1, 2, 3}), naive(1, 2, 3)},
		{"strided 2×3", view(5, []float64{1, -2, 3}, []float64{0.5, 0, -1}), naive(1, -2, 3, 0.5, 0, -1)},
		{"strided column", view(4, []float64{1}, []float64{2}, []float64{-3}), naive(1, 2, -3)},
		{"-Inf entries", view(4, []float64{-inf, 0}, []float64{1, -inf}), naive(0, 1)},
		{"single finite", view(3, []float64{-inf, 7, -inf}), 7},
		{"all -Inf", view(3, []float64{-inf, -inf}, []float64{-inf, -inf}), -inf},
		{"+Inf", view(2, []float64{1, inf}, []float64{-inf, 3}), inf},
		{"NaN", view(2, []float64{1, nan}), nan},
		{"NaN and +Inf", view(2, []float64{inf, nan}), nan},
		{"NaN and -Inf", view(2, []float64{-inf, nan}), nan},
		{"huge equal", view(2, []float64{1e3, 1e3}), 1e3 + math.Ln2},
		{"huge spread", view(2, []float64{1e3, -1e3}), 1e3},
		{"huge negative", view(2, []float64{-1e3, -1e3}), -1e3 + math.Ln2},
		{"max float", view(2, []float64{math.MaxFloat64, math.MaxFloat64}), math.MaxFloat64},
		{"tiny tail", view(2, []float64{0, -40}), math.Log1p(math.Exp(-40))},
		{"0×3", blas64.General{Rows: 0, Cols: 3, Stride: 3}, -inf},
		{"3×0", blas64.General{Rows: 3, Cols: 0, Stride: 1, Data: []float64{nan, nan, nan}}, -inf},
		{"0×0", blas64.General{}, -inf},
	} {
		if got := LogSumExp(test.a); !same(got, test.want, 1e-15) {
			t.Errorf("%s: LogSumExp = %v, want %v", test.name, got, test.want)
		}
	}
}

func TestSoftmaxTo(t *testing.T) {
	for _, test := range []struct {
		name string
		a    blas64.General
		want [][]float64 // nil: compare with the naive softmax
	}{
		{name: "1×1", a: view(1, []float64{5}), want: [][]float64{{1}}},
		{name: "row", a: view(4, []float64{1, 2, 3})},
		{name: "strided 2×3", a: view(5, []float64{1, -2, 3}, []float64{0.5, 0, -1})},
		{name: "huge", a: view(3, []float64{1e3, 999}, []float64{-1e3, 1e3})},
		{name: "-Inf entries", a: view(2, []float64{-inf, 0}, []float64{0, -inf}), want: [][]float64{{0, 0.5}, {0.5, 0}}},
		{name: "all -Inf", a: view(3, []float64{-inf, -inf}, []float64{-inf, -inf}), want: [][]float64{{0.25, 0.25}, {0.25, 0.25}}},
		{name: "one +Inf", a: view(3, []float64{1, inf, -inf}), want: [][]float64{{0, 1, 0}}},
		{name: "+Inf ties", a: view(2, []float64{inf, 1e300}, []float64{inf, inf}), want: [][]float64{{1. / 3, 0}, {1. / 3, 1. / 3}}},
		{name: "NaN", a: view(2, []float64{1, nan}, []float64{inf, 0}), want: [][]float64{{nan, nan}, {nan, nan}}},
		{name: "empty", a: blas64.General{Rows: 0, Cols: 2, Stride: 2}, want: [][]float64{}},
	} {
		want := test.want
		if want == nil {
			// Naive softmax, shifted by the maximum to avoid overflow.
			a := test.a
			m, sum := math.Inf(-1), 0.0
			for i := 0; i < a.Rows; i++ {
				for j := 0; j < a.Cols; j++ {
					m = math.Max(m, a.Data[i*a.Stride+j])
				}
			}
			for i := 0; i < a.Rows; i++ {
				row := make([]float64, a.Cols)
				for j := range row {
					row[j] = math.Exp(a.Data[i*a.Stride+j] - m)
					sum += row[j]
				}
				want = append(want, row)
			}
			for _, row := range want {
				for j := range row {
					row[j] /= sum
				}
			}
		}
		check := func(kind string, dst blas64.General) {
			t.Helper()
			var sum float64
			for i := 0; i < dst.Rows; i++ {
				for j := 0; j < dst.Cols; j++ {
					got := dst.Data[i*dst.Stride+j]
					sum += got
					if !same(got, want[i][j], 1e-15) {
						t.Errorf("%s %s: dst[%d][%d] = %v, want %v", test.name, kind, i, j, got, want[i][j])
					}
				}
				for j := dst.Cols; j < dst.Stride && i*dst.Stride+j < len(dst.Data); j++ {
					if v := dst.Data[i*dst.Stride+j]; v != 7 && !math.IsNaN(v) {
						t.Errorf("%s %s: padding overwritten with %v", test.name, kind, v)
					}
				}
			}
			if dst.Rows*dst.Cols > 0 && !math.IsNaN(want[0][0]) && math.Abs(sum-1) > 1e-15 {
				t.Errorf("%s %s: sum = %v, want 1", test.name, kind, sum)
			}
		}

		dst := blas64.General{Rows: test.a.Rows, Cols: test.a.Cols, Stride: test.a.Cols + 1}
		dst.Data = make([]float64, test.a.Rows*dst.Stride)
		for i := range dst.Data {
			dst.Data[i] = 7
		}
		SoftmaxTo(dst, test.a)
		check("separate", dst)

		// In place: dst == a.
		SoftmaxTo(test.a, test.a)
		check("in place", test.a)
	}
}

func TestSoftmaxToShape(t *testing.T) {
	a := view(2, []float64{1, 2})
	dst := view(3, []float64{0, 0, 0})
	checkPanic(t, "Softmax", "runtime.SoftmaxTo: dst is 1×3, want 1×2", func() { SoftmaxTo(dst, a) })
}

func TestReduceAllocs(t *testing.T) {
	a := view(4, []float64{1, 2, 3}, []float64{4, 5, 6})
	dst := view(3, []float64{0, 0, 0}, []float64{0, 0, 0})
	if n := testing.AllocsPerRun(10, func() { LogSumExp(a); SoftmaxTo(dst, a) }); n != 0 {
		t.Errorf("LogSumExp+SoftmaxTo allocate %v times, want 0", n)
	}
}

// TestRowKernels checks the kernels along rows against LogSumExp and
// SoftmaxTo of each row on its own, to the bit, special cases and strides
// included, and the joint kernel against the two separate ones.
func TestRowKernels(t *testing.T) {
	inf := math.Inf(1)
	for _, tt := range []struct {
		name string
		a    blas64.General
	}{
		{"ordinary", view(5, []float64{1, 2, 3}, []float64{-4, 0.5, 7}, []float64{0, 0, 0})},
		{"large", view(3, []float64{1e17, 1e17, 1e300}, []float64{-1e300, 700, 710})},
		{"special rows", view(4, []float64{nan, 1, 2}, []float64{inf, 1, inf}, []float64{-inf, -inf, -inf}, []float64{-inf, 3, -inf})},
		{"one column", view(2, []float64{3}, []float64{-2})},
		{"long rows", longRows(5, 37)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, c := tt.a.Rows, tt.a.Cols
			lse := blas64.Vector{N: r, Inc: 2, Data: make([]float64, 2*r)}
			soft := view(c+1, make([][]float64, r)...)
			soft.Cols = c
			LogSumExpRowsTo(lse, tt.a)
			SoftmaxRowsTo(soft, tt.a)
			jointLse := blas64.Vector{N: r, Inc: 1, Data: make([]float64, r)}
			jointSoft := view(c, make([][]float64, r)...)
			jointSoft.Cols = c
			LogSumExpSoftmaxRowsTo(jointLse, jointSoft, tt.a)
			for i := 0; i < r; i++ {
				row := blas64.General{Rows: 1, Cols: c, Stride: tt.a.Stride, Data: tt.a.Data[i*tt.a.Stride:]}
				want := LogSumExp(row)
				wantSoft := view(c, make([]float64, c))
				SoftmaxTo(wantSoft, row)
				for _, got := range []float64{lse.Data[2*i], jointLse.Data[i]} {
					if !sameBits(got, want) {
						t.Errorf("row %d: log-sum-exp %v, want %v", i, got, want)
					}
				}
				for j := 0; j < c; j++ {
					w := wantSoft.Data[j]
					if g := soft.Data[i*soft.Stride+j]; !sameBits(g, w) {
						t.Errorf("row %d: SoftmaxRowsTo entry %d = %v, want %v", i, j, g, w)
					}
					if g := jointSoft.Data[i*jointSoft.Stride+j]; !sameBits(g, w) {
						t.Errorf("row %d: LogSumExpSoftmaxRowsTo entry %d = %v, want %v", i, j, g, w)
					}
				}
			}
		})
	}
}

// TestRowKernelsInPlace checks SoftmaxRowsTo and LogSumExpSoftmaxRowsTo
// with dst = a, which they allow.
func TestRowKernelsInPlace(t *testing.T) {
	a := view(3, []float64{1, 2, 3}, []float64{math.Inf(1), 0, math.Inf(1)})
	want := view(3, []float64{0, 0, 0}, []float64{0, 0, 0})
	SoftmaxRowsTo(want, a)
	lse := blas64.Vector{N: 2, Inc: 1, Data: make([]float64, 2)}
	LogSumExpSoftmaxRowsTo(lse, a, a)
	for i, w := range want.Data {
		if !sameBits(a.Data[i], w) {
			t.Errorf("entry %d in place: %v, want %v", i, a.Data[i], w)
		}
	}
}

func TestRowKernelShapes(t *testing.T) {
	a := view(2, []float64{1, 2}, []float64{3, 4})
	checkPanic(t, "LogSumExpRowsTo", "runtime.LogSumExpRowsTo: dst has length 3, want 2", func() {
		LogSumExpRowsTo(blas64.Vector{N: 3, Inc: 1, Data: make([]float64, 3)}, a)
	})
	checkPanic(t, "SoftmaxRowsTo", "runtime.SoftmaxRowsTo: dst is 1×2, want 2×2", func() { SoftmaxRowsTo(view(2, []float64{0, 0}), a) })
}

// longRows returns an r×c matrix (stride c+3) of rows long enough for the
// vector exp, with entries from −800 to 40 (exps that underflow, go
// subnormal or stay normal), a −Inf in some rows and ties for the maximum
// in others.
func longRows(r, c int) blas64.General {
	rng := rand.New(rand.NewPCG(11, 12))
	a := blas64.General{Rows: r, Cols: c, Stride: c + 3, Data: make([]float64, r*(c+3))}
	for i := 0; i < r; i++ {
		row := a.Data[i*a.Stride : i*a.Stride+c]
		for j := range row {
			row[j] = 40 - 840*rng.Float64()*rng.Float64()
		}
		switch i % 3 {
		case 1:
			row[rng.IntN(c)] = math.Inf(-1)
		case 2:
			row[0], row[c-1] = 41, 41
		}
	}
	return a
}

// TestLogSumExpScalarOrder checks LogSumExp, LogSumExpRowsTo and
// LogSumExpSoftmaxRowsTo, which sum their exps through the block kernel
// (in chunks when they keep none) and in vector lanes where the vector
// kernels run, to the bit against the plain loop over math.Exp in the
// documented order (expLanes): rows shorter and longer than a chunk, the
// maximum in the first, a middle and the last chunk, ties for it, −Inf
// entries and underflowing exps. At these inputs max + log1p(s) absorbs
// s's last bits, so a change of order alone can pass here (swapping the
// lane pairs did); TestRowExpSumLanes pins the order itself.
func TestLogSumExpScalarOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, c := range []int{blockRowMin - 1, blockRowMin, 37, shiftedExpChunk - 1, shiftedExpChunk, shiftedExpChunk + 1, 2*shiftedExpChunk + 5, 700} {
		a := longRows(4, c)
		// The maximum moved into a later chunk in one row.
		a.Data[c-1] = 60
		a.Data[2*a.Stride+c/2] = 61
		for i := 0; i < a.Rows; i++ {
			row := a.Data[i*a.Stride : i*a.Stride+c]
			if i == 3 {
				for j := range row {
					row[j] = 30 * rng.NormFloat64()
				}
			}
		}
		lse := blas64.Vector{N: a.Rows, Inc: 1, Data: make([]float64, a.Rows)}
		LogSumExpRowsTo(lse, a)
		for i := 0; i < a.Rows; i++ {
			want := scalarLogSumExp([][]float64{a.Data[i*a.Stride : i*a.Stride+c]})
			if got := lse.Data[i]; !sameBits(got, want) {
				t.Errorf("%d columns, row %d: LogSumExpRowsTo %v, want %v", c, i, got, want)
			}
		}
		rows := make([][]float64, a.Rows)
		for i := range rows {
			rows[i] = a.Data[i*a.Stride : i*a.Stride+c]
		}
		if got, want := LogSumExp(a), scalarLogSumExp(rows); !sameBits(got, want) {
			t.Errorf("%d columns: LogSumExp %v, want %v", c, got, want)
		}
		dst := blas64.General{Rows: a.Rows, Cols: c, Stride: c, Data: make([]float64, a.Rows*c)}
		LogSumExpSoftmaxRowsTo(lse, dst, a)
		for i := 0; i < a.Rows; i++ {
			want := scalarLogSumExp([][]float64{a.Data[i*a.Stride : i*a.Stride+c]})
			if got := lse.Data[i]; !sameBits(got, want) {
				t.Errorf("%d columns, row %d: LogSumExpSoftmaxRowsTo %v, want %v", c, i, got, want)
			}
		}
	}
}

// TestRowExpSumLanes checks the sum of exps itself, which a log-sum-exp
// near its maximum hides (max + log1p(s) absorbs s's last bits): s from
// rowShiftedExp with and without a destination, and from shiftedExp of the
// row as a matrix and of three rows, to the bit against the lanes of
// laneExpSum, on rows of every length around the lanes, the block kernel's
// threshold and the chunks, the maximum first, inside and last; and each
// exp written, 1 at the maximum.
func TestRowExpSumLanes(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, c := range []int{1, 3, 4, 5, 7, 8, 9, 37, shiftedExpChunk - 1, shiftedExpChunk, shiftedExpChunk + 1, 261, 700} {
		for _, at := range []int{0, c / 2, c - 1} {
			rows := make([][]float64, 3)
			for i := range rows {
				rows[i] = make([]float64, c)
				for j := range rows[i] {
					rows[i][j] = 3 * rng.NormFloat64()
				}
			}
			row := rows[0]
			row[at] = 12
			want := laneExpSum(row, 12, at)
			max, got := rowShiftedExp(nil, row)
			if max != 12 || !sameBits(got, want) {
				t.Errorf("%d columns, maximum at %d: rowShiftedExp without dst %v, %v, want 12, %v", c, at, max, got, want)
			}
			dst := make([]float64, c)
			if _, got := rowShiftedExp(dst, row); !sameBits(got, want) {
				t.Errorf("%d columns, maximum at %d: rowShiftedExp with dst s = %v, want %v", c, at, got, want)
			}
			for j, v := range row {
				e := math.Exp(v - 12)
				if !sameBits(dst[j], e) {
					t.Errorf("%d columns, maximum at %d: dst[%d] = %v, want %v", c, at, j, dst[j], e)
				}
			}
			one := blas64.General{Rows: 1, Cols: c, Stride: c, Data: row}
			if _, got := shiftedExp(blas64.General{}, one); !sameBits(got, want) {
				t.Errorf("%d columns, maximum at %d: shiftedExp of the row s = %v, want %v", c, at, got, want)
			}
			three := blas64.General{Rows: 3, Cols: c, Stride: c, Data: append(append(append([]float64{}, row...), rows[1]...), rows[2]...)}
			want3 := (want + laneExpSum(rows[1], 12, -1)) + laneExpSum(rows[2], 12, -1)
			for _, d := range []blas64.General{{}, {Rows: 3, Cols: c, Stride: c, Data: make([]float64, 3*c)}} {
				if _, got := shiftedExp(d, three); !sameBits(got, want3) {
					t.Errorf("%d columns, maximum at %d: shiftedExp of three rows s = %v, want %v", c, at, got, want3)
				}
			}
		}
	}
}

// TestRowMax checks rowMax, four lanes at a time where the vector kernels
// run, against rowMaxScalar, the plain loop, to the bit and index: rows of
// every length around the lanes and the vector threshold, drawn from a few
// values so that ties are common, with −0 and +0 (a third of the rows
// without a positive entry, so that the maximum is often a zero), ±Inf,
// all −Inf, and NaNs (with payloads) in the vector part and in the tail.
func TestRowMax(t *testing.T) {
	pool := []float64{-2, 1, 3, math.Copysign(0, -1), 0, math.Inf(1), math.Inf(-1),
		math.Float64frombits(0x7ff8_0000_0000_0042), math.Float64frombits(0xfff8_0000_0000_0099)}
	rng := rand.New(rand.NewPCG(41, 42))
	for trial := 0; trial < 20000; trial++ {
		row := make([]float64, rng.IntN(40))
		kinds := 3 + rng.IntN(len(pool)-2) // how much of the pool: NaNs in a third of the rows
		for j := range row {
			row[j] = pool[rng.IntN(kinds)]
			if rng.IntN(3) == 0 {
				row[j] = rng.NormFloat64()
			}
			if trial%3 == 0 && row[j] > 0 { // no positive entry: the maximum is often a zero of either sign
				row[j] = -row[j]
			}
		}
		if trial%50 == 0 {
			for j := range row {
				row[j] = math.Inf(-1)
			}
		}
		gotMax, gotTop := rowMax(row)
		wantMax, wantTop := rowMaxScalar(row)
		if math.Float64bits(gotMax) != math.Float64bits(wantMax) || gotTop != wantTop {
			t.Fatalf("rowMax(%v) = %v (%#x) at %d, want %v (%#x) at %d", row,
				gotMax, math.Float64bits(gotMax), gotTop, wantMax, math.Float64bits(wantMax), wantTop)
		}
	}
}

// laneExpSum is the sum of math.Exp(v−max) over row but row[skip], entry j
// added to lane j mod 4, the lanes added as (l0 + l1) + (l2 + l3).
func laneExpSum(row []float64, max float64, skip int) float64 {
	var l [4]float64
	for j, v := range row {
		if j != skip {
			l[j%4] += math.Exp(v - max)
		}
	}
	return (l[0] + l[1]) + (l[2] + l[3])
}

// scalarLogSumExp is the log-sum-exp of finite-maximum rows the plain way:
// the first maximal entry contributes 1, every other entry v of a row
// math.Exp(v−max) to lane j mod 4 of the row's sum, j its column, the
// lanes added as (l0 + l1) + (l2 + l3) and the rows' sums in row order.
func scalarLogSumExp(rows [][]float64) float64 {
	max, mi, mj := math.Inf(-1), -1, -1
	for i, row := range rows {
		for j, v := range row {
			if v > max {
				max, mi, mj = v, i, j
			}
		}
	}
	s := 0.0
	for i, row := range rows {
		var l0, l1, l2, l3 float64
		for j, v := range row {
			if i == mi && j == mj {
				continue
			}
			switch e := math.Exp(v - max); j % 4 {
			case 0:
				l0 += e
			case 1:
				l1 += e
			case 2:
				l2 += e
			default:
				l3 += e
			}
		}
		s += (l0 + l1) + (l2 + l3)
	}
	return max + math.Log1p(s)
}

func sameBits(x, y float64) bool {
	return math.Float64bits(x) == math.Float64bits(y) || (x != x && y != y)
}

// BenchmarkLogSumExpSoftmaxRows times the joint row kernel on the logits of
// a softmax regression: many short rows, where per-row cost shows.
func BenchmarkLogSumExpSoftmaxRows(b *testing.B) {
	for _, size := range [][2]int{{1000, 4}, {1000, 10}, {200, 100}} {
		r, c := size[0], size[1]
		a := blas64.General{Rows: r, Cols: c, Stride: c, Data: make([]float64, r*c)}
		for i := range a.Data {
			a.Data[i] = math.Sin(float64(i)) * 5
		}
		dst := blas64.General{Rows: r, Cols: c, Stride: c, Data: make([]float64, r*c)}
		lse := blas64.Vector{N: r, Inc: 1, Data: make([]float64, r)}
		b.Run(strconv.Itoa(r)+"x"+strconv.Itoa(c), func(b *testing.B) {
			for b.Loop() {
				LogSumExpSoftmaxRowsTo(lse, dst, a)
			}
		})
	}
}

// TestShortRowsAllocs checks that the short-row kernels allocate nothing:
// logSumExpShortRows's buffer on the stack stays there only when its exps
// are called directly (expInPlace), not through kernels' function values.
func TestShortRowsAllocs(t *testing.T) {
	a := longRows(3*shortRowsChunk+7, blockRowMin-4)
	lse := blas64.Vector{N: a.Rows, Inc: 1, Data: make([]float64, a.Rows)}
	dst := blas64.General{Rows: a.Rows, Cols: a.Cols, Stride: a.Cols, Data: make([]float64, a.Rows*a.Cols)}
	if n := testing.AllocsPerRun(5, func() { LogSumExpRowsTo(lse, a) }); n != 0 {
		t.Errorf("LogSumExpRowsTo: %v allocations", n)
	}
	if n := testing.AllocsPerRun(5, func() { LogSumExpSoftmaxRowsTo(lse, dst, a) }); n != 0 {
		t.Errorf("LogSumExpSoftmaxRowsTo: %v allocations", n)
	}
}

// TestLogSumExpSoftmaxShortRows checks LogSumExpSoftmaxRowsTo and
// LogSumExpRowsTo on rows shorter than blockRowMin, whose exps go a chunk
// of rows at a time through the block kernel where the vector kernels run
// (logSumExpSoftmaxShortRows, logSumExpShortRows), to the bit against the
// row-by-row path (logSumExpSoftmaxRow, whose log-sum-exp is
// logSumExpRows's too), log-sum-exps and softmax entries: every width
// below the threshold, row counts around the chunk, ties for the maximum,
// −Inf entries, underflowing exps, and chunks with a row of NaN, +Inf or
// only −Inf (which go row by row), into a separate destination and in
// place.
func TestLogSumExpSoftmaxShortRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for c := 1; c < blockRowMin; c++ {
		for _, rows := range []int{1, 5, shortRowsChunk - 1, shortRowsChunk, shortRowsChunk + 1, 3*shortRowsChunk + 7} {
			for _, special := range []float64{0, math.NaN(), math.Inf(1), math.Inf(-1)} {
				a := blas64.General{Rows: rows, Cols: c, Stride: c + 2, Data: make([]float64, rows*(c+2))}
				for k := range a.Data {
					a.Data[k] = 20 * rng.NormFloat64()
					switch rng.IntN(12) {
					case 0:
						a.Data[k] = math.Inf(-1)
					case 1:
						a.Data[k] = -800
					case 2:
						a.Data[k] = 7 // ties
					}
				}
				if special != 0 && rows > shortRowsChunk {
					i := shortRowsChunk // in the second chunk
					row := a.Data[i*a.Stride : i*a.Stride+c]
					if math.IsInf(special, -1) {
						for j := range row {
							row[j] = special
						}
					} else {
						row[c/2] = special
					}
				}
				want := blas64.General{Rows: rows, Cols: c, Stride: c, Data: make([]float64, rows*c)}
				wantLse := blas64.Vector{N: rows, Inc: 1, Data: make([]float64, rows)}
				for i := 0; i < rows; i++ {
					logSumExpSoftmaxRow(wantLse, want, a, i)
				}
				got := blas64.General{Rows: rows, Cols: c, Stride: c, Data: make([]float64, rows*c)}
				lse := blas64.Vector{N: rows, Inc: 1, Data: make([]float64, rows)}
				LogSumExpSoftmaxRowsTo(lse, got, a)
				inPlace := blas64.General{Rows: rows, Cols: c, Stride: c, Data: make([]float64, rows*c)}
				for i := 0; i < rows; i++ {
					copy(inPlace.Data[i*c:i*c+c], a.Data[i*a.Stride:])
				}
				lse2 := blas64.Vector{N: rows, Inc: 1, Data: make([]float64, rows)}
				LogSumExpSoftmaxRowsTo(lse2, inPlace, inPlace)
				lse3 := blas64.Vector{N: rows, Inc: 1, Data: make([]float64, rows)}
				LogSumExpRowsTo(lse3, a)
				for i := 0; i < rows; i++ {
					for _, g := range []float64{lse.Data[i], lse2.Data[i], lse3.Data[i]} {
						if !sameBits(g, wantLse.Data[i]) {
							t.Fatalf("%d columns, %d rows, special %v: row %d log-sum-exp %v, want %v", c, rows, special, i, g, wantLse.Data[i])
						}
					}
					for j := 0; j < c; j++ {
						w := want.Data[i*c+j]
						for _, g := range []float64{got.Data[i*c+j], inPlace.Data[i*c+j]} {
							if !sameBits(g, w) {
								t.Fatalf("%d columns, %d rows, special %v: entry (%d, %d) %v, want %v", c, rows, special, i, j, g, w)
							}
						}
					}
				}
			}
		}
	}
}
