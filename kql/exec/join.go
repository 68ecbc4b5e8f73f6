package exec

import (
	"hash/maphash"
	"strings"
	"sync"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// joinKeys resolves a join's on-clause to pairs of left and right key
// expressions: "on A" (same name both sides), "on $left.A == $right.B",
// combined with "and" or commas.
func (r *runner) joinKeys(on []ast.Expr, left, right *table.Table) (lk, rk []*cexpr, err error) {
	lc := r.compiler(left.Schema())
	rc := r.compiler(right.Schema())
	var add func(e ast.Expr) error
	add = func(e ast.Expr) error {
		switch x := e.(type) {
		case *ast.ParenExpr:
			return add(x.X)
		case *ast.Ident:
			if left.Column(x.Name) == nil || right.Column(x.Name) == nil {
				return r.errorf(x.Pos(), "join key '%s' must be a column of both sides", x.Name)
			}
			l, err := lc.compile(x)
			if err != nil {
				return err
			}
			rr, err := rc.compile(x)
			if err != nil {
				return err
			}
			lk, rk = append(lk, l), append(rk, rr)
			return nil
		case *ast.BinaryExpr:
			if x.Op == token.IDENT && strings.EqualFold(x.Word, "and") {
				if err := add(x.X); err != nil {
					return err
				}
				return add(x.Y)
			}
			if x.Op != token.EQL {
				return r.unsupported(x.OpPos, "join condition with "+x.Op.String()+"; only == between $left and $right")
			}
			a, aside, err := sideRef(x.X)
			if err != nil {
				return r.errorf(x.X.Pos(), "%v", err)
			}
			b, bside, err := sideRef(x.Y)
			if err != nil {
				return r.errorf(x.Y.Pos(), "%v", err)
			}
			if aside == bside {
				return r.errorf(x.Pos(), "a join condition compares $left with $right")
			}
			if aside == "$right" {
				a, b = b, a
			}
			l, err := lc.compile(a)
			if err != nil {
				return err
			}
			rr, err := rc.compile(b)
			if err != nil {
				return err
			}
			lk, rk = append(lk, l), append(rk, rr)
			return nil
		}
		return r.unsupported(e.Pos(), "this join condition")
	}
	for _, e := range on {
		if err := add(e); err != nil {
			return nil, nil, err
		}
	}
	if len(lk) == 0 {
		return nil, nil, r.errorf(0, "join needs an on clause")
	}
	return lk, rk, nil
}

// sideRef unpacks $left.X / $right.X into X and the side.
func sideRef(e ast.Expr) (ast.Expr, string, error) {
	if p, ok := e.(*ast.ParenExpr); ok {
		return sideRef(p.X)
	}
	sel, ok := e.(*ast.SelectorExpr)
	if ok {
		if id, ok := sel.X.(*ast.Ident); ok && (id.Name == "$left" || id.Name == "$right") {
			return sel.Sel, id.Name, nil
		}
	}
	return nil, "", errString("join conditions compare $left.Column with $right.Column")
}

type errString string

func (e errString) Error() string { return string(e) }

var joinSeed = maphash.MakeSeed()

// keyHashes hashes join keys in parallel chunks.
func (r *runner) keyHashes(keys []string) ([]uint64, error) {
	hs := make([]uint64, len(keys))
	touched := make([]byte, numChunks(len(keys), false))
	err := r.forChunks(len(keys), false, func(ci, lo, hi int) error {
		var sink byte
		for b := lo; b < hi; b += touchBlock {
			e := min(b+touchBlock, hi)
			sink ^= touchStrings(keys[b:e])
			for i := b; i < e; i++ {
				hs[i] = maphash.String(joinSeed, keys[i])
			}
		}
		touched[ci] = sink
		return nil
	})
	return hs, err
}

// touchBlock is how many keys touchStrings reads ahead of their hashing.
const touchBlock = 64

// touchStrings reads the first and last byte of each string and returns
// them folded (for the caller to keep, so the reads stay). The reads are
// independent, so their cache misses overlap, where hashing the strings
// one after another waits for each miss in turn: the keys of a filtered
// column lie far apart in memory, and hashing them touched first measured
// twice as fast.
func touchStrings(ss []string) byte {
	var x byte
	for _, s := range ss {
		if len(s) > 0 {
			x ^= s[0] ^ s[len(s)-1]
		}
	}
	return x
}

// plainKeys evaluates a string key expression; its strings are the keys,
// and every row has one (ok is nil).
func (r *runner) plainKeys(t *table.Table, key *cexpr) ([]string, []bool, error) {
	cols, err := r.evalCols(t, []*cexpr{key})
	if err != nil {
		return nil, nil, err
	}
	return cols[0].Strs, nil, nil
}

// keyStrings evaluates key expressions over a table and encodes each
// row's values as one string key; ok is false for rows with a null key,
// which never match.
func (r *runner) keyStrings(t *table.Table, keys []*cexpr) ([]string, []bool, error) {
	cols, err := r.evalCols(t, keys)
	if err != nil {
		return nil, nil, err
	}
	n := t.Rows()
	out := make([]string, n)
	ok := make([]bool, n)
	err = r.forChunks(n, false, func(_, lo, hi int) error {
		vals := make([]types.Value, len(cols))
		var buf []byte
		for i := lo; i < hi; i++ {
			for j, c := range cols {
				vals[j] = c.Value(i)
			}
			var good bool
			buf, good = keyOfValues(buf[:0], vals)
			if good {
				out[i] = string(buf)
				ok[i] = true
			}
		}
		return nil
	})
	return out, ok, err
}

func (r *runner) join(o *ast.JoinOp, left *table.Table) (*table.Table, error) {
	return r.joinOrCount(o, left, nil)
}

// joinCount is the number of rows join o would produce, found without
// materialising them: a self join on a common key can count millions of
// rows that count or summarize count() never read.
func (r *runner) joinCount(o *ast.JoinOp, left *table.Table) (int64, error) {
	var n int64
	_, err := r.joinOrCount(o, left, &n)
	return n, err
}

// joinOrCount joins, or when counter is set only counts the output rows
// into it (and returns no table).
func (r *runner) joinOrCount(o *ast.JoinOp, left *table.Table, counter *int64) (*table.Table, error) {
	right, err := r.evalTab(o.Right)
	if err != nil {
		return nil, err
	}
	if o.Where != nil {
		return nil, r.unsupported(o.Where.Pos(), "join ... where")
	}
	kind := strings.ToLower(o.Kind)
	if kind == "" {
		kind = "innerunique"
	}
	switch kind {
	case "anti", "leftantisemi":
		kind = "leftanti"
	case "rightantisemi":
		kind = "rightanti"
	}
	lk, rk, err := r.joinKeys(o.On, left, right)
	if err != nil {
		return nil, r.wrap(o.Pos(), err)
	}
	return r.hashJoin(o.Pos(), kind, left, right, lk, rk, false, counter)
}

// hashJoin builds on the right side and probes with the left in parallel
// chunks. lookupMode drops the right key columns from the output (lookup).
// With counter set it only counts the output rows into *counter (no
// pairs kept, so no memory budget applies) and returns a nil table.
func (r *runner) hashJoin(pos token.Pos, kind string, left, right *table.Table, lk, rk []*cexpr, lookupMode bool, counter *int64) (*table.Table, error) {
	switch kind {
	case "inner", "innerunique", "leftouter", "rightouter", "fullouter", "leftanti", "rightanti", "leftsemi", "rightsemi":
	default:
		return nil, r.errorf(pos, "unknown join kind '%s'", kind)
	}
	var lkeys, rkeys []string
	var lok, rok []bool
	var err error
	if len(lk) == 1 && lk[0].typ == types.String && rk[0].typ == types.String {
		// one string key a side: the strings themselves are the keys
		// (strings are never null, and "" matches "" as Kusto does)
		if lkeys, lok, err = r.plainKeys(left, lk[0]); err != nil {
			return nil, err
		}
		if rkeys, rok, err = r.plainKeys(right, rk[0]); err != nil {
			return nil, err
		}
	} else {
		if lkeys, lok, err = r.keyStrings(left, lk); err != nil {
			return nil, err
		}
		if rkeys, rok, err = r.keyStrings(right, rk); err != nil {
			return nil, err
		}
	}
	rh, err := r.keyHashes(rkeys)
	if err != nil {
		return nil, err
	}
	lh, err := r.keyHashes(lkeys)
	if err != nil {
		return nil, err
	}
	// innerunique keeps one left row per key (the first)
	var lrows []int
	if kind == "innerunique" {
		// a left row is kept when it heads its key's chain (its first row)
		lt, err := r.buildJoinTable(lkeys, lh, lok)
		if err != nil {
			return nil, err
		}
		heads, err := r.probeFirst(lt, lkeys, lh, lok, nil)
		if err != nil {
			return nil, err
		}
		lrows = make([]int, 0, len(lkeys))
		for i, h := range heads {
			if h == int32(i) {
				lrows = append(lrows, i)
			}
		}
	}
	// the build side: each key's first right row, chained through next[j]
	// (-1 ends)
	bt, err := r.buildJoinTable(rkeys, rh, rok)
	if err != nil {
		return nil, err
	}
	// each probe's first match (probes are lrows when set, else every
	// left row)
	first, err := r.probeFirst(bt, lkeys, lh, lok, lrows)
	if err != nil {
		return nil, err
	}
	nl := len(first)
	// counting the rows of a join that keeps pairs (inner, outer) needs
	// only the chain lengths; the semi and anti kinds keep no pairs anyway
	var chainLen, headOf []int32
	counting := false
	switch kind {
	case "inner", "innerunique", "leftouter", "rightouter", "fullouter":
		counting = counter != nil
	}
	outerLeft := kind == "leftouter" || kind == "fullouter"
	outerRight := kind == "rightouter" || kind == "fullouter"
	if counting {
		chainLen, headOf = bt.chains()
	}
	// probe
	nc := numChunks(nl, false)
	type part struct {
		li, ri []int
		n      int64 // output rows, when counting
	}
	parts := make([]part, nc)
	rightMatched := make([]bool, right.Rows())
	var mu sync.Mutex
	rowWidth := int64(len(left.Columns)+len(right.Columns)) * 16
	budget := r.sess.opts.MemoryBudget
	var produced int64
	err = r.forChunks(nl, false, func(ci, lo, hi int) error {
		var p part
		var matched []int
		// check the context and the budget every so many produced pairs,
		// so that a many-to-many key cannot run away between checks
		const every = 1 << 14
		nextCheck := every
		check := func() error {
			nextCheck = len(p.li) + len(matched) + every
			mu.Lock()
			over := (produced+int64(len(p.li)))*rowWidth > budget
			mu.Unlock()
			if over {
				return r.errorf(pos, "join exceeds the memory budget of %d bytes; narrow the inputs or the keys", budget)
			}
			return r.ctx.Err()
		}
		var ms []int
		for k := lo; k < hi; k++ {
			i := k
			if lrows != nil {
				i = lrows[k]
			}
			if counting {
				// a key's matches are its chain: count them, mark its head
				h := first[k]
				switch {
				case h >= 0:
					p.n += int64(chainLen[h])
					if outerRight {
						matched = append(matched, int(h))
					}
				case outerLeft:
					p.n++
				}
				if k%4096 == 0 {
					if err := r.ctx.Err(); err != nil {
						return err
					}
				}
				continue
			}
			ms = ms[:0]
			for j := first[k]; j >= 0; j = bt.next[j] {
				ms = append(ms, int(j))
			}
			switch kind {
			case "leftanti":
				if len(ms) == 0 {
					p.li = append(p.li, i)
				}
			case "leftsemi":
				if len(ms) > 0 {
					p.li = append(p.li, i)
				}
			case "rightanti", "rightsemi":
				matched = append(matched, ms...)
			default:
				for n, j := range ms {
					p.li = append(p.li, i)
					p.ri = append(p.ri, j)
					if n%every == every-1 {
						if err := check(); err != nil {
							return err
						}
					}
				}
				if len(ms) == 0 && (kind == "leftouter" || kind == "fullouter") {
					p.li = append(p.li, i)
					p.ri = append(p.ri, -1)
				}
				if kind == "rightouter" || kind == "fullouter" {
					matched = append(matched, ms...)
				}
			}
			if len(p.li)+len(matched) >= nextCheck || k%4096 == 0 {
				if err := check(); err != nil {
					return err
				}
			}
		}
		mu.Lock()
		produced += int64(len(p.li))
		over := produced*rowWidth > budget
		for _, j := range matched {
			rightMatched[j] = true
		}
		mu.Unlock()
		if over {
			return r.errorf(pos, "join exceeds the memory budget of %d bytes; narrow the inputs or the keys", budget)
		}
		parts[ci] = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	// one copy of the chunks' pairs, into slices of their total size
	nli, nri := 0, 0
	for _, p := range parts {
		nli += len(p.li)
		nri += len(p.ri)
	}
	li, ri := make([]int, 0, nli), make([]int, 0, nri)
	var counted int64
	for _, p := range parts {
		li = append(li, p.li...)
		ri = append(ri, p.ri...)
		counted += p.n
	}
	if counter != nil {
		switch kind {
		case "leftanti", "leftsemi":
			counted = int64(len(li))
		case "rightanti", "rightsemi":
			counted = 0
			for _, m := range rightMatched {
				if m == (kind == "rightsemi") {
					counted++
				}
			}
		case "rightouter", "fullouter":
			// matched marks the heads of matched keys: a row is matched
			// when its chain's head is
			for _, h := range headOf {
				if h < 0 || !rightMatched[h] {
					counted++
				}
			}
		}
		*counter = counted
		return nil, nil
	}
	switch kind {
	case "leftanti", "leftsemi":
		return r.gatherPar(left, li)
	case "rightanti", "rightsemi":
		want := kind == "rightsemi"
		var rows []int
		for j, m := range rightMatched {
			if m == want {
				rows = append(rows, j)
			}
		}
		return r.gatherPar(right, rows)
	case "rightouter", "fullouter":
		for j, m := range rightMatched {
			if !m {
				li = append(li, -1)
				ri = append(ri, j)
			}
		}
	}
	lt, err := r.gatherPar(left, li)
	if err != nil {
		return nil, err
	}
	skip := map[int]bool{}
	if lookupMode {
		for _, k := range rk {
			if k.col >= 0 {
				skip[k.col] = true
			}
		}
	}
	rsub := &table.Table{}
	var rsrc []int
	for j, c := range right.Columns {
		if !skip[j] {
			rsub.Columns = append(rsub.Columns, c)
			rsrc = append(rsrc, j)
		}
	}
	rt, err := r.gatherPar(rsub, ri)
	if err != nil {
		return nil, err
	}
	if lookupMode && (kind == "rightouter" || kind == "fullouter") {
		// unmatched right rows take their key values into the left key columns
		for k, key := range lk {
			if key.col < 0 || rk[k].col < 0 {
				continue
			}
			lc := lt.Columns[key.col]
			src := right.Columns[rk[k].col]
			for i, l := range li {
				if l < 0 {
					setVal(lc, i, convert(src.Value(ri[i]), lc.Type))
				}
			}
		}
	}
	out := &table.Table{Name: left.Name, Columns: append([]*table.Column(nil), lt.Columns...)}
	used := map[string]bool{}
	for _, c := range out.Columns {
		used[c.Name] = true
	}
	for _, c := range rt.Columns {
		name := uniqueName(c.Name, used)
		used[name] = true
		out.Columns = append(out.Columns, renamed(c, name))
	}
	return out, nil
}

// lookup is lookup [kind=leftouter|inner] (Right) on keys: a join whose
// right key columns are not repeated.
func (r *runner) lookup(o *ast.LookupOp, left *table.Table) (*table.Table, error) {
	right, err := r.evalTab(o.Right)
	if err != nil {
		return nil, err
	}
	kind := strings.ToLower(o.Kind)
	switch kind {
	case "", "leftouter":
		kind = "leftouter"
	case "inner":
	default:
		return nil, r.errorf(o.Pos(), "lookup kind must be leftouter or inner, got '%s'", o.Kind)
	}
	lk, rk, err := r.joinKeys(o.On, left, right)
	if err != nil {
		return nil, r.wrap(o.Pos(), err)
	}
	return r.hashJoin(o.Pos(), kind, left, right, lk, rk, true, nil)
}

// union concatenates tables; kind=outer (default) merges schemas by
// column name (a name with different types becomes Name_type per type),
// kind=inner keeps only the columns every table has.
func (r *runner) union(o *ast.UnionOp, in *table.Table) (*table.Table, error) {
	kind := "outer"
	fuzzy := false
	for _, p := range o.Params {
		if len(p.Names) != 1 {
			continue
		}
		switch strings.ToLower(p.Names[0].Name) {
		case "kind":
			if id, ok := p.Value.(*ast.Ident); ok {
				kind = strings.ToLower(id.Name)
			}
		case "isfuzzy":
			ce, err := r.compiler(nil).compile(p.Value)
			if err != nil {
				return nil, err
			}
			fuzzy = ce.isConst && ce.val.Bool()
		}
	}
	type src struct {
		name string
		t    *table.Table
	}
	var srcs []src
	if in != nil {
		srcs = append(srcs, src{in.Name, in})
	}
	for _, e := range o.Tables {
		switch x := e.(type) {
		case *ast.WildcardIdent:
			var names []string
			if r.sess.cat != nil {
				for _, n := range r.sess.cat.TableNames() {
					if ok, _ := matchWildcard(x.Pattern, n); ok {
						names = append(names, n)
					}
				}
			}
			for _, n := range names {
				t, err := r.tableRef(&ast.Ident{NamePos: x.NamePos, Name: n, EndPos: x.EndPos})
				if err != nil {
					return nil, err
				}
				srcs = append(srcs, src{n, t})
			}
			continue
		case *ast.StarExpr:
			if r.sess.cat != nil {
				for _, n := range r.sess.cat.TableNames() {
					t, err := r.tableRef(&ast.Ident{NamePos: x.Star, Name: n})
					if err != nil {
						return nil, err
					}
					srcs = append(srcs, src{n, t})
				}
			}
			continue
		}
		t, err := r.evalTab(e)
		if err != nil {
			if fuzzy {
				r.warnings = append(r.warnings, "union isfuzzy=true left out a leg: "+err.Error())
				continue
			}
			return nil, err
		}
		name := t.Name
		if id, ok := e.(*ast.Ident); ok {
			name = id.Name
		} else if name == "" {
			name = "union_arg" + itoa(len(srcs))
		}
		srcs = append(srcs, src{name, t})
	}
	// merged schema
	type colKey struct {
		name string
		t    types.Type
	}
	var order []colKey
	seen := map[colKey]bool{}
	typesOf := map[string]map[types.Type]bool{}
	count := map[colKey]int{}
	for _, s := range srcs {
		for _, c := range s.t.Columns {
			k := colKey{c.Name, c.Type}
			count[k]++
			if !seen[k] {
				seen[k] = true
				order = append(order, k)
				if typesOf[c.Name] == nil {
					typesOf[c.Name] = map[types.Type]bool{}
				}
				typesOf[c.Name][c.Type] = true
			}
		}
	}
	outName := func(k colKey) string {
		if len(typesOf[k.name]) > 1 {
			return k.name + "_" + k.t.String()
		}
		return k.name
	}
	var keep []colKey
	for _, k := range order {
		if kind == "inner" && count[k] != len(srcs) {
			continue
		}
		keep = append(keep, k)
	}
	out := &table.Table{}
	if o.WithSource != nil {
		parts := make([]*table.Column, len(srcs))
		for i, s := range srcs {
			parts[i] = constVec("", types.NewString(s.name), types.String, s.t.Rows())
		}
		out.Columns = append(out.Columns, concatCols(o.WithSource.Name, types.String, parts))
	}
	for _, k := range keep {
		parts := make([]*table.Column, len(srcs))
		for i, s := range srcs {
			var col *table.Column
			for _, c := range s.t.Columns {
				if c.Name == k.name && c.Type == k.t {
					col = c
					break
				}
			}
			if col == nil {
				col = constVec("", types.NullOf(k.t), k.t, s.t.Rows())
			}
			parts[i] = col
		}
		out.Columns = append(out.Columns, concatCols(outName(k), k.t, parts))
	}
	return out, nil
}
