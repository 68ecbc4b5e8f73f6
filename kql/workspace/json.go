package workspace

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/huntbook/huntbook/kql/types"
)

// A small JSON scanner over bytes. encoding/json decodes into maps and
// boxes every number; reading JSON lines column by column needs spans and
// in-place decoding instead, and dynamic values need ordered bags.

type jsonError struct {
	off int
	msg string
}

func (e *jsonError) Error() string { return fmt.Sprintf("%s at offset %d", e.msg, e.off) }

func jerr(b []byte, i int, what string) error {
	if i >= len(b) {
		return &jsonError{i, "unexpected end of input " + what}
	}
	return &jsonError{i, fmt.Sprintf("invalid character %q %s", b[i], what)}
}

const maxJSONDepth = 1000

func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// scanString reads the string starting at b[i] == '"'. It returns the body
// span [start,end), the index after the closing quote and whether the body
// has escapes.
func scanString(b []byte, i int) (start, end, next int, esc bool, err error) {
	start = i + 1
	for j := start; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return start, j, j + 1, esc, nil
		case c == '\\':
			esc = true
			j++
		case c < 0x20:
			return 0, 0, 0, false, jerr(b, j, "in string literal")
		}
	}
	return 0, 0, 0, false, jerr(b, len(b), "in string literal")
}

// unescapeJSON appends the decoded body of a JSON string to dst.
func unescapeJSON(dst, body []byte) ([]byte, bool) {
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		if i >= len(body) {
			return dst, false
		}
		switch body[i] {
		case '"', '\\', '/':
			dst = append(dst, body[i])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(body, i+1)
			if !ok {
				return dst, false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(body, i+3); ok && i+2 < len(body) && body[i+1] == '\\' && body[i+2] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return dst, false
		}
	}
	return dst, true
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		v, ok := hexVal(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

// scanNumber reads a JSON number at b[i]; isInt is false if it has a
// fraction or an exponent.
func scanNumber(b []byte, i int) (end int, isInt bool, err error) {
	j := i
	if j < len(b) && b[j] == '-' {
		j++
	}
	if j >= len(b) || !isDigit(b[j]) {
		return 0, false, jerr(b, j, "in numeric literal")
	}
	if b[j] == '0' {
		j++
	} else {
		for j < len(b) && isDigit(b[j]) {
			j++
		}
	}
	isInt = true
	if j < len(b) && b[j] == '.' {
		isInt = false
		j++
		if j >= len(b) || !isDigit(b[j]) {
			return 0, false, jerr(b, j, "after decimal point in numeric literal")
		}
		for j < len(b) && isDigit(b[j]) {
			j++
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		isInt = false
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if j >= len(b) || !isDigit(b[j]) {
			return 0, false, jerr(b, j, "in exponent of numeric literal")
		}
		for j < len(b) && isDigit(b[j]) {
			j++
		}
	}
	return j, isInt, nil
}

func scanLiteral(b []byte, i int, lit string) (int, error) {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit), nil
	}
	for k := 0; k < len(lit); k++ {
		if i+k >= len(b) || b[i+k] != lit[k] {
			return 0, jerr(b, i+k, "in literal "+lit)
		}
	}
	return 0, jerr(b, i, "in literal")
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i, depth int) (int, error) {
	if depth > maxJSONDepth {
		return 0, &jsonError{i, "nesting too deep"}
	}
	i = skipWS(b, i)
	if i >= len(b) {
		return 0, jerr(b, i, "looking for beginning of value")
	}
	switch c := b[i]; {
	case c == '"':
		_, _, next, _, err := scanString(b, i)
		return next, err
	case c == '{' || c == '[':
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == closer {
			return i + 1, nil
		}
		for {
			if c == '{' {
				if i >= len(b) || b[i] != '"' {
					return 0, jerr(b, i, "looking for beginning of object key string")
				}
				_, _, next, _, err := scanString(b, i)
				if err != nil {
					return 0, err
				}
				i = skipWS(b, next)
				if i >= len(b) || b[i] != ':' {
					return 0, jerr(b, i, "after object key")
				}
				i++
			}
			next, err := skipValue(b, i, depth+1)
			if err != nil {
				return 0, err
			}
			i = skipWS(b, next)
			if i < len(b) && b[i] == ',' {
				i = skipWS(b, i+1)
				continue
			}
			if i < len(b) && b[i] == closer {
				return i + 1, nil
			}
			return 0, jerr(b, i, "after value")
		}
	case c == '-' || isDigit(c):
		end, _, err := scanNumber(b, i)
		return end, err
	case c == 't':
		return scanLiteral(b, i, "true")
	case c == 'f':
		return scanLiteral(b, i, "false")
	case c == 'n':
		return scanLiteral(b, i, "null")
	}
	return 0, jerr(b, i, "looking for beginning of value")
}

// parseValue decodes the value at b[i] into a dynamic payload: nil, bool,
// int64 (integral and in range), float64, string, []any or *types.Bag.
func parseValue(b []byte, i, depth int) (any, int, error) {
	return (*jsonParser)(nil).value(b, i, depth)
}

// jsonParser parses dynamic values for one column. A column's objects
// repeat the same keys and short categorical values (operating systems,
// browsers, countries) millions of times, so it shares one copy of each
// key and one boxed copy of each short string value between the rows. A
// nil parser shares nothing. Whether short values repeat is decided per
// key: a user's "type" repeats, the "ipAddress" beside it seldom does, and
// looking up values that never repeat costs a hash and a miss each.
type jsonParser struct {
	keys    map[string]*keyInfo
	strs    map[string]any
	top     shareStats  // values outside any object member, or under unshared keys
	cur     *shareStats // of the member whose value is being parsed; nil: top
	members []member    // scratch for the members of the objects being parsed
	arena   []byte      // string bytes, copied in blocks (see box)
	boxes   []string    // string headers the boxed values point into
	arrays  [][]any     // the same for arrays
	bags    types.BagSlab
}

// shareStats probes whether the short string values of one key repeat.
type shareStats struct {
	lookups int  // of strs, until the probe decides
	hits    int  //
	off     bool // values do not repeat enough to pay for lookups
}

type keyInfo struct {
	name string
	shareStats
}

type member struct {
	k string
	v any
}

const (
	// Strings this long or longer are usually ids (GUIDs, hashes) that do
	// not repeat; interning them would only grow the map.
	shareMaxLen = 32
	shareMax    = 1 << 14 // distinct keys or values kept per column
)

// key returns the shared copy of an object key and its value statistics
// (nil once the column has too many distinct keys).
func (p *jsonParser) key(b []byte) (string, *shareStats) {
	if p == nil {
		return string(b), nil
	}
	if ki, ok := p.keys[string(b)]; ok {
		return ki.name, &ki.shareStats
	}
	s := string(b)
	if p.keys == nil {
		p.keys = map[string]*keyInfo{}
	}
	if len(p.keys) < shareMax {
		ki := &keyInfo{name: s}
		p.keys[s] = ki
		return s, &ki.shareStats
	}
	return s, nil
}

func (p *jsonParser) str(b []byte) any {
	if p == nil {
		return string(b)
	}
	st := p.cur
	if st == nil {
		st = &p.top
	}
	if st.off || len(b) >= shareMaxLen {
		return p.box(b)
	}
	if st.lookups < internProbe {
		st.lookups++
		if st.lookups == internProbe && st.hits*2 < st.lookups {
			st.off = true
		}
	}
	if v, ok := p.strs[string(b)]; ok {
		st.hits++
		return v
	}
	v := p.box(b)
	if p.strs == nil {
		p.strs = map[string]any{}
	}
	if len(p.strs) < shareMax {
		p.strs[string(b)] = v
	}
	return v
}

// Boxing a string for a dynamic value costs two allocations (its bytes and
// the header the interface points to), each one a heap object for the
// garbage collector to mark. box copies the bytes into an arena block and
// the header into a slab, so a block of values costs two allocations.
// Values are never written again once handed out, so sharing blocks is
// safe; a block lives as long as any value in it.
const (
	jsonArenaBlock = 32 << 10
	jsonBoxBlock   = 512
)

var stringType = func() unsafe.Pointer {
	var v any = ""
	return (*eface)(unsafe.Pointer(&v)).typ
}()

// eface is the layout of an empty interface.
type eface struct {
	typ, data unsafe.Pointer
}

func (p *jsonParser) box(b []byte) any {
	if len(b) == 0 {
		return ""
	}
	var s string
	if len(b) > jsonArenaBlock/8 {
		s = string(b)
	} else {
		if cap(p.arena)-len(p.arena) < len(b) {
			p.arena = make([]byte, 0, jsonArenaBlock)
		}
		start := len(p.arena)
		p.arena = append(p.arena, b...)
		s = unsafe.String(&p.arena[start], len(b))
	}
	if len(p.boxes) == cap(p.boxes) {
		p.boxes = make([]string, 0, jsonBoxBlock)
	}
	p.boxes = append(p.boxes, s)
	var v any
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = stringType, unsafe.Pointer(&p.boxes[len(p.boxes)-1])
	return v
}

var (
	emptyArray any = []any{}
	arrayType      = func() unsafe.Pointer {
		var v any = []any(nil)
		return (*eface)(unsafe.Pointer(&v)).typ
	}()
)

// boxArray boxes a as box does a string: its slice header goes to a slab.
func (p *jsonParser) boxArray(a []any) any {
	if len(p.arrays) == cap(p.arrays) {
		p.arrays = make([][]any, 0, jsonBoxBlock/2)
	}
	p.arrays = append(p.arrays, a)
	var v any
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = arrayType, unsafe.Pointer(&p.arrays[len(p.arrays)-1])
	return v
}

func (p *jsonParser) value(b []byte, i, depth int) (any, int, error) {
	if depth > maxJSONDepth {
		return nil, 0, &jsonError{i, "nesting too deep"}
	}
	i = skipWS(b, i)
	if i >= len(b) {
		return nil, 0, jerr(b, i, "looking for beginning of value")
	}
	switch c := b[i]; {
	case c == '"':
		s, e, next, esc, err := scanString(b, i)
		if err != nil {
			return nil, 0, err
		}
		if !esc {
			return p.str(b[s:e]), next, nil
		}
		out, ok := unescapeJSON(make([]byte, 0, e-s), b[s:e])
		if !ok {
			return nil, 0, &jsonError{s, "invalid escape in string literal"}
		}
		return string(out), next, nil
	case c == '{':
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == '}' {
			return types.NewBag(), i + 1, nil
		}
		// Members go to scratch first so the bag is made at its final
		// size: one keys slice and one map allocation, no regrowth.
		var ms []member
		if p != nil {
			ms = p.members
		}
		base := len(ms)
		for {
			if i >= len(b) || b[i] != '"' {
				return nil, 0, jerr(b, i, "looking for beginning of object key string")
			}
			s, e, next, esc, err := scanString(b, i)
			if err != nil {
				return nil, 0, err
			}
			var k string
			var st *shareStats
			if esc {
				out, ok := unescapeJSON(make([]byte, 0, e-s), b[s:e])
				if !ok {
					return nil, 0, &jsonError{s, "invalid escape in string literal"}
				}
				k = string(out)
			} else {
				k, st = p.key(b[s:e])
			}
			i = skipWS(b, next)
			if i >= len(b) || b[i] != ':' {
				return nil, 0, jerr(b, i, "after object key")
			}
			if p != nil {
				p.members = ms // nested objects append after this one's members
				p.cur = st
			}
			v, next, err := p.value(b, i+1, depth+1)
			if err != nil {
				return nil, 0, err
			}
			if p != nil {
				ms = p.members[:len(ms)]
			}
			ms = append(ms, member{k, v})
			i = skipWS(b, next)
			if i < len(b) && b[i] == ',' {
				i = skipWS(b, i+1)
				continue
			}
			if i < len(b) && b[i] == '}' {
				var bag *types.Bag
				if p != nil {
					bag = bagFrom(p.bags.NewBagCap(len(ms)-base), ms[base:])
				} else {
					bag = newBagOf(ms[base:])
				}
				if p != nil {
					clear(ms[base:])
					p.members = ms[:base]
				}
				return bag, i + 1, nil
			}
			return nil, 0, jerr(b, i, "after object key:value pair")
		}
	case c == '[':
		arr := []any{}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == ']' {
			if p != nil {
				// One boxed empty array for all rows: with no room, an
				// append copies, so nothing can write through it.
				return emptyArray, i + 1, nil
			}
			return arr, i + 1, nil
		}
		var cur *shareStats // elements share their member's statistics
		if p != nil {
			cur = p.cur
		}
		for {
			if p != nil {
				p.cur = cur
			}
			v, next, err := p.value(b, i, depth+1)
			if err != nil {
				return nil, 0, err
			}
			arr = append(arr, v)
			i = skipWS(b, next)
			if i < len(b) && b[i] == ',' {
				i++
				continue
			}
			if i < len(b) && b[i] == ']' {
				if p != nil {
					return p.boxArray(arr), i + 1, nil
				}
				return arr, i + 1, nil
			}
			return nil, 0, jerr(b, i, "after array element")
		}
	case c == '-' || isDigit(c):
		end, isInt, err := scanNumber(b, i)
		if err != nil {
			return nil, 0, err
		}
		return numberValue(b[i:end], isInt), end, nil
	case c == 't':
		next, err := scanLiteral(b, i, "true")
		return true, next, err
	case c == 'f':
		next, err := scanLiteral(b, i, "false")
		return false, next, err
	case c == 'n':
		next, err := scanLiteral(b, i, "null")
		return nil, next, err
	}
	return nil, 0, jerr(b, i, "looking for beginning of value")
}

// newBagOf makes a bag of members in order; a repeated key keeps its first
// position and its last value, as Bag.Set does.
func newBagOf(ms []member) *types.Bag {
	return bagFrom(types.NewBagCap(len(ms)), ms)
}

// bagFrom sets members on an empty bag in order.
func bagFrom(bag *types.Bag, ms []member) *types.Bag {
	for _, m := range ms {
		bag.Set(m.k, m.v)
	}
	return bag
}

// numberValue is int64 for integers in range, float64 otherwise, as
// Kusto's dynamic keeps them.
func numberValue(num []byte, isInt bool) any {
	if isInt {
		if v, ok := parseLong(num); ok {
			return v
		}
	}
	f, _ := strconv.ParseFloat(bstr(num), 64)
	return f
}

// parseDynamic decodes a whole text as one JSON value.
func parseDynamic(b []byte) (any, error) { return (*jsonParser)(nil).parse(b) }

// parse decodes a whole text as one JSON value.
func (p *jsonParser) parse(b []byte) (any, error) {
	if p != nil {
		p.members = p.members[:0] // after an error, scratch may hold a partial object
		p.cur = nil
	}
	v, next, err := p.value(b, 0, 0)
	if err != nil {
		return nil, err
	}
	if next = skipWS(b, next); next != len(b) {
		return nil, jerr(b, next, "after top-level value")
	}
	return v, nil
}

// appendJSONString appends s as a JSON string literal.
func appendJSONString(dst []byte, s string) []byte {
	const hexd = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendJSONReal writes a real as JSON; NaN and infinities, which JSON
// lacks, become strings as Kusto writes them.
func appendJSONReal(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(append(append(dst, '"'), types.FormatReal(f)...), '"')
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}
