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

// panelLoss is the state of a row-panel loop as generated code keeps it:
// f = Σ log(1 + exp(xᵢᵀ w)), ∇f = Xᵀ σ(X w), in parts.
type panelLoss struct {
	x           blas64.General
	w, u, r     blas64.Vector
	grad, spare blas64.Vector
	sums        blas64.Vector
	parts       int
	ran         []int // the goroutine-independent record of which parts ran
	mu          sync.Mutex
}

// RunPart is the body generated code writes as a method of its workspace.
func (s *panelLoss) RunPart(k int) {
	s.mu.Lock()
	s.ran[k]++
	s.mu.Unlock()
	lo, hi := PartRows(s.x.Rows, s.parts, k)
	acc := PartAccumulator(s.grad, s.spare, k)
	sum := 0.0
	panel := PartPanelRows(s.x.Cols, s.parts)
	for r0 := lo; r0 < hi; r0 += panel {
		r1 := min(r0+panel, hi)
		xp := RowPanel(s.x, r0, r1)
		Gemv(blas.NoTrans, 1, xp, s.w, 0, SubVector(s.u, r0, r1))
		for i := r0; i < r1; i++ {
			sp, sg := SoftplusSigmoid(s.u.Data[i])
			sum += sp
			s.r.Data[i] = sg
		}
		Gemv(blas.Trans, 1, xp, SubVector(s.r, r0, r1), 1, acc)
	}
	s.sums.Data[k] = sum
}

// run computes f and ∇f into s.grad (which starts as g0).
func (s *panelLoss) run(g0 []float64) float64 {
	copy(s.grad.Data, g0)
	s.parts = PanelParts(s.x.Rows, s.x.Cols)
	s.sums = blas64.Vector{N: s.parts, Inc: 1, Data: make([]float64, s.parts)}
	s.spare = blas64.Vector{N: (s.parts - 1) * s.grad.N, Inc: 1, Data: make([]float64, (s.parts-1)*s.grad.N)}
	s.ran = make([]int, s.parts)
	Parts(s.parts, s)
	AddParts(s.grad, s.spare)
	return SumParts(s.sums)
}

func newPanelLoss(rng *rand.Rand, n, d int) *panelLoss {
	s := &panelLoss{x: blas64.General{Rows: n, Cols: d, Stride: d, Data: make([]float64, n*d)}}
	for i := range s.x.Data {
		s.x.Data[i] = rng.NormFloat64()
	}
	vec := func(n int) blas64.Vector { return blas64.Vector{N: n, Inc: 1, Data: make([]float64, n)} }
	s.w, s.u, s.r, s.grad = vec(d), vec(n), vec(n), vec(d)
	for i := range s.w.Data {
		s.w.Data[i] = rng.NormFloat64() / math.Sqrt(float64(d))
	}
	return s
}

// TestPartsDeterministic checks that a row-panel loop in parts runs every
// part once and gives the same bits on the team as one part after another
// with the team busy, and the sum and gradient of one part to rounding.
func TestPartsDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, sz := range []struct{ n, d int }{{1, 1}, {7, 3}, {64, 4}, {333, 5}, {1000, 16}} {
		s := newPanelLoss(rng, sz.n, sz.d)
		g0 := make([]float64, sz.d)
		for i := range g0 {
			g0[i] = rng.NormFloat64()
		}
		oldMin := partsMin
		partsMin = math.MaxInt
		f1 := s.run(g0) // in one part
		partsMin = oldMin
		if s.parts != 1 {
			t.Fatalf("n=%d d=%d: %d parts below the threshold, want 1", sz.n, sz.d, s.parts)
		}
		g1 := append([]float64(nil), s.grad.Data...)
		withSplitMin(t, 2, func() {
			oldElems, oldRows := partPanelElems, panelMinRows
			partPanelElems, panelMinRows = 2*sz.d, 2 // panels of two rows
			defer func() { partPanelElems, panelMinRows = oldElems, oldRows }()
			f := s.run(g0)
			want := min(maxParts, (sz.n+1)/2)
			if s.parts != want {
				t.Errorf("n=%d d=%d: %d parts, want %d", sz.n, sz.d, s.parts, want)
			}
			for k, r := range s.ran {
				if r != 1 {
					t.Errorf("n=%d d=%d: part %d ran %d times", sz.n, sz.d, k, r)
				}
			}
			g := append([]float64(nil), s.grad.Data...)
			// The same with the team busy: the parts run one after another.
			team.busy.Lock()
			fAlone := s.run(g0)
			team.busy.Unlock()
			if math.Float64bits(f) != math.Float64bits(fAlone) {
				t.Errorf("n=%d d=%d: f %v on the team, %v alone", sz.n, sz.d, f, fAlone)
			}
			for i := range g {
				if math.Float64bits(g[i]) != math.Float64bits(s.grad.Data[i]) {
					t.Errorf("n=%d d=%d: grad[%d] %v on the team, %v alone", sz.n, sz.d, i, g[i], s.grad.Data[i])
				}
			}
			if math.Abs(f-f1) > 1e-12*math.Abs(f1)+1e-12 {
				t.Errorf("n=%d d=%d: f %v in parts, %v in one", sz.n, sz.d, f, f1)
			}
			for i := range g {
				if math.Abs(g[i]-g1[i]) > 1e-12*(1+math.Abs(g1[i])) {
					t.Errorf("n=%d d=%d: grad[%d] %v in parts, %v in one", sz.n, sz.d, i, g[i], g1[i])
				}
			}
		})
	}
}

// TestPartsAllocatesNothing checks that Parts on the team allocates
// nothing.
func TestPartsAllocatesNothing(t *testing.T) {
	s := newPanelLoss(rand.New(rand.NewPCG(7, 8)), 512, 8)
	s.parts = 8
	s.sums = blas64.Vector{N: 8, Inc: 1, Data: make([]float64, 8)}
	s.spare = blas64.Vector{N: 7 * 8, Inc: 1, Data: make([]float64, 7*8)}
	s.ran = make([]int, 8)
	if n := testing.AllocsPerRun(20, func() { Parts(s.parts, s) }); n != 0 {
		t.Errorf("%v allocations per call, want 0", n)
	}
}

// TestPartsHelpers checks the part arithmetic: PartRows covers the rows
// once in order, PartAccumulator zeroes its piece, AddParts and SumParts
// add in part order, and each panics on parts out of range.
func TestPartsHelpers(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 100} {
		for parts := 1; parts <= 9; parts++ {
			next := 0
			for k := range parts {
				lo, hi := PartRows(n, parts, k)
				if lo != next || hi < lo {
					t.Fatalf("PartRows(%d, %d, %d) = %d, %d after %d", n, parts, k, lo, hi, next)
				}
				next = hi
			}
			if next != n {
				t.Errorf("PartRows(%d, %d, ·) ends at %d", n, parts, next)
			}
		}
	}
	// Panels of parts hold 2¹⁵ entries, fewer than 8 rows only for rows
	// wider than 4096; rows wider than 2¹⁵, and matrices of fewer than 2¹⁶
	// entries, run in one part. (Under -tags gradgensplit both thresholds
	// are lowered on purpose.)
	for _, tt := range []struct{ n, d, parts, rows int }{
		{1 << 16, 256, 8, 128}, {1 << 12, 1 << 10, 8, 32}, {1 << 10, 1 << 13, 8, 4},
		{1 << 8, 1 << 15, 8, 1}, {1 << 8, 1<<15 + 1, 1, 0}, {1 << 8, 1 << 8, 2, 128},
		{1<<8 - 1, 1 << 8, 1, 0}, {1 << 10, 1 << 10, 8, 32},
	} {
		parts := PanelParts(tt.n, tt.d)
		if parts != tt.parts && partPanelElems == 1<<15 {
			t.Errorf("PanelParts(%d, %d) = %d, want %d", tt.n, tt.d, parts, tt.parts)
		}
		if rows := PartPanelRows(tt.d, parts); parts > 1 && partPanelElems == 1<<15 && rows != tt.rows {
			t.Errorf("PartPanelRows(%d, %d) = %d, want %d", tt.d, parts, rows, tt.rows)
		}
	}
	// Elementwise loops: one part below 2¹³ entries, then one a 2¹³
	// entries but at least two, at most 8 and one a row.
	for _, tt := range []struct{ rows, cols, parts int }{
		{64, 127, 1}, {64, 128, 2}, {128, 128, 2}, {96, 256, 3}, {256, 256, 8},
		{1, 1 << 20, 1}, {3, 1 << 20, 3}, {1 << 20, 1, 8}, {0, 5, 1},
	} {
		if parts := LoopParts(tt.rows, tt.cols); parts != tt.parts && loopPartsMin == 1<<13 {
			t.Errorf("LoopParts(%d, %d) = %d, want %d", tt.rows, tt.cols, parts, tt.parts)
		}
	}
	dst := blas64.Vector{N: 2, Inc: 1, Data: []float64{1, 2}}
	spare := blas64.Vector{N: 4, Inc: 1, Data: []float64{9, 9, 9, 9}}
	if a := PartAccumulator(dst, spare, 0); &a.Data[0] != &dst.Data[0] {
		t.Error("PartAccumulator of part 0 is not dst")
	}
	a := PartAccumulator(dst, spare, 2)
	if &a.Data[0] != &spare.Data[2] || spare.Data[2] != 0 || spare.Data[3] != 0 || spare.Data[0] != 9 {
		t.Errorf("PartAccumulator of part 2: spare %v", spare.Data)
	}
	spare.Data = []float64{1e16, 0, -1e16, 1}
	AddParts(dst, spare)
	// In order: (1 + 1e16) − 1e16 = 0 (1 is lost), 2 + 0 + 1 = 3.
	if dst.Data[0] != 0 || dst.Data[1] != 3 {
		t.Errorf("AddParts: %v, want [0 3]", dst.Data)
	}
	if s := SumParts(blas64.Vector{N: 3, Inc: 2, Data: []float64{1, 0, 1e16, 0, -1e16}}); s != 0 {
		t.Errorf("SumParts = %v, want 0 (in order)", s)
	}
	for name, f := range map[string]func(){
		"PanelParts":      func() { PanelParts(-1, 2) },
		"LoopParts":       func() { LoopParts(2, -1) },
		"PartRows":        func() { PartRows(4, 2, 2) },
		"PartAccumulator": func() { PartAccumulator(dst, spare, 3) },
		"AddParts":        func() { AddParts(dst, blas64.Vector{N: 3, Inc: 1, Data: make([]float64, 3)}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s out of range did not panic", name)
				}
			}()
			f()
		}()
	}
}

// BenchmarkPanelParts times a row-panel loop (panelLoss: X w, softplus and
// σ, Xᵀ r, panel by panel) in the parts PanelParts would cut it into with
// no threshold (impl=parts) against one part (impl=one), over matrices of
// 2¹⁵ to 2²¹ entries: the measurement behind partsMin.
func BenchmarkPanelParts(b *testing.B) {
	rng := rand.New(rand.NewPCG(37, 38))
	for _, s := range [][2]int{{256, 128}, {512, 128}, {1024, 128}, {2048, 128}, {512, 1024}, {4096, 128}, {1024, 1024}, {8192, 256}} {
		n, d := s[0], s[1]
		loss := newPanelLoss(rng, n, d)
		for _, impl := range []string{"one", "parts"} {
			b.Run(fmt.Sprintf("%dx%d/impl=%s", n, d, impl), func(b *testing.B) {
				defer func(old int) { partsMin = old }(partsMin)
				partsMin = 1
				loss.parts = 1
				if impl == "parts" {
					loss.parts = PanelParts(n, d)
				}
				loss.sums = blas64.Vector{N: loss.parts, Inc: 1, Data: make([]float64, loss.parts)}
				loss.spare = blas64.Vector{N: (loss.parts - 1) * d, Inc: 1, Data: make([]float64, (loss.parts-1)*d)}
				loss.ran = make([]int, loss.parts)
				for b.Loop() {
					Parts(loss.parts, loss)
					AddParts(loss.grad, loss.spare)
				}
			})
		}
	}
}

// mapLoop is an elementwise loop in parts, as gradgen prints one:
// dst = a − b .* c over the rows of its part.
type mapLoop struct {
	parts     int
	dst, a, b blas64.General
	c         blas64.General
}

func (l *mapLoop) RunPart(part int) {
	dst, a, b, c := l.dst, l.a, l.b, l.c
	lo, hi := PartRows(dst.Rows, l.parts, part)
	for i := lo; i < hi; i++ {
		for j := 0; j < dst.Cols; j++ {
			dst.Data[i*dst.Stride+j] = a.Data[i*a.Stride+j] - b.Data[i*b.Stride+j]*c.Data[i*c.Stride+j]
		}
	}
}

// BenchmarkLoopParts times an elementwise loop (mapLoop) in the parts
// LoopParts would cut it into with no threshold (impl=parts) against one
// part (impl=one), over matrices of 2¹² to 2²⁰ entries: the measurement
// behind loopPartsMin.
func BenchmarkLoopParts(b *testing.B) {
	rng := rand.New(rand.NewPCG(39, 40))
	general := func(n, d int) blas64.General {
		m := blas64.General{Rows: n, Cols: d, Stride: d, Data: make([]float64, n*d)}
		for k := range m.Data {
			m.Data[k] = rng.NormFloat64()
		}
		return m
	}
	for _, s := range [][2]int{{64, 64}, {128, 64}, {128, 128}, {256, 128}, {256, 256}, {1024, 256}, {1024, 1024}} {
		n, d := s[0], s[1]
		l := &mapLoop{dst: general(n, d), a: general(n, d), b: general(n, d), c: general(n, d)}
		for _, impl := range []string{"one", "parts"} {
			b.Run(fmt.Sprintf("%dx%d/impl=%s", n, d, impl), func(b *testing.B) {
				defer func(old int) { loopPartsMin = old }(loopPartsMin)
				loopPartsMin = 1
				l.parts = 1
				if impl == "parts" {
					l.parts = LoopParts(n, d)
				}
				for b.Loop() {
					Parts(l.parts, l)
				}
			})
		}
	}
}
