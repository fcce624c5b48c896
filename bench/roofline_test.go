package bench

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	gradgen "github.com/gradgen/gradgen/runtime"
)

// The machine's ceilings for the roofline of bench/report: the copy
// bandwidth (BenchmarkTriad) and the best Dgemm rate (BenchmarkGemmRate) of
// the backend the benchmarks are built with. bench/report divides each
// case's unavoidable bytes and flops (its model table) by them.

// triadLen is the length of each of the triad's three arrays: 2²³ float64,
// 64 MiB each, 192 MiB in all, six times this machine's 32 MiB L3, so that
// every pass streams from and to memory.
const triadLen = 1 << 23

// triadTeam is a fixed set of goroutines, one per GOMAXPROCS, each owning
// one contiguous chunk of the arrays; run starts one pass of all of them
// and waits. No goroutine or allocation per pass.
type triadTeam struct {
	start []chan float64
	done  sync.WaitGroup
}

// newTriadTeam starts the workers of a[i] = b[i] + s*c[i] on len(a)/workers
// entries each; each worker also writes its chunk of the three arrays once
// first, so that the pages are mapped before the timed passes.
func newTriadTeam(a, b, c []float64, workers int) *triadTeam {
	t := &triadTeam{start: make([]chan float64, workers)}
	chunk := (len(a) + workers - 1) / workers
	t.done.Add(workers)
	for w := range workers {
		lo, hi := min(w*chunk, len(a)), min((w+1)*chunk, len(a))
		a, b, c := a[lo:hi], b[lo:hi], c[lo:hi]
		start := make(chan float64)
		t.start[w] = start
		go func() {
			for i := range a {
				a[i], b[i], c[i] = 0, float64(i), 1
			}
			t.done.Done()
			for s := range start {
				gradgen.CleanVectorState() // see loop
				for i := range a {
					a[i] = b[i] + s*c[i]
				}
				t.done.Done()
			}
		}()
	}
	t.done.Wait()
	return t
}

// run does one triad pass with scalar s on all workers.
func (t *triadTeam) run(s float64) {
	t.done.Add(len(t.start))
	for _, c := range t.start {
		c <- s
	}
	t.done.Wait()
}

// stop ends the workers.
func (t *triadTeam) stop() {
	for _, c := range t.start {
		close(c)
	}
}

// BenchmarkTriad measures the copy bandwidth of the machine with a
// STREAM-like triad, a[i] = b[i] + s*c[i] on three arrays far beyond the
// L3 cache, split across GOMAXPROCS goroutines (both cores here). It
// reports GB/s (10⁹ bytes per second) counting 3×8 bytes per element — b and
// c read, a written — as STREAM does: the write-allocate read of a that the
// hardware may add is not counted, so the figure is the rate at which a
// loop that reads once and writes once moves its own data.
func BenchmarkTriad(b *testing.B) {
	workers := runtime.GOMAXPROCS(0)
	b.Run(fmt.Sprintf("n=%d,workers=%d", triadLen, workers), func(b *testing.B) {
		x, y, z := make([]float64, triadLen), make([]float64, triadLen), make([]float64, triadLen)
		team := newTriadTeam(x, y, z, workers)
		defer team.stop()
		const bytesPerElem = 3 * 8
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			team.run(3)
			n++
		}
		sink = x[triadLen-1]
		if b.Elapsed() > 0 {
			b.ReportMetric(bytesPerElem*triadLen*float64(n)/float64(b.Elapsed().Nanoseconds()), "GB/s")
		}
	})
}

// TestTriad checks the triad team's result on an array length that does
// not divide evenly among the workers.
func TestTriad(t *testing.T) {
	const n = 1001
	a, b, c := make([]float64, n), make([]float64, n), make([]float64, n)
	for _, workers := range []int{1, 2, 3, 7} {
		team := newTriadTeam(a, b, c, workers)
		team.run(2)
		team.stop()
		chunk := (n + workers - 1) / workers
		for i := range a {
			// b[i] is i's offset within its chunk, c[i] is 1.
			if want := float64(i%chunk) + 2; a[i] != want {
				t.Fatalf("workers=%d: a[%d] = %v, want %v", workers, i, a[i], want)
			}
		}
	}
}

// gemmRateSizes are the square products of BenchmarkGemmRate; bench/report
// takes the best rate of them as the machine's Dgemm rate.
var gemmRateSizes = []int{256, 512, 1024}

// BenchmarkGemmRate times blas64.Gemm, C = A B on square n×n matrices, at
// the sizes of gemmRateSizes, on the backend of the build (gonum's Dgemm,
// which splits large products across GOMAXPROCS goroutines, or OpenBLAS
// with its own threads under -tags openblas), and reports GFLOP/s counting
// 2n³ flops per product.
func BenchmarkGemmRate(b *testing.B) {
	for _, n := range gemmRateSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(uint64(n), 5))
			x, y := randMat(r, n, n, 1).RawMatrix(), randMat(r, n, n, 1).RawMatrix()
			z := randMat(r, n, n, 0).RawMatrix()
			backendOwnRate(func() {
				loop(b, func() float64 {
					blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, x, y, 0, z)
					return z.Data[0]
				}, 2*float64(n)*float64(n)*float64(n))
			})
		})
	}
}
