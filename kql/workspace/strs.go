package workspace

import "unsafe"

// strPool turns field bytes into strings for one column of one chunk.
// Hunting data repeats the same UPNs, apps and result types millions of
// times, so values are interned; a column whose values are mostly distinct
// (ids, hashes) stops interning after a probe and copies into an arena, so
// neither case pays one allocation per cell.
type strPool struct {
	m       map[string]string
	lookups int
	hits    int
	off     bool
	arena   []byte
}

const (
	internProbe   = 4096    // lookups before deciding whether interning pays
	internMaxSize = 1 << 16 // distinct values kept per column and chunk
	arenaBlock    = 64 << 10
)

func (p *strPool) get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if p.off {
		return p.alloc(b)
	}
	if p.m == nil {
		p.m = make(map[string]string, 64)
	}
	p.lookups++
	if s, ok := p.m[string(b)]; ok { // no allocation: the compiler special-cases this lookup
		p.hits++
		return s
	}
	s := p.alloc(b)
	if len(p.m) < internMaxSize {
		p.m[s] = s
	}
	if p.lookups == internProbe && p.hits*4 < p.lookups {
		p.off, p.m = true, nil
	}
	return s
}

// alloc copies b into the arena. Arena bytes are never written twice, so
// strings viewing them stay immutable.
func (p *strPool) alloc(b []byte) string {
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
	v, err := parseDynamic(text)
	if err != nil {
		if !asString {
			return nil
		}
		v = string(text)
	}
	if !d.off {
		if len(d.m) < internMaxSize/4 {
			d.m[string(text)] = v
		}
		if d.lookups == internProbe/4 && d.hits*4 < d.lookups {
			d.off, d.m = true, nil
		}
	}
	return v
}
