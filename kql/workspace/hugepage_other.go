//go:build !linux

package workspace

import "unsafe"

// adviseHuge is a no-op where transparent huge pages do not exist.
func adviseHuge(p unsafe.Pointer, bytes int) {}
