package workspace

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// loadGCPercent is the garbage collector's target while tables load.
//
// A load allocates what it keeps: the table grows from nothing to its full
// size and makes little garbage. At the default GOGC of 100 the collector
// still runs every time the heap doubles, marks the whole growing table each
// time and drafts the parsing workers into helping, which on a fresh process
// cost a third of a load's CPU (1M sign-ins, SigninLogs and AuditLogs). A
// higher target while loading skips most of those cycles for a few percent
// more peak memory; a memory limit (GOMEMLIMIT, or huntbook's default) still
// bounds the heap, and the setting is put back when the last load ends.
//
// Putting it back usually leaves the heap above the collector's goal (the
// table is new since the last cycle), so a cycle would start at once and
// mark the new table while whatever runs next (the next table's load, the
// first query) pays for it in assists. The load settles that itself: it
// collects before returning, on all cores, and so pays for its own table.
const loadGCPercent = 400

var loadGC struct {
	sync.Mutex
	active int // loads running
	saved  int // GOGC before the first of them
}

// relaxGC raises the collector's target for the duration of a load and
// returns the function that ends it. Loads may overlap; the first one saves
// the setting and the last one restores it. A setting already above
// loadGCPercent, or off, is left alone.
func relaxGC() (done func()) {
	loadGC.Lock()
	defer loadGC.Unlock()
	if loadGC.active == 0 {
		loadGC.saved = debug.SetGCPercent(loadGCPercent)
		if loadGC.saved < 0 || loadGC.saved > loadGCPercent {
			debug.SetGCPercent(loadGC.saved)
		}
	}
	loadGC.active++
	return func() {
		loadGC.Lock()
		defer loadGC.Unlock()
		loadGC.active--
		if loadGC.active == 0 {
			debug.SetGCPercent(loadGC.saved)
			if heapAboveGoal() {
				runtime.GC()
			}
		}
	}
}

// heapAboveGoal reports whether the heap has outgrown the collector's
// current goal, that is, whether a cycle is due now.
func heapAboveGoal() bool {
	m := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(m)
	if m[0].Value.Kind() != metrics.KindUint64 || m[1].Value.Kind() != metrics.KindUint64 {
		return false
	}
	return m[1].Value.Uint64() > m[0].Value.Uint64()
}
