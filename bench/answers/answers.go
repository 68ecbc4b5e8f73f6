// Package answers owns the benchmark's answer files and the checker that
// says whether huntbook, pandas and DuckDB gave the same answer. Each engine
// writes JSON ({"engine": ..., "answers": {question: {"columns": [...],
// "rows": [[...]]}}}); cells are compared in a canonical text form that
// forgives what legitimately differs between engines: number types,
// datetime spellings, and the order of rows and of set elements.
package answers

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// Answer is one question's result table.
type Answer struct {
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// File is what an engine's runner writes in answer mode, where it loads
// the tables once and answers every question once.
type File struct {
	Engine  string            `json:"engine"`
	Answers map[string]Answer `json:"answers"`
	// Resident memory of that process (VmHWM from /proc/self/status) after
	// loading and after answering every question.
	RSSAfterLoad int64 `json:"rss_after_load"`
	RSSPeak      int64 `json:"rss_peak"`
}

// Read loads an answer file.
func Read(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("answers: %s: %w", path, err)
	}
	return &f, nil
}

// Write saves an answer file.
func Write(path string, f *File) error {
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("answers: %w", err)
	}
	return os.WriteFile(path, b, 0o644)
}

// FromTable turns an engine result into an Answer.
func FromTable(t *table.Table) Answer {
	a := Answer{Rows: make([][]any, t.Rows())}
	for _, c := range t.Columns {
		a.Columns = append(a.Columns, c.Name)
	}
	for i := range a.Rows {
		row := make([]any, len(t.Columns))
		for j, c := range t.Columns {
			row[j] = goValue(c.Value(i))
		}
		a.Rows[i] = row
	}
	return a
}

func goValue(v types.Value) any {
	if v.IsNull() {
		return nil
	}
	switch v.Type {
	case types.String, types.GUID:
		return v.S
	case types.Bool:
		return v.Bool()
	case types.Int, types.Long:
		return v.I
	case types.Real, types.Decimal:
		return v.F
	case types.DateTime:
		return v.Time().UTC().Format(time.RFC3339Nano)
	case types.TimeSpan:
		return types.FormatTimeSpan(v.I)
	case types.Dynamic:
		var d any
		if err := json.Unmarshal([]byte(types.DynamicJSON(v.D)), &d); err == nil {
			return d
		}
	}
	return v.String()
}

// Canonical renders an answer as rows of canonical cells, sorted unless
// the row order is part of the answer.
func Canonical(a Answer, ordered bool) [][]string {
	rows := make([][]string, len(a.Rows))
	for i, r := range a.Rows {
		rows[i] = make([]string, len(r))
		for j, v := range r {
			rows[i][j] = Cell(v)
		}
	}
	if !ordered {
		slices.SortFunc(rows, func(x, y []string) int { return slices.Compare(x, y) })
	}
	return rows
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"}

// Cell is the canonical text of one value: integers without a fraction,
// datetimes as UTC RFC 3339 with milliseconds, null as "", arrays sorted
// (make_set order is unspecified in every engine).
func Cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', 12, 64)
	case string:
		if len(x) >= 19 && x[4] == '-' && x[7] == '-' {
			for _, l := range timeLayouts {
				if t, err := time.Parse(l, x); err == nil {
					return t.UTC().Format("2006-01-02T15:04:05.000Z")
				}
			}
		}
		return x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = strconv.Quote(Cell(e))
		}
		slices.Sort(parts)
		return "[" + strings.Join(parts, ",") + "]"
	default:
		b, err := json.Marshal(x) // maps: encoding/json sorts the keys
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
}

// Compare reports how got differs from want: column names, row count, then
// the first differing row.
func Compare(want, got Answer, ordered bool) error {
	if !slices.Equal(want.Columns, got.Columns) {
		return fmt.Errorf("columns %v, want %v", got.Columns, want.Columns)
	}
	w, g := Canonical(want, ordered), Canonical(got, ordered)
	if len(w) != len(g) {
		return fmt.Errorf("%d rows, want %d", len(g), len(w))
	}
	for i := range w {
		if !slices.Equal(w[i], g[i]) {
			return fmt.Errorf("row %d is %s, want %s", i, show(g[i]), show(w[i]))
		}
	}
	return nil
}

func show(r []string) string {
	s := "[" + strings.Join(r, " | ") + "]"
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
