package workspace

import (
	"math"
	"strconv"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// builder appends converted values to one column of one chunk.
type builder struct {
	col  *table.Column
	pool *strPool
	dyn  *dynCache
	guid [36]byte
	// Dictionary codes of a string column (col.Codes, pool codes): coding
	// is on while every row got one; first lists the codes in the order
	// this chunk first used them, stamp tells this chunk's uses apart in
	// pool.seen.
	coding bool
	stamp  uint32
	first  []uint32
	// dayFirst reads slashed dates as 25/02/2026 (the column's order).
	dayFirst bool
}

func newBuilder(name string, t types.Type, capacity int) *builder {
	return &builder{col: table.NewColumn(name, t, capacity), pool: &strPool{}, dyn: &dynCache{}}
}

// caches are one column's string pool and dynamic cache, kept by a worker
// across the chunks it parses so each chunk does not rebuild them.
type caches struct {
	pool strPool
	dyn  dynCache
}

func newBuilderWith(name string, t types.Type, capacity int, c *caches) *builder {
	return &builder{col: table.NewColumn(name, t, capacity), pool: &c.pool, dyn: &c.dyn}
}

func (b *builder) typ() types.Type { return b.col.Type }

func (b *builder) pushInt(v int64, null bool) {
	c := b.col
	c.Ints = append(c.Ints, v)
	if null {
		if c.Nulls == nil {
			c.Nulls = make([]bool, len(c.Ints)-1, cap(c.Ints))
		}
		c.Nulls = append(c.Nulls, true)
	} else if c.Nulls != nil {
		c.Nulls = append(c.Nulls, false)
	}
}

func (b *builder) pushReal(v float64, null bool) {
	c := b.col
	c.Reals = append(c.Reals, v)
	if null {
		if c.Nulls == nil {
			c.Nulls = make([]bool, len(c.Reals)-1, cap(c.Reals))
		}
		c.Nulls = append(c.Nulls, true)
	} else if c.Nulls != nil {
		c.Nulls = append(c.Nulls, false)
	}
}

// pushStr appends to Strs; only GUID columns have nulls there.
func (b *builder) pushStr(s string, null bool) {
	c := b.col
	c.Strs = append(c.Strs, s)
	if null {
		if c.Nulls == nil {
			c.Nulls = make([]bool, len(c.Strs)-1, cap(c.Strs))
		}
		c.Nulls = append(c.Nulls, true)
	} else if c.Nulls != nil {
		c.Nulls = append(c.Nulls, false)
	}
}

func (b *builder) appendNull() {
	switch table.Storage(b.col.Type) {
	case table.StoreInts:
		b.pushInt(0, true)
	case table.StoreReals:
		b.pushReal(0, true)
	case table.StoreStrs:
		if b.col.Type == types.String && b.pool != nil {
			b.appendText(nil) // through the pool, for the empty string's code
			return
		}
		b.pushStr("", true)
	case table.StoreDyns:
		b.col.Dyns = append(b.col.Dyns, nil)
	default:
		b.col.Nulls = append(b.col.Nulls, true)
	}
}

// truncate drops rows from n on (a malformed record's partial values).
func (b *builder) truncate(n int) {
	c := b.col
	switch table.Storage(c.Type) {
	case table.StoreInts:
		c.Ints = c.Ints[:n]
	case table.StoreReals:
		c.Reals = c.Reals[:n]
	case table.StoreStrs:
		c.Strs = c.Strs[:n]
	case table.StoreDyns:
		c.Dyns = c.Dyns[:n]
	}
	if c.Nulls != nil {
		c.Nulls = c.Nulls[:n]
	}
	if len(c.Codes) > n {
		c.Codes = c.Codes[:n]
	}
}

// appendText converts one text field (CSV, or a JSON string value) to the
// column type. An empty field is null (the empty string for strings). On
// failure it appends a null and returns false.
func (b *builder) appendText(f []byte) bool {
	switch b.col.Type {
	case types.String:
		if b.coding {
			s, code, ok := b.pool.code(f)
			b.col.Strs = append(b.col.Strs, s)
			if !ok {
				b.coding = false
				return true
			}
			b.col.Codes = append(b.col.Codes, code)
			if b.pool.seen[code] != b.stamp {
				b.pool.seen[code] = b.stamp
				b.first = append(b.first, code)
			}
			return true
		}
		b.col.Strs = append(b.col.Strs, b.pool.get(f))
		return true
	case types.Long:
		if v, ok := parseLong(f); ok {
			b.pushInt(v, false)
			return true
		}
	case types.DateTime:
		if v, ok := parseDateTimeIn(f, b.dayFirst); ok {
			b.pushInt(v, false)
			return true
		}
	case types.Real, types.Decimal:
		if v, ok := parseReal(f); ok {
			b.pushReal(v, false)
			return true
		}
	case types.Bool:
		if v, ok := parseBool(f); ok {
			b.pushInt(b2i(v), false)
			return true
		}
	case types.Int:
		if v, ok := parseLong(f); ok && v == int64(int32(v)) {
			b.pushInt(v, false)
			return true
		}
	case types.TimeSpan:
		if v, ok := parseTimeSpan(f, true); ok {
			b.pushInt(v, false)
			return true
		}
	case types.GUID:
		if g, ok := parseGUID(f, &b.guid); ok {
			b.pushStr(b.pool.get(g), false)
			return true
		}
	case types.Dynamic:
		t := trimSpace(f)
		if len(t) == 0 {
			b.col.Dyns = append(b.col.Dyns, nil)
			return true
		}
		b.col.Dyns = append(b.col.Dyns, b.dyn.get(t, true))
		return true
	}
	if len(trimSpace(f)) == 0 {
		b.appendNull()
		return true
	}
	b.appendNull()
	return false
}

func b2i(v bool) int64 {
	if v {
		return 1
	}
	return 0
}

// cellKind is the kind of a typed value from JSON or Parquet.
type cellKind uint8

const (
	cNull  cellKind = iota
	cBool           // i is 0 or 1
	cInt            // i
	cFloat          // f
	cNum            // b: a JSON number's text
	cStr            // b: string text (unescaped)
	cJSON           // b: a JSON object or array's text
	cTime           // i: datetime ticks
	cSpan           // i: timespan ticks
)

type cell struct {
	kind cellKind
	i    int64
	f    float64
	b    []byte
}

var kindNames = [...]string{cNull: "null", cBool: "bool", cInt: "integer", cFloat: "real",
	cNum: "number", cStr: "string", cJSON: "JSON", cTime: "datetime", cSpan: "timespan"}

// text renders a cell for error messages and string columns.
func (c cell) text() []byte {
	switch c.kind {
	case cBool:
		if c.i != 0 {
			return []byte("true")
		}
		return []byte("false")
	case cInt:
		return strconv.AppendInt(nil, c.i, 10)
	case cFloat:
		return []byte(types.FormatReal(c.f))
	case cTime:
		return []byte(types.FormatDateTime(c.i))
	case cSpan:
		return []byte(types.FormatTimeSpan(c.i))
	case cNull:
		return nil
	}
	return c.b
}

// appendCell converts a typed value to the column type, appending a null
// and returning false when it does not fit.
func (b *builder) appendCell(c cell) bool {
	t := b.col.Type
	switch c.kind {
	case cNull:
		b.appendNull()
		return true
	case cStr:
		if t == types.Dynamic {
			// Log Analytics exports dynamic columns as JSON text in a string.
			s := trimSpace(c.b)
			if len(s) == 0 {
				b.col.Dyns = append(b.col.Dyns, nil)
				return true
			}
			if s[0] == '{' || s[0] == '[' {
				b.col.Dyns = append(b.col.Dyns, b.dyn.get(s, true))
				return true
			}
			b.col.Dyns = append(b.col.Dyns, string(c.b))
			return true
		}
		return b.appendText(c.b)
	case cNum:
		switch t {
		case types.Long, types.Int, types.Real, types.Decimal, types.String:
			if b.appendText(c.b) {
				return true
			}
			if t == types.Long || t == types.Int { // 1.0 or 1e3 into a long
				if f, ok := parseReal(c.b); ok && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
					b.truncate(b.col.Len() - 1)
					return b.appendCell(cell{kind: cInt, i: int64(f)})
				}
			}
			return false
		case types.Bool:
			return b.appendText(c.b) // 0 and 1
		case types.Dynamic:
			end, isInt, err := scanNumber(c.b, 0)
			if err == nil && end == len(c.b) {
				b.col.Dyns = append(b.col.Dyns, numberValue(c.b, isInt))
				return true
			}
		}
	case cBool:
		switch t {
		case types.Bool, types.Long, types.Int:
			b.pushInt(c.i, false)
			return true
		case types.Real, types.Decimal:
			b.pushReal(float64(c.i), false)
			return true
		case types.String:
			b.col.Strs = append(b.col.Strs, string(c.text()))
			return true
		case types.Dynamic:
			b.col.Dyns = append(b.col.Dyns, c.i != 0)
			return true
		}
	case cInt:
		switch t {
		case types.Long, types.TimeSpan: // a timespan column stored as integer ticks
			b.pushInt(c.i, false)
			return true
		case types.Int:
			if c.i == int64(int32(c.i)) {
				b.pushInt(c.i, false)
				return true
			}
		case types.Bool:
			if c.i == 0 || c.i == 1 {
				b.pushInt(c.i, false)
				return true
			}
		case types.Real, types.Decimal:
			b.pushReal(float64(c.i), false)
			return true
		case types.String:
			b.col.Strs = append(b.col.Strs, b.pool.get(c.text()))
			return true
		case types.Dynamic:
			b.col.Dyns = append(b.col.Dyns, c.i)
			return true
		}
	case cFloat:
		switch t {
		case types.Real, types.Decimal:
			b.pushReal(c.f, false)
			return true
		case types.Long, types.Int:
			if c.f == math.Trunc(c.f) && math.Abs(c.f) < 1<<63 {
				return b.appendCell(cell{kind: cInt, i: int64(c.f)})
			}
		case types.String:
			b.col.Strs = append(b.col.Strs, b.pool.get(c.text()))
			return true
		case types.Dynamic:
			b.col.Dyns = append(b.col.Dyns, c.f)
			return true
		}
	case cJSON:
		switch t {
		case types.Dynamic:
			if v := b.dyn.get(c.b, false); v != nil || string(trimSpace(c.b)) == "null" {
				b.col.Dyns = append(b.col.Dyns, v)
				return true
			}
		case types.String:
			b.col.Strs = append(b.col.Strs, b.pool.get(c.b))
			return true
		}
	case cTime:
		switch t {
		case types.DateTime:
			b.pushInt(c.i, false)
			return true
		case types.String:
			b.col.Strs = append(b.col.Strs, b.pool.get(c.text()))
			return true
		case types.Dynamic:
			b.col.Dyns = append(b.col.Dyns, types.DateTimeValue(c.i))
			return true
		}
	case cSpan:
		switch t {
		case types.TimeSpan:
			b.pushInt(c.i, false)
			return true
		case types.String:
			b.col.Strs = append(b.col.Strs, b.pool.get(c.text()))
			return true
		case types.Dynamic:
			b.col.Dyns = append(b.col.Dyns, types.TimeSpanValue(c.i))
			return true
		}
	}
	b.appendNull()
	return false
}

// convertMessage is the report text for a value that does not fit t.
func convertMessage(raw []byte, t types.Type) string {
	return "cannot convert " + quoteValue(raw) + " to " + t.String()
}

// concatColumns joins chunk columns of one type into one column.
func concatColumns(name string, t types.Type, parts []*table.Column) *table.Column {
	n := 0
	hasNulls := false
	for _, p := range parts {
		n += p.Len()
		hasNulls = hasNulls || p.Nulls != nil
	}
	if len(parts) == 1 {
		parts[0].Name = name
		return parts[0]
	}
	out := table.NewColumn(name, t, n)
	if hasNulls {
		out.Nulls = make([]bool, 0, n)
	}
	for _, p := range parts {
		switch table.Storage(t) {
		case table.StoreInts:
			out.Ints = append(out.Ints, p.Ints...)
		case table.StoreReals:
			out.Reals = append(out.Reals, p.Reals...)
		case table.StoreStrs:
			out.Strs = append(out.Strs, p.Strs...)
		case table.StoreDyns:
			out.Dyns = append(out.Dyns, p.Dyns...)
		}
		if hasNulls {
			if p.Nulls != nil {
				out.Nulls = append(out.Nulls, p.Nulls...)
			} else {
				out.Nulls = append(out.Nulls, make([]bool, p.Len())...)
			}
		}
	}
	return out
}
