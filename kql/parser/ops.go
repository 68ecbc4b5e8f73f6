package parser

import (
	"sort"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/suggest"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// pipeOps are the operators that may follow '|'.
var pipeOps = words("where", "filter", "project", "project-away", "project-keep", "project-rename",
	"project-reorder", "extend", "summarize", "count", "take", "limit", "top", "top-nested", "top-hitters",
	"sort", "order", "distinct", "join", "lookup", "union", "mv-expand", "mvexpand", "mv-apply", "mvapply",
	"parse", "parse-where", "parse-kv", "make-series", "render", "as", "serialize", "sample",
	"sample-distinct", "getschema", "search", "find", "evaluate", "invoke", "partition", "scan", "fork",
	"facet", "reduce", "consume", "make-graph", "graph-match", "externaldata", "datatable", "print", "range")

// peekOpName returns the (possibly hyphenated) word at the current token
// without consuming it: project-away is three tokens written together.
func (p *parser) peekOpName() string {
	if p.tok != token.IDENT {
		return ""
	}
	name := p.lit
	for n := 0; p.peek(n+1).tok == token.SUB && p.adjacent(n) && p.peek(n+2).tok == token.IDENT && p.adjacent(n+1); n += 2 {
		name += "-" + p.peek(n+2).lit
	}
	return name
}

// opName consumes the operator name and returns it with its position.
func (p *parser) opName() (string, token.Pos) {
	pos := p.pos
	name := p.peekOpName()
	for n := strings.Count(name, "-")*2 + 1; n > 0; n-- {
		p.next()
	}
	return name, pos
}

// span makes an OpSpan from pos to the end of the last token consumed.
func (p *parser) span(pos token.Pos) ast.OpSpan {
	return ast.OpSpan{OpPos: pos, EndPos: p.prevEnd()}
}

// opNames lists the operators that may follow '|', for suggestions.
func opNames() []string {
	names := make([]string, 0, len(pipeOps))
	for n := range pipeOps {
		names = append(names, n)
	}
	sort.Strings(names) // the same suggestion every time
	return names
}

func (p *parser) parsePipeOp() ast.Operator {
	if p.tok != token.IDENT {
		p.errorf(p.errPos(), "expected a tabular operator after '|', found %s", p.describe())
		pos := p.pos
		p.syncOp()
		return &ast.BadOp{OpSpan: ast.OpSpan{OpPos: pos, EndPos: p.prevEnd()}}
	}
	name := p.peekOpName()
	if !pipeOps[name] {
		p.errorf(p.pos, "unknown tabular operator '%s'%s", name, suggest.DidYouMean(name, opNames()))
		pos := p.pos
		p.syncOp()
		return &ast.BadOp{OpSpan: ast.OpSpan{OpPos: pos, EndPos: max(pos, p.prevEnd())}}
	}
	return p.parseOperator()
}

// sourceOps start a tabular expression on their own.
var sourceOps = words("print", "range", "datatable", "externaldata", "external_data", "union", "search", "find", "evaluate")

// startsSourceOp reports whether the word here is a source operator rather
// than a name: "range x from ..." but not "range(1, 5, 1)".
func (p *parser) startsSourceOp() bool {
	if p.tok != token.IDENT || !sourceOps[p.lit] {
		return false
	}
	nt := p.peek(1)
	switch p.lit {
	case "range":
		return nt.tok == token.IDENT && p.peek(2).tok == token.IDENT && p.peek(2).lit == "from"
	case "datatable", "externaldata", "external_data":
		return nt.tok == token.LPAREN || nt.tok == token.IDENT
	case "evaluate":
		return nt.tok == token.IDENT
	case "find":
		return nt.tok == token.IDENT && (nt.lit == "in" || nt.lit == "where" || nt.lit == "withsource" || p.peek(2).tok == token.ASSIGN)
	}
	switch nt.tok {
	case token.EOF, token.PIPE, token.SEMICOLON, token.RPAREN, token.COMMA, token.PERIOD, token.ASSIGN, token.LBRACK, token.RBRACK, token.RBRACE:
		return false
	}
	if compareTokens[nt.tok] {
		return false
	}
	return true
}

// parseSourceOp parses an operator that starts a pipeline (print, range, union...).
func (p *parser) parseSourceOp() ast.Operator { return p.parseOperator() }

func (p *parser) parseOperator() ast.Operator {
	name, pos := p.opName()
	switch name {
	case "where", "filter":
		op := &ast.WhereOp{}
		op.Pred = p.parseOr()
		if p.tok == token.ASSIGN {
			p.errorf(p.pos, "unexpected '=' in a predicate: use '==' to compare")
		}
		op.OpSpan = p.span(pos)
		return op
	case "project", "extend":
		op := &ast.ProjectOp{Kind: name}
		op.Items = p.parseList(p.parseNamedOrExpr)
		op.OpSpan = p.span(pos)
		return op
	case "project-away", "project-keep":
		op := &ast.ProjectOp{Kind: name}
		op.Items = p.parseList(p.parseColumnPattern)
		op.OpSpan = p.span(pos)
		return op
	case "project-rename":
		op := &ast.ProjectOp{Kind: name}
		op.Items = p.parseList(func() ast.Expr {
			x := p.parseNamedOrExpr()
			if _, ok := x.(*ast.NamedExpr); !ok {
				p.errorf(x.Pos(), "expected NewName = ExistingName in project-rename")
			}
			return x
		})
		op.OpSpan = p.span(pos)
		return op
	case "project-reorder":
		op := &ast.ProjectOp{Kind: name}
		op.Items = p.parseList(func() ast.Expr {
			x := p.parseColumnPattern()
			if p.tok == token.IDENT {
				switch p.lit {
				case "asc", "desc", "granny-asc", "granny-desc":
					dir := p.peekOpName()
					p.opName()
					return &ast.OrderExpr{X: x, Dir: dir, EndPos: p.prevEnd()}
				}
			}
			return x
		})
		op.OpSpan = p.span(pos)
		return op
	case "summarize":
		return p.parseSummarize(pos)
	case "count":
		return &ast.CountOp{OpSpan: p.span(pos)}
	case "take", "limit":
		op := &ast.TakeOp{Kind: name}
		op.N = p.parseOr()
		op.OpSpan = p.span(pos)
		return op
	case "top":
		op := &ast.TopOp{}
		op.N = p.parseOr()
		if p.expectWord("by") {
			op.By = p.parseOrderList()
		}
		op.OpSpan = p.span(pos)
		return op
	case "top-nested":
		return p.parseTopNested(pos)
	case "top-hitters":
		op := &ast.TopHittersOp{}
		op.N = p.parseOr()
		if p.expectWord("of") {
			op.Of = p.parseOr()
		}
		if p.isWord("by") {
			p.next()
			op.By = p.parseOr()
		}
		op.OpSpan = p.span(pos)
		return op
	case "sort", "order":
		op := &ast.SortOp{Kind: name}
		op.Hints = p.parseParams(isHint)
		if p.expectWord("by") {
			op.By = p.parseOrderList()
		}
		op.OpSpan = p.span(pos)
		return op
	case "distinct":
		op := &ast.DistinctOp{}
		op.Hints = p.parseParams(isHint)
		op.Cols = p.parseList(p.parseOr)
		op.OpSpan = p.span(pos)
		return op
	case "join":
		op := &ast.JoinOp{}
		op.Hints = p.parseParams(paramsOf("kind"))
		op.Kind, op.Hints = takeKind(op.Hints)
		op.Right = p.parseRightTable()
		op.Hints = append(op.Hints, p.parseParams(paramsOf("kind"))...)
		op.Kind, op.Hints = takeKindOr(op.Kind, op.Hints)
		if p.expectWord("on") {
			op.On = p.parseList(p.parseOr)
		}
		op.OpSpan = p.span(pos)
		return op
	case "lookup":
		op := &ast.LookupOp{}
		op.Hints = p.parseParams(paramsOf("kind"))
		op.Kind, op.Hints = takeKind(op.Hints)
		op.Right = p.parseRightTable()
		if p.expectWord("on") {
			op.On = p.parseList(p.parseOr)
		}
		op.OpSpan = p.span(pos)
		return op
	case "union":
		return p.parseUnion(pos)
	case "mv-expand", "mvexpand":
		op := &ast.MvExpandOp{}
		op.Params = p.parseParams(paramsOf("bagexpansion", "with_itemindex", "kind"))
		op.WithItemIndex, op.Params = takeIdent(op.Params, "with_itemindex")
		op.Items = p.parseMvItems()
		if p.isWord("limit") {
			p.next()
			op.Limit = p.parseOr()
		}
		op.OpSpan = p.span(pos)
		return op
	case "mv-apply", "mvapply":
		op := &ast.MvApplyOp{}
		op.Params = p.parseParams(paramsOf("with_itemindex", "id_column"))
		op.WithItemIndex, op.Params = takeIdent(op.Params, "with_itemindex")
		op.Items = p.parseMvItems()
		if p.isWord("limit") {
			p.next()
			op.Limit = p.parseOr()
		}
		op.Params = append(op.Params, p.parseParams(paramsOf("id_column"))...)
		if p.expectWord("on") {
			op.On = p.parseSubquery()
		}
		op.OpSpan = p.span(pos)
		return op
	case "parse", "parse-where":
		return p.parseParse(pos, name)
	case "parse-kv":
		op := &ast.ParseKvOp{}
		op.Source = p.parseOr()
		if p.expectWord("as") {
			op.Columns = p.parseSchema()
		}
		if p.isWord("with") {
			p.next()
			op.With = p.parseParenParams()
		}
		op.OpSpan = p.span(pos)
		return op
	case "make-series":
		return p.parseMakeSeries(pos)
	case "render":
		return p.parseRender(pos)
	case "as":
		op := &ast.AsOp{}
		op.Params = p.parseParams(isHint)
		op.Alias = p.parseName()
		op.OpSpan = p.span(pos)
		return op
	case "serialize":
		op := &ast.SerializeOp{}
		if p.canStartItem() {
			op.Items = p.parseList(p.parseNamedOrExpr)
		}
		op.OpSpan = p.span(pos)
		return op
	case "sample":
		op := &ast.SampleOp{}
		op.N = p.parseOr()
		op.OpSpan = p.span(pos)
		return op
	case "sample-distinct":
		op := &ast.SampleDistinctOp{}
		op.N = p.parseOr()
		if p.expectWord("of") {
			op.Of = p.parseOr()
		}
		op.OpSpan = p.span(pos)
		return op
	case "getschema":
		return &ast.GetSchemaOp{OpSpan: p.span(pos)}
	case "search":
		op := &ast.SearchOp{}
		op.Params = p.parseParams(paramsOf("kind"))
		if p.isWord("in") && p.peek(1).tok == token.LPAREN {
			p.next()
			op.Tables = p.parseTableList()
		}
		p.inSearch = true
		op.Pred = p.parseOr()
		p.inSearch = false
		op.OpSpan = p.span(pos)
		return op
	case "find":
		return p.parseFind(pos)
	case "evaluate":
		op := &ast.EvaluateOp{}
		op.Params = p.parseParams(isHint)
		op.Call = p.parseCallOnly("a plugin call")
		if p.tok == token.COLON {
			// evaluate plugin(...) : (schema) declares the output columns.
			p.next()
			op.Schema = p.parseType()
		}
		op.OpSpan = p.span(pos)
		return op
	case "invoke":
		op := &ast.InvokeOp{}
		op.Call = p.parseCallOnly("a function call")
		op.OpSpan = p.span(pos)
		return op
	case "externaldata", "external_data":
		op := &ast.ExternalDataOp{}
		op.Params = p.parseParams(paramsOf("kind"))
		op.Columns = p.parseSchema()
		if p.tok == token.LBRACK {
			op.URIs = p.parseBracketValues()
		} else {
			p.errorExpected("'[' and the data URIs")
		}
		if p.isWord("with") {
			p.next()
			op.With = p.parseParenParams()
		}
		op.OpSpan = p.span(pos)
		return op
	case "datatable":
		op := &ast.DataTableOp{}
		op.Params = p.parseParams(isHint)
		op.Columns = p.parseSchema()
		if p.tok == token.LBRACK {
			op.Values = p.parseBracketValues()
		} else {
			p.errorExpected("'[' and the table's values")
		}
		op.OpSpan = p.span(pos)
		return op
	case "print":
		op := &ast.PrintOp{}
		op.Items = p.parseList(p.parseNamedOrExpr)
		op.OpSpan = p.span(pos)
		return op
	case "range":
		op := &ast.RangeOp{}
		op.Col = p.parseName()
		if p.expectWord("from") {
			op.From = p.parseOr()
		}
		if p.expectWord("to") {
			op.To = p.parseOr()
		}
		if p.expectWord("step") {
			op.Step = p.parseOr()
		}
		op.OpSpan = p.span(pos)
		return op
	case "partition":
		op := &ast.PartitionOp{}
		op.Params = p.parseParams(isHint)
		if p.expectWord("by") {
			op.By = p.parseName()
		}
		op.Params = append(op.Params, p.parseParams(isHint)...)
		switch p.tok {
		case token.LPAREN:
			op.Query = p.parseSubquery()
		case token.LBRACE:
			op.Query = p.parseBlock()
		default:
			p.errorExpected("'(' or '{' and the partition's subquery")
		}
		op.OpSpan = p.span(pos)
		return op
	case "scan":
		return p.parseScan(pos)
	case "fork":
		op := &ast.ForkOp{}
		for p.tok == token.LPAREN || p.tok == token.IDENT && p.peek(1).tok == token.ASSIGN {
			if p.tok == token.IDENT {
				name := p.parseName()
				p.next()
				op.Branches = append(op.Branches, &ast.NamedExpr{Names: []*ast.Ident{name}, Value: p.parseSubquery()})
				continue
			}
			op.Branches = append(op.Branches, p.parseSubquery())
		}
		if len(op.Branches) == 0 {
			p.errorExpected("'(' and a subquery")
		}
		op.OpSpan = p.span(pos)
		return op
	case "facet":
		op := &ast.FacetOp{}
		if p.expectWord("by") {
			op.By = p.parseList(p.parseOr)
		}
		if p.isWord("with") {
			p.next()
			op.With = p.parseSubquery()
		}
		op.OpSpan = p.span(pos)
		return op
	case "reduce":
		op := &ast.ReduceOp{}
		op.Params = p.parseParams(paramsOf("kind"))
		if p.expectWord("by") {
			op.By = p.parseOr()
		}
		if p.isWord("with") {
			p.next()
			op.With = p.parseParams(func(string) bool { return true })
		}
		op.OpSpan = p.span(pos)
		return op
	case "consume":
		op := &ast.ConsumeOp{}
		op.Params = p.parseParams(func(string) bool { return true })
		op.OpSpan = p.span(pos)
		return op
	case "make-graph":
		return p.parseMakeGraph(pos)
	case "graph-match":
		return p.parseGraphMatch(pos)
	}
	p.errorf(pos, "unknown tabular operator '%s'", name)
	p.syncOp()
	return &ast.BadOp{OpSpan: p.span(pos)}
}

// canStartItem reports whether a list item (column, name = value) is here.
func (p *parser) canStartItem() bool {
	switch p.tok {
	case token.PIPE, token.SEMICOLON, token.EOF, token.RPAREN, token.RBRACE, token.RBRACK:
		return false
	}
	return p.canStartExpr()
}

// ---------------------------------------------------------------------------
// Parameters: kind=inner, hint.strategy=shuffle, withsource=T ...

func isHint(name string) bool { return strings.HasPrefix(name, "hint.") }

// paramsOf accepts the given names and every hint.
func paramsOf(names ...string) func(string) bool {
	m := words(names...)
	return func(n string) bool { return m[n] || isHint(n) }
}

// parseParams parses name=value pairs for as long as the names are
// accepted. Names may be dotted (hint.strategy); values are single
// operands, so "kind=inner (T)" leaves (T) alone.
func (p *parser) parseParams(accept func(string) bool) []*ast.NamedExpr {
	var out []*ast.NamedExpr
	for p.tok == token.IDENT {
		n := 1
		name := p.lit
		for p.peek(n).tok == token.PERIOD && p.peek(n+1).tok == token.IDENT {
			name += "." + p.peek(n+1).lit
			n += 2
		}
		if p.peek(n).tok != token.ASSIGN || !accept(name) {
			break
		}
		id := p.parseDottedName()
		p.next() // =
		out = append(out, &ast.NamedExpr{Names: []*ast.Ident{id}, Value: p.parseParamValue()})
		if p.tok == token.COMMA && p.peek(1).tok == token.IDENT && p.peek(2).tok == token.ASSIGN && accept(p.peek(1).lit) {
			p.next() // reduce's "with threshold=0.1, characters=..." separates with commas
		}
	}
	return out
}

// parseParamValue parses a parameter's value: a word (inner, shuffle), a
// literal or a bracketed name.
func (p *parser) parseParamValue() ast.Expr {
	if p.tok == token.IDENT {
		if p.lit == "true" || p.lit == "false" {
			lit := &ast.Lit{ValuePos: p.pos, EndPos: p.peek(0).end(), Value: types.NewBool(p.lit == "true"), Raw: p.lit}
			p.next()
			return lit
		}
		return p.parseName()
	}
	return p.parseUnary()
}

// parseParenParams parses (name = value, ...) as parse-kv, externaldata and
// render take after with.
func (p *parser) parseParenParams() []*ast.NamedExpr {
	lparen := p.pos
	if p.tok != token.LPAREN {
		p.errorExpected("'('")
		return nil
	}
	p.next()
	var out []*ast.NamedExpr
	p.parseCommaList(token.RPAREN, lparen, func() {
		x := p.parseNamedOrExpr()
		switch x := x.(type) {
		case *ast.NamedExpr:
			out = append(out, x)
		default:
			// ycolumns = a, b: a bare item continues the previous value's list.
			if len(out) == 0 {
				p.errorf(x.Pos(), "expected name = value")
				return
			}
			prev := out[len(out)-1]
			l, ok := prev.Value.(*ast.ListExpr)
			if !ok || l.Lparen != prev.Value.Pos() || len(l.Elems) == 0 {
				l = &ast.ListExpr{Lparen: prev.Value.Pos(), Elems: []ast.Expr{prev.Value}}
			}
			l.Elems = append(l.Elems, x)
			l.Rparen = x.End() - 1
			prev.Value = l
		}
	})
	return out
}

// takeKind removes kind=X from params and returns X.
func takeKind(params []*ast.NamedExpr) (string, []*ast.NamedExpr) { return takeKindOr("", params) }

func takeKindOr(kind string, params []*ast.NamedExpr) (string, []*ast.NamedExpr) {
	out := params[:0]
	for _, prm := range params {
		if prm.Names[0].Name == "kind" {
			if id, ok := prm.Value.(*ast.Ident); ok {
				kind = id.Name
				continue
			}
		}
		out = append(out, prm)
	}
	if len(out) == 0 {
		out = nil
	}
	return kind, out
}

// takeIdent removes name=Ident from params and returns the Ident.
func takeIdent(params []*ast.NamedExpr, name string) (*ast.Ident, []*ast.NamedExpr) {
	var id *ast.Ident
	out := params[:0]
	for _, prm := range params {
		if prm.Names[0].Name == name {
			if x, ok := prm.Value.(*ast.Ident); ok {
				id = x
				continue
			}
		}
		out = append(out, prm)
	}
	if len(out) == 0 {
		out = nil
	}
	return id, out
}

// ---------------------------------------------------------------------------
// Operator parts

// parseColumnPattern parses a column name or a wildcard pattern (Prop*, *Id, *).
func (p *parser) parseColumnPattern() ast.Expr {
	if p.tok != token.IDENT && p.tok != token.MUL {
		if id := p.tryName(); id != nil {
			return id
		}
		return p.parsePostfix()
	}
	start := p.pos
	var b strings.Builder
	wild := false
	for {
		if p.tok == token.MUL {
			wild = true
		}
		b.WriteString(p.lit)
		p.next()
		if !(p.tok == token.IDENT || p.tok == token.MUL) || !p.adjacentPrev() {
			break
		}
	}
	end := p.prevEnd()
	if wild {
		return &ast.WildcardIdent{NamePos: start, Pattern: b.String(), EndPos: end}
	}
	id := &ast.Ident{NamePos: start, Name: b.String(), EndPos: end}
	// A table pattern can go on as database("x").T or f(args).
	if p.tok == token.LPAREN || p.tok == token.PERIOD {
		return p.continuePostfix(id)
	}
	return id
}

// adjacentPrev reports whether the current token touches the previous one.
func (p *parser) adjacentPrev() bool { return p.i > 0 && p.prevEnd() == p.pos }

// continuePostfix applies call, selector and index suffixes to x.
func (p *parser) continuePostfix(x ast.Expr) ast.Expr {
	if p.tok == token.LPAREN {
		x = p.parseCall(x)
	}
	for {
		switch p.tok {
		case token.PERIOD:
			p.next()
			if p.tok == token.IDENT || p.tok == token.MUL {
				sel := p.parseColumnPattern()
				if id, ok := sel.(*ast.Ident); ok {
					x = &ast.SelectorExpr{X: x, Sel: id}
					continue
				}
				if w, ok := sel.(*ast.WildcardIdent); ok {
					// database("d").Device*: keep the pattern as the selector's name.
					x = &ast.SelectorExpr{X: x, Sel: &ast.Ident{NamePos: w.NamePos, Name: w.Pattern, EndPos: w.EndPos}}
					continue
				}
				x = sel
				continue
			}
			p.errorExpected("a name")
			return x
		case token.LPAREN:
			if _, ok := x.(*ast.SelectorExpr); !ok {
				return x
			}
			x = p.parseCall(x)
		default:
			return x
		}
	}
}

// parseTableList parses "(T1, T2*, (subquery))" after in.
func (p *parser) parseTableList() []ast.Expr {
	lparen := p.pos
	p.next()
	var xs []ast.Expr
	p.parseCommaList(token.RPAREN, lparen, func() {
		xs = append(xs, p.parseTableRef())
	})
	return xs
}

// parseTableRef parses one table of union/search/find: a name or pattern,
// a call, database("x").T, or a parenthesized tabular expression.
func (p *parser) parseTableRef() ast.Expr {
	switch p.tok {
	case token.IDENT, token.MUL:
		if p.startsSourceOp() {
			return p.parsePostfix()
		}
		return p.parseColumnPattern()
	case token.LPAREN:
		lparen := p.pos
		p.next()
		x := p.parsePipeExpr()
		rparen := p.closing(token.RPAREN, lparen)
		return &ast.ParenExpr{Lparen: lparen, X: x, Rparen: rparen}
	}
	return p.parsePostfix()
}

// parseRightTable parses join's and lookup's right side.
func (p *parser) parseRightTable() ast.Expr {
	if !p.canStartExpr() {
		p.errorExpected("the right table: a name or (subquery)")
		return &ast.BadExpr{From: p.pos, To: p.pos}
	}
	return p.parseTableRef()
}

func (p *parser) parseUnion(pos token.Pos) ast.Operator {
	op := &ast.UnionOp{}
	op.Params = p.parseParams(paramsOf("kind", "withsource", "isfuzzy"))
	op.WithSource, op.Params = takeIdent(op.Params, "withsource")
	if !p.canStartExpr() {
		p.errorExpected("a table to union")
	} else {
		op.Tables = p.parseList(p.parseTableRef)
	}
	op.OpSpan = p.span(pos)
	return op
}

// parseCallOnly parses a call for evaluate and invoke.
func (p *parser) parseCallOnly(what string) *ast.CallExpr {
	if p.tok != token.IDENT && p.tok != token.LBRACK {
		p.errorExpected(what)
		return nil
	}
	x := p.parsePostfix()
	if call, ok := x.(*ast.CallExpr); ok {
		return call
	}
	p.errorf(x.End(), "expected '(' and arguments: %s", what)
	return nil
}

// parseOrderList parses "x [asc|desc] [nulls first|last], ...".
func (p *parser) parseOrderList() []*ast.OrderExpr {
	var out []*ast.OrderExpr
	for {
		out = append(out, p.parseOrderExpr(p.parseOr()))
		if p.tok != token.COMMA {
			return out
		}
		p.next()
	}
}

func (p *parser) parseOrderExpr(x ast.Expr) *ast.OrderExpr {
	o := &ast.OrderExpr{X: x}
	if p.isWord("asc") || p.isWord("desc") {
		o.Dir = p.lit
		p.next()
	}
	if p.isWord("nulls") {
		p.next()
		if p.isWord("first") || p.isWord("last") {
			o.Nulls = p.lit
			p.next()
		} else {
			p.errorExpected("'first' or 'last'")
		}
	}
	o.EndPos = p.prevEnd()
	return o
}

func (p *parser) parseSummarize(pos token.Pos) ast.Operator {
	op := &ast.SummarizeOp{}
	op.Hints = p.parseParams(isHint)
	if !p.isWord("by") && p.canStartItem() {
		op.Aggs = p.parseList(p.parseNamedOrExpr)
	}
	if p.isWord("by") {
		p.next()
		op.By = p.parseList(p.parseNamedOrExpr)
	}
	if len(op.Aggs) == 0 && len(op.By) == 0 {
		p.errorExpected("an aggregation or 'by'")
	}
	op.OpSpan = p.span(pos)
	return op
}

func (p *parser) parseTopNested(pos token.Pos) ast.Operator {
	op := &ast.TopNestedOp{}
	for {
		c := &ast.TopNestedClause{}
		if !p.isWord("of") {
			c.N = p.parseOr()
		}
		if p.expectWord("of") {
			c.Of = p.parseNamedOrExpr()
		}
		if p.isWord("with") && p.peek(1).tok == token.IDENT && p.peek(1).lit == "others" {
			p.next()
			p.next()
			p.expect(token.ASSIGN)
			c.Others = p.parseOr()
		}
		if p.expectWord("by") {
			c.By = p.parseOrderExpr(p.parseNamedOrExpr())
		}
		op.Clauses = append(op.Clauses, c)
		if p.tok != token.COMMA {
			break
		}
		p.next()
		// Each further level repeats the keyword: , top-nested 2 of b by ...
		if p.peekOpName() != "top-nested" {
			p.errorExpected("'top-nested'")
			break
		}
		p.opName()
	}
	op.OpSpan = p.span(pos)
	return op
}

// parseMvItems parses mv-expand/mv-apply items: [Name =] expr [to typeof(T)].
func (p *parser) parseMvItems() []*ast.MvExpandItem {
	var items []*ast.MvExpandItem
	for {
		it := &ast.MvExpandItem{}
		x := p.parseNamedOrExpr()
		if n, ok := x.(*ast.NamedExpr); ok {
			it.Names, it.X = n.Names, n.Value
		} else {
			it.X = x
		}
		if p.isWord("to") && p.peek(1).tok == token.IDENT && p.peek(1).lit == "typeof" {
			p.next()
			if p.peek(1).tok == token.LPAREN {
				it.To = p.parseTypeof()
			} else {
				p.next()
				p.errorExpected("'(' and a type")
			}
		}
		items = append(items, it)
		if p.tok != token.COMMA {
			return items
		}
		p.next()
	}
}

func (p *parser) parseParse(pos token.Pos, name string) ast.Operator {
	op := &ast.ParseOp{Kind: name}
	op.Params = p.parseParams(paramsOf("kind", "flags"))
	op.Source = p.parseOr()
	if !p.expectWord("with") {
		op.OpSpan = p.span(pos)
		return op
	}
	for {
		switch p.tok {
		case token.STRING:
			lit := p.parseStringLit().(*ast.Lit)
			op.Pattern = append(op.Pattern, &ast.ParsePart{Lit: lit})
			continue
		case token.MUL:
			p.next()
			op.Pattern = append(op.Pattern, &ast.ParsePart{Star: true})
			continue
		case token.IDENT, token.LBRACK:
			if _, ok := p.nameAhead(0); !ok {
				break
			}
			part := &ast.ParsePart{Column: p.parseName()}
			if p.tok == token.COLON {
				p.next()
				part.Type = p.parseType()
			}
			op.Pattern = append(op.Pattern, part)
			continue
		}
		break
	}
	if len(op.Pattern) == 0 {
		p.errorExpected("a pattern of strings and column names")
	}
	op.OpSpan = p.span(pos)
	return op
}

func (p *parser) parseMakeSeries(pos token.Pos) ast.Operator {
	op := &ast.MakeSeriesOp{}
	op.Params = p.parseParams(paramsOf("kind"))
	for !p.isWord("on") && p.canStartItem() {
		agg := &ast.MakeSeriesAgg{}
		if n, ok := p.nameAhead(0); ok && p.peek(n).tok == token.ASSIGN {
			agg.Name = p.parseName()
			p.next()
		}
		agg.Agg = p.parseOr()
		if p.isWord("default") && p.peek(1).tok == token.ASSIGN {
			p.next()
			p.next()
			agg.Default = p.parseOr()
		}
		op.Aggs = append(op.Aggs, agg)
		if p.tok != token.COMMA {
			break
		}
		p.next()
	}
	if len(op.Aggs) == 0 {
		p.errorExpected("an aggregation")
	}
	if p.expectWord("on") {
		op.On = p.parsePostfix()
	}
	if p.isWord("in") {
		p.next()
		if x, ok := p.parsePostfix().(*ast.CallExpr); ok {
			op.InRange = x
		} else {
			p.errorf(p.prevEnd(), "expected range(start, stop, step) after 'in'")
		}
	} else {
		if p.isWord("from") {
			p.next()
			op.From = p.parseOr()
		}
		if p.isWord("to") {
			p.next()
			op.To = p.parseOr()
		}
		if p.expectWord("step") {
			op.Step = p.parseOr()
		}
	}
	if p.isWord("by") {
		p.next()
		op.By = p.parseList(p.parseNamedOrExpr)
	}
	op.OpSpan = p.span(pos)
	return op
}

func (p *parser) parseRender(pos token.Pos) ast.Operator {
	op := &ast.RenderOp{}
	op.Chart = p.parseName()
	// Legacy form: render timechart kind=stacked title="x".
	op.With = p.parseParams(func(string) bool { return true })
	if p.isWord("with") {
		p.next()
		op.With = append(op.With, p.parseParenParams()...)
	}
	op.OpSpan = p.span(pos)
	return op
}

func (p *parser) parseFind(pos token.Pos) ast.Operator {
	op := &ast.FindOp{}
	op.Params = p.parseParams(paramsOf("withsource", "datascope", "kind"))
	op.WithSource, op.Params = takeIdent(op.Params, "withsource")
	if p.isWord("in") && p.peek(1).tok == token.LPAREN {
		p.next()
		op.Tables = p.parseTableList()
	}
	if p.expectWord("where") {
		op.Pred = p.parseOr()
	}
	switch p.peekOpName() {
	case "project-smart":
		p.opName()
		op.Smart = true
	case "project":
		p.next()
		op.Project = p.parseList(func() ast.Expr {
			x := p.parseOr()
			if id, ok := x.(*ast.Ident); ok && p.tok == token.COLON {
				p.next()
				return &ast.TypedExpr{Name: id, Type: p.parseType()}
			}
			return x
		})
	}
	op.OpSpan = p.span(pos)
	return op
}

// parseBracketValues parses [v, v, ...] of datatable and externaldata.
func (p *parser) parseBracketValues() []ast.Expr {
	lbrack := p.pos
	p.next()
	var xs []ast.Expr
	p.parseCommaList(token.RBRACK, lbrack, func() {
		xs = append(xs, p.parseOr())
	})
	return xs
}

func (p *parser) parseScan(pos token.Pos) ast.Operator {
	op := &ast.ScanOp{}
	op.Params = p.parseParams(paramsOf("with_match_id"))
	if p.isWord("declare") {
		p.next()
		lparen := p.pos
		if p.tok == token.LPAREN {
			p.next()
			op.Declare = p.parseParamList(lparen)
		} else {
			p.errorExpected("'(' and column declarations")
		}
	}
	if !p.expectWord("with") {
		op.OpSpan = p.span(pos)
		return op
	}
	lparen := p.pos
	if p.tok != token.LPAREN {
		p.errorExpected("'(' and scan steps")
		op.OpSpan = p.span(pos)
		return op
	}
	p.next()
	for p.isWord("step") {
		p.next()
		st := &ast.ScanStep{Name: p.parseName()}
		if p.isWord("output") && p.peek(1).tok == token.ASSIGN {
			p.next()
			p.next()
			st.Output = p.parseName().Name
		}
		p.expect(token.COLON)
		st.Pred = p.parseOr()
		if p.tok == token.ARROW {
			p.next()
			for {
				x := p.parseNamedOrExpr()
				if n, ok := x.(*ast.NamedExpr); ok {
					st.Assigns = append(st.Assigns, n)
				} else {
					p.errorf(x.Pos(), "expected Column = value in scan step assignments")
				}
				if p.tok != token.COMMA {
					break
				}
				p.next()
			}
		}
		op.Steps = append(op.Steps, st)
		if p.tok != token.SEMICOLON {
			break
		}
		p.next()
	}
	if len(op.Steps) == 0 {
		p.errorExpected("'step'")
	}
	p.closing(token.RPAREN, lparen)
	op.OpSpan = p.span(pos)
	return op
}

func (p *parser) parseMakeGraph(pos token.Pos) ast.Operator {
	op := &ast.MakeGraphOp{}
	op.Src = p.parsePostfix()
	// --> is directed, -- undirected.
	if p.tok == token.SUB && p.peek(1).tok == token.SUB {
		p.next()
		p.next()
		if p.tok == token.GTR {
			op.Directed = true
			p.next()
		}
	} else {
		p.errorExpected("'-->' or '--'")
	}
	op.Dst = p.parsePostfix()
	if p.isWord("with") {
		p.next()
		for {
			op.Nodes = append(op.Nodes, p.parseTableRef())
			if p.expectWord("on") {
				key := p.parsePostfix()
				op.Keys = append(op.Keys, key)
				if op.On == nil {
					op.On = key
				}
			}
			if p.tok != token.COMMA {
				break
			}
			p.next()
		}
	} else if p.isWord("with_node_id") && p.peek(1).tok == token.ASSIGN {
		p.next()
		p.next()
		op.On = p.parseName()
	}
	op.OpSpan = p.span(pos)
	return op
}

func (p *parser) parseGraphMatch(pos token.Pos) ast.Operator {
	op := &ast.GraphMatchOp{}
	op.Params = p.parseParams(paramsOf("cycles"))
	for {
		op.Pattern = append(op.Pattern, p.parseGraphPattern())
		if p.tok != token.COMMA {
			break
		}
		p.next()
	}
	if p.isWord("where") {
		p.next()
		op.Where = p.parseOr()
	}
	if p.isWord("project") {
		p.next()
		op.Project = p.parseList(p.parseNamedOrExpr)
	}
	op.OpSpan = p.span(pos)
	return op
}

// parseGraphPattern parses (a)-[e]->(b)<-[f*1..3]-(c).
func (p *parser) parseGraphPattern() *ast.GraphPattern {
	gp := &ast.GraphPattern{}
	gp.Elems = append(gp.Elems, p.parseGraphNode())
	for p.tok == token.SUB || p.tok == token.LSS {
		e := &ast.GraphEdge{Start: p.pos}
		left := p.tok == token.LSS
		if left {
			p.next()
		}
		p.expect(token.SUB)
		if p.tok == token.LBRACK {
			lbrack := p.pos
			p.next()
			if id := p.tryName(); id != nil {
				e.Name = id
			}
			if p.tok == token.MUL {
				p.next()
				e.Min = p.parseAdditive()
				if p.tok == token.DOTDOT {
					p.next()
					e.Max = p.parseAdditive()
				}
			}
			p.closing(token.RBRACK, lbrack)
		}
		p.expect(token.SUB)
		right := false
		if p.tok == token.GTR {
			right = true
			p.next()
		}
		switch {
		case left && !right:
			e.Dir = "<-"
		case right && !left:
			e.Dir = "->"
		default:
			e.Dir = "--"
		}
		e.EndPos = p.prevEnd()
		gp.Elems = append(gp.Elems, e, p.parseGraphNode())
	}
	return gp
}

func (p *parser) parseGraphNode() ast.Expr {
	n := &ast.GraphNode{Lparen: p.pos}
	if p.tok != token.LPAREN {
		p.errorExpected("'(' and a graph node")
		n.Rparen = p.prevEnd() - 1
		return n
	}
	p.next()
	n.Name = p.tryName()
	n.Rparen = p.closing(token.RPAREN, n.Lparen)
	return n
}
