package workspace

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/huntbook/huntbook/kql/schemas"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// Options tune how a workspace reads its tables.
type Options struct {
	// BuiltinSchema gives the schema of a table that has no Name.schema.json
	// beside it. Nil means the built-in Sentinel schemas (kql/schemas.Lookup);
	// return false to have every type inferred from the data.
	BuiltinSchema func(name string) (types.Schema, bool)
	// Strict makes a load fail at the first bad value or line instead of
	// keeping the row with a null and reporting it.
	Strict bool
	// Workers is how many goroutines parse a file (0: GOMAXPROCS).
	Workers int
	// MaxIssues is how many issues a LoadReport keeps (0: DefaultMaxIssues);
	// all are counted.
	MaxIssues int
	// MaxFieldLines: a quoted CSV field spanning more lines than this is
	// reported as a likely unbalanced quote (0: DefaultMaxFieldLines;
	// negative: no limit). The field is kept either way.
	MaxFieldLines int
}

// DefaultMaxFieldLines is the longest quoted CSV field, in lines, read
// without a report when Options.MaxFieldLines is 0.
const DefaultMaxFieldLines = 100

func (o Options) read() readOptions {
	return readOptions{workers: o.Workers, strict: o.Strict, maxIssues: o.MaxIssues, maxFieldLines: o.MaxFieldLines}
}

// readOptions are the options with the workspace.json settings for files.
func (w *Workspace) readOptions() readOptions {
	o := w.opts.read()
	o.dateOrder = w.DateOrder
	if w.TimeZone != nil {
		o.zone, o.zoneFrom = w.TimeZone, "workspace.json timeZone"
	}
	return o
}

// Workspace is a folder of tables. Tables are listed when it is opened and
// read on first use; a loaded table is cached and shared, so callers must
// not modify it. Safe for concurrent use.
type Workspace struct {
	Dir       string
	Name      string    // from workspace.json, else the folder's name
	End       time.Time // the instant the data ends at (workspace.json "end"); zero if unset
	Generator string    // workspace.json "generator", for generated tenants
	Seed      int64     // workspace.json "seed"
	// Clock is workspace.json "clock": "end" has queries take End as
	// now(), so ago() windows find data that ended in the past (a
	// generated tenant, an imported investigation); "real" keeps the real
	// clock; empty leaves it to the reader (generated tenants pin it).
	Clock string
	// For CSV files exported from the Log Analytics portal: the zone of
	// "[Local Time]" columns (workspace.json "timeZone", an IANA name; nil:
	// this machine's) and the order of slashed dates ("dateOrder": MDY or
	// DMY; empty: decided from each column's values).
	TimeZone  *time.Location
	DateOrder string

	opts    Options
	mu      sync.Mutex
	tables  map[string]*entry
	watches map[string]*table.Table
}

type entry struct {
	name   string
	path   string // "" for an in-memory table
	format string // csv, jsonl, parquet, or folder (parts)
	parts  []part // a folder table's files
	gz     bool
	tbl    *table.Table
	report *LoadReport
	schema types.Schema // cached Schema() answer before loading
	call   *loadCall
}

// loadCall lets concurrent Loads of one table share one read.
type loadCall struct {
	done chan struct{}
	tbl  *table.Table
	rep  *LoadReport
	err  error
}

// Files a workspace folder holds that are not tables.
// reservedFiles are the generated tenant's companion files, not tables:
// its settings, its planted stories and its directory model (read by UEBA).
var reservedFiles = map[string]bool{"workspace.json": true, "ground_truth.json": true, "entities.json": true}

type workspaceFile struct {
	Name      string          `json:"name"`
	End       string          `json:"end"`
	Generator string          `json:"generator"`
	Seed      json.RawMessage `json:"seed"`
	TimeZone  string          `json:"timeZone"`
	DateOrder string          `json:"dateOrder"`
	Clock     string          `json:"clock"`
}

// Open reads dir/workspace.json (optional) and lists the tables in dir.
// No table is read until it is loaded.
func Open(dir string, opts Options) (*Workspace, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("workspace: %s is not a directory", dir)
	}
	w := &Workspace{Dir: dir, Name: filepath.Base(filepath.Clean(dir)), opts: opts,
		tables: map[string]*entry{}, watches: map[string]*table.Table{}}
	if err := w.readSettings(); err != nil {
		return nil, err
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	for _, de := range des {
		if de.IsDir() {
			path := filepath.Join(dir, de.Name())
			name, parts, err := w.folderTable(path)
			if err != nil {
				return nil, err
			}
			if name == "" {
				continue
			}
			if prev, dup := w.tables[name]; dup {
				return nil, fmt.Errorf("workspace %s: table %s is both %s and the folder %s; remove one",
					w.Name, name, filepath.Base(prev.path), de.Name())
			}
			w.tables[name] = &entry{name: name, path: path, format: "folder", parts: parts}
			continue
		}
		name, format, gz, ok := tableFile(de.Name())
		if !ok {
			continue
		}
		if prev, dup := w.tables[name]; dup {
			what := "two files"
			if prev.format == "folder" {
				what = "a file and a folder"
			}
			return nil, fmt.Errorf("workspace %s: table %s has %s, %s and %s; remove one",
				w.Name, name, what, filepath.Base(prev.path), de.Name())
		}
		w.tables[name] = &entry{name: name, path: filepath.Join(dir, de.Name()), format: format, gz: gz}
	}
	return w, nil
}

// tableFile recognises Name.csv, Name.jsonl, Name.json (optionally .gz) and
// Name.parquet, leaving out schema, metadata and settings files.
func tableFile(file string) (name, format string, gz, ok bool) {
	if strings.HasPrefix(file, ".") || reservedFiles[file] ||
		strings.HasSuffix(file, ".schema.json") || strings.HasSuffix(file, ".meta.json") {
		return "", "", false, false
	}
	base := file
	if strings.HasSuffix(base, ".gz") {
		gz = true
		base = strings.TrimSuffix(base, ".gz")
	}
	ext := filepath.Ext(base)
	name = strings.TrimSuffix(base, ext)
	switch ext {
	case ".csv":
		format = "csv"
	case ".jsonl", ".json":
		format = "jsonl"
	case ".parquet":
		if gz {
			return "", "", false, false
		}
		format = "parquet"
	default:
		return "", "", false, false
	}
	return name, format, gz, name != ""
}

func (w *Workspace) readSettings() error {
	file := filepath.Join(w.Dir, "workspace.json")
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("workspace: %w", err)
	}
	var s workspaceFile
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("%s: %v", file, err)
	}
	if s.Name != "" {
		w.Name = s.Name
	}
	w.Generator = s.Generator
	switch s.Clock {
	case "", "end", "real":
		w.Clock = s.Clock
	default:
		return fmt.Errorf("%s: clock: %q is neither \"end\" (now() is the data's end) nor \"real\"", file, s.Clock)
	}
	if s.Clock == "end" && s.End == "" {
		return fmt.Errorf("%s: clock: \"end\" needs the data's end in \"end\"", file)
	}
	if s.End != "" {
		ticks, ok := parseDateTime([]byte(s.End))
		if !ok {
			return fmt.Errorf("%s: end: %q is not an ISO 8601 datetime", file, s.End)
		}
		w.End = types.TicksToTime(ticks)
	}
	if s.TimeZone != "" {
		loc, err := time.LoadLocation(s.TimeZone)
		if err != nil {
			return fmt.Errorf("%s: timeZone: %q is not a time zone name (an IANA name such as Europe/London): %v", file, s.TimeZone, err)
		}
		w.TimeZone = loc
	}
	switch order := strings.ToUpper(s.DateOrder); order {
	case dateOrderAuto, dateOrderMDY, dateOrderDMY:
		w.DateOrder = order
	default:
		return fmt.Errorf("%s: dateOrder: %q is neither MDY (02/25/2026) nor DMY (25/02/2026)", file, s.DateOrder)
	}
	if len(s.Seed) > 0 && string(s.Seed) != "null" {
		if err := json.Unmarshal(s.Seed, &w.Seed); err != nil {
			return fmt.Errorf("%s: seed: %s is not an integer", file, s.Seed)
		}
	}
	return nil
}

// Tables returns the names of all tables, sorted.
func (w *Workspace) Tables() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	names := make([]string, 0, len(w.tables))
	for n := range w.tables {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// declared returns the schema that fixes a table's types: its
// Name.schema.json, else the built-in schema, else nil.
func (w *Workspace) declared(name string) (types.Schema, error) {
	file := filepath.Join(w.Dir, name+".schema.json")
	data, err := os.ReadFile(file)
	if err == nil {
		sname, s, err := schemas.Parse(data, file)
		if err != nil {
			return nil, err
		}
		if sname != name {
			return nil, fmt.Errorf("%s: Name: schema is for table %q, not %q", file, sname, name)
		}
		return s, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	lookup := w.opts.BuiltinSchema
	if lookup == nil {
		lookup = schemas.Lookup
	}
	if s, ok := lookup(name); ok {
		return s, nil
	}
	return nil, nil
}

// Schema returns a table's columns. A loaded or in-memory table answers
// exactly; otherwise Parquet answers from its footer and CSV and JSON lines
// from their first megabyte (inferred types can still widen when the whole
// file is loaded).
func (w *Workspace) Schema(name string) (types.Schema, bool) {
	w.mu.Lock()
	e, ok := w.tables[name]
	if !ok {
		w.mu.Unlock()
		return nil, false
	}
	if e.tbl != nil {
		s := e.tbl.Schema()
		w.mu.Unlock()
		return s, true
	}
	if e.schema != nil {
		s := e.schema
		w.mu.Unlock()
		return s, true
	}
	path, format, gz := e.path, e.format, e.gz
	if format == "folder" { // its first file tells
		path, format, gz = e.parts[0].path, e.parts[0].format, e.parts[0].gz
	}
	w.mu.Unlock()

	s, err := w.peekSchema(name, path, format, gz)
	if err != nil {
		return nil, false
	}
	w.mu.Lock()
	e.schema = s
	w.mu.Unlock()
	return s, true
}

const peekBytes = 1 << 20

func (w *Workspace) peekSchema(name, path, format string, gz bool) (types.Schema, error) {
	decl, err := w.declared(name)
	if err != nil {
		return nil, err
	}
	if format == "parquet" {
		return parquetFileSchema(path, decl)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if gz {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		r = zr
	}
	buf, err := io.ReadAll(io.LimitReader(r, peekBytes+1))
	if err != nil {
		return nil, err
	}
	if len(buf) > peekBytes {
		if format != "csv" && oneDocument(buf) {
			// An API answer names its columns once, in one value that
			// spans the file: its schema needs the whole of it.
			rest, err := io.ReadAll(r)
			if err != nil {
				return nil, err
			}
			buf = append(buf, rest...)
		} else {
			buf = cutAtRecord(buf[:peekBytes], format == "csv")
		}
	}
	o := readOptions{workers: 1}
	var t *table.Table
	if format == "csv" {
		t, _, err = readCSV(context.Background(), buf, filepath.Base(path), name, decl, o)
	} else {
		t, _, err = readJSONL(context.Background(), buf, filepath.Base(path), name, decl, o)
	}
	if err != nil {
		return nil, err
	}
	return t.Schema(), nil
}

// oneDocument reports a JSON prefix whose first value does not end in it
// (one object spanning the file), or an array of Azure Data Explorer v2
// frames: an API answer rather than records.
func oneDocument(buf []byte) bool {
	first := skipWS(buf, 0)
	if first >= len(buf) {
		return false
	}
	if buf[first] == '{' {
		_, err := skipValue(buf, first, 0)
		return err != nil
	}
	ms, _, err := objectMembers(buf, skipWS(buf, first+1))
	if err != nil {
		return false
	}
	_, ok := get(ms, "FrameType")
	return buf[first] == '[' && ok
}

// RecordEnd notes in dir/workspace.json that the data ends at end: "end"
// becomes end unless a later one is there, and "clock" becomes "end"
// unless the file says otherwise, so that queries written with ago() find
// imported data whenever they run. Other settings are kept. It returns the
// end the file now holds.
func RecordEnd(dir string, end time.Time) (time.Time, error) {
	file := filepath.Join(dir, "workspace.json")
	settings := map[string]any{}
	data, err := os.ReadFile(file)
	switch {
	case err == nil:
		if err := json.Unmarshal(data, &settings); err != nil {
			return time.Time{}, fmt.Errorf("%s: %v", file, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return time.Time{}, fmt.Errorf("workspace: %w", err)
	}
	end = end.UTC()
	if old, ok := settings["end"].(string); ok {
		if ticks, ok := parseDateTime([]byte(old)); ok && types.TicksToTime(ticks).After(end) {
			end = types.TicksToTime(ticks)
		}
	}
	settings["end"] = end.Format(time.RFC3339Nano)
	if _, ok := settings["clock"]; !ok {
		settings["clock"] = "end"
	}
	out, err := json.MarshalIndent(settings, "", "  ")
	if err != nil {
		return time.Time{}, err
	}
	return end, writeAtomic(file, func(w io.Writer) error {
		_, err := w.Write(append(out, '\n'))
		return err
	})
}

// cutAtRecord trims a prefix of a file to its last whole record.
func cutAtRecord(buf []byte, csvQuotes bool) []byte {
	if !csvQuotes {
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			return buf[:i+1]
		}
		return buf
	}
	last, parity := -1, 0
	for i, c := range buf {
		if c == '"' {
			parity ^= 1
		} else if c == '\n' && parity == 0 {
			last = i
		}
	}
	if last < 0 {
		return buf
	}
	return buf[:last+1]
}

// Load returns a table, reading it on first use; later calls (and calls
// made while it loads) share the same table. The report is the one from
// the read (Format "memory" for tables added with Add).
func (w *Workspace) Load(ctx context.Context, name string) (*table.Table, *LoadReport, error) {
	for {
		w.mu.Lock()
		e, ok := w.tables[name]
		if !ok {
			w.mu.Unlock()
			return nil, nil, fmt.Errorf("workspace %s: no table named %q", w.Name, name)
		}
		if e.tbl != nil {
			t, r := e.tbl, e.report
			w.mu.Unlock()
			return t, r, nil
		}
		if c := e.call; c != nil {
			w.mu.Unlock()
			select {
			case <-c.done:
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			}
			if c.err != nil && ctx.Err() == nil && (errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded)) {
				continue // the loader's caller gave up, this one has not: try again
			}
			return c.tbl, c.rep, c.err
		}
		c := &loadCall{done: make(chan struct{})}
		e.call = c
		path, format, gz, parts := e.path, e.format, e.gz, e.parts
		w.mu.Unlock()

		if format == "folder" {
			c.tbl, c.rep, c.err = w.readFolder(ctx, name, path, parts)
		} else {
			c.tbl, c.rep, c.err = w.read(ctx, name, path, format, gz)
		}
		w.mu.Lock()
		if c.err == nil && e.call == c {
			e.tbl, e.report = c.tbl, c.rep
		}
		if e.call == c {
			e.call = nil
		}
		w.mu.Unlock()
		close(c.done)
		return c.tbl, c.rep, c.err
	}
}

func (w *Workspace) read(ctx context.Context, name, path, format string, gz bool) (*table.Table, *LoadReport, error) {
	decl, err := w.declared(name)
	if err != nil {
		return nil, nil, err
	}
	defer relaxGC()()
	o := w.readOptions()
	var data []byte
	if !gz && (format == "csv" || format == "jsonl") {
		// The readers copy every value they keep, so the text can be a
		// mapping released as soon as the table is built.
		var release func()
		data, o.ev, release, err = mapFile(path)
		if err == nil {
			defer release()
		}
	} else {
		data, err = readFile(path, gz)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("workspace %s: table %s: %w", w.Name, name, err)
	}
	src := filepath.Base(path)
	var t *table.Table
	var rep *LoadReport
	switch format {
	case "csv":
		t, rep, err = readCSV(ctx, data, src, name, decl, o)
	case "jsonl":
		t, rep, err = readJSONL(ctx, data, src, name, decl, o)
	case "parquet":
		t, rep, err = readParquet(ctx, data, src, name, decl, o)
	default:
		return nil, nil, fmt.Errorf("workspace %s: table %s: unknown format %q", w.Name, name, format)
	}
	if err == nil && decl == nil {
		if note := w.misnamed(t, src); note != "" {
			rep.Notes = append(rep.Notes, note)
		}
	}
	return t, rep, err
}

// misnamed notes a file whose rows say they belong to a known table: the
// Log Analytics portal saves every export as query_data.csv, and its Type
// column names the table the rows came from.
func (w *Workspace) misnamed(t *table.Table, src string) string {
	c := t.Column("Type")
	if c == nil || c.Type != types.String || t.Rows() == 0 {
		return ""
	}
	kind := c.Strs[0]
	if kind == "" || kind == t.Name || !validTableName(kind) {
		return ""
	}
	if s, err := w.declared(kind); err != nil || s == nil {
		return ""
	}
	return fmt.Sprintf("%s: its Type column says the rows are %s rows; name the file %s%s to query them as %s, with its schema",
		src, kind, kind, strings.TrimPrefix(src, strings.SplitN(src, ".", 2)[0]), kind)
}

func readFile(path string, gz bool) ([]byte, error) {
	if !gz {
		return os.ReadFile(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return data, nil
}

// Report returns the report of a table's load, or nil if it is not loaded.
func (w *Workspace) Report(name string) *LoadReport {
	w.mu.Lock()
	defer w.mu.Unlock()
	if e, ok := w.tables[name]; ok {
		return e.report
	}
	return nil
}

// Add puts an in-memory table in the workspace under t.Name (the generated
// sample tenant, UEBA output), replacing any table of that name for this
// Workspace value; files are not touched (use Write for that).
func (w *Workspace) Add(t *table.Table) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tables[t.Name] = &entry{name: t.Name, tbl: t,
		report: &LoadReport{File: t.Name, Format: "memory", Rows: t.Rows()}}
}

// Write stores t as table name in the folder, in format "jsonl" (the
// default when format is ""), "csv" or "parquet", with a Name.schema.json
// beside it so the types read back exactly, and makes it the workspace's
// table of that name. It refuses to leave two files for one table.
func (w *Workspace) Write(name string, t *table.Table, format string) error {
	if !validTableName(name) {
		return fmt.Errorf("workspace %s: write: %q is not a valid table name (letters, digits, _)", w.Name, name)
	}
	if format == "" {
		format = "jsonl"
	}
	var write func(io.Writer, *table.Table) error
	switch format {
	case "jsonl":
		write = WriteJSONL
	case "csv":
		write = WriteCSV
	case "parquet":
		write = WriteParquet
	default:
		return fmt.Errorf("workspace %s: write %s: unknown format %q (want jsonl, csv or parquet)", w.Name, name, format)
	}
	path := filepath.Join(w.Dir, name+"."+format)
	w.mu.Lock()
	if e, ok := w.tables[name]; ok && e.path != "" && e.path != path {
		w.mu.Unlock()
		return fmt.Errorf("workspace %s: write %s: the table is stored in %s; remove it to write %s",
			w.Name, name, filepath.Base(e.path), filepath.Base(path))
	}
	w.mu.Unlock()

	if err := writeAtomic(path, func(f io.Writer) error { return write(f, t) }); err != nil {
		return fmt.Errorf("workspace %s: write %s: %w", w.Name, name, err)
	}
	sf := schemas.File{Name: name}
	for _, c := range t.Columns {
		sf.Properties = append(sf.Properties, schemas.Property{Name: c.Name, Type: c.Type.String()})
	}
	js, err := json.MarshalIndent(sf, "", " ")
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(w.Dir, name+".schema.json"), func(f io.Writer) error {
		_, err := f.Write(append(js, '\n'))
		return err
	}); err != nil {
		return fmt.Errorf("workspace %s: write %s: %w", w.Name, name, err)
	}
	stored := &table.Table{Name: name, Columns: t.Columns}
	w.mu.Lock()
	w.tables[name] = &entry{name: name, path: path, format: format, tbl: stored,
		report: &LoadReport{File: filepath.Base(path), Format: format, Rows: t.Rows()}}
	w.mu.Unlock()
	return nil
}

func validTableName(s string) bool {
	if s == "" || reservedFiles[s+".json"] {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// writeAtomic writes a file through a temporary in the same folder, so a
// reader never sees half a table. The file gets the mode of the file it
// replaces, else 0644 like any table file (CreateTemp's temporaries are 0600,
// which would hide written tables from other users of a shared workspace).
func writeAtomic(path string, write func(io.Writer) error) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		mode = st.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
