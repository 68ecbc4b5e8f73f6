package exec

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
	"weak"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// Dictionary encoding of string columns. Hunting tables repeat a few
// thousand UPNs, IPs, apps and result types across millions of rows; once a
// column carries codes (table.Column.Codes) grouping is an array lookup per
// row, string predicates run once per distinct value and dcount/make_set
// dedupe integer pairs. Catalog columns are encoded the first time a query
// reads them and the encoding is kept (weakly, for as long as the column
// lives) for later queries; operators carry codes through filters, slices
// and joins.

// earlyCheck is the row at which a column still mostly distinct is given up.
const earlyCheck = table.DictProbe

// stillMostlyNew is the early verdict (table.StillMostlyNew) given the
// dictionary's sizes at rows earlyCheck/2 and earlyCheck.
func stillMostlyNew(atHalf, atCheck int) bool {
	return table.StillMostlyNew(atCheck-atHalf, earlyCheck/2)
}

// Variables so that tests can encode every column.
var (
	minEncodeRows = 4096              // smaller columns gain nothing
	maxDictRatio  = table.DictRatio   // give up when more than 1/len of the values are distinct
	maxDictSize   = table.DictMaxSize // and beyond this many distinct values
)

// dictLimit is table.DictLimit with this package's (test-adjustable)
// ratio and size.
func dictLimit(rows int) int { return min(max(rows/maxDictRatio, 1), maxDictSize) }

type dictEntry struct {
	once    sync.Once
	dict    []string
	dynDict []any
	codes   []uint32
}

// strCoded and dynCoded tell which kind of encoding a column carries.
func strCoded(c *table.Column) bool { return c.Codes != nil && c.Type == types.String }
func dynCoded(c *table.Column) bool { return c.Codes != nil && c.Type == types.Dynamic }

// dictCache maps a catalog column (weakly) to its encoding.
var dictCache sync.Map // weak.Pointer[table.Column] -> *dictEntry

// encoded returns c with its dictionary encoding attached (a shallow copy;
// c itself is shared and never written), or c when it is not a string
// column worth encoding.
func encoded(c *table.Column) *table.Column {
	if c.Type != types.String && c.Type != types.Dynamic || c.Codes != nil || c.NoDict || c.Len() < minEncodeRows {
		return c
	}
	key := weak.Make(c)
	v, loaded := dictCache.LoadOrStore(key, &dictEntry{})
	if !loaded {
		runtime.AddCleanup(c, func(k weak.Pointer[table.Column]) { dictCache.Delete(k) }, key)
	}
	e := v.(*dictEntry)
	e.once.Do(func() {
		if c.Type == types.String {
			e.dict, e.codes = buildDictParallel(c.Strs)
		} else {
			e.dynDict, e.codes = buildDynDictParallel(c.Dyns)
		}
	})
	if e.codes == nil {
		return c
	}
	o := *c
	o.Dict, o.DynDict, o.Codes = e.dict, e.dynDict, e.codes
	return &o
}

// buildDictParallel is buildDict over chunks on all CPUs (chunkedDict).
func buildDictParallel(strs []string) ([]string, []uint32) {
	return dictParallel(strs, buildDict, func(s string) (string, bool) { return s, true }, stillMostlyNew)
}

// dictParallel encodes vals in chunks on all CPUs (chunkedDict), or with
// serial when they are too few to split. key identifies a value (false: it
// cannot be encoded); giveUp is the early verdict, given the chunk's
// dictionary sizes at rows earlyCheck/2 and earlyCheck.
func dictParallel[V any, K comparable](vals []V, serial func([]V) ([]V, []uint32), key func(V) (K, bool), giveUp func(atHalf, atCheck int) bool) ([]V, []uint32) {
	const chunk = 1 << 17
	n := len(vals)
	if n < 2*chunk || runtime.GOMAXPROCS(0) < 2 {
		return serial(vals)
	}
	limit := dictLimit(n)
	return chunkedDict(n, chunk, limit, func(lo, hi int, codes []uint32) ([]V, bool) {
		m := make(map[K]uint32, 1024)
		var d []V
		atHalf := 0
		for i := lo; i < hi; i++ {
			switch i - lo {
			case earlyCheck / 2:
				atHalf = len(d)
			case earlyCheck:
				if giveUp(atHalf, len(d)) {
					return nil, false
				}
			}
			k, ok := key(vals[i])
			if !ok {
				return nil, false
			}
			c, found := m[k]
			if !found {
				if len(d) >= limit {
					return nil, false
				}
				c = uint32(len(d))
				m[k] = c
				d = append(d, vals[i])
			}
			codes[i-lo] = c
		}
		return d, true
	}, func(v V) K { k, _ := key(v); return k })
}

// chunkedDict dictionary-encodes n rows in chunks on all CPUs: code codes
// rows lo..hi into codes (indexed from lo) against a dictionary of its own
// and returns it, or false to give up; the chunk dictionaries then merge
// in chunk order by key (so codes follow first appearance, as a serial
// build numbers them) and the chunks renumber their codes. Nil when a
// chunk gave up or more than limit values are distinct.
func chunkedDict[V any, K comparable](n, chunk, limit int, code func(lo, hi int, codes []uint32) ([]V, bool), key func(V) K) ([]V, []uint32) {
	workers := runtime.GOMAXPROCS(0)
	nc := (n + chunk - 1) / chunk
	dicts := make([][]V, nc)
	codes := make([]uint32, n)
	var failed atomic.Bool
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(workers, nc); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ci := int(next.Add(1) - 1)
				if ci >= nc || failed.Load() {
					return
				}
				lo, hi := ci*chunk, min((ci+1)*chunk, n)
				d, ok := code(lo, hi, codes[lo:hi])
				if !ok {
					failed.Store(true)
					return
				}
				dicts[ci] = d
			}
		}()
	}
	wg.Wait()
	if failed.Load() {
		return nil, nil
	}
	global := make(map[K]uint32, len(dicts[0]))
	var dict []V
	remaps := make([][]uint32, nc)
	for ci, d := range dicts {
		rm := make([]uint32, len(d))
		for k, v := range d {
			kv := key(v)
			c, ok := global[kv]
			if !ok {
				if len(dict) >= limit {
					return nil, nil
				}
				c = uint32(len(dict))
				global[kv] = c
				dict = append(dict, v)
			}
			rm[k] = c
		}
		remaps[ci] = rm
	}
	next.Store(0)
	for w := 0; w < min(workers, nc); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ci := int(next.Add(1) - 1)
				if ci >= nc {
					return
				}
				rm := remaps[ci]
				for i := ci * chunk; i < min((ci+1)*chunk, n); i++ {
					codes[i] = rm[codes[i]]
				}
			}
		}()
	}
	wg.Wait()
	return dict, codes
}

// dynIdentity identifies a dynamic value for encoding: bags and arrays by
// identity (the loader shares one parsed value between rows with the same
// JSON text), scalars by value.
type dynIdentity struct {
	p    unsafe.Pointer
	n    int
	s    string
	bits uint64
	kind uint8
}

// buildDynDictParallel is buildDynDict over chunks on all CPUs
// (chunkedDict): the same dictionary and codes, in less time on the first
// query that groups or filters by a large dynamic column.
func buildDynDictParallel(dyns []any) ([]any, []uint32) {
	// a value per event gives up, as buildDynDict decides
	perEvent := func(_, atCheck int) bool { return atCheck*maxDictRatio > earlyCheck }
	return dictParallel(dyns, buildDynDict, identityOf, perEvent)
}

// buildDynDict encodes a dynamic column; nil when too many values are
// distinct.
func buildDynDict(dyns []any) ([]any, []uint32) {
	limit := dictLimit(len(dyns))
	m := make(map[dynIdentity]uint32, 256)
	var dict []any
	codes := make([]uint32, len(dyns))
	for i, d := range dyns {
		k, ok := identityOf(d)
		if !ok {
			return nil, nil
		}
		// Dynamic columns are either a few shapes repeated (locations) or
		// a value per event (device ids, target lists): more than a quarter
		// distinct at a checkpoint (each power of two from the early
		// check) already means the latter.
		if i >= earlyCheck && i&(i-1) == 0 && len(dict)*maxDictRatio > i {
			return nil, nil
		}
		c, ok := m[k]
		if !ok {
			if len(dict) >= limit {
				return nil, nil
			}
			c = uint32(len(dict))
			m[k] = c
			dict = append(dict, d)
		}
		codes[i] = c
	}
	return dict, codes
}

// perEntry caches a value derived from a dictionary (one per distinct
// dictionary, shared by the chunks an expression evaluates concurrently).
type perEntry[T any] struct {
	mu   sync.Mutex
	key  unsafe.Pointer
	n    int
	val  T
	have bool
}

func (p *perEntry[T]) get(key unsafe.Pointer, n int, build func() T) T {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.have || p.key != key || p.n != n {
		p.key, p.n, p.val, p.have = key, n, build(), true
	}
	return p.val
}

// buildDict assigns codes in order of first appearance; nil when the
// column is too distinct for a dictionary to pay.
func buildDict(strs []string) ([]string, []uint32) {
	limit := dictLimit(len(strs))
	m := make(map[string]uint32, 1024)
	var dict []string
	codes := make([]uint32, len(strs))
	atHalf := 0
	for i, s := range strs {
		switch i {
		case earlyCheck / 2:
			atHalf = len(dict)
		case earlyCheck:
			if stillMostlyNew(atHalf, len(dict)) {
				return nil, nil
			}
		}
		c, ok := m[s]
		if !ok {
			if len(dict) >= limit {
				return nil, nil
			}
			c = uint32(len(dict))
			m[s] = c
			dict = append(dict, s)
		}
		codes[i] = c
	}
	return dict, codes
}

// encodeTable attaches encodings to the string columns of t.
func encodeTable(t *table.Table) *table.Table {
	var out *table.Table
	for i, c := range t.Columns {
		e := encoded(c)
		if e == c {
			continue
		}
		if out == nil {
			out = &table.Table{Name: t.Name, Columns: append([]*table.Column(nil), t.Columns...)}
		}
		out.Columns[i] = e
	}
	if out == nil {
		return t
	}
	return out
}

// sameDict reports whether a and b share one dictionary.
func sameDict(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || unsafe.SliceData(a) == unsafe.SliceData(b))
}

// u64set is an open-addressing set of uint64 keys (linear probing), much
// cheaper than a Go map for the millions of (group, value) pairs dcount
// and make_set dedupe. Key 0 is kept aside.
type u64set struct {
	slots   []uint64
	n       int
	hasZero bool
}

func (s *u64set) hash(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	return k
}

// add inserts k and reports whether it was new.
func (s *u64set) add(k uint64) bool {
	if k == 0 {
		if s.hasZero {
			return false
		}
		s.hasZero = true
		return true
	}
	if (s.n+1)*2 > len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := s.hash(k) & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return false
		case 0:
			s.slots[i] = k
			s.n++
			return true
		}
	}
}

func (s *u64set) grow() {
	old := s.slots
	size := max(1024, len(old)*2)
	s.slots = make([]uint64, size)
	s.n = 0
	mask := uint64(size - 1)
	for _, k := range old {
		if k == 0 {
			continue
		}
		i := s.hash(k) & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = k
		s.n++
	}
}
