package exec

import (
	"github.com/huntbook/huntbook/kql/functions"
	"math"
	"sort"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// makeSeries is make-series Aggs on Axis [from A] [to B] step S [by Keys]:
// one row per key combination with each aggregate as an array over the
// bins from A (inclusive) to B (exclusive); empty bins take the default (0
// unless default= says otherwise). Output columns: keys, series, axis.
func (r *runner) makeSeries(o *ast.MakeSeriesOp, in *table.Table) (*table.Table, error) {
	c := r.compiler(in.Schema())
	from, to, step := o.From, o.To, o.Step
	if o.InRange != nil {
		if len(o.InRange.Args) != 3 {
			return nil, r.errorf(o.InRange.Pos(), "in range() expects start, stop and step")
		}
		from, to, step = o.InRange.Args[0], o.InRange.Args[1], o.InRange.Args[2]
	}
	if step == nil {
		return nil, r.errorf(o.Pos(), "make-series needs a step")
	}
	axis, err := c.compile(o.On)
	if err != nil {
		return nil, err
	}
	if axis.typ != types.DateTime && !axis.typ.IsNumeric() && axis.typ != types.TimeSpan {
		return nil, r.errorf(o.On.Pos(), "make-series axis must be datetime, timespan or numeric, got %s", axis.typ)
	}
	constOf := func(e ast.Expr) (types.Value, error) {
		ce, err := c.compile(e)
		if err != nil {
			return types.Value{}, err
		}
		if !ce.isConst {
			return types.Value{}, r.errorf(e.Pos(), "make-series bounds must be constants")
		}
		return ce.val, nil
	}
	stepV, err := constOf(step)
	if err != nil {
		return nil, err
	}
	axisCols, err := r.evalCols(in, []*cexpr{axis})
	if err != nil {
		return nil, err
	}
	ax := axisCols[0]
	isFloatAxis := isFloat(axis.typ)
	num := func(v types.Value) float64 {
		if isFloat(v.Type) {
			return v.F
		}
		return float64(v.I)
	}
	st := num(stepV)
	if st <= 0 {
		return nil, r.errorf(step.Pos(), "make-series step must be positive")
	}
	var lo, hi float64
	haveLo, haveHi := false, false
	if from != nil {
		v, err := constOf(from)
		if err != nil {
			return nil, err
		}
		lo, haveLo = num(convert(v, axis.typ)), true
	}
	if to != nil {
		v, err := constOf(to)
		if err != nil {
			return nil, err
		}
		hi, haveHi = num(convert(v, axis.typ)), true
	}
	if !haveLo || !haveHi {
		var mn, mx float64
		seen := false
		for i := 0; i < ax.Len(); i++ {
			if ax.IsNull(i) {
				continue
			}
			v := num(ax.Value(i))
			if !seen || v < mn {
				mn = v
			}
			if !seen || v > mx {
				mx = v
			}
			seen = true
		}
		if !haveLo {
			if axis.typ == types.DateTime {
				lo = float64(binTicks(int64(mn), int64(st), true))
			} else {
				lo = float64(int64(mn/st)) * st
			}
		}
		if !haveHi {
			hi = mx + st
			if !seen {
				hi = lo
			}
		}
	}
	if o.InRange != nil && haveLo && haveHi {
		// The legacy in range(start, stop, step) form bins like bin():
		// bins line up on multiples of step and the stop's bin is included.
		floorTo := func(v float64) float64 {
			if axis.typ == types.DateTime {
				return float64(binTicks(int64(v), int64(st), true))
			}
			return math.Floor(v/st) * st
		}
		lo, hi = floorTo(lo), floorTo(hi)+st
	}
	nbins := 0
	if hi > lo {
		nbins = int((hi - lo + st - 1) / st)
		if isFloatAxis {
			nbins = int((hi - lo) / st)
			if lo+float64(nbins)*st < hi {
				nbins++
			}
		}
	}
	if nbins > 1_000_000 {
		return nil, r.errorf(o.Pos(), "make-series would produce %d bins; the limit is 1000000", nbins)
	}
	binOf := make([]int, in.Rows())
	for i := range binOf {
		binOf[i] = -1
		if ax.IsNull(i) {
			continue
		}
		v := num(ax.Value(i))
		if v < lo || v >= hi {
			continue
		}
		binOf[i] = int((v - lo) / st)
		if binOf[i] >= nbins {
			binOf[i] = -1
		}
	}
	// group by keys and by bin: summarize over a synthetic bin column
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
	keyCols, err := r.evalCols(in, keyExprs)
	if err != nil {
		return nil, err
	}
	binCol := newVec("\x00bin", types.Long, in.Rows())
	for i, b := range binOf {
		binCol.Ints[i] = int64(b)
	}
	var specs []*aggSpec
	var names []string
	var defaults []types.Value
	for _, a := range o.Aggs {
		call, ok := a.Agg.(*ast.CallExpr)
		if !ok || !isAggName(callName(call)) {
			return nil, r.errorf(a.Agg.Pos(), "make-series expects an aggregate function")
		}
		var nms []string
		if a.Name != nil {
			nms = []string{a.Name.Name}
		}
		spec, err := r.aggSpec(c, call, nms, in, nil)
		if err != nil {
			return nil, err
		}
		if len(spec.outputs) != 1 {
			return nil, r.errorf(call.Pos(), "make-series aggregates must have one output")
		}
		name := spec.outputs[0].Name
		if name == "" {
			name = nm.column()
		}
		def := types.NewLong(0)
		if a.Default != nil {
			if def, err = constOf(a.Default); err != nil {
				return nil, err
			}
		}
		specs = append(specs, spec)
		names = append(names, name)
		defaults = append(defaults, def)
	}
	// keep rows inside the range only
	var rows []int
	for i, b := range binOf {
		if b >= 0 {
			rows = append(rows, i)
		}
	}
	allCols := append(append([]*table.Column(nil), keyCols...), binCol)
	sub := gatherTable(&table.Table{Columns: append(append([]*table.Column(nil), in.Columns...), allCols...)}, rows)
	nIn := len(in.Columns)
	subKeys := sub.Columns[nIn : nIn+len(keyCols)]
	subBin := sub.Columns[nIn+len(keyCols)]
	subIn := &table.Table{Columns: sub.Columns[:nIn]}
	ngroups, firsts, states, err := r.aggregate(subIn, append(append([]*table.Column(nil), subKeys...), subBin), specs, false)
	if err != nil {
		return nil, err
	}
	results := make([][]*table.Column, len(specs))
	for i, s := range specs {
		results[i] = s.results(states[i], ngroups, subIn)
	}
	// regroup the (keys, bin) groups by keys
	kg := newGrouper(subKeys)
	type series struct {
		first int
		vals  [][]any
	}
	var all []*series
	byID := map[int32]*series{}
	for g := 0; g < ngroups; g++ {
		row := firsts[g]
		id, isNew := kg.group(row)
		s := byID[id]
		if isNew {
			s = &series{first: row, vals: make([][]any, len(specs))}
			for j := range specs {
				arr := make([]any, nbins)
				for b := range arr {
					arr[b] = functions.ToDyn(defaults[j])
				}
				s.vals[j] = arr
			}
			byID[id] = s
			all = append(all, s)
		}
		b := int(subBin.Ints[row])
		for j := range specs {
			v := results[j][0].Value(g)
			if !v.IsNull() {
				s.vals[j][b] = functions.ToDyn(v)
			}
		}
	}
	// Empty input gives no series, unless kind=nonempty asks for one row
	// of defaults.
	if len(o.By) == 0 && len(all) == 0 && hasKindNonEmpty(o.Params) {
		s := &series{first: -1, vals: make([][]any, len(specs))}
		for j := range specs {
			arr := make([]any, nbins)
			for b := range arr {
				arr[b] = functions.ToDyn(defaults[j])
			}
			s.vals[j] = arr
		}
		all = append(all, s)
	}
	out := &table.Table{Name: in.Name}
	firstRows := make([]int, len(all))
	for i, s := range all {
		firstRows[i] = s.first
	}
	for k, kc := range subKeys {
		col := gather(kc, firstRows)
		col.Name = keyNames[k]
		out.Columns = append(out.Columns, col)
	}
	for j := range specs {
		col := newVec(names[j], types.Dynamic, len(all))
		for i, s := range all {
			col.Dyns[i] = s.vals[j]
		}
		out.Columns = append(out.Columns, col)
	}
	axisName := resultName(o.On)
	if axisName == "" {
		axisName = nm.column()
	}
	axisVals := make([]any, nbins)
	for b := range axisVals {
		v := lo + float64(b)*st
		switch axis.typ {
		case types.DateTime:
			axisVals[b] = types.DateTimeValue(int64(v))
		case types.TimeSpan:
			axisVals[b] = types.TimeSpanValue(int64(v))
		case types.Real, types.Decimal:
			axisVals[b] = v
		default:
			axisVals[b] = int64(v)
		}
	}
	axCol := newVec(axisName, types.Dynamic, len(all))
	for i := range all {
		axCol.Dyns[i] = axisVals
	}
	out.Columns = append(out.Columns, axCol)
	return out, nil
}

func hasKindNonEmpty(params []*ast.NamedExpr) bool {
	for _, p := range params {
		if len(p.Names) == 1 && strings.EqualFold(p.Names[0].Name, "kind") {
			if id, ok := p.Value.(*ast.Ident); ok && strings.EqualFold(id.Name, "nonempty") {
				return true
			}
		}
	}
	return false
}

// topNested is top-nested N of Expr [with others = V] by Agg [asc|desc],
// ...: a hierarchy of top groups, one output row per leaf.
func (r *runner) topNested(o *ast.TopNestedOp, in *table.Table) (*table.Table, error) {
	type level struct {
		n       int64
		hasN    bool
		keyName string
		aggName string
		key     *cexpr
		aggCall *ast.CallExpr
		asc     bool
		others  *types.Value
	}
	c := r.compiler(in.Schema())
	var levels []level
	for _, cl := range o.Clauses {
		var lv level
		if cl.N != nil {
			n, err := r.constInt(cl.N, "top-nested")
			if err != nil {
				return nil, err
			}
			lv.n, lv.hasN = n, true
		}
		name, e := itemName(cl.Of)
		ce, err := c.compile(e)
		if err != nil {
			return nil, err
		}
		if name == "" {
			name = "Column" + itoa(len(levels)+1)
		}
		lv.key, lv.keyName = ce, name
		if cl.By == nil {
			return nil, r.errorf(o.Pos(), "top-nested needs 'by Aggregation'")
		}
		aggName, ae := itemName(cl.By.X)
		call, ok := ae.(*ast.CallExpr)
		if !ok || !isAggName(callName(call)) {
			return nil, r.errorf(cl.By.Pos(), "top-nested orders by an aggregate such as count() or sum(x)")
		}
		if _, named := cl.By.X.(*ast.NamedExpr); !named {
			aggName = "aggregated_" + name
		}
		lv.aggName, lv.aggCall = aggName, call
		lv.asc = cl.By.Dir == "asc"
		if cl.Others != nil {
			oc, err := c.compile(cl.Others)
			if err != nil {
				return nil, err
			}
			if !oc.isConst {
				return nil, r.errorf(cl.Others.Pos(), "with others needs a constant")
			}
			v := oc.val
			lv.others = &v
		}
		levels = append(levels, lv)
	}
	keyExprs := make([]*cexpr, len(levels))
	for i, lv := range levels {
		keyExprs[i] = lv.key
	}
	keyCols, err := r.evalCols(in, keyExprs)
	if err != nil {
		return nil, err
	}
	type outRow struct {
		keys []types.Value
		aggs []types.Value
	}
	var rows []outRow
	var recurse func(depth int, idx []int, keys, aggs []types.Value) error
	recurse = func(depth int, idx []int, keys, aggs []types.Value) error {
		if depth == len(levels) {
			rows = append(rows, outRow{append([]types.Value(nil), keys...), append([]types.Value(nil), aggs...)})
			return nil
		}
		lv := levels[depth]
		sub := gatherTable(in, idx)
		kc := gather(keyCols[depth], idx)
		spec, err := r.aggSpec(r.compiler(in.Schema()), lv.aggCall, []string{lv.aggName}, sub, nil)
		if err != nil {
			return err
		}
		if len(spec.outputs) != 1 {
			return r.errorf(lv.aggCall.Pos(), "top-nested aggregates must have one output")
		}
		ng, firsts, states, err := r.aggregate(sub, []*table.Column{kc}, []*aggSpec{spec}, false)
		if err != nil {
			return err
		}
		res := spec.results(states[0], ng, sub)[0]
		order := make([]int, ng)
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool {
			return compareCell(res, order[a], order[b], !lv.asc, false) < 0
		})
		top := order
		var rest []int
		if lv.hasN && int64(len(order)) > lv.n {
			top, rest = order[:lv.n], order[lv.n:]
		}
		g := newGrouper([]*table.Column{kc})
		members := make([][]int, ng)
		for i := range idx {
			id, _ := g.group(i)
			members[id] = append(members[id], idx[i])
		}
		for _, gi := range top {
			k := kc.Value(firsts[gi])
			if err := recurse(depth+1, members[gi], append(keys, k), append(aggs, res.Value(gi))); err != nil {
				return err
			}
		}
		if lv.others != nil && len(rest) > 0 {
			var restIdx []int
			for _, gi := range rest {
				restIdx = append(restIdx, members[gi]...)
			}
			sort.Ints(restIdx)
			st := spec.newSt()
			sub2 := gatherTable(in, restIdx)
			args := make([]*table.Column, len(spec.args))
			for j, a := range spec.args {
				col, err := a.vec(sub2, 0, sub2.Rows())
				if err != nil {
					return err
				}
				args[j] = col
			}
			st.update(args, make([]int32, sub2.Rows()), 0)
			ov := spec.results(st, 1, sub2)[0].Value(0)
			return recurseOthers(depth, len(levels), keys, aggs, convert(*lv.others, kc.Type), ov, func(k, a []types.Value) {
				rows = append(rows, outRow{k, a})
			})
		}
		return nil
	}
	all := make([]int, in.Rows())
	for i := range all {
		all[i] = i
	}
	if err := recurse(0, all, nil, nil); err != nil {
		return nil, err
	}
	out := &table.Table{Name: in.Name}
	for d, lv := range levels {
		kcol := newVec(lv.keyName, keyCols[d].Type, len(rows))
		t := types.Long
		if len(rows) > 0 && d < len(rows[0].aggs) {
			t = rows[0].aggs[d].Type
		}
		acol := newVec(lv.aggName, t, len(rows))
		for i, row := range rows {
			if d < len(row.keys) {
				setVal(kcol, i, row.keys[d])
				setVal(acol, i, row.aggs[d])
			} else {
				setNull(kcol, i)
				setNull(acol, i)
			}
		}
		out.Columns = append(out.Columns, kcol, acol)
	}
	return out, nil
}

// recurseOthers emits the "others" row of a level: deeper levels are null.
func recurseOthers(depth, n int, keys, aggs []types.Value, k, a types.Value, emit func(k, a []types.Value)) error {
	ks := append(append([]types.Value(nil), keys...), k)
	as := append(append([]types.Value(nil), aggs...), a)
	emit(ks, as)
	return nil
}
