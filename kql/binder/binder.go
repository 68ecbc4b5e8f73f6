// Package binder owns KQL's semantic analysis: it resolves the names in a
// parsed query (tables, columns, let bindings, user functions, built-in
// scalar and aggregate functions, $left/$right, watchlists, query
// parameters), infers the result schema of every tabular operator with the
// column names Kusto gives (count_, sum_X, Column1, print_0, TimeGenerated1
// ...), types scalar expressions, and reports what Kusto would reject as
// diagnostics with exact positions and "did you mean" suggestions. It also
// answers the kernel's completion and inspection requests on incomplete text.
//
// The binder never runs a query; kql/exec computes schemas from data. Both
// follow Kusto's documented semantics. Constructs the binder cannot model
// (evaluate plugins, find, make-graph ...) produce an "open" schema: any
// column name is then accepted with an unknown type, so the binder errs on
// the side of silence rather than reporting false errors.
package binder

import (
	"fmt"
	"sort"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// Unknown is the type the binder gives an expression whose type it cannot
// know (a column of an open schema, a dynamic plugin's output). It is
// types.Null, which like an untyped null is compatible with every type.
const Unknown = types.Null

// Severity grades a diagnostic.
type Severity int

const (
	// Error is something Kusto rejects.
	Error Severity = iota
	// Warning is legal but probably not what was meant.
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found while binding, spanning Pos..End.
type Diagnostic struct {
	Pos      token.Position
	End      token.Position
	Severity Severity
	Msg      string
}

// String is "line:col: error: message" (with the file name when known).
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s: %s: %s", d.Pos, d.Severity, d.Msg)
}

// Options tune a binding.
type Options struct {
	// NoHiddenColumns rejects references to the Log Analytics system
	// columns (_ResourceId, _BilledSize ...) that every workspace table has
	// but schemas leave out. By default they are accepted on catalog tables.
	NoHiddenColumns bool
	// Scalars are session-defined scalar names (a kernel's Python-side
	// variables, query parameters given by the host) and their types.
	Scalars map[string]types.Type
	// Tables are session-defined tabular results (named results of earlier
	// cells); they shadow catalog tables of the same name.
	Tables map[string]types.Schema
}

// StmtInfo is what the binder learnt about one top-level statement.
type StmtInfo struct {
	Stmt ast.Stmt
	// Name is the bound name of a let statement, "" otherwise.
	Name string
	// Tabular is true when the statement's value is a table; Schema is then
	// its result schema and Open reports that more (unknown) columns may exist.
	Tabular bool
	Schema  types.Schema
	Open    bool
	// Type is the scalar type of a scalar let or expression statement.
	Type types.Type
}

// Result is the outcome of Bind.
type Result struct {
	Stmts       []*StmtInfo
	Diagnostics []Diagnostic

	file   *token.File
	types  map[ast.Expr]types.Type
	scopes []rowScope
	// names in scope at the end of the script (let names), for completion
	globals []*symbol
}

// rowScope records the columns a scalar expression could name between Pos and End.
type rowScope struct {
	pos, end token.Pos
	tab      *tabular
	syms     *scope
}

// HasErrors reports whether any diagnostic is an error.
func (r *Result) HasErrors() bool {
	for _, d := range r.Diagnostics {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// TypeOf returns the scalar type the binder gave x, or Unknown.
func (r *Result) TypeOf(x ast.Expr) types.Type {
	if t, ok := r.types[x]; ok {
		return t
	}
	return Unknown
}

// SchemaAt returns the columns in scope at pos: the input of the innermost
// operator (or function body) whose text covers pos. ok is false when pos is
// not inside any operator.
func (r *Result) SchemaAt(pos token.Pos) (types.Schema, bool) {
	s := r.scopeAt(pos)
	if s == nil {
		return nil, false
	}
	return s.tab.cols, true
}

func (r *Result) scopeAt(pos token.Pos) *rowScope {
	var best *rowScope
	for i := range r.scopes {
		s := &r.scopes[i]
		if pos < s.pos || pos > s.end {
			continue
		}
		if best == nil || s.end-s.pos <= best.end-best.pos {
			best = s
		}
	}
	return best
}

// Bind resolves and types script against cat. file turns positions into
// line and column for diagnostics; it may be nil (positions are then
// offsets only). Bind never fails: problems become Diagnostics.
func Bind(script *ast.Script, file *token.File, cat Catalog, opts Options) *Result {
	if cat == nil {
		cat = MapCatalog{}
	}
	b := newBinder(file, cat, opts)
	if script != nil {
		for _, st := range script.Stmts {
			if st == nil {
				continue
			}
			b.res.Stmts = append(b.res.Stmts, b.stmt(st, b.global))
		}
	}
	sort.SliceStable(b.res.Diagnostics, func(i, j int) bool {
		return b.res.Diagnostics[i].Pos.Offset < b.res.Diagnostics[j].Pos.Offset
	})
	for _, name := range b.global.order {
		b.res.globals = append(b.res.globals, b.global.syms[name])
	}
	return b.res
}
