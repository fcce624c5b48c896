//go:build !unix

package runtime

// processCPU reports that the process's CPU time cannot be read here.
func processCPU() (int64, bool) { return 0, false }
