package exec

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// applyOp runs one pipeline step over its input table.
func (r *runner) applyOp(op ast.Operator, in *table.Table) (*table.Table, error) {
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	switch o := op.(type) {
	case *ast.WhereOp:
		return r.where(o, in)
	case *ast.ProjectOp:
		return r.project(o, in)
	case *ast.TakeOp:
		n, err := r.constInt(o.N, o.Kind)
		if err != nil {
			return nil, err
		}
		if n < int64(in.Rows()) {
			return sliceTable(in, 0, int(max(n, 0))), nil
		}
		return in, nil
	case *ast.SortOp:
		return r.sortOp(o.By, in, -1)
	case *ast.TopOp:
		n, err := r.constInt(o.N, "top")
		if err != nil {
			return nil, err
		}
		return r.sortOp(o.By, in, int(max(n, 0)))
	case *ast.CountOp:
		t := &table.Table{Name: in.Name, Columns: []*table.Column{newVec("Count", types.Long, 1)}}
		t.Columns[0].Ints[0] = int64(in.Rows())
		return t, nil
	case *ast.DistinctOp:
		return r.distinct(o, in)
	case *ast.SummarizeOp:
		return r.summarize(o, in)
	case *ast.JoinOp:
		return r.join(o, in)
	case *ast.LookupOp:
		return r.lookup(o, in)
	case *ast.UnionOp:
		return r.union(o, in)
	case *ast.MvExpandOp:
		return r.mvExpand(o, in)
	case *ast.MvApplyOp:
		return r.mvApply(o, in)
	case *ast.ParseOp:
		return r.parse(o, in)
	case *ast.ParseKvOp:
		return r.parseKv(o, in)
	case *ast.MakeSeriesOp:
		return r.makeSeries(o, in)
	case *ast.TopNestedOp:
		return r.topNested(o, in)
	case *ast.RenderOp:
		return in, r.renderOp(o)
	case *ast.AsOp:
		r.sess.named[o.Alias.Name] = in
		r.sess.scope.vars[o.Alias.Name] = &binding{kind: bTable, tab: in}
		r.asName = o.Alias.Name
		return in, nil
	case *ast.SerializeOp:
		if len(o.Items) == 0 {
			return in, nil
		}
		return r.extend(o.Items, in, true)
	case *ast.SampleOp:
		n, err := r.constInt(o.N, "sample")
		if err != nil {
			return nil, err
		}
		rows := in.Rows()
		if int(n) >= rows {
			return in, nil
		}
		idx := rand.Perm(rows)[:max(n, 0)]
		sort.Ints(idx)
		return gatherTable(in, idx), nil
	case *ast.SampleDistinctOp:
		return r.sampleDistinct(o, in)
	case *ast.GetSchemaOp:
		return getSchema(in), nil
	case *ast.SearchOp:
		return r.search(o, in)
	case *ast.InvokeOp:
		return r.invoke(o, in)
	case *ast.EvaluateOp:
		return r.evaluate(o, in)
	case *ast.PartitionOp:
		return r.partition(o, in)
	case *ast.ScanOp:
		return r.scan(o, in)
	case *ast.ForkOp, *ast.FacetOp:
		return nil, r.errorf(op.Pos(), "%s yields several tables and must be the last operator of a query", op.Name())
	case *ast.ExternalDataOp, *ast.DataTableOp, *ast.PrintOp, *ast.RangeOp:
		return nil, r.errorf(op.Pos(), "%s cannot follow a pipe; it starts a query", op.Name())
	case *ast.BadOp:
		return nil, r.errorf(op.Pos(), "syntax error in operator")
	}
	return nil, r.unsupported(op.Pos(), "operator "+op.Name())
}

// sourceOp runs an operator that starts a pipeline (print, range,
// datatable, union, search, find, externaldata).
func (r *runner) sourceOp(op ast.Operator, in *table.Table) (*table.Table, error) {
	switch o := op.(type) {
	case *ast.PrintOp:
		return r.print(o)
	case *ast.RangeOp:
		return r.rangeOp(o)
	case *ast.DataTableOp:
		return r.datatable(o)
	case *ast.UnionOp:
		return r.union(o, nil)
	case *ast.SearchOp:
		return r.search(o, nil)
	case *ast.FindOp:
		return r.find(o)
	case *ast.ExternalDataOp:
		return r.externalData(o)
	case *ast.EvaluateOp:
		return r.evaluate(o, nil)
	}
	return nil, r.unsupported(op.Pos(), "operator "+op.Name()+" as a query source")
}

// constInt evaluates a constant integer argument of an operator.
func (r *runner) constInt(e ast.Expr, what string) (int64, error) {
	if e == nil {
		return 0, r.errorf(0, "%s needs a row count", what)
	}
	ce, err := r.compiler(nil).compile(e)
	if err != nil {
		return 0, err
	}
	v := ce.val
	if !ce.isConst {
		return 0, r.errorf(e.Pos(), "%s needs a constant row count", what)
	}
	n := convert(v, types.Long)
	if n.IsNull() || (!v.Type.IsNumeric() && v.Type != types.Dynamic) {
		return 0, r.errorf(e.Pos(), "%s needs an integer row count, got %s", what, v.Type)
	}
	return n.I, nil
}

// evalCols evaluates compiled expressions over all rows of in, in parallel
// chunks unless one of them needs to see the rows in order.
func (r *runner) evalCols(in *table.Table, exprs []*cexpr) ([]*table.Column, error) {
	n := in.Rows()
	serial := false
	for _, e := range exprs {
		serial = serial || e.serial
	}
	nc := numChunks(n, serial)
	out := make([]*table.Column, len(exprs))
	parts := make([][]*table.Column, len(exprs))
	for i, e := range exprs {
		if e.col >= 0 && !e.isConst && in.Columns[e.col].Type == storeType(e.typ) {
			// a bare column: the input's own (callers rename their copy),
			// not chunk views concatenated into a copy of it
			c := *in.Columns[e.col]
			c.Name = ""
			out[i] = &c
			continue
		}
		if e.whole != nil && !serial {
			if col, ok := e.whole(in); ok && col.Type == storeType(e.typ) {
				out[i] = col
				continue
			}
		}
		parts[i] = make([]*table.Column, nc)
	}
	err := r.forChunks(n, serial, func(ci, lo, hi int) error {
		for i, e := range exprs {
			if out[i] != nil {
				continue
			}
			col, err := e.vec(in, lo, hi)
			if err != nil {
				return err
			}
			parts[i][ci] = col
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, e := range exprs {
		if out[i] != nil {
			continue
		}
		if nc == 1 {
			out[i] = parts[i][0]
			if out[i].Type != storeType(e.typ) {
				out[i] = concatCols("", e.typ, []*table.Column{castCol(out[i], e.typ)})
			}
			continue
		}
		out[i] = concatCols("", e.typ, parts[i])
	}
	return out, nil
}

// castCol converts a column to type t (used when a function's value type
// differs from its declared one).
func castCol(c *table.Column, t types.Type) *table.Column {
	t = storeType(t)
	if c.Type == t {
		return c
	}
	o := newVec(c.Name, t, c.Len())
	for i := 0; i < c.Len(); i++ {
		setVal(o, i, c.Value(i))
	}
	return o
}

func (r *runner) where(o *ast.WhereOp, in *table.Table) (*table.Table, error) {
	return r.whereKeep(o, in, nil)
}

// whereKeep is where whose output carries only the columns named in keep
// (all when keep is nil): the rest of the pipe reads no others, so they
// are not gathered.
func (r *runner) whereKeep(o *ast.WhereOp, in *table.Table, keep map[string]bool) (*table.Table, error) {
	ce, err := r.compiler(in.Schema()).compile(o.Pred)
	if err != nil {
		return nil, err
	}
	if ce.typ != types.Bool && ce.typ != types.Dynamic && ce.typ != types.Null {
		return nil, r.errorf(o.Pred.Pos(), "where needs a bool predicate, got %s", ce.typ)
	}
	return r.filterKeep(ce, in, keep)
}

// filter keeps the rows where ce is true, evaluating chunks in parallel.
func (r *runner) filter(ce *cexpr, in *table.Table) (*table.Table, error) {
	return r.filterKeep(ce, in, nil)
}

// filterKeep is filter gathering only the columns named in keep (all when
// keep is nil; the first one when keep names none, for the row count).
func (r *runner) filterKeep(ce *cexpr, in *table.Table, keep map[string]bool) (*table.Table, error) {
	if ce.isConst {
		if b := convert(ce.val, types.Bool); !b.IsNull() && b.I != 0 {
			return in, nil
		}
		return sliceTable(in, 0, 0), nil
	}
	n := in.Rows()
	nc := numChunks(n, ce.serial)
	sel := make([][]int, nc)
	err := r.forChunks(n, ce.serial, func(ci, lo, hi int) error {
		if ce.sel != nil {
			rows, ok, err := ce.sel(in, lo, hi)
			if err != nil {
				return err
			}
			if ok {
				sel[ci] = rows
				return nil
			}
		}
		col, err := boolVec(ce, in, lo, hi)
		if err != nil {
			return err
		}
		sel[ci] = trueRows(col, lo)
		return nil
	})
	if err != nil {
		return nil, err
	}
	total := 0
	for _, s := range sel {
		total += len(s)
	}
	if total == n {
		return in, nil
	}
	all := sel[0]
	if len(sel) > 1 {
		all = make([]int, 0, total)
		for _, s := range sel {
			all = append(all, s...)
		}
	}
	if keep != nil {
		kept := &table.Table{Name: in.Name}
		for _, c := range in.Columns {
			if keep[c.Name] {
				kept.Columns = append(kept.Columns, c)
			}
		}
		if len(kept.Columns) == 0 && len(in.Columns) > 0 {
			kept.Columns = in.Columns[:1]
		}
		in = kept
	}
	return r.gatherPar(in, all)
}

// trueRows is lo plus the index of every true (non-null, non-zero) row of
// the bool column col.
func trueRows(col *table.Column, lo int) []int {
	// count first: the selection is allocated once, at its size
	k := 0
	for i, v := range col.Ints {
		if v != 0 && !(col.Nulls != nil && col.Nulls[i]) {
			k++
		}
	}
	idx := make([]int, 0, k)
	for i, v := range col.Ints {
		if v != 0 && !(col.Nulls != nil && col.Nulls[i]) {
			idx = append(idx, lo+i)
		}
	}
	return idx
}

// gatherPar gathers rows idx of every column, columns in parallel.
func (r *runner) gatherPar(in *table.Table, idx []int) (*table.Table, error) {
	out := &table.Table{Name: in.Name, Columns: make([]*table.Column, len(in.Columns))}
	if len(in.Columns) == 0 {
		return out, nil
	}
	cols := len(in.Columns)
	err := r.forChunks(cols*chunkRows, false, func(ci, lo, hi int) error {
		out.Columns[ci] = gather(in.Columns[ci], idx)
		return nil
	})
	return out, err
}

// project handles project, extend and the project-* family.
func (r *runner) project(o *ast.ProjectOp, in *table.Table) (*table.Table, error) {
	switch o.Kind {
	case "extend":
		return r.extend(o.Items, in, false)
	case "project", "project-smart":
		return r.projectCols(o.Items, in)
	case "project-away":
		drop := map[int]bool{}
		for _, it := range o.Items {
			idx, err := r.matchCols(it, in)
			if err != nil {
				return nil, err
			}
			for _, i := range idx {
				drop[i] = true
			}
		}
		out := &table.Table{Name: in.Name}
		for i, c := range in.Columns {
			if !drop[i] {
				out.Columns = append(out.Columns, c)
			}
		}
		return out, nil
	case "project-keep":
		keep := map[int]bool{}
		for _, it := range o.Items {
			idx, err := r.matchCols(it, in)
			if err != nil {
				return nil, err
			}
			for _, i := range idx {
				keep[i] = true
			}
		}
		out := &table.Table{Name: in.Name}
		for i, c := range in.Columns {
			if keep[i] {
				out.Columns = append(out.Columns, c)
			}
		}
		return out, nil
	case "project-rename":
		out := &table.Table{Name: in.Name, Columns: append([]*table.Column(nil), in.Columns...)}
		for _, it := range o.Items {
			ne, ok := it.(*ast.NamedExpr)
			if !ok || len(ne.Names) != 1 {
				return nil, r.errorf(it.Pos(), "project-rename expects NewName = ExistingName")
			}
			id, ok := ne.Value.(*ast.Ident)
			if !ok {
				return nil, r.errorf(ne.Value.Pos(), "project-rename expects a column name on the right of =")
			}
			i := tableIndex(out, id.Name)
			if i < 0 {
				return nil, r.errorf(id.Pos(), "unknown column '%s'", id.Name)
			}
			if j := tableIndex(out, ne.Names[0].Name); j >= 0 && j != i {
				return nil, r.errorf(ne.Names[0].Pos(), "column '%s' already exists", ne.Names[0].Name)
			}
			out.Columns[i] = renamed(out.Columns[i], ne.Names[0].Name)
		}
		return out, nil
	case "project-reorder":
		var first []int
		seen := map[int]bool{}
		for _, it := range o.Items {
			e, dir := it, ""
			if oe, ok := it.(*ast.OrderExpr); ok {
				e, dir = oe.X, oe.Dir
			}
			idx, err := r.matchCols(e, in)
			if err != nil {
				return nil, err
			}
			if dir != "" {
				sort.SliceStable(idx, func(a, b int) bool {
					if dir == "desc" {
						return in.Columns[idx[a]].Name > in.Columns[idx[b]].Name
					}
					return in.Columns[idx[a]].Name < in.Columns[idx[b]].Name
				})
			}
			for _, i := range idx {
				if !seen[i] {
					seen[i] = true
					first = append(first, i)
				}
			}
		}
		out := &table.Table{Name: in.Name}
		for _, i := range first {
			out.Columns = append(out.Columns, in.Columns[i])
		}
		for i, c := range in.Columns {
			if !seen[i] {
				out.Columns = append(out.Columns, c)
			}
		}
		return out, nil
	}
	return nil, r.unsupported(o.Pos(), o.Kind)
}

func tableIndex(t *table.Table, name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// matchCols resolves a column name or wildcard to input column indexes.
func (r *runner) matchCols(e ast.Expr, in *table.Table) ([]int, error) {
	switch x := e.(type) {
	case *ast.Ident:
		i := tableIndex(in, x.Name)
		if i < 0 {
			return nil, r.errorf(x.Pos(), "unknown column '%s'", x.Name)
		}
		return []int{i}, nil
	case *ast.WildcardIdent:
		var out []int
		for i, c := range in.Columns {
			if ok, _ := path.Match(x.Pattern, c.Name); ok {
				out = append(out, i)
			}
		}
		return out, nil
	case *ast.StarExpr:
		out := make([]int, len(in.Columns))
		for i := range out {
			out[i] = i
		}
		return out, nil
	}
	return nil, r.errorf(e.Pos(), "expected a column name or wildcard")
}

// itemName is the name of a project/extend item; "" when it needs a
// default.
func itemName(it ast.Expr) (string, ast.Expr) {
	if ne, ok := it.(*ast.NamedExpr); ok {
		if len(ne.Names) == 1 {
			return ne.Names[0].Name, ne.Value
		}
		return "", it
	}
	return resultName(it), it
}

func (r *runner) projectCols(items []ast.Expr, in *table.Table) (*table.Table, error) {
	c := r.compiler(in.Schema())
	out := &table.Table{Name: in.Name}
	var exprs []*cexpr
	var slots []int
	used := map[string]bool{}
	nm := newNamer(nil)
	for _, it := range items {
		if w, ok := it.(*ast.WildcardIdent); ok {
			idx, _ := r.matchCols(w, in)
			for _, i := range idx {
				if !used[in.Columns[i].Name] {
					used[in.Columns[i].Name] = true
					out.Columns = append(out.Columns, in.Columns[i])
				}
			}
			continue
		}
		if call, names, outs, ok := multiOutput(it); ok {
			cols, err := r.multiColumns(it.Pos(), call, names, outs, in)
			if err != nil {
				return nil, err
			}
			for _, col := range cols {
				if used[col.Name] {
					return nil, r.errorf(it.Pos(), "duplicate column name '%s' in project", col.Name)
				}
				used[col.Name] = true
				nm.used[col.Name] = true
				out.Columns = append(out.Columns, col)
			}
			continue
		}
		if ne, ok := it.(*ast.NamedExpr); ok && len(ne.Names) > 1 {
			return nil, r.errorf(it.Pos(), "(a, b) = ... needs a function with several outputs (such as series_decompose_anomalies) on the right")
		}
		name, e := itemName(it)
		ce, err := c.compile(e)
		if err != nil {
			return nil, err
		}
		if name == "" {
			name = nm.column()
		}
		if used[name] {
			return nil, r.errorf(it.Pos(), "duplicate column name '%s' in project", name)
		}
		used[name] = true
		nm.used[name] = true
		if ce.col >= 0 && !ce.isConst {
			out.Columns = append(out.Columns, renamed(in.Columns[ce.col], name))
			continue
		}
		slots = append(slots, len(out.Columns))
		exprs = append(exprs, ce)
		out.Columns = append(out.Columns, &table.Column{Name: name})
	}
	cols, err := r.evalCols(in, exprs)
	if err != nil {
		return nil, err
	}
	for k, s := range slots {
		cols[k].Name = out.Columns[s].Name
		out.Columns[s] = cols[k]
	}
	return out, nil
}

// extend adds columns (replacing same-named ones in place); items are
// evaluated against the input, and later items see earlier ones as Kusto
// allows (extend a = 1, b = a + 1).
func (r *runner) extend(items []ast.Expr, in *table.Table, serialize bool) (*table.Table, error) {
	cur := &table.Table{Name: in.Name, Columns: append([]*table.Column(nil), in.Columns...)}
	existing := make([]string, len(in.Columns))
	for i, c := range in.Columns {
		existing[i] = c.Name
	}
	nm := newNamer(existing)
	// batch independent items together so they evaluate in one parallel pass
	type pending struct {
		name string
		ce   *cexpr
	}
	var batch []pending
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		exprs := make([]*cexpr, len(batch))
		for i, p := range batch {
			exprs[i] = p.ce
		}
		cols, err := r.evalCols(cur, exprs)
		if err != nil {
			return err
		}
		for i, p := range batch {
			cols[i].Name = p.name
			if j := tableIndex(cur, p.name); j >= 0 {
				cur.Columns[j] = cols[i]
			} else {
				cur.Columns = append(cur.Columns, cols[i])
			}
		}
		batch = batch[:0]
		return nil
	}
	batchNames := map[string]bool{}
	for _, it := range items {
		if call, names, outs, ok := multiOutput(it); ok {
			if err := flush(); err != nil {
				return nil, err
			}
			batchNames = map[string]bool{}
			cols, err := r.multiColumns(it.Pos(), call, names, outs, cur)
			if err != nil {
				return nil, err
			}
			for _, col := range cols {
				nm.used[col.Name] = true
				if j := tableIndex(cur, col.Name); j >= 0 {
					cur.Columns[j] = col
				} else {
					cur.Columns = append(cur.Columns, col)
				}
			}
			continue
		}
		if ne, ok := it.(*ast.NamedExpr); ok && len(ne.Names) > 1 {
			return nil, r.errorf(it.Pos(), "(a, b) = ... needs a function with several outputs (such as series_decompose_anomalies) on the right")
		}
		name, e := itemName(it)
		if refsAny(e, batchNames) {
			if err := flush(); err != nil {
				return nil, err
			}
			batchNames = map[string]bool{}
		}
		ce, err := r.compiler(cur.Schema()).compile(e)
		if err != nil {
			return nil, err
		}
		if name == "" {
			name = nm.column()
		}
		nm.used[name] = true
		batchNames[name] = true
		batch = append(batch, pending{name, ce})
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return cur, nil
}

// refsAny reports whether e mentions any of names.
func refsAny(e ast.Expr, names map[string]bool) bool {
	if len(names) == 0 {
		return false
	}
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && names[id.Name] {
			found = true
		}
		return !found
	})
	return found
}

// sortOp sorts by the keys (default descending, nulls last when
// descending and first when ascending), keeping the first limit rows when
// limit >= 0 (top).
func (r *runner) sortOp(by []*ast.OrderExpr, in *table.Table, limit int) (*table.Table, error) {
	c := r.compiler(in.Schema())
	keys := make([]sortKey, len(by))
	exprs := make([]*cexpr, len(by))
	for i, o := range by {
		ce, err := c.compile(o.X)
		if err != nil {
			return nil, err
		}
		if ce.typ == types.Dynamic {
			// Kusto sorts dynamic by its JSON text
		}
		exprs[i] = ce
		desc := o.Dir != "asc"
		nullsFirst := !desc
		switch o.Nulls {
		case "first":
			nullsFirst = true
		case "last":
			nullsFirst = false
		}
		keys[i] = sortKey{desc: desc, nullsFirst: nullsFirst}
	}
	cols, err := r.evalCols(in, exprs)
	if err != nil {
		return nil, err
	}
	for i := range keys {
		keys[i].col = cols[i]
		if strCoded(cols[i]) && len(cols[i].Dict) <= len(cols[i].Codes) {
			keys[i].rank = dictRanks(cols[i].Dict)
		}
	}
	n := in.Rows()
	// ties break on the row number, which makes the sort stable
	cmp := func(a, b int) int {
		if c := compareRows(keys, a, b); c != 0 {
			return c
		}
		return cmp.Compare(int64(a), int64(b))
	}
	var idx []int
	if limit >= 0 && limit < n/4 {
		idx = topK(n, limit, cmp)
	} else {
		idx = make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, cmp)
		if limit >= 0 && limit < n {
			idx = idx[:limit]
		}
	}
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	return r.gatherPar(in, idx)
}

// topK returns the k smallest rows under cmp, in order, keeping a bounded
// max-heap instead of sorting everything.
func topK(n, k int, cmp func(a, b int) int) []int {
	if k == 0 {
		return nil
	}
	h := make([]int, 0, k)
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && cmp(h[r], h[l]) > 0 {
				m = r
			}
			if cmp(h[m], h[i]) <= 0 {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := 0; i < n; i++ {
		if len(h) < k {
			h = append(h, i)
			for j := len(h) - 1; j > 0; {
				p := (j - 1) / 2
				if cmp(h[j], h[p]) <= 0 {
					break
				}
				h[j], h[p] = h[p], h[j]
				j = p
			}
			continue
		}
		if cmp(i, h[0]) < 0 {
			h[0] = i
			down(0)
		}
	}
	slices.SortFunc(h, cmp)
	return h
}

type sortKey struct {
	col        *table.Column
	desc       bool
	nullsFirst bool
	rank       []uint32 // of a coded string column: each code's place in string order
}

// dictRanks orders a dictionary once, so that rows of a coded column
// compare as two integers instead of two strings.
func dictRanks(dict []string) []uint32 {
	order := make([]uint32, len(dict))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return strings.Compare(dict[a], dict[b]) })
	rank := make([]uint32, len(dict))
	for r, c := range order {
		rank[c] = uint32(r)
	}
	return rank
}

func compareRows(keys []sortKey, a, b int) int {
	for _, k := range keys {
		if k.rank != nil { // strings are never null
			c := cmp.Compare(k.rank[k.col.Codes[a]], k.rank[k.col.Codes[b]])
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
			continue
		}
		c := compareCell(k.col, a, b, k.desc, k.nullsFirst)
		if c != 0 {
			return c
		}
	}
	return 0
}

func compareCell(col *table.Column, a, b int, desc, nullsFirst bool) int {
	an, bn := col.IsNull(a), col.IsNull(b)
	if an || bn {
		switch {
		case an && bn:
			return 0
		case an == nullsFirst:
			return -1
		default:
			return 1
		}
	}
	var c int
	switch table.Storage(col.Type) {
	case table.StoreInts:
		c = cmp.Compare(col.Ints[a], col.Ints[b])
	case table.StoreReals:
		c = cmp.Compare(col.Reals[a], col.Reals[b])
	case table.StoreStrs:
		c = strings.Compare(col.Strs[a], col.Strs[b])
	default:
		c = compareDyn(col.Dyns[a], col.Dyns[b])
	}
	if desc {
		return -c
	}
	return c
}

func (r *runner) distinct(o *ast.DistinctOp, in *table.Table) (*table.Table, error) {
	var keyCols []*table.Column
	star := len(o.Cols) == 0
	for _, c := range o.Cols {
		if _, ok := c.(*ast.StarExpr); ok {
			star = true
		}
	}
	if star {
		keyCols = in.Columns
	} else {
		c := r.compiler(in.Schema())
		var exprs []*cexpr
		var names []string
		nm := newNamer(nil)
		for _, it := range o.Cols {
			name, e := itemName(it)
			ce, err := c.compile(e)
			if err != nil {
				return nil, err
			}
			if name == "" {
				name = nm.column()
			}
			exprs = append(exprs, ce)
			names = append(names, name)
		}
		cols, err := r.evalCols(in, exprs)
		if err != nil {
			return nil, err
		}
		for i, col := range cols {
			col.Name = names[i]
		}
		keyCols = cols
	}
	g := newGrouper(keyCols)
	first := []int{}
	for i := 0; i < in.Rows(); i++ {
		if i%chunkRows == 0 {
			if err := r.ctx.Err(); err != nil {
				return nil, err
			}
		}
		if _, isNew := g.group(i); isNew {
			first = append(first, i)
		}
	}
	return gatherTable(&table.Table{Name: in.Name, Columns: keyCols}, first), nil
}

func (r *runner) renderOp(o *ast.RenderOp) error {
	rd := &Render{Kind: o.Chart.Name, Props: map[string]any{}}
	for _, w := range o.With {
		if len(w.Names) != 1 {
			continue
		}
		var v any
		switch x := w.Value.(type) {
		case *ast.Ident:
			v = x.Name
		case *ast.ListExpr:
			var names []string
			for _, e := range x.Elems {
				if id, ok := e.(*ast.Ident); ok {
					names = append(names, id.Name)
				}
			}
			v = names
		case *ast.ParenExpr:
			if id, ok := x.X.(*ast.Ident); ok {
				v = []string{id.Name}
			}
		default:
			ce, err := r.compiler(nil).compile(w.Value)
			if err != nil {
				return err
			}
			if !ce.isConst {
				return r.errorf(w.Value.Pos(), "render property %s needs a constant", w.Names[0].Name)
			}
			v = functions.ToDyn(ce.val)
		}
		rd.Props[w.Names[0].Name] = v
	}
	r.render = rd
	return nil
}

// getSchema is the getschema operator's table.
func getSchema(in *table.Table) *table.Table {
	n := len(in.Columns)
	names := newVec("ColumnName", types.String, n)
	ords := newVec("ColumnOrdinal", types.Int, n)
	dts := newVec("DataType", types.String, n)
	cts := newVec("ColumnType", types.String, n)
	for i, c := range in.Columns {
		names.Strs[i] = c.Name
		ords.Ints[i] = int64(i)
		dts.Strs[i] = dotnetType(c.Type)
		cts.Strs[i] = c.Type.String()
	}
	return &table.Table{Name: in.Name, Columns: []*table.Column{names, ords, dts, cts}}
}

func dotnetType(t types.Type) string {
	switch t {
	case types.Bool:
		return "System.Boolean"
	case types.Int:
		return "System.Int32"
	case types.Long:
		return "System.Int64"
	case types.Real:
		return "System.Double"
	case types.Decimal:
		return "System.Data.SqlTypes.SqlDecimal"
	case types.String:
		return "System.String"
	case types.DateTime:
		return "System.DateTime"
	case types.TimeSpan:
		return "System.TimeSpan"
	case types.GUID:
		return "System.Guid"
	}
	return "System.Object"
}

func (r *runner) sampleDistinct(o *ast.SampleDistinctOp, in *table.Table) (*table.Table, error) {
	n, err := r.constInt(o.N, "sample-distinct")
	if err != nil {
		return nil, err
	}
	ce, err := r.compiler(in.Schema()).compile(o.Of)
	if err != nil {
		return nil, err
	}
	cols, err := r.evalCols(in, []*cexpr{ce})
	if err != nil {
		return nil, err
	}
	name := resultName(o.Of)
	if name == "" {
		name = "Column1"
	}
	cols[0].Name = name
	g := newGrouper(cols)
	var first []int
	for i := 0; i < in.Rows(); i++ {
		if _, isNew := g.group(i); isNew {
			first = append(first, i)
		}
	}
	rand.Shuffle(len(first), func(a, b int) { first[a], first[b] = first[b], first[a] })
	if int64(len(first)) > n {
		first = first[:max(n, 0)]
	}
	sort.Ints(first)
	return gatherTable(&table.Table{Columns: cols}, first), nil
}

func (r *runner) invoke(o *ast.InvokeOp, in *table.Table) (*table.Table, error) {
	name := callName(o.Call)
	b := r.sc().lookup(name)
	if b == nil && name == "FileProfile" {
		return r.fileProfile(o.Call, in)
	}
	if b == nil || b.kind != bFunc {
		return nil, r.errorf(o.Call.Pos(), "unknown function '%s' for invoke", name)
	}
	if len(b.fn.Params) == 0 || b.fn.Params[0].Type == nil || !b.fn.Params[0].Type.Tabular {
		return nil, r.errorf(o.Call.Pos(), "invoke needs a function whose first parameter is tabular")
	}
	inner := newScope(b.sc)
	inner.vars[b.fn.Params[0].Name.Name] = &binding{kind: bTable, tab: in}
	rest := &ast.FuncLit{Lparen: b.fn.Lparen, Params: b.fn.Params[1:], Body: b.fn.Body}
	if err := r.compiler(nil).bindParams(o.Call, rest, inner); err != nil {
		return nil, err
	}
	return r.evalBlock(b.fn.Body, inner)
}

// print is the print operator: one row of scalars.
func (r *runner) print(o *ast.PrintOp) (*table.Table, error) {
	c := r.compiler(nil)
	out := &table.Table{}
	empty := &table.Table{}
	for i, it := range o.Items {
		name, e := itemName(it)
		if _, named := it.(*ast.NamedExpr); !named {
			name = fmt.Sprintf("print_%d", i)
		}
		ce, err := c.compile(e)
		if err != nil {
			return nil, err
		}
		col, err := ce.vec(empty, 0, 1)
		if err != nil {
			return nil, err
		}
		col = castCol(col, ce.typ)
		col.Name = name
		out.Columns = append(out.Columns, col)
	}
	return out, nil
}

func (r *runner) rangeOp(o *ast.RangeOp) (*table.Table, error) {
	c := r.compiler(nil)
	var vals [3]types.Value
	for i, e := range []ast.Expr{o.From, o.To, o.Step} {
		ce, err := c.compile(e)
		if err != nil {
			return nil, err
		}
		if !ce.isConst {
			return nil, r.errorf(e.Pos(), "range bounds must be constants")
		}
		vals[i] = ce.val
	}
	from, to, step := vals[0], vals[1], vals[2]
	if from.IsNull() || to.IsNull() || step.IsNull() {
		return nil, r.errorf(o.Pos(), "range bounds cannot be null")
	}
	t := from.Type
	if t.IsNumeric() && (isFloat(from.Type) || isFloat(to.Type) || isFloat(step.Type)) {
		t = types.Real
	} else if t == types.Int {
		t = types.Long
	}
	cur := convert(from, t)
	end := convert(to, t)
	const limit = 100_000_000
	// The column is sized once from the row count (at most the limit and
	// one): growing it by doubling copied hundreds of megabytes at a time,
	// with no check for an interrupt in between.
	var tooMany error
	sized := func(n float64) *table.Column {
		if n > limit {
			// known before any row is made
			tooMany = r.errorf(o.Pos(), "range would produce %.0f rows, more than the %d a range may make", math.Floor(n), limit)
		}
		return table.NewColumn(o.Col.Name, t, int(min(max(n, 0), limit+1)))
	}
	var col *table.Column
	if t == types.Real {
		s := numF(step)
		if s == 0 {
			return nil, r.errorf(o.Step.Pos(), "range step cannot be zero")
		}
		if col = sized((end.F-cur.F)/s + 1); tooMany != nil {
			return nil, tooMany
		}
		for x := cur.F; (s > 0 && x <= end.F) || (s < 0 && x >= end.F); x += s {
			col.Reals = append(col.Reals, x)
			if len(col.Reals) > limit {
				return nil, r.errorf(o.Pos(), "range produces more than %d rows", limit)
			}
			if len(col.Reals)%chunkRows == 0 {
				if err := r.ctx.Err(); err != nil {
					return nil, err
				}
			}
		}
	} else {
		s := step.I
		if isFloat(step.Type) {
			s = int64(step.F)
		}
		if s == 0 {
			return nil, r.errorf(o.Step.Pos(), "range step cannot be zero")
		}
		if col = sized((float64(end.I)-float64(cur.I))/float64(s) + 1); tooMany != nil {
			return nil, tooMany
		}
		for x := cur.I; (s > 0 && x <= end.I) || (s < 0 && x >= end.I); x += s {
			col.Ints = append(col.Ints, x)
			if len(col.Ints) > limit {
				return nil, r.errorf(o.Pos(), "range produces more than %d rows", limit)
			}
			if len(col.Ints)%chunkRows == 0 {
				if err := r.ctx.Err(); err != nil {
					return nil, err
				}
			}
		}
	}
	return &table.Table{Columns: []*table.Column{col}}, nil
}

func (r *runner) datatable(o *ast.DataTableOp) (*table.Table, error) {
	if len(o.Columns) == 0 {
		return nil, r.errorf(o.Pos(), "datatable needs a schema")
	}
	sch := make(types.Schema, len(o.Columns))
	for i, c := range o.Columns {
		sch[i] = types.Column{Name: c.Name.Name, Type: storeType(c.Type.Type)}
	}
	if len(o.Values)%len(sch) != 0 {
		return nil, r.errorf(o.Pos(), "datatable has %d values, not a multiple of its %d columns", len(o.Values), len(sch))
	}
	t := table.New("", sch)
	c := r.compiler(nil)
	for i, e := range o.Values {
		ce, err := c.compile(e)
		if err != nil {
			return nil, err
		}
		if !ce.isConst {
			return nil, r.errorf(e.Pos(), "datatable values must be constants")
		}
		col := t.Columns[i%len(sch)]
		v := ce.val
		if v.Type != col.Type && !v.IsNull() && !(v.Type.IsNumeric() && col.Type.IsNumeric()) && col.Type != types.Dynamic && !(v.Type == types.String && col.Type == types.GUID) {
			return nil, r.errorf(e.Pos(), "datatable column '%s' is %s, value is %s", col.Name, col.Type, v.Type)
		}
		col.Append(convert(v, col.Type))
	}
	return t, nil
}
