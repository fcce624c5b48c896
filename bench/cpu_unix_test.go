//go:build unix

package bench

import "syscall"

// processCPU returns the CPU time, user and system, that this process has
// used so far in ns, and true; false where getrusage fails.
func processCPU() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
