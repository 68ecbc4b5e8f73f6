// Package gendata owns the benchmark's synthetic data: SigninLogs-like and
// AuditLogs-like CSV files shaped as Log Analytics exports them (ISO
// datetimes, string result codes, JSON text in dynamic columns), with schema
// files so the engine types every column as Sentinel does.
//
// Every row is a pure function of (seed, row index), so the output does not
// depend on how many goroutines write it, and an audit event can refer to
// the sign-in it follows (same user, same CorrelationId) without keeping the
// sign-ins in memory.
package gendata

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// Config sizes a generated workspace.
type Config struct {
	Rows      int       // SigninLogs rows
	AuditRows int       // AuditLogs rows; 0 means Rows/4
	Users     int       // distinct users; 0 means Rows/100 (at least 50)
	Seed      uint64    // the same seed gives byte-identical files
	End       time.Time // the instant the data ends at; zero means DefaultEnd
	Days      int       // days of data before End; 0 means 14
}

// DefaultEnd is where generated data ends unless Config.End says otherwise.
var DefaultEnd = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// Normalize fills in defaults and rejects sizes that cannot be generated.
func (c Config) Normalize() (Config, error) {
	if c.Rows <= 0 {
		return c, fmt.Errorf("gendata: rows must be positive, got %d", c.Rows)
	}
	if c.AuditRows < 0 || c.Users < 0 || c.Days < 0 {
		return c, fmt.Errorf("gendata: audit rows, users and days must not be negative")
	}
	if c.AuditRows == 0 {
		c.AuditRows = max(1, c.Rows/4)
	}
	if c.Users == 0 {
		c.Users = max(50, c.Rows/100)
	}
	if c.End.IsZero() {
		c.End = DefaultEnd
	}
	if c.Days == 0 {
		c.Days = 14
	}
	// Sign-in times are strictly increasing at millisecond resolution so
	// that arg_max has one answer per user in every engine.
	if span := int64(c.Days) * 86_400_000; int64(c.Rows) > span {
		return c, fmt.Errorf("gendata: %d rows do not fit %d days at one per millisecond", c.Rows, c.Days)
	}
	return c, nil
}

// Column is one column of a generated table and its Kusto type.
type Column struct{ Name, Type string }

// SigninColumns are the SigninLogs columns in file order.
var SigninColumns = []Column{
	{"TimeGenerated", "datetime"}, {"UserPrincipalName", "string"}, {"UserDisplayName", "string"},
	{"IPAddress", "string"}, {"Location", "string"}, {"LocationDetails", "dynamic"},
	{"AppDisplayName", "string"}, {"ClientAppUsed", "string"}, {"ResultType", "string"},
	{"ResultDescription", "string"}, {"DeviceDetail", "dynamic"}, {"UserAgent", "string"},
	{"IsInteractive", "bool"}, {"ConditionalAccessStatus", "string"}, {"AuthenticationRequirement", "string"},
	{"RiskLevelDuringSignIn", "string"}, {"CorrelationId", "string"},
}

// AuditColumns are the AuditLogs columns in file order.
var AuditColumns = []Column{
	{"TimeGenerated", "datetime"}, {"OperationName", "string"}, {"Category", "string"},
	{"Result", "string"}, {"LoggedByService", "string"}, {"InitiatedBy", "dynamic"},
	{"TargetResources", "dynamic"}, {"CorrelationId", "string"},
}

// Write generates SigninLogs.csv, AuditLogs.csv, their schema files and
// workspace.json into dir (created if needed).
func Write(dir string, cfg Config) error {
	cfg, err := cfg.Normalize()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("gendata: %w", err)
	}
	files := []struct {
		name string
		cols []Column
		emit func(io.Writer, Config) error
	}{
		{"SigninLogs", SigninColumns, WriteSignins},
		{"AuditLogs", AuditColumns, WriteAudit},
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name+".csv"), func(w io.Writer) error { return f.emit(w, cfg) }); err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(dir, f.name+".schema.json"), schemaFile(f.name, f.cols)); err != nil {
			return err
		}
	}
	return writeJSON(filepath.Join(dir, "workspace.json"), map[string]any{
		"name": "bench", "end": cfg.End.UTC().Format(time.RFC3339), "generator": "huntbook bench/gen", "seed": cfg.Seed,
	})
}

func schemaFile(name string, cols []Column) any {
	type prop struct{ Name, Type string }
	props := make([]prop, len(cols))
	for i, c := range cols {
		props[i] = prop(c)
	}
	return struct {
		Name       string
		Properties []prop
	}{name, props}
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(path, func(w io.Writer) error { _, err := w.Write(append(b, '\n')); return err })
}

func writeFile(path string, emit func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gendata: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	err = emit(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("gendata: writing %s: %w", path, err)
	}
	return nil
}

// WriteSignins writes the SigninLogs CSV (header first).
func WriteSignins(w io.Writer, cfg Config) error {
	cfg, err := cfg.Normalize()
	if err != nil {
		return err
	}
	g := newGen(cfg)
	return writeRows(w, header(SigninColumns), cfg.Rows, func(b []byte, i int, r *rand.Rand, pcg *rand.PCG) []byte {
		s := g.signin(i, r, pcg)
		return s.appendCSV(b)
	})
}

// WriteAudit writes the AuditLogs CSV (header first).
func WriteAudit(w io.Writer, cfg Config) error {
	cfg, err := cfg.Normalize()
	if err != nil {
		return err
	}
	g := newGen(cfg)
	return writeRows(w, header(AuditColumns), cfg.AuditRows, func(b []byte, i int, r *rand.Rand, pcg *rand.PCG) []byte {
		a := g.audit(i, r, pcg)
		return a.appendCSV(b)
	})
}

func header(cols []Column) []byte {
	var b []byte
	for i, c := range cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, c.Name...)
	}
	return append(b, '\n')
}

// writeRows renders rows in blocks on every core and writes the blocks in
// order. Each worker has its own generator state; rows reseed it, so the
// split does not change the bytes.
func writeRows(w io.Writer, head []byte, n int, row func(b []byte, i int, r *rand.Rand, pcg *rand.PCG) []byte) error {
	if _, err := w.Write(head); err != nil {
		return err
	}
	const block = 16384
	nblocks := (n + block - 1) / block
	workers := runtime.GOMAXPROCS(0)
	results := make([]chan []byte, nblocks)
	for i := range results {
		results[i] = make(chan []byte, 1)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pcg := rand.NewPCG(0, 0)
			r := rand.New(pcg)
			for bi := range next {
				var b []byte
				for i := bi * block; i < min(n, (bi+1)*block); i++ {
					b = row(b, i, r, pcg)
				}
				results[bi] <- b
			}
		}()
	}
	// Feed blocks only a few ahead of the writer so memory stays bounded:
	// the writer frees a slot after writing each block.
	sem := make(chan struct{}, 2*workers)
	go func() {
		for bi := range nblocks {
			sem <- struct{}{}
			next <- bi
		}
		close(next)
	}()
	var err error
	for bi := range nblocks {
		b := <-results[bi]
		if err == nil {
			_, err = w.Write(b)
		}
		<-sem
	}
	wg.Wait()
	return err
}
