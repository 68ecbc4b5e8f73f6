package functions

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/types"
)

// NetEpochTicks is 1970-01-01 in .NET ticks (since 0001-01-01), the form
// Kusto exposes when a datetime is converted to a number.
const NetEpochTicks int64 = 621355968000000000

// ToDyn converts a scalar to its dynamic payload (nil for null).
func ToDyn(v types.Value) any {
	if v.IsNull() {
		return nil
	}
	switch v.Type {
	case types.Bool:
		return v.I != 0
	case types.Int, types.Long:
		return v.I
	case types.Real, types.Decimal:
		return v.F
	case types.String, types.GUID:
		return v.S
	case types.DateTime:
		return types.DateTimeValue(v.I)
	case types.TimeSpan:
		return types.TimeSpanValue(v.I)
	case types.Dynamic:
		return v.D
	}
	return nil
}

// Dyn wraps a dynamic payload as a dynamic Value.
func Dyn(d any) types.Value { return types.NewDynamic(d) }

// ToString converts v as tostring() does: null becomes "", a dynamic string
// its raw text, other dynamics their JSON.
func ToString(v types.Value) string {
	if v.IsNull() {
		return ""
	}
	if v.Type == types.Dynamic {
		return DynString(v.D)
	}
	return v.String()
}

// DynString renders a dynamic payload as tostring(dynamic) does: strings
// without quotes, scalars in their literal form, arrays and bags as JSON.
func DynString(d any) string {
	switch x := d.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return types.FormatReal(x)
	case types.DateTimeValue:
		return types.FormatDateTime(int64(x))
	case types.TimeSpanValue:
		return types.FormatTimeSpan(int64(x))
	}
	return types.DynamicJSON(d)
}

// ToLong converts v as tolong() does; ok is false when the result is null.
func ToLong(v types.Value) (int64, bool) {
	if v.IsNull() {
		return 0, false
	}
	switch v.Type {
	case types.Bool, types.Int, types.Long, types.TimeSpan:
		return v.I, true
	case types.DateTime:
		return v.I + NetEpochTicks, true
	case types.Real, types.Decimal:
		return floatToLong(v.F)
	case types.String:
		return parseLong(v.S)
	case types.Dynamic:
		return dynToLong(v.D)
	}
	return 0, false
}

func floatToLong(f float64) (int64, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) || f >= 9.223372036854775807e18 || f < -9.223372036854775808e18 {
		return 0, false
	}
	return int64(f), true
}

func parseLong(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, true
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		if u, err := strconv.ParseUint(s[2:], 16, 64); err == nil {
			return int64(u), true
		}
	}
	return 0, false
}

func dynToLong(d any) (int64, bool) {
	switch x := d.(type) {
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case int64:
		return x, true
	case float64:
		return floatToLong(x)
	case string:
		if i, ok := parseLong(x); ok {
			return i, true
		}
		if f, ok := parseReal(x); ok {
			return floatToLong(f)
		}
	case types.DateTimeValue:
		return int64(x) + NetEpochTicks, true
	case types.TimeSpanValue:
		return int64(x), true
	}
	return 0, false
}

// ToReal converts v as toreal() does.
func ToReal(v types.Value) (float64, bool) {
	if v.IsNull() {
		return 0, false
	}
	switch v.Type {
	case types.Bool, types.Int, types.Long, types.TimeSpan:
		return float64(v.I), true
	case types.DateTime:
		return float64(v.I + NetEpochTicks), true
	case types.Real, types.Decimal:
		return v.F, true
	case types.String:
		return parseReal(v.S)
	case types.Dynamic:
		switch x := v.D.(type) {
		case float64:
			return x, true
		case string:
			return parseReal(x)
		}
		if i, ok := dynToLong(v.D); ok {
			return float64(i), true
		}
	}
	return 0, false
}

func parseReal(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	switch s {
	case "NaN", "nan":
		return math.NaN(), true
	case "Infinity", "+Infinity", "inf", "+inf":
		return math.Inf(1), true
	case "-Infinity", "-inf":
		return math.Inf(-1), true
	case "":
		return 0, false
	}
	if strings.ContainsAny(s, "xXpP_") { // Go accepts hex floats and underscores; .NET does not
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

// ToBool converts v as tobool() does: numbers are true when non-zero,
// strings "true"/"false" in any case.
func ToBool(v types.Value) (bool, bool) {
	if v.IsNull() {
		return false, false
	}
	switch v.Type {
	case types.Bool, types.Int, types.Long:
		return v.I != 0, true
	case types.Real, types.Decimal:
		if math.IsNaN(v.F) {
			return false, false
		}
		return v.F != 0, true
	case types.String:
		return parseBool(v.S)
	case types.Dynamic:
		switch x := v.D.(type) {
		case bool:
			return x, true
		case int64:
			return x != 0, true
		case float64:
			return x != 0, true
		case string:
			return parseBool(x)
		}
	}
	return false, false
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// ToDateTime converts v as todatetime() does.
func ToDateTime(v types.Value) (int64, bool) {
	if v.IsNull() {
		return 0, false
	}
	switch v.Type {
	case types.DateTime:
		return v.I, true
	case types.String:
		return ParseDateTime(v.S)
	case types.Dynamic:
		switch x := v.D.(type) {
		case types.DateTimeValue:
			return int64(x), true
		case string:
			return ParseDateTime(x)
		}
	}
	return 0, false
}

// ToTimeSpan converts v as totimespan() does; numbers are ticks.
func ToTimeSpan(v types.Value) (int64, bool) {
	if v.IsNull() {
		return 0, false
	}
	switch v.Type {
	case types.TimeSpan, types.Int, types.Long:
		return v.I, true
	case types.Real, types.Decimal:
		return floatToLong(v.F)
	case types.String:
		return ParseTimeSpan(v.S)
	case types.Dynamic:
		switch x := v.D.(type) {
		case types.TimeSpanValue:
			return int64(x), true
		case int64:
			return x, true
		case string:
			return ParseTimeSpan(x)
		}
	}
	return 0, false
}

// ToGUID converts v as toguid() does: a canonical lower-case GUID, ok false
// when v does not hold one.
func ToGUID(v types.Value) (string, bool) {
	if v.IsNull() {
		return "", false
	}
	switch v.Type {
	case types.GUID:
		return v.S, true
	case types.String:
		return parseGUID(v.S)
	case types.Dynamic:
		if s, ok := v.D.(string); ok {
			return parseGUID(s)
		}
	}
	return "", false
}

func parseGUID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 38 && (s[0] == '{' && s[37] == '}' || s[0] == '(' && s[37] == ')') {
		s = s[1:37]
	}
	var hex string
	switch len(s) {
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return "", false
		}
		hex = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	case 32:
		hex = s
	default:
		return "", false
	}
	for i := 0; i < len(hex); i++ {
		if !isHex(hex[i]) {
			return "", false
		}
	}
	h := strings.ToLower(hex)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// Convert converts v to type t with the to<type>() rules; the result is the
// null of t when v cannot be converted.
func Convert(v types.Value, t types.Type) types.Value {
	switch t {
	case types.String:
		return types.NewString(ToString(v))
	case types.Bool:
		if b, ok := ToBool(v); ok {
			return types.NewBool(b)
		}
	case types.Int:
		if i, ok := ToLong(v); ok {
			return types.NewInt(i)
		}
	case types.Long:
		if i, ok := ToLong(v); ok {
			return types.NewLong(i)
		}
	case types.Real:
		if f, ok := ToReal(v); ok {
			return types.NewReal(f)
		}
	case types.Decimal:
		if f, ok := ToReal(v); ok {
			return types.NewDecimal(f)
		}
	case types.DateTime:
		if d, ok := ToDateTime(v); ok {
			return types.NewDateTime(d)
		}
	case types.TimeSpan:
		if d, ok := ToTimeSpan(v); ok {
			return types.NewTimeSpan(d)
		}
	case types.GUID:
		if g, ok := ToGUID(v); ok {
			return types.NewGUID(g)
		}
	case types.Dynamic:
		return ToDynamic(v)
	}
	return Null(t)
}

// ToDynamic converts v as todynamic()/parse_json() do: a string holding JSON
// is parsed, any other string stays a dynamic string.
func ToDynamic(v types.Value) types.Value {
	if v.IsNull() {
		return types.NullOf(types.Dynamic)
	}
	switch v.Type {
	case types.Dynamic:
		return v
	case types.String:
		s := strings.TrimSpace(v.S)
		if s == "" {
			return types.NullOf(types.Dynamic)
		}
		d, err := types.ParseJSON(s)
		if err != nil {
			return Dyn(v.S)
		}
		return types.NewDynamic(d)
	}
	return Dyn(ToDyn(v))
}

// FromDyn turns a dynamic payload into the scalar Value of its natural type,
// for functions that take an element out of an array or bag and use it as a
// scalar. Arrays and bags stay dynamic.
func FromDyn(d any) types.Value {
	switch x := d.(type) {
	case nil:
		return types.NullOf(types.Dynamic)
	case bool:
		return types.NewBool(x)
	case int64:
		return types.NewLong(x)
	case float64:
		return types.NewReal(x)
	case string:
		return types.NewString(x)
	case types.DateTimeValue:
		return types.NewDateTime(int64(x))
	case types.TimeSpanValue:
		return types.NewTimeSpan(int64(x))
	}
	return types.NewDynamic(d)
}

// --- datetime and timespan text ---------------------------------------------

var monthAbbr = map[string]time.Month{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

// ParseDateTime parses the datetime formats Kusto accepts in datetime()
// literals and todatetime(): ISO 8601 (date, date and time with T or space,
// optional fraction up to 7 digits and Z or ±hh:mm offset), RFC 822 and
// RFC 850. It returns ticks since the Unix epoch, ok false when unparseable.
func ParseDateTime(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if t, ok := parseISO(s); ok {
		return t, true
	}
	return parseRFC(s)
}

// parseISO handles yyyy-mm-dd[(T| )hh:mm[:ss[.f{1,7}]]][Z|±hh[:mm]] and the
// same with '/' date separators.
func parseISO(s string) (int64, bool) {
	p := &scan{s: s}
	y, ok1 := p.digits(4, 4)
	sep := p.peek()
	if !ok1 || (sep != '-' && sep != '/') {
		return 0, false
	}
	p.i++
	mo, ok2 := p.digits(1, 2)
	if !ok2 || !p.eat(sep) {
		return 0, false
	}
	d, ok3 := p.digits(1, 2)
	if !ok3 {
		return 0, false
	}
	var h, mi, sec, frac int64
	if p.i < len(s) && (s[p.i] == 'T' || s[p.i] == ' ') {
		p.i++
		for p.i < len(s) && s[p.i] == ' ' {
			p.i++
		}
		var ok bool
		if h, ok = p.digits(1, 2); !ok || !p.eat(':') {
			return 0, false
		}
		if mi, ok = p.digits(2, 2); !ok {
			return 0, false
		}
		if p.eat(':') {
			if sec, ok = p.digits(2, 2); !ok {
				return 0, false
			}
			if p.eat('.') || p.eat(',') {
				start := p.i
				f, ok := p.digits(1, 9)
				if !ok {
					return 0, false
				}
				n := p.i - start
				for ; n < 7; n++ {
					f *= 10
				}
				for ; n > 7; n-- {
					f /= 10
				}
				frac = f
			}
		}
	}
	var off int64
	if p.i < len(s) {
		for p.i < len(s) && s[p.i] == ' ' {
			p.i++
		}
		rest := s[p.i:]
		switch {
		case rest == "Z" || rest == "z" || rest == "UTC" || rest == "GMT":
		case len(rest) >= 3 && (rest[0] == '+' || rest[0] == '-'):
			p.i++
			oh, ok := p.digits(2, 2)
			if !ok {
				return 0, false
			}
			p.eat(':')
			om, _ := p.digits(2, 2)
			if p.i != len(s) {
				return 0, false
			}
			off = oh*types.Hour + om*types.Minute
			if rest[0] == '-' {
				off = -off
			}
		default:
			return 0, false
		}
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return 0, false
	}
	t := time.Date(int(y), time.Month(mo), int(d), int(h), int(mi), int(sec), 0, time.UTC)
	if t.Day() != int(d) { // Feb 30 and friends
		return 0, false
	}
	return types.TimeToTicks(t) + frac - off, true
}

type scan struct {
	s string
	i int
}

func (p *scan) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *scan) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *scan) digits(min, max int) (int64, bool) {
	var n int64
	j := p.i
	for j < len(p.s) && j-p.i < max && p.s[j] >= '0' && p.s[j] <= '9' {
		n = n*10 + int64(p.s[j]-'0')
		j++
	}
	if j-p.i < min {
		return 0, false
	}
	p.i = j
	return n, true
}

// parseRFC handles RFC 822 ("Sat, 8 Nov 14 15:05:02 GMT") and RFC 850
// ("Saturday, 08-Nov-14 15:05:02 GMT") forms, with or without weekday,
// seconds and zone, and two- or four-digit years.
func parseRFC(s string) (int64, bool) {
	if i := strings.IndexByte(s, ','); i >= 0 {
		s = strings.TrimSpace(s[i+1:])
	}
	f := strings.Fields(strings.ReplaceAll(s, "-", " "))
	if len(f) < 4 {
		return 0, false
	}
	d, err1 := strconv.Atoi(f[0])
	mo, okm := monthAbbr[strings.ToLower(f[1])]
	y, err2 := strconv.Atoi(f[2])
	if err1 != nil || !okm || err2 != nil || d < 1 || d > 31 {
		return 0, false
	}
	switch {
	case len(f[2]) == 2 && y < 50:
		y += 2000
	case len(f[2]) == 2:
		y += 1900
	case len(f[2]) != 4:
		return 0, false
	}
	hms := strings.Split(f[3], ":")
	if len(hms) < 2 || len(hms) > 3 {
		return 0, false
	}
	var parts [3]int
	for i, x := range hms {
		n, err := strconv.Atoi(x)
		if err != nil || len(x) > 2 {
			return 0, false
		}
		parts[i] = n
	}
	if parts[0] > 23 || parts[1] > 59 || parts[2] > 59 {
		return 0, false
	}
	var off int64
	if len(f) > 4 {
		z := strings.ToUpper(f[4])
		switch z {
		case "GMT", "UT", "UTC", "Z":
		case "EST":
			off = -5 * types.Hour
		case "EDT":
			off = -4 * types.Hour
		case "CST":
			off = -6 * types.Hour
		case "CDT":
			off = -5 * types.Hour
		case "MST":
			off = -7 * types.Hour
		case "MDT":
			off = -6 * types.Hour
		case "PST":
			off = -8 * types.Hour
		case "PDT":
			off = -7 * types.Hour
		default:
			if len(z) == 5 && (z[0] == '+' || z[0] == '-') {
				h, e1 := strconv.Atoi(z[1:3])
				m, e2 := strconv.Atoi(z[3:])
				if e1 != nil || e2 != nil {
					return 0, false
				}
				off = int64(h)*types.Hour + int64(m)*types.Minute
				if z[0] == '-' {
					off = -off
				}
			} else {
				return 0, false
			}
		}
		if len(f) > 5 {
			return 0, false
		}
	}
	t := time.Date(y, mo, d, parts[0], parts[1], parts[2], 0, time.UTC)
	if t.Day() != d {
		return 0, false
	}
	return types.TimeToTicks(t) - off, true
}

var spanUnits = []struct {
	suffix string
	ticks  int64
}{
	// longest suffixes first so "ms" wins over "s" and "min" over "m"
	{"microseconds", types.Microsecond}, {"microsecond", types.Microsecond},
	{"milliseconds", types.Millisecond}, {"millisecond", types.Millisecond},
	{"nanoseconds", 0}, {"nanosecond", 0},
	{"minutes", types.Minute}, {"minute", types.Minute},
	{"seconds", types.Second}, {"second", types.Second},
	{"hours", types.Hour}, {"hour", types.Hour},
	{"ticks", types.Tick}, {"tick", types.Tick},
	{"days", types.Day}, {"day", types.Day},
	{"micros", types.Microsecond}, {"milli", types.Millisecond},
	{"min", types.Minute}, {"sec", types.Second}, {"hrs", types.Hour}, {"hr", types.Hour},
	{"ms", types.Millisecond}, {"us", types.Microsecond}, {"ns", 0},
	{"d", types.Day}, {"h", types.Hour}, {"m", types.Minute}, {"s", types.Second},
}

// ParseTimeSpan parses a timespan as Kusto's timespan literals and
// totimespan() accept: a number with a unit (2d, 1.5h, 30m, 10s, 100ms,
// 10microseconds, 5tick, 100ns) or the [-][d.]hh:mm[:ss[.fffffff]] form.
func ParseTimeSpan(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if strings.Contains(s, ":") {
		return parseClockSpan(s)
	}
	low := strings.ToLower(s)
	for _, u := range spanUnits {
		if !strings.HasSuffix(low, u.suffix) {
			continue
		}
		num := strings.TrimSpace(low[:len(low)-len(u.suffix)])
		if num == "" {
			return 0, false
		}
		if u.ticks == 0 { // nanoseconds: 100 per tick
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, false
			}
			return int64(math.Round(f / 100)), true
		}
		if i, err := strconv.ParseInt(num, 10, 64); err == nil {
			return i * u.ticks, true
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil || strings.ContainsAny(num, "xXpP_") {
			return 0, false
		}
		return int64(math.Round(f * float64(u.ticks))), true
	}
	return 0, false
}

func parseClockSpan(s string) (int64, bool) {
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	var days int64
	colon := strings.IndexByte(s, ':')
	if dot := strings.IndexByte(s[:colon], '.'); dot >= 0 {
		d, err := strconv.ParseInt(s[:dot], 10, 64)
		if err != nil {
			return 0, false
		}
		days = d
		s = s[dot+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || h > 23 || m > 59 || h < 0 || m < 0 {
		return 0, false
	}
	var sec, frac int64
	if len(parts) == 3 {
		sp := parts[2]
		if dot := strings.IndexByte(sp, '.'); dot >= 0 {
			fs := sp[dot+1:]
			if len(fs) == 0 || len(fs) > 7 {
				return 0, false
			}
			f, err := strconv.ParseInt(fs, 10, 64)
			if err != nil || f < 0 {
				return 0, false
			}
			for n := len(fs); n < 7; n++ {
				f *= 10
			}
			frac = f
			sp = sp[:dot]
		}
		var err error
		sec, err = strconv.ParseInt(sp, 10, 64)
		if err != nil || sec > 59 || sec < 0 {
			return 0, false
		}
	}
	t := days*types.Day + h*types.Hour + m*types.Minute + sec*types.Second + frac
	if neg {
		t = -t
	}
	return t, true
}
