package exec

import (
	"bufio"
	"encoding/csv"
	"io"
	"os"
	"path"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

func matchWildcard(pattern, name string) (bool, error) { return path.Match(pattern, name) }

// searchTables resolves search/find's "in (T1, T2*)" list, or every
// catalog table when absent.
func (r *runner) searchTables(list []ast.Expr) ([]string, []*table.Table, error) {
	var names []string
	var tabs []*table.Table
	if len(list) == 0 {
		if r.sess.cat == nil {
			return nil, nil, nil
		}
		for _, n := range r.sess.cat.TableNames() {
			t, err := r.tableRef(&ast.Ident{Name: n})
			if err != nil {
				return nil, nil, err
			}
			names, tabs = append(names, n), append(tabs, t)
		}
		return names, tabs, nil
	}
	for _, e := range list {
		if w, ok := e.(*ast.WildcardIdent); ok {
			if r.sess.cat == nil {
				continue
			}
			for _, n := range r.sess.cat.TableNames() {
				if ok, _ := matchWildcard(w.Pattern, n); ok {
					t, err := r.tableRef(&ast.Ident{NamePos: w.NamePos, Name: n})
					if err != nil {
						return nil, nil, err
					}
					names, tabs = append(names, n), append(tabs, t)
				}
			}
			continue
		}
		t, err := r.evalTab(e)
		if err != nil {
			return nil, nil, err
		}
		name := t.Name
		if id, ok := e.(*ast.Ident); ok {
			name = id.Name
		}
		names, tabs = append(names, name), append(tabs, t)
	}
	return names, tabs, nil
}

// searchFilter filters one table by a search predicate: a bare string
// term matches any column that has it; other predicates are evaluated as
// where (tables lacking a column the predicate names are skipped).
func (r *runner) searchFilter(pred ast.Expr, t *table.Table, cs bool) (*table.Table, bool, error) {
	c := r.compiler(t.Schema())
	ce, err := c.searchPred(pred, cs)
	if err != nil {
		if e, ok := err.(*Error); ok && strings.Contains(e.Msg, "unknown column") {
			return nil, false, nil
		}
		return nil, false, err
	}
	out, err := r.filter(ce, t)
	return out, true, err
}

// searchPred compiles a search predicate: a bare string term (or *)
// matches rows where any column has the term; and/or/not combine such
// terms with ordinary predicates (Col:"x" is Col has "x").
func (c *compiler) searchPred(e ast.Expr, cs bool) (*cexpr, error) {
	switch x := e.(type) {
	case *ast.StarExpr:
		return constExpr(types.NewBool(true)), nil
	case *ast.ParenExpr:
		return c.searchPred(x.X, cs)
	case *ast.Lit:
		if x.Value.Type != types.String {
			break
		}
		term := x.Value.S
		ncols := len(c.sch)
		ce := &cexpr{typ: types.Bool, col: -1}
		ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
			out := newVec("", types.Bool, hi-lo)
			for i := lo; i < hi; i++ {
				for j := 0; j < ncols; j++ {
					if functions.Has(functions.ToString(in.Columns[j].Value(i)), term, cs) {
						out.Ints[i-lo] = 1
						break
					}
				}
			}
			return out, nil
		}
		return ce, nil
	case *ast.BinaryExpr:
		if x.Op == token.IDENT && (strings.EqualFold(x.Word, "and") || strings.EqualFold(x.Word, "or")) {
			a, err := c.searchPred(x.X, cs)
			if err != nil {
				return nil, err
			}
			b, err := c.searchPred(x.Y, cs)
			if err != nil {
				return nil, err
			}
			return c.logic(x.OpPos, strings.ToLower(x.Word), a, b)
		}
	case *ast.CallExpr:
		if callName(x) == "not" && len(x.Args) == 1 {
			a, err := c.searchPred(x.Args[0], cs)
			if err != nil {
				return nil, err
			}
			return notExpr(a), nil
		}
	}
	return c.compile(e)
}

func (r *runner) search(o *ast.SearchOp, in *table.Table) (*table.Table, error) {
	cs := false
	for _, p := range o.Params {
		if len(p.Names) == 1 && strings.EqualFold(p.Names[0].Name, "kind") {
			if id, ok := p.Value.(*ast.Ident); ok && strings.EqualFold(id.Name, "case_sensitive") {
				cs = true
			}
		}
	}
	var names []string
	var tabs []*table.Table
	if in != nil {
		names, tabs = []string{in.Name}, []*table.Table{in}
	} else {
		var err error
		if names, tabs, err = r.searchTables(o.Tables); err != nil {
			return nil, err
		}
	}
	var parts []*table.Table
	var srcNames []string
	for i, t := range tabs {
		out, ok, err := r.searchFilter(o.Pred, t, cs)
		if err != nil {
			return nil, err
		}
		if ok {
			parts = append(parts, out)
			srcNames = append(srcNames, names[i])
		}
	}
	return unionWithSource("$table", srcNames, parts), nil
}

// unionWithSource is an outer union with a leading source column.
func unionWithSource(col string, names []string, parts []*table.Table) *table.Table {
	type key struct {
		n string
		t types.Type
	}
	var order []key
	seen := map[key]bool{}
	for _, p := range parts {
		for _, c := range p.Columns {
			k := key{c.Name, c.Type}
			if !seen[k] {
				seen[k] = true
				order = append(order, k)
			}
		}
	}
	out := &table.Table{}
	src := make([]*table.Column, len(parts))
	for i, p := range parts {
		src[i] = constVec("", types.NewString(names[i]), types.String, p.Rows())
	}
	out.Columns = append(out.Columns, concatCols(col, types.String, src))
	for _, k := range order {
		cols := make([]*table.Column, len(parts))
		for i, p := range parts {
			var c *table.Column
			for _, x := range p.Columns {
				if x.Name == k.n && x.Type == k.t {
					c = x
				}
			}
			if c == nil {
				c = constVec("", types.NullOf(k.t), k.t, p.Rows())
			}
			cols[i] = c
		}
		out.Columns = append(out.Columns, concatCols(k.n, k.t, cols))
	}
	return out
}

// find is find [withsource=C] [in (Tables)] where Pred [project Cols]:
// matching rows with a source column and either the projected columns or
// the rest packed into pack_.
func (r *runner) find(o *ast.FindOp) (*table.Table, error) {
	names, tabs, err := r.searchTables(o.Tables)
	if err != nil {
		return nil, err
	}
	srcCol := "source_"
	if o.WithSource != nil {
		srcCol = o.WithSource.Name
	}
	var parts []*table.Table
	var srcNames []string
	for i, t := range tabs {
		out, ok, err := r.searchFilter(o.Pred, t, false)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		var proj *table.Table
		if len(o.Project) > 0 {
			proj = &table.Table{}
			for _, p := range o.Project {
				name, _ := itemName(p)
				if c := out.Column(name); c != nil {
					proj.Columns = append(proj.Columns, c)
				} else {
					proj.Columns = append(proj.Columns, constVec(name, types.NullOf(types.Dynamic), types.Dynamic, out.Rows()))
				}
			}
		} else {
			pack := newVec("pack_", types.Dynamic, out.Rows())
			for row := 0; row < out.Rows(); row++ {
				b := types.NewBag()
				for _, c := range out.Columns {
					v := c.Value(row)
					if v.IsNull() || (v.Type == types.String && v.S == "") {
						continue
					}
					b.Set(c.Name, functions.ToDyn(v))
				}
				pack.Dyns[row] = b
			}
			proj = &table.Table{Columns: []*table.Column{pack}}
		}
		parts = append(parts, proj)
		srcNames = append(srcNames, names[i])
	}
	return unionWithSource(srcCol, srcNames, parts), nil
}

// externalData reads local files: CSV (columns by position) or JSON lines
// (columns by name); URIs are paths or file:// URLs.
func (r *runner) externalData(o *ast.ExternalDataOp) (*table.Table, error) {
	sch := make(types.Schema, len(o.Columns))
	for i, c := range o.Columns {
		sch[i] = types.Column{Name: c.Name.Name, Type: storeType(c.Type.Type)}
	}
	format := ""
	skipFirst := false
	for _, w := range append(append([]*ast.NamedExpr(nil), o.With...), o.Params...) {
		if len(w.Names) != 1 {
			continue
		}
		ce, err := r.compiler(nil).compile(w.Value)
		if err != nil {
			if id, ok := w.Value.(*ast.Ident); ok {
				ce = constExpr(types.NewString(id.Name))
			} else {
				return nil, err
			}
		}
		switch strings.ToLower(w.Names[0].Name) {
		case "format":
			format = strings.ToLower(functions.ToString(ce.val))
		case "ignorefirstrecord":
			skipFirst = ce.val.Bool() || strings.EqualFold(functions.ToString(ce.val), "true")
		}
	}
	t := table.New("", sch)
	for _, u := range o.URIs {
		ce, err := r.compiler(nil).compile(u)
		if err != nil {
			return nil, err
		}
		if !ce.isConst || ce.typ != types.String {
			return nil, r.errorf(u.Pos(), "externaldata needs constant string URIs")
		}
		p := ce.val.S
		if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
			// the engine stays offline: fetching would leak the query's intent
			return nil, r.errorf(u.Pos(), "not supported: externaldata over http needs network access; download %s and use a local file path", p)
		}
		p = strings.TrimPrefix(p, "file://")
		f := format
		if f == "" {
			switch strings.ToLower(path.Ext(strings.TrimSuffix(p, ".gz"))) {
			case ".json", ".jsonl", ".multijson":
				f = "json"
			case ".tsv":
				f = "tsv"
			case ".txt":
				f = "txt"
			default:
				f = "csv"
			}
		}
		if err := r.readExternal(u.Pos(), p, f, skipFirst, t); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (r *runner) readExternal(pos token.Pos, p, format string, skipFirst bool, t *table.Table) error {
	fh, err := os.Open(p)
	if err != nil {
		return r.errorf(pos, "externaldata: %v", err)
	}
	defer fh.Close()
	switch format {
	case "csv", "tsv", "scsv", "psv":
		cr := csv.NewReader(fh)
		cr.FieldsPerRecord = -1
		switch format {
		case "tsv":
			cr.Comma = '\t'
		case "scsv":
			cr.Comma = ';'
		case "psv":
			cr.Comma = '|'
		}
		first := true
		for line := 1; ; line++ {
			rec, err := cr.Read()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return r.errorf(pos, "externaldata %s: %v", p, err)
			}
			if first && skipFirst {
				first = false
				continue
			}
			first = false
			for j, c := range t.Columns {
				if j < len(rec) {
					c.Append(parseScalar(rec[j], c.Type))
				} else {
					c.AppendNull()
				}
			}
		}
	case "json", "multijson":
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for line := 1; sc.Scan(); line++ {
			text := strings.TrimSpace(sc.Text())
			if text == "" {
				continue
			}
			d, err := types.ParseJSON(text)
			if err != nil {
				return r.errorf(pos, "externaldata %s:%d: invalid JSON: %v", p, line, err)
			}
			bag, ok := d.(*types.Bag)
			if !ok {
				return r.errorf(pos, "externaldata %s:%d: each line must be a JSON object", p, line)
			}
			for _, c := range t.Columns {
				v, _ := bag.Get(c.Name)
				c.Append(fromDyn(v, c.Type))
			}
		}
		return sc.Err()
	case "txt", "raw":
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			for j, c := range t.Columns {
				if j == 0 {
					c.Append(types.NewString(sc.Text()))
				} else {
					c.AppendNull()
				}
			}
		}
		return sc.Err()
	}
	return r.unsupported(pos, "externaldata format "+format)
}

// runPlugin runs the plugins hunting queries use: bag_unpack, pivot,
// narrow, ipv4_lookup, basket, diffpatterns and rolling_percentile.
func (r *runner) runPlugin(o *ast.EvaluateOp, in *table.Table) (*table.Table, error) {
	if o.Call == nil {
		return nil, r.errorf(o.Pos(), "evaluate needs a plugin call")
	}
	name := callName(o.Call)
	switch name {
	case "bag_unpack", "pivot", "narrow", "ipv4_lookup", "basket", "diffpatterns", "rolling_percentile":
		if in == nil {
			return nil, r.errorf(o.Pos(), "%s needs an input table", name)
		}
	}
	switch name {
	case "bag_unpack":
		return r.bagUnpack(o.Call, in)
	case "pivot":
		return r.pivot(o.Call, in)
	case "narrow":
		return r.narrow(in)
	case "ipv4_lookup":
		return r.ipv4Lookup(o, in)
	case "basket":
		return r.basket(o.Call, in)
	case "diffpatterns":
		return r.diffpatterns(o.Call, in)
	case "rolling_percentile":
		return r.rollingPercentile(o.Call, in)
	}
	return nil, r.unsupported(o.Call.Pos(), "evaluate plugin "+name)
}

// bagUnpack turns the properties of a dynamic bag column into columns
// (dynamic, in order of first appearance), replacing the bag column.
func (r *runner) bagUnpack(call *ast.CallExpr, in *table.Table) (*table.Table, error) {
	if len(call.Args) < 1 {
		return nil, r.errorf(call.Pos(), "bag_unpack() expects a column")
	}
	id, ok := call.Args[0].(*ast.Ident)
	if !ok {
		return nil, r.errorf(call.Args[0].Pos(), "bag_unpack() expects a column name")
	}
	ci := tableIndex(in, id.Name)
	if ci < 0 {
		return nil, r.errorf(id.Pos(), "unknown column '%s'", id.Name)
	}
	prefix := ""
	if len(call.Args) > 1 {
		ce, err := r.compiler(nil).compile(call.Args[1])
		if err != nil {
			return nil, err
		}
		prefix = functions.ToString(ce.val)
	}
	src := in.Columns[ci]
	var keys []string
	seen := map[string]bool{}
	for i := 0; i < src.Len(); i++ {
		if b, ok := src.Dyns[i].(*types.Bag); ok {
			for _, k := range b.Keys {
				if !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
		}
	}
	out := &table.Table{Name: in.Name}
	used := map[string]bool{}
	for j, c := range in.Columns {
		if j != ci {
			out.Columns = append(out.Columns, c)
			used[c.Name] = true
		}
	}
	for _, k := range keys {
		col := newVec(prefix+k, types.Dynamic, src.Len())
		if used[col.Name] {
			return nil, r.errorf(call.Pos(), "bag_unpack: column '%s' already exists", col.Name)
		}
		for i := 0; i < src.Len(); i++ {
			if b, ok := src.Dyns[i].(*types.Bag); ok {
				col.Dyns[i], _ = b.Get(k)
			}
		}
		out.Columns = append(out.Columns, col)
	}
	return out, nil
}
