package exec

import (
	"regexp"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// strPred is a string operator as a predicate over (haystack, needle).
type strPred func(hay, needle string) bool

var strOps = map[string]strPred{
	"=~":            functions.EqualsIgnoreCase,
	"has":           func(h, n string) bool { return functions.Has(h, n, false) },
	"has_cs":        func(h, n string) bool { return functions.Has(h, n, true) },
	"hasprefix":     func(h, n string) bool { return functions.HasPrefix(h, n, false) },
	"hasprefix_cs":  func(h, n string) bool { return functions.HasPrefix(h, n, true) },
	"hassuffix":     func(h, n string) bool { return functions.HasSuffix(h, n, false) },
	"hassuffix_cs":  func(h, n string) bool { return functions.HasSuffix(h, n, true) },
	"contains":      func(h, n string) bool { return functions.Contains(h, n, false) },
	"contains_cs":   func(h, n string) bool { return functions.Contains(h, n, true) },
	"startswith":    func(h, n string) bool { return functions.StartsWith(h, n, false) },
	"startswith_cs": func(h, n string) bool { return functions.StartsWith(h, n, true) },
	"endswith":      func(h, n string) bool { return functions.EndsWith(h, n, false) },
	"endswith_cs":   func(h, n string) bool { return functions.EndsWith(h, n, true) },
}

// stringOp compiles =~, !~, has, !has, contains, startswith, matches regex
// and the rest: both sides are taken as strings (tostring), the result is
// never null.
func (c *compiler) stringOp(pos token.Pos, op string, a, b *cexpr) (*cexpr, error) {
	neg := false
	name := op
	switch {
	case op == "!~":
		neg, name = true, "=~"
	case strings.HasPrefix(op, "!"):
		neg, name = true, op[1:]
	}
	if name == "matches regex" {
		if !b.isConst {
			return c.regexPerRow(pos, a, b, neg), nil
		}
		re, err := regexp.Compile(functions.ToString(b.val))
		if err != nil {
			return nil, c.r.errorf(pos, "invalid regular expression %q: %v", functions.ToString(b.val), err)
		}
		return strPredExpr(a, func(h string) bool { return re.MatchString(h) != neg }), nil
	}
	pred, ok := strOps[name]
	if !ok {
		return nil, c.r.unsupported(pos, "operator "+op)
	}
	if b.isConst {
		needle := functions.ToString(b.val)
		return strPredExpr(a, func(h string) bool { return pred(h, needle) != neg }), nil
	}
	return rowwise(types.Bool, []*cexpr{a, b}, func(v []types.Value) (types.Value, error) {
		return types.NewBool(pred(functions.ToString(v[0]), functions.ToString(v[1])) != neg), nil
	}), nil
}

// regexPerRow is matches regex with a pattern computed per row (often a
// column extended with one constant): each distinct pattern compiles once
// per chunk; an invalid pattern is an error naming it.
func (c *compiler) regexPerRow(pos token.Pos, a, b *cexpr, neg bool) *cexpr {
	ce := &cexpr{typ: types.Bool, col: -1, serial: a.serial || b.serial}
	ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
		hay, err := a.vec(in, lo, hi)
		if err != nil {
			return nil, err
		}
		pat, err := b.vec(in, lo, hi)
		if err != nil {
			return nil, err
		}
		cache := map[string]*regexp.Regexp{}
		out := newVec("", types.Bool, hi-lo)
		for i := range out.Ints {
			p := functions.ToString(pat.Value(i))
			re, ok := cache[p]
			if !ok {
				if re, err = regexp.Compile(p); err != nil {
					return nil, c.r.errorf(pos, "invalid regular expression %q: %v", p, err)
				}
				cache[p] = re
			}
			if re.MatchString(functions.ToString(hay.Value(i))) != neg {
				out.Ints[i] = 1
			}
		}
		return out, nil
	}
	return ce
}

// strPredExpr applies a string predicate to each row of a. Hunting columns
// repeat values heavily, so results are memoised per chunk for short
// strings.
func strPredExpr(a *cexpr, f func(string) bool) *cexpr {
	if a.isConst {
		return constExpr(types.NewBool(f(functions.ToString(a.val))))
	}
	ce := &cexpr{typ: types.Bool, col: -1, serial: a.serial}
	ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
		col, err := a.eval(in, lo, hi)
		if err != nil {
			return nil, err
		}
		if keep := strPredCodes(col, f); keep != nil {
			out := newVec("", types.Bool, hi-lo)
			for i, c := range col.Codes {
				if keep[c] == 2 {
					out.Ints[i] = 1
				}
			}
			return out, nil
		}
		return strPredVec(col, f, hi-lo), nil
	}
	ce.sel = func(in *table.Table, lo, hi int) ([]int, bool, error) {
		col, err := a.eval(in, lo, hi)
		if err != nil {
			return nil, false, err
		}
		keep := strPredCodes(col, f)
		if keep == nil {
			return trueRows(strPredVec(col, f, hi-lo), lo), true, nil
		}
		// rows straight from the codes: no per-row bool column between
		k := 0
		for _, c := range col.Codes {
			if keep[c] == 2 {
				k++
			}
		}
		rows := make([]int, 0, k)
		for i, c := range col.Codes {
			if keep[c] == 2 {
				rows = append(rows, lo+i)
			}
		}
		return rows, true, nil
	}
	return ce
}

// strPredCodes evaluates f once per dictionary entry a coded column's rows
// use (1 false, 2 true, 0 unused), or returns nil when col is not coded or
// its dictionary is too large next to its rows to be worth it.
func strPredCodes(col *table.Column, f func(string) bool) []uint8 {
	if !strCoded(col) || len(col.Dict) > 4*len(col.Codes) {
		return nil
	}
	memo := make([]uint8, len(col.Dict))
	for _, c := range col.Codes {
		if memo[c] == 0 {
			memo[c] = 1
			if f(col.Dict[c]) {
				memo[c] = 2
			}
		}
	}
	return memo
}

// strPredVec is f over the n rows of an uncoded column as a bool column.
func strPredVec(col *table.Column, f func(string) bool, n int) *table.Column {
	out := newVec("", types.Bool, n)
	if col.Type == types.String {
		memo := map[string]bool{}
		for i, s := range col.Strs {
			r, ok := memo[s]
			if !ok {
				r = f(s)
				if len(memo) < 4096 {
					memo[s] = r
				}
			}
			if r {
				out.Ints[i] = 1
			}
		}
		return out
	}
	for i := 0; i < n; i++ {
		if f(functions.ToString(col.Value(i))) {
			out.Ints[i] = 1
		}
	}
	return out
}

// in compiles in, !in, in~, !in~, has_any, has_all.
func (c *compiler) in(x *ast.InExpr) (*cexpr, error) {
	a, err := c.compile(x.X)
	if err != nil {
		return nil, err
	}
	items, dynamicItems, err := c.inList(x)
	if err != nil {
		return nil, err
	}
	op := strings.ToLower(x.Op)
	switch op {
	case "has_any", "has_all", "!has_any":
		return c.hasAny(x.OpPos, op, a, items, dynamicItems)
	case "in", "!in", "in~", "!in~":
	default:
		return nil, c.r.unsupported(x.OpPos, "operator "+x.Op)
	}
	neg := strings.HasPrefix(op, "!")
	fold := strings.HasSuffix(op, "~")
	if dynamicItems != nil {
		return inPerRow(a, items, dynamicItems, neg, fold), nil
	}
	if a.typ == types.String || a.typ == types.GUID || fold {
		set := map[string]bool{}
		for _, v := range items {
			s := functions.ToString(v)
			if fold {
				s = strings.ToLower(s)
			}
			set[s] = true
		}
		return strPredExpr(a, func(h string) bool {
			if fold {
				h = strings.ToLower(h)
			}
			return set[h] != neg
		}), nil
	}
	return rowwise(types.Bool, []*cexpr{a}, func(v []types.Value) (types.Value, error) {
		if v[0].IsNull() {
			return types.NewBool(neg), nil
		}
		for _, it := range items {
			if !it.IsNull() && equalValues(v[0], it) {
				return types.NewBool(!neg), nil
			}
		}
		return types.NewBool(neg), nil
	}), nil
}

// inList evaluates the right side of an in-like operator: constants,
// dynamic arrays (flattened) and tabular subqueries (first column). When an
// element is not constant, the compiled elements are returned instead.
func (c *compiler) inList(x *ast.InExpr) ([]types.Value, []*cexpr, error) {
	var out []types.Value
	var nonConst []*cexpr
	add := func(v types.Value) {
		if v.Type == types.Dynamic {
			if arr, ok := v.D.([]any); ok {
				for _, e := range arr {
					out = append(out, types.NewDynamic(e))
				}
				return
			}
		}
		out = append(out, v)
	}
	for _, e := range x.List {
		if c.r.isTabular(e, c.sc) {
			t, err := c.r.evalTabIn(e, c.sc)
			if err != nil {
				return nil, nil, err
			}
			if len(t.Columns) == 0 {
				continue
			}
			col := t.Columns[0]
			for i := 0; i < col.Len(); i++ {
				add(col.Value(i))
			}
			continue
		}
		ce, err := c.compile(e)
		if err != nil {
			return nil, nil, err
		}
		if !ce.isConst {
			nonConst = append(nonConst, ce)
			continue
		}
		add(ce.val)
	}
	if nonConst != nil {
		return out, nonConst, nil
	}
	// unwrap dynamic scalars into plain values so that comparisons are typed
	for i, v := range out {
		if v.Type == types.Dynamic {
			out[i] = functions.FromDyn(v.D)
		}
	}
	return out, nil, nil
}

// rowItems is the list of an in-like operator at row i: the constant
// items, then each non-constant one (a dynamic array flattened).
func rowItems(buf, consts []types.Value, cols []*table.Column, i int) []types.Value {
	buf = append(buf[:0], consts...)
	for _, c := range cols {
		v := c.Value(i)
		if arr, ok := v.D.([]any); ok && v.Type == types.Dynamic {
			for _, e := range arr {
				buf = append(buf, functions.FromDyn(e))
			}
			continue
		}
		if v.Type == types.Dynamic {
			v = functions.FromDyn(v.D)
		}
		buf = append(buf, v)
	}
	return buf
}

// inPerRow is in / !in / in~ / !in~ whose list has elements computed per
// row (x in (a, b) over columns).
func inPerRow(a *cexpr, consts []types.Value, nonConst []*cexpr, neg, fold bool) *cexpr {
	for i, v := range consts {
		if v.Type == types.Dynamic {
			consts[i] = functions.FromDyn(v.D)
		}
	}
	ce := &cexpr{typ: types.Bool, col: -1, serial: a.serial}
	for _, e := range nonConst {
		ce.serial = ce.serial || e.serial
	}
	ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
		x, err := a.vec(in, lo, hi)
		if err != nil {
			return nil, err
		}
		cols := make([]*table.Column, len(nonConst))
		for j, e := range nonConst {
			if cols[j], err = e.vec(in, lo, hi); err != nil {
				return nil, err
			}
		}
		out := newVec("", types.Bool, hi-lo)
		var buf []types.Value
		for i := range out.Ints {
			v := x.Value(i)
			found := false
			if !v.IsNull() {
				buf = rowItems(buf, consts, cols, i)
				for _, it := range buf {
					if it.IsNull() {
						continue
					}
					if fold || v.Type == types.String || v.Type == types.GUID {
						l, r := functions.ToString(v), functions.ToString(it)
						if l == r || fold && strings.EqualFold(l, r) {
							found = true
							break
						}
						continue
					}
					if equalValues(v, it) {
						found = true
						break
					}
				}
			}
			if found != neg {
				out.Ints[i] = 1
			}
		}
		return out, nil
	}
	return ce
}

func (c *compiler) hasAny(pos token.Pos, op string, a *cexpr, items []types.Value, nonConst []*cexpr) (*cexpr, error) {
	all := op == "has_all"
	neg := op == "!has_any"
	if nonConst != nil {
		// terms computed per row
		ce := &cexpr{typ: types.Bool, col: -1, serial: a.serial}
		ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
			x, err := a.vec(in, lo, hi)
			if err != nil {
				return nil, err
			}
			cols := make([]*table.Column, len(nonConst))
			for j, e := range nonConst {
				if cols[j], err = e.vec(in, lo, hi); err != nil {
					return nil, err
				}
			}
			out := newVec("", types.Bool, hi-lo)
			var buf []types.Value
			for i := range out.Ints {
				h := functions.ToString(x.Value(i))
				buf = rowItems(buf, items, cols, i)
				res := all
				for _, t := range buf {
					if functions.Has(h, functions.ToString(t), false) != all {
						res = !all
						break
					}
				}
				if res != neg {
					out.Ints[i] = 1
				}
			}
			return out, nil
		}
		return ce, nil
	}
	terms := make([]string, len(items))
	for i, v := range items {
		terms[i] = functions.ToString(v)
	}
	return strPredExpr(a, func(h string) bool {
		if all {
			for _, t := range terms {
				if !functions.Has(h, t, false) {
					return false
				}
			}
			return true
		}
		for _, t := range terms {
			if functions.Has(h, t, false) {
				return !neg
			}
		}
		return neg
	}), nil
}

// between compiles X between (Lo .. Hi); for datetimes a timespan Hi
// means Lo + Hi.
func (c *compiler) between(x *ast.BetweenExpr) (*cexpr, error) {
	a, err := c.compile(x.X)
	if err != nil {
		return nil, err
	}
	lo, err := c.compile(x.Lo)
	if err != nil {
		return nil, err
	}
	hi, err := c.compile(x.Hi)
	if err != nil {
		return nil, err
	}
	if (a.typ == types.DateTime || lo.typ == types.DateTime) && hi.typ == types.TimeSpan {
		hi, err = c.arithOf(x.OpPos, token.ADD, lo, hi)
		if err != nil {
			return nil, err
		}
	}
	ge, err := c.compare(x.OpPos, token.GEQ, a, lo)
	if err != nil {
		return nil, err
	}
	le, err := c.compare(x.OpPos, token.LEQ, a, hi)
	if err != nil {
		return nil, err
	}
	both, err := c.logic(x.OpPos, "and", ge, le)
	if err != nil {
		return nil, err
	}
	if !x.Not {
		return both, nil
	}
	return notExpr(both), nil
}

// notExpr is not(x) with null staying null.
func notExpr(a *cexpr) *cexpr {
	return rowwise(types.Bool, []*cexpr{a}, func(v []types.Value) (types.Value, error) {
		b := convert(v[0], types.Bool)
		if b.IsNull() {
			return b, nil
		}
		return types.NewBool(b.I == 0), nil
	})
}
