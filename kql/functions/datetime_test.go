package functions

import (
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

func TestDateTimeFunctions(t *testing.T) {
	dt := DT("2017-10-30 01:02:03.7654321")
	runScalars(t, []scase{
		{"now", A(), DT("2024-03-15T12:30:00Z")},
		{"now", A(TS("-2h")), DT("2024-03-15T10:30:00Z")},
		{"ago", A(TS("1d")), DT("2024-03-14T12:30:00Z")},
		{"ago", A(N(types.TimeSpan)), N(types.DateTime)},
		{"bin", A(R(4.5), L(1)), R(4)},
		{"bin", A(R(-4.5), L(1)), R(-5)},
		{"bin", A(L(17), L(5)), L(15)},
		{"bin", A(L(-17), L(5)), L(-20)},
		{"bin", A(I(17), L(5)), L(15)},
		{"bin", A(L(17), R(2.5)), R(15)},
		{"bin", A(TS("16d"), TS("7d")), TS("14d")},
		{"bin", A(DT("1970-05-11 13:45:07"), TS("1d")), DT("1970-05-11")},
		{"bin", A(DT("2024-03-15 12:34:56"), TS("1h")), DT("2024-03-15 12:00")},
		{"bin", A(DT("2024-03-15 12:34:56"), TS("15m")), DT("2024-03-15 12:30")},
		{"bin", A(DT("1969-12-31 23:30"), TS("1h")), DT("1969-12-31 23:00")},
		{"bin", A(L(5), L(0)), N(types.Long)},
		{"bin", A(N(types.DateTime), TS("1d")), N(types.DateTime)},
		{"floor", A(R(4.5), L(1)), R(4)},
		{"bin_at", A(R(6.5), R(2.5), L(7)), R(4.5)},
		{"bin_at", A(TS("1h"), TS("1d"), TS("12h")), TS("-12h")},
		{"bin_at", A(DT("2017-05-15 10:20:00"), TS("1d"), DT("1970-01-01 12:00:00")), DT("2017-05-14 12:00:00")},
		{"bin_at", A(DT("2017-05-17 10:20:00"), TS("7d"), DT("2017-05-15 00:00:00")), DT("2017-05-15")},
		{"startofday", A(DT("2017-01-01 10:10:17")), DT("2017-01-01")},
		{"startofday", A(DT("2017-01-01 10:10:17"), L(-1)), DT("2016-12-31")},
		{"startofday", A(DT("2017-01-01 10:10:17"), L(1)), DT("2017-01-02")},
		{"startofweek", A(DT("2017-01-01 10:10:17"), L(-1)), DT("2016-12-25")},
		{"startofweek", A(DT("2017-01-01 10:10:17"), L(1)), DT("2017-01-08")},
		{"startofweek", A(DT("2017-01-04 10:10:17")), DT("2017-01-01")},
		{"startofmonth", A(DT("2017-01-01 10:10:17"), L(-1)), DT("2016-12-01")},
		{"startofmonth", A(DT("2017-01-31 10:10:17"), L(1)), DT("2017-02-01")},
		{"startofyear", A(DT("2017-01-01 10:10:17"), L(1)), DT("2018-01-01")},
		{"startofyear", A(DT("2017-06-01 10:10:17")), DT("2017-01-01")},
		{"endofday", A(DT("2017-01-01 10:10:17"), L(-1)), DT("2016-12-31 23:59:59.9999999")},
		{"endofday", A(DT("2017-01-01 10:10:17")), DT("2017-01-01 23:59:59.9999999")},
		{"endofweek", A(DT("2017-01-01 10:10:17"), L(1)), DT("2017-01-14 23:59:59.9999999")},
		{"endofmonth", A(DT("2017-01-01 10:10:17"), L(1)), DT("2017-02-28 23:59:59.9999999")},
		{"endofmonth", A(DT("2016-02-10")), DT("2016-02-29 23:59:59.9999999")},
		{"endofyear", A(DT("2017-01-01 10:10:17"), L(1)), DT("2018-12-31 23:59:59.9999999")},
		{"startofday", A(N(types.DateTime)), N(types.DateTime)},
		{"datetime_add", A(S("year"), L(1), DT("2017-01-01")), DT("2018-01-01")},
		{"datetime_add", A(S("quarter"), L(1), DT("2017-01-01")), DT("2017-04-01")},
		{"datetime_add", A(S("month"), L(1), DT("2017-01-01")), DT("2017-02-01")},
		{"datetime_add", A(S("month"), L(1), DT("2017-01-31")), DT("2017-02-28")},
		{"datetime_add", A(S("month"), L(-1), DT("2017-03-31 10:00")), DT("2017-02-28 10:00")},
		{"datetime_add", A(S("year"), L(1), DT("2016-02-29")), DT("2017-02-28")},
		{"datetime_add", A(S("week"), L(1), DT("2017-01-01")), DT("2017-01-08")},
		{"datetime_add", A(S("day"), L(1), DT("2017-01-01")), DT("2017-01-02")},
		{"datetime_add", A(S("hour"), L(1), DT("2017-01-01")), DT("2017-01-01 01:00")},
		{"datetime_add", A(S("minute"), L(-1), DT("2017-01-01")), DT("2016-12-31 23:59")},
		{"datetime_add", A(S("second"), L(1), DT("2017-01-01")), DT("2017-01-01 00:00:01")},
		{"datetime_add", A(S("millisecond"), L(1), DT("2017-01-01")), DT("2017-01-01 00:00:00.001")},
		{"datetime_add", A(S("microsecond"), L(1), DT("2017-01-01")), DT("2017-01-01 00:00:00.000001")},
		{"datetime_add", A(S("nanosecond"), L(100), DT("2017-01-01")), DT("2017-01-01 00:00:00.0000001")},
		{"datetime_add", A(S("Day"), L(1), N(types.DateTime)), N(types.DateTime)},
		{"datetime_diff", A(S("year"), DT("2017-01-01"), DT("2000-12-31")), L(17)},
		{"datetime_diff", A(S("quarter"), DT("2017-07-01"), DT("2017-03-30")), L(2)},
		{"datetime_diff", A(S("month"), DT("2017-01-01"), DT("2015-12-30")), L(13)},
		{"datetime_diff", A(S("week"), DT("2017-10-29 00:00"), DT("2017-09-30 23:59")), L(5)},
		{"datetime_diff", A(S("day"), DT("2017-10-29 00:00"), DT("2017-09-30 23:59")), L(29)},
		{"datetime_diff", A(S("hour"), DT("2017-10-31 01:00"), DT("2017-10-30 23:59")), L(2)},
		{"datetime_diff", A(S("minute"), DT("2017-10-30 23:05:01"), DT("2017-10-30 23:00:59")), L(5)},
		{"datetime_diff", A(S("second"), DT("2017-10-30 23:00:10.100"), DT("2017-10-30 23:00:00.900")), L(10)},
		{"datetime_diff", A(S("millisecond"), DT("2017-10-30 23:00:00.200100"), DT("2017-10-30 23:00:00.100900")), L(100)},
		{"datetime_diff", A(S("microsecond"), DT("2017-10-30 23:00:00.1009001"), DT("2017-10-30 23:00:00.1008009")), L(100)},
		{"datetime_diff", A(S("nanosecond"), DT("2017-10-30 23:00:00.0000000"), DT("2017-10-30 23:00:00.0000010")), L(-1000)},
		{"datetime_diff", A(S("day"), DT("2017-01-01"), DT("2017-01-03")), L(-2)},
		{"datetime_part", A(S("Year"), dt), I(2017)},
		{"datetime_part", A(S("Quarter"), dt), I(4)},
		{"datetime_part", A(S("Month"), dt), I(10)},
		{"datetime_part", A(S("week_of_year"), dt), I(44)},
		{"datetime_part", A(S("Day"), dt), I(30)},
		{"datetime_part", A(S("DayOfYear"), dt), I(303)},
		{"datetime_part", A(S("Hour"), dt), I(1)},
		{"datetime_part", A(S("Minute"), dt), I(2)},
		{"datetime_part", A(S("Second"), dt), I(3)},
		{"datetime_part", A(S("Millisecond"), dt), I(765)},
		{"datetime_part", A(S("Microsecond"), dt), I(765432)},
		{"datetime_part", A(S("Nanosecond"), dt), I(765432100)},
		{"dayofweek", A(DT("1947-11-30 10:00:05")), TS("0d")},
		{"dayofweek", A(DT("1970-05-11")), TS("1d")},
		{"dayofweek", A(DT("2024-03-16")), TS("6d")},
		{"dayofmonth", A(DT("2015-12-14")), I(14)},
		{"dayofyear", A(DT("2015-12-14")), I(348)},
		{"hourofday", A(DT("2015-12-14 18:54")), I(18)},
		{"getmonth", A(DT("2015-10-12")), I(10)},
		{"monthofyear", A(DT("2015-12-14")), I(12)},
		{"getyear", A(DT("2015-10-12")), I(2015)},
		{"weekofyear", A(DT("2020-12-31")), I(53)},
		{"weekofyear", A(DT("2020-06-22")), I(26)},
		{"weekofyear", A(DT("2021-01-01")), I(53)},
		{"weekofyear", A(DT("2021-01-04")), I(1)},
		{"week_of_year", A(DT("2015-12-14")), I(51)},
		{"getyear", A(N(types.DateTime)), N(types.Int)},
		{"make_datetime", A(L(2017), L(10), L(1)), DT("2017-10-01")},
		{"make_datetime", A(L(2017), L(10), L(1), L(12), L(10)), DT("2017-10-01 12:10")},
		{"make_datetime", A(L(2017), L(10), L(1), L(12), L(11), R(0.1234567)), DT("2017-10-01 12:11:00.1234567")},
		{"make_datetime", A(L(2017), L(2), L(30)), N(types.DateTime)},
		{"make_datetime", A(L(2017), L(13), L(1)), N(types.DateTime)},
		{"make_timespan", A(L(12), L(30), R(15.55)), types.NewTimeSpan(12*types.Hour + 30*types.Minute + 155500000)},
		{"make_timespan", A(L(1), L(12), L(30), L(0)), types.NewTimeSpan(types.Day + 12*types.Hour + 30*types.Minute)},
		{"make_timespan", A(L(2), L(30)), TS("150m")},
		{"unixtime_seconds_todatetime", A(L(1546300800)), DT("2019-01-01")},
		{"unixtime_seconds_todatetime", A(R(1546300800.5)), DT("2019-01-01 00:00:00.5")},
		{"unixtime_seconds_todatetime", A(L(-1)), DT("1969-12-31 23:59:59")},
		{"unixtime_milliseconds_todatetime", A(L(1546300800000)), DT("2019-01-01")},
		{"unixtime_microseconds_todatetime", A(L(1546300800000000)), DT("2019-01-01")},
		{"unixtime_nanoseconds_todatetime", A(L(1546300800000000000)), DT("2019-01-01")},
		{"unixtime_seconds_todatetime", A(N(types.Long)), N(types.DateTime)},
		{"format_datetime", A(DT("2015-12-14 02:03:04.12345"), S("y-M-d h:m:s.fffffff")), S("15-12-14 2:3:4.1234500")},
		{"format_datetime", A(DT("2017-01-29 09:00:05"), S("yy-MM-dd [HH:mm:ss]")), S("17-01-29 [09:00:05]")},
		{"format_datetime", A(DT("2017-01-29 09:00:05"), S("yyyy-M-dd [H:mm:ss]")), S("2017-1-29 [9:00:05]")},
		{"format_datetime", A(DT("2017-01-29 09:00:05"), S("yy-MM-dd [hh:mm:ss tt]")), S("17-01-29 [09:00:05 AM]")},
		{"format_datetime", A(DT("2017-01-29 21:00:05"), S("hh tt")), S("09 PM")},
		{"format_datetime", A(DT("2017-01-29 09:00:05"), S("yyyy-MM-dd HH:mm:ss.FFF")), S("2017-01-29 09:00:05")},
		{"format_datetime", A(DT("2017-01-29 09:00:05.5"), S("ss.FFF")), S("05.5")},
		{"format_datetime", A(N(types.DateTime), S("yyyy")), S("")},
		{"format_timespan", A(types.NewTimeSpan(14*types.Day+2*types.Hour+3*types.Minute+4*types.Second+1234500), S("h:m:s.fffffff")), S("2:3:4.1234500")},
		{"format_timespan", A(types.NewTimeSpan(14*types.Day+2*types.Hour+3*types.Minute+4*types.Second+1234500), S("h:m:s.FFFFFFF")), S("2:3:4.12345")},
		{"format_timespan", A(types.NewTimeSpan(14*types.Day+2*types.Hour+3*types.Minute+4*types.Second+1234500), S("hh:mm:ss.FF")), S("02:03:04.12")},
		{"format_timespan", A(types.NewTimeSpan(14*types.Day+2*types.Hour+3*types.Minute+4*types.Second+1234500), S("ddd.h:mm:ss [fffffff]")), S("014.2:03:04 [1234500]")},
		{"format_timespan", A(TS("-1h"), S("hh:mm")), S("-01:00")},
		{"datetime_utc_to_local", A(DT("2020-02-02 20:02:20"), S("US/Pacific")), DT("2020-02-02 12:02:20")},
		{"datetime_local_to_utc", A(DT("2020-02-02 20:02:20"), S("US/Pacific")), DT("2020-02-03 04:02:20")},
		{"datetime_utc_to_local", A(DT("2020-07-02 20:02:20"), S("Europe/Berlin")), DT("2020-07-02 22:02:20")},
	})
}

func TestDateTimeErrors(t *testing.T) {
	for _, c := range []struct {
		fn   string
		args []types.Value
		want string
	}{
		{"datetime_add", A(S("fortnight"), L(1), DT("2017-01-01")), `datetime_add(): unknown period "fortnight"`},
		{"datetime_diff", A(S("eon"), DT("2017-01-01"), DT("2017-01-01")), `datetime_diff(): unknown period "eon"`},
		{"datetime_part", A(S("x"), DT("2017-01-01")), `datetime_part(): unknown part "x"`},
		{"format_datetime", A(DT("2017-01-01"), S("yyyy-QQ")), `format_datetime(): unknown specifier "Q" at position 6`},
		{"format_datetime", A(DT("2017-01-01"), S("fffffffff")), "at most 7 fraction digits"},
		{"format_timespan", A(TS("1h"), S("hhh")), `format_timespan(): invalid specifier "hhh" at position 1`},
		{"datetime_utc_to_local", A(DT("2017-01-01"), S("Mars/Olympus")), `unknown time zone "Mars/Olympus"`},
	} {
		f, _ := LookupScalar(c.fn)
		_, err := f.Eval(testEnv, c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.fn, err, c.want)
		}
	}
}

func TestParseTimeSpanLiterals(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"2d", 2 * types.Day, true},
		{"0.5d", 12 * types.Hour, true},
		{"3h", 3 * types.Hour, true},
		{"30m", 30 * types.Minute, true},
		{"30min", 30 * types.Minute, true},
		{"10s", 10 * types.Second, true},
		{"0.1s", types.Second / 10, true},
		{"100ms", 100 * types.Millisecond, true},
		{"10microsecond", 10 * types.Microsecond, true},
		{"1tick", 1, true},
		{"100ns", 1, true},
		{"1.00:00:00", types.Day, true},
		{"00:00:01.5", 15 * types.Second / 10, true},
		{"-00:30", -30 * types.Minute, true},
		{"", 0, false},
		{"d", 0, false},
		{"1x", 0, false},
		{"12:60", 0, false},
		{"1.2.3:00", 0, false},
	} {
		got, ok := ParseTimeSpan(c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("ParseTimeSpan(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestParseDateTimeRejects(t *testing.T) {
	for _, s := range []string{"2014-13-01", "2014-11-08 25:00", "2014-11-08T10:61", "14-11-08", "2014-11-08 10:00 XYZ", "Sat, 32 Nov 14 15:05:02 GMT", "Sat, 8 Foo 14 15:05:02 GMT", "2014-11-08T10:00:00+5"} {
		if v, ok := ParseDateTime(s); ok {
			t.Errorf("ParseDateTime(%q) = %s, want failure", s, types.FormatDateTime(v))
		}
	}
}
