//go:build gradgensplit

package openblas

// Built with -tags gradgensplit, as the runtime is (runtime/split_small.go),
// every call from 2 entries, 2×2 matrices and 2·2·2 multiply-adds on goes to
// OpenBLAS, and a call is cut into blocks from 8 multiply-adds and blocks
// of 2 rows: so tests with small inputs, the differential oracle's among
// them (-oracle.openblas), run OpenBLAS and the blocks on the team; and
// row panels keep the runtime's split size, 8 entries, where openblas.go's
// init would set 1 MiB ones.
func init() {
	openBLASLevel1, openBLASLevel2, openBLASLevel3 = 2, 4, 8
	blockWork, minBlockSide, minNarrowSide = 8, 2, 2
}

// Under -tags gradgensplit (split_default.go holds the other values):
const (
	// panelElems is the size of a row panel openblas.go's init sets: the
	// runtime's split one (runtime/split_small.go). A constant, as the
	// order of this file's init and openblas.go's (a cgo file) is not the
	// files' order.
	panelElems = 8
	// thresholdsLowered reports whether the thresholds are this build's.
	thresholdsLowered = true
)
