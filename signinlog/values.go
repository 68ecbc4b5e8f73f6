package signinlog

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/huntbook/huntbook/kql/types"
)

// text renders a JSON value as the string a string column holds: strings
// as they are, numbers and booleans as JSON writes them, objects and
// arrays as compact JSON (as Sentinel stores RiskEventTypes_V2 or
// AuthenticationDetails).
func text(v any) string {
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
// leaving <, > and & as they are (types.DynamicJSON escapes them as Go's
// encoder does; user agents and failure reasons hold them).
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

func clip(s string) string {
	const max = 60
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}

// toBool reads a boolean as JSON or the portal writes it.
func toBool(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case int64:
		if v == 0 || v == 1 {
			return v == 1, true
		}
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "yes", "1":
			return true, true
		case "false", "no", "0":
			return false, true
		}
	}
	return false, false
}

func integer(v any) (int64, bool) {
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

// convert makes a column value of type t from a sign-in's value; false
// when it does not fit (the value is then null).
func convert(v any, t types.Type) (types.Value, bool) {
	if v == nil {
		return types.NullOf(t), true
	}
	if s, ok := v.(string); ok && s == "" && t != types.String {
		return types.NullOf(t), true
	}
	switch t {
	case types.String:
		return types.NewString(text(v)), true
	case types.Dynamic:
		return types.NewDynamic(v), true
	case types.DateTime:
		if ticks, ok := parseTime(v); ok {
			return types.NewDateTime(ticks), true
		}
	case types.Bool:
		if b, ok := toBool(v); ok {
			return types.NewBool(b), true
		}
	case types.Int, types.Long:
		n, ok := integer(v)
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
		if s, ok := v.(string); ok && guidRE.MatchString(s) {
			return types.NewGUID(s), true
		}
	}
	return types.NullOf(t), false
}
