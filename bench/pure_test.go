//go:build !openblas

package bench

// backendOwnRate runs f: gonum's Dgemm is the pure-Go build's own.
func backendOwnRate(f func()) { f() }
