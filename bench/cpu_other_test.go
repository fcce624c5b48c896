//go:build !unix

package bench

// processCPU reports false: the process CPU time is read on unix only.
func processCPU() (int64, bool) { return 0, false }
