package binder

import (
	"fmt"
	suggestpkg "github.com/huntbook/huntbook/kql/suggest"
	"path"
	"slices"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/schemas"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// tabular is the binder's view of a table: its known columns, and whether
// it is open (further columns of unknown type may exist, so unknown names
// are not errors).
type tabular struct {
	cols types.Schema
	open bool
	// hidden columns (Log Analytics system columns) are accepted by name
	// but not part of the schema, as in Kusto.
	hidden types.Schema
}

func openTab() *tabular { return &tabular{open: true} }

func (t *tabular) clone() *tabular {
	return &tabular{cols: slices.Clone(t.cols), open: t.open, hidden: t.hidden}
}

// lookup finds a column by exact name; hidden columns count.
func (t *tabular) lookup(name string) (types.Column, bool) {
	if i := t.cols.Index(name); i >= 0 {
		return t.cols[i], true
	}
	if i := t.hidden.Index(name); i >= 0 {
		return t.hidden[i], true
	}
	return types.Column{}, false
}

// set replaces the column named c.Name in place, or appends it.
func (t *tabular) set(c types.Column) {
	if i := t.cols.Index(c.Name); i >= 0 {
		t.cols[i] = c
		return
	}
	t.cols = append(t.cols, c)
}

func (t *tabular) names() []string {
	out := make([]string, len(t.cols))
	for i, c := range t.cols {
		out[i] = c.Name
	}
	return out
}

// symKind is what a let name (or parameter) stands for.
type symKind int

const (
	symScalar symKind = iota
	symTable
	symFunc
	symPattern
)

type symbol struct {
	name string
	kind symKind
	typ  types.Type // symScalar
	tab  *tabular   // symTable
	fn   *ast.FuncLit
	env  *scope // the scope a function was defined in (its closure)
	view bool
	pos  token.Pos
	// result of a function body bound with its declared parameter types,
	// used for completion and inspection
	fnTab  *tabular
	fnType types.Type
}

// scope holds let names and parameters; lookups walk outwards.
type scope struct {
	parent *scope
	syms   map[string]*symbol
	order  []string
}

func newScope(parent *scope) *scope { return &scope{parent: parent, syms: map[string]*symbol{}} }

func (s *scope) define(sym *symbol) {
	if _, ok := s.syms[sym.name]; !ok {
		s.order = append(s.order, sym.name)
	}
	s.syms[sym.name] = sym
}

func (s *scope) lookup(name string) *symbol {
	for ; s != nil; s = s.parent {
		if sym, ok := s.syms[name]; ok {
			return sym
		}
	}
	return nil
}

// all lists every visible symbol, inner scopes first, each name once.
func (s *scope) all() []*symbol {
	seen := map[string]bool{}
	var out []*symbol
	for ; s != nil; s = s.parent {
		for _, n := range s.order {
			if !seen[n] {
				seen[n] = true
				out = append(out, s.syms[n])
			}
		}
	}
	return out
}

// binder carries the state of one Bind call.
type binder struct {
	file   *token.File
	cat    Catalog
	opts   Options
	res    *Result
	global *scope
	// quiet > 0 suppresses diagnostics: used when re-binding a function
	// body for a call's argument types.
	quiet int
	depth int
}

func newBinder(file *token.File, cat Catalog, opts Options) *binder {
	b := &binder{
		file: file, cat: cat, opts: opts,
		res:    &Result{file: file, types: map[ast.Expr]types.Type{}},
		global: newScope(nil),
	}
	for name, t := range opts.Scalars {
		b.global.define(&symbol{name: name, kind: symScalar, typ: t})
	}
	for name, s := range opts.Tables {
		b.global.define(&symbol{name: name, kind: symTable, tab: &tabular{cols: slices.Clone(s)}})
	}
	return b
}

func (b *binder) position(p token.Pos) token.Position {
	if b.file == nil {
		if !p.IsValid() {
			return token.Position{}
		}
		return token.Position{Offset: int(p) - 1}
	}
	return b.file.Position(p)
}

// errorf reports an error spanning n.
func (b *binder) errorf(n ast.Node, format string, args ...any) {
	b.report(Error, n.Pos(), n.End(), fmt.Sprintf(format, args...))
}

func (b *binder) warnf(n ast.Node, format string, args ...any) {
	b.report(Warning, n.Pos(), n.End(), fmt.Sprintf(format, args...))
}

func (b *binder) report(sev Severity, pos, end token.Pos, msg string) {
	if b.quiet > 0 || !pos.IsValid() {
		return
	}
	// One diagnostic per place and message: a function body bound twice
	// must not report twice.
	for _, d := range b.res.Diagnostics {
		if d.Pos.Offset == int(pos)-1 && d.Msg == msg {
			return
		}
	}
	b.res.Diagnostics = append(b.res.Diagnostics, Diagnostic{
		Pos: b.position(pos), End: b.position(end), Severity: sev, Msg: msg,
	})
}

// recordScope remembers that between pos and end the columns of tab (and
// the names of sc) are in scope, for SchemaAt and completion.
func (b *binder) recordScope(pos, end token.Pos, tab *tabular, sc *scope) {
	if b.quiet > 0 || !pos.IsValid() || tab == nil {
		return
	}
	b.res.scopes = append(b.res.scopes, rowScope{pos: pos, end: end, tab: tab, syms: sc})
}

func (b *binder) setType(x ast.Expr, t types.Type) types.Type {
	if x != nil {
		b.res.types[x] = t
	}
	return t
}

// tableSchema resolves a catalog or session table name.
func (b *binder) tableSchema(name string) (*tabular, bool) {
	s, ok := b.cat.Table(name)
	if !ok {
		return nil, false
	}
	t := &tabular{cols: s}
	if !b.opts.NoHiddenColumns {
		t.hidden = schemas.HiddenColumns()
		// TenantId, Type and SourceSystem are on nearly every Log Analytics
		// table; accept them where the schema does not list them.
		// Sentinel stores Defender XDR tables with both Timestamp and
		// TimeGenerated, and the unified portal accepts either on both kinds
		// of table: queries written for one run on the other.
		extra := []types.Column{{Name: "Type", Type: types.String}, {Name: "TenantId", Type: types.String}}
		if s.Index("Timestamp") >= 0 {
			extra = append(extra, types.Column{Name: "TimeGenerated", Type: types.DateTime})
		} else if s.Index("TimeGenerated") >= 0 {
			extra = append(extra, types.Column{Name: "Timestamp", Type: types.DateTime})
		}
		for _, c := range extra {
			if s.Index(c.Name) < 0 {
				t.hidden = append(t.hidden, c)
			}
		}
	}
	return t, true
}

// suggest returns " (did you mean 'X'?)" for the closest candidate to name
// (kql/suggest).
func suggest(name string, candidates []string) string { return suggestpkg.DidYouMean(name, candidates) }

func closest(name string, candidates []string) string { return suggestpkg.Closest(name, candidates) }

// text is the source text of n, shortened for messages.
func (b *binder) text(n ast.Node) string {
	if b.file == nil || n == nil || !n.Pos().IsValid() {
		return "expression"
	}
	src := b.file.Source()
	from, to := int(n.Pos())-1, int(n.End())-1
	if from < 0 || to > len(src) || from >= to {
		return "expression"
	}
	s := strings.Join(strings.Fields(string(src[from:to])), " ")
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// pathMatch matches a name against a wildcard pattern (Device*).
func pathMatch(pattern, name string) (bool, error) { return path.Match(pattern, name) }
