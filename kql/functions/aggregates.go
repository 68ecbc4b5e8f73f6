package functions

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/huntbook/huntbook/kql/types"
)

// defAgg registers an aggregate with kind-letter argument checking.
func defAgg(name, sig, doc string, min, max int, params string, res resultFn, newAcc func(args []types.Type) Accumulator) *Aggregate {
	a := &Aggregate{Name: name, Signature: sig, Doc: doc, MinArgs: min, MaxArgs: max, New: newAcc}
	a.Result = func(args []types.Type) (types.Type, error) {
		if err := CheckArity(name, min, max, len(args)); err != nil {
			return types.Null, err
		}
		if err := checkKinds(name, params, args); err != nil {
			return types.Null, err
		}
		return res(args), nil
	}
	aggregates[name] = a
	return a
}

func aggAlias(name, of string) {
	a := *aggregates[of]
	a.Name = name
	a.Signature = name + strings.TrimPrefix(a.Signature, of)
	aggregates[name] = &a
}

// DefaultColumnName is the column name Kusto gives an unnamed aggregate in
// summarize: count_, sum_X, dcount_X, set_X (make_set), list_X (make_list),
// bag_X (make_bag), X (take_any; any_X for the deprecated any), percentile_X_95, ...; argNames[i] is
// the column name of argument i ("" for an expression).
func DefaultColumnName(agg string, argNames []string, consts []types.Value) string {
	first := ""
	if len(argNames) > 0 {
		first = argNames[0]
	}
	prefix := agg
	switch agg {
	case "make_set", "make_set_if", "makeset":
		prefix = "set"
	case "make_list", "make_list_if", "makelist", "make_list_with_nulls":
		prefix = "list"
	case "make_bag", "make_bag_if":
		prefix = "bag"
	case "take_any":
		if first != "" {
			return first
		}
		prefix = "any"
	case "any", "take_anyif", "anyif":
		prefix = "any"
	case "percentile":
		p := ""
		if len(consts) > 1 && consts[1].Valid {
			p = percentName(consts[1])
		}
		return "percentile_" + first + "_" + p
	case "count", "countif":
		return agg + "_"
	}
	return prefix + "_" + first
}

// percentName renders a percentile for a column name: 95 -> "95", 99.9 -> "99_9".
func percentName(v types.Value) string {
	f, _ := ToReal(v)
	return strings.ReplaceAll(strconv.FormatFloat(f, 'f', -1, 64), ".", "_")
}

// --- simple accumulators -----------------------------------------------------

type countAcc struct {
	n      int64
	hasArg bool // countif: the first argument is the predicate
}

func (c *countAcc) Add(a []types.Value) {
	if !c.hasArg || isTrue(a[0]) {
		c.n++
	}
}
func (c *countAcc) Merge(o Accumulator) { c.n += o.(*countAcc).n }
func (c *countAcc) Result() types.Value { return longV(c.n) }

// pred reports whether the row passes an -if aggregate's predicate at position i.
func pred(a []types.Value, i int) bool { return i < 0 || i < len(a) && isTrue(a[i]) }

type sumAcc struct {
	t     types.Type
	i     int64
	f     float64
	any   bool
	predI int
}

func (s *sumAcc) Add(a []types.Value) {
	if !pred(a, s.predI) || a[0].IsNull() {
		return
	}
	v := a[0]
	switch s.t {
	case types.Long, types.TimeSpan:
		i, ok := ToLong(v)
		if !ok {
			return
		}
		s.i += i
	default:
		f, ok := ToReal(v)
		if !ok {
			return
		}
		s.f += f
	}
	s.any = true
}
func (s *sumAcc) Merge(o Accumulator) {
	x := o.(*sumAcc)
	s.i += x.i
	s.f += x.f
	s.any = s.any || x.any
}
func (s *sumAcc) Result() types.Value {
	if !s.any {
		return types.NullOf(s.t)
	}
	switch s.t {
	case types.Long, types.TimeSpan:
		return types.Value{Type: s.t, Valid: true, I: s.i}
	}
	return types.Value{Type: s.t, Valid: true, F: s.f}
}

func sumType(t types.Type) types.Type {
	switch t {
	case types.Int, types.Long, types.Bool:
		return types.Long
	case types.Decimal, types.TimeSpan:
		return t
	}
	return types.Real
}

type avgAcc struct {
	t     types.Type
	sum   float64
	n     int64
	predI int
}

func (s *avgAcc) Add(a []types.Value) {
	if !pred(a, s.predI) || a[0].IsNull() {
		return
	}
	f, ok := ToReal(a[0])
	if !ok {
		return
	}
	if a[0].Type == types.DateTime {
		f = float64(a[0].I) // ToReal gives .NET ticks; stay on the Unix epoch
	}
	s.sum += f
	s.n++
}
func (s *avgAcc) Merge(o Accumulator) { x := o.(*avgAcc); s.sum += x.sum; s.n += x.n }
func (s *avgAcc) Result() types.Value {
	if s.n == 0 {
		return types.NullOf(s.t)
	}
	m := s.sum / float64(s.n)
	switch s.t {
	case types.DateTime, types.TimeSpan:
		return types.Value{Type: s.t, Valid: true, I: int64(math.Round(m))}
	}
	return types.Value{Type: s.t, Valid: true, F: m}
}

func avgType(t types.Type) types.Type {
	switch t {
	case types.DateTime, types.TimeSpan, types.Decimal:
		return t
	}
	return types.Real
}

// minMaxAcc keeps the extreme value; empty strings count as missing.
type minMaxAcc struct {
	sign  int
	best  types.Value
	found bool
	predI int
	t     types.Type
}

func missing(v types.Value) bool { return v.IsNull() || v.Type == types.String && v.S == "" }

func (m *minMaxAcc) Add(a []types.Value) {
	if !pred(a, m.predI) || missing(a[0]) {
		return
	}
	if a[0].Type == types.Real && math.IsNaN(a[0].F) {
		return
	}
	if !m.found || Compare(a[0], m.best)*m.sign > 0 {
		m.best, m.found = a[0], true
	}
}
func (m *minMaxAcc) Merge(o Accumulator) {
	x := o.(*minMaxAcc)
	if x.found && (!m.found || Compare(x.best, m.best)*m.sign > 0) {
		m.best, m.found = x.best, true
	}
}
func (m *minMaxAcc) Result() types.Value {
	if !m.found {
		return Null(m.t)
	}
	return m.best
}

// momentAcc tracks count, mean and the sum of squared deviations (Welford),
// mergeable with Chan's formula.
type momentAcc struct {
	n, mean, m2 float64
	predI       int
	stdev       bool
	population  bool
}

func (s *momentAcc) Add(a []types.Value) {
	if !pred(a, s.predI) || a[0].IsNull() {
		return
	}
	x, ok := ToReal(a[0])
	if !ok {
		return
	}
	s.n++
	d := x - s.mean
	s.mean += d / s.n
	s.m2 += d * (x - s.mean)
}
func (s *momentAcc) Merge(o Accumulator) {
	x := o.(*momentAcc)
	if x.n == 0 {
		return
	}
	n := s.n + x.n
	d := x.mean - s.mean
	s.m2 += x.m2 + d*d*s.n*x.n/n
	s.mean += d * x.n / n
	s.n = n
}
func (s *momentAcc) Result() types.Value {
	if s.n == 0 {
		return types.NullOf(types.Real)
	}
	var v float64
	switch {
	case s.population:
		v = s.m2 / s.n
	case s.n < 2:
		v = 0
	default:
		v = s.m2 / (s.n - 1)
	}
	if s.stdev {
		v = math.Sqrt(v)
	}
	return types.NewReal(v)
}

type bitsAcc struct {
	op    byte
	v     int64
	found bool
}

func (b *bitsAcc) Add(a []types.Value) {
	i, ok := ToLong(a[0])
	if !ok {
		return
	}
	b.fold(i)
}
func (b *bitsAcc) fold(i int64) {
	if !b.found {
		b.v, b.found = i, true
		return
	}
	switch b.op {
	case '|':
		b.v |= i
	case '&':
		b.v &= i
	case '^':
		b.v ^= i
	}
}
func (b *bitsAcc) Merge(o Accumulator) {
	if x := o.(*bitsAcc); x.found {
		b.fold(x.v)
	}
}
func (b *bitsAcc) Result() types.Value {
	if !b.found {
		return types.NullOf(types.Long)
	}
	return longV(b.v)
}

// --- distinct counts ---------------------------------------------------------

type dcountAcc struct {
	s       *sketch
	predI   int
	accI    int // position of the accuracy argument, -1 if none
	started bool
}

func (d *dcountAcc) Add(a []types.Value) {
	if !d.started {
		d.started = true
		if d.accI >= 0 && d.accI < len(a) {
			if lvl, ok := ToLong(a[d.accI]); ok && lvl >= 0 && lvl < int64(len(hllPrecision)) {
				d.s = newSketch(hllPrecision[lvl])
			}
		}
	}
	if !pred(a, d.predI) || missing(a[0]) {
		return
	}
	d.s.addHash(hashValue(a[0]))
}
func (d *dcountAcc) Merge(o Accumulator) { d.s.merge(o.(*dcountAcc).s) }
func (d *dcountAcc) Result() types.Value { return longV(d.s.estimate()) }

type hllAcc struct{ dcountAcc }

func (h *hllAcc) Merge(o Accumulator) { h.s.merge(o.(*hllAcc).s) }
func (h *hllAcc) Result() types.Value { return h.s.encode() }

type hllMergeAcc struct{ s *sketch }

func (h *hllMergeAcc) Add(a []types.Value) {
	if a[0].IsNull() {
		return
	}
	s, err := decodeSketch(a[0].D)
	if err != nil {
		return
	}
	if h.s == nil {
		h.s = s
	} else {
		h.s.merge(s)
	}
}
func (h *hllMergeAcc) Merge(o Accumulator) {
	x := o.(*hllMergeAcc)
	if x.s == nil {
		return
	}
	if h.s == nil {
		h.s = x.s
	} else {
		h.s.merge(x.s)
	}
}
func (h *hllMergeAcc) Result() types.Value {
	if h.s == nil {
		return nullDyn
	}
	return h.s.encode()
}

type distinctAcc struct {
	seen  map[string]struct{}
	predI int
}

func (d *distinctAcc) Add(a []types.Value) {
	if !pred(a, d.predI) || missing(a[0]) {
		return
	}
	d.seen[dynKey(ToDyn(a[0]))] = struct{}{}
}
func (d *distinctAcc) Merge(o Accumulator) {
	for k := range o.(*distinctAcc).seen {
		d.seen[k] = struct{}{}
	}
}
func (d *distinctAcc) Result() types.Value { return longV(int64(len(d.seen))) }

// --- collections -------------------------------------------------------------

type listAcc struct {
	set       bool
	keepNulls bool
	flatten   bool
	max       int
	maxI      int // position of the size-limit argument, -1 if none
	predI     int
	started   bool
	items     []any
	seen      map[string]bool
}

func (l *listAcc) Add(a []types.Value) {
	if !l.started {
		l.started = true
		if l.maxI >= 0 && l.maxI < len(a) {
			if n, ok := ToLong(a[l.maxI]); ok && n > 0 && n < int64(l.max) {
				l.max = int(n)
			}
		}
	}
	if !pred(a, l.predI) {
		return
	}
	v := a[0]
	if v.IsNull() && !l.keepNulls {
		return
	}
	if l.flatten {
		if arr, ok := asArray(v); ok {
			for _, e := range arr {
				l.push(e)
			}
			return
		}
	}
	l.push(ToDyn(v))
}

func (l *listAcc) push(d any) {
	if len(l.items) >= l.max {
		return
	}
	if l.set {
		if d == nil {
			return
		}
		k := dynKey(d)
		if l.seen[k] {
			return
		}
		l.seen[k] = true
	}
	l.items = append(l.items, d)
}

func (l *listAcc) Merge(o Accumulator) {
	for _, e := range o.(*listAcc).items {
		l.push(e)
	}
}
func (l *listAcc) Result() types.Value {
	if l.items == nil {
		return Dyn([]any{})
	}
	return Dyn(l.items)
}

type bagAcc struct {
	bag     *types.Bag
	max     int
	maxI    int
	predI   int
	started bool
}

func (b *bagAcc) Add(a []types.Value) {
	if !b.started {
		b.started = true
		if b.maxI >= 0 && b.maxI < len(a) {
			if n, ok := ToLong(a[b.maxI]); ok && n > 0 && n < int64(b.max) {
				b.max = int(n)
			}
		}
	}
	if !pred(a, b.predI) {
		return
	}
	if bag, ok := asBag(a[0]); ok {
		b.fold(bag)
	}
}
func (b *bagAcc) fold(bag *types.Bag) {
	for i, k := range bag.Keys {
		if b.bag.Len() >= b.max {
			return
		}
		if _, dup := b.bag.Get(k); !dup { // the first value seen for a key wins
			b.bag.Set(k, bag.Value(i))
		}
	}
}
func (b *bagAcc) Merge(o Accumulator) { b.fold(o.(*bagAcc).bag) }
func (b *bagAcc) Result() types.Value { return Dyn(b.bag) }

// --- several outputs ---------------------------------------------------------

// argAcc implements arg_max/arg_min: the row with the extreme first argument
// (nulls ignored, the first row wins ties) and its other arguments.
type argAcc struct {
	sign  int
	row   []types.Value
	types []types.Type
}

func (g *argAcc) Add(a []types.Value) {
	if missing(a[0]) {
		return
	}
	if g.row == nil || Compare(a[0], g.row[0])*g.sign > 0 {
		g.row = append(g.row[:0], a...)
	}
}
func (g *argAcc) Merge(o Accumulator) {
	x := o.(*argAcc)
	if x.row != nil && (g.row == nil || Compare(x.row[0], g.row[0])*g.sign > 0) {
		g.row = append(g.row[:0], x.row...)
	}
}
func (g *argAcc) Results() MultiResult {
	out := make(MultiResult, len(g.types))
	for i, t := range g.types {
		if g.row == nil {
			out[i] = Null(t)
		} else {
			out[i] = g.row[i]
		}
	}
	return out
}
func (g *argAcc) Result() types.Value { return g.Results()[0] }

// anyAcc implements take_any/take_anyif: the first row seen (for
// take_any, the first whose first argument is not null).
type anyAcc struct {
	row   []types.Value
	types []types.Type
	predI int
}

func (g *anyAcc) Add(a []types.Value) {
	if g.row != nil || !pred(a, g.predI) {
		return
	}
	if len(a) == 1 || g.predI >= 0 {
		if missing(a[0]) {
			return
		}
	}
	g.row = append([]types.Value{}, a[:len(g.types)]...)
}
func (g *anyAcc) Merge(o Accumulator) {
	if x := o.(*anyAcc); g.row == nil && x.row != nil {
		g.row = x.row
	}
}
func (g *anyAcc) Results() MultiResult {
	out := make(MultiResult, len(g.types))
	for i, t := range g.types {
		if g.row == nil {
			out[i] = Null(t)
		} else {
			out[i] = g.row[i]
		}
	}
	return out
}
func (g *anyAcc) Result() types.Value { return g.Results()[0] }

// percentileAcc collects the values and returns exact nearest-rank
// percentiles (Kusto estimates with T-Digest; both agree on small inputs).
type percentileAcc struct {
	t       types.Type
	vals    []types.Value
	ps      []float64
	started bool
	nps     int // how many percentile arguments follow the value
	array   bool
	predI   int
}

func (p *percentileAcc) Add(a []types.Value) {
	if !p.started {
		p.started = true
		for _, v := range a[1 : 1+p.nps] {
			if arr, ok := asArray(v); ok {
				for _, e := range arr {
					f, _ := ToReal(FromDyn(e))
					p.ps = append(p.ps, f)
				}
				continue
			}
			f, _ := ToReal(v)
			p.ps = append(p.ps, f)
		}
	}
	if !pred(a, p.predI) || a[0].IsNull() {
		return
	}
	if a[0].Type == types.Real && math.IsNaN(a[0].F) {
		return
	}
	p.vals = append(p.vals, a[0])
}
func (p *percentileAcc) Merge(o Accumulator) {
	x := o.(*percentileAcc)
	p.vals = append(p.vals, x.vals...)
	if !p.started && x.started {
		p.started, p.ps = true, x.ps
	}
}
func (p *percentileAcc) Results() MultiResult {
	sort.SliceStable(p.vals, func(i, j int) bool { return Compare(p.vals[i], p.vals[j]) < 0 })
	out := make(MultiResult, len(p.ps))
	for i, pc := range p.ps {
		out[i] = coerce(NearestRank(p.vals, pc), p.t)
		if !out[i].Valid {
			out[i] = Null(p.t)
		}
	}
	if len(out) == 0 {
		return MultiResult{Null(p.t)}
	}
	return out
}
func (p *percentileAcc) Result() types.Value {
	r := p.Results()
	if p.array {
		arr := make([]any, len(r))
		for i, v := range r {
			arr[i] = ToDyn(v)
		}
		if len(p.vals) == 0 {
			return nullDyn
		}
		return Dyn(arr)
	}
	return r[0]
}

// NearestRank returns the pc-th percentile of sorted values: the smallest
// value with at least pc percent of the values at or below it.
func NearestRank(sorted []types.Value, pc float64) types.Value {
	n := len(sorted)
	if n == 0 {
		return types.Value{}
	}
	// the epsilon keeps 99.9% of 1000 at rank 999 despite 0.999*1000 > 999 in floating point
	r := int(math.Ceil(pc/100*float64(n) - 1e-9))
	if r < 1 {
		r = 1
	}
	if r > n {
		r = n
	}
	return sorted[r-1]
}

// --- registration ------------------------------------------------------------

func init() {
	defAgg("count", "count()", "Number of rows in the group.", 0, 0, "", fixed(types.Long),
		func([]types.Type) Accumulator { return &countAcc{} })
	defAgg("countif", "countif(predicate)", "Number of rows for which the predicate is true.", 1, 1, "b", fixed(types.Long),
		func([]types.Type) Accumulator { return &countAcc{hasArg: true} })
	defAgg("sum", "sum(expr)", "Sum of the values (nulls ignored).", 1, 1, "a", func(a []types.Type) types.Type { return sumType(a[0]) },
		func(a []types.Type) Accumulator { return &sumAcc{t: sumType(a[0]), predI: -1} })
	defAgg("sumif", "sumif(expr, predicate)", "Sum of the values of rows where the predicate is true.", 2, 2, "ab", func(a []types.Type) types.Type { return sumType(a[0]) },
		func(a []types.Type) Accumulator { return &sumAcc{t: sumType(a[0]), predI: 1} })
	defAgg("avg", "avg(expr)", "Average of the values (nulls ignored).", 1, 1, "a", func(a []types.Type) types.Type { return avgType(a[0]) },
		func(a []types.Type) Accumulator { return &avgAcc{t: avgType(a[0]), predI: -1} })
	defAgg("avgif", "avgif(expr, predicate)", "Average of the values of rows where the predicate is true.", 2, 2, "ab", func(a []types.Type) types.Type { return avgType(a[0]) },
		func(a []types.Type) Accumulator { return &avgAcc{t: avgType(a[0]), predI: 1} })
	for _, m := range []struct {
		name string
		sign int
	}{{"max", 1}, {"min", -1}} {
		m := m
		defAgg(m.name, m.name+"(expr)", "The "+map[int]string{1: "largest", -1: "smallest"}[m.sign]+" value (nulls ignored).", 1, 1, "o", sameAs(0),
			func(a []types.Type) Accumulator { return &minMaxAcc{sign: m.sign, predI: -1, t: a[0]} })
		defAgg(m.name+"if", m.name+"if(expr, predicate)", "The "+map[int]string{1: "largest", -1: "smallest"}[m.sign]+" value of rows where the predicate is true.", 2, 2, "ob", sameAs(0),
			func(a []types.Type) Accumulator { return &minMaxAcc{sign: m.sign, predI: 1, t: a[0]} })
	}
	moments := []struct {
		name          string
		stdev, pop    bool
		doc           string
		withPredicate bool
	}{
		{"stdev", true, false, "Sample standard deviation.", false},
		{"stdevif", true, false, "Sample standard deviation of rows where the predicate is true.", true},
		{"stdevp", true, true, "Population standard deviation.", false},
		{"variance", false, false, "Sample variance.", false},
		{"varianceif", false, false, "Sample variance of rows where the predicate is true.", true},
		{"variancep", false, true, "Population variance.", false},
	}
	for _, m := range moments {
		m := m
		// a timespan counts in ticks and the result stays real, as in Kusto
		// (Kusto.Language takes any summable value; its analyzer suggests
		// totimespan() on stdev of a timespan)
		if m.withPredicate {
			defAgg(m.name, m.name+"(expr, predicate)", m.doc, 2, 2, "ub", fixed(types.Real),
				func([]types.Type) Accumulator { return &momentAcc{predI: 1, stdev: m.stdev, population: m.pop} })
		} else {
			defAgg(m.name, m.name+"(expr)", m.doc, 1, 1, "u", fixed(types.Real),
				func([]types.Type) Accumulator { return &momentAcc{predI: -1, stdev: m.stdev, population: m.pop} })
		}
	}
	for _, b := range []struct {
		name string
		op   byte
	}{{"binary_all_or", '|'}, {"binary_all_and", '&'}, {"binary_all_xor", '^'}} {
		b := b
		defAgg(b.name, b.name+"(expr)", "Bitwise "+map[byte]string{'|': "or", '&': "and", '^': "xor"}[b.op]+" of all the values.", 1, 1, "i", fixed(types.Long),
			func([]types.Type) Accumulator { return &bitsAcc{op: b.op} })
	}
	defAgg("dcount", "dcount(expr [, accuracy])", "Estimated number of distinct values (HyperLogLog; exact for small counts).", 1, 2, "ai", fixed(types.Long),
		func([]types.Type) Accumulator { return &dcountAcc{s: newSketch(hllPrecision[1]), predI: -1, accI: 1} })
	defAgg("dcountif", "dcountif(expr, predicate [, accuracy])", "Estimated number of distinct values of rows where the predicate is true.", 2, 3, "abi", fixed(types.Long),
		func([]types.Type) Accumulator { return &dcountAcc{s: newSketch(hllPrecision[1]), predI: 1, accI: 2} })
	defAgg("hll", "hll(expr [, accuracy])", "A HyperLogLog sketch of the values, for dcount_hll and hll_merge.", 1, 2, "ai", fixed(types.Dynamic),
		func([]types.Type) Accumulator {
			return &hllAcc{dcountAcc{s: newSketch(hllPrecision[1]), predI: -1, accI: 1}}
		})
	defAgg("hll_if", "hll_if(expr, predicate [, accuracy])", "A HyperLogLog sketch of the values of rows where the predicate is true.", 2, 3, "abi", fixed(types.Dynamic),
		func([]types.Type) Accumulator {
			return &hllAcc{dcountAcc{s: newSketch(hllPrecision[1]), predI: 1, accI: 2}}
		})
	defAgg("hll_merge", "hll_merge(hll)", "Merges the hll() sketches of a group.", 1, 1, "y", fixed(types.Dynamic),
		func([]types.Type) Accumulator { return &hllMergeAcc{} })
	defAgg("count_distinct", "count_distinct(expr)", "Exact number of distinct values.", 1, 1, "a", fixed(types.Long),
		func([]types.Type) Accumulator { return &distinctAcc{seen: map[string]struct{}{}, predI: -1} })
	defAgg("count_distinctif", "count_distinctif(expr, predicate)", "Exact number of distinct values of rows where the predicate is true.", 2, 2, "ab", fixed(types.Long),
		func([]types.Type) Accumulator { return &distinctAcc{seen: map[string]struct{}{}, predI: 1} })

	const maxItems = 1048576
	list := func(name, sig, doc string, min, max int, params string, set, nulls bool, predI, maxI, limit int) {
		defAgg(name, sig, doc, min, max, params, fixed(types.Dynamic),
			func([]types.Type) Accumulator {
				return &listAcc{set: set, keepNulls: nulls, flatten: set, max: limit, maxI: maxI, predI: predI, seen: map[string]bool{}}
			})
	}
	list("make_set", "make_set(expr [, maxSize])", "Array of the distinct values (arrays are flattened into it).", 1, 2, "ai", true, false, -1, 1, maxItems)
	list("makeset", "makeset(expr [, maxSize])", "Deprecated make_set (default limit 128).", 1, 2, "ai", true, false, -1, 1, 128)
	list("make_set_if", "make_set_if(expr, predicate [, maxSize])", "Array of the distinct values of rows where the predicate is true.", 2, 3, "abi", true, false, 1, 2, maxItems)
	list("make_list", "make_list(expr [, maxSize])", "Array of all the values (nulls skipped).", 1, 2, "ai", false, false, -1, 1, maxItems)
	list("makelist", "makelist(expr [, maxSize])", "Deprecated make_list (default limit 128).", 1, 2, "ai", false, false, -1, 1, 128)
	list("make_list_if", "make_list_if(expr, predicate [, maxSize])", "Array of the values of rows where the predicate is true.", 2, 3, "abi", false, false, 1, 2, maxItems)
	list("make_list_with_nulls", "make_list_with_nulls(expr)", "Array of all the values, nulls included.", 1, 1, "a", false, true, -1, -1, maxItems)
	defAgg("make_bag", "make_bag(expr [, maxSize])", "Merges the property bags of the group (the first value of a key wins).", 1, 2, "yi", fixed(types.Dynamic),
		func([]types.Type) Accumulator { return &bagAcc{bag: types.NewBag(), max: maxItems, maxI: 1, predI: -1} })
	defAgg("make_bag_if", "make_bag_if(expr, predicate [, maxSize])", "Merges the property bags of rows where the predicate is true.", 2, 3, "ybi", fixed(types.Dynamic),
		func([]types.Type) Accumulator { return &bagAcc{bag: types.NewBag(), max: maxItems, maxI: 2, predI: 1} })

	outputsSameAsArgs := func(prefix string) func([]types.Type, []string, []types.Value) ([]types.Column, error) {
		return func(args []types.Type, names []string, _ []types.Value) ([]types.Column, error) {
			cols := make([]types.Column, len(args))
			for i, t := range args {
				n := ""
				if i < len(names) {
					n = names[i]
				}
				if n == "" {
					n = prefix + strconv.Itoa(i)
				}
				if t == types.Null {
					t = types.Dynamic
				}
				cols[i] = types.Column{Name: n, Type: t}
			}
			return cols, nil
		}
	}
	for _, m := range []struct {
		name string
		sign int
	}{{"arg_max", 1}, {"arg_min", -1}} {
		m := m
		a := defAgg(m.name, m.name+"(ExprToMaximize, * | ExprToReturn1, ...)", "The row with the "+map[int]string{1: "largest", -1: "smallest"}[m.sign]+" first argument: that value and the other arguments from the same row.", 1, -1, "oa", sameAs(0),
			func(a []types.Type) Accumulator { return &argAcc{sign: m.sign, types: a} })
		a.Outputs = outputsSameAsArgs(strings.TrimPrefix(m.name, "arg_") + "_")
		aggAlias(strings.ReplaceAll(m.name, "_", ""), m.name)
	}
	ta := defAgg("take_any", "take_any(expr1 [, expr2, ...] | *)", "An arbitrary row's values (the first whose value is not null, for one argument).", 1, -1, "a", sameAs(0),
		func(a []types.Type) Accumulator { return &anyAcc{types: a, predI: -1} })
	ta.Outputs = outputsSameAsArgs("any_")
	aggAlias("any", "take_any")
	// the deprecated any() prefixes its columns with any_, take_any() does not
	aggregates["any"].Outputs = func(args []types.Type, names []string, consts []types.Value) ([]types.Column, error) {
		cols, err := ta.Outputs(args, names, consts)
		for i := range cols {
			if i < len(names) && names[i] != "" {
				cols[i].Name = "any_" + names[i]
			}
		}
		return cols, err
	}
	defAgg("take_anyif", "take_anyif(expr, predicate)", "An arbitrary non-null value from rows where the predicate is true.", 2, 2, "ab", sameAs(0),
		func(a []types.Type) Accumulator { return &anyAcc{types: a[:1], predI: 1} })
	aggAlias("anyif", "take_anyif")

	// percentiles keep the value's type, but an int's is a long and a
	// decimal's a real (Kusto.Language's percentile columns)
	pctType := func(a []types.Type) types.Type {
		switch a[0] {
		case types.Null, types.Dynamic, types.Decimal:
			return types.Real
		case types.Int:
			return types.Long
		}
		return a[0]
	}
	defAgg("percentile", "percentile(expr, percentile)", "The nearest-rank percentile of the values (exact; Kusto estimates).", 2, 2, "on", pctType,
		func(a []types.Type) Accumulator { return &percentileAcc{t: pctType(a), nps: 1, predI: -1} })
	pcts := defAgg("percentiles", "percentiles(expr, percentile1 [, percentile2, ...])", "Several nearest-rank percentiles of the values, one column each.", 2, -1, "on", pctType,
		func(a []types.Type) Accumulator { return &percentileAcc{t: pctType(a), nps: len(a) - 1, predI: -1} })
	pcts.Outputs = func(args []types.Type, names []string, consts []types.Value) ([]types.Column, error) {
		t := pctType(args)
		base := ""
		if len(names) > 0 {
			base = names[0]
		}
		var cols []types.Column
		for i := 1; i < len(args); i++ {
			if i >= len(consts) || !consts[i].Valid {
				return nil, fmt.Errorf("percentiles(): argument %d must be a constant percentage", i+1)
			}
			cols = append(cols, types.Column{Name: "percentile_" + base + "_" + percentName(consts[i]), Type: t})
		}
		return cols, nil
	}
	defAgg("percentiles_array", "percentiles_array(expr, percentile1 [, percentile2, ...] | dynamic([...]))", "Several nearest-rank percentiles of the values as one dynamic array.", 2, -1, "oa", fixed(types.Dynamic),
		func(a []types.Type) Accumulator {
			return &percentileAcc{t: pctType(a), nps: len(a) - 1, array: true, predI: -1}
		})
}
