package binder

import (
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/types"
)

// maxDepth bounds nested function calls while binding (Kusto forbids
// recursion; a hostile script must not exhaust the stack).
const maxDepth = 32

// ctx is where a scalar expression is bound: the row it can see, the names
// in scope, and whether aggregates are allowed here.
type ctx struct {
	tab *tabular
	sc  *scope
	agg bool
	// nested is set inside an aggregate's arguments, where another
	// aggregate is an error
	nested bool
	left   *tabular // join/lookup $left
	right  *tabular // join/lookup $right
}

func (b *binder) stmt(st ast.Stmt, sc *scope) *StmtInfo {
	info := &StmtInfo{Stmt: st, Type: Unknown}
	switch s := st.(type) {
	case *ast.LetStmt:
		if s.Name == nil {
			return info
		}
		info.Name = s.Name.Name
		sym := b.letValue(s.Name.Name, s.Value, sc)
		sym.pos = s.Name.Pos()
		sc.define(sym)
		switch sym.kind {
		case symTable:
			info.Tabular, info.Schema, info.Open = true, sym.tab.cols, sym.tab.open
		case symScalar:
			info.Type = sym.typ
		case symFunc:
			if sym.fnTab != nil {
				info.Tabular, info.Schema, info.Open = true, sym.fnTab.cols, sym.fnTab.open
			} else {
				info.Type = sym.fnType
			}
		}
	case *ast.SetStmt:
		if s.Value != nil {
			b.quiet++
			b.scalar(s.Value, &ctx{sc: sc})
			b.quiet--
		}
	case *ast.DeclareStmt:
		for _, p := range s.Params {
			if p == nil || p.Name == nil {
				continue
			}
			t := Unknown
			if p.Type != nil {
				t = p.Type.Type
			}
			if p.Default != nil {
				dt := b.scalar(p.Default, &ctx{sc: sc})
				if t == Unknown {
					t = dt
				}
			}
			sc.define(&symbol{name: p.Name.Name, kind: symScalar, typ: t, pos: p.Name.Pos()})
		}
	case *ast.PatternStmt:
		if s.Name != nil {
			sc.define(&symbol{name: s.Name.Name, kind: symPattern, pos: s.Name.Pos()})
		}
	case *ast.AliasStmt:
		if s.Name != nil {
			sc.define(&symbol{name: s.Name.Name, kind: symTable, tab: openTab(), pos: s.Name.Pos()})
		}
	case *ast.ExprStmt:
		tab, t, isTab := b.value(s.X, sc)
		if isTab {
			info.Tabular, info.Schema, info.Open = true, tab.cols, tab.open
		} else {
			info.Type = t
		}
	}
	return info
}

// letValue binds the right-hand side of let name = value.
func (b *binder) letValue(name string, value ast.Expr, sc *scope) *symbol {
	switch v := value.(type) {
	case *ast.FuncLit:
		return b.defineFunc(name, v, sc, false)
	case *ast.ViewLit:
		if v.Func != nil {
			return b.defineFunc(name, v.Func, sc, true)
		}
	}
	tab, t, isTab := b.value(value, sc)
	if isTab {
		return &symbol{name: name, kind: symTable, tab: tab}
	}
	return &symbol{name: name, kind: symScalar, typ: t}
}

// defineFunc makes the symbol of a user function and binds its body once
// with the declared parameter types, reporting what is wrong in it.
func (b *binder) defineFunc(name string, fn *ast.FuncLit, sc *scope, view bool) *symbol {
	sym := &symbol{name: name, kind: symFunc, fn: fn, env: sc, view: view}
	tab, t, isTab := b.funcBody(sym, nil, nil, false)
	if isTab {
		sym.fnTab = tab
	} else {
		sym.fnType = t
	}
	return sym
}

// funcBody binds a user function's body. argTypes and argTabs give the
// actual arguments of a call (nil: use the declared parameter types).
func (b *binder) funcBody(sym *symbol, argTypes []types.Type, argTabs []*tabular, quiet bool) (*tabular, types.Type, bool) {
	if b.depth >= maxDepth || sym.fn == nil || sym.fn.Body == nil {
		return openTab(), Unknown, sym.fnTab != nil
	}
	b.depth++
	defer func() { b.depth-- }()
	if quiet {
		b.quiet++
		defer func() { b.quiet-- }()
	}
	inner := newScope(sym.env)
	for i, p := range sym.fn.Params {
		if p == nil || p.Name == nil {
			continue
		}
		ps := &symbol{name: p.Name.Name, kind: symScalar, typ: Unknown, pos: p.Name.Pos()}
		switch {
		case p.Type != nil && p.Type.Tabular:
			ps.kind = symTable
			if i < len(argTabs) && argTabs[i] != nil {
				ps.tab = argTabs[i]
			} else {
				ps.tab = declaredTab(p.Type)
			}
		case i < len(argTypes) && argTypes[i] != Unknown:
			ps.typ = argTypes[i]
		case p.Type != nil:
			ps.typ = p.Type.Type
		case p.Default != nil:
			ps.typ = b.scalar(p.Default, &ctx{sc: sym.env})
		}
		inner.define(ps)
	}
	return b.block(sym.fn.Body, inner)
}

// declaredTab is the table a tabular parameter declares: (a:string, b:long)
// or (*), which is open.
func declaredTab(t *ast.TypeExpr) *tabular {
	tab := &tabular{open: t.Star || len(t.Columns) == 0}
	for _, c := range t.Columns {
		if c == nil || c.Name == nil {
			continue
		}
		ct := Unknown
		if c.Type != nil {
			ct = c.Type.Type
		}
		tab.cols = append(tab.cols, types.Column{Name: c.Name.Name, Type: ct})
	}
	// A declared schema is the minimum a caller passes: more columns may come.
	tab.open = true
	return tab
}

// block binds { let ...; expr } and returns its last statement's value.
func (b *binder) block(blk *ast.Block, sc *scope) (*tabular, types.Type, bool) {
	var (
		tab   *tabular
		t     = Unknown
		isTab bool
	)
	for _, st := range blk.Stmts {
		info := b.stmt(st, sc)
		if _, ok := st.(*ast.ExprStmt); ok {
			isTab = info.Tabular
			if isTab {
				tab = &tabular{cols: info.Schema, open: info.Open}
			} else {
				t = info.Type
			}
		}
	}
	if isTab && tab == nil {
		tab = openTab()
	}
	return tab, t, isTab
}

// value binds an expression that may be tabular or scalar: a statement or
// the right side of a let.
func (b *binder) value(x ast.Expr, sc *scope) (*tabular, types.Type, bool) {
	if b.isTabular(x, sc, true) {
		return b.tabExpr(x, sc), Unknown, true
	}
	return nil, b.scalar(x, &ctx{sc: sc}), false
}

// tabularCalls are built-in functions whose result is a table.
var tabularCalls = map[string]bool{
	"materialize": true, "table": true, "_GetWatchlist": true, "database": true, "cluster": true,
	"workspace": true, "app": true, "view": true, "external_table": true, "materialized_view": true,
	"stored_query_result": true, "entity_group": true, "_ASIM_GetWatchlistRaw": true,
	"arg": true, "adx": true, // Azure Resource Graph and ADX cross-service queries
	// Defender XDR advanced hunting functions
	"FileProfile": true, "DeviceFromIP": true, "AssignedIPAddresses": true, "SeenBy": true,
}

// isTabular tells whether x denotes a table. At statement level (top) an
// unresolved bare name is taken for a table, so that a misspelt table gets
// "unknown table".
func (b *binder) isTabular(x ast.Expr, sc *scope, top bool) bool {
	switch x := x.(type) {
	case *ast.Pipe:
		if len(x.Ops) > 0 {
			return true
		}
		return b.isTabular(x.Source, sc, top)
	case *ast.OpExpr, *ast.WildcardIdent:
		return true
	case *ast.ParenExpr:
		return b.isTabular(x.X, sc, top)
	case *ast.Ident:
		if sym := sc.lookup(x.Name); sym != nil {
			switch sym.kind {
			case symTable:
				return true
			case symFunc:
				return sym.fnTab != nil && len(sym.fn.Params) == 0
			}
			return false
		}
		if _, ok := b.cat.Table(x.Name); ok {
			return true
		}
		return top
	case *ast.CallExpr:
		name := callName(x)
		if sym := sc.lookup(name); sym != nil {
			return sym.kind == symFunc && sym.fnTab != nil
		}
		if tabularCalls[name] {
			return true
		}
		if _, ok := b.storedFunction(name); ok {
			return true
		}
		if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
			return b.isTabular(sel.X, sc, false)
		}
	case *ast.SelectorExpr:
		// database("d").T, cluster("c").database("d").T
		if c, ok := x.X.(*ast.CallExpr); ok && tabularCalls[callName(c)] {
			return true
		}
		return b.isTabular(x.X, sc, false) && !strings.HasPrefix(exprName(x.X), "$")
	}
	return false
}

func (b *binder) storedFunction(name string) (types.Schema, bool) {
	if f, ok := b.cat.(FunctionCatalog); ok {
		return f.Function(name)
	}
	return nil, false
}
