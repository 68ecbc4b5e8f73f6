// Package parser turns KQL text into a kql/ast syntax tree, in the manner of
// go/parser: it reports syntax errors as an ErrorList with positions,
// recovers at the next '|' or ';' so that one run reports several errors,
// and always returns a (possibly partial) tree.
//
// The grammar is Kusto's as documented for Azure Data Explorer and Log
// Analytics: let/set/declare/alias statements, tabular pipelines with every
// operator, scalar expressions with Kusto's precedence, and every literal
// form. KQL words are contextual: the parser decides by position whether
// "count", "kind" or "by" is a keyword or a name.
package parser

import (
	"fmt"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/scanner"
	"github.com/huntbook/huntbook/kql/token"
)

// maxErrors stops a parse that has gone badly wrong: past this many errors
// the rest is noise.
const maxErrors = 10

// maxDepth bounds expression nesting, so hostile input cannot exhaust the stack.
const maxDepth = 400

// Parse parses a whole query text: statements separated by ';'. The script
// is never nil; on syntax errors it holds what could be parsed and err is an
// ErrorList sorted by position.
func Parse(filename string, src []byte) (*ast.Script, *token.File, error) {
	file := token.NewFile(filename, src)
	p := newParser(file, src)
	script := &ast.Script{}
	func() {
		defer p.recoverBailout()
		p.parseScript(script)
	}()
	p.errors.Sort()
	return script, file, p.errors.Err()
}

// ParseExpr parses a single expression: a scalar expression or a tabular
// one (a pipeline). Anything after the expression is an error.
func ParseExpr(src string) (ast.Expr, error) {
	file := token.NewFile("", []byte(src))
	p := newParser(file, []byte(src))
	var x ast.Expr
	func() {
		defer p.recoverBailout()
		x = p.parsePipeExpr()
		if p.tok == token.SEMICOLON {
			p.next()
		}
		if p.tok != token.EOF {
			p.errorf(p.pos, "unexpected %s after the expression", p.describe())
		}
	}()
	if x == nil {
		x = &ast.BadExpr{From: file.Pos(0), To: file.Pos(len(src))}
	}
	p.errors.Sort()
	return x, p.errors.Err()
}

type tokInfo struct {
	pos token.Pos
	tok token.Token
	lit string
}

type parser struct {
	file   *token.File
	src    []byte
	toks   []tokInfo
	i      int // index of the current token
	errors ErrorList

	// the current token
	pos token.Pos
	tok token.Token
	lit string

	depth    int
	inSearch bool // in a search predicate, where Column:"text" means has
}

type bailout struct{}

func newParser(file *token.File, src []byte) *parser {
	p := &parser{file: file, src: src}
	var s scanner.Scanner
	s.Init(file, src, func(pos token.Position, msg string) {
		p.errors.Add(pos, msg)
	})
	for {
		pos, tok, lit := s.Scan()
		p.toks = append(p.toks, tokInfo{pos, tok, lit})
		if tok == token.EOF {
			break
		}
	}
	p.i = -1
	p.next()
	return p
}

func (p *parser) recoverBailout() {
	if r := recover(); r != nil {
		if _, ok := r.(bailout); !ok {
			panic(r)
		}
	}
}

func (p *parser) next() {
	if p.i < len(p.toks)-1 {
		p.i++
	}
	t := p.toks[p.i]
	p.pos, p.tok, p.lit = t.pos, t.tok, t.lit
}

// peek returns the token n ahead of the current one (peek(0) is current).
func (p *parser) peek(n int) tokInfo {
	j := p.i + n
	if j >= len(p.toks) {
		return p.toks[len(p.toks)-1]
	}
	return p.toks[j]
}

func (t tokInfo) end() token.Pos { return t.pos + token.Pos(len(t.lit)) }

// prevEnd is the end of the previous token.
func (p *parser) prevEnd() token.Pos {
	if p.i == 0 {
		return p.pos
	}
	return p.toks[p.i-1].end()
}

// adjacent reports whether token i+n+1 starts right where token i+n ends
// (no space), as in project-away, !has or Device*.
func (p *parser) adjacent(n int) bool {
	return p.peek(n).end() == p.peek(n+1).pos
}

// isWord reports whether the current token is the word w.
func (p *parser) isWord(w string) bool { return p.tok == token.IDENT && p.lit == w }

func (p *parser) errorf(pos token.Pos, format string, args ...any) {
	position := p.file.Position(pos)
	// One error per place: a second complaint about the same spot is noise.
	for _, e := range p.errors {
		if e.Pos.Offset == position.Offset {
			return
		}
	}
	p.errors.Add(position, fmt.Sprintf(format, args...))
	if len(p.errors) >= maxErrors {
		panic(bailout{})
	}
}

// errPos is where to report a problem with the current token: at the token,
// or just after the previous one at the end of the text or of a line.
func (p *parser) errPos() token.Pos {
	if p.i == 0 {
		return p.pos
	}
	// When what was found is on a later line, the gap is right after the
	// previous token: point there.
	end := p.prevEnd()
	if p.tok == token.EOF || strings.IndexByte(string(p.src[p.file.Offset(end):p.file.Offset(p.pos)]), '\n') >= 0 {
		return end
	}
	return p.pos
}

// describe names the current token for a message: 'xyz', "str", end of query.
func (p *parser) describe() string { return describeTok(p.peek(0)) }

func describeTok(t tokInfo) string {
	switch t.tok {
	case token.EOF:
		return "end of query"
	case token.STRING:
		if len(t.lit) > 30 {
			return "string " + t.lit[:27] + "..."
		}
		return "string " + t.lit
	}
	lit := t.lit
	if len(lit) > 30 {
		lit = lit[:27] + "..."
	}
	return "'" + lit + "'"
}

// prevText is the text of the previous token, for "after 'where'" messages.
func (p *parser) prevText() string {
	if p.i == 0 {
		return ""
	}
	// Join words written together: project-away, !in.
	j := p.i - 1
	for j >= 2 && p.toks[j-1].tok == token.SUB && p.toks[j-2].tok == token.IDENT &&
		p.toks[j-2].end() == p.toks[j-1].pos && p.toks[j-1].end() == p.toks[j].pos && p.toks[j].tok == token.IDENT {
		j -= 2
	}
	if j >= 1 && p.toks[j-1].tok == token.BANG && p.toks[j-1].end() == p.toks[j].pos {
		j--
	}
	return string(p.src[p.file.Offset(p.toks[j].pos):p.file.Offset(p.toks[p.i-1].end())])
}

func (p *parser) errorExpected(what string) {
	if p.i > 0 {
		p.errorf(p.errPos(), "expected %s after '%s', found %s", what, p.prevText(), p.describe())
	} else {
		p.errorf(p.errPos(), "expected %s, found %s", what, p.describe())
	}
}

// expect consumes tok or reports what was expected; it returns the token's
// position (the current position when missing).
func (p *parser) expect(tok token.Token) token.Pos {
	pos := p.pos
	if p.tok != tok {
		p.errorExpected("'" + tok.String() + "'")
		return pos
	}
	p.next()
	return pos
}

// expectWord consumes the keyword w or reports it missing.
func (p *parser) expectWord(w string) bool {
	if p.isWord(w) {
		p.next()
		return true
	}
	p.errorExpected("'" + w + "'")
	return false
}

// closing consumes a closing token; when missing it reports which opening
// token is left unclosed.
func (p *parser) closing(tok token.Token, open token.Pos) token.Pos {
	pos := p.pos
	if p.tok != tok {
		op := p.file.Position(open)
		p.errorf(p.errPos(), "expected '%s' to close the '%s' at %d:%d, found %s",
			tok, opening(tok), op.Line, op.Column, p.describe())
		return p.prevEnd() - 1
	}
	p.next()
	return pos
}

func opening(t token.Token) string {
	switch t {
	case token.RPAREN:
		return "("
	case token.RBRACK:
		return "["
	case token.RBRACE:
		return "{"
	}
	return "?"
}

// syncOp skips to the next '|' or ';' of this nesting level, or to the
// bracket that closes it, so that parsing can go on after an error.
func (p *parser) syncOp() {
	depth := 0
	for p.tok != token.EOF {
		switch p.tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth == 0 {
				return
			}
			depth--
		case token.PIPE, token.SEMICOLON:
			if depth == 0 {
				return
			}
		}
		p.next()
	}
}

// ---------------------------------------------------------------------------
// Statements

func (p *parser) parseScript(s *ast.Script) {
	for p.tok != token.EOF {
		if p.tok == token.SEMICOLON {
			p.next()
			continue
		}
		start := p.i
		if st := p.parseStmt(); st != nil {
			s.Stmts = append(s.Stmts, st)
		}
		switch p.tok {
		case token.SEMICOLON, token.EOF:
			continue
		}
		if p.tok == token.RPAREN || p.tok == token.RBRACK || p.tok == token.RBRACE {
			p.errorf(p.pos, "unexpected %s: no matching '%s'", p.describe(), opening(p.tok))
		} else {
			p.errorf(p.errPos(), "expected ';' or the end of the query after the statement, found %s", p.describe())
		}
		p.syncOp()
		if p.tok != token.SEMICOLON && p.tok != token.EOF || p.i == start {
			p.next() // a stray closing bracket: step over it
		}
	}
}

func (p *parser) parseStmt() ast.Stmt {
	if p.tok == token.IDENT {
		nt := p.peek(1)
		switch p.lit {
		case "let":
			return p.parseLet()
		case "set":
			if nt.tok == token.IDENT {
				return p.parseSet()
			}
		case "declare":
			if nt.tok == token.IDENT && nt.lit == "query_parameters" {
				return p.parseDeclare()
			}
			if nt.tok == token.IDENT && nt.lit == "pattern" {
				return p.parsePattern()
			}
		case "alias":
			if nt.tok == token.IDENT && nt.lit == "database" {
				return p.parseAlias()
			}
		}
	}
	x := p.parsePipeExpr()
	return &ast.ExprStmt{X: x}
}

func (p *parser) parseLet() *ast.LetStmt {
	let := p.pos
	p.next()
	name := p.parseName()
	if p.tok != token.ASSIGN {
		p.errorExpected("'=' in let statement")
		return &ast.LetStmt{Let: let, Name: name, Value: &ast.BadExpr{From: p.pos, To: p.pos}}
	}
	p.next()
	return &ast.LetStmt{Let: let, Name: name, Value: p.parseLetValue()}
}

// parseLetValue parses what a let binds: a view, a function, or an expression.
func (p *parser) parseLetValue() ast.Expr {
	if p.isWord("view") && p.peek(1).tok == token.LPAREN {
		view := p.pos
		p.next()
		return &ast.ViewLit{View: view, Func: p.parseFuncLit()}
	}
	if p.tok == token.LPAREN && p.isFuncLitStart() {
		return p.parseFuncLit()
	}
	return p.parsePipeExpr()
}

// isFuncLitStart looks past '(' for "()" + "{" or "name:" - a parameter list.
func (p *parser) isFuncLitStart() bool {
	t1, t2 := p.peek(1), p.peek(2)
	switch {
	case t1.tok == token.RPAREN:
		return t2.tok == token.LBRACE
	case t1.tok == token.IDENT:
		return t2.tok == token.COLON
	case t1.tok == token.LBRACK:
		return t2.tok == token.STRING && p.peek(3).tok == token.RBRACK && p.peek(4).tok == token.COLON
	}
	return false
}

func (p *parser) parseFuncLit() *ast.FuncLit {
	lparen := p.expect(token.LPAREN)
	f := &ast.FuncLit{Lparen: lparen}
	f.Params = p.parseParamList(lparen)
	f.Body = p.parseBlock()
	return f
}

// parseParamList parses "a:string, b:long = 5)" after the '('.
func (p *parser) parseParamList(lparen token.Pos) []*ast.Param {
	var params []*ast.Param
	p.parseCommaList(token.RPAREN, lparen, func() {
		params = append(params, p.parseParam())
	})
	return params
}

func (p *parser) parseParam() *ast.Param {
	prm := &ast.Param{Name: p.parseName()}
	if p.tok == token.COLON {
		p.next()
		prm.Type = p.parseType()
	} else {
		p.errorExpected("':' and the parameter's type")
	}
	if p.tok == token.ASSIGN {
		p.next()
		prm.Default = p.parseOr()
	}
	return prm
}

// parseBlock parses { statements; expression }.
func (p *parser) parseBlock() *ast.Block {
	b := &ast.Block{Lbrace: p.pos}
	if p.tok != token.LBRACE {
		p.errorExpected("'{' to start the function body")
		b.Rbrace = p.prevEnd() - 1
		return b
	}
	p.next()
	for p.tok != token.RBRACE && p.tok != token.EOF {
		if p.tok == token.SEMICOLON {
			p.next()
			continue
		}
		start := p.i
		b.Stmts = append(b.Stmts, p.parseStmt())
		if p.tok == token.SEMICOLON || p.tok == token.RBRACE {
			continue
		}
		p.errorf(p.errPos(), "expected ';' or '}' after the statement, found %s", p.describe())
		p.syncOp()
		if p.i == start || p.tok == token.RPAREN || p.tok == token.RBRACK {
			p.next()
		}
	}
	b.Rbrace = p.closing(token.RBRACE, b.Lbrace)
	return b
}

func (p *parser) parseSet() *ast.SetStmt {
	s := &ast.SetStmt{Set: p.pos}
	p.next()
	s.Name = p.parseDottedName()
	if p.tok == token.ASSIGN {
		p.next()
		s.Value = p.parseOr()
	}
	return s
}

func (p *parser) parseDeclare() *ast.DeclareStmt {
	d := &ast.DeclareStmt{Declare: p.pos}
	p.next() // declare
	p.next() // query_parameters
	lparen := p.pos
	if p.tok != token.LPAREN {
		p.errorExpected("'('")
		d.Rparen = p.prevEnd() - 1
		return d
	}
	p.next()
	d.Params = p.parseParamList(lparen)
	d.Rparen = p.prevEnd() - 1
	return d
}

func (p *parser) parseAlias() *ast.AliasStmt {
	a := &ast.AliasStmt{Alias: p.pos}
	p.next() // alias
	p.next() // database
	a.Name = p.parseName()
	p.expect(token.ASSIGN)
	a.Value = p.parsePostfix()
	return a
}

// parsePattern parses declare pattern Name [= (params) [: type] { cases }].
func (p *parser) parsePattern() *ast.PatternStmt {
	s := &ast.PatternStmt{Declare: p.pos}
	p.next() // declare
	p.next() // pattern
	s.Name = p.parseName()
	if p.tok != token.ASSIGN {
		return s
	}
	p.next()
	lparen := p.expect(token.LPAREN)
	s.Params = p.parseParamList(lparen)
	if p.tok == token.LBRACK {
		// [path:string] declares the pattern's path parameter.
		lbrack := p.pos
		p.next()
		p.parseCommaList(token.RBRACK, lbrack, func() {
			s.PathParams = append(s.PathParams, p.parseParam())
		})
	}
	if p.tok == token.COLON {
		p.next()
		p.parseType()
	}
	lbrace := p.pos
	if p.tok != token.LBRACE {
		p.errorExpected("'{'")
		return s
	}
	p.next()
	for p.tok == token.LPAREN {
		c := &ast.PatternCase{}
		lp := p.pos
		p.next()
		p.parseCommaList(token.RPAREN, lp, func() {
			c.Args = append(c.Args, p.parseOr())
		})
		if p.tok == token.PERIOD {
			p.next()
			c.Path = p.parsePrimary()
		}
		p.expect(token.ASSIGN)
		lb := p.pos
		p.expect(token.LBRACE)
		c.Value = p.parsePipeExpr()
		p.closing(token.RBRACE, lb)
		if p.tok == token.SEMICOLON {
			p.next()
		}
		s.Body = append(s.Body, c)
	}
	s.Rbrace = p.closing(token.RBRACE, lbrace)
	return s
}

// ---------------------------------------------------------------------------
// Names and types

// parseName parses a name: Foo, ['a b'] or ["a b"]. Any word will do, as
// KQL's keywords are contextual.
func (p *parser) parseName() *ast.Ident {
	if id := p.tryName(); id != nil {
		return id
	}
	p.errorExpected("a name")
	return &ast.Ident{NamePos: p.pos, EndPos: p.pos}
}

// tryName parses a name if one is here, or returns nil.
func (p *parser) tryName() *ast.Ident {
	switch p.tok {
	case token.IDENT:
		id := &ast.Ident{NamePos: p.pos, Name: p.lit, EndPos: p.peek(0).end()}
		p.next()
		return id
	case token.LBRACK:
		if p.peek(1).tok == token.STRING && p.peek(2).tok == token.RBRACK {
			return p.parseBracketName()
		}
	}
	return nil
}

// parseBracketName parses ['name'] (the current token is '[').
func (p *parser) parseBracketName() *ast.Ident {
	lbrack := p.pos
	p.next()
	s, err := Unquote(p.lit)
	if err != nil {
		p.errorf(p.pos, "%v", err)
	}
	p.next()
	end := p.peek(0).end()
	p.next() // ]
	return &ast.Ident{NamePos: lbrack, Name: s, EndPos: end, Quoted: true}
}

// parseDottedName parses a.b.c as one name (set options, hint.strategy).
func (p *parser) parseDottedName() *ast.Ident {
	id := p.parseName()
	for p.tok == token.PERIOD && p.peek(1).tok == token.IDENT {
		p.next()
		id.Name += "." + p.lit
		id.EndPos = p.peek(0).end()
		p.next()
	}
	return id
}

// nameAhead reports whether a name starts at token n ahead, and how many
// tokens it takes.
func (p *parser) nameAhead(n int) (int, bool) {
	switch p.peek(n).tok {
	case token.IDENT:
		return 1, true
	case token.LBRACK:
		if p.peek(n+1).tok == token.STRING && p.peek(n+2).tok == token.RBRACK {
			return 3, true
		}
	}
	return 0, false
}

// parseType parses a type: a scalar type name, or a tabular schema (*) or
// (a:string, b:long) for function parameters.
func (p *parser) parseType() *ast.TypeExpr {
	t := &ast.TypeExpr{TypePos: p.pos}
	switch p.tok {
	case token.IDENT:
		typ, ok := scalarType(p.lit)
		if !ok {
			p.errorf(p.pos, "unknown type '%s' (want string, long, int, real, decimal, bool, datetime, timespan, guid or dynamic)", p.lit)
		}
		t.Type = typ
		t.EndPos = p.peek(0).end()
		p.next()
	case token.LPAREN:
		lparen := p.pos
		p.next()
		t.Tabular = true
		p.parseSchemaBody(t, lparen)
	default:
		p.errorExpected("a type")
		t.EndPos = p.pos
	}
	return t
}

// parseSchemaBody parses "*)" or "a:string, b:long)" into t.
func (p *parser) parseSchemaBody(t *ast.TypeExpr, lparen token.Pos) {
	t.EndPos = p.parseCommaList(token.RPAREN, lparen, func() {
		if p.tok == token.MUL {
			t.Star = true
			p.next()
			return
		}
		t.Columns = append(t.Columns, p.parseTypedName())
	}) + 1
}

// parseTypedName parses name:type.
func (p *parser) parseTypedName() *ast.TypedExpr {
	name := p.parseName()
	if p.tok != token.COLON {
		p.errorExpected("':' and a type")
		return &ast.TypedExpr{Name: name, Type: &ast.TypeExpr{TypePos: p.pos, EndPos: p.pos}}
	}
	p.next()
	return &ast.TypedExpr{Name: name, Type: p.parseType()}
}

// parseSchema parses (a:string, b:long) as datatable and externaldata take.
func (p *parser) parseSchema() []*ast.TypedExpr {
	lparen := p.pos
	if p.tok != token.LPAREN {
		p.errorExpected("'(' and a schema")
		return nil
	}
	p.next()
	var cols []*ast.TypedExpr
	p.parseCommaList(token.RPAREN, lparen, func() {
		cols = append(cols, p.parseTypedName())
	})
	return cols
}

// ---------------------------------------------------------------------------
// Helpers for lists

// parseCommaList parses "item, item, ... close" after the opening token at
// open, calling item for each element, and consumes the closing token; it
// returns the closing token's position.
func (p *parser) parseCommaList(close token.Token, open token.Pos, item func()) token.Pos {
	for p.tok != close && p.tok != token.EOF {
		item()
		if p.tok != token.COMMA {
			break
		}
		p.next()
	}
	return p.closing(close, open)
}

// parseList parses items separated by commas until a token that cannot
// continue the list.
func (p *parser) parseList(item func() ast.Expr) []ast.Expr {
	var xs []ast.Expr
	for {
		xs = append(xs, item())
		if p.tok != token.COMMA {
			return xs
		}
		p.next()
	}
}

func words(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// describeOp is "'where'" for messages about an operator.
func describeOp(name string) string { return "'" + strings.TrimSpace(name) + "'" }
