package parser

import (
	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// parsePipeExpr parses an expression that may be a pipeline: X | op | op.
func (p *parser) parsePipeExpr() ast.Expr {
	x := p.parseOr()
	if p.tok != token.PIPE {
		return x
	}
	pipe := &ast.Pipe{Source: x}
	p.parseOps(pipe)
	return pipe
}

// parseOps parses "| op | op ..." onto pipe.
func (p *parser) parseOps(pipe *ast.Pipe) {
	for p.tok == token.PIPE {
		p.next()
		pipe.Ops = append(pipe.Ops, p.parseOpChecked())
	}
}

// parseOpChecked parses one operator and makes sure it ends where an
// operator can end; otherwise it reports the stray text and skips it.
func (p *parser) parseOpChecked() ast.Operator {
	op := p.parsePipeOp()
	switch p.tok {
	case token.PIPE, token.SEMICOLON, token.EOF, token.RPAREN, token.RBRACE, token.RBRACK:
		return op
	}
	p.errorf(p.pos, "unexpected %s after the %s operator: expected '|', ';' or the end of the query", p.describe(), describeOp(op.Name()))
	p.syncOp()
	return op
}

// parseImplicitPipe parses a subquery over an implicit input: "op | op"
// (mv-apply's on, fork, facet's with, partition). Its Source is nil.
func (p *parser) parseImplicitPipe() *ast.Pipe {
	pipe := &ast.Pipe{}
	pipe.Ops = append(pipe.Ops, p.parseOpChecked())
	p.parseOps(pipe)
	return pipe
}

// parseSubquery parses ( subquery ): either an operator pipeline over the
// implicit input, or a full tabular expression.
func (p *parser) parseSubquery() ast.Expr {
	lparen := p.pos
	if p.tok != token.LPAREN {
		p.errorExpected("'(' and a subquery")
		return &ast.BadExpr{From: p.pos, To: p.pos}
	}
	p.next()
	var x ast.Expr
	if p.tok == token.PIPE {
		p.next() // tolerate a leading '|'
	}
	if p.startsOperator() {
		x = p.parseImplicitPipe()
	} else {
		x = p.parsePipeExpr()
	}
	rparen := p.closing(token.RPAREN, lparen)
	if pipe, ok := x.(*ast.Pipe); ok && pipe.Source == nil {
		return pipe
	}
	return &ast.ParenExpr{Lparen: lparen, X: x, Rparen: rparen}
}

// startsOperator reports whether a pipe operator's keyword is here (and
// not a table that happens to share its name, which '|' or ')' would follow).
func (p *parser) startsOperator() bool {
	if p.tok != token.IDENT || !pipeOps[p.peekOpName()] {
		return false
	}
	switch p.peek(1).tok {
	case token.PIPE, token.PERIOD, token.LBRACK:
		return false
	case token.RPAREN:
		return p.lit == "count" || p.lit == "getschema" || p.lit == "consume" || p.lit == "serialize"
	}
	return true
}

func (p *parser) parseOr() ast.Expr {
	x := p.parseAnd()
	for p.isWord("or") {
		pos := p.pos
		p.next()
		y := p.parseAnd()
		x = &ast.BinaryExpr{X: x, OpPos: pos, Op: token.IDENT, Word: "or", Y: y}
	}
	return x
}

func (p *parser) parseAnd() ast.Expr {
	x := p.parseCompare()
	for p.isWord("and") {
		pos := p.pos
		p.next()
		y := p.parseCompare()
		x = &ast.BinaryExpr{X: x, OpPos: pos, Op: token.IDENT, Word: "and", Y: y}
	}
	return x
}

// stringOps are the word operators at comparison level; negatable says
// which may be written with a leading '!'.
var stringOps = map[string]bool{
	"has": true, "has_cs": true, "hasprefix": true, "hasprefix_cs": true, "hassuffix": true, "hassuffix_cs": true,
	"contains": true, "contains_cs": true, "startswith": true, "startswith_cs": true, "endswith": true, "endswith_cs": true,
	"like": true, "likecs": true, "notlike": true, "notlikecs": true,
	"containscs": true, "notcontains": true, "notcontainscs": true, "notbetween": true,
	"notin": true, "notin~": true,
	"in": true, "in~": true, "has_any": true, "has_all": true, "between": true,
}

var negatable = words("has", "has_cs", "hasprefix", "hasprefix_cs", "hassuffix", "hassuffix_cs",
	"contains", "contains_cs", "startswith", "startswith_cs", "endswith", "endswith_cs",
	"in", "in~", "between", "like", "likecs")

var compareTokens = map[token.Token]bool{
	token.EQL: true, token.NEQ: true, token.LSS: true, token.GTR: true, token.LEQ: true,
	token.GEQ: true, token.EQTILDE: true, token.NEQTILDE: true,
}

// compareOp reports the comparison-level operator here, if any: its word
// ("!has", "matches regex") and how many tokens it spans.
func (p *parser) compareOp() (word string, n int, ok bool) {
	switch {
	case compareTokens[p.tok]:
		return "", 1, true
	case p.tok == token.COLON && p.inSearch:
		return "has", 1, true
	case p.tok == token.IDENT:
		if p.lit == "matches" && p.peek(1).tok == token.IDENT && p.peek(1).lit == "regex" {
			return "matches regex", 2, true
		}
		if stringOps[p.lit] {
			return p.lit, 1, true
		}
	case p.tok == token.BANG:
		if t := p.peek(1); t.tok == token.IDENT && negatable[t.lit] && p.adjacent(0) {
			return "!" + t.lit, 2, true
		}
	}
	return "", 0, false
}

func (p *parser) parseCompare() ast.Expr {
	x := p.parseAdditive()
	for {
		word, n, ok := p.compareOp()
		if !ok {
			return x
		}
		pos, tok := p.pos, p.tok
		for i := 0; i < n; i++ {
			p.next()
		}
		switch word {
		case "notin":
			word = "!in"
		case "notin~":
			word = "!in~"
		case "notbetween":
			word = "!between"
		case "notcontains":
			word = "!contains"
		case "notcontainscs", "!contains_cs":
			word = "!contains_cs"
		case "containscs":
			word = "contains_cs"
		}
		switch word {
		case "in", "in~", "!in", "!in~", "has_any", "has_all":
			x = p.parseIn(x, pos, word)
		case "between", "!between":
			x = p.parseBetween(x, pos, word == "!between")
		case "":
			x = &ast.BinaryExpr{X: x, OpPos: pos, Op: tok, Y: p.parseAdditive()}
		default:
			x = &ast.BinaryExpr{X: x, OpPos: pos, Op: token.IDENT, Word: word, Y: p.parseAdditive()}
		}
	}
}

// parseIn parses the operand list of in, !in, in~, has_any, has_all:
// (a, b, c), (T | project x), or a single dynamic-array expression.
func (p *parser) parseIn(x ast.Expr, pos token.Pos, op string) ast.Expr {
	in := &ast.InExpr{X: x, OpPos: pos, Op: op}
	if p.tok != token.LPAREN {
		// x in list_variable: Kusto accepts a dynamic array expression.
		if !p.canStartExpr() {
			p.errorExpected("'(' and a list of values")
			in.Rparen = p.prevEnd() - 1
			return in
		}
		y := p.parsePostfix()
		in.List = []ast.Expr{y}
		in.Rparen = y.End() - 1
		return in
	}
	in.Lparen = p.pos
	p.next()
	in.Rparen = p.parseCommaList(token.RPAREN, in.Lparen, func() {
		in.List = append(in.List, p.parsePipeExpr())
	})
	return in
}

func (p *parser) parseBetween(x ast.Expr, pos token.Pos, not bool) ast.Expr {
	b := &ast.BetweenExpr{X: x, OpPos: pos, Not: not}
	if p.tok != token.LPAREN {
		p.errorExpected("'(' and a range 'low .. high'")
		b.Lo, b.Hi = &ast.BadExpr{From: p.pos, To: p.pos}, &ast.BadExpr{From: p.pos, To: p.pos}
		b.Rparen = p.prevEnd() - 1
		return b
	}
	lparen := p.pos
	p.next()
	b.Lo = p.parseOr()
	if p.tok != token.DOTDOT {
		p.errorExpected("'..' between the low and high ends")
		b.Hi = &ast.BadExpr{From: p.pos, To: p.pos}
	} else {
		p.next()
		b.Hi = p.parseOr()
	}
	b.Rparen = p.closing(token.RPAREN, lparen)
	return b
}

func (p *parser) parseAdditive() ast.Expr {
	x := p.parseMultiplicative()
	for p.tok == token.ADD || p.tok == token.SUB {
		// In make-graph, "a --> b" is an edge, not arithmetic.
		if p.tok == token.SUB && p.peek(1).tok == token.SUB && p.adjacent(0) {
			return x
		}
		pos, tok := p.pos, p.tok
		p.next()
		x = &ast.BinaryExpr{X: x, OpPos: pos, Op: tok, Y: p.parseMultiplicative()}
	}
	return x
}

func (p *parser) parseMultiplicative() ast.Expr {
	x := p.parseUnary()
	for p.tok == token.MUL || p.tok == token.QUO || p.tok == token.REM {
		pos, tok := p.pos, p.tok
		p.next()
		x = &ast.BinaryExpr{X: x, OpPos: pos, Op: tok, Y: p.parseUnary()}
	}
	return x
}

func (p *parser) parseUnary() ast.Expr {
	if p.tok == token.SUB || p.tok == token.ADD {
		pos, tok := p.pos, p.tok
		p.enter()
		defer p.leave()
		p.next()
		x := p.parseUnary()
		// -5, -1.5, -1d are literals in Kusto: fold the sign in.
		if lit, ok := x.(*ast.Lit); ok && lit.Value.Valid {
			switch lit.Value.Type {
			case types.Long, types.Int, types.TimeSpan:
				v := lit.Value
				if tok == token.SUB {
					v.I = -v.I
				}
				return &ast.Lit{ValuePos: pos, EndPos: lit.EndPos, Value: v, Raw: string(p.src[p.file.Offset(pos):p.file.Offset(lit.EndPos)])}
			case types.Real:
				v := lit.Value
				if tok == token.SUB {
					v.F = -v.F
				}
				return &ast.Lit{ValuePos: pos, EndPos: lit.EndPos, Value: v, Raw: string(p.src[p.file.Offset(pos):p.file.Offset(lit.EndPos)])}
			}
		}
		return &ast.UnaryExpr{OpPos: pos, Op: tok, X: x}
	}
	return p.parsePostfix()
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.errorf(p.pos, "expression nested too deeply (more than %d levels)", maxDepth)
		panic(bailout{})
	}
}

func (p *parser) leave() { p.depth-- }

// parsePostfix parses an operand and its .name, [index] and (args) suffixes.
func (p *parser) parsePostfix() ast.Expr {
	p.enter()
	defer p.leave()
	x := p.parsePrimary()
	for {
		switch p.tok {
		case token.PERIOD:
			p.next()
			switch {
			case p.tok == token.IDENT:
				x = &ast.SelectorExpr{X: x, Sel: p.parseName()}
			case p.tok == token.LBRACK && p.peek(1).tok == token.STRING && p.peek(2).tok == token.RBRACK:
				x = &ast.SelectorExpr{X: x, Sel: p.parseBracketName()}
			case p.tok == token.LBRACK:
				x = p.parseIndex(x)
			default:
				p.errorExpected("a property name")
				return x
			}
		case token.LBRACK:
			x = p.parseIndex(x)
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

func (p *parser) parseIndex(x ast.Expr) ast.Expr {
	lbrack := p.pos
	p.next()
	idx := p.parseOr()
	rbrack := p.closing(token.RBRACK, lbrack)
	return &ast.IndexExpr{X: x, Lbrack: lbrack, Index: idx, Rbrack: rbrack}
}

// parseCall parses (args) after fun. Arguments may be name = value, '*' or
// tabular expressions (toscalar(T | count)).
func (p *parser) parseCall(fun ast.Expr) *ast.CallExpr {
	call := &ast.CallExpr{Fun: fun, Lparen: p.pos}
	p.next()
	call.Rparen = p.parseCommaList(token.RPAREN, call.Lparen, func() {
		call.Args = append(call.Args, p.parseArg())
	})
	return call
}

func (p *parser) parseArg() ast.Expr {
	if n, ok := p.nameAhead(0); ok && p.peek(n).tok == token.ASSIGN {
		name := p.parseName()
		p.next()
		return &ast.NamedExpr{Names: []*ast.Ident{name}, Value: p.parsePipeExpr()}
	}
	if p.tok == token.MUL && (p.peek(1).tok == token.COMMA || p.peek(1).tok == token.RPAREN) {
		star := &ast.StarExpr{Star: p.pos}
		p.next()
		return star
	}
	return p.parsePipeExpr()
}

// canStartExpr reports whether the current token can begin an expression.
func (p *parser) canStartExpr() bool {
	switch p.tok {
	case token.IDENT, token.LONG, token.REAL, token.STRING, token.TIMESPAN, token.TYPEDLIT,
		token.LPAREN, token.SUB, token.ADD, token.MUL:
		return true
	case token.LBRACK:
		_, ok := p.nameAhead(0)
		return ok
	}
	return false
}

// typeLitWords are the type names whose "name(literal)" form is a typed
// literal: long(null), real(nan), bool(true), decimal(1.5), int(-1).
var typeLitWords = words("bool", "boolean", "int", "long", "real", "double", "decimal", "string")

func (p *parser) parsePrimary() ast.Expr {
	pos := p.pos
	switch p.tok {
	case token.IDENT:
		nt := p.peek(1)
		switch p.lit {
		case "true", "false", "True", "False", "TRUE", "FALSE":
			if nt.tok != token.LPAREN {
				lit := &ast.Lit{ValuePos: pos, EndPos: p.peek(0).end(), Value: types.NewBool(p.lit[0] == 't' || p.lit[0] == 'T'), Raw: p.lit}
				p.next()
				return lit
			}
		case "null":
			// a bare null is the untyped null literal (dynamic(null) in use)
			if nt.tok != token.LPAREN {
				lit := &ast.Lit{ValuePos: pos, EndPos: p.peek(0).end(), Value: types.NullOf(types.Null), Raw: p.lit}
				p.next()
				return lit
			}
		}
		if nt.tok == token.LPAREN {
			switch {
			case p.lit == "dynamic":
				return p.parseDynamicLit()
			case p.lit == "typeof":
				return p.parseTypeof()
			case typeLitWords[p.lit]:
				if lit := p.tryTypedScalarLit(); lit != nil {
					return lit
				}
			}
		}
		if p.startsSourceOp() {
			return &ast.OpExpr{Op: p.parseSourceOp()}
		}
		id := p.parseName()
		if p.tok == token.LPAREN {
			return p.parseCall(id)
		}
		return id
	case token.LBRACK:
		if _, ok := p.nameAhead(0); ok {
			id := p.parseBracketName()
			if p.tok == token.LPAREN {
				return p.parseCall(id)
			}
			return id
		}
	case token.LONG, token.REAL, token.TIMESPAN, token.TYPEDLIT:
		return p.parseBasicLit()
	case token.STRING:
		return p.parseStringLit()
	case token.LPAREN:
		return p.parseParen()
	case token.MUL:
		p.next()
		return &ast.StarExpr{Star: pos}
	case token.ILLEGAL:
		// The scanner has reported it; an error here would say the same.
		p.errorf(pos, "invalid token %s", p.describe())
		p.next()
		return &ast.BadExpr{From: pos, To: p.prevEnd()}
	case token.LBRACE:
		// A function body used as a value: { T | take 1 } in partition.
		b := p.parseBlock()
		return b
	}
	p.errorExpected("an expression")
	return &ast.BadExpr{From: pos, To: pos}
}

// parseParen parses (x), a list (a, b) or a parenthesized pipeline.
func (p *parser) parseParen() ast.Expr {
	lparen := p.pos
	p.next()
	if p.tok == token.RPAREN {
		rparen := p.pos
		p.next()
		return &ast.ListExpr{Lparen: lparen, Rparen: rparen}
	}
	x := p.parsePipeExpr()
	if p.tok == token.COMMA {
		list := &ast.ListExpr{Lparen: lparen, Elems: []ast.Expr{x}}
		for p.tok == token.COMMA {
			p.next()
			list.Elems = append(list.Elems, p.parsePipeExpr())
		}
		list.Rparen = p.closing(token.RPAREN, lparen)
		return list
	}
	rparen := p.closing(token.RPAREN, lparen)
	return &ast.ParenExpr{Lparen: lparen, X: x, Rparen: rparen}
}

// parseTypeof parses typeof(long) or typeof(*, a:string) into a TypeExpr
// spanning the whole form.
func (p *parser) parseTypeof() *ast.TypeExpr {
	pos := p.pos
	p.next() // typeof
	lparen := p.pos
	p.next()
	if p.tok == token.IDENT && p.peek(1).tok == token.RPAREN {
		t := p.parseType()
		t.TypePos = pos
		t.EndPos = p.closing(token.RPAREN, lparen) + 1
		return t
	}
	t := &ast.TypeExpr{TypePos: pos, Tabular: true}
	p.parseSchemaBody(t, lparen)
	return t
}

// parseNamedOrExpr parses "Name = expr", "(a, b) = expr" or a bare expression,
// the items of project, extend, summarize and print.
func (p *parser) parseNamedOrExpr() ast.Expr {
	if n, ok := p.nameAhead(0); ok && p.peek(n).tok == token.ASSIGN {
		name := p.parseName()
		p.next()
		return &ast.NamedExpr{Names: []*ast.Ident{name}, Value: p.parseOr()}
	}
	if p.tok == token.LPAREN && p.isNameTupleAssign() {
		lparen := p.pos
		p.next()
		var names []*ast.Ident
		p.parseCommaList(token.RPAREN, lparen, func() {
			names = append(names, p.parseName())
		})
		p.next() // =
		return &ast.NamedExpr{Names: names, Value: p.parseOr()}
	}
	return p.parseOr()
}

// isNameTupleAssign looks for "(a, b) =" at the current '('.
func (p *parser) isNameTupleAssign() bool {
	n := 1
	for {
		k, ok := p.nameAhead(n)
		if !ok {
			return false
		}
		n += k
		switch p.peek(n).tok {
		case token.COMMA:
			n++
		case token.RPAREN:
			return p.peek(n+1).tok == token.ASSIGN
		default:
			return false
		}
	}
}
