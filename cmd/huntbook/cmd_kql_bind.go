package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/binder"
	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/schemas"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
)

// The binder behind `huntbook kql check --schemas DIR`: the schema files in
// DIR (the shared/schemas format), or the tables of a workspace folder,
// shadow the built-in Sentinel schemas, and every binding error counts as an
// error of the file.

func init() { kqlBind = bindWithSchemas }

var (
	catalogsMu sync.Mutex
	catalogs   = map[string]catalogResult{} // one load per directory per run
)

type catalogResult struct {
	cat binder.Catalog
	err error
}

func schemasCatalog(dir string) (binder.Catalog, error) {
	catalogsMu.Lock()
	defer catalogsMu.Unlock()
	if r, ok := catalogs[dir]; ok {
		return r.cat, r.err
	}
	loaded, err := schemas.Load(dir)
	if err != nil {
		// A workspace folder (tables, workspace.json) rather than a folder
		// of schema files: its tables' schemas, as queries on it see them.
		if ws, werr := workspaceSchemas(dir); werr == nil && len(ws) > 0 {
			loaded, err = ws, nil
		}
	}
	var cat binder.Catalog
	if err == nil {
		cat = binder.Layered(binder.MapCatalog(loaded), binder.Builtin())
	}
	catalogs[dir] = catalogResult{cat, err}
	return cat, err
}

// workspaceSchemas are the schemas of a workspace folder's tables.
func workspaceSchemas(dir string) (map[string]types.Schema, error) {
	// A folder of schema files holds .json files too: only a workspace.json
	// or table data makes it a workspace.
	if !looksLikeWorkspace(dir) {
		return nil, fmt.Errorf("%s is not a workspace", dir)
	}
	w, err := workspace.Open(dir, workspace.Options{})
	if err != nil {
		return nil, err
	}
	out := map[string]types.Schema{}
	for _, name := range w.Tables() {
		if s, ok := w.Schema(name); ok {
			out[name] = s
		}
	}
	return out, nil
}

func looksLikeWorkspace(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, "workspace.json")); err == nil {
		return true
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		n := strings.TrimSuffix(e.Name(), ".gz")
		if ext := filepath.Ext(n); ext == ".csv" || ext == ".jsonl" || ext == ".parquet" {
			return true
		}
	}
	return false
}

func bindWithSchemas(script *ast.Script, file *token.File, dir string) []*parser.Error {
	cat, err := schemasCatalog(dir)
	if err != nil {
		return []*parser.Error{{Msg: "--schemas: " + err.Error()}}
	}
	res := binder.Bind(script, file, cat, binder.Options{})
	var out []*parser.Error
	for _, d := range res.Diagnostics {
		if d.Severity == binder.Error {
			out = append(out, &parser.Error{Pos: d.Pos, Msg: d.Msg})
		}
	}
	return out
}
