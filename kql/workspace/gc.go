package workspace

import (
	"math"
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
// more peak memory, and the setting is put back when the last load ends.
// When a memory limit is set (GOMEMLIMIT, or huntbook's default) collection
// is off while loading: the limit bounds the heap instead.
//
// Putting it back usually leaves the heap above the collector's goal (the
// table is new since the last cycle), so a cycle would start at once and
// mark the new table while whatever runs next (the next table's load, the
// first query) pays for it in assists. The load settles that itself: it
// collects before returning, on all cores, and so pays for its own table;
// a second table loaded after it finds the goal far enough and pays none.
const loadGCPercent = 400

var loadGC struct {
	sync.Mutex
	active int // loads running
	saved  int // GOGC before the first of them
}

// relaxGC raises the collector's target for the duration of a load and
// returns the function that ends it. Loads may overlap; the first one saves
// the setting and the last one restores it. With a memory limit set,
// collection is off meanwhile; without one, a setting already above
// loadGCPercent, or off, is left alone.
func relaxGC() (done func()) {
	loadGC.Lock()
	defer loadGC.Unlock()
	if loadGC.active == 0 {
		during := loadGCPercent
		if debug.SetMemoryLimit(-1) != math.MaxInt64 {
			// A memory limit bounds the heap: no cycle at all while loading.
			// (With a finite GOGC the pacer still starts one part way
			// through a big load, sized by the whole heap's scan work, and
			// it runs on into whatever comes next.)
			during = -1
		}
		loadGC.saved = debug.SetGCPercent(during)
		if loadGC.saved < 0 || during >= 0 && loadGC.saved > during {
			debug.SetGCPercent(loadGC.saved)
		}
	}
	loadGC.active++
	return func() {
		loadGC.Lock()
		defer loadGC.Unlock()
		loadGC.active--
		if loadGC.active == 0 {
			// Collect before putting GOGC back: put back first, a cycle
			// would start at once and run on concurrently into what
			// comes next.
			if dueAt(loadGC.saved) {
				runtime.GC()
			}
			debug.SetGCPercent(loadGC.saved)
		}
	}
}

// dueAt reports whether, at GOGC gcPercent, the heap has outgrown the
// collector's goal (the heap live after the last cycle, plus gcPercent of
// it), that is, whether a cycle would start now.
func dueAt(gcPercent int) bool {
	if gcPercent < 0 {
		return false
	}
	m := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(m)
	if m[0].Value.Kind() != metrics.KindUint64 || m[1].Value.Kind() != metrics.KindUint64 {
		return false
	}
	live, now := m[0].Value.Uint64(), m[1].Value.Uint64()
	return now > live+live/100*uint64(gcPercent)
}
