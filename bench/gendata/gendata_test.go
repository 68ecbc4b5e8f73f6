package gendata

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestNormalize(t *testing.T) {
	for _, c := range []struct {
		cfg     Config
		wantErr string
	}{
		{Config{Rows: 0}, "rows must be positive"},
		{Config{Rows: 10, AuditRows: -1}, "must not be negative"},
		{Config{Rows: 100_000, Days: 1, Users: 5}, ""},
		{Config{Rows: 86_400_001, Days: 1}, "do not fit 1 days"},
	} {
		_, err := c.cfg.Normalize()
		if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("Normalize(%+v) = %v, want error containing %q", c.cfg, err, c.wantErr)
		}
	}
	got, err := Config{Rows: 1000}.Normalize()
	if err != nil || got.AuditRows != 250 || got.Users != 50 || got.Days != 14 || !got.End.Equal(DefaultEnd) {
		t.Errorf("defaults: %+v, %v", got, err)
	}
}

func write(t *testing.T, cfg Config, procs int) string {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	dir := t.TempDir()
	if err := Write(dir, cfg); err != nil {
		t.Fatal(err)
	}
	return dir
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The same seed gives the same bytes however many goroutines write them
// (rows span several blocks); another seed gives other data.
func TestDeterministic(t *testing.T) {
	cfg := Config{Rows: 40_000, Seed: 3}
	a, b := write(t, cfg, 1), write(t, cfg, 4)
	cfg.Seed = 4
	c := write(t, cfg, 2)
	for _, f := range []string{"SigninLogs.csv", "AuditLogs.csv", "SigninLogs.schema.json", "workspace.json"} {
		if !bytes.Equal(read(t, filepath.Join(a, f)), read(t, filepath.Join(b, f))) {
			t.Errorf("%s differs between 1 and 4 workers", f)
		}
	}
	if bytes.Equal(read(t, filepath.Join(a, "SigninLogs.csv")), read(t, filepath.Join(c, "SigninLogs.csv"))) {
		t.Error("seeds 3 and 4 gave the same sign-ins")
	}
}

func parse(t *testing.T, path string, cols []Column) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(read(t, path)))
	r.FieldsPerRecord = len(cols)
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for i, c := range cols {
		if recs[0][i] != c.Name {
			t.Fatalf("%s: header column %d is %q, want %q", path, i, recs[0][i], c.Name)
		}
	}
	return recs[1:]
}

// The files are well-formed CSV matching their schema files, sign-in times
// strictly increase (so arg_max has one answer), dynamic columns hold JSON,
// and audit events share CorrelationIds with sign-ins as the join needs.
func TestShape(t *testing.T) {
	dir := write(t, Config{Rows: 20_000, Seed: 1}, 2)
	var schema struct {
		Name       string
		Properties []Column
	}
	if err := json.Unmarshal(read(t, filepath.Join(dir, "SigninLogs.schema.json")), &schema); err != nil {
		t.Fatal(err)
	}
	if schema.Name != "SigninLogs" || len(schema.Properties) != len(SigninColumns) {
		t.Fatalf("schema file: %+v", schema)
	}
	signins := parse(t, filepath.Join(dir, "SigninLogs.csv"), SigninColumns)
	audit := parse(t, filepath.Join(dir, "AuditLogs.csv"), AuditColumns)
	if len(signins) != 20_000 || len(audit) != 5_000 {
		t.Fatalf("%d sign-ins and %d audit rows, want 20000 and 5000", len(signins), len(audit))
	}
	check := func(name string, cols []Column, rows [][]string) {
		for i, c := range cols {
			for n, r := range rows {
				switch c.Type {
				case "dynamic":
					if !json.Valid([]byte(r[i])) {
						t.Fatalf("%s row %d %s: not JSON: %s", name, n+1, c.Name, r[i])
					}
				case "datetime":
					if _, err := time.Parse(time.RFC3339Nano, r[i]); err != nil {
						t.Fatalf("%s row %d %s: %v", name, n+1, c.Name, err)
					}
				}
			}
		}
	}
	check("SigninLogs", SigninColumns, signins)
	check("AuditLogs", AuditColumns, audit)
	corr := map[string]bool{}
	codes := map[string]int{}
	for i, r := range signins {
		if i > 0 && r[0] <= signins[i-1][0] {
			t.Fatalf("sign-in %d at %s is not after %s", i+1, r[0], signins[i-1][0])
		}
		corr[r[16]] = true
		codes[r[8]]++
	}
	if len(corr) != len(signins) {
		t.Errorf("%d distinct sign-in CorrelationIds for %d rows", len(corr), len(signins))
	}
	if f := 1 - float64(codes["0"])/float64(len(signins)); f < 0.1 || f > 0.25 {
		t.Errorf("failure share %.2f, want 0.1-0.25", f)
	}
	shared := 0
	for _, r := range audit {
		if corr[r[7]] {
			shared++
		}
	}
	if f := float64(shared) / float64(len(audit)); f < 0.5 || f > 0.7 {
		t.Errorf("%.2f of audit events share a sign-in's CorrelationId, want about 0.6", f)
	}
}
