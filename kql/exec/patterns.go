package exec

// The pattern-mining plugins basket and diffpatterns, and rolling_percentile.
//
// basket and diffpatterns share one miner: every dimension column's values
// are items, each with the bitset of the rows holding it, and the frequent
// closed patterns (value combinations no more specific combination matches
// on exactly the same rows) are enumerated with LCM's prefix-preserving
// closure extension. Closed patterns are what Kusto's documented basket
// example returns: {Damage=NO, DamageCrops=0} stands for {Damage=NO} when
// every NO row has DamageCrops 0. Counting is exact (Kusto samples to find
// the initial frequent values and says results near the threshold may vary).

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"sort"
	"strconv"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/kql/naming"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// maxMinedPatterns bounds the closed patterns one query enumerates, so that
// a low threshold over many correlated columns fails instead of running away.
const maxMinedPatterns = 200000

// patternArgs are the parsed arguments the two mining plugins share.
type patternArgs struct {
	threshold float64
	weight    int // weight column index, -1 for none
	maxDims   int // 0 for unlimited
	wildcards map[types.Type]types.Value
}

// constArg compiles a constant plugin argument.
func (r *runner) constArg(plugin, what string, e ast.Expr) (types.Value, error) {
	ce, err := r.compiler(nil).compile(e)
	if err != nil {
		return types.Value{}, err
	}
	if !ce.isConst {
		return types.Value{}, r.errorf(e.Pos(), "%s(): %s must be a constant", plugin, what)
	}
	return ce.val, nil
}

// tildeArg is a constant argument that may be '~' (ok false).
func (r *runner) tildeArg(plugin, what string, e ast.Expr) (types.Value, bool, error) {
	v, err := r.constArg(plugin, what, e)
	if err != nil {
		return v, false, err
	}
	if v.Type == types.String && v.S == "~" {
		return v, false, nil
	}
	return v, true, nil
}

// numberArg reads a numeric constant argument.
func (r *runner) numberArg(plugin, what string, e ast.Expr) (float64, bool, error) {
	v, ok, err := r.tildeArg(plugin, what, e)
	if err != nil || !ok {
		return 0, ok, err
	}
	if !v.Type.IsNumeric() || v.IsNull() {
		return 0, false, r.errorf(e.Pos(), "%s(): %s must be a number, got %s %s", plugin, what, v.Type, v.String())
	}
	f, _ := functions.ToReal(v)
	return f, true, nil
}

// columnArg reads an argument naming a column of in: a bare name or a
// string constant; with tilde, '~' (the default) gives -1.
func (r *runner) columnArg(plugin, what string, e ast.Expr, in *table.Table) (int, error) {
	return r.optColumnArg(plugin, what, e, in, false)
}

func (r *runner) optColumnArg(plugin, what string, e ast.Expr, in *table.Table, tilde bool) (int, error) {
	name := ""
	switch x := e.(type) {
	case *ast.Ident:
		name = x.Name
	default:
		ce, err := r.compiler(nil).compile(e)
		if err != nil || !ce.isConst || ce.typ != types.String {
			return -1, r.errorf(e.Pos(), "%s(): %s must be a column name", plugin, what)
		}
		name = ce.val.S
		if tilde && name == "~" {
			return -1, nil
		}
	}
	i := tableIndex(in, name)
	if i < 0 {
		return -1, r.errorf(e.Pos(), "%s(): %s: unknown column '%s'", plugin, what, name)
	}
	return i, nil
}

// parsePatternArgs reads [Threshold, WeightColumn, MaxDimensions,
// CustomWildcard...] as basket and diffpatterns (after its split arguments,
// with WeightColumn first) take them; order lists the positions.
func (r *runner) parsePatternArgs(plugin string, in *table.Table, weightArg, thresholdArg, dimsArg ast.Expr, wild []ast.Expr, defDims int) (*patternArgs, error) {
	pa := &patternArgs{threshold: 0.05, weight: -1, maxDims: defDims, wildcards: map[types.Type]types.Value{}}
	if thresholdArg != nil {
		t, ok, err := r.numberArg(plugin, "Threshold", thresholdArg)
		if err != nil {
			return nil, err
		}
		if ok {
			if !(t >= 0.015 && t <= 1) {
				return nil, r.errorf(thresholdArg.Pos(), "%s(): Threshold must be between 0.015 and 1, got %v", plugin, t)
			}
			pa.threshold = t
		}
	}
	if weightArg != nil {
		w, err := r.optColumnArg(plugin, "WeightColumn", weightArg, in, true)
		if err != nil {
			return nil, err
		}
		if w >= 0 && !in.Columns[w].Type.IsNumeric() {
			return nil, r.errorf(weightArg.Pos(), "%s(): WeightColumn '%s' must be numeric (int, long, real), not %s", plugin, in.Columns[w].Name, in.Columns[w].Type)
		}
		if w >= 0 {
			pa.weight = w
		}
	}
	if dimsArg != nil {
		d, ok, err := r.numberArg(plugin, "MaxDimensions", dimsArg)
		if err != nil {
			return nil, err
		}
		if ok {
			if d < 1 || d != math.Trunc(d) {
				return nil, r.errorf(dimsArg.Pos(), "%s(): MaxDimensions must be a positive integer, got %v", plugin, d)
			}
			pa.maxDims = int(d)
		}
	}
	for _, e := range wild {
		v, ok, err := r.tildeArg(plugin, "CustomWildcard", e)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if v.Type == types.Null || v.Type == types.Dynamic {
			return nil, r.errorf(e.Pos(), "%s(): CustomWildcard must be a typed scalar literal such as '*' or int(-1)", plugin)
		}
		if _, dup := pa.wildcards[v.Type]; dup {
			return nil, r.errorf(e.Pos(), "%s(): a CustomWildcard of type %s is already given", plugin, v.Type)
		}
		pa.wildcards[v.Type] = v
	}
	return pa, nil
}

// basket is evaluate basket([Threshold, WeightColumn, MaxDimensions,
// CustomWildcard, ...]): the closed patterns of at most MaxDimensions
// (default 5) dimensions that match at least Threshold (default 0.05) of
// the rows, by Count descending.
func (r *runner) basket(call *ast.CallExpr, in *table.Table) (*table.Table, error) {
	args := call.Args
	at := func(i int) ast.Expr {
		if i < len(args) {
			return args[i]
		}
		return nil
	}
	var wild []ast.Expr
	if len(args) > 3 {
		wild = args[3:]
	}
	pa, err := r.parsePatternArgs("basket", in, at(1), at(0), at(2), wild, 5)
	if err != nil {
		return nil, err
	}
	n := in.Rows()
	universe := fullBits(n)
	m, err := r.newMiner("basket", in, pa, []int{pa.weight}, universe, nil)
	if err != nil {
		return nil, err
	}
	if err := m.mine(); err != nil {
		return nil, err
	}
	pats := m.out
	slices.SortStableFunc(pats, func(x, y minedPattern) int {
		if c := cmp.Compare(y.a, x.a); c != 0 {
			return c
		}
		if c := cmp.Compare(len(x.items), len(y.items)); c != 0 {
			return c
		}
		return slices.Compare(x.items, y.items)
	})
	countType := m.countType()
	seg := newVec("SegmentId", types.Long, len(pats))
	count := newVec("Count", countType, len(pats))
	pct := newVec("Percent", types.Real, len(pats))
	for k, p := range pats {
		seg.Ints[k] = int64(k)
		setCount(count, k, p.a)
		pct.Reals[k] = 100 * p.a / m.totalA
	}
	return patternTable(in.Name, []*table.Column{seg, count, pct}, m.dimColumns(pats)), nil
}

// diffpatterns is evaluate diffpatterns(SplitColumn, SplitValueA,
// SplitValueB [, WeightColumn, Threshold, MaxDimensions, CustomWildcard,
// ...]): the patterns whose share of set A and of set B differ by at least
// Threshold (default 0.05), by PercentDiffAB descending. Of a pattern and a
// more specific one only the better separating is kept, so the result is a
// small set of overlapping patterns, as the doc's example shows.
func (r *runner) diffpatterns(call *ast.CallExpr, in *table.Table) (*table.Table, error) {
	args := call.Args
	if len(args) < 3 {
		return nil, r.errorf(call.Pos(), "diffpatterns() expects SplitColumn, SplitValueA, SplitValueB [, WeightColumn, Threshold, MaxDimensions, CustomWildcard, ...]")
	}
	at := func(i int) ast.Expr {
		if i < len(args) {
			return args[i]
		}
		return nil
	}
	split, err := r.columnArg("diffpatterns", "SplitColumn", args[0], in)
	if err != nil {
		return nil, err
	}
	va, err := r.constArg("diffpatterns", "SplitValueA", args[1])
	if err != nil {
		return nil, err
	}
	vb, err := r.constArg("diffpatterns", "SplitValueB", args[2])
	if err != nil {
		return nil, err
	}
	sa, sb := functions.ToString(va), functions.ToString(vb)
	if sa == sb {
		return nil, r.errorf(args[2].Pos(), "diffpatterns(): SplitValueA and SplitValueB are both '%s'", sa)
	}
	var wild []ast.Expr
	if len(args) > 6 {
		wild = args[6:]
	}
	pa, err := r.parsePatternArgs("diffpatterns", in, at(3), at(4), at(5), wild, 0)
	if err != nil {
		return nil, err
	}
	n := in.Rows()
	words := (n + 63) / 64
	setA, setB := make([]uint64, words), make([]uint64, words)
	sc := in.Columns[split]
	// tostring of the split value, once per distinct value
	g := newGrouper([]*table.Column{sc})
	var side []int8
	for i := 0; i < n; i++ {
		id, isNew := g.group(i)
		if isNew {
			s := functions.ToString(sc.Value(i))
			switch s {
			case sa:
				side = append(side, 1)
			case sb:
				side = append(side, 2)
			default:
				side = append(side, 0)
			}
		}
		switch side[id] {
		case 1:
			setA[i>>6] |= 1 << (i & 63)
		case 2:
			setB[i>>6] |= 1 << (i & 63)
		}
	}
	universe := make([]uint64, words)
	for w := range universe {
		universe[w] = setA[w] | setB[w]
	}
	m, err := r.newMiner("diffpatterns", in, pa, []int{split, pa.weight}, setA, setB)
	if err != nil {
		return nil, err
	}
	// An empty set leaves nothing to compare: no patterns, and a warning,
	// so a hunt over data where nothing happened still answers.
	var empty error
	switch {
	case m.totalA == 0:
		empty = r.errorf(args[1].Pos(), "diffpatterns(): no row has %s == '%s' (set A is empty): no patterns", sc.Name, sa)
	case m.totalB == 0:
		empty = r.errorf(args[2].Pos(), "diffpatterns(): no row has %s == '%s' (set B is empty): no patterns", sc.Name, sb)
	default:
		if err := m.mine(); err != nil {
			return nil, err
		}
	}
	if empty != nil {
		r.warnings = append(r.warnings, empty.Error())
	}
	type scored struct {
		p          minedPattern
		pa, pb, df float64
	}
	var cands []scored
	for _, p := range m.out {
		if len(p.items) == 0 {
			continue
		}
		s := scored{p: p, pa: 100 * p.a / m.totalA, pb: 100 * p.b / m.totalB}
		s.df = math.Abs(s.pa - s.pb)
		if s.df >= 100*pa.threshold-1e-9 {
			cands = append(cands, s)
		}
	}
	slices.SortStableFunc(cands, func(x, y scored) int {
		if c := cmp.Compare(y.df, x.df); c != 0 {
			return c
		}
		if c := cmp.Compare(len(y.p.items), len(x.p.items)); c != 0 {
			return c // the same difference: the more specific pattern says more
		}
		if c := cmp.Compare(y.p.a+y.p.b, x.p.a+x.p.b); c != 0 {
			return c
		}
		return slices.Compare(x.p.items, y.p.items)
	})
	var kept []scored
	for _, c := range cands {
		redundant := false
		for _, k := range kept {
			if subsetOf(c.p.items, k.p.items) || subsetOf(k.p.items, c.p.items) {
				redundant = true
				break
			}
		}
		if !redundant {
			kept = append(kept, c)
		}
	}
	countType := m.countType()
	k := len(kept)
	seg := newVec("SegmentId", types.Long, k)
	ca, cb := newVec("CountA", countType, k), newVec("CountB", countType, k)
	pA, pB, pD := newVec("PercentA", types.Real, k), newVec("PercentB", types.Real, k), newVec("PercentDiffAB", types.Real, k)
	pats := make([]minedPattern, k)
	for j, c := range kept {
		seg.Ints[j] = int64(j)
		setCount(ca, j, c.p.a)
		setCount(cb, j, c.p.b)
		// two decimals, as Kusto reports them (its example's differences are
		// those of the rounded percentages)
		pA.Reals[j], pB.Reals[j] = round2(c.pa), round2(c.pb)
		pD.Reals[j] = round2(math.Abs(pA.Reals[j] - pB.Reals[j]))
		pats[j] = c.p
	}
	return patternTable(in.Name, []*table.Column{seg, ca, cb, pA, pB, pD}, m.dimColumns(pats)), nil
}

// patternTable is the fixed columns then the dimensions; a dimension named
// like a fixed column (an input column Count) gets a numeric suffix.
func patternTable(name string, fixed, dims []*table.Column) *table.Table {
	used := map[string]bool{}
	for _, c := range fixed {
		used[c.Name] = true
	}
	for _, c := range dims {
		c.Name = uniqueName(c.Name, used)
		used[c.Name] = true
	}
	return &table.Table{Name: name, Columns: append(fixed, dims...)}
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// setCount stores a weighted count in a long or real column.
func setCount(c *table.Column, i int, v float64) {
	if c.Type == types.Real {
		c.Reals[i] = v
		return
	}
	c.Ints[i] = int64(math.Round(v))
}

// subsetOf tells whether sorted a is contained in sorted b.
func subsetOf(a, b []int32) bool {
	if len(a) > len(b) {
		return false
	}
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j == len(b) || b[j] != x {
			return false
		}
		j++
	}
	return true
}

// minedPattern is one closed pattern: its items (ascending) and its
// weighted counts in set A (all rows for basket) and set B.
type minedPattern struct {
	items []int32
	a, b  float64
}

// mineItem is one frequent value of one dimension column.
type mineItem struct {
	col  int      // index among the miner's dimension columns
	row  int      // a row holding the value
	bits []uint64 // the rows holding it
}

// miner enumerates the closed patterns that reach the threshold in set A
// or in set B (only A when setB is nil).
type miner struct {
	r          *runner
	plugin     string
	in         *table.Table
	args       *patternArgs
	dims       []int // input column index of each dimension
	items      []mineItem
	setA, setB []uint64
	weights    []float64 // nil: every row weighs 1
	weightType types.Type
	totalA     float64
	totalB     float64
	minA, minB float64 // the weighted count a pattern needs in A or B
	out        []minedPattern
	visits     int
	bufs       [][]uint64 // intersection buffers by depth
}

func fullBits(n int) []uint64 {
	b := make([]uint64, (n+63)/64)
	for i := range b {
		b[i] = ^uint64(0)
	}
	if n%64 != 0 {
		b[len(b)-1] = 1<<(n%64) - 1
	}
	return b
}

// newMiner makes the items: the values of every column but the excluded
// ones (the weight and split columns) that are frequent on their own.
// Nulls and empty strings are no values (they print as the default
// wildcard) and never make an item.
func (r *runner) newMiner(plugin string, in *table.Table, pa *patternArgs, exclude []int, setA, setB []uint64) (*miner, error) {
	m := &miner{r: r, plugin: plugin, in: in, args: pa, setA: setA, setB: setB}
	n := in.Rows()
	if pa.weight >= 0 {
		wc := in.Columns[pa.weight]
		m.weightType = wc.Type
		m.weights = make([]float64, n)
		for i := range m.weights {
			w, _ := functions.ToReal(wc.Value(i))
			if wc.IsNull(i) || math.IsNaN(w) || w < 0 {
				w = 0 // a row without a usable weight does not count
			}
			m.weights[i] = w
		}
	}
	m.totalA = m.weigh(setA)
	if setB != nil {
		m.totalB = m.weigh(setB)
	}
	// a tiny slack so that a ratio exactly at the threshold passes despite
	// rounding in threshold*total
	m.minA = pa.threshold*m.totalA - 1e-9*m.totalA
	m.minB = pa.threshold*m.totalB - 1e-9*m.totalB
	if m.minA <= 0 {
		m.minA = math.SmallestNonzeroFloat64
	}
	if m.minB <= 0 {
		m.minB = math.SmallestNonzeroFloat64
	}
	skip := map[int]bool{}
	for _, e := range exclude {
		skip[e] = true
	}
	words := len(setA)
	ids := make([]int32, n)
	for ci, col := range in.Columns {
		if skip[ci] {
			continue
		}
		dim := len(m.dims)
		m.dims = append(m.dims, ci)
		g := newGrouper([]*table.Column{col})
		var ca, cb []float64
		var first []int
		var empty []bool
		for i := 0; i < n; i++ {
			id, isNew := g.group(i)
			ids[i] = id
			if isNew {
				ca, cb = append(ca, 0), append(cb, 0)
				first = append(first, i)
				empty = append(empty, col.IsNull(i) || (col.Type == types.String && col.Strs[i] == ""))
			}
			w := 1.0
			if m.weights != nil {
				w = m.weights[i]
			}
			if setA[i>>6]&(1<<(i&63)) != 0 {
				ca[id] += w
			} else if setB != nil && setB[i>>6]&(1<<(i&63)) != 0 {
				cb[id] += w
			}
		}
		itemOf := make([]int32, len(ca))
		for id := range ca {
			itemOf[id] = -1
			if empty[id] || !(ca[id] >= m.minA || (setB != nil && cb[id] >= m.minB)) {
				continue
			}
			itemOf[id] = int32(len(m.items))
			m.items = append(m.items, mineItem{col: dim, row: first[id], bits: make([]uint64, words)})
		}
		if int64(len(m.items))*int64(words)*8 > r.sess.opts.MemoryBudget {
			return nil, r.errorf(0, "%s(): the frequent values of %d rows exceed the memory budget of %d bytes", plugin, n, r.sess.opts.MemoryBudget)
		}
		for i := 0; i < n; i++ {
			if it := itemOf[ids[i]]; it >= 0 {
				inSet := setA[i>>6]&(1<<(i&63)) != 0 || (setB != nil && setB[i>>6]&(1<<(i&63)) != 0)
				if inSet {
					m.items[it].bits[i>>6] |= 1 << (i & 63)
				}
			}
		}
		if err := r.ctx.Err(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// weigh is the weighted size of a row set.
func (m *miner) weigh(set []uint64) float64 {
	if m.weights == nil {
		c := 0
		for _, w := range set {
			c += bits.OnesCount64(w)
		}
		return float64(c)
	}
	s := 0.0
	for wi, w := range set {
		for w != 0 {
			s += m.weights[wi<<6+bits.TrailingZeros64(w)]
			w &= w - 1
		}
	}
	return s
}

// count is the weighted count of tids (over the words nz lists) in A and B.
func (m *miner) count(tids []uint64, nz []int32) (a, b float64) {
	if m.weights == nil {
		ca, cb := 0, 0
		for _, w := range nz {
			ca += bits.OnesCount64(tids[w] & m.setA[w])
			if m.setB != nil {
				cb += bits.OnesCount64(tids[w] & m.setB[w])
			}
		}
		return float64(ca), float64(cb)
	}
	for _, wi := range nz {
		x := tids[wi]
		for x != 0 {
			i := int(wi)<<6 + bits.TrailingZeros64(x)
			if m.setA[wi]&(1<<(i&63)) != 0 {
				a += m.weights[i]
			} else {
				b += m.weights[i]
			}
			x &= x - 1
		}
	}
	return a, b
}

func (m *miner) frequent(a, b float64) bool {
	return a >= m.minA || (m.setB != nil && b >= m.minB)
}

// covers tells whether item j holds every row of tids.
func (m *miner) covers(j int, tids []uint64, nz []int32) bool {
	bj := m.items[j].bits
	for _, w := range nz {
		if tids[w]&^bj[w] != 0 {
			return false
		}
	}
	return true
}

// mine runs LCM from the closure of the empty pattern. The depth of an
// extension counts the values added that the pattern did not imply, which
// is what MaxDimensions bounds (Kusto: "uncorrelated dimensions").
func (m *miner) mine() error {
	words := len(m.setA)
	tids := make([]uint64, words)
	var nz []int32
	for w := range tids {
		tids[w] = m.setA[w]
		if m.setB != nil {
			tids[w] |= m.setB[w]
		}
		if tids[w] != 0 {
			nz = append(nz, int32(w))
		}
	}
	if len(nz) == 0 {
		return nil
	}
	var root []int32
	for j := range m.items {
		if m.covers(j, tids, nz) {
			root = append(root, int32(j))
		}
	}
	a, b := m.count(tids, nz)
	if len(root) > 0 && m.frequent(a, b) {
		m.out = append(m.out, minedPattern{items: root, a: a, b: b})
	}
	return m.extend(root, tids, nz, -1, 0)
}

func (m *miner) extend(p []int32, tids []uint64, nz []int32, core, depth int) error {
	if m.args.maxDims > 0 && depth >= m.args.maxDims {
		return nil
	}
	usedCol := make(map[int]bool, len(p))
	inP := make(map[int32]bool, len(p))
	for _, it := range p {
		usedCol[m.items[it].col] = true
		inP[it] = true
	}
	// one intersection buffer per depth: a child pattern's rows live in it
	// until its subtree is done, and only its nonzero words are ever read
	for len(m.bufs) <= depth {
		m.bufs = append(m.bufs, make([]uint64, len(tids)))
	}
	nt := m.bufs[depth]
	for i := core + 1; i < len(m.items); i++ {
		if inP[int32(i)] || usedCol[m.items[i].col] {
			continue
		}
		m.visits++
		if m.visits%1024 == 0 {
			if err := m.r.ctx.Err(); err != nil {
				return err
			}
		}
		bi := m.items[i].bits
		var nnz []int32
		for _, w := range nz {
			nt[w] = tids[w] & bi[w]
			if nt[w] != 0 {
				nnz = append(nnz, w)
			}
		}
		a, b := m.count(nt, nnz)
		if !m.frequent(a, b) {
			continue
		}
		// prefix preservation: an earlier item the extension implies means
		// this closed pattern is reached from another parent
		ok := true
		for j := 0; j < i && ok; j++ {
			if !inP[int32(j)] && m.items[j].col != m.items[i].col && !usedCol[m.items[j].col] && m.covers(j, nt, nnz) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		q := make([]int32, 0, len(p)+2)
		q = append(q, p...)
		q = append(q, int32(i))
		for j := i + 1; j < len(m.items); j++ {
			if !inP[int32(j)] && m.items[j].col != m.items[i].col && !usedCol[m.items[j].col] && m.covers(j, nt, nnz) {
				q = append(q, int32(j))
			}
		}
		slices.Sort(q)
		m.out = append(m.out, minedPattern{items: q, a: a, b: b})
		if len(m.out) > maxMinedPatterns {
			return m.r.errorf(0, "%s(): more than %d patterns reach the threshold; raise Threshold or lower MaxDimensions", m.plugin, maxMinedPatterns)
		}
		if err := m.extend(q, nt, nnz, i, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// countType is long, or real when a real weight column makes fractional counts.
func (m *miner) countType() types.Type {
	if m.weights != nil && (m.weightType == types.Real || m.weightType == types.Decimal) {
		return types.Real
	}
	return types.Long
}

// dimColumns prints the patterns: each dimension column holds the
// pattern's value or the wildcard of its type (a CustomWildcard of that
// type, else null, or "" for strings).
func (m *miner) dimColumns(pats []minedPattern) []*table.Column {
	cols := make([]*table.Column, len(m.dims))
	for d, ci := range m.dims {
		src := m.in.Columns[ci]
		wild, ok := m.args.wildcards[src.Type]
		if !ok {
			wild = types.NullOf(src.Type)
		}
		c := constVec(src.Name, wild, src.Type, len(pats))
		cols[d] = c
	}
	for k, p := range pats {
		for _, it := range p.items {
			item := m.items[it]
			setVal(cols[item.col], k, m.in.Columns[m.dims[item.col]].Value(item.row))
		}
	}
	return cols
}

// rollingPercentile is evaluate rolling_percentile(ValueColumn, Percentile,
// IndexColumn, BinSize, BinsPerWindow [, dim1, ...]): per combination of
// the dimensions (in ascending order) and per bin of the index (from its
// first to its last bin), the nearest-rank percentile of the values in the
// window of BinsPerWindow bins ending at that bin.
func (r *runner) rollingPercentile(call *ast.CallExpr, in *table.Table) (*table.Table, error) {
	const plugin = "rolling_percentile"
	args := call.Args
	if len(args) < 5 {
		return nil, r.errorf(call.Pos(), "rolling_percentile() expects ValueColumn, Percentile, IndexColumn, BinSize, BinsPerWindow [, dim1, ...]")
	}
	vi, err := r.columnArg(plugin, "ValueColumn", args[0], in)
	if err != nil {
		return nil, err
	}
	vcol := in.Columns[vi]
	if !vcol.Type.IsNumeric() && vcol.Type != types.DateTime && vcol.Type != types.TimeSpan {
		return nil, r.errorf(args[0].Pos(), "rolling_percentile(): ValueColumn '%s' must be numeric, datetime or timespan, not %s", vcol.Name, vcol.Type)
	}
	pct, err := r.constArg(plugin, "Percentile", args[1])
	if err != nil {
		return nil, err
	}
	pc, _ := functions.ToReal(pct)
	if !pct.Type.IsNumeric() || pct.IsNull() || pc < 0 || pc > 100 {
		return nil, r.errorf(args[1].Pos(), "rolling_percentile(): Percentile must be a number between 0 and 100, got %s", pct.String())
	}
	ii, err := r.columnArg(plugin, "IndexColumn", args[2], in)
	if err != nil {
		return nil, err
	}
	icol := in.Columns[ii]
	bs, err := r.constArg(plugin, "BinSize", args[3])
	if err != nil {
		return nil, err
	}
	var sizeI int64 // bin size in ticks or integer units
	var sizeF float64
	switch icol.Type {
	case types.DateTime, types.TimeSpan:
		if bs.Type != types.TimeSpan || bs.IsNull() || bs.I <= 0 {
			return nil, r.errorf(args[3].Pos(), "rolling_percentile(): BinSize must be a positive timespan for %s index '%s', got %s", icol.Type, icol.Name, bs.String())
		}
		sizeI = bs.I
	case types.Int, types.Long, types.Real, types.Decimal:
		f, _ := functions.ToReal(bs)
		if !bs.Type.IsNumeric() || bs.IsNull() || !(f > 0) {
			return nil, r.errorf(args[3].Pos(), "rolling_percentile(): BinSize must be a positive number for %s index '%s', got %s", icol.Type, icol.Name, bs.String())
		}
		if table.Storage(icol.Type) == table.StoreInts && f == math.Trunc(f) {
			sizeI = int64(f)
		} else {
			sizeF = f
		}
	default:
		return nil, r.errorf(args[2].Pos(), "rolling_percentile(): IndexColumn '%s' must be datetime, timespan or numeric, not %s", icol.Name, icol.Type)
	}
	wv, err := r.constArg(plugin, "BinsPerWindow", args[4])
	if err != nil {
		return nil, err
	}
	wf, _ := functions.ToReal(wv)
	if !wv.Type.IsNumeric() || wv.IsNull() || wf < 1 || wf != math.Trunc(wf) {
		return nil, r.errorf(args[4].Pos(), "rolling_percentile(): BinsPerWindow must be a positive integer, got %s", wv.String())
	}
	window := int64(wf)
	var dimCols []*table.Column
	for _, a := range args[5:] {
		di, err := r.columnArg(plugin, "dimension", a, in)
		if err != nil {
			return nil, err
		}
		dimCols = append(dimCols, in.Columns[di])
	}

	// bin number of every row; rows without an index or a value are left out
	n := in.Rows()
	type point struct {
		bin int64
		row int
	}
	g := newGrouper(dimCols)
	var groups [][]point
	var firsts []int
	for i := 0; i < n; i++ {
		if icol.IsNull(i) || vcol.IsNull(i) || (vcol.Type == types.Real && math.IsNaN(vcol.Reals[i])) {
			continue
		}
		var k int64
		if sizeF > 0 {
			x, _ := functions.ToReal(icol.Value(i))
			if math.IsNaN(x) || math.IsInf(x, 0) {
				continue
			}
			k = int64(math.Floor(x / sizeF))
		} else {
			// datetime bins count from Kusto's origin, as bin() does
			x := icol.Ints[i]
			if icol.Type == types.DateTime {
				x += epochOffset
			}
			k = floorDiv(x, sizeI)
		}
		id, isNew := g.group(i)
		if isNew {
			groups = append(groups, nil)
			firsts = append(firsts, i)
		}
		groups[id] = append(groups[id], point{k, i})
	}
	order := make([]int, len(groups))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool {
		for _, c := range dimCols {
			if d := functions.Compare(c.Value(firsts[order[x]]), c.Value(firsts[order[y]])); d != 0 {
				return d < 0
			}
		}
		return false
	})
	total := int64(0)
	for _, pts := range groups {
		lo, hi := pts[0].bin, pts[0].bin
		for _, p := range pts {
			lo, hi = min(lo, p.bin), max(hi, p.bin)
		}
		total += hi - lo + 1
		if total*int64(16+8*len(dimCols)) > r.sess.opts.MemoryBudget || total > 1<<26 {
			return nil, r.errorf(args[3].Pos(), "rolling_percentile(): BinSize makes too many bins (over %d); use a larger one", total)
		}
	}
	outIdx := newVec(icol.Name, icol.Type, int(total))
	outDims := make([]*table.Column, len(dimCols))
	for d, c := range dimCols {
		outDims[d] = newVec(c.Name, c.Type, int(total))
	}
	name := "rolling_" + strconv.FormatInt(window, 10) + "_percentile_" + vcol.Name + "_" + naming.Fragment(pct)
	outVal := newVec(name, vcol.Type, int(total))
	isReal := table.Storage(vcol.Type) == table.StoreReals
	row := 0
	var ints []int64
	var reals []float64
	for _, gi := range order {
		pts := groups[gi]
		slices.SortStableFunc(pts, func(x, y point) int { return cmp.Compare(x.bin, y.bin) })
		lo, hi := pts[0].bin, pts[len(pts)-1].bin
		start := 0 // first point inside the window
		end := 0   // first point after the window
		for b := lo; b <= hi; b++ {
			for end < len(pts) && pts[end].bin <= b {
				end++
			}
			for start < end && pts[start].bin <= b-window {
				start++
			}
			switch {
			case sizeF > 0 && table.Storage(icol.Type) == table.StoreReals:
				outIdx.Reals[row] = float64(b) * sizeF
			case sizeF > 0:
				outIdx.Ints[row] = int64(math.Floor(float64(b) * sizeF))
			case icol.Type == types.DateTime:
				outIdx.Ints[row] = b*sizeI - epochOffset
			default:
				outIdx.Ints[row] = b * sizeI
			}
			for d, c := range dimCols {
				setVal(outDims[d], row, c.Value(firsts[gi]))
			}
			cnt := end - start
			if cnt == 0 {
				setNull(outVal, row)
				row++
				continue
			}
			rank := int(math.Ceil(pc/100*float64(cnt) - 1e-9))
			rank = min(max(rank, 1), cnt)
			if isReal {
				reals = reals[:0]
				for _, p := range pts[start:end] {
					reals = append(reals, vcol.Reals[p.row])
				}
				slices.Sort(reals)
				outVal.Reals[row] = reals[rank-1]
			} else {
				ints = ints[:0]
				for _, p := range pts[start:end] {
					ints = append(ints, vcol.Ints[p.row])
				}
				slices.Sort(ints)
				outVal.Ints[row] = ints[rank-1]
			}
			row++
		}
		if err := r.ctx.Err(); err != nil {
			return nil, err
		}
	}
	out := &table.Table{Name: in.Name, Columns: []*table.Column{outIdx}}
	out.Columns = append(out.Columns, outDims...)
	out.Columns = append(out.Columns, outVal)
	return out, nil
}
