package binder

import (
	"slices"
	"sort"

	"github.com/huntbook/huntbook/kql/schemas"
	"github.com/huntbook/huntbook/kql/types"
)

// Catalog supplies the schemas of the tables a query may read.
type Catalog interface {
	// Table returns the schema of the table with exactly this name.
	Table(name string) (types.Schema, bool)
	// Tables lists the table names, for completion and suggestions.
	Tables() []string
}

// WatchlistCatalog is implemented by catalogs that know Sentinel
// watchlists, read with _GetWatchlist('alias'). Without it (or for an
// unknown alias) a watchlist binds to an open schema with the standard
// SearchKey and _DTItemId columns.
type WatchlistCatalog interface {
	Watchlist(alias string) (types.Schema, bool)
}

// FunctionCatalog is implemented by catalogs that know stored (workspace
// saved) functions: their result schema when called. A stored function is
// looked up when a call names no let binding and no built-in function.
type FunctionCatalog interface {
	Function(name string) (types.Schema, bool)
}

// builtinCatalog serves kql/schemas' built-in Sentinel tables.
type builtinCatalog struct{}

// Builtin is the catalog of built-in Sentinel, Log Analytics and Defender
// XDR table schemas (kql/schemas).
func Builtin() Catalog { return builtinCatalog{} }

func (builtinCatalog) Table(name string) (types.Schema, bool) { return schemas.Lookup(name) }
func (builtinCatalog) Tables() []string                       { return schemas.Names() }

// MapCatalog is a catalog of tables held in a map (a workspace folder's
// schemas, a test's fixtures).
type MapCatalog map[string]types.Schema

func (m MapCatalog) Table(name string) (types.Schema, bool) {
	s, ok := m[name]
	return slices.Clone(s), ok
}

func (m MapCatalog) Tables() []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Layered looks a table up in each catalog in turn, so that a workspace's
// own schemas can shadow the built-in ones: Layered(workspace, Builtin()).
// Watchlist and function lookups go to the first catalog that has them.
func Layered(cats ...Catalog) Catalog { return layered(cats) }

type layered []Catalog

func (l layered) Table(name string) (types.Schema, bool) {
	for _, c := range l {
		if s, ok := c.Table(name); ok {
			return s, true
		}
	}
	return nil, false
}

func (l layered) Tables() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range l {
		for _, n := range c.Tables() {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (l layered) Watchlist(alias string) (types.Schema, bool) {
	for _, c := range l {
		if w, ok := c.(WatchlistCatalog); ok {
			if s, ok := w.Watchlist(alias); ok {
				return s, true
			}
		}
	}
	return nil, false
}

func (l layered) Function(name string) (types.Schema, bool) {
	for _, c := range l {
		if f, ok := c.(FunctionCatalog); ok {
			if s, ok := f.Function(name); ok {
				return s, true
			}
		}
	}
	return nil, false
}
