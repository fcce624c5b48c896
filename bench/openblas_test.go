//go:build openblas

package bench

// Built with -tags openblas, the benchmarks run on the OpenBLAS backend
// (bench/run.sh runs them both ways).
import "github.com/gradgen/gradgen/runtime/openblas"

// backendOwnRate runs f, a benchmark of the backend's best Dgemm rate,
// with OpenBLAS on its own threads (openblas.OwnThreads): the backend cuts
// products into blocks on gradgen's team, which is slower for the square
// products the references time.
func backendOwnRate(f func()) { openblas.OwnThreads(f) }
