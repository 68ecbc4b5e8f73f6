package types

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// Ticks are KQL's time unit: 100 nanoseconds. Datetimes and timespans are
// stored as int64 ticks so arithmetic on them is integer arithmetic.
const (
	Tick        int64 = 1
	Microsecond       = 10 * Tick
	Millisecond       = 1000 * Microsecond
	Second            = 1000 * Millisecond
	Minute            = 60 * Second
	Hour              = 60 * Minute
	Day               = 24 * Hour
)

// Value is one KQL scalar. Exactly one payload field is meaningful, chosen by
// Type; Valid is false for null (every KQL type is nullable, string excepted:
// Kusto has no null string, only the empty one).
//
//	Bool, Int, Long     I (bool as 0/1)
//	DateTime            I: ticks since 1970-01-01T00:00:00Z
//	TimeSpan            I: ticks
//	Real, Decimal       F
//	String, GUID        S (a GUID in lower-case canonical form)
//	Dynamic             D: nil (JSON null), bool, int64, float64, string,
//	                    DateTimeValue, TimeSpanValue, []any, *Bag
type Value struct {
	Type  Type
	Valid bool
	I     int64
	F     float64
	S     string
	D     any
}

// DateTimeValue is a datetime held inside a dynamic value, in ticks since the
// Unix epoch.
type DateTimeValue int64

// TimeSpanValue is a timespan held inside a dynamic value, in ticks.
type TimeSpanValue int64

// Constructors for the common cases.

func NullOf(t Type) Value { return Value{Type: t} }
func NewBool(b bool) Value {
	v := Value{Type: Bool, Valid: true}
	if b {
		v.I = 1
	}
	return v
}
func NewInt(i int64) Value          { return Value{Type: Int, Valid: true, I: int64(int32(i))} }
func NewLong(i int64) Value         { return Value{Type: Long, Valid: true, I: i} }
func NewReal(f float64) Value       { return Value{Type: Real, Valid: true, F: f} }
func NewDecimal(f float64) Value    { return Value{Type: Decimal, Valid: true, F: f} }
func NewString(s string) Value      { return Value{Type: String, Valid: true, S: s} }
func NewGUID(s string) Value        { return Value{Type: GUID, Valid: true, S: strings.ToLower(s)} }
func NewDateTime(ticks int64) Value { return Value{Type: DateTime, Valid: true, I: ticks} }
func NewTimeSpan(ticks int64) Value { return Value{Type: TimeSpan, Valid: true, I: ticks} }

// NewDynamic wraps a dynamic payload; a nil payload is a null dynamic.
func NewDynamic(d any) Value { return Value{Type: Dynamic, Valid: d != nil, D: d} }

// FromTime converts a Go time to a datetime Value.
func FromTime(t time.Time) Value { return NewDateTime(TimeToTicks(t)) }

// TimeToTicks converts a Go time to ticks since the Unix epoch.
func TimeToTicks(t time.Time) int64 {
	return t.Unix()*Second + int64(t.Nanosecond())/100
}

// TicksToTime converts ticks since the Unix epoch to a UTC Go time.
func TicksToTime(ticks int64) time.Time {
	sec := ticks / Second
	rem := ticks % Second
	if rem < 0 {
		sec--
		rem += Second
	}
	return time.Unix(sec, rem*100).UTC()
}

// IsNull reports whether v is null. A string is never null, only empty.
func (v Value) IsNull() bool { return !v.Valid && v.Type != String }

// Bool returns the payload of a bool value.
func (v Value) Bool() bool { return v.I != 0 }

// Time returns the payload of a datetime value as a Go time.
func (v Value) Time() time.Time { return TicksToTime(v.I) }

// String renders v as Kusto displays it in a result table: datetimes in
// ISO 8601 with 7 fractional digits trimmed, timespans as [d.]hh:mm:ss[.fffffff],
// dynamics as compact JSON, nulls as the empty string.
func (v Value) String() string {
	if !v.Valid {
		return ""
	}
	switch v.Type {
	case Bool:
		if v.I != 0 {
			return "true"
		}
		return "false"
	case Int, Long:
		return strconv.FormatInt(v.I, 10)
	case Real, Decimal:
		return FormatReal(v.F)
	case String, GUID:
		return v.S
	case DateTime:
		return FormatDateTime(v.I)
	case TimeSpan:
		return FormatTimeSpan(v.I)
	case Dynamic:
		return DynamicJSON(v.D)
	}
	return ""
}

// FormatReal renders a real as Kusto does: shortest round-trip form, NaN and
// infinities by name.
func FormatReal(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// FormatDateTime renders ticks as 2024-01-02T03:04:05.1234567Z, dropping a
// zero fraction (Kusto shows 2024-01-02T03:04:05Z).
func FormatDateTime(ticks int64) string {
	t := TicksToTime(ticks)
	frac := ticks % Second
	if frac < 0 {
		frac += Second
	}
	s := t.Format("2006-01-02T15:04:05")
	if frac != 0 {
		f := strconv.FormatInt(frac+Second, 10)[1:] // 7 digits, zero padded
		s += "." + strings.TrimRight(f, "0")
	}
	return s + "Z"
}

// FormatTimeSpan renders ticks as [-][d.]hh:mm:ss[.fffffff], Kusto's form.
func FormatTimeSpan(ticks int64) string {
	var b strings.Builder
	if ticks < 0 {
		b.WriteByte('-')
		ticks = -ticks
	}
	days := ticks / Day
	ticks %= Day
	if days > 0 {
		b.WriteString(strconv.FormatInt(days, 10))
		b.WriteByte('.')
	}
	h, m, s := ticks/Hour, ticks%Hour/Minute, ticks%Minute/Second
	frac := ticks % Second
	b.WriteString(pad2(h) + ":" + pad2(m) + ":" + pad2(s))
	if frac != 0 {
		b.WriteString("." + strconv.FormatInt(frac+Second, 10)[1:])
	}
	return b.String()
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// DynamicJSON renders a dynamic payload as compact JSON, keeping bag key
// order; datetimes and timespans inside become strings as Kusto serialises them.
func DynamicJSON(d any) string {
	var b strings.Builder
	writeJSON(&b, d)
	return b.String()
}

func writeJSON(b *strings.Builder, d any) {
	switch x := d.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b.WriteString(strconv.Quote(FormatReal(x)))
		} else {
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	case string:
		q, _ := json.Marshal(x)
		b.Write(q)
	case DateTimeValue:
		b.WriteString(`"` + FormatDateTime(int64(x)) + `"`)
	case TimeSpanValue:
		b.WriteString(`"` + FormatTimeSpan(int64(x)) + `"`)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case *Bag:
		b.WriteByte('{')
		for i, k := range x.Keys {
			if i > 0 {
				b.WriteByte(',')
			}
			q, _ := json.Marshal(k)
			b.Write(q)
			b.WriteByte(':')
			writeJSON(b, x.vals[i])
		}
		b.WriteByte('}')
	default:
		q, _ := json.Marshal(x)
		b.Write(q)
	}
}

// ParseJSON decodes JSON text into a dynamic payload (numbers become int64
// when integral and in range, float64 otherwise; objects keep key order).
func ParseJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := decodeJSON(dec)
	if err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, &json.SyntaxError{Offset: dec.InputOffset()}
	}
	return v, nil
}

func decodeJSON(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			arr := []any{}
			for dec.More() {
				e, err := decodeJSON(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, e)
			}
			_, err := dec.Token()
			return arr, err
		case '{':
			bag := NewBag()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				e, err := decodeJSON(dec)
				if err != nil {
					return nil, err
				}
				bag.Set(k, e)
			}
			_, err := dec.Token()
			return bag, err
		}
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return i, nil
		}
		f, err := strconv.ParseFloat(string(t), 64)
		return f, err
	case string, bool, nil:
		return t, nil
	}
	return nil, nil
}
