package runtime

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

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
//
// A call's range is cut into chunks, about chunksPerMember for each member
// of the team that takes part (the caller and its helpers), and each
// member takes the next chunk not yet taken until none is left. The chunks
// depend on the range and the team's size alone; which member runs which
// chunk does not matter, since no index's result depends on the chunk it
// is in. A member slowed down, by another thread on its core or by the
// machine, takes fewer chunks, where an even split waited for its half.

// splitMin is the least work, in entries, worth a part of its own: handing
// a part to a helper that is spinning (below) and waiting for it costs
// about a microsecond, the time of a few hundred exps. BenchmarkSplit on 2
// cores (AMD EPYC, idle, 2026-12-05, 3 runs), split in two against one
// piece, the helper spinning: the scalar ExpTo 15 % slower at 256 entries,
// 16 % faster at 512, 29 % at 1024, 37–41 % from 2048 on; the vector ExpTo
// (GOEXPERIMENT=simd, 1.7 ns an entry) 2.1× slower at 256, 37 % slower at
// 512, even at 1024, 25 % faster at 2048 and 32 % at 4096; the vector
// SoftmaxRowsTo (rows of 16) 40–45 % faster from 512 on. Calls split from
// 2·splitMin = 4096 entries, where both exps gain.
var splitMin = 1 << 11

// memorySplitMin is the least work, in entries, worth splitting for a
// kernel that does a multiply-add or less per entry it reads or writes
// (Gemv's rows, OuterTo's). Split against one piece on 2 CPUs (idle,
// 2026-12-05, 3 runs, the helper spinning), BenchmarkGemvSplit: 256² 37 %
// slower, 512² 35 % faster, 1024² 44 %, 4096×128 43 %, 65536×256 54 %;
// BenchmarkOuterToSplit: 256² 32 % faster, 1024² 48 %, 2048² 61 %. A
// BLAS backend with threads of its own raises it (SetMemorySplitMin).
var memorySplitMin = 1 << 18

// SetMemorySplitMin sets the least number of entries from which the
// memory-bound kernels (OuterTo, and Gemv under gonum's BLAS) split their
// rows across the team, 1<<18 by default. It is the hook of BLAS backends
// whose own threads stay on the cores after a call, where a helper then
// competes with them: with OpenBLAS on its own threads, B1's and B2's FGrad
// at n = 1024, an OpenBLAS Gemv and then OuterTo of 1024² entries, were
// 33–61 % slower split from 1<<18 than from 1<<21 (runtime/openblas runs
// OpenBLAS on the calling thread instead). Like SetPanelElems it is
// called from the backend's init function and must not run concurrently
// with generated code. It panics if n < 1.
func SetMemorySplitMin(n int) {
	if n < 1 {
		panic("runtime: SetMemorySplitMin needs a positive number of entries")
	}
	memorySplitMin = n
}

// TeamSize returns how many goroutines a call split across the team can
// run on: the caller and the helpers, one fewer than GOMAXPROCS when the
// team started (on first use), at most maxHelpers+1. It starts the team if
// it has not started.
func TeamSize() int {
	team.start.Do(startTeam)
	return len(team.helpers) + 1
}

// maxHelpers bounds the team: the kernels are memory-bound beyond a few
// cores.
const maxHelpers = 7

// chunksPerMember is how many chunks a split call cuts its range into for
// each member taking part, each of at least splitMin entries of work: few
// enough that taking one (an atomic add) costs nothing beside its work,
// enough that a member held up for a quarter of the call's time costs the
// call about that much rather than half of it. Interleaved A/B on 2 CPUs
// (8 rounds, pure Go, against an even split): B7MLP FGrad at n = 1024
// −6 %, B8Softmax −4 % to −6 %, within this virtual machine's noise.
const chunksPerMember = 4

// kernelArgs are a kernel's operands: slices and the loop of a block
// kernel, vectors, matrices and a scale for the row kernels, a generated
// loop in parts for Parts.
type kernelArgs struct {
	a, b, c []float64
	block   func(dst, src []float64)
	pair    func(a, b, src []float64)
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
	helpers []*helper
	pending atomic.Int32 // helpers of the current call not yet finished
	done    sync.WaitGroup
	part    kernelPart
	args    kernelArgs
	n       int                         // the call's range [0, n)
	chunks  int                         // the number of chunks [0, n) is cut into
	next    atomic.Int64                // the next chunk not yet taken
	failed  atomic.Pointer[helperPanic] // the first panic of a helper's chunk
}

// helperPanic is a panic recovered in a helper's chunk, to be raised
// again on the calling goroutine: a panic on a helper goroutine would end
// the program, out of reach of the caller's recover, and leave the call
// unfinished.
type helperPanic struct {
	value any
	stack []byte
}

// A helper is one worker goroutine of the team. After a part it spins for
// up to spinFor, yielding its processor to any other goroutine at each
// turn, before it parks on wake: a part handed to a parked goroutine waits
// for the scheduler to wake a thread on an idle CPU, long enough on this
// virtual machine that the caller mostly ran the helper's part itself
// (BenchmarkSplit, scalar ExpTo of 32,768 entries: 206 µs in one piece,
// 185 µs split with the helper parked, 110 µs with it spinning). The
// helper's state is written only by the helper (spinning, parked) and by
// give (assigned, after the call's chunks): give either takes a spinning
// helper or wakes a parked one, never neither (TestTeamHandoff).
type helper struct {
	state atomic.Int32 // helperSpinning, helperParked or helperAssigned
	wake  chan struct{}
}

// The states of a helper.
const (
	helperSpinning int32 = iota // looking for a part, not parked
	helperParked                // parked, or about to park, on wake
	helperAssigned              // given a call to take chunks of
)

// spinFor is how long a helper looks for its next call before it parks.
const spinFor = 50 * time.Microsecond

// startTeam starts the helpers.
func startTeam() {
	for range min(runtime.GOMAXPROCS(0)-1, maxHelpers) {
		h := &helper{wake: make(chan struct{}, 1)}
		team.helpers = append(team.helpers, h)
		go h.work()
	}
}

// work takes chunks of the calls given to h, forever.
func (h *helper) work() {
	for {
		if !h.spin() {
			<-h.wake
		}
		// h.state is helperAssigned: the team's call is set.
		runHelperChunks()
		h.state.Store(helperSpinning)
		team.pending.Add(-1)
		team.done.Done()
	}
}

// spin looks for a call for up to spinFor and reports whether it got one;
// if not, h is marked parked and a call will come through wake.
func (h *helper) spin() bool {
	for start := time.Now(); time.Since(start) < spinFor; {
		if h.state.Load() == helperAssigned {
			return true
		}
		runtime.Gosched()
	}
	return !h.state.CompareAndSwap(helperSpinning, helperParked)
}

// give hands h the team's current call.
func (h *helper) give() {
	if !h.state.CompareAndSwap(helperSpinning, helperAssigned) {
		h.state.Store(helperAssigned)
		h.wake <- struct{}{}
	}
}

// alone reports whether n entries of work run in one piece on the calling
// goroutine, as split would run them: a block kernel asks first and then
// calls its loop directly (blockTo).
func alone(n int) bool { return n < 2*splitMin }

// split runs part over [0, n), rows or elements of work entries each: in
// one piece below 2·splitMin entries of work or when the team is busy,
// else in chunks taken by this goroutine and the team's helpers.
func split(part kernelPart, args kernelArgs, n, work int) {
	team.start.Do(startTeam)
	most := n * work / splitMin // chunks of splitMin entries of work
	members := min(len(team.helpers)+1, most, n)
	if members < 2 || !team.busy.TryLock() {
		CleanVectorState()
		part(args, 0, n)
		return
	}
	team.part, team.args = part, args
	team.n, team.chunks = n, min(members*chunksPerMember, most, n)
	team.next.Store(0)
	team.done.Add(members - 1)
	team.pending.Store(int32(members - 1))
	for _, h := range team.helpers[:members-1] {
		h.give()
	}
	// The call ends only when every helper has left it, even when a chunk
	// panics: a panic on this goroutine stops the chunks not yet taken and
	// goes on up once the helpers are done with theirs, so that none still
	// writes into the caller's buffers (a pooled workspace) or reads the
	// next call's operands. A helper's panic is raised again here.
	ended := false
	defer func() {
		if !ended { // runChunks is panicking
			endCall()
		}
	}()
	runChunks()
	ended = true
	if failed := endCall(); failed != nil {
		failed.raise()
	}
}

// endCall ends split's call on the team: it stops the chunks not yet
// taken (all are, unless a chunk panicked), waits for the helpers and
// frees the team. It returns the first panic of a helper's chunk, if any.
func endCall() *helperPanic {
	team.next.Store(int64(team.chunks))
	for start := time.Now(); team.pending.Load() > 0 && time.Since(start) < spinFor; {
		runtime.Gosched()
	}
	team.done.Wait()
	team.part, team.args = nil, kernelArgs{}
	failed := team.failed.Swap(nil)
	team.busy.Unlock()
	return failed
}

// raise panics with p's value on the calling goroutine, the helper's
// stack appended: an error is wrapped (errors.As still finds a
// *ShapeError), any other value formatted.
func (p *helperPanic) raise() {
	const where = "\n\n[in a chunk run by a gradgen runtime helper goroutine]\n"
	if err, ok := p.value.(error); ok {
		panic(fmt.Errorf("%w"+where+"%s", err, p.stack))
	}
	panic(fmt.Sprintf("%v"+where+"%s", p.value, p.stack))
}

// stack returns the calling goroutine's stack trace, as runtime/debug's
// Stack does (whose import would reserve the name debug in specs: a
// -standalone file copies this package's files).
func stack() []byte {
	for buf := make([]byte, 1<<12); ; buf = make([]byte, 2*len(buf)) {
		if n := runtime.Stack(buf, false); n < len(buf) {
			return buf[:n]
		}
	}
}

// runHelperChunks is runChunks on a helper, which recovers a chunk's
// panic for the caller (endCall) and stops the call's other chunks.
func runHelperChunks() {
	defer func() {
		if v := recover(); v != nil {
			team.failed.CompareAndSwap(nil, &helperPanic{value: v, stack: stack()})
			team.next.Store(int64(team.chunks))
		}
	}()
	runChunks()
}

// runChunks runs the chunks of the team's current call not yet taken, one
// at a time, until none is left: chunk k is [k·n/chunks, (k+1)·n/chunks).
// Each starts with the vector registers' upper halves clean
// (CleanVectorState), whatever the thread ran before.
func runChunks() {
	n, chunks := team.n, team.chunks
	for {
		k := int(team.next.Add(1) - 1)
		if k >= chunks {
			return
		}
		CleanVectorState()
		team.part(team.args, k*n/chunks, (k+1)*n/chunks)
	}
}
