package sampledata

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// jsonlSink streams each table to Name.jsonl, one object per row in the Log
// Analytics export shape. Null and empty-string columns are left out (the
// Name.schema.json beside the file still types them), which keeps files of
// ten million sign-ins to a manageable size.
type jsonlSink struct {
	files map[string]*os.File
	w     map[string]*bufio.Writer
	buf   []byte
}

func newJSONLSink(dir string) (*jsonlSink, error) {
	s := &jsonlSink{files: map[string]*os.File{}, w: map[string]*bufio.Writer{}}
	for _, d := range tableDefs {
		f, err := os.Create(filepath.Join(dir, d.name+".jsonl"))
		if err != nil {
			s.close()
			return nil, fmt.Errorf("sampledata: %w", err)
		}
		s.files[d.name] = f
		s.w[d.name] = bufio.NewWriterSize(f, 256<<10)
	}
	return s, nil
}

func (s *jsonlSink) write(d *tableDef, vals []types.Value) error {
	b := append(s.buf[:0], '{')
	first := true
	for i, v := range vals {
		if v.IsNull() || (v.Type == types.String && v.S == "") {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, d.schema[i].Name)
		b = append(b, ':')
		b = appendValue(b, v)
	}
	b = append(b, '}', '\n')
	s.buf = b
	_, err := s.w[d.name].Write(b)
	return err
}

// close flushes and closes every file, returning the first error.
func (s *jsonlSink) close() error {
	var first error
	for _, d := range tableDefs {
		if w := s.w[d.name]; w != nil {
			if err := w.Flush(); err != nil && first == nil {
				first = err
			}
		}
		if f := s.files[d.name]; f != nil {
			if err := f.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

func appendValue(b []byte, v types.Value) []byte {
	switch v.Type {
	case types.Bool:
		return strconv.AppendBool(b, v.I != 0)
	case types.Int, types.Long:
		return strconv.AppendInt(b, v.I, 10)
	case types.Real, types.Decimal:
		if math.IsNaN(v.F) || math.IsInf(v.F, 0) {
			return appendJSONString(b, types.FormatReal(v.F))
		}
		return strconv.AppendFloat(b, v.F, 'g', -1, 64)
	case types.String, types.GUID:
		return appendJSONString(b, v.S)
	case types.DateTime:
		return appendJSONString(b, types.FormatDateTime(v.I))
	case types.TimeSpan:
		return appendJSONString(b, types.FormatTimeSpan(v.I))
	case types.Dynamic:
		return append(b, types.DynamicJSON(v.D)...)
	}
	return append(b, "null"...)
}

// appendJSONString quotes s as JSON, with a fast path for the plain ASCII
// that almost every generated string is.
func appendJSONString(b []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	q, _ := json.Marshal(s)
	return append(b, q...)
}

// workspaceInfo is workspace.json.
type workspaceInfo struct {
	Name        string         `json:"name"`
	End         string         `json:"end"`
	Start       string         `json:"start"`
	Generator   string         `json:"generator"`
	Version     int            `json:"generatorVersion"`
	Seed        uint64         `json:"seed"`
	Users       int            `json:"users"`
	Days        int            `json:"days"`
	Scale       float64        `json:"scale"`
	Stories     bool           `json:"stories"`
	WorkspaceID string         `json:"workspaceId"`
	TenantID    string         `json:"tenantId"`
	Rows        map[string]int `json:"rows"`
}

// Version changes whenever the generator's output does (new tables,
// columns or files), so a cached tenant written by an older huntbook is
// written again rather than reused.
const Version = 2

// WrittenVersion is the generator version of the tenant in dir, 0 for one
// written before versions were recorded, -1 when dir holds no tenant.
func WrittenVersion(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "workspace.json"))
	if err != nil {
		return -1
	}
	var info workspaceInfo
	if json.Unmarshal(b, &info) != nil {
		return -1
	}
	return info.Version
}

// groundTruth is ground_truth.json.
type groundTruth struct {
	Tenant  string  `json:"tenant"`
	Seed    uint64  `json:"seed"`
	End     string  `json:"end"`
	Stories []Story `json:"stories"`
}

// WriteWorkspace generates a tenant straight into dir (created if needed)
// in the workspace folder format of DEVELOPERS.md: Name.jsonl and
// Name.schema.json per table, workspace.json, watchlists/SensitivityLabels
// (.csv and .meta.json), entities.json and ground_truth.json. Rows are
// streamed, so memory does not grow with --scale.
func WriteWorkspace(dir string, cfg Config) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "watchlists"), 0o755); err != nil {
		return fmt.Errorf("sampledata: %w", err)
	}
	sink, err := newJSONLSink(dir)
	if err != nil {
		return err
	}
	g, ws := newGen(cfg, sink)
	stories, err := g.run()
	if cerr := sink.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sampledata: writing %s: %w", dir, err)
	}
	for _, d := range tableDefs {
		if err := writeSchema(filepath.Join(dir, d.name+".schema.json"), d.name, d.schema); err != nil {
			return err
		}
	}
	rows := map[string]int{}
	for _, d := range tableDefs {
		rows[d.name] = g.e.counts[d.name]
	}
	info := workspaceInfo{Name: cfg.Name, End: cfg.End.Format("2006-01-02T15:04:05Z"), Start: types.FormatDateTime(g.start),
		Generator: "huntbook sample", Version: Version, Seed: cfg.Seed, Users: cfg.Users, Days: cfg.Days, Scale: cfg.Scale,
		Stories: !cfg.NoStories, WorkspaceID: ws, TenantID: g.m.TenantID, Rows: rows}
	if stories == nil {
		stories = []Story{}
	}
	files := []struct {
		name string
		v    any
	}{
		{"workspace.json", info},
		{"entities.json", g.m},
		{"ground_truth.json", groundTruth{Tenant: cfg.Name, Seed: cfg.Seed, End: info.End, Stories: stories}},
		{"watchlists/SensitivityLabels.meta.json", map[string]string{"alias": "SensitivityLabels", "searchKey": "LabelId"}},
	}
	for _, f := range files {
		if err := writeJSON(filepath.Join(dir, f.name), f.v); err != nil {
			return err
		}
	}
	if err := writeGeoIP(dir); err != nil {
		return err
	}
	return writeCSV(filepath.Join(dir, "watchlists", "SensitivityLabels.csv"), labelWatchlist(g.m))
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return fmt.Errorf("sampledata: %s: %w", path, err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("sampledata: %w", err)
	}
	return nil
}

func writeSchema(path, name string, s types.Schema) error {
	type prop struct{ Name, Type string }
	f := struct {
		Name       string
		Source     string
		Properties []prop
	}{Name: name, Source: "huntbook sample generator; columns as kql/schemas/data/" + name + ".json"}
	for _, c := range s {
		f.Properties = append(f.Properties, prop{c.Name, c.Type.String()})
	}
	return writeJSON(path, f)
}

// writeCSV writes a table of string and long columns as RFC 4180 CSV.
func writeCSV(path string, t *table.Table) error {
	var b strings.Builder
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(csvField(c.Name))
	}
	b.WriteString("\r\n")
	for r := range t.Rows() {
		for i, c := range t.Columns {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(csvField(c.Value(r).String()))
		}
		b.WriteString("\r\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("sampledata: %w", err)
	}
	return nil
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
