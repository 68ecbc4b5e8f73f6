package exec

import (
	"fmt"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// sc is the scope expressions are currently compiled in.
func (r *runner) sc() *scope {
	if r.cur != nil {
		return r.cur
	}
	return r.sess.scope
}

// stmt runs one statement; tabular statements yield a Result.
func (r *runner) stmt(st ast.Stmt) (*Result, error) {
	switch s := st.(type) {
	case *ast.LetStmt:
		return nil, r.let(s, r.sess.scope)
	case *ast.SetStmt:
		return nil, r.set(s)
	case *ast.ExprStmt:
		r.render, r.asName = nil, ""
		if !r.isTabular(s.X, r.sc()) {
			return nil, r.errorf(s.Pos(), "a query statement must be tabular; use print to show a scalar")
		}
		t, err := r.evalTab(s.X)
		if err != nil {
			return nil, err
		}
		res := &Result{Table: t, Render: r.render, Name: r.asName}
		return res, nil
	case *ast.DeclareStmt:
		return nil, r.declare(s)
	}
	return nil, r.unsupported(st.Pos(), fmt.Sprintf("statement %T", st))
}

// let binds a name in sc: functions and views keep their syntax, tabular
// expressions are bound lazily (materialize() evaluates at once), scalars
// are evaluated now.
func (r *runner) let(s *ast.LetStmt, sc *scope) error {
	name := s.Name.Name
	switch v := s.Value.(type) {
	case *ast.FuncLit:
		sc.vars[name] = &binding{kind: bFunc, fn: v, sc: defScope(sc, name)}
		return nil
	case *ast.ViewLit:
		sc.vars[name] = &binding{kind: bFunc, fn: v.Func, sc: defScope(sc, name)}
		return nil
	}
	if r.isTabular(s.Value, sc) {
		if call, ok := s.Value.(*ast.CallExpr); ok && callName(call) == "materialize" {
			t, err := r.evalTabIn(s.Value, sc)
			if err != nil {
				return err
			}
			sc.vars[name] = &binding{kind: bTable, tab: t}
			return nil
		}
		sc.vars[name] = &binding{kind: bTabular, expr: s.Value, sc: defScope(sc, name)}
		return nil
	}
	saved := r.cur
	r.cur = sc
	defer func() { r.cur = saved }()
	ce, err := r.compiler(nil).compile(s.Value)
	if err != nil {
		return err
	}
	if !ce.isConst {
		col, err := ce.vec(&table.Table{}, 0, 1)
		if err != nil {
			return err
		}
		sc.vars[name] = &binding{kind: bScalar, val: col.Value(0)}
		return nil
	}
	sc.vars[name] = &binding{kind: bScalar, val: ce.val}
	return nil
}

// declare binds query parameters to their defaults.
func (r *runner) declare(s *ast.DeclareStmt) error {
	for _, p := range s.Params {
		if r.sess.scope.lookup(p.Name.Name) != nil {
			continue
		}
		if p.Default == nil {
			return r.errorf(p.Pos(), "query parameter '%s' has no value and no default", p.Name.Name)
		}
		if err := r.let(&ast.LetStmt{Let: p.Pos(), Name: p.Name, Value: p.Default}, r.sess.scope); err != nil {
			return err
		}
	}
	return nil
}

// set applies the request options the executor honours; others are
// accepted and ignored, as they only tune a real cluster.
func (r *runner) set(s *ast.SetStmt) error {
	name := strings.ToLower(s.Name.Name)
	var v types.Value
	if s.Value != nil {
		ce, err := r.compiler(nil).compile(s.Value)
		if err != nil {
			return err
		}
		if !ce.isConst {
			return r.errorf(s.Value.Pos(), "set %s needs a constant value", s.Name.Name)
		}
		v = ce.val
	}
	switch name {
	case "query_now":
		d := convert(v, types.DateTime)
		if d.IsNull() {
			return r.errorf(s.Pos(), "set query_now needs a datetime value")
		}
		ticks := d.I
		r.sess.queryNow = &ticks
		r.now = ticks
	case "truncationmaxrecords":
		n := convert(v, types.Long)
		if n.IsNull() || n.I < 0 {
			return r.errorf(s.Pos(), "set truncationmaxrecords needs a non-negative number")
		}
		r.sess.maxRows = int(n.I)
		r.sess.noTruncate = false
	case "notruncation":
		r.sess.noTruncate = s.Value == nil || v.Bool()
	}
	return nil
}

// isTabular tells whether e denotes a table in scope sc.
func (r *runner) isTabular(e ast.Expr, sc *scope) bool {
	switch x := e.(type) {
	case *ast.Pipe, *ast.OpExpr:
		return true
	case *ast.ParenExpr:
		return r.isTabular(x.X, sc)
	case *ast.Ident:
		if b := sc.lookup(x.Name); b != nil {
			if b.kind == bFunc && len(b.fn.Params) == 0 {
				// a parameterless function may be called without parentheses
				return r.isTabular(&ast.CallExpr{Fun: x}, sc)
			}
			return b.kind == bTabular || b.kind == bTable
		}
		if _, ok := r.sess.named[x.Name]; ok {
			return true
		}
		return r.hasTable(x.Name)
	case *ast.CallExpr:
		name := callName(x)
		switch name {
		case "materialize", "table", "_GetWatchlist", "view":
			return true
		}
		if b := sc.lookup(name); b != nil && b.kind == bFunc {
			if r.depth >= maxNesting {
				return false // recursion: running it reports the error
			}
			r.depth++
			defer func() { r.depth-- }()
			if last := lastExpr(b.fn.Body); last != nil {
				inner := newScope(b.sc)
				for _, p := range b.fn.Params {
					k := bExpr
					if p.Type != nil && p.Type.Tabular {
						k = bTable
					}
					inner.vars[p.Name.Name] = &binding{kind: k}
				}
				for _, st := range b.fn.Body.Stmts {
					if l, ok := st.(*ast.LetStmt); ok {
						if r.isTabular(l.Value, inner) {
							inner.vars[l.Name.Name] = &binding{kind: bTabular}
						} else {
							inner.vars[l.Name.Name] = &binding{kind: bExpr}
						}
					}
				}
				return r.isTabular(last, inner)
			}
		}
	case *ast.SelectorExpr:
		return crossKind(x) != ""
	}
	return false
}

// crossKind is the service a cross-resource reference (workspace("w").T,
// cluster("c").database("d").T ...) names, or "" when x is not one.
func crossKind(x *ast.SelectorExpr) string {
	call, ok := x.X.(*ast.CallExpr)
	if !ok {
		return ""
	}
	kind := callName(call)
	if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
		// cluster("c").database("d").T: the cluster decides
		if inner, ok := sel.X.(*ast.CallExpr); ok {
			kind = callName(inner)
		}
	}
	if _, ok := crossServices[kind]; ok || kind == "workspace" || kind == "database" {
		return kind
	}
	return ""
}

func lastExpr(b *ast.Block) ast.Expr {
	if b == nil || len(b.Stmts) == 0 {
		return nil
	}
	if s, ok := b.Stmts[len(b.Stmts)-1].(*ast.ExprStmt); ok {
		return s.X
	}
	return nil
}

func (r *runner) hasTable(name string) bool {
	if r.tableSet == nil {
		r.tableSet = map[string]bool{}
		if r.sess.cat != nil {
			for _, n := range r.sess.cat.TableNames() {
				r.tableSet[n] = true
			}
		}
	}
	return r.tableSet[name]
}

// evalTabIn evaluates a tabular expression in scope sc.
func (r *runner) evalTabIn(e ast.Expr, sc *scope) (*table.Table, error) {
	saved := r.cur
	r.cur = sc
	defer func() { r.cur = saved }()
	return r.evalTab(e)
}

// evalTab evaluates a tabular expression.
func (r *runner) evalTab(e ast.Expr) (*table.Table, error) {
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	switch x := e.(type) {
	case *ast.Pipe:
		var t *table.Table
		var err error
		if x.Source == nil {
			if r.implicit == nil {
				return nil, r.errorf(x.Pos(), "this subquery has no input")
			}
			t = r.implicit
		} else if op, ok := x.Source.(*ast.OpExpr); ok {
			t, err = r.sourceOp(op.Op, nil)
			if _, isRange := op.Op.(*ast.RangeOp); isRange && err == nil {
				r.markSerialized(t)
			}
		} else {
			t, err = r.evalTab(x.Source)
		}
		if err != nil {
			return nil, err
		}
		if !r.serialized[t] {
			if p, ok := prunedSource(t, x.Ops); ok {
				// only the columns this pipe reads: worth encoding
				t = encodeTable(p)
			}
		}
		for i := 0; i < len(x.Ops); i++ {
			op := x.Ops[i]
			if j, ok := op.(*ast.JoinOp); ok && i+1 < len(x.Ops) && countsOnly(x.Ops[i+1]) {
				// nothing reads the join's columns: count its rows instead
				n, err := r.joinCount(j, t)
				if err != nil {
					return nil, err
				}
				if t, err = r.countResult(x.Ops[i+1], t.Name, n); err != nil {
					return nil, err
				}
				i++
				continue
			}
			in := t
			saved := r.serialIn
			r.serialIn = r.serialized[in] || isSerializing(op)
			if w, ok := op.(*ast.WhereOp); ok && i+1 < len(x.Ops) {
				// gather only the columns the rest of the pipe can name
				keep, _ := neededColumns(x.Ops[i+1:])
				if err = r.ctx.Err(); err == nil {
					t, err = r.whereKeep(w, t, keep)
				}
			} else {
				t, err = r.applyOp(op, t)
			}
			r.serialIn = saved
			if err != nil {
				return nil, err
			}
			if isSerializing(op) || r.serialized[in] && keepsOrder(op) {
				r.markSerialized(t)
			}
			r.notePeak(t)
		}
		return t, nil
	case *ast.ParenExpr:
		return r.evalTab(x.X)
	case *ast.OpExpr:
		return r.sourceOp(x.Op, nil)
	case *ast.Ident:
		return r.tableRef(x)
	case *ast.CallExpr:
		return r.tabCall(x)
	case *ast.SelectorExpr:
		return r.crossRef(x)
	case *ast.BadExpr:
		return nil, r.errorf(x.Pos(), "syntax error")
	}
	return nil, r.errorf(e.Pos(), "expected a tabular expression")
}

// isSerializing tells whether op's output is serialized whatever its input.
func isSerializing(op ast.Operator) bool {
	switch op.(type) {
	case *ast.SortOp, *ast.TopOp, *ast.SerializeOp, *ast.GetSchemaOp:
		return true
	}
	return false
}

// keepsOrder tells whether op keeps a serialized input serialized.
func keepsOrder(op ast.Operator) bool {
	switch op.(type) {
	case *ast.WhereOp, *ast.ProjectOp, *ast.TakeOp, *ast.MvExpandOp, *ast.ParseOp, *ast.ParseKvOp,
		*ast.RenderOp, *ast.AsOp, *ast.SerializeOp, *ast.ScanOp:
		return true
	}
	return false
}

func (r *runner) markSerialized(t *table.Table) {
	if r.serialized == nil {
		r.serialized = map[*table.Table]bool{}
	}
	r.serialized[t] = true
}

// tableRef resolves a name to a table: a let binding, a named result, then
// the catalog.
func (r *runner) tableRef(x *ast.Ident) (*table.Table, error) {
	if b := r.sc().lookup(x.Name); b != nil {
		switch b.kind {
		case bTable:
			return b.tab, nil
		case bTabular:
			if err := r.nest(x.Pos(), x.Name); err != nil {
				return nil, err
			}
			defer r.unnest()
			return r.evalTabIn(b.expr, b.sc)
		case bFunc:
			if len(b.fn.Params) == 0 {
				return r.tabCall(&ast.CallExpr{Fun: x, Lparen: x.End(), Rparen: x.End()})
			}
			return nil, r.errorf(x.Pos(), "'%s' is a function; call it as %s()", x.Name, x.Name)
		default:
			return nil, r.errorf(x.Pos(), "'%s' is a scalar, not a table", x.Name)
		}
	}
	if t, ok := r.sess.named[x.Name]; ok {
		return t, nil
	}
	if r.sess.cat == nil {
		return nil, r.errorf(x.Pos(), "unknown table '%s'", x.Name)
	}
	t, err := r.sess.cat.Table(r.ctx, x.Name)
	if err != nil {
		return nil, r.errorf(x.Pos(), "%v", err)
	}
	r.stats.RowsScanned += int64(t.Rows())
	r.stats.BytesRead += tableBytes(t)
	return r.withHidden(withTimeGenerated(t)), nil
}

// withTimeGenerated gives a Defender XDR table exported from advanced
// hunting (Timestamp, no TimeGenerated) the TimeGenerated column Sentinel
// stores it with, so Sentinel's queries run on it; the binder accepts the
// name on such tables too. The column shares Timestamp's values.
func withTimeGenerated(t *table.Table) *table.Table {
	ts := t.Column("Timestamp")
	if ts == nil || ts.Type != types.DateTime || t.Column("TimeGenerated") != nil {
		return t
	}
	alias := *ts
	alias.Name = "TimeGenerated"
	out := *t
	out.Columns = append(append(make([]*table.Column, 0, len(t.Columns)+1), t.Columns...), &alias)
	return &out
}

func (r *runner) tabCall(x *ast.CallExpr) (*table.Table, error) {
	name := callName(x)
	strArg := func() (string, error) { return r.constStringArg(x, name) }
	switch name {
	case "materialize":
		if len(x.Args) != 1 {
			return nil, r.errorf(x.Pos(), "materialize() expects 1 argument, got %d", len(x.Args))
		}
		return r.evalTab(x.Args[0])
	case "table":
		n, err := strArg()
		if err != nil {
			return nil, err
		}
		return r.tableRef(&ast.Ident{NamePos: x.Pos(), Name: n, EndPos: x.End()})
	case "_GetWatchlist":
		alias, err := strArg()
		if err != nil {
			return nil, err
		}
		if r.sess.cat == nil {
			return nil, r.errorf(x.Pos(), "no watchlist '%s'", alias)
		}
		t, err := r.sess.cat.Watchlist(r.ctx, alias)
		if err != nil {
			return nil, r.errorf(x.Pos(), "%v", err)
		}
		r.stats.RowsScanned += int64(t.Rows())
		return t, nil
	}
	b := r.sc().lookup(name)
	if b == nil || b.kind != bFunc {
		return nil, r.errorf(x.Pos(), "unknown tabular function '%s'", name)
	}
	inner := newScope(b.sc)
	c := r.compiler(nil)
	if err := c.bindParams(x, b.fn, inner); err != nil {
		return nil, err
	}
	if err := r.nest(x.Pos(), name); err != nil {
		return nil, err
	}
	defer r.unnest()
	return r.evalBlock(b.fn.Body, inner)
}

// evalBlock runs a function body's lets and returns its last expression's
// table.
func (r *runner) evalBlock(blk *ast.Block, sc *scope) (*table.Table, error) {
	var last ast.Expr
	for _, st := range blk.Stmts {
		switch s := st.(type) {
		case *ast.LetStmt:
			if err := r.let(s, sc); err != nil {
				return nil, err
			}
		case *ast.ExprStmt:
			last = s.X
		default:
			return nil, r.unsupported(st.Pos(), "this statement in a function body")
		}
	}
	if last == nil {
		return nil, r.errorf(blk.Pos(), "function body has no result expression")
	}
	return r.evalTabIn(last, sc)
}

// toScalar evaluates a tabular expression to its first row's first value
// (null when empty); a scalar expression is evaluated directly.
func (r *runner) toScalar(e ast.Expr, sc *scope) (types.Value, error) {
	if !r.isTabular(e, sc) {
		saved := r.cur
		r.cur = sc
		defer func() { r.cur = saved }()
		ce, err := r.compiler(nil).compile(e)
		if err != nil {
			return types.Value{}, err
		}
		col, err := ce.vec(&table.Table{}, 0, 1)
		if err != nil {
			return types.Value{}, err
		}
		return col.Value(0), nil
	}
	t, err := r.evalTabIn(e, sc)
	if err != nil {
		return types.Value{}, err
	}
	if len(t.Columns) == 0 {
		return types.NullOf(types.Dynamic), nil
	}
	if t.Rows() == 0 {
		return types.NullOf(t.Columns[0].Type), nil
	}
	return t.Columns[0].Value(0), nil
}

// countsOnly tells whether op reads nothing of its input but the number of
// rows: count, or summarize of count() alone with no by.
func countsOnly(op ast.Operator) bool {
	switch o := op.(type) {
	case *ast.CountOp:
		return true
	case *ast.SummarizeOp:
		if len(o.By) > 0 || len(o.Hints) > 0 || len(o.Aggs) == 0 {
			return false
		}
		for _, a := range o.Aggs {
			if ne, ok := a.(*ast.NamedExpr); ok {
				if len(ne.Names) > 1 {
					return false
				}
				a = ne.Value
			}
			c, ok := a.(*ast.CallExpr)
			if !ok || len(c.Args) > 0 || !strings.EqualFold(callName(c), "count") {
				return false
			}
		}
		return true
	}
	return false
}

// countResult is what a countsOnly op gives for an input of n rows. A
// summarize runs over one row, so that it names its columns as ever, and
// its counts are then set to n.
func (r *runner) countResult(op ast.Operator, name string, n int64) (*table.Table, error) {
	if _, ok := op.(*ast.CountOp); ok {
		t := &table.Table{Name: name, Columns: []*table.Column{newVec("Count", types.Long, 1)}}
		t.Columns[0].Ints[0] = n
		return t, nil
	}
	one := &table.Table{Name: name, Columns: []*table.Column{newVec("Rows", types.Long, 1)}}
	t, err := r.applyOp(op, one)
	if err != nil {
		return nil, err
	}
	for _, c := range t.Columns {
		c.Ints[0] = n
	}
	return t, nil
}

// crossServices are the services a cross-resource reference can name, as
// the reader knows them, for the error when the engine cannot reach them.
var crossServices = map[string]string{
	"app":      "an Application Insights resource",
	"cluster":  "another Azure Data Explorer cluster",
	"adx":      "an Azure Data Explorer cluster",
	"arg":      "Azure Resource Graph",
	"resource": "an Azure resource's logs",
}

// crossRef evaluates a cross-resource table reference. workspace("w").T and
// database("w").T name another workspace of the catalog; references to
// other services (Azure Resource Graph, Application Insights, other
// clusters) need the service itself, so they fail with a clear error.
func (r *runner) crossRef(x *ast.SelectorExpr) (*table.Table, error) {
	kind := crossKind(x)
	if kind == "" {
		return nil, r.errorf(x.Pos(), "expected a tabular expression")
	}
	call := x.X.(*ast.CallExpr)
	switch kind {
	case "workspace", "database":
		name, err := r.constStringArg(call, kind)
		if err != nil {
			return nil, err
		}
		wc, ok := r.sess.cat.(WorkspaceCatalog)
		if !ok {
			return nil, r.errorf(call.Pos(), "%s(\"%s\"): this engine has no other workspace", kind, name)
		}
		t, err := wc.WorkspaceTable(r.ctx, name, x.Sel.Name)
		if err != nil {
			return nil, r.errorf(x.Sel.Pos(), "%s(\"%s\"): %v", kind, name, err)
		}
		r.stats.RowsScanned += int64(t.Rows())
		r.stats.BytesRead += tableBytes(t)
		return r.withHidden(withTimeGenerated(t)), nil
	}
	return nil, r.errorf(call.Pos(), "not supported offline: %s() queries %s; run this query on a Sentinel or Azure Data Explorer provider (%%connect)", kind, crossServices[kind])
}

// constStringArg is a call's one constant string argument.
func (r *runner) constStringArg(x *ast.CallExpr, name string) (string, error) {
	if len(x.Args) != 1 {
		return "", r.errorf(x.Pos(), "%s() expects 1 argument, got %d", name, len(x.Args))
	}
	ce, err := r.compiler(nil).compile(x.Args[0])
	if err != nil {
		return "", err
	}
	if !ce.isConst || ce.typ != types.String {
		return "", r.errorf(x.Args[0].Pos(), "%s() expects a constant string", name)
	}
	return ce.val.S, nil
}
