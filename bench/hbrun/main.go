// Command hbrun is huntbook's side of the engine benchmark: it loads a
// bench/gen workspace through providers/local and answers the questions in
// bench/questions.
//
//	hbrun -data DIR -answers FILE                  load once, answer once, record memory
//	hbrun -data DIR -timings FILE -runs 5 -load-runs 3
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/huntbook/huntbook/bench/answers"
	"github.com/huntbook/huntbook/bench/questions"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/local"
)

// Tables every question set reads, in load order.
var tables = []string{"SigninLogs", "AuditLogs"}

func main() {
	data := flag.String("data", "", "workspace folder written by bench/gen (required)")
	ansPath := flag.String("answers", "", "answer mode: write answers and memory to this file")
	timPath := flag.String("timings", "", "timing mode: write run times to this file")
	runs := flag.Int("runs", 5, "timed runs of each question after its first run")
	loadRuns := flag.Int("load-runs", 1, "timed loads of each table")
	only := flag.String("q", "", "run only this question (for profiling)")
	label := flag.String("version", "", "version to record (run.sh passes the git commit)")
	cpuProfile := flag.String("cpuprofile", "", "timing mode: write a CPU profile of the question runs (not the loads) here")
	loadProfile := flag.String("loadprofile", "", "write a CPU profile of the loads (not the questions) here")
	flag.Parse()
	if *data == "" || (*ansPath == "") == (*timPath == "") {
		fmt.Fprintln(os.Stderr, "usage: hbrun -data DIR (-answers FILE | -timings FILE [-runs N] [-load-runs N])")
		os.Exit(2)
	}
	qs := questions.All()
	if *only != "" {
		q, err := questions.ByName(*only)
		if err != nil {
			fail(err)
		}
		qs = []questions.Question{q}
	}
	var err error
	if *loadProfile != "" {
		loadProfileOut = *loadProfile
	}
	if *ansPath != "" {
		err = answerAll(*data, *ansPath, qs)
	} else {
		err = timeAll(*data, *timPath, qs, *runs, *loadRuns, *label, *cpuProfile)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "hbrun:", err)
	os.Exit(1)
}

// loadProfileOut, when set, receives a CPU profile of the first load.
var loadProfileOut string

// load opens a fresh provider and reads every table, timing each.
func load(dir string) (*local.Provider, map[string]float64, error) {
	if loadProfileOut != "" {
		f, err := os.Create(loadProfileOut)
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, nil, err
		}
		defer pprof.StopCPUProfile()
		loadProfileOut = ""
	}
	ctx := context.Background()
	p, err := local.New("bench", []string{dir}, local.Options{})
	if err != nil {
		return nil, nil, err
	}
	if err := p.Connect(ctx); err != nil {
		return nil, nil, err
	}
	ms := map[string]float64{}
	for _, name := range tables {
		start := time.Now()
		_, rep, err := p.Workspaces()[0].Load(ctx, name)
		if err != nil {
			return nil, nil, err
		}
		ms[name] = since(start)
		if rep != nil && (rep.BadValues > 0 || rep.BadLines > 0) {
			return nil, nil, fmt.Errorf("%s: %d bad values, %d bad lines: the generator and the schema disagree", name, rep.BadValues, rep.BadLines)
		}
	}
	return p, ms, nil
}

func since(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

func run(p *local.Provider, q questions.Question) (*providers.Result, error) {
	res, err := p.NewSession().Run(context.Background(), q.KQL, providers.QueryOptions{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q.Name, err)
	}
	if len(res) != 1 {
		return nil, fmt.Errorf("%s: %d results, want 1", q.Name, len(res))
	}
	if res[0].Truncated {
		return nil, fmt.Errorf("%s: result truncated", q.Name)
	}
	return res[0], nil
}

func answerAll(dir, path string, qs []questions.Question) error {
	p, _, err := load(dir)
	if err != nil {
		return err
	}
	f := &answers.File{Engine: "huntbook", Answers: map[string]answers.Answer{}}
	if f.RSSAfterLoad, err = answers.PeakRSS(); err != nil {
		return err
	}
	for _, q := range qs {
		r, err := run(p, q)
		if err != nil {
			return err
		}
		f.Answers[q.Name] = answers.FromTable(r.Table)
	}
	if f.RSSPeak, err = answers.PeakRSS(); err != nil {
		return err
	}
	return answers.Write(path, f)
}

func timeAll(dir, path string, qs []questions.Question, runs, loadRuns int, label, cpuProfile string) error {
	if label == "" {
		label = version()
	}
	t := &answers.Timings{Engine: "huntbook", Version: label, Load: map[string][]float64{},
		First: map[string][]float64{}, Questions: map[string][]float64{}}
	var p *local.Provider
	for range max(1, loadRuns) {
		p = nil // let the previous load's tables go before timing the next
		runtime.GC()
		var ms map[string]float64
		var err error
		if p, ms, err = load(dir); err != nil {
			return err
		}
		for name, v := range ms {
			t.Load[name] = append(t.Load[name], v)
		}
		fmt.Fprintf(os.Stderr, "huntbook: load %v\n", ms)
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for _, q := range qs {
		for i := range 1 + runs {
			if cpuProfile == "" {
				runtime.GC() // garbage of the previous run is not this run's cost
			}
			start := time.Now()
			if _, err := run(p, q); err != nil {
				return err
			}
			if i == 0 {
				t.First[q.Name] = append(t.First[q.Name], since(start))
			} else {
				t.Questions[q.Name] = append(t.Questions[q.Name], since(start))
			}
		}
		fmt.Fprintf(os.Stderr, "huntbook: %s first %v then %v ms\n", q.Name, t.First[q.Name], t.Questions[q.Name])
	}
	return answers.WriteTimings(path, t)
}

func version() string {
	v := runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " " + s.Value[:12]
			}
			if s.Key == "vcs.modified" && s.Value == "true" {
				v += "+dirty"
			}
		}
	}
	return v
}
