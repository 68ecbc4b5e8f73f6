package binder

import (
	suggestpkg "github.com/huntbook/huntbook/kql/suggest"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// scalar binds a scalar expression in c and returns its type.
func (b *binder) scalar(x ast.Expr, c *ctx) types.Type {
	if x == nil {
		return Unknown
	}
	return b.setType(x, b.scalar1(x, c))
}

func (b *binder) scalar1(x ast.Expr, c *ctx) types.Type {
	switch x := x.(type) {
	case *ast.Lit:
		return x.Value.Type
	case *ast.Ident:
		return b.ident(x, c)
	case *ast.ParenExpr:
		if b.isTabular(x.X, c.sc, false) {
			b.tabExpr(x.X, c.sc)
			return Unknown
		}
		return b.scalar(x.X, c)
	case *ast.UnaryExpr:
		t := b.scalar(x.X, c)
		if t == types.String || t == types.Bool || t == types.GUID {
			b.errorf(x, "operator '%s' cannot be applied to %s", x.Op, t)
			return Unknown
		}
		return t
	case *ast.BinaryExpr:
		return b.binary(x, c)
	case *ast.InExpr:
		b.scalar(x.X, c)
		for _, e := range x.List {
			if b.isTabular(e, c.sc, false) {
				b.tabExpr(e, c.sc)
				continue
			}
			b.scalar(e, c)
		}
		return types.Bool
	case *ast.BetweenExpr:
		t := b.scalar(x.X, c)
		lo := b.scalar(x.Lo, c)
		hi := b.scalar(x.Hi, c)
		if t == types.String || lo == types.String || hi == types.String {
			b.errorf(x, "between cannot be applied to string")
		}
		return types.Bool
	case *ast.CallExpr:
		return b.call(x, c)
	case *ast.SelectorExpr:
		return b.selector(x, c)
	case *ast.IndexExpr:
		b.scalar(x.X, c)
		b.scalar(x.Index, c)
		return types.Dynamic
	case *ast.NamedExpr:
		return b.scalar(x.Value, c)
	case *ast.OrderExpr:
		return b.scalar(x.X, c)
	case *ast.ListExpr:
		for _, e := range x.Elems {
			b.scalar(e, c)
		}
		return Unknown
	case *ast.TypedExpr, *ast.TypeExpr, *ast.StarExpr, *ast.BadExpr, *ast.WildcardIdent:
		return Unknown
	case *ast.FuncLit:
		// a lambda argument (partition by ... { }, scan steps): its body
		// binds when called
		return Unknown
	case *ast.Pipe, *ast.OpExpr:
		b.tabExpr(x, c.sc)
		return Unknown
	}
	return Unknown
}

// ident resolves a bare name: a column of the row in scope, then a let
// name or parameter.
func (b *binder) ident(x *ast.Ident, c *ctx) types.Type {
	if c.tab != nil {
		if col, ok := c.tab.lookup(x.Name); ok {
			return col.Type
		}
	}
	if sym := c.sc.lookup(x.Name); sym != nil {
		switch sym.kind {
		case symScalar:
			return sym.typ
		case symFunc:
			if len(sym.fn.Params) == 0 && sym.fnTab == nil {
				return sym.fnType
			}
		}
		// a table or function name in a scalar position (x in (T)): the
		// caller binds tables; leave the type unknown
		return Unknown
	}
	if c.tab != nil && c.tab.open {
		return Unknown
	}
	if _, ok := b.cat.Table(x.Name); ok {
		return Unknown // T in (T) style membership, bound elsewhere
	}
	b.unknownColumn(x, c)
	return Unknown
}

// unknownColumn reports a name that resolves to nothing.
func (b *binder) unknownColumn(x *ast.Ident, c *ctx) {
	var cands []string
	if c.tab != nil {
		cands = append(cands, c.tab.names()...)
	}
	for _, s := range c.sc.all() {
		if s.kind == symScalar {
			cands = append(cands, s.name)
		}
	}
	hint := suggest(x.Name, cands)
	if hint == "" {
		hint = suggestpkg.Timespan(x.Name)
	}
	if c.tab == nil {
		b.errorf(x, "unknown name '%s'%s", x.Name, hint)
		return
	}
	b.errorf(x, "unknown column '%s'%s", x.Name, hint)
}

// selector binds X.Sel: $left.Col / $right.Col in joins, a property of a
// dynamic value, or T.Col.
func (b *binder) selector(x *ast.SelectorExpr, c *ctx) types.Type {
	if id, ok := x.X.(*ast.Ident); ok && (id.Name == "$left" || id.Name == "$right") {
		side := c.left
		if id.Name == "$right" {
			side = c.right
		}
		if side == nil {
			b.errorf(id, "%s is only valid in join and lookup conditions", id.Name)
			return Unknown
		}
		if col, ok := side.lookup(x.Sel.Name); ok {
			b.setType(x.Sel, col.Type)
			return col.Type
		}
		if !side.open {
			b.errorf(x.Sel, "unknown column '%s' in %s%s", x.Sel.Name, id.Name, suggest(x.Sel.Name, side.names()))
		}
		return Unknown
	}
	// T.Col where T is a table in scope (a scan step or a let table)
	if id, ok := x.X.(*ast.Ident); ok && (c.tab == nil || c.tab.cols.Index(id.Name) < 0) {
		if sym := c.sc.lookup(id.Name); sym != nil && sym.kind == symTable {
			if col, ok := sym.tab.lookup(x.Sel.Name); ok {
				return col.Type
			}
			return Unknown
		}
	}
	t := b.scalar(x.X, c)
	switch t {
	case types.Dynamic, Unknown:
		return types.Dynamic
	case types.String:
		// Kusto rejects property access on a string; parse_json it first.
		b.errorf(x, "'%s' is a string, not dynamic: use parse_json(%s).%s to read a property", b.text(x.X), b.text(x.X), x.Sel.Name)
		return types.Dynamic
	}
	return types.Dynamic
}

// binary types X op Y as Kusto does.
func (b *binder) binary(x *ast.BinaryExpr, c *ctx) types.Type {
	l := b.scalar(x.X, c)
	r := b.scalar(x.Y, c)
	switch x.Op {
	case token.ADD, token.SUB, token.MUL, token.QUO, token.REM:
		return b.arith(x, x.Op, l, r)
	case token.EQL, token.NEQ, token.LSS, token.GTR, token.LEQ, token.GEQ:
		if !comparable(l, r) {
			b.errorf(x, "cannot compare %s and %s (convert one side, e.g. with to%s())", l, r, convName(l, r))
		}
		return types.Bool
	case token.EQTILDE, token.NEQTILDE:
		return types.Bool
	}
	switch strings.ToLower(x.Word) {
	case "and", "or":
		for _, side := range []struct {
			n ast.Expr
			t types.Type
		}{{x.X, l}, {x.Y, r}} {
			if side.t != Unknown && side.t != types.Bool && side.t != types.Dynamic {
				b.errorf(side.n, "operand of '%s' must be bool, got %s", x.Word, side.t)
			}
		}
		return types.Bool
	}
	// has, contains, startswith, matches regex ... and their negations
	return types.Bool
}

// arith types an arithmetic operation: numeric promotion, datetime and
// timespan arithmetic; strings are an error as in Kusto.
func (b *binder) arith(x *ast.BinaryExpr, op token.Token, l, r types.Type) types.Type {
	if l == types.String || r == types.String || l == types.GUID || r == types.GUID || l == types.Bool || r == types.Bool {
		b.errorf(x, "operator '%s' cannot be applied to %s and %s", op, l, r)
		return Unknown
	}
	if l == Unknown || r == Unknown {
		if l == types.DateTime && op == token.SUB || r == types.DateTime && op == token.SUB {
			return Unknown
		}
		if l.IsNumeric() && r == Unknown || r.IsNumeric() && l == Unknown {
			return Unknown
		}
		return Unknown
	}
	if l == types.Dynamic || r == types.Dynamic {
		return types.Dynamic
	}
	switch {
	case l.IsNumeric() && r.IsNumeric():
		return promote(l, r)
	case l == types.DateTime && r == types.DateTime:
		if op == token.SUB {
			return types.TimeSpan
		}
	case l == types.DateTime && r == types.TimeSpan:
		if op == token.ADD || op == token.SUB {
			return types.DateTime
		}
	case l == types.TimeSpan && r == types.DateTime:
		if op == token.ADD {
			return types.DateTime
		}
	case l == types.TimeSpan && r == types.TimeSpan:
		switch op {
		case token.ADD, token.SUB, token.REM:
			return types.TimeSpan
		case token.QUO:
			return types.Real
		}
	case l == types.TimeSpan && r.IsNumeric():
		if op == token.MUL || op == token.QUO {
			return types.TimeSpan
		}
	case l.IsNumeric() && r == types.TimeSpan:
		if op == token.MUL {
			return types.TimeSpan
		}
	}
	b.errorf(x, "operator '%s' cannot be applied to %s and %s", op, l, r)
	return Unknown
}

// promote is the result type of arithmetic on two numeric types.
func promote(l, r types.Type) types.Type {
	rank := func(t types.Type) int {
		switch t {
		case types.Int:
			return 0
		case types.Long:
			return 1
		case types.Real:
			return 2
		}
		return 3 // decimal
	}
	if rank(l) >= rank(r) {
		return l
	}
	return r
}

// comparable reports whether Kusto compares values of types l and r.
func comparable(l, r types.Type) bool {
	if l == Unknown || r == Unknown || l == r || l == types.Dynamic || r == types.Dynamic {
		return true
	}
	group := func(t types.Type) int {
		switch {
		case t.IsNumeric():
			return 1
		case t == types.String || t == types.GUID:
			return 2
		case t == types.DateTime:
			return 3
		case t == types.TimeSpan:
			return 4
		case t == types.Bool:
			return 5
		}
		return 0
	}
	gl, gr := group(l), group(r)
	if gl == gr {
		return true
	}
	// Kusto rejects datetime against numbers and timespans. A string
	// against a number or datetime is converted (ResultType == 0 on a string
	// column is everyday Sentinel KQL), and bool compares with numbers as 0/1.
	bad := func(a, b int) bool {
		return a == 3 && (b == 1 || b == 4)
	}
	return !bad(gl, gr) && !bad(gr, gl)
}

func convName(l, r types.Type) string {
	if l == types.String {
		return r.String()
	}
	if r == types.String {
		return l.String()
	}
	return "datetime"
}

// args binds call arguments and returns their types.
func (b *binder) args(args []ast.Expr, c *ctx) []types.Type {
	out := make([]types.Type, len(args))
	for i, a := range args {
		if b.isTabular(a, c.sc, false) {
			b.tabExpr(a, c.sc)
			out[i] = Unknown
			continue
		}
		out[i] = b.scalar(a, c)
	}
	return out
}

// noAgg is c without aggregates: an aggregate's own arguments, and
// everything outside summarize.
func noAgg(c *ctx) *ctx {
	if !c.agg {
		return c
	}
	return &ctx{tab: c.tab, sc: c.sc, left: c.left, right: c.right}
}

// call binds a function call.
func (b *binder) call(x *ast.CallExpr, c *ctx) types.Type {
	id, ok := x.Fun.(*ast.Ident)
	if !ok {
		// database("d").f(), a method-style call: not modelled
		b.args(x.Args, noAgg(c))
		return Unknown
	}
	name := id.Name
	if sym := c.sc.lookup(name); sym != nil {
		if sym.kind != symFunc {
			b.errorf(id, "'%s' is not a function", name)
			b.args(x.Args, c)
			return Unknown
		}
		_, t, isTab := b.userCall(sym, x, c, nil)
		if isTab {
			return Unknown
		}
		return t
	}
	switch name {
	case "toscalar":
		if len(x.Args) != 1 {
			b.errorf(x, "toscalar(): expects 1 argument, got %d", len(x.Args))
			b.args(x.Args, noAgg(c))
			return Unknown
		}
		if b.isTabular(x.Args[0], c.sc, true) {
			tab := b.tabExpr(x.Args[0], c.sc)
			if len(tab.cols) > 0 {
				return tab.cols[0].Type
			}
			return Unknown
		}
		return b.scalar(x.Args[0], noAgg(c))
	case "column_ifexists":
		at := b.args(x.Args, noAgg(c))
		if len(x.Args) != 2 {
			b.errorf(x, "column_ifexists(): expects 2 arguments, got %d", len(x.Args))
			return Unknown
		}
		if lit, ok := x.Args[0].(*ast.Lit); ok && lit.Value.Type == types.String && c.tab != nil {
			if col, ok := c.tab.lookup(lit.Value.S); ok {
				return col.Type
			}
		}
		return at[1]
	case "typeof":
		return Unknown
	case "dynamic":
		b.args(x.Args, noAgg(c))
		return types.Dynamic
	}
	if tabularCalls[name] {
		b.tabCall(x, c.sc, nil)
		return Unknown
	}
	agg, isAgg := functions.LookupAggregate(name)
	extraAgg, isExtraAgg := extraAggregates[name]
	sc, isScalar := functions.LookupScalar(name)
	extra, isExtra := extraScalars[name]
	if (isAgg || isExtraAgg) && (c.agg || !isScalar) {
		switch {
		case c.nested:
			b.errorf(id, "aggregate function '%s' cannot be used inside another aggregate", name)
		case !c.agg:
			b.errorf(id, "aggregate function '%s' is only allowed in summarize, make-series and top-nested", name)
		}
		inner := noAgg(c)
		if c.agg {
			inner = &ctx{tab: c.tab, sc: c.sc, left: c.left, right: c.right, nested: true}
		}
		at := b.args(x.Args, inner)
		if isExtraAgg && !isAgg {
			return b.known(x, name, extraAgg, at)
		}
		if name == "count" && len(x.Args) == 1 {
			return types.Long // count(Col): accepted by Kusto, counts the rows
		}
		if err := functions.CheckArity(name, agg.MinArgs, agg.MaxArgs, len(x.Args)); err != nil {
			b.errorf(x, "%s", err)
			return Unknown
		}
		if hasStar(x.Args) {
			return Unknown
		}
		t, err := agg.Result(at)
		if err != nil {
			if allKnown(at) {
				b.errorf(x, "%s", err)
			}
			return Unknown
		}
		return t
	}
	if isScalar {
		// summarize round(avg(x), 1): aggregates may sit inside scalars
		at := b.args(x.Args, c)
		if err := functions.CheckArity(name, sc.MinArgs, sc.MaxArgs, len(x.Args)); err != nil {
			b.errorf(x, "%s", err)
			return Unknown
		}
		var (
			t   types.Type
			err error
		)
		if sc.ResultConsts != nil {
			t, err = sc.ResultConsts(at, constArgs(x.Args))
		} else {
			t, err = sc.Result(at)
		}
		if err != nil {
			if allKnown(at) {
				b.errorf(x, "%s", err)
			}
			return Unknown
		}
		return t
	}
	if isExtra {
		at := b.args(x.Args, c)
		return b.known(x, name, extra, at)
	}
	at := b.args(x.Args, noAgg(c))
	_ = at
	if _, ok := b.storedFunction(name); ok {
		return Unknown
	}
	b.errorf(id, "unknown function '%s'%s", name, suggest(name, b.functionCandidates(c.sc)))
	return Unknown
}

// known types a call to a function from the extra tables.
func (b *binder) known(x *ast.CallExpr, name string, k knownFn, at []types.Type) types.Type {
	if err := functions.CheckArity(name, k.min, k.max, len(x.Args)); err != nil {
		b.errorf(x, "%s", err)
		return Unknown
	}
	if k.sameAs0 && len(at) > 0 {
		return at[0]
	}
	return k.result
}

func hasStar(args []ast.Expr) bool {
	for _, a := range args {
		if _, ok := a.(*ast.StarExpr); ok {
			return true
		}
	}
	return false
}

// allKnown reports whether every argument type is known: only then is a
// library type error certain enough to report.
func allKnown(ts []types.Type) bool {
	for _, t := range ts {
		if t == Unknown || t == types.Dynamic {
			return false
		}
	}
	return true
}

// constArgs gives the constant value of each argument (an invalid Value for
// non-constants; a type name for typeof(T)).
func constArgs(args []ast.Expr) []types.Value {
	out := make([]types.Value, len(args))
	for i, a := range args {
		switch a := unparen(a).(type) {
		case *ast.Lit:
			out[i] = a.Value
		case *ast.CallExpr:
			if callName(a) == "typeof" && len(a.Args) == 1 {
				switch t := a.Args[0].(type) {
				case *ast.TypeExpr:
					out[i] = types.NewString(t.Type.String())
				case *ast.Ident:
					out[i] = types.NewString(t.Name)
				}
			}
		case *ast.TypeExpr:
			out[i] = types.NewString(a.Type.String())
		}
	}
	return out
}

// functionCandidates are the function names a misspelt call could mean.
func (b *binder) functionCandidates(sc *scope) []string {
	names := functions.Names()
	for n := range extraScalars {
		names = append(names, n)
	}
	for n := range extraAggregates {
		names = append(names, n)
	}
	for _, s := range sc.all() {
		if s.kind == symFunc {
			names = append(names, s.name)
		}
	}
	return names
}

// userCall binds a call of a let-defined function: checks the argument
// count against the parameters (defaults make trailing ones optional) and
// binds the body with the actual argument types. input is a piped table
// for invoke (the first, tabular, parameter).
func (b *binder) userCall(sym *symbol, x *ast.CallExpr, c *ctx, input *tabular) (*tabular, types.Type, bool) {
	params := sym.fn.Params
	nargs := len(x.Args)
	if input != nil {
		nargs++
	}
	required := 0
	for _, p := range params {
		if p != nil && p.Default == nil {
			required++
		}
	}
	if nargs < required || nargs > len(params) {
		want := itoa(len(params))
		if required != len(params) {
			want = itoa(required) + " to " + itoa(len(params))
		}
		b.errorf(x, "%s(): expects %s argument%s, got %d", sym.name, want, pluralS(len(params)), nargs)
	}
	var argTypes []types.Type
	var argTabs []*tabular
	if input != nil {
		argTypes = append(argTypes, Unknown)
		argTabs = append(argTabs, input)
	}
	for _, a := range x.Args {
		pi := len(argTypes) // the parameter this argument fills
		if ne, ok := a.(*ast.NamedExpr); ok && len(ne.Names) == 1 {
			a = ne.Value
		}
		tabParam := pi < len(params) && params[pi] != nil && params[pi].Type != nil && params[pi].Type.Tabular
		if tabParam || b.isTabular(a, c.sc, false) {
			argTabs = append(argTabs, b.tabExpr(a, c.sc))
			argTypes = append(argTypes, Unknown)
			continue
		}
		argTabs = append(argTabs, nil)
		argTypes = append(argTypes, b.scalar(a, noAgg(c)))
	}
	return b.funcBody(sym, argTypes, argTabs, true)
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
