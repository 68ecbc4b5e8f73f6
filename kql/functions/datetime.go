package functions

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // datetime_utc_to_local must work on hosts without zoneinfo

	"github.com/huntbook/huntbook/kql/types"
)

func dtV(t int64) types.Value { return types.NewDateTime(t) }

func tsV(t int64) types.Value { return types.NewTimeSpan(t) }

func ticksOf(t time.Time) int64 { return types.TimeToTicks(t) }

// floorDiv is integer division rounding toward negative infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// startOf returns the start of the period ("day", "week", "month", "year")
// holding ticks, moved by offset periods.
func startOf(period string, ticks, offset int64) int64 {
	t := types.TicksToTime(ticks)
	y, m, d := t.Date()
	var s time.Time
	switch period {
	case "day":
		s = time.Date(y, m, d+int(offset), 0, 0, 0, 0, time.UTC)
	case "week": // Kusto weeks start on Sunday
		s = time.Date(y, m, d-int(t.Weekday())+7*int(offset), 0, 0, 0, 0, time.UTC)
	case "month":
		s = time.Date(y, m+time.Month(offset), 1, 0, 0, 0, 0, time.UTC)
	case "year":
		s = time.Date(y+int(offset), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return ticksOf(s)
}

// addMonths adds months with .NET's clamping (Jan 31 + 1 month = Feb 28/29).
func addMonths(ticks int64, months int64) int64 {
	t := types.TicksToTime(ticks)
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(months), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	last := time.Date(first.Year(), first.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if d > last {
		d = last
	}
	return ticksOf(first.AddDate(0, 0, d-1))
}

// normPart maps Kusto's date part spellings to one canonical lower-case name.
func normPart(p string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(p)) {
	case "year", "years", "yy", "yyyy":
		return "year", true
	case "quarter", "quarters", "qq", "q":
		return "quarter", true
	case "month", "months", "mm", "m":
		return "month", true
	case "week", "weeks", "wk", "ww", "week_of_year", "weekofyear":
		return "week", true
	case "day", "days", "dd", "d":
		return "day", true
	case "dayofyear", "dy", "y", "day_of_year":
		return "dayofyear", true
	case "hour", "hours", "hh":
		return "hour", true
	case "minute", "minutes", "mi", "n":
		return "minute", true
	case "second", "seconds", "ss", "s":
		return "second", true
	case "millisecond", "milliseconds", "ms":
		return "millisecond", true
	case "microsecond", "microseconds", "mcs":
		return "microsecond", true
	case "nanosecond", "nanoseconds", "ns":
		return "nanosecond", true
	}
	return "", false
}

var partTicks = map[string]int64{
	"week": 7 * types.Day, "day": types.Day, "hour": types.Hour, "minute": types.Minute,
	"second": types.Second, "millisecond": types.Millisecond, "microsecond": types.Microsecond,
}

func init() {
	def("now", "now([offset])", "The query's current UTC time, optionally shifted by a timespan.", 0, 1, "t", fixed(types.DateTime),
		func(env *Env, a []types.Value) (types.Value, error) {
			now := envNow(env)
			if len(a) == 1 {
				if a[0].IsNull() {
					return types.NullOf(types.DateTime), nil
				}
				off, _ := ToTimeSpan(a[0])
				now += off
			}
			return dtV(now), nil
		})
	def("ago", "ago(timespan)", "now() minus a timespan.", 1, 1, "t", fixed(types.DateTime),
		strict(types.DateTime, func(env *Env, a []types.Value) (types.Value, error) {
			off, ok := ToTimeSpan(a[0])
			if !ok {
				return types.NullOf(types.DateTime), nil
			}
			return dtV(envNow(env) - off), nil
		}))
	binResult := func(args []types.Type) (types.Type, error) {
		v, r := args[0], args[1]
		switch {
		case v == types.DateTime || v == types.TimeSpan:
			if r != types.TimeSpan && r != types.Null && r != types.Dynamic {
				return types.Null, fmt.Errorf("bin(): the bin size of a %s must be a timespan, got %s", v, r)
			}
			return v, nil
		case v.IsNumeric() || v == types.Null || v == types.Dynamic:
			if !r.IsNumeric() && r != types.Null && r != types.Dynamic {
				return types.Null, fmt.Errorf("bin(): the bin size of a number must be numeric, got %s", r)
			}
			if v.IsNumeric() {
				return widestNum(args...), nil
			}
			return types.Real, nil
		}
		return types.Null, fmt.Errorf("bin(): argument 1 must be numeric, datetime or timespan, got %s", v)
	}
	for _, name := range []string{"bin", "floor"} {
		defR(name, name+"(value, roundTo)", "Rounds down to a multiple of the bin size.", 2, 2, "aa", binResult,
			func(_ *Env, a []types.Value) (types.Value, error) { return binAt(a[0], a[1], types.Value{}) })
	}
	defR("bin_at", "bin_at(value, bin_size, fixed_point)", "Rounds down to a multiple of bin_size counted from fixed_point.", 3, 3, "aaa",
		func(args []types.Type) (types.Type, error) {
			if args[2] != args[0] && args[2] != types.Null && !(args[0].IsNumeric() && args[2].IsNumeric()) {
				return types.Null, fmt.Errorf("bin_at(): fixed_point must be of the value's type %s, got %s", args[0], args[2])
			}
			return binResult(args)
		},
		func(_ *Env, a []types.Value) (types.Value, error) { return binAt(a[0], a[1], a[2]) })
	for _, p := range []string{"day", "week", "month", "year"} {
		p := p
		def("startof"+p, "startof"+p+"(date [, offset])", "The start of the "+p+" holding the date, shifted by offset "+p+"s.", 1, 2, "di", fixed(types.DateTime),
			strict(types.DateTime, func(_ *Env, a []types.Value) (types.Value, error) {
				off := int64(0)
				if len(a) == 2 {
					off, _ = ToLong(a[1])
				}
				d, ok := ToDateTime(a[0])
				if !ok {
					return types.NullOf(types.DateTime), nil
				}
				return dtV(startOf(p, d, off)), nil
			}))
		def("endof"+p, "endof"+p+"(date [, offset])", "The last tick of the "+p+" holding the date, shifted by offset "+p+"s.", 1, 2, "di", fixed(types.DateTime),
			strict(types.DateTime, func(_ *Env, a []types.Value) (types.Value, error) {
				off := int64(0)
				if len(a) == 2 {
					off, _ = ToLong(a[1])
				}
				d, ok := ToDateTime(a[0])
				if !ok {
					return types.NullOf(types.DateTime), nil
				}
				return dtV(startOf(p, d, off+1) - 1), nil
			}))
	}
	def("datetime_add", "datetime_add(period, amount, datetime)", "Adds amount periods (year, quarter, month, week, day, hour, ... nanosecond) to a datetime.", 3, 3, "pid", fixed(types.DateTime),
		strict(types.DateTime, func(_ *Env, a []types.Value) (types.Value, error) {
			part, ok := normPart(str(a[0]))
			if !ok || part == "dayofyear" {
				return types.NullOf(types.DateTime), fmt.Errorf("datetime_add(): unknown period %q", str(a[0]))
			}
			n, _ := ToLong(a[1])
			d, _ := ToDateTime(a[2])
			switch part {
			case "year":
				return dtV(addMonths(d, 12*n)), nil
			case "quarter":
				return dtV(addMonths(d, 3*n)), nil
			case "month":
				return dtV(addMonths(d, n)), nil
			case "nanosecond":
				return dtV(d + n/100), nil
			}
			return dtV(d + n*partTicks[part]), nil
		}))
	def("datetime_diff", "datetime_diff(period, datetime1, datetime2)", "The number of period boundaries between datetime2 and datetime1 (datetime1 - datetime2).", 3, 3, "pdd", fixed(types.Long),
		strict(types.Long, func(_ *Env, a []types.Value) (types.Value, error) {
			part, ok := normPart(str(a[0]))
			if !ok || part == "dayofyear" {
				return types.NullOf(types.Long), fmt.Errorf("datetime_diff(): unknown period %q", str(a[0]))
			}
			d1, _ := ToDateTime(a[1])
			d2, _ := ToDateTime(a[2])
			t1, t2 := types.TicksToTime(d1), types.TicksToTime(d2)
			switch part {
			case "year":
				return longV(int64(t1.Year() - t2.Year())), nil
			case "quarter":
				q := func(t time.Time) int64 { return int64(t.Year())*4 + int64(t.Month()-1)/3 }
				return longV(q(t1) - q(t2)), nil
			case "month":
				m := func(t time.Time) int64 { return int64(t.Year())*12 + int64(t.Month()) }
				return longV(m(t1) - m(t2)), nil
			case "week":
				return longV((startOf("week", d1, 0) - startOf("week", d2, 0)) / (7 * types.Day)), nil
			case "nanosecond":
				return longV((d1 - d2) * 100), nil
			}
			u := partTicks[part]
			return longV(floorDiv(d1, u) - floorDiv(d2, u)), nil
		}))
	def("datetime_part", "datetime_part(part, datetime)", "One part of a datetime as an integer (year, quarter, month, week_of_year, day, dayofyear, hour, ... nanosecond).", 2, 2, "pd", fixed(types.Int),
		strict(types.Int, func(_ *Env, a []types.Value) (types.Value, error) {
			part, ok := normPart(str(a[0]))
			if !ok {
				return types.NullOf(types.Int), fmt.Errorf("datetime_part(): unknown part %q", str(a[0]))
			}
			d, _ := ToDateTime(a[1])
			return types.NewInt(datePart(part, d)), nil
		}))
	part1 := func(name, part, doc string) {
		def(name, name+"(date)", doc, 1, 1, "d", fixed(types.Int),
			strict(types.Int, func(_ *Env, a []types.Value) (types.Value, error) {
				d, ok := ToDateTime(a[0])
				if !ok {
					return types.NullOf(types.Int), nil
				}
				return types.NewInt(datePart(part, d)), nil
			}))
	}
	part1("dayofmonth", "day", "Day of the month, 1-31.")
	part1("dayofyear", "dayofyear", "Day of the year, 1-366.")
	part1("hourofday", "hour", "Hour of the day, 0-23.")
	part1("getmonth", "month", "Month, 1-12.")
	part1("monthofyear", "month", "Month, 1-12.")
	part1("getyear", "year", "Year.")
	part1("weekofyear", "week", "ISO 8601 week number.")
	part1("week_of_year", "week", "ISO 8601 week number.")
	def("dayofweek", "dayofweek(date)", "Days since the preceding Sunday, as a timespan.", 1, 1, "d", fixed(types.TimeSpan),
		strict(types.TimeSpan, func(_ *Env, a []types.Value) (types.Value, error) {
			d, ok := ToDateTime(a[0])
			if !ok {
				return types.NullOf(types.TimeSpan), nil
			}
			return tsV(int64(types.TicksToTime(d).Weekday()) * types.Day), nil
		}))
	def("make_datetime", "make_datetime(year, month, day [, hour, minute [, second]])", "Builds a datetime from its parts; null when they are out of range.", 3, 6, "iiiiin", fixed(types.DateTime),
		strict(types.DateTime, func(_ *Env, a []types.Value) (types.Value, error) {
			var p [5]int64
			for i := 0; i < 5 && i < len(a); i++ {
				p[i], _ = ToLong(a[i])
			}
			sec := 0.0
			if len(a) == 6 {
				sec, _ = ToReal(a[5])
			}
			if p[0] < 1 || p[0] > 9999 || p[1] < 1 || p[1] > 12 || p[2] < 1 || p[2] > 31 || p[3] < 0 || p[3] > 23 || p[4] < 0 || p[4] > 59 || sec < 0 || sec >= 60 {
				return types.NullOf(types.DateTime), nil
			}
			t := time.Date(int(p[0]), time.Month(p[1]), int(p[2]), int(p[3]), int(p[4]), 0, 0, time.UTC)
			if t.Day() != int(p[2]) {
				return types.NullOf(types.DateTime), nil
			}
			return dtV(ticksOf(t) + int64(math.Round(sec*float64(types.Second)))), nil
		}))
	def("make_timespan", "make_timespan([day,] hour, minute [, second])", "Builds a timespan: (hour, minute), (hour, minute, second) or (day, hour, minute, second).", 2, 4, "nnnn", fixed(types.TimeSpan),
		strict(types.TimeSpan, func(_ *Env, a []types.Value) (types.Value, error) {
			f := make([]float64, len(a))
			for i, v := range a {
				f[i], _ = ToReal(v)
			}
			var d, h, m, s float64
			switch len(f) {
			case 2:
				h, m = f[0], f[1]
			case 3:
				h, m, s = f[0], f[1], f[2]
			case 4:
				d, h, m, s = f[0], f[1], f[2], f[3]
			}
			return tsV(int64(d)*types.Day + int64(h)*types.Hour + int64(m)*types.Minute + int64(math.Round(s*float64(types.Second)))), nil
		}))
	for _, u := range []struct {
		name  string
		ticks float64
	}{{"seconds", 1e7}, {"milliseconds", 1e4}, {"microseconds", 10}, {"nanoseconds", 0.01}} {
		u := u
		def("unixtime_"+u.name+"_todatetime", "unixtime_"+u.name+"_todatetime(value)", "Converts Unix time in "+u.name+" to a datetime.", 1, 1, "n", fixed(types.DateTime),
			strict(types.DateTime, func(_ *Env, a []types.Value) (types.Value, error) {
				if a[0].Type == types.Int || a[0].Type == types.Long {
					if u.ticks >= 1 {
						return dtV(a[0].I * int64(u.ticks)), nil
					}
					return dtV(floorDiv(a[0].I, 100)), nil
				}
				f, ok := ToReal(a[0])
				if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
					return types.NullOf(types.DateTime), nil
				}
				return dtV(int64(math.Floor(f * u.ticks))), nil
			}))
	}
	def("format_datetime", "format_datetime(datetime, format)", "Formats a datetime with d, dd, M, MM, y, yy, yyyy, h, hh, H, HH, m, mm, s, ss, f.., F.., tt.", 2, 2, "ds", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			d, ok := ToDateTime(a[0])
			if !ok {
				return strV(""), nil
			}
			s, err := formatDateTime(d, str(a[1]))
			return strV(s), err
		})
	def("format_timespan", "format_timespan(timespan, format)", "Formats a timespan with d.., h, hh, H, HH, m, mm, s, ss, f.., F...", 2, 2, "ts", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			d, ok := ToTimeSpan(a[0])
			if !ok {
				return strV(""), nil
			}
			s, err := formatTimeSpan(d, str(a[1]))
			return strV(s), err
		})
	tzConv := func(name, doc string, toLocal bool) {
		def(name, name+"(from, timezone)", doc, 2, 2, "ds", fixed(types.DateTime),
			strict(types.DateTime, func(_ *Env, a []types.Value) (types.Value, error) {
				loc, err := time.LoadLocation(str(a[1]))
				if err != nil {
					return types.NullOf(types.DateTime), fmt.Errorf("%s(): unknown time zone %q", name, str(a[1]))
				}
				d, _ := ToDateTime(a[0])
				t := types.TicksToTime(d)
				if toLocal {
					_, off := t.In(loc).Zone()
					return dtV(d + int64(off)*types.Second), nil
				}
				// the wall-clock reading d in loc, as a UTC instant
				local := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
				return dtV(ticksOf(local)), nil
			}))
	}
	tzConv("datetime_utc_to_local", "Converts a UTC datetime to the wall-clock time of an IANA time zone.", true)
	tzConv("datetime_local_to_utc", "Converts a wall-clock time of an IANA time zone to UTC.", false)
}

func envNow(env *Env) int64 {
	if env == nil || env.Now == 0 {
		return types.TimeToTicks(time.Now())
	}
	return env.Now
}

func datePart(part string, d int64) int64 {
	t := types.TicksToTime(d)
	frac := d % types.Second
	if frac < 0 {
		frac += types.Second
	}
	switch part {
	case "year":
		return int64(t.Year())
	case "quarter":
		return int64(t.Month()-1)/3 + 1
	case "month":
		return int64(t.Month())
	case "week":
		_, w := t.ISOWeek()
		return int64(w)
	case "day":
		return int64(t.Day())
	case "dayofyear":
		return int64(t.YearDay())
	case "hour":
		return int64(t.Hour())
	case "minute":
		return int64(t.Minute())
	case "second":
		return int64(t.Second())
	case "millisecond":
		return frac / types.Millisecond
	case "microsecond":
		return frac / types.Microsecond
	case "nanosecond":
		return frac * 100
	}
	return 0
}

// binAt implements bin (fixed zero) and bin_at. Datetimes bin from
// 0001-01-01 (.NET tick zero) as Kusto does, which matters for bins that do
// not divide a day.
func binAt(v, size, fixed types.Value) (types.Value, error) {
	if v.Type.IsNumeric() {
		// the result has the bound type: the widest of the numbers
		if w := widestNum(v.Type, size.Type, fixed.Type); w != v.Type {
			v = coerce(v, w)
		}
	}
	t := v.Type
	if t == types.Dynamic { // bin binds a dynamic value as real (see bin's Result)
		f, ok := ToReal(v)
		if !ok {
			return types.NullOf(types.Real), nil
		}
		v, t = types.NewReal(f), types.Real
	}
	if v.IsNull() || size.IsNull() || (fixed.Valid && fixed.IsNull()) {
		if t == types.Null || t == types.Dynamic {
			t = types.Real
		}
		return types.NullOf(t), nil
	}
	switch t {
	case types.DateTime, types.TimeSpan, types.Int, types.Long:
		// a real size makes a number real above; bin rejects it for a
		// datetime or timespan at bind time
		if size.Type == types.Real || size.Type == types.Decimal {
			break
		}
		s, ok := ToTimeSpan(size)
		if !ok || s <= 0 {
			return types.NullOf(t), nil
		}
		base := int64(0)
		if t == types.DateTime {
			base = -NetEpochTicks
		}
		if fixed.Valid {
			base = fixed.I
		}
		r := floorDiv(v.I-base, s)*s + base
		return types.Value{Type: t, Valid: true, I: r}, nil
	case types.Real, types.Decimal:
	default:
		return types.NullOf(t), fmt.Errorf("bin(): cannot bin a value of type %s", t)
	}
	x, _ := ToReal(v)
	s, ok := ToReal(size)
	if !ok || s <= 0 {
		return types.NullOf(t), nil
	}
	f := 0.0
	if fixed.Valid {
		f, _ = ToReal(fixed)
	}
	return types.Value{Type: t, Valid: true, F: math.Floor((x-f)/s)*s + f}, nil
}

// widestNum is Kusto.Language's Widest result for numeric bin, floor and
// bin_at: the widest numeric type among ts (int < long < real < decimal), an
// int made long (bin(int, int) is a long). Other types are ignored.
func widestNum(ts ...types.Type) types.Type {
	rank := map[types.Type]int{types.Int: 1, types.Long: 2, types.Real: 3, types.Decimal: 4}
	out := types.Long
	for _, t := range ts {
		if rank[t] > rank[out] {
			out = t
		}
	}
	return out
}

// formatDateTime renders d with Kusto's format_datetime specifiers.
func formatDateTime(d int64, format string) (string, error) {
	t := types.TicksToTime(d)
	frac := d % types.Second
	if frac < 0 {
		frac += types.Second
	}
	var b strings.Builder
	for i := 0; i < len(format); {
		c := format[i]
		n := 1
		for i+n < len(format) && format[i+n] == c {
			n++
		}
		switch c {
		case 'd':
			switch {
			case n == 1:
				b.WriteString(strconv.Itoa(t.Day()))
			case n == 2:
				b.WriteString(pad(int64(t.Day()), 2))
			case n == 3:
				b.WriteString(t.Weekday().String()[:3])
			default:
				b.WriteString(t.Weekday().String())
			}
		case 'M':
			switch {
			case n == 1:
				b.WriteString(strconv.Itoa(int(t.Month())))
			case n == 2:
				b.WriteString(pad(int64(t.Month()), 2))
			case n == 3:
				b.WriteString(t.Month().String()[:3])
			default:
				b.WriteString(t.Month().String())
			}
		case 'y':
			switch {
			case n == 1:
				b.WriteString(strconv.Itoa(t.Year() % 100))
			case n == 2:
				b.WriteString(pad(int64(t.Year()%100), 2))
			default:
				b.WriteString(pad(int64(t.Year()), n))
			}
		case 'h', 'H', 'm', 's':
			var v int
			switch c {
			case 'h':
				v = t.Hour() % 12
				if v == 0 {
					v = 12
				}
			case 'H':
				v = t.Hour()
			case 'm':
				v = t.Minute()
			case 's':
				v = t.Second()
			}
			if n > 2 {
				return "", fmt.Errorf("format_datetime(): invalid specifier %q at position %d", format[i:i+n], i+1)
			}
			if n == 2 {
				b.WriteString(pad(int64(v), 2))
			} else {
				b.WriteString(strconv.Itoa(v))
			}
		case 'f', 'F':
			if n > 7 {
				return "", fmt.Errorf("format_datetime(): at most 7 fraction digits, got %q at position %d", format[i:i+n], i+1)
			}
			writeFraction(&b, frac, c, n)
		case 't':
			ampm := "AM"
			if t.Hour() >= 12 {
				ampm = "PM"
			}
			if n == 1 {
				ampm = ampm[:1]
			}
			b.WriteString(ampm)
		case '\\':
			if i+1 < len(format) {
				b.WriteByte(format[i+1])
				i += 2
				continue
			}
		default:
			if isAlnum(c) {
				return "", fmt.Errorf("format_datetime(): unknown specifier %q at position %d", string(c), i+1)
			}
			b.WriteString(format[i : i+n])
		}
		i += n
	}
	return b.String(), nil
}

// writeFraction writes n digits of the 7-digit tick fraction; F trims
// trailing zeros and, when nothing remains, a '.' written just before.
func writeFraction(b *strings.Builder, frac int64, c byte, n int) {
	digits := pad(frac, 7)[:n]
	if c == 'F' {
		digits = strings.TrimRight(digits, "0")
		if digits == "" {
			s := b.String()
			if strings.HasSuffix(s, ".") {
				b.Reset()
				b.WriteString(s[:len(s)-1])
			}
			return
		}
	}
	b.WriteString(digits)
}

func pad(v int64, n int) string {
	s := strconv.FormatInt(v, 10)
	if len(s) < n {
		s = strings.Repeat("0", n-len(s)) + s
	}
	return s
}

// formatTimeSpan renders d with Kusto's format_timespan specifiers.
func formatTimeSpan(d int64, format string) (string, error) {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	days, rem := d/types.Day, d%types.Day
	h, m, s, frac := rem/types.Hour, rem%types.Hour/types.Minute, rem%types.Minute/types.Second, rem%types.Second
	for i := 0; i < len(format); {
		c := format[i]
		n := 1
		for i+n < len(format) && format[i+n] == c {
			n++
		}
		switch c {
		case 'd':
			if n > 8 {
				return "", fmt.Errorf("format_timespan(): at most 8 day digits, got %q at position %d", format[i:i+n], i+1)
			}
			b.WriteString(pad(days, n))
		case 'h', 'H', 'm', 's':
			v := map[byte]int64{'h': h, 'H': h, 'm': m, 's': s}[c]
			if n > 2 {
				return "", fmt.Errorf("format_timespan(): invalid specifier %q at position %d", format[i:i+n], i+1)
			}
			b.WriteString(pad(v, n))
		case 'f', 'F':
			if n > 7 {
				return "", fmt.Errorf("format_timespan(): at most 7 fraction digits, got %q at position %d", format[i:i+n], i+1)
			}
			writeFraction(&b, frac, c, n)
		case '\\':
			if i+1 < len(format) {
				b.WriteByte(format[i+1])
				i += 2
				continue
			}
		default:
			if isAlnum(c) {
				return "", fmt.Errorf("format_timespan(): unknown specifier %q at position %d", string(c), i+1)
			}
			b.WriteString(format[i : i+n])
		}
		i += n
	}
	return b.String(), nil
}
