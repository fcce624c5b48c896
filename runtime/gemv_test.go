package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// TestGemvPartsBitIdentical checks the invariant Gemv's split relies on:
// computing the rows of y = alpha·a·x + beta·y in parts that start at
// multiples of gemvRowAlign rows gives blas64.Gemv's result bit for bit,
// for every such cut of every shape (tails of 1 to 7 rows, narrow and wide
// rows, padded strides, special values, alpha and beta).
func TestGemvPartsBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	checked := 0
	for _, m := range []int{1, 5, 8, 9, 15, 16, 17, 23, 31, 33, 42} {
		for _, n := range []int{1, 2, 3, 4, 5, 7, 9, 16, 31} {
			for _, ab := range [][2]float64{{1, 0}, {-2.5, 1}, {0.5, -3}, {1, math.Inf(1)}} {
				a := specialRandom(rng, m, n, 7, 40)
				x := blas64.Vector{N: n, Inc: 1, Data: make([]float64, n)}
				y0 := make([]float64, m)
				for i := range x.Data {
					x.Data[i] = rng.NormFloat64()
				}
				for i := range y0 {
					y0[i] = rng.NormFloat64()
				}
				want := blas64.Vector{N: m, Inc: 1, Data: append([]float64(nil), y0...)}
				blas64.Gemv(blas.NoTrans, ab[0], a, x, ab[1], want)
				groups := (m + gemvRowAlign - 1) / gemvRowAlign
				for cut := 0; cut <= groups; cut++ {
					y := blas64.Vector{N: m, Inc: 1, Data: append([]float64(nil), y0...)}
					args := kernelArgs{g: a, v: x, w: y, alpha: ab[0], beta: ab[1]}
					gemvRows(args, cut, groups)
					gemvRows(args, 0, cut)
					for i, w := range want.Data {
						if got := y.Data[i]; math.Float64bits(got) != math.Float64bits(w) && !(math.IsNaN(got) && math.IsNaN(w)) {
							t.Fatalf("%dx%d alpha=%v beta=%v cut at group %d: y[%d] = %v, blas64.Gemv %v", m, n, ab[0], ab[1], cut, i, got, w)
						}
					}
					checked++
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("checked %d cuts", checked)
	}
}

// TestGemv checks Gemv against blas64.Gemv, bit for bit — or, where Gemv
// uses the vector rows (vectorGemvRows), against those rows computed in
// one piece — with memorySplitMin and splitMin lowered so that small
// inputs split: that the calls meant to split ran in parts on the team
// (when it has a helper), and the calls it passes on (transposed, strided
// vectors, alpha = 0, below the threshold) did not; that a split call
// allocates nothing; and that malformed calls (a short y, negative
// dimensions) panic as blas64.Gemv does.
func TestGemv(t *testing.T) {
	team.start.Do(startTeam)
	defer func(old, oldMemory, oldStream int) {
		splitMin, memorySplitMin, gemvStreamMin = old, oldMemory, oldStream
	}(splitMin, memorySplitMin, gemvStreamMin)
	splitMin, memorySplitMin, gemvStreamMin = 8, 1000, 20000
	var mu sync.Mutex
	var parts [][2]int
	recording := func(part kernelPart) kernelPart {
		return func(args kernelArgs, lo, hi int) {
			mu.Lock()
			parts = append(parts, [2]int{lo, hi})
			mu.Unlock()
			part(args, lo, hi)
		}
	}
	gemvPart = recording(gemvRows)
	defer func() { gemvPart = gemvRows }()
	if vectorRows := vectorGemvRows; vectorRows != nil {
		vectorGemvRows = recording(vectorRows)
		defer func() { vectorGemvRows = vectorRows }()
	}
	rng := rand.New(rand.NewPCG(33, 34))
	for _, tc := range []struct {
		tA         blas.Transpose
		m, n       int
		incX, incY int
		alpha      float64
		split      bool
	}{
		{blas.NoTrans, 200, 300, 1, 1, 1.5, true},
		{blas.NoTrans, 1001, 67, 1, 1, -1, true},
		{blas.NoTrans, 9, 112, 1, 1, 2, true},
		{blas.NoTrans, 7, 5, 1, 1, 2, false},
		{blas.NoTrans, 2000, 8, 1, 1, 2, true},
		{blas.Trans, 200, 300, 1, 1, 1.5, false},
		{blas.NoTrans, 200, 300, 2, 1, 1.5, false},
		{blas.NoTrans, 200, 300, 1, 3, 1.5, false},
		{blas.NoTrans, 200, 300, 1, 1, 0, false},
	} {
		name := fmt.Sprintf("%c/%dx%d/inc%d,%d/alpha=%v", tc.tA, tc.m, tc.n, tc.incX, tc.incY, tc.alpha)
		a := paddedRandom(rng, tc.m, tc.n, 7)
		lx, ly := tc.n, tc.m
		if tc.tA == blas.Trans {
			lx, ly = ly, lx
		}
		vec := func(n, inc int) blas64.Vector {
			v := blas64.Vector{N: n, Inc: inc, Data: make([]float64, (n-1)*inc+1)}
			for i := range v.Data {
				v.Data[i] = rng.NormFloat64()
			}
			return v
		}
		x, y := vec(lx, tc.incX), vec(ly, tc.incY)
		want := blas64.Vector{N: y.N, Inc: y.Inc, Data: append([]float64(nil), y.Data...)}
		if vectorGemvRows != nil && tc.tA == blas.NoTrans && tc.incX == 1 && tc.incY == 1 && tc.alpha != 0 && tc.m*tc.n >= gemvStreamMin {
			vectorGemvRows(kernelArgs{g: a, v: x, w: want, alpha: tc.alpha, beta: 0.5}, 0, tc.m)
		} else {
			blas64.Gemv(tc.tA, tc.alpha, a, x, 0.5, want)
		}
		parts = nil
		Gemv(tc.tA, tc.alpha, a, x, 0.5, y)
		for i, w := range want.Data {
			if got := y.Data[i]; math.Float64bits(got) != math.Float64bits(w) {
				t.Fatalf("%s: y.Data[%d] = %v, want %v", name, i, got, w)
			}
		}
		switch {
		case !tc.split && len(parts) != 0:
			t.Errorf("%s: ran in parts %v, want one Dgemv call", name, parts)
		case tc.split && len(team.helpers) > 0 && len(parts) < 2:
			t.Errorf("%s: ran in parts %v, want at least two", name, parts)
		}
		if allocs := testing.AllocsPerRun(5, func() { Gemv(tc.tA, tc.alpha, a, x, 0.5, y) }); allocs != 0 {
			t.Errorf("%s: %v allocs", name, allocs)
		}
	}
	if len(team.helpers) == 0 {
		t.Log("GOMAXPROCS is 1: no call could split")
	}
	// Malformed calls panic as blas64.Gemv does.
	for _, tc := range []struct {
		name   string
		m, n   int
		lenY   int
		stride int
	}{
		{"short y", 100, 100, 99, 100},
		{"negative dimensions", -2048, -2048, 0, 0},
		{"short stride", 100, 100, 100, 99},
	} {
		a := blas64.General{Rows: tc.m, Cols: tc.n, Stride: tc.stride, Data: make([]float64, max(tc.m*tc.n, 0))}
		x := blas64.Vector{N: tc.n, Inc: 1, Data: make([]float64, max(tc.n, 0))}
		y := blas64.Vector{N: tc.m, Inc: 1, Data: make([]float64, tc.lenY)}
		want := catchPanic(func() { blas64.Gemv(blas.NoTrans, 1, a, x, 0, y) })
		if got := catchPanic(func() { Gemv(blas.NoTrans, 1, a, x, 0, y) }); got != want || want == "" {
			t.Errorf("%s: Gemv panics %q, blas64.Gemv %q", tc.name, got, want)
		}
	}
}

// BenchmarkGemvSplit compares Gemv split across the worker team with one
// blas64.Gemv call over square, tall and wide shapes: the measurement
// behind memorySplitMin.
func BenchmarkGemvSplit(b *testing.B) {
	rng := rand.New(rand.NewPCG(35, 36))
	for _, s := range [][2]int{{128, 128}, {256, 256}, {512, 512}, {1024, 1024}, {4096, 128}, {2048, 1024}, {8192, 256}, {2048, 2048}, {16384, 256}, {8192, 1024}, {65536, 256}} {
		m, n := s[0], s[1]
		a := benchMatrix(rng, m, n)
		x := blas64.Vector{N: n, Inc: 1, Data: make([]float64, n)}
		y := blas64.Vector{N: m, Inc: 1, Data: make([]float64, m)}
		b.Run(fmt.Sprintf("%dx%d/impl=blas64", m, n), func(b *testing.B) {
			for b.Loop() {
				blas64.Gemv(blas.NoTrans, 1, a, x, 0, y)
			}
		})
		b.Run(fmt.Sprintf("%dx%d/impl=split", m, n), func(b *testing.B) {
			defer func(old int) { memorySplitMin = old }(memorySplitMin)
			memorySplitMin = 0
			for b.Loop() {
				Gemv(blas.NoTrans, 1, a, x, 0, y)
			}
		})
	}
}

// BenchmarkGemvSmall compares Gemv with one blas64.Gemv call at sizes
// below both of Gemv's own ways, where all it adds is the choice: the
// measurement behind Gemv's early return.
func BenchmarkGemvSmall(b *testing.B) {
	rng := rand.New(rand.NewPCG(37, 38))
	for _, n := range []int{4, 16, 64} {
		a := benchMatrix(rng, n, n)
		x := blas64.Vector{N: n, Inc: 1, Data: make([]float64, n)}
		y := blas64.Vector{N: n, Inc: 1, Data: make([]float64, n)}
		b.Run(fmt.Sprintf("%dx%d/impl=blas64", n, n), func(b *testing.B) {
			for b.Loop() {
				blas64.Gemv(blas.NoTrans, 1, a, x, 0, y)
			}
		})
		b.Run(fmt.Sprintf("%dx%d/impl=Gemv", n, n), func(b *testing.B) {
			for b.Loop() {
				Gemv(blas.NoTrans, 1, a, x, 0, y)
			}
		})
	}
}

// TestPanelGemv checks PanelGemv's two ways: with a of at least
// gemvStreamMin entries and the vector kernels, each panel's rows are
// those of Gemv over the whole a, bit for bit, whatever the cut; otherwise
// they are Gemv over the panel's view (RowPanel). Empty panels write
// nothing.
func TestPanelGemv(t *testing.T) {
	defer func(old int) { gemvStreamMin = old }(gemvStreamMin)
	rng := rand.New(rand.NewPCG(43, 44))
	for _, streamMin := range []int{1, 1 << 30} {
		gemvStreamMin = streamMin
		stream := vectorGemvRows != nil && streamMin == 1
		for _, s := range [][2]int{{37, 16}, {64, 33}, {9, 100}} {
			m, n := s[0], s[1]
			a := specialRandom(rng, m, n, 7, 50)
			x := blas64.Vector{N: n, Inc: 1, Data: make([]float64, n)}
			for i := range x.Data {
				x.Data[i] = rng.NormFloat64()
			}
			whole := blas64.Vector{N: m, Inc: 1, Data: make([]float64, m)}
			Gemv(blas.NoTrans, 1, a, x, 0, whole)
			for _, cut := range [][2]int{{0, m}, {3, 8}, {5, 5}, {m - 1, m}} {
				r0, r1 := cut[0], cut[1]
				got := blas64.Vector{N: r1 - r0, Inc: 1, Data: make([]float64, r1-r0)}
				want := blas64.Vector{N: r1 - r0, Inc: 1, Data: make([]float64, r1-r0)}
				for i := range got.Data {
					got.Data[i] = math.NaN()
				}
				PanelGemv(a, r0, r1, x, got)
				if stream {
					copy(want.Data, whole.Data[r0:r1])
				} else {
					Gemv(blas.NoTrans, 1, RowPanel(a, r0, r1), x, 0, want)
				}
				for i, w := range want.Data {
					if g := got.Data[i]; math.Float64bits(g) != math.Float64bits(w) && !(math.IsNaN(g) && math.IsNaN(w)) {
						t.Fatalf("%dx%d rows [%d, %d) streamed=%v: y[%d] = %v, want %v", m, n, r0, r1, stream, i, g, w)
					}
				}
			}
		}
	}
}
