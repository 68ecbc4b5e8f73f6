package workspace

import (
	"strconv"
	"unsafe"

	"github.com/huntbook/huntbook/kql/types"
)

// bstr views b as a string without copying. Only for handing bytes to
// parsers (strconv) that do not keep the string: never store the result.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// trimSpace trims ASCII blanks; values of non-string types tolerate them.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// digits parses n decimal digits at b[i:]; ok is false if any is not a digit.
func digits(b []byte, i, n int) (int64, bool) {
	if i+n > len(b) {
		return 0, false
	}
	var v int64
	for _, c := range b[i : i+n] {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// daysFromCivil counts days from 1970-01-01 to y-m-d in the proleptic
// Gregorian calendar (H. Hinnant's algorithm), without going through time.Time.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func daysIn(y, m int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseFraction reads the digits of a fraction of a second at b[i:] and
// returns them as ticks (7 digits; more are truncated) and the index after.
func parseFraction(b []byte, i int) (int64, int, bool) {
	start := i
	var ticks int64
	n := 0
	for i < len(b) && isDigit(b[i]) {
		if n < 7 {
			ticks = ticks*10 + int64(b[i]-'0')
			n++
		}
		i++
	}
	if i == start {
		return 0, i, false
	}
	for ; n < 7; n++ {
		ticks *= 10
	}
	return ticks, i, true
}

// parseDateTime parses ISO 8601 / RFC 3339 as Log Analytics writes it:
// YYYY-MM-DD[(T| )hh:mm[:ss[.f{1,9}]]][Z|±hh[:mm]], and falls back to the
// forms the Log Analytics portal's CSV export writes in the analyst's
// locale, read month-first (localDateTime). It returns ticks since the Unix
// epoch. Hand-written because it runs once per cell.
func parseDateTime(b []byte) (int64, bool) { return parseDateTimeIn(b, false) }

// parseDateTimeIn is parseDateTime with the order of a slashed date's day
// and month chosen for the column (dayFirst: 25/02/2026).
func parseDateTimeIn(b []byte, dayFirst bool) (int64, bool) {
	b = trimSpace(b)
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return localDateTime(b, dayFirst)
	}
	y, ok1 := digits(b, 0, 4)
	mo, ok2 := digits(b, 5, 2)
	d, ok3 := digits(b, 8, 2)
	if !ok1 || !ok2 || !ok3 || y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) {
		return 0, false
	}
	ticks := daysFromCivil(y, mo, d) * types.Day
	i := 10
	if i == len(b) {
		return ticks, true
	}
	if c := b[i]; c != 'T' && c != 't' && c != ' ' {
		return 0, false
	}
	i++
	h, ok1 := digits(b, i, 2)
	if !ok1 || i+2 >= len(b) || b[i+2] != ':' {
		return 0, false
	}
	mi, ok2 := digits(b, i+3, 2)
	if !ok2 || h > 23 || mi > 59 {
		return 0, false
	}
	ticks += h*types.Hour + mi*types.Minute
	i += 5
	if i < len(b) && b[i] == ':' {
		s, ok := digits(b, i+1, 2)
		if !ok || s > 59 {
			return 0, false
		}
		ticks += s * types.Second
		i += 3
		if i < len(b) && (b[i] == '.' || b[i] == ',') {
			f, j, ok := parseFraction(b, i+1)
			if !ok {
				return 0, false
			}
			ticks += f
			i = j
		}
	}
	if i == len(b) {
		return ticks, true
	}
	switch b[i] {
	case 'Z', 'z':
		return ticks, i+1 == len(b)
	case '+', '-':
		sign := int64(1)
		if b[i] == '-' {
			sign = -1
		}
		oh, ok := digits(b, i+1, 2)
		if !ok || oh > 23 {
			return 0, false
		}
		j := i + 3
		var om int64
		if j < len(b) && b[j] == ':' {
			j++
		}
		if j < len(b) {
			if om, ok = digits(b, j, 2); !ok || om > 59 || j+2 != len(b) {
				return 0, false
			}
		}
		return ticks - sign*(oh*types.Hour+om*types.Minute), true
	}
	return 0, false
}

// slashedOrder tells what a slashed date says about its column's order:
// 25/02/2026 can only be day-first, 02/25/2026 only month-first, and
// 02/03/2026 says nothing. Dotted and year-first dates have one order.
func slashedOrder(b []byte) (dayFirst, monthFirst bool) {
	b = trimSpace(b)
	var f [2]int64
	i := 0
	for k := range f {
		j := i
		for j < len(b) && j-i < 2 && isDigit(b[j]) {
			f[k] = f[k]*10 + int64(b[j]-'0')
			j++
		}
		if j == i || j >= len(b) || b[j] != '/' {
			return false, false
		}
		i = j + 1
	}
	return f[0] > 12 && f[1] <= 12, f[1] > 12 && f[0] <= 12
}

// localDateTime reads the forms the Log Analytics portal's CSV export
// writes, which follow the browser's locale: "11/22/2026, 10:15:30.123 AM"
// (en-US), "22/11/2026, 10:15:30.123" (en-GB, fr, es ...; dayFirst),
// "22.11.2026, 10:15:30.123" (de, ru, pl ...: dots are always day-first)
// and "2026/11/22 10:15:30.123" (ja, zh: year first). The comma, the time
// and its seconds are optional.
func localDateTime(b []byte, dayFirst bool) (int64, bool) {
	num := func(i, max int) (int64, int, bool) {
		j := i
		var v int64
		for j < len(b) && j-i < max && isDigit(b[j]) {
			v = v*10 + int64(b[j]-'0')
			j++
		}
		return v, j, j > i
	}
	f1, i, ok := num(0, 4)
	if !ok || i >= len(b) || (b[i] != '/' && b[i] != '.') {
		return 0, false
	}
	sep, w1 := b[i], i
	f2, i, ok := num(i+1, 2)
	if !ok || i >= len(b) || b[i] != sep {
		return 0, false
	}
	f3s := i + 1
	f3, i, ok := num(f3s, 4)
	if !ok {
		return 0, false
	}
	var y, mo, d int64
	switch {
	case w1 == 4 && sep == '/' && i-f3s <= 2:
		y, mo, d = f1, f2, f3
	case w1 > 2 || i-f3s != 4:
		return 0, false
	case sep == '.' || dayFirst:
		d, mo, y = f1, f2, f3
	default:
		mo, d, y = f1, f2, f3
	}
	if y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) {
		return 0, false
	}
	ticks := daysFromCivil(y, mo, d) * types.Day
	if i == len(b) {
		return ticks, true
	}
	if b[i] == ',' {
		i++
	}
	if i >= len(b) || b[i] != ' ' {
		return 0, false
	}
	h, i, ok := num(i+1, 2)
	if !ok || i >= len(b) || b[i] != ':' {
		return 0, false
	}
	mi, i, ok := num(i+1, 2)
	if !ok || mi > 59 {
		return 0, false
	}
	var s, frac int64
	if i < len(b) && b[i] == ':' {
		if s, i, ok = num(i+1, 2); !ok || s > 59 {
			return 0, false
		}
		if i < len(b) && (b[i] == '.' || b[i] == ',') {
			if frac, i, ok = parseFraction(b, i+1); !ok {
				return 0, false
			}
		}
	}
	if i < len(b) {
		rest := trimSpace(b[i:])
		switch {
		case len(rest) == 2 && (rest[0]|0x20) == 'a' && (rest[1]|0x20) == 'm':
			if h < 1 || h > 12 {
				return 0, false
			}
			if h == 12 {
				h = 0
			}
		case len(rest) == 2 && (rest[0]|0x20) == 'p' && (rest[1]|0x20) == 'm':
			if h < 1 || h > 12 {
				return 0, false
			}
			if h != 12 {
				h += 12
			}
		default:
			return 0, false
		}
	}
	if h > 23 {
		return 0, false
	}
	return ticks + h*types.Hour + mi*types.Minute + s*types.Second + frac, true
}

// parseTimeSpan parses .NET's constant form [-][d.]hh:mm[:ss[.fffffff]],
// which is how Kusto writes timespans, and KQL's literal form (1d, 2h, 30m,
// 10s, 100ms, 5microsecond, 7tick) when units is set.
func parseTimeSpan(b []byte, units bool) (int64, bool) {
	b = trimSpace(b)
	if len(b) == 0 {
		return 0, false
	}
	neg := false
	i := 0
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		i++
	}
	readInt := func() (int64, bool) {
		start := i
		var v int64
		for i < len(b) && isDigit(b[i]) {
			if v > (1<<62)/10 {
				return 0, false
			}
			v = v*10 + int64(b[i]-'0')
			i++
		}
		return v, i > start
	}
	a, ok := readInt()
	if !ok {
		return 0, false
	}
	if i < len(b) && b[i] != '.' && b[i] != ':' {
		if !units {
			return 0, false
		}
		return literalTimeSpan(a, b[i:], neg)
	}
	var days, h int64
	if i < len(b) && b[i] == '.' {
		// d.hh:mm:ss, or a fractional KQL literal such as 1.5h.
		i++
		days = a
		if h, ok = readInt(); !ok {
			return 0, false
		}
		if i >= len(b) || b[i] != ':' {
			return 0, false
		}
		if h > 23 {
			return 0, false
		}
	} else {
		h = a
	}
	if i >= len(b) || b[i] != ':' {
		return 0, false
	}
	i++
	m, ok := readInt()
	if !ok || m > 59 {
		return 0, false
	}
	var s, frac int64
	if i < len(b) && b[i] == ':' {
		i++
		if s, ok = readInt(); !ok || s > 59 {
			return 0, false
		}
		if i < len(b) && b[i] == '.' {
			if frac, i, ok = parseFraction(b, i+1); !ok {
				return 0, false
			}
		}
	}
	if i != len(b) {
		return 0, false
	}
	t := days*types.Day + h*types.Hour + m*types.Minute + s*types.Second + frac
	if neg {
		t = -t
	}
	return t, true
}

var timeSpanUnits = map[string]int64{
	"d": types.Day, "day": types.Day, "days": types.Day,
	"h": types.Hour, "hr": types.Hour, "hrs": types.Hour, "hour": types.Hour, "hours": types.Hour,
	"m": types.Minute, "min": types.Minute, "minute": types.Minute, "minutes": types.Minute,
	"s": types.Second, "sec": types.Second, "second": types.Second, "seconds": types.Second,
	"ms": types.Millisecond, "milli": types.Millisecond, "millis": types.Millisecond,
	"millisecond": types.Millisecond, "milliseconds": types.Millisecond,
	"microsecond": types.Microsecond, "microseconds": types.Microsecond,
	"tick": types.Tick, "ticks": types.Tick,
}

func literalTimeSpan(n int64, unit []byte, neg bool) (int64, bool) {
	u, ok := timeSpanUnits[string(unit)]
	if !ok {
		return 0, false
	}
	t := n * u
	if neg {
		t = -t
	}
	return t, true
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// parseGUID accepts the forms .NET's Guid.Parse does for text exports
// (8-4-4-4-12, with or without braces, or 32 bare hex digits) and writes the
// canonical lower-case 8-4-4-4-12 form into buf. When b already is
// canonical it is returned as is, so the common case does not copy.
func parseGUID(b []byte, buf *[36]byte) ([]byte, bool) {
	b = trimSpace(b)
	if len(b) == 38 && b[0] == '{' && b[37] == '}' {
		b = b[1:37]
	}
	switch len(b) {
	case 36:
		canonical := true
		for i, c := range b {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				if c != '-' {
					return nil, false
				}
				continue
			}
			if _, ok := hexVal(c); !ok {
				return nil, false
			}
			if c >= 'A' && c <= 'F' {
				canonical = false
			}
		}
		if canonical {
			return b, true
		}
		for i, c := range b {
			if c >= 'A' && c <= 'F' {
				c += 'a' - 'A'
			}
			buf[i] = c
		}
		return buf[:], true
	case 32:
		j := 0
		for i, c := range b {
			if i == 8 || i == 12 || i == 16 || i == 20 {
				buf[j] = '-'
				j++
			}
			if _, ok := hexVal(c); !ok {
				return nil, false
			}
			if c >= 'A' && c <= 'F' {
				c += 'a' - 'A'
			}
			buf[j] = c
			j++
		}
		return buf[:], true
	}
	return nil, false
}

// parseLong parses a decimal integer without allocating.
func parseLong(b []byte) (int64, bool) {
	b = trimSpace(b)
	if len(b) == 0 {
		return 0, false
	}
	neg := false
	i := 0
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	if len(b)-i > 18 {
		// Possibly out of range: let strconv decide exactly.
		v, err := strconv.ParseInt(bstr(b), 10, 64)
		return v, err == nil
	}
	var v int64
	for ; i < len(b); i++ {
		c := b[i]
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseReal parses a floating point number; NaN, Infinity and -Infinity
// are accepted as Kusto writes them.
func parseReal(b []byte) (float64, bool) {
	b = trimSpace(b)
	if len(b) == 0 {
		return 0, false
	}
	if b[0] == '0' && len(b) > 1 && (b[1]|0x20) == 'x' {
		return 0, false // strconv would take hex floats; Kusto does not
	}
	f, err := strconv.ParseFloat(bstr(b), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true // ±Inf or 0: as .NET rounds out-of-range doubles
		}
		return 0, false
	}
	return f, true
}

// parseBool accepts true/false in any case and 1/0.
func parseBool(b []byte) (bool, bool) {
	b = trimSpace(b)
	switch len(b) {
	case 1:
		switch b[0] {
		case '1':
			return true, true
		case '0':
			return false, true
		}
	case 4:
		if b[0]|0x20 == 't' && b[1]|0x20 == 'r' && b[2]|0x20 == 'u' && b[3]|0x20 == 'e' {
			return true, true
		}
	case 5:
		if b[0]|0x20 == 'f' && b[1]|0x20 == 'a' && b[2]|0x20 == 'l' && b[3]|0x20 == 's' && b[4]|0x20 == 'e' {
			return false, true
		}
	}
	return false, false
}
