package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/huntbook/huntbook/bench/answers"
	"github.com/huntbook/huntbook/bench/questions"
)

// The targets.
const (
	targetVsPandas     = 5.0 // every question at least 5x faster than pandas
	targetVsDuckDB     = 1.5 // and within 1.5x of DuckDB
	targetLoadVsPandas = 3.0 // loading a CSV at least 3x faster than pandas
	targetMemory       = 2.0 // peak memory at most 2x the CSV's size
)

type results struct {
	timings map[string]*answers.Timings
	files   map[string]*answers.File
}

func readResults(dir string) (*results, error) {
	r := &results{timings: map[string]*answers.Timings{}, files: map[string]*answers.File{}}
	for _, e := range engines {
		// One file per round of run.sh: timings-ENGINE-rN.json.
		paths, _ := filepath.Glob(filepath.Join(dir, "timings-"+e+"-r*.json"))
		if len(paths) == 0 {
			return nil, fmt.Errorf("report: no %s in %s", "timings-"+e+"-r*.json", dir)
		}
		var t *answers.Timings
		for _, p := range paths {
			rt, err := answers.ReadTimings(p)
			if err != nil {
				return nil, err
			}
			if t == nil {
				t = rt
			} else {
				t.Merge(rt)
			}
		}
		f, err := answers.Read(filepath.Join(dir, "answers-"+e+".json"))
		if err != nil {
			return nil, err
		}
		r.timings[e], r.files[e] = t, f
	}
	return r, nil
}

func writeReport(dir, data, readme, command string) error {
	if dir == "" || data == "" {
		return fmt.Errorf("report: -results and -data are required")
	}
	r, err := readResults(dir)
	if err != nil {
		return err
	}
	sizes := map[string]int64{}
	for _, t := range []string{"SigninLogs", "AuditLogs"} {
		st, err := os.Stat(filepath.Join(data, t+".csv"))
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		sizes[t] = st.Size()
	}
	rows, err := countRows(filepath.Join(data, "SigninLogs.csv"))
	if err != nil {
		return err
	}
	section := render(r, sizes, rows, command) + loadNote(dir)
	if readme == "" {
		_, err := os.Stdout.WriteString(section)
		return err
	}
	return updateReadme(readme, rows, section)
}

// loadNote reports the load averages run.sh saw around the timings: on a
// shared machine they explain noisy medians.
func loadNote(dir string) string {
	before, err1 := os.ReadFile(filepath.Join(dir, "loadavg-before"))
	after, err2 := os.ReadFile(filepath.Join(dir, "loadavg-after"))
	if err1 != nil || err2 != nil {
		return ""
	}
	return fmt.Sprintf("\nLoad average (1, 5, 15 min) when timing started: %s; when it ended: %s (2 cores: above 2 means other work competed for the CPUs).\n",
		strings.TrimSpace(string(before)), strings.TrimSpace(string(after)))
}

// countRows counts data lines (the generator never writes a newline
// inside a field).
func countRows(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("report: %w", err)
	}
	return bytes.Count(b, []byte{'\n'}) - 1, nil
}

func render(r *results, sizes map[string]int64, rows int, command string) string {
	var b strings.Builder
	hb, pd, dd := r.timings["huntbook"], r.timings["pandas"], r.timings["duckdb"]
	fmt.Fprintf(&b, "### %s sign-ins\n\n", thousands(rows))
	q0 := questions.All()[0].Name
	fmt.Fprintf(&b, "Reproduce with `%s` (%s, %s). Each engine ran in %s, one process per round, interleaved with the others; "+
		"a round loads each table once and runs each question once cold (its first run after the load) and then warm. "+
		"Medians of %s, %s and %s per engine.\n\n",
		command, time.Now().UTC().Format("2006-01-02"), machine(), plural(len(hb.First[q0]), "round"),
		plural(len(hb.Questions[q0]), "warm run"), plural(len(hb.First[q0]), "cold run"), plural(len(hb.Load["SigninLogs"]), "load"))
	fmt.Fprintf(&b, "Engines: huntbook %s; %s; %s.\n\n", hb.Version, pd.Version, dd.Version)
	b.WriteString("| | huntbook | pandas | DuckDB | pandas ÷ huntbook | huntbook ÷ DuckDB | huntbook cold | cold: pandas ÷ huntbook | cold: huntbook ÷ DuckDB |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, q := range questions.All() {
		h, p, d := answers.Median(hb.Questions[q.Name]), answers.Median(pd.Questions[q.Name]), answers.Median(dd.Questions[q.Name])
		hc, pc, dc := answers.Median(hb.First[q.Name]), answers.Median(pd.First[q.Name]), answers.Median(dd.First[q.Name])
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", q.Name, ms(h), ms(p), ms(d),
			ratio(p/h, p/h >= targetVsPandas), ratio(h/d, h/d <= targetVsDuckDB),
			ms(hc), ratio(pc/hc, pc/hc >= targetVsPandas), ratio(hc/dc, hc/dc <= targetVsDuckDB))
	}
	for _, t := range []string{"SigninLogs", "AuditLogs"} {
		h, p, d := answers.Median(hb.Load[t]), answers.Median(pd.Load[t]), answers.Median(dd.Load[t])
		fmt.Fprintf(&b, "| load %s.csv (%s) | %s | %s | %s | %s | %.2f× | | | |\n", t, mb(sizes[t]), ms(h), ms(p), ms(d),
			ratio(p/h, p/h >= targetLoadVsPandas), h/d)
	}
	fmt.Fprintf(&b, "\nTargets: each question ≥ %g× faster than pandas and ≤ %g× DuckDB's time; loading ≥ %g× faster than pandas "+
		"(no DuckDB target for loading); ✗ marks a miss. The cold columns compare first runs with first runs.\n\n", targetVsPandas, targetVsDuckDB, targetLoadVsPandas)
	csv := sizes["SigninLogs"] + sizes["AuditLogs"]
	fmt.Fprintf(&b, "Peak resident memory (VmHWM) of a process that loads both CSVs (%s together) once and answers every question once:\n\n", mb(csv))
	b.WriteString("| | huntbook | pandas | DuckDB |\n| --- | ---: | ---: | ---: |\n")
	row := func(label string, get func(*answers.File) int64, target bool) {
		fmt.Fprintf(&b, "| %s |", label)
		for _, e := range engines {
			v := get(r.files[e])
			x := float64(v) / float64(csv)
			cell := fmt.Sprintf("%s (%.2f× CSV)", mb(v), x)
			if target && e == "huntbook" {
				cell += mark(x <= targetMemory)
			}
			fmt.Fprintf(&b, " %s |", cell)
		}
		b.WriteString("\n")
	}
	row("after loading", func(f *answers.File) int64 { return f.RSSAfterLoad }, true)
	row("after all questions", func(f *answers.File) int64 { return f.RSSPeak }, true)
	fmt.Fprintf(&b, "\nTarget: huntbook's peak ≤ %g× the CSVs' size.\n", targetMemory)
	return b.String()
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func mark(ok bool) string {
	if ok {
		return " ✓"
	}
	return " ✗"
}

func ratio(x float64, ok bool) string { return fmt.Sprintf("%.2f×%s", x, mark(ok)) }

func ms(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.2f s", v/1000)
	case v >= 10:
		return fmt.Sprintf("%.0f ms", v)
	}
	return fmt.Sprintf("%.1f ms", v)
}

func mb(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/1e6) }

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// machine describes the CPU, cores and memory from /proc.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
		}
	}
	return fmt.Sprintf("%s, %d cores%s", cpu, runtime.NumCPU(), mem)
}

// updateReadme replaces the section for this row count between its
// markers, or appends it.
func updateReadme(path string, rows int, section string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("report: %w", err)
	}
	begin := fmt.Sprintf("<!-- results rows=%d begin -->\n", rows)
	end := fmt.Sprintf("<!-- results rows=%d end -->\n", rows)
	block := begin + section + end
	s := string(old)
	if i := strings.Index(s, begin); i >= 0 {
		j := strings.Index(s[i:], end)
		if j < 0 {
			return fmt.Errorf("report: %s has %q without %q", path, strings.TrimSpace(begin), strings.TrimSpace(end))
		}
		s = s[:i] + block + s[i+j+len(end):]
	} else {
		if s != "" && !strings.HasSuffix(s, "\n\n") {
			s = strings.TrimRight(s, "\n") + "\n\n"
		}
		s += block
	}
	return os.WriteFile(path, []byte(s), 0o644)
}
