//go:build !unix

package kernel

import "os"

// processAlive reports whether pid still exists; on these systems
// FindProcess fails for a process that has gone.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}
