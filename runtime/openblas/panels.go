//go:build !gradgensplit

package openblas

// panelElems is the size of a row panel init sets: 1 MiB, above the
// level-2 threshold, so each panel's Gemv runs in OpenBLAS, and half a
// panel per core still fits in L2. (-tags gradgensplit keeps the
// runtime's small panels: split_small.go.)
const panelElems = 1 << 17
