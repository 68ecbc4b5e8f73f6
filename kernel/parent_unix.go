//go:build unix

package kernel

import (
	"errors"
	"syscall"
)

// processAlive reports whether pid still exists (signal 0 probes without
// signalling; EPERM means it exists but is not ours).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
