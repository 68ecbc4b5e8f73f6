package exec

import "math/bits"

// The join's hash table. Build rows are split by the top bits of their
// key's hash into partitions, each an open-addressing table small enough
// to stay in a core's cache while it is built, and the partitions are built
// on all workers at once. A slot holds a tag from the hash beside the row,
// so a probe reads one cache line and compares strings only on a tag hit.

// joinSlot is one slot of a partition: the low half of the key's hash
// (its low bits are the slot's index; the bits above them spare almost
// every string compare with another key) and the first build row of the
// key plus one (0: the slot is empty). The same pair, holding the row
// itself, carries a build row from the scatter to its partition's build,
// in 8 bytes where the whole hash would take 16.
type joinSlot struct {
	tag uint32
	row int32
}

// joinPart is one partition's open-addressing table, indexed by the low
// bits of the hash.
type joinPart struct {
	mask  uint64
	slots []joinSlot
}

// joinTable maps a key to its first build row; next chains a key's build
// rows in ascending order (-1 ends a chain).
type joinTable struct {
	shift uint // a hash h belongs to partition h >> shift (64: one partition)
	parts []joinPart
	keys  []string
	next  []int32
}

// Variables, not constants, so that tests can take the partitioned path
// with small inputs.
var (
	// joinPartRows is the most build rows a partition aims at: its slots
	// (two to four per row, 8 bytes each) then take at most 1 MB.
	joinPartRows = 1 << 15
	// joinMaxParts bounds the partitions (and the per-chunk counters).
	joinMaxParts = 1 << 10
	// joinSerialRows: below this many build rows one serial table is
	// built; partitioning would cost more than it saves.
	joinSerialRows = 1 << 16
)

// joinParts is the number of partitions for n build rows on workers
// goroutines: a power of two, at least one per worker.
func joinParts(n, workers int) int {
	p := 1
	for p < workers || p*joinPartRows < n {
		p *= 2
	}
	return min(p, joinMaxParts)
}

// newPart sizes a partition for n rows at a load of at most one half
// (tables up to 0.7 full probed half as fast at 2.5M rows).
func newPart(n int) joinPart {
	size := 16
	for size < 2*n {
		size *= 2
	}
	return joinPart{mask: uint64(size - 1), slots: make([]joinSlot, size)}
}

// insert adds build row j (hash tag) to partition p. Rows must come in
// descending order so that each chain lists its rows ascending, and
// next[j] must be -1 already: only a row whose key is in the table
// already is chained (writing next for every row would cost a cache miss
// per row, as a partition's rows are spread over the whole build side).
func (t *joinTable) insert(p *joinPart, j int32, tag uint32) {
	for i := uint64(tag) & p.mask; ; i = (i + 1) & p.mask {
		s := p.slots[i]
		if s.row == 0 {
			p.slots[i] = joinSlot{tag: tag, row: j + 1}
			return
		}
		if s.tag == tag && t.keys[s.row-1] == t.keys[j] {
			t.next[j] = s.row - 1
			p.slots[i].row = j + 1
			return
		}
	}
}

// newJoinTable builds a one-partition table serially: rows whose ok is
// false (null keys) are left out.
func newJoinTable(keys []string, hs []uint64, ok []bool) *joinTable {
	t := &joinTable{shift: 64, keys: keys, next: make([]int32, len(keys))}
	n := 0
	for j := range keys {
		if ok == nil || ok[j] {
			n++
		}
	}
	t.parts = []joinPart{newPart(n)}
	p := &t.parts[0]
	for j := range t.next {
		t.next[j] = -1
	}
	for j := len(keys) - 1; j >= 0; j-- {
		if ok == nil || ok[j] {
			t.insert(p, int32(j), uint32(hs[j]))
		}
	}
	return t
}

// buildJoinTable builds the table for keys (hashes hs; ok false or nil
// marks rows without a key) on the session's workers: rows are counted and
// scattered per partition in parallel chunks, then each partition is
// built by one worker.
func (r *runner) buildJoinTable(keys []string, hs []uint64, ok []bool) (*joinTable, error) {
	n := len(keys)
	workers := r.sess.opts.Parallelism
	if n < joinSerialRows || workers < 2 {
		return newJoinTable(keys, hs, ok), r.ctx.Err()
	}
	np := joinParts(n, workers)
	shift := uint(64 - bits.TrailingZeros(uint(np)))
	t := &joinTable{shift: shift, keys: keys, next: make([]int32, n), parts: make([]joinPart, np)}
	nc := numChunks(n, false)
	// counts[c*np+p]: rows of chunk c in partition p, then where chunk c
	// writes its first row of partition p
	counts := make([]int32, nc*np)
	err := r.forChunks(n, false, func(ci, lo, hi int) error {
		cnt := counts[ci*np : (ci+1)*np]
		for j := lo; j < hi; j++ {
			t.next[j] = -1
			if ok == nil || ok[j] {
				cnt[hs[j]>>shift]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// partition p's rows are entries[start[p]:start[p+1]], chunk by chunk,
	// so ascending
	start := make([]int, np+1)
	pos := 0
	for p := 0; p < np; p++ {
		start[p] = pos
		for c := 0; c < nc; c++ {
			k := counts[c*np+p]
			counts[c*np+p] = int32(pos)
			pos += int(k)
		}
	}
	start[np] = pos
	entries := make([]joinSlot, pos)
	err = r.forChunks(n, false, func(ci, lo, hi int) error {
		at := counts[ci*np : (ci+1)*np]
		for j := lo; j < hi; j++ {
			if ok != nil && !ok[j] {
				continue
			}
			h := hs[j]
			p := h >> shift
			entries[at[p]] = joinSlot{tag: uint32(h), row: int32(j)}
			at[p]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// one unit of forChunks work per partition
	err = r.forChunks(np*chunkRows, false, func(p, _, _ int) error {
		es := entries[start[p]:start[p+1]]
		part := newPart(len(es))
		for k := len(es) - 1; k >= 0; k-- {
			t.insert(&part, es[k].row, es[k].tag)
		}
		t.parts[p] = part
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// find returns the first build row with key k (hash h), or -1.
func (t *joinTable) find(k string, h uint64) int32 {
	return t.findIn(&t.parts[h>>t.shift], k, h)
}

// chains gives each key's first build row the length of its chain, and
// each build row its chain's first row (-1 for rows without a key): what
// counting a join needs instead of walking the chains per probe.
func (t *joinTable) chains() (length, head []int32) {
	length, head = make([]int32, len(t.next)), make([]int32, len(t.next))
	for j := range head {
		head[j] = -1
	}
	for _, p := range t.parts {
		for _, s := range p.slots {
			if s.row == 0 {
				continue
			}
			h := s.row - 1
			n := int32(0)
			for j := h; j >= 0; j = t.next[j] {
				head[j] = h
				n++
			}
			length[h] = n
		}
	}
	return length, head
}

// findIn is find within partition p.
func (t *joinTable) findIn(p *joinPart, k string, h uint64) int32 {
	tag := uint32(h)
	for i := h & p.mask; ; i = (i + 1) & p.mask {
		s := p.slots[i]
		if s.row == 0 {
			return -1
		}
		if s.tag == tag && t.keys[s.row-1] == k {
			return s.row - 1
		}
	}
}

// probeFirst looks up probe keys (hashes hs; ok false or nil marks rows
// without a key) in t in parallel chunks and returns each one's first
// build row, -1 for none. With rows set only those probe rows are looked
// up: first[k] is rows[k]'s. (Probing partition by partition, as the
// build runs, measured no faster: a probe's slot read costs about what
// scattering the probe rows by partition does.)
func (r *runner) probeFirst(t *joinTable, keys []string, hs []uint64, ok []bool, rows []int) ([]int32, error) {
	n := len(keys)
	if rows != nil {
		n = len(rows)
	}
	first := make([]int32, n)
	err := r.forChunks(n, false, func(_, lo, hi int) error {
		for k := lo; k < hi; k++ {
			i := k
			if rows != nil {
				i = rows[k]
			}
			first[k] = -1
			if ok == nil || ok[i] {
				first[k] = t.find(keys[i], hs[i])
			}
		}
		return nil
	})
	return first, err
}
