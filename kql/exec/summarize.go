package exec

import (
	"fmt"
	"strings"
	"sync"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// aggState holds one aggregate's per-group state for the groups of one
// chunk (or, after merging, of the whole input).
type aggState interface {
	// update folds rows lo..lo+len(gids) (gids[i] is row lo+i's group).
	update(args []*table.Column, gids []int32, lo int)
	// results returns one column per output for groups 0..n-1.
	results(n int) []*table.Column
}

// aggSpec is one compiled aggregate of a summarize.
type aggSpec struct {
	name    string
	args    []*cexpr
	outputs []types.Column
	newSt   func() aggState
	rowRef  bool // results are row indexes to gather from the input (arg_max, take_any)
	gather  []int
}

// aggCall is an aggregate call found in a summarize item, with the
// argument list as written.
type aggCall struct {
	call  *ast.CallExpr
	names []string // explicit output names ((a, b) = arg_max(...) or a = count())
}

func (r *runner) summarize(o *ast.SummarizeOp, in *table.Table) (*table.Table, error) {
	c := r.compiler(in.Schema())
	// by keys
	var keyExprs []*cexpr
	var keyNames []string
	nm := newNamer(nil)
	for _, b := range o.By {
		name, e := itemName(b)
		ce, err := c.compile(e)
		if err != nil {
			return nil, err
		}
		if name == "" {
			name = nm.column()
		}
		keyExprs = append(keyExprs, ce)
		keyNames = append(keyNames, name)
	}
	used := map[string]bool{}
	for i, n := range keyNames {
		if used[n] {
			return nil, r.errorf(o.By[i].Pos(), "duplicate column name '%s' in summarize by", n)
		}
		used[n] = true
	}
	byCols := map[int]bool{}
	for _, k := range keyExprs {
		if k.col >= 0 {
			byCols[k.col] = true
		}
	}
	// aggregates: items that are a bare aggregate call become specs
	// directly; expressions over aggregates are computed afterwards from
	// hidden aggregate columns.
	var specs []*aggSpec
	type post struct {
		name string
		expr ast.Expr
		refs map[*ast.CallExpr]int
	}
	var posts []post
	var order []any // *aggSpec or int (index into posts), in item order
	hidden := 0
	for _, it := range o.Aggs {
		var names []string
		e := it
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
		if call, ok := e.(*ast.CallExpr); ok && isAggName(callName(call)) && (r.sc().lookup(callName(call)) == nil) {
			spec, err := r.aggSpec(c, call, names, in, byCols)
			if err != nil {
				return nil, err
			}
			specs = append(specs, spec)
			order = append(order, spec)
			continue
		}
		// an expression over aggregates
		refs := map[*ast.CallExpr]int{}
		var ferr error
		ast.Inspect(e, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || ferr != nil {
				return ferr == nil
			}
			if isAggName(callName(call)) {
				spec, err := r.aggSpec(c, call, []string{fmt.Sprintf("__agg%d", hidden)}, in, byCols)
				if err != nil {
					ferr = err
					return false
				}
				if len(spec.outputs) != 1 {
					ferr = r.errorf(call.Pos(), "%s() with several outputs cannot be used inside an expression", callName(call))
					return false
				}
				hidden++
				spec.name = ""
				refs[call] = len(specs)
				specs = append(specs, spec)
				return false
			}
			return true
		})
		if ferr != nil {
			return nil, ferr
		}
		if len(refs) == 0 {
			return nil, r.errorf(e.Pos(), "summarize expects an aggregate function such as count() or sum(x)")
		}
		name := ""
		if len(names) == 1 {
			name = names[0]
		}
		if name == "" {
			name = resultName(e)
		}
		order = append(order, len(posts))
		posts = append(posts, post{name: name, expr: e, refs: refs})
	}

	keyCols, err := r.evalCols(in, keyExprs)
	if err != nil {
		return nil, err
	}
	for i, k := range keyCols {
		k.Name = keyNames[i]
	}
	ngroups, firsts, states, err := r.aggregate(in, keyCols, specs, len(o.By) == 0)
	if err != nil {
		return nil, err
	}
	out := &table.Table{Name: in.Name}
	for _, k := range keyCols {
		col := gather(k, firsts)
		col.Name = k.Name
		out.Columns = append(out.Columns, col)
	}
	specCols := make([][]*table.Column, len(specs))
	for i, s := range specs {
		specCols[i] = s.results(states[i], ngroups, in)
	}
	// name the outputs in item order, making clashes unique (count_1)
	for _, k := range keyNames {
		used[k] = true
	}
	nmAgg := newNamer(keyNames)
	postTable := &table.Table{Columns: append([]*table.Column(nil), out.Columns...)}
	for i, s := range specs {
		if s.name == "" {
			for _, col := range specCols[i] {
				col.Name = fmt.Sprintf("\x00agg%d", i) // hidden: no query can name it
				postTable.Columns = append(postTable.Columns, col)
			}
		}
	}
	for _, it := range order {
		switch x := it.(type) {
		case *aggSpec:
			i := indexOfSpec(specs, x)
			for j, col := range specCols[i] {
				name := x.outputs[j].Name
				if name == "" {
					name = nmAgg.column()
				}
				name = uniqueName(name, used)
				used[name] = true
				col.Name = name
				out.Columns = append(out.Columns, col)
			}
		case int:
			p := posts[x]
			pc := r.compiler(postTable.Schema())
			pc.aggRefs = map[*ast.CallExpr]int{}
			for call, si := range p.refs {
				pc.aggRefs[call] = tableIndexCol(postTable, specCols[si][0])
			}
			ce, err := pc.compile(p.expr)
			if err != nil {
				return nil, err
			}
			cols, err := r.evalCols(postTable, []*cexpr{ce})
			if err != nil {
				return nil, err
			}
			name := p.name
			if name == "" {
				name = nmAgg.column()
			}
			name = uniqueName(name, used)
			used[name] = true
			cols[0].Name = name
			out.Columns = append(out.Columns, cols[0])
		}
	}
	return out, nil
}

func indexOfSpec(specs []*aggSpec, s *aggSpec) int {
	for i, x := range specs {
		if x == s {
			return i
		}
	}
	return -1
}

func tableIndexCol(t *table.Table, c *table.Column) int {
	for i, x := range t.Columns {
		if x == c {
			return i
		}
	}
	return -1
}

// aggregate groups the rows of in by keyCols and folds every spec. Rows
// get global group ids first (numbered by first appearance), so each
// aggregate keeps one state that sees the rows in order and needs no
// merging; arguments are evaluated in parallel chunks and the aggregates
// fold on the session's workers, one aggregate per worker. With no keys
// and no rows it still makes the one group Kusto returns.
func (r *runner) aggregate(in *table.Table, keyCols []*table.Column, specs []*aggSpec, global bool) (int, []int, []aggState, error) {
	n := in.Rows()
	serial := false
	var args []*cexpr
	for _, s := range specs {
		for _, a := range s.args {
			serial = serial || a.serial
			args = append(args, a)
		}
	}
	gids, firsts, err := r.groupIDs(keyCols, n, serial)
	if err != nil {
		return 0, nil, nil, err
	}
	cols, err := r.evalCols(in, args)
	if err != nil {
		return 0, nil, nil, err
	}
	states := make([]aggState, len(specs))
	offs := make([]int, len(specs))
	k := 0
	for i, s := range specs {
		offs[i] = k
		k += len(s.args)
	}
	err = r.forEach(len(specs), func(si int) error {
		s := specs[si]
		st := s.newSt()
		mine := cols[offs[si] : offs[si]+len(s.args)]
		if n == 0 {
			st.update(mine, gids, 0)
		}
		part := make([]*table.Column, len(mine))
		for lo := 0; lo < n; lo += chunkRows {
			if err := r.ctx.Err(); err != nil {
				return err
			}
			hi := min(lo+chunkRows, n)
			for j, c := range mine {
				part[j] = sliceCol(c, lo, hi)
			}
			st.update(part, gids[lo:hi], lo)
		}
		states[si] = st
		return nil
	})
	if err != nil {
		return 0, nil, nil, err
	}
	if global && len(firsts) == 0 {
		return 1, []int{-1}, states, nil
	}
	return len(firsts), firsts, states, nil
}

// forEach runs f(0..n-1) on the session's workers, stopping at the first
// error.
func (r *runner) forEach(n int, f func(i int) error) error {
	workers := min(r.sess.opts.Parallelism, n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			if err := f(i); err != nil {
				return err
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	next := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := firstErr != nil
				mu.Unlock()
				if stop || i >= n {
					return
				}
				if err := f(i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// results turns a spec's state into output columns.
func (s *aggSpec) results(st aggState, n int, in *table.Table) []*table.Column {
	cols := st.results(n)
	if !s.rowRef {
		return cols
	}
	// cols[0] holds the chosen row of each group; gather the outputs
	rows := make([]int, n)
	for g := 0; g < n; g++ {
		if cols[0].IsNull(g) {
			rows[g] = -1
		} else {
			rows[g] = int(cols[0].Ints[g])
		}
	}
	out := make([]*table.Column, 0, len(s.gather))
	k := 0
	for _, src := range s.gather {
		var col *table.Column
		if src < 0 {
			col = cols[1+k]
			k++
		} else {
			col = gather(in.Columns[src], rows)
		}
		out = append(out, col)
	}
	return out
}

// aggSpec compiles one aggregate call: executor fast paths first, then
// the kql/functions registry.
func (r *runner) aggSpec(c *compiler, call *ast.CallExpr, names []string, in *table.Table, byCols map[int]bool) (*aggSpec, error) {
	name := callName(call)
	var args []*cexpr
	star := false
	for _, a := range call.Args {
		if _, ok := a.(*ast.StarExpr); ok {
			star = true
			continue
		}
		e := a
		if ne, ok := a.(*ast.NamedExpr); ok {
			e = ne.Value
		}
		ce, err := c.compile(e)
		if err != nil {
			return nil, err
		}
		args = append(args, ce)
	}
	outName := ""
	if len(names) == 1 {
		outName = names[0]
	} else if len(names) == 0 {
		outName = resultName(call)
	}
	spec := &aggSpec{name: outName, args: args}
	single := func(t types.Type, f func() aggState) (*aggSpec, error) {
		spec.outputs = []types.Column{{Name: outName, Type: t}}
		spec.newSt = f
		return spec, nil
	}
	argc := len(args)
	need := func(min, max int) error {
		if argc < min || argc > max {
			if min == max {
				return r.errorf(call.Pos(), "%s() expects %d argument(s), got %d", name, min, argc)
			}
			return r.errorf(call.Pos(), "%s() expects %d to %d arguments, got %d", name, min, max, argc)
		}
		return nil
	}
	checkBool := func(i int) error {
		if args[i].typ != types.Bool && args[i].typ != types.Dynamic && args[i].typ != types.Null {
			return r.errorf(call.Args[i].Pos(), "%s(): the predicate must be bool, got %s", name, args[i].typ)
		}
		return nil
	}
	switch name {
	case "count":
		if argc > 1 {
			return nil, need(0, 1)
		}
		if argc == 1 {
			// count(pred) is the obsolete countif; count(x) of another type
			// counts the rows where x is not null (nor an empty string)
			if t := args[0].typ; t != types.Bool && t != types.Dynamic && t != types.Null {
				return single(types.Long, func() aggState { return &countState{nonEmpty: true} })
			}
			return single(types.Long, func() aggState { return &countState{pred: true} })
		}
		return single(types.Long, func() aggState { return &countState{} })
	case "countif":
		if err := need(1, 1); err != nil {
			return nil, err
		}
		if err := checkBool(0); err != nil {
			return nil, err
		}
		return single(types.Long, func() aggState { return &countState{pred: true} })
	case "sum", "sumif":
		want := 1
		if name == "sumif" {
			want = 2
		}
		if err := need(want, want); err != nil {
			return nil, err
		}
		t := args[0].typ
		if !t.IsNumeric() && t != types.TimeSpan {
			return nil, r.errorf(call.Args[0].Pos(), "%s(): argument must be numeric or timespan, got %s", name, t)
		}
		if want == 2 {
			if err := checkBool(1); err != nil {
				return nil, err
			}
		}
		if t == types.Int {
			t = types.Long
		}
		return single(t, func() aggState { return &sumState{t: t, pred: want == 2} })
	case "avg", "avgif":
		want := 1
		if name == "avgif" {
			want = 2
		}
		if err := need(want, want); err != nil {
			return nil, err
		}
		t := args[0].typ
		if !t.IsNumeric() && t != types.TimeSpan && t != types.DateTime {
			return nil, r.errorf(call.Args[0].Pos(), "%s(): argument must be numeric, timespan or datetime, got %s", name, t)
		}
		if want == 2 {
			if err := checkBool(1); err != nil {
				return nil, err
			}
		}
		rt := t
		if t.IsInteger() {
			rt = types.Real
		}
		return single(rt, func() aggState { return &avgState{t: rt, pred: want == 2} })
	case "min", "max", "minif", "maxif":
		want := 1
		if strings.HasSuffix(name, "if") {
			want = 2
		}
		if err := need(want, want); err != nil {
			return nil, err
		}
		t := args[0].typ
		if t == types.Dynamic {
			break // registry handles dynamic ordering
		}
		if want == 2 {
			if err := checkBool(1); err != nil {
				return nil, err
			}
		}
		isMax := strings.HasPrefix(name, "max")
		return single(t, func() aggState { return &extremeState{t: t, max: isMax, pred: want == 2} })
	case "dcount", "dcountif":
		want := 1
		if name == "dcountif" {
			want = 2
		}
		if argc < want || argc > want+1 {
			return nil, need(want, want+1)
		}
		if want == 2 {
			if err := checkBool(1); err != nil {
				return nil, err
			}
		}
		spec.args = args[:want]
		return single(types.Long, func() aggState { return &dcountState{pred: want == 2} })
	case "arg_max", "arg_min":
		if argc < 1 {
			return nil, need(1, 1)
		}
		return r.argMinMaxSpec(spec, call, names, in, byCols, star, name == "arg_max")
	case "take_any", "any":
		return r.takeAnySpec(spec, call, names, in, byCols, star)
	case "make_set":
		sp, err := r.registryAgg(spec, call, names, args)
		if err != nil || args[0].typ != types.String || argc > 2 {
			return sp, err
		}
		limit := int64(1 << 20) // the registry's default maximum
		if argc == 2 {
			if !args[1].isConst || !args[1].typ.IsInteger() {
				return sp, nil
			}
			if v := args[1].val.I; v > 0 && v < limit {
				limit = v
			}
		}
		sp.newSt = func() aggState { return &makeSetStr{max: int(limit)} }
		return sp, nil
	}
	return r.registryAgg(spec, call, names, args)
}

// argMinMaxSpec builds arg_max/arg_min(x, cols...|*): the state keeps the
// row holding the extreme x; outputs are gathered from that row.
func (r *runner) argMinMaxSpec(spec *aggSpec, call *ast.CallExpr, names []string, in *table.Table, byCols map[int]bool, star, isMax bool) (*aggSpec, error) {
	prefix := "min"
	if isMax {
		prefix = "max"
	}
	primary := resultName(call.Args[0])
	var outs []types.Column
	var gatherIdx []int
	seen := map[int]bool{}
	var extra []*cexpr
	argi := 0
	for i, a := range call.Args {
		if _, ok := a.(*ast.StarExpr); ok {
			for ci, col := range in.Columns {
				if seen[ci] || byCols[ci] {
					continue
				}
				seen[ci] = true
				outs = append(outs, types.Column{Name: col.Name, Type: col.Type})
				gatherIdx = append(gatherIdx, ci)
			}
			continue
		}
		ce := spec.args[argi]
		argi++
		name := ""
		if ne, ok := a.(*ast.NamedExpr); ok && len(ne.Names) == 1 {
			name = ne.Names[0].Name
		} else {
			name = resultName(a)
		}
		if name == "" {
			if i == 0 {
				name = prefix + "_"
			} else {
				name = fmt.Sprintf("%s_%s_arg%d", prefix, primary, i)
			}
		}
		if ce.col >= 0 {
			if star && i > 0 && (seen[ce.col] || byCols[ce.col]) {
				continue
			}
			seen[ce.col] = true
			outs = append(outs, types.Column{Name: name, Type: ce.typ})
			gatherIdx = append(gatherIdx, ce.col)
			continue
		}
		outs = append(outs, types.Column{Name: name, Type: ce.typ})
		gatherIdx = append(gatherIdx, -1)
		extra = append(extra, ce)
	}
	if len(names) > 0 {
		if len(names) > len(outs) {
			return nil, r.errorf(call.Pos(), "%d names given for %d outputs of %s()", len(names), len(outs), callName(call))
		}
		for i, n := range names {
			outs[i].Name = n
		}
	}
	if k := spec.args[0].typ; k == types.Dynamic {
		return nil, r.errorf(call.Args[0].Pos(), "%s(): cannot order by a dynamic value", callName(call))
	}
	// state args: the ordered value, then the expression outputs in order
	spec.args = append([]*cexpr{spec.args[0]}, extra...)
	spec.outputs = outs
	spec.gather = gatherIdx
	spec.rowRef = true
	extraTypes := make([]types.Type, len(extra))
	for i, e := range extra {
		extraTypes[i] = e.typ
	}
	spec.newSt = func() aggState { return &argState{max: isMax, extraTypes: extraTypes} }
	return spec, nil
}

// takeAnySpec builds take_any(cols...|*): the first row of each group.
func (r *runner) takeAnySpec(spec *aggSpec, call *ast.CallExpr, names []string, in *table.Table, byCols map[int]bool, star bool) (*aggSpec, error) {
	var outs []types.Column
	var gatherIdx []int
	var extra []*cexpr
	seen := map[int]bool{}
	argi := 0
	for i, a := range call.Args {
		if _, ok := a.(*ast.StarExpr); ok {
			for ci, col := range in.Columns {
				if seen[ci] || byCols[ci] {
					continue
				}
				seen[ci] = true
				outs = append(outs, types.Column{Name: col.Name, Type: col.Type})
				gatherIdx = append(gatherIdx, ci)
			}
			continue
		}
		ce := spec.args[argi]
		argi++
		name := ""
		if ne, ok := a.(*ast.NamedExpr); ok && len(ne.Names) == 1 {
			name = ne.Names[0].Name
		} else {
			name = resultName(a)
		}
		if name == "" {
			name = fmt.Sprintf("any_arg%d", i)
		}
		if ce.col >= 0 {
			seen[ce.col] = true
			outs = append(outs, types.Column{Name: name, Type: ce.typ})
			gatherIdx = append(gatherIdx, ce.col)
			continue
		}
		outs = append(outs, types.Column{Name: name, Type: ce.typ})
		gatherIdx = append(gatherIdx, -1)
		extra = append(extra, ce)
	}
	if len(outs) == 0 {
		return nil, r.errorf(call.Pos(), "take_any() needs at least one argument")
	}
	if len(names) > 0 {
		if len(names) > len(outs) {
			return nil, r.errorf(call.Pos(), "%d names given for %d outputs of take_any()", len(names), len(outs))
		}
		for i, n := range names {
			outs[i].Name = n
		}
	}
	extraTypes := make([]types.Type, len(extra))
	for i, e := range extra {
		extraTypes[i] = e.typ
	}
	spec.args = append([]*cexpr{constExpr(types.NewBool(true))}, extra...)
	spec.outputs = outs
	spec.gather = gatherIdx
	spec.rowRef = true
	spec.newSt = func() aggState { return &argState{first: true, extraTypes: extraTypes} }
	return spec, nil
}

// registryAgg wraps a kql/functions aggregate.
func (r *runner) registryAgg(spec *aggSpec, call *ast.CallExpr, names []string, args []*cexpr) (*aggSpec, error) {
	name := callName(call)
	agg, ok := functions.LookupAggregate(name)
	if !ok {
		return nil, r.unsupported(call.Pos(), "aggregate "+name+"()")
	}
	argTypes := make([]types.Type, len(args))
	for i, a := range args {
		argTypes[i] = a.typ
	}
	rt, err := agg.Result(argTypes)
	if err != nil {
		return nil, r.errorf(call.Pos(), "%s", err.Error())
	}
	spec.outputs = []types.Column{{Name: spec.name, Type: rt}}
	if agg.Outputs != nil {
		argNames := make([]string, len(call.Args))
		consts := make([]types.Value, len(args))
		for i, a := range call.Args {
			if i < len(argNames) {
				argNames[i] = resultName(a)
			}
		}
		for i, a := range args {
			if a.isConst {
				consts[i] = a.val
			}
		}
		outs, err := agg.Outputs(argTypes, argNames, consts)
		if err != nil {
			return nil, r.errorf(call.Pos(), "%s", err.Error())
		}
		spec.outputs = outs
		if len(names) > 0 {
			for i, n := range names {
				if i < len(spec.outputs) {
					spec.outputs[i].Name = n
				}
			}
		} else if len(spec.outputs) == 1 && spec.name != "" && len(names) == 1 {
			spec.outputs[0].Name = spec.name
		}
	} else if spec.outputs[0].Name == "" && len(names) == 0 {
		argNames := make([]string, len(call.Args))
		consts := make([]types.Value, len(args))
		for i, a := range call.Args {
			argNames[i] = resultName(a)
		}
		for i, a := range args {
			if a.isConst {
				consts[i] = a.val
			}
		}
		spec.outputs[0].Name = functions.DefaultColumnName(name, argNames, consts)
	}
	outTypes := make([]types.Type, len(spec.outputs))
	for i, o := range spec.outputs {
		outTypes[i] = o.Type
	}
	spec.newSt = func() aggState {
		return &registryState{agg: agg, argTypes: argTypes, outTypes: outTypes}
	}
	return spec, nil
}
