package binder

import (
	"path"
	"slices"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/types"
)

// tabExpr binds x as a table and returns its schema.
func (b *binder) tabExpr(x ast.Expr, sc *scope) *tabular {
	return b.tabExprIn(x, sc, nil)
}

// tabExprIn binds x as a table; in is the implicit input of a subquery
// (mv-apply, partition, facet, fork), nil elsewhere.
func (b *binder) tabExprIn(x ast.Expr, sc *scope, in *tabular) *tabular {
	switch x := x.(type) {
	case nil:
		if in != nil {
			return in.clone()
		}
		return openTab()
	case *ast.Pipe:
		var t *tabular
		if x.Source == nil || isBad(x.Source) {
			if in != nil {
				t = in.clone()
			} else {
				t = openTab()
			}
		} else {
			t = b.source(x.Source, sc, in)
		}
		for _, op := range x.Ops {
			if op == nil {
				continue
			}
			t = b.op(op, t, sc)
		}
		return t
	case *ast.ParenExpr:
		return b.tabExprIn(x.X, sc, in)
	default:
		return b.source(x, sc, in)
	}
}

func isBad(x ast.Expr) bool {
	_, ok := x.(*ast.BadExpr)
	return ok
}

// source binds the start of a pipeline.
func (b *binder) source(x ast.Expr, sc *scope, in *tabular) *tabular {
	switch x := x.(type) {
	case *ast.Ident:
		return b.tableRef(x, sc)
	case *ast.WildcardIdent:
		return b.unionOf([]ast.Expr{x}, sc, nil, false, false, nil)
	case *ast.ParenExpr:
		return b.tabExprIn(x.X, sc, in)
	case *ast.Pipe:
		return b.tabExprIn(x, sc, in)
	case *ast.OpExpr:
		if in != nil {
			return b.op(x.Op, in.clone(), sc)
		}
		return b.op(x.Op, nil, sc)
	case *ast.CallExpr:
		return b.tabCall(x, sc, nil)
	case *ast.SelectorExpr:
		// database("d").T: another database's table; its schema is unknown
		// unless the catalog has a table of that name.
		b.tabExpr(x.X, sc)
		if t, ok := b.tableSchema(x.Sel.Name); ok {
			return t
		}
		return openTab()
	case *ast.BadExpr:
		return openTab()
	}
	// A scalar where a table is expected: bind it for its own diagnostics.
	b.scalar(x, &ctx{sc: sc})
	return openTab()
}

// tableRef resolves a table name: a let, a session table or a catalog table.
func (b *binder) tableRef(id *ast.Ident, sc *scope) *tabular {
	if sym := sc.lookup(id.Name); sym != nil {
		switch sym.kind {
		case symTable:
			return sym.tab.clone()
		case symFunc:
			if len(sym.fn.Params) == 0 || sym.view {
				tab, _, isTab := b.funcBody(sym, nil, nil, true)
				if isTab {
					return tab
				}
			}
			b.errorf(id, "'%s' is a function: call it as %s()", id.Name, id.Name)
			return openTab()
		case symScalar:
			b.errorf(id, "'%s' is a scalar, not a table", id.Name)
			return openTab()
		}
		return openTab()
	}
	if t, ok := b.tableSchema(id.Name); ok {
		return t
	}
	b.errorf(id, "unknown table '%s'%s", id.Name, suggest(id.Name, b.tableCandidates(sc)))
	return openTab()
}

// tableCandidates are the names a table reference could have meant.
func (b *binder) tableCandidates(sc *scope) []string {
	var out []string
	for _, s := range sc.all() {
		if s.kind == symTable || s.kind == symFunc {
			out = append(out, s.name)
		}
	}
	return append(out, b.cat.Tables()...)
}

// tabCall binds a call that yields a table. input is the piped table for
// invoke, nil otherwise.
func (b *binder) tabCall(x *ast.CallExpr, sc *scope, input *tabular) *tabular {
	name := callName(x)
	if sym := sc.lookup(name); sym != nil {
		if sym.kind != symFunc {
			b.errorf(x.Fun, "'%s' is not a function", name)
			return openTab()
		}
		tab, _, isTab := b.userCall(sym, x, &ctx{sc: sc}, input)
		if !isTab {
			return openTab()
		}
		return tab
	}
	c := &ctx{sc: sc}
	switch name {
	case "materialize":
		if len(x.Args) != 1 {
			b.errorf(x, "materialize(): expects 1 argument, got %d", len(x.Args))
		}
		if len(x.Args) > 0 {
			return b.tabExpr(x.Args[0], sc)
		}
		return openTab()
	case "table", "view":
		if len(x.Args) > 0 {
			if lit, ok := x.Args[0].(*ast.Lit); ok && lit.Value.Type == types.String {
				if sym := sc.lookup(lit.Value.S); sym != nil && sym.kind == symTable {
					return sym.tab.clone()
				}
				if t, ok := b.tableSchema(lit.Value.S); ok {
					return t
				}
				b.errorf(lit, "unknown table '%s'%s", lit.Value.S, suggest(lit.Value.S, b.tableCandidates(sc)))
				return openTab()
			}
		}
		b.args(x.Args, c)
		return openTab()
	case "_GetWatchlist", "_ASIM_GetWatchlistRaw":
		b.args(x.Args, c)
		if len(x.Args) == 1 {
			if lit, ok := x.Args[0].(*ast.Lit); ok && lit.Value.Type == types.String {
				if w, ok := b.cat.(WatchlistCatalog); ok {
					if s, ok := w.Watchlist(lit.Value.S); ok {
						return &tabular{cols: s}
					}
				}
			}
		} else {
			b.errorf(x, "%s(): expects 1 argument, got %d", name, len(x.Args))
		}
		// The standard columns every watchlist has; its own are unknown.
		return &tabular{open: true, cols: types.Schema{
			{Name: "_DTItemId", Type: types.String}, {Name: "LastUpdatedTimeUTC", Type: types.DateTime},
			{Name: "SearchKey", Type: types.String}, {Name: "WatchlistItem", Type: types.Dynamic},
		}}
	}
	if tabularCalls[name] {
		if input != nil {
			// invoke FileProfile(SHA1): the arguments name input columns,
			// and the function adds columns of its own
			b.args(x.Args, &ctx{tab: input, sc: sc})
			out := input.clone()
			out.open = true
			return out
		}
		b.args(x.Args, c)
		return openTab()
	}
	if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
		b.tabExpr(sel.X, sc)
		b.args(x.Args, c)
		return openTab()
	}
	if s, ok := b.storedFunction(name); ok {
		b.args(x.Args, c)
		return &tabular{cols: slices.Clone(s)}
	}
	// A scalar call where a table is expected.
	b.scalar(x, c)
	return openTab()
}

// op binds one pipeline operator applied to in (nil for a source operator)
// and returns its output.
func (b *binder) op(o ast.Operator, in *tabular, sc *scope) *tabular {
	if u, ok := o.(*ast.UnionOp); ok {
		// A union's input (if piped) is its first table.
		b.recordScope(o.Pos(), o.End(), &tabular{}, sc)
		return b.union(u, in, sc)
	}
	if so, ok := o.(*ast.SearchOp); ok {
		b.recordScope(o.Pos(), o.End(), orEmpty(in), sc)
		return b.search(so, in, sc)
	}
	if in == nil {
		in = &tabular{} // a source operator: no input row
	}
	scopeTab := in
	b.recordScope(o.Pos(), o.End(), scopeTab, sc)
	c := &ctx{tab: scopeTab, sc: sc}
	switch o := o.(type) {
	case *ast.WhereOp:
		b.predicate(o.Pred, c, "where")
		return in
	case *ast.ProjectOp:
		return b.project(o, in, c)
	case *ast.SummarizeOp:
		return b.summarize(o, in, c)
	case *ast.CountOp:
		return &tabular{cols: types.Schema{{Name: "Count", Type: types.Long}}}
	case *ast.TakeOp:
		b.scalar(o.N, &ctx{sc: sc})
		return in
	case *ast.SampleOp:
		b.scalar(o.N, &ctx{sc: sc})
		return in
	case *ast.TopOp:
		b.scalar(o.N, &ctx{sc: sc})
		for _, by := range o.By {
			b.scalar(by, c)
		}
		return in
	case *ast.SortOp:
		for _, by := range o.By {
			b.scalar(by, c)
		}
		return in
	case *ast.DistinctOp:
		return b.distinct(o, in, c)
	case *ast.SampleDistinctOp:
		b.scalar(o.N, &ctx{sc: sc})
		t := b.scalar(o.Of, c)
		return &tabular{cols: types.Schema{{Name: nameOr(exprName(o.Of), "Column1"), Type: t}}}
	case *ast.TopNestedOp:
		return b.topNested(o, c)
	case *ast.JoinOp:
		return b.join(o, in, c)
	case *ast.LookupOp:
		return b.lookupOp(o, in, c)
	case *ast.MvExpandOp:
		return b.mvExpand(o.Items, o.WithItemIndex, o.Limit, in, c)
	case *ast.MvApplyOp:
		return b.mvApply(o, in, c)
	case *ast.ParseOp:
		return b.parse(o, in, c)
	case *ast.ParseKvOp:
		b.scalar(o.Source, c)
		out := in.clone()
		for _, col := range o.Columns {
			if col != nil && col.Name != nil {
				out.set(types.Column{Name: col.Name.Name, Type: typeOrString(col.Type)})
			}
		}
		return out
	case *ast.MakeSeriesOp:
		return b.makeSeries(o, c)
	case *ast.RenderOp, *ast.ConsumeOp:
		return in
	case *ast.AsOp:
		if o.Alias != nil {
			b.global.define(&symbol{name: o.Alias.Name, kind: symTable, tab: in.clone(), pos: o.Alias.Pos()})
		}
		return in
	case *ast.SerializeOp:
		out := in.clone()
		b.extendItems(o.Items, out, c)
		return out
	case *ast.GetSchemaOp:
		return &tabular{cols: types.Schema{
			{Name: "ColumnName", Type: types.String}, {Name: "ColumnOrdinal", Type: types.Int},
			{Name: "DataType", Type: types.String}, {Name: "ColumnType", Type: types.String},
		}}
	case *ast.FindOp:
		b.quiet++
		for _, t := range o.Tables {
			b.tabExpr(t, sc)
		}
		b.quiet--
		b.predicate(o.Pred, &ctx{tab: openTab(), sc: sc}, "find")
		return openTab()
	case *ast.EvaluateOp:
		return b.schemaHint(o, in, b.evaluate(o, in, c))
	case *ast.InvokeOp:
		if o.Call == nil {
			return openTab()
		}
		return b.tabCall(o.Call, sc, in)
	case *ast.ExternalDataOp:
		for _, u := range o.URIs {
			b.scalar(u, &ctx{sc: sc})
		}
		return typedTab(o.Columns)
	case *ast.DataTableOp:
		for _, v := range o.Values {
			b.scalar(v, &ctx{sc: sc})
		}
		return typedTab(o.Columns)
	case *ast.PrintOp:
		out := &tabular{}
		nm := newNamer(nil)
		for i, it := range o.Items {
			t := b.scalar(it, &ctx{sc: sc})
			name := ""
			if ne, ok := it.(*ast.NamedExpr); ok && len(ne.Names) == 1 {
				name = ne.Names[0].Name
			}
			if name == "" {
				name = "print_" + itoa(i)
			}
			out.set(types.Column{Name: nm.unique(name), Type: t})
		}
		return out
	case *ast.RangeOp:
		c0 := &ctx{sc: sc}
		t := b.scalar(o.From, c0)
		tt := b.scalar(o.To, c0)
		b.scalar(o.Step, c0)
		if t == Unknown {
			t = tt
		}
		if t == types.Int {
			t = types.Long
		}
		name := "Column1"
		if o.Col != nil {
			name = o.Col.Name
		}
		return &tabular{cols: types.Schema{{Name: name, Type: t}}}
	case *ast.PartitionOp:
		b.scalar(o.By, c)
		return b.tabExprIn(o.Query, sc, in)
	case *ast.ScanOp:
		out := in.clone()
		for _, p := range o.Declare {
			if p != nil && p.Name != nil {
				t := Unknown
				if p.Type != nil {
					t = p.Type.Type
				}
				out.set(types.Column{Name: p.Name.Name, Type: t})
			}
		}
		sc2 := &ctx{tab: out, sc: sc}
		// Steps may refer to each other's columns as Step.Col.
		out.open = true
		for _, st := range o.Steps {
			b.scalar(st.Pred, sc2)
			for _, a := range st.Assigns {
				b.scalar(a, sc2)
			}
		}
		out.open = in.open
		// with_match_id=Name adds the match id, a long, after the declared columns
		for _, prm := range o.Params {
			if prm == nil || len(prm.Names) != 1 || prm.Names[0].Name != "with_match_id" {
				continue
			}
			switch v := prm.Value.(type) {
			case *ast.Ident:
				out.set(types.Column{Name: v.Name, Type: types.Long})
			case *ast.Lit:
				if v.Value.Type == types.String && v.Value.S != "" {
					out.set(types.Column{Name: v.Value.S, Type: types.Long})
				}
			}
		}
		return out
	case *ast.ForkOp:
		for _, br := range o.Branches {
			b.tabExprIn(br, sc, in)
		}
		return openTab()
	case *ast.FacetOp:
		for _, by := range o.By {
			b.scalar(by, c)
		}
		if o.With != nil {
			b.tabExprIn(o.With, sc, in)
		}
		return openTab()
	case *ast.ReduceOp:
		b.scalar(o.By, c)
		return &tabular{cols: types.Schema{
			{Name: "Pattern", Type: types.String}, {Name: "Count", Type: types.Long},
			{Name: "Representative", Type: types.String},
		}}
	}
	// make-graph, graph-match and operators with syntax errors: unknown.
	return openTab()
}

func orEmpty(t *tabular) *tabular {
	if t == nil {
		return &tabular{}
	}
	return t
}

func nameOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func typeOrString(t *ast.TypeExpr) types.Type {
	if t == nil {
		return types.String
	}
	return t.Type
}

func typedTab(cols []*ast.TypedExpr) *tabular {
	out := &tabular{}
	for _, c := range cols {
		if c != nil && c.Name != nil {
			out.set(types.Column{Name: c.Name.Name, Type: typeOrString(c.Type)})
		}
	}
	return out
}

// predicate binds a filter that must be bool.
func (b *binder) predicate(x ast.Expr, c *ctx, op string) {
	if x == nil {
		return
	}
	t := b.scalar(x, c)
	if t != Unknown && t != types.Bool && t != types.Dynamic {
		b.errorf(x, "%s: the predicate must be bool, got %s", op, t)
	}
}

// project binds project, extend and the project-* family.
func (b *binder) project(o *ast.ProjectOp, in *tabular, c *ctx) *tabular {
	switch o.Kind {
	case "extend":
		out := in.clone()
		b.extendItems(o.Items, out, c)
		return out
	case "project-away":
		out := &tabular{open: in.open, hidden: in.hidden}
		drop := b.matchItems(o.Items, in, c, true)
		for _, col := range in.cols {
			if !drop[col.Name] {
				out.cols = append(out.cols, col)
			}
		}
		return out
	case "project-keep":
		out := &tabular{open: in.open}
		keep := b.matchItems(o.Items, in, c, true)
		for _, col := range in.cols {
			if keep[col.Name] {
				out.cols = append(out.cols, col)
			}
		}
		return out
	case "project-rename":
		out := in.clone()
		for _, it := range o.Items {
			ne, ok := it.(*ast.NamedExpr)
			if !ok || len(ne.Names) != 1 {
				b.scalar(it, c)
				continue
			}
			old, ok := ne.Value.(*ast.Ident)
			if !ok {
				b.errorf(ne.Value, "project-rename: expected a column name")
				continue
			}
			t := b.scalar(old, c)
			i := out.cols.Index(old.Name)
			if i >= 0 {
				out.cols[i].Name = ne.Names[0].Name
			} else if in.open {
				out.cols = append(out.cols, types.Column{Name: ne.Names[0].Name, Type: t})
			}
			b.setType(ne, t)
		}
		return out
	case "project-reorder":
		out := &tabular{open: in.open, hidden: in.hidden}
		first := map[string]bool{}
		for _, it := range o.Items {
			x := it
			if oe, ok := it.(*ast.OrderExpr); ok {
				x = oe.X
			}
			for _, col := range b.matchOne(x, in, c, true) {
				if !first[col.Name] {
					first[col.Name] = true
					out.cols = append(out.cols, col)
				}
			}
		}
		for _, col := range in.cols {
			if !first[col.Name] {
				out.cols = append(out.cols, col)
			}
		}
		return out
	}
	// project, project-smart
	out := &tabular{hidden: in.hidden}
	nm := newNamer(in.names())
	for _, it := range o.Items {
		switch x := it.(type) {
		case *ast.WildcardIdent:
			for _, col := range b.matchOne(x, in, c, true) {
				out.set(col)
			}
			if in.open {
				out.open = true
			}
		case *ast.StarExpr:
			out.cols = append(out.cols, in.cols...)
			out.open = out.open || in.open
		case *ast.NamedExpr:
			t := b.scalar(x.Value, c)
			b.assignNames(x, t, out, nm)
		default:
			t := b.scalar(x, c)
			name := exprName(x)
			if name == "" {
				name = nm.column()
			}
			out.set(types.Column{Name: name, Type: t})
		}
	}
	return out
}

// assignNames adds the columns a NamedExpr defines: one name, or several for
// (a, b) = f(x) (the extra ones are of unknown type).
func (b *binder) assignNames(x *ast.NamedExpr, t types.Type, out *tabular, nm *namer) {
	for i, id := range x.Names {
		if id == nil {
			continue
		}
		ct := t
		if i > 0 {
			ct = Unknown
		}
		out.set(types.Column{Name: id.Name, Type: ct})
		if nm != nil {
			nm.used[id.Name] = true
		}
	}
}

// extendItems adds (or replaces) the columns of extend-style items in out.
func (b *binder) extendItems(items []ast.Expr, out *tabular, c *ctx) {
	in := c.tab
	nm := newNamer(out.names())
	for _, it := range items {
		// Each item sees the columns the earlier ones made.
		c2 := &ctx{tab: out, sc: c.sc, left: c.left, right: c.right}
		if in != nil && in.open {
			out.open = true
		}
		switch x := it.(type) {
		case *ast.NamedExpr:
			t := b.scalar(x.Value, c2)
			b.assignNames(x, t, out, nm)
		default:
			t := b.scalar(x, c2)
			name := exprName(x)
			if name == "" {
				name = nm.column()
			}
			out.set(types.Column{Name: name, Type: t})
		}
	}
}

// matchItems resolves the column names and wildcards of project-away /
// project-keep to the set of input columns they name.
func (b *binder) matchItems(items []ast.Expr, in *tabular, c *ctx, report bool) map[string]bool {
	out := map[string]bool{}
	for _, it := range items {
		for _, col := range b.matchOne(it, in, c, report) {
			out[col.Name] = true
		}
	}
	return out
}

// matchOne resolves one column name or wildcard against in.
func (b *binder) matchOne(it ast.Expr, in *tabular, c *ctx, report bool) []types.Column {
	switch x := it.(type) {
	case *ast.Ident:
		if col, ok := in.lookup(x.Name); ok {
			b.setType(x, col.Type)
			return []types.Column{col}
		}
		if !in.open && report {
			b.unknownColumn(x, c)
		}
		return nil
	case *ast.WildcardIdent:
		var out []types.Column
		for _, col := range in.cols {
			if ok, _ := path.Match(x.Pattern, col.Name); ok {
				out = append(out, col)
			}
		}
		return out
	default:
		b.scalar(it, c)
	}
	return nil
}

// distinct binds distinct Cols / distinct *.
func (b *binder) distinct(o *ast.DistinctOp, in *tabular, c *ctx) *tabular {
	out := &tabular{}
	nm := newNamer(nil)
	for _, it := range o.Cols {
		switch x := it.(type) {
		case *ast.StarExpr:
			return in.clone()
		case *ast.NamedExpr:
			t := b.scalar(x.Value, c)
			b.assignNames(x, t, out, nm)
		default:
			t := b.scalar(x, c)
			name := exprName(x)
			if name == "" {
				name = nm.column()
			}
			out.set(types.Column{Name: name, Type: t})
		}
	}
	return out
}

// parse binds parse / parse-where: captured columns are added (string unless
// typed), replacing same-named input columns.
func (b *binder) parse(o *ast.ParseOp, in *tabular, c *ctx) *tabular {
	b.scalar(o.Source, c)
	for _, p := range o.Params {
		b.quiet++
		b.scalar(p, &ctx{sc: c.sc})
		b.quiet--
	}
	out := in.clone()
	for _, part := range o.Pattern {
		if part == nil || part.Column == nil {
			continue
		}
		out.set(types.Column{Name: part.Column.Name, Type: typeOrString(part.Type)})
	}
	return out
}

// mvExpand binds mv-expand items: expanded columns become dynamic (or the
// to typeof(T) type); with_itemindex adds a long column.
func (b *binder) mvExpand(items []*ast.MvExpandItem, index *ast.Ident, limit ast.Expr, in *tabular, c *ctx) *tabular {
	out := in.clone()
	nm := newNamer(out.names())
	for _, it := range items {
		if it == nil {
			continue
		}
		t := b.scalar(it.X, c)
		rt := types.Dynamic
		if it.To != nil {
			rt = it.To.Type
		} else if t != types.Dynamic && t != Unknown {
			// Expanding a non-dynamic scalar leaves it as it is.
			rt = t
		}
		switch {
		case len(it.Names) > 0:
			for _, id := range it.Names {
				if id != nil {
					out.set(types.Column{Name: id.Name, Type: rt})
				}
			}
		default:
			name := exprName(it.X)
			if name == "" {
				name = nm.column()
			}
			out.set(types.Column{Name: name, Type: rt})
		}
	}
	if index != nil {
		out.set(types.Column{Name: index.Name, Type: types.Long})
	}
	if limit != nil {
		b.scalar(limit, &ctx{sc: c.sc})
	}
	return out
}

// mvApply binds mv-apply: the subquery sees the input row with the expanded
// items, and the result is the subquery's output, with the input's other
// columns kept in front when the subquery drops them (as after summarize).
func (b *binder) mvApply(o *ast.MvApplyOp, in *tabular, c *ctx) *tabular {
	expanded := b.mvExpand(o.Items, o.WithItemIndex, o.Limit, in, c)
	sub := b.tabExprIn(o.On, c.sc, expanded)
	out := &tabular{open: sub.open || in.open, hidden: in.hidden}
	items := map[string]bool{}
	for _, it := range o.Items {
		if it == nil {
			continue
		}
		for _, id := range it.Names {
			items[id.Name] = true
		}
		if len(it.Names) == 0 {
			items[exprName(it.X)] = true
		}
	}
	for _, col := range in.cols {
		if !items[col.Name] && sub.cols.Index(col.Name) < 0 {
			out.cols = append(out.cols, col)
		}
	}
	out.cols = append(out.cols, sub.cols...)
	return out
}

// search binds search [in (T...)] pred.
func (b *binder) search(o *ast.SearchOp, in *tabular, sc *scope) *tabular {
	var out *tabular
	switch {
	case len(o.Tables) > 0:
		out = b.unionOf(o.Tables, sc, nil, false, true, nil)
	case in != nil:
		out = in.clone()
	default:
		out = openTab()
	}
	// search predicates are free text ("x" and Col:"y") over any column:
	// bind them for completion only.
	b.quiet++
	b.scalar(o.Pred, &ctx{tab: &tabular{cols: out.cols, open: true}, sc: sc})
	b.quiet--
	out.cols = append(types.Schema{{Name: "$table", Type: types.String}}, out.cols...)
	return out
}

// evaluate binds evaluate plugin(...): most plugins have data-dependent
// output, so the result is open.
func (b *binder) evaluate(o *ast.EvaluateOp, in *tabular, c *ctx) *tabular {
	if o.Call == nil {
		return openTab()
	}
	name := callName(o.Call)
	for _, a := range o.Call.Args {
		b.quiet++
		b.scalar(a, &ctx{tab: &tabular{cols: in.cols, open: true}, sc: c.sc, agg: true})
		b.quiet--
	}
	if out, ok := b.patternPlugin(name, o.Call, in); ok {
		return out
	}
	switch name {
	case "bag_unpack":
		// The bag's properties become columns: known columns stay, minus the bag.
		out := &tabular{open: true, hidden: in.hidden}
		drop := ""
		if len(o.Call.Args) > 0 {
			drop = exprName(o.Call.Args[0])
		}
		for _, col := range in.cols {
			if col.Name != drop {
				out.cols = append(out.cols, col)
			}
		}
		return out
	case "ipv4_lookup", "ipv6_lookup", "geo_point_to_s2cell", "python", "r", "preview",
		"schema_merge", "funnel_sequence", "sequence_detect", "active_users_count":
		out := in.clone()
		out.open = true
		return out
	case "narrow":
		return &tabular{cols: types.Schema{
			{Name: "Row", Type: types.Int}, {Name: "Column", Type: types.String}, {Name: "Value", Type: types.String},
		}}
	}
	return openTab()
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// lowerKind normalises an operator parameter value (kind=LeftOuter).
func lowerKind(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
