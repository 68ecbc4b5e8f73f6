//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package main

import "os"

// termWidth is unknown here; callers fall back to $COLUMNS or 80.
func termWidth(f *os.File) int { return 0 }
