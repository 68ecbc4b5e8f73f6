package exec

import (
	"net/netip"
	"sort"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// evaluate plugins beyond bag_unpack (pivot, narrow, ipv4_lookup) and the
// Defender FileProfile() enrichment that hunting queries invoke.

// pivot is evaluate pivot(PivotColumn [, agg(x)] [, Col1, ...]): one output
// row per distinct (Col1, ...) and one column per distinct PivotColumn value
// (in order of first appearance), holding agg (count() by default) over the
// rows of that cell; an empty cell holds the aggregate of no rows (0 for
// count).
func (r *runner) pivot(call *ast.CallExpr, in *table.Table) (*table.Table, error) {
	if len(call.Args) < 1 {
		return nil, r.errorf(call.Pos(), "pivot() expects a pivot column")
	}
	pid, ok := call.Args[0].(*ast.Ident)
	if !ok || tableIndex(in, pid.Name) < 0 {
		return nil, r.errorf(call.Args[0].Pos(), "pivot(): the first argument must be a column of the input")
	}
	var agg ast.Expr = &ast.CallExpr{Fun: &ast.Ident{NamePos: call.Pos(), Name: "count"}, Lparen: call.Pos(), Rparen: call.Pos()}
	rest := call.Args[1:]
	if len(rest) > 0 {
		if c, ok := rest[0].(*ast.CallExpr); ok && isAggName(callName(c)) {
			agg, rest = c, rest[1:]
		}
	}
	var keys []ast.Expr
	used := map[string]bool{pid.Name: true}
	for _, a := range rest {
		id, ok := a.(*ast.Ident)
		if !ok || tableIndex(in, id.Name) < 0 {
			return nil, r.errorf(a.Pos(), "pivot(): expected a column of the input")
		}
		keys = append(keys, id)
	}
	if len(rest) == 0 {
		// the default keys: every column but the pivoted and aggregated ones
		ast.Inspect(agg, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				used[id.Name] = true
			}
			return true
		})
		for _, c := range in.Columns {
			if !used[c.Name] {
				keys = append(keys, &ast.Ident{NamePos: call.Pos(), Name: c.Name})
			}
		}
	}
	const cellName = "\x00pivot"
	by := append(append([]ast.Expr(nil), keys...), pid)
	sum, err := r.summarize(&ast.SummarizeOp{By: by, Aggs: []ast.Expr{
		&ast.NamedExpr{Names: []*ast.Ident{{NamePos: call.Pos(), Name: cellName}}, Value: agg},
	}}, in)
	if err != nil {
		return nil, err
	}
	// the value of agg over no rows fills the empty cells
	empty, err := r.summarize(&ast.SummarizeOp{Aggs: []ast.Expr{agg}}, sliceTable(in, 0, 0))
	if err != nil {
		return nil, err
	}
	nk := len(keys)
	pcol := sum.Columns[nk]
	vcol := sum.Columns[nk+1]
	keyTab := &table.Table{Columns: sum.Columns[:nk]}
	g := newGrouper(keyTab.Columns)
	rowGroup := make([]int32, sum.Rows())
	var firsts []int
	for i := range rowGroup {
		id, isNew := g.group(i)
		rowGroup[i] = id
		if isNew {
			firsts = append(firsts, i)
		}
	}
	// pivot columns by first appearance of their value
	var names []string
	colOf := map[string]int{}
	cellCol := make([]int, sum.Rows())
	for i := range cellCol {
		name := functions.ToString(pcol.Value(i))
		j, ok := colOf[name]
		if !ok {
			j = len(names)
			colOf[name] = j
			names = append(names, name)
		}
		cellCol[i] = j
	}
	out := gatherTable(keyTab, firsts)
	out.Name = in.Name
	taken := map[string]bool{}
	for _, c := range out.Columns {
		taken[c.Name] = true
	}
	fill := empty.Columns[0].Value(0)
	cols := make([]*table.Column, len(names))
	for j, name := range names {
		cols[j] = constVec(uniqueName(name, taken), fill, vcol.Type, len(firsts))
		taken[cols[j].Name] = true
	}
	for i := range rowGroup {
		setVal(cols[cellCol[i]], int(rowGroup[i]), vcol.Value(i))
	}
	out.Columns = append(out.Columns, cols...)
	return out, nil
}

// narrow is evaluate narrow(): each row becomes one row per column, as
// (Row, Column, Value) with the value as a string.
func (r *runner) narrow(in *table.Table) (*table.Table, error) {
	n := in.Rows() * len(in.Columns)
	if int64(n)*64 > r.sess.opts.MemoryBudget {
		return nil, r.errorf(0, "narrow() exceeds the memory budget of %d bytes", r.sess.opts.MemoryBudget)
	}
	row := newVec("Row", types.Int, n)
	col := newVec("Column", types.String, n)
	val := newVec("Value", types.String, n)
	k := 0
	for i := 0; i < in.Rows(); i++ {
		for _, c := range in.Columns {
			row.Ints[k] = int64(i)
			col.Strs[k] = c.Name
			val.Strs[k] = functions.ToString(c.Value(i))
			k++
		}
	}
	return &table.Table{Name: in.Name, Columns: []*table.Column{row, col, val}}, nil
}

// ipv4Range is one lookup-table row's address range.
type ipv4Range struct {
	lo, hi uint32
	row    int
}

// parseIPv4Range reads "a.b.c.d" or "a.b.c.d/n".
func parseIPv4Range(s string) (lo, hi uint32, ok bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil || !p.Addr().Is4() {
			return 0, 0, false
		}
		p = p.Masked()
		b := p.Addr().As4()
		lo = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		return lo, lo | uint32(uint64(1)<<(32-p.Bits())-1), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return 0, 0, false
	}
	b := a.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	return v, v, true
}

// ipv4Lookup is evaluate ipv4_lookup(LookupTable, SourceKey, LookupKey
// [, ExtraKey...] [, return_unmatched]): the rows whose source address falls
// in a lookup row's address or CIDR range (and whose extra keys are equal),
// with the lookup table's columns appended as the lookup operator does; with
// return_unmatched = true unmatched rows stay with nulls.
func (r *runner) ipv4Lookup(o *ast.EvaluateOp, in *table.Table) (*table.Table, error) {
	call := o.Call
	args := call.Args
	unmatched := false
	var plain []ast.Expr
	for _, a := range args {
		if ne, ok := a.(*ast.NamedExpr); ok && len(ne.Names) == 1 && strings.EqualFold(ne.Names[0].Name, "return_unmatched") {
			ce, err := r.compiler(nil).compile(ne.Value)
			if err != nil {
				return nil, err
			}
			unmatched = ce.isConst && ce.val.Bool()
			continue
		}
		plain = append(plain, a)
	}
	if len(plain) < 3 {
		return nil, r.errorf(call.Pos(), "ipv4_lookup() expects LookupTable, SourceIPv4Key and IPv4LookupKey")
	}
	if len(plain) > 3 {
		// a trailing constant bool is return_unmatched
		if ce, err := r.compiler(nil).compile(plain[len(plain)-1]); err == nil && ce.isConst && ce.typ == types.Bool {
			unmatched = ce.val.Bool()
			plain = plain[:len(plain)-1]
		}
	}
	lookup, err := r.evalTab(plain[0])
	if err != nil {
		return nil, err
	}
	colArg := func(e ast.Expr, t *table.Table, side string) (int, error) {
		id, ok := e.(*ast.Ident)
		if !ok {
			return -1, r.errorf(e.Pos(), "ipv4_lookup(): expected a column name of the %s table", side)
		}
		i := tableIndex(t, id.Name)
		if i < 0 {
			return -1, r.errorf(e.Pos(), "ipv4_lookup(): unknown column '%s' in the %s table", id.Name, side)
		}
		return i, nil
	}
	src, err := colArg(plain[1], in, "source")
	if err != nil {
		return nil, err
	}
	key, err := colArg(plain[2], lookup, "lookup")
	if err != nil {
		return nil, err
	}
	var extraL, extraR []int
	for _, e := range plain[3:] {
		li, err := colArg(e, in, "source")
		if err != nil {
			return nil, err
		}
		ri, err := colArg(e, lookup, "lookup")
		if err != nil {
			return nil, err
		}
		extraL, extraR = append(extraL, li), append(extraR, ri)
	}
	// ranges grouped by prefix length so that each source address probes at
	// most 33 maps instead of every lookup row
	byBits := map[int]map[uint32][]int{}
	var odd []ipv4Range // ranges that are not a CIDR block (never, as parsed; kept for safety)
	for j := 0; j < lookup.Rows(); j++ {
		lo, hi, ok := parseIPv4Range(functions.ToString(lookup.Columns[key].Value(j)))
		if !ok {
			continue
		}
		span := uint64(hi) - uint64(lo) + 1
		bits := 32
		for span > 1 && span%2 == 0 {
			span /= 2
			bits--
		}
		if span != 1 {
			odd = append(odd, ipv4Range{lo, hi, j})
			continue
		}
		m := byBits[bits]
		if m == nil {
			m = map[uint32][]int{}
			byBits[bits] = m
		}
		m[lo] = append(m[lo], j)
	}
	lens := make([]int, 0, len(byBits))
	for b := range byBits {
		lens = append(lens, b)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(lens))) // most specific first
	var li, ri []int
	for i := 0; i < in.Rows(); i++ {
		if i%chunkRows == 0 {
			if err := r.ctx.Err(); err != nil {
				return nil, err
			}
		}
		ip, _, ok := parseIPv4Range(functions.ToString(in.Columns[src].Value(i)))
		found := false
		if ok {
			match := func(j int) {
				for k := range extraL {
					if !equalValues(in.Columns[extraL[k]].Value(i), lookup.Columns[extraR[k]].Value(j)) {
						return
					}
				}
				li, ri = append(li, i), append(ri, j)
				found = true
			}
			for _, b := range lens {
				mask := uint32(0)
				if b > 0 {
					mask = ^uint32(0) << (32 - b)
				}
				for _, j := range byBits[b][ip&mask] {
					match(j)
				}
			}
			for _, rg := range odd {
				if ip >= rg.lo && ip <= rg.hi {
					match(rg.row)
				}
			}
		}
		if !found && unmatched {
			li, ri = append(li, i), append(ri, -1)
		}
	}
	out := gatherTable(in, li)
	skip := map[int]bool{}
	for _, j := range extraR {
		skip[j] = true
	}
	used := map[string]bool{}
	for _, c := range out.Columns {
		used[c.Name] = true
	}
	for j, c := range lookup.Columns {
		if skip[j] {
			continue
		}
		g := gather(c, ri)
		g.Name = uniqueName(c.Name, used)
		used[g.Name] = true
		out.Columns = append(out.Columns, g)
	}
	return out, nil
}

// fileProfileColumns are the columns Defender's FileProfile() adds.
var fileProfileColumns = types.Schema{
	{Name: "SHA1", Type: types.String}, {Name: "SHA256", Type: types.String}, {Name: "MD5", Type: types.String},
	{Name: "FileSize", Type: types.Long}, {Name: "GlobalPrevalence", Type: types.Long},
	{Name: "GlobalFirstSeen", Type: types.DateTime}, {Name: "GlobalLastSeen", Type: types.DateTime},
	{Name: "Signer", Type: types.String}, {Name: "Issuer", Type: types.String}, {Name: "SignerHash", Type: types.String},
	{Name: "IsCertificateValid", Type: types.Bool}, {Name: "IsRootSignerMicrosoft", Type: types.Bool},
	{Name: "SignatureState", Type: types.String}, {Name: "IsExecutable", Type: types.Bool},
	{Name: "ThreatName", Type: types.String}, {Name: "Publisher", Type: types.String},
	{Name: "SoftwareName", Type: types.String}, {Name: "ProfileAvailability", Type: types.String},
}

// fileProfile is invoke FileProfile([IdColumn [, MaxRecords]]), Defender's
// file enrichment. Offline there is no Microsoft file intelligence to ask,
// so the profile columns are added empty (nulls) with ProfileAvailability
// "Error" (the documented value for a profile that could not be queried);
// the hash column the id names is filled from it when the input lacks it.
func (r *runner) fileProfile(call *ast.CallExpr, in *table.Table) (*table.Table, error) {
	idName := "SHA1"
	if len(call.Args) > 2 {
		return nil, r.errorf(call.Pos(), "FileProfile() expects at most 2 arguments (file id column, record limit), got %d", len(call.Args))
	}
	if len(call.Args) > 0 {
		switch x := call.Args[0].(type) {
		case *ast.Ident:
			idName = x.Name
		default:
			ce, err := r.compiler(nil).compile(x)
			if err != nil || !ce.isConst || ce.typ != types.String {
				return nil, r.errorf(x.Pos(), "FileProfile(): the first argument names the file id column (SHA1, SHA256, InitiatingProcessSHA1 or InitiatingProcessSHA256)")
			}
			idName = ce.val.S
		}
	}
	switch idName {
	case "SHA1", "SHA256", "InitiatingProcessSHA1", "InitiatingProcessSHA256":
	default:
		return nil, r.errorf(call.Args[0].Pos(), "FileProfile(): file id column must be SHA1, SHA256, InitiatingProcessSHA1 or InitiatingProcessSHA256, got '%s'", idName)
	}
	if len(call.Args) == 2 {
		ce, err := r.compiler(in.Schema()).compile(call.Args[1])
		if err != nil {
			return nil, err
		}
		if !ce.isConst || !ce.typ.IsInteger() {
			return nil, r.errorf(call.Args[1].Pos(), "FileProfile(): the record limit must be a constant integer")
		}
	}
	id := tableIndex(in, idName)
	if id < 0 {
		return nil, r.errorf(call.Pos(), "FileProfile(): the input has no column '%s'", idName)
	}
	hashCol := strings.TrimPrefix(idName, "InitiatingProcess")
	n := in.Rows()
	out := &table.Table{Name: in.Name, Columns: append([]*table.Column(nil), in.Columns...)}
	for _, c := range fileProfileColumns {
		if tableIndex(in, c.Name) >= 0 {
			continue
		}
		switch {
		case c.Name == hashCol:
			out.Columns = append(out.Columns, renamed(castCol(in.Columns[id], types.String), c.Name))
		case c.Name == "ProfileAvailability":
			out.Columns = append(out.Columns, constVec(c.Name, types.NewString("Error"), types.String, n))
		default:
			out.Columns = append(out.Columns, constVec(c.Name, types.NullOf(c.Type), c.Type, n))
		}
	}
	return out, nil
}

// multiOutput recognises an extend/project item that assigns a function
// with several outputs ((a, b, c) = series_decompose_anomalies(y), or the
// call alone): the call, the names given (possibly fewer than the outputs)
// and the outputs.
func multiOutput(it ast.Expr) (*ast.CallExpr, []string, []types.Column, bool) {
	e := it
	var names []string
	if ne, ok := it.(*ast.NamedExpr); ok {
		for _, n := range ne.Names {
			names = append(names, n.Name)
		}
		e = ne.Value
	}
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			break
		}
		e = p.X
	}
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return nil, nil, nil, false
	}
	outs, ok := scalarOutputs(callName(call))
	if !ok || len(names) == 1 {
		return nil, nil, nil, false
	}
	return call, names, outs, true
}

// multiColumns evaluates a several-output call over in and splits its
// per-row array into one typed column per output. Unnamed outputs are
// named <function>_<argument>_<output>, as Kusto names them.
func (r *runner) multiColumns(pos token.Pos, call *ast.CallExpr, names []string, outs []types.Column, in *table.Table) ([]*table.Column, error) {
	if len(names) > len(outs) {
		return nil, r.errorf(pos, "%d names given for the %d outputs of %s()", len(names), len(outs), callName(call))
	}
	ce, err := r.compiler(in.Schema()).compile(call)
	if err != nil {
		return nil, err
	}
	cols, err := r.evalCols(in, []*cexpr{ce})
	if err != nil {
		return nil, err
	}
	arr := cols[0]
	prefix := callName(call)
	if len(call.Args) > 0 {
		if a := resultName(call.Args[0]); a != "" {
			prefix += "_" + a
		}
	}
	n := in.Rows()
	res := make([]*table.Column, len(outs))
	for j, o := range outs {
		name := prefix + "_" + o.Name
		if j < len(names) {
			name = names[j]
		}
		c := newVec(name, o.Type, n)
		for i := 0; i < n; i++ {
			v := arr.Value(i)
			elems, ok := v.D.([]any)
			if !ok || j >= len(elems) {
				setNull(c, i)
				continue
			}
			setVal(c, i, castDyn(elems[j], c.Type))
		}
		res[j] = c
	}
	return res, nil
}

// scalarOutputs is the output list of a several-output scalar function.
func scalarOutputs(name string) ([]types.Column, bool) { return functions.ScalarOutputs(name) }

// partition is T | partition by Col (subquery): the subquery runs once per
// distinct value of Col over that value's rows (in order of first
// appearance) and the results are concatenated.
func (r *runner) partition(o *ast.PartitionOp, in *table.Table) (*table.Table, error) {
	id, ok := o.By.(*ast.Ident)
	if !ok {
		return nil, r.errorf(o.Pos(), "partition needs 'by' and a column")
	}
	ci := tableIndex(in, id.Name)
	if ci < 0 {
		return nil, r.errorf(id.Pos(), "unknown column '%s'", id.Name)
	}
	if _, ok := o.Query.(*ast.Block); ok {
		return nil, r.unsupported(o.Query.Pos(), "partition with a { } subquery; use ( ) with an implicit input")
	}
	g := newGrouper([]*table.Column{in.Columns[ci]})
	var rows [][]int
	for i := 0; i < in.Rows(); i++ {
		id, isNew := g.group(i)
		if isNew {
			rows = append(rows, nil)
		}
		rows[id] = append(rows[id], i)
	}
	if len(rows) > 64<<10 {
		return nil, r.errorf(o.Pos(), "partition by '%s' makes %d partitions; Kusto allows at most 64K", id.Name, len(rows))
	}
	var parts []*table.Table
	for _, idx := range rows {
		if err := r.ctx.Err(); err != nil {
			return nil, err
		}
		part := gatherTable(in, idx)
		t, err := r.withImplicit(part, func() (*table.Table, error) { return r.evalTab(o.Query) })
		if err != nil {
			return nil, err
		}
		parts = append(parts, t)
	}
	if len(parts) == 0 {
		// the schema of the subquery over no rows
		return r.withImplicit(sliceTable(in, 0, 0), func() (*table.Table, error) { return r.evalTab(o.Query) })
	}
	return concatTables(parts), nil
}

// multiResult runs a statement that ends in fork or facet, which yield
// several tables: the pipe before it is evaluated once and each branch (or
// facet column) makes one Result.
func (r *runner) multiResult(p *ast.Pipe) ([]*Result, error) {
	last := p.Ops[len(p.Ops)-1]
	in, err := r.evalTab(&ast.Pipe{Source: p.Source, Ops: p.Ops[:len(p.Ops)-1]})
	if err != nil {
		return nil, err
	}
	var out []*Result
	run := func(name string, q ast.Expr) error {
		r.render, r.asName = nil, ""
		t, err := r.withImplicit(in, func() (*table.Table, error) { return r.evalTab(q) })
		if err != nil {
			return err
		}
		if r.asName != "" {
			name = r.asName
		}
		out = append(out, &Result{Table: t, Name: name, Render: r.render})
		return nil
	}
	switch o := last.(type) {
	case *ast.ForkOp:
		for _, b := range o.Branches {
			name, q := "", b
			if ne, ok := b.(*ast.NamedExpr); ok && len(ne.Names) == 1 {
				name, q = ne.Names[0].Name, ne.Value
			}
			if err := run(name, q); err != nil {
				return nil, err
			}
		}
	case *ast.FacetOp:
		if o.With != nil {
			if err := run("", o.With); err != nil {
				return nil, err
			}
		}
		for _, b := range o.By {
			id, ok := b.(*ast.Ident)
			if !ok || tableIndex(in, id.Name) < 0 {
				return nil, r.errorf(b.Pos(), "facet by expects columns of the input")
			}
			count := &ast.CallExpr{Fun: &ast.Ident{NamePos: id.Pos(), Name: "count"}, Lparen: id.Pos(), Rparen: id.Pos()}
			t, err := r.summarize(&ast.SummarizeOp{By: []ast.Expr{id}, Aggs: []ast.Expr{
				&ast.NamedExpr{Names: []*ast.Ident{{NamePos: id.Pos(), Name: "count_" + id.Name}}, Value: count},
			}}, in)
			if err != nil {
				return nil, err
			}
			out = append(out, &Result{Table: t})
		}
	}
	return out, nil
}

// endsInMulti tells whether e is a pipe ending in fork or facet.
func endsInMulti(e ast.Expr) (*ast.Pipe, bool) {
	p, ok := e.(*ast.Pipe)
	if !ok || len(p.Ops) == 0 {
		return nil, false
	}
	switch p.Ops[len(p.Ops)-1].(type) {
	case *ast.ForkOp, *ast.FacetOp:
		return p, true
	}
	return nil, false
}

// evaluate runs a plugin and, when the query declares its output schema
// (evaluate plugin(...) : (A:t, ...)), conforms the result to it.
func (r *runner) evaluate(o *ast.EvaluateOp, in *table.Table) (*table.Table, error) {
	out, err := r.runPlugin(o, in)
	if err != nil || o.Schema == nil {
		return out, err
	}
	return r.conformSchema(o.Schema, in, out)
}

// conformSchema shapes a plugin's output to the declared schema, as Kusto
// does: exactly the declared columns in the declared order and types;
// a column the data did not produce (a pivot value that never occurs) is
// all nulls, values of another type convert as the to*() functions do, and
// columns not declared are dropped. A leading * keeps, in front, the input
// columns the plugin passed through.
func (r *runner) conformSchema(s *ast.TypeExpr, in, out *table.Table) (*table.Table, error) {
	if !s.Tabular {
		return nil, r.errorf(s.Pos(), "evaluate: the output schema must be a column list, as in : (Name:string, Count:long)")
	}
	hinted := make(map[string]bool, len(s.Columns))
	for _, c := range s.Columns {
		if hinted[c.Name.Name] {
			return nil, r.errorf(c.Name.Pos(), "evaluate: column '%s' appears twice in the output schema", c.Name.Name)
		}
		hinted[c.Name.Name] = true
	}
	rows := out.Rows()
	res := &table.Table{Name: out.Name}
	if s.Star && in != nil {
		for _, c := range out.Columns {
			if !hinted[c.Name] && tableIndex(in, c.Name) >= 0 {
				res.Columns = append(res.Columns, c)
			}
		}
	}
	for _, h := range s.Columns {
		name, t := h.Name.Name, h.Type.Type
		src := out.Column(name)
		switch {
		case src != nil && src.Type == t:
			res.Columns = append(res.Columns, src)
		case src != nil:
			col := table.NewColumn(name, t, rows)
			for i := 0; i < rows; i++ {
				col.Append(functions.Convert(src.Value(i), t))
			}
			res.Columns = append(res.Columns, col)
		default:
			col := table.NewColumn(name, t, rows)
			for i := 0; i < rows; i++ {
				col.AppendNull()
			}
			res.Columns = append(res.Columns, col)
		}
	}
	return res, nil
}
