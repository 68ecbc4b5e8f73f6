package answers

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Timings is what an engine's runner writes in timing mode: wall times in
// milliseconds of each run, so the report can take medians.
type Timings struct {
	Engine  string               `json:"engine"`
	Version string               `json:"version"`
	Load    map[string][]float64 `json:"load_ms"` // table -> runs
	// First is each question's first run after a fresh load: it pays for
	// whatever an engine builds lazily and keeps (huntbook caches string
	// dictionaries per column). Questions holds the runs after it.
	First     map[string][]float64 `json:"first_ms"`
	Questions map[string][]float64 `json:"questions_ms"` // question -> runs
}

// Merge appends o's runs to t's (rounds of run.sh).
func (t *Timings) Merge(o *Timings) {
	for _, m := range []struct{ dst, src *map[string][]float64 }{{&t.Load, &o.Load}, {&t.First, &o.First}, {&t.Questions, &o.Questions}} {
		if *m.dst == nil {
			*m.dst = map[string][]float64{}
		}
		for k, v := range *m.src {
			(*m.dst)[k] = append((*m.dst)[k], v...)
		}
	}
}

// ReadTimings loads a timings file.
func ReadTimings(path string) (*Timings, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("timings: %w", err)
	}
	var t Timings
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("timings: %s: %w", path, err)
	}
	return &t, nil
}

// WriteTimings saves a timings file.
func WriteTimings(path string, t *Timings) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return fmt.Errorf("timings: %w", err)
	}
	return os.WriteFile(path, b, 0o644)
}

// Median of runs; 0 for none.
func Median(runs []float64) float64 {
	if len(runs) == 0 {
		return 0
	}
	s := slices.Clone(runs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// PeakRSS reads this process's peak resident set size (VmHWM) in bytes.
func PeakRSS() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("VmHWM %q: %w", rest, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}
