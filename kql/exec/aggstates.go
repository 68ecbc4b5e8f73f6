package exec

import (
	"hash/maphash"

	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// Typed per-group aggregate states. Each keeps slices indexed by group id
// and grows them as new groups appear.

func growI(s []int64, n int) []int64 {
	for len(s) < n {
		s = append(s, 0)
	}
	return s
}

func growF(s []float64, n int) []float64 {
	for len(s) < n {
		s = append(s, 0)
	}
	return s
}

func growB(s []bool, n int) []bool {
	for len(s) < n {
		s = append(s, false)
	}
	return s
}

func maxGid(gids []int32) int {
	m := int32(-1)
	for _, g := range gids {
		if g > m {
			m = g
		}
	}
	return int(m) + 1
}

// truthy reports whether row i of a bool column is true (null is false).
func truthy(c *table.Column, i int) bool {
	if c.Type != types.Bool {
		v := convert(c.Value(i), types.Bool)
		return !v.IsNull() && v.I != 0
	}
	return c.Ints[i] != 0 && !(c.Nulls != nil && c.Nulls[i])
}

// countState is count() and countif(p).
type countState struct {
	pred     bool
	nonEmpty bool // count(x): rows where x is neither null nor ""
	n        []int64
}

func (s *countState) update(args []*table.Column, gids []int32, lo int) {
	s.n = growI(s.n, maxGid(gids))
	if s.nonEmpty {
		x := args[0]
		for i, g := range gids {
			if !x.IsNull(i) && !(x.Strs != nil && x.Strs[i] == "") {
				s.n[g]++
			}
		}
		return
	}
	if !s.pred {
		for _, g := range gids {
			s.n[g]++
		}
		return
	}
	p := args[0]
	for i, g := range gids {
		if truthy(p, i) {
			s.n[g]++
		}
	}
}

func (s *countState) results(n int) []*table.Column {
	s.n = growI(s.n, n)
	c := newVec("", types.Long, n)
	copy(c.Ints, s.n)
	return []*table.Column{c}
}

// sumState is sum(x) and sumif(x, p); all-null groups sum to 0 as in Kusto.
type sumState struct {
	t    types.Type
	pred bool
	i    []int64
	f    []float64
}

func (s *sumState) update(args []*table.Column, gids []int32, lo int) {
	n := maxGid(gids)
	x := args[0]
	var p *table.Column
	if s.pred {
		p = args[1]
	}
	if isFloat(s.t) {
		s.f = growF(s.f, n)
		for i, g := range gids {
			if x.IsNull(i) || (p != nil && !truthy(p, i)) {
				continue
			}
			s.f[g] += numAt(x, i)
		}
		return
	}
	s.i = growI(s.i, n)
	for i, g := range gids {
		if x.IsNull(i) || (p != nil && !truthy(p, i)) {
			continue
		}
		if x.Ints != nil {
			s.i[g] += x.Ints[i]
		} else {
			s.i[g] += convert(x.Value(i), types.Long).I
		}
	}
}

func numAt(c *table.Column, i int) float64 {
	switch table.Storage(c.Type) {
	case table.StoreReals:
		return c.Reals[i]
	case table.StoreInts:
		return float64(c.Ints[i])
	}
	return convert(c.Value(i), types.Real).F
}

func (s *sumState) results(n int) []*table.Column {
	c := newVec("", s.t, n)
	if isFloat(s.t) {
		s.f = growF(s.f, n)
		copy(c.Reals, s.f)
	} else {
		s.i = growI(s.i, n)
		copy(c.Ints, s.i)
	}
	return []*table.Column{c}
}

// avgState is avg(x) and avgif(x, p).
type avgState struct {
	t    types.Type
	pred bool
	sum  []float64
	n    []int64
}

func (s *avgState) update(args []*table.Column, gids []int32, lo int) {
	k := maxGid(gids)
	s.sum, s.n = growF(s.sum, k), growI(s.n, k)
	x := args[0]
	for i, g := range gids {
		if x.IsNull(i) || (s.pred && !truthy(args[1], i)) {
			continue
		}
		s.sum[g] += numAt(x, i)
		s.n[g]++
	}
}

func (s *avgState) results(n int) []*table.Column {
	s.sum, s.n = growF(s.sum, n), growI(s.n, n)
	c := newVec("", s.t, n)
	for g := 0; g < n; g++ {
		if s.n[g] == 0 {
			setNull(c, g)
			continue
		}
		a := s.sum[g] / float64(s.n[g])
		if isFloat(s.t) {
			c.Reals[g] = a
		} else {
			c.Ints[g] = int64(a)
		}
	}
	return []*table.Column{c}
}

// extremeState is min/max(x) and minif/maxif(x, p); nulls (and empty
// strings) are ignored.
type extremeState struct {
	t    types.Type
	max  bool
	pred bool
	best []types.Value
}

func (s *extremeState) update(args []*table.Column, gids []int32, lo int) {
	for n := maxGid(gids); len(s.best) < n; {
		s.best = append(s.best, types.Value{})
	}
	x := args[0]
	for i, g := range gids {
		if x.IsNull(i) || (s.pred && !truthy(args[1], i)) {
			continue
		}
		s.offer(int(g), x, i)
	}
}

func (s *extremeState) offer(g int, x *table.Column, i int) {
	cur := &s.best[g]
	switch table.Storage(x.Type) {
	case table.StoreInts:
		v := x.Ints[i]
		if !cur.Valid || (s.max && v > cur.I) || (!s.max && v < cur.I) {
			*cur = types.Value{Type: x.Type, Valid: true, I: v}
		}
	case table.StoreReals:
		v := x.Reals[i]
		if v != v {
			return
		}
		if !cur.Valid || (s.max && v > cur.F) || (!s.max && v < cur.F) {
			*cur = types.Value{Type: x.Type, Valid: true, F: v}
		}
	case table.StoreStrs:
		v := x.Strs[i]
		if v == "" {
			return
		}
		if !cur.Valid || (s.max && v > cur.S) || (!s.max && v < cur.S) {
			*cur = types.Value{Type: x.Type, Valid: true, S: v}
		}
	}
}

func (s *extremeState) results(n int) []*table.Column {
	c := newVec("", s.t, n)
	for g := 0; g < n; g++ {
		if g >= len(s.best) || !s.best[g].Valid {
			setNull(c, g)
			continue
		}
		setVal(c, g, s.best[g])
	}
	return []*table.Column{c}
}

// dcountState is dcount/dcountif. Values are counted exactly by their
// 64-bit hash (Kusto estimates with HyperLogLog; a hash collision is far
// rarer than its estimation error): each (group, value hash) pair goes into
// one open-addressing set, and a dictionary-encoded column hashes each
// distinct string once.
type dcountState struct {
	pred   bool
	pairs  u64set
	counts []int64
	buf    []byte
	dict   []string // the dictionary dictHash belongs to
	dhash  []uint64
}

var dcountSeed = maphash.MakeSeed()

// pairKey mixes a group into a value hash.
func pairKey(g int32, h uint64) uint64 { return h + uint64(g+1)*0x9E3779B97F4A7C15 }

func (s *dcountState) update(args []*table.Column, gids []int32, lo int) {
	s.counts = growI(s.counts, maxGid(gids))
	x := args[0]
	coded := strCoded(x)
	if coded && !sameDict(s.dict, x.Dict) {
		s.dict = x.Dict
		s.dhash = make([]uint64, len(x.Dict))
		for i, v := range x.Dict {
			s.dhash[i] = maphash.String(dcountSeed, v)
		}
	}
	one := []*table.Column{x}
	for i, g := range gids {
		if x.IsNull(i) || (x.Type == types.String && x.Strs[i] == "") || (s.pred && !truthy(args[1], i)) {
			continue
		}
		var h uint64
		switch {
		case coded:
			h = s.dhash[x.Codes[i]]
		case table.Storage(x.Type) == table.StoreStrs:
			h = maphash.String(dcountSeed, x.Strs[i])
		default:
			s.buf = encodeKey(s.buf[:0], one, i)
			h = maphash.Bytes(dcountSeed, s.buf)
		}
		if s.pairs.add(pairKey(g, h)) {
			s.counts[g]++
		}
	}
}

func (s *dcountState) results(n int) []*table.Column {
	c := newVec("", types.Long, n)
	copy(c.Ints, s.counts)
	return []*table.Column{c}
}

// argState keeps, per group, the row with the extreme ordering value
// (arg_max/arg_min; the first such row on ties) or simply the first row
// (take_any), plus the values of expression outputs at that row.
type argState struct {
	max        bool
	first      bool
	extraTypes []types.Type
	row        []int64
	has        []bool
	best       []types.Value
	extras     [][]types.Value
}

func (s *argState) grow(n int) {
	for len(s.row) < n {
		s.row = append(s.row, 0)
		s.has = append(s.has, false)
		s.best = append(s.best, types.Value{})
		s.extras = append(s.extras, nil)
	}
}

func (s *argState) update(args []*table.Column, gids []int32, lo int) {
	s.grow(maxGid(gids))
	x := args[0]
	if !s.first && len(args) == 1 && table.Storage(x.Type) == table.StoreInts {
		// typed comparison of ints, datetimes and timespans
		for i, g := range gids {
			if x.Nulls != nil && x.Nulls[i] {
				continue
			}
			v := x.Ints[i]
			if s.has[g] {
				b := s.best[g].I
				if s.max && v <= b || !s.max && v >= b {
					continue
				}
			}
			s.best[g] = types.Value{Type: x.Type, Valid: true, I: v}
			s.has[g] = true
			s.row[g] = int64(lo + i)
		}
		return
	}
	for i, g := range gids {
		if s.first {
			if s.has[g] {
				continue
			}
		} else {
			if x.IsNull(i) {
				continue
			}
			if s.has[g] {
				c := compareValues(x.Value(i), s.best[g])
				if (s.max && c <= 0) || (!s.max && c >= 0) {
					continue
				}
			}
			s.best[g] = x.Value(i)
		}
		s.has[g] = true
		s.row[g] = int64(lo + i)
		if len(args) > 1 {
			ex := make([]types.Value, len(args)-1)
			for j := 1; j < len(args); j++ {
				ex[j-1] = args[j].Value(i)
			}
			s.extras[g] = ex
		}
	}
}

func (s *argState) results(n int) []*table.Column {
	s.grow(n)
	rows := newVec("", types.Long, n)
	out := []*table.Column{rows}
	for _, t := range s.extraTypes {
		out = append(out, newVec("", t, n))
	}
	for g := 0; g < n; g++ {
		if !s.has[g] {
			setNull(rows, g)
			for j := range s.extraTypes {
				setNull(out[1+j], g)
			}
			continue
		}
		rows.Ints[g] = s.row[g]
		for j := range s.extraTypes {
			setVal(out[1+j], g, s.extras[g][j])
		}
	}
	return out
}

// registryState drives kql/functions accumulators, one per group.
type registryState struct {
	agg      *functions.Aggregate
	argTypes []types.Type
	outTypes []types.Type
	accs     []functions.Accumulator
}

func (s *registryState) update(args []*table.Column, gids []int32, lo int) {
	for n := maxGid(gids); len(s.accs) < n; {
		s.accs = append(s.accs, nil)
	}
	for i, g := range gids {
		if s.accs[g] == nil {
			s.accs[g] = s.agg.New(s.argTypes)
		}
		vals := make([]types.Value, len(args))
		for j, a := range args {
			vals[j] = a.Value(i)
		}
		s.accs[g].Add(vals)
	}
}

func (s *registryState) results(n int) []*table.Column {
	out := make([]*table.Column, len(s.outTypes))
	for j, t := range s.outTypes {
		out[j] = newVec("", t, n)
	}
	for g := 0; g < n; g++ {
		var acc functions.Accumulator
		if g < len(s.accs) {
			acc = s.accs[g]
		}
		if acc == nil {
			acc = s.agg.New(s.argTypes)
		}
		if ma, ok := acc.(functions.MultiAccumulator); ok && len(out) > 1 {
			vals := ma.Results()
			for j := range out {
				if j < len(vals) {
					setVal(out[j], g, vals[j])
				} else {
					setNull(out[j], g)
				}
			}
			continue
		}
		setVal(out[0], g, acc.Result())
	}
	return out
}

// makeSetStr is make_set of a string column: each (group, value hash)
// pair goes into one open-addressing set, as dcount's do (a 64-bit hash
// collision is far rarer than anything a hunt would notice), and each group
// lists its values in order of first appearance, as the registry's make_set
// does. A dictionary-encoded column hashes each distinct string once; rows
// with or without a dictionary mix freely.
type makeSetStr struct {
	max   int
	pairs u64set
	lists [][]string
	dict  []string // the dictionary dhash belongs to
	dhash []uint64
}

func (s *makeSetStr) update(args []*table.Column, gids []int32, lo int) {
	x := args[0]
	coded := strCoded(x)
	if coded && !sameDict(s.dict, x.Dict) {
		s.dict = x.Dict
		s.dhash = make([]uint64, len(x.Dict))
		for i, v := range x.Dict {
			s.dhash[i] = maphash.String(dcountSeed, v)
		}
	}
	for n := maxGid(gids); len(s.lists) < n; {
		s.lists = append(s.lists, nil)
	}
	for i, g := range gids {
		if len(s.lists[g]) >= s.max || x.IsNull(i) {
			continue
		}
		var h uint64
		if coded {
			h = s.dhash[x.Codes[i]]
		} else {
			h = maphash.String(dcountSeed, x.Strs[i])
		}
		if s.pairs.add(pairKey(g, h)) {
			s.lists[g] = append(s.lists[g], x.Strs[i])
		}
	}
}

func (s *makeSetStr) results(n int) []*table.Column {
	c := newVec("", types.Dynamic, n)
	for g := 0; g < n; g++ {
		var l []string
		if g < len(s.lists) {
			l = s.lists[g]
		}
		arr := make([]any, len(l))
		for i, v := range l {
			arr[i] = v
		}
		c.Dyns[g] = arr
	}
	return []*table.Column{c}
}
