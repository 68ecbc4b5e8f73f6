package exportfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/huntbook/huntbook/kql/types"
)

// Text renders a decoded JSON value as the string a string column holds:
// strings as they are, numbers and booleans as JSON writes them, objects
// and arrays as compact JSON (as Sentinel keeps them in string columns).
func Text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return types.FormatReal(v)
	case bool:
		return strconv.FormatBool(v)
	case types.DateTimeValue:
		return types.FormatDateTime(int64(v))
	}
	var b bytes.Buffer
	writeJSON(&b, v)
	return b.String()
}

// writeJSON writes a dynamic value as compact JSON, keeping key order and
// leaving <, > and & as they are (the text an analyst reads and Kusto's
// tostring writes; types.DynamicJSON escapes them as Go's encoder does).
func writeJSON(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case *types.Bag:
		b.WriteByte('{')
		for i, k := range v.Keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			writeJSON(b, v.Value(i))
		}
		b.WriteByte('}')
	case string:
		writeJSONString(b, v)
	default:
		b.WriteString(types.DynamicJSON(v))
	}
}

func writeJSONString(b *bytes.Buffer, s string) {
	// Most strings need no escaping: write them as they are.
	plain := utf8.ValidString(s)
	for i := 0; plain && i < len(s); i++ {
		plain = s[i] >= 0x20 && s[i] != '"' && s[i] != '\\'
	}
	if plain && !strings.ContainsAny(s, "\u2028\u2029") {
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)           // a string always encodes
	b.Truncate(b.Len() - 1) // Encode ends with a newline
}

// Clip quotes s for a message, cut to its first 60 bytes.
func Clip(s string) string {
	const max = 60
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}

// Integer reads a whole number: an int64, a float64 without a fraction
// (exactly representable), or decimal text.
func Integer(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int64(v), true
		}
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n, err == nil
	}
	return 0, false
}

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsGUID reports whether s is a GUID in its hyphenated form, without braces.
func IsGUID(s string) bool { return guidRE.MatchString(s) }

// isoLayouts are the ISO 8601 forms exports write datetimes in: with a
// zone (any fraction), or without one (UTC), with a T or a space.
var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// ParseISOTime reads a datetime in ticks from a decoded JSON value: a
// datetime, or ISO 8601 text (UTC when without a zone).
func ParseISOTime(v any) (int64, bool) {
	switch v := v.(type) {
	case types.DateTimeValue:
		return int64(v), true
	case string:
		s := strings.TrimSpace(v)
		for _, l := range isoLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return types.TimeToTicks(t), true
			}
		}
	}
	return 0, false
}

// Converter makes column values from decoded JSON values. The importers
// read datetimes and booleans differently (sign-in downloads also write
// PowerShell's "/Date(...)/" and the portal's Yes/No), so those two
// readers are its fields.
type Converter struct {
	Time func(any) (int64, bool)
	Bool func(any) (bool, bool)
}

// Convert makes a column value of type t from v; false when v does not
// fit (the value is then null). Null and, for a non-string column, empty
// text are null.
func (c Converter) Convert(v any, t types.Type) (types.Value, bool) {
	if v == nil {
		return types.NullOf(t), true
	}
	if s, ok := v.(string); ok && s == "" && t != types.String {
		return types.NullOf(t), true
	}
	switch t {
	case types.String:
		return types.NewString(Text(v)), true
	case types.Dynamic:
		return types.NewDynamic(v), true
	case types.DateTime:
		if ticks, ok := c.Time(v); ok {
			return types.NewDateTime(ticks), true
		}
	case types.Bool:
		if b, ok := c.Bool(v); ok {
			return types.NewBool(b), true
		}
	case types.Int, types.Long:
		n, ok := Integer(v)
		if ok && (t == types.Long || n == int64(int32(n))) {
			if t == types.Int {
				return types.NewInt(n), true
			}
			return types.NewLong(n), true
		}
	case types.Real, types.Decimal:
		switch v := v.(type) {
		case int64:
			return types.NewReal(float64(v)), true
		case float64:
			return types.NewReal(v), true
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				return types.NewReal(f), true
			}
		}
	case types.GUID:
		if s, ok := v.(string); ok && IsGUID(s) {
			return types.NewGUID(s), true
		}
	}
	return types.NullOf(t), false
}

// NotFit says that value v did not fit column table.column of type t.
func NotFit(table, column string, v any, t types.Type) string {
	return fmt.Sprintf("%s.%s: %s is not a %s; left empty", table, column, Clip(Text(v)), t)
}
