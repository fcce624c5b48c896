package runtime

import (
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas/blas64"
)

// Splitting work across cores. The block kernels (ExpTo and the rest) and
// the row kernels (SoftmaxRowsTo and the rest) compute each element, or
// each row, from its own input alone, so cutting their range into parts
// and running the parts at once changes no bit of any result. Above
// splitMin entries of work they share it with a team of worker goroutines
// started once, on first use, one fewer than GOMAXPROCS then, at most
// maxHelpers: no goroutine is started and nothing is allocated per call.
// One call at a time uses the team; a call that finds it busy (generated
// functions called from several goroutines at once) runs alone, which is
// what those cores are busy with anyway.

// splitMin is the least work, in entries, worth a part of its own: waking a
// parked worker and waiting for it costs microseconds, the time of many
// thousands of exps. BenchmarkSplit on 2 cores (AMD EPYC, lightly loaded,
// 2026-12-04), split in two against one piece: the scalar ExpTo 5 % slower
// at 16384 entries, 8 % faster at 32768, 30 % at 65536, 44–48 % from 262144
// on (SoftmaxRowsTo alike); the vector ExpTo (GOEXPERIMENT=simd, 1.7 ns an
// entry) 5–7 % slower up to 65536 and 30–44 % faster from 262144. Calls split
// from 2·splitMin = 65536 entries.
var splitMin = 1 << 15

// memorySplitMin is the least work, in entries, worth splitting for a
// kernel that does a multiply-add or less per entry it reads or writes
// (Gemv's rows, OuterTo's): while its operands fit in the cache it runs
// faster on one core than split in two, and from main memory split in two
// is faster. Split against one piece on 2 CPUs (idle, 2026-12-04, benchstat
// over 6 runs), BenchmarkGemvSplit: 256² +49 %, 512² +16 %, 1024² (8 MiB)
// +14 %, 4096×128 +3 %; 2048×1024 (16 MiB) −13 %, 2048² −45 %, 16384×256
// −35 %, 65536×256 (128 MiB) −52 %; BenchmarkOuterToSplit: 256² +30 %,
// 1024² +35 %, 1200² +11 %, 1448² (16 MiB) ~, 1700² −42 %, 2048² −57 %.
var memorySplitMin = 1 << 21

// maxHelpers bounds the team: the kernels are memory-bound beyond a few
// cores.
const maxHelpers = 7

// kernelArgs are a kernel's operands: slices and the loop of a block
// kernel, vectors, matrices and a scale for the row kernels, a generated
// loop in parts for Parts.
type kernelArgs struct {
	a, b, c []float64
	block   func(dst, src []float64)
	v, w    blas64.Vector
	g, h    blas64.General
	alpha   float64
	beta    float64
	parts   PartRunner
}

// kernelPart runs a kernel on the part [lo, hi) of its range, elements or
// rows.
type kernelPart func(args kernelArgs, lo, hi int)

// team is the worker goroutines and the call they are working on.
var team struct {
	start   sync.Once
	busy    sync.Mutex
	parts   []chan [2]int // one per helper: the part it is to run
	done    sync.WaitGroup
	part    kernelPart
	args    kernelArgs
	helpers int
}

// startTeam starts the helpers.
func startTeam() {
	team.helpers = min(runtime.GOMAXPROCS(0)-1, maxHelpers)
	for range team.helpers {
		c := make(chan [2]int, 1)
		team.parts = append(team.parts, c)
		go func() {
			for r := range c {
				team.part(team.args, r[0], r[1])
				team.done.Done()
			}
		}()
	}
}

// alone reports whether n entries of work run in one piece on the calling
// goroutine, as split would run them: a block kernel asks first and then
// calls its loop directly (blockTo).
func alone(n int) bool { return n < 2*splitMin }

// split runs part over [0, n), rows or elements of work entries each: in
// one piece below 2·splitMin entries of work or when the team is busy,
// else in equal parts on this goroutine and the team's helpers.
func split(part kernelPart, args kernelArgs, n, work int) {
	team.start.Do(startTeam)
	parts := min(team.helpers+1, n*work/splitMin, n)
	if parts < 2 || !team.busy.TryLock() {
		part(args, 0, n)
		return
	}
	defer team.busy.Unlock()
	team.part, team.args = part, args
	team.done.Add(parts - 1)
	for k := 1; k < parts; k++ {
		team.parts[k-1] <- [2]int{k * n / parts, (k + 1) * n / parts}
	}
	part(args, 0, n/parts)
	team.done.Wait()
	team.part, team.args = nil, kernelArgs{}
}
