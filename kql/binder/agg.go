package binder

import (
	"strconv"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/kql/types"
)

// summarize binds summarize Aggs by Keys: the output is the keys, then the
// aggregates, named as Kusto names them.
func (b *binder) summarize(o *ast.SummarizeOp, in *tabular, c *ctx) *tabular {
	out := &tabular{open: false}
	nm := newNamer(nil)
	keys := b.keyColumns(o.By, c, nm)
	out.cols = append(out.cols, keys...)
	ac := &ctx{tab: in, sc: c.sc, agg: true}
	for _, a := range o.Aggs {
		for _, col := range b.aggItem(a, ac, in, nm) {
			out.cols = append(out.cols, col)
		}
	}
	return out
}

// keyColumns binds group-by keys (summarize, make-series): a name = expr,
// a column, or an expression named after its column (bin(T, 1h) -> T).
func (b *binder) keyColumns(by []ast.Expr, c *ctx, nm *namer) types.Schema {
	var out types.Schema
	for _, k := range by {
		if ne, ok := k.(*ast.NamedExpr); ok {
			t := b.scalar(ne.Value, c)
			for i, id := range ne.Names {
				ct := t
				if i > 0 {
					ct = Unknown
				}
				out = append(out, types.Column{Name: nm.unique(id.Name), Type: ct})
			}
			continue
		}
		t := b.scalar(k, c)
		name := exprName(k)
		if name == "" {
			name = nm.column()
		} else {
			name = nm.unique(name)
		}
		out = append(out, types.Column{Name: name, Type: t})
	}
	return out
}

// aggItem binds one aggregate item of summarize (Name = agg(...), agg(...),
// (a, b) = arg_max(...), or an expression over aggregates) and returns its
// output columns.
func (b *binder) aggItem(a ast.Expr, ac *ctx, in *tabular, nm *namer) []types.Column {
	var names []*ast.Ident
	x := a
	if ne, ok := a.(*ast.NamedExpr); ok {
		names, x = ne.Names, ne.Value
	}
	if call, ok := unparen(x).(*ast.CallExpr); ok && multiOutput(call, ac) {
		cols := b.multiAgg(call, ac, in, nm, len(names) > 0)
		b.setType(a, firstType(cols))
		for i := range cols {
			if i < len(names) {
				cols[i].Name = names[i].Name
			}
			if cols[i].Name == "" {
				cols[i].Name = nm.column()
			} else {
				cols[i].Name = nm.unique(cols[i].Name)
			}
		}
		return cols
	}
	t := b.scalar(x, ac)
	if !containsAggregate(x, ac.sc) && b.quiet == 0 {
		b.errorf(x, "summarize: '%s' is not an aggregation: use an aggregate function such as count() or take_any()", b.text(x))
	}
	b.setType(a, t)
	if len(names) > 0 {
		var cols []types.Column
		for i, id := range names {
			ct := t
			if i > 0 {
				ct = Unknown
			}
			cols = append(cols, types.Column{Name: nm.unique(id.Name), Type: ct})
		}
		return cols
	}
	name := exprName(x)
	if name == "" {
		name = nm.column()
	} else {
		name = nm.unique(name)
	}
	return []types.Column{{Name: name, Type: t}}
}

func unparen(x ast.Expr) ast.Expr {
	for {
		p, ok := x.(*ast.ParenExpr)
		if !ok {
			return x
		}
		x = p.X
	}
}

func firstType(cols []types.Column) types.Type {
	if len(cols) == 0 {
		return Unknown
	}
	return cols[0].Type
}

// multiOutput reports whether call is an aggregate producing several
// columns: arg_max/arg_min, take_any with several arguments or *, any(...),
// percentiles.
func multiOutput(call *ast.CallExpr, c *ctx) bool {
	name := callName(call)
	if c.sc.lookup(name) != nil {
		return false
	}
	switch name {
	case "arg_max", "arg_min", "argmax", "argmin", "percentiles", "any":
		return true
	case "take_any":
		return true
	}
	return false
}

// multiAgg binds a several-output aggregate and returns its columns with
// Kusto's default names (renamed by the caller when the item names them).
func (b *binder) multiAgg(call *ast.CallExpr, ac *ctx, in *tabular, nm *namer, named bool) []types.Column {
	name := callName(call)
	inner := &ctx{tab: ac.tab, sc: ac.sc, left: ac.left, right: ac.right, nested: true}
	argTypes := make([]types.Type, len(call.Args))
	for i, a := range call.Args {
		if _, star := a.(*ast.StarExpr); star {
			argTypes[i] = Unknown
			continue
		}
		argTypes[i] = b.scalar(a, inner)
	}
	b.setType(call, firstType(nil))
	var cols []types.Column
	switch name {
	case "percentiles":
		if len(call.Args) < 2 {
			b.errorf(call, "percentiles(): expects at least 2 arguments, got %d", len(call.Args))
			return []types.Column{{Name: "", Type: Unknown}}
		}
		t := types.Real // the executor's type: the aggregate's own rule
		if argTypes[0] != Unknown {
			if a, ok := functions.LookupAggregate("percentiles"); ok {
				if rt, err := a.Result(argTypes); err == nil {
					t = rt
				}
			}
		}
		base := exprName(call.Args[0])
		for _, p := range call.Args[1:] {
			frag := "Column"
			if lit, ok := p.(*ast.Lit); ok {
				frag = nameFragment(lit.Value)
			}
			cols = append(cols, types.Column{Name: "percentile_" + base + "_" + frag, Type: t})
		}
		return cols
	case "arg_max", "arg_min", "argmax", "argmin":
		if len(call.Args) < 1 {
			b.errorf(call, "%s(): expects at least 1 argument, got 0", name)
			return []types.Column{{Name: "", Type: Unknown}}
		}
	case "take_any", "any":
		if len(call.Args) < 1 {
			b.errorf(call, "%s(): expects at least 1 argument, got 0", name)
			return []types.Column{{Name: "", Type: Unknown}}
		}
	}
	prefix := ""
	switch name {
	case "arg_max", "argmax":
		prefix = "max_"
	case "arg_min", "argmin":
		prefix = "min_"
	case "any":
		prefix = "any_"
	}
	seen := map[string]bool{}
	for n := range nm.used {
		seen[n] = true
	}
	for i, a := range call.Args {
		if _, star := a.(*ast.StarExpr); star {
			// * is every input column not already an output or a group key.
			for _, col := range in.cols {
				n := col.Name
				if prefix == "any_" {
					n = prefix + n
				}
				if !seen[n] {
					seen[n] = true
					cols = append(cols, types.Column{Name: n, Type: col.Type})
				}
			}
			continue
		}
		n := exprName(a)
		switch {
		case n == "" && prefix != "":
			n = prefix + strconv.Itoa(i)
		case prefix == "any_":
			n = prefix + n
		case (name == "argmax" || name == "argmin") && i == 0:
			n = prefix + n // the deprecated forms name the first column max_X
		}
		seen[n] = true
		t := argTypes[i]
		cols = append(cols, types.Column{Name: n, Type: t})
	}
	return cols
}

// containsAggregate reports whether x calls an aggregate function outside
// any nested scalar-only context (a summarize item must).
func containsAggregate(x ast.Expr, sc *scope) bool {
	found := false
	ast.Inspect(x, func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.CallExpr:
			name := callName(n)
			if sc.lookup(name) == nil && isAggregateName(name) {
				found = true
				return false
			}
		case *ast.Pipe, *ast.FuncLit:
			return false
		}
		return true
	})
	return found
}

// makeSeries binds make-series: by keys, then the series (dynamic arrays),
// then the axis (a dynamic array too).
func (b *binder) makeSeries(o *ast.MakeSeriesOp, c *ctx) *tabular {
	in := c.tab
	sc0 := &ctx{sc: c.sc}
	for _, e := range []ast.Expr{o.From, o.To, o.Step} {
		if e != nil {
			b.scalar(e, sc0)
		}
	}
	if o.InRange != nil {
		b.args(o.InRange.Args, sc0)
	}
	axisT := b.scalar(o.On, c)
	if axisT != Unknown && axisT != types.DateTime && axisT != types.TimeSpan && !axisT.IsNumeric() && axisT != types.Dynamic {
		b.errorf(o.On, "make-series: the axis must be datetime, timespan or numeric, got %s", axisT)
	}
	nm := newNamer(nil)
	out := &tabular{}
	out.cols = append(out.cols, b.keyColumns(o.By, c, nm)...)
	ac := &ctx{tab: in, sc: c.sc, agg: true}
	for _, a := range o.Aggs {
		if a == nil {
			continue
		}
		b.scalar(a.Agg, ac)
		if !containsAggregate(a.Agg, c.sc) {
			b.errorf(a.Agg, "make-series: '%s' is not an aggregation", b.text(a.Agg))
		}
		if a.Default != nil {
			b.scalar(a.Default, sc0)
		}
		name := ""
		if a.Name != nil {
			name = a.Name.Name
		} else {
			name = exprName(a.Agg)
		}
		if name == "" {
			name = nm.column()
		} else {
			name = nm.unique(name)
		}
		out.cols = append(out.cols, types.Column{Name: name, Type: types.Dynamic})
	}
	axis := exprName(o.On)
	if axis == "" {
		axis = nm.column()
	} else {
		axis = nm.unique(axis)
	}
	out.cols = append(out.cols, types.Column{Name: axis, Type: types.Dynamic})
	return out
}

// topNested binds top-nested: per level, the Of column and its aggregate
// (named aggregated_Of unless named).
func (b *binder) topNested(o *ast.TopNestedOp, c *ctx) *tabular {
	out := &tabular{}
	nm := newNamer(nil)
	ac := &ctx{tab: c.tab, sc: c.sc, agg: true}
	for _, cl := range o.Clauses {
		if cl == nil {
			continue
		}
		if cl.N != nil {
			b.scalar(cl.N, &ctx{sc: c.sc})
		}
		if cl.Others != nil {
			b.scalar(cl.Others, &ctx{sc: c.sc})
		}
		var ofName string
		ofT := Unknown
		switch of := cl.Of.(type) {
		case nil:
		case *ast.NamedExpr:
			ofT = b.scalar(of.Value, c)
			if len(of.Names) > 0 {
				ofName = of.Names[0].Name
			}
		default:
			ofT = b.scalar(of, c)
			ofName = exprName(of)
		}
		if ofName == "" {
			ofName = nm.column()
		} else {
			ofName = nm.unique(ofName)
		}
		out.cols = append(out.cols, types.Column{Name: ofName, Type: ofT})
		if cl.By == nil {
			continue
		}
		aggName := "aggregated_" + ofName
		x := cl.By.X
		if ne, ok := x.(*ast.NamedExpr); ok {
			if len(ne.Names) > 0 {
				aggName = ne.Names[0].Name
			}
			x = ne.Value
		}
		t := b.scalar(x, ac)
		out.cols = append(out.cols, types.Column{Name: nm.unique(aggName), Type: t})
	}
	return out
}

// joinKinds are the join flavours Kusto accepts.
var joinKinds = map[string]bool{
	"": true, "innerunique": true, "inner": true, "leftouter": true, "rightouter": true, "fullouter": true,
	"leftsemi": true, "leftanti": true, "anti": true, "leftantisemi": true, "rightsemi": true,
	"rightanti": true, "rightantisemi": true, "semi": true,
}

// join binds join: both sides, the on conditions with $left/$right, and the
// output columns by kind (right columns that clash get a 1 suffix).
func (b *binder) join(o *ast.JoinOp, in *tabular, c *ctx) *tabular {
	right := b.tabExpr(o.Right, c.sc)
	kind := lowerKind(o.Kind)
	if !joinKinds[kind] {
		b.report(Error, o.OpPos, o.EndPos, "join: unknown kind '"+o.Kind+"' (expected inner, innerunique, leftouter, rightouter, fullouter, leftsemi, leftanti, rightsemi or rightanti)")
	}
	b.joinConds(o.On, in, right, c)
	if o.Where != nil {
		both := joinedColumns(in, right)
		b.scalar(o.Where, &ctx{tab: both, sc: c.sc, left: in, right: right})
	}
	switch kind {
	case "leftsemi", "leftanti", "anti", "leftantisemi", "semi":
		return in.clone()
	case "rightsemi", "rightanti", "rightantisemi":
		return right.clone()
	}
	return joinedColumns(in, right)
}

// joinedColumns is left's columns then right's, clashing right names
// suffixed 1, 2 ... as Kusto does.
func joinedColumns(left, right *tabular) *tabular {
	out := &tabular{open: left.open || right.open, hidden: left.hidden}
	out.cols = append(out.cols, left.cols...)
	nm := newNamer(left.names())
	for _, col := range right.cols {
		out.cols = append(out.cols, types.Column{Name: nm.unique(col.Name), Type: col.Type})
	}
	return out
}

// joinConds checks join/lookup conditions: a shared column name, or
// $left.A == $right.B, combined with and.
func (b *binder) joinConds(conds []ast.Expr, left, right *tabular, c *ctx) (rightKeys map[string]bool) {
	rightKeys = map[string]bool{}
	jc := &ctx{tab: left, sc: c.sc, left: left, right: right}
	var visit func(x ast.Expr)
	visit = func(x ast.Expr) {
		switch x := unparen(x).(type) {
		case *ast.Ident:
			lt := b.joinSide(x, left, "left")
			rt := b.joinSide(x, right, "right")
			b.setType(x, lt)
			b.checkJoinTypes(x, lt, rt)
			rightKeys[x.Name] = true
		case *ast.BinaryExpr:
			if x.Op == 0 && x.Word == "and" || x.Word == "and" {
				visit(x.X)
				visit(x.Y)
				return
			}
			lt := b.scalar(x.X, jc)
			rt := b.scalar(x.Y, jc)
			if sel, ok := x.Y.(*ast.SelectorExpr); ok && exprName(sel.X) == "$right" {
				rightKeys[sel.Sel.Name] = true
			}
			if sel, ok := x.X.(*ast.SelectorExpr); ok && exprName(sel.X) == "$right" {
				rightKeys[sel.Sel.Name] = true
			}
			b.checkJoinTypes(x, lt, rt)
		default:
			b.scalar(x, jc)
		}
	}
	for _, cond := range conds {
		visit(cond)
	}
	return rightKeys
}

func (b *binder) joinSide(id *ast.Ident, side *tabular, which string) types.Type {
	if col, ok := side.lookup(id.Name); ok {
		return col.Type
	}
	if !side.open {
		b.errorf(id, "join: unknown column '%s' on the %s side%s", id.Name, which, suggest(id.Name, side.names()))
	}
	return Unknown
}

func (b *binder) checkJoinTypes(n ast.Node, l, r types.Type) {
	if l == Unknown || r == Unknown || l == r || l == types.Dynamic || r == types.Dynamic {
		return
	}
	if l.IsNumeric() && r.IsNumeric() || (l == types.GUID || l == types.String) && (r == types.GUID || r == types.String) {
		return
	}
	b.errorf(n, "join: key types differ: %s on the left, %s on the right", l, r)
}

// lookupOp binds lookup: left columns plus the right's non-key columns.
func (b *binder) lookupOp(o *ast.LookupOp, in *tabular, c *ctx) *tabular {
	right := b.tabExpr(o.Right, c.sc)
	switch lowerKind(o.Kind) {
	case "", "leftouter", "inner":
	default:
		b.report(Error, o.OpPos, o.EndPos, "lookup: unknown kind '"+o.Kind+"' (expected leftouter or inner)")
	}
	keys := b.joinConds(o.On, in, right, c)
	out := &tabular{open: in.open || right.open, hidden: in.hidden}
	out.cols = append(out.cols, in.cols...)
	nm := newNamer(in.names())
	for _, col := range right.cols {
		if keys[col.Name] {
			continue
		}
		out.cols = append(out.cols, types.Column{Name: nm.unique(col.Name), Type: col.Type})
	}
	return out
}

// union binds union [kind=] [withsource=] [isfuzzy=] tables; in is the
// piped input (the first table), nil when union starts the pipeline.
func (b *binder) union(o *ast.UnionOp, in *tabular, sc *scope) *tabular {
	inner, fuzzy := false, false
	for _, p := range o.Params {
		if p == nil || len(p.Names) == 0 {
			continue
		}
		val := strings.ToLower(b.text(p.Value))
		switch strings.ToLower(p.Names[0].Name) {
		case "kind":
			inner = val == "inner"
		case "isfuzzy":
			fuzzy = val == "true"
		}
	}
	var pre []*tabular
	if in != nil {
		pre = append(pre, in)
	}
	return b.unionOf(o.Tables, sc, pre, inner, fuzzy, o.WithSource)
}

// unionOf merges tables: outer (every column by name; a name with clashing
// types becomes name_type) or inner (the columns all tables share).
func (b *binder) unionOf(tables []ast.Expr, sc *scope, pre []*tabular, inner, fuzzy bool, withSource *ast.Ident) *tabular {
	parts := pre
	for _, t := range tables {
		switch x := t.(type) {
		case *ast.WildcardIdent:
			matched := false
			for _, name := range b.cat.Tables() {
				if ok, _ := pathMatch(x.Pattern, name); ok {
					if tab, ok := b.tableSchema(name); ok {
						parts = append(parts, tab)
						matched = true
					}
				}
			}
			for _, s := range sc.all() {
				if s.kind == symTable {
					if ok, _ := pathMatch(x.Pattern, s.name); ok {
						parts = append(parts, s.tab)
						matched = true
					}
				}
			}
			if !matched {
				parts = append(parts, openTab())
			}
		case *ast.Ident:
			if fuzzy {
				b.quiet++
			}
			parts = append(parts, b.tableRef(x, sc))
			if fuzzy {
				b.quiet--
			}
		default:
			parts = append(parts, b.tabExpr(t, sc))
		}
	}
	out := &tabular{}
	if withSource != nil {
		out.cols = append(out.cols, types.Column{Name: withSource.Name, Type: types.String})
	}
	if inner {
		out.cols = append(out.cols, innerColumns(parts)...)
		return out
	}
	// Outer: first appearance order; clashing types split into name_type.
	typesOf := map[string][]types.Type{}
	var order []string
	for _, p := range parts {
		if p.open {
			out.open = true
		}
		for _, col := range p.cols {
			ts, seen := typesOf[col.Name]
			if !seen {
				order = append(order, col.Name)
			}
			dup := false
			for _, t := range ts {
				if t == col.Type {
					dup = true
				}
			}
			if !dup {
				typesOf[col.Name] = append(ts, col.Type)
			}
		}
	}
	for _, n := range order {
		ts := typesOf[n]
		if len(ts) > 1 {
			// an unknown type (from an open or unmodelled part) takes the known one
			known := ts[:0:0]
			for _, t := range ts {
				if t != Unknown {
					known = append(known, t)
				}
			}
			ts = known
		}
		if len(ts) == 1 {
			out.cols = append(out.cols, types.Column{Name: n, Type: ts[0]})
			continue
		}
		for _, t := range ts {
			out.cols = append(out.cols, types.Column{Name: n + "_" + t.String(), Type: t})
		}
	}
	if len(parts) > 0 {
		out.hidden = parts[0].hidden
	}
	return out
}

func innerColumns(parts []*tabular) types.Schema {
	if len(parts) == 0 {
		return nil
	}
	var out types.Schema
	for _, col := range parts[0].cols {
		all := true
		for _, p := range parts[1:] {
			if i := p.cols.Index(col.Name); i < 0 || p.cols[i].Type != col.Type {
				all = false
			}
		}
		if all {
			out = append(out, col)
		}
	}
	return out
}

// isAggregateName reports whether name is an aggregate function (and not
// also a scalar that takes precedence outside summarize).
func isAggregateName(name string) bool {
	if _, ok := functions.LookupAggregate(name); ok {
		return true
	}
	_, ok := extraAggregates[name]
	return ok
}
