//go:build openblas

// OpenBLAS backend. Building with -tags openblas routes every blas64 call of
// the process (the generated code's, this package's and gonum's LAPACK) to
// OpenBLAS through cgo and gonum.org/v1/netlib/blas/netlib. It needs cgo and
// Debian's libopenblas-dev (apt-get install -y libopenblas-dev); the cgo
// directive below links -lopenblas, so no CGO_LDFLAGS is needed. The default
// build, without the tag, is pure Go.

package runtime

/*
#cgo LDFLAGS: -lopenblas
*/
import "C"

import (
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

func init() {
	blas64.Use(netlib.Implementation{})
}
