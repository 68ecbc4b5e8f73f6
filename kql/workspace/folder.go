package workspace

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/huntbook/huntbook/kql/schemas"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// A table can also be a folder of files, read as one table: how logs
// arrive in bulk. Log Analytics' continuous data export writes a storage
// container per table, named am-<table> in lower case, holding JSON lines
// blobs under WorkspaceResourceId=/.../y=2026/m=11/d=23/h=10/m=00/PT05M.json;
// analysts also keep one export per day in a SigninLogs/ folder, since the
// portal exports at most 30,000 rows at a time.

// part is one file of a folder table.
type part struct {
	path, format string
	gz           bool
}

// reservedDirs are a workspace's folders that are not tables.
var reservedDirs = map[string]bool{"watchlists": true, "geoip": true}

// folderTable recognises dir (a subfolder of the workspace) as a table: its
// name, and its table files in path order. A folder with no table file is
// not a table.
func (w *Workspace) folderTable(dir string) (string, []part, error) {
	base := filepath.Base(dir)
	if strings.HasPrefix(base, ".") || reservedDirs[strings.ToLower(base)] {
		return "", nil, nil
	}
	var parts []part
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if _, format, gz, ok := tableFile(d.Name()); ok {
			parts = append(parts, part{path: p, format: format, gz: gz})
		}
		return nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("workspace: %w", err)
	}
	if len(parts) == 0 {
		return "", nil, nil
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].path < parts[j].path })
	return w.canonicalName(strings.TrimPrefix(strings.TrimPrefix(base, "am-"), "AM-")), parts, nil
}

// canonicalName is the built-in table a folder names in any case (storage
// containers are lower case: am-signinlogs is SigninLogs), else the name.
func (w *Workspace) canonicalName(name string) string {
	if w.opts.BuiltinSchema != nil {
		return name
	}
	if _, ok := schemas.Lookup(name); ok {
		return name
	}
	for _, n := range schemas.Names() {
		if strings.EqualFold(n, name) {
			return n
		}
	}
	return name
}

// readFolder reads every file of a folder table and joins them, in path
// order. A column the files type differently becomes the wider number or,
// failing that, a string, and the report says so; each file's problems
// are reported under its path in the folder.
func (w *Workspace) readFolder(ctx context.Context, name, dir string, parts []part) (*table.Table, *LoadReport, error) {
	rep := &LoadReport{File: filepath.Base(dir) + "/", Format: "folder"}
	var tabs []*table.Table
	var issues []issue
	seen := map[string]bool{}
	for _, p := range parts {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		rel, _ := filepath.Rel(filepath.Dir(dir), p.path)
		t, r, err := w.read(ctx, name, p.path, p.format, p.gz)
		if err != nil {
			return nil, r, fmt.Errorf("%s: %w", rel, err)
		}
		tabs = append(tabs, t)
		rep.Bytes += r.Bytes
		rep.Duration += r.Duration
		for _, is := range r.Issues {
			is.File = rel
			issues = append(issues, issue{is, noteOnly})
		}
		rep.BadValues += r.BadValues
		rep.BadLines += r.BadLines
		rep.Padded += r.Padded
		rep.Cut += r.Cut
		rep.total += r.total - len(r.Issues) // the kept issues are counted as they are added below
		for _, list := range []struct{ from, to *[]string }{{&r.Warnings, &rep.Warnings}, {&r.Notes, &rep.Notes}} {
			for _, s := range *list.from {
				s = strings.Replace(s, filepath.Base(p.path)+":", rel+":", 1)
				if !seen[s] {
					seen[s] = true
					*list.to = append(*list.to, s)
				}
			}
		}
	}
	t, notes := joinParts(name, tabs)
	for _, n := range notes {
		rep.Notes = append(rep.Notes, rep.File+": "+n)
	}
	rep.Rows = t.Rows()
	for _, is := range issues {
		rep.total++
		if len(rep.Issues) < w.maxIssues() {
			rep.Issues = append(rep.Issues, is.Issue)
		}
	}
	return t, rep, nil
}

func (w *Workspace) maxIssues() int {
	if w.opts.MaxIssues > 0 {
		return w.opts.MaxIssues
	}
	return DefaultMaxIssues
}

// joinParts stacks tables: columns in order of first appearance, a part
// lacking one gives nulls.
func joinParts(name string, tabs []*table.Table) (*table.Table, []string) {
	var order []string
	typesOf := map[string][]types.Type{}
	for _, t := range tabs {
		for _, c := range t.Columns {
			if _, ok := typesOf[c.Name]; !ok {
				order = append(order, c.Name)
			}
			typesOf[c.Name] = append(typesOf[c.Name], c.Type)
		}
	}
	out := &table.Table{Name: name}
	var notes []string
	for _, col := range order {
		typ, mixed := joinType(typesOf[col])
		if mixed {
			notes = append(notes, fmt.Sprintf("column %s is %s in some files and %s in others: read as %s",
				col, typesOf[col][0], otherType(typesOf[col]), typ))
		}
		var pieces []*table.Column
		for _, t := range tabs {
			c := t.Column(col)
			switch {
			case c == nil:
				b := newBuilder(col, typ, t.Rows())
				for i := 0; i < t.Rows(); i++ {
					b.appendNull()
				}
				c = b.col
			case c.Type != typ:
				c = convertColumn(c, typ)
			}
			pieces = append(pieces, c)
		}
		out.Columns = append(out.Columns, concatColumns(col, typ, pieces))
	}
	return out, notes
}

// joinType is the type a column takes across files: the one they agree
// on, the wider number (long, real), else string.
func joinType(ts []types.Type) (types.Type, bool) {
	t := ts[0]
	mixed := false
	for _, u := range ts[1:] {
		if u == t {
			continue
		}
		mixed = true
		switch {
		case t.IsNumeric() && u.IsNumeric():
			if t == types.Real || u == types.Real || t == types.Decimal || u == types.Decimal {
				t = types.Real
			} else {
				t = types.Long
			}
		default:
			t = types.String
		}
	}
	return t, mixed
}

func otherType(ts []types.Type) types.Type {
	for _, t := range ts[1:] {
		if t != ts[0] {
			return t
		}
	}
	return ts[0]
}

// convertColumn converts c's values to t (a wider number, or their text).
func convertColumn(c *table.Column, t types.Type) *table.Column {
	out := table.NewColumn(c.Name, t, c.Len())
	for i := 0; i < c.Len(); i++ {
		v := c.Value(i)
		switch {
		case v.IsNull():
			out.Append(types.NullOf(t))
		case t == types.String:
			out.Append(types.NewString(v.String()))
		case t == types.Real && v.Type != types.Real:
			if v.Type == types.Decimal {
				out.Append(types.NewReal(v.F))
			} else {
				out.Append(types.NewReal(float64(v.I)))
			}
		default:
			out.Append(types.NewLong(v.I))
		}
	}
	return out
}
