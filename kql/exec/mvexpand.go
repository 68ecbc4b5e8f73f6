package exec

import (
	"github.com/huntbook/huntbook/kql/functions"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// mvItem is one compiled mv-expand/mv-apply item.
type mvItem struct {
	name string
	ce   *cexpr
	to   types.Type // Dynamic unless "to typeof(T)"
}

// expandParams reads kind/bagexpansion and with_itemindex.
func (r *runner) mvParams(params []*ast.NamedExpr, withIdx *ast.Ident) (bagArray bool, idxName string) {
	for _, p := range params {
		if len(p.Names) != 1 {
			continue
		}
		switch strings.ToLower(p.Names[0].Name) {
		case "kind", "bagexpansion":
			if id, ok := p.Value.(*ast.Ident); ok && strings.EqualFold(id.Name, "array") {
				bagArray = true
			}
		case "with_itemindex":
			if id, ok := p.Value.(*ast.Ident); ok {
				idxName = id.Name
			}
		}
	}
	if withIdx != nil {
		idxName = withIdx.Name
	}
	return
}

func (r *runner) mvItems(items []*ast.MvExpandItem, in *table.Table) ([]mvItem, error) {
	c := r.compiler(in.Schema())
	var out []mvItem
	nm := newNamer(nil)
	for _, it := range items {
		if len(it.Names) > 1 {
			return nil, r.unsupported(it.X.Pos(), "(a, b) = ... in mv-expand")
		}
		ce, err := c.compile(it.X)
		if err != nil {
			return nil, err
		}
		if ce.typ != types.Dynamic {
			return nil, r.errorf(it.X.Pos(), "mv-expand needs a dynamic array or property bag, got %s", ce.typ)
		}
		name := ""
		if len(it.Names) == 1 {
			name = it.Names[0].Name
		} else {
			name = resultName(it.X)
		}
		if name == "" {
			name = nm.column()
		}
		to := types.Dynamic
		if it.To != nil {
			to = storeType(it.To.Type)
		}
		out = append(out, mvItem{name: name, ce: ce, to: to})
	}
	return out, nil
}

// elements lists what one dynamic value expands to: array elements, bag
// properties (as {k:v} bags, or [k, v] arrays with kind=array), a null
// for null, the value itself for a scalar.
func elements(d any, bagArray bool) []any {
	switch x := d.(type) {
	case nil:
		return []any{nil}
	case []any:
		return x
	case *types.Bag:
		out := make([]any, 0, x.Len())
		for i, k := range x.Keys {
			if bagArray {
				out = append(out, []any{k, x.Value(i)})
			} else {
				b := types.NewBag()
				b.Set(k, x.Value(i))
				out = append(out, b)
			}
		}
		return out
	}
	return []any{d}
}

// castDyn is "to typeof(T)": a cast, not a conversion; values of another
// kind become null.
func castDyn(d any, t types.Type) types.Value {
	if t == types.Dynamic {
		return types.NewDynamic(d)
	}
	ok := false
	switch d.(type) {
	case bool:
		ok = t == types.Bool
	case int64:
		ok = t.IsNumeric()
	case float64:
		ok = t == types.Real || t == types.Decimal
	case string:
		ok = t == types.String || t == types.GUID || t == types.DateTime || t == types.TimeSpan
	case types.DateTimeValue:
		ok = t == types.DateTime
	case types.TimeSpanValue:
		ok = t == types.TimeSpan
	}
	if !ok {
		if t == types.String && d != nil {
			return types.NewString(functions.DynString(d))
		}
		return types.NullOf(t)
	}
	return fromDyn(d, t)
}

func (r *runner) mvExpand(o *ast.MvExpandOp, in *table.Table) (*table.Table, error) {
	bagArray, idxName := r.mvParams(o.Params, o.WithItemIndex)
	items, err := r.mvItems(o.Items, in)
	if err != nil {
		return nil, err
	}
	limit := int64(-1)
	if o.Limit != nil {
		if limit, err = r.constInt(o.Limit, "mv-expand limit"); err != nil {
			return nil, err
		}
	}
	return r.expandRows(in, items, bagArray, idxName, limit, o.Pos())
}

func (r *runner) expandRows(in *table.Table, items []mvItem, bagArray bool, idxName string, limit int64, pos interface{ IsValid() bool }) (*table.Table, error) {
	exprs := make([]*cexpr, len(items))
	for i, it := range items {
		exprs[i] = it.ce
	}
	vals, err := r.evalCols(in, exprs)
	if err != nil {
		return nil, err
	}
	n := in.Rows()
	var src []int
	outs := make([]*table.Column, len(items))
	for i, it := range items {
		outs[i] = table.NewColumn(it.name, it.to, n)
	}
	var idxCol *table.Column
	if idxName != "" {
		idxCol = table.NewColumn(idxName, types.Long, n)
	}
	rowWidth := int64(len(in.Columns)+len(items)) * 16
	for i := 0; i < n; i++ {
		if i%chunkRows == 0 {
			if err := r.ctx.Err(); err != nil {
				return nil, err
			}
			if int64(len(src))*rowWidth > r.sess.opts.MemoryBudget {
				return nil, r.errorf(0, "mv-expand exceeds the memory budget of %d bytes", r.sess.opts.MemoryBudget)
			}
		}
		els := make([][]any, len(items))
		m := 0
		for j := range items {
			els[j] = elements(vals[j].Dyns[i], bagArray)
			m = max(m, len(els[j]))
		}
		if limit >= 0 && int64(m) > limit {
			m = int(limit)
		}
		for k := 0; k < m; k++ {
			src = append(src, i)
			for j, it := range items {
				var d any
				if k < len(els[j]) {
					d = els[j][k]
				}
				outs[j].Append(castDyn(d, it.to))
			}
			if idxCol != nil {
				idxCol.Append(types.NewLong(int64(k)))
			}
		}
	}
	base, err := r.gatherPar(in, src)
	if err != nil {
		return nil, err
	}
	for _, c := range outs {
		if j := tableIndex(base, c.Name); j >= 0 {
			base.Columns[j] = c
		} else {
			base.Columns = append(base.Columns, c)
		}
	}
	if idxCol != nil {
		base.Columns = append(base.Columns, idxCol)
	}
	return base, nil
}

// mvApply runs the subquery over each row's expansion and concatenates
// the results, keeping the row's other columns.
func (r *runner) mvApply(o *ast.MvApplyOp, in *table.Table) (*table.Table, error) {
	bagArray, idxName := r.mvParams(o.Params, o.WithItemIndex)
	items, err := r.mvItems(o.Items, in)
	if err != nil {
		return nil, err
	}
	limit := int64(-1)
	if o.Limit != nil {
		if limit, err = r.constInt(o.Limit, "mv-apply limit"); err != nil {
			return nil, err
		}
	}
	expanded := map[string]bool{}
	for _, it := range items {
		expanded[it.name] = true
	}
	var parts []*table.Table
	for i := 0; i < in.Rows(); i++ {
		if err := r.ctx.Err(); err != nil {
			return nil, err
		}
		row := sliceTable(in, i, i+1)
		sub, err := r.expandRows(row, items, bagArray, idxName, limit, o.Pos())
		if err != nil {
			return nil, err
		}
		res, err := r.withImplicit(sub, func() (*table.Table, error) { return r.evalTab(o.On) })
		if err != nil {
			return nil, err
		}
		// keep the row's columns the subquery did not produce
		out := &table.Table{}
		for _, c := range in.Columns {
			if expanded[c.Name] || tableIndex(res, c.Name) >= 0 {
				continue
			}
			out.Columns = append(out.Columns, gather(c, repeatIdx(i, res.Rows())))
		}
		out.Columns = append(out.Columns, res.Columns...)
		parts = append(parts, out)
	}
	if len(parts) == 0 {
		return r.mvApplyEmpty(o, in, items, bagArray, idxName, expanded)
	}
	return concatTables(parts), nil
}

// mvApplyEmpty gives the schema mv-apply has on input without rows: the
// subquery still decides the columns (its summarize, extend ...), but no
// row comes out, since there is no row to apply it to.
func (r *runner) mvApplyEmpty(o *ast.MvApplyOp, in *table.Table, items []mvItem, bagArray bool, idxName string, expanded map[string]bool) (*table.Table, error) {
	sub, err := r.expandRows(in, items, bagArray, idxName, -1, o.Pos())
	if err != nil {
		return nil, err
	}
	res, err := r.withImplicit(sub, func() (*table.Table, error) { return r.evalTab(o.On) })
	if err != nil {
		return nil, err
	}
	out := &table.Table{Name: in.Name}
	for _, c := range in.Columns {
		if !expanded[c.Name] && tableIndex(res, c.Name) < 0 {
			out.Columns = append(out.Columns, table.NewColumn(c.Name, c.Type, 0))
		}
	}
	for _, c := range res.Columns {
		out.Columns = append(out.Columns, table.NewColumn(c.Name, c.Type, 0))
	}
	return out, nil
}

func repeatIdx(i, n int) []int {
	idx := make([]int, n)
	for k := range idx {
		idx[k] = i
	}
	return idx
}

// concatTables appends tables with the schema of the first; columns are
// matched by name.
func concatTables(parts []*table.Table) *table.Table {
	first := parts[0]
	out := &table.Table{Name: first.Name}
	for _, c := range first.Columns {
		cols := make([]*table.Column, len(parts))
		for i, p := range parts {
			if j := tableIndex(p, c.Name); j >= 0 {
				cols[i] = castCol(p.Columns[j], c.Type)
			} else {
				cols[i] = constVec("", types.NullOf(c.Type), c.Type, p.Rows())
			}
		}
		out.Columns = append(out.Columns, concatCols(c.Name, c.Type, cols))
	}
	return out
}

// withImplicit evaluates f with t as the input of pipes that have no
// source (mv-apply's subquery).
func (r *runner) withImplicit(t *table.Table, f func() (*table.Table, error)) (*table.Table, error) {
	saved := r.implicit
	r.implicit = t
	defer func() { r.implicit = saved }()
	return f()
}
