package runtime

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas/blas64"
)

// withSplitMin runs f with splitMin, memorySplitMin, partsMin and
// transposeSplitMin set to n, so small inputs split.
func withSplitMin(t *testing.T, n int, f func()) {
	t.Helper()
	old, oldMemory, oldParts, oldTranspose := splitMin, memorySplitMin, partsMin, transposeSplitMin
	splitMin, memorySplitMin, partsMin, transposeSplitMin = n, n, n, n
	defer func() {
		splitMin, memorySplitMin, partsMin, transposeSplitMin = old, oldMemory, oldParts, oldTranspose
	}()
	f()
}

// TestSplitParts checks that split runs every index of its range exactly
// once: in one piece below the threshold, above it in chunksPerMember
// chunks for each member of the team taking part, none of less than
// splitMin entries of work.
func TestSplitParts(t *testing.T) {
	team.start.Do(startTeam)
	team1 := len(team.helpers) + 1 // the caller and its helpers
	ifTeam := func(chunks int) int {
		if team1 < 2 {
			return 1
		}
		return chunks
	}
	tests := []struct {
		n, work, want int
	}{
		{n: 10, work: 1, want: 1},
		{n: 1<<15 - 1, work: 1, want: 1},
		{n: 1 << 15, work: 1, want: ifTeam(2)},
		{n: 3, work: 1 << 14, want: ifTeam(3)},
		{n: 2, work: 1 << 20, want: ifTeam(2)},
		{n: 1 << 20, work: 1, want: ifTeam(min(team1, 64) * chunksPerMember)},
		{n: 5, work: 1 << 20, want: ifTeam(5)},
	}
	defer func(old int) { splitMin = old }(splitMin)
	splitMin = 1 << 14
	for _, tt := range tests {
		var mu sync.Mutex
		var ranges [][2]int
		record := func(_ kernelArgs, lo, hi int) {
			mu.Lock()
			ranges = append(ranges, [2]int{lo, hi})
			mu.Unlock()
		}
		split(record, kernelArgs{}, tt.n, tt.work)
		slices.SortFunc(ranges, func(a, b [2]int) int { return a[0] - b[0] })
		if len(ranges) != tt.want {
			t.Errorf("n = %d, work = %d: %d chunks %v, want %d (helpers: %d)", tt.n, tt.work, len(ranges), ranges, tt.want, len(team.helpers))
		}
		next := 0
		for _, r := range ranges {
			if r[0] != next || r[1] <= r[0] {
				t.Fatalf("n = %d: chunks %v do not tile [0, %d)", tt.n, ranges, tt.n)
			}
			next = r[1]
		}
		if next != tt.n {
			t.Fatalf("n = %d: chunks %v end at %d", tt.n, ranges, next)
		}
	}
}

// splitEverything starts the team, skips the test when it has no helpers
// (GOMAXPROCS 1), and sets splitMin to 1 until the test ends, so that a
// range of two entries splits.
func splitEverything(t *testing.T) {
	t.Helper()
	team.start.Do(startTeam)
	if len(team.helpers) == 0 {
		t.Skip("no helpers: GOMAXPROCS is 1")
	}
	old := splitMin
	splitMin = 1
	t.Cleanup(func() { splitMin = old })
}

// TestSplitStalledMember checks that a member of the team that stalls on
// its first chunk holds up only that chunk: the others take every other
// chunk meanwhile. The chunk taken first waits until every index outside
// it has run (at most 10 s) and must hold at most half of an even share of
// the range: with an even split across the members it holds a whole share.
func TestSplitStalledMember(t *testing.T) {
	splitEverything(t)
	const n = 1 << 10
	var done atomic.Int64 // indices run
	var first atomic.Bool
	var stalled [2]int
	var runs [n]atomic.Int32
	part := func(_ kernelArgs, lo, hi int) {
		if first.CompareAndSwap(false, true) {
			stalled = [2]int{lo, hi}
			for deadline := time.Now().Add(10 * time.Second); done.Load() < int64(n-(hi-lo)) && time.Now().Before(deadline); {
				time.Sleep(100 * time.Microsecond)
			}
		}
		for i := lo; i < hi; i++ {
			runs[i].Add(1)
		}
		done.Add(int64(hi - lo))
	}
	split(part, kernelArgs{}, n, 1)
	for i := range runs {
		if r := runs[i].Load(); r != 1 {
			t.Fatalf("index %d ran %d times", i, r)
		}
	}
	members := min(len(team.helpers)+1, n)
	if got, most := stalled[1]-stalled[0], n/(2*members); got > most {
		t.Errorf("the stalled member's chunk [%d, %d) holds %d indices, want at most half an even share, %d", stalled[0], stalled[1], got, most)
	}
}

// TestTeamHandoff checks that every call gets each of its indices run
// exactly once however it finds the helpers: spinning after the last call
// (no pause), parked (a pause longer than spinFor), or between the two, and
// from several goroutines at once, some of which find the team busy.
func TestTeamHandoff(t *testing.T) {
	team.start.Do(startTeam)
	defer func(old int) { splitMin = old }(splitMin)
	splitMin = 1
	pauses := []time.Duration{0, 0, 0, spinFor / 2, spinFor, 3 * spinFor}
	var wg sync.WaitGroup
	var split2 atomic.Int64 // calls that ran in more than one part
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 9))
			for call := range 300 {
				n := 1 + rng.IntN(64)
				counts := make([]int32, n)
				var parts atomic.Int32
				split(func(_ kernelArgs, lo, hi int) {
					parts.Add(1)
					for i := lo; i < hi; i++ {
						counts[i]++
					}
				}, kernelArgs{}, n, 1)
				if parts.Load() > 1 {
					split2.Add(1)
				}
				for i, c := range counts {
					if c != 1 {
						t.Errorf("goroutine %d, call %d: index %d of %d ran %d times", g, call, i, n, c)
						return
					}
				}
				time.Sleep(pauses[rng.IntN(len(pauses))])
			}
		}()
	}
	wg.Wait()
	if len(team.helpers) > 0 && split2.Load() == 0 {
		t.Error("no call ran on the team")
	}
}

// TestSplitKernelsBitIdentical checks every split kernel against its
// element or row computed alone, from many goroutines at once, with
// parts small enough that every call splits when the team is free.
func TestSplitKernelsBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const rows, cols = 97, 13
	src := make([]float64, rows*cols)
	for i := range src {
		src[i] = 40 * (rng.Float64() - 0.5)
	}
	a := blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: src}
	same := func(name string, got, want []float64) {
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Errorf("%s: entry %d is %v, want %v", name, i, got[i], want[i])
				return
			}
		}
	}
	withSplitMin(t, 16, func() {
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				dst := make([]float64, len(src))
				for _, k := range []struct {
					name string
					to   func(dst, src []float64)
					f    func(float64) float64
				}{{"ExpTo", ExpTo, math.Exp}, {"LogTo", LogTo, math.Log}, {"TanhTo", TanhTo, math.Tanh},
					{"SigmoidTo", SigmoidTo, Sigmoid}, {"SoftplusTo", SoftplusTo, Softplus},
					{"SigmoidDerivTo", SigmoidDerivTo, SigmoidDeriv}, {"TanhDerivTo", TanhDerivTo, TanhDeriv}} {
					k.to(dst, src)
					want := make([]float64, len(src))
					for i, x := range src {
						want[i] = k.f(x)
					}
					same(k.name, dst, want)
				}
				sp, sg := make([]float64, len(src)), make([]float64, len(src))
				SoftplusSigmoidTo(sp, sg, src)
				wantSp, wantSg := make([]float64, len(src)), make([]float64, len(src))
				for i, x := range src {
					wantSp[i], wantSg[i] = SoftplusSigmoid(x)
				}
				same("SoftplusSigmoidTo softplus", sp, wantSp)
				same("SoftplusSigmoidTo sigmoid", sg, wantSg)
				TanhTanhDerivTo(sp, sg, src)
				for i, x := range src {
					wantSp[i], wantSg[i] = TanhTanhDeriv(x)
				}
				same("TanhTanhDerivTo tanh", sp, wantSp)
				same("TanhTanhDerivTo deriv", sg, wantSg)

				lse := blas64.Vector{N: rows, Inc: 1, Data: make([]float64, rows)}
				sm := blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: make([]float64, rows*cols)}
				LogSumExpSoftmaxRowsTo(lse, sm, a)
				wantLse, wantSm := make([]float64, rows), make([]float64, rows*cols)
				for i := range rows {
					row := blas64.General{Rows: 1, Cols: cols, Stride: cols, Data: src[i*cols : (i+1)*cols]}
					wantLse[i] = LogSumExp(row)
					SoftmaxTo(blas64.General{Rows: 1, Cols: cols, Stride: cols, Data: wantSm[i*cols : (i+1)*cols]}, row)
				}
				same("LogSumExpSoftmaxRowsTo lse", lse.Data, wantLse)
				same("LogSumExpSoftmaxRowsTo softmax", sm.Data, wantSm)
				LogSumExpRowsTo(lse, a)
				same("LogSumExpRowsTo", lse.Data, wantLse)
				SoftmaxRowsTo(sm, a)
				same("SoftmaxRowsTo", sm.Data, wantSm)
				const wide = 2 * outerMinCols // OuterTo's rows, not Ger
				x := blas64.Vector{N: rows, Inc: cols, Data: src}
				y := blas64.Vector{N: wide, Inc: 1, Data: src[:wide]}
				outer := blas64.General{Rows: rows, Cols: wide, Stride: wide, Data: make([]float64, rows*wide)}
				OuterTo(outer, 0.5, x, y)
				wantOuter := make([]float64, rows*wide)
				for i := range rows {
					for j := range wide {
						wantOuter[i*wide+j] = 0.5 * src[i*cols] * y.Data[j]
					}
				}
				same("OuterTo", outer.Data, wantOuter)
			})
		}
		wg.Wait()
	})
}

// TestSplitAllocatesNothing checks that a call split across the team
// allocates nothing.
func TestSplitAllocatesNothing(t *testing.T) {
	src := make([]float64, 1<<16)
	dst := make([]float64, len(src))
	a := blas64.General{Rows: 1 << 10, Cols: 1 << 6, Stride: 1 << 6, Data: src}
	d := blas64.General{Rows: 1 << 10, Cols: 1 << 6, Stride: 1 << 6, Data: dst}
	for name, f := range map[string]func(){
		"ExpTo":         func() { ExpTo(dst, src) },
		"SoftmaxRowsTo": func() { SoftmaxRowsTo(d, a) },
		"OuterTo": func() {
			OuterTo(d, 2, blas64.Vector{N: 1 << 10, Inc: 1, Data: src}, blas64.Vector{N: 1 << 6, Inc: 1, Data: src})
		},
	} {
		if n := testing.AllocsPerRun(20, f); n != 0 {
			t.Errorf("%s: %v allocations per call, want 0", name, n)
		}
	}
}

// BenchmarkSplit times ExpTo and SoftmaxRowsTo in one piece (split=off)
// and split across the team (split=on: every call from 2·1024 entries),
// by total entries, for the threshold splitMin. Compare with
//
//	benchstat -col /split
func BenchmarkSplit(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12, 1 << 13, 1 << 14, 1 << 15, 1 << 16, 1 << 18, 1 << 20} {
		src, dst := make([]float64, n), make([]float64, n)
		for i := range src {
			src[i] = 40 * (rng.Float64() - 0.5)
		}
		a := blas64.General{Rows: n / 16, Cols: 16, Stride: 16, Data: src}
		d := blas64.General{Rows: n / 16, Cols: 16, Stride: 16, Data: dst}
		for _, on := range []bool{false, true} {
			threshold := math.MaxInt / 2
			if on {
				threshold = 1 << 7
			}
			for name, f := range map[string]func(){
				"ExpTo":         func() { ExpTo(dst, src) },
				"SoftmaxRowsTo": func() { SoftmaxRowsTo(d, a) },
			} {
				b.Run(fmt.Sprintf("%s/n=%d/split=%v", name, n, map[bool]string{false: "off", true: "on"}[on]), func(b *testing.B) {
					old := splitMin
					splitMin = threshold
					defer func() { splitMin = old }()
					for b.Loop() {
						f()
					}
				})
			}
		}
	}
}

// TestSetMemorySplitMin checks the backend hook sets the threshold and
// refuses a non-positive one.
func TestSetMemorySplitMin(t *testing.T) {
	defer func(old int) { memorySplitMin = old }(memorySplitMin)
	SetMemorySplitMin(1 << 21)
	if memorySplitMin != 1<<21 {
		t.Errorf("memorySplitMin = %d after SetMemorySplitMin(1<<21)", memorySplitMin)
	}
	if msg := catchPanic(func() { SetMemorySplitMin(0) }); msg == "" {
		t.Error("SetMemorySplitMin(0) did not panic")
	}
}

// TestSplitPanic checks that a panic in a chunk reaches split's caller and
// leaves the team whole: a helper's panic is raised again on the calling
// goroutine (an error still matched by errors.Is), the caller's own panic
// goes on up unchanged, and in both cases no helper is still running a
// chunk when the caller recovers, and the next call runs every index once.
func TestSplitPanic(t *testing.T) {
	splitEverything(t)
	boom := errors.New("boom")
	caller := goroutineID()
	var running atomic.Int32 // chunks being run
	// recovered runs split with part and returns what the caller recovers
	// and how many chunks were still running then.
	recovered := func(part func(onCaller bool)) (v any, stillRunning int32) {
		defer func() { v, stillRunning = recover(), running.Load() }()
		split(func(_ kernelArgs, lo, hi int) {
			running.Add(1)
			defer running.Add(-1)
			part(goroutineID() == caller)
		}, kernelArgs{}, 64, 1)
		return nil, running.Load()
	}
	for round := range 20 {
		// A helper's chunk panics; the caller's chunks take long enough
		// that the helpers take some.
		v, still := recovered(func(onCaller bool) {
			if !onCaller {
				panic(boom)
			}
			time.Sleep(200 * time.Microsecond)
		})
		err, _ := v.(error)
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), "helper goroutine") {
			t.Fatalf("round %d, helper's panic: caller recovered %v, want boom from a helper", round, v)
		}
		if still != 0 {
			t.Fatalf("round %d, helper's panic: %d chunks still running after the caller's recover", round, still)
		}
		// The caller's chunk panics while helpers take long.
		v, still = recovered(func(onCaller bool) {
			if onCaller {
				panic("caller's own")
			}
			time.Sleep(200 * time.Microsecond)
		})
		if v != "caller's own" || still != 0 {
			t.Fatalf("round %d, caller's panic: recovered %v with %d chunks running, want the caller's own with none", round, v, still)
		}
		counts := make([]int32, 64)
		split(func(_ kernelArgs, lo, hi int) {
			for i := lo; i < hi; i++ {
				counts[i]++
			}
		}, kernelArgs{}, len(counts), 1)
		for i, c := range counts {
			if c != 1 {
				t.Fatalf("round %d, the call after the panics: index %d ran %d times", round, i, c)
			}
		}
	}
}

// goroutineID returns the calling goroutine's number, from its stack
// header "goroutine N [...".
func goroutineID() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	return strings.Fields(string(buf))[1]
}
