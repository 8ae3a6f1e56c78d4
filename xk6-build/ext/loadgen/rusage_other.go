//go:build !unix

package loadgen

import (
	"errors"
	"runtime"
	"time"
)

// processCPUTime is not available without getrusage: loadgen_cpu_ratio is not pushed then.
func processCPUTime() (time.Duration, error) {
	return 0, errors.New("loadgen: the process CPU time cannot be read on " + runtime.GOOS)
}
