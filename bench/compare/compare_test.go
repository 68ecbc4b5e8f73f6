package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/bench/answers"
	"github.com/huntbook/huntbook/bench/questions"
)

// writeResults writes answer and timing files for all engines; engine
// "pandas" answers question bad with one count off.
func writeResults(t *testing.T, bad string) string {
	t.Helper()
	dir := t.TempDir()
	for _, e := range engines {
		f := &answers.File{Engine: e, Answers: map[string]answers.Answer{}, RSSAfterLoad: 1000, RSSPeak: 3000}
		tm := &answers.Timings{Engine: e, Version: e + " 1", Load: map[string][]float64{}, First: map[string][]float64{}, Questions: map[string][]float64{}}
		for _, q := range questions.All() {
			n := 5.0
			if e == "pandas" && q.Name == bad {
				n = 6
			}
			f.Answers[q.Name] = answers.Answer{Columns: []string{"K", "N"}, Rows: [][]any{{"a", n}, {"b", 1.0}}}
			ms := map[string]float64{"huntbook": 10, "pandas": 100, "duckdb": 5}[e]
			tm.Questions[q.Name] = []float64{ms, ms * 3, ms / 2}
			tm.First[q.Name] = []float64{ms * 2}
		}
		for _, tb := range []string{"SigninLogs", "AuditLogs"} {
			tm.Load[tb] = []float64{map[string]float64{"huntbook": 100, "pandas": 200, "duckdb": 50}[e]}
		}
		if err := answers.Write(filepath.Join(dir, "answers-"+e+".json"), f); err != nil {
			t.Fatal(err)
		}
		// Two rounds: the report pools their runs.
		for _, r := range []string{"r1", "r2"} {
			if err := answers.WriteTimings(filepath.Join(dir, "timings-"+e+"-"+r+".json"), tm); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

func TestCheck(t *testing.T) {
	var out bytes.Buffer
	if err := check(&out, writeResults(t, "")); err != nil {
		t.Fatalf("agreeing answers: %v\n%s", err, out.String())
	}
	out.Reset()
	err := check(&out, writeResults(t, "failures_join_audit"))
	if err == nil || !strings.Contains(out.String(), "FAIL failures_join_audit") || !strings.Contains(out.String(), "pandas") {
		t.Fatalf("one differing answer: err %v, output:\n%s", err, out.String())
	}
	if err := check(&out, t.TempDir()); err == nil {
		t.Error("missing files: no error")
	}
}

func TestReport(t *testing.T) {
	res := writeResults(t, "")
	data := t.TempDir()
	// 1000 bytes of CSV, 3 data rows.
	os.WriteFile(filepath.Join(data, "SigninLogs.csv"), []byte("h\n1\n2\n3\n"+strings.Repeat("x", 992)), 0o644)
	os.WriteFile(filepath.Join(data, "AuditLogs.csv"), nil, 0o644)
	readme := filepath.Join(t.TempDir(), "README.md")
	os.WriteFile(readme, []byte("# Bench\n\nintro\n"), 0o644)
	for range 2 { // a second run replaces the section, it does not add one
		if err := writeReport(res, data, readme, "bench/run.sh --rows 3"); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(readme)
	s := string(b)
	for _, want := range []string{
		"# Bench\n\nintro\n\n<!-- results rows=3 begin -->",
		"`bench/run.sh --rows 3`",
		"| top_failing_users | 10 ms | 100 ms | 5.0 ms | 10.00× ✓ | 2.00× ✗ | 20 ms | 10.00× ✓ | 2.00× ✗ |",
		"| load SigninLogs.csv (0 MB) | 100 ms | 200 ms | 50 ms | 2.00× ✗ | 2.00× |",
		"Medians of 6 warm runs, 2 cold runs and 2 loads per engine",
		"| after loading | 0 MB (1.00× CSV) ✓ |",
		"| after all questions | 0 MB (3.00× CSV) ✗ |",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q:\n%s", want, s)
		}
	}
	if n := strings.Count(s, "<!-- results rows=3 begin -->"); n != 1 {
		t.Errorf("%d result sections, want 1", n)
	}
	if err := writeReport(res, t.TempDir(), readme, "x"); err == nil {
		t.Error("missing CSVs: no error")
	}
}
