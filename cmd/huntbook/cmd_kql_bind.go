package main

import (
	"sync"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/binder"
	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/schemas"
	"github.com/huntbook/huntbook/kql/token"
)

// The binder behind `huntbook kql check --schemas DIR`: the schema files in
// DIR (the shared/schemas format) shadow the built-in Sentinel schemas, and
// every binding error counts as an error of the file.

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
	var cat binder.Catalog
	if err == nil {
		cat = binder.Layered(binder.MapCatalog(loaded), binder.Builtin())
	}
	catalogs[dir] = catalogResult{cat, err}
	return cat, err
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
