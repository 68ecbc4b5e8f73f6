package exec

import (
	"math"
	"runtime"
	"sync"
	"unsafe"
	"weak"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// Property projections. Hunting queries read the same few properties of a
// dynamic column over and over (DeviceDetail.operatingSystem,
// LocationDetails.countryOrRegion), and such columns are too distinct to
// dictionary-encode whole (DeviceDetail carries a device id). The values of
// one property usually are not: the first d.key over a catalog column codes
// the property's values once (the workspace loader shares the boxed value
// of a repeated short string, so most rows are a pointer comparison) and
// keeps the codes with the column, like its dictionary; later reads are a
// slice of codes, and tostring, predicates and grouping downstream run once
// per distinct value.

type projKey struct {
	col weak.Pointer[table.Column]
	key string
}

type projEntry struct {
	once  sync.Once
	dict  []any    // distinct values (by value for scalars, by identity for bags and arrays)
	codes []uint32 // nil when the property is too distinct to pay
}

var projCache sync.Map // projKey -> *projEntry

// projection returns the coded values of property key over all of c, or
// nil when c is small, already encoded, or the values are mostly distinct.
func projection(c *table.Column, key string) *projEntry {
	if c.Type != types.Dynamic || c.Codes != nil || len(c.Dyns) < minEncodeRows {
		return nil
	}
	k := projKey{weak.Make(c), key}
	v, loaded := projCache.LoadOrStore(k, &projEntry{})
	if !loaded {
		runtime.AddCleanup(c, func(k projKey) { projCache.Delete(k) }, k)
	}
	e := v.(*projEntry)
	e.once.Do(func() { e.dict, e.codes = codeProperty(c.Dyns, key) })
	if e.codes == nil {
		return nil
	}
	return e
}

// codeProperty codes d.key for every row, in parallel chunks (chunkedDict).
func codeProperty(dyns []any, key string) ([]any, []uint32) {
	limit := dictLimit(len(dyns))
	return chunkedDict(len(dyns), 1<<16, limit, func(lo, hi int, codes []uint32) ([]any, bool) {
		return codePropertyRange(dyns[lo:hi], key, codes, limit)
	}, func(v any) dynIdentity { id, _ := identityOf(v); return id })
}

// codePropertyRange codes d.key for one chunk into codes. Rows sharing a
// bag (the loader shares equal JSON texts) reuse the last lookup, and a
// small table keyed by a string's data pointer skips hashing for the
// shared boxed strings.
func codePropertyRange(dyns []any, key string, codes []uint32, limit int) ([]any, bool) {
	m := make(map[dynIdentity]uint32, 64)
	var dict []any
	type slot struct {
		p    *byte
		n    int
		code uint32
	}
	var fast [64]slot
	var prevBag *types.Bag
	var prevCode uint32
	havePrev := false
	for i, d := range dyns {
		b, isBag := d.(*types.Bag)
		if isBag && havePrev && b == prevBag {
			codes[i] = prevCode
			continue
		}
		var v any
		if isBag {
			v, _ = b.Get(key)
		}
		var code uint32
		hit := false
		s, isStr := v.(string)
		var h uintptr
		if isStr && len(s) > 0 {
			p := unsafe.StringData(s)
			h = (uintptr(unsafe.Pointer(p)) >> 3) % uintptr(len(fast))
			if f := fast[h]; f.p == p && f.n == len(s) {
				code, hit = f.code, true
			}
		}
		if !hit {
			id, ok := identityOf(v)
			if !ok {
				return nil, false
			}
			c, seen := m[id]
			if !seen {
				if len(dict) >= limit {
					return nil, false
				}
				c = uint32(len(dict))
				m[id] = c
				dict = append(dict, v)
			}
			code = c
			if isStr && len(s) > 0 {
				fast[h] = slot{unsafe.StringData(s), len(s), code}
			}
		}
		codes[i] = code
		if isBag {
			prevBag, prevCode, havePrev = b, code, true
		}
	}
	return dict, true
}

// identityOf is the key a dynamic value is coded by: bags and arrays by
// identity, scalars by value; ok is false for a payload of another type.
func identityOf(d any) (dynIdentity, bool) {
	switch x := d.(type) {
	case nil:
		return dynIdentity{}, true
	case *types.Bag:
		return dynIdentity{p: unsafe.Pointer(x), kind: 1}, true
	case []any:
		return dynIdentity{p: unsafe.Pointer(unsafe.SliceData(x)), n: len(x), kind: 2}, true
	case string:
		return dynIdentity{s: x, kind: 3}, true
	case int64:
		return dynIdentity{bits: uint64(x), kind: 4}, true
	case float64:
		return dynIdentity{bits: math.Float64bits(x), kind: 5}, true
	case bool:
		k := dynIdentity{kind: 6}
		if x {
			k.bits = 1
		}
		return k, true
	case types.DateTimeValue:
		return dynIdentity{bits: uint64(x), kind: 7}, true
	case types.TimeSpanValue:
		return dynIdentity{bits: uint64(x), kind: 8}, true
	}
	return dynIdentity{}, false
}
