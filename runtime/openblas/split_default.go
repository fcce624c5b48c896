//go:build !gradgensplit

package openblas

// Without -tags gradgensplit (split_small.go holds the other values):
const (
	// panelElems is the size of a row panel init sets: 1 MiB, above the
	// level-2 threshold, so each panel's Gemv runs in OpenBLAS, and half a
	// panel per core still fits in L2.
	panelElems = 1 << 17
	// thresholdsLowered reports whether the thresholds are the split
	// build's; the tests of the thresholds themselves skip then.
	thresholdsLowered = false
)
