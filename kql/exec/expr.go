package exec

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/kql/suggest"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// cexpr is a compiled scalar expression: evaluating it over rows lo..hi of
// the table it was compiled against yields a column of hi-lo values.
type cexpr struct {
	typ     types.Type
	isConst bool
	val     types.Value // when isConst
	col     int         // input column index for a bare column reference, else -1
	serial  bool        // must see all rows in order (row_cumsum, prev...)
	eval    func(in *table.Table, lo, hi int) (*table.Column, error)
	// coded, when set, gives the values over lo..hi as codes into a
	// dictionary without building the column (a property projection), for
	// consumers that work per distinct value; ok false means use eval.
	coded func(in *table.Table, lo, hi int) (dict []any, codes []uint32, ok bool)
	// whole, when set, may evaluate all rows at once where that is cheaper
	// than chunks joined afterwards (a lookup per row through codes); ok
	// false means evaluate in chunks.
	whole func(in *table.Table) (col *table.Column, ok bool)
	// sel, when set on a bool expression, gives the rows of lo..hi where it
	// is true (absolute indices, ascending) without building the bool
	// column; ok false means use eval. where uses it.
	sel func(in *table.Table, lo, hi int) (rows []int, ok bool, err error)
}

// vec evaluates e over lo..hi.
func (e *cexpr) vec(in *table.Table, lo, hi int) (*table.Column, error) {
	if e.isConst {
		return constVec("", e.val, e.typ, hi-lo), nil
	}
	return e.eval(in, lo, hi)
}

func constExpr(v types.Value) *cexpr {
	return &cexpr{typ: v.Type, isConst: true, val: v, col: -1}
}

// compiler compiles scalar expressions against one input schema.
type compiler struct {
	r   *runner
	sch types.Schema
	sc  *scope
	// aggRefs maps aggregate calls inside a summarize expression to the
	// input column holding their value.
	aggRefs map[*ast.CallExpr]int
}

func (r *runner) compiler(sch types.Schema) *compiler {
	return &compiler{r: r, sch: sch, sc: r.sc()}
}

func (c *compiler) compile(e ast.Expr) (*cexpr, error) {
	switch x := e.(type) {
	case *ast.Lit:
		// an untyped null keeps type null so that functions and operators
		// take it as a null of the other operand's type
		return constExpr(x.Value), nil
	case *ast.ParenExpr:
		return c.compile(x.X)
	case *ast.Ident:
		return c.ident(x)
	case *ast.NamedExpr:
		return c.compile(x.Value)
	case *ast.UnaryExpr:
		return c.unary(x)
	case *ast.BinaryExpr:
		return c.binary(x)
	case *ast.InExpr:
		return c.in(x)
	case *ast.BetweenExpr:
		return c.between(x)
	case *ast.CallExpr:
		if i, ok := c.aggRefs[x]; ok {
			return c.ident(&ast.Ident{NamePos: x.Pos(), Name: c.sch[i].Name})
		}
		return c.call(x)
	case *ast.SelectorExpr:
		return c.selector(x)
	case *ast.IndexExpr:
		return c.index(x)
	case *ast.OrderExpr:
		return c.compile(x.X)
	case *ast.BadExpr:
		return nil, c.r.errorf(x.Pos(), "syntax error in expression")
	case *ast.Pipe, *ast.OpExpr:
		return nil, c.r.errorf(e.Pos(), "a tabular expression cannot be used as a scalar; use toscalar()")
	case *ast.StarExpr:
		return nil, c.r.errorf(e.Pos(), "'*' is not allowed here")
	case *ast.TypeExpr:
		// typeof(T) as an argument (extractjson, extract ...): the type's name
		if x.Tabular {
			return nil, c.r.errorf(e.Pos(), "a tabular type is not allowed here")
		}
		return constExpr(types.NewString(x.Type.String())), nil
	}
	return nil, c.r.unsupported(e.Pos(), fmt.Sprintf("expression %T", e))
}

func (c *compiler) ident(x *ast.Ident) (*cexpr, error) {
	if i := c.sch.Index(x.Name); i >= 0 {
		t := c.sch[i].Type
		return &cexpr{typ: t, col: i, eval: func(in *table.Table, lo, hi int) (*table.Column, error) {
			return sliceCol(in.Columns[i], lo, hi), nil
		}}, nil
	}
	if b := c.sc.lookup(x.Name); b != nil {
		switch b.kind {
		case bScalar:
			return constExpr(b.val), nil
		case bExpr:
			return b.ce, nil
		case bTabular, bTable:
			return nil, c.r.errorf(x.Pos(), "'%s' is a tabular expression and cannot be used as a scalar; use toscalar(%s)", x.Name, x.Name)
		case bFunc:
			if len(b.fn.Params) == 0 {
				return c.userCall(&ast.CallExpr{Fun: x, Lparen: x.End(), Rparen: x.End()}, b)
			}
			return nil, c.r.errorf(x.Pos(), "'%s' is a function; call it as %s()", x.Name, x.Name)
		}
	}
	switch x.Name {
	case "true":
		return constExpr(types.NewBool(true)), nil
	case "false":
		return constExpr(types.NewBool(false)), nil
	}
	return nil, c.r.errorf(x.Pos(), "unknown column or variable '%s'%s", x.Name, suggest.Timespan(x.Name))
}

func (c *compiler) unary(x *ast.UnaryExpr) (*cexpr, error) {
	a, err := c.compile(x.X)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case token.ADD:
		return a, nil
	case token.SUB:
		if a.typ == types.String || a.typ == types.Bool || a.typ == types.GUID || a.typ == types.DateTime {
			return nil, c.r.errorf(x.Pos(), "unary minus cannot be applied to %s", a.typ)
		}
		zero := convert(types.NewLong(0), a.typ)
		if a.typ == types.Dynamic {
			zero = types.NewLong(0)
		}
		return c.arithOf(x.Pos(), token.SUB, constExpr(zero), a)
	}
	return nil, c.r.unsupported(x.Pos(), "unary operator "+x.Op.String())
}

// rowwise builds a cexpr that evaluates args and combines them one row at a
// time with f: the general path every specialised one falls back to.
func rowwise(t types.Type, args []*cexpr, f func(vals []types.Value) (types.Value, error)) *cexpr {
	allConst := true
	serial := false
	for _, a := range args {
		if !a.isConst {
			allConst = false
		}
		serial = serial || a.serial
	}
	ce := &cexpr{typ: t, col: -1, serial: serial}
	ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
		n := hi - lo
		cols := make([]*table.Column, len(args))
		vals := make([]types.Value, len(args))
		for j, a := range args {
			if a.isConst {
				vals[j] = a.val
				continue
			}
			col, err := a.eval(in, lo, hi)
			if err != nil {
				return nil, err
			}
			cols[j] = col
		}
		out := newVec("", t, n)
		for i := 0; i < n; i++ {
			for j, col := range cols {
				if col != nil {
					vals[j] = col.Value(i)
				}
			}
			v, err := f(vals)
			if err != nil {
				return nil, err
			}
			setVal(out, i, v)
		}
		return out, nil
	}
	if allConst {
		vals := make([]types.Value, len(args))
		for j, a := range args {
			vals[j] = a.val
		}
		if v, err := f(vals); err == nil {
			return constExpr(convert(v, storeType(t)))
		}
	}
	return ce
}

func (c *compiler) arithOf(pos token.Pos, op token.Token, a, b *cexpr) (*cexpr, error) {
	rt, err := arithType(op, a.typ, b.typ)
	if err != nil {
		return nil, c.r.errorf(pos, "%s", err.Error())
	}
	if fast := fastArith(op, a, b, rt); fast != nil {
		return fast, nil
	}
	return rowwise(rt, []*cexpr{a, b}, func(v []types.Value) (types.Value, error) {
		return arith(op, v[0], v[1], rt), nil
	}), nil
}

func (c *compiler) binary(x *ast.BinaryExpr) (*cexpr, error) {
	a, err := c.compile(x.X)
	if err != nil {
		return nil, err
	}
	// the right side of a string operator may be a dynamic array or
	// subquery only for has_any-like forms, which are InExprs.
	b, err := c.compile(x.Y)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case token.ADD, token.SUB, token.MUL, token.QUO, token.REM:
		return c.arithOf(x.OpPos, x.Op, a, b)
	case token.EQL, token.NEQ, token.LSS, token.GTR, token.LEQ, token.GEQ:
		return c.compare(x.OpPos, x.Op, a, b)
	case token.EQTILDE:
		return c.stringOp(x.OpPos, "=~", a, b)
	case token.NEQTILDE:
		return c.stringOp(x.OpPos, "!~", a, b)
	case token.IDENT:
		w := strings.ToLower(x.Word)
		switch w {
		case "and", "or":
			return c.logic(x.OpPos, w, a, b)
		}
		return c.stringOp(x.OpPos, w, a, b)
	}
	return nil, c.r.unsupported(x.OpPos, "operator "+x.Op.String())
}

// compare compiles ==, !=, <, >, <=, >=.
func (c *compiler) compare(pos token.Pos, op token.Token, a, b *cexpr) (*cexpr, error) {
	ca, cb := classOf(a.typ), classOf(b.typ)
	// A bool equals a string the string converts to, as tobool() reads it:
	// IsLocalAdmin == "True", and the documented _IsBillable == true on a
	// string column.
	if (op == token.EQL || op == token.NEQ) && (ca == classBool && cb == classString || ca == classString && cb == classBool) {
		if ca == classString {
			a = toBoolExpr(a)
		} else {
			b = toBoolExpr(b)
		}
		ca, cb = classBool, classBool
	}
	numLike := func(x, y typeClass) bool { return x == classNum && (y == classBool || y == classString) }
	if a.typ != types.Null && b.typ != types.Null && ca != cb && ca != classDyn && cb != classDyn &&
		!(ca == classGUID && cb == classString || ca == classString && cb == classGUID) &&
		!numLike(ca, cb) && !numLike(cb, ca) {
		return nil, c.r.errorf(pos, "cannot compare %s with %s using %s", a.typ, b.typ, op)
	}
	if fast := fastCompare(op, a, b); fast != nil {
		return fast, nil
	}
	return rowwise(types.Bool, []*cexpr{a, b}, func(v []types.Value) (types.Value, error) {
		return compareOp(op, v[0], v[1]), nil
	}), nil
}

func compareOp(op token.Token, x, y types.Value) types.Value {
	if x.IsNull() || y.IsNull() {
		if op == token.NEQ && x.IsNull() != y.IsNull() && (x.Type == types.Dynamic || y.Type == types.Dynamic) {
			return types.NewBool(true)
		}
		return types.NullOf(types.Bool)
	}
	switch op {
	case token.EQL:
		return types.NewBool(equalValues(x, y))
	case token.NEQ:
		return types.NewBool(!equalValues(x, y))
	}
	if x.Type == types.Dynamic && y.Type != types.Dynamic {
		x = fromDyn(x.D, y.Type)
	} else if y.Type == types.Dynamic && x.Type != types.Dynamic {
		y = fromDyn(y.D, x.Type)
	}
	if x.IsNull() || y.IsNull() {
		return types.NullOf(types.Bool)
	}
	if (isFloat(x.Type) && isNaN(x.F)) || (isFloat(y.Type) && isNaN(y.F)) {
		return types.NewBool(false)
	}
	r := compareValues(x, y)
	switch op {
	case token.LSS:
		return types.NewBool(r < 0)
	case token.GTR:
		return types.NewBool(r > 0)
	case token.LEQ:
		return types.NewBool(r <= 0)
	case token.GEQ:
		return types.NewBool(r >= 0)
	}
	return types.NullOf(types.Bool)
}

func isNaN(f float64) bool { return f != f }

// logic compiles and/or with three-valued logic.
func (c *compiler) logic(pos token.Pos, w string, a, b *cexpr) (*cexpr, error) {
	for _, x := range []*cexpr{a, b} {
		if x.typ != types.Bool && x.typ != types.Dynamic && x.typ != types.Null {
			return nil, c.r.errorf(pos, "operator %s needs bool operands, got %s", w, x.typ)
		}
	}
	isAnd := w == "and"
	ce := &cexpr{typ: types.Bool, col: -1, serial: a.serial || b.serial}
	ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
		x, err := boolVec(a, in, lo, hi)
		if err != nil {
			return nil, err
		}
		y, err := boolVec(b, in, lo, hi)
		if err != nil {
			return nil, err
		}
		out := newVec("", types.Bool, hi-lo)
		for i := range out.Ints {
			xn := x.Nulls != nil && x.Nulls[i]
			yn := y.Nulls != nil && y.Nulls[i]
			xv, yv := x.Ints[i] != 0, y.Ints[i] != 0
			var v, null bool
			if isAnd {
				switch {
				case (!xn && !xv) || (!yn && !yv):
					v = false
				case xn || yn:
					null = true
				default:
					v = true
				}
			} else {
				switch {
				case (!xn && xv) || (!yn && yv):
					v = true
				case xn || yn:
					null = true
				default:
					v = false
				}
			}
			if null {
				setNull(out, i)
			} else if v {
				out.Ints[i] = 1
			}
		}
		return out, nil
	}
	if a.isConst && b.isConst {
		col, err := ce.eval(nil, 0, 1)
		if err == nil {
			return constExpr(col.Value(0)), nil
		}
	}
	return ce, nil
}

// boolVec evaluates e as a bool column (dynamic values converted).
func boolVec(e *cexpr, in *table.Table, lo, hi int) (*table.Column, error) {
	col, err := e.vec(in, lo, hi)
	if err != nil {
		return nil, err
	}
	if col.Type == types.Bool {
		return col, nil
	}
	out := newVec("", types.Bool, hi-lo)
	for i := 0; i < hi-lo; i++ {
		setVal(out, i, convert(col.Value(i), types.Bool))
	}
	return out, nil
}

func (c *compiler) selector(x *ast.SelectorExpr) (*cexpr, error) {
	if id, ok := x.X.(*ast.Ident); ok && strings.HasPrefix(id.Name, "$") {
		return nil, c.r.errorf(x.Pos(), "%s.%s can only be used in a join condition", id.Name, x.Sel.Name)
	}
	base, err := c.compile(x.X)
	if err != nil {
		return nil, err
	}
	if base.typ != types.Dynamic {
		return nil, c.r.errorf(x.Sel.Pos(), "cannot access property '%s' of a %s value; only dynamic values have properties", x.Sel.Name, base.typ)
	}
	key := x.Sel.Name
	if base.isConst {
		return constExpr(types.NewDynamic(dynProp(base.val.D, key))), nil
	}
	// typed loop: hunting columns share parsed bags between rows, so a
	// repeat of the previous row's bag reuses its lookup
	ce := &cexpr{typ: types.Dynamic, col: -1, serial: base.serial}
	ce.coded = func(in *table.Table, lo, hi int) ([]any, []uint32, bool) {
		if base.col < 0 {
			return nil, nil, false
		}
		// a column of the input as it is: its coded projection
		pe := projection(in.Columns[base.col], key)
		if pe == nil {
			return nil, nil, false
		}
		return pe.dict, pe.codes[lo:hi:hi], true
	}
	var memo perEntry[[]any]
	ce.eval = func(in *table.Table, lo, hi int) (*table.Column, error) {
		col, err := base.vec(in, lo, hi)
		if err != nil {
			return nil, err
		}
		if dynCoded(col) {
			// once per distinct value; the result keeps the input's codes
			dict := col.DynDict
			vals := memo.get(unsafe.Pointer(unsafe.SliceData(dict)), len(dict), func() []any {
				vals := make([]any, len(dict))
				for k, d := range dict {
					vals[k] = dynProp(d, key)
				}
				return vals
			})
			out := &table.Column{Type: types.Dynamic, Dyns: make([]any, hi-lo), DynDict: vals, Codes: col.Codes}
			for i, c := range col.Codes {
				out.Dyns[i] = vals[c]
			}
			return out, nil
		}
		if dict, codes, ok := ce.coded(in, lo, hi); ok {
			out := &table.Column{Type: types.Dynamic, Dyns: make([]any, hi-lo), DynDict: dict, Codes: codes}
			for i, c := range codes {
				out.Dyns[i] = dict[c]
			}
			return out, nil
		}
		out := newVec("", types.Dynamic, hi-lo)
		var prev *types.Bag
		var prevV any
		for i, d := range col.Dyns {
			b, ok := d.(*types.Bag)
			if !ok {
				continue
			}
			if b != prev {
				prev = b
				prevV, _ = b.Get(key)
			}
			out.Dyns[i] = prevV
		}
		return out, nil
	}
	return ce, nil
}

func (c *compiler) index(x *ast.IndexExpr) (*cexpr, error) {
	base, err := c.compile(x.X)
	if err != nil {
		return nil, err
	}
	if base.typ != types.Dynamic {
		return nil, c.r.errorf(x.Lbrack, "cannot index a %s value; only dynamic arrays and bags can be indexed", base.typ)
	}
	idx, err := c.compile(x.Index)
	if err != nil {
		return nil, err
	}
	return rowwise(types.Dynamic, []*cexpr{base, idx}, func(v []types.Value) (types.Value, error) {
		return types.NewDynamic(dynIndex(v[0].D, v[1])), nil
	}), nil
}

// dynProp is d.key / d["key"]: a bag property, or null.
func dynProp(d any, key string) any {
	if b, ok := d.(*types.Bag); ok {
		v, _ := b.Get(key)
		return v
	}
	return nil
}

// dynIndex is d[i] (negative i counts from the end) or d["key"].
func dynIndex(d any, i types.Value) any {
	if i.IsNull() {
		return nil
	}
	switch i.Type {
	case types.String:
		return dynProp(d, i.S)
	case types.Int, types.Long:
		arr, ok := d.([]any)
		if !ok {
			return nil
		}
		k := i.I
		if k < 0 {
			k += int64(len(arr))
		}
		if k < 0 || k >= int64(len(arr)) {
			return nil
		}
		return arr[k]
	case types.Dynamic:
		switch k := i.D.(type) {
		case string:
			return dynProp(d, k)
		case int64:
			return dynIndex(d, types.NewLong(k))
		}
	}
	return nil
}

// callEnv is the function environment of this run.
func (c *compiler) env() *functions.Env {
	return &functions.Env{Now: c.r.now, Geo: c.r.sess.opts.Geo}
}

// call compiles a function call: executor built-ins first, then user
// functions bound by let, then the kql/functions registry.
func (c *compiler) call(x *ast.CallExpr) (*cexpr, error) {
	id, ok := x.Fun.(*ast.Ident)
	if !ok {
		return nil, c.r.unsupported(x.Pos(), "calling a non-name function")
	}
	name := id.Name
	if b := c.sc.lookup(name); b != nil && b.kind == bFunc {
		return c.userCall(x, b)
	}
	if ce, handled, err := c.builtin(x, name); handled {
		return ce, err
	}
	if _, ok := functions.LookupAggregate(name); ok {
		if _, ok := functions.LookupScalar(name); !ok {
			return nil, c.r.errorf(x.Pos(), "aggregate function %s() can only be used in summarize, make-series or top-nested", name)
		}
	}
	fn, ok := functions.LookupScalar(name)
	if !ok {
		if isAggName(name) {
			return nil, c.r.errorf(x.Pos(), "aggregate function %s() can only be used in summarize, make-series or top-nested", name)
		}
		return nil, c.r.errorf(id.Pos(), "unknown function '%s'", name)
	}
	args := make([]*cexpr, len(x.Args))
	argTypes := make([]types.Type, len(x.Args))
	for i, a := range x.Args {
		if _, ok := a.(*ast.StarExpr); ok {
			return nil, c.r.errorf(a.Pos(), "%s() does not take '*'", name)
		}
		ce, err := c.compile(a)
		if err != nil {
			return nil, err
		}
		args[i], argTypes[i] = ce, ce.typ
	}
	rt, err := fn.Result(argTypes)
	if err != nil {
		return nil, c.r.errorf(x.Pos(), "%s", err.Error())
	}
	// extract(..., typeof(T)) and extractjson(..., typeof(T)) return a T; the
	// registry sees only argument types, so convert here
	var castTo *types.Type
	if n := len(x.Args); n > 0 {
		if te, ok := x.Args[n-1].(*ast.TypeExpr); ok && !te.Tabular && (name == "extract" || name == "extractjson" || name == "extract_json") {
			t := te.Type
			castTo = &t
		}
	}
	if castTo != nil {
		want := *castTo
		inner, err := c.callRegistry(x, fn, args, rt)
		if err != nil {
			return nil, err
		}
		return rowwise(want, []*cexpr{inner}, func(v []types.Value) (types.Value, error) { return convert(v[0], want), nil }), nil
	}
	return c.callRegistry(x, fn, args, rt)
}

// callRegistry evaluates a kql/functions scalar row by row (or through a
// typed fast path).
func (c *compiler) callRegistry(x *ast.CallExpr, fn *functions.Scalar, args []*cexpr, rt types.Type) (*cexpr, error) {
	name := fn.Name
	if fast := c.fastCall(name, args, rt); fast != nil {
		return fast, nil
	}
	env := c.env()
	pos := x.Pos()
	eval := func(v []types.Value) (types.Value, error) {
		out, err := fn.Eval(env, v)
		if err != nil {
			return out, c.r.errorf(pos, "%s", err.Error())
		}
		return out, nil
	}
	if name == "rand" || name == "new_guid" {
		ce := rowwise(rt, append(args, &cexpr{typ: types.Bool, col: -1, eval: func(in *table.Table, lo, hi int) (*table.Column, error) {
			return newVec("", types.Bool, hi-lo), nil
		}}), func(v []types.Value) (types.Value, error) { return eval(v[:len(v)-1]) })
		return ce, nil
	}
	return rowwise(rt, args, eval), nil
}

// userCall expands a let-bound function: scalar parameters become
// per-row expressions, tabular ones bound tables.
func (c *compiler) userCall(x *ast.CallExpr, b *binding) (*cexpr, error) {
	if err := c.r.nest(x.Pos(), callName(x)); err != nil {
		return nil, err
	}
	defer c.r.unnest()
	fn := b.fn
	inner := newScope(b.sc)
	if err := c.bindParams(x, fn, inner); err != nil {
		return nil, err
	}
	sub := &compiler{r: c.r, sch: c.sch, sc: inner}
	var last ast.Expr
	for _, st := range fn.Body.Stmts {
		switch s := st.(type) {
		case *ast.LetStmt:
			if err := sub.letLocal(s); err != nil {
				return nil, err
			}
		case *ast.ExprStmt:
			last = s.X
		default:
			return nil, c.r.unsupported(st.Pos(), "this statement in a function body")
		}
	}
	if last == nil {
		return nil, c.r.errorf(fn.Body.Pos(), "function body has no result expression")
	}
	if c.r.isTabular(last, inner) {
		return nil, c.r.errorf(x.Pos(), "function returns a table and cannot be used as a scalar; use toscalar()")
	}
	return sub.compile(last)
}

func (c *compiler) bindParams(x *ast.CallExpr, fn *ast.FuncLit, inner *scope) error {
	if len(x.Args) > len(fn.Params) {
		return c.r.errorf(x.Pos(), "function expects %d arguments, got %d", len(fn.Params), len(x.Args))
	}
	for i, p := range fn.Params {
		var arg ast.Expr
		if i < len(x.Args) {
			arg = x.Args[i]
			if ne, ok := arg.(*ast.NamedExpr); ok {
				arg = ne.Value
			}
		} else if p.Default != nil {
			arg = p.Default
		} else {
			return c.r.errorf(x.Rparen, "missing argument '%s'", p.Name.Name)
		}
		if p.Type != nil && p.Type.Tabular {
			t, err := c.r.evalTabIn(arg, c.sc)
			if err != nil {
				return err
			}
			inner.vars[p.Name.Name] = &binding{kind: bTable, tab: t}
			continue
		}
		ce, err := c.compile(arg)
		if err != nil {
			return err
		}
		if p.Type != nil && !p.Type.Tabular && ce.typ != p.Type.Type && p.Type.Type != types.Dynamic {
			want := p.Type.Type
			inner0 := ce
			ce = rowwise(want, []*cexpr{inner0}, func(v []types.Value) (types.Value, error) { return convert(v[0], want), nil })
		}
		if ce.isConst {
			inner.vars[p.Name.Name] = &binding{kind: bScalar, val: ce.val}
		} else {
			inner.vars[p.Name.Name] = &binding{kind: bExpr, ce: ce}
		}
	}
	return nil
}

// letLocal binds a let inside a function body or block.
func (c *compiler) letLocal(s *ast.LetStmt) error {
	switch v := s.Value.(type) {
	case *ast.FuncLit:
		c.sc.vars[s.Name.Name] = &binding{kind: bFunc, fn: v, sc: defScope(c.sc, s.Name.Name)}
		return nil
	}
	if c.r.isTabular(s.Value, c.sc) {
		c.sc.vars[s.Name.Name] = &binding{kind: bTabular, expr: s.Value, sc: defScope(c.sc, s.Name.Name)}
		return nil
	}
	ce, err := c.compile(s.Value)
	if err != nil {
		return err
	}
	if ce.isConst {
		c.sc.vars[s.Name.Name] = &binding{kind: bScalar, val: ce.val}
	} else {
		c.sc.vars[s.Name.Name] = &binding{kind: bExpr, ce: ce}
	}
	return nil
}

var knownAggs = map[string]bool{
	"count": true, "countif": true, "dcount": true, "dcountif": true, "sum": true, "sumif": true,
	"min": true, "max": true, "minif": true, "maxif": true, "avg": true, "avgif": true,
	"arg_max": true, "arg_min": true, "take_any": true, "any": true, "take_anyif": true, "anyif": true,
	"make_set": true, "make_set_if": true, "make_list": true, "make_list_if": true, "make_bag": true,
	"make_bag_if": true, "percentile": true, "percentiles": true, "percentiles_array": true,
	"stdev": true, "stdevif": true, "variance": true, "varianceif": true, "count_distinct": true,
	"make_list_with_nulls": true, "hll": true, "hll_merge": true, "binary_all_or": true,
	"binary_all_and": true, "binary_all_xor": true, "stdevp": true, "variancep": true,
}

func isAggName(n string) bool {
	if knownAggs[n] {
		return true
	}
	_, ok := functions.LookupAggregate(n)
	return ok
}

// toBoolExpr converts a string expression to bool as tobool() does (null
// when the string is no bool).
func toBoolExpr(x *cexpr) *cexpr {
	return rowwise(types.Bool, []*cexpr{x}, func(v []types.Value) (types.Value, error) {
		if b, ok := functions.ToBool(v[0]); ok {
			return types.NewBool(b), nil
		}
		return types.NullOf(types.Bool), nil
	})
}
