//go:build unix

package loadgen

import (
	"syscall"
	"time"
)

// processCPUTime is the CPU time the whole k6 process has used so far (all threads, user + system).
func processCPUTime() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
