// Package schemas owns the built-in schemas of Microsoft Sentinel, Log
// Analytics and Defender XDR tables (embedded JSON under data/, one file per
// table, each noting where its column list came from) and the parser for
// that JSON format, which workspaces also use for their own Name.schema.json
// files.
package schemas

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/huntbook/huntbook/kql/types"
)

//go:embed data/*.json
var dataFS embed.FS

// File is the on-disk shape of one schema file (the shared/schemas format).
// Source is free text naming where the column list came from.
type File struct {
	Name       string     `json:"Name"`
	Source     string     `json:"Source,omitempty"`
	Properties []Property `json:"Properties"`
}

// Property is one column of a File.
type Property struct {
	Name string `json:"Name"`
	Type string `json:"Type"`
}

var (
	builtinOnce sync.Once
	builtin     map[string]types.Schema
	builtinErr  error
)

func loadBuiltin() {
	entries, err := dataFS.ReadDir("data")
	if err != nil {
		builtinErr = err
		return
	}
	builtin = make(map[string]types.Schema, len(entries))
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		file := path.Join("data", e.Name())
		b, err := dataFS.ReadFile(file)
		if err != nil {
			builtinErr = err
			return
		}
		name, s, err := Parse(b, file)
		if err != nil {
			builtinErr = err
			return
		}
		if _, dup := builtin[name]; dup {
			builtinErr = fmt.Errorf("%s: table %q is defined twice", file, name)
			return
		}
		builtin[name] = s
	}
}

// builtins returns the parsed embedded schemas. The data is compiled in and
// checked by the package tests, so a failure here is a build defect: panic
// with the file and problem rather than silently serving no schemas.
func builtins() map[string]types.Schema {
	builtinOnce.Do(loadBuiltin)
	if builtinErr != nil {
		panic("kql/schemas: embedded schema data is broken: " + builtinErr.Error())
	}
	return builtin
}

// Lookup returns the built-in schema of the table with exactly this name
// (Kusto table names are case-sensitive). The result is a copy the caller
// may modify.
func Lookup(name string) (types.Schema, bool) {
	s, ok := builtins()[name]
	if !ok {
		return nil, false
	}
	return slices.Clone(s), true
}

// Names returns the names of all built-in tables, sorted.
func Names() []string {
	m := builtins()
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// HiddenColumns returns the standard Log Analytics system columns that
// every workspace table carries but that queries only see when they name
// them (a plain `take` does not show them). The built-in schemas leave them
// out; a binder may accept references to them on any Log Analytics table.
func HiddenColumns() types.Schema {
	return types.Schema{
		{Name: "_ResourceId", Type: types.String},
		{Name: "_SubscriptionId", Type: types.String},
		{Name: "_BilledSize", Type: types.Real},
		{Name: "_IsBillable", Type: types.String},
	}
}

// Load reads every *.json file directly in dir as a schema file and returns
// the schemas by table name. Errors name the file and the offending key.
func Load(dir string) (map[string]types.Schema, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("schemas: %w", err)
	}
	out := map[string]types.Schema{}
	from := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		file := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("schemas: %w", err)
		}
		name, s, err := Parse(b, file)
		if err != nil {
			return nil, err
		}
		if prev, dup := from[name]; dup {
			return nil, fmt.Errorf("%s: Name: table %q is already defined in %s", file, name, prev)
		}
		from[name] = file
		out[name] = s
	}
	return out, nil
}

// Parse decodes one schema file. file is used only in error messages, which
// name it, the key at fault and (for JSON syntax errors) the line and column.
// Type names may be any KQL spelling or alias that types.Parse accepts.
func Parse(data []byte, file string) (name string, s types.Schema, err error) {
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return "", nil, fmt.Errorf("%s: %s", file, describeJSONError(data, err))
	}
	if strings.TrimSpace(f.Name) == "" {
		return "", nil, fmt.Errorf("%s: Name: missing or empty table name", file)
	}
	if !validIdent(f.Name) {
		return "", nil, fmt.Errorf("%s: Name: %q is not a valid table name", file, f.Name)
	}
	if len(f.Properties) == 0 {
		return "", nil, fmt.Errorf("%s: Properties: table %q has no columns", file, f.Name)
	}
	s = make(types.Schema, 0, len(f.Properties))
	seen := make(map[string]int, len(f.Properties))
	for i, p := range f.Properties {
		where := fmt.Sprintf("%s: Properties[%d]", file, i)
		if strings.TrimSpace(p.Name) == "" {
			return "", nil, fmt.Errorf("%s.Name: missing or empty column name", where)
		}
		if !validIdent(p.Name) {
			return "", nil, fmt.Errorf("%s.Name: %q is not a valid column name", where, p.Name)
		}
		if j, dup := seen[p.Name]; dup {
			return "", nil, fmt.Errorf("%s.Name: duplicate column %q (also Properties[%d])", where, p.Name, j)
		}
		seen[p.Name] = i
		if strings.TrimSpace(p.Type) == "" {
			return "", nil, fmt.Errorf("%s.Type: column %q has no type", where, p.Name)
		}
		t, ok := types.Parse(p.Type)
		if !ok || t == types.Null {
			return "", nil, fmt.Errorf("%s.Type: column %q has unknown type %q", where, p.Name, p.Type)
		}
		s = append(s, types.Column{Name: p.Name, Type: t})
	}
	return f.Name, s, nil
}

// validIdent accepts the names Log Analytics gives tables and columns:
// letters, digits and underscores, not starting with a digit. (Kusto allows
// more with ['quoting'], but no Microsoft table or column needs it.)
func validIdent(s string) bool {
	if s == "" {
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

// describeJSONError turns encoding/json errors into "line L col C: ..." or
// "<key>: ..." text so a broken workspace file can be found and fixed.
func describeJSONError(data []byte, err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		l, c := lineCol(data, syn.Offset)
		return fmt.Sprintf("line %d col %d: invalid JSON: %v", l, c, syn)
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		key := ute.Field
		if key == "" {
			key = "(top level)"
		}
		l, c := lineCol(data, ute.Offset)
		return fmt.Sprintf("%s: line %d col %d: expected %s, found JSON %s", key, l, c, jsonKind(ute.Type), ute.Value)
	}
	return "invalid JSON: " + err.Error()
}

// jsonKind names a Go destination type the way a JSON author thinks of it.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a JSON array"
	case reflect.Struct, reflect.Map:
		return "a JSON object"
	case reflect.String:
		return "a JSON string"
	}
	return t.String()
}

func lineCol(data []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
