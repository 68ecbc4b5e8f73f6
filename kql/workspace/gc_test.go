package workspace

import (
	"math"
	"runtime/debug"
	"sync"
	"testing"
)

// Overlapping loads raise GOGC once and the last one puts it back; settings
// above the load target, or off, are not lowered.
func TestRelaxGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(orig) })
	origLimit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(origLimit) })
	for _, tc := range []struct {
		before, during int
		limit          bool // a memory limit is set: collection is off while loading
	}{
		{100, loadGCPercent, false},
		{50, loadGCPercent, false},
		{1000, 1000, false},
		{-1, -1, false},
		{100, -1, true},
		{1000, -1, true},
	} {
		if tc.limit {
			debug.SetMemoryLimit(64 << 30)
		} else {
			debug.SetMemoryLimit(math.MaxInt64)
		}
		debug.SetGCPercent(tc.before)
		var wg sync.WaitGroup
		dones := make(chan func(), 8)
		for range 8 {
			wg.Add(1)
			go func() { defer wg.Done(); dones <- relaxGC() }()
		}
		wg.Wait()
		close(dones)
		if got := debug.SetGCPercent(tc.during); got != tc.during {
			t.Errorf("GOGC %d: during loads %d, want %d", tc.before, got, tc.during)
		}
		for done := range dones {
			done()
		}
		if got := debug.SetGCPercent(tc.before); got != tc.before {
			t.Errorf("GOGC %d: after loads %d, want it back", tc.before, got)
		}
	}
}
