//go:build unix

// Package cputime reads the CPU time the process has used, for benchmarks
// that report work per CPU second: on a machine shared with other work a
// wall-clock rate measures the neighbours as much as the code.
package cputime

import (
	"syscall"
	"time"
)

// Now is the user and system CPU time of the process so far, over all its
// threads (the garbage collector's included); 0 if it cannot be read.
func Now() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
