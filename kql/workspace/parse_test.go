package workspace

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/types"
)

func TestParseDateTime(t *testing.T) {
	ref := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return types.TimeToTicks(tm)
	}
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"2024-01-02T03:04:05Z", ref("2024-01-02T03:04:05Z"), true},
		{"2024-01-02T03:04:05.1234567Z", ref("2024-01-02T03:04:05.1234567Z"), true},
		{"2024-01-02T03:04:05.123456789Z", ref("2024-01-02T03:04:05.1234567Z"), true}, // truncated to ticks
		{"2024-01-02T03:04:05.5", ref("2024-01-02T03:04:05.5Z"), true},
		{"2024-01-02 03:04:05", ref("2024-01-02T03:04:05Z"), true},
		{"2024-01-02T03:04Z", ref("2024-01-02T03:04:00Z"), true},
		{"2024-01-02", ref("2024-01-02T00:00:00Z"), true},
		{"2024-01-02T03:04:05+02:00", ref("2024-01-02T01:04:05Z"), true},
		{"2024-01-02T03:04:05-0130", ref("2024-01-02T04:34:05Z"), true},
		{"2024-02-29T00:00:00Z", ref("2024-02-29T00:00:00Z"), true},
		{"1969-12-31T23:59:59.9999999Z", -1, true},
		{"0001-01-01T00:00:00Z", ref("0001-01-01T00:00:00Z"), true},
		{" 2024-01-02T03:04:05Z ", ref("2024-01-02T03:04:05Z"), true},
		{"11/22/2026, 10:15:30.123 AM", ref("2026-11-22T10:15:30.123Z"), true},
		{"11/22/2026, 12:00:00.000 AM", ref("2026-11-22T00:00:00Z"), true},
		{"1/2/2026 3:04:05 PM", ref("2026-01-02T15:04:05Z"), true},
		{"01/16/2022 00:00:00", ref("2022-01-16T00:00:00Z"), true},
		{"22.11.2026, 10:15:30.123", ref("2026-11-22T10:15:30.123Z"), true},
		{"2.1.2026 03:04:05,5", ref("2026-01-02T03:04:05.5Z"), true},
		{"2026/11/22 9:15:30.123", ref("2026-11-22T09:15:30.123Z"), true},
		{"2026/2/3", ref("2026-02-03T00:00:00Z"), true},
		{"22/11/2026, 10:15:30", 0, false}, // month-first unless the column is day-first
		{"11.22.2026 10:15", 0, false},     // dots are day-first
		{"2026.11.22 10:15", 0, false},
		{"1/2/26 10:15", 0, false},
		{"11/22/2026 13:15 PM", 0, false},
		{"10.1.20.30", 0, false},
		{"2023-02-29T00:00:00Z", 0, false},
		{"2024-13-01", 0, false},
		{"2024-01-02T24:00:00Z", 0, false},
		{"2024-01-02T03:04:05.Z", 0, false},
		{"2024-01-02T03:04:05Zjunk", 0, false},
		{"2024-01-02X03:04:05", 0, false},
		{"yesterday", 0, false},
		{"2024", 0, false},
		{"", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseDateTime([]byte(tc.in))
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("parseDateTime(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// The hand-written calendar code must agree with the time package.
func TestCalendarAgainstTimePackage(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		ticks := rng.Int63n(2*types.Day*365*400) - types.Day*365*300
		want := types.FormatDateTime(ticks)
		if got := string(appendDateTime(nil, ticks)); got != want {
			t.Fatalf("appendDateTime(%d) = %s, want %s", ticks, got, want)
		}
		back, ok := parseDateTime([]byte(want))
		if !ok || back != ticks {
			t.Fatalf("parseDateTime(%s) = %d, %v; want %d", want, back, ok, ticks)
		}
	}
}

func TestParseTimeSpan(t *testing.T) {
	tests := []struct {
		in    string
		units bool
		want  int64
		ok    bool
	}{
		{"00:00:01", false, types.Second, true},
		{"01:02:03.5", false, types.Hour + 2*types.Minute + 3*types.Second + 5*types.Second/10, true},
		{"2.03:00:00", false, 2*types.Day + 3*types.Hour, true},
		{"-00:00:00.0000001", false, -1, true},
		{"10:30", false, 10*types.Hour + 30*types.Minute, true},
		{"1d", true, types.Day, true},
		{"100ms", true, 100 * types.Millisecond, true},
		{"1d", false, 0, false},
		{"00:60:00", false, 0, false},
		{"1.24:00:00", false, 0, false},
		{"abc", true, 0, false},
		{"5parsecs", true, 0, false},
	}
	for _, tc := range tests {
		got, ok := parseTimeSpan([]byte(tc.in), tc.units)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("parseTimeSpan(%q, %v) = %d, %v; want %d, %v", tc.in, tc.units, got, ok, tc.want, tc.ok)
		}
	}
	for _, ticks := range []int64{0, 1, types.Second, -types.Day - 1, 400*types.Day + 5*types.Hour + 123} {
		s := types.FormatTimeSpan(ticks)
		if got, ok := parseTimeSpan([]byte(s), false); !ok || got != ticks {
			t.Errorf("parseTimeSpan(FormatTimeSpan(%d) = %q) = %d, %v", ticks, s, got, ok)
		}
	}
}

func TestParseScalars(t *testing.T) {
	var buf [36]byte
	guids := []struct{ in, want string }{
		{"0f8fad5b-d9cb-469f-a165-70867728950e", "0f8fad5b-d9cb-469f-a165-70867728950e"},
		{"0F8FAD5B-D9CB-469F-A165-70867728950E", "0f8fad5b-d9cb-469f-a165-70867728950e"},
		{"{0F8FAD5B-D9CB-469F-A165-70867728950E}", "0f8fad5b-d9cb-469f-a165-70867728950e"},
		{"0F8FAD5BD9CB469FA16570867728950E", "0f8fad5b-d9cb-469f-a165-70867728950e"},
		{"0f8fad5b-d9cb-469f-a165-70867728950", ""},
		{"0f8fad5b-d9cb-469f-a165-7086772895zz", ""},
	}
	for _, g := range guids {
		got, ok := parseGUID([]byte(g.in), &buf)
		if ok != (g.want != "") || ok && string(got) != g.want {
			t.Errorf("parseGUID(%q) = %q, %v; want %q", g.in, got, ok, g.want)
		}
	}
	longs := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"-42", -42, true}, {"+7", 7, true}, {" 12 ", 12, true},
		{"9223372036854775807", 9223372036854775807, true}, {"-9223372036854775808", -9223372036854775808, true},
		{"9223372036854775808", 0, false}, {"1.0", 0, false}, {"1e3", 0, false}, {"-", 0, false}, {"", 0, false},
	}
	for _, l := range longs {
		got, ok := parseLong([]byte(l.in))
		if ok != l.ok || ok && got != l.want {
			t.Errorf("parseLong(%q) = %d, %v; want %d, %v", l.in, got, ok, l.want, l.ok)
		}
	}
	reals := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1.5", 1.5, true}, {"-2e3", -2000, true}, {"7", 7, true}, {"0x10", 0, false}, {"abc", 0, false},
	}
	for _, r := range reals {
		got, ok := parseReal([]byte(r.in))
		if ok != r.ok || ok && got != r.want {
			t.Errorf("parseReal(%q) = %v, %v; want %v, %v", r.in, got, ok, r.want, r.ok)
		}
	}
	bools := []struct {
		in       string
		want, ok bool
	}{
		{"true", true, true}, {"False", false, true}, {"TRUE", true, true}, {"1", true, true}, {"0", false, true},
		{"yes", false, false}, {"2", false, false},
	}
	for _, b := range bools {
		got, ok := parseBool([]byte(b.in))
		if ok != b.ok || got != b.want {
			t.Errorf("parseBool(%q) = %v, %v; want %v, %v", b.in, got, ok, b.want, b.ok)
		}
	}
}

func TestInference(t *testing.T) {
	tests := []struct {
		in   string
		want types.Type
	}{
		{"", types.Null}, {"42", types.Long}, {"-4.5", types.Real}, {"1e-3", types.Real}, {"true", types.Bool},
		{"False", types.Bool}, {"2024-01-02T03:04:05Z", types.DateTime}, {"2024-01-02", types.DateTime},
		{"0f8fad5b-d9cb-469f-a165-70867728950e", types.GUID}, {"d41d8cd98f00b204e9800998ecf8427e", types.String},
		{"01:02:03", types.TimeSpan}, {`{"a":1}`, types.Dynamic}, {`[1,2]`, types.Dynamic}, {`{not json`, types.String},
		{"alice@contoso.com", types.String}, {"2024", types.Long}, {"10.0.0.1", types.String},
	}
	for _, tc := range tests {
		if got := classifyText([]byte(tc.in)); got != tc.want {
			t.Errorf("classifyText(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	joins := []struct{ a, b, text, cell types.Type }{
		{types.Null, types.Long, types.Long, types.Long},
		{types.Long, types.Real, types.Real, types.Real},
		{types.Long, types.String, types.String, types.Dynamic},
		{types.DateTime, types.String, types.String, types.String},
		{types.GUID, types.DateTime, types.String, types.String},
		{types.Dynamic, types.Long, types.String, types.Dynamic},
		{types.Bool, types.Bool, types.Bool, types.Bool},
	}
	for _, j := range joins {
		if got := joinText(j.a, j.b); got != j.text {
			t.Errorf("joinText(%v, %v) = %v, want %v", j.a, j.b, got, j.text)
		}
		if got := joinCell(j.a, j.b); got != j.cell {
			t.Errorf("joinCell(%v, %v) = %v, want %v", j.a, j.b, got, j.cell)
		}
	}
}

func TestStrPoolInterns(t *testing.T) {
	var p strPool
	a := p.get([]byte("alice@contoso.com"))
	b := p.get([]byte("alice@contoso.com"))
	if a != b || p.hits != 1 {
		t.Fatalf("get twice: %q %q hits=%d", a, b, p.hits)
	}
	// Mostly distinct values turn interning off after the probe.
	var q strPool
	for i := 0; i < internProbe+10; i++ {
		q.get([]byte(time.Duration(i).String()))
	}
	if !q.off {
		t.Fatal("interning stayed on for distinct values")
	}
	if got := q.get([]byte("xyz")); got != "xyz" {
		t.Fatalf("arena string = %q", got)
	}
}

func TestDynamicValuesShared(t *testing.T) {
	in := "D\n\"{\"\"os\"\":\"\"Windows\"\"}\"\n\"{\"\"os\"\":\"\"Windows\"\"}\"\n\"{\"\"os\"\":\"\"Linux\"\"}\"\nnot json\n"
	tb, _, err := ReadCSV(strings.NewReader(in), "T", types.Schema{{Name: "D", Type: types.Dynamic}})
	if err != nil {
		t.Fatal(err)
	}
	d := tb.Column("D").Dyns
	if d[0].(*types.Bag) != d[1].(*types.Bag) || types.DynamicJSON(d[2]) != `{"os":"Linux"}` || d[3] != "not json" {
		t.Fatalf("dyns = %v", d)
	}
	// Mostly distinct texts stop being cached, and still parse.
	var c dynCache
	for i := 0; i < internProbe; i++ {
		if v := c.get([]byte(strconv.Itoa(i)), true); v != int64(i) {
			t.Fatalf("get(%d) = %v", i, v)
		}
	}
	if !c.off {
		t.Fatal("cache stayed on for distinct values")
	}
}
