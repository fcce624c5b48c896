//go:build openblas

package bench

// Built with -tags openblas, the benchmarks run on the OpenBLAS backend
// (bench/run.sh runs them both ways).
import _ "github.com/gradgen/gradgen/runtime/openblas"
