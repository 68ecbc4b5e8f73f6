package answers

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

func TestCell(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{nil, ""},
		{float64(42), "42"},
		{int64(42), "42"},
		{1.5, "1.5"},
		{true, "true"},
		{"adele@contoso.com", "adele@contoso.com"},
		// huntbook, pandas and DuckDB spell the same instant differently.
		{"2026-11-09T01:00:00Z", "2026-11-09T01:00:00.000Z"},
		{"2026-11-09T01:00:00.175+00:00", "2026-11-09T01:00:00.175Z"},
		{"2026-11-09 01:00:00.175", "2026-11-09T01:00:00.175Z"},
		{"2026-11-09 not a time", "2026-11-09 not a time"},
		{[]any{"b", "a"}, `["a","b"]`},
		{map[string]any{"b": 1.0, "a": "x"}, `{"a":"x","b":1}`},
	} {
		if got := Cell(c.in); got != c.want {
			t.Errorf("Cell(%#v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCompare(t *testing.T) {
	base := Answer{Columns: []string{"User", "N"}, Rows: [][]any{{"a", 2.0}, {"b", 1.0}}}
	for _, c := range []struct {
		name    string
		got     Answer
		ordered bool
		wantErr string
	}{
		{"same", Answer{Columns: []string{"User", "N"}, Rows: [][]any{{"a", int64(2)}, {"b", int64(1)}}}, true, ""},
		{"row order ignored", Answer{Columns: []string{"User", "N"}, Rows: [][]any{{"b", 1.0}, {"a", 2.0}}}, false, ""},
		{"row order kept", Answer{Columns: []string{"User", "N"}, Rows: [][]any{{"b", 1.0}, {"a", 2.0}}}, true, "row 0"},
		{"columns", Answer{Columns: []string{"User", "Count"}, Rows: base.Rows}, false, "columns"},
		{"row count", Answer{Columns: []string{"User", "N"}, Rows: base.Rows[:1]}, false, "1 rows, want 2"},
		{"value", Answer{Columns: []string{"User", "N"}, Rows: [][]any{{"a", 3.0}, {"b", 1.0}}}, false, "row 0 is [a | 3]"},
	} {
		err := Compare(base, c.got, c.ordered)
		if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("%s: Compare = %v, want error containing %q", c.name, err, c.wantErr)
		}
	}
}

func TestFromTableAndFiles(t *testing.T) {
	tb := table.New("r", types.Schema{{Name: "T", Type: types.DateTime}, {Name: "S", Type: types.Dynamic}, {Name: "N", Type: types.Long}})
	if err := tb.AppendRow([]types.Value{types.NewDateTime(types.TimeToTicks(mustTime("2026-11-09T01:00:00Z"))),
		types.NewDynamic([]any{"y", "x"}), types.NewLong(7)}); err != nil {
		t.Fatal(err)
	}
	a := FromTable(tb)
	path := filepath.Join(t.TempDir(), "a.json")
	if err := Write(path, &File{Engine: "huntbook", Answers: map[string]Answer{"q": a}}); err != nil {
		t.Fatal(err)
	}
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Answer{Columns: []string{"T", "S", "N"}, Rows: [][]any{{"2026-11-09 01:00:00", []any{"x", "y"}, 7.0}}}
	if err := Compare(want, f.Answers["q"], true); err != nil {
		t.Error(err)
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("Read of a missing file: no error")
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestMedianAndPeakRSS(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := Median(c.in); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	n, err := PeakRSS()
	if err != nil || n < 1<<20 {
		t.Errorf("PeakRSS = %d, %v; want at least 1 MiB", n, err)
	}
	path := filepath.Join(t.TempDir(), "t.json")
	in := &Timings{Engine: "x", Load: map[string][]float64{"T": {1, 2}}, Questions: map[string][]float64{"q": {3}}}
	if err := WriteTimings(path, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadTimings(path)
	if err != nil || Median(out.Load["T"]) != 1.5 || out.Questions["q"][0] != 3 {
		t.Errorf("ReadTimings = %+v, %v", out, err)
	}
	out.Merge(&Timings{Load: map[string][]float64{"T": {9}}, First: map[string][]float64{"q": {4}}})
	if len(out.Load["T"]) != 3 || out.First["q"][0] != 4 || len(out.Questions["q"]) != 1 {
		t.Errorf("after Merge: %+v", out)
	}
}
