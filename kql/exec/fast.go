package exec

import (
	"math"
	"unsafe"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// Typed fast paths for the expressions hunting queries spend their time in:
// a column compared with a constant, integer arithmetic with a constant,
// bin() of a datetime. Each returns nil when it does not apply, and the
// caller falls back to the general row-wise path.

func intStored(t types.Type) bool {
	return table.Storage(t) == table.StoreInts
}

func flip(op token.Token) token.Token {
	switch op {
	case token.LSS:
		return token.GTR
	case token.GTR:
		return token.LSS
	case token.LEQ:
		return token.GEQ
	case token.GEQ:
		return token.LEQ
	}
	return op
}

func fastCompare(op token.Token, a, b *cexpr) *cexpr {
	if a.isConst && !b.isConst {
		a, b = b, a
		op = flip(op)
	}
	if a.isConst || !b.isConst || b.val.IsNull() {
		return nil
	}
	k := b.val
	switch {
	case intStored(a.typ) && intStored(k.Type) && classOf(a.typ) == classOf(k.Type) && !isFloat(k.Type):
		c := k.I
		return cmpExpr(a, ints, func(x int64) bool {
			switch op {
			case token.EQL:
				return x == c
			case token.NEQ:
				return x != c
			case token.LSS:
				return x < c
			case token.GTR:
				return x > c
			case token.LEQ:
				return x <= c
			}
			return x >= c
		})
	case (a.typ == types.Real || a.typ == types.Decimal) && k.Type.IsNumeric():
		c := numF(k)
		return cmpExpr(a, reals, func(x float64) bool {
			switch op {
			case token.EQL:
				return x == c
			case token.NEQ:
				return x != c
			case token.LSS:
				return x < c
			case token.GTR:
				return x > c
			case token.LEQ:
				return x <= c
			}
			return x >= c
		})
	case a.typ == types.String && k.Type == types.String && (op == token.EQL || op == token.NEQ):
		c := k.S
		eq := op == token.EQL
		return strPredExpr(a, func(s string) bool { return (s == c) == eq })
	}
	return nil
}

// cmpExpr compares each value of a's long or real column (vals picks its
// slice) with f; nulls stay null.
func cmpExpr[T int64 | float64](a *cexpr, vals func(*table.Column) []T, f func(T) bool) *cexpr {
	ce := &cexpr{typ: types.Bool, col: -1, serial: a.serial}
	ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
		col, err := a.eval(in, lo, hi)
		if err != nil {
			return nil, err
		}
		out := newVec("", types.Bool, hi-lo)
		for i, x := range vals(col) {
			if f(x) {
				out.Ints[i] = 1
			}
		}
		if col.Nulls != nil {
			for i, n := range col.Nulls {
				if n {
					out.Ints[i] = 0
					setNull(out, i)
				}
			}
		}
		return out, nil
	}
	return ce
}

func ints(c *table.Column) []int64    { return c.Ints }
func reals(c *table.Column) []float64 { return c.Reals }

// fastArith handles column (+|-|*) constant on integer-stored types.
func fastArith(op token.Token, a, b *cexpr, rt types.Type) *cexpr {
	if op != token.ADD && op != token.SUB && op != token.MUL {
		return nil
	}
	if !intStored(rt) || rt == types.Bool || a.isConst == b.isConst {
		return nil
	}
	if !intStored(a.typ) || !intStored(b.typ) || a.typ == types.Bool || b.typ == types.Bool {
		return nil
	}
	colE, k, constLeft := a, b.val, false
	if a.isConst {
		colE, k, constLeft = b, a.val, true
	}
	if k.IsNull() {
		return nil
	}
	c := k.I
	ce := &cexpr{typ: rt, col: -1, serial: colE.serial}
	ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
		col, err := colE.eval(in, lo, hi)
		if err != nil {
			return nil, err
		}
		out := newVec("", rt, hi-lo)
		for i, x := range col.Ints {
			var r int64
			switch {
			case op == token.ADD:
				r = x + c
			case op == token.MUL:
				r = x * c
			case constLeft:
				r = c - x
			default:
				r = x - c
			}
			if rt == types.Int {
				r = int64(int32(r))
			}
			out.Ints[i] = r
		}
		if col.Nulls != nil {
			out.Nulls = append([]bool(nil), col.Nulls...)
		}
		return out, nil
	}
	return ce
}

// epochOffset is the ticks from 0001-01-01 (Kusto's datetime origin) to
// the Unix epoch; datetime bins align to Kusto's origin, so that 7d bins
// start on Mondays as in Kusto.
const epochOffset int64 = 621355968000000000

func floorDiv(x, y int64) int64 {
	q := x / y
	if (x%y != 0) && ((x < 0) != (y < 0)) {
		q--
	}
	return q
}

// binTicks floors ticks to a multiple of step (datetimes from Kusto's
// origin).
func binTicks(x, step int64, datetime bool) int64 {
	if datetime {
		return floorDiv(x+epochOffset, step)*step - epochOffset
	}
	return floorDiv(x, step) * step
}

// fastCall is a typed path for some registry functions.
func (c *compiler) fastCall(name string, args []*cexpr, rt types.Type) *cexpr {
	switch name {
	case "bin", "floor":
		if len(args) != 2 || args[0].isConst || !args[1].isConst || args[1].val.IsNull() {
			return nil
		}
		a, k := args[0], args[1].val
		switch {
		case (a.typ == types.DateTime || a.typ == types.TimeSpan) && k.Type == types.TimeSpan && k.I > 0 && rt == a.typ:
			step, dt := k.I, a.typ == types.DateTime
			return mapInts(a, rt, func(x int64) int64 { return binTicks(x, step, dt) })
		case a.typ == types.Long && (k.Type == types.Long || k.Type == types.Int) && k.I > 0 && rt == types.Long:
			step := k.I
			return mapInts(a, rt, func(x int64) int64 { return binTicks(x, step, false) })
		case a.typ == types.Real && k.Type.IsNumeric() && numF(k) > 0 && rt == types.Real:
			step := numF(k)
			ce := &cexpr{typ: rt, col: -1, serial: a.serial}
			ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
				col, err := a.eval(in, lo, hi)
				if err != nil {
					return nil, err
				}
				out := newVec("", rt, hi-lo)
				for i, x := range col.Reals {
					out.Reals[i] = math.Floor(x/step) * step
				}
				if col.Nulls != nil {
					out.Nulls = append([]bool(nil), col.Nulls...)
				}
				return out, nil
			}
			return ce
		}
	case "tostring":
		if len(args) != 1 || args[0].isConst || args[0].typ != types.Dynamic || rt != types.String {
			return nil
		}
		a := args[0]
		ce := &cexpr{typ: types.String, col: -1, serial: a.serial}
		type recoded struct {
			dict  []string
			remap []uint32
		}
		var memo perEntry[recoded]
		// fromCodes converts coded dynamic values once per distinct value,
		// recoded so that equal strings share a code (distinct bags can
		// hold the same string).
		fromCodes := func(src []any, codes []uint32) *table.Column {
			rc := memo.get(unsafe.Pointer(unsafe.SliceData(src)), len(src), func() recoded {
				var r recoded
				r.remap = make([]uint32, len(src))
				seen := map[string]uint32{}
				for k, d := range src {
					s := ""
					if d != nil {
						s = functions.ToString(types.NewDynamic(d))
					}
					c, ok := seen[s]
					if !ok {
						c = uint32(len(r.dict))
						seen[s] = c
						r.dict = append(r.dict, s)
					}
					r.remap[k] = c
				}
				return r
			})
			out := &table.Column{Type: types.String, Strs: make([]string, len(codes)), Dict: rc.dict, Codes: make([]uint32, len(codes))}
			for i, c := range codes {
				k := rc.remap[c]
				out.Codes[i] = k
				out.Strs[i] = rc.dict[k]
			}
			return out
		}
		if a.coded != nil {
			ce.whole = func(in *table.Table) (*table.Column, bool) {
				if dict, codes, ok := a.coded(in, 0, in.Rows()); ok {
					return fromCodes(dict, codes), true
				}
				return nil, false
			}
		}
		ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
			var col *table.Column
			if a.coded != nil {
				if dict, codes, ok := a.coded(in, lo, hi); ok {
					col = &table.Column{Type: types.Dynamic, DynDict: dict, Codes: codes}
				}
			}
			if col == nil {
				var err error
				if col, err = a.eval(in, lo, hi); err != nil {
					return nil, err
				}
			}
			if dynCoded(col) {
				return fromCodes(col.DynDict, col.Codes), nil
			}
			out := newVec("", types.String, hi-lo)
			for i, d := range col.Dyns {
				if s, ok := d.(string); ok {
					out.Strs[i] = s
				} else if d != nil {
					out.Strs[i] = functions.ToString(types.NewDynamic(d))
				}
			}
			return out, nil
		}
		return ce
	case "isnull", "isnotnull":
		if len(args) != 1 || args[0].isConst {
			return nil
		}
		a, want := args[0], name == "isnull"
		if a.typ == types.String {
			return nil
		}
		ce := &cexpr{typ: types.Bool, col: -1, serial: a.serial}
		ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
			col, err := a.eval(in, lo, hi)
			if err != nil {
				return nil, err
			}
			out := newVec("", types.Bool, hi-lo)
			for i := range out.Ints {
				if col.IsNull(i) == want {
					out.Ints[i] = 1
				}
			}
			return out, nil
		}
		return ce
	}
	return nil
}

func mapInts(a *cexpr, rt types.Type, f func(int64) int64) *cexpr {
	ce := &cexpr{typ: rt, col: -1, serial: a.serial}
	ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
		col, err := a.eval(in, lo, hi)
		if err != nil {
			return nil, err
		}
		out := newVec("", rt, hi-lo)
		for i, x := range col.Ints {
			out.Ints[i] = f(x)
		}
		if col.Nulls != nil {
			out.Nulls = append([]bool(nil), col.Nulls...)
		}
		return out, nil
	}
	return ce
}

// builtin compiles the functions the executor itself owns: those that see
// more than one row (row_number, prev, next, row_cumsum), the input schema
// (pack_all, column_ifexists) or a subquery (toscalar). handled is false for
// every other name.
func (c *compiler) builtin(x *ast.CallExpr, name string) (*cexpr, bool, error) {
	argc := len(x.Args)
	arg := func(i int) (*cexpr, error) { return c.compile(x.Args[i]) }
	switch name {
	case "row_number", "prev", "next", "row_cumsum", "row_window_session", "row_rank_dense", "row_rank_min":
		if !c.r.serialIn {
			return nil, true, c.r.errorf(x.Pos(), "%s() needs serialized input: add | serialize (or sort, top, range) before it", name)
		}
	}
	switch name {
	case "toscalar":
		if argc != 1 {
			return nil, true, c.r.errorf(x.Pos(), "toscalar() expects 1 argument, got %d", argc)
		}
		v, err := c.r.toScalar(x.Args[0], c.sc)
		if err != nil {
			return nil, true, err
		}
		return constExpr(v), true, nil
	case "not":
		if argc != 1 {
			return nil, true, c.r.errorf(x.Pos(), "not() expects 1 argument, got %d", argc)
		}
		a, err := arg(0)
		if err != nil {
			return nil, true, err
		}
		return notExpr(a), true, nil
	case "row_number":
		start := int64(1)
		var restart *cexpr
		if argc >= 1 {
			a, err := arg(0)
			if err != nil {
				return nil, true, err
			}
			if !a.isConst || !a.typ.IsInteger() {
				return nil, true, c.r.errorf(x.Args[0].Pos(), "row_number(): start index must be a constant integer")
			}
			start = a.val.I
		}
		if argc >= 2 {
			a, err := arg(1)
			if err != nil {
				return nil, true, err
			}
			restart = a
		}
		ce := &cexpr{typ: types.Long, col: -1, serial: true}
		ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
			out := newVec("", types.Long, hi-lo)
			var rs *table.Column
			if restart != nil {
				var err error
				if rs, err = boolVec(restart, in, lo, hi); err != nil {
					return nil, err
				}
			}
			n := start
			for i := range out.Ints {
				if rs != nil && i > 0 && rs.Ints[i] != 0 && !(rs.Nulls != nil && rs.Nulls[i]) {
					n = start
				}
				out.Ints[i] = n
				n++
			}
			return out, nil
		}
		return ce, true, nil
	case "prev", "next":
		if argc < 1 || argc > 3 {
			return nil, true, c.r.errorf(x.Pos(), "%s() expects 1 to 3 arguments, got %d", name, argc)
		}
		a, err := arg(0)
		if err != nil {
			return nil, true, err
		}
		off := int64(1)
		if argc >= 2 {
			o, err := arg(1)
			if err != nil {
				return nil, true, err
			}
			if !o.isConst || !o.typ.IsInteger() {
				return nil, true, c.r.errorf(x.Args[1].Pos(), "%s(): offset must be a constant integer", name)
			}
			off = o.val.I
		}
		def := types.NullOf(a.typ)
		if argc == 3 {
			d, err := arg(2)
			if err != nil {
				return nil, true, err
			}
			if !d.isConst {
				return nil, true, c.r.errorf(x.Args[2].Pos(), "%s(): default must be a constant", name)
			}
			def = convert(d.val, a.typ)
		}
		if name == "prev" {
			off = -off
		}
		t := a.typ
		ce := &cexpr{typ: t, col: -1, serial: true}
		ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
			col, err := a.vec(in, lo, hi)
			if err != nil {
				return nil, err
			}
			n := hi - lo
			out := newVec("", t, n)
			for i := 0; i < n; i++ {
				j := int64(i) + off
				if j < 0 || j >= int64(n) {
					setVal(out, i, def)
				} else {
					setVal(out, i, col.Value(int(j)))
				}
			}
			return out, nil
		}
		return ce, true, nil
	case "row_cumsum":
		if argc < 1 || argc > 2 {
			return nil, true, c.r.errorf(x.Pos(), "row_cumsum() expects 1 or 2 arguments, got %d", argc)
		}
		a, err := arg(0)
		if err != nil {
			return nil, true, err
		}
		if !a.typ.IsNumeric() && a.typ != types.TimeSpan {
			return nil, true, c.r.errorf(x.Args[0].Pos(), "row_cumsum(): argument must be numeric, got %s", a.typ)
		}
		var restart *cexpr
		if argc == 2 {
			if restart, err = arg(1); err != nil {
				return nil, true, err
			}
		}
		t := a.typ
		if t == types.Int {
			t = types.Long
		}
		ce := &cexpr{typ: t, col: -1, serial: true}
		ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
			col, err := a.vec(in, lo, hi)
			if err != nil {
				return nil, err
			}
			var rs *table.Column
			if restart != nil {
				if rs, err = boolVec(restart, in, lo, hi); err != nil {
					return nil, err
				}
			}
			out := newVec("", t, hi-lo)
			var si int64
			var sf float64
			for i := 0; i < hi-lo; i++ {
				if rs != nil && rs.Ints[i] != 0 && !(rs.Nulls != nil && rs.Nulls[i]) {
					si, sf = 0, 0
				}
				if !col.IsNull(i) {
					v := col.Value(i)
					if isFloat(t) {
						sf += v.F
					} else {
						si += v.I
					}
				}
				if isFloat(t) {
					out.Reals[i] = sf
				} else {
					out.Ints[i] = si
				}
			}
			return out, nil
		}
		return ce, true, nil
	case "pack_all":
		ignoreEmpty := false
		if argc == 1 {
			a, err := arg(0)
			if err != nil {
				return nil, true, err
			}
			ignoreEmpty = a.isConst && a.val.Bool()
		}
		sch := c.sch
		ce := &cexpr{typ: types.Dynamic, col: -1}
		ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
			out := newVec("", types.Dynamic, hi-lo)
			for i := lo; i < hi; i++ {
				b := types.NewBag()
				for j := range sch {
					v := in.Columns[j].Value(i)
					if ignoreEmpty && (v.IsNull() || (v.Type == types.String && v.S == "")) {
						continue
					}
					b.Set(sch[j].Name, functions.ToDyn(v))
				}
				out.Dyns[i-lo] = b
			}
			return out, nil
		}
		return ce, true, nil
	case "column_ifexists":
		if argc != 2 {
			return nil, true, c.r.errorf(x.Pos(), "column_ifexists() expects 2 arguments, got %d", argc)
		}
		n, err := arg(0)
		if err != nil {
			return nil, true, err
		}
		if !n.isConst || n.typ != types.String {
			return nil, true, c.r.errorf(x.Args[0].Pos(), "column_ifexists(): the column name must be a constant string")
		}
		if c.sch.Index(n.val.S) >= 0 {
			ce, err := c.ident(&ast.Ident{NamePos: x.Args[0].Pos(), Name: n.val.S})
			return ce, true, err
		}
		ce, err := arg(1)
		return ce, true, err
	case "ingestion_time":
		return constExpr(types.NullOf(types.DateTime)), true, nil
	}
	return nil, false, nil
}
