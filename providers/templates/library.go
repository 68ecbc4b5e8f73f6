package templates

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Library is a set of templates by name.
type Library struct {
	queries map[string]*Query
}

// NewLibrary returns an empty library.
func NewLibrary() *Library { return &Library{queries: map[string]*Query{}} }

// file is the YAML shape of one template file.
type file struct {
	Metadata struct {
		Version          any      `yaml:"version"`
		Description      string   `yaml:"description"`
		DataEnvironments []string `yaml:"data_environments"`
		DataFamilies     []string `yaml:"data_families"`
		Tags             []string `yaml:"tags"`
	} `yaml:"metadata"`
	Defaults struct {
		Metadata   map[string]any       `yaml:"metadata"`
		Parameters map[string]yamlParam `yaml:"parameters"`
	} `yaml:"defaults"`
	Sources map[string]struct {
		Description string               `yaml:"description"`
		Metadata    map[string]any       `yaml:"metadata"`
		Args        map[string]any       `yaml:"args"`
		Parameters  map[string]yamlParam `yaml:"parameters"`
	} `yaml:"sources"`
}

type yamlParam struct {
	Description string    `yaml:"description"`
	Type        string    `yaml:"type"`
	Default     yaml.Node `yaml:"default"`
}

// Parse reads one template file. name is used in errors and Query.Source.
// A file whose parameters have unknown types, whose sources lack
// args.query, or whose query uses an undeclared {placeholder} is rejected
// with the source and key named.
func Parse(name string, data []byte) ([]*Query, error) {
	var f file
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(f.Sources) == 0 {
		return nil, fmt.Errorf("%s: no sources", name)
	}
	if len(f.Metadata.DataFamilies) == 0 {
		return nil, fmt.Errorf("%s: metadata.data_families is empty", name)
	}
	family := f.Metadata.DataFamilies[0]
	var out []*Query
	srcNames := make([]string, 0, len(f.Sources))
	for n := range f.Sources {
		srcNames = append(srcNames, n)
	}
	sort.Strings(srcNames)
	for _, sn := range srcNames {
		src := f.Sources[sn]
		where := fmt.Sprintf("%s: sources.%s", name, sn)
		text, ok := src.Args["query"].(string)
		if !ok || strings.TrimSpace(text) == "" {
			return nil, fmt.Errorf("%s: args.query is missing or not a string", where)
		}
		q := &Query{
			Name: family + "." + sn, Source: name, Description: src.Description,
			Environments: f.Metadata.DataEnvironments, Families: f.Metadata.DataFamilies,
			Tags: f.Metadata.Tags, Metadata: map[string]any{}, Text: text, Params: map[string]Param{},
		}
		for k, v := range f.Defaults.Metadata {
			q.Metadata[k] = v
		}
		for k, v := range src.Metadata {
			q.Metadata[k] = v
		}
		// Source parameters override the file defaults, as in MSTICPy.
		for _, set := range []map[string]yamlParam{f.Defaults.Parameters, src.Parameters} {
			for pn, yp := range set {
				p, err := makeParam(pn, yp)
				if err != nil {
					return nil, fmt.Errorf("%s: parameters.%s: %w", where, pn, err)
				}
				q.Params[pn] = p
			}
		}
		if err := q.checkPlaceholders(); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		out = append(out, q)
	}
	return out, nil
}

func makeParam(name string, yp yamlParam) (Param, error) {
	t, ok := normType(yp.Type)
	if !ok {
		return Param{}, fmt.Errorf("type %q is unknown (want one of %s)", yp.Type, strings.Join(Types, ", "))
	}
	p := Param{Name: name, Description: yp.Description, Type: t}
	// An explicit null (default: or ~) means no default, as in MSTICPy.
	if yp.Default.Kind != 0 && yp.Default.Tag != "!!null" {
		var v any
		if err := yp.Default.Decode(&v); err != nil {
			return Param{}, fmt.Errorf("default: %w", err)
		}
		p.Default, p.HasDefault = v, true
	}
	return p, nil
}

// checkPlaceholders rejects {name} fields with no parameter.
func (q *Query) checkPlaceholders() error {
	t := q.Text
	for i := 0; i < len(t); i++ {
		if t[i] == '{' && i+1 < len(t) && t[i+1] == '{' {
			i++
			continue
		}
		if t[i] != '{' {
			continue
		}
		end := strings.IndexByte(t[i:], '}')
		if end < 0 {
			return fmt.Errorf("unclosed { in args.query")
		}
		name, _, _ := strings.Cut(t[i+1:i+end], ":")
		if _, ok := q.Params[strings.TrimSpace(name)]; !ok {
			return fmt.Errorf("args.query uses {%s} but no such parameter is declared", name)
		}
		i += end
	}
	return nil
}

// Add puts queries into the library; a later query with the same name
// replaces an earlier one (custom paths override the defaults, as
// QueryDefinitions' order means).
func (l *Library) Add(qs ...*Query) {
	for _, q := range qs {
		l.queries[q.Name] = q
	}
}

// LoadFS adds every .yaml/.yml file under root of fsys.
func (l *Library) LoadFS(fsys fs.FS, root string) error {
	return fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || (path.Ext(p) != ".yaml" && path.Ext(p) != ".yml") {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		qs, err := Parse(p, data)
		if err != nil {
			return err
		}
		l.Add(qs...)
		return nil
	})
}

// LoadDirs adds the templates under each directory (QueryDefinitions
// paths), in order. A missing directory is skipped, as MSTICPy does;
// a broken file is an error naming it.
func (l *Library) LoadDirs(dirs ...string) error {
	for _, d := range dirs {
		st, err := os.Stat(d)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if !st.IsDir() {
			return fmt.Errorf("query path %s is not a directory", d)
		}
		err = filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() || (filepath.Ext(p) != ".yaml" && filepath.Ext(p) != ".yml") {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			qs, err := Parse(p, data)
			if err != nil {
				return err
			}
			l.Add(qs...)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Load returns the built-in library with the templates of dirs added.
func Load(dirs ...string) (*Library, error) {
	l := NewLibrary()
	l.Add(Builtin().All()...)
	if err := l.LoadDirs(dirs...); err != nil {
		return nil, err
	}
	return l, nil
}

//go:embed builtin/*.yaml
var builtinFS embed.FS

var builtinOnce = sync.OnceValue(func() *Library {
	l := NewLibrary()
	if err := l.LoadFS(builtinFS, "builtin"); err != nil {
		panic("templates: built-in library: " + err.Error()) // tested
	}
	return l
})

// Builtin returns the embedded hunting library. Its Query values are
// shared: do not modify them.
func Builtin() *Library { return builtinOnce() }

// Get finds a query by full name (Family.source), or by source name alone
// when that is unambiguous. Matching ignores case.
func (l *Library) Get(name string) (*Query, error) {
	if q, ok := l.queries[name]; ok {
		return q, nil
	}
	var found []*Query
	for n, q := range l.queries {
		_, short, _ := strings.Cut(n, ".")
		if strings.EqualFold(n, name) || strings.EqualFold(short, name) {
			found = append(found, q)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, fmt.Errorf("no query named %q", name)
	}
	names := make([]string, len(found))
	for i, q := range found {
		names[i] = q.Name
	}
	sort.Strings(names)
	return nil, fmt.Errorf("query name %q is ambiguous: %s", name, strings.Join(names, ", "))
}

// All returns every query in name order.
func (l *Library) All() []*Query { return l.List(Filter{}) }

// Filter selects queries; empty fields match everything.
type Filter struct {
	Family      string // a data family, case-insensitive
	Environment string // a data environment, case-insensitive
	Tag         string
	Text        string // a substring of the name or description, case-insensitive
}

// List returns the queries matching f, in name order.
func (l *Library) List(f Filter) []*Query {
	var out []*Query
	for _, q := range l.queries {
		if f.Family != "" && !containsFold(q.Families, f.Family) {
			continue
		}
		if f.Environment != "" && !containsFold(q.Environments, f.Environment) {
			continue
		}
		if f.Tag != "" && !containsFold(q.Tags, f.Tag) {
			continue
		}
		if f.Text != "" {
			t := strings.ToLower(f.Text)
			if !strings.Contains(strings.ToLower(q.Name), t) && !strings.Contains(strings.ToLower(q.Description), t) {
				continue
			}
		}
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
