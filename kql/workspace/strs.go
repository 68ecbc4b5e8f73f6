package workspace

import (
	"unsafe"

	"github.com/huntbook/huntbook/kql/table"
)

// strPool turns field bytes into strings for one column, for the chunks
// one worker parses. Hunting data repeats the same UPNs, apps and result
// types millions of times, so values are interned; a column whose values
// are mostly distinct (ids, hashes) stops interning after a probe and
// copies into an arena, so neither case pays one allocation per cell.
//
// Interned values get codes (indexes into dict) in the order the worker
// met them. When the reader asks for codes (codeLimit > 0) the pool keeps
// every distinct value up to codeLimit, so the reader can hand the table
// a dictionary encoding (table.Column Codes/Dict) built while parsing
// instead of the executor building one on the first query.
type strPool struct {
	m         map[string]uint32
	dict      []string
	seen      []uint32 // per code: stamp of the last chunk that used it
	lookups   int
	hits      int
	off       bool // not interning
	noCodes   bool // some value got no code: the column is not encoded
	probeHalf int  // dictionary size at the first miss from codeProbe/2 lookups
	probeAt   int  // lookups then (0: not yet)
	probed    int  // verdicts given (at codeProbe, then at lateProbe)
	codeLimit int  // distinct values kept for codes (0: codes not wanted)
	arena     []byte
}

const (
	internProbe = 4096 // lookups before deciding whether interning pays
	// Lookups before deciding whether codes pay, as the executor decides
	// (table.StillMostlyNew). Later than the interning probe, since the
	// first few thousand rows of a table sorted by time meet most users and
	// addresses for the first time.
	codeProbe     = table.DictProbe
	lateProbe     = 1 << 19 // lookups before the second verdict on codes
	internMaxSize = 1 << 16 // distinct values kept when codes are not wanted
	arenaBlock    = 64 << 10
)

func (p *strPool) get(b []byte) string {
	if len(b) == 0 && p.codeLimit == 0 {
		return ""
	}
	s, _, _ := p.code(b)
	return s
}

// code returns b as a string and its code; ok is false when the pool
// keeps no code for it (and then never will give codes again).
func (p *strPool) code(b []byte) (s string, code uint32, ok bool) {
	if p.off {
		return p.alloc(b), 0, false
	}
	if p.m == nil {
		p.m = make(map[string]uint32, 64)
	}
	p.lookups++
	if c, found := p.m[string(b)]; found { // no allocation: the compiler special-cases this lookup
		p.hits++
		return p.dict[c], c, !p.noCodes
	}
	s = p.alloc(b)
	limit := internMaxSize
	if !p.noCodes && p.codeLimit > 0 {
		limit = p.codeLimit
	}
	if len(p.dict) < limit {
		code, ok = uint32(len(p.dict)), !p.noCodes
		p.m[s] = code
		p.dict = append(p.dict, s)
		if p.codeLimit > 0 {
			p.seen = append(p.seen, 0)
		}
	} else {
		p.noCodes = true
	}
	if p.codeLimit > 0 && p.probeAt == 0 && p.lookups >= codeProbe/2 {
		p.probeHalf, p.probeAt = len(p.dict), p.lookups
	}
	// Verdicts wait for a miss at or after their probe (hits cannot change
	// them), so none is skipped.
	if p.lookups == internProbe && p.codeLimit == 0 && p.hits*4 < p.lookups || p.codesDoNotPay() {
		p.off, p.m, p.dict, p.seen, p.noCodes = true, nil, nil, nil, true
		ok = false
	}
	return s, code, ok
}

// codesDoNotPay gives the verdicts on codes: at codeProbe lookups the
// executor's early one (table.StillMostlyNew on the lookups since
// codeProbe/2); at lateProbe, still more than half distinct, so the
// dictionary would likely outgrow its limit after costing a map of
// millions of entries.
func (p *strPool) codesDoNotPay() bool {
	if p.codeLimit == 0 {
		return false
	}
	switch {
	case p.probed == 0 && p.lookups >= codeProbe:
		p.probed++
		return table.StillMostlyNew(len(p.dict)-p.probeHalf, p.lookups-p.probeAt)
	case p.probed == 1 && p.lookups >= lateProbe:
		p.probed++
		return len(p.dict)*2 > p.lookups
	}
	return false
}

// alloc copies b into the arena. Arena bytes are never written twice, so
// strings viewing them stay immutable.
func (p *strPool) alloc(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > arenaBlock/8 {
		return string(b)
	}
	if cap(p.arena)-len(p.arena) < len(b) {
		p.arena = make([]byte, 0, arenaBlock)
	}
	start := len(p.arena)
	p.arena = append(p.arena, b...)
	return unsafe.String(&p.arena[start], len(b))
}

// dynCache shares parsed dynamic values between cells with the same JSON
// text: hunting data repeats the same DeviceDetail and LocationDetails
// objects, and parsing a bag costs a map and a string per key. Tables are
// read-only once loaded, so sharing a value between rows is safe. Like
// strPool it stops caching when values turn out to be mostly distinct.
type dynCache struct {
	m       map[string]any
	lookups int
	hits    int
	off     bool
	p       jsonParser
}

// get parses text as JSON. Text that is not JSON becomes a dynamic string
// when asString is set (as Kusto ingests it), else nil.
func (d *dynCache) get(text []byte, asString bool) any {
	if !d.off {
		if d.m == nil {
			d.m = make(map[string]any, 16)
		}
		d.lookups++
		if v, ok := d.m[string(text)]; ok {
			d.hits++
			return v
		}
	}
	v, err := d.p.parse(text)
	if err != nil {
		if !asString {
			return nil
		}
		v = string(text)
	}
	if !d.off {
		if len(d.m) < internMaxSize {
			d.m[string(text)] = v
		}
		if d.lookups == internProbe/4 && d.hits*4 < d.lookups {
			d.off, d.m = true, nil
		}
	}
	return v
}
